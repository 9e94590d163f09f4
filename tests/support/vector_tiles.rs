//! Small tile files made in the tests: vector tiles in the Protomaps basemap schema over the
//! shared ward boundaries (encoded with geozero's MVT writer), written as PMTiles (the
//! `pmtiles` crate) or MBTiles; and one-colour raster files.

#![allow(dead_code)]

use std::io::Write;
use std::path::Path;

use geo::{BoundingRect, Centroid, Simplify};
use geozero::ToMvt;
use geozero::mvt::{Message, TagsBuilder, Tile, TileValue, tile};

use super::data::shared_data;

/// Where the synthetic water and road lie (not real places: only for checking the drawing).
pub const LAKE: [f64; 4] = [106.640, 10.990, 106.660, 11.005];
pub const ROAD_LAT: f64 = 11.030;
/// The area the test files cover.
pub const BBOX: [f64; 4] = [106.55, 10.93, 106.80, 11.10];

/// The ward file; a clear failure when the shared data is missing.
pub fn wards() -> Vec<(String, String, geo::MultiPolygon<f64>)> {
    let path =
        shared_data().join("real/vn-provinces-2025/former_binh_duong_wards_2025_merged.geojson");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the shared ward boundaries are needed for this test: {}: {e}",
            path.display()
        )
    });
    let fc: geojson::FeatureCollection = text.parse().expect("ward GeoJSON");
    fc.features
        .into_iter()
        .filter_map(|f| {
            let props = f.properties.clone()?;
            let name = props.get("name")?.as_str()?.to_owned();
            let en = props.get("nameEn")?.as_str()?.to_owned();
            let geom: geo::Geometry<f64> = f.geometry?.try_into().ok()?;
            let mp = match geom {
                geo::Geometry::MultiPolygon(mp) => mp,
                geo::Geometry::Polygon(p) => geo::MultiPolygon(vec![p]),
                _ => return None,
            };
            Some((name, en, mp))
        })
        .collect()
}

/// `[west, south, east, north]` of tile z/x/y.
pub fn tile_bounds(z: u8, x: u32, y: u32) -> [f64; 4] {
    corridor::tiles::layer::tile_bounds(walkers::TileId { x, y, zoom: z })
}

/// The tiles of `bbox` at zoom `z`.
pub fn tiles_of(bbox: [f64; 4], z: u8) -> Vec<(u32, u32)> {
    let n = 1u32 << z;
    let col = |lon: f64| (((lon + 180.0) / 360.0 * n as f64).floor() as u32).min(n - 1);
    let row = |lat: f64| {
        let r = lat.to_radians();
        (((1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0 * n as f64).floor()
            as u32)
            .min(n - 1)
    };
    let mut out = Vec::new();
    for x in col(bbox[0])..=col(bbox[2]) {
        for y in row(bbox[3])..=row(bbox[1]) {
            out.push((x, y));
        }
    }
    out
}

/// Mercator "up" y of a latitude: linear with the tile grid, as MVT geometry must be.
fn merc_y(lat: f64) -> f64 {
    let r = lat.to_radians();
    (std::f64::consts::FRAC_PI_4 + r / 2.0).tan().ln()
}

fn to_merc(g: &geo::Geometry<f64>) -> geo::Geometry<f64> {
    use geo::MapCoords;
    g.map_coords(|c| geo::coord! { x: c.x, y: merc_y(c.y) })
}

struct LayerBuilder {
    name: &'static str,
    features: Vec<tile::Feature>,
    tags: TagsBuilder,
}

impl LayerBuilder {
    fn new(name: &'static str) -> Self {
        Self {
            name,
            features: Vec::new(),
            tags: TagsBuilder::new(),
        }
    }

    fn add(&mut self, g: &geo::Geometry<f64>, b: [f64; 4], props: &[(&str, TileValue)]) {
        let mut f = to_merc(g)
            .to_mvt(4096, b[0], merc_y(b[1]), b[2], merc_y(b[3]))
            .expect("encode MVT geometry");
        for (k, v) in props {
            let (ki, vi) = self.tags.insert_ref(k, v.clone());
            f.tags.push(ki);
            f.tags.push(vi);
        }
        self.features.push(f);
    }

    fn finish(self) -> tile::Layer {
        let (keys, values) = self.tags.into_tags();
        tile::Layer {
            version: 2,
            name: self.name.to_owned(),
            features: self.features,
            keys,
            values: values.into_iter().map(Into::into).collect(),
            extent: Some(4096),
        }
    }
}

fn s(v: &str) -> TileValue {
    TileValue::Str(v.to_owned())
}

/// One vector tile: land, a lake, a road, ward boundaries and a label at each ward's centre.
pub fn vector_tile(
    z: u8,
    x: u32,
    y: u32,
    wards: &[(String, String, geo::MultiPolygon<f64>)],
) -> Vec<u8> {
    let b = tile_bounds(z, x, y);
    let pad = (b[2] - b[0]) * 0.1;
    let tile_rect = geo::Rect::new(
        geo::coord! { x: b[0] - pad, y: b[1] - pad },
        geo::coord! { x: b[2] + pad, y: b[3] + pad },
    );
    let mut earth = LayerBuilder::new("earth");
    earth.add(&tile_rect.to_polygon().into(), b, &[("kind", s("earth"))]);
    let mut water = LayerBuilder::new("water");
    let lake = geo::Rect::new(
        geo::coord! { x: LAKE[0], y: LAKE[1] },
        geo::coord! { x: LAKE[2], y: LAKE[3] },
    );
    water.add(&lake.to_polygon().into(), b, &[("kind", s("lake"))]);
    let mut roads = LayerBuilder::new("roads");
    let road = geo::LineString::from(vec![(BBOX[0], ROAD_LAT), (BBOX[2], ROAD_LAT)]);
    roads.add(
        &road.into(),
        b,
        &[("kind", s("highway")), ("name", s("Test road"))],
    );
    let mut boundaries = LayerBuilder::new("boundaries");
    let mut places = LayerBuilder::new("places");
    let tolerance = (b[2] - b[0]) / 512.0;
    for (name, en, mp) in wards {
        let Some(r) = mp.bounding_rect() else {
            continue;
        };
        let touches = r.min().x < tile_rect.max().x
            && r.max().x > tile_rect.min().x
            && r.min().y < tile_rect.max().y
            && r.max().y > tile_rect.min().y;
        if !touches {
            continue;
        }
        for poly in &mp.simplify(tolerance).0 {
            boundaries.add(
                &poly.exterior().clone().into(),
                b,
                &[("kind", s("locality")), ("kind_detail", s("8"))],
            );
        }
        if let Some(c) = mp.centroid() {
            places.add(
                &c.into(),
                b,
                &[
                    ("kind", s("locality")),
                    ("name", s(name)),
                    ("name:en", s(en)),
                    ("population_rank", TileValue::Uint(12)),
                ],
            );
        }
    }
    let tile = Tile {
        layers: vec![
            earth.finish(),
            water.finish(),
            roads.finish(),
            boundaries.finish(),
            places.finish(),
        ],
    };
    tile.encode_to_vec()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).expect("gzip");
    gz.finish().expect("gzip")
}

const METADATA: &str = r#"{"name":"Test vector basemap","attribution":"Test data © geoBoundaries, vietnamese-provinces-database","vector_layers":[{"id":"earth"},{"id":"water"},{"id":"roads"},{"id":"boundaries"},{"id":"places"}]}"#;

/// A vector PMTiles file of `BBOX` at zooms `zooms`.
pub fn vector_pmtiles(out: &Path, zooms: std::ops::RangeInclusive<u8>) {
    let wards = wards();
    let f = std::fs::File::create(out).expect("create pmtiles");
    let mut w = pmtiles::PmTilesWriter::new(pmtiles::TileType::Mvt)
        .metadata(METADATA)
        .min_zoom(*zooms.start())
        .max_zoom(*zooms.end())
        .bounds(BBOX[0], BBOX[1], BBOX[2], BBOX[3])
        .center((BBOX[0] + BBOX[2]) / 2.0, (BBOX[1] + BBOX[3]) / 2.0)
        .create(std::io::BufWriter::new(f))
        .expect("pmtiles writer");
    let mut all = Vec::new();
    for z in zooms {
        for (x, y) in tiles_of(BBOX, z) {
            let id = pmtiles::TileId::from(pmtiles::TileCoord::new(z, x, y).expect("coord"));
            all.push((id.value(), z, x, y));
        }
    }
    all.sort_unstable();
    for (_, z, x, y) in all {
        let coord = pmtiles::TileCoord::new(z, x, y).expect("coord");
        w.add_tile(coord, &vector_tile(z, x, y, &wards))
            .expect("add tile");
    }
    w.finalize().expect("finalize");
}

/// A vector MBTiles file of `BBOX` (gzipped tiles), written to the 1.0 specification: no
/// `format` key at all.
pub fn vector_mbtiles_without_format(out: &Path, zooms: std::ops::RangeInclusive<u8>) {
    let wards = wards();
    let m = corridor::tiles::mbtiles::MbTiles::create(out).expect("create mbtiles");
    m.set_metadata("name", "Test vector basemap").expect("meta");
    m.set_metadata("json", METADATA).expect("meta");
    m.set_metadata(
        "attribution",
        "Test data © geoBoundaries, vietnamese-provinces-database",
    )
    .expect("meta");
    for z in zooms {
        for (x, y) in tiles_of(BBOX, z) {
            m.put_tile(z, x, y, &gzip(&vector_tile(z, x, y, &wards)))
                .expect("tile");
        }
    }
    m.finish().expect("finish");
}

/// A PNG of one colour, `size` pixels square.
pub fn png(colour: [u8; 3], size: u32) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(size, size, image::Rgb(colour));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

/// A raster PMTiles file of one-colour tiles covering the world, zooms 0 to `max_zoom`.
pub fn raster_pmtiles(out: &Path, colour: [u8; 3], size: u32, max_zoom: u8) {
    let f = std::fs::File::create(out).expect("create pmtiles");
    let mut w = pmtiles::PmTilesWriter::new(pmtiles::TileType::Png)
        .metadata(r#"{"name":"One colour","attribution":"Test raster tiles"}"#)
        .min_zoom(0)
        .max_zoom(max_zoom)
        .create(std::io::BufWriter::new(f))
        .expect("pmtiles writer");
    let tile = png(colour, size);
    for z in 0..=max_zoom {
        let n = 1u32 << z;
        let mut all = Vec::new();
        for x in 0..n {
            for y in 0..n {
                let c = pmtiles::TileCoord::new(z, x, y).expect("coord");
                all.push((pmtiles::TileId::from(c).value(), c));
            }
        }
        all.sort_unstable_by_key(|(id, _)| *id);
        for (_, c) in all {
            w.add_tile(c, &tile).expect("add tile");
        }
    }
    w.finalize().expect("finalize");
}

/// A raster MBTiles file with no `format` key, one-colour tiles at zoom 0 to `max_zoom`.
pub fn raster_mbtiles_without_format(out: &Path, colour: [u8; 3], max_zoom: u8) {
    let m = corridor::tiles::mbtiles::MbTiles::create(out).expect("create mbtiles");
    m.set_metadata("name", "One colour").expect("meta");
    let tile = png(colour, 256);
    for z in 0..=max_zoom {
        let n = 1u32 << z;
        for x in 0..n {
            for y in 0..n {
                m.put_tile(z, x, y, &tile).expect("tile");
            }
        }
    }
    m.finish().expect("finish");
}

/// The centroid of the ward named `name`.
pub fn ward_centre(name: &str) -> [f64; 2] {
    let wards = wards();
    let (_, _, mp) = wards
        .iter()
        .find(|(n, _, _)| n == name)
        .unwrap_or_else(|| panic!("no ward named {name}"));
    let c = mp.centroid().expect("centroid");
    [c.x(), c.y()]
}
