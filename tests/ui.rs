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

fn open_corridor() -> Harness<'static, CorridorApp> {
    open(maps().join("corridor.toml"))
}

const STI_SUBAREAS: [&str; 5] = [
    "1. Khu học viện",
    "2. Khu công nghiệp công nghệ",
    "3. Khu công viên văn phòng và phòng thí nghiệm công nghệ",
    "4. Khu đô thị dịch vụ cao cấp",
    "5. Khu văn hóa thể thao cộng đồng",
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
        "Thành phố mới Bình Dương",
    ] {
        h.get_by_label(name);
    }
}

#[test]
fn selecting_a_subarea_flies_to_it_and_shows_its_area() {
    let mut h = open_corridor();
    h.run();
    let before = h.state().map.camera();
    h.get_by_label("2. Khu công nghiệp công nghệ").click();
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
    // The camera looks at the technology zone, in the S&T park east of Bàu Bàng.
    let sw = mercator_from_lonlat(106.645, 11.290);
    let ne = mercator_from_lonlat(106.680, 11.340);
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
    // The panel gives its names in three languages and its geodesic area.
    h.get_by_label("Technology industrial zone");
    h.get_by_label("科技工业区");
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
    let at = t.screen_from_world(mercator_from_lonlat(106.84, 11.10));
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
    assert!(h.query_by_label("1. Khu học viện").is_none());
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
    let mut h = open(maps().join("sti-park.geojson"));
    // It loads in the background, like any file a user opens.
    let start = std::time::Instant::now();
    while h.state().loading() > 0 && start.elapsed() < std::time::Duration::from_secs(10) {
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.run();
    assert_eq!(h.state().doc.layers.len(), 1);
    let camera = h.state().map.camera();
    assert!(camera.zoom > 13.0, "zoomed to the park: {}", camera.zoom);
}

#[test]
fn start_view_snapshot() {
    let options = AppOptions {
        path: maps().join("corridor.toml"),
        offline: true,
        data_dir: Some(scratch_data_dir()),
    };
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .with_theme(egui::Theme::Light)
        .wgpu()
        .build_eframe(move |cc| CorridorApp::new(cc, options));
    h.run();
    h.snapshot("start_view");
}
