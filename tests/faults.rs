//! Faults we inject ourselves: a save killed with SIGKILL at random moments, a full disk and a
//! read-only target behind the writer, and a tile server failing ten thousand times.

mod support {
    pub mod app;
}

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use corridor::io::atomic::{Stage, backup_path, inject_fault, write_atomic};
use egui::Key;
use egui_kittest::kittest::Queryable;

/// A version of the saved file: its number, padded to a few megabytes so a kill often lands
/// in the middle of writing it.
fn version(n: u64) -> Vec<u8> {
    let pad = "x".repeat(3 << 20);
    format!("{{\"version\":{n},\"pad\":\"{pad}\"}}\n").into_bytes()
}

fn version_of(bytes: &[u8]) -> Result<u64, String> {
    let v: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not a whole version: {e}"))?;
    v["version"]
        .as_u64()
        .filter(|_| v["pad"].as_str().map(str::len) == Some(3 << 20))
        .ok_or_else(|| "a version without its padding".to_owned())
}

/// The child: saves version after version until it is killed.
#[test]
#[ignore = "run as a child process by a_save_killed_at_any_moment_leaves_old_or_new"]
fn save_child() {
    let Some(target) = std::env::var_os("CORRIDOR_SAVE_TARGET") else {
        return;
    };
    let target = Path::new(&target);
    let mut n = version_of(&std::fs::read(target).expect("target")).expect("version");
    loop {
        n += 1;
        write_atomic(target, &version(n)).expect("save");
        println!("SAVED {n}");
    }
}

#[test]
fn a_save_killed_at_any_moment_leaves_old_or_new() {
    let exe = std::env::current_exe().expect("test binary");
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("zones.geojson");
    std::fs::write(&target, version(0)).expect("first version");
    let rounds = 100;
    let started = Instant::now();
    for round in 0..rounds {
        let mut child = Command::new(&exe)
            .args([
                "save_child",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("CORRIDOR_SAVE_TARGET", &target)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("child");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let mut last = None;
        // Wait for a save or two, then kill at a moment that varies with the round.
        let wait_for = 1 + round % 3;
        for line in lines.by_ref() {
            if let Some(n) = line.expect("line").strip_prefix("SAVED ") {
                last = n.parse::<u64>().ok();
                if last.is_some_and(|l| l % 3 == wait_for as u64 % 3) {
                    break;
                }
            }
        }
        std::thread::sleep(Duration::from_micros((round as u64 * 7919) % 25_000));
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        for line in lines.map_while(Result::ok) {
            if let Some(n) = line.strip_prefix("SAVED ") {
                last = n.parse::<u64>().ok();
            }
        }
        let last = last.expect("the child saved");
        let on_disk = version_of(&std::fs::read(&target).expect("target"))
            .unwrap_or_else(|e| panic!("round {round}: the file: {e}"));
        assert!(
            on_disk == last || on_disk == last + 1,
            "round {round}: file holds version {on_disk}, last saved {last}"
        );
        let backup = version_of(&std::fs::read(backup_path(&target)).expect("backup"))
            .unwrap_or_else(|e| panic!("round {round}: the backup: {e}"));
        // A kill between the backup and the rename leaves both on the same version.
        assert!(
            backup <= on_disk,
            "round {round}: backup {backup}, file {on_disk}"
        );
    }
    eprintln!(
        "{rounds} saves killed with SIGKILL in {:.1} s: the file was always a whole version",
        started.elapsed().as_secs_f64()
    );
    // Temporary files a kill left behind are the only trace; the file itself is whole.
    let strays = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".corridor-"))
        .count();
    eprintln!("{strays} temporary files left by the kills");
}

#[test]
fn a_full_disk_or_read_only_target_leaves_the_original_untouched() {
    use std::io::ErrorKind::{PermissionDenied, ReadOnlyFilesystem, StorageFull};
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("zones.geojson");
    for stage in [
        Stage::Create,
        Stage::Write,
        Stage::Sync,
        Stage::Backup,
        Stage::Rename,
    ] {
        for kind in [StorageFull, PermissionDenied, ReadOnlyFilesystem] {
            std::fs::write(&target, b"original").expect("original");
            std::fs::write(backup_path(&target), b"previous").expect("backup");
            inject_fault(Some((stage, kind)));
            let err = write_atomic(&target, b"new version").expect_err("a fault");
            inject_fault(None);
            let text = err.to_string();
            assert!(text.contains("The file on disk is unchanged"), "{text}");
            let hint = if kind == StorageFull {
                "The disk is full"
            } else {
                "read-only"
            };
            assert!(text.contains(hint), "{stage:?} {kind:?}: {text}");
            assert_eq!(std::fs::read(&target).expect("target"), b"original");
            // Once the backup step is done it holds the original; before, the older one.
            let expected: &[u8] = if stage == Stage::Rename {
                b"original"
            } else {
                b"previous"
            };
            assert_eq!(
                std::fs::read(backup_path(&target)).expect("backup"),
                expected,
                "{stage:?}: the backup is whole"
            );
            let strays: Vec<_> = std::fs::read_dir(dir.path())
                .expect("dir")
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with(".corridor-"))
                .collect();
            assert!(
                strays.is_empty(),
                "{stage:?}: temporary files left: {strays:?}"
            );
        }
    }
}

#[test]
fn the_app_keeps_the_edits_when_the_disk_is_full() {
    let maps = support::app::scratch_maps();
    let data = tempfile::tempdir().expect("temp dir");
    let file = maps.path().join("localities.geojson");
    let original = std::fs::read(&file).expect("file");
    let mut h = support::app::open_project(maps.path(), data.path(), egui::vec2(1280.0, 900.0));
    // Select Tân Uyên, edit its name in the form.
    let inside = support::app::screen(&h, [106.794, 11.088]);
    support::app::click(&mut h, inside);
    h.key_press(Key::E);
    h.run();
    support::app::field(&h, "name").click();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::A);
    support::app::field(&h, "name").type_text("Tân Uyên (sửa)");
    h.run();
    h.key_press(Key::Tab);
    h.run();
    assert!(h.state().doc.layers[0].is_dirty());

    inject_fault(Some((Stage::Write, std::io::ErrorKind::StorageFull)));
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::S);
    h.run();
    inject_fault(None);
    assert!(h.query_by_label_contains("The disk is full").is_some());
    assert_eq!(std::fs::read(&file).expect("file"), original);
    assert!(
        h.state().doc.layers[0].is_dirty(),
        "the edit is still in memory"
    );
    assert_eq!(
        h.state().doc.layers[0].features()[3].display_name(),
        "Tân Uyên (sửa)"
    );
    // Space freed: the same save goes through.
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::S);
    h.run();
    assert!(!h.state().doc.layers[0].is_dirty());
    assert!(
        String::from_utf8_lossy(&std::fs::read(&file).expect("file")).contains("Tân Uyên (sửa)")
    );
}
