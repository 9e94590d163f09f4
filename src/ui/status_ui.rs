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
        let state = match basemap {
            BasemapState::Off => "off".to_owned(),
            BasemapState::Loading => "loading…".to_owned(),
            BasemapState::Showing => "online".to_owned(),
            BasemapState::NoTiles => "offline — no tiles".to_owned(),
        };
        ui.label(format!("Basemap: {basemap_name} ({state})"));
    });
}
