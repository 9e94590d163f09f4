//! The layers panel: top of the draw order first; visibility, opacity, feature count, table,
//! style, zoom, remove, and drag (☰) to reorder.

use super::i18n::tr;
use crate::ui::i18n::trf;
use egui::{RichText, Ui};

use crate::model::Layer;

use super::MUTED;

/// What the user asked of a layer this frame. Indices are draw-order indices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerAction {
    OpenTable(usize),
    OpenStyle(usize),
    /// Toggle edit mode on the layer.
    Edit(usize),
    ZoomTo(usize),
    /// Save or export the layer ("Save layer as").
    SaveAs(usize),
    Remove(usize),
    /// Move the layer at `from` to draw position `to`.
    Move {
        from: usize,
        to: usize,
    },
}

/// A table too large to hold, as the layers panel tells of it.
#[derive(Clone, Debug)]
pub struct WindowedRow {
    /// Rows in the table (the planner's estimate).
    pub rows: i64,
    /// The map shows the rows in view (else, zoomed out, the overview).
    pub shows_rows: bool,
    /// Why rows could not be read, the last time.
    pub failure: Option<String>,
}

/// The layers panel. `tables` says, per layer, which PostGIS table it is (`None` for a file),
/// and whether it is too large to hold.
///
/// Long because it is one list: a row per layer with its buttons, its context menu and drag to
/// reorder.
pub fn layers_ui(
    ui: &mut Ui,
    layers: &mut [Layer],
    tables: &[Option<(String, Option<WindowedRow>)>],
) -> Option<LayerAction> {
    let mut action = None;
    let count = layers.len();
    for (i, layer) in layers.iter_mut().enumerate().rev() {
        let title = layer.title_in(super::i18n::lang()).to_owned();
        let (table, windowed) = tables
            .get(i)
            .cloned()
            .flatten()
            .map_or((None, None), |(t, w)| (Some(t), w));
        let row = ui.vertical(|ui| {
            ui.horizontal(|ui| {
                let handle = ui
                    .dnd_drag_source(egui::Id::unique(("layer_drag", i)), i, |ui| {
                        ui.label(RichText::new("☰").color(MUTED));
                    })
                    .response
                    .on_hover_text(tr("Drag to reorder"));
                let _ = handle;
                let hover = table.as_ref().map_or_else(
                    || layer.source.display().to_string(),
                    |t| trf("PostGIS table {}", &[&t]),
                );
                // Right-click: what a desktop GIS offers on a layer's name.
                ui.checkbox(&mut layer.visible, &title)
                    .on_hover_text(hover)
                    .context_menu(|ui| {
                        if ui
                            .button(tr("Save as / export…"))
                            .on_hover_text(tr("GeoJSON, GeoPackage or Shapefile, in WGS 84 or VN-2000"))
                            .clicked()
                        {
                            action = Some(LayerAction::SaveAs(i));
                            ui.close();
                        }
                        if layer.error().is_none() && ui.button(tr("Zoom to")).clicked() {
                            action = Some(LayerAction::ZoomTo(i));
                            ui.close();
                        }
                        if ui.button(tr("Remove")).clicked() {
                            action = Some(LayerAction::Remove(i));
                            ui.close();
                        }
                    });
                if let Some(t) = &table {
                    ui.label(RichText::new(tr("PostGIS")).color(MUTED).small())
                        .on_hover_text(trf(
                            "Shared in {}: saves write to the table, other editors' saves appear here",
                            &[t],
                        ));
                }
                if layer.is_dirty() {
                    ui.label(RichText::new("●").color(ui.visuals().warn_fg_color))
                        .on_hover_text(tr("Unsaved changes"));
                }
                if let Some(w) = &windowed {
                    ui.label(
                        RichText::new(format!("≈ {}", crate::geometry::measure::group_thousands(u64::try_from(w.rows).unwrap_or(0))))
                            .color(MUTED)
                            .small(),
                    )
                    .on_hover_text(trf(
                        "Rows in the table (the server's estimate): too many to hold, so the rows around the view are read as you pan ({} now)",
                        &[&layer.features().len()],
                    ));
                    if !w.shows_rows {
                        ui.label(RichText::new(tr("overview")).color(MUTED).small())
                            .on_hover_text(tr(
                                "Zoomed out this far, the map shows where every row is; zoom in to see, select and edit the rows themselves",
                            ));
                    }
                } else if layer.error().is_none() {
                    ui.label(
                        RichText::new(format!("{}", layer.features().len()))
                            .color(MUTED)
                            .small(),
                    )
                    .on_hover_text(tr("Number of features"));
                }
                if !layer.attribution.is_empty() {
                    ui.label(RichText::new("ℹ").color(MUTED))
                        .on_hover_text(format!("{}: {}", tr("Source"), layer.attribution));
                }
            });
            if let Some(failure) = windowed.as_ref().and_then(|w| w.failure.as_ref()) {
                ui.label(
                    RichText::new(format!("⚠ {}", trf("Rows could not be read: {}", &[failure])))
                        .color(ui.visuals().warn_fg_color)
                        .small(),
                );
            }
            if let Some(error) = layer.error() {
                ui.label(
                    RichText::new(format!("⚠ {}", trf("Not loaded: {}", &[&error])))
                        .color(ui.visuals().warn_fg_color)
                        .small(),
                );
            } else {
                ui.add_enabled(
                    layer.visible,
                    egui::Slider::new(&mut layer.opacity, 0.0..=1.0)
                        .text(tr("opacity"))
                        .show_value(false),
                );
            }
            for w in &layer.warnings {
                ui.label(RichText::new(format!("⚠ {w}")).small().color(MUTED));
            }
            ui.horizontal(|ui| {
                if layer.error().is_none() {
                    if ui
                        .small_button(tr("Table"))
                        .on_hover_text(trf("Attribute table of {}", &[&title]))
                        .clicked()
                    {
                        action = Some(LayerAction::OpenTable(i));
                    }
                    if ui
                        .small_button(tr("Style"))
                        .on_hover_text(trf("Style of {}", &[&title]))
                        .clicked()
                    {
                        action = Some(LayerAction::OpenStyle(i));
                    }
                    if ui
                        .small_button(tr("Edit"))
                        .on_hover_text(trf("Edit the features of {} (E)", &[&title]))
                        .clicked()
                    {
                        action = Some(LayerAction::Edit(i));
                    }
                    if ui
                        .small_button(tr("Zoom"))
                        .on_hover_text(trf("Zoom to {}", &[&title]))
                        .clicked()
                    {
                        action = Some(LayerAction::ZoomTo(i));
                    }
                }
                if ui
                    .small_button(tr("Remove"))
                    .on_hover_text(trf("Remove {} from the map", &[&title]))
                    .clicked()
                {
                    action = Some(LayerAction::Remove(i));
                }
            });
        });
        if let Some(from) = row.response.dnd_release_payload::<usize>() {
            let from = *from;
            if from != i && from < count {
                action = Some(LayerAction::Move { from, to: i });
            }
        }
        if row.response.dnd_hover_payload::<usize>().is_some() {
            let r = row.response.rect;
            ui.painter().hline(
                r.x_range(),
                r.top(),
                egui::Stroke::new(2.0, ui.visuals().selection.bg_fill),
            );
        }
        ui.add_space(4.0);
    }
    action
}
