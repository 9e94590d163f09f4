//! Live heap bytes while a GeoJSON file is read and its draw data built: what the layer itself
//! holds, without the allocator's slack that resident memory adds. Counts every allocation made
//! through the system allocator.
//!
//! `cargo run --release --example heap-count -- FILE.geojson`

use std::alloc::{GlobalAlloc, Layout, System};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is passed on to the system allocator unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        grew(new_size);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn report(stage: &str) {
    println!(
        "{stage}: live {:.1} MiB, peak so far {:.1} MiB",
        mib(LIVE.load(Ordering::Relaxed)),
        mib(PEAK.load(Ordering::Relaxed))
    );
}

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1).map(std::path::PathBuf::from) else {
        eprintln!("usage: heap-count FILE.geojson");
        return ExitCode::FAILURE;
    };
    let limits = corridor::io::geojson_file::Limits::default();
    let parsed = match corridor::io::geojson_file::read_geojson_streamed(&path, &limits, |_| true) {
        Ok(Some(parsed)) => parsed,
        Ok(None) => match corridor::io::read_geojson(&path) {
            Ok(parsed) => {
                println!("(read whole: not a collection read a window at a time)");
                parsed
            }
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        },
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    report("parsed");
    let geometry: usize = parsed.features.iter().map(|f| f.geometry_bytes()).sum();
    println!(
        "  geometry {:.1} MiB; {} features of {} bytes each",
        mib(geometry),
        parsed.features.len(),
        size_of::<corridor::model::Feature>()
    );
    let layer = parsed.into_layer("layer".into(), path, Default::default());
    report("layer");
    let render = corridor::render::cache::LayerRender::build_deferred(&layer, None);
    report("draw data built");
    let b = render.heap_bytes();
    println!(
        "  paths {:.1}, fills {:.1}, levels of detail {:.1}, packed {:.1}, other {:.1} MiB",
        mib(b.paths),
        mib(b.fills),
        mib(b.lods),
        mib(b.packed),
        mib(b.other)
    );
    // Per simplified level (finest first): features that have it, outline points, paths and
    // fill indices.
    let mut levels =
        [(0usize, 0usize, 0usize, 0usize); corridor::render::cache::LOD_TOLERANCES.len()];
    for f in &render.features {
        for (k, l) in f.lods.iter().enumerate() {
            let e = &mut levels[k.min(levels.len() - 1)];
            e.0 += 1;
            e.1 += l.point_count();
            e.2 += l.paths().count();
            e.3 += l.fill.map_or(0, |m| m.indices.len());
        }
    }
    for (k, (features, points, paths, indices)) in levels.iter().enumerate() {
        println!(
            "  level {}: {features} features, {points} points in {paths} paths, {indices} fill indices",
            k + 1
        );
    }
    ExitCode::SUCCESS
}
