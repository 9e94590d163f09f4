//! Presenting the story as a presenter would: F5, the clicker's keys, blanking, the language
//! switch, and editing the story.

mod support {
    pub mod app;
}

use corridor::CorridorApp;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use support::app::{maps, open_sized, scratch_maps};

fn open(path: std::path::PathBuf) -> Harness<'static, CorridorApp> {
    open_sized(path, egui::vec2(1280.0, 800.0))
}

fn slide_count(h: &Harness<'static, CorridorApp>) -> usize {
    h.state()
        .doc
        .story
        .as_ref()
        .map_or(0, |(s, _)| s.slides.len())
}

#[test]
fn f5_presents_page_down_flies_to_slide_two_b_blanks_escape_ends() {
    let mut h = open(maps().join("corridor.toml"));
    h.run();
    assert!(slide_count(&h) >= 10, "the bundled story has its slides");
    h.key_press(egui::Key::F5);
    h.run();
    assert!(h.state().presenter.active, "F5 starts presenting");
    assert_eq!(h.state().presenter.slide, 0);
    h.get_by_label("The Bình Dương innovation corridor");
    assert!(h.query_by_label("Sub-areas").is_none(), "panels are hidden");

    h.key_press(egui::Key::PageDown);
    h.run_steps(3);
    assert!(h.state().map.is_flying(), "the camera flies between slides");
    h.run();
    let app = h.state();
    assert_eq!(app.presenter.slide, 1);
    let slide = app
        .doc
        .story
        .as_ref()
        .map(|(s, _)| s.slides[1].clone())
        .expect("slide 2");
    let want = app.slide_camera(&slide).expect("slide 2 has a view");
    let got = app.map.camera();
    assert!((got.zoom - want.zoom).abs() < 0.05, "{got:?} vs {want:?}");
    assert!(
        (got.center[0] - want.center[0]).abs() < 1e-5
            && (got.center[1] - want.center[1]).abs() < 1e-5
    );
    h.get_by_label("Six localities");
    h.get_by_label_contains("2 / ");

    h.key_press(egui::Key::B);
    h.run();
    assert!(h.state().presenter.blank, "B blanks the screen");
    h.key_press(egui::Key::Period);
    h.run();
    assert!(!h.state().presenter.blank, ". brings it back");

    h.key_press(egui::Key::End);
    h.run();
    assert_eq!(h.state().presenter.slide, slide_count(&h) - 1);
    h.key_press(egui::Key::Home);
    h.run();
    assert_eq!(h.state().presenter.slide, 0);

    h.key_press(egui::Key::Escape);
    h.run();
    assert!(!h.state().presenter.active, "Escape ends");
    h.get_by_label("Sub-areas");
    assert!(
        h.state().doc.layers.iter().all(|l| l.visible),
        "layer visibility is restored"
    );
}

#[test]
fn l_switches_the_slide_language_while_presenting() {
    let mut h = open(maps().join("corridor.toml"));
    h.run();
    h.key_press(egui::Key::F5);
    h.run();
    h.key_press(egui::Key::PageDown);
    h.run();
    h.get_by_label("Six localities");
    h.key_press(egui::Key::L);
    h.run();
    h.get_by_label("六个地方");
    h.key_press(egui::Key::L);
    h.run();
    h.get_by_label("Sáu địa phương");
}

#[test]
fn the_language_menu_switches_panels_and_names() {
    let mut h = open(maps().join("corridor.toml"));
    h.run();
    h.get_by_label("Language").click();
    h.run();
    h.get_by_label("中文").click();
    h.run();
    h.get_by_label("图层");
    h.get_by_label("分区");
    h.get_by_label("1. 学院区");
    h.get_by_label("语言").click();
    h.run();
    h.get_by_label("Tiếng Việt").click();
    h.run();
    h.get_by_label("Lớp");
    h.get_by_label("1. Khu học viện");
}

#[test]
fn slides_are_added_reordered_deleted_and_saved() {
    let dir = scratch_maps();
    let project = dir.path().join("corridor.toml");
    let mut h = open(project);
    h.run();
    let before = slide_count(&h);
    h.get_by_label("Story").click();
    h.run();
    h.get_by_label("Edit story…").click();
    h.run();
    h.get_by_label("Add current view as slide").click();
    h.run();
    assert_eq!(slide_count(&h), before + 1);
    h.get_by_label("Move up").click();
    h.run();
    h.get_by_label("Delete slide").click();
    h.run();
    assert_eq!(slide_count(&h), before);
    h.get_by_label("Add current view as slide").click();
    h.run();
    h.get_by_label("Save story").click();
    h.run();
    let saved =
        corridor::io::story_file::read_story(&dir.path().join("story.toml")).expect("story saved");
    assert_eq!(saved.slides.len(), before + 1);
    assert!(
        dir.path().join("story.toml.bak").exists(),
        "the previous story is kept"
    );
}
