//! Whether a geometry is valid (OGC simple features), said in words and located on the map:
//! geo's validation names the problems, a sweep over the rings finds where boundaries cross.

use geo::algorithm::sweep::{Cross, Intersections};
use geo::{Geometry, Line, LineIntersection, Polygon, Validation};

/// One problem with a geometry: what it is and, when it has a place, where (`[lon, lat]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub message: String,
    pub at: Option<[f64; 2]>,
}

/// Everything wrong with `geometry`: crossings located one by one, then geo's other findings.
pub fn problems(geometry: &Geometry<f64>) -> Vec<Problem> {
    let mut out: Vec<Problem> = Vec::new();
    let mut polygons: Vec<&Polygon<f64>> = Vec::new();
    collect_polygons(geometry, &mut polygons);
    for p in &polygons {
        for at in crossings(p) {
            out.push(Problem {
                message: "The boundary crosses itself here".to_owned(),
                at: Some(at),
            });
        }
    }
    let located = !out.is_empty();
    for e in geometry.validation_errors() {
        let message = capitalise(&e.to_string());
        // Crossings are already listed where they happen.
        if located && message.contains("self-intersection") {
            continue;
        }
        out.push(Problem { message, at: None });
    }
    out
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn collect_polygons<'a>(g: &'a Geometry<f64>, out: &mut Vec<&'a Polygon<f64>>) {
    match g {
        Geometry::Polygon(p) => out.push(p),
        Geometry::MultiPolygon(mp) => out.extend(mp.iter()),
        Geometry::GeometryCollection(gc) => gc.iter().for_each(|g| collect_polygons(g, out)),
        _ => {}
    }
}

/// A ring's edge, knowing its neighbours so that shared corners are not crossings.
#[derive(Clone, Debug)]
struct Edge {
    line: Line<f64>,
    ring: usize,
    index: usize,
    ring_len: usize,
}

impl Cross for Edge {
    type Scalar = f64;
    fn line(&self) -> Line<f64> {
        self.line
    }
}

/// Where the rings of a polygon cross or touch each other or themselves (not at shared corners
/// of consecutive edges).
pub fn crossings(polygon: &Polygon<f64>) -> Vec<[f64; 2]> {
    let mut edges = Vec::new();
    for (ri, ring) in std::iter::once(polygon.exterior())
        .chain(polygon.interiors())
        .enumerate()
    {
        let lines: Vec<Line<f64>> = ring.lines().filter(|l| l.start != l.end).collect();
        let n = lines.len();
        edges.extend(lines.into_iter().enumerate().map(|(i, line)| Edge {
            line,
            ring: ri,
            index: i,
            ring_len: n,
        }));
    }
    let mut out: Vec<[f64; 2]> = Vec::new();
    for (a, b, hit) in Intersections::from_iter(edges) {
        let adjacent = a.ring == b.ring
            && (a.index + 1 == b.index
                || b.index + 1 == a.index
                || (a.index == 0 && b.index + 1 == b.ring_len)
                || (b.index == 0 && a.index + 1 == a.ring_len));
        let at = match hit {
            LineIntersection::SinglePoint { intersection, .. } => {
                if adjacent {
                    continue;
                }
                intersection
            }
            // Consecutive edges folding back on each other are a spike: also invalid.
            LineIntersection::Collinear { intersection } => intersection.start,
        };
        let p = [at.x, at.y];
        if !out.iter().any(|q| q == &p) {
            out.push(p);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn a_bow_tie_is_marked_where_it_crosses() {
        let bow = polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 2.0), (x: 2.0, y: 0.0), (x: 0.0, y: 2.0)];
        let p = problems(&Geometry::Polygon(bow));
        assert_eq!(p[0].at, Some([1.0, 1.0]), "{p:?}");
    }

    #[test]
    fn a_square_has_no_problems() {
        let sq = polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 2.0), (x: 0.0, y: 2.0)];
        assert!(problems(&Geometry::Polygon(sq)).is_empty());
    }
}
