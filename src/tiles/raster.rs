//! A raster basemap as a walkers tile layer: local MBTiles files first, then the disk cache, then
//! an HTTP provider. Disk and network work happens on background threads; the UI thread only
//! turns finished pixels into textures. A missing tile is drawn from the nearest lower zoom
//! that is present; a failed one is retried with backoff.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use egui::{TextureHandle, TextureOptions};
use walkers::{Tile, TileId, TilePiece, Tiles, sources::Attribution};

use super::cache::TileCache;
use super::decode::decode_tile;
use super::http::{FetchError, client, fetch_fresh, tile_url};
use super::mbtiles::MbTiles;

/// Textures kept on the GPU; about 200 MB of RGBA at most, several screens' worth.
const MAX_TEXTURES: usize = 768;
/// Parallel downloads: OpenStreetMap asks for at most two.
const HTTP_THREADS: usize = 2;

/// An HTTP tile provider.
#[derive(Clone, Debug)]
pub struct HttpSource {
    pub template: String,
    /// Zoom levels the provider serves; other levels are not asked for.
    pub min_zoom: u8,
    pub max_zoom: u8,
    /// False when the user runs offline: the provider's cached tiles still show.
    pub online: bool,
}

/// Where the tiles come from, in the order they are tried.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    pub local: Vec<PathBuf>,
    pub http: Option<HttpSource>,
    /// The disk cache file and its size limit, for HTTP tiles.
    pub cache: Option<(PathBuf, u64)>,
}

/// What the disk thread is asked to do.
enum DiskMsg {
    /// Load a tile for the screen.
    Request(TileId),
    /// Keep bytes a fetcher brought back, fresh until this many Unix milliseconds.
    Store(TileId, Vec<u8>, i64),
    /// The layer is gone: finish storing, then stop.
    Shutdown,
}

enum Loaded {
    Pixels(TileId, egui::ColorImage),
    /// No source has this tile (and none will: do not ask again).
    Absent(TileId),
    Failed(TileId, String),
}

/// Counts shown in the UI and checked by tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RasterStats {
    pub requested: usize,
    pub found: usize,
    pub pending: usize,
    pub failed: usize,
}

struct Retry {
    attempts: u32,
    at: Instant,
}

/// The basemap tile layer.
pub struct RasterTiles {
    ctx: egui::Context,
    requests: Sender<DiskMsg>,
    results: Receiver<Loaded>,
    textures: HashMap<TileId, (TextureHandle, u64)>,
    use_clock: u64,
    pending: HashSet<TileId>,
    absent: HashSet<TileId>,
    retry: HashMap<TileId, Retry>,
    max_zoom: u8,
    frame: RasterStats,
    /// Where local files have the tiles: not asked for here.
    covered: Vec<super::Coverage>,
    online: bool,
    /// What the last failure was, logged once per kind.
    logged: HashSet<String>,
    pub last_error: Option<String>,
}

impl RasterTiles {
    /// Starts the background loaders for these sources.
    pub fn new(sources: Sources, ctx: &egui::Context) -> Self {
        let online = sources.http.as_ref().is_some_and(|h| h.online);
        let (requests, request_rx) = channel::<DiskMsg>();
        let (result_tx, results) = channel::<Loaded>();
        let max_zoom = sources
            .local
            .iter()
            .filter_map(|p| MbTiles::open(p).ok()?.info().ok()?.max_zoom)
            .chain(sources.http.as_ref().map(|h| h.max_zoom))
            .max()
            .unwrap_or(19);
        spawn_workers(
            sources,
            requests.clone(),
            request_rx,
            result_tx,
            ctx.clone(),
        );
        Self {
            ctx: ctx.clone(),
            requests,
            results,
            textures: HashMap::new(),
            use_clock: 0,
            pending: HashSet::new(),
            absent: HashSet::new(),
            retry: HashMap::new(),
            max_zoom,
            frame: RasterStats::default(),
            covered: Vec::new(),
            online,
            logged: HashSet::new(),
            last_error: None,
        }
    }

    /// Tiles local files have (at their zooms, inside their bounds) are left to them.
    pub fn set_covered(&mut self, covered: Vec<super::Coverage>) {
        self.covered = covered;
    }

    /// Whether tiles are fetched over the network.
    pub fn online(&self) -> bool {
        self.online
    }

    /// Starts counting a new frame.
    pub fn begin_frame(&mut self) {
        self.frame = RasterStats::default();
        self.receive();
    }

    /// What the last frame asked for and found.
    pub fn stats(&self) -> RasterStats {
        RasterStats {
            pending: self.pending.len(),
            failed: self.retry.len(),
            ..self.frame
        }
    }

    fn receive(&mut self) {
        while let Ok(result) = self.results.try_recv() {
            match result {
                Loaded::Pixels(id, image) => {
                    self.pending.remove(&id);
                    self.retry.remove(&id);
                    let name = format!("tile-{}-{}-{}", id.zoom, id.x, id.y);
                    let texture = self.ctx.load_texture(name, image, TextureOptions::LINEAR);
                    self.use_clock += 1;
                    self.textures.insert(id, (texture, self.use_clock));
                }
                Loaded::Absent(id) => {
                    self.pending.remove(&id);
                    self.absent.insert(id);
                }
                Loaded::Failed(id, why) => {
                    self.pending.remove(&id);
                    let attempts = self.retry.get(&id).map(|r| r.attempts + 1).unwrap_or(1);
                    // 2 s, 4 s, 8 s … up to five minutes between tries.
                    let wait = Duration::from_secs(2u64.saturating_pow(attempts).min(300));
                    self.retry.insert(
                        id,
                        Retry {
                            attempts,
                            at: Instant::now() + wait,
                        },
                    );
                    let kind = why.split(':').next().unwrap_or(&why).to_owned();
                    if self.logged.insert(kind) {
                        log::warn!(
                            "basemap tile {}/{}/{}: {why}; will retry",
                            id.zoom,
                            id.x,
                            id.y
                        );
                    }
                    self.last_error = Some(why);
                    self.ctx.request_repaint_after(wait);
                }
            }
        }
        if self.textures.len() > MAX_TEXTURES {
            let mut by_age: Vec<(TileId, u64)> =
                self.textures.iter().map(|(k, (_, t))| (*k, *t)).collect();
            by_age.sort_by_key(|(_, t)| *t);
            for (id, _) in by_age.into_iter().take(self.textures.len() - MAX_TEXTURES) {
                self.textures.remove(&id);
            }
        }
    }

    fn request(&mut self, id: TileId) {
        if self.pending.contains(&id)
            || self.absent.contains(&id)
            || self.textures.contains_key(&id)
        {
            return;
        }
        if let Some(r) = self.retry.get(&id)
            && Instant::now() < r.at
        {
            return;
        }
        if self.requests.send(DiskMsg::Request(id)).is_ok() {
            self.pending.insert(id);
        }
    }

    /// This tile if loaded, else the part of the nearest loaded lower-zoom tile covering it.
    fn best_available(&mut self, id: TileId) -> Option<TilePiece> {
        let mut z = id.zoom;
        loop {
            let (ancestor, uv) = super::ancestor_piece(id, z);
            if let Some((texture, used)) = self.textures.get_mut(&ancestor) {
                self.use_clock += 1;
                *used = self.use_clock;
                return Some(TilePiece::new(Tile::Raster(texture.clone()), uv));
            }
            z = z.checked_sub(1)?;
        }
    }
}

impl Drop for RasterTiles {
    fn drop(&mut self) {
        let _ = self.requests.send(DiskMsg::Shutdown);
    }
}

impl Tiles for RasterTiles {
    fn at(&mut self, id: TileId) -> Option<TilePiece> {
        let n = 1u32 << id.zoom.min(31);
        if id.x >= n || id.y >= n || self.covered.iter().any(|c| c.has(id)) {
            return None;
        }
        self.frame.requested += 1;
        // Past the last zoom, the tile that has it is asked for (over-zoom).
        let (wanted, _) = super::ancestor_piece(id, self.max_zoom);
        self.request(wanted);
        let piece = self.best_available(id);
        if piece.is_some() {
            self.frame.found += 1;
        }
        piece
    }

    fn attribution(&self) -> Attribution {
        Attribution {
            text: "",
            url: "",
            logo_light: None,
            logo_dark: None,
        }
    }

    fn tile_size(&self) -> u32 {
        256
    }
}

/// One thread reads local files and the cache (SQLite connections stay on it); a few fetch over
/// HTTP and hand their bytes back to it for caching.
///
/// Long because each worker's loop (fetch, decode, cache, report) reads best whole.
fn spawn_workers(
    sources: Sources,
    to_disk: Sender<DiskMsg>,
    disk_rx: Receiver<DiskMsg>,
    results: Sender<Loaded>,
    ctx: egui::Context,
) {
    let (to_http, http_rx) = channel::<TileId>();
    let http_rx = Arc::new(Mutex::new(http_rx));
    let has_http = sources.http.as_ref().is_some_and(|h| h.online);
    let http_min_zoom = sources.http.as_ref().map_or(0, |h| h.min_zoom);
    if let Some(http) = sources.http.clone().filter(|h| h.online) {
        for _ in 0..HTTP_THREADS {
            let rx = http_rx.clone();
            let results = results.clone();
            let to_disk = to_disk.clone();
            let ctx = ctx.clone();
            let http = http.clone();
            std::thread::spawn(move || {
                let client = client();
                loop {
                    let next = rx.lock().ok().and_then(|rx| rx.recv().ok());
                    let Some(id) = next else { return };
                    let url = tile_url(&http.template, id.zoom, id.x, id.y);
                    let outcome = match fetch_fresh(&client, &url) {
                        Ok(fetched) => match decode_tile(&fetched.bytes) {
                            Ok(image) => {
                                let fresh = fetched
                                    .fresh_until
                                    .duration_since(std::time::UNIX_EPOCH)
                                    .map(|d| d.as_millis() as i64)
                                    .unwrap_or(0);
                                let _ = to_disk.send(DiskMsg::Store(id, fetched.bytes, fresh));
                                Loaded::Pixels(id, image)
                            }
                            Err(e) => Loaded::Failed(id, format!("{e}")),
                        },
                        Err(FetchError::Status(s)) => Loaded::Failed(id, format!("HTTP {s}")),
                        Err(e) => Loaded::Failed(id, e.to_string()),
                    };
                    // The layer may be gone; the bytes are stored all the same.
                    let _ = results.send(outcome);
                    ctx.request_repaint();
                }
            });
        }
    }
    drop(to_disk);
    let source_key = sources
        .http
        .as_ref()
        .map(|h| h.template.clone())
        .unwrap_or_default();
    std::thread::spawn(move || {
        let locals: Vec<MbTiles> = sources
            .local
            .iter()
            .filter_map(|p| match MbTiles::open(p) {
                Ok(m) => Some(m),
                Err(e) => {
                    log::warn!("{e}");
                    None
                }
            })
            .collect();
        let mut cache =
            sources
                .cache
                .as_ref()
                .and_then(|(path, limit)| match TileCache::open(path, *limit) {
                    Ok(c) => Some(c),
                    Err(e) => {
                        log::warn!(
                            "tile cache {}: {e}; tiles will not be kept offline",
                            path.display()
                        );
                        None
                    }
                });
        let store = |cache: &mut Option<TileCache>, id: TileId, bytes: Vec<u8>, fresh: i64| {
            if let Some(c) = cache.as_mut()
                && let Err(e) = c.put_fresh(&source_key, id.zoom, id.x, id.y, &bytes, fresh)
            {
                log::warn!("tile cache: {e}");
            }
        };
        let mut queue: VecDeque<TileId> = VecDeque::new();
        let mut to_http = Some(to_http);
        loop {
            // Take everything waiting: stores at once, requests into the queue.
            let first = if queue.is_empty() {
                disk_rx.recv().ok()
            } else {
                disk_rx.try_recv().ok()
            };
            let mut next = first;
            while let Some(msg) = next {
                match msg {
                    DiskMsg::Request(id) => queue.push_back(id),
                    DiskMsg::Store(id, bytes, fresh) => store(&mut cache, id, bytes, fresh),
                    DiskMsg::Shutdown => {
                        // Let the fetchers finish; keep what they still bring.
                        drop(to_http.take());
                        queue.clear();
                        while let Ok(msg) = disk_rx.recv() {
                            if let DiskMsg::Store(id, bytes, fresh) = msg {
                                store(&mut cache, id, bytes, fresh);
                            }
                        }
                        return;
                    }
                }
                next = disk_rx.try_recv().ok();
            }
            // Newest requests first: they are what is on screen now.
            let Some(id) = queue.pop_back() else { continue };
            let local = locals
                .iter()
                .find_map(|m| m.tile(id.zoom, id.x, id.y).ok().flatten());
            // Local files are always fresh; a cached tile past its freshness is shown at once
            // and fetched again behind it when online.
            let bytes = local.map(|b| (b, true)).or_else(|| {
                cache
                    .as_mut()
                    .and_then(|c| c.get_fresh(&source_key, id.zoom, id.x, id.y).ok().flatten())
            });
            if let Some((_, false)) = &bytes
                && has_http
                && let Some(tx) = &to_http
            {
                let _ = tx.send(id);
            }
            let bytes = bytes.map(|(b, _)| b);
            let outcome = match bytes {
                Some(bytes) => match decode_tile(&bytes) {
                    Ok(image) => Some(Loaded::Pixels(id, image)),
                    Err(e) => Some(Loaded::Failed(id, format!("{e}"))),
                },
                None if has_http && id.zoom >= http_min_zoom => {
                    if let Some(tx) = &to_http {
                        let _ = tx.send(id);
                    }
                    None
                }
                None => Some(Loaded::Absent(id)),
            };
            if let Some(outcome) = outcome {
                if results.send(outcome).is_err() {
                    return;
                }
                ctx.request_repaint();
            }
        }
    });
}
