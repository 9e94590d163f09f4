//! The app driven as a user drives it: by the labels on screen (egui_kittest).

mod support {
    pub mod app;
}

use std::path::PathBuf;

use corridor::geometry::mercator_from_lonlat;
use corridor::{AppOptions, CorridorApp};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use support::app::{maps, open_sized, scratch_data_dir, scratch_maps};

fn open(path: PathBuf) -> Harness<'static, CorridorApp> {
    open_sized(path, egui::vec2(1280.0, 800.0))
}

/// `path` opened, once its layers have loaded: a file loads in the background, like any file a
/// user opens.
fn open_loaded(path: PathBuf) -> Harness<'static, CorridorApp> {
    let mut h = open(path);
    let start = std::time::Instant::now();
    while h.state().loading() > 0 && start.elapsed() < std::time::Duration::from_secs(10) {
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.run();
    h
}

fn open_corridor() -> Harness<'static, CorridorApp> {
    open(maps().join("corridor.toml"))
}

/// In the interface's language (English until one is chosen), as the names are.
const STI_SUBAREAS: [&str; 5] = [
    "1. Academy zone",
    "2. Technology industrial zone",
    "3. Office business park and technology laboratory – research zone",
    "4. High-service urban area",
    "5. Community culture and sports zone",
];

#[test]
fn subarea_list_shows_the_five_sti_subareas_and_the_localities() {
    let mut h = open_corridor();
    h.run();
    for name in STI_SUBAREAS {
        h.get_by_label(name);
    }
    for name in [
        "Dĩ An",
        "Thuận An",
        "Thủ Dầu Một",
        "Tân Uyên",
        "Bến Cát",
        "Bàu Bàng",
        "Bình Dương New City",
    ] {
        // The New City is a layer too, of the same name.
        assert!(h.get_all_by_label(name).count() >= 1, "{name}");
    }
}

#[test]
fn selecting_a_subarea_flies_to_it_and_shows_its_area() {
    let mut h = open_corridor();
    h.run();
    let before = h.state().map.camera();
    h.get_by_label("2. Technology industrial zone").click();
    h.run();
    let app = h.state();
    let selected = app.selection().expect("the sub-area is selected");
    let feature = app.doc.feature(selected).expect("feature exists");
    assert_eq!(
        feature.property_text("name_en").as_deref(),
        Some("Technology industrial zone")
    );
    let after = app.map.camera();
    assert!(!app.map.is_flying(), "the flight has landed");
    assert!(
        after.zoom > before.zoom + 2.0,
        "zoomed in from {} to {}",
        before.zoom,
        after.zoom
    );
    // The camera looks at the technology zone, in the S&T park drawn in Bàu Bàng commune.
    let sw = mercator_from_lonlat(106.595, 11.278);
    let ne = mercator_from_lonlat(106.636, 11.322);
    assert!(
        after.center[0] > sw[0] && after.center[0] < ne[0],
        "{:?}",
        after.center
    );
    assert!(
        after.center[1] < sw[1] && after.center[1] > ne[1],
        "{:?}",
        after.center
    );
    // The panel gives its names in three languages (the interface's as its heading too) and
    // its geodesic area.
    assert!(h.get_all_by_label("Technology industrial zone").count() >= 1);
    h.get_by_label("Khu công nghiệp công nghệ");
    h.get_by_label("技术工业区");
    let area = h.get_by_label_contains(" ha (");
    let text = area.accesskit_node().value().unwrap_or_default();
    // Python geographiclib 2.x (Geodesic.WGS84 Polygon) gives 708.87 ha for its two parts.
    assert_eq!(text, "708.9 ha (7.09 km²)");
}

#[test]
fn the_flight_is_animated_not_a_jump() {
    let mut h = open_corridor();
    h.run();
    let start = h.state().map.camera();
    h.get_by_label("Bàu Bàng").click();
    h.run_steps(6);
    let mid = h.state().map.camera();
    assert!(h.state().map.is_flying(), "still flying after a few frames");
    assert_ne!(mid, start, "the camera has started moving");
    h.run();
    assert!(!h.state().map.is_flying());
}

#[test]
fn clicking_a_zone_on_the_map_selects_it() {
    let mut h = open_corridor();
    h.run();
    let t = h.state().map.transform.expect("the map has been drawn");
    // Inside Tân Uyên, away from any place marker or line.
    let at = t.screen_from_world(mercator_from_lonlat(106.794, 11.088));
    h.hover_at(at);
    h.run();
    h.drag_at(at);
    h.drop_at(at);
    h.run();
    let app = h.state();
    let selected = app.selection().expect("a click on a zone selects it");
    assert_eq!(
        app.doc
            .feature(selected)
            .map(|f| f.display_name())
            .as_deref(),
        Some("Tân Uyên")
    );
    h.get_by_label_contains("Innovation-district locality");
}

#[test]
fn a_features_own_id_is_told_apart_from_a_property_named_id() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("zones.geojson");
    std::fs::write(
        &path,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","id":"z-7","properties":{"id":41,"name":"Khu A"},"geometry":{"type":"Polygon","coordinates":[[[106.6,11.0],[106.61,11.0],[106.61,11.01],[106.6,11.0]]]}}]}"#,
    )
    .expect("write");
    let mut h = open_loaded(path);
    let layer = &h.state().doc.layers[0];
    let feature = corridor::model::FeatureRef {
        layer: layer.id,
        feature: layer.features()[0].id(),
    };
    h.state_mut().select(Some(feature));
    h.run();
    // One row each, each with its own value.
    h.get_by_label("Feature id");
    h.get_by_label("z-7");
    h.get_by_label("id");
    h.get_by_label("41");
}

#[test]
fn escape_clears_the_selection() {
    let mut h = open_corridor();
    h.run();
    h.get_by_label("Dĩ An").click();
    h.run();
    assert!(h.state().selection().is_some());
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(h.state().selection().is_none());
}

#[test]
fn a_broken_layer_shows_its_error_while_the_rest_loads() {
    let dir = scratch_maps();
    // Cut the S&T park file off mid-way, as an interrupted copy would.
    let sti = dir.path().join("sti-park.geojson");
    let text = std::fs::read_to_string(&sti).expect("read");
    std::fs::write(&sti, &text[..text.len() / 2]).expect("write");

    let mut h = open(dir.path().join("corridor.toml"));
    h.run();
    // Named in the problems banner and in the layers panel, each time with the place.
    let mentions = h.get_all_by_label_contains("sti-park.geojson").count();
    assert!(mentions >= 2, "banner and layers panel name the file");
    for node in h.get_all_by_label_contains("sti-park.geojson") {
        let message = node.accesskit_node().value().unwrap_or_default();
        assert!(
            message.contains("line"),
            "the message says where: {message}"
        );
    }
    // The other layers are there and work.
    h.get_by_label("Thủ Dầu Một").click();
    h.run();
    assert!(h.state().selection().is_some());
    assert!(h.query_by_label("1. Academy zone").is_none());
}

#[test]
fn a_broken_project_file_falls_back_to_an_empty_map() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("broken.toml");
    std::fs::write(&path, "title = \"Broken\"\n[[layers]\nname = 3\n").expect("write");
    let mut h = open(path);
    h.run();
    h.get_by_label_contains("the project file is not valid");
    h.get_by_label("No sub-area layer is loaded.");
}

#[test]
fn a_plain_geojson_file_opens_zoomed_to_its_extent() {
    let h = open_loaded(maps().join("sti-park.geojson"));
    assert_eq!(h.state().doc.layers.len(), 1);
    let camera = h.state().map.camera();
    assert!(camera.zoom > 13.0, "zoomed to the park: {}", camera.zoom);
}

/// The bundled project offline, in the light theme, rendered by wgpu (for pictures).
fn open_rendered(size: egui::Vec2) -> Harness<'static, CorridorApp> {
    open_rendered_with(size, true)
}

/// The same, with the layers drawn by the map's own pipelines (as the app does) or, without
/// them, painted as egui meshes and paths.
fn open_rendered_with(size: egui::Vec2, pipelines: bool) -> Harness<'static, CorridorApp> {
    let mut h = rendered_harness(maps().join("corridor.toml"), size, pipelines);
    h.run();
    h
}

/// The app on `path` (a project or a layer's file), offline, rendering in a window of `size`
/// points by the map's pipelines or as egui meshes; not yet stepped.
fn rendered_harness(
    path: PathBuf,
    size: egui::Vec2,
    pipelines: bool,
) -> Harness<'static, CorridorApp> {
    let options = AppOptions {
        path,
        offline: true,
        data_dir: Some(scratch_data_dir()),
    };
    Harness::builder()
        .with_size(size)
        .with_theme(egui::Theme::Light)
        .wgpu()
        .build_eframe(move |cc| {
            if pipelines {
                CorridorApp::new(cc, options)
            } else {
                corridor::tiles::install_vector_renderer(cc.wgpu_render_state.as_ref());
                CorridorApp::with_context(&cc.egui_ctx, options)
            }
        })
}

/// The map's pipelines (fills and thin outlines drawn from a paint callback) draw what egui's
/// meshes and paths draw: rendered both ways, the bundled project differs only along the
/// anti-aliased edges of outlines.
#[test]
fn the_map_pipelines_draw_what_egui_meshes_draw() {
    let size = egui::vec2(1280.0, 800.0);
    let mut ours = open_rendered(size);
    assert!(
        corridor::render::gpu::enabled(&ours.ctx),
        "the app made its pipelines for the window's renderer"
    );
    let mut egui_meshes = open_rendered_with(size, false);
    assert!(!corridor::render::gpu::enabled(&egui_meshes.ctx));
    let (map_pixels, differ, far) = pixels_differing(&mut ours, &mut egui_meshes);
    // Outlines are a point or two wide and anti-aliased a little differently: 0.5 % of the map
    // differed when this was written; without the outlines drawn, 3.2 % (1.5 % by more than an
    // edge's anti-aliasing).
    assert!(
        differ * 200 < map_pixels * 3,
        "{differ} of {map_pixels} map pixels differ"
    );
    assert!(
        far * 1000 < map_pixels,
        "{far} of {map_pixels} map pixels differ by more than an edge's anti-aliasing"
    );
}

/// A layer of small squares opened on its own, by the map's pipelines or as egui meshes.
fn open_squares_with(file: &std::path::Path, pipelines: bool) -> Harness<'static, CorridorApp> {
    let mut h = rendered_harness(file.to_owned(), egui::vec2(800.0, 600.0), pipelines);
    let started = std::time::Instant::now();
    h.step();
    while h.state().loading() > 0 {
        assert!(started.elapsed().as_secs() < 30, "the squares did not load");
        std::thread::sleep(std::time::Duration::from_millis(10));
        h.step();
    }
    h.run();
    h
}

/// Features smaller than a dot are drawn by a pipeline of their own, a rectangle an instance:
/// the same pixels as egui's meshes draw for them.
#[test]
fn the_map_pipelines_draw_dots_as_egui_meshes_draw_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("squares.geojson");
    // 30 × 30 squares 440 m across, 2.2 km apart.
    let squares: Vec<String> = (0..900)
        .map(|i| {
            let (x, y) = (106.35 + (i % 30) as f64 * 0.02, 10.8 + (i / 30) as f64 * 0.02);
            let d = 0.004;
            format!(
                r#"{{"type":"Feature","properties":{{}},"geometry":{{"type":"Polygon","coordinates":[[[{x},{y}],[{},{y}],[{},{}],[{x},{}],[{x},{y}]]]}}}}"#,
                x + d, x + d, y + d, y + d
            )
        })
        .collect();
    std::fs::write(
        &file,
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            squares.join(",")
        ),
    )
    .expect("write the squares");
    let mut ours = open_squares_with(&file, true);
    assert!(corridor::render::gpu::enabled(&ours.ctx));
    let mut egui_meshes = open_squares_with(&file, false);
    // At zoom 9 each square is a point and a half across, 7 points from the next: a dot each.
    let camera = corridor::geometry::flight::Camera {
        center: corridor::geometry::mercator_from_lonlat(106.64, 11.09),
        zoom: 9.0,
    };
    for h in [&mut ours, &mut egui_meshes] {
        h.state_mut().map.jump_to(camera);
        h.run();
    }
    let t = ours.state().map.transform.expect("drawn");
    let mut budget = corridor::render::paint::VERTEX_BUDGET;
    let frame = corridor::render::paint::layer_frame(
        t.rect,
        &t,
        &ours.state().renders()[0],
        1.0,
        |_| None,
        &mut budget,
    );
    assert_eq!(frame.batch.rects.len(), 900, "every square a dot");
    assert!(frame.batch.indices.is_empty() && frame.batch.lines.is_empty());
    let (map_pixels, differ, _) = pixels_differing(&mut ours, &mut egui_meshes);
    assert!(map_pixels > 0);
    assert_eq!(differ, 0, "{differ} of {map_pixels} map pixels differ");
}

/// Renders both harnesses; of the map's pixels: how many, how many differ by more than 8 in a
/// channel, and how many by more than 96.
fn pixels_differing(
    a: &mut Harness<'static, CorridorApp>,
    b: &mut Harness<'static, CorridorApp>,
) -> (usize, usize, usize) {
    let rect = a.state().map.transform.expect("drawn").rect;
    let (a, b) = (a.render().expect("render"), b.render().expect("render"));
    assert_eq!(a.dimensions(), b.dimensions());
    let (mut map_pixels, mut differ, mut far) = (0usize, 0usize, 0usize);
    for y in rect.min.y as u32..(rect.max.y as u32).min(a.height()) {
        for x in rect.min.x as u32..(rect.max.x as u32).min(a.width()) {
            let (p, q) = (a.get_pixel(x, y).0, b.get_pixel(x, y).0);
            let d = (0..3).map(|c| p[c].abs_diff(q[c])).max().unwrap_or(0);
            map_pixels += 1;
            differ += usize::from(d > 8);
            far += usize::from(d > 96);
        }
    }
    (map_pixels, differ, far)
}

#[test]
fn start_view_snapshot() {
    let mut h = open_rendered(egui::vec2(1280.0, 800.0));
    h.snapshot("start_view");
}

/// Started offline, with no tile anywhere, the map draws the bundled map of the province and
/// the provinces around it (not a plain background), and the status bar says which basemap it is.
#[test]
fn offline_the_bundled_context_is_drawn_where_no_tile_is() {
    let mut h = open_rendered(egui::vec2(1600.0, 1000.0));
    assert!(h.state().context_shown(), "the project's context is loaded");
    h.get_by_label("Basemap: the bundled map of the province (offline)");
    let image = h.render().expect("render");
    let pixel = |lonlat: [f64; 2]| {
        let p = support::app::screen(&h, lonlat);
        let t = h.state().map.transform.expect("drawn");
        assert!(t.rect.contains(p), "{lonlat:?} is on the map");
        // Screen points to pixels: the harness renders at 1 pixel per point.
        image.get_pixel(p.x as u32, p.y as u32).0
    };
    // In Đồng Nai, east of the former province: the neighbours' fill, not the land colour.
    let dong_nai = pixel([107.05, 11.05]);
    let land = corridor::ui::map_ui::LAND.to_array();
    assert_ne!(
        dong_nai[..3],
        land[..3],
        "Đồng Nai is drawn in the plain land colour: no context under the layers"
    );
    assert_eq!(
        dong_nai[..3],
        [0xe6, 0xe0, 0xd3],
        "Đồng Nai in the neighbours' fill"
    );
    // Inside the province, outside every layer (Phú Giáo): the province's fill.
    let phu_giao = pixel([106.80, 11.30]);
    assert_eq!(
        phu_giao[..3],
        [0xf7, 0xf4, 0xec],
        "Phú Giáo in the province's fill"
    );
}

/// A sub-area's panel lists the 2025 wards it covers, with the area of each overlap.
#[test]
fn a_locality_panel_lists_the_2025_wards_that_govern_it() {
    let mut h = open_corridor();
    h.run();
    h.get_by_label("Dĩ An").click();
    h.run();
    h.get_by_label("Wards of 2025");
    // Worked out on a thread of its own: the panel shows a spinner meanwhile.
    let start = std::time::Instant::now();
    while h
        .state()
        .selection_facts()
        .is_some_and(|f| f.units.get().is_none())
        && start.elapsed() < std::time::Duration::from_secs(20)
    {
        std::thread::sleep(std::time::Duration::from_millis(10));
        h.step();
    }
    h.run();
    let facts = h.state().selection_facts().expect("selected");
    let units = facts.units.get().expect("the wards are worked out");
    let names: Vec<String> = units
        .iter()
        .filter_map(|(r, _)| h.state().doc.feature(*r))
        .map(|f| f.display_name())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    for ward in ["Dĩ An", "Đông Hoà", "Tân Đông Hiệp"] {
        assert!(
            names.iter().any(|n| n == ward),
            "{ward} missing from {names:?}"
        );
    }
    // Dĩ An is the union of these three wards: the overlaps add up to its area.
    let total: f64 = units.iter().map(|(_, m2)| m2).sum();
    assert!(
        (total - facts.area_m2).abs() / facts.area_m2 < 0.001,
        "overlaps {total} m², Dĩ An {} m²",
        facts.area_m2
    );
    // The S&T park lies in Bàu Bàng commune.
    h.get_by_label("Science & Technology Industrial Park")
        .click();
    h.run();
    h.get_by_label("Wards of 2025");
}

/// Help → About names the source and licence of every layer.
#[test]
fn the_about_window_names_every_layers_source() {
    let mut h = open_corridor();
    h.run();
    h.get_by_label("Help").click();
    h.run();
    h.get_by_label("About Corridor").click();
    h.run();
    h.get_by_label("Sources of the data");
    for layer in &h.state().doc.layers {
        assert!(
            !layer.attribution.is_empty(),
            "{} states no source",
            layer.name
        );
    }
    assert!(
        h.get_all_by_label("2025 boundaries: vietnamese-provinces-database (MIT)")
            .count()
            >= 3,
        "the wards, the localities and the New City name their source"
    );
}
