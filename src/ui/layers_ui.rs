//! The layers panel: visibility and opacity per layer, top of the draw order first.

use egui::{RichText, Ui};

use crate::model::Layer;

use super::MUTED;

/// Shows one row per layer; returns true when something changed that needs a repaint.
pub fn layers_ui(ui: &mut Ui, layers: &mut [Layer]) {
    for layer in layers.iter_mut().rev() {
        ui.horizontal(|ui| {
            ui.checkbox(&mut layer.visible, &layer.name)
                .on_hover_text(layer.source.display().to_string());
            if layer.error().is_none() {
                ui.label(
                    RichText::new(format!("{}", layer.features.len()))
                        .color(MUTED)
                        .small(),
                )
                .on_hover_text("Number of features");
            }
        });
        if let Some(error) = layer.error() {
            ui.label(
                RichText::new(format!("⚠ Not loaded: {error}"))
                    .color(ui.visuals().warn_fg_color)
                    .small(),
            );
        } else {
            ui.add_enabled(
                layer.visible,
                egui::Slider::new(&mut layer.opacity, 0.0..=1.0)
                    .text("opacity")
                    .show_value(false),
            );
        }
        for w in &layer.warnings {
            ui.label(RichText::new(format!("⚠ {w}")).small().color(MUTED));
        }
        ui.add_space(4.0);
    }
}
