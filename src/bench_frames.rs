//! `corridor bench-frames FILE`: opens a layer in the real app, offscreen, flies a fixed camera
//! path (zoom 8 → 16 with pans) and reports what a user would feel: time to the first complete
//! frame, CPU time per frame (the app's frame plus egui's tessellation: everything the window
//! does on the CPU before handing vertices to the GPU), click-to-select time and peak memory.
//!
//! With no device (the default), a layer's fills and outlines are batched as the window batches
//! them for the map's pipelines, and the map's share of what the window's renderer writes to the
//! GPU is made and copied into memory standing for wgpu's staging buffers
//! (`render::gpu::MapPath::Staged`; egui's own meshes are tessellated but not copied);
//! `CORRIDOR_MAP_MESHES=1` paints layers as egui meshes instead, the fallback of a window
//! without wgpu.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::app::{AppOptions, CorridorApp, Persisted};
use crate::geometry::{Camera, MercatorBox};

/// The figures, printed as `key=value` lines.
#[derive(Clone, Debug, Default)]
pub struct FrameReport {
    pub features: usize,
    pub vertices: usize,
    /// From starting the app to the end of the first frame that shows the whole layer.
    pub first_frame_s: f64,
    /// Reading, parsing, projecting and triangulating (part of `first_frame_s`).
    pub load_s: f64,
    /// When frames stopped drawing simplified fills in place of full detail still to be made
    /// (large layers make full-detail fills only for what a frame draws at full detail), and
    /// every feature a first view drew as a dot had its levels (made while the map stands
    /// still, so at the latest once the camera path and the clicks are over).
    pub detail_s: f64,
    /// With `CORRIDOR_BENCH_STILL` set: the map stands still after the first frame, frames
    /// coming at 60 a second as the window draws them while anything is still to be made, until
    /// every feature a first view drew as a dot has its levels; the seconds that took. The
    /// camera path then starts with nothing left to make.
    pub still_s: Option<f64>,
    /// Features whose levels were still to be made after the first frame: what a first view
    /// drew as dots from their boxes alone ([`crate::render::LayerRender::build_for_view`]).
    pub first_view_dots: usize,
    pub frames: usize,
    pub frame_p50_ms: f64,
    pub frame_p95_ms: f64,
    pub frame_max_ms: f64,
    /// Median time to find the feature under a click.
    pub pick_ms: f64,
    /// Frames while a vertex of a feature in the middle of the layer is dragged (zoom 15, edit
    /// mode, real pointer events): p50 and p95.
    pub drag_p50_ms: f64,
    pub drag_p95_ms: f64,
    /// Frames timed during the drag; 0 when the drag edited nothing (and measured nothing).
    pub drag_frames: usize,
    /// Features read back from the file the save wrote.
    pub saved_features: usize,
    /// Saving the edited layer as Save does, to a new file (text, then the disk), from the
    /// command to the save taking effect.
    pub save_s: f64,
    /// The same save written on the calling thread, as the window did before saves ran in the
    /// background: how long a save blocked the window.
    pub save_foreground_s: f64,
    /// Frames drawn while the save ran in the background (panning), and their p95 and worst.
    pub save_frames: usize,
    pub save_frame_p95_ms: f64,
    pub save_frame_max_ms: f64,
    /// Peak memory with the layer open, before the save.
    pub peak_rss_mib: f64,
    /// Peak memory once the save's text was made too.
    pub save_peak_rss_mib: f64,
    /// The file's size, MiB.
    pub file_mib: f64,
    /// The floor for `first_frame_s`: in the same process, reading the file and parsing it with
    /// `serde_json` into `IgnoredAny` on one thread (no values kept), the file in the page
    /// cache as it is for the app; the least of three tries, before the app starts.
    pub parse_floor_s: f64,
    /// How frames were made: `cpu, …` (the app's pass and egui's tessellation, with the map's
    /// batches staged as for the GPU or painted as egui meshes), `prepared, …`
    /// (and the buffers written to the GPU: `CORRIDOR_BENCH_PREPARE`) or `rendered, …` (whole
    /// frames: `CORRIDOR_BENCH_RENDER`), each with `map pipelines` or `egui meshes`.
    pub frames_made: String,
    /// The most a frame staged for the map's pipelines with no device (0 on any other way).
    pub map_staged_bytes_max: usize,
}

impl FrameReport {
    pub fn lines(&self) -> Vec<String> {
        vec![
            format!("features={}", self.features),
            format!("vertices={}", self.vertices),
            format!("load_s={:.3}", self.load_s),
            format!("first_frame_s={:.6}", self.first_frame_s),
            format!("detail_s={:.3}", self.detail_s),
            format!("first_view_dots={}", self.first_view_dots),
        ]
        .into_iter()
        .chain(self.still_s.map(|s| format!("still_s={s:.3}")))
        .chain([
            format!("frames={}", self.frames),
            format!("frames_made={}", self.frames_made),
            format!("map_staged_bytes_max={}", self.map_staged_bytes_max),
            format!("frame_p50_ms={:.2}", self.frame_p50_ms),
            format!("frame_p95_ms={:.2}", self.frame_p95_ms),
            format!("frame_max_ms={:.2}", self.frame_max_ms),
            format!("pick_ms={:.4}", self.pick_ms),
            format!("drag_p50_ms={:.2}", self.drag_p50_ms),
            format!("drag_p95_ms={:.2}", self.drag_p95_ms),
            format!("drag_frames={}", self.drag_frames),
            format!("saved_features={}", self.saved_features),
            format!("save_s={:.3}", self.save_s),
            format!("save_foreground_s={:.3}", self.save_foreground_s),
            format!("save_frames={}", self.save_frames),
            format!("save_frame_p95_ms={:.2}", self.save_frame_p95_ms),
            format!("save_frame_max_ms={:.2}", self.save_frame_max_ms),
            format!("peak_rss_mib={:.1}", self.peak_rss_mib),
            format!("save_peak_rss_mib={:.1}", self.save_peak_rss_mib),
            format!("file_mib={:.1}", self.file_mib),
            format!("parse_floor_s={:.6}", self.parse_floor_s),
            format!(
                "first_frame_over_parse_floor={:.2}",
                self.first_frame_s / self.parse_floor_s.max(1e-9)
            ),
            format!(
                "peak_rss_over_file={:.2}",
                self.peak_rss_mib / self.file_mib.max(1e-9)
            ),
        ])
        .collect()
    }
}

/// Minor page faults so far, from `/proc/<who>/stat` (`self` or `thread-self`); 0 where it
/// cannot be read. Each is a page of memory touched for the first time since it was mapped or
/// given back.
fn minor_faults(who: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{who}/stat"))
        .ok()
        .and_then(|s| {
            // Fields after the command's closing parenthesis; minflt is the tenth field.
            let rest = &s[s.rfind(')')? + 1..];
            rest.split_whitespace().nth(7)?.parse().ok()
        })
        .unwrap_or(0)
}

/// How long this thread has waited for a core so far (ns), from `/proc/thread-self/schedstat`
/// (its second field); 0 where it cannot be read.
fn run_queue_wait_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

/// The camera path: frame the layer, zoom from 8 to 16 over its middle while circling, then
/// pan across at zoom 12: `frames` cameras in all.
pub fn camera_path(extent: &MercatorBox, frames: usize) -> Vec<Camera> {
    let c = extent.center();
    let r = extent.width().max(extent.height()) * 0.25;
    let zooming = frames * 2 / 3;
    let mut out = Vec::with_capacity(frames);
    for i in 0..zooming {
        let k = i as f64 / zooming.max(1) as f64;
        let a = k * std::f64::consts::TAU * 2.0;
        out.push(Camera {
            center: [
                c[0] + r * (1.0 - k) * a.cos(),
                c[1] + r * (1.0 - k) * a.sin(),
            ],
            zoom: 8.0 + 8.0 * k,
        });
    }
    for i in 0..frames - zooming {
        let k = i as f64 / (frames - zooming).max(1) as f64;
        out.push(Camera {
            center: [
                extent.min[0] + extent.width() * k,
                extent.min[1] + extent.height() * (0.3 + 0.4 * k),
            ],
            zoom: 12.0,
        });
    }
    out
}

/// Counts the process's peak resident memory (`VmHWM`) again from what it holds now (Linux 4.0
/// and later), once memory freed is given back. Where it cannot, says so: the peak then
/// includes what came before.
pub fn reset_peak_rss() {
    crate::loader::give_back_freed_memory();
    if let Err(e) = std::fs::write("/proc/self/clear_refs", "5") {
        log::warn!(
            "cannot count the peak memory again (/proc/self/clear_refs: {e}); \
             peak_rss_mib includes the parse floor's buffer"
        );
    }
}

/// Peak resident memory of this process so far, MiB (Linux; 0 elsewhere).
pub fn peak_rss_mib() -> f64 {
    crate::loader::process_memory_mib("VmHWM:")
}

/// When the window draws next, as eframe's event loop decides it: at the soonest time a
/// `request_repaint` asked for since the last frame began, from the UI or from another thread
/// (as the loader does when it is done), and no sooner than a display at 60 Hz allows.
#[derive(Default)]
struct NextRepaint {
    state: std::sync::Mutex<Repaint>,
    asked: std::sync::Condvar,
}

#[derive(Default)]
struct Repaint {
    /// The soonest repaint asked for.
    due: Option<Instant>,
    /// When the last frame began.
    last: Option<Instant>,
}

impl NextRepaint {
    /// A frame begins: what was asked before it is answered by it.
    fn clear(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.due = None;
            s.last = Some(Instant::now());
        }
    }

    /// A repaint asked for `delay` from now.
    fn ask(&self, delay: Duration) {
        let when = Instant::now().checked_add(delay);
        if let Ok(mut s) = self.state.lock() {
            s.due = match (s.due, when) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            self.asked.notify_all();
        }
    }

    /// Sleeps until the next frame is due, or a second at most (eframe would sleep on).
    fn wait(&self) {
        const VSYNC: Duration = Duration::from_micros(16_667);
        let Ok(mut s) = self.state.lock() else {
            return;
        };
        let give_up = Instant::now() + Duration::from_secs(1);
        loop {
            let now = Instant::now();
            let due = s
                .due
                .map(|due| s.last.map_or(due, |last| due.max(last + VSYNC)));
            let until = due.unwrap_or(give_up).min(give_up);
            if now >= until {
                return;
            }
            s = match self.asked.wait_timeout(s, until - now) {
                Ok((s, _)) => s,
                Err(_) => return,
            };
        }
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Runs the benchmark on a GeoJSON file in a 1920 × 1080 window.
///
/// Long because it is the measuring script itself, step by step, as BENCHMARKS.md describes it.
pub fn bench_frames(path: PathBuf, frames: usize) -> Result<FrameReport, String> {
    // The file into the page cache, for the parse floor and the app alike.
    let file_bytes = std::fs::File::open(&path)
        .and_then(|mut f| std::io::copy(&mut f, &mut std::io::sink()))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    // The floor, before the app runs: the least of three tries. Its buffer holds the whole
    // file, so the process's peak is counted again from here: the app's own peak is measured.
    let mut parse_floor_s = f64::INFINITY;
    for _ in 0..3 {
        parse_floor_s = parse_floor_s.min(parse_floor(&path)?);
    }
    reset_peak_rss();
    let started = Instant::now();
    let data_dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let options = AppOptions {
        path: path.clone(),
        offline: true,
        data_dir: Some(data_dir.path().to_owned()),
    };
    let mut builder = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1920.0, 1080.0))
        .with_theme(egui::Theme::Light)
        .with_step_dt(1.0 / 60.0)
        .allow_missing_glyphs()
        .with_accessibility_check(false);
    if rendering() || preparing() {
        builder = builder.wgpu();
    }
    let next_repaint = std::sync::Arc::new(NextRepaint::default());
    let asked = next_repaint.clone();
    let mut h = builder.build_eframe(move |cc| {
        cc.egui_ctx
            .set_request_repaint_callback(move |info| asked.ask(info.delay));
        crate::tiles::install_vector_renderer(cc.wgpu_render_state.as_ref());
        crate::render::gpu::install(cc.wgpu_render_state.as_ref(), &cc.egui_ctx);
        if cc.wgpu_render_state.is_none() {
            // No device: frames are batched as the window batches them, and `frame` stages
            // what its renderer would write.
            crate::render::gpu::install_without_device(&cc.egui_ctx);
        }
        if preparing() {
            PREPARED_ON.set(cc.wgpu_render_state.clone());
        }
        CorridorApp::with_state(&cc.egui_ctx, options, Persisted::default())
    });
    // While the file loads, the window draws when the app asks it to: its progress bar every
    // 100 ms, and at once when the loader is done.
    next_repaint.clear();
    h.step();
    while h.state().loading() > 0 {
        if started.elapsed() > Duration::from_secs(600) {
            return Err("the file did not load within 10 minutes".to_owned());
        }
        next_repaint.wait();
        next_repaint.clear();
        h.step();
    }
    let load_s = started.elapsed().as_secs_f64();
    let Some(layer) = h.state().doc.layers.first() else {
        return Err(format!("{}: nothing loaded", path.display()));
    };
    if let Some(e) = layer.error() {
        return Err(e.to_owned());
    }
    let features = layer.features().len();
    let vertices: usize = layer.features().iter().map(|f| f.vertex_count()).sum();
    // The first complete frame: the layer framed, drawn and tessellated.
    log::debug!(
        "loaded: RSS {:.0} MiB, peak {:.0} MiB",
        crate::loader::process_memory_mib("VmRSS:"),
        peak_rss_mib()
    );
    frame(&mut h);
    let first_frame_s = started.elapsed().as_secs_f64();
    log::debug!(
        "after the first frame: RSS {:.0} MiB, peak {:.0} MiB",
        crate::loader::process_memory_mib("VmRSS:"),
        peak_rss_mib()
    );

    let first_view_dots = h.state().renders().first().map_or(0, |r| {
        r.features.iter().filter(|f| f.levels_pending).count()
    });
    let still_s = match std::env::var_os("CORRIDOR_BENCH_STILL") {
        None => None,
        Some(_) => {
            let t0 = Instant::now();
            while h.state().detail_pending() {
                if t0.elapsed() > Duration::from_secs(120) {
                    return Err("the map stood still for 2 minutes and the first view's \
                                features' levels were not all made"
                        .to_owned());
                }
                let next = Instant::now() + Duration::from_micros(16_667);
                frame(&mut h);
                std::thread::sleep(next.saturating_duration_since(Instant::now()));
            }
            Some(t0.elapsed().as_secs_f64())
        }
    };
    let extent = h.state().layers_extent();
    let mut times: Vec<f64> = Vec::with_capacity(frames);
    let per_frame = std::env::var_os("CORRIDOR_BENCH_PER_FRAME").is_some();
    let mut detail_s = None;
    for camera in camera_path(&extent, frames) {
        if detail_s.is_none() && !h.state().detail_pending() {
            detail_s = Some(started.elapsed().as_secs_f64());
        }
        h.state_mut().map.jump_to(camera);
        let (faults, waited) = if per_frame {
            (
                (minor_faults("thread-self"), minor_faults("self")),
                run_queue_wait_ns(),
            )
        } else {
            ((0, 0), 0)
        };
        let t0 = Instant::now();
        frame(&mut h);
        let ms = t0.elapsed().as_secs_f64() * 1000.0;
        if per_frame {
            let b = h.state().renders()[0].heap_bytes();
            let (thread_faults, process_faults) =
                (minor_faults("thread-self"), minor_faults("self"));
            eprintln!(
                "frame zoom={:.2} ms={ms:.2} waited_ms={:.2} faults={} all_faults={} rss={:.0} detail={:.1} lods={:.1} other={:.1}",
                camera.zoom,
                run_queue_wait_ns().saturating_sub(waited) as f64 / 1e6,
                thread_faults - faults.0,
                process_faults - faults.1,
                crate::loader::process_memory_mib("VmRSS:"),
                (b.paths + b.fills) as f64 / (1024.0 * 1024.0),
                b.lods as f64 / (1024.0 * 1024.0),
                b.other as f64 / (1024.0 * 1024.0),
            );
        }
        times.push(ms);
    }
    times.sort_by(f64::total_cmp);

    // Clicks all over the screen at zoom 12 over the middle of the layer.
    h.state_mut().map.jump_to(Camera {
        center: extent.center(),
        zoom: 12.0,
    });
    frame(&mut h);
    let mut picks = Vec::with_capacity(1000);
    let mut seed = 12345u64;
    for _ in 0..1000 {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
        let x = 300.0 + ((seed >> 33) % 1300) as f32;
        let y = 100.0 + ((seed >> 13) % 900) as f32;
        let t0 = Instant::now();
        let _ = std::hint::black_box(h.state().pick(egui::pos2(x, y)));
        picks.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    picks.sort_by(f64::total_cmp);

    // Let the full detail the last frame asked for arrive.
    while h.state().detail_pending() && started.elapsed() < Duration::from_secs(600) {
        std::thread::sleep(Duration::from_millis(5));
        h.step();
    }
    if detail_s.is_none() {
        detail_s = Some(started.elapsed().as_secs_f64());
    }
    if std::env::var_os("CORRIDOR_BENCH_MEMORY").is_some() {
        let b = h.state().renders()[0].heap_bytes();
        let mib = |x: usize| x as f64 / (1024.0 * 1024.0);
        let layer = &h.state().doc.layers[0];
        // Positions the records still hold (geometries `geo` cannot hold exactly).
        let kept: usize = layer
            .features()
            .iter()
            .filter_map(|f| f.meta().geometry)
            .map(|g| {
                crate::model::edit::parts(&g.value)
                    .iter()
                    .map(|p| p.points.len())
                    .sum::<usize>()
            })
            .sum();
        eprintln!(
            "memory render paths={:.1} fills={:.1} lods={:.1} packed={:.1} other={:.1}; \
             geometry={:.1} record positions={:.1} MiB; rss now {:.1}",
            mib(b.paths),
            mib(b.fills),
            mib(b.lods),
            mib(b.packed),
            mib(b.other),
            mib(layer.features().iter().map(|f| f.geometry_bytes()).sum()),
            mib(kept * size_of::<geojson::Position>()),
            crate::loader::process_memory_mib("VmRSS:"),
        );
    }
    let drags = drag_a_vertex(&mut h, &extent);
    let mut drags = drags;
    drags.sort_by(f64::total_cmp);
    let detail_s = detail_s.unwrap_or_else(|| started.elapsed().as_secs_f64());
    let peak_rss = peak_rss_mib();
    // Saved as Save saves (in the background for a large layer), to a new file, while the map
    // pans: the frames drawn meanwhile are timed.
    let saved = data_dir.path().join("saved.geojson");
    // Where the pan starts, drawn before the save: the frames counted are the pan's.
    let mut camera = Camera {
        center: extent.center(),
        zoom: 12.0,
    };
    h.state_mut().map.jump_to(camera);
    frame(&mut h);
    let t0 = Instant::now();
    h.state_mut().save_layer(0, Some(saved.clone()))?;
    let mut save_times = Vec::new();
    while !h.state().saves_running().is_empty() {
        if t0.elapsed() > Duration::from_secs(600) {
            return Err("the save did not finish within 10 minutes".to_owned());
        }
        camera.center[0] += extent.width() / 400.0;
        h.state_mut().map.jump_to(camera);
        let t = Instant::now();
        frame(&mut h);
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        if per_frame {
            eprintln!(
                "save frame ms={ms:.2} rss={:.0}",
                crate::loader::process_memory_mib("VmRSS:")
            );
        }
        save_times.push(ms);
    }
    // The frame in which the save takes effect.
    h.step();
    let save_s = t0.elapsed().as_secs_f64();
    if h.state().doc.layers[0].is_dirty() {
        return Err("the save did not take effect".to_owned());
    }
    save_times.sort_by(f64::total_cmp);
    let save_peak_rss_mib = peak_rss_mib();
    // The same save on this thread, as the window did before: how long it blocked.
    let t0 = Instant::now();
    let foreground = data_dir.path().join("saved-in-the-foreground.geojson");
    crate::io::save_geojson(&h.state().doc.layers[0], &foreground).map_err(|e| e.to_string())?;
    let save_foreground_s = t0.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(&foreground);
    let saved_features = crate::io::read_geojson(&saved)
        .map(|p| p.features.len())
        .map_err(|e| format!("the saved file does not read back: {e}"))?;
    let _ = std::fs::remove_file(&saved);
    Ok(FrameReport {
        detail_s,
        still_s,
        first_view_dots,
        features,
        vertices,
        first_frame_s,
        load_s,
        frames: times.len(),
        frame_p50_ms: percentile(&times, 0.5),
        frame_p95_ms: percentile(&times, 0.95),
        frame_max_ms: times.last().copied().unwrap_or(0.0),
        pick_ms: percentile(&picks, 0.5),
        drag_p50_ms: percentile(&drags, 0.5),
        drag_p95_ms: percentile(&drags, 0.95),
        drag_frames: drags.len(),
        saved_features,
        save_s,
        save_foreground_s,
        save_frames: save_times.len(),
        save_frame_p95_ms: percentile(&save_times, 0.95),
        save_frame_max_ms: save_times.last().copied().unwrap_or(0.0),
        peak_rss_mib: peak_rss,
        save_peak_rss_mib,
        file_mib: file_bytes as f64 / (1024.0 * 1024.0),
        parse_floor_s,
        frames_made: match (
            rendering(),
            PREPARED_ON.with_borrow(Option::is_some),
            crate::render::gpu::enabled(&h.ctx),
        ) {
            (true, _, true) => "rendered, map pipelines",
            (true, _, false) => "rendered, egui meshes",
            (false, true, true) => "prepared, map pipelines",
            (false, true, false) => "prepared, egui meshes",
            (false, false, true) => "cpu, map pipelines staged",
            (false, false, false) => "cpu, egui meshes",
        }
        .to_owned(),
        map_staged_bytes_max: STAGED_MAX.get(),
    })
}

/// Seconds to read `path` and parse it with `serde_json` into `IgnoredAny` on one thread: the
/// least any JSON reader that looks at every byte needs.
pub fn parse_floor(path: &std::path::Path) -> Result<f64, String> {
    let t0 = Instant::now();
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let _: serde::de::IgnoredAny =
        serde_json::from_slice(&bytes).map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
    Ok(t0.elapsed().as_secs_f64())
}

/// Drags a vertex of the feature nearest the layer's middle, as a user does: select it, edit
/// mode, press on the vertex, move in 60 steps, release. Returns each frame's time, ms.
fn drag_a_vertex(
    h: &mut egui_kittest::Harness<'static, CorridorApp>,
    extent: &MercatorBox,
) -> Vec<f64> {
    let center = extent.center();
    h.state_mut().map.jump_to(Camera { center, zoom: 15.0 });
    frame(h);
    let Some(t) = h.state().map.transform else {
        return Vec::new();
    };
    let Some(r) = h
        .state()
        .pick(t.screen_from_world(center))
        .or_else(|| h.state().doc.layers.first()?.ref_at(0))
    else {
        return Vec::new();
    };
    h.state_mut().select(Some(r));
    let li = h.state().doc.index_of(r.layer);
    h.state_mut().start_editing(li);
    frame(h);
    let vertex = h
        .state()
        .doc
        .feature(r)
        .and_then(|f| f.record_geometry())
        .and_then(|g| crate::model::edit::parts(&g.value).into_iter().next())
        .and_then(|p| p.points.first().copied());
    let Some([lon, lat]) = vertex else {
        return Vec::new();
    };
    // Bring the vertex to the middle of the screen, where the drag has room.
    h.state_mut().map.jump_to(Camera {
        center: crate::geometry::mercator_from_lonlat(lon, lat),
        zoom: 15.0,
    });
    frame(h);
    let Some(t) = h.state().map.transform else {
        return Vec::new();
    };
    let from = t.screen_from_world(crate::geometry::mercator_from_lonlat(lon, lat));
    let mut times = Vec::with_capacity(64);
    let mut timed = |h: &mut egui_kittest::Harness<'static, CorridorApp>| {
        let t0 = Instant::now();
        frame(h);
        times.push(t0.elapsed().as_secs_f64() * 1000.0);
    };
    h.hover_at(from);
    timed(h);
    h.drag_at(from);
    timed(h);
    for k in 1..=60 {
        h.hover_at(from + egui::vec2(k as f32, k as f32 * 0.5));
        timed(h);
    }
    h.drop_at(from + egui::vec2(60.0, 30.0));
    timed(h);
    // A drag that moved nothing measured nothing.
    if !h.state().doc.layer(r.layer).is_some_and(|l| l.is_dirty()) {
        log::warn!("bench-frames: the vertex drag did not edit the feature");
        return Vec::new();
    }
    times
}

/// One frame as the window makes it on the CPU: the app's UI pass, then egui's tessellation of
/// everything it painted into triangles. With `CORRIDOR_BENCH_RENDER` set, whole frames instead:
/// rendered by wgpu (lavapipe on a machine without a GPU) and read back, layers drawn by the
/// map's own pipelines (or, with `CORRIDOR_MAP_MESHES` also set, as egui meshes).
///
/// With `CORRIDOR_BENCH_PREPARE` set, frames up to the GPU: the UI pass, the tessellation, and
/// the writes of every vertex and index buffer (the map's paint callbacks' `prepare` included),
/// submitted and waited for, without a render pass. That is the CPU's share of a frame in the
/// window, which rasterising on lavapipe would otherwise swamp.
fn frame(h: &mut egui_kittest::Harness<'static, CorridorApp>) {
    h.step();
    if rendering() {
        if let Err(e) = h.render() {
            log::warn!("rendering a frame: {e}");
        }
        return;
    }
    let shapes = h.output().shapes.clone();
    let ppp = h.ctx.pixels_per_point();
    let jobs = h.ctx.tessellate(shapes, ppp);
    PREPARED_ON.with_borrow(|rs| {
        if let Some(rs) = rs {
            prepare(rs, &h.ctx, &jobs);
        } else if crate::render::gpu::path(&h.ctx) == crate::render::gpu::MapPath::Staged {
            let staged = crate::render::gpu::stage_without_device(&jobs, &screen(&h.ctx));
            STAGED_MAX.set(STAGED_MAX.get().max(staged));
        }
    });
    std::hint::black_box(jobs);
}

thread_local! {
    /// The most `frame` staged for the map in one frame, with no device.
    static STAGED_MAX: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// The device `frame` prepares frames on (`CORRIDOR_BENCH_PREPARE`).
    static PREPARED_ON: std::cell::RefCell<Option<eframe::egui_wgpu::RenderState>> =
        const { std::cell::RefCell::new(None) };
}

/// The screen a frame on `ctx` is drawn to, as the window's renderer is told it.
fn screen(ctx: &egui::Context) -> eframe::egui_wgpu::ScreenDescriptor {
    let ppp = ctx.pixels_per_point();
    let size = ctx.content_rect().size() * ppp;
    eframe::egui_wgpu::ScreenDescriptor {
        size_in_pixels: [size.x.round() as u32, size.y.round() as u32],
        pixels_per_point: ppp,
    }
}

/// Writes a tessellated frame's buffers as the window's renderer does before its render pass,
/// and waits for the GPU to have them.
fn prepare(
    rs: &eframe::egui_wgpu::RenderState,
    ctx: &egui::Context,
    jobs: &[egui::ClippedPrimitive],
) {
    use eframe::egui_wgpu::wgpu;
    let screen = screen(ctx);
    let mut encoder = rs
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("bench-frames prepare"),
        });
    let buffers =
        rs.renderer
            .write()
            .update_buffers(&rs.device, &rs.queue, &mut encoder, jobs, &screen);
    rs.queue
        .submit(buffers.into_iter().chain([encoder.finish()]));
    if let Err(e) = rs.device.poll(wgpu::PollType::wait_indefinitely()) {
        log::warn!("waiting for a prepared frame: {e}");
    }
}

/// Whether `bench-frames` renders whole frames (`CORRIDOR_BENCH_RENDER`).
fn rendering() -> bool {
    std::env::var_os("CORRIDOR_BENCH_RENDER").is_some()
}

/// Whether `bench-frames` writes each frame's buffers to the GPU (`CORRIDOR_BENCH_PREPARE`).
fn preparing() -> bool {
    !rendering() && std::env::var_os("CORRIDOR_BENCH_PREPARE").is_some()
}

/// What panning over a basemap file costs, against the same pans over no basemap in the same
/// run: CPU time per frame at each zoom from 12 to 16 (tiles load and decode on their own
/// threads meanwhile, as in the app).
#[derive(Clone, Debug, Default)]
pub struct BasemapReport {
    /// `(zoom, p50, p95, max)` in ms, with the file.
    pub with_file: Vec<(u8, f64, f64, f64)>,
    /// The same, with no basemap.
    pub without: Vec<(u8, f64, f64, f64)>,
    /// Tiles drawn in the last frame at each zoom.
    pub tiles_drawn: Vec<(u8, usize)>,
}

impl BasemapReport {
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for ((z, p50, p95, max), (_, b50, b95, bmax)) in self.with_file.iter().zip(&self.without) {
            out.push(format!(
                "zoom={z} frame_p50_ms={p50:.2} frame_p95_ms={p95:.2} frame_max_ms={max:.2} \
                 baseline_p50_ms={b50:.2} baseline_p95_ms={b95:.2} baseline_max_ms={bmax:.2} \
                 ratio_p50={:.2}",
                p50 / b50.max(1e-6)
            ));
        }
        for (z, n) in &self.tiles_drawn {
            out.push(format!("zoom={z} tiles_drawn={n}"));
        }
        out
    }
}

/// `corridor bench-basemap FILE`: pans eastwards across the middle of a tile file's bounds at
/// zooms 12 to 16, `frames` frames per zoom, 1920 × 1080, at most 12 screen pixels a frame
/// (less where the file is narrower than the pan, so that the pan stays over it).
pub fn bench_basemap(tiles: PathBuf, frames: usize) -> Result<BasemapReport, String> {
    let info = crate::tiles::TileFile::open(&tiles)
        .and_then(|f| f.info())
        .map_err(|e| e.to_string())?;
    let [w, s, e, n] = info.bounds.unwrap_or([106.6, 10.9, 106.8, 11.1]);
    let centre = crate::geometry::mercator_from_lonlat((w + e) / 2.0, (s + n) / 2.0);
    let width = crate::geometry::mercator_from_lonlat(e, n)[0]
        - crate::geometry::mercator_from_lonlat(w, s)[0];
    let mut report = BasemapReport::default();
    // Alternate the two runs zoom by zoom, so that a change in the machine's speed falls on
    // both alike.
    for zoom in 12..=16u8 {
        for with_file in [false, true] {
            let (times, drawn) = pan(&tiles, with_file, (centre, width), zoom, frames)?;
            let stats = (
                zoom,
                percentile(&times, 0.5),
                percentile(&times, 0.95),
                times.last().copied().unwrap_or(0.0),
            );
            if with_file {
                report.with_file.push(stats);
                report.tiles_drawn.push((zoom, drawn));
            } else {
                report.without.push(stats);
            }
        }
    }
    Ok(report)
}

/// One pan; the sorted frame times and the tiles drawn in its last frame.
fn pan(
    tiles: &std::path::Path,
    with_file: bool,
    (centre, width): ([f64; 2], f64),
    zoom: u8,
    frames: usize,
) -> Result<(Vec<f64>, usize), String> {
    let data_dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let [lon, lat] = crate::geometry::lonlat_from_mercator(centre[0], centre[1]);
    let files = if with_file {
        format!("{:?}", tiles.display().to_string())
    } else {
        String::new()
    };
    let project = data_dir.path().join("pan.toml");
    std::fs::write(
        &project,
        format!(
            "title = \"Pan\"\n[view]\ncenter = [{lon}, {lat}]\nzoom = {zoom}.0\n[basemap]\nname = \"None\"\nurl = \"\"\nfiles = [{files}]\n"
        ),
    )
    .map_err(|e| e.to_string())?;
    let options = AppOptions {
        path: project,
        offline: true,
        data_dir: Some(data_dir.path().to_owned()),
    };
    let mut h = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1920.0, 1080.0))
        .with_theme(egui::Theme::Light)
        .with_step_dt(1.0 / 60.0)
        .allow_missing_glyphs()
        .with_accessibility_check(false)
        .build_eframe(move |cc| {
            crate::tiles::install_vector_renderer(cc.wgpu_render_state.as_ref());
            crate::render::gpu::install(cc.wgpu_render_state.as_ref(), &cc.egui_ctx);
            CorridorApp::with_state(&cc.egui_ctx, options, Persisted::default())
        });
    // The first screen's tiles, as a user who opens the map and then pans sees them.
    let start = Instant::now();
    loop {
        frame(&mut h);
        let s = h.state().basemap().stats();
        let settled = if with_file {
            s.found > 0 && s.pending == 0
        } else {
            start.elapsed() > Duration::from_millis(200)
        };
        if settled || start.elapsed() > Duration::from_secs(30) {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let step = (12.0 / (256.0 * 2f64.powi(zoom as i32))).min(width / frames as f64);
    let west = centre[0] - step * frames as f64 / 2.0;
    let mut times = Vec::with_capacity(frames);
    for i in 0..frames {
        let camera = Camera {
            center: [west + step * i as f64, centre[1]],
            zoom: zoom as f64,
        };
        h.state_mut().map.jump_to(camera);
        let t0 = Instant::now();
        frame(&mut h);
        times.push(t0.elapsed().as_secs_f64() * 1000.0);
        // A window shows a frame every 1/60 s; the tile threads work meanwhile.
        std::thread::sleep(Duration::from_millis(16).saturating_sub(t0.elapsed()));
    }
    times.sort_by(f64::total_cmp);
    Ok((times, h.state().basemap().stats().found))
}

/// What a table too large to hold costs: `corridor bench-frames --db URL --table T`.
#[derive(Clone, Debug, Default)]
pub struct TableReport {
    /// The planner's estimate of the table's rows.
    pub rows: i64,
    /// The tiles' zoom.
    pub tile_zoom: u8,
    /// From starting the app on a project naming the table to the end of the first frame that
    /// shows all of it (the overview, at the zoom that frames the table).
    pub first_frame_s: f64,
    /// Rows the overview shows.
    pub overview_rows: usize,
    /// The zoom of the pans: the lowest at which the view shows rows themselves.
    pub detail_zoom: f64,
    /// How much smaller than the table's extent a view at `detail_zoom` is, as
    /// `scripts/qgis-render-table.py --zoom` takes it (the same view in QGIS).
    pub qgis_zoom_factor: f64,
    /// Pans, each two views' widths into rows not read yet: from the jump to the frame that
    /// shows every row in view.
    pub pans: usize,
    pub fill_p50_s: f64,
    pub fill_p95_s: f64,
    pub fill_max_s: f64,
    /// Every frame drawn meanwhile (CPU time, as for files).
    pub frame_p50_ms: f64,
    pub frame_p95_ms: f64,
    pub frame_max_ms: f64,
    /// The most rows the layer held at once.
    pub held_max: usize,
    pub peak_rss_mib: f64,
}

impl TableReport {
    pub fn lines(&self) -> Vec<String> {
        vec![
            format!("rows={}", self.rows),
            format!("tile_zoom={}", self.tile_zoom),
            format!("first_frame_s={:.6}", self.first_frame_s),
            format!("overview_rows={}", self.overview_rows),
            format!("detail_zoom={:.2}", self.detail_zoom),
            format!("qgis_zoom_factor={:.2}", self.qgis_zoom_factor),
            format!("pans={}", self.pans),
            format!("fill_p50_s={:.3}", self.fill_p50_s),
            format!("fill_p95_s={:.3}", self.fill_p95_s),
            format!("fill_max_s={:.3}", self.fill_max_s),
            format!("frame_p50_ms={:.2}", self.frame_p50_ms),
            format!("frame_p95_ms={:.2}", self.frame_p95_ms),
            format!("frame_max_ms={:.2}", self.frame_max_ms),
            format!("held_max={}", self.held_max),
            format!("peak_rss_mib={:.1}", self.peak_rss_mib),
        ]
    }
}

/// Runs the benchmark on a PostGIS table in a 1920 × 1080 window: opens a project naming it,
/// framed whole, then pans at the lowest zoom that shows rows, each pan into rows not read
/// yet, row by row across the table.
pub fn bench_table(url: &str, table: &str, pans: usize) -> Result<TableReport, String> {
    let size = [1920.0, 1080.0];
    let source = crate::db::PgSource::new(url, table).map_err(|e| e.to_string())?;
    let (rows, extent) = {
        let mut c = crate::db::connect(url, None).map_err(|e| e.to_string())?;
        let info = crate::db::table::describe(&mut c, &source).map_err(|e| e.to_string())?;
        let rows = crate::db::window::estimated_rows(&mut c, &info).map_err(|e| e.to_string())?;
        let extent = crate::db::window::extent(&mut c, &info).map_err(|e| e.to_string())?;
        (rows, extent)
    };
    if extent.is_empty() {
        return Err(format!("{table}: no geometry"));
    }
    let zoom = extent.fit_zoom(size, 20.0, 20.0);
    let [lon, lat] =
        crate::geometry::mercator::lonlat_from_mercator(extent.center()[0], extent.center()[1]);
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    std::fs::write(
        dir.path().join("corridor.toml"),
        format!(
            "title = \"bench\"\n[view]\ncenter = [{lon}, {lat}]\nzoom = {zoom}\n\
             [basemap]\nname = \"None\"\nurl = \"\"\n\n[[layers]]\nname = \"{t}\"\n\
             postgres = \"{url}\"\ntable = \"{s}.{t}\"\n",
            s = source.schema,
            t = source.table,
        ),
    )
    .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let options = AppOptions {
        path: dir.path().join("corridor.toml"),
        offline: true,
        data_dir: Some(dir.path().join("data")),
    };
    let mut h = egui_kittest::Harness::builder()
        .with_size(egui::vec2(size[0] as f32, size[1] as f32))
        .with_theme(egui::Theme::Light)
        .with_step_dt(1.0 / 60.0)
        .allow_missing_glyphs()
        .with_accessibility_check(false)
        .build_eframe(move |cc| {
            crate::tiles::install_vector_renderer(cc.wgpu_render_state.as_ref());
            crate::render::gpu::install(cc.wgpu_render_state.as_ref(), &cc.egui_ctx);
            // No device: frames batched as the window batches them, as for a file (without
            // this, the table's frames were timed as egui meshes, a path the window does not
            // take).
            if cc.wgpu_render_state.is_none() {
                crate::render::gpu::install_without_device(&cc.egui_ctx);
            }
            CorridorApp::with_state(&cc.egui_ctx, options, Persisted::default())
        });
    let whole = Camera {
        center: extent.center(),
        zoom,
    };
    let mut framed = false;
    let mut times = Vec::new();
    loop {
        if started.elapsed() > Duration::from_secs(300) {
            return Err("the table's first frame did not come within 5 minutes".to_owned());
        }
        let t0 = Instant::now();
        frame(&mut h);
        times.push(t0.elapsed().as_secs_f64() * 1000.0);
        if !framed && h.state().table_windows().next().is_some() {
            // The view the project gives, kept (the app would fly to the table's extent).
            h.state_mut().map.jump_to(whole);
            framed = true;
            continue;
        }
        if framed && h.state().table_windows().all(|w| w.complete) {
            break;
        }
        if let Some(e) = h.state().doc.layers.first().and_then(|l| l.error()) {
            return Err(e.to_owned());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let first_frame_s = started.elapsed().as_secs_f64();
    let overview_rows = h
        .state()
        .table_windows()
        .map(|w| w.overview_rows)
        .sum::<usize>();
    let tile_zoom = h
        .state()
        .table_windows()
        .map(|w| w.tile_zoom)
        .next()
        .unwrap_or(0);
    // The lowest zoom (in steps of a quarter) at which the view shows rows.
    let mut detail_zoom = zoom;
    while detail_zoom < 20.0 {
        h.state_mut().map.jump_to(Camera {
            center: extent.center(),
            zoom: detail_zoom,
        });
        h.step();
        if h.state().table_shows_rows() {
            break;
        }
        detail_zoom += 0.25;
    }
    // Pans two views' widths apart, row by row, from the table's north-west corner.
    let view_w = size[0] / crate::geometry::mercator::points_per_world(detail_zoom);
    let view_h = size[1] / crate::geometry::mercator::points_per_world(detail_zoom);
    let per_row = ((extent.width() / (2.0 * view_w)).floor() as usize).max(1);
    let mut fills = Vec::with_capacity(pans);
    let mut held_max = 0;
    for i in 0..pans {
        let (col, row) = (i % per_row, i / per_row);
        let center = [
            extent.min[0] + view_w * (0.5 + 2.0 * col as f64),
            extent.min[1] + view_h * (0.5 + 2.0 * (row % 8) as f64),
        ];
        h.state_mut().map.jump_to(Camera {
            center,
            zoom: detail_zoom,
        });
        let t0 = Instant::now();
        let per_frame = std::env::var_os("CORRIDOR_BENCH_PER_FRAME").is_some();
        loop {
            let f0 = Instant::now();
            frame(&mut h);
            let ms = f0.elapsed().as_secs_f64() * 1000.0;
            times.push(ms);
            if per_frame {
                eprintln!(
                    "pan {i} frame ms={ms:.2} held={}",
                    h.state()
                        .doc
                        .layers
                        .first()
                        .map_or(0, |l| l.features().len())
                );
            }
            if h.state().table_windows().all(|w| w.complete) {
                break;
            }
            if t0.elapsed() > Duration::from_secs(60) {
                return Err(format!("pan {i}: the view did not fill within a minute"));
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        fills.push(t0.elapsed().as_secs_f64());
        held_max = held_max.max(
            h.state()
                .doc
                .layers
                .first()
                .map_or(0, |l| l.features().len()),
        );
    }
    fills.sort_by(f64::total_cmp);
    times.sort_by(f64::total_cmp);
    Ok(TableReport {
        rows,
        tile_zoom,
        first_frame_s,
        overview_rows,
        detail_zoom,
        qgis_zoom_factor: (extent.width() / size[0]).max(extent.height() / size[1])
            * crate::geometry::mercator::points_per_world(detail_zoom),
        pans,
        fill_p50_s: percentile(&fills, 0.5),
        fill_p95_s: percentile(&fills, 0.95),
        fill_max_s: fills.last().copied().unwrap_or(0.0),
        frame_p50_ms: percentile(&times, 0.5),
        frame_p95_ms: percentile(&times, 0.95),
        frame_max_ms: times.last().copied().unwrap_or(0.0),
        held_max,
        peak_rss_mib: peak_rss_mib(),
    })
}
