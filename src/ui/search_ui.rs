//! The search box: features by name in any language (diacritics optional) and coordinates.

use super::i18n::tr;
use egui::{Key, RichText, Ui};

use crate::geometry::coords::{format_lat_lon, parse_position};
use crate::model::search::{Hit, SearchIndex};
use crate::model::{Document, FeatureRef};

use super::MUTED;

/// Where a search leads.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SearchOutcome {
    Feature(FeatureRef),
    /// `[lon, lat]`.
    Position([f64; 2]),
}

/// What the search box remembers between frames.
#[derive(Default)]
pub struct SearchState {
    pub query: String,
    /// Row highlighted with the arrow keys.
    cursor: usize,
    focus: bool,
    /// The drop-down is showing.
    open: bool,
    results_for: String,
    results: Vec<Hit>,
    position: Option<[f64; 2]>,
}

impl SearchState {
    /// Puts the keyboard focus in the search box (Ctrl+F).
    pub fn focus(&mut self) {
        self.focus = true;
    }

    /// Runs the query if it changed since the last frame.
    fn refresh(&mut self, index: &SearchIndex, doc: &Document) {
        if self.results_for == self.query {
            return;
        }
        self.results_for = self.query.clone();
        self.position = parse_position(&self.query);
        self.results = index.search(doc, &self.query, 8);
        self.cursor = 0;
    }

    /// What the rows offer, in order: a position first when the text is one, then features.
    fn outcomes(&self) -> Vec<SearchOutcome> {
        self.position
            .map(SearchOutcome::Position)
            .into_iter()
            .chain(
                self.results
                    .iter()
                    .map(|h| SearchOutcome::Feature(h.feature)),
            )
            .collect()
    }
}

/// The search box with its drop-down of results. Returns what the user chose this frame.
pub fn search_ui(
    ui: &mut Ui,
    state: &mut SearchState,
    index: &mut Option<SearchIndex>,
    doc: &Document,
) -> Option<SearchOutcome> {
    let edit = egui::TextEdit::singleline(&mut state.query)
        .hint_text(tr("Search places or coordinates (Ctrl+F)"))
        .desired_width(300.0);
    let response = ui.add(edit);
    // Its name for a screen reader: the hint is only a placeholder.
    response.widget_info(|| {
        egui::WidgetInfo::labeled(
            egui::Role::TextInput,
            true,
            tr("Search places or coordinates (Ctrl+F)"),
        )
    });
    if std::mem::take(&mut state.focus) {
        response.request_focus();
    }
    // The index is built the first time something is typed, not with the layer: folding every
    // name of a 100 000-feature layer costs a second.
    if state.results_for != state.query {
        let index = index.get_or_insert_with(|| SearchIndex::build(doc));
        state.refresh(index, doc);
    }
    let outcomes = state.outcomes();
    let mut chosen = None;
    if response.has_focus() && !outcomes.is_empty() {
        if ui.input(|i| i.key_pressed(Key::ArrowDown)) {
            state.cursor = (state.cursor + 1).min(outcomes.len() - 1);
        }
        if ui.input(|i| i.key_pressed(Key::ArrowUp)) {
            state.cursor = state.cursor.saturating_sub(1);
        }
    }
    if response.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
        chosen = outcomes.get(state.cursor).copied();
    }
    if response.has_focus() || response.changed() {
        state.open = true;
    }
    if state.query.trim().is_empty() || ui.input(|i| i.key_pressed(Key::Escape)) {
        state.open = false;
    }
    if state.open {
        let area = egui::Area::new(response.id.with("results"))
            .fixed_pos(response.rect.left_bottom() + egui::vec2(0.0, 4.0))
            .order(egui::Order::Foreground)
            .show(ui.ctx(), |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.set_min_width(response.rect.width());
                    if outcomes.is_empty() {
                        ui.label(RichText::new(tr("Nothing found")).color(MUTED));
                    }
                    for (row, outcome) in outcomes.iter().enumerate() {
                        let (text, detail) = match outcome {
                            SearchOutcome::Position([lon, lat]) => (
                                format!("Go to {}", format_lat_lon(*lon, *lat)),
                                String::new(),
                            ),
                            SearchOutcome::Feature(r) => {
                                let f = doc.feature(*r);
                                let name = f.map(|f| f.display_name()).unwrap_or_default();
                                let other = f
                                    .and_then(|f| f.property_text("name_en"))
                                    .filter(|en| *en != name)
                                    .unwrap_or_default();
                                let layer = doc
                                    .layer(r.layer)
                                    .map(|l| l.title_in(super::i18n::lang()).to_owned())
                                    .unwrap_or_default();
                                (
                                    name,
                                    if other.is_empty() {
                                        layer
                                    } else {
                                        format!("{other} · {layer}")
                                    },
                                )
                            }
                        };
                        ui.horizontal(|ui| {
                            if ui.selectable_label(row == state.cursor, text).clicked() {
                                chosen = Some(*outcome);
                            }
                            ui.label(RichText::new(detail).small().color(MUTED));
                        });
                    }
                });
            });
        // A click anywhere else closes the drop-down.
        let clicked_elsewhere =
            ui.input(|i| i.pointer.any_click()) && !area.response.hovered() && !response.hovered();
        if clicked_elsewhere && !response.has_focus() {
            state.open = false;
        }
    }
    if chosen.is_some() {
        state.open = false;
        response.surrender_focus();
    }
    chosen
}
