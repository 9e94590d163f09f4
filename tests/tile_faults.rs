//! A tile server that fails ten thousand times in a long session: no thread or memory leaks.
//! (Alone in its test binary, so the process's thread count is this test's.)

mod support {
    pub mod tile_server;
}

use std::time::{Duration, Instant};

use corridor::tiles::raster::{HttpSource, RasterTiles, Sources};
use support::tile_server::TileServer;
use walkers::{TileId, Tiles};

/// Resident memory and threads of this process, from /proc.
fn rss_and_threads() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("Threads:"))
}

/// RSS and threads once the server's connection threads have ended.
fn settled() -> (u64, u64) {
    std::thread::sleep(Duration::from_millis(300));
    rss_and_threads()
}

/// Asks for `count` distinct tiles and waits until every one has failed.
fn fail_tiles(tiles: &mut RasterTiles, from: u32, count: u32) {
    for i in from..from + count {
        tiles.at(TileId {
            x: i % 1000,
            y: i / 1000,
            zoom: 14,
        });
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        tiles.begin_frame();
        if tiles.stats().pending == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "tiles still pending: {:?}",
            tiles.stats()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn ten_thousand_failing_tile_requests_leak_neither_threads_nor_memory() {
    let server = TileServer::start();
    let cache_dir = tempfile::tempdir().expect("temp dir");
    let ctx = egui::Context::default();
    let mut tiles = RasterTiles::new(
        Sources {
            local: Vec::new(),
            http: Some(HttpSource {
                template: server.template("500"),
                min_zoom: 0,
                max_zoom: 19,
                online: true,
            }),
            cache: Some((cache_dir.path().join("tiles.sqlite"), 64 << 20)),
        },
        &ctx,
    );
    // Warm up: connections, the cache file, allocator pools.
    fail_tiles(&mut tiles, 0, 500);
    let (rss_before, threads_before) = settled();
    fail_tiles(&mut tiles, 500, 10_000);
    // The server's connection threads end on their own time on a slow machine: give them up to
    // three seconds.
    let (mut rss_after, mut threads_after) = settled();
    for _ in 0..10 {
        if threads_after <= threads_before {
            break;
        }
        (rss_after, threads_after) = settled();
    }
    assert_eq!(
        tiles.stats().failed,
        10_500,
        "every failure is kept for a later retry"
    );
    eprintln!(
        "10 000 failing tile requests: RSS {} → {} KiB, threads {threads_before} → {threads_after}",
        rss_before, rss_after
    );
    assert_eq!(threads_after, threads_before, "no thread leaked");
    assert!(
        rss_after < rss_before + 16 * 1024,
        "memory grew by {} KiB",
        rss_after - rss_before
    );
}
