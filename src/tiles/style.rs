//! How vector tiles look: a subset of the MapLibre style specification, read and drawn by
//! walkers. By default the style follows the file's schema (Protomaps basemap layers, or
//! OpenMapTiles'), told from the layers the file lists; a MapLibre style JSON file can replace
//! it. Labels are put in the map's language, falling back to the local name.

use std::path::Path;

use serde_json::{Value, json};
use walkers::{Style, StyleLayer};

use crate::model::Lang;

/// Which set of layer names a vector tile file follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schema {
    /// Protomaps basemap layers: `earth`, `water`, `landuse`, `roads`, `places`, …
    Protomaps,
    /// Protomaps basemaps before version 4: the same layers (with `transit` and
    /// `physical_line`), kinds under `pmap:kind`.
    ProtomapsV2,
    /// OpenMapTiles: `water`, `landcover`, `transportation`, `place`, …
    OpenMapTiles,
}

impl Schema {
    /// Told from the layers a file's metadata lists; Protomaps when it lists none.
    pub fn of(layers: &[String]) -> Schema {
        let omt = [
            "transportation",
            "transportation_name",
            "water_name",
            "landcover",
        ];
        let old = ["physical_line", "physical_point", "transit", "natural"];
        if layers.iter().any(|l| omt.contains(&l.as_str())) {
            Schema::OpenMapTiles
        } else if layers.iter().any(|l| old.contains(&l.as_str())) {
            Schema::ProtomapsV2
        } else {
            Schema::Protomaps
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Schema::Protomaps => "Protomaps basemap",
            Schema::ProtomapsV2 => "Protomaps basemap (before version 4)",
            Schema::OpenMapTiles => "OpenMapTiles",
        }
    }
}

/// The built-in style for a schema.
pub fn default_style(schema: Schema) -> Style {
    match schema {
        Schema::Protomaps => Style::protomaps_basemap_light(),
        Schema::ProtomapsV2 => renamed_key(Style::protomaps_basemap_light(), "kind", "pmap:kind"),
        Schema::OpenMapTiles => Style::openmaptiles_basemap_light(),
    }
}

/// The style with every use of property `from` made a use of `to`: in filters (both the
/// expression form `["get", from]` and the legacy `[op, from, …]`) and in layout and paint
/// values.
fn renamed_key(mut style: Style, from: &str, to: &str) -> Style {
    fn walk(v: &mut Value, from: &str, to: &str) {
        if let Value::Array(items) = v {
            let legacy = ["in", "!in", "==", "!=", "has", "!has", "get"];
            if items.len() >= 2
                && items[0].as_str().is_some_and(|op| legacy.contains(&op))
                && items[1] == from
            {
                items[1] = Value::String(to.to_owned());
            }
            for item in items {
                walk(item, from, to);
            }
        }
    }
    let paint = |p: &mut walkers::Paint| {
        let values = [
            p.background_color.as_mut().map(|c| &mut c.0),
            p.fill_color.as_mut().map(|c| &mut c.0),
            p.fill_opacity.as_mut().map(|c| &mut c.0),
            p.line_width.as_mut().map(|c| &mut c.0),
            p.line_color.as_mut().map(|c| &mut c.0),
            p.line_opacity.as_mut().map(|c| &mut c.0),
            p.text_color.as_mut().map(|c| &mut c.0),
        ];
        for v in values.into_iter().flatten() {
            walk(v, from, to);
        }
    };
    for layer in &mut style.layers {
        match layer {
            StyleLayer::Fill {
                filter, paint: p, ..
            }
            | StyleLayer::Line {
                filter, paint: p, ..
            } => {
                if let Some(f) = filter {
                    walk(&mut f.0, from, to);
                }
                paint(p);
            }
            StyleLayer::Symbol {
                filter,
                layout,
                paint: p,
                ..
            } => {
                if let Some(f) = filter {
                    walk(&mut f.0, from, to);
                }
                if let Some(t) = layout.text_field.as_mut() {
                    walk(t, from, to);
                }
                if let Some(t) = layout.text_size.as_mut() {
                    walk(&mut t.0, from, to);
                }
                if let Some(p) = p {
                    paint(p);
                }
            }
            _ => {}
        }
    }
    style
}

/// Reads a MapLibre style JSON file (only its `layers` are used).
pub fn read_style(path: &Path) -> Result<Style, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read the style: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}: not a MapLibre style this app can draw: {e}",
            path.display()
        )
    })
}

/// The source layers a style draws from.
pub fn source_layers(style: &Style) -> Vec<String> {
    let mut names = Vec::new();
    for layer in &style.layers {
        if let StyleLayer::Fill { source_layer, .. }
        | StyleLayer::Line { source_layer, .. }
        | StyleLayer::Symbol { source_layer, .. } = layer
        {
            match source_layer {
                walkers::SourceLayer::One(one) => names.push(one.clone()),
                walkers::SourceLayer::Many(many) => names.extend(many.iter().cloned()),
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

/// Whether the style draws anything from a file with these layers (true when the file does not
/// list its layers: nothing can be told before a tile is read).
pub fn draws_from(style: &Style, file_layers: &[String]) -> bool {
    if file_layers.is_empty() {
        return true;
    }
    style.layers.iter().any(|layer| match layer {
        StyleLayer::Fill { source_layer, .. }
        | StyleLayer::Line { source_layer, .. }
        | StyleLayer::Symbol { source_layer, .. } => {
            file_layers.iter().any(|l| source_layer.matches(l))
        }
        _ => false,
    })
}

/// The label keys for a language, most specific first: OpenStreetMap's `name:xx`,
/// OpenMapTiles' `name_xx`, then the local name.
fn name_keys(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::Vi => &["name:vi", "name"],
        Lang::En => &["name:en", "name_en", "name"],
        Lang::Zh => &["name:zh", "name:zh-Hans", "name_zh", "name"],
    }
}

/// Puts every label of the style in `lang`: each `["get", "name"]` (or `name:xx`, `name_xx`)
/// in a text field becomes a `coalesce` over the language's keys.
pub fn in_language(mut style: Style, lang: Lang) -> Style {
    let names = json!(
        std::iter::once(json!("coalesce"))
            .chain(name_keys(lang).iter().map(|k| json!(["get", k])))
            .collect::<Vec<_>>()
    );
    for layer in &mut style.layers {
        if let StyleLayer::Symbol { layout, .. } = layer
            && let Some(field) = layout.text_field.as_mut()
        {
            replace_names(field, &names);
        }
    }
    style
}

fn is_name_key(key: &str) -> bool {
    key == "name" || key.starts_with("name:") || key.starts_with("name_")
}

fn replace_names(value: &mut Value, names: &Value) {
    if let Value::Array(items) = value {
        if items.len() == 2 && items[0] == "get" && items[1].as_str().is_some_and(is_name_key) {
            *value = names.clone();
            return;
        }
        for item in items {
            replace_names(item, names);
        }
    } else if let Value::String(s) = value
        && (s == "{name}" || s.starts_with("{name:") || s.starts_with("{name_"))
    {
        *value = names.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_follow_the_language_and_fall_back_to_the_local_name() {
        let style = in_language(default_style(Schema::Protomaps), Lang::Zh);
        let fields: Vec<String> = style
            .layers
            .iter()
            .filter_map(|l| match l {
                StyleLayer::Symbol { layout, .. } => layout.text_field.as_ref(),
                _ => None,
            })
            .map(|v| v.to_string())
            .collect();
        let names: Vec<&String> = fields.iter().filter(|f| f.contains("name")).collect();
        assert!(names.len() > 5, "{fields:?}");
        for f in names {
            assert!(f.contains("name:zh"), "{f}");
            assert!(f.contains(r#"["get","name"]"#), "{f}");
        }
        let ctx = walkers::Context::new(
            "Point".to_owned(),
            [("name".to_owned(), json!("Thủ Dầu Một"))].into(),
            12,
        );
        let StyleLayer::Symbol { layout, .. } = style
            .layers
            .iter()
            .find(|l| match l {
                StyleLayer::Symbol { layout, .. } => layout
                    .text_field
                    .as_ref()
                    .is_some_and(|f| f.to_string().contains("name:zh")),
                _ => false,
            })
            .unwrap()
        else {
            unreachable!()
        };
        assert_eq!(layout.text(&ctx).as_deref(), Some("Thủ Dầu Một"));
        let ctx = walkers::Context::new(
            "Point".to_owned(),
            [
                ("name".to_owned(), json!("Thủ Dầu Một")),
                ("name:zh".to_owned(), json!("土龙木")),
            ]
            .into(),
            12,
        );
        assert_eq!(layout.text(&ctx).as_deref(), Some("土龙木"));
    }

    #[test]
    fn the_schema_is_told_from_the_layers() {
        let omt = ["water", "transportation", "place"].map(str::to_owned);
        assert_eq!(Schema::of(&omt), Schema::OpenMapTiles);
        let pm = ["earth", "water", "roads", "places"].map(str::to_owned);
        assert_eq!(Schema::of(&pm), Schema::Protomaps);
        let old = ["earth", "water", "roads", "transit", "physical_line"].map(str::to_owned);
        assert_eq!(Schema::of(&old), Schema::ProtomapsV2);
        // The older schema's kinds are read from `pmap:kind`.
        let style = default_style(Schema::ProtomapsV2);
        let road = walkers::Context::new(
            "LineString".to_owned(),
            [("pmap:kind".to_owned(), json!("major_road"))].into(),
            14,
        );
        let drawn = style.layers.iter().any(|l| match l {
            StyleLayer::Line {
                source_layer,
                filter: Some(f),
                ..
            } => source_layer.matches("roads") && f.matches(&road),
            _ => false,
        });
        assert!(drawn, "a major road of the older schema is drawn");
        let style = default_style(Schema::Protomaps);
        assert!(draws_from(&style, &pm));
        assert!(!draws_from(&style, &["parcels".to_owned()]));
    }
}
