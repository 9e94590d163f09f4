//! The attribute table of a layer: one row per feature, sortable columns, a text filter, the
//! count; a click on a row selects the feature on the map and zooms to it.

use crate::ui::i18n::trf;
use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};
use geojson::JsonValue;

use super::i18n::tr;
use crate::model::search::fold;
use crate::model::{FeatureRef, Layer, LayerId};

/// An open attribute table.
#[derive(Clone, Debug)]
pub struct TableState {
    pub layer: LayerId,
    pub filter: String,
    /// Column sorted by, and whether ascending.
    pub sort: Option<(String, bool)>,
}

/// The columns of a layer: every property key, in first-seen order.
pub fn columns(layer: &Layer) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for f in layer.features() {
        for (k, _) in f.properties() {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    keys
}

fn cell_text(v: Option<&JsonValue>) -> String {
    match v {
        None | Some(JsonValue::Null) => String::new(),
        Some(JsonValue::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Rows (feature indices) after filtering and sorting.
pub fn rows(layer: &Layer, state: &TableState) -> Vec<usize> {
    let needle = fold(&state.filter);
    let mut rows: Vec<usize> = (0..layer.features().len())
        .filter(|&i| {
            needle.is_empty()
                || layer.features()[i]
                    .properties()
                    .values()
                    .any(|v| fold(&cell_text(Some(v))).contains(&needle))
        })
        .collect();
    if let Some((key, ascending)) = &state.sort {
        // Each row's value read once (as a number, and as folded text), not once per comparison.
        let sort_keys: Vec<(Option<f64>, String)> = (0..layer.features().len())
            .map(|i| {
                let v = layer.features()[i].property(key);
                (
                    v.as_ref().and_then(JsonValue::as_f64),
                    fold(&cell_text(v.as_ref())),
                )
            })
            .collect();
        rows.sort_by(|&a, &b| {
            let (na, ta) = &sort_keys[a];
            let (nb, tb) = &sort_keys[b];
            let ord = match (na, nb) {
                (Some(x), Some(y)) => x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal),
                _ => ta.cmp(tb),
            };
            if *ascending { ord } else { ord.reverse() }
        });
    }
    rows
}

/// Shows the table; returns the feature whose row was clicked.
pub fn table_ui(
    ui: &mut Ui,
    layer: &Layer,
    state: &mut TableState,
    selected: Option<FeatureRef>,
) -> Option<FeatureRef> {
    let keys = columns(layer);
    let rows = rows(layer, state);
    let mut clicked = None;
    ui.horizontal(|ui| {
        ui.add(
            egui::TextEdit::singleline(&mut state.filter)
                .hint_text(tr("Filter rows"))
                .desired_width(200.0),
        )
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, tr("Filter rows")));
        ui.label(trf(
            "{} of {} features",
            &[&rows.len(), &layer.features().len()],
        ));
    });
    ui.separator();
    let mut sort_clicked = None;
    egui::ScrollArea::horizontal().show(ui, |ui| {
        let mut table = TableBuilder::new(ui)
            .striped(true)
            .sense(egui::Sense::click())
            .column(Column::auto().at_least(40.0));
        for _ in &keys {
            table = table.column(Column::auto().at_least(60.0).at_most(320.0).clip(true));
        }
        table
            .header(22.0, |mut header| {
                header.col(|ui| {
                    ui.label(RichText::new("#").strong());
                });
                for k in &keys {
                    header.col(|ui| {
                        let arrow = match &state.sort {
                            Some((s, true)) if s == k => " ▲",
                            Some((s, false)) if s == k => " ▼",
                            _ => "",
                        };
                        if ui
                            .button(RichText::new(format!("{k}{arrow}")).strong())
                            .on_hover_text(trf("Sort by {}", &[k]))
                            .clicked()
                        {
                            sort_clicked = Some(k.clone());
                        }
                    });
                }
            })
            .body(|body| {
                body.rows(20.0, rows.len(), |mut row| {
                    let Some(&fi) = rows.get(row.index()) else {
                        return;
                    };
                    let f = &layer.features()[fi];
                    let r = FeatureRef {
                        layer: layer.id,
                        feature: f.id(),
                    };
                    row.set_selected(selected == Some(r));
                    // Cells answer clicks themselves too, so keyboard and screen-reader users
                    // (accesskit "click") can pick a row as well as the mouse.
                    let mut cell = |ui: &mut Ui, text: String| {
                        if ui
                            .add(egui::Label::new(text).sense(egui::Sense::click()))
                            .clicked()
                        {
                            clicked = Some(r);
                        }
                    };
                    row.col(|ui| cell(ui, fi.to_string()));
                    for k in &keys {
                        row.col(|ui| cell(ui, cell_text(f.property(k).as_ref())));
                    }
                    if row.response().clicked() {
                        clicked = Some(r);
                    }
                });
            });
    });
    if let Some(k) = sort_clicked {
        state.sort = match &state.sort {
            Some((s, true)) if *s == k => Some((k, false)),
            _ => Some((k, true)),
        };
    }
    clicked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::parse_geojson;
    use crate::model::LayerStyle;

    fn layer() -> Layer {
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"name":"Dĩ An","pop":10},"geometry":null},
          {"type":"Feature","properties":{"name":"Bàu Bàng","pop":2},"geometry":null},
          {"type":"Feature","properties":{"name":"Thuận An","pop":30,"x":true},"geometry":null}]}"#;
        Layer::new(
            "t".into(),
            std::path::PathBuf::from("t"),
            LayerStyle::default(),
            parse_geojson(text.as_bytes(), std::path::Path::new("t"))
                .unwrap()
                .features,
            vec![],
        )
    }

    #[test]
    fn columns_are_every_key_in_first_seen_order() {
        assert_eq!(columns(&layer()), ["name", "pop", "x"]);
    }

    #[test]
    fn sorting_is_numeric_for_numbers_and_folded_for_text() {
        let l = layer();
        let mut s = TableState {
            layer: l.id,
            filter: String::new(),
            sort: Some(("pop".into(), true)),
        };
        assert_eq!(rows(&l, &s), [1, 0, 2]);
        s.sort = Some(("name".into(), false));
        assert_eq!(rows(&l, &s), [2, 0, 1]);
        s.filter = "an".into();
        s.sort = None;
        assert_eq!(rows(&l, &s), [0, 1, 2]);
        s.filter = "thuan".into();
        assert_eq!(rows(&l, &s), [2]);
    }
}
