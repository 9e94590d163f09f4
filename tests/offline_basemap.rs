//! The offline basemap against a real HTTP tile server on 127.0.0.1: prefetch into MBTiles and
//! read it back, the map drawing those tiles with the server gone, the disk cache serving what
//! was seen once, faults that must not break anything, and the command line.

mod support {
    pub mod tile_server;
}

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use corridor::geometry::mercator_from_lonlat;
use corridor::tiles::mbtiles::MbTiles;
use corridor::tiles::prefetch::{Limits, Plan, Progress, prefetch};
use corridor::tiles::raster::{HttpSource, RasterTiles, Sources};
use corridor::{AppOptions, CorridorApp};
use egui_kittest::Harness;
use support::tile_server::{TileServer, tile_colour};
use walkers::{TileId, Tiles};

const FAST: Limits = Limits {
    parallel: 2,
    per_second: 500.0,
};

fn plan() -> Plan {
    Plan {
        bbox: [106.62, 11.02, 106.72, 11.10],
        min_zoom: 10,
        max_zoom: 12,
    }
}

/// A project showing only the basemap: `url` as provider, `files` as local tiles.
fn project(dir: &Path, url: &str, files: &[PathBuf]) -> PathBuf {
    let files: Vec<String> = files
        .iter()
        .map(|f| format!("{:?}", f.display().to_string()))
        .collect();
    let text = format!(
        "title = \"Basemap test\"\n[view]\ncenter = [106.67, 11.06]\nzoom = 11.0\n[basemap]\nname = \"Test server\"\nurl = {url:?}\nattribution = \"Test tiles\"\nmax_zoom = 18\nfiles = [{}]\n",
        files.join(", ")
    );
    let path = dir.join("basemap.toml");
    std::fs::write(&path, text).expect("write project");
    path
}

fn harness(path: PathBuf, data_dir: PathBuf, offline: bool) -> Harness<'static, CorridorApp> {
    let options = AppOptions {
        path,
        offline,
        data_dir: Some(data_dir),
    };
    Harness::builder()
        .with_size(egui::vec2(800.0, 600.0))
        .with_step_dt(1.0 / 60.0)
        .with_max_steps(10_000)
        .wgpu()
        .build_eframe(move |cc| {
            corridor::tiles::install_vector_renderer(cc.wgpu_render_state.as_ref());
            CorridorApp::with_context(&cc.egui_ctx, options)
        })
}

/// Steps the app until the basemap has drawn tiles and is waiting for nothing (or 10 s pass).
fn until_tiles_settle(h: &mut Harness<'static, CorridorApp>) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        h.step();
        let s = h.state().basemap().stats();
        if s.found > 0 && s.pending == 0 && s.found == s.requested {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    h.step();
}

/// The colour on screen at the map's centre, and the colour of the zoom-11 tile under it.
fn centre_pixel_and_expected(h: &mut Harness<'static, CorridorApp>) -> ([u8; 3], [u8; 3]) {
    let t = h.state().map.transform.expect("map drawn");
    let image = h.render().expect("render");
    let c = t.rect.center() + egui::vec2(3.0, 3.0);
    let px = image.get_pixel(c.x as u32, c.y as u32).0;
    let w = t.world_from_screen(c);
    let n = 2f64.powi(11);
    let expected = tile_colour(11, (w[0] * n) as u32, (w[1] * n) as u32);
    ([px[0], px[1], px[2]], expected)
}

fn close(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter()
        .zip(b)
        .all(|(x, y)| (*x as i32 - y as i32).abs() <= 3)
}

#[test]
fn prefetch_writes_every_tile_and_the_map_shows_them_with_the_server_gone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("area.mbtiles");
    let server = TileServer::start();
    let template = server.template("tiles");
    let progress = Progress::default();
    let summary = prefetch(
        &template,
        "Test area",
        "Test tiles",
        &plan(),
        &out,
        FAST,
        &progress,
    )
    .expect("prefetch");
    assert_eq!(summary.downloaded, plan().tile_count());
    assert_eq!(summary.failed, 0);

    let file = MbTiles::open(&out).expect("open");
    for (z, x, y) in plan().tiles() {
        let bytes = file
            .tile(z, x, y)
            .expect("read")
            .unwrap_or_else(|| panic!("tile {z}/{x}/{y} missing"));
        let image = corridor::tiles::decode::decode_tile(&bytes).expect("decodes");
        let [r, g, b] = tile_colour(z, x, y);
        assert_eq!(
            image.pixels[0],
            egui::Color32::from_rgb(r, g, b),
            "tile {z}/{x}/{y} is at its own place"
        );
    }
    let info = file.info().expect("info");
    assert_eq!(info.name, "Test area");
    assert_eq!(info.format, "png");
    assert_eq!((info.min_zoom, info.max_zoom), (Some(10), Some(12)));
    assert_eq!(info.bounds, Some(plan().bbox));
    assert_eq!(info.tile_count, plan().tile_count());
    drop(file);

    // Run again: everything is already there.
    let again = prefetch(
        &template,
        "Test area",
        "Test tiles",
        &plan(),
        &out,
        FAST,
        &Progress::default(),
    )
    .expect("resume");
    assert_eq!((again.downloaded, again.skipped), (0, plan().tile_count()));

    // The server goes away; the map draws the file's tiles.
    drop(server);
    let project = project(dir.path(), &template, std::slice::from_ref(&out));
    let mut h = harness(project, dir.path().join("data"), false);
    until_tiles_settle(&mut h);
    assert_eq!(
        h.state().basemap().state(),
        corridor::tiles::BasemapState::Showing
    );
    let (got, expected) = centre_pixel_and_expected(&mut h);
    assert!(
        close(got, expected),
        "centre pixel {got:?}, tile colour {expected:?}"
    );
}

#[test]
fn tiles_seen_once_are_there_offline() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let server = TileServer::start();
    let project = project(dir.path(), &server.template("tiles"), &[]);
    {
        let mut h = harness(project.clone(), data.clone(), false);
        until_tiles_settle(&mut h);
        assert!(
            server.total_hits("tiles") > 0,
            "the app fetched from the server"
        );
    }
    drop(server);
    // Offline now: the cache has what was seen.
    let mut h = harness(project, data, true);
    until_tiles_settle(&mut h);
    assert_eq!(
        h.state().basemap().state(),
        corridor::tiles::BasemapState::Showing
    );
    let (got, expected) = centre_pixel_and_expected(&mut h);
    assert!(
        close(got, expected),
        "centre pixel {got:?}, tile colour {expected:?}"
    );
}

fn raster(template: String) -> (egui::Context, RasterTiles) {
    let ctx = egui::Context::default();
    let tiles = RasterTiles::new(
        Sources {
            local: vec![],
            http: Some(HttpSource {
                template,
                min_zoom: 0,
                max_zoom: 18,
                online: true,
            }),
            cache: None,
        },
        &ctx,
    );
    (ctx, tiles)
}

#[test]
fn server_faults_draw_nothing_broken_and_are_retried_later() {
    let server = TileServer::start();
    let id = TileId {
        x: 1628,
        y: 959,
        zoom: 11,
    };
    for route in ["404", "500", "reset", "garbage", "huge"] {
        let (_ctx, mut tiles) = raster(server.template(route));
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            tiles.begin_frame();
            assert!(tiles.at(id).is_none(), "{route}: no broken tile is drawn");
            if tiles.stats().failed > 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(tiles.stats().failed, 1, "{route}: the failure is recorded");
        assert!(tiles.last_error.is_some(), "{route}");
    }
    // A failed tile is asked for again after the backoff (2 s), not every frame and not never.
    let (_ctx, mut tiles) = raster(server.template("500"));
    let path = "/500/11/1628/959.png";
    let before = server.hits(path);
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(3500) {
        tiles.begin_frame();
        let _ = tiles.at(id);
        std::thread::sleep(Duration::from_millis(20));
    }
    let asked = server.hits(path) - before;
    assert!((2..=4).contains(&asked), "asked {asked} times in 3.5 s");
}

#[test]
fn a_slow_server_never_blocks_the_frame() {
    let server = TileServer::start();
    let (_ctx, mut tiles) = raster(server.template("slow"));
    // The server sends a chunk every 100 ms and never finishes: a frame that waited on it would
    // take 100 ms at least, every time. A frame the machine itself delays (tests share two
    // cores) is let pass, but not many of them, and none as long as the server's drip.
    let mut waits = Vec::new();
    for i in 0..50 {
        let start = Instant::now();
        tiles.begin_frame();
        let _ = tiles.at(TileId {
            x: 1628 + i % 4,
            y: 959,
            zoom: 11,
        });
        waits.push(start.elapsed());
        std::thread::sleep(Duration::from_millis(10));
    }
    let slow = waits
        .iter()
        .filter(|w| **w >= Duration::from_millis(50))
        .count();
    let longest = waits.iter().max().copied().unwrap_or_default();
    assert!(
        slow <= 3,
        "{slow} of 50 frames waited 50 ms or more: {waits:?}"
    );
    assert!(
        longest < Duration::from_millis(1000),
        "a frame waited {longest:?}"
    );
}

#[test]
fn lower_zoom_tiles_stand_in_for_missing_ones() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("low.mbtiles");
    let server = TileServer::start();
    let low = Plan {
        max_zoom: 10,
        ..plan()
    };
    prefetch(
        &server.template("tiles"),
        "low",
        "",
        &low,
        &out,
        FAST,
        &Progress::default(),
    )
    .expect("prefetch");
    drop(server);
    let ctx = egui::Context::default();
    let mut tiles = RasterTiles::new(
        Sources {
            local: vec![out],
            http: None,
            cache: None,
        },
        &ctx,
    );
    let [x, y] = mercator_from_lonlat(106.67, 11.06);
    let at13 = TileId {
        x: (x * 8192.0) as u32,
        y: (y * 8192.0) as u32,
        zoom: 13,
    };
    let parent = TileId {
        x: at13.x >> 3,
        y: at13.y >> 3,
        zoom: 10,
    };
    let start = Instant::now();
    let mut piece = None;
    while start.elapsed() < Duration::from_secs(5) && piece.is_none() {
        tiles.begin_frame();
        let _ = tiles.at(parent);
        piece = tiles.at(at13);
        std::thread::sleep(Duration::from_millis(10));
    }
    let piece = piece.expect("the zoom-10 tile stands in for the zoom-13 one");
    assert!(
        (piece.uv.width() - 0.125).abs() < 1e-6,
        "an eighth of the parent: {:?}",
        piece.uv
    );
}

fn corridor_bin() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_corridor"))
}

#[test]
fn the_command_line_prefetches_resumes_and_describes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("cli.mbtiles");
    let server = TileServer::start();
    let run = || {
        corridor_bin()
            .args([
                "tiles",
                "prefetch",
                "--url",
                &server.template("tiles"),
                "--bbox",
                "106.62,11.02,106.72,11.10",
                "--zoom",
                "10-12",
            ])
            .arg("--out")
            .arg(&out)
            .args(["--rate", "500"])
            .output()
            .expect("run corridor")
    };
    let first = run();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let second = run();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        second.status.success() && stderr.contains("0 downloaded"),
        "{stderr}"
    );

    let info = corridor_bin()
        .args(["tiles", "info"])
        .arg(&out)
        .output()
        .expect("run info");
    let text = String::from_utf8_lossy(&info.stdout);
    assert!(info.status.success(), "{text}");
    assert!(
        text.contains(&format!("tiles:       {}", plan().tile_count())),
        "{text}"
    );
    assert!(text.contains("zoom levels: 10–12"), "{text}");
    assert!(text.contains("tile type:   png"), "{text}");

    // OpenStreetMap's servers forbid bulk downloads: refused before any request.
    let osm = corridor_bin()
        .args([
            "tiles",
            "prefetch",
            "--url",
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            "--bbox",
            "106.6,11.0,106.7,11.1",
            "--zoom",
            "10",
        ])
        .arg("--out")
        .arg(dir.path().join("osm.mbtiles"))
        .output()
        .expect("run");
    assert!(!osm.status.success());
    assert!(String::from_utf8_lossy(&osm.stderr).contains("forbids bulk downloading"));

    // A file that is not MBTiles says so.
    let bogus = dir.path().join("bogus.mbtiles");
    std::fs::write(
        &bogus,
        "definitely not a database, but long enough to be read as one",
    )
    .expect("write");
    let info = corridor_bin()
        .args(["tiles", "info"])
        .arg(&bogus)
        .output()
        .expect("run info");
    assert!(!info.status.success());
    assert!(
        String::from_utf8_lossy(&info.stderr).contains("neither an MBTiles nor a PMTiles file")
    );
}

#[test]
fn prefetch_writes_pmtiles_when_every_tile_has_arrived() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("area.pmtiles");
    let server = TileServer::start();
    let run = corridor_bin()
        .args([
            "tiles",
            "prefetch",
            "--url",
            &server.template("tiles"),
            "--bbox",
            "106.62,11.02,106.72,11.10",
            "--zoom",
            "10-12",
            "--rate",
            "500",
            "--attribution",
            "Test tiles",
        ])
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run corridor");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        !corridor::tiles::prefetch::working_file(&out).exists(),
        "the download file is gone once the PMTiles file is written"
    );
    let file = corridor::tiles::TileFile::open(&out).expect("a PMTiles file");
    let info = file.info().expect("info");
    assert_eq!(info.kind, "PMTiles v3");
    assert_eq!(info.tile_count, plan().tile_count());
    assert_eq!(info.attribution.as_deref(), Some("Test tiles"));
    for (z, x, y) in plan().tiles() {
        let bytes = file.tile(z, x, y).expect("read").expect("present");
        assert_eq!(
            bytes,
            support::tile_server::tile_png(z, x, y),
            "{z}/{x}/{y}"
        );
    }
}

#[test]
fn making_the_view_available_offline_from_the_window_adds_it_as_a_basemap() {
    use egui_kittest::kittest::Queryable;
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let server = TileServer::start();
    let project = project(dir.path(), &server.template("tiles"), &[]);
    // This provider is the user's own: its terms allow bulk downloads.
    let text = std::fs::read_to_string(&project).expect("read") + "bulk_download = true\n";
    std::fs::write(&project, text).expect("write");
    let mut h = harness(project, data.clone(), false);
    h.step();
    h.get_by_label("Basemap").click();
    h.run_steps(2);
    h.get_by_label("Make this area available offline…").click();
    h.run_steps(2);
    h.state_mut().offline.min_zoom = 10;
    h.state_mut().offline.max_zoom = 11;
    h.run_steps(2);
    h.get_by_label("Download").click();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) && h.state().basemap().local.is_empty() {
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    let local = h.state().basemap().local.clone();
    assert_eq!(local.len(), 1, "the downloaded area is now a basemap");
    assert!(local[0].starts_with(data.join("offline")), "{:?}", local[0]);
    let info = MbTiles::open(&local[0])
        .expect("open")
        .info()
        .expect("info");
    assert!(info.tile_count >= 4, "{info:?}");
    assert_eq!((info.min_zoom, info.max_zoom), (Some(10), Some(11)));
    h.run_steps(2);
    h.get_by_label_contains("Saved to");
}

#[test]
fn a_pmtiles_file_is_drawn_as_a_basemap() {
    use pmtiles::{PmTilesWriter, TileCoord, TileType};
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("area.pmtiles");
    let file = std::fs::File::create(&path).expect("create");
    let mut writer = PmTilesWriter::new(TileType::Png)
        .min_zoom(10)
        .max_zoom(12)
        .create(file)
        .expect("writer");
    // Tiles in tile-id order, as the format prefers.
    let mut coords: Vec<(u64, u8, u32, u32)> = plan()
        .tiles()
        .map(|(z, x, y)| {
            (
                u64::from(pmtiles::TileId::from(
                    TileCoord::new(z, x, y).expect("coord"),
                )),
                z,
                x,
                y,
            )
        })
        .collect();
    coords.sort();
    for (_, z, x, y) in coords {
        writer
            .add_tile(
                TileCoord::new(z, x, y).expect("coord"),
                &support::tile_server::tile_png(z, x, y),
            )
            .expect("add");
    }
    writer.finalize().expect("finalize");

    let project = project(dir.path(), "", std::slice::from_ref(&path));
    let mut h = harness(project, dir.path().join("data"), true);
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10)
        && h.state().basemap().state() != corridor::tiles::BasemapState::Showing
    {
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    for _ in 0..20 {
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(
        h.state().basemap().state(),
        corridor::tiles::BasemapState::Showing
    );
    let (got, expected) = centre_pixel_and_expected(&mut h);
    assert!(
        close(got, expected),
        "centre pixel {got:?}, tile colour {expected:?}"
    );

    // A file that only claims to be PMTiles is refused with a reason.
    let fake = dir.path().join("fake.pmtiles");
    std::fs::write(&fake, "not really").expect("write");
    let e = corridor::tiles::check_tile_file(&fake).expect_err("refused");
    assert!(
        e.to_string()
            .contains("neither an MBTiles nor a PMTiles file"),
        "{e}"
    );
}

#[test]
fn the_area_to_download_can_be_drawn_on_the_map() {
    use egui_kittest::kittest::Queryable;
    let dir = tempfile::tempdir().expect("temp dir");
    let project = project(dir.path(), "", &[]);
    let mut h = harness(project, dir.path().join("data"), true);
    h.step();
    h.state_mut().offline.open = true;
    h.run_steps(2);
    h.get_by_label("A rectangle").click();
    h.run_steps(2);
    h.get_by_label("Draw it on the map").click();
    h.run_steps(2);
    let t = h.state().map.transform.expect("map drawn");
    let a = t.screen_from_world(mercator_from_lonlat(106.64, 11.09));
    let b = t.screen_from_world(mercator_from_lonlat(106.70, 11.03));
    let before = h.state().map.camera();
    h.hover_at(a);
    h.step();
    h.drag_at(a);
    h.step();
    for k in 1..=8 {
        h.hover_at(a + (b - a) * (k as f32 / 8.0));
        h.step();
    }
    h.drop_at(b);
    h.run_steps(3);
    assert_eq!(
        h.state().map.camera(),
        before,
        "drawing does not pan the map"
    );
    let drawn = h.state().map.drawn_rect.expect("a rectangle was drawn");
    let [w, s, e, n] = corridor::ui::basemap_ui::lonlat_bbox(&drawn);
    for (got, want) in [(w, 106.64), (s, 11.03), (e, 106.70), (n, 11.09)] {
        assert!((got - want).abs() < 0.002, "{:?}", [w, s, e, n]);
    }
    // The window now counts the tiles of that rectangle.
    h.get_by_label_contains("tiles, about");
}

#[test]
fn cached_tiles_are_reused_while_fresh_and_fetched_again_when_stale() {
    for (route, refetched) in [("tiles", false), ("stale", true)] {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("data");
        let server = TileServer::start();
        let project = project(dir.path(), &server.template(route), &[]);
        {
            let mut h = harness(project.clone(), data.clone(), false);
            until_tiles_settle(&mut h);
        }
        std::thread::sleep(Duration::from_millis(300));
        let first = server.total_hits(route);
        assert!(first > 0);
        let mut h = harness(project, data, false);
        until_tiles_settle(&mut h);
        assert_eq!(
            h.state().basemap().state(),
            corridor::tiles::BasemapState::Showing
        );
        // Give a refetch time to reach the server.
        std::thread::sleep(Duration::from_millis(300));
        let again = server.total_hits(route) - first;
        if refetched {
            assert!(again > 0, "{route}: stale tiles are asked for again");
        } else {
            assert_eq!(again, 0, "{route}: fresh tiles come from the cache alone");
        }
    }
}
