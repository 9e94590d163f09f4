//! PostGIS layers in the real app, driven as a user drives it (egui_kittest), against a real
//! PostgreSQL + PostGIS server: a project names a table; the user drags a vertex and saves; a
//! second client saves the same zone first, so the save is a conflict, resolved by "Keep mine"
//! and by "Take theirs" from the conflicts window; another client's save appears by itself;
//! the server stops mid-session and the saved edits arrive once it is back; and a table is added
//! from "Add PostGIS layer…".

mod support {
    pub mod app;
    pub mod pg;
}

use std::path::Path;
use std::time::{Duration, Instant};

use corridor::CorridorApp;
use corridor::db::rows::fetch;
use corridor::db::save::{Pending, save};
use corridor::db::table::describe;
use corridor::db::transfer::import;
use corridor::db::{PgSource, TableInfo};
use corridor::model::edit::parts;
use egui::{Key, Modifiers, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use serde_json::json;
use support::app::{click, drag, open_project, request_close, screen};
use support::pg;

/// Tân Uyên within the localities.
const TAN_UYEN: usize = 3;

/// Imports the bundled localities into `schema.zones` on `url`.
fn table(url: &str, schema: &str) -> (PgSource, TableInfo) {
    let mut c = corridor::db::connect(url, None).unwrap();
    c.batch_execute(&format!(
        "drop schema if exists {schema} cascade; create schema {schema};"
    ))
    .unwrap();
    let source = PgSource::new(url, &format!("{schema}.zones")).unwrap();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("maps/localities.geojson");
    let layer =
        corridor::io::read_geojson(&file)
            .unwrap()
            .into_layer("l".into(), file, Default::default());
    import(&mut c, &layer, &source, true).unwrap();
    let info = describe(&mut c, &source).unwrap();
    (source, info)
}

/// A project with one layer, the table (no basemap: the tests are offline).
fn project(dir: &Path, source: Option<&PgSource>) {
    let layer = source.map_or(String::new(), |s| {
        format!(
            "[[layers]]\nname = \"Shared zones\"\npostgres = \"{}\"\ntable = \"{}.{}\"\nsubareas = true\n",
            s.url, s.schema, s.table
        )
    });
    std::fs::write(
        dir.join("corridor.toml"),
        format!(
            "title = \"Team editing\"\n[view]\ncenter = [106.695, 11.128]\nzoom = 10.9\n\
             [basemap]\nname = \"None\"\nurl = \"\"\n\n{layer}"
        ),
    )
    .unwrap();
}

/// Steps the app in real time until `done` holds (the database answers on other threads).
fn until(
    h: &mut Harness<'static, CorridorApp>,
    within: Duration,
    what: &str,
    done: impl Fn(&CorridorApp) -> bool,
) -> Duration {
    let start = Instant::now();
    while !done(h.state()) {
        assert!(start.elapsed() < within, "{what}: not within {within:?}");
        std::thread::sleep(Duration::from_millis(10));
        h.step();
    }
    h.run();
    start.elapsed()
}

fn open(dir: &Path, data: &Path) -> Harness<'static, CorridorApp> {
    let mut h = open_project(dir, data, vec2(1280.0, 900.0));
    until(&mut h, Duration::from_secs(20), "the table loaded", |a| {
        a.loading() == 0
            && a.doc
                .layers
                .first()
                .is_some_and(|l| !l.features().is_empty())
    });
    h
}

fn ring(h: &Harness<'static, CorridorApp>) -> Vec<[f64; 2]> {
    let f = &h.state().doc.layers[0].features()[TAN_UYEN];
    parts(&f.record_geometry().unwrap().value)[0].points.clone()
}

/// Selects Tân Uyên, enters edit mode and drags its eastern vertex 40 points east.
fn drag_vertex(h: &mut Harness<'static, CorridorApp>) -> Vec<[f64; 2]> {
    if h.state().editing_layer().is_none() {
        click(h, screen(h, [106.794, 11.088]));
        assert_eq!(
            h.state().selection().map(|r| r.feature.get() as usize),
            Some(TAN_UYEN)
        );
        h.key_press(Key::E);
        h.run();
    }
    let before = ring(h);
    // The easternmost vertex: the table may hand the ring back starting elsewhere.
    let east = (0..before.len())
        .max_by(|a, b| before[*a][0].total_cmp(&before[*b][0]))
        .expect("a ring");
    // Bring it to the middle of the map, clear of the panels, as a user would.
    let zoom = h.state().map.camera().zoom;
    let [lon, lat] = before[east];
    h.state_mut().map.jump_to(corridor::geometry::Camera {
        center: corridor::geometry::mercator_from_lonlat(lon, lat),
        zoom,
    });
    h.run();
    let from = screen(h, before[east]);
    drag(h, from, from + vec2(40.0, 0.0));
    let after = ring(h);
    assert!(after[east][0] > before[east][0], "the vertex did not move");
    assert!(h.state().doc.layers[0].is_dirty());
    after
}

fn save_keys(h: &mut Harness<'static, CorridorApp>) {
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    h.run();
}

fn key_of(h: &Harness<'static, CorridorApp>, i: usize) -> String {
    let r = h.state().doc.layers[0].ref_at(i).unwrap();
    h.state().row_key_of(r).unwrap()
}

/// The key of the table's first row (the smallest).
fn first_key(c: &mut postgres::Client, info: &TableInfo) -> String {
    corridor::db::listen::versions(c, info)
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .min_by_key(|k| k.parse::<i64>().unwrap_or(i64::MAX))
        .unwrap()
}

fn db_ring(
    c: &mut postgres::Client,
    info: &TableInfo,
    key: &str,
) -> (Vec<[f64; 2]>, serde_json::Value) {
    let row = fetch(c, info, &[key.to_owned()]).unwrap().remove(0);
    let ring = parts(&row.record.geometry.unwrap().value)[0].points.clone();
    (ring, row.record.properties.unwrap()["name"].clone())
}

/// Someone else renames the zone with `key` and saves.
fn other_renames(c: &mut postgres::Client, info: &TableInfo, key: &str, name: &str) {
    let row = fetch(c, info, &[key.to_owned()]).unwrap().remove(0);
    let mut mine = row.record.clone();
    mine.properties
        .as_mut()
        .unwrap()
        .insert("name".into(), json!(name));
    save(
        c,
        info,
        &[Pending {
            key: Some(row.key),
            base: Some(row.version),
            mine: Some(mine),
        }],
    )
    .unwrap();
}

#[test]
fn a_conflicting_save_is_shown_and_each_choice_ends_in_the_expected_row() {
    let url = pg::url();
    let (source, info) = table(&url, "app_conflict");
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    project(dir.path(), Some(&source));
    let mut h = open(dir.path(), data.path());
    assert!(h.state().is_db_layer(0));
    let key = key_of(&h, TAN_UYEN);
    let mut other = pg::client();
    let (original_ring, original_name) = db_ring(&mut other, &info, &key);

    // Round 1: we move a vertex; someone renames the zone and saves first; we save.
    let ours = drag_vertex(&mut h);
    other_renames(&mut other, &info, &key, "Renamed by Lan");
    save_keys(&mut h);
    until(&mut h, Duration::from_secs(10), "the conflict", |a| {
        !a.db_conflicts().is_empty()
    });
    h.get_by_label("Conflicts");
    h.get_by_label("You changed it; so did someone else.");
    // For looking at: the window, the banner, and theirs dashed in orange over ours.
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("postgis-conflict.png");
    h.render()
        .expect("render")
        .save(&shot)
        .expect("write the picture");
    let (ring_now, name_now) = db_ring(&mut other, &info, &key);
    assert_eq!(
        ring_now, original_ring,
        "nothing of ours may be written before the user decides"
    );
    assert_eq!(name_now, json!("Renamed by Lan"));
    assert!(h.state().doc.layers[0].is_dirty());
    // "Keep mine": our version is written over theirs, knowingly.
    h.get_by_label("Keep mine").click();
    h.run();
    until(&mut h, Duration::from_secs(10), "keep mine saved", |a| {
        !a.db_saving() && !a.doc.layers[0].is_dirty()
    });
    let (ring_now, name_now) = db_ring(&mut other, &info, &key);
    assert_eq!(ring_now, ours);
    assert_eq!(name_now, original_name);

    // Round 2: the same, but "Take theirs": their row stays, ours becomes theirs.
    drag_vertex(&mut h);
    other_renames(&mut other, &info, &key, "Renamed by Minh");
    let (theirs_ring, _) = db_ring(&mut other, &info, &key);
    save_keys(&mut h);
    until(
        &mut h,
        Duration::from_secs(10),
        "the second conflict",
        |a| !a.db_conflicts().is_empty(),
    );
    h.get_by_label("Take theirs").click();
    h.run();
    until(&mut h, Duration::from_secs(10), "took theirs", |a| {
        a.db_conflicts().is_empty() && !a.db_saving() && !a.doc.layers[0].is_dirty()
    });
    let (ring_now, name_now) = db_ring(&mut other, &info, &key);
    assert_eq!(ring_now, theirs_ring);
    assert_eq!(name_now, json!("Renamed by Minh"));
    assert_eq!(ring(&h), theirs_ring);
    assert_eq!(
        h.state().doc.layers[0].features()[TAN_UYEN]
            .property_text("name")
            .as_deref(),
        Some("Renamed by Minh")
    );
    // Taking theirs is an edit like any other: it can be undone.
    assert_eq!(
        h.state().doc.layers[0].history.undo_label(),
        Some("Take theirs")
    );
}

#[test]
fn another_editors_save_appears_within_a_second() {
    let url = pg::url();
    let (source, info) = table(&url, "app_notify");
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    project(dir.path(), Some(&source));
    let mut h = open(dir.path(), data.path());
    // Let the layer's connection start listening.
    until(&mut h, Duration::from_secs(5), "settled", |_| true);
    std::thread::sleep(Duration::from_millis(300));
    let mut other = pg::client();
    let mut worst = Duration::ZERO;
    for (i, name) in [(0, "Bến Cát (renamed)"), (TAN_UYEN, "Tân Uyên (renamed)")] {
        let key = key_of(&h, i);
        other_renames(&mut other, &info, &key, name);
        let took = until(
            &mut h,
            Duration::from_secs(1),
            "the other editor's save",
            |a| {
                a.doc.layers[0].features()[i]
                    .property_text("name")
                    .as_deref()
                    == Some(name)
            },
        );
        worst = worst.max(took);
        assert!(
            !h.state().doc.layers[0].is_dirty(),
            "a refresh is not an edit of ours"
        );
    }
    println!(
        "another editor's save appeared after {:.0} ms at worst",
        worst.as_secs_f64() * 1000.0
    );
    // A zone added by someone else appears too.
    let mut c = pg::client();
    let row = fetch(&mut c, &info, &[key_of(&h, 0)]).unwrap().remove(0);
    let mut fresh = row.record.clone();
    corridor::db::rows::strip_row(&mut fresh);
    fresh
        .properties
        .as_mut()
        .unwrap()
        .insert("name".into(), json!("Vùng mới"));
    save(
        &mut c,
        &info,
        &[Pending {
            key: None,
            base: None,
            mine: Some(fresh),
        }],
    )
    .unwrap();
    until(&mut h, Duration::from_secs(1), "the new zone", |a| {
        a.doc.layers[0].features().len() == 7
    });
}

#[test]
fn edits_saved_while_the_server_is_down_arrive_when_it_is_back() {
    const PORT: u16 = 25432;
    let url = pg::start(PORT);
    let (source, info) = table(&url, "app_drop");
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    project(dir.path(), Some(&source));
    let mut h = open(dir.path(), data.path());
    let key = key_of(&h, TAN_UYEN);
    pg::stop(PORT);
    let ours = drag_vertex(&mut h);
    save_keys(&mut h);
    until(&mut h, Duration::from_secs(15), "the banner", |a| {
        a.db_connection_lost()
    });
    h.get_by_label_contains("No connection to");
    h.get_by_label_contains("saved as soon as the connection returns");
    assert!(h.state().doc.layers[0].is_dirty());
    let journals: Vec<_> = std::fs::read_dir(data.path().join("recovery"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(journals.len(), 1, "the edit is in the recovery journal");
    pg::start(PORT);
    let took = until(
        &mut h,
        Duration::from_secs(20),
        "saved after the outage",
        |a| !a.db_connection_lost() && !a.doc.layers[0].is_dirty(),
    );
    println!(
        "saved {:.1} s after the server came back",
        took.as_secs_f64()
    );
    let mut c = corridor::db::connect(&url, None).unwrap();
    assert_eq!(db_ring(&mut c, &info, &key).0, ours);
    assert_eq!(
        std::fs::read_dir(data.path().join("recovery"))
            .unwrap()
            .count(),
        0,
        "journal removed once saved"
    );
}

#[test]
fn add_postgis_layer_connects_lists_tables_and_adds_one() {
    let url = pg::url();
    let (_, _) = table(&url, "aaa_add");
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    project(dir.path(), None);
    let mut h = open_project(dir.path(), data.path(), vec2(1280.0, 900.0));
    assert!(h.state().doc.layers.is_empty());
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Add PostGIS layer…").click();
    h.run();
    h.get_by_label("Database URL").click();
    h.run();
    h.get_by_label("Database URL").type_text(&url);
    h.run();
    h.get_by_label("Connect").click();
    h.run();
    let asked = |a: &CorridorApp| a.db.add.as_ref().is_some_and(|f| !f.is_busy());
    until(&mut h, Duration::from_secs(10), "the tables", asked);
    h.get_by_label_contains("aaa_add.zones").click();
    h.run();
    until(&mut h, Duration::from_secs(10), "the count", asked);
    h.get_by_label_contains("6 features; extent 106.");
    h.get_by_label("Add layer").click();
    h.run();
    until(&mut h, Duration::from_secs(20), "the added layer", |a| {
        a.loading() == 0 && a.doc.layers.len() == 1 && a.doc.layers[0].features().len() == 6
    });
    assert!(h.state().is_db_layer(0));
    // Saving the project names the table, without a password.
    h.state_mut().save_project_ui().expect("project saved");
    let text = std::fs::read_to_string(dir.path().join("corridor.toml")).unwrap();
    assert!(
        text.contains(&format!("postgres = \"{url}\""))
            && text.contains("table = \"aaa_add.zones\""),
        "{text}"
    );
}

/// Types `password` into the Database password window and presses Connect.
fn answer_password(h: &mut Harness<'static, CorridorApp>, password: &str) {
    h.get_by_label("Password").click();
    h.run();
    h.get_by_label("Password").type_text(password);
    h.run();
    h.get_by_label("Connect").click();
    h.run();
}

/// A table on a server that asks for a password (and none in PGPASSWORD or ~/.pgpass): the app
/// asks for it, reads the table with it, and never writes it to the project.
#[test]
fn a_project_table_behind_a_password_asks_for_it() {
    let admin = pg::url();
    let (_, _) = table(&admin, "pw_test");
    let url = admin.replace("postgres@", "corridor_pw@");
    let source = PgSource::new(&url, "pw_test.zones").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    project(dir.path(), Some(&source));
    let mut h = open_project(dir.path(), data.path(), vec2(1280.0, 900.0));
    until(&mut h, Duration::from_secs(10), "the question", |a| {
        a.db.password_prompt.is_some()
    });
    h.get_by_label("Database password");
    h.get_by_label_contains("The server asks for a password to read pw_test.zones");
    // A wrong password asks again, saying so.
    answer_password(&mut h, "wrong");
    until(&mut h, Duration::from_secs(10), "the question again", |a| {
        a.db.password_prompt.as_ref().is_some_and(|p| p.refused)
    });
    h.get_by_label("That password was refused: try again.");
    answer_password(&mut h, "corridor-secret");
    until(&mut h, Duration::from_secs(20), "the table loaded", |a| {
        a.loading() == 0 && a.doc.layers[0].features().len() == 6
    });
    assert!(h.state().doc.layers[0].error().is_none());
    h.state_mut().save_project_ui().expect("project saved");
    let text = std::fs::read_to_string(dir.path().join("corridor.toml")).unwrap();
    assert!(!text.contains("corridor-secret"), "{text}");
    assert!(text.contains("corridor_pw@"), "{text}");
}

/// The app dies while a table layer has unsaved edits: nothing reaches the table, the recovery
/// journal has them, and the next start offers them back once the table is read; restored and
/// saved, they land in the table.
#[test]
fn edits_to_a_table_survive_a_crash_through_the_journal() {
    let url = pg::url();
    let (source, info) = table(&url, "app_crash");
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    project(dir.path(), Some(&source));
    let mut other = pg::client();
    let (edited, key) = {
        let mut h = open(dir.path(), data.path());
        let key = key_of(&h, TAN_UYEN);
        let edited = drag_vertex(&mut h);
        // Dropped without saving or closing: as good as killed.
        std::mem::forget(h);
        (edited, key)
    };
    let (ring_now, _) = db_ring(&mut other, &info, &key);
    assert_ne!(ring_now, edited, "nothing was saved");
    let journals = std::fs::read_dir(data.path().join("recovery"))
        .unwrap()
        .count();
    assert_eq!(journals, 1);
    // Meanwhile someone deletes the first zone: every zone after it moves up one place.
    let first_key = first_key(&mut other, &info);
    let first = fetch(&mut other, &info, &[first_key]).unwrap().remove(0);
    save(
        &mut other,
        &info,
        &[Pending {
            key: Some(first.key),
            base: Some(first.version),
            mine: None,
        }],
    )
    .unwrap();

    let mut h = open(dir.path(), data.path());
    until(
        &mut h,
        Duration::from_secs(10),
        "the recovery question",
        |a| !a.editing_recoveries().is_empty(),
    );
    h.get_by_label_contains("Corridor closed before 1 edit");
    h.get_by_label("Restore edits").click();
    h.run();
    let at = (0..h.state().doc.layers[0].features().len())
        .find(|&i| key_of(&h, i) == key)
        .expect("the edited zone is still there");
    assert_eq!(at, TAN_UYEN - 1, "found by its row, not its old place");
    let f = &h.state().doc.layers[0].features()[at];
    assert_eq!(parts(&f.record_geometry().unwrap().value)[0].points, edited);
    assert!(h.state().doc.layers[0].is_dirty());
    save_keys(&mut h);
    until(&mut h, Duration::from_secs(10), "saved", |a| {
        !a.db_saving() && !a.doc.layers[0].is_dirty()
    });
    assert_eq!(db_ring(&mut other, &info, &key).0, edited);
}

/// A zone drawn in the app becomes a new row (its GeoJSON id kept), then carries that row's key:
/// deleting it and saving deletes the row.
#[test]
fn a_drawn_zone_is_inserted_and_its_deletion_deletes_the_row() {
    let url = pg::url();
    let (source, info) = table(&url, "app_insert");
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    project(dir.path(), Some(&source));
    let mut h = open(dir.path(), data.path());
    let inside = screen(&h, [106.794, 11.088]);
    click(&mut h, inside);
    h.key_press(Key::E);
    h.run();
    h.key_press(Key::S); // snapping off
    h.run();
    h.key_press(Key::P);
    h.run();
    for lonlat in [[106.62, 11.05], [106.66, 11.05], [106.66, 11.08]] {
        let at = screen(&h, lonlat);
        click(&mut h, at);
    }
    h.key_press(Key::Enter);
    h.run();
    assert_eq!(h.state().doc.layers[0].features().len(), 7);
    let new = h.state().doc.layers[0].ref_at(6).unwrap();
    assert!(h.state().row_key_of(new).is_none());
    save_keys(&mut h);
    until(&mut h, Duration::from_secs(10), "inserted", |a| {
        !a.db_saving() && !a.doc.layers[0].is_dirty()
    });
    let key = key_of(&h, 6);
    let mut c = pg::client();
    let row = fetch(&mut c, &info, std::slice::from_ref(&key))
        .unwrap()
        .remove(0);
    assert_eq!(
        row.record.id,
        Some(geojson::feature::Id::String("new-1".into()))
    );
    assert_eq!(
        parts(&row.record.geometry.unwrap().value)[0].points.len(),
        3
    );
    assert_eq!(
        corridor::db::listen::versions(&mut c, &info).unwrap().len(),
        7
    );

    // The new zone is still selected: Delete removes it, Ctrl+S deletes its row.
    assert_eq!(h.state().selection().map(|r| r.feature.get()), Some(6));
    h.key_press(Key::Delete);
    h.run();
    assert_eq!(h.state().doc.layers[0].features().len(), 6);
    save_keys(&mut h);
    until(&mut h, Duration::from_secs(10), "deleted", |a| {
        !a.db_saving() && !a.doc.layers[0].is_dirty()
    });
    assert!(fetch(&mut c, &info, &[key]).unwrap().is_empty());
    assert_eq!(
        corridor::db::listen::versions(&mut c, &info).unwrap().len(),
        6
    );

    // Everything saved, some undo history: another editor deletes a zone, and it goes from
    // our map too (the history, all of it saved, is let go).
    assert!(h.state().doc.layers[0].history.depth() > 0);
    let first = first_key(&mut c, &info);
    let row = fetch(&mut c, &info, std::slice::from_ref(&first))
        .unwrap()
        .remove(0);
    save(
        &mut c,
        &info,
        &[Pending {
            key: Some(first.clone()),
            base: Some(row.version),
            mine: None,
        }],
    )
    .unwrap();
    until(
        &mut h,
        Duration::from_secs(1),
        "the deletion from elsewhere",
        |a| a.doc.layers[0].features().len() == 5,
    );
    assert!((0..5).all(|i| key_of(&h, i) != first));
    assert!(!h.state().doc.layers[0].is_dirty());
}

/// "Save all" waits for the server: a conflict met on the way out keeps the window open
/// and shows it; once resolved, closing again closes, and only after the server confirmed.
#[test]
fn save_and_close_waits_for_the_server_and_a_conflict_keeps_the_window_open() {
    let url = pg::url();
    let (source, info) = table(&url, "app_close_conflict");
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    project(dir.path(), Some(&source));
    let mut h = open(dir.path(), data.path());
    let key = key_of(&h, TAN_UYEN);
    let mut other = pg::client();
    let ours = drag_vertex(&mut h);
    other_renames(&mut other, &info, &key, "Renamed by Hà");
    request_close(&mut h);
    h.get_by_label("Save all").click();
    h.run();
    assert!(
        !h.state().quit_confirmed(),
        "closed before the server answered"
    );
    until(&mut h, Duration::from_secs(10), "the conflict", |a| {
        !a.db_conflicts().is_empty()
    });
    assert!(!h.state().quit_confirmed(), "closed over a conflict");
    assert!(!h.state().closing_after_saves());
    assert!(
        h.state()
            .notices()
            .iter()
            .any(|n| n.starts_with("Not closed")),
        "{:?}",
        h.state().notices()
    );
    h.get_by_label("Keep mine").click();
    h.run();
    until(&mut h, Duration::from_secs(10), "keep mine saved", |a| {
        !a.db_saving() && !a.doc.layers[0].is_dirty()
    });
    // Nothing unsaved now: closing closes at once.
    request_close(&mut h);
    assert!(
        h.state().quit_confirmed(),
        "not closed: {:?} {:?}",
        h.state().unsaved_project(),
        h.state().notices()
    );
    assert_eq!(db_ring(&mut other, &info, &key).0, ours);
}

/// The server stops while "Save all" waits: the window stays open, says why, and the edit
/// is kept (in memory and in the journal).
#[test]
fn save_and_close_with_the_server_gone_keeps_the_window_open_and_the_edit() {
    const PORT: u16 = 25433;
    let url = pg::start(PORT);
    let (source, _info) = table(&url, "app_close_down");
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    project(dir.path(), Some(&source));
    let mut h = open(dir.path(), data.path());
    drag_vertex(&mut h);
    pg::stop(PORT);
    request_close(&mut h);
    h.get_by_label("Save all").click();
    h.run();
    until(&mut h, Duration::from_secs(20), "given up closing", |a| {
        !a.closing_after_saves()
    });
    assert!(
        !h.state().quit_confirmed(),
        "closed with the save unconfirmed"
    );
    assert!(h.state().doc.layers[0].is_dirty(), "the edit is kept");
    assert!(
        h.state()
            .notices()
            .iter()
            .any(|n| n.starts_with("Not closed: the server did not confirm")),
        "{:?}",
        h.state().notices()
    );
    let journals = std::fs::read_dir(data.path().join("recovery"))
        .unwrap()
        .count();
    assert_eq!(journals, 1, "the edit is in the recovery journal");
}

/// The ring of the feature holding row `key`, wherever it is in the layer now.
fn ring_of(h: &Harness<'static, CorridorApp>, key: &str) -> Vec<[f64; 2]> {
    let app = h.state();
    let (_, f) = app.doc.layers[0]
        .refs()
        .find(|(r, _)| app.row_key_of(*r).as_deref() == Some(key))
        .expect("the row's feature");
    parts(&f.record_geometry().unwrap().value)[0].points.clone()
}

/// Issue 18: features are held by id, so a row another editor deletes leaves the map at once,
/// even while this layer has unsaved edits (before, it stayed until the next save), and undo
/// and redo of those edits still work; the save that follows writes the edit and leaves the
/// deleted row deleted.
#[test]
fn a_row_deleted_by_another_editor_leaves_at_once_and_undo_still_works() {
    let url = pg::url();
    let (source, info) = table(&url, "app_gone");
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    project(dir.path(), Some(&source));
    let mut h = open(dir.path(), data.path());
    until(&mut h, Duration::from_secs(5), "settled", |_| true);
    std::thread::sleep(Duration::from_millis(300));
    let tan_uyen = key_of(&h, TAN_UYEN);
    let before = ring(&h);
    let after = drag_vertex(&mut h);
    let selected = h.state().selection().expect("Tân Uyên selected");

    // Another editor deletes Bến Cát, the first row, which we have not touched.
    let gone = key_of(&h, 0);
    let mut other = pg::client();
    let version = corridor::db::listen::versions(&mut other, &info)
        .unwrap()
        .into_iter()
        .find(|(k, _)| *k == gone)
        .map(|(_, v)| v)
        .unwrap();
    save(
        &mut other,
        &info,
        &[Pending {
            key: Some(gone.clone()),
            base: Some(version),
            mine: None,
        }],
    )
    .unwrap();
    until(
        &mut h,
        Duration::from_secs(2),
        "the deleted row gone",
        |a| a.doc.layers[0].features().len() == 5,
    );
    let state = h.state();
    assert!(
        state.doc.layers[0]
            .refs()
            .all(|(r, _)| state.row_key_of(r).as_deref() != Some(gone.as_str()))
    );
    assert_eq!(state.renders()[0].features.len(), 5, "off the map too");
    assert!(state.doc.layers[0].is_dirty(), "our edit is still there");
    assert_eq!(state.selection(), Some(selected), "and still selected");
    assert_eq!(ring_of(&h, &tan_uyen), after);

    // Undo and redo act on Tân Uyên, wherever it now is.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(ring_of(&h, &tan_uyen), before, "undo restores our vertex");
    assert!(!h.state().doc.layers[0].is_dirty());
    h.key_press_modifiers(Modifiers::COMMAND, Key::Y);
    h.run();
    assert_eq!(ring_of(&h, &tan_uyen), after, "redo moves it again");

    // Saving writes our edit and does not bring the deleted row back.
    save_keys(&mut h);
    until(&mut h, Duration::from_secs(10), "saved", |a| {
        !a.db_saving() && !a.doc.layers[0].is_dirty()
    });
    let mut c = pg::client();
    assert_eq!(db_ring(&mut c, &info, &tan_uyen).0, after);
    let keys: Vec<String> = corridor::db::listen::versions(&mut c, &info)
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(keys.len(), 5);
    assert!(!keys.contains(&gone));
}

/// Parcels `i` (west to east, 0–79) and `j` (south to north, 0–49): 4 000 squares of
/// 0.0015° over 17 km × 11 km, in `schema.parcels` (an ordinary table, versioned by `xmin`).
fn parcels(url: &str, schema: &str) -> (PgSource, TableInfo) {
    let mut c = corridor::db::connect(url, None).unwrap();
    c.batch_execute(&format!(
        "drop schema if exists {schema} cascade; create schema {schema};
         create table {schema}.parcels (id integer generated by default as identity primary key,
           name text, kind text, geom geometry(Polygon, 4326));
         insert into {schema}.parcels (name, kind, geom)
           select 'Lô ' || i || '-' || j,
                  case when (i + j) % 2 = 0 then 'industrial' else 'residential' end,
                  ST_MakeEnvelope(106.6 + i * 0.002, 11.0 + j * 0.002,
                                  106.6015 + i * 0.002, 11.0015 + j * 0.002, 4326)
           from generate_series(0, 79) i, generate_series(0, 49) j;
         create index on {schema}.parcels using gist (geom);
         analyze {schema}.parcels;"
    ))
    .unwrap();
    let source = PgSource::new(url, &format!("{schema}.parcels")).unwrap();
    corridor::db::listen::install_triggers(&mut c, &source, "id").unwrap();
    let info = describe(&mut c, &source).unwrap();
    (source, info)
}

/// The key of parcel `(i, j)`, by its name.
fn parcel_key(c: &mut postgres::Client, schema: &str, (i, j): (u32, u32)) -> String {
    c.query_one(
        &format!("select id::text from {schema}.parcels where name = $1"),
        &[&format!("Lô {i}-{j}")],
    )
    .unwrap()
    .get(0)
}

fn parcel_corner(i: u32, j: u32) -> [f64; 2] {
    [106.6 + f64::from(i) * 0.002, 11.0 + f64::from(j) * 0.002]
}

fn windowed(h: &Harness<'static, CorridorApp>) -> corridor::app::windowed::WindowFacts {
    h.state().table_windows().next().expect("a windowed table")
}

/// Jumps the camera and waits until the view is drawn in full and what lies ahead is read.
fn look_at(h: &mut Harness<'static, CorridorApp>, lonlat: [f64; 2], zoom: f64) {
    h.state_mut().map.jump_to(corridor::geometry::Camera {
        center: corridor::geometry::mercator_from_lonlat(lonlat[0], lonlat[1]),
        zoom,
    });
    h.step();
    until(h, Duration::from_secs(20), "the view read", |a| {
        a.table_windows().all(|w| w.settled)
    });
}

/// The keys of the rows whose boxes meet the view, as the table says.
fn keys_in_view(
    c: &mut postgres::Client,
    h: &Harness<'static, CorridorApp>,
    schema: &str,
) -> Vec<String> {
    let t = h.state().map.transform.unwrap();
    let v = t.visible_world();
    let [w, n] = corridor::geometry::mercator::lonlat_from_mercator(v.min[0], v.min[1]);
    let [e, s] = corridor::geometry::mercator::lonlat_from_mercator(v.max[0], v.max[1]);
    let mut keys: Vec<String> = c
        .query(
            &format!(
                "select id::text from {schema}.parcels \
                 where geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)"
            ),
            &[&w, &s, &e, &n],
        )
        .unwrap()
        .iter()
        .map(|r| r.get::<_, String>(0))
        .collect();
    keys.sort();
    keys
}

/// The limits the tests scale to the parcels: above 1 000 rows a table is windowed; rows
/// show when the view would hold at most 200; 800 rows' worth of tiles are held at most.
const SMALL_LIMITS: corridor::db::window::Limits = corridor::db::window::Limits {
    window_above: 1_000,
    rows_per_tile: 20.0,
    detail_rows: 200.0,
    held_rows: 800.0,
    overview_pixels: 512,
    overview_refresh: Duration::ZERO,
};

/// The middle of the parcels.
const MIDDLE: [f64; 2] = [106.68, 11.05];

/// An app on an empty project, the parcels of `schema` added from the database with
/// [`SMALL_LIMITS`], once their overview is made.
fn open_parcels(dir: &Path, data: &Path, url: &str, schema: &str) -> Harness<'static, CorridorApp> {
    project(dir, None);
    let mut h = open_project(dir, data, vec2(1280.0, 900.0));
    h.state_mut().db.limits = SMALL_LIMITS;
    let ctx = h.ctx.clone();
    h.state_mut()
        .add_postgis_layer(&ctx, url, &format!("{schema}.parcels"), None)
        .unwrap();
    until(&mut h, Duration::from_secs(20), "the overview", |a| {
        a.loading() == 0 && a.table_windows().any(|w| w.overview_rows == 4_000)
    });
    h
}

/// The lowest zoom (in quarters) at which the view over the middle shows rows.
fn rows_zoom(h: &mut Harness<'static, CorridorApp>) -> f64 {
    let mut zoom = 12.0;
    look_at(h, MIDDLE, zoom);
    while !h.state().table_shows_rows() {
        zoom += 0.25;
        look_at(h, MIDDLE, zoom);
    }
    zoom
}

/// Selects parcel `(i, j)` at `zoom`, enters edit mode and drags its south-west corner 30
/// points west; returns the parcel and its row key.
fn edit_parcel(
    h: &mut Harness<'static, CorridorApp>,
    (i, j): (u32, u32),
    zoom: f64,
) -> (corridor::model::FeatureRef, String) {
    let corner = parcel_corner(i, j);
    let inside = [corner[0] + 0.00075, corner[1] + 0.00075];
    look_at(h, inside, zoom);
    let at = screen(h, inside);
    click(h, at);
    let picked = h.state().selection().expect("the parcel selected");
    let key = h.state().row_key_of(picked).unwrap();
    h.key_press(Key::E);
    h.run();
    let from = screen(h, corner);
    drag(h, from, from - vec2(30.0, 0.0));
    assert!(
        h.state().doc.layers[0].is_dirty(),
        "the drag edited the parcel"
    );
    (picked, key)
}

/// A table too large to hold: the app shows an overview of every row when zoomed out, reads
/// the rows in and around the view when zoomed in, lets go of those far away as the user pans,
/// and a save writes the one edited row and deletes none of the rows it let go.
#[test]
fn a_table_too_large_to_hold_is_read_around_the_view_and_saves_only_what_was_edited() {
    let url = pg::url();
    let (_, info) = parcels(&url, "big_test");
    let mut c = pg::client();
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut h = open_parcels(dir.path(), data.path(), &url, "big_test");

    // Zoomed out over all of it: the overview, and no rows read.
    look_at(&mut h, MIDDLE, 12.0);
    assert!(!h.state().table_shows_rows());
    assert!(
        h.state().renders()[0].overview.is_some(),
        "the overview is drawn"
    );
    assert_eq!(windowed(&h).overview_rows, 4_000);
    assert!(h.state().doc.layers[0].features().len() < 4_000);
    // The layers panel gives the table's size and says the map shows its overview.
    h.get_by_label("≈ 4\u{202F}000");
    h.get_by_label("overview");

    // Zoomed in: every row in view is held, and far fewer than the table.
    let detail_zoom = rows_zoom(&mut h) + 1.0;
    look_at(&mut h, MIDDLE, detail_zoom);
    assert!(
        h.state().renders()[0].overview.is_none(),
        "rows, not the overview"
    );
    assert!(h.query_by_label("overview").is_none());
    let layer = &h.state().doc.layers[0];
    let mut held: Vec<String> = (0..layer.features().len()).map(|i| key_of(&h, i)).collect();
    held.sort();
    let in_view = keys_in_view(&mut c, &h, "big_test");
    assert!(!in_view.is_empty());
    let missing: Vec<&String> = in_view
        .iter()
        .filter(|k| held.binary_search(k).is_err())
        .collect();
    assert!(missing.is_empty(), "rows in view not held: {missing:?}");
    assert!(held.len() < 1_000, "{} rows held", held.len());

    let (picked, key) = edit_parcel(&mut h, (40, 25), detail_zoom + 2.0);
    assert_eq!(db_name(&mut c, &info, &key), "Lô 40-25");
    let corner = parcel_corner(40, 25);

    // Pan far west, then far east, row by row: far tiles are let go, the edited row is not.
    for (i, j) in [(2, 2), (2, 45), (77, 45), (77, 2), (40, 2)] {
        let p = parcel_corner(i, j);
        look_at(&mut h, p, detail_zoom);
        let layer = &h.state().doc.layers[0];
        assert!(
            layer.features().len() <= 1_000,
            "{} rows held at ({i}, {j})",
            layer.features().len()
        );
        assert!(
            layer.feature(picked.feature).is_some(),
            "the edited row is kept"
        );
    }

    // Another editor renames a parcel in view and one far away: the first appears, the second
    // is not read (it will be, with its tile).
    let near = parcel_key(&mut c, "big_test", (40, 2));
    let far = parcel_key(&mut c, "big_test", (2, 45));
    c.batch_execute(&format!(
        "update big_test.parcels set name = 'Lô đổi tên' where id in ({near}, {far})"
    ))
    .unwrap();
    until(&mut h, Duration::from_secs(10), "the rename in view", |a| {
        let l = &a.doc.layers[0];
        (0..l.features().len()).any(|i| {
            a.row_key_of(l.ref_at(i).unwrap()).as_deref() == Some(near.as_str())
                && l.features()[i].property_text("name").as_deref() == Some("Lô đổi tên")
        })
    });
    let layer = &h.state().doc.layers[0];
    assert!(
        (0..layer.features().len()).all(|i| key_of(&h, i) != far),
        "a row far from the view is not read when someone else changes it"
    );

    // Save: the edited row is written; no row is deleted.
    save_keys(&mut h);
    until(&mut h, Duration::from_secs(20), "saved", |a| {
        !a.doc.layers[0].is_dirty() && !a.db_saving()
    });
    let count: i64 = c
        .query_one("select count(*) from big_test.parcels", &[])
        .unwrap()
        .get(0);
    assert_eq!(count, 4_000, "rows let go are not deleted");
    let (ring, _) = db_ring(&mut c, &info, &key);
    assert!(
        ring.iter().any(|p| p[0] < corner[0] - 1e-5),
        "the moved corner is in the table: {ring:?}"
    );
    let (other, _) = db_ring(
        &mut c,
        &info,
        &(key.parse::<i64>().unwrap() + 1).to_string(),
    );
    assert!(other.iter().all(|p| p[0] >= 106.6 - 1e-9), "{other:?}");

    // Zoomed out again: the overview alone, made again since rows changed; the rows still
    // held are neither drawn nor picked.
    look_at(&mut h, MIDDLE, 12.0);
    until(
        &mut h,
        Duration::from_secs(20),
        "the overview made again",
        |a| a.table_windows().any(|w| w.overviews >= 2),
    );
    assert!(h.state().renders()[0].overview.is_some());
    assert!(h.state().renders()[0].overview_only);
    assert!(!h.state().doc.layers[0].features().is_empty());
    let at = screen(&h, parcel_corner(40, 2));
    assert_eq!(h.state().pick(at), None);
}

fn db_name(c: &mut postgres::Client, info: &TableInfo, key: &str) -> String {
    let (_, name) = db_ring(c, info, key);
    name.as_str().unwrap_or_default().to_owned()
}

/// The app dies with an edit to a row of a table too large to hold; started again and zoomed
/// out (the row not read), the recovery reads the row wherever it is: restored and saved, the
/// edit lands on that row, and no row is added or deleted.
#[test]
fn edits_to_a_table_too_large_to_hold_survive_a_crash_wherever_the_view_is() {
    let url = pg::url();
    let (_, info) = parcels(&url, "big_crash");
    let mut c = pg::client();
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let key = {
        let mut h = open_parcels(dir.path(), data.path(), &url, "big_crash");
        let zoom = rows_zoom(&mut h) + 2.0;
        let (_, key) = edit_parcel(&mut h, (70, 40), zoom);
        // Dropped without saving or closing: as good as killed.
        std::mem::forget(h);
        key
    };
    let corner = parcel_corner(70, 40);
    let mut h = open_parcels(dir.path(), data.path(), &url, "big_crash");
    look_at(&mut h, MIDDLE, 12.0);
    until(
        &mut h,
        Duration::from_secs(10),
        "the recovery question",
        |a| !a.editing_recoveries().is_empty(),
    );
    assert!(
        (0..h.state().doc.layers[0].features().len()).all(|i| key_of(&h, i) != key),
        "the edited row is not read before the recovery"
    );
    h.get_by_label("Restore edits").click();
    h.run();
    assert!(h.state().doc.layers[0].is_dirty());
    save_keys(&mut h);
    until(&mut h, Duration::from_secs(20), "saved", |a| {
        !a.db_saving() && !a.doc.layers[0].is_dirty()
    });
    let (ring, name) = db_ring(&mut c, &info, &key);
    assert_eq!(name, "Lô 70-40");
    assert!(
        ring.iter().any(|p| p[0] < corner[0] - 1e-5),
        "the recovered edit is in the table: {ring:?}"
    );
    let count: i64 = c
        .query_one("select count(*) from big_crash.parcels", &[])
        .unwrap()
        .get(0);
    assert_eq!(count, 4_000, "no row added or deleted");
}
