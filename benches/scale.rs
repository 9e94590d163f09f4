//! The stages of opening and drawing a large layer, on the small (1 000 polygons) and medium
//! (20 000 polygons, 73 MB) benchmark layers, generated at benchmark time by
//! `../shared/bench/gen_zones.py` (never committed): parse, project, triangulate, build the
//! levels of detail, build a frame at three zooms, and pick. Run: `cargo bench --bench scale`.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use corridor::geometry::mercator_from_lonlat;
use corridor::io::geojson_write::{LayerText, write_snapshot};
use corridor::io::parse_geojson;
use corridor::model::{Layer, LayerStyle};
use corridor::render::cache::{LOCAL_PER_WORLD, Path as RenderPath, build_lods};
use corridor::render::tessellate::tessellate_rings;
use corridor::render::{LayerRender, ScreenTransform, paint_layer};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

/// The layer file, generated once into the target directory.
fn layer_file(name: &str, args: &[&str]) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let file = dir.join(format!("{name}.geojson"));
    if !file.exists() {
        std::fs::create_dir_all(&dir).ok()?;
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/gen_zones.py");
        let ok = std::process::Command::new("python3")
            .arg(script)
            .args(args)
            .arg(&file)
            .status()
            .ok()?
            .success();
        if !ok {
            return None;
        }
    }
    Some(file)
}

fn layer(bytes: &[u8]) -> Layer {
    parse_geojson(bytes, Path::new("bench.geojson"))
        .expect("the generated layer parses")
        .into_layer(
            "bench".into(),
            "bench.geojson".into(),
            LayerStyle::default(),
        )
}

/// Every polygon ring of a layer in local units around its feature's first vertex, as the
/// render cache keeps them.
fn local_rings(layer: &Layer) -> Vec<Vec<Vec<[f32; 2]>>> {
    layer
        .features()
        .iter()
        .filter_map(|f| f.geometry())
        .map(|g| {
            use geo::CoordsIter;
            let first = g
                .coords_iter()
                .next()
                .map(|c| mercator_from_lonlat(c.x, c.y));
            let origin = first.unwrap_or([0.0, 0.0]);
            let mut rings = Vec::new();
            let mut push = |p: &geo::Polygon<f64>| {
                for r in std::iter::once(p.exterior()).chain(p.interiors()) {
                    rings.push(
                        r.coords()
                            .map(|c| {
                                let w = mercator_from_lonlat(c.x, c.y);
                                [
                                    ((w[0] - origin[0]) * LOCAL_PER_WORLD) as f32,
                                    ((w[1] - origin[1]) * LOCAL_PER_WORLD) as f32,
                                ]
                            })
                            .collect(),
                    );
                }
            };
            match &*g {
                geo::Geometry::Polygon(p) => push(p),
                geo::Geometry::MultiPolygon(mp) => mp.iter().for_each(&mut push),
                _ => {}
            }
            rings
        })
        .collect()
}

fn frame(render: &LayerRender, zoom: f64) -> usize {
    let ctx = egui::Context::default();
    let rect = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1920.0, 1080.0));
    let t = ScreenTransform::new(render.extent.center(), zoom, rect);
    let mut drawn = 0;
    let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
        let mut budget = corridor::render::paint::VERTEX_BUDGET;
        drawn = paint_layer(ui.painter(), &t, render, 1.0, |_| None, &mut budget)
            .visible
            .len();
    });
    let shapes = std::mem::take(&mut output.shapes);
    black_box(ctx.tessellate(shapes, 1.0));
    output.textures_delta.clear();
    drawn
}

/// What a frame of the layer costs on the CPU when the map's own pipelines draw it: the batch of
/// fills and outline points, and the shapes over it (see `corridor::render::gpu`). The GPU's
/// share (writing the batch to its buffers) is not here, as egui-wgpu's is not in [`frame`].
fn frame_batch(render: &LayerRender, zoom: f64) -> usize {
    let (rect, mut f) = layer_frame_at(render, zoom);
    let drawn = f.visible.len();
    let shape = corridor::render::gpu::shape(
        rect,
        std::mem::take(&mut f.batch),
        corridor::render::gpu::MapPath::Pipelines,
    );
    black_box(&shape);
    black_box(&f.shapes);
    drawn
}

/// [`frame_batch`], with the batch staged as the window's renderer writes it to the GPU (the
/// bytes copied into memory standing for wgpu's staging buffers, as `corridor bench-frames`
/// stages them with no device).
fn frame_staged(render: &LayerRender, zoom: f64) -> usize {
    let (rect, mut f) = layer_frame_at(render, zoom);
    let shape = corridor::render::gpu::shape(
        rect,
        std::mem::take(&mut f.batch),
        corridor::render::gpu::MapPath::Staged,
    );
    let egui::Shape::Callback(callback) = shape else {
        return 0;
    };
    let primitives = [egui::ClippedPrimitive {
        clip_rect: rect,
        primitive: egui::epaint::Primitive::Callback(callback),
    }];
    let screen = eframe::egui_wgpu::ScreenDescriptor {
        size_in_pixels: [1920, 1080],
        pixels_per_point: 1.0,
    };
    black_box(&f.shapes);
    corridor::render::gpu::stage_without_device(&primitives, &screen)
}

/// A 1920 × 1080 frame of the layer at `zoom`, over its middle: the map's rectangle and what
/// the frame draws.
fn layer_frame_at(
    render: &LayerRender,
    zoom: f64,
) -> (egui::Rect, corridor::render::paint::LayerFrame) {
    let rect = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1920.0, 1080.0));
    let t = ScreenTransform::new(render.extent.center(), zoom, rect);
    let mut budget = corridor::render::paint::VERTEX_BUDGET;
    let f = corridor::render::paint::layer_frame(rect, &t, render, 1.0, |_| None, &mut budget);
    (rect, f)
}

/// A layer's render as the window opens it (see [`LayerRender::build_for_view`]), for the view
/// that frames it in a 640 × 360 map: the medium layer's features are then about as large on
/// screen as the large layer's in a 1920 × 1080 map (most of them dots).
fn first_view_build(layer: &corridor::model::Layer) -> LayerRender {
    let rect = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(640.0, 360.0));
    LayerRender::build_for_view(layer, None, |extent| {
        let zoom = corridor::ui::map_ui::fit_camera(extent, rect).zoom;
        (
            *extent,
            corridor::geometry::mercator::points_per_world(zoom),
        )
    })
}

/// What the window makes after a first view, as it makes it: a batch at a time, each put in
/// place before the next is asked for.
fn make_first_view_rest(r: &mut LayerRender, layer: &corridor::model::Layer) {
    loop {
        let wanted = r.next_provisional(layer, 2_000, true);
        if wanted.is_empty() {
            break;
        }
        r.apply_detail(LayerRender::full_detail(r.uid, wanted));
    }
}

/// The app's allocator (see `src/main.rs`): what a frame's buffers cost depends on it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench(c: &mut Criterion) {
    for (name, args, samples) in [
        ("small", ["1000", "50", "42"], 30),
        ("medium", ["20000", "100", "42"], 10),
    ] {
        let Some(file) = layer_file(name, &args) else {
            eprintln!("{name}: cannot generate the layer (python3 and ../shared/bench needed)");
            continue;
        };
        let Ok(bytes) = std::fs::read(&file) else {
            continue;
        };
        let mut g = c.benchmark_group(name);
        g.sample_size(samples);
        g.bench_function("parse floor (serde_json into IgnoredAny)", |b| {
            b.iter(|| {
                let r: Result<serde::de::IgnoredAny, _> = serde_json::from_slice(&bytes);
                black_box(r.is_ok())
            })
        });
        g.bench_function("parse", |b| b.iter(|| black_box(layer(&bytes))));
        // As the app reads a file: a window at a time, never the whole text at once.
        g.bench_function("parse: a window at a time, from the file", |b| {
            b.iter(|| {
                let read = corridor::io::geojson_file::read_geojson_streamed(
                    &file,
                    &corridor::io::geojson_file::Limits::default(),
                    |_| true,
                );
                let features = read.ok().flatten().map(|p| p.features.len());
                assert!(
                    features.is_some(),
                    "the generated layer reads a window at a time"
                );
                black_box(features)
            })
        });
        // The features alone, one thread: geojson's reader against the feature scanner.
        #[derive(serde::Deserialize)]
        struct Texts<'a> {
            #[serde(borrow)]
            features: Vec<&'a serde_json::value::RawValue>,
        }
        if let Ok(texts) = serde_json::from_slice::<Texts>(&bytes) {
            g.bench_function("parse: features, geojson's reader (one thread)", |b| {
                b.iter(|| {
                    texts
                        .features
                        .iter()
                        .filter(|t| serde_json::from_str::<geojson::Feature>(t.get()).is_ok())
                        .count()
                })
            });
            g.bench_function("parse: features, the feature scanner (one thread)", |b| {
                b.iter(|| {
                    texts
                        .features
                        .iter()
                        .filter(|t| corridor::io::geojson_feature::read(t.get()).is_some())
                        .count()
                })
            });
        }
        // Each feature's properties as the loader keeps them: checked to be serde_json's own
        // text and kept as they are, against read into a map and written back (as before).
        #[derive(serde::Deserialize)]
        struct Props<'a> {
            #[serde(borrow)]
            properties: &'a serde_json::value::RawValue,
        }
        #[derive(serde::Deserialize)]
        struct AllProps<'a> {
            #[serde(borrow)]
            features: Vec<Props<'a>>,
        }
        if let Ok(all) = serde_json::from_slice::<AllProps>(&bytes) {
            let texts: Vec<&str> = all.features.iter().map(|p| p.properties.get()).collect();
            g.bench_function("parse: properties, kept as the file has them", |b| {
                b.iter(|| {
                    texts
                        .iter()
                        .filter_map(|t| {
                            corridor::io::geojson_feature::compact_object(t.as_bytes(), 0)
                                .map(|end| black_box(Box::<str>::from(&t[..end])).len())
                        })
                        .sum::<usize>()
                })
            });
            g.bench_function("parse: properties, read into a map and written back", |b| {
                b.iter(|| {
                    texts
                        .iter()
                        .filter_map(|t| serde_json::from_str::<geojson::JsonObject>(t).ok())
                        .map(|m| {
                            black_box(geojson::JsonValue::Object(m).to_string().into_boxed_str())
                                .len()
                        })
                        .sum::<usize>()
                })
            });
        }
        let layer = layer(&bytes);
        // A save in the background: the snapshot it takes on the UI thread, and its writing
        // with a core left to the window (one thread here) against every core.
        g.bench_function("save: snapshot (on the UI thread)", |b| {
            b.iter(|| black_box(LayerText::of(&layer).features.len()))
        });
        let text = LayerText::of(&layer);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("a pool");
        g.bench_function("save: write the snapshot (one thread)", |b| {
            b.iter(|| one.install(|| write_snapshot(&text, &mut std::io::sink(), None).is_ok()))
        });
        g.bench_function("save: write the snapshot (every core)", |b| {
            b.iter(|| write_snapshot(&text, &mut std::io::sink(), None).is_ok())
        });
        // Each vertex into Web Mercator, and into a feature's local units as the build does.
        let geometries: Vec<geo::Geometry<f64>> = layer
            .features()
            .iter()
            .filter_map(|f| f.geometry().map(std::borrow::Cow::into_owned))
            .collect();
        g.bench_function("project", |b| {
            b.iter(|| {
                use geo::CoordsIter;
                let mut sum = 0.0;
                for g in &geometries {
                    for c in g.coords_iter() {
                        let w = mercator_from_lonlat(c.x, c.y);
                        sum += w[0] + w[1];
                    }
                }
                black_box(sum)
            })
        });
        g.bench_function(
            "project: into local units, by the series about each origin",
            |b| {
                b.iter(|| {
                    use geo::CoordsIter;
                    let mut sum = 0.0f32;
                    for g in &geometries {
                        let Some(first) = g.coords_iter().next() else {
                            continue;
                        };
                        let local = corridor::render::cache::Local::new(mercator_from_lonlat(
                            first.x, first.y,
                        ));
                        for c in g.coords_iter() {
                            let p = local.point(&c);
                            sum += p[0] + p[1];
                        }
                    }
                    black_box(sum)
                })
            },
        );
        let rings = local_rings(&layer);
        g.bench_function("tessellate (one thread)", |b| {
            b.iter(|| {
                for r in &rings {
                    black_box(tessellate_rings(r.iter().map(Vec::as_slice), 0.5).ok());
                }
            })
        });
        let paths: Vec<Vec<RenderPath>> = rings
            .iter()
            .map(|rs| {
                rs.iter()
                    .map(|r| RenderPath {
                        points: r.clone().into(),
                        closed: true,
                    })
                    .collect()
            })
            .collect();
        // As a deferred build makes them (the finest level's fill left for later), and with
        // every level filled, as other builds do.
        g.bench_function("level-of-detail build (one thread)", |b| {
            b.iter(|| {
                for p in &paths {
                    black_box(build_lods(p, true, false));
                }
            })
        });
        g.bench_function(
            "level-of-detail build, every level filled (one thread)",
            |b| {
                b.iter(|| {
                    for p in &paths {
                        black_box(build_lods(p, true, true));
                    }
                })
            },
        );
        g.bench_function("whole render build (every core)", |b| {
            b.iter(|| black_box(LayerRender::build(&layer)))
        });
        // As a large layer is opened: full detail and the finest level's fill left for later.
        g.bench_function("deferred render build (every core)", |b| {
            b.iter(|| black_box(LayerRender::build_deferred(&layer, None)))
        });
        // Then zoomed in to 15 over the middle: the finest fills its frame stood in for, made
        // on the spare core.
        let deferred = LayerRender::build_deferred(&layer, None);
        g.bench_function("finest fills made on demand (a zoom-15 frame's)", |b| {
            b.iter_batched(
                || {
                    frame_batch(&deferred, 15.0);
                    deferred.take_stand_ins(&layer, usize::MAX)
                },
                |wanted| black_box(LayerRender::full_detail(deferred.uid, wanted)),
                criterion::BatchSize::SmallInput,
            )
        });
        // As a large layer is opened in the window: what its first view draws as a dot keeps
        // only its box, and its levels are made after the first frame, a batch at a time.
        g.bench_function("first-view render build (every core)", |b| {
            b.iter(|| black_box(first_view_build(&layer)))
        });
        g.bench_function(
            "first view: the dots' levels made after it (spare core), put in place",
            |b| {
                b.iter_batched(
                    || first_view_build(&layer),
                    |mut r| {
                        make_first_view_rest(&mut r, &layer);
                        r
                    },
                    criterion::BatchSize::LargeInput,
                )
            },
        );
        let mut after_first_view = first_view_build(&layer);
        make_first_view_rest(&mut after_first_view, &layer);
        let deferred_whole = LayerRender::build_deferred(&layer, None);
        // Zoomed in on a first view before the rest of its levels are made: most features in
        // view are boxes standing in, drawn from their briefs.
        let first_view_only = first_view_build(&layer);
        g.bench_with_input(
            BenchmarkId::new("frame: the map's batch, staged, boxes standing in", 13.0),
            &13.0,
            |b, &z| b.iter(|| frame_staged(&first_view_only, z)),
        );
        for zoom in [10.0, 13.0] {
            g.bench_with_input(
                BenchmarkId::new("frame: the map's batch, staged, deferred build", zoom),
                &zoom,
                |b, &z| b.iter(|| frame_staged(&deferred_whole, z)),
            );
            g.bench_with_input(
                BenchmarkId::new("frame: the map's batch, staged, after a first view", zoom),
                &zoom,
                |b, &z| b.iter(|| frame_staged(&after_first_view, z)),
            );
        }
        // The interface's language changes: labels only, against the whole build it replaced.
        let mut relabelled = LayerRender::build(&layer);
        let mut langs = [corridor::model::Lang::Zh, corridor::model::Lang::En]
            .into_iter()
            .cycle();
        g.bench_function("language change: relabel", |b| {
            b.iter(|| relabelled.relabel(&layer, langs.next()))
        });
        // A style editor's colour or slider moved: colours and labels only.
        g.bench_function("style change: restyle", |b| {
            b.iter(|| relabelled.restyle(&layer, Some(corridor::model::Lang::En)))
        });
        // The attribute table open: what a frame works out, and a keystroke in its filter.
        let mut table = corridor::ui::table_ui::TableState::new(layer.id);
        table.sort = Some(("name".into(), true));
        g.bench_function("table: a frame's rows and columns", |b| {
            b.iter(|| black_box(table.view(&layer).1.len()))
        });
        g.bench_function("table: rows and columns worked out from scratch", |b| {
            b.iter(|| {
                black_box(corridor::ui::table_ui::columns(&layer));
                black_box(corridor::ui::table_ui::rows(&layer, &table).len())
            })
        });
        g.bench_function("table: typing a filter, one keystroke at a time", |b| {
            b.iter(|| {
                let mut t = corridor::ui::table_ui::TableState::new(layer.id);
                for filter in ["k", "kh", "khu", "khu ", "khu d", "khu dân"] {
                    t.filter = filter.into();
                    black_box(t.view(&layer).1.len());
                }
            })
        });
        let render = LayerRender::build(&layer);
        for zoom in [10.0, 13.0, 16.0] {
            // As egui meshes and paths, tessellated by egui (the window without wgpu).
            g.bench_with_input(BenchmarkId::new("frame", zoom), &zoom, |b, &z| {
                b.iter(|| frame(&render, z))
            });
            g.bench_with_input(
                BenchmarkId::new("frame: the map's batch", zoom),
                &zoom,
                |b, &z| b.iter(|| frame_batch(&render, z)),
            );
            g.bench_with_input(
                BenchmarkId::new("frame: the map's batch, staged", zoom),
                &zoom,
                |b, &z| b.iter(|| frame_staged(&render, z)),
            );
        }
        // A table too large to hold: one pan's rows (a tenth of the layer) made ready on the
        // reading thread, then put in place beside the rest on the UI thread.
        let rows: Vec<corridor::db::Row> = layer
            .features()
            .iter()
            .take(layer.features().len() / 10)
            .enumerate()
            .map(|(i, f)| corridor::db::Row {
                key: i.to_string(),
                version: "1".into(),
                record: f.record().into_owned(),
            })
            .collect();
        g.bench_function("window: a pan's rows made ready (every core)", |b| {
            b.iter(|| {
                let (r, d) =
                    corridor::app::windowed::make_ready(rows.clone(), &LayerStyle::default(), None);
                black_box((r.len(), d.len()))
            })
        });
        let (_, added) =
            corridor::app::windowed::make_ready(rows.clone(), &LayerStyle::default(), None);
        g.bench_function("window: a pan's rows put in place (splice)", |b| {
            b.iter_batched(
                || (LayerRender::build(&layer), added.clone()),
                |(mut r, added)| {
                    r.splice(None, added);
                    // Returned, so that dropping it is not timed.
                    r
                },
                criterion::BatchSize::LargeInput,
            )
        });
        // A pan far from where the view was: the rows of the quarter farthest from it let go,
        // the pan's rows put in place after the rest.
        let e = render.extent;
        let keep: Vec<bool> = render
            .features
            .iter()
            .map(|f| f.bbox.min[0] < e.min[0] + 0.75 * e.width())
            .collect();
        g.bench_function(
            "window: far rows let go, a pan's rows put in place (splice)",
            |b| {
                b.iter_batched(
                    || (LayerRender::build(&layer), added.clone()),
                    |(mut r, added)| {
                        r.splice(Some(&keep), added);
                        r
                    },
                    criterion::BatchSize::LargeInput,
                )
            },
        );
        let mut seed = 7u64;
        g.bench_function("pick", |b| {
            b.iter(|| {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                let fx = (seed >> 40) as f64 / (1u64 << 24) as f64;
                let fy = ((seed >> 16) & 0xff_ffff) as f64 / (1u64 << 24) as f64;
                let w = [e.min[0] + e.width() * fx, e.min[1] + e.height() * fy];
                black_box(render.hit(&layer, w, 1e-8, 1e-8))
            })
        });
        // The features in view with most of the layer in view (as at zoom 12 over the large
        // layer): one pass over the briefs' boxes, which a frame takes, against asking the
        // index.
        let most = corridor::geometry::MercatorBox {
            min: [e.min[0] + 0.1 * e.width(), e.min[1] + 0.1 * e.height()],
            max: [e.max[0] - 0.1 * e.width(), e.max[1] - 0.1 * e.height()],
        };
        g.bench_function("features in view, most of the layer: one pass", |b| {
            b.iter(|| black_box(render.visible_by_scan(&most)))
        });
        g.bench_function(
            "features in view, most of the layer: the index (baseline)",
            |b| b.iter(|| black_box(render.visible_by_index(&most))),
        );
        g.finish();
    }
}

/// A million rows' overview: painting every row's box into the image, and the window's
/// bookkeeping for a pan (which tiles to read, which to let go).
fn million(c: &mut Criterion) {
    use corridor::db::window::{Limits, Tiling, Window, mercator_box, paint_overview};
    let mut g = c.benchmark_group("million");
    g.sample_size(10);
    let extent = mercator_box(&[106.55, 10.85, 106.85, 11.30]);
    let boxes: Vec<([f64; 4], egui::Color32)> = (0..1_000_000u32)
        .map(|i| {
            let (x, y) = (f64::from(i % 1000), f64::from(i / 1000));
            let (w, s) = (106.55 + x * 0.0003, 10.85 + y * 0.00045);
            (
                [w, s, w + 0.0002, s + 0.0003],
                egui::Color32::from_rgb((i % 7) as u8 * 30, 90, 60),
            )
        })
        .collect();
    g.bench_function("overview: paint 1 000 000 boxes into 4 096 px", |b| {
        b.iter(|| black_box(paint_overview(extent, 4096, boxes.iter().copied()).rows))
    });
    let limits = Limits::default();
    let tiling = Tiling::new(1_000_000, extent, &limits);
    g.bench_function("window: tiles wanted and let go over 20 pans", |b| {
        b.iter(|| {
            let mut w = Window::new(tiling.clone(), limits);
            let side = extent.width() / 30.0;
            for i in 0..20 {
                let x = extent.min[0] + side * (0.5 + f64::from(i));
                let view = corridor::geometry::MercatorBox {
                    min: [x - side / 2.0, extent.min[1]],
                    max: [x + side / 2.0, extent.min[1] + side * 0.56],
                };
                loop {
                    let t = w.wanted(&view);
                    if t.is_empty() {
                        break;
                    }
                    w.arrived(&t);
                }
                w.let_go(&view);
            }
            black_box(w.held())
        })
    });
    g.finish();
}

criterion_group!(benches, bench, million);
criterion_main!(benches);
