//! Basemaps as people have them: vector tiles (MVT) from PMTiles and MBTiles drawn by the real
//! renderer, `tiles info` on each kind of file, over-zoom, bounds, damaged files, conversion,
//! and honest status and credits. The files are made here, over the shared ward boundaries.

mod support {
    pub mod data;
    pub mod vector_tiles;
}

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use corridor::geometry::mercator_from_lonlat;
use corridor::model::Lang;
use corridor::tiles::file::{Compression, FormatFrom, TileFile, TileFormat};
use corridor::tiles::{FileTiles, style};
use corridor::{AppOptions, CorridorApp};
use egui_kittest::Harness;
use support::vector_tiles::*;
use walkers::{TileId, Tiles};

/// A project showing only local tile files, no provider, at `center` and `zoom`.
fn project(dir: &Path, files: &[PathBuf], center: [f64; 2], zoom: f64) -> PathBuf {
    let files: Vec<String> = files
        .iter()
        .map(|f| format!("{:?}", f.display().to_string()))
        .collect();
    let text = format!(
        "title = \"Vector basemap test\"\n[view]\ncenter = [{}, {}]\nzoom = {zoom}\n[basemap]\nname = \"None\"\nurl = \"\"\nfiles = [{}]\n",
        center[0],
        center[1],
        files.join(", ")
    );
    let path = dir.join("vector.toml");
    std::fs::write(&path, text).expect("write project");
    path
}

fn harness(path: PathBuf, data_dir: PathBuf) -> Harness<'static, CorridorApp> {
    let options = AppOptions {
        path,
        offline: true,
        data_dir: Some(data_dir),
    };
    Harness::builder()
        .with_size(egui::vec2(900.0, 650.0))
        .with_step_dt(1.0 / 60.0)
        .with_max_steps(10_000)
        .wgpu()
        .build_eframe(move |cc| {
            corridor::tiles::install_vector_renderer(cc.wgpu_render_state.as_ref());
            CorridorApp::with_context(&cc.egui_ctx, options)
        })
}

/// Steps until the basemap has drawn every tile it asked for (or 20 s pass).
fn settle(h: &mut Harness<'static, CorridorApp>) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        h.step();
        let s = h.state().basemap().stats();
        if s.found > 0 && s.pending == 0 && s.found == s.requested {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    h.step();
    h.step();
}

fn pixel(image: &image::RgbaImage, p: egui::Pos2) -> [u8; 3] {
    let px = image.get_pixel(p.x.round() as u32, p.y.round() as u32).0;
    [px[0], px[1], px[2]]
}

fn screen_of(h: &Harness<'static, CorridorApp>, lon: f64, lat: f64) -> egui::Pos2 {
    let t = h.state().map.transform.expect("map drawn");
    t.screen_from_world(mercator_from_lonlat(lon, lat))
}

fn near(a: [u8; 3], b: [u8; 3], tolerance: i32) -> bool {
    a.iter()
        .zip(b)
        .all(|(x, y)| (*x as i32 - y as i32).abs() <= tolerance)
}

/// Protomaps light, as walkers' built-in style paints it.
const WATER: [u8; 3] = [0x88, 0xb2, 0xe2];
const EARTH: [u8; 3] = [0xf2, 0xf2, 0xf0];

#[test]
fn vector_tiles_draw_water_roads_and_labels_where_they_are() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("corridor-vector.pmtiles");
    vector_pmtiles(&file, 8..=12);
    let centre = [106.655, 11.01];
    let mut h = harness(
        project(dir.path(), std::slice::from_ref(&file), centre, 12.0),
        dir.path().join("data"),
    );
    settle(&mut h);
    let status = h.state().basemap().status();
    assert_eq!(
        status.drawn,
        vec!["corridor-vector.pmtiles (vector)".to_owned()],
        "{status:?}"
    );
    assert!(!status.network, "offline: no network");
    let image = h.render().expect("render");
    if let Ok(p) = std::env::var("CORRIDOR_SAVE_RENDER") {
        image.save(p).expect("save render");
    }

    // The lake, filled with the style's water colour; land beside it in the land colour.
    let lake = screen_of(&h, (LAKE[0] + LAKE[2]) / 2.0, (LAKE[1] + LAKE[3]) / 2.0);
    let water = pixel(&image, lake);
    assert!(
        near(water, WATER, 6),
        "the lake is drawn as water: {water:?} at {lake:?}"
    );
    let land_at = screen_of(&h, LAKE[2] + 0.01, (LAKE[1] + LAKE[3]) / 2.0);
    let land = pixel(&image, land_at);
    assert!(near(land, EARTH, 6), "land beside the lake: {land:?}");

    // The road: along its line the pixels differ from the land, a little off it they do not.
    let on_road = screen_of(&h, LAKE[0], ROAD_LAT);
    let road = pixel(&image, on_road);
    assert!(!near(road, EARTH, 20), "the road is drawn: {road:?}");
    let off_road = pixel(&image, on_road + egui::vec2(0.0, 25.0));
    assert!(
        near(off_road, EARTH, 6),
        "beside the road is land: {off_road:?}"
    );

    // The label of the ward whose centre is on screen: dark text pixels around its centre.
    let [lon, lat] = ward_centre("Thủ Dầu Một");
    let label_at = screen_of(&h, lon, lat);
    let rect = h.state().map.transform.expect("map").rect;
    assert!(rect.contains(label_at), "the ward's centre is on screen");
    let dark = |p: egui::Pos2| {
        let mut n = 0;
        for dx in -50..=50 {
            for dy in -10..=10 {
                let q = p + egui::vec2(dx as f32, dy as f32);
                if rect.contains(q) && pixel(&image, q).iter().all(|c| *c < 120) {
                    n += 1;
                }
            }
        }
        n
    };
    let text_pixels = dark(label_at);
    assert!(
        text_pixels > 20,
        "the label is drawn at the ward's centre ({text_pixels} dark pixels)"
    );

    // Its credit is the file's own attribution, and OpenStreetMap's is not claimed.
    let credits = h.state().basemap().credits();
    assert_eq!(
        credits,
        vec!["Test data © geoBoundaries, vietnamese-provinces-database".to_owned()]
    );
}

#[test]
fn labels_are_in_the_map_language_with_the_local_name_as_fallback() {
    let wards = wards();
    let [lon, lat] = ward_centre("Thủ Dầu Một");
    let n = 2f64.powi(11);
    let [wx, wy] = mercator_from_lonlat(lon, lat);
    let (x, y) = ((wx * n) as u32, (wy * n) as u32);
    let bytes = vector_tile(11, x, y, &wards);
    let texts = |lang: Lang| -> Vec<String> {
        let s = style::in_language(style::default_style(style::Schema::Protomaps), lang);
        match walkers::Tile::from_mvt(&bytes, &s, 11, 512).expect("decode") {
            walkers::Tile::Vector { texts, .. } => texts.into_iter().map(|t| t.text).collect(),
            walkers::Tile::Raster(_) => panic!("a vector tile"),
        }
    };
    let en = texts(Lang::En);
    assert!(en.iter().any(|t| t == "Thu Dau Mot"), "{en:?}");
    let vi = texts(Lang::Vi);
    assert!(vi.iter().any(|t| t == "Thủ Dầu Một"), "{vi:?}");
    // No Chinese names in the file: the local name stands in.
    let zh = texts(Lang::Zh);
    assert!(zh.iter().any(|t| t == "Thủ Dầu Một"), "{zh:?}");
}

fn info_text(file: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(["tiles", "info"])
        .arg(file)
        .output()
        .expect("run corridor");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn tiles_info_describes_pmtiles_and_reads_undeclared_formats_from_the_tiles() {
    let dir = tempfile::tempdir().expect("temp dir");
    let vpm = dir.path().join("v.pmtiles");
    vector_pmtiles(&vpm, 8..=10);
    let text = info_text(&vpm);
    for want in [
        "kind:        PMTiles v3",
        "tile type:   pbf (Mapbox Vector Tile)",
        "compression: gzip",
        "zoom levels: 8–10",
        "bounds:      106.55, 10.93, 106.8, 11.1",
        "layers:      earth, water, roads, boundaries, places",
        "attribution: Test data © geoBoundaries",
    ] {
        assert!(text.contains(want), "{want:?} in\n{text}");
    }
    let count: usize = (8..=10).map(|z| tiles_of(BBOX, z).len()).sum();
    assert!(text.contains(&format!("tiles:       {count}\n")), "{text}");

    let vmb = dir.path().join("v.mbtiles");
    vector_mbtiles_without_format(&vmb, 8..=9);
    let text = info_text(&vmb);
    assert!(
        text.contains("tile type:   pbf (Mapbox Vector Tile) (read from the tiles' bytes)"),
        "{text}"
    );
    assert!(text.contains("compression: gzip"), "{text}");

    let rmb = dir.path().join("r.mbtiles");
    raster_mbtiles_without_format(&rmb, [200, 30, 30], 2);
    let text = info_text(&rmb);
    assert!(
        text.contains("tile type:   png (read from the tiles' bytes)"),
        "{text}"
    );
    assert!(text.contains("tile size:   256 px"), "{text}");

    let rpm = dir.path().join("r.pmtiles");
    raster_pmtiles(&rpm, [30, 200, 30], 512, 1);
    let info = TileFile::open(&rpm).and_then(|f| f.info()).expect("info");
    assert_eq!(info.format, TileFormat::Png);
    assert_eq!(info.format_from, FormatFrom::Declared);
    assert_eq!(info.compression, Compression::None);
    assert_eq!(info.tile_size, Some(512));
    assert_eq!(info.tile_count, 1 + 4);
}

#[test]
fn damaged_or_unreadable_files_are_named_with_their_problem_and_the_map_goes_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = dir.path().join("good.pmtiles");
    vector_pmtiles(&good, 10..=11);
    let bytes = std::fs::read(&good).expect("read");

    // Truncated in its tile data, and in its directories.
    let cut = dir.path().join("cut.pmtiles");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
    let e = TileFile::open(&cut).err().expect("refused").to_string();
    assert!(e.contains("cut.pmtiles") && e.contains("truncated"), "{e}");
    let cut = dir.path().join("cut-early.pmtiles");
    std::fs::write(&cut, &bytes[..200]).expect("write");
    let e = TileFile::open(&cut).err().expect("refused").to_string();
    assert!(
        e.contains("cut-early.pmtiles") && e.contains("truncated"),
        "{e}"
    );

    // A tile compression this build does not read (brotli), and an unknown tile type.
    let mut brotli = bytes.clone();
    brotli[98] = 3;
    let path = dir.path().join("brotli.pmtiles");
    std::fs::write(&path, &brotli).expect("write");
    let e = TileFile::open(&path).err().expect("refused").to_string();
    assert!(e.contains("brotli.pmtiles") && e.contains("brotli"), "{e}");
    let mut odd = bytes.clone();
    odd[99] = 9;
    let path = dir.path().join("odd.pmtiles");
    std::fs::write(&path, &odd).expect("write");
    let ctx = egui::Context::default();
    let e = FileTiles::open(&path, None, Lang::En, &ctx)
        .err()
        .expect("refused");
    assert!(e.contains("odd.pmtiles") && e.contains("tile type"), "{e}");

    // A vector file no layer of the style draws from.
    let style = dir.path().join("style.json");
    std::fs::write(
        &style,
        r##"{"version": 8, "layers": [{"id": "parcels", "type": "fill", "source-layer": "parcels", "paint": {"fill-color": "#ff0000"}}]}"##,
    )
    .expect("write");
    let e = FileTiles::open(&good, Some(&style), Lang::En, &ctx)
        .err()
        .expect("refused");
    assert!(
        e.contains("good.pmtiles") && e.contains("no layer of the style"),
        "{e}"
    );

    // In the app: the damaged file is reported, the good one drawn.
    let mut h = harness(
        project(
            dir.path(),
            &[good.clone(), dir.path().join("cut.pmtiles")],
            [106.655, 11.01],
            11.0,
        ),
        dir.path().join("data"),
    );
    settle(&mut h);
    let notices = h.state().notices().join("\n");
    assert!(
        notices.contains("cut.pmtiles") && notices.contains("truncated"),
        "{notices}"
    );
    assert_eq!(
        h.state().basemap().status().drawn,
        vec!["good.pmtiles (vector)".to_owned()]
    );
}

#[test]
fn past_the_files_last_zoom_tiles_are_scaled_up_not_missing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("z3.pmtiles");
    let colour = [40, 160, 90];
    raster_pmtiles(&file, colour, 256, 3);
    // Zoom 11: eight levels past the file's last.
    let mut h = harness(
        project(
            dir.path(),
            std::slice::from_ref(&file),
            [106.655, 11.01],
            11.0,
        ),
        dir.path().join("data"),
    );
    settle(&mut h);
    let image = h.render().expect("render");
    let rect = h.state().map.transform.expect("map").rect;
    let got = pixel(&image, rect.center() + egui::vec2(7.0, 9.0));
    assert!(near(got, colour, 3), "over-zoomed tile drawn: {got:?}");
    assert_eq!(
        h.state().basemap().status().drawn,
        vec!["z3.pmtiles (raster)".to_owned()]
    );
}

#[test]
fn tiles_are_drawn_at_their_own_size_and_nothing_is_asked_for_outside_the_bounds() {
    let dir = tempfile::tempdir().expect("temp dir");
    let big = dir.path().join("512.pmtiles");
    raster_pmtiles(&big, [1, 2, 3], 512, 2);
    let ctx = egui::Context::default();
    let layer = FileTiles::open(&big, None, Lang::En, &ctx).expect("open");
    assert_eq!(layer.tile_size(), 512);

    let file = dir.path().join("v.pmtiles");
    vector_pmtiles(&file, 10..=12);
    let mut layer = FileTiles::open(&file, None, Lang::En, &ctx).expect("open");
    assert_eq!(layer.tile_size(), 512);
    // Hà Nội, far outside the file's bounds, at one of its zooms.
    let [wx, wy] = mercator_from_lonlat(105.85, 21.03);
    let far = TileId {
        x: (wx * 2048.0) as u32,
        y: (wy * 2048.0) as u32,
        zoom: 11,
    };
    assert!(layer.at(far).is_none());
    assert_eq!(layer.pending(), 0, "no request outside the bounds");
    // Below its first zoom: nothing either.
    let [wx, wy] = mercator_from_lonlat(106.655, 11.01);
    let low = TileId {
        x: (wx * 256.0) as u32,
        y: (wy * 256.0) as u32,
        zoom: 8,
    };
    assert!(layer.at(low).is_none());
    assert_eq!(layer.pending(), 0, "no request below the first zoom");
    // Inside: asked for.
    let inside = TileId {
        x: (wx * 2048.0) as u32,
        y: (wy * 2048.0) as u32,
        zoom: 11,
    };
    layer.at(inside);
    assert_eq!(layer.pending(), 1);
}

#[test]
fn convert_goes_between_mbtiles_and_pmtiles_keeping_tiles_and_metadata() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mb = dir.path().join("in.mbtiles");
    vector_mbtiles_without_format(&mb, 9..=10);
    let pm = dir.path().join("out.pmtiles");
    let status = Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(["tiles", "convert"])
        .arg(&mb)
        .arg(&pm)
        .status()
        .expect("run");
    assert!(status.success());
    let back = dir.path().join("back.mbtiles");
    corridor::tiles::convert::convert(&pm, &back).expect("convert back");

    let a = TileFile::open(&mb).expect("open");
    let b = TileFile::open(&pm).expect("open");
    let c = TileFile::open(&back).expect("open");
    let (ia, ib, ic) = (
        a.info().expect("info"),
        b.info().expect("info"),
        c.info().expect("info"),
    );
    assert_eq!(ia.tile_count, ib.tile_count);
    assert_eq!(ib.tile_count, ic.tile_count);
    assert_eq!(ib.format, TileFormat::Mvt);
    assert_eq!(
        ic.format_from,
        FormatFrom::Declared,
        "the format key is written"
    );
    assert_eq!(ia.attribution, ib.attribution);
    assert_eq!(ib.vector_layers, ia.vector_layers);
    assert_eq!(ic.attribution, ia.attribution);
    for z in 9..=10 {
        for (x, y) in tiles_of(BBOX, z) {
            let want = a.tile(z, x, y).expect("tile").expect("present");
            assert_eq!(b.tile(z, x, y).expect("tile").as_ref(), Some(&want));
            assert_eq!(c.tile(z, x, y).expect("tile").as_ref(), Some(&want));
        }
    }
    // Converting onto an existing file keeps the old one as a backup.
    corridor::tiles::convert::convert(&pm, &back).expect("convert again");
    assert!(dir.path().join("back.mbtiles.bak").is_file());
}

#[test]
fn an_exported_figure_draws_the_vector_basemap() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("corridor-vector.pmtiles");
    vector_pmtiles(&file, 8..=12);
    let lake = [(LAKE[0] + LAKE[2]) / 2.0, (LAKE[1] + LAKE[3]) / 2.0];
    let project = project(dir.path(), std::slice::from_ref(&file), lake, 13.0);
    let out = dir.path().join("figure.png");
    let run = Command::new(env!("CARGO_BIN_EXE_corridor"))
        .arg("export")
        .arg(&project)
        .arg("--out")
        .arg(&out)
        .args(["--size", "800x600"])
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .output()
        .expect("run corridor");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let image = image::open(&out).expect("the PNG").to_rgb8();
    let centre = image.get_pixel(400, 300).0;
    assert!(
        near(centre, WATER, 6),
        "the lake at the figure's centre: {centre:?}"
    );
}

#[test]
fn a_maplibre_style_named_by_the_project_replaces_the_built_in_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("v.pmtiles");
    vector_pmtiles(&file, 10..=12);
    std::fs::write(
        dir.path().join("style.json"),
        r##"{"version": 8, "sources": {}, "layers": [
            {"id": "bg", "type": "background", "paint": {"background-color": "#202020"}},
            {"id": "water", "type": "fill", "source-layer": "water", "paint": {"fill-color": "#e03010"}}
        ]}"##,
    )
    .expect("write style");
    let lake = [(LAKE[0] + LAKE[2]) / 2.0, (LAKE[1] + LAKE[3]) / 2.0];
    let project = project(dir.path(), std::slice::from_ref(&file), lake, 13.0);
    let text = std::fs::read_to_string(&project).expect("read") + "style = \"style.json\"\n";
    std::fs::write(&project, text).expect("write");
    let mut h = harness(project, dir.path().join("data"));
    settle(&mut h);
    let image = h.render().expect("render");
    let rect = h.state().map.transform.expect("map").rect;
    let water = pixel(&image, screen_of(&h, lake[0], lake[1]));
    assert!(
        near(water, [0xe0, 0x30, 0x10], 6),
        "water in the style's red: {water:?}"
    );
    let corner = pixel(&image, rect.left_top() + egui::vec2(30.0, 30.0));
    assert!(
        near(corner, [0x20, 0x20, 0x20], 6),
        "its background: {corner:?}"
    );

    // A style that is not one is refused with its reason, and the map keeps the one it has.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"layers\": 3}").expect("write");
    let ctx = h.ctx.clone();
    h.state_mut().set_vector_style(&ctx, Some(bad));
    let notices = h.state().notices().join("\n");
    assert!(
        notices.contains("bad.json") && notices.contains("not a MapLibre style"),
        "{notices}"
    );
    // Back to the built-in style: the lake is blue again.
    h.state_mut().set_vector_style(&ctx, None);
    settle(&mut h);
    let image = h.render().expect("render");
    let water = pixel(&image, screen_of(&h, lake[0], lake[1]));
    assert!(near(water, WATER, 6), "built-in water: {water:?}");
}

#[test]
fn damaged_tile_files_never_crash_the_reader() {
    // Every cut and many corrupted bytes of a real PMTiles and MBTiles file: opening,
    // describing and reading tiles give an answer or an error, never a panic.
    let dir = tempfile::tempdir().expect("temp dir");
    let good = dir.path().join("good.pmtiles");
    vector_pmtiles(&good, 9..=10);
    let bytes = std::fs::read(&good).expect("read");
    let tiles: Vec<(u8, u32, u32)> = (9..=10)
        .flat_map(|z| tiles_of(BBOX, z).into_iter().map(move |(x, y)| (z, x, y)))
        .collect();
    let path = dir.path().join("damaged.pmtiles");
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut variants: Vec<Vec<u8>> = Vec::new();
    for cut in (0..bytes.len()).step_by((bytes.len() / 150).max(1)) {
        variants.push(bytes[..cut].to_vec());
    }
    for _ in 0..300 {
        let mut b = bytes.clone();
        // Mostly the header and directories, where a wrong byte misleads the most.
        let span = if next() % 4 == 0 {
            b.len()
        } else {
            2048.min(b.len())
        };
        for _ in 0..1 + next() % 4 {
            let at = (next() as usize) % span;
            b[at] = next() as u8;
        }
        variants.push(b);
    }
    let mut refused = 0;
    for b in &variants {
        std::fs::write(&path, b).expect("write");
        let outcome = std::panic::catch_unwind(|| match TileFile::open(&path) {
            Ok(f) => {
                let _ = f.info();
                for &(z, x, y) in &tiles {
                    let _ = f.tile(z, x, y);
                }
                false
            }
            Err(e) => {
                let e = e.to_string();
                assert!(
                    e.contains("damaged.pmtiles"),
                    "the message names the file: {e}"
                );
                true
            }
        });
        match outcome {
            Ok(was_refused) => refused += was_refused as usize,
            Err(_) => panic!("reading a damaged file panicked ({} bytes)", b.len()),
        }
    }
    assert!(refused > 100, "most damaged files are refused ({refused})");
}
