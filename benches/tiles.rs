//! Time to get a decoded tile: from an MBTiles file, from the disk cache, and decoding alone
//! (the baseline both include). Run: `cargo bench --bench tiles`.

use std::hint::black_box;

use corridor::tiles::cache::TileCache;
use corridor::tiles::decode::decode_tile;
use corridor::tiles::mbtiles::MbTiles;
use criterion::{Criterion, criterion_group, criterion_main};

/// A 256 × 256 PNG shaped like a map tile: flat blocks (land use), roads and a little texture,
/// tens of kilobytes like OpenStreetMap's.
fn realistic_png(seed: u32) -> Vec<u8> {
    const LAND: [[u8; 3]; 5] = [
        [242, 239, 233],
        [205, 235, 176],
        [224, 223, 223],
        [170, 211, 223],
        [255, 241, 186],
    ];
    let img = image::RgbaImage::from_fn(256, 256, |x, y| {
        let block = ((x / 40 + seed) * 7 + (y / 56) * 3) % 5;
        let road = (x + seed * 5) % 64 < 3 || (y + x / 4) % 80 < 4;
        let texture = (x * 13 + y * 7 + seed).is_multiple_of(97) as u8 * 20;
        let [r, g, b] = if road {
            [250, 250, 245]
        } else {
            LAND[block as usize]
        };
        image::Rgba([r - texture, g - texture, b - texture / 2, 255])
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
