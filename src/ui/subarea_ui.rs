//! The sub-area list: every planned sub-area, grouped by layer; choosing one flies to it.

use super::i18n::tr;
use egui::{RichText, Ui};

use crate::model::{Document, FeatureRef};

use super::MUTED;

/// Lists the planned sub-areas; returns the one the user chose this frame.
pub fn subarea_list_ui(
    ui: &mut Ui,
    doc: &Document,
    selected: Option<FeatureRef>,
) -> Option<FeatureRef> {
    let mut chosen = None;
    let mut any = false;
    for layer in doc.layers.iter().filter(|l| l.subareas) {
        ui.label(
            RichText::new(layer.title_in(super::i18n::lang()))
                .color(MUTED)
                .small(),
        );
        for (r, feature) in layer.refs().filter(|(_, f)| f.is_areal()) {
            any = true;
            let mut text = feature.name_in(super::i18n::names_lang());
            if let Some(n) = feature.property("subarea_no").and_then(|v| v.as_u64()) {
                text = format!("{n}. {text}");
            }
            let response = ui.selectable_label(selected == Some(r), text);
            let response = match feature.property_text("name_en") {
                Some(en) => response.on_hover_text(en),
                None => response,
            };
            if response.clicked() {
                chosen = Some(r);
            }
        }
        ui.add_space(4.0);
    }
    if !any {
        ui.label(RichText::new(tr("No sub-area layer is loaded.")).color(MUTED));
    }
    chosen
}
