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
    // The feature reader gives what geojson's gives, or leaves it to geojson's: on the input
    // as a feature, and on each feature of it as a collection.
    #[derive(serde::Deserialize)]
    struct Collection<'a> {
        #[serde(borrow)]
        features: Vec<&'a serde_json::value::RawValue>,
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let features = serde_json::from_str::<Collection>(text)
            .map(|c| c.features.iter().map(|f| f.get()).collect())
            .unwrap_or_else(|_| vec![text]);
        for text in features {
            if let Some(ours) = crate::io::geojson_feature::read(text) {
                assert_eq!(
                    serde_json::from_str::<geojson::Feature>(text).ok(),
                    Some(ours),
                    "the feature reader and geojson's disagree"
                );
            }
        }
    }
    let parsed = parse_geojson(data, Path::new("fuzz.geojson"));
    // Read a window at a time, as the app reads a file: whatever that reads, the whole text
    // reads the same.
    for window in [1 + data.len() % 61, 4096] {
        use crate::io::geojson_feature::{Streamed, read_collection_from};
        let streamed = read_collection_from(
            &mut &data[..],
            (window, data.len() as u64),
            |_| true,
            |_, f| f.into_record(),
        );
        if let Ok(Streamed::Read((features, bbox, members))) = streamed {
            let Ok(whole) = &parsed else {
                panic!("read a window at a time, but not whole");
            };
            let records: Vec<geojson::Feature> = whole
                .features
                .iter()
                .map(|f| f.record().into_owned())
                .collect();
            assert_eq!(records, features, "window {window}: features");
            let crate::model::SourceForm::FeatureCollection {
                bbox: whole_bbox,
                foreign_members,
            } = &whole.form
            else {
                panic!("window {window}: read as a collection, but not whole");
            };
            assert_eq!(whole_bbox, &bbox, "window {window}: bbox");
            assert_eq!(
                foreign_members, &members,
                "window {window}: foreign members"
            );
        }
    }
    let Ok(parsed) = parsed else {
        return;
    };
    let layer = parsed.into_layer("fuzz".into(), "fuzz.geojson".into(), LayerStyle::default());
    let render = LayerRender::build(&layer);
    let _ = render.visible(&render.extent);
    for f in layer.features() {
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
            let records = |fs: &mut dyn Iterator<Item = &crate::model::Feature>| {
                fs.map(|f| f.record().into_owned())
                    .collect::<Vec<geojson::Feature>>()
            };
            assert_eq!(
                records(&mut again.features.iter()),
                records(&mut layer.features().iter().map(|f| &**f)),
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

/// Marks where one file of a multi-file format ends and the next begins in a fuzz input.
pub const PART: &[u8] = b"\n--PART--\n";

/// The endings [`ogr_read`] picks from (by the input's first byte), and the files of each: a
/// Shapefile is .shp, .shx, .dbf, .prj and .cpg; a MapInfo MIF is .mif and .mid; a TAB is .tab,
/// .map, .id and .dat.
pub const OGR_KINDS: &[(&str, &[&str])] = &[
    ("shp", &["shp", "shx", "dbf", "prj", "cpg"]),
    ("gpkg", &["gpkg"]),
    ("mif", &["mif", "mid"]),
    ("tab", &["tab", "map", "id", "dat"]),
    ("kml", &["kml"]),
    ("fgb", &["fgb"]),
    ("dxf", &["dxf"]),
    ("zip", &["zip"]),
    ("gml", &["gml"]),
    ("kmz", &["kmz"]),
];

/// Writes a fuzz input as the files of one format (the first byte picks it; [`PART`] separates
/// the files of a multi-file format) and opens it as the app does: the tables listed, read with
/// and without an assumed coordinate system and decoding, loaded as a layer and drawn; what
/// loads is exported as a GeoPackage and must read back with as many features.
pub fn ogr_read(data: &[u8]) {
    use crate::io::ogr_file::{OgrOptions, list_tables, load_layer, read_ogr, write_ogr};
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let Some(path) = write_ogr_input(data, dir.path()) else {
        return;
    };
    let _ = list_tables(&path);
    let _ = read_ogr(&path, &OgrOptions::default());
    let _ = read_ogr(
        &path,
        &OgrOptions {
            layer: None,
            assume_crs: Some("EPSG:9210".to_owned()),
            decode: Some(crate::io::vn_text::LegacyEncoding::Tcvn3),
        },
    );
    let Ok(layer) = load_layer(
        "fuzz".into(),
        &path,
        LayerStyle::default(),
        &crate::model::ReadSettings::default(),
    ) else {
        return;
    };
    let render = LayerRender::build(&layer);
    let _ = render.visible(&render.extent);
    let records: Vec<geojson::Feature> = layer
        .features()
        .iter()
        .map(|f| f.record().into_owned())
        .collect();
    let out = dir.path().join("out.gpkg");
    if write_ogr(&records, &out, None, None).is_ok() {
        match read_ogr(&out, &OgrOptions::default()) {
            Ok(back) => assert_eq!(
                back.features.len(),
                records.len(),
                "exported and read back a different number of features"
            ),
            Err(e) => panic!("what we wrote does not read back: {e}"),
        }
    }
}

/// Writes an [`ogr_read`] input into `dir` as the files of its format; returns the main one.
pub fn write_ogr_input(data: &[u8], dir: &Path) -> Option<std::path::PathBuf> {
    let (&kind, rest) = data.split_first()?;
    let (ext, files) = OGR_KINDS[usize::from(kind) % OGR_KINDS.len()];
    let mut parts = split_parts(rest).into_iter();
    for file_ext in files {
        let part = parts.next().unwrap_or_default();
        if part.is_empty() && *file_ext != ext {
            continue;
        }
        std::fs::write(dir.join(format!("fuzz.{file_ext}")), part).ok()?;
    }
    Some(dir.join(format!("fuzz.{ext}")))
}

/// The files of a fuzz input for a multi-file format, split at [`PART`].
fn split_parts(data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    while let Some(at) = rest.windows(PART.len()).position(|w| w == PART) {
        out.push(&rest[..at]);
        rest = &rest[at + PART.len()..];
    }
    out.push(rest);
    out
}

/// Legacy Vietnamese text: decoding, encoding and detecting any text returns; Vietnamese
/// letters survive encoding into TCVN3 or VNI and decoding back.
pub fn vn_text(data: &[u8]) {
    use crate::io::vn_text::{LegacyEncoding, decode, detect, encode, tcvn3_table};
    let text = String::from_utf8_lossy(data);
    for e in LegacyEncoding::ALL {
        let _ = decode(&text, e);
        let _ = encode(&text, e);
    }
    let _ = detect(text.split('|'));
    let letters: String = text
        .chars()
        .filter(|c| {
            *c == ' '
                || c.is_ascii_lowercase()
                || (c.is_lowercase() && tcvn3_table().values().any(|v| v == c))
        })
        .collect();
    for e in LegacyEncoding::ALL {
        assert_eq!(
            decode(&encode(&letters, e), e),
            letters,
            "{} did not round-trip",
            e.name()
        );
    }
}
