//! Loading GeoJSON files in the background: read with progress, parse, project and triangulate,
//! all off the UI thread, and cancellable.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError, channel};

use crate::geometry::MercatorBox;
use crate::io::parse_geojson;
use crate::model::{Layer, LayerStyle, ReadSettings};
use crate::render::LayerRender;

/// Resident memory now, MiB (Linux; 0 elsewhere), for the log.
fn rss_mib() -> f64 {
    process_memory_mib("VmRSS:")
}

/// A memory figure of this process from /proc/self/status (`VmRSS:`, `VmHWM:` …), MiB; 0 where
/// there is no such file.
pub fn process_memory_mib(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// Layers with more vertices than this get their full detail on demand, once a frame
/// draws a feature at full detail (see [`LayerRender::build_deferred`]).
const DEFER_ABOVE_VERTICES: usize = 1_000_000;

/// [`DEFER_ABOVE_VERTICES`], or the number `CORRIDOR_DEFER_ABOVE_VERTICES` gives: tests and
/// benches take a large layer's path with a small file.
fn defer_above_vertices() -> usize {
    std::env::var("CORRIDOR_DEFER_ABOVE_VERTICES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFER_ABOVE_VERTICES)
}

/// What a finished job hands back.
pub enum LoadResult {
    Loaded(Box<(Layer, LayerRender)>),
    /// A PostGIS table (or, when it is large, the part of it in view first).
    Table(Box<TableLoad>),
    /// The rest of a large table, after the part in view.
    MoreRows(Vec<crate::db::Row>),
    /// The server asks for a password none of `PGPASSWORD`, the password file or the user gave.
    /// `true` when a password was given and refused.
    NeedsPassword(crate::db::PgSource, bool),
    Failed(String),
    Cancelled,
    /// The file has several vector tables: which to open? (None was read.)
    ChooseTables(Vec<crate::io::ogr_file::TableInfo>),
    /// The file states no coordinate system and its coordinates are not degrees: in which is
    /// it? (The message says what was found.)
    NeedsCrs(String),
}

/// A table read as a layer, with what the app needs to keep saving to it.
pub struct TableLoad {
    pub layer: Layer,
    pub render: LayerRender,
    pub info: crate::db::TableInfo,
    pub password: Option<String>,
    /// Each row's key, version and [`crate::db::record_hash`] as read.
    pub baseline: Vec<(String, String, u64)>,
    /// Only the rows in view were read; [`LoadResult::MoreRows`] follows.
    pub more_follows: bool,
    /// A table too large to hold: no rows read yet, the window reads them.
    pub window: Option<crate::db::window::Window>,
}

/// Tables with more rows than this are read in two parts: what is in view, then the rest.
pub const VIEW_FIRST_ABOVE: i64 = 20_000;

/// A file being loaded.
pub struct LoadJob {
    pub path: PathBuf,
    /// How a file read through GDAL is read (the answers given so far).
    pub read_as: ReadSettings,
    /// What the progress line calls it.
    pub label: String,
    /// When loading began, for the log.
    pub started: std::time::Instant,
    read: Arc<AtomicU64>,
    total: Arc<AtomicU64>,
    cancel: Arc<AtomicBool>,
    /// The view the layer will first be shown in, as the app last drew the map: a large
    /// layer's first view is built for it ([`LayerRender::build_for_view`]).
    first_view: Arc<std::sync::Mutex<Option<FirstView>>>,
    rx: Receiver<LoadResult>,
}

impl LoadJob {
    /// Starts loading `path` as a layer with `style`; `repaint` is called when it is done.
    pub fn start(path: PathBuf, style: LayerStyle, repaint: impl Fn() + Send + 'static) -> Self {
        Self::start_as(path, style, ReadSettings::default(), repaint)
    }

    /// Starts loading `path`, a file read through GDAL as `read` says.
    pub fn start_as(
        path: PathBuf,
        style: LayerStyle,
        read_as: ReadSettings,
        repaint: impl Fn() + Send + 'static,
    ) -> Self {
        let total = Arc::new(AtomicU64::new(
            std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0),
        ));
        let read = Arc::new(AtomicU64::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let first_view = Arc::new(std::sync::Mutex::new(None));
        let (tx, rx) = channel();
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let job = Self {
            label: match &read_as.table {
                Some(t) => format!("{file_name} — {t}"),
                None => file_name,
            },
            path: path.clone(),
            read_as: read_as.clone(),
            started: std::time::Instant::now(),
            read: read.clone(),
            total,
            cancel: cancel.clone(),
            first_view: first_view.clone(),
            rx,
        };
        std::thread::spawn(move || {
            let result = load(&path, style, &read_as, (&read, &cancel), &first_view);
            let _ = tx.send(result);
            repaint();
        });
        job
    }

    /// Starts reading a PostGIS table as a layer. A large table is read in two parts: the rows
    /// whose boxes meet `view` (WGS84 `[west, south, east, north]`) first, by the spatial index,
    /// then the rest.
    pub fn start_table(
        source: crate::db::PgSource,
        password: Option<String>,
        style: LayerStyle,
        (view, limits): (Option<[f64; 4]>, crate::db::window::Limits),
        repaint: impl Fn() + Send + 'static,
    ) -> Self {
        let total = Arc::new(AtomicU64::new(0));
        let read = Arc::new(AtomicU64::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let (tx, rx) = channel();
        let job = Self {
            label: source.describe(),
            path: source.key(),
            read_as: ReadSettings::default(),
            started: std::time::Instant::now(),
            read: read.clone(),
            total: total.clone(),
            cancel: cancel.clone(),
            first_view: Arc::default(),
            rx,
        };
        std::thread::spawn(move || {
            let send = |r: LoadResult| {
                let _ = tx.send(r);
                repaint();
            };
            let result = load_table(
                &source,
                password,
                style,
                (view, limits),
                (&read, &total, &cancel),
            );
            match result {
                Err(e) if e == NEEDS_PASSWORD || e == PASSWORD_REFUSED => {
                    send(LoadResult::NeedsPassword(
                        source.clone(),
                        e == PASSWORD_REFUSED,
                    ));
                }
                Ok((load, rest)) => {
                    send(LoadResult::Table(Box::new(load)));
                    if let Some(rest) = rest {
                        match rest() {
                            Ok(rows) => send(LoadResult::MoreRows(rows)),
                            Err(e) => send(LoadResult::Failed(e)),
                        }
                    }
                }
                Err(e) if cancel.load(Ordering::Relaxed) => {
                    log::info!("{e}");
                    send(LoadResult::Cancelled);
                }
                Err(e) => send(LoadResult::Failed(e)),
            }
        });
        job
    }

    /// Fraction read (of the file's bytes, or of the table's rows), 0–1.
    pub fn progress(&self) -> f32 {
        let total = self.total.load(Ordering::Relaxed);
        if total == 0 {
            return 0.0;
        }
        (self.read.load(Ordering::Relaxed) as f64 / total as f64).min(1.0) as f32
    }

    /// The view the layer will first be shown in, as things are now.
    pub fn set_first_view(&self, view: FirstView) {
        if let Ok(mut s) = self.first_view.lock() {
            *s = Some(view);
        }
    }

    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// The result, once there is one.
    pub fn poll(&self) -> Option<LoadResult> {
        match self.rx.try_recv() {
            Ok(r) => Some(r),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(LoadResult::Failed(format!(
                "{}: loading stopped unexpectedly",
                self.path.display()
            ))),
        }
    }
}

fn load(
    path: &std::path::Path,
    style: LayerStyle,
    read_as: &ReadSettings,
    (read, cancel): (&AtomicU64, &AtomicBool),
    first_view: &std::sync::Mutex<Option<FirstView>>,
) -> LoadResult {
    let first_view = || first_view.lock().ok().and_then(|s| *s);
    if crate::io::ogr_file::is_ogr_path(path) {
        return load_ogr(path, style, read_as, first_view());
    }
    if let Err(e) =
        crate::io::geojson_file::check_size(path, &crate::io::geojson_file::Limits::default())
    {
        return LoadResult::Failed(e.to_string());
    }
    let started = std::time::Instant::now();
    let limits = crate::io::geojson_file::Limits::default();
    // A window at a time, so that the file's whole text is never held; the usual way (with its
    // messages) for anything that reader does not take.
    let streamed = crate::io::geojson_file::read_geojson_streamed(path, &limits, |n| {
        read.store(n, Ordering::Relaxed);
        !cancel.load(Ordering::Relaxed)
    });
    let mut parsed = match streamed {
        Ok(Some(parsed)) => parsed,
        Ok(None) => {
            if cancel.load(Ordering::Relaxed) {
                return LoadResult::Cancelled;
            }
            read.store(0, Ordering::Relaxed);
            let bytes = match read_whole(path, read, cancel) {
                Ok(bytes) => bytes,
                Err(result) => return result,
            };
            log::debug!("after reading: RSS {:.0} MiB", rss_mib());
            match parse_geojson(&bytes, path) {
                Ok(p) => p,
                Err(e) => return LoadResult::Failed(e.to_string()),
            }
        }
        Err(e) => return LoadResult::Failed(e.to_string()),
    };
    if cancel.load(Ordering::Relaxed) {
        return LoadResult::Cancelled;
    }
    if let Some(stamp) = parsed.stamp.as_mut() {
        stamp.modified = crate::io::geojson_file::modified_time(path);
    }
    let layer = parsed.into_layer(Layer::name_for(path), path.to_owned(), style);
    // After the layer is made: its features' allocations take memory the parse let go of,
    // which given back first would be faulted in again.
    give_back_freed_memory();
    let parse_s = started.elapsed().as_secs_f64();
    log::debug!("after parsing: RSS {:.0} MiB", rss_mib());
    let render = build_render(&layer, None, first_view());
    // What the build made and let go of (each feature's rings and levels before packing):
    // 14 MiB on the large layer, resident until the frames that come next.
    give_back_freed_memory();
    log::debug!("after building: RSS {:.0} MiB", rss_mib());
    log::info!(
        "{}: read and parse {parse_s:.2} s, project and triangulate {:.2} s",
        path.display(),
        started.elapsed().as_secs_f64() - parse_s
    );
    if cancel.load(Ordering::Relaxed) {
        return LoadResult::Cancelled;
    }
    LoadResult::Loaded(Box::new((layer, render)))
}

/// The whole file, read with progress; what to report if it cannot be read or is cancelled.
fn read_whole(
    path: &std::path::Path,
    read: &AtomicU64,
    cancel: &AtomicBool,
) -> Result<Vec<u8>, LoadResult> {
    let failed = |e: std::io::Error| {
        LoadResult::Failed(format!("{}: cannot read the file: {e}", path.display()))
    };
    let mut file = std::fs::File::open(path).map_err(failed)?;
    let mut bytes = Vec::with_capacity(
        usize::try_from(std::fs::metadata(path).map_or(0, |m| m.len())).unwrap_or(0),
    );
    let mut chunk = vec![0u8; 1 << 20];
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(LoadResult::Cancelled);
        }
        match file.read(&mut chunk) {
            Ok(0) => return Ok(bytes),
            Ok(n) => {
                bytes.extend_from_slice(&chunk[..n]);
                read.fetch_add(n as u64, Ordering::Relaxed);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(failed(e)),
        }
    }
}

/// Gives memory freed on this thread and on rayon's global pool back to the system now.
/// mimalloc does so some time after a free (its purge delay), and a large file's text freed
/// after parsing otherwise stays resident while the draw data is built: on the 100 000-polygon
/// layer (333 MiB), 340 MiB resident after parsing instead of 676–782.
pub(crate) fn give_back_freed_memory() {
    let started = std::time::Instant::now();
    give_back_freed_memory_now();
    log::debug!(
        "freed memory given back in {:.1} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
}

fn give_back_freed_memory_now() {
    // SAFETY: mi_collect takes a flag and touches only mimalloc's own free lists; it is a
    // no-op for memory mimalloc did not allocate (the tests' system allocator).
    unsafe { libmimalloc_sys::mi_collect(true) };
    // The parse and the build ran on rayon's global pool too, and an idle thread's freed pages
    // wait for that thread's next allocation to be given back. (The full-detail pool builds
    // little at a time, and is left alone.)
    // SAFETY: as above, on each of rayon's threads.
    rayon::broadcast(|_| unsafe { libmimalloc_sys::mi_collect(true) });
}

/// The view a layer being loaded will first be shown in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FirstView {
    /// Framed whole in a map of this size (points), as the map frames a box (`fit_camera`).
    Fit([f32; 2]),
    /// The map's view as it stands (world units) and its scale (points a world unit): the
    /// file given at start, shown in the view it was last seen in.
    At { view: MercatorBox, scale: f64 },
}

/// A layer's draw caches, labelled in `lang` where it can. Above a million vertices, full detail
/// (outlines and fills) waits until a frame draws a feature at full detail (simplified levels
/// show meanwhile); and with the first view known, what it does not show, or shows as a dot,
/// waits too ([`LayerRender::build_for_view`]).
pub(crate) fn build_render(
    layer: &Layer,
    lang: Option<crate::model::Lang>,
    first_view: Option<FirstView>,
) -> LayerRender {
    let vertices: usize = layer.features().iter().map(|f| f.vertex_count()).sum();
    if vertices <= defer_above_vertices() {
        return LayerRender::build_in(layer, lang);
    }
    match first_view {
        Some(FirstView::Fit([w, h])) => LayerRender::build_for_view(layer, lang, |extent| {
            use crate::geometry::mercator::{FIT_PADDING, MAX_FIT_ZOOM, points_per_world};
            let size = [f64::from(w), f64::from(h)];
            let zoom = extent.fit_zoom(size, FIT_PADDING, MAX_FIT_ZOOM);
            (*extent, points_per_world(zoom))
        }),
        Some(FirstView::At { view, scale }) => {
            LayerRender::build_for_view(layer, lang, |_| (view, scale))
        }
        None => LayerRender::build_deferred(layer, lang),
    }
}

/// A Shapefile, GeoPackage, MapInfo, KML, FlatGeobuf or DXF file, read through GDAL.
fn load_ogr(
    path: &std::path::Path,
    style: LayerStyle,
    read_as: &ReadSettings,
    first_view: Option<FirstView>,
) -> LoadResult {
    use crate::io::ogr_file::{OgrError, list_tables, load_layer};
    let started = std::time::Instant::now();
    let name = match &read_as.table {
        Some(table) => table.clone(),
        None => {
            // A GeoPackage of several tables: the user chooses which.
            match list_tables(path) {
                Ok(tables) if tables.len() > 1 => return LoadResult::ChooseTables(tables),
                Ok(_) => Layer::name_for(path),
                Err(e) => return LoadResult::Failed(e.to_string()),
            }
        }
    };
    let layer = match load_layer(name, path, style, read_as) {
        Ok(layer) => layer,
        Err(OgrError::NoCrs {
            x_min,
            x_max,
            y_min,
            y_max,
            ..
        }) => {
            return LoadResult::NeedsCrs(format!(
                "Its coordinates run over x {x_min:.0} – {x_max:.0}, y {y_min:.0} – {y_max:.0}."
            ));
        }
        Err(e) => return LoadResult::Failed(e.to_string()),
    };
    let read_s = started.elapsed().as_secs_f64();
    let render = build_render(&layer, None, first_view);
    log::info!(
        "{}: read through GDAL in {read_s:.2} s, projected and triangulated in {:.2} s",
        path.display(),
        started.elapsed().as_secs_f64() - read_s
    );
    LoadResult::Loaded(Box::new((layer, render)))
}

/// What `load_table` says when the server wants a password.
const NEEDS_PASSWORD: &str = "needs a password";
const PASSWORD_REFUSED: &str = "password refused";

/// The rest of a table, read after its first part is shown.
type Rest = Box<dyn FnOnce() -> Result<Vec<crate::db::Row>, String> + Send>;

fn load_table(
    source: &crate::db::PgSource,
    password: Option<String>,
    style: LayerStyle,
    (view, limits): (Option<[f64; 4]>, crate::db::window::Limits),
    (read, total, cancel): (&Arc<AtomicU64>, &AtomicU64, &Arc<AtomicBool>),
) -> Result<(TableLoad, Option<Rest>), String> {
    use crate::db::rows::{Filter, read_all};
    use rayon::prelude::*;
    let started = std::time::Instant::now();
    let mut client = crate::db::connect(&source.url, password.as_deref()).map_err(|e| match e {
        crate::db::DbError::NeedPassword(_) => NEEDS_PASSWORD.to_owned(),
        crate::db::DbError::PasswordRefused(_) => PASSWORD_REFUSED.to_owned(),
        e => e.to_string(),
    })?;
    let info = crate::db::table::describe(&mut client, source).map_err(|e| e.to_string())?;
    // Too large to hold: the window reads it, around the view.
    let estimate =
        crate::db::window::estimated_rows(&mut client, &info).map_err(|e| e.to_string())?;
    if estimate > limits.window_above {
        let extent = crate::db::window::extent(&mut client, &info).map_err(|e| e.to_string())?;
        let tiling = crate::db::window::Tiling::new(estimate, extent, &limits);
        let layer = Layer::new(
            source.table.clone(),
            source.clone(),
            style,
            Vec::new(),
            Vec::new(),
        );
        let mut render = LayerRender::build(&layer);
        render.extent = extent;
        log::info!(
            "{}: about {estimate} rows, read by tiles at zoom {} around the view",
            source.describe(),
            tiling.zoom
        );
        return Ok((
            TableLoad {
                layer,
                render,
                info,
                password,
                baseline: Vec::new(),
                more_follows: false,
                window: Some(crate::db::window::Window::new(tiling, limits)),
            },
            None,
        ));
    }
    let (count, _) =
        crate::db::table::count_and_extent(&mut client, &info).map_err(|e| e.to_string())?;
    total.store(u64::try_from(count).unwrap_or(0), Ordering::Relaxed);
    let in_parts = count > VIEW_FIRST_ABOVE && view.is_some();
    let filter = match view {
        Some(b) if in_parts => Filter::Within(b),
        _ => Filter::All,
    };
    let rows = read_all(&mut client, &info, filter, || {
        read.fetch_add(1, Ordering::Relaxed);
        !cancel.load(Ordering::Relaxed)
    })
    .map_err(|e| e.to_string())?;
    if cancel.load(Ordering::Relaxed) {
        return Err(format!("reading {} cancelled", source.describe()));
    }
    let read_s = started.elapsed().as_secs_f64();
    let baseline = rows
        .par_iter()
        .map(|r| {
            (
                r.key.clone(),
                r.version.clone(),
                crate::db::record_hash(&r.record),
            )
        })
        .collect();
    let features = rows
        .into_par_iter()
        .map(|r| crate::model::Feature::from_record(r.record))
        .collect();
    let layer = Layer::new(
        source.table.clone(),
        source.clone(),
        style,
        features,
        Vec::new(),
    );
    let render = LayerRender::build(&layer);
    log::info!(
        "{}: {} of {count} rows read in {read_s:.2} s, drawn after {:.2} s",
        source.describe(),
        layer.features().len(),
        started.elapsed().as_secs_f64()
    );
    let rest: Option<Rest> = match (in_parts, view) {
        (true, Some(b)) => {
            let (read, cancel, info) = (read.clone(), cancel.clone(), info.clone());
            Some(Box::new(move || {
                read_all(&mut client, &info, Filter::Outside(b), || {
                    read.fetch_add(1, Ordering::Relaxed);
                    !cancel.load(Ordering::Relaxed)
                })
                .map_err(|e| e.to_string())
            }))
        }
        _ => None,
    };
    Ok((
        TableLoad {
            layer,
            render,
            info,
            password,
            baseline,
            more_follows: rest.is_some(),
            window: None,
        },
        rest,
    ))
}
