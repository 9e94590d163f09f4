//! Saving never loses a byte of meaning: every valid file others wrote goes through load and save
//! and comes back the same JSON (numbers compared by value); random edits undo back to the start;
//! save then load gives back the document.

mod support {
    pub mod data;
}

use std::path::Path;
use support::data::{geojson_files, shared_data};

use corridor::io::{geojson_bytes, parse_geojson, save_geojson};
use corridor::model::edit::{self, VertexAt};
use corridor::model::{FeatureId, Layer, LayerStyle};
use proptest::prelude::*;
use serde_json::Value;

/// RFC 7946 requires `properties` and `geometry` on a Feature; a writer that adds the missing ones
/// as `null` loses nothing. Everything else must match.
fn normalise(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if map.get("type").and_then(Value::as_str) == Some("Feature") {
                map.entry("properties").or_insert(Value::Null);
                map.entry("geometry").or_insert(Value::Null);
            }
            map.values_mut().for_each(normalise);
        }
        Value::Array(items) => items.iter_mut().for_each(normalise),
        _ => {}
    }
}

fn layer_of(bytes: &[u8], path: &Path) -> Option<Layer> {
    parse_geojson(bytes, path)
        .ok()
        .map(|p| p.into_layer("t".into(), path.to_owned(), LayerStyle::default()))
}

#[test]
fn every_valid_file_others_wrote_saves_back_the_same() {
    let mut files = Vec::new();
    geojson_files(&shared_data().join("corpus"), &mut files);
    geojson_files(&shared_data().join("real"), &mut files);
    geojson_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("maps"),
        &mut files,
    );
    assert!(
        shared_data().join("corpus").is_dir(),
        "this test needs the shared data at {} (see ../shared/data/README.md): it is not there",
        shared_data().display()
    );
    assert!(files.len() > 50, "the shared data is incomplete: {files:?}");
    let (mut saved, mut refused) = (0, 0);
    let mut failures = Vec::new();
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let Some(layer) = layer_of(&bytes, path) else {
            refused += 1;
            continue;
        };
        let out = geojson_bytes(&layer).unwrap();
        let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let mut original: Value = serde_json::from_slice(text).unwrap();
        let mut written: Value = serde_json::from_slice(&out).unwrap();
        normalise(&mut original);
        normalise(&mut written);
        if let Some(d) = support::data::difference(&original, &written, "") {
            failures.push(format!("{}: {d}", path.display()));
        }
        // And what was written reads back to the same features.
        let again = layer_of(&out, path).unwrap();
        assert_eq!(again.features().len(), layer.features().len());
        saved += 1;
    }
    eprintln!("round trip: {saved} files saved back, {refused} refused as not GeoJSON");
    assert!(
        failures.is_empty(),
        "lost in saving:\n{}",
        failures.join("\n")
    );
    assert!(saved >= 40, "only {saved} files saved back");
}

#[test]
fn coordinates_are_written_as_they_were_read() {
    let text = br#"{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","properties":{"b":1,"a":[1,{"x":null}]},"geometry":{"type":"LineString","coordinates":[[106.65,11.1,3.25],[106.7,11.123456789]]}}]}"#;
    let layer = layer_of(text, Path::new("t.geojson")).unwrap();
    let out = String::from_utf8(geojson_bytes(&layer).unwrap()).unwrap();
    assert!(
        out.contains("[[106.65,11.1,3.25],[106.7,11.123456789]]"),
        "{out}"
    );
    assert!(
        out.contains(r#""properties":{"b":1,"a":[1,{"x":null}]}"#),
        "key order kept: {out}"
    );
}

const ZONES: &str = r#"{"type":"FeatureCollection","name":"zones","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"bbox":[106.6,11.0,106.9,11.2],"features":[
{"type":"Feature","id":1,"bbox":[106.6,11.0,106.7,11.1],"properties":{"name":"A","area":12.5},"geometry":{"type":"Polygon","coordinates":[[[106.6,11.0,2],[106.7,11.0,2],[106.7,11.1,3],[106.6,11.1,3],[106.6,11.0,2]]]}},
{"type":"Feature","id":2,"properties":{"name":"B"},"owner":"dept","geometry":{"type":"MultiPolygon","coordinates":[[[[106.8,11.0],[106.9,11.0],[106.9,11.2],[106.8,11.0]]],[[[106.75,11.15],[106.78,11.15],[106.78,11.18],[106.75,11.15]]]]}},
{"type":"Feature","id":3,"properties":{"name":"road"},"geometry":{"type":"LineString","coordinates":[[106.6,11.05],[106.7,11.12],[106.85,11.1]]}},
{"type":"Feature","id":4,"properties":null,"geometry":{"type":"Point","coordinates":[106.66,11.06]}}
]}"#;

fn zones() -> Layer {
    layer_of(ZONES.as_bytes(), Path::new("zones.geojson")).unwrap()
}

/// One random edit, described so proptest can shrink it.
#[derive(Clone, Debug)]
enum Op {
    Move { f: usize, v: usize, d: (i32, i32) },
    Insert { f: usize, v: usize },
    Delete { f: usize, v: usize },
    Translate { f: usize, d: (i32, i32) },
    SetProperty { f: usize, value: i64 },
    RemoveFeature { f: usize },
    AddPoint { d: (i32, i32) },
}

fn op() -> impl Strategy<Value = Op> {
    let d = (-500i32..500, -500i32..500);
    prop_oneof![
        (0usize..8, 0usize..8, d.clone()).prop_map(|(f, v, d)| Op::Move { f, v, d }),
        (0usize..8, 0usize..8).prop_map(|(f, v)| Op::Insert { f, v }),
        (0usize..8, 0usize..8).prop_map(|(f, v)| Op::Delete { f, v }),
        (0usize..8, d.clone()).prop_map(|(f, d)| Op::Translate { f, d }),
        (0usize..8, any::<i64>()).prop_map(|(f, value)| Op::SetProperty { f, value }),
        (0usize..8).prop_map(|f| Op::RemoveFeature { f }),
        d.prop_map(|d| Op::AddPoint { d }),
    ]
}

/// Applies an op the way the editor does; an op that does not fit the layer is refused (and
/// changes nothing), as in the app.
fn id_at(layer: &Layer, f: usize) -> FeatureId {
    let n = layer.features().len().max(1);
    layer
        .features()
        .get(f % n)
        .map_or(FeatureId::new(u64::MAX), |x| x.id())
}

fn run(layer: &mut Layer, op: &Op) {
    let n = layer.features().len().max(1);
    let deg = |d: (i32, i32)| [d.0 as f64 * 1e-4, d.1 as f64 * 1e-4];
    let _ = match op.clone() {
        Op::Move { f, v, d } => layer
            .edit_geometry(id_at(layer, f), "Move vertex", |g| {
                let parts = edit::parts(g);
                let Some(part) = parts.first() else {
                    return Ok(());
                };
                let index = v % part.points.len().max(1);
                let p = part.points.get(index).copied().unwrap_or([0.0, 0.0]);
                let [dx, dy] = deg(d);
                edit::move_vertex(
                    g,
                    VertexAt { part: 0, index },
                    [edit::round_placed(p[0] + dx), edit::round_placed(p[1] + dy)],
                )
            })
            .map(|_| ()),
        Op::Insert { f, v } => layer
            .edit_geometry(id_at(layer, f), "Insert vertex", |g| {
                let parts = edit::parts(g);
                let Some(part) = parts.first() else {
                    return Ok(());
                };
                let index = v % part.points.len().max(1);
                let p = part.points[index];
                edit::insert_vertex(g, VertexAt { part: 0, index }, [p[0] + 1e-3, p[1]])
            })
            .map(|_| ()),
        Op::Delete { f, v } => layer
            .edit_geometry(id_at(layer, f), "Delete vertex", |g| {
                edit::delete_vertex(g, VertexAt { part: 0, index: v })
            })
            .map(|_| ()),
        Op::Translate { f, d } => layer
            .edit_geometry(id_at(layer, f), "Move feature", |g| {
                edit::translate(g, deg(d));
                Ok(())
            })
            .map(|_| ()),
        Op::SetProperty { f, value } => match layer.features().get(f % n) {
            Some(feature) => {
                let mut record = feature.record().into_owned();
                record.set_property("rank", value);
                layer
                    .replace(id_at(layer, f), record, "Edit attribute")
                    .map(|_| ())
            }
            None => Ok(()),
        },
        Op::RemoveFeature { f } => layer
            .delete_feature(id_at(layer, f), "Delete feature")
            .map(|_| ()),
        Op::AddPoint { d } => {
            let [x, y] = deg(d);
            let record = geojson::Feature {
                id: Some(layer.fresh_id()),
                geometry: Some(geojson::Geometry::new(geojson::GeometryValue::new_point([
                    106.7 + x,
                    11.1 + y,
                ]))),
                properties: Some(Default::default()),
                ..Default::default()
            };
            layer.add_feature(record, "Add point").map(|_| ())
        }
    };
}

fn records(layer: &Layer) -> Vec<geojson::Feature> {
    layer
        .features()
        .iter()
        .map(|f| f.record().into_owned())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_edits_then_as_many_undos_give_back_the_original(ops in prop::collection::vec(op(), 1..40)) {
        let mut layer = zones();
        let original = records(&layer);
        let original_bytes = geojson_bytes(&layer).unwrap();
        for op in &ops {
            run(&mut layer, op);
        }
        let edited = records(&layer);
        let depth = layer.history.depth();
        for _ in 0..depth {
            prop_assert!(layer.undo().is_some());
        }
        prop_assert!(layer.undo().is_none());
        prop_assert_eq!(records(&layer), original);
        prop_assert!(!layer.is_dirty());
        // The bbox of the collection is recomputed once a geometry changed; it still encloses
        // the same features, so only it may differ.
        let again: Value = serde_json::from_slice(&geojson_bytes(&layer).unwrap()).unwrap();
        let before: Value = serde_json::from_slice(&original_bytes).unwrap();
        prop_assert_eq!(&again["features"], &before["features"]);
        // And every edit redoes.
        for _ in 0..depth {
            prop_assert!(layer.redo().is_some());
        }
        prop_assert_eq!(records(&layer), edited);
    }

    #[test]
    fn save_then_load_gives_back_the_document(ops in prop::collection::vec(op(), 0..20)) {
        let mut layer = zones();
        for op in &ops {
            run(&mut layer, op);
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("zones.geojson");
        save_geojson(&layer, &path).unwrap();
        let loaded = layer_of(&std::fs::read(&path).unwrap(), &path).unwrap();
        prop_assert_eq!(records(&loaded), records(&layer));
        prop_assert_eq!(&loaded.form, &layer.form.clone().with_bbox_of(&loaded.form));
    }
}

/// Compares collection forms ignoring a recomputed bbox.
trait WithBbox {
    fn with_bbox_of(self, other: &corridor::model::SourceForm) -> Self;
}

impl WithBbox for corridor::model::SourceForm {
    fn with_bbox_of(self, other: &corridor::model::SourceForm) -> Self {
        use corridor::model::SourceForm::FeatureCollection;
        match (self, other) {
            (
                FeatureCollection {
                    foreign_members, ..
                },
                FeatureCollection { bbox, .. },
            ) => FeatureCollection {
                bbox: bbox.clone(),
                foreign_members,
            },
            (s, _) => s,
        }
    }
}

#[test]
fn a_file_saved_without_change_is_the_same_and_keeps_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zones.geojson");
    std::fs::write(&path, ZONES).unwrap();
    let layer = layer_of(ZONES.as_bytes(), &path).unwrap();
    save_geojson(&layer, &path).unwrap();
    let a: Value = serde_json::from_str(ZONES).unwrap();
    let b: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(support::data::difference(&a, &b, ""), None);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("zones.geojson.bak")).unwrap(),
        ZONES
    );
}

#[test]
fn an_edited_geometry_gets_a_fresh_bbox_and_the_rest_is_untouched() {
    let mut layer = zones();
    layer
        .edit_geometry(FeatureId::new(0), "Move vertex", |g| {
            edit::move_vertex(g, VertexAt { part: 0, index: 2 }, [106.75, 11.15])
        })
        .unwrap();
    let v: Value = serde_json::from_slice(&geojson_bytes(&layer).unwrap()).unwrap();
    assert_eq!(
        v["features"][0]["bbox"],
        serde_json::json!([106.6, 11.0, 106.75, 11.15])
    );
    assert_eq!(v["bbox"], serde_json::json!([106.6, 11.0, 106.9, 11.2]));
    assert_eq!(
        v["features"][0]["geometry"]["coordinates"][0][2],
        serde_json::json!([106.75, 11.15, 3.0])
    );
    assert_eq!(v["features"][1]["owner"], "dept");
    assert_eq!(
        v["crs"]["properties"]["name"],
        "urn:ogc:def:crs:OGC:1.3:CRS84"
    );
    assert_eq!(v["name"], "zones");
}

/// A generated layer of `n` features, every kind of thing a writer can lose: ids as numbers and
/// as text, and absent; properties in no particular order, with numbers such as 1.10, -0.0,
/// 1e-7 and 2^53, nested values, null, Vietnamese text; Z values; foreign members; null
/// geometry. Deterministic in `seed`.
fn generated_layer_text(n: usize, seed: u64) -> String {
    let mut s = seed;
    let mut next = move || {
        s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        s >> 33
    };
    let numbers = [
        "1.10",
        "-0.0",
        "0",
        "1e-7",
        "9007199254740993",
        "-12.500",
        "3.141592653589793",
    ];
    let mut out = String::from(r#"{"type":"FeatureCollection","features":["#);
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        let id = match next() % 3 {
            0 => format!(r#""id":{i},"#),
            1 => format!(r#""id":"z-{i}","#),
            _ => String::new(),
        };
        let mut props = [
            format!(r#""name":"Khu {i} — Tân Đông Hiệp""#),
            format!(
                r#""value":{}"#,
                numbers[(next() % numbers.len() as u64) as usize]
            ),
            format!(r#""nested":{{"a":[1,{{"b":null}}],"n":{}}}"#, next() % 1000),
            r#""empty":null"#.to_owned(),
        ];
        // Keys in a different order from feature to feature.
        let turn = (next() % props.len() as u64) as usize;
        props.rotate_left(turn);
        let x = 106.5 + (next() % 40_000) as f64 / 100_000.0;
        let y = 10.9 + (next() % 40_000) as f64 / 100_000.0;
        let geometry = match next() % 4 {
            0 => "null".to_owned(),
            1 => format!(r#"{{"type":"Point","coordinates":[{x},{y},12.5]}}"#),
            _ => format!(
                r#"{{"type":"Polygon","coordinates":[[[{x},{y},1],[{},{y},2],[{},{},3],[{x},{y},1]]]}}"#,
                x + 0.001,
                x + 0.001,
                y + 0.001
            ),
        };
        let foreign = if next() % 5 == 0 {
            r#","owner":{"dept":"QH","since":2025}"#
        } else {
            ""
        };
        out.push_str(&format!(
            r#"{{"type":"Feature",{id}"properties":{{{}}},"geometry":{geometry}{foreign}}}"#,
            props.join(",")
        ));
    }
    out.push_str("]}");
    out
}

/// Saves a layer through the parallel, batched writer (128 features a chunk, two chunks a
/// thread a batch) and checks the file against the input feature by feature: same JSON, same
/// key order.
fn saves_back_feature_by_feature(n: usize, seed: u64) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("generated.geojson");
    let text = generated_layer_text(n, seed);
    let layer = layer_of(text.as_bytes(), &path).expect("the generated layer loads");
    assert_eq!(layer.features().len(), n);
    save_geojson(&layer, &path).expect("saved");
    let written: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("the file is JSON");
    let input: Value = serde_json::from_str(&text).expect("json");
    let (Some(want), Some(got)) = (input["features"].as_array(), written["features"].as_array())
    else {
        panic!("no features array");
    };
    assert_eq!(got.len(), want.len(), "as many features");
    for (i, (w, g)) in want.iter().zip(got).enumerate() {
        let (mut w, mut g) = (w.clone(), g.clone());
        normalise(&mut w);
        normalise(&mut g);
        // Compared as text: the same values, with the keys of properties and of everything in
        // them in the same order (the order of a Feature's own members carries no meaning).
        assert_eq!(
            members_as_text(&g),
            members_as_text(&w),
            "feature {i} of {n} (seed {seed}) differs"
        );
    }
}

/// A feature's members by name, each as a canonical text of its value: keys in their order,
/// numbers by value (1 and 1.0 alike; -0.0 and 0 not; integers beyond 2^53 exactly).
fn members_as_text(feature: &Value) -> Vec<(String, String)> {
    fn canonical(v: &Value, out: &mut String) {
        match v {
            Value::Number(n) => {
                let exact_int = n.as_i64().map(i128::from).or(n.as_u64().map(i128::from));
                match exact_int {
                    Some(i) if i.unsigned_abs() > 1 << 53 => out.push_str(&i.to_string()),
                    _ => out.push_str(&format!("{:?}", n.as_f64().unwrap_or(f64::NAN))),
                }
            }
            Value::Array(items) => {
                out.push('[');
                for item in items {
                    canonical(item, out);
                    out.push(',');
                }
                out.push(']');
            }
            Value::Object(map) => {
                out.push('{');
                for (k, item) in map {
                    out.push_str(&format!("{k:?}:"));
                    canonical(item, out);
                    out.push(',');
                }
                out.push('}');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut members: Vec<(String, String)> = feature
        .as_object()
        .expect("a feature is an object")
        .iter()
        .map(|(k, v)| {
            let mut text = String::new();
            canonical(v, &mut text);
            (k.clone(), text)
        })
        .collect();
    members.sort();
    members
}

#[test]
fn twenty_thousand_generated_features_save_back_feature_by_feature() {
    saves_back_feature_by_feature(20_000, 7);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Around the writer's chunk and batch boundaries.
    #[test]
    fn saves_across_chunk_and_batch_boundaries_lose_nothing(
        n in prop::sample::select(vec![0usize, 1, 127, 128, 129, 511, 512, 513, 1_025, 2_049, 4_353, 16_384]),
        seed in any::<u64>(),
    ) {
        saves_back_feature_by_feature(n, seed);
    }
}
