//! The project's own changes (layer order and visibility, styles, bookmarks, the story) have an
//! unsaved state: closing the window lists them by kind with Save all / Discard / Cancel, and a
//! crash leaves them in a recovery file that the next start offers back.

mod support {
    pub mod app;
}

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use support::app::{open_project, request_close, scratch_maps};

use corridor::CorridorApp;

const WINDOW: egui::Vec2 = egui::vec2(1280.0, 1300.0);

/// A second of frames, so the app's twice-a-second work runs.
fn a_second(h: &mut Harness<'static, CorridorApp>) {
    for _ in 0..70 {
        h.step();
    }
}

fn visible(h: &Harness<'static, CorridorApp>, name: &str) -> bool {
    h.state()
        .doc
        .layers
        .iter()
        .find(|l| l.name == name)
        .map(|l| l.visible)
        .expect("the layer")
}

#[test]
fn hiding_a_layer_is_unsaved_and_save_all_writes_the_project() {
    let maps = scratch_maps();
    let data = tempfile::tempdir().expect("temp dir");
    let mut h = open_project(maps.path(), data.path(), WINDOW);
    assert!(
        h.state().unsaved_project().is_empty(),
        "nothing changed yet"
    );
    h.get_by_role_and_label(Role::CheckBox, "Key places")
        .click();
    h.run();
    assert!(!visible(&h, "Key places"));
    request_close(&mut h);
    assert!(!h.state().quit_confirmed(), "closed without asking");
    h.get_by_label_contains("the project's layer order and visibility");
    h.get_by_label("Save all").click();
    h.run();
    assert!(h.state().quit_confirmed());
    let doc = corridor::io::load_document(&maps.path().join("corridor.toml"));
    let key_places = doc
        .layers
        .iter()
        .find(|l| l.name == "Key places")
        .expect("the layer");
    assert!(!key_places.visible, "the project file says it is hidden");
}

#[test]
fn a_new_slide_is_unsaved_and_discard_leaves_the_story_file_as_it_was() {
    let maps = scratch_maps();
    let data = tempfile::tempdir().expect("temp dir");
    let story_file = maps.path().join("story.toml");
    let before = std::fs::read(&story_file).expect("the bundled story");
    let mut h = open_project(maps.path(), data.path(), WINDOW);
    h.get_by_label("Story").click();
    h.run();
    h.get_by_label("Edit story…").click();
    h.run();
    h.get_by_label("Add current view as slide").click();
    h.run();
    a_second(&mut h);
    request_close(&mut h);
    h.get_by_label_contains("the project's story");
    h.get_by_label("Discard").click();
    h.run();
    assert!(h.state().quit_confirmed());
    assert_eq!(std::fs::read(&story_file).expect("story"), before);
    // Discarded means discarded: the next start offers nothing back.
    drop(h);
    let h = open_project(maps.path(), data.path(), WINDOW);
    assert!(
        h.query_by_label("Restore project changes").is_none(),
        "a discarded change was offered back"
    );
}

#[test]
fn after_a_crash_the_next_start_offers_the_project_changes_back() {
    let maps = scratch_maps();
    let data = tempfile::tempdir().expect("temp dir");
    let mut h = open_project(maps.path(), data.path(), WINDOW);
    h.get_by_role_and_label(Role::CheckBox, "Key places")
        .click();
    h.run();
    a_second(&mut h);
    // The app ends without closing: a crash, as far as it can tell.
    drop(h);
    let mut h = open_project(maps.path(), data.path(), WINDOW);
    assert!(
        visible(&h, "Key places"),
        "the project file was not written"
    );
    h.get_by_label_contains("changes to layer order and visibility were saved");
    h.get_by_label("Restore project changes").click();
    h.run();
    assert!(!visible(&h, "Key places"), "restored");
    assert!(
        !h.state().unsaved_project().is_empty(),
        "restored, not saved"
    );
}

/// A file opened on its own (no project) is not a change to save: closing asks nothing.
#[test]
fn a_file_opened_without_a_project_closes_without_a_question() {
    let maps = scratch_maps();
    let mut h = support::app::open_sized(
        maps.path().join("localities.geojson"),
        egui::vec2(1280.0, 900.0),
    );
    let start = std::time::Instant::now();
    while h.state().loading() > 0 && start.elapsed() < std::time::Duration::from_secs(30) {
        h.step();
    }
    h.run();
    assert_eq!(h.state().doc.layers.len(), 1);
    assert!(
        h.state().unsaved_project().is_empty(),
        "{:?}",
        h.state().unsaved_project()
    );
    request_close(&mut h);
    assert!(
        h.state().quit_confirmed(),
        "asked about a file merely opened"
    );
}
