//! Planner tools driven as a user drives them: search, measure, open files, attribute table,
//! styling and saving the project, bookmarks, legend, help.

mod support {
    pub mod app;
}

use std::path::{Path, PathBuf};

use corridor::geometry::mercator_from_lonlat;
use corridor::{AppOptions, CorridorApp};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use support::app::{maps, open_sized, scratch_data_dir, scratch_maps};

fn open(path: PathBuf) -> Harness<'static, CorridorApp> {
    // Tall enough that the whole layers panel is on screen without scrolling.
    open_sized(path, egui::vec2(1280.0, 1100.0))
}

/// A file dropped on the window, as the windowing layer reports it.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

fn search(h: &mut Harness<'static, CorridorApp>, text: &str) {
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    h.run();
    h.get_by_role(egui::accesskit::Role::TextInput)
        .type_text(text);
    h.run();
}

/// The `n`-th widget labelled `label`, counting from the top of the window (the layers panel
/// lists the top layer first).
fn nth_from_top<'a>(
    h: &'a Harness<'static, CorridorApp>,
    label: &'a str,
    n: usize,
) -> egui_kittest::Node<'a> {
    let mut nodes: Vec<_> = h.get_all_by_label(label).collect();
    nodes.sort_by(|a, b| {
        let y = |n: &egui_kittest::Node<'_>| {
            n.accesskit_node()
                .bounding_box()
                .map(|r| r.y0)
                .unwrap_or(0.0)
        };
        y(a).total_cmp(&y(b))
    });
    nodes
        .into_iter()
        .nth(n)
        .unwrap_or_else(|| panic!("no {n}-th {label}"))
}

/// Layers from the top of the panel: Key places, Axis and roads, S&T park, New City, Wards, Localities.
const LOCALITIES: usize = 5;
const KEY_PLACES: usize = 0;

/// The lowest text input in the window: the bookmark name field, below the search box.
fn bottom_text_input<'a>(h: &'a Harness<'static, CorridorApp>) -> egui_kittest::Node<'a> {
    let mut inputs: Vec<_> = h
        .get_all_by_role(egui::accesskit::Role::TextInput)
        .collect();
    inputs.sort_by(|a, b| {
        let y = |n: &egui_kittest::Node<'_>| {
            n.accesskit_node()
                .bounding_box()
                .map(|r| r.y0)
                .unwrap_or(0.0)
        };
        y(a).total_cmp(&y(b))
    });
    inputs.pop().expect("a text input")
}

fn selected_name(h: &Harness<'static, CorridorApp>) -> Option<String> {
    let app = h.state();
    app.selection()
        .and_then(|r| app.doc.feature(r))
        .map(|f| f.display_name())
}

#[test]
fn search_without_diacritics_finds_the_place_and_enter_flies_there() {
    for query in ["thu dau mot", "THỦ DẦU MỘT", "Thu Dau Mot"] {
        let mut h = open(maps().join("corridor.toml"));
        h.run();
        search(&mut h, query);
        h.key_press(egui::Key::Enter);
        h.run();
        assert_eq!(
            selected_name(&h).as_deref(),
            Some("Thủ Dầu Một"),
            "query {query}"
        );
        assert!(!h.state().map.is_flying());
    }
}

#[test]
fn search_finds_chinese_and_english_names_and_d_matches_dj() {
    let mut h = open(maps().join("corridor.toml"));
    h.run();
    // The 2025 data writes "Đông Hoà"; typed the newer way, or without marks, it is found.
    for query in ["Đông Hòa", "dong hoa"] {
        search(&mut h, query);
        h.key_press(egui::Key::Enter);
        h.run();
        assert_eq!(
            selected_name(&h).as_deref(),
            Some("Đông Hoà"),
            "query {query}"
        );
    }

    let mut h = open(maps().join("corridor.toml"));
    h.run();
    search(&mut h, "院校区");
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(selected_name(&h).as_deref(), Some("Khu học viện"));
}

#[test]
fn search_accepts_coordinates_in_either_order() {
    for query in ["11.05, 106.67", "106.67 11.05", "11°03'N 106°40'12\"E"] {
        let mut h = open(maps().join("corridor.toml"));
        h.run();
        search(&mut h, query);
        h.key_press(egui::Key::Enter);
        h.run();
        let camera = h.state().map.camera();
        let target = mercator_from_lonlat(106.67, 11.05);
        assert!(
            (camera.center[0] - target[0]).abs() < 1e-6,
            "{query}: {:?}",
            camera.center
        );
        assert!(
            (camera.center[1] - target[1]).abs() < 1e-6,
            "{query}: {:?}",
            camera.center
        );
        assert!(camera.zoom >= 14.0);
    }
}

#[test]
fn measuring_three_clicked_points_gives_geodesic_distance_and_area() {
    let mut h = open(maps().join("corridor.toml"));
    h.run();
    h.key_press(egui::Key::M);
    h.run();
    let t = h.state().map.transform.expect("map drawn");
    for [lon, lat] in [[106.60, 11.00], [106.70, 11.00], [106.70, 11.10]] {
        let at = t.screen_from_world(mercator_from_lonlat(lon, lat));
        h.hover_at(at);
        h.run();
        h.drag_at(at);
        h.drop_at(at);
        h.run();
    }
    let m = &h.state().measure;
    assert_eq!(m.points.len(), 3, "{:?}", m.points);
    // Clicks land on screen pixels: allow for that, then compare with geographiclib's figures
    // for the clicked points themselves (10 928.8 m + 11 061.5 m for the exact corners).
    let total = m.total_m();
    let segments: f64 = m.segments_m().iter().sum();
    assert!((total - segments).abs() < 1e-6);
    assert!((total - 21_990.3).abs() < 250.0, "{total}");
    assert!(selected_name(&h).is_none(), "measuring does not select");
    h.get_by_label("Distance");
    let figures: Vec<String> = h
        .get_all_by_label_contains("km²")
        .filter_map(|n| n.accesskit_node().value())
        .collect();
    // The area the three points enclose…
    assert!(
        figures
            .iter()
            .any(|v| !v.contains(':') && v.contains(" ha (")),
        "{figures:?}"
    );
    // … and, since the last click fell inside a sub-area, that polygon's own geodesic area.
    h.get_by_label("Clicked polygon");
    let clicked = figures
        .iter()
        .find(|v| v.contains(": "))
        .expect("the clicked polygon's area");
    let locality = [
        "Bến Cát",
        "Tân Uyên",
        "Thủ Dầu Một",
        "Thành phố mới Bình Dương",
    ]
    .iter()
    .any(|n| clicked.starts_with(n));
    assert!(locality && clicked.contains(" ha ("), "{clicked}");
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(h.state().measure.points.is_empty(), "Esc clears");
}

#[test]
fn a_dropped_geojson_file_becomes_a_layer_and_a_broken_one_explains_itself() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = dir.path().join("zones.geojson");
    std::fs::write(
        &good,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Lô A"},"geometry":{"type":"Polygon","coordinates":[[[106.70,11.20],[106.72,11.20],[106.72,11.22],[106.70,11.22],[106.70,11.20]]]}}]}"#,
    )
    .expect("write");
    let bad = dir.path().join("broken.json");
    std::fs::write(
        &bad,
        "{\"type\": \"FeatureCollection\", \"features\": [\n  {\"type\": \"Feature\",, }\n]}",
    )
    .expect("write");

    let mut h = open(maps().join("corridor.toml"));
    h.run();
    let before = h.state().doc.layers.len();
    h.input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(good)));
    h.input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(bad)));
    h.run();
    for _ in 0..200 {
        if h.state().loading() == 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
        h.run();
    }
    h.run();
    let app = h.state();
    assert_eq!(
        app.doc.layers.len(),
        before + 1,
        "only the good file is added"
    );
    assert_eq!(
        app.doc.layers.last().map(|l| l.name.as_str()),
        Some("zones")
    );
    assert!(
        app.notices()
            .iter()
            .any(|n| n.contains("broken.json") && n.contains("line 2")),
        "{:?}",
        app.notices()
    );
    h.get_by_label("zones");
    // The map flew to the new layer.
    let c = h.state().map.camera();
    let target = mercator_from_lonlat(106.71, 11.21);
    assert!((c.center[0] - target[0]).abs() < 1e-5 && (c.center[1] - target[1]).abs() < 1e-5);
}

#[test]
fn removing_and_reordering_layers_keeps_the_selection_right() {
    let mut h = open(maps().join("corridor.toml"));
    h.run();
    h.get_by_label("Dĩ An").click();
    h.run();
    // Remove the top layer (Key places): the selected locality must stay selected.
    nth_from_top(&h, "Remove", KEY_PLACES).click();
    h.run();
    assert!(h.query_by_label("Key places").is_none());
    assert_eq!(selected_name(&h).as_deref(), Some("Dĩ An"));

    // Drag the localities (now the bottom of five) by their handle onto the top row.
    let handle = |h: &Harness<'static, CorridorApp>, n: usize| {
        let b = nth_from_top(h, "☰", n)
            .accesskit_node()
            .bounding_box()
            .expect("handle box");
        egui::pos2(((b.x0 + b.x1) / 2.0) as f32, ((b.y0 + b.y1) / 2.0) as f32)
    };
    let from = handle(&h, 4);
    let to = handle(&h, 0);
    support::app::drag(&mut h, from, to);
    let names: Vec<&str> = h
        .state()
        .doc
        .layers
        .iter()
        .map(|l| l.name.as_str())
        .collect();
    assert_eq!(names.last(), Some(&"Localities (2021)"), "{names:?}");
    // The selection followed its layer to the top of the draw order.
    assert_eq!(selected_name(&h).as_deref(), Some("Dĩ An"));
}

#[test]
fn attribute_table_sorts_and_a_row_click_selects_and_zooms() {
    let mut h = open(maps().join("corridor.toml"));
    h.run();
    nth_from_top(&h, "Table", LOCALITIES).click();
    h.run();
    h.get_by_label_contains("6 of 6 features");
    h.get_by_label("name").click();
    h.run();
    // Rows top to bottom, sorted by name with diacritics folded ("thu dau mot" < "thuan an").
    let names = [
        "Bàu Bàng",
        "Bến Cát",
        "Dĩ An",
        "Tân Uyên",
        "Thủ Dầu Một",
        "Thuận An",
    ];
    let mut rows: Vec<(f64, String)> = h
        .get_all_by_role(egui::accesskit::Role::Label)
        .filter_map(|n| {
            let node = n.accesskit_node();
            let v = node.value()?;
            let y = node.bounding_box()?.y0;
            names.contains(&v.as_str()).then_some((y, v))
        })
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    // `name_en` repeats some names on the same row: one per row.
    rows.dedup_by(|a, b| (a.0 - b.0).abs() < 1.0);
    let order: Vec<&str> = rows.iter().map(|(_, v)| v.as_str()).collect();
    assert_eq!(order, names);
    let row = rows
        .iter()
        .find(|(_, v)| v == "Tân Uyên")
        .map(|(y, _)| *y)
        .expect("Tân Uyên's row");
    h.get_all_by_label("Tân Uyên")
        .find(|n| {
            n.accesskit_node()
                .bounding_box()
                .is_some_and(|b| (b.y0 - row).abs() < 1.0)
        })
        .expect("the cell")
        .click();
    h.run();
    assert_eq!(selected_name(&h).as_deref(), Some("Tân Uyên"));
}

#[test]
fn a_style_change_is_saved_to_the_project_and_comes_back() {
    let dir = scratch_maps();
    let project = dir.path().join("corridor.toml");
    let mut h = open(project.clone());
    h.run();
    nth_from_top(&h, "Style", LOCALITIES).click();
    h.run();
    // Colour the localities by `name` instead of `role`.
    h.get_by_label("Colour by").click();
    h.run();
    h.get_by_label("name").click();
    h.run();
    h.key_press_modifiers(
        egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        egui::Key::S,
    );
    h.run();
    assert!(
        dir.path().join("corridor.toml.bak").exists(),
        "the previous project is kept"
    );
    let reloaded = corridor::io::load_document(&project);
    assert!(reloaded.problems.is_empty(), "{:?}", reloaded.problems);
    let style = &reloaded.layers[0].style;
    let cat = style.categories.as_ref().expect("categories saved");
    assert_eq!(cat.property, "name");
    assert_eq!(cat.colors.len(), 6);
    assert_eq!(reloaded.layers.len(), 6);
    assert_eq!(
        reloaded.context.len(),
        1,
        "the context is saved with the project"
    );
    assert!(reloaded.layers.iter().all(|l| l.error().is_none()));
}

#[test]
fn bookmarks_are_added_listed_visited_deleted_and_saved() {
    let dir = scratch_maps();
    let project = dir.path().join("corridor.toml");
    let mut h = open(project.clone());
    h.run();
    h.state_mut().persisted.panels.bookmarks = true;
    h.run();
    bottom_text_input(&h).click();
    h.run();
    bottom_text_input(&h).type_text("Whole corridor");
    h.run();
    h.get_by_label("Add bookmark").click();
    h.run();
    h.get_by_label("Whole corridor");
    h.get_by_label("Sub-areas");
    h.get_by_label("1. Academy zone").click();
    h.run();
    let zoomed = h.state().map.camera();
    h.get_by_label("Whole corridor").click();
    h.run();
    assert!(
        h.state().map.camera().zoom < zoomed.zoom - 2.0,
        "back to the wide view"
    );
    h.key_press_modifiers(
        egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        egui::Key::S,
    );
    h.run();
    let reloaded = corridor::io::load_document(&project);
    assert_eq!(reloaded.bookmarks.len(), 1);
    assert_eq!(reloaded.bookmarks[0].name, "Whole corridor");
    h.get_by_label("Delete").click();
    h.run();
    assert!(h.state().doc.bookmarks.is_empty());
}

#[test]
fn legend_and_keyboard_help_show() {
    let mut h = open(maps().join("corridor.toml"));
    h.run();
    h.state_mut().persisted.panels.legend = true;
    h.run();
    h.get_by_label("Legend");
    h.get_by_label("High-quality service city");
    h.key_press(egui::Key::F1);
    h.run();
    h.get_by_label("Measure distance and area; click points on the map");
    h.get_by_label("Ctrl+F");
}

/// A GeoJSON file given at start loads in the background: when it arrives, the view it was
/// last seen in stays (it used to fly out to the whole layer), and with none remembered, the
/// layer is framed.
#[test]
fn a_file_loading_in_the_background_keeps_its_remembered_view() {
    let path = maps().join("localities.geojson");
    let key = std::fs::canonicalize(&path).expect("canonical path");
    let open = |views: Vec<(PathBuf, [f64; 2], f64)>| {
        let options = AppOptions {
            path: path.clone(),
            offline: true,
            data_dir: Some(scratch_data_dir()),
        };
        let persisted = corridor::app::Persisted {
            views,
            ..Default::default()
        };
        let mut h = Harness::builder()
            .with_size(egui::vec2(1280.0, 800.0))
            .build_eframe(move |cc| {
                corridor::tiles::install_vector_renderer(cc.wgpu_render_state.as_ref());
                CorridorApp::with_state(&cc.egui_ctx, options, persisted)
            });
        for _ in 0..2_000 {
            h.step();
            if h.state().loading() == 0 && !h.state().doc.layers.is_empty() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert_eq!(h.state().doc.layers.len(), 1, "the file did not load");
        // Three seconds of frames: any flight would be over.
        for _ in 0..180 {
            h.step();
        }
        h.state().map.camera()
    };
    let kept = open(vec![(key, [106.63, 11.30], 16.5)]);
    let expected = mercator_from_lonlat(106.63, 11.30);
    assert!((kept.zoom - 16.5).abs() < 1e-9, "zoom {}", kept.zoom);
    assert!((kept.center[0] - expected[0]).abs() < 1e-9);
    assert!((kept.center[1] - expected[1]).abs() < 1e-9);
    let framed = open(Vec::new());
    assert!(framed.zoom < 14.0, "framed at zoom {}", framed.zoom);
}

#[test]
fn the_last_view_of_a_file_is_remembered_between_runs() {
    let path = maps().join("corridor.toml");
    let key = std::fs::canonicalize(&path).expect("canonical path");
    let persisted = corridor::app::Persisted {
        views: vec![(key, [106.63, 11.30], 14.5)],
        ..Default::default()
    };
    let options = AppOptions {
        path,
        offline: true,
        data_dir: Some(scratch_data_dir()),
    };
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| {
            corridor::tiles::install_vector_renderer(cc.wgpu_render_state.as_ref());
            CorridorApp::with_state(&cc.egui_ctx, options, persisted)
        });
    h.run();
    let c = h.state().map.camera();
    let expected = mercator_from_lonlat(106.63, 11.30);
    assert!((c.zoom - 14.5).abs() < 1e-9);
    assert!((c.center[0] - expected[0]).abs() < 1e-9 && (c.center[1] - expected[1]).abs() < 1e-9);
    // And what the next run will be given back: the view as it is now, and this file first
    // among the recent ones.
    let mut storage = MemoryStorage::default();
    eframe::App::save(h.state_mut(), &mut storage);
    let saved: corridor::app::Persisted =
        eframe::get_value(&storage, "corridor_state").expect("state saved");
    assert_eq!(saved.views.len(), 1);
    assert!((saved.views[0].2 - 14.5).abs() < 1e-9);
    assert!(saved.recent[0].ends_with("maps/corridor.toml"));
}

/// eframe's storage, in memory.
#[derive(Default)]
struct MemoryStorage(std::collections::HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }

    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }

    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }

    fn flush(&mut self) {}
}

#[test]
fn right_click_copies_the_coordinates_under_the_pointer() {
    let mut h = open(maps().join("corridor.toml"));
    h.run();
    let t = h.state().map.transform.expect("map drawn");
    let at = t.screen_from_world(mercator_from_lonlat(106.70, 11.05));
    h.hover_at(at);
    h.run();
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Secondary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
    }
    h.run();
    h.get_by_label("Copy coordinates").click();
    h.step();
    let copied: Vec<String> = h
        .output()
        .platform_output
        .commands
        .iter()
        .filter_map(|c| match c {
            egui::OutputCommand::CopyText(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    let text = copied.first().expect("something was copied");
    let parts: Vec<f64> = text.split(", ").filter_map(|p| p.parse().ok()).collect();
    assert_eq!(parts.len(), 2, "{text}");
    // Latitude first, within a pixel of where the user clicked.
    assert!(
        (parts[0] - 11.05).abs() < 0.001 && (parts[1] - 106.70).abs() < 0.001,
        "{text}"
    );
}

#[test]
fn the_table_filter_narrows_as_one_types_widens_on_delete_and_follows_edits() {
    let mut h = open(maps().join("corridor.toml"));
    h.run();
    nth_from_top(&h, "Table", LOCALITIES).click();
    h.run();
    let li = h
        .state()
        .doc
        .layers
        .iter()
        .position(|l| l.name == "Localities (2021)")
        .expect("the localities layer");
    // What a row holding `needle` in any of its values is, reckoned here apart from the app.
    let expected = |h: &Harness<'static, CorridorApp>, needle: &str| -> usize {
        let needle = corridor::model::search::fold(needle);
        h.state().doc.layers[li]
            .features()
            .iter()
            .filter(|f| {
                f.properties().values().any(|v| {
                    let text = match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    corridor::model::search::fold(&text).contains(&needle)
                })
            })
            .count()
    };
    let shows = |h: &Harness<'static, CorridorApp>, n: usize| {
        let label = format!("{n} of 6 features");
        let said: Vec<String> = h
            .get_all_by_role(egui::accesskit::Role::Label)
            .filter_map(|n| n.accesskit_node().label().or(n.accesskit_node().value()))
            .filter(|l| l.contains(" of 6 features"))
            .collect();
        assert!(
            h.query_by_label_contains(&label).is_some(),
            "the table does not say {label}, but {said:?}"
        );
    };
    shows(&h, 6);
    h.get_by_label("Filter rows").click();
    h.run();
    let mut typed = String::new();
    for piece in ["b", "e", "n", " ", "c", "a", "t"] {
        h.get_by_label("Filter rows").type_text(piece);
        h.run();
        typed.push_str(piece);
        shows(&h, expected(&h, &typed));
    }
    assert!(expected(&h, "ben cat") < 6, "the filter narrows nothing");
    for _ in 0..6 {
        h.get_by_label("Filter rows").focus();
        h.key_press(egui::Key::Backspace);
        h.run();
        typed.pop();
        shows(&h, expected(&h, &typed));
    }
    assert_eq!(typed, "b");
    // An edit while the table is open: a row that did not match now does.
    h.get_by_label("Filter rows").focus();
    h.key_press(egui::Key::Backspace);
    h.get_by_label("Filter rows").type_text("zzz");
    h.run();
    shows(&h, 0);
    let layer = &mut h.state_mut().doc.layers[li];
    let f = &layer.features()[0];
    let before = f.record().into_owned();
    let mut after = before.clone();
    after
        .properties
        .as_mut()
        .expect("properties")
        .insert("role".into(), "zzz".into());
    let id = f.id();
    layer
        .commit(
            "Edit attributes",
            vec![corridor::model::edit::Change {
                id,
                before: Some(before),
                after: Some(after),
            }],
        )
        .expect("the edit");
    h.run();
    shows(&h, 1);
}
