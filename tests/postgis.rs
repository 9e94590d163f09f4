//! PostGIS layers against a real PostgreSQL 15 + PostGIS 3 server: lossless import and export,
//! conflicts instead of overwrites, 8 concurrent writers with no lost update, the server going
//! away and coming back, and notifications of other editors' saves.

mod support {
    pub mod data;
    pub mod pg;
}

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use corridor::db::listen::{Reply, Request, Worker, versions};
use corridor::db::rows::{Filter, fetch, read_rows, row_key};
use corridor::db::save::{Outcome, Pending, save};
use corridor::db::table::describe;
use corridor::db::transfer::{export, import};
use corridor::db::{PgSource, Row};
use serde_json::{Value, json};
use support::pg;

fn read(path: &Path) -> corridor::model::Layer {
    let parsed = corridor::io::read_geojson(path).unwrap_or_else(|e| panic!("{e}"));
    parsed.into_layer("t".into(), path.to_owned(), Default::default())
}

/// The file's JSON with numbers compared by value, features with their keys in any order.
fn json_of(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("postgis")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every bundled layer, every file of `../shared/data/real`, and a file made to carry what is
/// easy to lose (Z, mixed and nested values, nulls, missing keys, numeric ids, no ids, foreign
/// members, tiny and huge numbers) goes into a table and comes back equal.
#[test]
fn import_then_export_gives_back_every_file() {
    let schema = pg::schema("roundtrip");
    let dir = scratch("roundtrip");
    let tricky = dir.join("tricky.geojson");
    std::fs::write(
        &tricky,
        json!({
            "type": "FeatureCollection",
            "name": "tricky",
            "bbox": [0, -1e-20, 107, 12],
            "features": [
                {"type": "Feature", "id": 7, "properties": {"n": 1, "x": 0.1, "s": "Tân Uyên", "b": true,
                  "nested": {"a": [1, 2, {"b": null}]}, "mixed": 1, "gone": null},
                 "geometry": {"type": "Point", "coordinates": [106.65820000000001, 1e-20, 12.5]}},
                {"type": "Feature", "id": 8, "properties": {"x": 2, "mixed": "two", "n": 123456789012345678i64},
                 "geometry": {"type": "Polygon", "coordinates": [[[106.6, 11.0, 1], [106.7, 11.0, 2], [106.7, 11.1, 3], [106.6, 11.0, 1]]]},
                 "title": "a foreign member", "bbox": [106.6, 11.0, 106.7, 11.1]},
                {"type": "Feature", "properties": null, "geometry": null},
                {"type": "Feature", "id": "s-1", "properties": {"s": null, "n": -0.0},
                 "geometry": {"type": "GeometryCollection", "geometries": [
                    {"type": "LineString", "coordinates": [[1e-300, 2], [3, 4]]},
                    {"type": "MultiPoint", "coordinates": [[5, 6]]}]}}
            ]
        })
        .to_string(),
    )
    .unwrap();
    let mut files = vec![tricky];
    for name in ["axis", "localities", "new-city", "places", "sti-park"] {
        files.push(Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("maps/{name}.geojson")));
    }
    support::data::geojson_files(&support::data::shared_data().join("real"), &mut files);
    assert!(files.len() > 40, "the shared data is missing: {files:?}");
    let mut c = pg::client();
    let mut features = 0;
    for (i, file) in files.iter().enumerate() {
        let source = PgSource::new(&pg::url(), &format!("{schema}.t{i}")).unwrap();
        let layer = read(file);
        features += layer.features().len();
        import(&mut c, &layer, &source, false)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let back = export(&mut c, &source).unwrap();
        let out = dir.join(format!("t{i}.geojson"));
        corridor::io::save_geojson(&back, &out).unwrap();
        if let Some(d) = support::data::difference(&json_of(file), &json_of(&out), "") {
            panic!("{} changed on the way through PostGIS: {d}", file.display());
        }
    }
    println!(
        "{} files, {features} features: all came back equal",
        files.len()
    );
    // Importing over an existing table is refused without --replace.
    let source = PgSource::new(&pg::url(), &format!("{schema}.t0")).unwrap();
    let e = import(&mut c, &read(&files[0]), &source, false).unwrap_err();
    assert!(e.to_string().contains("exists already"), "{e}");
}

/// The command line does the same, and says what it did.
#[test]
fn db_import_and_export_commands() {
    let _ = pg::schema("cli");
    let dir = scratch("cli");
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("maps/sti-park.geojson");
    let out = dir.join("out.geojson");
    let bin = env!("CARGO_BIN_EXE_corridor");
    let run = |args: &[&str]| {
        let o = std::process::Command::new(bin).args(args).output().unwrap();
        (
            o.status.success(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let url = pg::url();
    let input_s = input.to_str().unwrap();
    let (ok, stdout, stderr) = run(&["db", "import", input_s, "--db", &url, "--table", "cli.park"]);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("imported") && stdout.contains("cli.park"),
        "{stdout}"
    );
    let (ok, _, stderr) = run(&["db", "import", input_s, "--db", &url, "--table", "cli.park"]);
    assert!(!ok && stderr.contains("exists already"), "{stderr}");
    let (ok, stdout, stderr) = run(&[
        "db",
        "export",
        "--db",
        &url,
        "--table",
        "cli.park",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("exported"), "{stdout}");
    assert_eq!(
        support::data::difference(&json_of(&input), &json_of(&out), ""),
        None
    );
    // A password in the URL is refused before anything is sent.
    let (ok, _, stderr) = run(&[
        "db",
        "export",
        "--db",
        "postgres://u:secret@127.0.0.1:1/x",
        "--table",
        "t",
        "--out",
        "/tmp/x.geojson",
    ]);
    assert!(!ok && stderr.contains("password"), "{stderr}");
}

/// A small table of zones to edit, from the bundled sub-areas.
fn zones(schema: &str) -> (PgSource, corridor::db::TableInfo) {
    let mut c = pg::client();
    let source = PgSource::new(&pg::url(), &format!("{schema}.zones")).unwrap();
    let layer = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("maps/localities.geojson"));
    import(&mut c, &layer, &source, true).unwrap();
    let info = describe(&mut c, &source).unwrap();
    (source, info)
}

fn all_rows(c: &mut postgres::Client, info: &corridor::db::TableInfo) -> Vec<Row> {
    let mut out = Vec::new();
    read_rows(c, info, Filter::All, |r| {
        out.push(r);
        true
    })
    .unwrap();
    out
}

/// Writing `mine` over the row as read.
fn update(r: &Row, mine: geojson::Feature) -> Pending {
    Pending {
        key: Some(r.key.clone()),
        base: Some(r.version.clone()),
        mine: Some(mine),
    }
}

/// Deleting the row as read.
fn delete(r: &Row) -> Pending {
    Pending {
        key: Some(r.key.clone()),
        base: Some(r.version.clone()),
        mine: None,
    }
}

fn with_property(r: &Row, key: &str, value: Value) -> geojson::Feature {
    let mut f = r.record.clone();
    f.properties
        .get_or_insert_with(Default::default)
        .insert(key.to_owned(), value);
    f
}

/// Two editors read the same zone; the first save wins, the second is a conflict with the row as
/// it is now, and nothing of the second is written until its editor decides.
#[test]
fn the_second_save_of_a_feature_is_a_conflict_not_an_overwrite() {
    let schema = pg::schema("conflict");
    let (_, info) = zones(&schema);
    let mut a = pg::client();
    let mut b = pg::client();
    let rows_a = all_rows(&mut a, &info);
    let rows_b = all_rows(&mut b, &info);
    let (ra, rb) = (&rows_a[0], &rows_b[0]);
    assert_eq!(ra.version, rb.version);
    // A renames it and saves.
    let mine_a = with_property(ra, "name", json!("A's name"));
    let out = save(&mut a, &info, &[update(ra, mine_a.clone())]).unwrap();
    let Outcome::Written { version: va, .. } = &out[0] else {
        panic!("{out:?}")
    };
    assert_ne!(va, &ra.version);
    // B, still on the old version, moves it: a conflict showing A's row.
    let mine_b = with_property(rb, "name", json!("B's name"));
    let out = save(&mut b, &info, &[update(rb, mine_b.clone())]).unwrap();
    let Outcome::Conflict {
        theirs: Some(theirs),
    } = &out[0]
    else {
        panic!("{out:?}")
    };
    assert_eq!(theirs.version, *va);
    assert_eq!(
        theirs.record.properties.as_ref().unwrap()["name"],
        json!("A's name")
    );
    let now = fetch(&mut a, &info, std::slice::from_ref(&ra.key)).unwrap();
    assert_eq!(
        now[0].record.properties.as_ref().unwrap()["name"],
        json!("A's name"),
        "B overwrote A"
    );

    // "Take theirs": B writes nothing; the row stays A's.
    let now = fetch(&mut b, &info, std::slice::from_ref(&rb.key)).unwrap();
    assert_eq!(now[0], **theirs);

    // "Keep mine": B saves again on top of A's version, knowingly.
    let out = save(
        &mut b,
        &info,
        &[Pending {
            key: Some(rb.key.clone()),
            base: Some(theirs.version.clone()),
            mine: Some(mine_b.clone()),
        }],
    )
    .unwrap();
    assert!(matches!(out[0], Outcome::Written { .. }), "{out:?}");
    let now = fetch(&mut a, &info, std::slice::from_ref(&ra.key)).unwrap();
    assert_eq!(
        now[0].record.properties.as_ref().unwrap()["name"],
        json!("B's name")
    );

    // A deletes a zone B is editing: B's save is a conflict whose other side is "deleted".
    let r2a = &rows_a[1];
    let r2b = &rows_b[1];
    let out = save(&mut a, &info, &[delete(r2a)]).unwrap();
    assert_eq!(out[0], Outcome::Deleted);
    let out = save(
        &mut b,
        &info,
        &[update(r2b, with_property(r2b, "name", json!("x")))],
    )
    .unwrap();
    assert_eq!(out[0], Outcome::Conflict { theirs: None });
    // And a delete of a row someone changed is a conflict too.
    let r3 = &rows_b[2];
    save(
        &mut a,
        &info,
        &[update(r3, with_property(r3, "name", json!("y")))],
    )
    .unwrap();
    let out = save(&mut b, &info, &[delete(r3)]).unwrap();
    assert!(
        matches!(&out[0], Outcome::Conflict { theirs: Some(_) }),
        "{out:?}"
    );
    // One transaction: a conflict does not stop the other rows of the same save.
    let rows = all_rows(&mut b, &info);
    let stale = &rows_b[3];
    let fresh = rows.iter().find(|r| r.key == rows_b[4].key).unwrap();
    save(
        &mut a,
        &info,
        &[update(
            stale,
            with_property(stale, "name", json!("A again")),
        )],
    )
    .unwrap();
    let out = save(
        &mut b,
        &info,
        &[
            update(stale, with_property(stale, "name", json!("B stale"))),
            update(fresh, with_property(fresh, "name", json!("B fresh"))),
            Pending {
                key: None,
                base: None,
                mine: Some(with_property(fresh, "name", json!("B new"))),
            },
        ],
    )
    .unwrap();
    assert!(matches!(out[0], Outcome::Conflict { .. }));
    assert!(matches!(out[1], Outcome::Written { .. }));
    let Outcome::Written { key: new_key, .. } = &out[2] else {
        panic!("{out:?}")
    };
    assert!(
        !rows.iter().any(|r| &r.key == new_key),
        "a new row gets a new key"
    );
}

/// Tables made by other programs: the version is the row's `xmin`, properties are its columns
/// and a `jsonb` column's keys.
#[test]
fn a_table_made_elsewhere_is_versioned_by_xmin_and_its_jsonb_shown_as_keys() {
    let schema = pg::schema("foreign_table");
    let mut c = pg::client();
    c.batch_execute(&format!(
        "create table {schema}.parcels (gid serial primary key, code varchar(10), area numeric(10,2),
           props jsonb, geom geometry(Polygon, 4326));
         insert into {schema}.parcels (code, area, props, geom) values
           ('P-1', 12.50, '{{\"owner\": \"Bình\", \"use\": \"industrial\"}}',
            ST_GeomFromText('POLYGON((106.6 11, 106.7 11, 106.7 11.1, 106.6 11))', 4326));"
    ))
    .unwrap();
    let source = PgSource::new(&pg::url(), &format!("{schema}.parcels")).unwrap();
    let info = describe(&mut c, &source).unwrap();
    assert_eq!(info.versioning, corridor::db::table::Versioning::Xmin);
    assert_eq!(info.bag.as_deref(), Some("props"));
    let rows = all_rows(&mut c, &info);
    let p = rows[0].record.properties.as_ref().unwrap();
    assert_eq!(p["code"], json!("P-1"));
    assert_eq!(p["area"], json!(12.5));
    assert_eq!(p["owner"], json!("Bình"));
    assert_eq!(
        rows[0].record.id,
        Some(geojson::feature::Id::Number(1.into()))
    );
    // Editing a key of the jsonb column writes it back there.
    let mine = with_property(&rows[0], "owner", json!("An"));
    let out = save(&mut c, &info, &[update(&rows[0], mine.clone())]).unwrap();
    assert!(matches!(out[0], Outcome::Written { .. }), "{out:?}");
    let owner: String = c
        .query_one(
            &format!("select props->>'owner' from {schema}.parcels"),
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(owner, "An");
    // A stale xmin is a conflict too.
    let out = save(&mut c, &info, &[update(&rows[0], mine)]).unwrap();
    assert!(matches!(out[0], Outcome::Conflict { .. }), "{out:?}");
    // A property the table has no column for is refused with its name, not dropped.
    let rows = all_rows(&mut c, &info);
    let mut bad = rows[0].record.clone();
    let mut plain = info.clone();
    plain.bag = None;
    plain.columns.retain(|col| col.name != "props");
    bad.properties
        .as_mut()
        .unwrap()
        .insert("colour".into(), json!("red"));
    let e = save(&mut c, &plain, &[update(&rows[0], bad)]).unwrap_err();
    assert!(e.to_string().contains("has no column"), "{e}");
}

/// Eight writers, each with its own connection, make 500 edits each to 12 shared zones: read,
/// append a token to the zone's `edits` list, save with the version read. Every token a writer
/// saw committed must be in the table at the end; the others must have come back as conflicts.
/// The same run without versions (a naive client) is measured too, to show what is at stake.
#[test]
fn eight_writers_500_edits_each_lose_no_update() {
    const WRITERS: usize = 8;
    const EDITS: usize = 500;
    const ZONES: usize = 12;
    let schema = pg::schema("load");
    let mut c = pg::client();
    let source = PgSource::new(&pg::url(), &format!("{schema}.zones")).unwrap();
    let layer = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("maps/new-city.geojson"));
    let template = layer.features()[0].record().into_owned();
    let features = (0..ZONES)
        .map(|i| {
            let mut r = template.clone();
            r.id = Some(geojson::feature::Id::String(format!("z{i}")));
            r.properties
                .get_or_insert_with(Default::default)
                .insert("edits".into(), json!([]));
            corridor::model::Feature::from_record(r)
        })
        .collect();
    let layer = corridor::model::Layer::new(
        layer.name.clone(),
        layer.source.clone(),
        layer.style.clone(),
        features,
        Vec::new(),
    );
    import(&mut c, &layer, &source, true).unwrap();
    let info = describe(&mut c, &source).unwrap();
    let keys: Vec<String> = all_rows(&mut c, &info).into_iter().map(|r| r.key).collect();

    let run = |versioned: bool| {
        let committed = Arc::new(std::sync::Mutex::new(Vec::<(String, String)>::new()));
        let conflicts = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        std::thread::scope(|s| {
            for w in 0..WRITERS {
                let (info, keys, committed, conflicts) =
                    (&info, &keys, committed.clone(), conflicts.clone());
                s.spawn(move || {
                    let mut c = pg::client();
                    for e in 0..EDITS {
                        // Overlapping: every writer walks the same zones in a different order.
                        let key = &keys[(e * 7 + w * 5) % keys.len()];
                        let row = fetch(&mut c, info, std::slice::from_ref(key))
                            .unwrap()
                            .remove(0);
                        let token = format!("w{w}e{e}");
                        let mut edits = row.record.properties.as_ref().unwrap()["edits"]
                            .as_array()
                            .unwrap()
                            .clone();
                        edits.push(json!(token));
                        let mine = with_property(&row, "edits", Value::Array(edits));
                        let base = if versioned {
                            Some(row.version.clone())
                        } else {
                            corridor::db::rows::version_of(&mut c, info, key).unwrap()
                        };
                        match save(
                            &mut c,
                            info,
                            &[Pending {
                                key: Some(key.clone()),
                                base,
                                mine: Some(mine),
                            }],
                        )
                        .unwrap()
                        .remove(0)
                        {
                            Outcome::Written { .. } => {
                                committed.lock().unwrap().push((key.clone(), token))
                            }
                            Outcome::Conflict { .. } => {
                                conflicts.fetch_add(1, Ordering::Relaxed);
                            }
                            Outcome::Deleted => unreachable!(),
                        }
                    }
                });
            }
        });
        let seconds = started.elapsed().as_secs_f64();
        let mut c = pg::client();
        let present: HashSet<(String, String)> = all_rows(&mut c, &info)
            .into_iter()
            .flat_map(|r| {
                let key = r.key.clone();
                r.record.properties.unwrap()["edits"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| (key.clone(), t.as_str().unwrap().to_owned()))
                    .collect::<Vec<_>>()
            })
            .collect();
        let committed = committed.lock().unwrap().clone();
        let lost = committed.iter().filter(|t| !present.contains(t)).count();
        (
            committed.len(),
            conflicts.load(Ordering::Relaxed),
            lost,
            seconds,
        )
    };

    let (ok, conflicts, lost, seconds) = run(true);
    println!(
        "versioned: {WRITERS} writers × {EDITS} edits on {ZONES} zones: {ok} committed, {conflicts} conflicts, \
         {lost} lost updates, {seconds:.2} s, {:.0} saves/s",
        (WRITERS * EDITS) as f64 / seconds
    );
    assert_eq!(
        ok + conflicts,
        WRITERS * EDITS,
        "every save is committed or a conflict"
    );
    assert_eq!(lost, 0, "a committed edit went missing");
    assert!(ok > 0 && conflicts > 0, "the writers did overlap");

    // Reset and run the naive client: it reads the version just before writing, as a client
    // without versions effectively does, so it overwrites what others saved in between.
    let rows = all_rows(&mut c, &info);
    let reset: Vec<Pending> = rows
        .iter()
        .map(|r| update(r, with_property(r, "edits", json!([]))))
        .collect();
    save(&mut c, &info, &reset).unwrap();
    let (ok, conflicts, lost, seconds) = run(false);
    assert_eq!(ok + conflicts, WRITERS * EDITS);
    println!("naive: {ok} committed, {conflicts} conflicts, {lost} lost updates, {seconds:.2} s");
    // The comparison means something only if the same load makes a client without versions
    // lose what others saved.
    assert!(
        lost > 0,
        "under the same load the naive client lost nothing: the writers did not overlap"
    );
}

fn wait_for(worker: &Worker, within: Duration, mut want: impl FnMut(&Reply) -> bool) -> Reply {
    let until = Instant::now() + within;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        match worker.rx.recv_timeout(left) {
            Ok(r) if want(&r) => return r,
            Ok(other) => eprintln!("(while waiting: {other:?})"),
            Err(e) => panic!("no such reply within {within:?}: {e}"),
        }
    }
}

/// Another client's save reaches a layer's worker as a notification, well within a second.
#[test]
fn another_clients_save_is_heard_within_a_second() {
    let schema = pg::schema("notify");
    let (_, info) = zones(&schema);
    let worker = Worker::start(info.clone(), None, || {});
    // Let it connect and listen.
    std::thread::sleep(Duration::from_millis(500));
    let mut other = pg::client();
    let rows = all_rows(&mut other, &info);
    let mut worst = Duration::ZERO;
    for r in rows.iter().take(5) {
        let sent = Instant::now();
        save(
            &mut other,
            &info,
            &[update(r, with_property(r, "name", json!("changed")))],
        )
        .unwrap();
        let reply = wait_for(&worker, Duration::from_secs(1), |r| {
            matches!(r, Reply::Changed(_))
        });
        worst = worst.max(sent.elapsed());
        let Reply::Changed(keys) = reply else {
            unreachable!()
        };
        assert_eq!(keys, vec![r.key.clone()]);
    }
    println!(
        "notification latency, worst of 5: {:.0} ms",
        worst.as_secs_f64() * 1000.0
    );
    // A row changed by a plain UPDATE (as QGIS would) raises the version too.
    let before = versions(&mut other, &info).unwrap();
    other
        .batch_execute(&format!("update {schema}.zones set name = 'by hand'"))
        .unwrap();
    let after: HashMap<String, String> = versions(&mut other, &info).unwrap().into_iter().collect();
    for (k, v) in before {
        assert_ne!(after[&k], v, "the version trigger did not raise {k}");
    }
    assert!(worker.send(Request::Fetch(vec![rows[0].key.clone()])));
    let Reply::Rows(got, gone) = wait_for(&worker, Duration::from_secs(2), |r| {
        matches!(r, Reply::Rows(..))
    }) else {
        unreachable!()
    };
    assert!(gone.is_empty());
    assert_eq!(
        got[0].record.properties.as_ref().unwrap()["name"],
        json!("by hand")
    );
    // The row's key rides beside the record, never inside it.
    assert_eq!(got[0].key, rows[0].key);
    assert!(row_key(&got[0].record).is_none());
}

/// The server stops in the middle of a session: the save fails as "connection lost", the
/// worker says so, and once the server is back it reconnects and the same save goes through.
#[test]
fn edits_saved_while_the_server_is_down_arrive_when_it_returns() {
    const PORT: u16 = 25431;
    let url = pg::start(PORT);
    let mut c = corridor::db::connect(&url, None).unwrap();
    c.batch_execute("drop schema if exists drop_test cascade; create schema drop_test;")
        .unwrap();
    let source = PgSource::new(&url, "drop_test.zones").unwrap();
    let layer = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("maps/new-city.geojson"));
    import(&mut c, &layer, &source, true).unwrap();
    let info = describe(&mut c, &source).unwrap();
    let rows = all_rows(&mut c, &info);
    drop(c);
    let worker = Worker::start(info.clone(), None, || {});
    std::thread::sleep(Duration::from_millis(300));
    pg::stop(PORT);
    let edit = update(
        &rows[0],
        with_property(&rows[0], "name", json!("saved after the outage")),
    );
    assert!(worker.send(Request::Save(1, vec![edit.clone()])));
    let reply = wait_for(&worker, Duration::from_secs(10), |r| {
        matches!(r, Reply::SaveFailed(..))
    });
    let Reply::SaveFailed(1, e) = reply else {
        unreachable!()
    };
    assert!(e.is_connection(), "{e}");
    pg::start(PORT);
    let down_at = Instant::now();
    wait_for(&worker, Duration::from_secs(15), |r| {
        matches!(r, Reply::Reconnected)
    });
    println!(
        "reconnected {:.1} s after the server came back",
        down_at.elapsed().as_secs_f64()
    );
    assert!(worker.send(Request::Save(2, vec![edit])));
    let reply = wait_for(&worker, Duration::from_secs(10), |r| {
        matches!(r, Reply::Saved(..) | Reply::SaveFailed(..))
    });
    assert!(
        matches!(&reply, Reply::Saved(2, o) if matches!(o[0], Outcome::Written { .. })),
        "{reply:?}"
    );
    let mut c = corridor::db::connect(&url, None).unwrap();
    let now = fetch(&mut c, &info, std::slice::from_ref(&rows[0].key)).unwrap();
    assert_eq!(
        now[0].record.properties.as_ref().unwrap()["name"],
        json!("saved after the outage")
    );
}

/// A large table is read in two parts: the rows in view first, by the spatial index, shown at
/// once; then the rest. Progress counts rows.
#[test]
fn a_large_table_is_read_in_view_first_then_the_rest() {
    use corridor::loader::{LoadJob, LoadResult, VIEW_FIRST_ABOVE};
    let schema = pg::schema("large");
    let mut c = pg::client();
    // 160 × 160 points over the corridor, made by the server.
    c.batch_execute(&format!(
        "create table {schema}.points (gid serial primary key, name text, geom geometry(Point, 4326));
         create index on {schema}.points using gist (geom);
         insert into {schema}.points (name, geom)
           select 'p' || i || '-' || j, ST_SetSRID(ST_MakePoint(106.4 + i * 0.005, 10.8 + j * 0.005), 4326)
           from generate_series(0, 159) i, generate_series(0, 159) j;"
    ))
    .unwrap();
    let total = 160 * 160;
    assert!(total > VIEW_FIRST_ABOVE);
    let view = [106.6, 11.0, 106.7, 11.1];
    let inside: i64 = c
        .query_one(
            &format!("select count(*) from {schema}.points where geom && ST_MakeEnvelope(106.6, 11.0, 106.7, 11.1, 4326)"),
            &[],
        )
        .unwrap()
        .get(0);
    let source = PgSource::new(&pg::url(), &format!("{schema}.points")).unwrap();
    let started = Instant::now();
    let job = LoadJob::start_table(
        source,
        None,
        Default::default(),
        (Some(view), Default::default()),
        || {},
    );
    let poll = |job: &LoadJob| loop {
        if let Some(r) = job.poll() {
            return r;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the table did not load"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    let LoadResult::Table(first) = poll(&job) else {
        panic!("no first part")
    };
    let first_s = started.elapsed().as_secs_f64();
    assert!(first.more_follows);
    assert_eq!(first.layer.features().len() as i64, inside);
    assert!(job.progress() < 1.0);
    let LoadResult::MoreRows(rest) = poll(&job) else {
        panic!("no rest")
    };
    assert_eq!(first.layer.features().len() + rest.len(), total as usize);
    assert!((job.progress() - 1.0).abs() < 1e-6);
    println!(
        "{total} rows: {inside} in view shown after {first_s:.2} s, the rest after {:.2} s",
        started.elapsed().as_secs_f64()
    );
}

/// A table never analysed has no row estimate (`reltuples` is -1): its rows are counted, so
/// that a large one is still read by windows, not whole.
#[test]
fn a_table_never_analysed_is_counted() {
    let schema = pg::schema("never_analysed");
    let mut c = pg::client();
    c.batch_execute(&format!(
        "create table {schema}.t (id serial primary key, geom geometry(Point, 4326))
           with (autovacuum_enabled = false);
         insert into {schema}.t (geom)
           select ST_SetSRID(ST_MakePoint(106.6 + i * 0.001, 11.0), 4326)
           from generate_series(1, 500) i;"
    ))
    .unwrap();
    let source = PgSource::new(&pg::url(), &format!("{schema}.t")).unwrap();
    let info = describe(&mut c, &source).unwrap();
    assert_eq!(
        corridor::db::window::estimated_rows(&mut c, &info).unwrap(),
        500
    );
}
