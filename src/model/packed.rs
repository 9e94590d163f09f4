//! Geometry held in half the memory: coordinates that are decimals of at most seven places (as
//! most GeoJSON writers leave them; RFC 7946 suggests six) are kept as whole numbers of
//! 10⁻⁷ degree, 8 bytes a vertex instead of 16, and given back bit for bit.
//!
//! Why it is exact: the parser gives the double nearest a decimal `d / 10ᵏ` (k ≤ 7). That double
//! times 10⁷, rounded, is the integer `n = d · 10⁷⁻ᵏ` (the product's error is far below ½ while
//! `|n| < 2³¹`), and `n as f64 / 1e7` is correctly rounded by IEEE 754, so it is again the double
//! nearest `d / 10ᵏ`. Each coordinate is checked anyway; a geometry with one coordinate that
//! does not come back the same is kept as it is.

use std::borrow::Cow;

use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};

const SCALE: f64 = 1e7;

/// A feature's drawable geometry: packed when that is exact, else as `geo` holds it.
#[derive(Clone, Debug)]
pub enum Shape {
    Full(Geometry<f64>),
    Packed(Packed),
}

impl Shape {
    /// Packs `g` if every coordinate allows it.
    pub fn new(g: Geometry<f64>) -> Self {
        match Packed::of(&g) {
            Some(p) => Self::Packed(p),
            None => Self::Full(g),
        }
    }

    /// The geometry, made again if packed.
    pub fn geometry(&self) -> Cow<'_, Geometry<f64>> {
        match self {
            Self::Full(g) => Cow::Borrowed(g),
            Self::Packed(p) => Cow::Owned(p.unpack()),
        }
    }

    /// Polygon or MultiPolygon.
    pub fn is_areal(&self) -> bool {
        self.dimension() == Some(2)
    }

    /// 2 for areas, 1 for lines, 0 for points; `None` for a collection or anything else.
    pub fn dimension(&self) -> Option<u8> {
        let kind = match self {
            Self::Packed(p) => p.kind,
            Self::Full(Geometry::Point(_)) => Kind::Point,
            Self::Full(Geometry::MultiPoint(_)) => Kind::MultiPoint,
            Self::Full(Geometry::LineString(_)) => Kind::LineString,
            Self::Full(Geometry::MultiLineString(_)) => Kind::MultiLineString,
            Self::Full(Geometry::Polygon(_)) => Kind::Polygon,
            Self::Full(Geometry::MultiPolygon(_)) => Kind::MultiPolygon,
            Self::Full(_) => return None,
        };
        Some(match kind {
            Kind::Point | Kind::MultiPoint => 0,
            Kind::LineString | Kind::MultiLineString => 1,
            Kind::Polygon | Kind::MultiPolygon => 2,
        })
    }

    /// Its number of coordinates.
    pub fn vertex_count(&self) -> usize {
        match self {
            Self::Full(g) => geo::CoordsIter::coords_count(g),
            Self::Packed(p) => p.coords.len(),
        }
    }

    /// Heap bytes held by the coordinates and their structure.
    pub fn heap_bytes(&self) -> usize {
        match self {
            Self::Full(g) => geo::CoordsIter::coords_count(g) * 16,
            Self::Packed(p) => p.coords.len() * 8 + (p.lens.len() + p.rings.len()) * 4,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Point,
    MultiPoint,
    LineString,
    MultiLineString,
    Polygon,
    MultiPolygon,
}

/// Coordinates in 10⁻⁷ degree, with the lengths that give them their structure.
#[derive(Clone, Debug)]
pub struct Packed {
    kind: Kind,
    /// Points per line or ring, in order (empty for points).
    lens: Box<[u32]>,
    /// Rings per polygon of a MultiPolygon (empty otherwise).
    rings: Box<[u32]>,
    coords: Box<[[i32; 2]]>,
}

fn pack(c: Coord<f64>) -> Option<[i32; 2]> {
    let one = |v: f64| -> Option<i32> {
        let n = (v * SCALE).round();
        // Also refuses NaN, whose comparisons are all false.
        if n.is_nan() || n.abs() > i32::MAX as f64 {
            return None;
        }
        let n = n as i32;
        ((n as f64 / SCALE).to_bits() == v.to_bits()).then_some(n)
    };
    Some([one(c.x)?, one(c.y)?])
}

fn unpack(c: [i32; 2]) -> Coord<f64> {
    Coord {
        x: c[0] as f64 / SCALE,
        y: c[1] as f64 / SCALE,
    }
}

impl Packed {
    /// `g` packed, if it is of a kind kept this way and every coordinate comes back exactly.
    pub fn of(g: &Geometry<f64>) -> Option<Self> {
        let mut coords: Vec<[i32; 2]> = Vec::with_capacity(geo::CoordsIter::coords_count(g));
        let mut lens: Vec<u32> = Vec::new();
        let mut rings: Vec<u32> = Vec::new();
        let mut line = |l: &LineString<f64>, coords: &mut Vec<[i32; 2]>| -> Option<()> {
            lens.push(u32::try_from(l.0.len()).ok()?);
            for c in &l.0 {
                coords.push(pack(*c)?);
            }
            Some(())
        };
        let kind = match g {
            Geometry::Point(p) => {
                coords.push(pack(p.0)?);
                Kind::Point
            }
            Geometry::MultiPoint(mp) => {
                for p in &mp.0 {
                    coords.push(pack(p.0)?);
                }
                Kind::MultiPoint
            }
            Geometry::LineString(l) => {
                line(l, &mut coords)?;
                Kind::LineString
            }
            Geometry::MultiLineString(ml) => {
                for l in &ml.0 {
                    line(l, &mut coords)?;
                }
                Kind::MultiLineString
            }
            Geometry::Polygon(p) => {
                line(p.exterior(), &mut coords)?;
                for r in p.interiors() {
                    line(r, &mut coords)?;
                }
                Kind::Polygon
            }
            Geometry::MultiPolygon(mp) => {
                for p in &mp.0 {
                    rings.push(u32::try_from(1 + p.interiors().len()).ok()?);
                    line(p.exterior(), &mut coords)?;
                    for r in p.interiors() {
                        line(r, &mut coords)?;
                    }
                }
                Kind::MultiPolygon
            }
            _ => return None,
        };
        Some(Self {
            kind,
            lens: lens.into_boxed_slice(),
            rings: rings.into_boxed_slice(),
            coords: coords.into_boxed_slice(),
        })
    }

    /// The geometry again, bit for bit.
    pub fn unpack(&self) -> Geometry<f64> {
        let mut at = 0usize;
        let mut lens = self.lens.iter().map(|&n| n as usize);
        let mut next_line = || -> LineString<f64> {
            let n = lens.next().unwrap_or(0);
            let end = (at + n).min(self.coords.len());
            let l = LineString::new(self.coords[at..end].iter().map(|&c| unpack(c)).collect());
            at = end;
            l
        };
        let mut polygon = |rings: usize| -> Polygon<f64> {
            let exterior = next_line();
            let interiors = (1..rings).map(|_| next_line()).collect();
            Polygon::new(exterior, interiors)
        };
        match self.kind {
            Kind::Point => Geometry::Point(Point(
                self.coords
                    .first()
                    .map_or(Coord { x: 0.0, y: 0.0 }, |&c| unpack(c)),
            )),
            Kind::MultiPoint => Geometry::MultiPoint(MultiPoint(
                self.coords.iter().map(|&c| Point(unpack(c))).collect(),
            )),
            Kind::LineString => Geometry::LineString(next_line()),
            Kind::MultiLineString => Geometry::MultiLineString(MultiLineString(
                (0..self.lens.len()).map(|_| next_line()).collect(),
            )),
            Kind::Polygon => Geometry::Polygon(polygon(self.lens.len())),
            Kind::MultiPolygon => Geometry::MultiPolygon(MultiPolygon(
                self.rings.iter().map(|&r| polygon(r as usize)).collect(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> (Geometry<f64>, Shape) {
        let g: geojson::Geometry = serde_json::from_str(text).expect("geojson");
        let d = crate::model::drawable(&g).expect("drawable");
        (d.clone(), Shape::new(d))
    }

    #[test]
    fn decimals_of_up_to_seven_places_are_packed_and_come_back_bit_for_bit() {
        for text in [
            r#"{"type":"Point","coordinates":[106.693489,11.169938]}"#,
            r#"{"type":"MultiPoint","coordinates":[[106.6934891,11.1699381],[-0.5,0]]}"#,
            r#"{"type":"LineString","coordinates":[[106.6,11],[106.7,11.1],[179.9999999,-89.9999999]]}"#,
            r#"{"type":"MultiLineString","coordinates":[[[106.6,11],[106.7,11.1]],[[1,2],[3,4],[5,6]]]}"#,
            r#"{"type":"Polygon","coordinates":[[[106.6,11],[106.7,11],[106.7,11.1],[106.6,11]],[[106.62,11.02],[106.64,11.02],[106.64,11.04],[106.62,11.02]]]}"#,
            r#"{"type":"MultiPolygon","coordinates":[[[[106.6,11],[106.7,11],[106.7,11.1],[106.6,11]]],[[[1,1],[2,1],[2,2],[1,1]],[[1.2,1.2],[1.4,1.2],[1.4,1.4],[1.2,1.2]]]]}"#,
        ] {
            let (g, s) = round_trip(text);
            assert!(matches!(s, Shape::Packed(_)), "{text}");
            assert_eq!(*s.geometry(), g, "{text}");
            let bits = |g: &Geometry<f64>| -> Vec<(u64, u64)> {
                geo::CoordsIter::coords_iter(g)
                    .map(|c| (c.x.to_bits(), c.y.to_bits()))
                    .collect()
            };
            assert_eq!(bits(&s.geometry()), bits(&g), "{text}");
        }
    }

    #[test]
    fn other_coordinates_are_kept_as_they_are() {
        for text in [
            // More places than seven (as QGIS writes them).
            r#"{"type":"Point","coordinates":[106.69348912345678,11.169938]}"#,
            // -0.0 would come back as 0.0.
            r#"{"type":"Point","coordinates":[-0.0,11.0]}"#,
            // Beyond 214.7°, past what 32 bits hold (a line unwrapped across the antimeridian).
            r#"{"type":"LineString","coordinates":[[179.5,0],[-140.5,0]]}"#,
            r#"{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]}]}"#,
        ] {
            let (g, s) = round_trip(text);
            assert!(matches!(s, Shape::Full(_)), "{text}");
            assert_eq!(*s.geometry(), g);
        }
    }

    #[test]
    fn only_areas_are_areal() {
        assert!(
            round_trip(r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}"#)
                .1
                .is_areal()
        );
        assert!(
            !round_trip(r#"{"type":"LineString","coordinates":[[0,0],[1,0]]}"#)
                .1
                .is_areal()
        );
    }
}
