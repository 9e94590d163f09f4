//! The style editor of a layer: fill, stroke, width, opacity, marker, label property, and colour
//! by a property's categories (with its legend).

use crate::ui::i18n::{tr, trf};
use egui::{Color32, Ui};

use crate::model::{CategoryStyle, Color, Feature, Layer, LayerStyle};
use crate::render::paint::color32;

use super::legend_ui::{Symbol, swatch};
use super::table_ui::columns;

/// A qualitative palette (ColorBrewer Set3/Paired-like) for categories.
const PALETTE: [Color; 12] = [
    Color::rgb(0x8d, 0xd3, 0xc7),
    Color::rgb(0xfb, 0x80, 0x72),
    Color::rgb(0x80, 0xb1, 0xd3),
    Color::rgb(0xfd, 0xb4, 0x62),
    Color::rgb(0xb3, 0xde, 0x69),
    Color::rgb(0xfc, 0xcd, 0xe5),
    Color::rgb(0xbc, 0x80, 0xbd),
    Color::rgb(0xcc, 0xeb, 0xc5),
    Color::rgb(0xff, 0xed, 0x6f),
    Color::rgb(0x1f, 0x78, 0xb4),
    Color::rgb(0x33, 0xa0, 0x2c),
    Color::rgb(0xe3, 0x1a, 0x1c),
];

/// Most categories a layer is coloured by; beyond that a legend stops being readable.
pub const MAX_CATEGORIES: usize = 24;

/// Colours every distinct value of `property` among the features, in order of first appearance.
pub fn categorize(features: &[std::sync::Arc<Feature>], property: &str) -> CategoryStyle {
    let mut colors = std::collections::BTreeMap::new();
    let mut n = 0;
    for f in features {
        let Some(v) = f.property_text(property) else {
            continue;
        };
        if colors.contains_key(&v) || colors.len() >= MAX_CATEGORIES {
            continue;
        }
        colors.insert(v, PALETTE[n % PALETTE.len()]);
        n += 1;
    }
    CategoryStyle {
        property: property.to_owned(),
        colors,
        labels: Default::default(),
    }
}

/// A readable automatic style for a layer added by the user: a colour from the palette picked by
/// its position among the layers.
pub fn automatic_style(layer_count: usize) -> LayerStyle {
    let c = PALETTE[(layer_count * 5 + 9) % PALETTE.len()];
    LayerStyle {
        fill: c,
        fill_opacity: 0.4,
        stroke: Color::rgb(
            (c.r as f32 * 0.55) as u8,
            (c.g as f32 * 0.55) as u8,
            (c.b as f32 * 0.55) as u8,
        ),
        stroke_width: 1.5,
        marker: c,
        ..LayerStyle::default()
    }
}

fn color_button(ui: &mut Ui, label: &str, color: &mut Color) -> bool {
    ui.label(label);
    let mut c32 = color32(*color);
    let changed = egui::color_picker::color_edit_button_srgba(
        ui,
        &mut c32,
        egui::color_picker::Alpha::Opaque,
    )
    .changed();
    if changed {
        let [r, g, b, _] = c32.to_srgba_unmultiplied();
        *color = Color::rgb(r, g, b);
    }
    ui.end_row();
    changed
}

/// Shows the editor; returns whether the style changed (the layer must be redrawn).
pub fn style_ui(ui: &mut Ui, layer: &mut Layer) -> bool {
    // The property keys, read from every feature once per change of the layer's features, not
    // once per frame.
    let id = egui::Id::unique(("style property keys", layer.id));
    let generation = layer.generation();
    let keys: std::sync::Arc<Vec<String>> =
        match ui.data(|d| d.get_temp::<(u64, std::sync::Arc<Vec<String>>)>(id)) {
            Some((g, keys)) if g == generation => keys,
            _ => {
                let keys = std::sync::Arc::new(columns(layer));
                ui.data_mut(|d| d.insert_temp(id, (generation, keys.clone())));
                keys
            }
        };
    let mut changed = false;
    let (style, features) = layer.style_and_features();
    egui::Grid::new("style_grid").num_columns(2).show(ui, |ui| {
        changed |= color_button(ui, tr("Fill"), &mut style.fill);
        let l = ui.label(tr("Fill opacity"));
        changed |= ui
            .add(egui::Slider::new(&mut style.fill_opacity, 0.0..=1.0))
            .labelled_by(l.id)
            .changed();
        ui.end_row();
        changed |= color_button(ui, tr("Stroke"), &mut style.stroke);
        let l = ui.label(tr("Stroke width"));
        changed |= ui
            .add(egui::Slider::new(&mut style.stroke_width, 0.0..=12.0).suffix(" pt"))
            .labelled_by(l.id)
            .changed();
        ui.end_row();
        changed |= color_button(ui, tr("Marker"), &mut style.marker);
        let l = ui.label(tr("Marker radius"));
        changed |= ui
            .add(egui::Slider::new(&mut style.marker_radius, 2.0..=16.0).suffix(" pt"))
            .labelled_by(l.id)
            .changed();
        ui.end_row();
        let l = ui.label(tr("Label"));
        let current = style.label.clone().unwrap_or_else(|| "(none)".to_owned());
        let label_combo = egui::ComboBox::from_id_salt("label_property")
            .selected_text(current)
            .show_ui(ui, |ui| {
                changed |= ui
                    .selectable_value(&mut style.label, None, "(none)")
                    .changed();
                for k in keys.iter() {
                    changed |= ui
                        .selectable_value(&mut style.label, Some(k.clone()), k)
                        .changed();
                }
            });
        label_combo.response.labelled_by(l.id);
        ui.end_row();
        let l = ui.label(tr("Colour by"));
        let current = style
            .categories
            .as_ref()
            .map(|c| c.property.clone())
            .unwrap_or_else(|| "(single colour)".to_owned());
        let mut pick: Option<Option<String>> = None;
        let colour_combo = egui::ComboBox::from_id_salt("category_property")
            .selected_text(current)
            .show_ui(ui, |ui| {
                if ui
                    .selectable_label(style.categories.is_none(), "(single colour)")
                    .clicked()
                {
                    pick = Some(None);
                }
                for k in keys.iter() {
                    let on = style.categories.as_ref().is_some_and(|c| &c.property == k);
                    if ui.selectable_label(on, k).clicked() {
                        pick = Some(Some(k.clone()));
                    }
                }
            });
        colour_combo.response.labelled_by(l.id);
        ui.end_row();
        if let Some(p) = pick {
            style.categories = p.map(|k| categorize(features, &k));
            changed = true;
        }
    });
    let layer_style = layer.style.clone();
    if let Some(cat) = &mut layer.style.categories {
        ui.separator();
        ui.label(egui::RichText::new(trf("Categories of “{}”", &[&cat.property])).strong());
        for (value, color) in cat.colors.iter_mut() {
            ui.horizontal(|ui| {
                swatch(ui, Symbol::Area, *color, &layer_style);
                let mut c32 = color32(*color);
                if egui::color_picker::color_edit_button_srgba(
                    ui,
                    &mut c32,
                    egui::color_picker::Alpha::Opaque,
                )
                .changed()
                {
                    let [r, g, b, _] = c32.to_srgba_unmultiplied();
                    *color = Color::rgb(r, g, b);
                    changed = true;
                }
                ui.label(value.as_str());
            });
        }
        if cat.colors.len() >= MAX_CATEGORIES {
            ui.label(
                egui::RichText::new(trf(
                    "Only the first {} values get a colour.",
                    &[&MAX_CATEGORIES],
                ))
                .color(Color32::from_rgb(0x9a, 0x5b, 0x00)),
            );
        }
    }
    changed
}
