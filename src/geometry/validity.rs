//! Whether a geometry is valid (OGC simple features), said in words and located on the map:
//! geo's validation names the problems, and a sweep across the rings' edges tests each pair
//! whose boxes meet to find where boundaries cross.

use geo::algorithm::line_intersection::line_intersection;
use geo::{BoundingRect, Geometry, Line, LineIntersection, Polygon, Rect, Validation};

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

/// Where the rings of a polygon cross or touch each other or themselves (not at shared corners
/// of consecutive edges).
///
/// The edges are swept from west to east: each is tested, with geo's exact segment
/// intersection, against the edges before it whose boxes reach its own. (geo's own sweep line
/// found the same pairs, but where collinear edges overlap its bookkeeping fails a debug
/// assertion: debug builds, the tests and the fuzzer among them, stopped there.)
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
    let boxes: Vec<Rect<f64>> = edges.iter().map(|e| e.line.bounding_rect()).collect();
    let mut order: Vec<usize> = (0..edges.len()).collect();
    order.sort_unstable_by(|&a, &b| boxes[a].min().x.total_cmp(&boxes[b].min().x));
    // The edges already swept whose boxes reach as far east as the next one's west side.
    let mut active: Vec<usize> = Vec::new();
    let mut out: Vec<[f64; 2]> = Vec::new();
    for &k in &order {
        let (min, max) = (boxes[k].min(), boxes[k].max());
        active.retain(|&j| boxes[j].max().x >= min.x);
        let a = &edges[k];
        for &j in &active {
            if boxes[j].max().y < min.y || boxes[j].min().y > max.y {
                continue;
            }
            let b = &edges[j];
            // In the rings' order, whichever came first in the sweep: where collinear edges
            // overlap, the point given is the first edge's.
            let (first, second) = if j < k { (b, a) } else { (a, b) };
            let Some(hit) = line_intersection(first.line, second.line) else {
                continue;
            };
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
        active.push(k);
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

    /// Collinear edges overlapping along a ring (found by fuzzing): geo's sweep line failed a
    /// debug assertion here.
    #[test]
    fn overlapping_collinear_edges_are_located() {
        let folded = polygon![
            exterior: [
                (x: 170.0, y: 40.0),
                (x: -170.0, y: 40.0),
                (x: -0.0, y: 60.0),
                (x: 170.0, y: 60.0),
                (x: 0.0, y: 60.0),
                (x: 170.0, y: 40.0),
            ],
            interiors: [[
                (x: 175.0, y: 45.0),
                (x: -175.0, y: 45.0),
                (x: -175.0, y: 55.0),
                (x: 175.0, y: 55.0),
                (x: 175.0, y: 45.0),
            ]],
        ];
        let at = crossings(&folded);
        // The edge back along y = 60 folds onto the one before it, from (170, 60).
        assert!(
            at.contains(&[170.0, 60.0]) || at.contains(&[0.0, 60.0]),
            "{at:?}"
        );
        // The hole crosses the shell's sloping edges on its way out of it.
        assert!(at.iter().any(|p| p[1] > 40.0 && p[1] < 60.0), "{at:?}");
        assert!(!problems(&Geometry::Polygon(folded)).is_empty());
    }

    /// The crossings of every pair of edges, each pair tested: what the sweep must find.
    fn every_pair(polygon: &Polygon<f64>) -> Vec<[f64; 2]> {
        let rings: Vec<Vec<Line<f64>>> = std::iter::once(polygon.exterior())
            .chain(polygon.interiors())
            .map(|r| r.lines().filter(|l| l.start != l.end).collect())
            .collect();
        let mut out = Vec::new();
        for (ra, a_lines) in rings.iter().enumerate() {
            for (ia, a) in a_lines.iter().enumerate() {
                for (rb, b_lines) in rings.iter().enumerate().skip(ra) {
                    let first = if rb == ra { ia + 1 } else { 0 };
                    for (ib, b) in b_lines.iter().enumerate().skip(first) {
                        let n = a_lines.len();
                        let adjacent = ra == rb && (ib == ia + 1 || (ia == 0 && ib + 1 == n));
                        let at = match line_intersection(*a, *b) {
                            None => continue,
                            Some(LineIntersection::SinglePoint { .. }) if adjacent => continue,
                            Some(LineIntersection::SinglePoint { intersection, .. }) => {
                                intersection
                            }
                            Some(LineIntersection::Collinear { intersection }) => {
                                intersection.start
                            }
                        };
                        out.push([at.x, at.y]);
                    }
                }
            }
        }
        out
    }

    fn sorted(mut v: Vec<[f64; 2]>) -> Vec<[f64; 2]> {
        v.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
        v.dedup();
        v
    }

    /// The sweep finds what testing every pair of edges finds: on a pentagram (five crossings),
    /// and on random rings, coarse enough that edges meet end to end and lie along each other.
    #[test]
    fn crossings_are_those_of_every_pair_of_edges() {
        let corners: Vec<(f64, f64)> = (0..5)
            .map(|k| {
                let t = std::f64::consts::TAU * f64::from(k * 2 % 5) / 5.0;
                (t.cos(), t.sin())
            })
            .collect();
        let star = Polygon::new(geo::LineString::from(corners), vec![]);
        assert_eq!(crossings(&star).len(), 5, "{:?}", crossings(&star));
        let mut seed = 0x853c_49e6_748f_ea9bu64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        fn ring(len: u64, next: &mut impl FnMut(u64) -> u64) -> geo::LineString<f64> {
            (0..3 + next(len))
                .map(|_| (next(6) as f64, next(6) as f64))
                .collect::<Vec<_>>()
                .into()
        }
        let mut found = 0;
        for _ in 0..300 {
            let holes = (0..next(3)).map(|_| ring(5, &mut next)).collect();
            let polygon = Polygon::new(ring(12, &mut next), holes);
            let by_sweep = sorted(crossings(&polygon));
            assert_eq!(by_sweep, sorted(every_pair(&polygon)), "{polygon:?}");
            found += by_sweep.len();
        }
        assert!(found > 1_000, "{found} crossings in all");
    }

    #[test]
    fn a_square_has_no_problems() {
        let sq = polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 2.0), (x: 0.0, y: 2.0)];
        assert!(problems(&Geometry::Polygon(sq)).is_empty());
    }
}
