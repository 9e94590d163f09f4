//! What an edit costs on a real layer (the 36 wards of former Bình Dương, 1.8 MB): moving a
//! vertex and undoing it, re-projecting and re-triangulating only the edited feature against
//! rebuilding the layer's render data, journalling one edit, and writing the whole layer as
//! GeoJSON (what Save writes). Run: `cargo bench --bench editing`.

use std::hint::black_box;
use std::path::Path;

use corridor::io::journal::Journal;
use corridor::io::{geojson_bytes, read_geojson};
use corridor::model::edit::{Change, VertexAt, move_vertex};
use corridor::model::{Layer, LayerStyle};
use corridor::render::LayerRender;
use criterion::{Criterion, criterion_group, criterion_main};

fn wards() -> Option<Layer> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/real/vn-provinces-2025/former_binh_duong_wards_2025_merged.geojson");
    let parsed = read_geojson(&path).ok()?;
    Some(parsed.into_layer("wards".into(), path, LayerStyle::default()))
}

/// The feature with the most positions.
fn largest(layer: &Layer) -> usize {
    let size = |f: &corridor::model::Feature| {
        serde_json::to_string(&f.record_geometry())
            .map(|s| s.len())
            .unwrap_or(0)
    };
    (0..layer.features().len())
        .max_by_key(|&i| size(&layer.features()[i]))
        .unwrap_or(0)
}

/// The pairs of edges that meet, as `validity::crossings` found them before: geo's sweep line
/// over the rings' edges. (Debug builds of it stop on an assertion where collinear edges
/// overlap, so the validity check no longer uses it.)
fn sweep_crossings(polygon: &geo::Polygon<f64>) -> usize {
    #[derive(Clone, Debug)]
    struct Edge(geo::Line<f64>);
    impl geo::algorithm::sweep::Cross for Edge {
        type Scalar = f64;
        fn line(&self) -> geo::Line<f64> {
            self.0
        }
    }
    let edges = std::iter::once(polygon.exterior())
        .chain(polygon.interiors())
        .flat_map(|ring| ring.lines())
        .filter(|l| l.start != l.end)
        .map(Edge);
    geo::algorithm::sweep::Intersections::from_iter(edges).count()
}

fn bench(c: &mut Criterion) {
    let Some(mut layer) = wards() else {
        eprintln!("../shared/data is not beside the project: nothing to measure");
        return;
    };
    let i = largest(&layer);
    let id = layer.features()[i].id();
    let at = VertexAt { part: 0, index: 1 };
    c.bench_function("edit/move vertex + undo (largest ward)", |b| {
        b.iter(|| {
            layer
                .edit_geometry(id, "Move vertex", |g| {
                    move_vertex(g, at, [106.7000001, 11.1000001])
                })
                .ok();
            black_box(layer.undo());
        })
    });
    // What the editor checks after each edit: where the boundary crosses itself (the ward's
    // largest polygon).
    let ward = match layer.features()[i].geometry().map(|g| g.into_owned()) {
        Some(geo::Geometry::Polygon(p)) => Some(p),
        Some(geo::Geometry::MultiPolygon(mp)) => {
            mp.0.into_iter().max_by_key(|p| p.exterior().0.len())
        }
        _ => None,
    };
    if let Some(ward) = ward {
        c.bench_function("validity/crossings located (largest ward)", |b| {
            b.iter(|| black_box(corridor::geometry::validity::crossings(black_box(&ward))))
        });
        c.bench_function("validity/crossings by geo's sweep line (baseline)", |b| {
            b.iter(|| black_box(sweep_crossings(black_box(&ward))))
        });
    }
    let mut render = LayerRender::build(&layer);
    c.bench_function("render/update one feature (largest ward)", |b| {
        b.iter(|| render.update_feature(black_box(&layer), i, None))
    });
    c.bench_function("render/rebuild whole layer (baseline)", |b| {
        b.iter(|| black_box(LayerRender::build(&layer)))
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let mut journal =
        Journal::create(dir.path(), Path::new("wards.geojson"), None).expect("journal");
    let record = layer.features()[i].record().into_owned();
    let change = [Change {
        id,
        before: Some(record.clone()),
        after: Some(record),
    }];
    c.bench_function("journal/append one edit, synced (largest ward)", |b| {
        b.iter(|| journal.append("Move vertex", black_box(&change)))
    });
    // Baseline, the policy before: the same line written to the OS, synced every 2 s.
    {
        use std::io::Write;
        let mut file = std::fs::File::create(dir.path().join("unsynced.journal")).expect("file");
        c.bench_function("journal/append one edit, unsynced (baseline)", |b| {
            b.iter(|| {
                let mut line = serde_json::to_vec(black_box(&change)).expect("json");
                line.push(b'\n');
                file.write_all(&line)
            })
        });
    }
    c.bench_function("save/write the layer as GeoJSON (1.8 MB)", |b| {
        b.iter(|| black_box(geojson_bytes(&layer)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
