//! What the fuzz targets in `fuzz/` run, kept here so the regression test
//! (`tests/fuzz_regressions.rs`) replays exactly the same code on the inputs that once found a
//! bug. Each function takes arbitrary bytes and must return, never panic or hang.

use std::path::Path;

use crate::io::{geojson_bytes, parse_geojson};
use crate::model::LayerStyle;
use crate::render::LayerRender;

/// Parses bytes as GeoJSON; what loads is triangulated, checked for validity, saved and read
/// back, and must come back with the same features.
pub fn geojson_load(data: &[u8]) {
    let Ok(parsed) = parse_geojson(data, Path::new("fuzz.geojson")) else {
        return;
    };
    let layer = parsed.into_layer("fuzz".into(), "fuzz.geojson".into(), LayerStyle::default());
    let render = LayerRender::build(&layer);
    let _ = render.visible(&render.extent);
    for f in &layer.features {
        if let Some(g) = f.geometry() {
            let _ = crate::geometry::validity::problems(&g);
            let _ = crate::geometry::measure::geodesic_area_m2(&g);
        }
    }
    let bytes = match geojson_bytes(&layer) {
        Ok(b) => b,
        Err(e) => panic!("a loaded layer could not be written: {e}"),
    };
    match parse_geojson(&bytes, Path::new("again.geojson")) {
        Ok(again) => {
            let records = |fs: &[crate::model::Feature]| -> Vec<geojson::Feature> {
                fs.iter().map(|f| f.record().into_owned()).collect()
            };
            assert_eq!(
                records(&again.features),
                records(&layer.features),
                "saved and read back differently"
            );
        }
        Err(e) => panic!("what we wrote does not read back: {e}"),
    }
}

/// Parses bytes as a project file (first byte even) or a story file (odd), from a temporary
/// file as the app reads them.
pub fn project_parse(data: &[u8]) {
    let Some((first, text)) = data.split_first() else {
        return;
    };
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    if first % 2 == 0 {
        let path = dir.path().join("corridor.toml");
        if std::fs::write(&path, text).is_ok() {
            let _ = crate::io::load_document(&path);
        }
    } else {
        let path = dir.path().join("story.toml");
        if std::fs::write(&path, text).is_ok() {
            let _ = crate::io::story_file::read_story_checked(&path);
        }
    }
}

/// Opens bytes as an MBTiles file, reads its metadata and a tile, and decodes the tile.
pub fn mbtiles_read(data: &[u8]) {
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let path = dir.path().join("fuzz.mbtiles");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let Ok(m) = crate::tiles::mbtiles::MbTiles::open(&path) else {
        return;
    };
    let _ = m.info();
    for (z, x, y) in [(0, 0, 0), (1, 1, 0), (14, 13_000, 7_600)] {
        if let Ok(Some(bytes)) = m.tile(z, x, y) {
            let _ = crate::tiles::decode::decode_tile(&bytes);
        }
    }
}
