//! "Make this area available offline": download every tile of an area and zoom range into an
//! MBTiles file, with progress, cancel and resume, a limit on parallel requests and rate.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::channel;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::http::{client, fetch, tile_url};
use super::mbtiles::{MbTiles, MbTilesError};

/// An area and zoom range to download.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// `[west, south, east, north]` in degrees.
    pub bbox: [f64; 4],
    pub min_zoom: u8,
    pub max_zoom: u8,
}

/// The tile range `(x0..=x1, y0..=y1)` covering a bbox at zoom `z`.
pub fn tile_range(bbox: [f64; 4], z: u8) -> ([u32; 2], [u32; 2]) {
    let n = 1u32 << z;
    let [w, s, e, nn] = bbox;
    let col = |lon: f64| (((lon + 180.0) / 360.0 * n as f64).floor().max(0.0) as u32).min(n - 1);
    let row = |lat: f64| {
        let [_, y] = crate::geometry::mercator_from_lonlat(0.0, lat);
        ((y * n as f64).floor().max(0.0) as u32).min(n - 1)
    };
    (
        [col(w.min(e)), col(w.max(e))],
        [row(nn.max(s)), row(nn.min(s))],
    )
}

impl Plan {
    /// Number of tiles the plan covers.
    pub fn tile_count(&self) -> u64 {
        (self.min_zoom..=self.max_zoom)
            .map(|z| {
                let ([x0, x1], [y0, y1]) = tile_range(self.bbox, z);
                (x1 - x0 + 1) as u64 * (y1 - y0 + 1) as u64
            })
            .sum()
    }

    /// Every tile, zoom by zoom.
    pub fn tiles(&self) -> impl Iterator<Item = (u8, u32, u32)> + '_ {
        (self.min_zoom..=self.max_zoom).flat_map(move |z| {
            let ([x0, x1], [y0, y1]) = tile_range(self.bbox, z);
            (x0..=x1).flat_map(move |x| (y0..=y1).map(move |y| (z, x, y)))
        })
    }

    /// A size estimate, at a typical 18 KB per raster tile (OpenStreetMap-style PNG).
    pub fn estimated_bytes(&self) -> u64 {
        self.tile_count() * 18 * 1024
    }
}

/// How a download is going; shared with the UI.
#[derive(Debug, Default)]
pub struct Progress {
    pub total: AtomicU64,
    pub done: AtomicU64,
    /// Already in the file from an earlier run.
    pub skipped: AtomicU64,
    pub failed: AtomicU64,
    pub bytes: AtomicU64,
    pub cancel: AtomicBool,
}

impl Progress {
    pub fn fraction(&self) -> f32 {
        let total = self.total.load(Ordering::Relaxed).max(1);
        let finished = self.done.load(Ordering::Relaxed)
            + self.skipped.load(Ordering::Relaxed)
            + self.failed.load(Ordering::Relaxed);
        (finished as f64 / total as f64).min(1.0) as f32
    }
}

/// How it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub downloaded: u64,
    pub skipped: u64,
    pub failed: u64,
    pub cancelled: bool,
}

/// Why a download could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum PrefetchError {
    #[error(transparent)]
    MbTiles(#[from] MbTilesError),
    #[error("{0}")]
    Refused(String),
    #[error("the download stopped unexpectedly")]
    Stopped,
    #[error("{0}")]
    Convert(String),
}

/// Where a download into `out` is kept while it runs: `out` itself for MBTiles; for a
/// PMTiles file (written whole at the end), an MBTiles file beside it that a second run
/// resumes.
pub fn working_file(out: &Path) -> std::path::PathBuf {
    if out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pmtiles"))
    {
        let mut name = out
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        name.push(".download.mbtiles");
        out.with_file_name(name)
    } else {
        out.to_owned()
    }
}

/// Downloads like [`prefetch`] into `out`, MBTiles or PMTiles by its extension. A PMTiles file
/// is written (atomically) only when every tile arrived; until then the download stays in
/// [`working_file`], for the next run to resume.
pub fn prefetch_into(
    template: &str,
    name: &str,
    attribution: &str,
    plan: &Plan,
    out: &Path,
    limits: Limits,
    progress: &Progress,
) -> Result<Summary, PrefetchError> {
    let work = working_file(out);
    let summary = prefetch(template, name, attribution, plan, &work, limits, progress)?;
    if work != out && summary.failed == 0 && !summary.cancelled {
        super::convert::convert(&work, out).map_err(PrefetchError::Convert)?;
        let _ = std::fs::remove_file(&work);
    }
    Ok(summary)
}

/// Limits: parallel requests and requests per second.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub parallel: usize,
    pub per_second: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            parallel: 2,
            per_second: 10.0,
        }
    }
}

/// A download running on a thread of its own: started by the app, watched by the offline
/// window.
pub struct PrefetchJob {
    pub progress: std::sync::Arc<Progress>,
    pub out: std::path::PathBuf,
    handle: Option<std::thread::JoinHandle<Result<Summary, PrefetchError>>>,
}

impl PrefetchJob {
    /// Starts downloading `plan` from `template` into the MBTiles file `out` (its folder made
    /// if needed); `repaint` is called when it ends.
    pub fn start(
        template: String,
        name: String,
        attribution: String,
        plan: Plan,
        out: std::path::PathBuf,
        repaint: impl Fn() + Send + 'static,
    ) -> Self {
        let progress = std::sync::Arc::new(Progress::default());
        let (p2, out2) = (progress.clone(), out.clone());
        let handle = std::thread::spawn(move || {
            if let Some(dir) = out2.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let r = prefetch(
                &template,
                &name,
                &attribution,
                &plan,
                &out2,
                Limits::default(),
                &p2,
            );
            repaint();
            r
        });
        Self {
            progress,
            out,
            handle: Some(handle),
        }
    }

    /// Whether the download is still going (its result not yet taken).
    pub fn is_running(&self) -> bool {
        self.handle.is_some()
    }

    /// The result once the download has finished.
    pub fn finished(&mut self) -> Option<Result<Summary, PrefetchError>> {
        if !self.handle.as_ref()?.is_finished() {
            return None;
        }
        let handle = self.handle.take()?;
        Some(handle.join().unwrap_or(Err(PrefetchError::Stopped)))
    }
}

/// Downloads the plan's tiles from `template` into the MBTiles file at `out` (created, or
/// resumed: tiles already there are skipped). Blocks until done or cancelled.
///
/// Long because it is the download loop with its limits (rate, errors, disk) side by side.
pub fn prefetch(
    template: &str,
    name: &str,
    attribution: &str,
    plan: &Plan,
    out: &Path,
    limits: Limits,
    progress: &Progress,
) -> Result<Summary, PrefetchError> {
    let file = MbTiles::create(out)?;
    let format = if template.contains(".jpg") || template.contains(".jpeg") {
        "jpg"
    } else if template.contains(".webp") {
        "webp"
    } else {
        "png"
    };
    let [w, s, e, n] = plan.bbox;
    for (k, v) in [
        ("name", name.to_owned()),
        ("format", format.to_owned()),
        ("type", "baselayer".to_owned()),
        ("version", "1.3".to_owned()),
        ("bounds", format!("{w},{s},{e},{n}")),
        (
            "center",
            format!("{},{},{}", (w + e) / 2.0, (s + n) / 2.0, plan.min_zoom),
        ),
        ("minzoom", plan.min_zoom.to_string()),
        ("maxzoom", plan.max_zoom.to_string()),
        ("attribution", attribution.to_owned()),
        (
            "description",
            format!("Downloaded by Corridor from {template}"),
        ),
    ] {
        file.set_metadata(k, &v)?;
    }
    progress.total.store(plan.tile_count(), Ordering::Relaxed);
    // Tiles to fetch, skipping what an earlier run already stored.
    let mut todo = Vec::new();
    for (z, x, y) in plan.tiles() {
        if file.has_tile(z, x, y)? {
            progress.skipped.fetch_add(1, Ordering::Relaxed);
        } else {
            todo.push((z, x, y));
        }
    }
    let queue = Arc::new(Mutex::new(todo.into_iter()));
    let (tx, rx) = channel::<((u8, u32, u32), Result<Vec<u8>, String>)>();
    let interval =
        Duration::from_secs_f64(limits.parallel.max(1) as f64 / limits.per_second.max(0.1));
    let cancelled = || progress.cancel.load(Ordering::Relaxed);
    std::thread::scope(|scope| {
        for _ in 0..limits.parallel.max(1) {
            let queue = queue.clone();
            let tx = tx.clone();
            scope.spawn(move || {
                let client = client();
                loop {
                    if cancelled() {
                        return;
                    }
                    let next = queue.lock().ok().and_then(|mut q| q.next());
                    let Some((z, x, y)) = next else { return };
                    let started = Instant::now();
                    let mut result = Err(String::new());
                    // A few quick retries for transient failures (500s, resets).
                    for attempt in 0..3 {
                        result =
                            fetch(&client, &tile_url(template, z, x, y)).map_err(|e| e.to_string());
                        match &result {
                            Ok(bytes) if super::decode::decode_tile(bytes).is_err() => {
                                result = Err(
                                    "the server sent something that is not an image".to_owned()
                                );
                            }
                            Ok(_) => break,
                            Err(e) if e.contains("404") => break,
                            Err(_) => std::thread::sleep(Duration::from_millis(200 << attempt)),
                        }
                    }
                    if tx.send(((z, x, y), result)).is_err() {
                        return;
                    }
                    if let Some(rest) = interval.checked_sub(started.elapsed()) {
                        std::thread::sleep(rest);
                    }
                }
            });
        }
        drop(tx);
        // This thread owns the SQLite connection: it writes what the fetchers bring.
        for ((z, x, y), result) in rx {
            match result {
                Ok(bytes) => match file.put_tile(z, x, y, &bytes) {
                    Ok(()) => {
                        progress.done.fetch_add(1, Ordering::Relaxed);
                        progress
                            .bytes
                            .fetch_add(bytes.len() as u64, Ordering::Relaxed);
                    }
                    Err(e) => {
                        log::warn!("{e}");
                        progress.failed.fetch_add(1, Ordering::Relaxed);
                    }
                },
                Err(e) => {
                    log::debug!("tile {z}/{x}/{y}: {e}");
                    progress.failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    });
    Ok(Summary {
        downloaded: progress.done.load(Ordering::Relaxed),
        skipped: progress.skipped.load(Ordering::Relaxed),
        failed: progress.failed.load(Ordering::Relaxed),
        cancelled: cancelled(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_ranges_cover_the_corridor() {
        let plan = Plan {
            bbox: [106.5, 10.86, 106.9, 11.4],
            min_zoom: 10,
            max_zoom: 12,
        };
        // Zoom 10, worked out with the slippy-map formulas: columns 814–816, rows 479–480
        // (y grows southwards, so the north edge gives the smaller row).
        assert_eq!(tile_range(plan.bbox, 10), ([814, 816], [479, 480]));
        assert_eq!(plan.tiles().count() as u64, plan.tile_count());
        assert_eq!(
            Plan {
                bbox: [0.0, 0.0, 0.0, 0.0],
                min_zoom: 0,
                max_zoom: 0
            }
            .tile_count(),
            1
        );
    }
}
