//! Time to get a decoded tile: from an MBTiles file, from the disk cache, and decoding alone
//! (the baseline both include); and for vector tiles, reading one from a PMTiles city extract
//! and turning it into drawables and labels with the built-in style, against reading alone.
//! Run: `cargo bench --bench tiles`. The vector extract is the Protomaps build of Florence the
//! `pmtiles` crate ships as a test fixture (ODbL), found in Cargo's registry, or the file named
//! by `CORRIDOR_VECTOR_TILES`.

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

/// The vector extract to measure: `CORRIDOR_VECTOR_TILES`, else the `pmtiles` crate's fixture.
fn vector_extract() -> std::path::PathBuf {
    if let Some(p) = std::env::var_os("CORRIDOR_VECTOR_TILES") {
        return p.into();
    }
    let home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".cargo")))
        .expect("CARGO_HOME or HOME");
    let registry = home.join("registry/src");
    for index in std::fs::read_dir(&registry).into_iter().flatten().flatten() {
        for krate in std::fs::read_dir(index.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = krate.file_name().to_string_lossy().into_owned();
            let file = krate
                .path()
                .join("fixtures/protomaps(vector)ODbL_firenze.pmtiles");
            if name.starts_with("pmtiles-") && file.is_file() {
                return file;
            }
        }
    }
    panic!(
        "no vector extract: set CORRIDOR_VECTOR_TILES to a vector .pmtiles file, or fetch the \
         pmtiles crate's sources (cargo fetch) so that its Florence fixture is in {}",
        registry.display()
    );
}

fn vector(c: &mut Criterion) {
    use corridor::model::Lang;
    use corridor::tiles::TileFile;
    use corridor::tiles::style::{Schema, default_style, in_language};
    let path = vector_extract();
    let file = TileFile::open(&path).expect("open the extract");
    let info = file.info().expect("info");
    let style = in_language(default_style(Schema::of(&info.vector_layers)), Lang::En);
    // Every tile at zooms 12 to 14: what panning over the city asks for.
    let mut ids = Vec::new();
    for z in 12..=14u8 {
        let [w, s, e, n] = info.bounds.expect("bounds");
        let col = |lon: f64| ((lon + 180.0) / 360.0 * (1u32 << z) as f64) as u32;
        let row = |lat: f64| {
            let r = f64::to_radians(lat);
            ((1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0
                * (1u32 << z) as f64) as u32
        };
        for x in col(w)..=col(e) {
            for y in row(n)..=row(s) {
                if file.tile(z, x, y).expect("read").is_some() {
                    ids.push((z, x, y));
                }
            }
        }
    }
    let bytes: usize = ids
        .iter()
        .map(|&(z, x, y)| file.tile(z, x, y).expect("read").map_or(0, |b| b.len()))
        .sum();
    eprintln!(
        "{}: {} tiles at zooms 12–14, {} KB each on average (uncompressed)",
        path.display(),
        ids.len(),
        bytes / ids.len().max(1) / 1024
    );
    let mut i = 0usize;
    c.bench_function("vector: read from PMTiles (baseline)", |b| {
        b.iter(|| {
            i = (i + 1) % ids.len();
            let (z, x, y) = ids[i];
            black_box(file.tile(z, x, y).expect("read"))
        })
    });
    c.bench_function("vector: read + decode + style (per tile)", |b| {
        b.iter(|| {
            i = (i + 1) % ids.len();
            let (z, x, y) = ids[i];
            let data = file.tile(z, x, y).expect("read").expect("present");
            black_box(walkers::Tile::from_mvt(&data, &style, z, 512).expect("decodes"))
        })
    });
}

criterion_group!(benches, tiles, vector);
criterion_main!(benches);
