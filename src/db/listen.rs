//! Hearing of other editors' saves, and the background connection a layer talks through.
//!
//! A trigger (installed at import, or from the layer's menu) sends `NOTIFY corridor` with the
//! table and the row's key for every insert, update and delete, and raises the row's version for
//! updates made by any program. Each PostGIS layer has one worker thread with one connection:
//! it saves, fetches rows, listens, and reconnects every two seconds after losing the server.

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

use postgres::fallible_iterator::FallibleIterator;

use super::rows::{Row, fetch};
use super::save::{Outcome, Pending, save};
use super::source::{DbError, PgSource, connect, quote_ident};
use super::table::{TableInfo, VERSION_COLUMN, describe};

/// The channel every notification goes to.
pub const CHANNEL: &str = "corridor";

/// How long a worker waits on the server for notifications between requests.
const LISTEN_WAIT: Duration = Duration::from_millis(80);

/// How often a worker without a connection tries again.
pub const RECONNECT_EVERY: Duration = Duration::from_secs(2);

/// Installs (or replaces) the notify trigger on `source`'s table, and the version trigger when
/// it has the version column.
pub fn install_triggers(
    client: &mut impl postgres::GenericClient,
    source: &PgSource,
    key_column: &str,
) -> Result<(), postgres::Error> {
    let table = source.qualified();
    // One transaction (a savepoint within a caller's), so that the lock below holds to the end.
    let mut client = client.transaction()?;
    // Two imports at once would both replace the shared functions: one waits for the other.
    client.batch_execute("select pg_advisory_xact_lock(hashtext('corridor triggers'))")?;
    client.batch_execute(&format!(
        "create or replace function corridor_notify() returns trigger language plpgsql as $f$
         declare k text;
         begin
           if tg_op = 'DELETE' then k := to_jsonb(old) ->> tg_argv[0];
           else k := to_jsonb(new) ->> tg_argv[0]; end if;
           perform pg_notify('{CHANNEL}', json_build_object(
             'schema', tg_table_schema, 'table', tg_table_name,
             'op', lower(tg_op), 'key', k)::text);
           return null;
         end $f$;
         drop trigger if exists corridor_notify on {table};
         create trigger corridor_notify after insert or update or delete on {table}
           for each row execute function corridor_notify('{}');",
        key_column.replace('\'', "''")
    ))?;
    let has_version = client
        .query_opt(
            "select 1 from information_schema.columns \
             where table_schema = $1 and table_name = $2 and column_name = $3",
            &[&source.schema, &source.table, &VERSION_COLUMN],
        )?
        .is_some();
    if has_version {
        let v = quote_ident(VERSION_COLUMN);
        client.batch_execute(&format!(
            "create or replace function corridor_bump_version() returns trigger language plpgsql as $f$
             begin new.{v} := coalesce(old.{v}, 0) + 1; return new; end $f$;
             drop trigger if exists corridor_version on {table};
             create trigger corridor_version before update on {table}
               for each row execute function corridor_bump_version();"
        ))?;
    }
    client.commit()
}

/// A notification: which row of which table, and what happened to it.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct Notice {
    pub schema: String,
    pub table: String,
    pub op: String,
    pub key: Option<String>,
}

/// What a layer asks of its worker.
pub enum Request {
    /// Write these in one transaction; the number comes back with the answer.
    Save(u64, Vec<Pending>),
    /// Read these rows again.
    Fetch(Vec<String>),
    /// Every row's key and version, to catch up after the connection came back.
    Versions,
    /// The same for these rows only (those a table too large to hold has read).
    VersionsOf(Vec<String>),
}

/// What a worker tells its layer.
#[derive(Debug)]
pub enum Reply {
    Saved(u64, Vec<Outcome>),
    SaveFailed(u64, DbError),
    /// Rows read again, and the keys asked for that no longer exist.
    Rows(Vec<Row>, Vec<String>),
    Versions(Vec<(String, String)>),
    /// Rows other editors changed (the keys, from notifications).
    Changed(Vec<String>),
    /// The connection went (with why) or came back.
    Disconnected(String),
    Reconnected,
}

/// The background connection of one PostGIS layer.
pub struct Worker {
    tx: Sender<Request>,
    pub rx: Receiver<Reply>,
}

impl Worker {
    /// Starts a worker for the table `info` describes; `wake` is called after every reply.
    pub fn start(
        info: TableInfo,
        password: Option<String>,
        wake: impl Fn() + Send + 'static,
    ) -> Self {
        let (tx, requests) = channel();
        let (replies, rx) = channel();
        std::thread::Builder::new()
            .name(format!("pg {}", info.source.table))
            .spawn(move || run(info, password, requests, replies, wake))
            .ok();
        Self { tx, rx }
    }

    /// Sends a request; false if the worker has stopped.
    pub fn send(&self, request: Request) -> bool {
        self.tx.send(request).is_ok()
    }
}

fn run(
    mut info: TableInfo,
    password: Option<String>,
    requests: Receiver<Request>,
    replies: Sender<Reply>,
    wake: impl Fn(),
) {
    let reply = |r: Reply| {
        let ok = replies.send(r).is_ok();
        wake();
        ok
    };
    let mut client: Option<postgres::Client> = None;
    let mut down_since: Option<Instant> = None;
    let mut last_try = Instant::now() - RECONNECT_EVERY;
    loop {
        // Without a connection, try again every few seconds.
        if client.is_none() && last_try.elapsed() >= RECONNECT_EVERY {
            last_try = Instant::now();
            match open(&info, password.as_deref()) {
                Ok((c, fresh)) => {
                    client = Some(c);
                    info = fresh;
                    if down_since.take().is_some() && !reply(Reply::Reconnected) {
                        return;
                    }
                }
                Err(e) => {
                    if down_since.is_none() {
                        down_since = Some(Instant::now());
                        if !reply(Reply::Disconnected(e.to_string())) {
                            return;
                        }
                    }
                }
            }
        }
        let wait = if client.is_some() {
            Duration::from_millis(20)
        } else {
            Duration::from_millis(100)
        };
        let request = match requests.recv_timeout(wait) {
            Ok(r) => Some(r),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        let Some(c) = client.as_mut() else {
            // No connection: saves fail at once (the layer keeps them and asks again).
            if let Some(Request::Save(n, _)) = request {
                let e = DbError::Connection(format!(
                    "{}: no connection to the database",
                    info.source.describe()
                ));
                if !reply(Reply::SaveFailed(n, e)) {
                    return;
                }
            }
            continue;
        };
        let result: Result<Option<Reply>, DbError> = match request {
            Some(Request::Save(n, items)) => match save(c, &info, &items) {
                Ok(outcomes) => Ok(Some(Reply::Saved(n, outcomes))),
                Err(e) if e.is_connection() => {
                    let _ = reply(Reply::SaveFailed(n, e.clone()));
                    Err(e)
                }
                Err(e) => Ok(Some(Reply::SaveFailed(n, e))),
            },
            Some(Request::Fetch(keys)) => fetch(c, &info, &keys).map(|rows| {
                let gone = keys
                    .iter()
                    .filter(|k| !rows.iter().any(|r| &r.key == *k))
                    .cloned()
                    .collect();
                Some(Reply::Rows(rows, gone))
            }),
            Some(Request::Versions) => versions(c, &info).map(|v| Some(Reply::Versions(v))),
            Some(Request::VersionsOf(keys)) => {
                versions_of(c, &info, &keys).map(|v| Some(Reply::Versions(v)))
            }
            None => heard(c, &info).map(|keys| (!keys.is_empty()).then_some(Reply::Changed(keys))),
        };
        match result {
            Ok(Some(r)) => {
                if !reply(r) {
                    return;
                }
            }
            Ok(None) => {}
            Err(e) => {
                if e.is_connection() || c.is_closed() {
                    client = None;
                    down_since = Some(Instant::now());
                    last_try = Instant::now();
                    if !reply(Reply::Disconnected(e.to_string())) {
                        return;
                    }
                } else {
                    log::warn!("{e}");
                }
            }
        }
    }
}

/// Connects, listens, and reads the table's description again (it may have changed).
fn open(
    info: &TableInfo,
    password: Option<&str>,
) -> Result<(postgres::Client, TableInfo), DbError> {
    let mut c = connect(&info.source.url, password)?;
    c.batch_execute(&format!("listen {CHANNEL}"))
        .map_err(|e| DbError::from_pg(&e, "Listening for changes"))?;
    let fresh = describe(&mut c, &info.source)?;
    Ok((c, fresh))
}

/// The keys of this table's rows that notifications named since the last look.
fn heard(c: &mut postgres::Client, info: &TableInfo) -> Result<Vec<String>, DbError> {
    let mut keys = Vec::new();
    let mut notifications = c.notifications();
    // The non-blocking iterator does not read the socket by itself: wait a little for it.
    let mut it = notifications.timeout_iter(LISTEN_WAIT);
    loop {
        match it.next() {
            Ok(Some(n)) => {
                if let Ok(notice) = serde_json::from_str::<Notice>(n.payload())
                    && notice.schema == info.source.schema
                    && notice.table == info.source.table
                    && let Some(k) = notice.key
                    && !keys.contains(&k)
                {
                    keys.push(k);
                }
            }
            Ok(None) => break,
            Err(e) => return Err(DbError::from_pg(&e, "Listening for changes")),
        }
    }
    Ok(keys)
}

/// The key and version of each of these rows that still exists.
pub fn versions_of(
    c: &mut impl postgres::GenericClient,
    info: &TableInfo,
    keys: &[String],
) -> Result<Vec<(String, String)>, DbError> {
    let sql = format!(
        "select {k}::text, {} from {} where {k}::text = any($1::text[])",
        info.version_sql(),
        info.source.qualified(),
        k = quote_ident(&info.key),
    );
    let rows = c
        .query(&sql, &[&keys])
        .map_err(|e| DbError::from_pg(&e, "Reading versions"))?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// Every row's key and version.
pub fn versions(
    c: &mut impl postgres::GenericClient,
    info: &TableInfo,
) -> Result<Vec<(String, String)>, DbError> {
    let sql = format!(
        "select {}::text, {} from {}",
        quote_ident(&info.key),
        info.version_sql(),
        info.source.qualified()
    );
    let rows = c
        .query(&sql, &[])
        .map_err(|e| DbError::from_pg(&e, "Reading versions"))?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}
