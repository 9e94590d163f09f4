//! Keyboard help (F1): every shortcut in one place.
use crate::ui::i18n::trf;

/// Every shortcut the app answers to, as (keys, what it does).
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("F1", "Show or hide this help"),
    (
        "F5 / Shift+F5",
        "Present the story from the first / the current slide",
    ),
    (
        "Page Down, →, ↓, Space, Enter",
        "Next slide (while presenting)",
    ),
    (
        "Page Up, ←, ↑, Backspace",
        "Previous slide (while presenting)",
    ),
    ("Home / End", "First / last slide (while presenting)"),
    ("B or .", "Blank the screen and back (while presenting)"),
    ("L", "Switch language vi → en → zh (while presenting)"),
    (
        "Ctrl+F",
        "Search places, names in any language, or coordinates",
    ),
    ("Enter (in search)", "Fly to the best match and select it"),
    ("↑ / ↓ (in search)", "Move through the results"),
    ("M", "Measure distance and area; click points on the map"),
    (
        "Esc",
        "Clear the measurement, close search, or clear the selection",
    ),
    ("Ctrl+O", "Open a GeoJSON file as a new layer"),
    ("E", "Edit the selected feature's layer, or stop editing"),
    (
        "V / G / P / L / O (editing)",
        "Select and drag vertices / move a feature / draw a polygon, line, point",
    ),
    (
        "Drag a vertex / a midpoint (editing)",
        "Move the vertex / insert a new one",
    ),
    (
        "Delete (editing)",
        "Delete the selected vertex, or the selected feature",
    ),
    (
        "Enter, double-click / Backspace / Esc (drawing)",
        "Finish the shape / remove its last vertex / cancel it",
    ),
    ("S (editing)", "Snapping to other features on or off"),
    ("Ctrl+Z / Ctrl+Y, Ctrl+Shift+Z", "Undo / redo an edit"),
    ("Ctrl+S", "Save the layer being edited to its file"),
    (
        "Ctrl+Shift+S",
        "Save the project (layers, styles, view, bookmarks)",
    ),
    ("Home", "Fly back to the project's initial view"),
    ("+ / -", "Zoom in / out"),
    ("Drag", "Pan the map"),
    ("Mouse wheel", "Zoom at the pointer"),
    (
        "Double-click / right double-click",
        "Zoom in / out at the pointer",
    ),
    ("Click", "Select a feature and open its panel"),
    ("Right-click", "Copy the coordinates under the pointer"),
];

pub fn help_window(ctx: &egui::Context, open: &mut bool) {
    egui::Window::new(super::i18n::tr("Keyboard and mouse"))
        .open(open)
        .resizable(false)
        .show(ctx, |ui| {
            egui::Grid::new("shortcuts")
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    for (keys, what) in SHORTCUTS {
                        ui.label(egui::RichText::new(super::i18n::tr(keys)).strong());
                        ui.label(super::i18n::tr(what));
                        ui.end_row();
                    }
                });
        });
}

/// The About window: the app, and where every layer on the map comes from (its source and
/// licence as the project states them).
pub fn about_window(
    ctx: &egui::Context,
    open: &mut bool,
    doc: &crate::model::Document,
    basemap_credit: &str,
) {
    use super::i18n::tr;
    let mut still_open = *open;
    egui::Window::new(tr("About Corridor"))
        .open(&mut still_open)
        .default_width(520.0)
        .show(ctx, |ui| {
            ui.label(format!(
                "Corridor {} — {}",
                env!("CARGO_PKG_VERSION"),
                tr(env!("CARGO_PKG_DESCRIPTION"))
            ));
            ui.label(egui::RichText::new(doc.title.get(super::i18n::lang())).strong());
            ui.add_space(6.0);
            ui.label(egui::RichText::new(tr("Sources of the data")).strong());
            egui::Grid::new("about_sources")
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    for layer in doc.layers.iter().chain(&doc.context) {
                        ui.label(layer.title_in(super::i18n::lang()));
                        let text = if layer.attribution.is_empty() {
                            tr("(not stated)").to_owned()
                        } else {
                            layer.attribution.clone()
                        };
                        ui.add(egui::Label::new(text).wrap());
                        ui.end_row();
                    }
                    if !basemap_credit.is_empty() {
                        ui.label(tr("Basemap"));
                        ui.add(egui::Label::new(basemap_credit).wrap());
                        ui.end_row();
                    }
                });
            if !doc.credit.is_empty() {
                ui.add_space(4.0);
                ui.label(&doc.credit);
            }
            if let Some(sources) = doc
                .path
                .as_deref()
                .and_then(std::path::Path::parent)
                .map(|d| d.join("SOURCES.md"))
                .filter(|p| p.is_file())
            {
                ui.add_space(4.0);
                ui.label(
                    egui::RichText::new(trf(
                        "Every source, its licence and what was done to it: {}",
                        &[&sources.display()],
                    ))
                    .small(),
                );
            }
        });
    *open = still_open;
}
