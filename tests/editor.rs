//! The boundary editor driven as a user drives it, with real pointer events: select, drag a
//! vertex, insert one, delete one, draw a polygon, fill its form, undo, redo, save; then what
//! keeps edits safe: the recovery journal, a file changed by another program, closing with
//! unsaved edits, a save that cannot be written.

mod support {
    pub mod app;
}

use std::path::{Path, PathBuf};

use corridor::model::FeatureRef;
use corridor::model::edit::parts;
use corridor::{AppOptions, CorridorApp};
use egui::{Key, Modifiers, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use serde_json::Value;
use support::app::{click, drag, field, open_project, request_close, scratch_maps, screen};

/// Layer index of the localities in `maps/corridor.toml` (drawn first).
const LOCALITIES: usize = 0;
/// Tân Uyên within the localities, and a vertex of it on its eastern edge (not shared).
const TAN_UYEN: usize = 3;
const EAST_VERTEX: usize = 2105;

/// The feature at position `fi` of layer `li` as the app holds it: by the layer's id and the
/// feature's (the bundled file's features are numbered in file order).
fn at(h: &Harness<'static, CorridorApp>, li: usize, fi: usize) -> FeatureRef {
    let layer = &h.state().doc.layers[li];
    FeatureRef {
        layer: layer.id,
        feature: layer.features()[fi].id(),
    }
}

fn open_with(maps: &Path, data_dir: &Path) -> Harness<'static, CorridorApp> {
    open_project(maps, data_dir, egui::vec2(1280.0, 900.0))
}

fn key(h: &mut Harness<'static, CorridorApp>, key: Key) {
    h.key_press(key);
    h.run();
}

fn ctrl(h: &mut Harness<'static, CorridorApp>, key: Key) {
    h.key_press_modifiers(Modifiers::COMMAND, key);
    h.run();
}

fn tan_uyen_ring(h: &Harness<'static, CorridorApp>) -> Vec<[f64; 2]> {
    let f = &h.state().doc.layers[LOCALITIES].features()[TAN_UYEN];
    parts(&f.record_geometry().unwrap().value)[0].points.clone()
}

/// Selects Tân Uyên by clicking inside it and enters edit mode with `E`.
fn edit_tan_uyen(h: &mut Harness<'static, CorridorApp>) {
    let inside = screen(h, [106.794, 11.088]);
    click(h, inside);
    assert_eq!(h.state().selection(), Some(at(h, LOCALITIES, TAN_UYEN)));
    key(h, Key::E);
    assert_eq!(h.state().editing_layer(), Some(LOCALITIES));
}

/// Brings the camera close to the eastern vertex: the real boundary has a vertex every few
/// tens of metres, a pixel apart at the corridor's zoom, and a user zooms in to edit one.
fn zoom_to_east_vertex(h: &mut Harness<'static, CorridorApp>) {
    let [lon, lat] = tan_uyen_ring(h)[EAST_VERTEX];
    h.state_mut().map.jump_to(corridor::geometry::Camera {
        center: corridor::geometry::mercator_from_lonlat(lon, lat),
        zoom: 19.5,
    });
    h.run();
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Every place where two JSON documents differ, as paths.
fn differences(a: &Value, b: &Value, at: String, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                match (x.get(k), y.get(k)) {
                    (Some(v), Some(w)) => differences(v, w, format!("{at}/{k}"), out),
                    _ => out.push(format!("{at}/{k}")),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                differences(v, w, format!("{at}/{i}"), out);
            }
        }
        (Value::Number(x), Value::Number(y)) if x.as_f64() == y.as_f64() => {}
        _ if a == b => {}
        _ => out.push(at),
    }
}

#[test]
fn drag_a_vertex_undo_redo_and_save_changes_that_vertex_and_nothing_else() {
    let maps = scratch_maps();
    let data = tempfile::tempdir().unwrap();
    let file = maps.path().join("localities.geojson");
    let original = read_json(&file);
    let mut h = open_with(maps.path(), data.path());
    edit_tan_uyen(&mut h);
    let before = tan_uyen_ring(&h);
    let from = screen(&h, before[EAST_VERTEX]);
    // Where a vertex that stays put is on screen, to see that the map does not pan.
    let anchor = screen(&h, before[0]);
    drag(&mut h, from, from + vec2(40.0, 0.0));

    let after = tan_uyen_ring(&h);
    assert_eq!(after.len(), before.len());
    assert!(
        after[EAST_VERTEX][0] > before[EAST_VERTEX][0] + 0.01,
        "{after:?}"
    );
    for (i, (a, b)) in before.iter().zip(&after).enumerate() {
        if i != EAST_VERTEX {
            assert_eq!(a, b, "vertex {i} must not move");
        }
    }
    assert!(h.state().doc.layers[LOCALITIES].is_dirty());
    // The map did not pan under the drag.
    assert_eq!(
        screen(&h, before[0]),
        anchor,
        "the map panned under the drag"
    );

    ctrl(&mut h, Key::Z);
    assert_eq!(tan_uyen_ring(&h), before);
    assert!(!h.state().doc.layers[LOCALITIES].is_dirty());
    ctrl(&mut h, Key::Y);
    assert_eq!(tan_uyen_ring(&h), after);

    ctrl(&mut h, Key::S);
    assert!(!h.state().doc.layers[LOCALITIES].is_dirty());
    let saved = read_json(&file);
    let mut diff = Vec::new();
    differences(&original, &saved, String::new(), &mut diff);
    assert_eq!(
        diff,
        vec![
            format!("/features/{TAN_UYEN}/geometry/coordinates/0/{EAST_VERTEX}/0"),
            format!("/features/{TAN_UYEN}/geometry/coordinates/0/{EAST_VERTEX}/1"),
        ]
        .into_iter()
        .filter(|p| {
            // A horizontal drag may keep the latitude to the last digit.
            !p.ends_with("/1") || after[EAST_VERTEX][1] != before[EAST_VERTEX][1]
        })
        .collect::<Vec<_>>()
    );
    assert_eq!(
        read_json(&maps.path().join("localities.geojson.bak")),
        original,
        "the previous version is kept as the backup"
    );
    // The history survives the save.
    ctrl(&mut h, Key::Z);
    assert_eq!(tan_uyen_ring(&h), before);
    assert!(h.state().doc.layers[LOCALITIES].is_dirty());
}

#[test]
fn dragging_a_midpoint_inserts_a_vertex_and_delete_removes_one() {
    let maps = scratch_maps();
    let data = tempfile::tempdir().unwrap();
    let mut h = open_with(maps.path(), data.path());
    edit_tan_uyen(&mut h);
    zoom_to_east_vertex(&mut h);
    let before = tan_uyen_ring(&h);
    let (a, b) = (before[EAST_VERTEX], before[EAST_VERTEX + 1]);
    let mid = screen(&h, [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0]);
    drag(&mut h, mid, mid + vec2(30.0, -10.0));
    let after = tan_uyen_ring(&h);
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(after[EAST_VERTEX], before[EAST_VERTEX]);
    assert_eq!(after[EAST_VERTEX + 2], before[EAST_VERTEX + 1]);

    // Click the new vertex, delete it with the Delete key.
    let new_vertex = screen(&h, after[EAST_VERTEX + 1]);
    click(&mut h, new_vertex);
    key(&mut h, Key::Delete);
    assert_eq!(tan_uyen_ring(&h), before);
    // Both steps undo in turn.
    ctrl(&mut h, Key::Z);
    assert_eq!(tan_uyen_ring(&h), after);
    ctrl(&mut h, Key::Z);
    assert_eq!(tan_uyen_ring(&h), before);
}

#[test]
fn draw_a_polygon_fill_its_form_and_save() {
    let maps = scratch_maps();
    let data = tempfile::tempdir().unwrap();
    let mut h = open_with(maps.path(), data.path());
    edit_tan_uyen(&mut h);
    let count = h.state().doc.layers[LOCALITIES].features().len();
    // Snapping off, so the clicks land where they are.
    key(&mut h, Key::S);
    assert!(!h.state().editor().snapping);
    key(&mut h, Key::P);
    for lonlat in [[106.62, 11.05], [106.66, 11.05], [106.66, 11.08]] {
        let at = screen(&h, lonlat);
        click(&mut h, at);
    }
    key(&mut h, Key::Enter);
    let layer = &h.state().doc.layers[LOCALITIES];
    assert_eq!(layer.features().len(), count + 1);
    let new = &layer.features()[count].record();
    assert_eq!(new.id, Some(geojson::feature::Id::String("new-1".into())));
    assert_eq!(
        new.property("name"),
        Some(&Value::Null),
        "the layer's attributes, empty"
    );
    let ring = parts(&new.geometry.as_ref().unwrap().value)[0]
        .points
        .clone();
    assert_eq!(ring.len(), 3);
    assert!((ring[1][0] - 106.66).abs() < 0.0005, "{ring:?}");
    assert_eq!(
        h.state().selection(),
        Some(at(&h, LOCALITIES, count)),
        "the new feature is selected, its form open"
    );

    // Add an attribute of type number, then give it a value.
    h.get_by_label("New:").click();
    h.run();
    h.get_by_label("New:").type_text("population");
    h.run();
    h.get_by_label("Add").click();
    h.run();
    let layer = &h.state().doc.layers[LOCALITIES];
    assert_eq!(
        layer.features()[count].record().property("population"),
        Some(&Value::String(String::new()))
    );

    field(&h, "population").click();
    h.run();
    field(&h, "population").type_text("12500");
    h.run();
    key(&mut h, Key::Tab);
    let layer = &h.state().doc.layers[LOCALITIES];
    assert_eq!(
        layer.features()[count].record().property("population"),
        Some(&Value::String("12500".into())),
        "a text attribute stays text"
    );

    ctrl(&mut h, Key::S);
    let saved = read_json(&maps.path().join("localities.geojson"));
    let features = saved["features"].as_array().unwrap();
    assert_eq!(features.len(), count + 1);
    assert_eq!(features[count]["id"], "new-1");
    assert_eq!(features[count]["properties"]["population"], "12500");
    let ring = &features[count]["geometry"]["coordinates"][0];
    assert_eq!(ring.as_array().unwrap().len(), 4, "closed ring");
    assert_eq!(ring[0], ring[3]);

    // Undo takes back the attribute edits, then the polygon (once no text field has the keys).
    key(&mut h, Key::Escape);
    for _ in 0..3 {
        ctrl(&mut h, Key::Z);
    }
    assert_eq!(h.state().doc.layers[LOCALITIES].features().len(), count);
}

#[test]
fn snapping_copies_a_neighbours_vertex_exactly() {
    let maps = scratch_maps();
    let data = tempfile::tempdir().unwrap();
    let mut h = open_with(maps.path(), data.path());
    edit_tan_uyen(&mut h);
    zoom_to_east_vertex(&mut h);
    assert!(h.state().editor().snapping, "on by default");
    let target = tan_uyen_ring(&h)[EAST_VERTEX];
    key(&mut h, Key::O);
    // A few pixels off the vertex: the marker shows, the point lands on the vertex.
    let near = screen(&h, target) + vec2(4.0, -3.0);
    h.hover_at(near);
    h.run();
    assert_eq!(h.state().editor().snap.map(|s| s.lonlat), Some(target));
    click(&mut h, near);
    let layer = &h.state().doc.layers[LOCALITIES];
    let point = parts(
        &layer
            .features()
            .last()
            .unwrap()
            .record()
            .geometry
            .as_ref()
            .unwrap()
            .value,
    );
    assert_eq!(point[0].points[0], target, "exactly the same coordinates");
}

#[test]
fn editing_keeps_json_types_of_attributes() {
    let maps = scratch_maps();
    let data = tempfile::tempdir().unwrap();
    let path = maps.path().join("typed.geojson");
    std::fs::write(
        &path,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","id":7,"properties":{"area_ha":12.5,"open":true,"tags":["a"]},"geometry":{"type":"Point","coordinates":[106.7,11.1]}}]}"#,
    )
    .unwrap();
    let options = AppOptions {
        path: path.clone(),
        offline: true,
        data_dir: Some(data.path().to_owned()),
    };
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 900.0))
        .with_step_dt(1.0 / 60.0)
        .with_max_steps(400)
        .build_eframe(move |cc| CorridorApp::new(cc, options));
    h.run();
    // Wait for the background load.
    for _ in 0..200 {
        if h.state().loading() == 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
        h.step();
    }
    h.run();
    let at = screen(&h, [106.7, 11.1]);
    click(&mut h, at);
    key(&mut h, Key::E);
    assert!(h.state().editing_layer().is_some());
    field(&h, "area_ha").click();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    field(&h, "area_ha").type_text("14.25");
    h.run();
    key(&mut h, Key::Tab);
    let f = &h.state().doc.layers[0].features()[0].record();
    assert_eq!(f.property("area_ha"), Some(&serde_json::json!(14.25)));
    assert_eq!(f.property("open"), Some(&Value::Bool(true)));
    // A value that is not a number is refused with a message, not saved as text.
    field(&h, "area_ha").click();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    field(&h, "area_ha").type_text("lots");
    h.run();
    key(&mut h, Key::Tab);
    let f = &h.state().doc.layers[0].features()[0].record();
    assert_eq!(f.property("area_ha"), Some(&serde_json::json!(14.25)));
    assert!(
        h.query_by_label_contains("is not a number").is_some(),
        "the refusal is explained"
    );
    ctrl(&mut h, Key::S);
    let saved = read_json(&path);
    assert_eq!(saved["features"][0]["id"], 7);
    assert_eq!(saved["features"][0]["properties"]["area_ha"], 14.25);
    assert_eq!(saved["features"][0]["properties"]["tags"][0], "a");
}

#[test]
fn edits_survive_a_crash_through_the_journal() {
    let maps = scratch_maps();
    let data = tempfile::tempdir().unwrap();
    let file = maps.path().join("localities.geojson");
    let original = std::fs::read(&file).unwrap();
    let edited = {
        let mut h = open_with(maps.path(), data.path());
        edit_tan_uyen(&mut h);
        let before = tan_uyen_ring(&h);
        let from = screen(&h, before[EAST_VERTEX]);
        drag(&mut h, from, from + vec2(40.0, 20.0));
        let edited = tan_uyen_ring(&h);
        assert_ne!(edited, before);
        // The app is dropped without saving or closing: as good as killed.
        std::mem::forget(h);
        edited
    };
    let journals: Vec<PathBuf> = std::fs::read_dir(data.path().join("recovery"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(journals.len(), 1, "{journals:?}");
    assert_eq!(
        std::fs::read(&file).unwrap(),
        original,
        "the file is untouched"
    );

    let mut h = open_with(maps.path(), data.path());
    assert!(
        h.query_by_label_contains("Corridor closed before 1 edit")
            .is_some()
    );
    h.get_by_label("Restore edits").click();
    h.run();
    assert_eq!(tan_uyen_ring(&h), edited);
    assert!(h.state().doc.layers[LOCALITIES].is_dirty());
    // The restored edit is one undoable step.
    ctrl(&mut h, Key::Z);
    assert_ne!(tan_uyen_ring(&h), edited);
}

#[test]
fn a_file_changed_by_another_program_is_noticed_and_never_overwritten_silently() {
    let maps = scratch_maps();
    let data = tempfile::tempdir().unwrap();
    let file = maps.path().join("localities.geojson");
    let mut h = open_with(maps.path(), data.path());
    edit_tan_uyen(&mut h);
    let from = screen(&h, tan_uyen_ring(&h)[EAST_VERTEX]);
    drag(&mut h, from, from + vec2(30.0, 0.0));
    // Another program writes the file.
    let theirs = std::fs::read_to_string(&file)
        .unwrap()
        .replace("Tân Uyên", "Tân Uyên (sửa)");
    std::fs::write(&file, &theirs).unwrap();
    // Saving now is refused: theirs is not overwritten.
    ctrl(&mut h, Key::S);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), theirs);
    assert!(h.state().doc.layers[LOCALITIES].is_dirty());
    h.get_by_label_contains("Keep mine");
    // Reloading takes theirs; it is still the same layer for whatever holds it.
    let id = h.state().doc.layers[LOCALITIES].id;
    h.get_by_label_contains("Reload from disk").click();
    h.run();
    let f = &h.state().doc.layers[LOCALITIES].features()[TAN_UYEN];
    assert_eq!(f.display_name(), "Tân Uyên (sửa)");
    assert!(!h.state().doc.layers[LOCALITIES].is_dirty());
    assert_eq!(
        h.state().doc.index_of(id),
        Some(LOCALITIES),
        "reloaded as another layer"
    );
}

#[test]
fn keeping_mine_after_an_outside_change_saves_mine() {
    let maps = scratch_maps();
    let data = tempfile::tempdir().unwrap();
    let file = maps.path().join("localities.geojson");
    let mut h = open_with(maps.path(), data.path());
    edit_tan_uyen(&mut h);
    let from = screen(&h, tan_uyen_ring(&h)[EAST_VERTEX]);
    drag(&mut h, from, from + vec2(30.0, 0.0));
    let mine = tan_uyen_ring(&h);
    std::fs::write(
        &file,
        std::fs::read_to_string(&file)
            .unwrap()
            .replace("Dĩ An", "Di An"),
    )
    .unwrap();
    // Noticed within a few seconds without any action.
    h.run_steps(150);
    h.get_by_label("Keep mine").click();
    h.run();
    ctrl(&mut h, Key::S);
    let saved = read_json(&file);
    let ring = &saved["features"][TAN_UYEN]["geometry"]["coordinates"][0][EAST_VERTEX];
    assert_eq!(ring[0].as_f64(), Some(mine[EAST_VERTEX][0]));
}

#[test]
fn closing_with_unsaved_edits_asks_first() {
    let maps = scratch_maps();
    let data = tempfile::tempdir().unwrap();
    // Tall enough for the whole layers panel.
    let mut h = open_project(maps.path(), data.path(), egui::vec2(1280.0, 1300.0));
    edit_tan_uyen(&mut h);
    let from = screen(&h, tan_uyen_ring(&h)[EAST_VERTEX]);
    drag(&mut h, from, from + vec2(30.0, 0.0));
    request_close(&mut h);
    assert!(h.query_by_label_contains("Unsaved changes in").is_some());
    h.get_by_label("Cancel").click();
    h.run();
    assert!(h.query_by_label_contains("Unsaved changes in").is_none());
    assert!(h.state().doc.layers[LOCALITIES].is_dirty());

    // Removing the layer asks too.
    h.get_all_by_label("Remove")
        .last()
        .expect("the localities' Remove button")
        .click();
    h.run();
    assert!(h.query_by_label_contains("Unsaved changes in").is_some());
    h.get_by_label("Save all").click();
    h.run();
    assert!(
        h.state()
            .doc
            .layers
            .iter()
            .all(|l| l.name != "Localities (2021)")
    );
}

#[test]
fn a_save_that_cannot_be_written_says_why_and_keeps_everything() {
    let maps = scratch_maps();
    let data = tempfile::tempdir().unwrap();
    let file = maps.path().join("localities.geojson");
    let original = std::fs::read(&file).unwrap();
    let mut h = open_with(maps.path(), data.path());
    edit_tan_uyen(&mut h);
    let from = screen(&h, tan_uyen_ring(&h)[EAST_VERTEX]);
    drag(&mut h, from, from + vec2(30.0, 0.0));
    let edited = tan_uyen_ring(&h);
    h.get_by_label("Save as…").click();
    h.run();
    h.get_by_label("File:").click();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.get_by_label("File:")
        .type_text("/nonexistent-corridor-folder/zones.geojson");
    h.run();
    h.get_by_label("Save").click();
    h.run();
    assert!(
        h.query_by_label_contains("The file on disk is unchanged")
            .is_some(),
        "a clear message"
    );
    assert_eq!(std::fs::read(&file).unwrap(), original);
    assert_eq!(tan_uyen_ring(&h), edited, "the edits are still in memory");
    assert!(h.state().doc.layers[LOCALITIES].is_dirty());
}

#[test]
fn a_crossing_boundary_is_marked_and_named_but_not_blocked() {
    let maps = scratch_maps();
    let data = tempfile::tempdir().unwrap();
    let mut h = open_with(maps.path(), data.path());
    edit_tan_uyen(&mut h);
    assert!(h.query_by_label("✔ Valid geometry").is_some());
    let area_before = h
        .get_all_by_label_contains(" ha")
        .next()
        .expect("the edit panel's area")
        .accesskit_node()
        .value();
    let from = screen(&h, tan_uyen_ring(&h)[EAST_VERTEX]);
    // Across the polygon and out of its western side: the ring now crosses itself.
    let to = screen(&h, [106.66, 11.12]);
    drag(&mut h, from, to);
    assert!(
        h.get_all_by_label_contains("The boundary crosses itself")
            .count()
            >= 1
    );
    assert!(
        h.query_by_label_contains("A warning only").is_some(),
        "a warning, never a block"
    );
    let problems = &h.state().editor().problems;
    assert!(problems.iter().any(|p| p.at.is_some()), "{problems:?}");
    // The area follows the edit live.
    assert_ne!(
        h.get_all_by_label_contains(" ha")
            .next()
            .expect("the edit panel's area")
            .accesskit_node()
            .value(),
        area_before
    );
    ctrl(&mut h, Key::Z);
    assert!(h.query_by_label("✔ Valid geometry").is_some());
}

#[test]
fn the_move_tool_drags_a_whole_feature() {
    let maps = scratch_maps();
    let data = tempfile::tempdir().unwrap();
    let mut h = open_with(maps.path(), data.path());
    edit_tan_uyen(&mut h);
    let before = tan_uyen_ring(&h);
    key(&mut h, Key::G);
    let from = screen(&h, [106.794, 11.088]);
    drag(&mut h, from, from + vec2(50.0, 30.0));
    let after = tan_uyen_ring(&h);
    let d0 = [after[0][0] - before[0][0], after[0][1] - before[0][1]];
    assert!(d0[0] > 0.01 && d0[1] < -0.005, "{d0:?}");
    for (a, b) in before.iter().zip(&after) {
        assert!((b[0] - a[0] - d0[0]).abs() < 1e-8 && (b[1] - a[1] - d0[1]).abs() < 1e-8);
    }
    ctrl(&mut h, Key::Z);
    assert_eq!(tan_uyen_ring(&h), before);
}

#[test]
fn editing_snapshot() {
    let maps = scratch_maps();
    let data = tempfile::tempdir().unwrap();
    let mut h = open_with(maps.path(), data.path());
    edit_tan_uyen(&mut h);
    let from = screen(&h, tan_uyen_ring(&h)[EAST_VERTEX]);
    let to = screen(&h, [106.835, 11.075]);
    drag(&mut h, from, to);
    h.hover_at(egui::pos2(5.0, 880.0));
    h.run();
    h.snapshot("editing");
}

#[test]
fn draw_a_line_by_double_click_cancel_one_with_escape_and_use_the_buttons() {
    let maps = scratch_maps();
    let data = tempfile::tempdir().unwrap();
    let mut h = open_with(maps.path(), data.path());
    edit_tan_uyen(&mut h);
    let count = h.state().doc.layers[LOCALITIES].features().len();
    key(&mut h, Key::S);
    key(&mut h, Key::L);
    // Escape throws away a shape being drawn.
    let a = screen(&h, [106.60, 11.02]);
    click(&mut h, a);
    assert_eq!(h.state().editor().drawing.len(), 1);
    key(&mut h, Key::Escape);
    assert!(h.state().editor().drawing.is_empty());
    // Longer than a double-click apart.
    h.run_steps(40);
    assert_eq!(h.state().doc.layers[LOCALITIES].features().len(), count);
    // Two clicks, then a double-click on the last point, finish a three-vertex line.
    for lonlat in [[106.62, 11.05], [106.64, 11.06]] {
        let at = screen(&h, lonlat);
        click(&mut h, at);
    }
    let end = screen(&h, [106.66, 11.05]);
    h.run_steps(40);
    h.hover_at(end);
    h.step();
    for _ in 0..2 {
        h.drag_at(end);
        h.step();
        h.drop_at(end);
        h.step();
    }
    h.run();
    let layer = &h.state().doc.layers[LOCALITIES];
    assert_eq!(
        layer.features().len(),
        count + 1,
        "drawing: {:?}",
        h.state().editor().drawing
    );
    let line = parts(
        &layer.features()[count]
            .record()
            .geometry
            .as_ref()
            .unwrap()
            .value,
    );
    assert_eq!(line[0].kind, corridor::model::edit::PartKind::Line);
    assert_eq!(line[0].points.len(), 3, "{:?}", line[0].points);

    let has_summary = |h: &Harness<'static, CorridorApp>| {
        h.state().doc.layers[LOCALITIES].features()[count]
            .record()
            .property("summary")
            .is_some()
    };
    // Remove an attribute of the new line with its ✕, then undo and redo with the buttons.
    assert!(
        layer.features()[count]
            .record()
            .property("summary")
            .is_some()
    );
    let key_index = layer.features()[count]
        .record()
        .properties
        .as_ref()
        .unwrap()
        .keys()
        .position(|k| k == "summary")
        .unwrap();
    let mut removes: Vec<_> = h.get_all_by_label("✕").collect();
    removes.sort_by(|a, b| {
        let y =
            |n: &egui_kittest::Node<'_>| n.accesskit_node().bounding_box().map_or(0.0, |r| r.y0);
        y(a).total_cmp(&y(b))
    });
    removes[key_index].click();
    h.run();
    assert!(!has_summary(&h));
    h.get_by_label("Undo").click();
    h.run();
    assert!(has_summary(&h));
    h.get_by_label("Redo").click();
    h.run();
    assert!(!has_summary(&h));
    // Ctrl+Shift+Z redoes too.
    ctrl(&mut h, Key::Z);
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.run();
    assert!(!has_summary(&h));
}

/// Drags the layer named `name` by its handle to the top of the layers panel (drawn last).
fn move_layer_to_top(h: &mut Harness<'static, CorridorApp>, name: &str) {
    let handles: Vec<egui::Rect> = h.get_all_by_label("☰").map(|n| n.rect()).collect();
    let checkbox = h
        .get_by_role_and_label(egui::accesskit::Role::CheckBox, name)
        .rect();
    let handle = handles
        .iter()
        .min_by(|a, b| {
            (a.center().y - checkbox.center().y)
                .abs()
                .total_cmp(&(b.center().y - checkbox.center().y).abs())
        })
        .copied()
        .expect("a handle");
    let top = handles
        .iter()
        .min_by(|a, b| a.center().y.total_cmp(&b.center().y))
        .copied()
        .expect("a handle");
    drag(h, handle.center(), top.center() - vec2(0.0, 4.0));
}

/// Windows hold layers by identity: "Save layer as" and the close prompt, left open while the
/// layers are reordered, act on the layer they were opened for.
#[test]
fn save_as_and_the_close_prompt_follow_their_layer_when_layers_move() {
    let maps = scratch_maps();
    let data = tempfile::tempdir().unwrap();
    let mut h = open_project(maps.path(), data.path(), egui::vec2(1280.0, 1300.0));
    let localities = h.state().doc.layers[LOCALITIES].id;
    // "Save layer as" for the localities, then the localities move to the top.
    h.get_by_role_and_label(egui::accesskit::Role::CheckBox, "Localities (2021)")
        .click_secondary();
    h.run();
    h.get_by_label("Save as / export…").click();
    h.run();
    move_layer_to_top(&mut h, "Localities (2021)");
    let moved_to = h.state().doc.index_of(localities).expect("still there");
    assert_ne!(moved_to, LOCALITIES, "the layer did not move");
    let copy = maps.path().join("copy.geojson");
    h.get_by_label("File:").click();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.get_by_label("File:").type_text(copy.to_str().unwrap());
    h.run();
    h.get_by_label("Save").click();
    h.run();
    let saved = read_json(&copy);
    assert_eq!(
        saved["features"].as_array().map(Vec::len),
        Some(6),
        "the window saved another layer than the one it was opened for"
    );

    // The close prompt, for an edit to the localities; they move again while it is open.
    let file = maps.path().join("copy.geojson");
    let before = std::fs::read(&file).unwrap();
    let inside = screen(&h, [106.794, 11.088]);
    click(&mut h, inside);
    assert_eq!(h.state().selection(), Some(at(&h, moved_to, TAN_UYEN)));
    key(&mut h, Key::E);
    let ring = |h: &Harness<'static, CorridorApp>| {
        let li = h.state().doc.index_of(localities).unwrap();
        let f = &h.state().doc.layers[li].features()[TAN_UYEN];
        parts(&f.record_geometry().unwrap().value)[0].points.clone()
    };
    let from = screen(&h, ring(&h)[EAST_VERTEX]);
    drag(&mut h, from, from + vec2(30.0, 0.0));
    let edited = ring(&h);
    request_close(&mut h);
    assert!(h.query_by_label_contains("Unsaved changes in").is_some());
    h.get_by_label_contains("Unsaved changes in: Localities (2021)");
    move_layer_to_top(&mut h, "Wards and communes (2025)");
    h.get_by_label("Save all").click();
    h.run();
    assert!(h.state().quit_confirmed());
    let after = read_json(&file);
    assert_ne!(
        std::fs::read(&file).unwrap(),
        before,
        "the edit was not saved"
    );
    let ring_on_disk = parts(
        &serde_json::from_value::<geojson::Geometry>(
            after["features"][TAN_UYEN]["geometry"].clone(),
        )
        .unwrap()
        .value,
    )[0]
    .points
    .clone();
    assert_eq!(ring_on_disk, edited);
}

/// Steps the app until no save runs in the background (at most 30 s).
fn until_saved(h: &mut Harness<'static, CorridorApp>) {
    let started = std::time::Instant::now();
    while !h.state().saves_running().is_empty() {
        assert!(started.elapsed().as_secs() < 30, "the save never finished");
        std::thread::sleep(std::time::Duration::from_millis(5));
        h.step();
    }
    h.run();
}

fn features_in(file: &Path) -> Vec<String> {
    read_json(file)["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["properties"]["name"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// A large layer saves in the background while the user goes on: an edit made while it saves
/// is not in the file it writes, stays unsaved and journalled, and the next save writes it.
#[test]
fn an_edit_made_during_a_background_save_is_kept_for_the_next() {
    use corridor::app::Command;
    let maps = scratch_maps();
    let data = tempfile::tempdir().unwrap();
    let file = maps.path().join("localities.geojson");
    let names = features_in(&file);
    let mut h = open_with(maps.path(), data.path());
    h.state_mut().save_in_background_from(0);
    let ctx = h.ctx.clone();
    let run = |h: &mut Harness<'static, CorridorApp>, c: Command| {
        h.state_mut().run(&ctx, c, 0.0);
    };
    run(&mut h, Command::StartEditing(Some(LOCALITIES)));
    let first = at(&h, LOCALITIES, 0);
    run(&mut h, Command::Select(Some(first)));
    run(&mut h, Command::DeleteSelected);
    run(&mut h, Command::SaveLayer);
    assert_eq!(
        h.state().saves_running().len(),
        1,
        "the save runs in the background"
    );
    // While it runs, another feature is deleted.
    let second = at(&h, LOCALITIES, 0);
    run(&mut h, Command::Select(Some(second)));
    run(&mut h, Command::DeleteSelected);
    until_saved(&mut h);

    assert_eq!(
        features_in(&file),
        names[1..],
        "the file has the first edit only"
    );
    let layer = &h.state().doc.layers[LOCALITIES];
    assert_eq!(layer.features().len(), names.len() - 2);
    assert!(
        layer.is_dirty(),
        "the edit made while saving is still unsaved"
    );
    let journals = std::fs::read_dir(data.path().join("recovery"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(journals, 1, "and journalled");

    // Undo works across the save, and the next save writes what is there now.
    ctrl(&mut h, Key::Z);
    ctrl(&mut h, Key::Y);
    run(&mut h, Command::SaveLayer);
    until_saved(&mut h);
    assert_eq!(features_in(&file), names[2..]);
    assert!(!h.state().doc.layers[LOCALITIES].is_dirty());
    let journals = std::fs::read_dir(data.path().join("recovery"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(journals, 0, "nothing left to recover");
}
