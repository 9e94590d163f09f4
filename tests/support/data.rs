//! The shared test data beside the project (`../shared/data`), walked in a stable order.

// Each test file uses the helpers it needs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// `../shared/data`, relative to the project root.
pub fn shared_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data")
}

/// Every `.geojson` and `.json` file under `dir`, sorted, appended to `out`.
pub fn geojson_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            geojson_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "geojson" || e == "json") {
            out.push(p);
        }
    }
}
