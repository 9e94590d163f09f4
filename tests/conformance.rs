//! Every file others wrote: each valid one loads and draws, each broken one is refused with a
//! message that says what and where, and nothing panics, hangs or silently loses features. The
//! verdicts go into a table (`conformance.md` in Cargo's test temp dir, and printed).
//!
//! Also the cases people send (BOM, Z, `crs`, out-of-range coordinates, the antimeridian, empty
//! and null geometries, duplicate ids, nested properties, GeometryCollections, bare roots, text
//! sequences), hostile input (deep nesting, a 2 GB file, limits), and `corridor validate`.

mod support {
    pub mod data;
}

use std::path::{Path, PathBuf};
use std::time::Duration;
use support::data::{geojson_files, shared_data};

use corridor::geometry::MercatorBox;
use corridor::io::geojson_file::{Limits, parse_geojson_with, read_geojson_with};
use corridor::io::{geojson_bytes, parse_geojson, read_geojson};
use corridor::model::{Layer, LayerStyle};
use corridor::render::{LayerRender, ScreenTransform, paint_layer};

/// Draws a layer the way the map does (culling, meshes, outlines, markers) into egui shapes,
/// framed on its extent, and tessellates them: every step short of the GPU.
fn draw(layer: &Layer) -> usize {
    let render = LayerRender::build(layer);
    let ctx = egui::Context::default();
    let rect = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1024.0, 768.0));
    let extent = if render.extent.is_empty() {
        let mut b = MercatorBox::EMPTY;
        b.extend([0.5, 0.5]);
        b
    } else {
        render.extent
    };
    let zoom = extent.fit_zoom([1024.0, 768.0], 20.0, 18.0);
    let t = ScreenTransform::new(extent.center(), zoom, rect);
    let mut drawn = 0;
    let output = ctx.run_ui(egui::RawInput::default(), |ui| {
        let painter = ui.painter().with_clip_rect(rect);
        let mut budget = corridor::render::paint::VERTEX_BUDGET;
        drawn = paint_layer(&painter, &t, &render, 1.0, |_| None, &mut budget)
            .visible
            .len();
    });
    let mut output = output;
    let _ = ctx.tessellate(std::mem::take(&mut output.shapes), 1.0);
    output.textures_delta.clear();
    // No smear around the world: a feature is drawn no wider than its longitudes say, and one
    // that crosses the antimeridian is drawn across it.
    for (i, (f, rf)) in layer.features().iter().zip(&render.features).enumerate() {
        let Some(raw) = f
            .record_geometry()
            .and_then(|g| corridor::model::edit::bbox_of([&g.value], 2))
        else {
            continue;
        };
        if rf.bbox.is_empty() {
            continue;
        }
        let raw_width = (raw[2] - raw[0]) / 360.0;
        assert!(
            rf.bbox.width() <= raw_width + 1e-9,
            "{}: feature {i} drawn {:.2} of the world wide, its longitudes span {:.2}",
            layer.source.display(),
            rf.bbox.width(),
            raw_width
        );
        SMEARS.with(|s| {
            s.borrow_mut()
                .push((layer.source.key(), rf.bbox.width(), raw_width))
        });
    }
    drawn
}

thread_local! {
    static SMEARS: std::cell::RefCell<Vec<(PathBuf, f64, f64)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs `f` on its own thread: a panic or a hang is a failure with the file's name.
fn guarded<T: Send + 'static>(name: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(v) => {
            let _ = handle.join();
            v
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => panic!("{name}: hung for 60 s"),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => panic!("{name}: panicked"),
    }
}

/// The manifest's row for a corpus file: (top-level type, item count, flags).
fn manifest() -> Vec<(String, String, usize, String)> {
    let text =
        std::fs::read_to_string(shared_data().join("corpus/MANIFEST.tsv")).unwrap_or_default();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            Some((
                cols.first()?.to_string(),
                cols.get(4)?.to_string(),
                cols.get(5)?.parse().ok()?,
                cols.get(8).unwrap_or(&"").to_string(),
            ))
        })
        .collect()
}

/// The GeoJSON files of the shared corpus and real data; fails with a clear message when the
/// shared data is not there.
fn files_others_wrote() -> Vec<PathBuf> {
    let mut files = Vec::new();
    geojson_files(&shared_data().join("corpus"), &mut files);
    geojson_files(&shared_data().join("real"), &mut files);
    assert!(
        !files.is_empty(),
        "this test needs the shared data at {} (see ../shared/data/README.md): it is not there",
        shared_data().display()
    );
    files
}

/// Each feature of each FeatureCollection others wrote, as its file has it (spaces, number
/// forms and all), reads as geojson's own reader reads it, or is left to it: the feature
/// scanner's ways of reading positions (eight bytes and masks of 32 at once) give the same
/// numbers as the general way.
#[test]
fn every_feature_others_wrote_reads_as_geojsons_reader_reads_it() {
    #[derive(serde::Deserialize)]
    struct Texts<'a> {
        #[serde(borrow)]
        features: Vec<&'a serde_json::value::RawValue>,
    }
    let files = files_others_wrote();
    let (mut compared, mut positions) = (0usize, 0usize);
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(texts) = serde_json::from_str::<Texts>(text.trim_start_matches('\u{feff}')) else {
            continue;
        };
        for raw in texts.features {
            let Ok(theirs) = serde_json::from_str::<geojson::Feature>(raw.get()) else {
                continue;
            };
            // None: left to geojson's reader, as the loader does then.
            let Some(ours) = corridor::io::geojson_feature::read(raw.get()) else {
                continue;
            };
            assert_eq!(
                ours,
                theirs,
                "{}: a feature read otherwise than geojson reads it",
                path.display()
            );
            compared += 1;
            positions += raw.get().matches('[').count();
        }
    }
    // 445 features of 210 000 brackets when this was written: the real provinces have most.
    assert!(
        compared > 300 && positions > 100_000,
        "only {compared} features ({positions} brackets) compared"
    );
}

#[test]
fn every_file_others_wrote_loads_and_draws_or_is_refused_with_its_place() {
    let files = files_others_wrote();
    let manifest = manifest();
    let mut table = vec![
        "| file | verdict | features | message |".to_owned(),
        "|---|---|---|---|".to_owned(),
    ];
    let (mut loaded, mut refused) = (0, 0);
    for path in files {
        let name = path
            .strip_prefix(shared_data())
            .unwrap_or(&path)
            .display()
            .to_string();
        let p = path.clone();
        let outcome = guarded(&name, move || {
            read_geojson(&p).map(|parsed| {
                let layer = parsed.into_layer("t".into(), p.clone(), LayerStyle::default());
                let drawn = draw(&layer);
                for (p, w, raw) in SMEARS.with(|s| std::mem::take(&mut *s.borrow_mut())) {
                    if p.to_string_lossy().contains("antimeridian") {
                        eprintln!("{}: drawn {w:.3}, raw {raw:.3}", p.display());
                    }
                }
                (layer, drawn)
            })
        });
        let row = manifest.iter().find(|(p, ..)| name.ends_with(p.as_str()));
        match outcome {
            Ok((layer, _)) => {
                loaded += 1;
                if let Some((_, top, items, flags)) = row {
                    // Nothing silently lost: as many features as the file has items.
                    let expected = if top == "FeatureCollection" {
                        *items
                    } else {
                        1
                    };
                    assert_eq!(layer.features().len(), expected, "{name}");
                    if flags.contains("crs-member") {
                        assert!(
                            layer.warnings.iter().any(|w| w.contains("crs")),
                            "{name}: {:?}",
                            layer.warnings
                        );
                    }
                    if flags.contains("out-of-wgs84-range") {
                        assert!(
                            layer.warnings.iter().any(|w| w.contains("outside")),
                            "{name}: {:?}",
                            layer.warnings
                        );
                    }
                }
                // And it saves back (the lossless test compares the content).
                assert!(geojson_bytes(&layer).is_ok());
                table.push(format!(
                    "| {name} | loaded | {} | {} |",
                    layer.features().len(),
                    layer.warnings.join("; ").replace('|', "\\|")
                ));
            }
            Err(e) => {
                refused += 1;
                let message = e.to_string();
                // A refusal says where: a line and column, or a feature and JSON path.
                assert!(
                    message.contains("line ")
                        || message.contains("feature")
                        || message.contains("(root)"),
                    "{name}: a refusal without a place: {message}"
                );
                table.push(format!(
                    "| {name} | refused | | {} |",
                    message.replace('|', "\\|")
                ));
            }
        }
    }
    table.push(String::new());
    table.push(format!(
        "{} files: {loaded} loaded and drawn, {refused} refused with a message, 0 panics, 0 hangs",
        loaded + refused
    ));
    let text = table.join("\n");
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("conformance.md");
    std::fs::write(&out, &text).unwrap();
    eprintln!("{text}\n(table written to {})", out.display());
    assert!(loaded > 130, "{loaded}");
}

fn parse(text: &str) -> Result<Layer, String> {
    parse_geojson(text.as_bytes(), Path::new("case.geojson"))
        .map(|p| p.into_layer("case".into(), "case.geojson".into(), LayerStyle::default()))
        .map_err(|e| e.to_string())
}

#[test]
fn the_cases_people_send() {
    // Empty and null geometries, nested properties, duplicate ids, a GeometryCollection.
    let layer = parse(
        r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","id":1,"properties":{"tags":["a","b"],"meta":{"by":"x"}},"geometry":null},
        {"type":"Feature","id":1,"properties":{},"geometry":{"type":"Polygon","coordinates":[]}},
        {"type":"Feature","id":2,"properties":{},"geometry":{"type":"MultiPolygon","coordinates":[]}},
        {"type":"Feature","id":3,"properties":{},"geometry":{"type":"LineString","coordinates":[]}},
        {"type":"Feature","id":4,"properties":{},"geometry":{"type":"GeometryCollection","geometries":[
          {"type":"Point","coordinates":[106.7,11.1]},{"type":"LineString","coordinates":[[106.7,11.1],[106.8,11.2]]}]}}]}"#,
    )
    .unwrap();
    assert_eq!(layer.features().len(), 5);
    assert!(
        layer.warnings.iter().any(|w| w.contains("1 ×2")),
        "{:?}",
        layer.warnings
    );
    draw(&layer);

    // Coordinates outside the world are flagged and not drawn; the feature is kept.
    let layer = parse(
        r#"{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[106.7,11.1],[1067000,111000]]}}"#,
    )
    .unwrap();
    assert!(layer.features()[0].geometry().is_none());
    assert!(
        layer.warnings[0].contains("outside longitude ±180°"),
        "{:?}",
        layer.warnings
    );

    // A ring across the antimeridian is drawn across it, not around the world.
    let layer = parse(
        r#"{"type":"Polygon","coordinates":[[[170,-10],[-170,-10],[-170,10],[170,10],[170,-10]]]}"#,
    )
    .unwrap();
    let render = LayerRender::build(&layer);
    assert!(
        render.features[0].bbox.width() < 0.1,
        "{}",
        render.features[0].bbox.width()
    );

    // GeoJSON text sequences: RFC 8142 (RS before each record) and one feature per line; both
    // are written back the same way.
    let rs = "\u{1e}{\"type\":\"Feature\",\"properties\":{\"n\":1},\"geometry\":{\"type\":\"Point\",\"coordinates\":[106.7,11.1]}}\n\u{1e}{\"type\":\"Feature\",\"properties\":{\"n\":2},\"geometry\":null}\n";
    let layer = parse(rs).unwrap();
    assert_eq!(layer.features().len(), 2);
    let same_records = |written: &str, original: &str| {
        let records = |t: &str| -> Vec<serde_json::Value> {
            t.lines()
                .map(|l| serde_json::from_str(l.trim_start_matches('\u{1e}')).unwrap())
                .collect()
        };
        assert_eq!(records(written), records(original));
        assert_eq!(
            written.matches('\u{1e}').count(),
            original.matches('\u{1e}').count()
        );
    };
    same_records(
        &String::from_utf8(geojson_bytes(&layer).unwrap()).unwrap(),
        rs,
    );
    let nd = "{\"type\":\"Feature\",\"properties\":{\"n\":1},\"geometry\":null}\n{\"type\":\"Feature\",\"properties\":{\"n\":2},\"geometry\":null}\n";
    let layer = parse(nd).unwrap();
    assert_eq!(layer.features().len(), 2);
    same_records(
        &String::from_utf8(geojson_bytes(&layer).unwrap()).unwrap(),
        nd,
    );
    // A broken record in a sequence says which record and which line.
    let err = parse("{\"type\":\"Feature\",\"properties\":{},\"geometry\":null}\n{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Point\",\"coordinates\":[1]}}\n").unwrap_err();
    assert!(
        err.contains("line 2") && err.contains("coordinates"),
        "{err}"
    );
}

#[test]
fn broken_files_say_what_and_where() {
    let cases = [
        (
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygn","coordinates":[]}}]}"#,
            "features[0].geometry.type",
        ),
        (
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":[],"geometry":null}]}"#,
            "features[0].properties",
        ),
        (r#"{"type":"FeatureCollection","features":{}}"#, "features"),
        (r#"{"type":"Topology","objects":{}}"#, "Topology"),
        (r#"{"features":[]}"#, "no \"type\""),
        (
            "{\"type\":\"Feature\",\n\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,",
            "line 2",
        ),
    ];
    for (text, expected) in cases {
        let err = parse(text).unwrap_err();
        assert!(err.contains(expected), "{text}\n→ {err}");
    }
    // Truncating real files anywhere never panics, and says where it stopped.
    let real = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("maps/localities.geojson"))
        .unwrap();
    for cut in (1..real.len()).step_by(997) {
        let err = parse_geojson(&real[..cut], Path::new("cut.geojson"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line") || err.contains("(root)"),
            "{cut}: {err}"
        );
    }
}

#[test]
fn hostile_input_meets_limits_not_exhaustion() {
    // Deep nesting: refused by the parser's depth limit, not by a stack overflow.
    let deep = format!(
        "{{\"type\":\"Point\",\"coordinates\":{}1{}}}",
        "[".repeat(200_000),
        "]".repeat(200_000)
    );
    let err = guarded("deep", move || {
        parse_geojson(deep.as_bytes(), Path::new("deep.geojson"))
            .map(|_| ())
            .unwrap_err()
            .to_string()
    });
    assert!(err.contains("recursion limit"), "{err}");

    // A 2 GB file is refused before a byte is read (a sparse file: no disk is used).
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.geojson");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(2 << 30)
        .unwrap();
    let err = read_geojson(&huge).unwrap_err().to_string();
    assert!(err.contains("2.1 GB"), "{err}");

    // Vertex and string limits (small here, to test them cheaply).
    let limits = Limits {
        max_bytes: 1 << 20,
        max_positions: 3,
        max_string: 10,
    };
    let many = r#"{"type":"LineString","coordinates":[[1,1],[2,2],[3,3],[4,4]]}"#;
    let err = parse_geojson_with(many.as_bytes(), Path::new("v.geojson"), &limits)
        .unwrap_err()
        .to_string();
    assert!(err.contains("more than 3 vertices"), "{err}");
    let long = r#"{"type":"Feature","properties":{"note":"a very long note"},"geometry":null}"#;
    let err = parse_geojson_with(long.as_bytes(), Path::new("s.geojson"), &limits)
        .unwrap_err()
        .to_string();
    assert!(err.contains("“note”"), "{err}");
    let small = dir.path().join("small.geojson");
    std::fs::write(&small, "x".repeat(2 << 20)).unwrap();
    let err = read_geojson_with(&small, &limits).unwrap_err().to_string();
    assert!(err.contains("more than"), "{err}");
}

#[test]
fn validate_prints_one_line_per_problem_and_exits_by_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let good = Path::new(env!("CARGO_MANIFEST_DIR")).join("maps/localities.geojson");
    let bow = dir.path().join("bow.geojson");
    std::fs::write(
        &bow,
        r#"{"type":"Feature","id":"b","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[2,2],[2,0],[0,2],[0,0]]]}}"#,
    )
    .unwrap();
    let broken = dir.path().join("broken.geojson");
    std::fs::write(&broken, "{\"type\":\"FeatureCollection\",\n\"features\":[").unwrap();
    let run = |files: &[&Path]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_corridor"))
            .arg("validate")
            .args(files)
            .output()
            .unwrap()
    };
    let ok = run(&[&good]);
    assert_eq!(ok.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("1 file: 1 valid, 0 not"));

    let bad = run(&[&good, &bow, &broken]);
    assert_eq!(bad.status.code(), Some(1));
    let out = String::from_utf8_lossy(&bad.stdout);
    assert!(
        out.contains("bow.geojson: feature 0 (id “b”): error: The boundary crosses itself"),
        "{out}"
    );
    assert!(
        out.contains("broken.geojson: line 2, column 12: error: the file ends too early"),
        "{out}"
    );
    assert!(out.contains("3 files: 1 valid, 2 not"), "{out}");
    assert!(
        bad.stderr.is_empty(),
        "no panic: {}",
        String::from_utf8_lossy(&bad.stderr)
    );
}
