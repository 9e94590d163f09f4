//! The feature panel: a planned sub-area's names, role, facts, source and geodesic area, or any
//! other feature's properties.

use super::i18n::tr;
use crate::ui::i18n::trf;
use egui::{RichText, Ui};
use geojson::JsonValue;

use crate::geometry::measure::{format_hectares, format_km2};
use crate::model::{Document, FeatureRef, Lang};

use super::MUTED;

/// What the user asked for in the panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeatureAction {
    ZoomTo,
    Select(FeatureRef),
    Close,
}

/// Facts about the selected feature computed once when it is selected, not every frame.
#[derive(Clone, Debug)]
pub struct FeatureFacts {
    pub feature: FeatureRef,
    pub area_m2: f64,
    pub length_m: f64,
    pub places: Vec<FeatureRef>,
    /// The administrative units (the 2025 wards) it overlaps, with the overlap's geodesic area
    /// in m², largest first: worked out on a thread of its own (tens of milliseconds for a
    /// locality, too long for a frame) and set when done.
    pub units: std::sync::Arc<std::sync::OnceLock<Vec<(FeatureRef, f64)>>>,
}

/// Keys shown in their own place in the panel, not again in the property list.
const SHOWN_APART: &[&str] = &[
    "name", "name_en", "name_zh", "kind", "role", "summary", "source", "accuracy", "outline",
];

/// Long because it is one panel, drawn top to bottom: names, role, facts, areas, wards, places,
/// properties.
pub fn feature_ui(ui: &mut Ui, doc: &Document, facts: &FeatureFacts) -> Option<FeatureAction> {
    let mut action = None;
    let Some(feature) = doc.feature(facts.feature) else {
        ui.label(tr("The selected feature no longer exists."));
        return Some(FeatureAction::Close);
    };
    let layer_name = doc
        .layer(facts.feature.layer)
        .map(|l| l.title_in(super::i18n::lang()))
        .unwrap_or("");
    ui.horizontal(|ui| {
        ui.label(RichText::new(layer_name).color(MUTED).small());
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui
                .small_button("×")
                .on_hover_text(tr("Close (Esc)"))
                .clicked()
            {
                action = Some(FeatureAction::Close);
            }
            if ui.small_button(tr("Zoom to")).clicked() {
                action = Some(FeatureAction::ZoomTo);
            }
        });
    });
    let shown = super::i18n::names_lang();
    ui.heading(feature.name_in(shown));
    // The names in the other languages, each under the language's own name.
    for (key, lang, language) in [
        ("name", Lang::Vi, tr("Tiếng Việt")),
        ("name_en", Lang::En, tr("English")),
        ("name_zh", Lang::Zh, "中文"),
    ] {
        if lang == shown {
            continue;
        }
        if let Some(text) = feature.property_text(key) {
            let lang = language;
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(format!("{lang}:")).color(MUTED));
                ui.label(text);
            });
        }
    }
    if let Some(accuracy) = feature.accuracy() {
        let note = match accuracy.as_str() {
            "indicative" => {
                tr("Indicative geometry — drawn from the plan's description, not surveyed")
                    .to_owned()
            }
            "approximate" => tr("Approximate position — not surveyed").to_owned(),
            other => trf("Accuracy: {}", &[&other]),
        };
        ui.label(RichText::new(format!("⚠ {note}")).color(ui.visuals().warn_fg_color));
    }
    ui.separator();
    if let Some(role) = feature.property_text("role") {
        ui.label(RichText::new(tr("Role in the plan")).strong());
        ui.label(role);
    }
    if let Some(summary) = feature.property_text("summary") {
        ui.add_space(4.0);
        ui.label(summary);
    }
    ui.add_space(6.0);
    egui::Grid::new("measures").num_columns(2).show(ui, |ui| {
        if feature.is_areal() {
            ui.label(RichText::new(tr("Area")).strong());
            ui.label(format!(
                "{} ({})",
                format_hectares(facts.area_m2),
                format_km2(facts.area_m2)
            ))
            .on_hover_text(tr(
                "Geodesic area on the WGS84 ellipsoid, computed from the geometry",
            ));
            ui.end_row();
            ui.label(RichText::new(tr("Perimeter")).strong());
            ui.label(format!("{:.2} km", facts.length_m / 1000.0));
            ui.end_row();
        } else if facts.length_m > 0.0 {
            ui.label(RichText::new(tr("Length")).strong());
            ui.label(format!("{:.2} km", facts.length_m / 1000.0))
                .on_hover_text(tr("Geodesic length on the WGS84 ellipsoid"));
            ui.end_row();
        } else if let Some(geo::Geometry::Point(p)) = feature.geometry().as_deref() {
            ui.label(RichText::new(tr("Position")).strong());
            ui.label(crate::geometry::coords::format_lat_lon(p.x(), p.y()));
            ui.end_row();
        }
    });
    if feature.is_areal() {
        ui.add_space(6.0);
        ui.label(RichText::new(tr("Places inside")).strong());
        if facts.places.is_empty() {
            ui.label(RichText::new(tr("None of the mapped places lie inside.")).color(MUTED));
        }
        for &place in &facts.places {
            if let Some(p) = doc.feature(place)
                && ui.link(p.display_name()).clicked()
            {
                action = Some(FeatureAction::Select(place));
            }
        }
    }
    let units = facts.units.get();
    if units.is_none() {
        ui.add_space(6.0);
        ui.label(RichText::new(tr("Wards of 2025")).strong());
        ui.spinner();
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(30));
    } else if let Some(units) = units.filter(|u| !u.is_empty()) {
        ui.add_space(6.0);
        ui.label(RichText::new(tr("Wards of 2025")).strong())
            .on_hover_text(tr("The wards and communes that govern this area since 1 July 2025, with the area of each overlap (geodesic)"));
        egui::Grid::new("units").num_columns(2).show(ui, |ui| {
            for &(unit, m2) in units {
                if let Some(u) = doc.feature(unit) {
                    if ui.link(u.name_in(super::i18n::names_lang())).clicked() {
                        action = Some(FeatureAction::Select(unit));
                    }
                    ui.label(format_hectares(m2));
                    ui.end_row();
                }
            }
        });
    }
    if let Some(outline) = feature.property_text("outline") {
        ui.add_space(6.0);
        ui.label(RichText::new(tr("Outline")).strong());
        ui.label(RichText::new(outline).small());
    }
    if let Some(source) = feature.property_text("source") {
        ui.add_space(6.0);
        ui.label(RichText::new(tr("Source")).strong());
        ui.label(RichText::new(source).small());
    }
    let others: Vec<(String, JsonValue)> = feature
        .properties()
        .into_iter()
        .filter(|(k, _)| !SHOWN_APART.contains(&k.as_str()))
        .collect();
    let title = if others.is_empty() && feature.property("name").is_none() {
        tr("Properties (none)")
    } else {
        tr("All properties")
    };
    ui.add_space(6.0);
    egui::CollapsingHeader::new(title)
        .default_open(feature.property("summary").is_none())
        .show(ui, |ui| {
            egui::Grid::new("properties")
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    // The feature's own id, apart from any property of that name.
                    if let Some(id) = &feature.meta().id {
                        ui.label(RichText::new(tr("Feature id")).color(MUTED));
                        ui.label(match id {
                            geojson::feature::Id::String(s) => s.clone(),
                            geojson::feature::Id::Number(n) => n.to_string(),
                        });
                        ui.end_row();
                    }
                    for (k, v) in feature.properties() {
                        ui.label(RichText::new(k).color(MUTED));
                        let text = match v {
                            JsonValue::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        ui.add(egui::Label::new(text).wrap());
                        ui.end_row();
                    }
                });
        });
    action
}
