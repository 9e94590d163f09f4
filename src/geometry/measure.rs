//! Geodesic measures on the WGS84 ellipsoid (geographiclib's algorithms, through `geo`).

use geo::orient::{Direction, Orient};
use geo::{Geodesic, GeodesicArea, Geometry, Length, Polygon};

/// Square metres in a hectare.
pub const M2_PER_HA: f64 = 10_000.0;

/// Geodesic area of a geometry in square metres; zero for points and lines.
pub fn geodesic_area_m2(geometry: &Geometry<f64>) -> f64 {
    match geometry {
        Geometry::Polygon(p) => polygon_area_m2(p),
        Geometry::MultiPolygon(mp) => mp.0.iter().map(polygon_area_m2).sum(),
        Geometry::Rect(r) => r.to_polygon().geodesic_area_unsigned(),
        Geometry::Triangle(t) => t.to_polygon().geodesic_area_unsigned(),
        Geometry::GeometryCollection(gc) => gc.0.iter().map(geodesic_area_m2).sum(),
        _ => 0.0,
    }
}

/// Geodesic area of one polygon, whatever the orientation its rings were written in: the
/// geodesic algorithm reads a hole wound like its exterior as "the rest of the Earth".
fn polygon_area_m2(p: &Polygon<f64>) -> f64 {
    let area = p.orient(Direction::Default).geodesic_area_unsigned();
    // A ring that crosses itself has no one orientation: the algorithm may answer with the
    // rest of the Earth. No zone is half the planet: take the smaller side.
    if area > EARTH_AREA_M2 / 2.0 {
        EARTH_AREA_M2 - area
    } else {
        area
    }
}

/// The surface of the WGS84 ellipsoid in square metres.
const EARTH_AREA_M2: f64 = 510_065_621_724_088.5;

/// Geodesic length of a geometry's lines in metres (the perimeter for polygons).
pub fn geodesic_length_m(geometry: &Geometry<f64>) -> f64 {
    match geometry {
        Geometry::LineString(l) => Geodesic.length(l),
        Geometry::MultiLineString(ml) => ml.0.iter().map(|l| Geodesic.length(l)).sum(),
        Geometry::Polygon(p) => std::iter::once(p.exterior())
            .chain(p.interiors())
            .map(|l| Geodesic.length(l))
            .sum(),
        Geometry::MultiPolygon(mp) => {
            mp.0.iter()
                .map(|p| geodesic_length_m(&Geometry::Polygon(p.clone())))
                .sum()
        }
        Geometry::GeometryCollection(gc) => gc.0.iter().map(geodesic_length_m).sum(),
        _ => 0.0,
    }
}

/// Geodesic distance between two `[lon, lat]` points in metres (Karney's algorithm on WGS84).
pub fn geodesic_distance_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    use geo::{Distance, Point};
    Geodesic.distance(Point::new(a[0], a[1]), Point::new(b[0], b[1]))
}

/// A distance as people read it: metres below 1 km, kilometres with two decimals above.
pub fn format_distance(m: f64) -> String {
    if m < 1000.0 {
        format!("{m:.0} m")
    } else {
        format!("{:.2} km", m / 1000.0)
    }
}

/// "1 234.5 ha" style figures: hectares with one decimal below 1 000, none above.
pub fn format_hectares(m2: f64) -> String {
    let ha = m2 / M2_PER_HA;
    if ha < 1000.0 {
        format!("{ha:.1} ha")
    } else {
        format!("{} ha", group_thousands(ha.round() as u64))
    }
}

/// Square kilometres with two decimals.
pub fn format_km2(m2: f64) -> String {
    format!("{:.2} km²", m2 / 1.0e6)
}

/// Groups digits in threes with thin spaces, as SI style does: 12 345.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202F}');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, polygon};

    #[test]
    fn one_degree_square_at_the_equator_matches_geographiclib() {
        // geographiclib (Planimeter, WGS84): 1° × 1° cell at the equator = 12 308 778 361.469 m².
        let p: Polygon<f64> =
            polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)];
        let a = geodesic_area_m2(&Geometry::Polygon(p));
        assert!((a - 12_308_778_361.469).abs() / a < 1e-6, "{a}");
    }

    #[test]
    fn holes_are_subtracted() {
        let outer = LineString::from(vec![
            (0.0, 0.0),
            (0.02, 0.0),
            (0.02, 0.02),
            (0.0, 0.02),
            (0.0, 0.0),
        ]);
        let hole = LineString::from(vec![
            (0.005, 0.005),
            (0.015, 0.005),
            (0.015, 0.015),
            (0.005, 0.015),
            (0.005, 0.005),
        ]);
        let full = geodesic_area_m2(&Geometry::Polygon(Polygon::new(outer.clone(), vec![])));
        let holed = geodesic_area_m2(&Geometry::Polygon(Polygon::new(outer, vec![hole])));
        assert!((holed / full - 0.75).abs() < 1e-3, "{holed} / {full}");
    }

    #[test]
    fn distance_matches_geographiclib() {
        // Python geographiclib 2.x, Geodesic.WGS84.Inverse(10.9667, 106.65, 11.2876, 106.6226).
        let d = geodesic_distance_m([106.65, 10.9667], [106.6226, 11.2876]);
        assert!((d - 35_622.534).abs() < 0.01, "{d}");
        assert_eq!(format_distance(950.4), "950 m");
        assert_eq!(format_distance(12_345.0), "12.35 km");
    }

    #[test]
    fn figures_read_well() {
        assert_eq!(format_hectares(12_345.0), "1.2 ha");
        assert_eq!(format_hectares(123_456_789.0), "12\u{202F}346 ha");
        assert_eq!(format_km2(2_500_000.0), "2.50 km²");
    }
}
