//! Inputs that once found a bug (by fuzzing with `scripts/fuzz.sh`, or by hand), replayed
//! through exactly the code each fuzz target runs: none may panic or hang again.

use std::path::Path;
use std::time::Duration;

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(target);
    let mut count = 0;
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    for path in files {
        let data = std::fs::read(&path).expect("input");
        let (tx, rx) = std::sync::mpsc::channel();
        let handle = std::thread::spawn(move || {
            run(&data);
            let _ = tx.send(());
        });
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(()) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                panic!("{}: hung", path.display())
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                panic!("{}: panicked", path.display())
            }
        }
        let _ = handle.join();
        count += 1;
    }
    count
}

#[test]
fn geojson_inputs_that_found_bugs() {
    assert!(replay("geojson_load", corridor::fuzzing::geojson_load) >= 4);
}

#[test]
fn project_and_story_inputs_that_found_bugs() {
    assert!(replay("project_parse", corridor::fuzzing::project_parse) >= 2);
}

#[test]
fn mbtiles_inputs_that_found_bugs() {
    assert!(replay("mbtiles_read", corridor::fuzzing::mbtiles_read) >= 2);
}

/// One small file of each format Corridor reads through GDAL (made with `ogr2ogr` from a shared
/// ward; the seeds of the `ogr_read` target), and what fuzzing it found: each opens, draws and
/// exports without a panic.
#[test]
fn planners_file_inputs_open_without_a_panic() {
    assert!(replay("ogr_read", corridor::fuzzing::ogr_read) >= 10);
}

#[test]
fn legacy_text_inputs_decode_without_a_panic() {
    assert!(replay("vn_text", corridor::fuzzing::vn_text) >= 1);
}

/// The seeds are real files of their format: each opens with its features (else the fuzzer
/// would start from nothing).
#[test]
fn each_planners_file_seed_opens_with_its_features() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions/ogr_read");
    for (ext, _) in corridor::fuzzing::OGR_KINDS {
        let seed = dir.join(format!("seed-{ext}"));
        let data = std::fs::read(&seed).unwrap_or_else(|e| panic!("{}: {e}", seed.display()));
        let tmp = tempfile::tempdir().expect("temp dir");
        let path = corridor::fuzzing::write_ogr_input(&data, tmp.path()).expect("written");
        assert!(
            path.extension().is_some_and(|e| e == *ext),
            "seed-{ext}: its first byte picks {}",
            path.display()
        );
        let read = corridor::io::ogr_file::read_ogr(&path, &Default::default())
            .unwrap_or_else(|e| panic!("seed-{ext}: {e}"));
        assert!(!read.features.is_empty(), "seed-{ext}: no features");
    }
}
