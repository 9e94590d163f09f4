//! Geometry held in a quarter of the memory or less: coordinates that are decimals of at most
//! seven places (as most GeoJSON writers leave them; RFC 7946 suggests six) are kept as whole
//! numbers of 10⁻⁷ degree, and given back bit for bit. Those numbers are held as each vertex's
//! step from the one before, in the coarsest power-of-ten unit that divides them all, as
//! variable-length integers: neighbouring vertices of a parcel lie metres apart, so a step takes
//! one or two bytes where a coordinate took eight (16 bytes a vertex in `geo`, 2 to 4 here).
//!
//! Why it is exact: the parser gives the double nearest a decimal `d / 10ᵏ` (k ≤ 7). That double
//! times 10⁷, rounded, is the integer `n = d · 10⁷⁻ᵏ` (the product's error is far below ½ while
//! `|n| < 2³¹`), and `n as f64 / 1e7` is correctly rounded by IEEE 754, so it is again the double
//! nearest `d / 10ᵏ`. Each coordinate is checked anyway; a geometry with one coordinate that
//! does not come back the same is kept as it is. Steps and units are integer arithmetic, exact.

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
            Self::Packed(p) => p.count as usize,
        }
    }

    /// Heap bytes held by the coordinates and their structure.
    pub fn heap_bytes(&self) -> usize {
        match self {
            Self::Full(g) => geo::CoordsIter::coords_count(g) * 16,
            Self::Packed(p) => p.steps.len() + (p.lens.len() + p.rings.len()) * 4,
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

/// Coordinates in 10⁻⁷ degree, as steps from one to the next, with the lengths that give them
/// their structure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packed {
    kind: Kind,
    /// The steps' unit: 10^`unit` × 10⁻⁷ degree (0 to 7).
    unit: u8,
    /// Number of coordinates.
    count: u32,
    /// Points per line or ring, in order (empty for points).
    lens: Box<[u32]>,
    /// Rings per polygon of a MultiPolygon (empty otherwise).
    rings: Box<[u32]>,
    /// Each coordinate's x then y as its step from the coordinate before (the first from 0), in
    /// units of `unit`, zigzag-coded as LEB128 variable-length integers. A polygon's or
    /// multipolygon's come after its box over its exteriors ([`BOX_BYTES`]), taken as it is
    /// packed: a first view that draws it as a dot needs only that. (Held here, not in a field
    /// of its own: a feature of 100 000 stays within 128 bytes.)
    steps: Box<[u8]>,
}

/// Bytes of a polygon's or multipolygon's box before its steps: west, south, east and north in
/// 10⁻⁷ degree, each 4 bytes little-endian (no box: west above east).
const BOX_BYTES: usize = 16;

/// Whether a geometry of `kind` holds its box before its steps ([`BOX_BYTES`]).
fn has_box(kind: Kind) -> bool {
    matches!(kind, Kind::Polygon | Kind::MultiPolygon)
}

/// What goes before the steps of a geometry of `kind` with exterior box `b`.
fn box_prefix(kind: Kind, b: Option<[i32; 4]>) -> Vec<u8> {
    if !has_box(kind) {
        return Vec::new();
    }
    let b = b.unwrap_or([i32::MAX, i32::MAX, i32::MIN, i32::MIN]);
    b.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// The box over the exteriors of a polygon or multipolygon of `kind` whose coordinates, line
/// lengths and rings per polygon are `coords`, `lens` and `rings`; `None` for other kinds or
/// no coordinate.
fn exterior_of(kind: Kind, coords: &[[i32; 2]], lens: &[u32], rings: &[u32]) -> Option<[i32; 4]> {
    let one = [u32::try_from(lens.len()).ok()?];
    let per_polygon: &[u32] = match kind {
        Kind::Polygon => &one,
        Kind::MultiPolygon => rings,
        _ => return None,
    };
    let mut b = [i32::MAX, i32::MAX, i32::MIN, i32::MIN];
    let mut lens = lens.iter().map(|&n| n as usize);
    let mut at = 0;
    for &n in per_polygon {
        for ring in 0..n {
            let len = lens.next().unwrap_or(0);
            let end = (at + len).min(coords.len());
            if ring == 0 {
                for c in coords.get(at..end).unwrap_or_default() {
                    b = [
                        b[0].min(c[0]),
                        b[1].min(c[1]),
                        b[2].max(c[0]),
                        b[3].max(c[1]),
                    ];
                }
            }
            at = end;
        }
    }
    (b[0] <= b[2] && b[1] <= b[3]).then_some(b)
}

const POW10: [i64; 8] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];

/// The largest power of ten (up to 10⁷) that divides every value of `coords`.
fn unit_of(coords: &[[i32; 2]]) -> u8 {
    let mut unit = 7usize;
    for c in coords {
        for v in c {
            while unit > 0 && i64::from(*v) % POW10[unit] != 0 {
                unit -= 1;
            }
        }
        if unit == 0 {
            break;
        }
    }
    unit as u8
}

/// `coords` as steps (see [`Packed::steps`]).
fn encode(coords: &[[i32; 2]], unit: u8, prefix: &[u8]) -> Box<[u8]> {
    // A constant divisor each: a multiplication and a shift instead of a division a value.
    match unit {
        0 => encode_in::<1>(coords, prefix),
        1 => encode_in::<10>(coords, prefix),
        2 => encode_in::<100>(coords, prefix),
        3 => encode_in::<1_000>(coords, prefix),
        4 => encode_in::<10_000>(coords, prefix),
        5 => encode_in::<100_000>(coords, prefix),
        6 => encode_in::<1_000_000>(coords, prefix),
        _ => encode_in::<10_000_000>(coords, prefix),
    }
}

/// [`encode`] in units of `DIV` × 10⁻⁷ degree, after `prefix`.
fn encode_in<const DIV: i64>(coords: &[[i32; 2]], prefix: &[u8]) -> Box<[u8]> {
    let mut out = Vec::with_capacity(prefix.len() + coords.len() * 3 + 8);
    out.extend_from_slice(prefix);
    let mut prev = [0i64; 2];
    for c in coords {
        for (v, p) in c.iter().zip(&mut prev) {
            let v = i64::from(*v) / DIV;
            let step = v - *p;
            *p = v;
            // Zigzag: small steps either way give small numbers.
            let mut z = ((step << 1) ^ (step >> 63)) as u64;
            while z >= 0x80 {
                out.push((z as u8) | 0x80);
                z >>= 7;
            }
            out.push(z as u8);
        }
    }
    out.into_boxed_slice()
}

/// The coordinates that `steps` hold, in turn (see [`Packed::steps`]).
struct Steps<'a> {
    bytes: &'a [u8],
    at: usize,
    prev: [i64; 2],
    mul: i64,
}

impl<'a> Steps<'a> {
    fn new(p: &'a Packed) -> Self {
        Self {
            bytes: p.steps.get(p.steps_start()..).unwrap_or_default(),
            at: 0,
            prev: [0; 2],
            mul: POW10[usize::from(p.unit.min(7))],
        }
    }

    fn varint(&mut self) -> u64 {
        let mut z = 0u64;
        let mut shift = 0u32;
        while let Some(&b) = self.bytes.get(self.at) {
            self.at += 1;
            if shift < 64 {
                z |= u64::from(b & 0x7f) << shift;
            }
            if b < 0x80 {
                break;
            }
            shift += 7;
        }
        z
    }

    fn next_coord(&mut self) -> Coord<f64> {
        let mut xy = [0.0; 2];
        for (out, p) in xy.iter_mut().zip(0..2) {
            let z = self.varint();
            let step = (z >> 1) as i64 ^ -((z & 1) as i64);
            self.prev[p] = self.prev[p].wrapping_add(step);
            *out = self.prev[p].wrapping_mul(self.mul) as f64 / SCALE;
        }
        Coord { x: xy[0], y: xy[1] }
    }
}

impl Iterator for Steps<'_> {
    type Item = Coord<f64>;

    fn next(&mut self) -> Option<Coord<f64>> {
        (self.at < self.bytes.len()).then(|| self.next_coord())
    }
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
        let unit = unit_of(&coords);
        Some(Self {
            kind,
            unit,
            count: u32::try_from(coords.len()).ok()?,
            steps: encode(
                &coords,
                unit,
                &box_prefix(kind, exterior_of(kind, &coords, &lens, &rings)),
            ),
            lens: lens.into_boxed_slice(),
            rings: rings.into_boxed_slice(),
        })
    }

    /// Packed from whole numbers of 10⁻⁷ degree read from the text's decimals, `unit` being the
    /// largest power of ten (up to 10⁷) that divides every one of them: what [`Packed::of`]
    /// makes of the geometry of `kind` whose coordinates are those numbers over 10⁷ (each the
    /// double nearest its decimal, as a parser gives it), without the doubles. `lens` and
    /// `rings` are as [`Packed::lens`] and [`Packed::rings`] hold them for `kind`.
    pub(crate) fn from_ints(
        kind: Kind,
        coords: &[[i32; 2]],
        lens: &[u32],
        rings: &[u32],
        unit: u8,
    ) -> Option<Self> {
        debug_assert_eq!(unit, unit_of(coords), "the unit of {coords:?}");
        Some(Self {
            kind,
            unit: unit.min(7),
            count: u32::try_from(coords.len()).ok()?,
            lens: lens.into(),
            rings: rings.into(),
            steps: encode(
                coords,
                unit,
                &box_prefix(kind, exterior_of(kind, coords, lens, rings)),
            ),
        })
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Points per line or ring, in order (empty for points).
    pub fn lens(&self) -> &[u32] {
        &self.lens
    }

    /// Rings per polygon of a MultiPolygon (empty otherwise).
    pub fn rings(&self) -> &[u32] {
        &self.rings
    }

    /// Every coordinate, in order, bit for bit as [`Packed::unpack`] gives them, in one
    /// allocation: what a build needs without the geometry's structure.
    pub fn coords(&self) -> Vec<Coord<f64>> {
        let mut out = Vec::with_capacity(self.count as usize);
        out.extend(Steps::new(self).take(self.count as usize));
        out
    }

    /// A polygon's or multipolygon's box over its exteriors (`[west, south, east, north]`, as
    /// the coordinates are given back), kept from when it was packed: what a first view needs
    /// of a feature that is a dot in it. `None` for other kinds, and for no coordinate at all.
    pub fn exterior_box(&self) -> Option<[f64; 4]> {
        // As the steps give each coordinate back (`Steps::next_coord`), so each bound is one
        // of the coordinates' own doubles.
        let d = |v: i32| i64::from(v) as f64 / SCALE;
        if !has_box(self.kind) {
            return None;
        }
        let at = |k: usize| -> Option<i32> {
            let bytes = self.steps.get(k * 4..k * 4 + 4)?;
            Some(i32::from_le_bytes(bytes.try_into().ok()?))
        };
        let b = [at(0)?, at(1)?, at(2)?, at(3)?];
        (b[0] <= b[2]).then(|| [d(b[0]), d(b[1]), d(b[2]), d(b[3])])
    }

    /// Where the steps start in [`Packed::steps`] (after a polygon's box).
    fn steps_start(&self) -> usize {
        if has_box(self.kind) { BOX_BYTES } else { 0 }
    }

    /// The geometry again, bit for bit.
    pub fn unpack(&self) -> Geometry<f64> {
        let mut steps = Steps::new(self);
        let mut left = self.count as usize;
        let mut lens = self.lens.iter().map(|&n| n as usize);
        let mut next_line = || -> LineString<f64> {
            let n = lens.next().unwrap_or(0).min(left);
            left -= n;
            LineString::new((0..n).map(|_| steps.next_coord()).collect())
        };
        let mut polygon = |rings: usize| -> Polygon<f64> {
            let exterior = next_line();
            let interiors = (1..rings).map(|_| next_line()).collect();
            Polygon::new(exterior, interiors)
        };
        match self.kind {
            Kind::Point => Geometry::Point(Point(Steps::new(self).next_coord())),
            Kind::MultiPoint => {
                let mut steps = Steps::new(self);
                Geometry::MultiPoint(MultiPoint(
                    (0..self.count).map(|_| Point(steps.next_coord())).collect(),
                ))
            }
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
    fn the_box_kept_is_the_box_of_the_exteriors_given_back() {
        for text in [
            r#"{"type":"Polygon","coordinates":[[[106.6,11.0],[106.75,10.98],[106.7,11.12],[106.6,11.0]],[[106.65,11.01],[106.9,11.02],[106.66,11.03],[106.65,11.01]]]}"#,
            r#"{"type":"MultiPolygon","coordinates":[[[[106.6,11.0],[106.7,11.0],[106.7,11.1],[106.6,11.0]],[[106.61,11.01],[106.95,11.5],[106.62,11.03],[106.61,11.01]]],[[[-0.5,-11.25],[-0.25,-11.0],[-0.3,-10.5],[-0.5,-11.25]]]]}"#,
            r#"{"type":"LineString","coordinates":[[106.6,11.0],[106.7,11.1]]}"#,
        ] {
            let (g, shape) = round_trip(text);
            let Shape::Packed(p) = &shape else {
                panic!("{text} not packed");
            };
            let exteriors: Vec<Coord<f64>> = match &g {
                Geometry::Polygon(p) => p.exterior().0.clone(),
                Geometry::MultiPolygon(mp) => {
                    mp.0.iter().flat_map(|p| p.exterior().0.clone()).collect()
                }
                _ => Vec::new(),
            };
            let want = (!exteriors.is_empty()).then(|| {
                exteriors
                    .iter()
                    .fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, c| {
                        [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)]
                    })
            });
            assert_eq!(p.exterior_box(), want, "{text}");
            // Read from the text's own decimals, as the file's reader packs it: the same box.
            let (coords, lens, rings) = (p.coords(), p.lens().to_vec(), p.rings().to_vec());
            let ints: Vec<[i32; 2]> = coords.iter().filter_map(|c| pack(*c)).collect();
            let read = Packed::from_ints(p.kind(), &ints, &lens, &rings, unit_of(&ints));
            assert_eq!(read.as_ref().and_then(Packed::exterior_box), want, "{text}");
        }
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
    fn steps_of_any_size_and_unit_come_back_bit_for_bit() {
        // Whole degrees (unit 10⁷), zeros, the far ends of what 32 bits hold, steps across the
        // whole range and back, and a mix of units in one ring.
        let cases: Vec<Vec<(f64, f64)>> = vec![
            vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)],
            vec![
                (214.7, -214.7),
                (-214.7, 214.7),
                (214.7483647, -214.7483647),
                (214.7, -214.7),
            ],
            vec![
                (106.6, 11.0),
                (106.6000001, 11.0000001),
                (106.65, 11.05),
                (106.6, 11.0),
            ],
            vec![
                (-0.5, -0.25),
                (-0.5000001, 0.0),
                (0.0, -0.0000001),
                (-0.5, -0.25),
            ],
        ];
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let mut cases = cases;
        for places in 0..=7 {
            let mut ring: Vec<(f64, f64)> = (0..200)
                .map(|_| {
                    let mut c = |span: u64| {
                        let n = (next() % (2 * span)) as i64 - span as i64;
                        n as f64 / 10f64.powi(places)
                    };
                    (
                        c(180 * 10u64.pow(places as u32)),
                        c(85 * 10u64.pow(places as u32)),
                    )
                })
                .collect();
            ring.push(ring[0]);
            cases.push(ring);
        }
        for ring in cases {
            let g = Geometry::Polygon(Polygon::new(LineString::from(ring.clone()), vec![]));
            let s = Shape::new(g.clone());
            assert!(matches!(s, Shape::Packed(_)), "{ring:?}");
            assert_eq!(s.vertex_count(), ring.len());
            let bits = |g: &Geometry<f64>| -> Vec<(u64, u64)> {
                geo::CoordsIter::coords_iter(g)
                    .map(|c| (c.x.to_bits(), c.y.to_bits()))
                    .collect()
            };
            assert_eq!(bits(&s.geometry()), bits(&g), "{ring:?}");
        }
    }

    #[test]
    fn a_parcel_at_six_places_takes_a_few_bytes_a_vertex() {
        // A ring of 100 vertices a few metres apart, as parcels are drawn.
        let ring: Vec<(f64, f64)> = (0..=100)
            .map(|i| {
                let t = f64::from(i % 100) / 100.0 * std::f64::consts::TAU;
                let r = |v: f64| (v * 1e6).round() / 1e6;
                (r(106.69 + 0.0005 * t.cos()), r(11.17 + 0.0005 * t.sin()))
            })
            .collect();
        let s = Shape::new(Geometry::Polygon(Polygon::new(
            LineString::from(ring),
            vec![],
        )));
        assert!(matches!(s, Shape::Packed(_)));
        let per_vertex = s.heap_bytes() as f64 / s.vertex_count() as f64;
        // 16 bytes in `geo`, 8 as whole numbers of 10⁻⁷ degree.
        assert!(per_vertex < 3.0, "{per_vertex} bytes a vertex");
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
