//! The basemap: raster tiles over HTTP through walkers, cached on disk, and an honest account of
//! whether any tiles are showing.

use std::path::PathBuf;

use walkers::{
    HttpOptions, HttpTiles, TileId, TilePiece, Tiles, sources::Attribution, sources::TileSource,
};

use crate::model::BasemapSpec;

/// The user agent tile servers see: OpenStreetMap's policy asks for one that names the app.
/// Headers are ASCII, hence "Binh Duong" without its diacritics.
pub const USER_AGENT: &str = concat!(
    "Corridor/",
    env!("CARGO_PKG_VERSION"),
    " (desktop GIS viewer for the Binh Duong innovation corridor)"
);

/// Where tiles are cached between runs: the user's cache directory.
pub fn tile_cache_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("vn", "Corridor", "corridor")
        .map(|d| d.cache_dir().join("tiles"))
}

/// A `{z}/{x}/{y}` URL template as a walkers tile source.
struct TemplateSource {
    url: String,
    max_zoom: u8,
}

impl TileSource for TemplateSource {
    fn tile_url(&self, tile_id: TileId) -> String {
        self.url
            .replace("{z}", &tile_id.zoom.to_string())
            .replace("{x}", &tile_id.x.to_string())
            .replace("{y}", &tile_id.y.to_string())
    }

    fn attribution(&self) -> Attribution {
        // We draw the attribution ourselves, from the project file; walkers does not draw it.
        Attribution {
            text: "",
            url: "",
            logo_light: None,
            logo_dark: None,
        }
    }

    fn max_zoom(&self) -> u8 {
        self.max_zoom
    }
}

/// What the basemap showed in the last frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BasemapState {
    /// No basemap is configured, or the user runs offline.
    Off,
    /// Tiles are on their way.
    Loading,
    /// Some tiles are on screen.
    Showing,
    /// Tiles were asked for, none arrived and nothing is downloading: most likely no network.
    NoTiles,
}

/// The raster basemap, if any, and what it managed to draw.
pub struct Basemap {
    pub spec: BasemapSpec,
    tiles: Option<HttpTiles>,
    requested: usize,
    found: usize,
}

impl Basemap {
    /// Starts the basemap the spec names; `offline` keeps it from touching the network.
    pub fn new(spec: BasemapSpec, egui_ctx: &egui::Context, offline: bool) -> Self {
        let tiles = if offline || spec.is_none() {
            None
        } else {
            let options = HttpOptions {
                cache: tile_cache_dir(),
                user_agent: walkers::HeaderValue::from_str(USER_AGENT).ok(),
                ..Default::default()
            };
            let source = TemplateSource {
                url: spec.url.clone(),
                max_zoom: spec.max_zoom,
            };
            Some(HttpTiles::with_options(source, options, egui_ctx.clone()))
        };
        Self {
            spec,
            tiles,
            requested: 0,
            found: 0,
        }
    }

    /// A tile source for this frame's map widget that counts what it could draw.
    pub fn frame_tiles(&mut self) -> Option<CountingTiles<'_>> {
        self.requested = 0;
        self.found = 0;
        let tiles = self.tiles.as_mut()?;
        Some(CountingTiles {
            inner: tiles,
            requested: &mut self.requested,
            found: &mut self.found,
        })
    }

    /// How the last frame went.
    pub fn state(&self) -> BasemapState {
        let Some(tiles) = &self.tiles else {
            return BasemapState::Off;
        };
        if self.found > 0 {
            BasemapState::Showing
        } else if tiles.stats().in_progress > 0 || self.requested == 0 {
            BasemapState::Loading
        } else {
            BasemapState::NoTiles
        }
    }
}

/// Wraps the tile source for one frame, counting tiles asked for and tiles found.
pub struct CountingTiles<'a> {
    inner: &'a mut HttpTiles,
    requested: &'a mut usize,
    found: &'a mut usize,
}

impl Tiles for CountingTiles<'_> {
    fn at(&mut self, tile_id: TileId) -> Option<TilePiece> {
        *self.requested += 1;
        let piece = self.inner.at(tile_id);
        if piece.is_some() {
            *self.found += 1;
        }
        piece
    }

    fn attribution(&self) -> Attribution {
        self.inner.attribution()
    }

    fn tile_size(&self) -> u32 {
        self.inner.tile_size()
    }

    fn stats(&self) -> walkers::Stats {
        self.inner.stats()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_fills_z_x_y() {
        let s = TemplateSource {
            url: "https://t.example/{z}/{x}/{y}.png".into(),
            max_zoom: 19,
        };
        assert_eq!(
            s.tile_url(TileId {
                x: 3,
                y: 5,
                zoom: 7
            }),
            "https://t.example/7/3/5.png"
        );
    }

    #[test]
    fn user_agent_is_a_valid_header() {
        // HTTP headers must be visible ASCII: no diacritics here.
        assert!(walkers::HeaderValue::from_str(USER_AGENT).is_ok());
    }
}
