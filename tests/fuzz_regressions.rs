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
