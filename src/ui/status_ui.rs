//! The status bar: cursor position, zoom and basemap state.

use egui::{RichText, Ui};

use crate::tiles::BasemapState;

/// Formats a latitude/longitude pair the way the status bar shows it.
pub fn format_lat_lon(lon: f64, lat: f64) -> String {
    let ns = if lat >= 0.0 { 'N' } else { 'S' };
    let ew = if lon >= 0.0 { 'E' } else { 'W' };
    format!("{:.5}° {ns}, {:.5}° {ew}", lat.abs(), lon.abs())
}

pub fn status_ui(
    ui: &mut Ui,
    cursor: Option<[f64; 2]>,
    zoom: f64,
    basemap_name: &str,
    basemap: BasemapState,
) {
    ui.horizontal(|ui| {
        match cursor {
            Some([lon, lat]) => ui.label(format_lat_lon(lon, lat)),
            None => ui.label(
                RichText::new("Move the pointer over the map for its position").color(super::MUTED),
            ),
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

#[cfg(test)]
mod tests {
    #[test]
    fn positions_name_their_hemisphere() {
        assert_eq!(
            super::format_lat_lon(106.65, 10.9667),
            "10.96670° N, 106.65000° E"
        );
    }
}
