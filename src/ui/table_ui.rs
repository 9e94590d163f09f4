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
    /// The columns and rows last worked out, and from what.
    worked_out: Option<WorkedOut>,
}

/// What a table shows, worked out once for a layer's features as they are
/// ([`Layer::generation`]), a filter and a sort: a frame then draws it without reading every
/// feature's properties again.
#[derive(Clone, Debug)]
struct WorkedOut {
    generation: u64,
    columns: Vec<String>,
    /// The filter, folded.
    needle: String,
    /// Rows the filter lets through, in layer order.
    filtered: Vec<usize>,
    sort: Option<(String, bool)>,
    /// `filtered`, sorted.
    rows: Vec<usize>,
}

impl TableState {
    /// The table of a layer: every row, unsorted.
    pub fn new(layer: LayerId) -> Self {
        Self {
            layer,
            filter: String::new(),
            sort: None,
            worked_out: None,
        }
    }

    /// The columns, and the rows after filtering and sorting (see [`rows`]). Worked out again
    /// only when the layer's features, the filter or the sort changed; a filter that grows
    /// (typing on) looks only at the rows the shorter one let through.
    pub fn view(&mut self, layer: &Layer) -> (&[String], &[usize]) {
        let needle = fold(&self.filter);
        let generation = layer.generation();
        let w = match self.worked_out.take() {
            Some(mut w) if w.generation == generation => {
                if w.needle != needle {
                    w.filtered = if needle.contains(&w.needle) {
                        w.filtered
                            .into_iter()
                            .filter(|&i| matches(layer, i, &needle))
                            .collect()
                    } else {
                        filtered(layer, &needle)
                    };
                    w.needle = needle;
                    w.rows = sorted(layer, w.filtered.clone(), self.sort.as_ref());
                    w.sort.clone_from(&self.sort);
                } else if w.sort != self.sort {
                    w.rows = sorted(layer, w.filtered.clone(), self.sort.as_ref());
                    w.sort.clone_from(&self.sort);
                }
                w
            }
            _ => {
                let filtered = filtered(layer, &needle);
                WorkedOut {
                    generation,
                    columns: columns(layer),
                    needle,
                    rows: sorted(layer, filtered.clone(), self.sort.as_ref()),
                    filtered,
                    sort: self.sort.clone(),
                }
            }
        };
        let w = self.worked_out.insert(w);
        (&w.columns, &w.rows)
    }
}

/// The columns of a layer: every property key, in first-seen order.
pub fn columns(layer: &Layer) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    for f in layer.features() {
        for (k, _) in f.properties() {
            if !seen.contains(&k) {
                seen.insert(k.clone());
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

/// Whether a value of feature `i` holds `needle` (folded; see [`fold`]).
fn matches(layer: &Layer, i: usize, needle: &str) -> bool {
    needle.is_empty()
        || layer.features().get(i).is_some_and(|f| {
            f.properties()
                .values()
                .any(|v| fold(&cell_text(Some(v))).contains(needle))
        })
}

/// Rows (feature indices, in layer order) a value of which holds `needle`.
fn filtered(layer: &Layer, needle: &str) -> Vec<usize> {
    (0..layer.features().len())
        .filter(|&i| matches(layer, i, needle))
        .collect()
}

/// `rows` sorted by a column, ascending or not: numerically where both values are numbers,
/// else by their folded text.
fn sorted(layer: &Layer, rows: Vec<usize>, sort: Option<&(String, bool)>) -> Vec<usize> {
    let Some((key, ascending)) = sort else {
        return rows;
    };
    // Each row's value read once (as a number, and as folded text), not once per comparison.
    let mut keyed: Vec<(usize, Option<f64>, String)> = rows
        .into_iter()
        .map(|i| {
            let v = layer.features().get(i).and_then(|f| f.property(key));
            (
                i,
                v.as_ref().and_then(JsonValue::as_f64),
                fold(&cell_text(v.as_ref())),
            )
        })
        .collect();
    keyed.sort_by(|(_, na, ta), (_, nb, tb)| {
        let ord = match (na, nb) {
            (Some(x), Some(y)) => x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal),
            _ => ta.cmp(tb),
        };
        if *ascending { ord } else { ord.reverse() }
    });
    keyed.into_iter().map(|(i, _, _)| i).collect()
}

/// Rows (feature indices) after filtering and sorting, worked out from scratch.
pub fn rows(layer: &Layer, state: &TableState) -> Vec<usize> {
    sorted(
        layer,
        filtered(layer, &fold(&state.filter)),
        state.sort.as_ref(),
    )
}

/// Shows the table; returns the feature whose row was clicked.
pub fn table_ui(
    ui: &mut Ui,
    layer: &Layer,
    state: &mut TableState,
    selected: Option<FeatureRef>,
) -> Option<FeatureRef> {
    let (keys, rows) = state.view(layer);
    let (keys, rows) = (keys.to_vec(), rows.to_vec());
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
        let mut s = TableState::new(l.id);
        s.sort = Some(("pop".into(), true));
        assert_eq!(rows(&l, &s), [1, 0, 2]);
        s.sort = Some(("name".into(), false));
        assert_eq!(rows(&l, &s), [2, 0, 1]);
        s.filter = "an".into();
        s.sort = None;
        assert_eq!(rows(&l, &s), [0, 1, 2]);
        s.filter = "thuan".into();
        assert_eq!(rows(&l, &s), [2]);
    }

    #[test]
    fn the_view_follows_filter_sort_and_edits_as_a_fresh_reckoning_does() {
        let mut l = layer();
        let mut s = TableState::new(l.id);
        let check = |l: &Layer, s: &mut TableState, want: &[usize]| {
            let fresh = rows(l, s);
            let what = format!("filter {:?}, sort {:?}", s.filter, s.sort);
            let (columns_seen, seen) = s.view(l);
            assert_eq!(seen, fresh, "{what}");
            assert_eq!(seen, want);
            assert_eq!(columns_seen, columns(l));
        };
        check(&l, &mut s, &[0, 1, 2]);
        // Typing on narrows; deleting widens again.
        for (filter, want) in [
            ("a", &[0, 1, 2][..]),
            ("an", &[0, 1, 2]),
            ("ang", &[1]),
            ("an", &[0, 1, 2]),
            ("thu", &[2]),
            ("", &[0, 1, 2]),
        ] {
            s.filter = filter.into();
            check(&l, &mut s, want);
        }
        s.sort = Some(("pop".into(), false));
        check(&l, &mut s, &[2, 0, 1]);
        s.filter = "an".into();
        check(&l, &mut s, &[2, 0, 1]);
        // An edit: Bàu Bàng is renamed and now matches a filter it did not.
        s.filter = "binh".into();
        check(&l, &mut s, &[]);
        let before = l.generation();
        let id = l.features()[1].id();
        let f = l.feature_mut(id).unwrap();
        let mut record = f.record().into_owned();
        record
            .properties
            .as_mut()
            .unwrap()
            .insert("name".into(), "Bình Dương".into());
        f.set_record(record);
        assert_ne!(l.generation(), before);
        check(&l, &mut s, &[1]);
        // Another layer never shares a generation.
        assert_ne!(layer().generation(), layer().generation());
    }
}
