//! Opening the app in a test harness, with the bundled maps or a scratch copy of them.

// Each test file uses the helpers it needs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use corridor::{AppOptions, CorridorApp};
use egui_kittest::Harness;

/// The bundled maps.
pub fn maps() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("maps")
}

/// A data directory of this app's own, so tests never touch the user's tile cache, and never
/// see each other's recovery files (tests of one binary run side by side).
pub fn scratch_data_dir() -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::env::temp_dir().join(format!("corridor-test-data-{}-{n}", std::process::id()))
}

/// A copy of the bundled maps in a temporary folder, so saving or breaking them cannot touch
/// the real ones.
pub fn scratch_maps() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(maps()).expect("maps/") {
        let path = entry.expect("entry").path();
        if !path.is_file() {
            continue;
        }
        if let Some(name) = path.file_name() {
            std::fs::copy(&path, dir.path().join(name)).expect("copy");
        }
    }
    dir
}

/// The app on `path`, offline, in a window of `size` points, stepping at 60 frames a second.
pub fn open_sized(path: PathBuf, size: egui::Vec2) -> Harness<'static, CorridorApp> {
    let options = AppOptions {
        path,
        offline: true,
        data_dir: Some(scratch_data_dir()),
    };
    Harness::builder()
        .with_size(size)
        .with_step_dt(1.0 / 60.0)
        .with_max_steps(400)
        .build_eframe(move |cc| CorridorApp::new(cc, options))
}

/// The project in `maps`, offline, with its own data directory, in a window of `size` points,
/// stepped until it settles.
pub fn open_project(
    maps: &Path,
    data_dir: &Path,
    size: egui::Vec2,
) -> Harness<'static, CorridorApp> {
    let options = AppOptions {
        path: maps.join("corridor.toml"),
        offline: true,
        data_dir: Some(data_dir.to_owned()),
    };
    let mut h = Harness::builder()
        .with_size(size)
        .with_step_dt(1.0 / 60.0)
        .with_max_steps(400)
        .build_eframe(move |cc| CorridorApp::new(cc, options));
    h.run();
    h
}

/// Where `[lon, lat]` is on screen, as of the last frame.
pub fn screen(h: &Harness<'static, CorridorApp>, lonlat: [f64; 2]) -> egui::Pos2 {
    let t = h.state().map.transform.expect("the map has been drawn");
    t.screen_from_world(corridor::geometry::mercator_from_lonlat(
        lonlat[0], lonlat[1],
    ))
}

/// A click with the primary button at `at`.
pub fn click(h: &mut Harness<'static, CorridorApp>, at: egui::Pos2) {
    h.hover_at(at);
    h.step();
    h.drag_at(at);
    h.drop_at(at);
    h.run();
}

/// A real drag: press, move in steps past egui's drag threshold, release.
pub fn drag(h: &mut Harness<'static, CorridorApp>, from: egui::Pos2, to: egui::Pos2) {
    h.hover_at(from);
    h.step();
    h.drag_at(from);
    h.step();
    for k in 1..=8 {
        h.hover_at(from + (to - from) * (k as f32 / 8.0));
        h.step();
    }
    h.drop_at(to);
    h.run();
}

/// The text field labelled `key` (the attribute form's; other panels show the key as text).
pub fn field<'a>(h: &'a Harness<'static, CorridorApp>, key: &'a str) -> egui_kittest::Node<'a> {
    use egui_kittest::kittest::{NodeT, Queryable};
    h.get_all_by_label(key)
        .find(|n| n.accesskit_node().role() == egui::accesskit::Role::TextInput)
        .unwrap_or_else(|| panic!("no field for {key}"))
}

/// Asks the window to close, as its close button does.
pub fn request_close(h: &mut Harness<'static, CorridorApp>) {
    h.input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    h.run();
}

/// Opens the app's windows in turn, each staying open as the next opens: the feature panel,
/// the attribute table, style, measuring, help, About, the story editor, the editing panel,
/// PostGIS, Save as, problems, the offline area, the add-provider form and the bookmarks.
/// `look` is called after each with its name.
pub fn open_every_window(
    h: &mut Harness<'static, CorridorApp>,
    look: &mut dyn FnMut(&mut Harness<'static, CorridorApp>, &str),
) {
    use corridor::app::Command;
    let ctx = h.ctx.clone();
    let first = h.state().doc.layers[0].ref_at(0);
    h.state_mut().run(&ctx, Command::Select(first), 0.0);
    look(h, "feature panel");
    let layers = h.state().doc.layers.len();
    for (what, command) in [
        ("attribute table", Command::OpenTable(0)),
        ("style window", Command::OpenStyle(0)),
        ("measuring", Command::ToggleMeasure),
        ("help", Command::ToggleHelp),
        ("about", Command::ShowAbout),
        ("story editor", Command::EditStory),
        ("editing", Command::StartEditing(Some(layers - 1))),
        ("PostGIS", Command::AddPostgisLayer),
        ("save as", Command::SaveLayerAs(Some(0))),
        ("problems", Command::ShowProblems),
    ] {
        h.state_mut().run(&ctx, command, 0.0);
        look(h, what);
    }
    h.state_mut().offline.open = true;
    look(h, "offline area window");
    h.state_mut().provider_form.open = true;
    look(h, "add-provider window");
    h.state_mut().persisted.panels.bookmarks = true;
    look(h, "bookmarks");
}
