//! The maps in `maps/` are real data for real users: they must parse, carry every property the
//! app shows, and sit where the places are.

use std::path::{Path, PathBuf};

use corridor::io::{load_document, read_geojson};
use corridor::model::{Document, Feature};
use geo::{BoundingRect, Contains, Geometry, InteriorPoint, Validation};

/// Former Bình Dương province, the union of the 2025 wards' extent and geoBoundaries VN-57's:
/// [min lon, min lat, max lon, max lat].
const PROVINCE_BBOX: [f64; 4] = [106.3289, 10.8633, 106.9668, 11.5011];

/// `name_zh` is not among them: a place no source names in Chinese shows its Vietnamese name
/// (the names the article gives are checked in `tests/real_maps.rs`).
const REQUIRED: &[&str] = &["name", "name_en", "kind", "summary", "source", "accuracy"];

fn maps() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("maps")
}

/// Layers made from published boundaries by `cargo run --example build-maps`: they carry the
/// source's own properties, checked in `tests/real_maps.rs`.
const BUILT: &[&str] = &["wards-2025.geojson", "context.geojson"];

fn bundled_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(maps())
        .expect("maps/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "geojson"))
        .collect();
    files.sort();
    files
}

fn corridor() -> Document {
    load_document(&maps().join("corridor.toml"))
}

#[test]
fn every_bundled_file_parses_and_has_the_required_properties() {
    let files = bundled_files();
    assert!(
        files.len() >= 4,
        "expected the four bundled layers, found {files:?}"
    );
    for path in files {
        let layer = read_geojson(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            layer.warnings.is_empty(),
            "{}: {:?}",
            path.display(),
            layer.warnings
        );
        assert!(
            !layer.features.is_empty(),
            "{} has no features",
            path.display()
        );
        let built = BUILT.iter().any(|b| path.ends_with(b));
        let mut ids = std::collections::HashSet::new();
        for (i, f) in layer.features.iter().enumerate() {
            let id = f
                .meta()
                .id
                .unwrap_or_else(|| panic!("{} feature {i} has no id", path.display()));
            assert!(
                ids.insert(format!("{id:?}")),
                "{}: duplicate id {id:?}",
                path.display()
            );
            let required: &[&str] = if built {
                &["name", "name_en", "kind", "source"]
            } else {
                REQUIRED
            };
            for key in required {
                // Published boundaries carry their source instead of an accuracy note.
                if *key == "accuracy" && f.property("boundary_source").is_some() {
                    continue;
                }
                let text = f.property_text(key).unwrap_or_default();
                assert!(
                    !text.trim().is_empty(),
                    "{} feature {i}: `{key}` missing",
                    path.display()
                );
            }
            // Published boundaries are as published; everything drawn by hand says how sure
            // it is.
            let accuracy = f.accuracy().unwrap_or_default();
            let from_boundaries = f.property("boundary_source").is_some() || built;
            assert!(
                from_boundaries || accuracy == "indicative" || accuracy == "approximate",
                "{} feature {i}: accuracy `{accuracy}`",
                path.display()
            );
            assert!(
                f.geometry().is_some(),
                "{} feature {i} has no geometry",
                path.display()
            );
        }
    }
}

#[test]
fn everything_lies_inside_the_former_province() {
    // The context draws the provinces around it; National Route 13 runs on beyond it.
    for path in bundled_files()
        .into_iter()
        .filter(|p| !p.ends_with("context.geojson"))
    {
        let layer = read_geojson(&path).unwrap_or_else(|e| panic!("{e}"));
        for f in layer
            .features
            .iter()
            .filter(|f| f.property_text("kind").as_deref() != Some("road"))
        {
            let Some(rect) = f.geometry().and_then(|g| g.bounding_rect()) else {
                continue;
            };
            let [w, s, e, n] = PROVINCE_BBOX;
            assert!(
                rect.min().x >= w && rect.max().x <= e && rect.min().y >= s && rect.max().y <= n,
                "{}: {} lies outside the province: {rect:?}",
                path.display(),
                f.display_name()
            );
        }
    }
}

#[test]
fn every_polygon_is_valid() {
    // The layers made from published boundaries are checked by the build step's own tests
    // (tests/real_maps.rs); their tens of thousands of vertices take minutes to validate here.
    for path in bundled_files()
        .into_iter()
        .filter(|p| p.metadata().is_ok_and(|m| m.len() < 100_000))
    {
        let layer = read_geojson(&path).unwrap_or_else(|e| panic!("{e}"));
        for f in layer.features.iter().filter(|f| f.is_areal()) {
            let g = f.geometry().expect("areal features have geometry");
            assert!(
                g.is_valid(),
                "{}: {} is not valid: {:?}",
                path.display(),
                f.display_name(),
                g.validation_errors()
            );
        }
    }
}

#[test]
fn the_project_loads_every_layer_without_problems() {
    let doc = corridor();
    assert!(doc.problems.is_empty(), "{:?}", doc.problems);
    assert!(doc.layers.len() >= 4);
    for layer in &doc.layers {
        assert!(
            layer.error().is_none(),
            "{}: {:?}",
            layer.name,
            layer.error()
        );
    }
}

#[test]
fn the_sti_park_has_concave_shapes_and_a_multipolygon() {
    let layer = read_geojson(&maps().join("sti-park.geojson")).expect("sti-park.geojson loads");
    let subareas: Vec<&Feature> = layer
        .features
        .iter()
        .filter(|f| f.property_text("kind").as_deref() == Some("sti_subarea"))
        .collect();
    assert_eq!(subareas.len(), 5, "five planned sub-areas");
    assert!(
        layer
            .features
            .iter()
            .any(|f| matches!(f.geometry().as_deref(), Some(Geometry::MultiPolygon(_))))
    );
    let concave = layer
        .features
        .iter()
        .any(|f| match f.geometry().as_deref() {
            Some(Geometry::Polygon(p)) => {
                use geo::{Area, ConvexHull};
                p.convex_hull().unsigned_area() > p.unsigned_area() * 1.02
            }
            _ => false,
        });
    assert!(concave, "at least one concave outline");
    // Every sub-area lies within the park's outline.
    let park = layer
        .features
        .iter()
        .find(|f| f.property_text("kind").as_deref() == Some("sti_park"))
        .expect("the park");
    let park = park.geometry();
    let Some(Geometry::Polygon(park)) = park.as_deref() else {
        panic!("park is a polygon")
    };
    for s in subareas {
        let p = s
            .geometry()
            .and_then(|g| g.interior_point())
            .expect("interior point");
        assert!(
            park.contains(&p),
            "{} lies outside the park",
            s.display_name()
        );
    }
}

#[test]
fn the_five_sti_subareas_do_not_overlap() {
    use geo::{Area, BooleanOps, MultiPolygon};
    let layer = read_geojson(&maps().join("sti-park.geojson")).expect("sti-park.geojson loads");
    let parts: Vec<(String, MultiPolygon<f64>)> = layer
        .features
        .iter()
        .filter(|f| f.property_text("kind").as_deref() == Some("sti_subarea"))
        .map(|f| {
            let mp = match f.geometry().map(std::borrow::Cow::into_owned) {
                Some(Geometry::Polygon(p)) => MultiPolygon(vec![p]),
                Some(Geometry::MultiPolygon(mp)) => mp,
                other => panic!("{} is not areal: {other:?}", f.display_name()),
            };
            (f.display_name(), mp)
        })
        .collect();
    for (i, (a_name, a)) in parts.iter().enumerate() {
        for (b_name, b) in &parts[i + 1..] {
            let overlap = a.intersection(b).unsigned_area();
            assert!(
                overlap < 1e-10,
                "{a_name} and {b_name} overlap by {overlap} deg²"
            );
        }
    }
}

#[test]
fn every_story_slide_frames_and_highlights_features_that_exist() {
    let doc = corridor();
    let (story, _) = doc
        .story
        .as_ref()
        .expect("the bundled project has its story");
    assert!(story.slides.len() >= 10);
    for (i, slide) in story.slides.iter().enumerate() {
        assert!(
            !slide.fit.is_empty() || (slide.center.is_some() && slide.zoom.is_some()),
            "slide {} frames nothing",
            i + 1
        );
        for id in slide.fit.iter().chain(&slide.highlight) {
            assert!(
                doc.feature_by_id(id).is_some(),
                "slide {} names the feature `{id}`, which no layer has",
                i + 1
            );
        }
        for layer in &slide.layers {
            assert!(
                doc.layers.iter().any(|l| &l.name == layer),
                "slide {} shows the layer `{layer}`, which the project lacks",
                i + 1
            );
        }
    }
}
