//! The basemap: local MBTiles files, an HTTP provider behind a bounded disk cache, lower-zoom
//! fallback and retries; "make this area available offline"; and an honest account of whether
//! any tiles are showing.

pub mod cache;
pub mod convert;
pub mod decode;
pub mod file;
pub mod http;
pub mod layer;
pub mod mbtiles;
pub mod prefetch;
pub mod raster;
pub mod style;

use std::path::{Path, PathBuf};

use crate::model::{BasemapSpec, Lang};

pub use layer::{Coverage, FileTiles};
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

pub use file::{TileFile, TileFileError};

/// Checks that a file can serve as a basemap, with a message that says why not.
pub fn check_tile_file(path: &Path) -> Result<(), TileFileError> {
    TileFile::open(path)?.info().map(|_| ())
}

/// Tile `id`'s ancestor at zoom `z` (at most `id`'s), and the part of it `id` covers, as
/// texture coordinates: how a lower-zoom tile stands in for a missing or over-zoomed one.
pub fn ancestor_piece(id: walkers::TileId, z: u8) -> (walkers::TileId, egui::Rect) {
    let dz = id.zoom.saturating_sub(z);
    let ancestor = walkers::TileId {
        x: id.x >> dz,
        y: id.y >> dz,
        zoom: id.zoom - dz,
    };
    let n = (1u64 << dz) as f32;
    let fx = (id.x - (ancestor.x << dz)) as f32;
    let fy = (id.y - (ancestor.y << dz)) as f32;
    let uv = egui::Rect::from_min_max(
        egui::pos2(fx / n, fy / n),
        egui::pos2((fx + 1.0) / n, (fy + 1.0) / n),
    );
    (ancestor, uv)
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

/// What the status bar says of the basemap.
#[derive(Clone, Debug, PartialEq)]
pub struct BasemapStatus {
    pub state: BasemapState,
    /// The sources that drew tiles in the last frame.
    pub drawn: Vec<String>,
    /// Every source there is (files, then the provider), for while nothing is drawn yet.
    pub configured: Vec<String>,
    /// Whether the network is used.
    pub network: bool,
}

/// Where the basemap looks for tiles, and the layers drawing them.
pub struct Basemap {
    pub spec: BasemapSpec,
    /// Local tile files (MBTiles or PMTiles, raster or vector), drawn over the provider.
    pub local: Vec<PathBuf>,
    pub offline: bool,
    /// Disk cache file and size limit.
    pub cache: Option<(PathBuf, u64)>,
    /// The provider (over HTTP, and its disk cache).
    tiles: Option<RasterTiles>,
    /// One layer per local file that opened.
    files: Vec<FileTiles>,
    /// Why files did not open, or their tiles failed: to be reported, once each.
    problems: Vec<String>,
    /// The language vector labels were made in.
    lang: Lang,
    ctx: egui::Context,
}

impl Basemap {
    /// Starts the basemap: `local` files, over the spec's provider unless `offline`.
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
            files: Vec::new(),
            problems: Vec::new(),
            lang: Lang::Vi,
            ctx: ctx.clone(),
        };
        b.restart(ctx);
        b
    }

    /// Rebuilds the tile layers after a change of provider, files, style or language.
    pub fn restart(&mut self, ctx: &egui::Context) {
        self.ctx = ctx.clone();
        self.files = Vec::new();
        for path in &self.local {
            match FileTiles::open(path, self.spec.style.as_deref(), self.lang, ctx) {
                Ok(f) => self.files.push(f),
                Err(why) => {
                    log::warn!("basemap: {why}");
                    self.problems.push(why);
                }
            }
        }
        let http = (!self.spec.is_none()).then(|| raster::HttpSource {
            template: self.spec.url.clone(),
            min_zoom: self.spec.min_zoom,
            max_zoom: self.spec.max_zoom,
            online: !self.offline,
        });
        // Offline with no cache file yet: there is nothing the cache could give, so do not
        // create one either.
        let cache = self
            .cache
            .clone()
            .filter(|(p, _)| !self.offline || p.exists());
        let nothing = http.is_none() || (self.offline && cache.is_none());
        self.tiles = (!nothing).then(|| {
            let mut t = RasterTiles::new(
                raster::Sources {
                    local: Vec::new(),
                    http,
                    cache,
                },
                ctx,
            );
            // Where an opaque local file has the tiles, the provider is not asked for them.
            t.set_covered(
                self.files
                    .iter()
                    .filter(|f| {
                        !f.is_vector()
                            || f.info()
                                .vector_layers
                                .iter()
                                .any(|l| l == "earth" || l == "water")
                    })
                    .map(FileTiles::coverage)
                    .collect(),
            );
            t
        });
    }

    /// The tile layers for this frame's map widget, labels in `lang`: the provider, and the
    /// local files to draw over it.
    pub fn frame_layers(&mut self, lang: Lang) -> (Option<&mut RasterTiles>, &mut [FileTiles]) {
        if lang != self.lang && self.files.iter().any(FileTiles::is_vector) {
            self.lang = lang;
            let ctx = self.ctx.clone();
            self.restart(&ctx);
        }
        self.lang = lang;
        for f in &mut self.files {
            f.begin_frame();
            if let Some(p) = f.problem.take() {
                self.problems.push(p);
            }
        }
        if let Some(t) = self.tiles.as_mut() {
            t.begin_frame();
        }
        (self.tiles.as_mut(), &mut self.files)
    }

    /// Problems with the local files since last asked, each once.
    pub fn take_problems(&mut self) -> Vec<String> {
        std::mem::take(&mut self.problems)
    }

    /// What the last frame asked for and found, over the provider and every file.
    pub fn stats(&self) -> RasterStats {
        let mut s = self
            .tiles
            .as_ref()
            .map(RasterTiles::stats)
            .unwrap_or_default();
        for f in &self.files {
            s.requested += f.requested;
            s.found += f.found;
            s.pending += f.pending();
            s.failed += f.failed();
        }
        s
    }

    /// The local files that opened.
    pub fn files(&self) -> &[FileTiles] {
        &self.files
    }

    /// How the last frame went.
    pub fn state(&self) -> BasemapState {
        if self.files.iter().any(|f| f.found > 0) {
            return BasemapState::Showing;
        }
        let files_loading = self.files.iter().any(|f| f.pending() > 0);
        let Some(tiles) = &self.tiles else {
            return if files_loading {
                BasemapState::Loading
            } else if self.files.is_empty() {
                BasemapState::Off
            } else {
                BasemapState::NoTiles
            };
        };
        let s = tiles.stats();
        if s.found > 0 {
            BasemapState::Showing
        } else if files_loading || (s.failed == 0 && (s.pending > 0 || s.requested == 0)) {
            BasemapState::Loading
        } else {
            // Nothing on screen and requests failing (or nothing left to ask): say so, even
            // while retries are in flight.
            BasemapState::NoTiles
        }
    }

    /// The sources that drew tiles in the last frame, by name: local files first, then the
    /// provider. Empty when none did.
    pub fn sources_drawn(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .files
            .iter()
            .filter(|f| f.found > 0)
            .map(|f| {
                let kind = if f.is_vector() { "vector" } else { "raster" };
                format!("{} ({kind})", f.name())
            })
            .collect();
        if self.tiles.as_ref().is_some_and(|t| t.stats().found > 0) {
            names.push(self.spec.name.clone());
        }
        names
    }

    /// What the status bar says.
    pub fn status(&self) -> BasemapStatus {
        let mut configured: Vec<String> = self.files.iter().map(FileTiles::name).collect();
        if self.tiles.is_some() {
            configured.push(self.spec.name.clone());
        }
        BasemapStatus {
            state: self.state(),
            drawn: self.sources_drawn(),
            configured,
            network: self.uses_network(),
        }
    }

    /// Whether the last frame used the network: the provider is online and asked for tiles.
    pub fn uses_network(&self) -> bool {
        !self.offline
            && self
                .tiles
                .as_ref()
                .is_some_and(|t| t.stats().requested > 0 && t.online())
    }

    /// The credits of the sources on screen: each local file's own attribution, and the
    /// provider's while its tiles show or load.
    pub fn credits(&self) -> Vec<String> {
        let mut parts: Vec<String> = self
            .files
            .iter()
            .filter(|f| f.found > 0)
            .filter_map(|f| f.info().attribution.as_deref().map(file::plain_text))
            .collect();
        let provider_on_screen = self
            .tiles
            .as_ref()
            .is_some_and(|t| t.stats().found > 0 || t.stats().pending > 0);
        if provider_on_screen && !self.spec.attribution.is_empty() {
            parts.push(self.spec.attribution.clone());
        }
        parts.dedup();
        parts
    }
}

/// Gets walkers ready to draw vector tiles on this wgpu renderer (once per renderer).
pub fn install_vector_renderer(render_state: Option<&eframe::egui_wgpu::RenderState>) {
    if render_state.is_some() {
        walkers::install_renderer(render_state);
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
