//! The basemap: local MBTiles files, an HTTP provider behind a bounded disk cache, lower-zoom
//! fallback and retries; "make this area available offline"; and an honest account of whether
//! any tiles are showing.

pub mod cache;
pub mod decode;
pub mod http;
pub mod mbtiles;
pub mod prefetch;
pub mod raster;

use std::path::{Path, PathBuf};

use crate::model::BasemapSpec;

pub use raster::{RasterStats, RasterTiles};

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

/// Where "make this area available offline" writes its MBTiles files.
pub fn offline_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("vn", "Corridor", "corridor")
        .map(|d| d.data_dir().join("offline"))
}

/// Whether a path names a tile file the basemap can use (`.mbtiles` or `.pmtiles`).
pub fn is_tile_file(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("mbtiles") || e.eq_ignore_ascii_case("pmtiles"))
}

fn is_pmtiles(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pmtiles"))
}

/// Every tile file directly in `dir`, sorted by name.
pub fn tile_files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| is_tile_file(p))
        .collect();
    files.sort();
    files
}

/// Why a file cannot serve as a basemap.
#[derive(Debug, thiserror::Error)]
pub enum TileFileError {
    #[error("{}: cannot read the file: {source}", path.display())]
    Read {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a PMTiles file (it does not start with the PMTiles signature)", path.display())]
    NotPmtiles { path: std::path::PathBuf },
    #[error("{0}")]
    MbTiles(String),
}

/// Checks that a file can serve as a basemap, with a message that says why not.
pub fn check_tile_file(path: &Path) -> Result<(), TileFileError> {
    if is_pmtiles(path) {
        let mut magic = [0u8; 7];
        std::fs::File::open(path)
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
            .map_err(|source| TileFileError::Read {
                path: path.to_owned(),
                source,
            })?;
        if &magic != b"PMTiles" {
            return Err(TileFileError::NotPmtiles {
                path: path.to_owned(),
            });
        }
        Ok(())
    } else {
        mbtiles::MbTiles::open(path)
            .map(|_| ())
            .map_err(|e| TileFileError::MbTiles(e.to_string()))
    }
}

/// A PMTiles layer (raster, drawn by walkers), counting what it drew this frame.
pub struct PmLayer {
    inner: walkers::PmTiles,
    found: usize,
}

impl walkers::Tiles for PmLayer {
    fn at(&mut self, tile_id: walkers::TileId) -> Option<walkers::TilePiece> {
        let piece = self.inner.at(tile_id);
        self.found += piece.is_some() as usize;
        piece
    }

    fn attribution(&self) -> walkers::sources::Attribution {
        self.inner.attribution()
    }

    fn tile_size(&self) -> u32 {
        self.inner.tile_size()
    }
}

/// What the basemap showed in the last frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BasemapState {
    /// No basemap source at all.
    Off,
    /// Tiles are on their way.
    Loading,
    /// Some tiles are on screen.
    Showing,
    /// Tiles were asked for, none arrived and nothing is loading: no network and nothing local.
    NoTiles,
}

/// Where the basemap looks for tiles, and the layer drawing them.
pub struct Basemap {
    pub spec: BasemapSpec,
    /// Local MBTiles files, tried before the provider.
    pub local: Vec<PathBuf>,
    pub offline: bool,
    /// Disk cache file and size limit.
    pub cache: Option<(PathBuf, u64)>,
    tiles: Option<RasterTiles>,
    pmtiles: Vec<PmLayer>,
    /// The credit line, worked out once per restart (it reads the files' metadata).
    credit: String,
}

impl Basemap {
    /// Starts the basemap: `local` files first, then the spec's provider unless `offline`.
    pub fn new(
        spec: BasemapSpec,
        local: Vec<PathBuf>,
        cache: Option<(PathBuf, u64)>,
        ctx: &egui::Context,
        offline: bool,
    ) -> Self {
        let mut b = Self {
            spec,
            local,
            offline,
            cache,
            tiles: None,
            pmtiles: Vec::new(),
            credit: String::new(),
        };
        b.restart(ctx);
        b
    }

    /// Rebuilds the tile layer after a change of provider or files.
    pub fn restart(&mut self, ctx: &egui::Context) {
        let http = (!self.spec.is_none()).then(|| raster::HttpSource {
            template: self.spec.url.clone(),
            min_zoom: self.spec.min_zoom,
            max_zoom: self.spec.max_zoom,
            online: !self.offline,
        });
        self.credit = self.credit_line();
        // Offline with no cache file yet: there is nothing the cache could give, so do not
        // create one either.
        let cache = self
            .cache
            .clone()
            .filter(|(p, _)| !self.offline || p.exists());
        let (pm, mb): (Vec<PathBuf>, Vec<PathBuf>) =
            self.local.iter().cloned().partition(|p| is_pmtiles(p));
        self.pmtiles = pm
            .iter()
            .map(|p| PmLayer {
                // Raster PMTiles do not say their tile size; 256 px is what raster tiles use.
                inner: walkers::PmTiles::with_style_and_tile_size(
                    p,
                    walkers::Style,
                    256,
                    ctx.clone(),
                ),
                found: 0,
            })
            .collect();
        let nothing = mb.is_empty() && (http.is_none() || (self.offline && cache.is_none()));
        self.tiles = (!nothing).then(|| {
            RasterTiles::new(
                raster::Sources {
                    local: mb.clone(),
                    http,
                    cache,
                },
                ctx,
            )
        });
    }

    /// The tile layers for this frame's map widget: the raster stack, and PMTiles files to draw
    /// over it.
    pub fn frame_layers(&mut self) -> (Option<&mut RasterTiles>, &mut [PmLayer]) {
        for p in &mut self.pmtiles {
            p.found = 0;
        }
        if let Some(t) = self.tiles.as_mut() {
            t.begin_frame();
        }
        let tiles = self.tiles.as_mut();
        (tiles, &mut self.pmtiles)
    }

    pub fn stats(&self) -> RasterStats {
        self.tiles
            .as_ref()
            .map(RasterTiles::stats)
            .unwrap_or_default()
    }

    /// How the last frame went.
    pub fn state(&self) -> BasemapState {
        if self.pmtiles.iter().any(|p| p.found > 0) {
            return BasemapState::Showing;
        }
        let Some(tiles) = &self.tiles else {
            return if self.pmtiles.is_empty() {
                BasemapState::Off
            } else {
                BasemapState::Loading
            };
        };
        let s = tiles.stats();
        if s.found > 0 {
            BasemapState::Showing
        } else if s.failed == 0 && (s.pending > 0 || s.requested == 0) {
            BasemapState::Loading
        } else {
            // Nothing on screen and requests failing (or nothing left to ask): say so, even
            // while retries are in flight.
            BasemapState::NoTiles
        }
    }

    /// The credit line to draw: the local files' own, and the provider's.
    pub fn attribution(&self) -> &str {
        &self.credit
    }

    fn credit_line(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        for p in self.local.iter().filter(|p| !is_pmtiles(p)) {
            if let Some(a) = mbtiles::MbTiles::open(p)
                .ok()
                .and_then(|m| m.info().ok()?.attribution)
                .filter(|a| !a.is_empty())
            {
                parts.push(a);
            }
        }
        if !self.spec.is_none() && !self.spec.attribution.is_empty() {
            parts.push(self.spec.attribution.clone());
        }
        parts.dedup();
        parts.join(" | ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agent_is_a_valid_header() {
        // HTTP headers must be visible ASCII: no diacritics here.
        assert!(reqwest::header::HeaderValue::from_str(USER_AGENT).is_ok());
    }
}
