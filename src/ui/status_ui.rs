//! The status bar: cursor position in decimal degrees and DMS, zoom and basemap state.

use super::i18n::tr;
use egui::{RichText, Ui};

use crate::geometry::coords::{format_lat_lon, format_lat_lon_dms};
use crate::tiles::{BasemapState, BasemapStatus};

pub fn status_ui(
    ui: &mut Ui,
    cursor: Option<[f64; 2]>,
    zoom: f64,
    basemap: &BasemapStatus,
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
        ui.label(format!("{} {zoom:.1}", tr("Zoom")));
        ui.separator();
        ui.label(basemap_text(basemap, context));
    });
}

/// What the status bar says of the basemap: the sources actually drawn (files by name, the
/// provider by its), and whether the network is used.
pub fn basemap_text(status: &BasemapStatus, context: bool) -> String {
    let bundled = tr("Basemap: the bundled map of the province (offline)");
    let net = if status.network {
        tr("online")
    } else {
        tr("offline")
    };
    let names = |list: &[String]| list.join(" + ");
    match (status.state, context) {
        (BasemapState::Showing, _) => {
            format!("{}: {} ({net})", tr("Basemap"), names(&status.drawn))
        }
        (BasemapState::Loading, _) => format!(
            "{}: {} ({}, {net})",
            tr("Basemap"),
            names(&status.configured),
            tr("loading…")
        ),
        (BasemapState::NoTiles | BasemapState::Off, true) => bundled.to_owned(),
        (BasemapState::NoTiles, false) => format!(
            "{}: {} ({})",
            tr("Basemap"),
            names(&status.configured),
            tr("offline — no tiles")
        ),
        (BasemapState::Off, false) => format!("{}: {}", tr("Basemap"), tr("none")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(state: BasemapState, drawn: &[&str], network: bool) -> BasemapStatus {
        BasemapStatus {
            state,
            drawn: drawn.iter().map(|s| s.to_string()).collect(),
            configured: vec!["OpenStreetMap".to_owned()],
            network,
        }
    }

    #[test]
    fn offline_with_context_names_the_bundled_map() {
        let text = basemap_text(&status(BasemapState::NoTiles, &[], false), true);
        assert!(text.contains("bundled"), "{text}");
        assert!(!text.contains("OpenStreetMap"), "{text}");
        let text = basemap_text(&status(BasemapState::NoTiles, &[], false), false);
        assert!(text.contains("no tiles"), "{text}");
    }

    #[test]
    fn a_local_file_drawn_offline_is_named_and_not_called_online() {
        let s = status(BasemapState::Showing, &["firenze.pmtiles (vector)"], false);
        let text = basemap_text(&s, false);
        assert_eq!(text, "Basemap: firenze.pmtiles (vector) (offline)");
        let s = status(BasemapState::Showing, &["OpenStreetMap"], true);
        assert_eq!(basemap_text(&s, false), "Basemap: OpenStreetMap (online)");
    }
}
