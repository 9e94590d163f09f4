//! Time to get a decoded tile: from an MBTiles file, from the disk cache, and decoding alone
//! (the baseline both include). Run: `cargo bench --bench tiles`.

use std::hint::black_box;

use corridor::tiles::cache::TileCache;
use corridor::tiles::decode::decode_tile;
use corridor::tiles::mbtiles::MbTiles;
use criterion::{Criterion, criterion_group, criterion_main};

/// A 256 × 256 PNG with texture, about the size of a real map tile.
fn realistic_png(seed: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(256, 256, |x, y| {
        let v = (x * 7 + y * 13 + seed * 31) ^ (x * y + seed);
        image::Rgba([
            (v % 200) as u8 + 30,
            ((v / 3) % 180) as u8 + 40,
            ((v / 7) % 160) as u8 + 60,
            255,
        ])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgba8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("PNG encodes");
    out
}

fn tiles(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let tiles: Vec<(u32, u32, Vec<u8>)> = (0..64)
        .map(|i| (800 + i % 8, 480 + i / 8, realistic_png(i)))
        .collect();
    let mb = MbTiles::create(&dir.path().join("b.mbtiles")).expect("create");
    let mut cache = TileCache::open(&dir.path().join("c.sqlite"), 1 << 30).expect("cache");
    for (x, y, png) in &tiles {
        mb.put_tile(12, *x, *y, png).expect("put");
        cache.put("bench", 12, *x, *y, png).expect("put");
    }
    drop(mb);
    let mb = MbTiles::open(&dir.path().join("b.mbtiles")).expect("open");
    eprintln!(
        "tile size: {} bytes on average",
        tiles.iter().map(|t| t.2.len()).sum::<usize>() / tiles.len()
    );

    let mut i = 0usize;
    c.bench_function("decode only (baseline)", |b| {
        b.iter(|| {
            i = (i + 1) % tiles.len();
            black_box(decode_tile(&tiles[i].2).expect("decodes"))
        })
    });
    c.bench_function("MBTiles: read + decode", |b| {
        b.iter(|| {
            i = (i + 1) % tiles.len();
            let (x, y, _) = &tiles[i];
            let bytes = mb.tile(12, *x, *y).expect("read").expect("present");
            black_box(decode_tile(&bytes).expect("decodes"))
        })
    });
    c.bench_function("disk cache: read + decode", |b| {
        b.iter(|| {
            i = (i + 1) % tiles.len();
            let (x, y, _) = &tiles[i];
            let bytes = cache
                .get("bench", 12, *x, *y)
                .expect("read")
                .expect("present");
            black_box(decode_tile(&bytes).expect("decodes"))
        })
    });
    c.bench_function("MBTiles: read only", |b| {
        b.iter(|| {
            i = (i + 1) % tiles.len();
            let (x, y, _) = &tiles[i];
            black_box(mb.tile(12, *x, *y).expect("read").expect("present"))
        })
    });
    c.bench_function("disk cache: read only", |b| {
        b.iter(|| {
            i = (i + 1) % tiles.len();
            let (x, y, _) = &tiles[i];
            black_box(
                cache
                    .get("bench", 12, *x, *y)
                    .expect("read")
                    .expect("present"),
            )
        })
    });
}

criterion_group!(benches, tiles);
criterion_main!(benches);
