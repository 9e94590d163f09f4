//! One local tile file as a walkers layer: raster or vector, MBTiles or PMTiles. A thread of
//! its own reads and decodes (vector tiles into walkers' drawables and labels, by the style);
//! the UI thread only uploads pixels. Past the file's highest zoom a tile is drawn from the
//! deepest one it has (over-zoom); outside its bounds or below its lowest zoom nothing is asked
//! for; 512-px tiles are drawn at their true scale.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

use egui::{Rect, TextureOptions};
use walkers::{Tile, TileId, TilePiece, Tiles, sources::Attribution};

use super::decode::decode_tile;
use super::file::{TileFile, TileFileError, TileFileInfo};
use super::style;
use crate::model::Lang;

/// Decoded tiles kept; vector tiles are small, raster ones are textures.
const MAX_TILES: usize = 512;
/// What vector tiles are drawn for: the Protomaps and OpenMapTiles tiles are made for 512 px.
pub const VECTOR_TILE_SIZE: u32 = 512;

enum Loaded {
    Pixels(TileId, egui::ColorImage),
    Vector(TileId, Tile),
    Absent(TileId),
    Failed(TileId, String),
}

/// The part of the map a file covers: its zooms and bounds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Coverage {
    pub min_zoom: u8,
    pub max_zoom: u8,
    /// `[west, south, east, north]`.
    pub bounds: [f64; 4],
}

impl Coverage {
    fn of(info: &TileFileInfo) -> Coverage {
        let [w, s, e, n] = info.bounds.unwrap_or([-180.0, -85.06, 180.0, 85.06]);
        // A file that says nothing of its bounds, or nonsense, covers the world.
        let bounds = if w < e && s < n {
            [w, s, e, n]
        } else {
            [-180.0, -85.06, 180.0, 85.06]
        };
        Coverage {
            min_zoom: info.min_zoom.unwrap_or(0).min(30),
            max_zoom: info
                .max_zoom
                .unwrap_or(22)
                .clamp(info.min_zoom.unwrap_or(0), 30),
            bounds,
        }
    }

    /// Whether tile `id` (at any zoom) overlaps the bounds.
    pub fn touches(&self, id: TileId) -> bool {
        let [w, s, e, n] = tile_bounds(id);
        let [bw, bs, be, bn] = self.bounds;
        w < be && e > bw && s < bn && n > bs
    }

    /// Whether the file has this tile's area at this zoom (for a provider to skip it).
    pub fn has(&self, id: TileId) -> bool {
        id.zoom >= self.min_zoom && id.zoom <= self.max_zoom && self.touches(id) && {
            // Fully inside, not merely touching.
            let [w, s, e, n] = tile_bounds(id);
            let [bw, bs, be, bn] = self.bounds;
            w >= bw && e <= be && s >= bs && n <= bn
        }
    }
}

/// `[west, south, east, north]` of a tile, in degrees.
pub fn tile_bounds(id: TileId) -> [f64; 4] {
    let n = (1u64 << id.zoom.min(30)) as f64;
    let lon = |x: f64| x / n * 360.0 - 180.0;
    let lat = |y: f64| {
        (std::f64::consts::PI * (1.0 - 2.0 * y / n))
            .sinh()
            .atan()
            .to_degrees()
    };
    [
        lon(id.x as f64),
        lat(id.y as f64 + 1.0),
        lon(id.x as f64 + 1.0),
        lat(id.y as f64),
    ]
}

/// A local tile file drawn as a layer of the map.
pub struct FileTiles {
    path: PathBuf,
    info: TileFileInfo,
    coverage: Coverage,
    tile_size: u32,
    ctx: egui::Context,
    requests: Sender<TileId>,
    results: Receiver<Loaded>,
    tiles: HashMap<TileId, (Tile, u64)>,
    /// Over-zoomed pieces of vector tiles: the tile's drawables (shared) with only the labels
    /// that fall inside the piece, so that a tile drawn as four pieces does not place its
    /// labels four times.
    pieces: HashMap<(TileId, u8), Tile>,
    clock: u64,
    pending: HashSet<TileId>,
    absent: HashSet<TileId>,
    failed: HashSet<TileId>,
    /// Tiles found and asked for in the last frame.
    pub found: usize,
    pub requested: usize,
    /// The first problem with the file's tiles, to report once.
    pub problem: Option<String>,
}

impl FileTiles {
    /// Opens the file and starts its reader. A vector file is drawn with `style`, or the built-in
    /// style of its schema, labels in `lang`.
    pub fn open(
        path: &Path,
        style: Option<&Path>,
        lang: Lang,
        ctx: &egui::Context,
    ) -> Result<Self, String> {
        let file = TileFile::open(path).map_err(|e| e.to_string())?;
        let info = file.layer_info().map_err(|e| e.to_string())?;
        let name = file_name(path);
        let vector = info.format.is_vector();
        if !vector
            && !matches!(
                info.format,
                super::file::TileFormat::Png
                    | super::file::TileFormat::Jpeg
                    | super::file::TileFormat::Webp
            )
        {
            return Err(format!(
                "{name}: tiles of type {} cannot be drawn (PNG, JPEG, WebP and vector tiles can)",
                info.format.name()
            ));
        }
        let style = if vector {
            let chosen = match style {
                Some(p) => style::read_style(p)?,
                None => style::default_style(style::Schema::of(&info.vector_layers)),
            };
            if !style::draws_from(&chosen, &info.vector_layers) {
                return Err(format!(
                    "{name}: no layer of the style draws from the file's layers ({}); the style expects {}",
                    info.vector_layers.join(", "),
                    style::source_layers(&chosen).join(", ")
                ));
            }
            Some(Arc::new(style::in_language(chosen, lang)))
        } else {
            None
        };
        let tile_size = if vector {
            VECTOR_TILE_SIZE
        } else {
            // walkers draws 128, 256 or 512 px tiles at their scale; others are drawn as 256.
            info.tile_size
                .filter(|s| matches!(s, 128 | 512))
                .unwrap_or(256)
        };
        let (requests, request_rx) = channel();
        let (result_tx, results) = channel();
        spawn_reader(file, style, tile_size, request_rx, result_tx, ctx.clone());
        Ok(Self {
            path: path.to_owned(),
            coverage: Coverage::of(&info),
            info,
            tile_size,
            ctx: ctx.clone(),
            requests,
            results,
            tiles: HashMap::new(),
            pieces: HashMap::new(),
            clock: 0,
            pending: HashSet::new(),
            absent: HashSet::new(),
            failed: HashSet::new(),
            found: 0,
            requested: 0,
            problem: None,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn info(&self) -> &TileFileInfo {
        &self.info
    }

    pub fn coverage(&self) -> Coverage {
        self.coverage
    }

    pub fn is_vector(&self) -> bool {
        self.info.format.is_vector()
    }

    /// The name shown in the status bar: the file's.
    pub fn name(&self) -> String {
        file_name(&self.path)
    }

    /// Tiles that could not be read or decoded.
    pub fn failed(&self) -> usize {
        self.failed.len()
    }

    /// Tiles still being read.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Starts a new frame: takes in what the reader finished.
    pub fn begin_frame(&mut self) {
        self.found = 0;
        self.requested = 0;
        while let Ok(loaded) = self.results.try_recv() {
            match loaded {
                Loaded::Pixels(id, image) => {
                    self.pending.remove(&id);
                    let name = format!("file-tile-{}-{}-{}", id.zoom, id.x, id.y);
                    let texture = self.ctx.load_texture(name, image, TextureOptions::LINEAR);
                    self.keep(id, Tile::Raster(texture));
                }
                Loaded::Vector(id, tile) => {
                    self.pending.remove(&id);
                    self.keep(id, tile);
                }
                Loaded::Absent(id) => {
                    self.pending.remove(&id);
                    self.absent.insert(id);
                }
                Loaded::Failed(id, why) => {
                    self.pending.remove(&id);
                    self.failed.insert(id);
                    if self.problem.is_none() {
                        log::warn!("{why}");
                        self.problem = Some(why);
                    }
                }
            }
        }
        if self.tiles.len() > MAX_TILES {
            let mut by_age: Vec<(TileId, u64)> =
                self.tiles.iter().map(|(k, (_, t))| (*k, *t)).collect();
            by_age.sort_by_key(|(_, t)| *t);
            for (id, _) in by_age.into_iter().take(self.tiles.len() - MAX_TILES) {
                self.tiles.remove(&id);
            }
            self.pieces.clear();
        }
        if self.pieces.len() > 4 * MAX_TILES {
            self.pieces.clear();
        }
    }

    fn keep(&mut self, id: TileId, tile: Tile) {
        self.clock += 1;
        self.tiles.insert(id, (tile, self.clock));
    }

    fn request(&mut self, id: TileId) {
        if self.pending.contains(&id)
            || self.absent.contains(&id)
            || self.failed.contains(&id)
            || self.tiles.contains_key(&id)
        {
            return;
        }
        if self.requests.send(id).is_ok() {
            self.pending.insert(id);
        }
    }

    /// This tile if loaded, else the part of the nearest loaded lower-zoom tile covering it.
    fn best_available(&mut self, id: TileId) -> Option<TilePiece> {
        let mut z = id.zoom;
        loop {
            let dz = id.zoom - z;
            let (ancestor, uv) = super::ancestor_piece(id, z);
            if let Some((tile, used)) = self.tiles.get_mut(&ancestor) {
                self.clock += 1;
                *used = self.clock;
                let tile = match tile {
                    Tile::Vector { drawables, texts } if dz > 0 => self
                        .pieces
                        .entry((id, z))
                        .or_insert_with(|| {
                            let inside = Rect::from_min_max(
                                (uv.min.to_vec2() * self.tile_size as f32).to_pos2(),
                                (uv.max.to_vec2() * self.tile_size as f32).to_pos2(),
                            );
                            Tile::Vector {
                                drawables: drawables.clone(),
                                texts: texts
                                    .iter()
                                    .filter(|t| inside.contains(t.position))
                                    .cloned()
                                    .collect(),
                            }
                        })
                        .clone(),
                    other => other.clone(),
                };
                return Some(TilePiece::new(tile, uv));
            }
            z = z.checked_sub(1)?;
        }
    }
}

impl Tiles for FileTiles {
    fn at(&mut self, id: TileId) -> Option<TilePiece> {
        let n = 1u64 << id.zoom.min(31);
        if id.x as u64 >= n || id.y as u64 >= n || !self.coverage.touches(id) {
            return None;
        }
        if id.zoom < self.coverage.min_zoom {
            return None;
        }
        self.requested += 1;
        // Past the last zoom, the tile that has it is asked for (over-zoom).
        let (wanted, _) = super::ancestor_piece(id, self.coverage.max_zoom);
        self.request(wanted);
        let piece = self.best_available(id);
        self.found += piece.is_some() as usize;
        piece
    }

    fn attribution(&self) -> Attribution {
        // The credit line is drawn by the app, from `info().attribution`.
        Attribution {
            text: "",
            url: "",
            logo_light: None,
            logo_dark: None,
        }
    }

    fn tile_size(&self) -> u32 {
        self.tile_size
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Reads and decodes tiles, newest request first (what is on screen now).
fn spawn_reader(
    file: TileFile,
    style: Option<Arc<walkers::Style>>,
    tile_size: u32,
    requests: Receiver<TileId>,
    results: Sender<Loaded>,
    ctx: egui::Context,
) {
    std::thread::spawn(move || {
        let mut queue: Vec<TileId> = Vec::new();
        loop {
            if queue.is_empty() {
                match requests.recv() {
                    Ok(id) => queue.push(id),
                    Err(_) => return,
                }
            }
            queue.extend(requests.try_iter());
            let Some(id) = queue.pop() else { continue };
            let loaded = load(&file, style.as_deref(), tile_size, id);
            if results.send(loaded).is_err() {
                return;
            }
            ctx.request_repaint();
        }
    });
}

fn load(file: &TileFile, style: Option<&walkers::Style>, tile_size: u32, id: TileId) -> Loaded {
    let failed = |why: String| Loaded::Failed(id, why);
    let bytes = match file.tile(id.zoom, id.x, id.y) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Loaded::Absent(id),
        Err(e) => return failed(e.to_string()),
    };
    let what = |why: String| {
        TileFileError::Tile {
            path: file.path().to_owned(),
            z: id.zoom,
            x: id.x,
            y: id.y,
            why,
        }
        .to_string()
    };
    match style {
        Some(style) => match Tile::from_mvt(&bytes, style, id.zoom, tile_size) {
            Ok(tile) => Loaded::Vector(id, tile),
            Err(e) => failed(what(format!("not a vector tile: {e}"))),
        },
        None => match decode_tile(&bytes) {
            Ok(image) => Loaded::Pixels(id, image),
            Err(e) => failed(what(e.to_string())),
        },
    }
}
