//! One language throughout: with the interface in Vietnamese or in Chinese, every window is
//! opened and every text the UI lays out is checked against the catalogue of interface texts
//! (`i18n::all_texts`). A text passes when it is the catalogue's translation, the project's own
//! content (names, properties, titles: data, not interface), a number or a technical name that
//! reads the same in every language; anything else left in English fails.

mod support {
    pub mod app;
}

use corridor::CorridorApp;
use corridor::app::Command;
use corridor::io::vn_text::{LegacyEncoding, encode};
use corridor::model::Lang;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use support::app::{maps, open_every_window, open_sized, request_close};

/// Every text in the last frame's shapes.
fn laid_out(h: &Harness<'static, CorridorApp>) -> Vec<String> {
    fn walk(shape: &egui::Shape, out: &mut Vec<String>) {
        match shape {
            egui::Shape::Text(t) => out.push(t.galley.text().to_owned()),
            egui::Shape::Vec(v) => v.iter().for_each(|s| walk(s, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for clipped in &h.output().shapes {
        walk(&clipped.shape, &mut out);
    }
    out
}

/// Every text laid out, with the window it showed in; and what the test typed or named itself
/// (content, not interface).
fn all_windows(lang: Lang) -> (Vec<(String, String)>, Vec<String>) {
    let mut h = open_sized(maps().join("corridor.toml"), egui::vec2(1600.0, 1000.0));
    h.run();
    let ctx = h.ctx.clone();
    h.state_mut().run(&ctx, Command::Language(lang), 0.0);
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut look = |h: &mut Harness<'static, CorridorApp>, what: &str| {
        h.run();
        for t in laid_out(h) {
            seen.push((what.to_owned(), t));
        }
    };
    look(&mut h, "main window");
    for menu in [
        "File", "Edit", "View", "Tools", "Basemap", "Story", "Language", "Help",
    ] {
        let label = corridor::ui::i18n::tr(menu);
        // The menu bar comes first in the tree (a layer's "Edit" button has the same name).
        h.get_all_by_label(label)
            .next()
            .unwrap_or_else(|| panic!("no {menu} menu"))
            .click();
        h.run();
        look(&mut h, &format!("{menu} menu"));
        h.key_press(egui::Key::Escape);
        h.run();
    }
    open_every_window(&mut h, &mut look);
    let layers = h.state().doc.layers.len();

    // Editing a feature: its attribute form.
    let edited = h.state().doc.layers[layers - 1].ref_at(0);
    h.state_mut().run(&ctx, Command::Select(edited), 0.0);
    look(&mut h, "attribute form");

    // Search with results.
    h.state_mut().run(&ctx, Command::FocusSearch, 0.0);
    h.run();
    h.get_by_label(corridor::ui::i18n::tr(
        "Search places or coordinates (Ctrl+F)",
    ))
    .type_text("Th");
    look(&mut h, "search results");
    h.key_press(egui::Key::Escape);

    // A file whose text is in TCVN3: the question whether to decode it.
    let dir = tempfile::tempdir().expect("temp dir");
    let legacy = dir.path().join("phuong-tcvn3.geojson");
    let names = [
        "Thủ Dầu Một",
        "Phú Lợi",
        "Hiệp Thành",
        "Chánh Nghĩa",
        "Bình Dương",
    ];
    let features: Vec<serde_json::Value> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            serde_json::json!({
                "type": "Feature",
                "properties": {"ten": encode(n, LegacyEncoding::Tcvn3)},
                "geometry": {"type": "Point", "coordinates": [106.65 + i as f64 * 0.01, 10.98]},
            })
        })
        .collect();
    std::fs::write(
        &legacy,
        serde_json::json!({"type": "FeatureCollection", "features": features}).to_string(),
    )
    .expect("write");
    h.state_mut()
        .run(&ctx, Command::OpenFiles(vec![legacy]), 0.0);
    for _ in 0..50 {
        h.run();
        if h.state().doc.layers.len() > layers {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    look(&mut h, "legacy text question");

    // Closing with an unsaved edit: the question what to do with it.
    h.state_mut().run(&ctx, Command::Select(edited), 0.0);
    h.state_mut().run(&ctx, Command::DeleteSelected, 0.0);
    request_close(&mut h);
    look(&mut h, "unsaved changes on closing");
    (seen, vec!["Th".to_owned(), "phuong-tcvn3".to_owned()])
}

/// Technical names that read the same in every language: formats, standards, key caps,
/// units, products.
const NEUTRAL: &[&str] = &[
    "GeoJSON",
    "GeoPackage",
    "PostGIS",
    "PostgreSQL",
    "MBTiles",
    "PMTiles",
    "WGS 84",
    "EPSG",
    "VN-2000",
    "TCVN3",
    "VNI",
    "Unicode",
    "MapLibre",
    "Shapefile",
    "MapInfo",
    "SQLite",
    "KML",
    "FlatGeobuf",
    "OpenStreetMap",
    "Corridor",
    "PGPASSWORD",
    ".pgpass",
    "postgres",
    "https",
    "http",
    "URL",
    "Ctrl",
    "Shift",
    "Esc",
    "Enter",
    "Space",
    "Backspace",
    "Home",
    "End",
    "Page Up",
    "Page Down",
    "Delete",
    "Tab",
    "F1",
    "F5",
    "km²",
    "km",
    "ha",
    "MB",
    "GB",
    "kB",
    "pt",
    "px",
    "WTC",
    "S&T",
    "AccessKit",
    "gpkg",
    "geojson",
    "shp",
    "fgb",
    "tab",
    "kml",
    "mbtiles",
    "pmtiles",
    "toml",
    "user",
    "host",
    "database",
    "zoom",
    "x",
    "y",
    "z",
];

/// Every string in a TOML value, except translations into other languages than `lang`
/// (tables with `vi`, `en`, `zh`) and a layer's `name` where it has a `title`.
fn toml_strings(v: &toml::Value, lang: Lang, all_languages: bool, out: &mut Vec<String>) {
    match v {
        toml::Value::String(s) => out.push(s.clone()),
        toml::Value::Array(a) => a
            .iter()
            .for_each(|x| toml_strings(x, lang, all_languages, out)),
        toml::Value::Table(t) => {
            let is_texts =
                !t.is_empty() && t.keys().all(|k| ["vi", "en", "zh"].contains(&k.as_str()));
            if is_texts && !all_languages {
                let key = match lang {
                    Lang::Vi => "vi",
                    Lang::En => "en",
                    Lang::Zh => "zh",
                };
                if let Some(s) = t.get(key).and_then(|s| s.as_str()) {
                    out.push(s.to_owned());
                }
                return;
            }
            let titled = t.get("title").is_some_and(|x| x.is_table());
            for (k, x) in t {
                if titled && k == "name" {
                    continue;
                }
                toml_strings(x, lang, all_languages, out);
            }
        }
        _ => {}
    }
}

fn json_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| json_strings(x, out)),
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                out.push(k.clone());
                json_strings(x, out);
            }
        }
        _ => {}
    }
}

/// The project's own content, which the interface shows as it is written: every string of its
/// GeoJSON files and story, and of its project file in `lang`.
fn content(lang: Lang) -> Vec<String> {
    let dir = maps();
    let mut out = vec![
        dir.display().to_string(),
        dir.join("SOURCES.md").display().to_string(),
    ];
    for entry in std::fs::read_dir(&dir).expect("maps/") {
        let path = entry.expect("entry").path();
        let text = || std::fs::read_to_string(&path).expect("readable");
        match path.extension().and_then(|e| e.to_str()) {
            Some("geojson") => {
                json_strings(&serde_json::from_str(&text()).expect("GeoJSON"), &mut out)
            }
            Some("toml") => {
                let story = path.file_name().is_some_and(|n| n == "story.toml");
                let v: toml::Value = toml::from_str(&text()).expect("TOML");
                toml_strings(&v, lang, story, &mut out);
            }
            _ => {}
        }
    }
    // Credits are drawn one source at a time (a layer's may name several, with "; ").
    let pieces: Vec<String> = out
        .iter()
        .flat_map(|s| s.split("; "))
        .map(str::to_owned)
        .collect();
    out.extend(pieces);
    out.retain(|s| s.chars().filter(|c| c.is_alphabetic()).count() >= 2);
    out
}

/// Removes each occurrence of `needle` in `text` that stands as words of its own.
fn strip(text: &str, needle: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(needle) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + needle.len()..].chars().next();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
        let (first, last) = (needle.chars().next(), needle.chars().next_back());
        let whole = !((word(before) && word(first)) || (word(after) && word(last)));
        out.push_str(&rest[..i]);
        if !whole {
            out.push_str(needle);
        }
        rest = &rest[i + needle.len()..];
    }
    out.push_str(rest);
    out
}

/// What of `text` is neither catalogue nor content nor neutral: runs of Latin letters that
/// are left, which in Vietnamese or Chinese can only be English.
fn leftover(text: &str, known: &[String]) -> Option<String> {
    let mut t = text.to_owned();
    for k in known {
        if t.contains(k.as_str()) {
            t = strip(&t, k);
        }
    }
    let words: Vec<&str> = t
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 2)
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

fn check(lang: Lang) {
    let catalogue = corridor::ui::i18n::all_texts();
    // A translation with blanks (`{}`) is known by its pieces around them.
    let mut known: Vec<String> = catalogue
        .iter()
        .map(|(_, vi, zh)| if lang == Lang::Vi { *vi } else { *zh })
        .flat_map(|t| t.split("{}"))
        .filter(|piece| !piece.trim().is_empty())
        .map(str::to_owned)
        .collect();
    // A language is offered by its own name; a language's code is the same in all.
    for l in Lang::ALL {
        known.push(l.native_name().to_owned());
        known.push(l.code().to_owned());
    }
    known.extend(content(lang));
    known.extend(NEUTRAL.iter().map(|s| s.to_string()));
    // Longest first, so a text is removed whole before any part of it.
    known.sort_by_key(|k| std::cmp::Reverse(k.len()));
    known.dedup();
    let mut english: Vec<String> = Vec::new();
    let (mut texts, typed) = all_windows(lang);
    known.extend(typed);
    known.sort_by_key(|k| std::cmp::Reverse(k.len()));
    // Windows stay open as the next opens: each text counts once, where it first showed.
    let mut seen = std::collections::HashSet::new();
    texts.retain(|(_, t)| seen.insert(t.clone()));
    for (window, text) in texts {
        if let Some(left) = leftover(&text, &known) {
            english.push(format!("{window}: {text:?} (left: {left})"));
        }
    }
    english.sort();
    english.dedup();
    assert!(
        english.is_empty(),
        "{} texts in English with the interface in {lang:?}:\n{}",
        english.len(),
        english.join("\n")
    );
}

#[test]
fn every_window_speaks_vietnamese() {
    check(Lang::Vi);
}

#[test]
fn every_window_speaks_chinese() {
    check(Lang::Zh);
}

/// The map's names follow the language chosen in the Language menu, and back.
#[test]
fn the_maps_names_follow_the_language_menu() {
    let mut h = open_sized(maps().join("corridor.toml"), egui::vec2(1600.0, 1000.0));
    h.run();
    let choose = |h: &mut Harness<'static, CorridorApp>, lang: Lang| {
        let menu = corridor::ui::i18n::tr("Language");
        h.get_all_by_label(menu)
            .next()
            .unwrap_or_else(|| panic!("no {menu} menu"))
            .click();
        h.run();
        h.get_by_label(lang.native_name()).click();
        h.run();
    };
    // Names the opening view shows, from maps/new-city.geojson and maps/localities.geojson.
    let names = [("Bình Dương New City", "平阳新城"), ("Thuận An", "顺安")];
    let shows = |h: &Harness<'static, CorridorApp>, name: &str| {
        laid_out(h).iter().any(|t| t.contains(name))
    };
    for (en, _) in names {
        assert!(shows(&h, en), "{en} is not on the map in English");
    }
    choose(&mut h, Lang::Zh);
    for (en, zh) in names {
        assert!(shows(&h, zh), "{zh} is not on the map in Chinese");
        assert!(!shows(&h, en), "{en} is still on the map in Chinese");
    }
    choose(&mut h, Lang::En);
    for (en, zh) in names {
        assert!(shows(&h, en), "{en} is not on the map in English again");
        assert!(!shows(&h, zh), "{zh} is still on the map in English");
    }
}
