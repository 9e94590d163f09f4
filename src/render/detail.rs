//! Geometry behind a feature's draw data: levels of detail, label anchors, and the distances
//! and containment tests that picking uses.

use geo::{Geometry, InteriorPoint, LineString, Polygon};

use super::cache::{FINEST_FILLED_TOLERANCE, LOD_TOLERANCES, Lod, Path, rings};
use super::lods::Lods;
use super::tessellate::tessellate_rings;
use crate::geometry::mercator_from_lonlat;

/// Simplified versions of a feature's rings and lines (Ramer–Douglas–Peucker, [`simplify`]),
/// triangulated again for the fill: every level, or with `fill_finest` false those from
/// [`FINEST_FILLED_TOLERANCE`] up (and the finest when no other is kept). A level is kept only
/// if it has at most half the vertices of the one before it; rings that collapse are dropped
/// from it, and once every ring has collapsed no coarser level is kept (there is nothing left
/// to draw but a dot).
pub fn build_lods(paths: &[Path], filled: bool, fill_finest: bool) -> Lods {
    let mut lods: Vec<Lod> = Vec::new();
    let mut previous: usize = paths.iter().map(|p| p.points.len()).sum();
    if previous < 32 {
        return Lods::default();
    }
    // Each level simplifies the one before (its error adds at most the finer tolerances, a
    // few percent): far fewer vertices to look at than the full rings.
    let mut source: Vec<Path> = paths.to_vec();
    let mut line: Vec<[f32; 2]> = Vec::new();
    let mut kept: Vec<bool> = Vec::new();
    for &tolerance in &LOD_TOLERANCES {
        let simplified: Vec<Path> = source
            .iter()
            .filter_map(|p| {
                line.clear();
                line.extend_from_slice(&p.points);
                if p.closed
                    && let Some(&first) = p.points.first()
                {
                    line.push(first);
                }
                let mut points = simplify(&line, tolerance, &mut kept);
                if p.closed {
                    points.pop();
                    (points.len() >= 3).then_some(Path {
                        points: points.into(),
                        closed: true,
                    })
                } else {
                    (points.len() >= 2).then_some(Path {
                        points: points.into(),
                        closed: false,
                    })
                }
            })
            .collect();
        if simplified.is_empty() {
            break;
        }
        let count: usize = simplified.iter().map(|p| p.points.len()).sum();
        if count * 2 > previous {
            continue;
        }
        previous = count;
        source = simplified.clone();
        let fill = if filled && (fill_finest || tolerance >= FINEST_FILLED_TOLERANCE) {
            level_fill(&simplified)
        } else {
            None
        };
        lods.push(Lod {
            tolerance,
            fill,
            paths: simplified,
        });
    }
    // A level left unfilled is made on demand while a coarser fill stands in: with none, it is
    // filled now (a small polygon of many vertices whose coarser levels collapse).
    if filled
        && lods.iter().all(|l| l.fill.is_none())
        && let Some(l) = lods.first_mut()
    {
        l.fill = level_fill(&l.paths);
    }
    Lods::pack(lods)
}

/// A level's fill: its rings triangulated; `None` for lines alone, or if triangulation fails.
fn level_fill(paths: &[Path]) -> Option<super::tessellate::FillMesh> {
    rings(paths).next()?;
    tessellate_rings(rings(paths), 0.5).ok()
}

/// Ramer–Douglas–Peucker, as geo's `Simplify` does it: the first and last points are kept, and
/// between two kept points the one farthest from the segment joining them (the last of equals)
/// is kept too while it lies more than `tolerance` away. Distances are squared, in f64, and
/// compared times the segment's squared length: geo's takes a square root (`hypot`) for every
/// point looked at, and a division did as much harm, which made simplifying most of the time
/// spent building a large layer's levels. `kept` is room reused between calls.
pub fn simplify(points: &[[f32; 2]], tolerance: f32, kept: &mut Vec<bool>) -> Vec<[f32; 2]> {
    let n = points.len();
    if n < 3 || tolerance <= 0.0 {
        return points.to_vec();
    }
    kept.clear();
    kept.resize(n, false);
    kept[0] = true;
    kept[n - 1] = true;
    let limit = f64::from(tolerance) * f64::from(tolerance);
    let mut spans = vec![(0usize, n - 1)];
    while let Some((a, b)) = spans.pop() {
        if b <= a + 1 {
            continue;
        }
        // Squared distances to the segment times its squared length (the same order, without
        // a division a point): the perpendicular's cross product squared between the ends,
        // the distance to the nearer end beyond them.
        let (start, end) = (points[a].map(f64::from), points[b].map(f64::from));
        let ab = [end[0] - start[0], end[1] - start[1]];
        let len2 = ab[0] * ab[0] + ab[1] * ab[1];
        let mut farthest = (a, 0.0f64);
        for (i, &p) in points.iter().enumerate().take(b).skip(a + 1) {
            let p = p.map(f64::from);
            let ap = [p[0] - start[0], p[1] - start[1]];
            let along = ap[0] * ab[0] + ap[1] * ab[1];
            let d = if len2 == 0.0 {
                ap[0] * ap[0] + ap[1] * ap[1]
            } else if along <= 0.0 {
                (ap[0] * ap[0] + ap[1] * ap[1]) * len2
            } else if along >= len2 {
                dist2(p, end) * len2
            } else {
                let cross = ap[0] * ab[1] - ap[1] * ab[0];
                cross * cross
            };
            if d >= farthest.1 {
                farthest = (i, d);
            }
        }
        let limit = if len2 == 0.0 { limit } else { limit * len2 };
        if farthest.1 > limit {
            kept[farthest.0] = true;
            spans.push((a, farthest.0));
            spans.push((farthest.0, b));
        }
    }
    points
        .iter()
        .zip(kept.iter())
        .filter_map(|(p, &k)| k.then_some(*p))
        .collect()
}

pub(super) fn collect<'a>(
    g: &'a Geometry<f64>,
    polygons: &mut Vec<&'a Polygon<f64>>,
    lines: &mut Vec<&'a LineString<f64>>,
    points: &mut Vec<[f64; 2]>,
) {
    match g {
        Geometry::Point(p) => points.push([p.x(), p.y()]),
        Geometry::MultiPoint(mp) => points.extend(mp.iter().map(|p| [p.x(), p.y()])),
        Geometry::Line(l) => points.extend([[l.start.x, l.start.y], [l.end.x, l.end.y]]),
        Geometry::LineString(l) => lines.push(l),
        Geometry::MultiLineString(ml) => lines.extend(ml.iter()),
        Geometry::Polygon(p) => polygons.push(p),
        Geometry::MultiPolygon(mp) => polygons.extend(mp.iter()),
        Geometry::GeometryCollection(gc) => {
            for g in gc.iter() {
                collect(g, polygons, lines, points);
            }
        }
        Geometry::Rect(_) | Geometry::Triangle(_) => {}
    }
}

/// A point well inside a polygon (given as its rings), in O(n): on the horizontal line through
/// the middle of its extent, the middle of the widest stretch that is inside (even-odd).
/// geo's `InteriorPoint` finds a similar point but costs twenty times as much, which on a
/// 100 000-polygon layer was most of the load.
pub(super) fn scanline_anchor<R: AsRef<[[f32; 2]]>>(rings: &[R]) -> Option<[f32; 2]> {
    let exterior = rings.first()?.as_ref();
    let (mut lo, mut hi) = (f32::INFINITY, f32::NEG_INFINITY);
    for p in exterior.iter() {
        lo = lo.min(p[1]);
        hi = hi.max(p[1]);
    }
    if !(lo.is_finite() && hi.is_finite()) {
        return None;
    }
    let y = (lo + hi) / 2.0;
    let mut xs: Vec<f32> = Vec::new();
    for r in rings {
        let r = r.as_ref();
        let n = r.len();
        for i in 0..n {
            let (a, b) = (r[i], r[(i + 1) % n]);
            if (a[1] > y) != (b[1] > y) {
                xs.push(a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1]));
            }
        }
    }
    xs.sort_by(f32::total_cmp);
    xs.chunks_exact(2)
        .max_by(|a, b| (a[1] - a[0]).total_cmp(&(b[1] - b[0])))
        .map(|pair| [(pair[0] + pair[1]) / 2.0, y])
}

/// A point inside the largest polygon, the middle of the longest line, or the first point.
pub(super) fn label_anchor(
    geometry: Option<&Geometry<f64>>,
    polygons: &[&Polygon<f64>],
    lines: &[&LineString<f64>],
    points: &[[f64; 2]],
) -> Option<[f64; 2]> {
    geometry?;
    if let Some(largest) = polygons.iter().max_by(|a, b| {
        use geo::Area;
        a.unsigned_area()
            .partial_cmp(&b.unsigned_area())
            .unwrap_or(std::cmp::Ordering::Equal)
    }) {
        let p = largest.interior_point()?;
        return Some(mercator_from_lonlat(p.x(), p.y()));
    }
    if let Some(longest) = lines.iter().max_by_key(|l| l.0.len()) {
        let mid = longest.0.get(longest.0.len() / 2)?;
        return Some(mercator_from_lonlat(mid.x, mid.y));
    }
    points.first().map(|p| mercator_from_lonlat(p[0], p[1]))
}

pub(super) fn dist2(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)
}

pub(super) fn segment_dist2(p: [f64; 2], a: [f32; 2], b: [f32; 2]) -> f64 {
    let a = [a[0] as f64, a[1] as f64];
    let b = [b[0] as f64, b[1] as f64];
    let ab = [b[0] - a[0], b[1] - a[1]];
    let len2 = ab[0] * ab[0] + ab[1] * ab[1];
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p[0] - a[0]) * ab[0] + (p[1] - a[1]) * ab[1]) / len2).clamp(0.0, 1.0)
    };
    dist2(p, [a[0] + t * ab[0], a[1] + t * ab[1]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deferred_build_fills_the_finest_level_when_no_coarser_one_is_kept() {
        // Circles of 64 points, a few tens of local units across: some keep one level only.
        let mut only_one = 0;
        for radius in (20..400).step_by(5) {
            let points: Vec<[f32; 2]> = (0..64)
                .map(|j| {
                    let a = j as f32 / 64.0 * std::f32::consts::TAU;
                    [radius as f32 * a.cos(), radius as f32 * a.sin()]
                })
                .collect();
            let paths = [Path {
                points: points.into(),
                closed: true,
            }];
            let lods = build_lods(&paths, true, false);
            let levels: Vec<_> = lods.iter().collect();
            if levels.len() == 1 {
                only_one += 1;
                assert!(
                    levels[0].fill.is_some(),
                    "radius {radius}: its only level unfilled"
                );
            } else {
                assert!(levels.iter().skip(1).any(|l| l.fill.is_some()));
            }
        }
        assert!(only_one > 0, "no circle kept a single level");
    }

    /// Random wiggly lines, some closed (their first point again at the end), some with
    /// repeated points, as rings of parcels are.
    fn lines() -> Vec<Vec<[f32; 2]>> {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        (0..2_000)
            .map(|k| {
                let n = 3 + (next() * 200.0) as usize;
                let mut p = [0.0f32, 0.0];
                let mut line: Vec<[f32; 2]> = (0..n)
                    .map(|_| {
                        if next() > 0.05 {
                            p = [
                                p[0] + (next() * 60.0 - 20.0) as f32,
                                p[1] + (next() * 40.0 - 20.0) as f32,
                            ];
                        }
                        p
                    })
                    .collect();
                if k % 2 == 0 {
                    line.push(line[0]);
                }
                line
            })
            .collect()
    }

    #[test]
    fn simplify_keeps_what_geo_keeps_and_stays_within_the_tolerance() {
        use geo::Simplify;
        let mut kept = Vec::new();
        let (mut same, mut all) = (0, 0);
        for line in lines() {
            for tolerance in [0.5f32, 4.0, 16.0, 45.0] {
                let ours = simplify(&line, tolerance, &mut kept);
                let geo_line: geo::LineString<f32> = line
                    .iter()
                    .map(|p| geo::coord! { x: p[0], y: p[1] })
                    .collect();
                let theirs: Vec<[f32; 2]> = geo_line
                    .simplify(tolerance)
                    .0
                    .iter()
                    .map(|c| [c.x, c.y])
                    .collect();
                all += 1;
                same += usize::from(ours == theirs);
                // The ends kept; every point within the tolerance of the segment between the
                // kept points on either side of it.
                assert_eq!(ours.first(), line.first());
                assert_eq!(ours.last(), line.last());
                if line.len() < 3 {
                    continue;
                }
                let marks: Vec<usize> = (0..line.len()).filter(|&i| kept[i]).collect();
                assert_eq!(marks.len(), ours.len());
                for w in marks.windows(2) {
                    for p in &line[w[0]..=w[1]] {
                        let d = segment_dist2(p.map(f64::from), line[w[0]], line[w[1]]).sqrt();
                        assert!(d <= f64::from(tolerance), "{d} > {tolerance}");
                    }
                }
            }
        }
        // Equal but for near-ties, where geo's f32 distances round differently.
        assert!(same * 1000 >= all * 999, "{same} of {all} as geo's");
    }
}
