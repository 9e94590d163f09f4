//! The status bar: cursor position in decimal degrees and DMS, zoom and basemap state.

use super::i18n::tr;
use egui::{RichText, Ui};

use crate::geometry::coords::{format_lat_lon, format_lat_lon_dms};
use crate::tiles::BasemapState;

pub fn status_ui(
    ui: &mut Ui,
    cursor: Option<[f64; 2]>,
    zoom: f64,
    basemap_name: &str,
    basemap: BasemapState,
    context: bool,
) {
    ui.horizontal(|ui| {
        match cursor {
            Some([lon, lat]) => {
                ui.label(format_lat_lon(lon, lat));
                ui.label(RichText::new(format_lat_lon_dms(lon, lat)).color(super::MUTED));
            }
            None => {
                ui.label(
                    RichText::new(tr("Move the pointer over the map for its position"))
                        .color(super::MUTED),
                );
            }
        };
        ui.separator();
        ui.label(format!("Zoom {zoom:.1}"));
        ui.separator();
        ui.label(basemap_text(basemap_name, basemap, context));
    });
}

/// What the status bar says of the basemap: the source drawn, and whether the network is used.
pub fn basemap_text(name: &str, state: BasemapState, context: bool) -> String {
    let bundled = tr("Basemap: the bundled map of the province (offline)");
    match (state, context) {
        (BasemapState::Showing, _) => format!("{}: {name} ({})", tr("Basemap"), tr("online")),
        (BasemapState::Loading, _) => format!("{}: {name} ({})", tr("Basemap"), tr("loading…")),
        (BasemapState::NoTiles | BasemapState::Off, true) => bundled.to_owned(),
        (BasemapState::NoTiles, false) => {
            format!("{}: {name} ({})", tr("Basemap"), tr("offline — no tiles"))
        }
        (BasemapState::Off, false) => format!("{}: {}", tr("Basemap"), tr("none")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offline_with_context_names_the_bundled_map() {
        let text = basemap_text("OpenStreetMap", BasemapState::NoTiles, true);
        assert!(text.contains("bundled"), "{text}");
        assert!(!text.contains("OpenStreetMap"), "{text}");
        let text = basemap_text("OpenStreetMap", BasemapState::NoTiles, false);
        assert!(text.contains("no tiles"), "{text}");
    }
}
