//! A feature's simplified levels, packed: every level's points in one buffer, every level's
//! triangle corners in another, and small tables saying where each level and path lies in them.
//!
//! Held as a list of levels, each with its own list of paths (one allocation per path) and its
//! own mesh, the levels of a 100 000-polygon layer took 121 MiB, two fifths of it in the lists'
//! own headers; packed, they take four allocations per feature.

use super::cache::{Lod, Path};
use super::tessellate::{FillRef, Indices, IndicesRef};

/// Points in a feature's local units, borrowed: as made (full detail), or quantised to 16 bits
/// (simplified levels; see [`Lods`]).
#[derive(Clone, Copy, Debug)]
pub enum Points<'a> {
    F32(&'a [[f32; 2]]),
    /// Whole multiples of the quantum (local units).
    I16(&'a [[i16; 2]], f32),
}

impl<'a> Points<'a> {
    pub fn len(self) -> usize {
        match self {
            Self::F32(p) => p.len(),
            Self::I16(p, _) => p.len(),
        }
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// Point `i`.
    pub fn get(self, i: usize) -> Option<[f32; 2]> {
        match self {
            Self::F32(p) => p.get(i).copied(),
            Self::I16(p, q) => p.get(i).map(|c| unquantise(*c, q)),
        }
    }

    /// Points `start..end` (none where that is out of range).
    pub fn slice(self, start: usize, end: usize) -> Self {
        match self {
            Self::F32(p) => Self::F32(p.get(start..end).unwrap_or_default()),
            Self::I16(p, q) => Self::I16(p.get(start..end).unwrap_or_default(), q),
        }
    }

    pub fn iter(self) -> PointsIter<'a> {
        match self {
            Self::F32(p) => PointsIter::F32(p.iter()),
            Self::I16(p, q) => PointsIter::I16(p.iter(), q),
        }
    }

    pub fn to_vec(self) -> Vec<[f32; 2]> {
        self.iter().collect()
    }
}

fn unquantise(c: [i16; 2], quantum: f32) -> [f32; 2] {
    [f32::from(c[0]) * quantum, f32::from(c[1]) * quantum]
}

/// The points of [`Points`], in turn.
#[derive(Clone, Debug)]
pub enum PointsIter<'a> {
    F32(std::slice::Iter<'a, [f32; 2]>),
    I16(std::slice::Iter<'a, [i16; 2]>, f32),
}

impl Iterator for PointsIter<'_> {
    type Item = [f32; 2];

    #[inline]
    fn next(&mut self) -> Option<[f32; 2]> {
        match self {
            Self::F32(it) => it.next().copied(),
            Self::I16(it, q) => it.next().map(|c| unquantise(*c, *q)),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = match self {
            Self::F32(it) => it.len(),
            Self::I16(it, _) => it.len(),
        };
        (n, Some(n))
    }
}

impl ExactSizeIterator for PointsIter<'_> {}

impl DoubleEndedIterator for PointsIter<'_> {
    fn next_back(&mut self) -> Option<[f32; 2]> {
        match self {
            Self::F32(it) => it.next_back().copied(),
            Self::I16(it, q) => it.next_back().map(|c| unquantise(*c, *q)),
        }
    }
}

/// A line or ring, borrowed: from a feature's full detail or from one of its levels.
#[derive(Clone, Copy, Debug)]
pub struct PathRef<'a> {
    pub points: Points<'a>,
    pub closed: bool,
}

impl Path {
    pub fn as_ref(&self) -> PathRef<'_> {
        PathRef {
            points: Points::F32(&self.points),
            closed: self.closed,
        }
    }
}

/// A feature's outline at one level: its full detail or one of its simplified levels.
#[derive(Clone, Copy, Debug)]
pub enum Outline<'a> {
    Full(&'a [Path]),
    Level(LodRef<'a>),
}

impl<'a> Outline<'a> {
    /// Its rings (closed) and lines (open), in order.
    pub fn paths(self) -> impl Iterator<Item = PathRef<'a>> + Clone + 'a {
        let (full, level) = match self {
            Self::Full(p) => (Some(p.iter().map(Path::as_ref)), None),
            Self::Level(l) => (None, Some(l.paths())),
        };
        full.into_iter()
            .flatten()
            .chain(level.into_iter().flatten())
    }

    /// Its closed paths, in order: what a fill at this level was made from.
    pub fn rings(self) -> impl Iterator<Item = Points<'a>> + Clone + 'a {
        self.paths().filter(|p| p.closed).map(|p| p.points)
    }
}

/// Where a path lies in [`Lods::points`].
#[derive(Clone, Copy, Debug)]
struct Span {
    start: u32,
    len: u32,
    closed: bool,
}

/// Where a level's paths and fill lie in [`Lods`]' buffers.
#[derive(Clone, Copy, Debug)]
struct Level {
    tolerance: f32,
    /// Its paths: a range of [`Lods::spans`].
    spans: (u32, u32),
    fill: Option<LevelFill>,
}

#[derive(Clone, Copy, Debug)]
struct LevelFill {
    /// A range of [`Lods::indices`]; corners count from the level's first ring point, or from
    /// the first of `own` vertices.
    indices: (u32, u32),
    /// The fill's own vertices (a range of [`Lods::points`]), when it does not share the rings'.
    own: Option<(u32, u32)>,
}

/// A feature's simplified levels, finest first, packed (see the module's documentation).
#[derive(Clone, Debug, Default)]
pub struct Lods {
    levels: Box<[Level]>,
    spans: Box<[Span]>,
    points: Store,
    indices: Indices,
}

/// The levels' points: quantised to 16 bits when a quantum of at most [`MAX_QUANTUM`] reaches
/// them all (a feature within some 9 km of its origin), else as made.
#[derive(Clone, Debug)]
enum Store {
    F32(Box<[[f32; 2]]>),
    I16(Box<[[i16; 2]]>, f32),
}

impl Default for Store {
    fn default() -> Self {
        Self::F32(Box::default())
    }
}

impl Store {
    fn view(&self) -> Points<'_> {
        match self {
            Self::F32(p) => Points::F32(p),
            Self::I16(p, q) => Points::I16(p, *q),
        }
    }

    /// `points` quantised if they can be (see [`Store`]).
    fn of(points: Vec<[f32; 2]>) -> Self {
        let reach = points
            .iter()
            .flat_map(|p| [p[0].abs(), p[1].abs()])
            .fold(0.0f32, f32::max);
        // A power of two, so that whole multiples of it come back exactly; a little short of
        // i16::MAX, so that rounding cannot step past it.
        let quantum = (reach / 32_000.0)
            .max(f32::MIN_POSITIVE)
            .log2()
            .ceil()
            .exp2();
        if quantum.is_nan() || quantum > MAX_QUANTUM {
            return Self::F32(points.into());
        }
        let q = |v: f32| (v / quantum).round() as i16;
        Self::I16(points.iter().map(|p| [q(p[0]), q(p[1])]).collect(), quantum)
    }
}

/// The coarsest quantum the levels' points are held in (local units, a point at zoom 20): they
/// move by half of it at most, a 32nd of the finest level's tolerance.
pub const MAX_QUANTUM: f32 = 1.0;

/// One simplified level, borrowed from [`Lods`].
#[derive(Clone, Copy, Debug)]
pub struct LodRef<'a> {
    /// Vertices may move by this much (local units) from the true boundary.
    pub tolerance: f32,
    spans: &'a [Span],
    points: Points<'a>,
    pub fill: Option<FillRef<'a>>,
}

impl<'a> LodRef<'a> {
    /// Its rings (closed) and lines (open), in order.
    pub fn paths(self) -> impl Iterator<Item = PathRef<'a>> + Clone + 'a {
        let points = self.points;
        self.spans.iter().map(move |s| PathRef {
            points: points.slice(s.start as usize, s.start as usize + s.len as usize),
            closed: s.closed,
        })
    }

    /// Its closed paths, in order: what its fill was made from.
    pub fn rings(self) -> impl Iterator<Item = Points<'a>> + Clone + 'a {
        self.paths().filter(|p| p.closed).map(|p| p.points)
    }

    /// Points in all its paths.
    pub fn point_count(self) -> usize {
        self.spans.iter().map(|s| s.len as usize).sum()
    }
}

/// Indices that fit in u32, or `None` when a buffer would not.
fn range(start: usize, end: usize) -> Option<(u32, u32)> {
    Some((u32::try_from(start).ok()?, u32::try_from(end).ok()?))
}

impl Lods {
    /// Packs levels made one by one. Levels past what 32-bit offsets address are left out
    /// (a feature of four billion points is not drawn anyway).
    pub fn pack(levels: Vec<Lod>) -> Self {
        let mut table = Vec::with_capacity(levels.len());
        let mut spans = Vec::new();
        let mut points: Vec<[f32; 2]> = Vec::new();
        let mut wide = false;
        let mut corners: Vec<u32> = Vec::new();
        'levels: for l in levels {
            let first_span = spans.len();
            for p in &l.paths {
                let (Ok(start), Ok(len)) =
                    (u32::try_from(points.len()), u32::try_from(p.points.len()))
                else {
                    break 'levels;
                };
                points.extend_from_slice(&p.points);
                spans.push(Span {
                    start,
                    len,
                    closed: p.closed,
                });
            }
            let fill = match &l.fill {
                None => None,
                Some(m) => {
                    let own = if m.shared {
                        None
                    } else {
                        let start = points.len();
                        points.extend_from_slice(&m.vertices);
                        Some(range(start, points.len()))
                    };
                    let start = corners.len();
                    corners.extend(m.indices.offset(0));
                    wide |= matches!(m.indices, Indices::U32(_));
                    Some(LevelFill {
                        indices: match range(start, corners.len()) {
                            Some(r) => r,
                            None => break 'levels,
                        },
                        own: match own {
                            None => None,
                            Some(Some(r)) => Some(r),
                            Some(None) => break 'levels,
                        },
                    })
                }
            };
            let Some(spans_range) = range(first_span, spans.len()) else {
                break;
            };
            table.push(Level {
                tolerance: l.tolerance,
                spans: spans_range,
                fill,
            });
        }
        let indices = if wide {
            Indices::U32(corners)
        } else {
            Indices::U16(corners.into_iter().map(|i| i as u16).collect())
        };
        Self {
            levels: table.into(),
            spans: spans.into(),
            points: Store::of(points),
            indices,
        }
    }

    pub fn len(&self) -> usize {
        self.levels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.levels.is_empty()
    }

    /// Level `k`, finest first.
    pub fn get(&self, k: usize) -> Option<LodRef<'_>> {
        let l = self.levels.get(k)?;
        let spans = self
            .spans
            .get(l.spans.0 as usize..l.spans.1 as usize)
            .unwrap_or_default();
        let fill = l.fill.map(|f| {
            let (a, b) = (f.indices.0 as usize, f.indices.1 as usize);
            let indices = match &self.indices {
                Indices::U16(v) => IndicesRef::U16(v.get(a..b).unwrap_or_default()),
                Indices::U32(v) => IndicesRef::U32(v.get(a..b).unwrap_or_default()),
            };
            let points = self.points.view();
            FillRef {
                vertices: match f.own {
                    Some((a, b)) => points.slice(a as usize, b as usize),
                    None => points.slice(0, 0),
                },
                indices,
                shared: f.own.is_none(),
            }
        });
        Some(LodRef {
            tolerance: l.tolerance,
            spans,
            points: self.points.view(),
            fill,
        })
    }

    /// The finest level.
    pub fn first(&self) -> Option<LodRef<'_>> {
        self.get(0)
    }

    /// Every level, finest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = LodRef<'_>> + '_ {
        (0..self.len()).filter_map(|k| self.get(k))
    }

    /// Lets every level go.
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        std::mem::size_of_val(&*self.levels)
            + std::mem::size_of_val(&*self.spans)
            + match &self.points {
                Store::F32(p) => std::mem::size_of_val(&**p),
                Store::I16(p, _) => std::mem::size_of_val(&**p),
            }
            + self.indices.heap_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tessellate::{FillMesh, tessellate_rings};

    fn path(points: &[[f32; 2]], closed: bool) -> Path {
        Path {
            points: points.to_vec().into(),
            closed,
        }
    }

    #[test]
    fn packed_levels_give_back_the_paths_and_fills_they_were_made_from() {
        let square = [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]];
        let hole = [[2.0, 2.0], [2.0, 4.0], [4.0, 4.0], [4.0, 2.0]];
        let triangle = [[0.0, 0.0], [10.0, 0.0], [5.0, 9.0]];
        let level = |tolerance: f32, paths: Vec<Path>| {
            let fill = tessellate_rings(
                paths.iter().filter(|p| p.closed).map(|p| &p.points[..]),
                0.5,
            )
            .ok();
            Lod {
                tolerance,
                fill,
                paths,
            }
        };
        // A fill with its own vertices, as lyon gives for a ring that crosses itself.
        let own = FillMesh {
            vertices: vec![[1.0, 1.0], [2.0, 1.0], [1.0, 2.0]],
            indices: Indices::U32(vec![0, 1, 2]),
            shared: false,
        };
        let levels = vec![
            level(16.0, vec![path(&square, true), path(&hole, true)]),
            Lod {
                tolerance: 45.0,
                fill: Some(own.clone()),
                paths: vec![path(&triangle, true), path(&triangle[..2], false)],
            },
            Lod {
                tolerance: 128.0,
                fill: None,
                paths: Vec::new(),
            },
        ];
        let packed = Lods::pack(levels.clone());
        assert_eq!(packed.len(), 3);
        for (made, got) in levels.iter().zip(packed.iter()) {
            assert_eq!(made.tolerance, got.tolerance);
            let made_paths: Vec<(Vec<[f32; 2]>, bool)> = made
                .paths
                .iter()
                .map(|p| (p.points.to_vec(), p.closed))
                .collect();
            let got_paths: Vec<(Vec<[f32; 2]>, bool)> =
                got.paths().map(|p| (p.points.to_vec(), p.closed)).collect();
            assert_eq!(made_paths, got_paths);
            match (&made.fill, got.fill) {
                (None, None) => {}
                (Some(m), Some(g)) => {
                    let rings = made
                        .paths
                        .iter()
                        .filter(|p| p.closed)
                        .map(|p| Points::F32(&p.points[..]));
                    let want: Vec<[f32; 2]> = m.as_ref().vertices_in(rings).collect();
                    let have: Vec<[f32; 2]> = g.vertices_in(got.rings()).collect();
                    assert_eq!(want, have);
                    assert_eq!(
                        m.indices.offset(0).collect::<Vec<_>>(),
                        g.indices.offset(0).collect::<Vec<_>>()
                    );
                    assert_eq!(m.shared, g.shared);
                }
                (m, g) => panic!("fill {m:?} packed as {g:?}"),
            }
        }
        // One level with 32-bit corners makes them all 32-bit, with the same values.
        assert!(matches!(packed.indices, Indices::U32(_)));
        assert_eq!(packed.iter().rev().count(), 3);
        assert!(packed.get(3).is_none());
    }

    #[test]
    fn levels_near_their_origin_are_held_in_16_bits_within_half_a_quantum() {
        let ring = |r: f32| -> Vec<[f32; 2]> {
            (0..50)
                .map(|i| {
                    let a = i as f32 / 50.0 * std::f32::consts::TAU;
                    [r * a.cos() + 0.3, r * a.sin() - 0.7]
                })
                .collect()
        };
        for (reach, quantised) in [(1_000.0, true), (30_000.0, true), (100_000.0, false)] {
            let made = ring(reach);
            let lods = Lods::pack(vec![Lod {
                tolerance: 16.0,
                fill: None,
                paths: vec![path(&made, true)],
            }]);
            let got = lods.first().unwrap().paths().next().unwrap().points;
            assert_eq!(matches!(got, Points::I16(..)), quantised, "reach {reach}");
            let worst = made
                .iter()
                .zip(got.iter())
                .map(|(a, b)| (a[0] - b[0]).abs().max((a[1] - b[1]).abs()))
                .fold(0.0f32, f32::max);
            if let Points::I16(_, q) = got {
                assert!(q <= MAX_QUANTUM && q.log2().fract() == 0.0, "quantum {q}");
                assert!(
                    worst <= q / 2.0,
                    "reach {reach}: off by {worst}, quantum {q}"
                );
                // 4 bytes a point, not 8, with the level's small tables.
                assert!(lods.heap_bytes() < made.len() * 8, "{}", lods.heap_bytes());
            } else {
                assert_eq!(worst, 0.0, "held as made");
            }
            assert_eq!(got.len(), made.len());
        }
    }
}
