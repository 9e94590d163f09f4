//! `corridor bench-frames` measures what it says: a real layer, the fixed camera path, ordered
//! percentiles, and key=value lines a script can read.

/// A bundled layer small enough for a test.
fn localities() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("maps/localities.geojson")
}

/// What `corridor bench-frames --frames FRAMES` printed on [`localities`], with `settings` as
/// its only `CORRIDOR_BENCH_*` and `CORRIDOR_MAP_MESHES` settings; fails the test if it failed.
fn bench_frames(frames: &str, settings: &[(&str, &str)]) -> String {
    bench_frames_on(&localities(), frames, settings)
}

/// [`bench_frames`] on `file`.
fn bench_frames_on(file: &std::path::Path, frames: &str, settings: &[(&str, &str)]) -> String {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_corridor"));
    command.args(["bench-frames", "--frames", frames]).arg(file);
    for key in [
        "CORRIDOR_BENCH_PREPARE",
        "CORRIDOR_BENCH_RENDER",
        "CORRIDOR_MAP_MESHES",
    ] {
        command.env_remove(key);
    }
    let out = command
        .envs(settings.iter().copied())
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

#[test]
fn bench_frames_runs_the_camera_path_on_a_real_layer() {
    let file = localities();
    let text = bench_frames("30", &[]);
    let get = |key: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap_or_else(|| panic!("no {key} in {text}"))
            .parse()
            .expect("a number")
    };
    // The layer was read whole, the path flown, the drag edited the feature (else it measured
    // nothing), and what the save wrote reads back with every feature.
    assert_eq!(get("features"), 6.0);
    assert_eq!(get("frames"), 30.0);
    assert!(get("vertices") > 50.0);
    assert_eq!(
        get("drag_frames"),
        63.0,
        "the drag did not edit the feature"
    );
    assert_eq!(get("saved_features"), 6.0);
    // The parse floor is measured on the same file, and the ratios are the figures' own.
    let size = std::fs::metadata(&file).expect("file").len() as f64 / (1024.0 * 1024.0);
    assert!((get("file_mib") - size).abs() < 0.06, "file_mib");
    let floor = get("parse_floor_s");
    assert!(
        floor > 0.0 && floor < get("first_frame_s"),
        "parse floor {floor}"
    );
    let ratio = get("first_frame_over_parse_floor");
    assert!((ratio - get("first_frame_s") / floor).abs() / ratio < 0.05);
    assert!(
        get("peak_rss_over_file") > 1.0,
        "an app holds more than a 2 MB file"
    );
}

/// With `CORRIDOR_BENCH_PREPARE`, each frame's buffers go to a real device (lavapipe here)
/// through the map's pipelines, as in the window.
#[test]
fn bench_frames_can_write_each_frame_to_the_gpu_through_the_map_pipelines() {
    let text = bench_frames("10", &[("CORRIDOR_BENCH_PREPARE", "1")]);
    assert!(
        text.lines()
            .any(|l| l == "frames_made=prepared, map pipelines"),
        "{text}"
    );
    assert!(text.lines().any(|l| l == "frames=10"), "{text}");
}

/// With no device, frames are batched for the map's pipelines as in the window (and staged as
/// its renderer would write them), unless `CORRIDOR_MAP_MESHES` asks for the egui-mesh fallback.
#[test]
fn bench_frames_without_a_device_batches_as_the_window_does_unless_meshes_are_asked_for() {
    // Three small squares: the run's drag checks each edit's validity, which on the real
    // boundaries takes minutes in a debug build.
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("squares.geojson");
    let square = |x: f64| {
        format!(
            r#"{{"type":"Feature","properties":{{"name":"{x}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},11.0],[{x1},11.0],[{x1},11.01],[{x},11.01],[{x},11.0]]]}}}}"#,
            x1 = x + 0.01
        )
    };
    std::fs::write(
        &file,
        format!(
            r#"{{"type":"FeatureCollection","features":[{},{},{}]}}"#,
            square(106.6),
            square(106.62),
            square(106.64)
        ),
    )
    .expect("write the layer");
    let staged_bytes = |text: &str| -> usize {
        text.lines()
            .find_map(|l| l.strip_prefix("map_staged_bytes_max="))
            .unwrap_or_else(|| panic!("no map_staged_bytes_max in {text}"))
            .parse()
            .expect("a count")
    };
    let staged = bench_frames_on(&file, "5", &[]);
    assert!(
        staged
            .lines()
            .any(|l| l == "frames_made=cpu, map pipelines staged"),
        "{staged}"
    );
    // Three squares' fills and outlines, at least: 3 × (4 vertices of 12 bytes, 6 indices of
    // 4, 5 outline points of 16: the first again at the end).
    assert!(staged_bytes(&staged) >= 3 * (48 + 24 + 80), "{staged}");
    let meshes = bench_frames_on(&file, "5", &[("CORRIDOR_MAP_MESHES", "1")]);
    assert!(
        meshes.lines().any(|l| l == "frames_made=cpu, egui meshes"),
        "{meshes}"
    );
    assert_eq!(staged_bytes(&meshes), 0, "{meshes}");
}

#[test]
fn the_camera_path_zooms_from_8_to_16_then_pans() {
    let mut extent = corridor::geometry::MercatorBox::EMPTY;
    extent.extend([0.79, 0.46]);
    extent.extend([0.80, 0.47]);
    let path = corridor::bench_frames::camera_path(&extent, 300);
    assert_eq!(path.len(), 300);
    assert_eq!(path[0].zoom, 8.0);
    assert!(path[199].zoom > 15.9);
    assert!(path[200..].iter().all(|c| c.zoom == 12.0));
    assert!(path[299].center[0] > path[200].center[0], "pans across");
}

/// A layer taken down the large layer's path (`CORRIDOR_DEFER_ABOVE_VERTICES`): the first view
/// draws most features as dots from their boxes, and with the map standing still the rest of
/// each is made (`CORRIDOR_BENCH_STILL`), within the bench's two minutes, and the run then
/// goes on as with any layer.
#[test]
fn a_first_view_of_dots_is_made_whole_while_the_map_stands_still() {
    // 60 × 60 squares 22 m across, 0.02° apart: about a point each when the window frames them.
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("dots.geojson");
    let mut features = Vec::new();
    for i in 0..60 {
        for j in 0..60 {
            let (x, y) = (106.0 + f64::from(i) * 0.02, 10.5 + f64::from(j) * 0.02);
            features.push(format!(
                r#"{{"type":"Feature","properties":{{"name":"{i}-{j}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},{y}],[{x1},{y}],[{x1},{y1}],[{x},{y1}],[{x},{y}]]]}}}}"#,
                x1 = x + 0.0002,
                y1 = y + 0.0002,
            ));
        }
    }
    std::fs::write(
        &file,
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",")
        ),
    )
    .expect("write the layer");
    let text = bench_frames_on(
        &file,
        "10",
        &[
            ("CORRIDOR_DEFER_ABOVE_VERTICES", "0"),
            ("CORRIDOR_BENCH_STILL", "1"),
        ],
    );
    let get = |key: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap_or_else(|| panic!("no {key} in {text}"))
            .parse()
            .expect("a number")
    };
    assert!(get("first_view_dots") > 3_000.0, "{text}");
    let still = get("still_s");
    assert!(still > 0.0 && still < 120.0, "{text}");
    assert_eq!(get("saved_features"), 3_600.0, "{text}");
    assert_eq!(
        get("drag_frames"),
        63.0,
        "the drag did not edit the feature: {text}"
    );
}
