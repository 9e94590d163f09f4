//! Where a PostGIS layer lives and how to reach it: a `postgres://` URL without a password, a
//! table, and the password from `PGPASSWORD`, the password file or the user.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// How long a connection attempt may take before the app says the server cannot be reached.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// What went wrong talking to the database, sorted by what the user can do about it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DbError {
    /// The server wants a password and none was found: ask the user.
    #[error("{0}: the server asks for a password")]
    NeedPassword(String),
    /// The server refused the password given: ask again.
    #[error("{0}: the password was refused")]
    PasswordRefused(String),
    /// The server cannot be reached or the connection dropped: edits wait for it to return.
    #[error("{0}")]
    Connection(String),
    /// Anything else the server or the data refused, with its message.
    #[error("{0}")]
    Other(String),
}

/// An error's message with its causes ("error connecting to server: Connection refused").
fn full_message(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(&format!(": {more}"));
        }
        source = s.source();
    }
    text
}

impl DbError {
    /// Sorts a client error: lost connections apart from refusals.
    pub fn from_pg(e: &postgres::Error, what: &str) -> Self {
        if is_connection_error(e) {
            return DbError::Connection(format!(
                "{what}: the connection to the database was lost ({})",
                full_message(e)
            ));
        }
        if let Some(db) = e.as_db_error() {
            if db.code() == &postgres::error::SqlState::INVALID_PASSWORD {
                return DbError::PasswordRefused(what.to_owned());
            }
            let mut text = format!("{what}: {}", db.message());
            if let Some(detail) = db.detail() {
                text.push_str(&format!(" ({detail})"));
            }
            return DbError::Other(text);
        }
        DbError::Other(format!("{what}: {}", full_message(e)))
    }

    pub fn is_connection(&self) -> bool {
        matches!(self, DbError::Connection(_))
    }
}

/// Whether an error means the server went away (not that it refused a statement).
pub fn is_connection_error(e: &postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        // Class 08: connection exceptions; 57P01–03: the server is shutting down or starting.
        return code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03");
    }
    // No server answer at all: an I/O error or a timeout on the way.
    use std::error::Error;
    let mut source = e.source();
    while let Some(s) = source {
        if s.is::<std::io::Error>() {
            return true;
        }
        source = s.source();
    }
    false
}

/// A table (or view) in a PostGIS database, as a project names it (the type lives in `model`,
/// which names sources; what needs a server is here).
pub use crate::model::TableSource as PgSource;
pub use crate::model::source::is_postgres_url;

impl PgSource {
    /// A source from a URL and a table name (`name` or `schema.name`), the URL checked as the
    /// PostgreSQL client reads it. A password in the URL is refused: it would end up in the
    /// project file.
    pub fn new(url: &str, table: &str) -> Result<Self, DbError> {
        postgres::Config::from_str(url.trim())
            .map_err(|e| DbError::Other(format!("{url}: not a PostgreSQL URL ({e})")))?;
        Self::parse(url, table).map_err(|e| DbError::Other(e.to_string()))
    }

    /// `schema.table`, quoted for SQL.
    pub fn qualified(&self) -> String {
        format!("{}.{}", quote_ident(&self.schema), quote_ident(&self.table))
    }
}

/// An identifier quoted for SQL.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Connects to `url`, with `password` if given, else `PGPASSWORD`, else the password file
/// (`PGPASSFILE` or `~/.pgpass`). A server that asks for a password none of these gave is
/// [`DbError::NeedPassword`].
pub fn connect(url: &str, password: Option<&str>) -> Result<postgres::Client, DbError> {
    let mut config = postgres::Config::from_str(url)
        .map_err(|e| DbError::Other(format!("{url}: not a PostgreSQL URL ({e})")))?;
    config.connect_timeout(CONNECT_TIMEOUT);
    if config.get_application_name().is_none() {
        config.application_name("corridor");
    }
    let found = password
        .map(str::to_owned)
        .or_else(|| std::env::var("PGPASSWORD").ok().filter(|p| !p.is_empty()))
        .or_else(|| pgpass_password(&config));
    if let Some(p) = &found {
        config.password(p);
    }
    config.connect(postgres::NoTls).map_err(|e| {
        // The client says "invalid configuration", with the reason as its source.
        let text = full_message(&e);
        if found.is_none() && text.contains("password missing") {
            DbError::NeedPassword(url.to_owned())
        } else if is_connection_error(&e) {
            DbError::Connection(format!("Cannot reach the server of {url}: {text}"))
        } else {
            let what = format!("Connecting to {url}");
            DbError::from_pg(&e, &what)
        }
    })
}

/// The password `~/.pgpass` (or `PGPASSFILE`) gives for this connection, as libpq reads it.
fn pgpass_password(config: &postgres::Config) -> Option<String> {
    let path = std::env::var_os("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| directories::BaseDirs::new().map(|d| d.home_dir().join(".pgpass")))?;
    let text = std::fs::read_to_string(path).ok()?;
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        Some(postgres::config::Host::Unix(_)) | None => "localhost".to_owned(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let user = config
        .get_user()
        .map(str::to_owned)
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_default();
    let db = config
        .get_dbname()
        .map(str::to_owned)
        .unwrap_or_else(|| user.clone());
    pgpass_lookup(&text, &host, &port, &db, &user)
}

/// The first line of a password file matching `host:port:database:user` (`*` matches anything,
/// `\:` and `\\` are escapes), as libpq does.
pub fn pgpass_lookup(text: &str, host: &str, port: &str, db: &str, user: &str) -> Option<String> {
    for line in text.lines() {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    if let Some(n) = chars.next() {
                        field.push(n);
                    }
                }
                ':' if fields.len() < 4 => fields.push(std::mem::take(&mut field)),
                c => field.push(c),
            }
        }
        fields.push(field);
        if fields.len() != 5 {
            continue;
        }
        let matches = |pattern: &str, value: &str| pattern == "*" || pattern == value;
        let host_matches = matches(&fields[0], host)
            || (fields[0] == "localhost" && (host == "127.0.0.1" || host == "::1"));
        if host_matches
            && matches(&fields[1], port)
            && matches(&fields[2], db)
            && matches(&fields[3], user)
        {
            return Some(fields[4].clone());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::source::split_table;

    #[test]
    fn tables_split_into_schema_and_name() {
        assert_eq!(
            split_table("zones").unwrap(),
            ("public".to_owned(), "zones".to_owned())
        );
        assert_eq!(
            split_table("plan.zones").unwrap(),
            ("plan".to_owned(), "zones".to_owned())
        );
        assert_eq!(
            split_table("\"my.plan\".\"Zones \"\"A\"\"\"").unwrap(),
            ("my.plan".to_owned(), "Zones \"A\"".to_owned())
        );
        assert!(split_table("  ").is_err());
    }

    #[test]
    fn a_password_in_the_url_is_refused() {
        let e = PgSource::new("postgres://me:secret@db/plan", "zones").unwrap_err();
        assert!(e.to_string().contains("password"), "{e}");
        let s = PgSource::new("postgres://me@db:5433/plan", "plan.zones").unwrap();
        assert_eq!(
            s.key(),
            std::path::Path::new("postgres://me@db:5433/plan#plan.zones")
        );
        assert_eq!(s.describe(), "plan.zones on db/plan");
    }

    #[test]
    fn pgpass_lines_match_as_libpq_reads_them() {
        let file = "# comment\n\
                    other:5432:*:*:no\n\
                    db.example:5432:plan:anh:p\\:w\\\\d\n\
                    *:*:*:*:fallback\n";
        assert_eq!(
            pgpass_lookup(file, "db.example", "5432", "plan", "anh").as_deref(),
            Some("p:w\\d")
        );
        assert_eq!(
            pgpass_lookup(file, "elsewhere", "1", "x", "y").as_deref(),
            Some("fallback")
        );
        assert_eq!(
            pgpass_lookup("localhost:5432:*:*:loop\n", "127.0.0.1", "5432", "d", "u").as_deref(),
            Some("loop")
        );
        assert_eq!(pgpass_lookup("a:b:c\n", "a", "b", "c", "d"), None);
    }
}
