//! The legend: visible layers with their symbols, and their categories when coloured by one.

use egui::{Color32, Sense, Stroke, Ui, vec2};

use crate::model::{Color, Document, LayerStyle};
use crate::render::paint::color32;

/// What a layer mostly holds, for its legend symbol.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Symbol {
    Area,
    Line,
    Point,
}

/// The symbol a layer's features call for (the kind most of them are).
pub fn layer_symbol(doc: &Document, layer: usize) -> Symbol {
    let Some(l) = doc.layers.get(layer) else {
        return Symbol::Area;
    };
    let (mut areas, mut lines, mut points) = (0, 0, 0);
    for f in l.features() {
        match f.dimension() {
            Some(2) => areas += 1,
            Some(1) => lines += 1,
            Some(0) => points += 1,
            _ => {}
        }
    }
    if points > areas && points > lines {
        Symbol::Point
    } else if lines > areas {
        Symbol::Line
    } else {
        Symbol::Area
    }
}

/// Paints a legend swatch for a colour in the style of a layer.
pub fn swatch(ui: &mut Ui, symbol: Symbol, fill: Color, style: &LayerStyle) {
    let (rect, _) = ui.allocate_exact_size(vec2(22.0, 14.0), Sense::hover());
    let p = ui.painter();
    match symbol {
        Symbol::Area => {
            let fill32 = color32(fill.with_opacity(style.fill_opacity.max(0.35)));
            p.rect_filled(rect.shrink(1.0), 2.0, fill32);
            let stroke = if style.categories.is_some() {
                darker(fill)
            } else {
                color32(style.stroke)
            };
            p.rect_stroke(
                rect.shrink(1.0),
                2.0,
                Stroke::new(1.5, stroke),
                egui::StrokeKind::Inside,
            );
        }
        Symbol::Line => {
            let y = rect.center().y;
            p.line_segment(
                [rect.left_center(), egui::pos2(rect.right(), y)],
                Stroke::new(style.stroke_width.clamp(1.0, 5.0), color32(fill)),
            );
        }
        Symbol::Point => {
            p.circle(
                rect.center(),
                5.0,
                color32(fill),
                Stroke::new(1.5, Color32::WHITE),
            );
        }
    }
}

fn darker(c: Color) -> Color32 {
    Color32::from_rgb(
        (c.r as f32 * 0.6) as u8,
        (c.g as f32 * 0.6) as u8,
        (c.b as f32 * 0.6) as u8,
    )
}

pub fn legend_ui(ui: &mut Ui, doc: &Document) {
    let mut any = false;
    for (li, layer) in doc.layers.iter().enumerate().rev() {
        if !layer.visible || layer.error().is_some() {
            continue;
        }
        any = true;
        let symbol = layer_symbol(doc, li);
        let style = &layer.style;
        let base = match symbol {
            Symbol::Area => style.fill,
            Symbol::Line => style.stroke,
            Symbol::Point => style.marker,
        };
        let lang = super::i18n::lang();
        let title = Some(layer.title.get(lang))
            .filter(|t| !t.trim().is_empty())
            .unwrap_or(&layer.name);
        ui.horizontal(|ui| {
            swatch(ui, symbol, base, style);
            ui.label(title);
        });
        if let Some(cat) = &style.categories {
            for (value, color) in &cat.colors {
                let label = cat
                    .labels
                    .get(value)
                    .map(|t| t.get(lang))
                    .filter(|t| !t.trim().is_empty())
                    .map_or_else(|| readable(value), str::to_owned);
                ui.horizontal(|ui| {
                    ui.add_space(16.0);
                    swatch(ui, symbol, *color, style);
                    ui.label(egui::RichText::new(label).small());
                });
            }
        }
    }
    if !any {
        ui.label(egui::RichText::new(super::i18n::tr("No visible layers.")).color(super::MUTED));
    }
}

/// A category value as a legend shows it: `admin_centre` → "Admin centre".
pub fn readable(value: &str) -> String {
    let spaced = value.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => spaced,
    }
}
