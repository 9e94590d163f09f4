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
    let visibility: Vec<bool> = h.state().doc.layers.iter().map(|l| l.visible).collect();
    h.key_press(egui::Key::F5);
    h.run();
    assert!(h.state().presenter.active, "F5 starts presenting");
    assert_eq!(h.state().presenter.slide, 0);
    h.get_by_label("The Bình Dương innovation district");
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
    assert_eq!(
        h.state()
            .doc
            .layers
            .iter()
            .map(|l| l.visible)
            .collect::<Vec<_>>(),
        visibility,
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
    h.get_by_label("1. 院校区");
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

#[test]
fn every_slide_renders_in_all_three_languages() {
    // egui_kittest fails a test on any character the bundled fonts cannot draw.
    let mut h = open(maps().join("corridor.toml"));
    h.run();
    h.key_press(egui::Key::F5);
    h.run();
    for _ in 0..3 {
        h.key_press(egui::Key::L);
        h.run_steps(2);
        for _ in 0..slide_count(&h) {
            h.key_press(egui::Key::PageDown);
            h.run_steps(2);
        }
        h.key_press(egui::Key::Home);
        h.run_steps(2);
    }
}

fn corridor_bin() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_corridor"))
}

fn png(path: &std::path::Path) -> image::RgbaImage {
    image::open(path).expect("a PNG").to_rgba8()
}

#[test]
fn a_slide_exports_headless_as_a_png_of_the_requested_size_with_its_overlays() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("slide2.png");
    let run = corridor_bin()
        .arg("export")
        .arg(maps().join("corridor.toml"))
        .args(["--slide", "2", "--size", "960x540", "--lang", "zh", "--out"])
        .arg(&out)
        .output()
        .expect("run corridor export");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let img = png(&out);
    assert_eq!(img.dimensions(), (960, 540));
    // The slide box is white at the top left; the highlighted localities glow yellow; and the
    // map has many colours, not a blank image.
    let p = img.get_pixel(40, 40).0;
    assert!(
        p[0] > 230 && p[1] > 230 && p[2] > 230,
        "slide box at the top left: {p:?}"
    );
    let yellow = img
        .pixels()
        .filter(|p| p.0[0] > 240 && (180..=215).contains(&p.0[1]) && p.0[2] < 40)
        .count();
    assert!(yellow > 500, "highlighted outlines: {yellow} yellow pixels");
    let colours: std::collections::HashSet<[u8; 4]> = img.pixels().map(|p| p.0).collect();
    assert!(colours.len() > 200, "{} colours", colours.len());

    // 2× for print: the same layout with twice the pixels.
    let big = dir.path().join("view.png");
    let run = corridor_bin()
        .arg("export")
        .arg(maps().join("corridor.toml"))
        .args(["--size", "1280x720", "--scale", "2", "--out"])
        .arg(&big)
        .output()
        .expect("run corridor export");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let big = png(&big);
    assert_eq!(big.dimensions(), (1280, 720));
    // A figure, not a screenshot of the window: the title box where the menu bar would be.
    let p = big.get_pixel(60, 60).0;
    assert!(
        p[0] > 230 && p[1] > 230 && p[2] > 230,
        "title box at the top left: {p:?}"
    );
}

#[test]
fn every_slide_exports_as_numbered_pngs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = corridor_bin()
        .arg("export")
        .arg(maps().join("corridor.toml"))
        .args(["--all-slides", "--size", "320x180", "--out-dir"])
        .arg(dir.path())
        .output()
        .expect("run corridor export");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let count = corridor::io::load_document(&maps().join("corridor.toml"))
        .story
        .map_or(0, |(s, _)| s.slides.len());
    for i in 1..=count {
        let f = dir.path().join(format!("slide-{i:02}.png"));
        assert_eq!(png(&f).dimensions(), (320, 180), "{}", f.display());
    }
    // Asking for a slide that does not exist says so.
    let run = corridor_bin()
        .arg("export")
        .arg(maps().join("corridor.toml"))
        .args(["--slide", "99", "--out"])
        .arg(dir.path().join("x.png"))
        .output()
        .expect("run corridor export");
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("slide 99 does not exist"));
}

#[test]
fn the_bundled_fonts_draw_every_interface_text() {
    // egui_kittest fails on any character the installed fonts cannot draw.
    let mut h = Harness::builder()
        .with_context_setup(corridor::ui::fonts::install_fonts)
        .build_ui(|ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                for (en, vi, zh) in corridor::ui::i18n::all_texts() {
                    ui.label(*en);
                    ui.label(*vi);
                    ui.label(*zh);
                }
            });
        });
    h.run();
}

/// Every slide, at three window shapes: once the camera has landed, the features the slide is
/// about lie inside the map and clear of the slide box, the slide number and the legend.
#[test]
fn every_slide_frames_its_features_clear_of_the_boxes_at_any_window_shape() {
    for size in [
        egui::vec2(1920.0, 1080.0),
        egui::vec2(1024.0, 768.0),
        egui::vec2(800.0, 1200.0),
    ] {
        let mut h = open_sized(maps().join("corridor.toml"), size);
        h.run();
        h.key_press(egui::Key::F5);
        h.run();
        let count = slide_count(&h);
        for i in 0..count {
            if i > 0 {
                h.key_press(egui::Key::PageDown);
            }
            h.run();
            let app = h.state();
            assert_eq!(app.presenter.slide, i);
            let slide = app.doc.story.as_ref().expect("story").0.slides[i].clone();
            let t = app.map.transform.expect("map drawn");
            let mut on_screen = egui::Rect::NOTHING;
            for id in &slide.fit {
                let r = app.doc.feature_by_id(id).expect("fit feature exists");
                let b = app.feature_box(r).expect("it has a shape");
                on_screen = on_screen.union(egui::Rect::from_two_pos(
                    t.screen_from_world(b.min),
                    t.screen_from_world(b.max),
                ));
            }
            if slide.fit.is_empty() {
                continue;
            }
            let title = slide.title.get(corridor::model::Lang::En).to_owned();
            assert!(
                t.rect.expand(1.0).contains_rect(on_screen),
                "{size:?}, slide {} ({title}): {on_screen:?} leaves the map {:?}",
                i + 1,
                t.rect
            );
            for (what, r) in [
                ("slide box", app.presenter.slide_box_rect),
                ("slide number", app.presenter.number_rect),
                ("legend", app.presenter.legend_rect),
            ] {
                let r = r.expect("drawn");
                assert!(
                    !r.intersects(on_screen.shrink(1.0)),
                    "{size:?}, slide {} ({title}): the {what} {r:?} covers the features {on_screen:?}",
                    i + 1
                );
            }
        }
    }
}

#[test]
fn w_whites_out_and_the_pointer_hides_after_two_seconds() {
    let mut h = open(maps().join("corridor.toml"));
    h.run();
    h.key_press(egui::Key::F5);
    h.run();
    h.key_press(egui::Key::W);
    h.run();
    assert!(h.state().presenter.white, "W whites out");
    h.key_press(egui::Key::B);
    h.run();
    assert!(
        h.state().presenter.blank && !h.state().presenter.white,
        "B blanks instead"
    );
    h.key_press(egui::Key::B);
    h.run();
    assert!(!h.state().presenter.blank && !h.state().presenter.white);

    h.hover_at(egui::pos2(640.0, 400.0));
    h.step();
    assert_ne!(
        h.output().platform_output.cursor_icon,
        egui::CursorIcon::None,
        "shown while it moves"
    );
    for _ in 0..150 {
        h.step();
    }
    assert_eq!(
        h.output().platform_output.cursor_icon,
        egui::CursorIcon::None,
        "hidden after two seconds still"
    );
}
