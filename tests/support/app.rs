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

/// A data directory of this test run's own, so tests never touch the user's tile cache.
pub fn scratch_data_dir() -> PathBuf {
    std::env::temp_dir().join(format!("corridor-test-data-{}", std::process::id()))
}

/// A copy of the bundled maps in a temporary folder, so saving or breaking them cannot touch
/// the real ones.
pub fn scratch_maps() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(maps()).expect("maps/") {
        let path = entry.expect("entry").path();
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
