//! A feature's simplified levels, packed: every level's table, paths, points and triangle
//! corners in one allocation.
//!
//! Held as a list of levels, each with its own list of paths (one allocation per path) and its
//! own mesh, the levels of a 100 000-polygon layer took 121 MiB, two fifths of it in the lists'
//! own headers. Packed into four buffers a feature, a crowded frame still missed the cache on
//! each of them in turn; now there is one.

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

/// Where a path lies among the levels' points: its first point, and its length with whether it
/// is closed in the top bit.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
struct Span {
    start: u32,
    len_closed: u32,
}

/// The top bit of a span's length: the path is closed. Also, in the header, of the number of
/// corners: they are held in 32 bits.
const TOP: u32 = 1 << 31;

impl Span {
    fn len(self) -> usize {
        (self.len_closed & !TOP) as usize
    }

    fn closed(self) -> bool {
        self.len_closed & TOP != 0
    }
}

/// Where a level's paths and fill lie in [`Lods`]' sections.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
struct Level {
    tolerance: f32,
    /// Its paths: a range of the spans.
    spans: [u32; 2],
    /// Its fill's corners, a range of them (`[NONE, NONE]` for no fill). They count from the
    /// level's first ring point, or from the first of `own`.
    corners: [u32; 2],
    /// The fill's own vertices, a range of the points (`[NONE, NONE]` when it shares the
    /// rings').
    own: [u32; 2],
}

/// No range (see [`Level`]).
const NONE: u32 = u32::MAX;

/// Words of a [`Level`] and of a [`Span`].
const LEVEL_WORDS: usize = size_of::<Level>() / 4;
const SPAN_WORDS: usize = size_of::<Span>() / 4;

/// Words before the sections: the numbers of levels, spans, points and corners (with [`TOP`]
/// set when they are 32-bit), and the points' quantum's bits (0: points held as made).
const HEADER: usize = 5;

/// A feature's simplified levels, finest first, packed (see the module's documentation).
///
/// One allocation: a header, then the levels' table, the paths' spans, the points (quantised
/// to 16 bits each when a quantum of at most [`MAX_QUANTUM`] reaches them all, a feature within
/// some 9 km of its origin; else as made), and the fills' corners (16 bits each where every
/// one fits), each section a whole number of 32-bit words. A frame that draws a feature at a
/// level reads its table, spans and points from one place: held apart, each was a cache miss
/// of its own on a crowded frame.
#[derive(Clone, Debug, Default)]
pub struct Lods {
    words: Box<[u32]>,
}

/// The sections of [`Lods`], borrowed.
struct Sections<'a> {
    levels: &'a [Level],
    spans: &'a [Span],
    points: Points<'a>,
    corners: IndicesRef<'a>,
}

/// Two 16-bit values as the word that holds them in memory order.
fn word_of(a: [u8; 2], b: [u8; 2]) -> u32 {
    u32::from_ne_bytes([a[0], a[1], b[0], b[1]])
}

/// The points quantised to whole multiples of a power of two (their quantum), if one of at
/// most [`MAX_QUANTUM`] reaches them all.
fn quantised(points: &[[f32; 2]]) -> Option<(Vec<[i16; 2]>, f32)> {
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
        return None;
    }
    let q = |v: f32| (v / quantum).round() as i16;
    Some((points.iter().map(|p| [q(p[0]), q(p[1])]).collect(), quantum))
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
            points: points.slice(s.start as usize, s.start as usize + s.len()),
            closed: s.closed(),
        })
    }

    /// Its closed paths, in order: what its fill was made from.
    pub fn rings(self) -> impl Iterator<Item = Points<'a>> + Clone + 'a {
        self.paths().filter(|p| p.closed).map(|p| p.points)
    }

    /// Points in all its paths.
    pub fn point_count(self) -> usize {
        self.spans.iter().map(|s| s.len()).sum()
    }
}

/// Indices that fit in u32 (short of [`NONE`]), or `None` when a buffer would not.
fn range(start: usize, end: usize) -> Option<[u32; 2]> {
    let r = [u32::try_from(start).ok()?, u32::try_from(end).ok()?];
    (r[1] < TOP).then_some(r)
}

impl Lods {
    /// Packs levels made one by one. Levels past what 31-bit offsets address are left out
    /// (a feature of two billion points is not drawn anyway).
    pub fn pack(levels: Vec<Lod>) -> Self {
        let mut table = Vec::with_capacity(levels.len());
        let mut spans = Vec::new();
        let mut points: Vec<[f32; 2]> = Vec::new();
        let mut wide = false;
        let mut corners: Vec<u32> = Vec::new();
        'levels: for l in levels {
            let first_span = spans.len();
            let first_point = points.len();
            let first_corner = corners.len();
            for p in &l.paths {
                let Some([start, end]) = range(points.len(), points.len() + p.points.len()) else {
                    points.truncate(first_point);
                    spans.truncate(first_span);
                    break 'levels;
                };
                points.extend_from_slice(&p.points);
                spans.push(Span {
                    start,
                    len_closed: (end - start) | if p.closed { TOP } else { 0 },
                });
            }
            let (mut corners_range, mut own) = ([NONE; 2], [NONE; 2]);
            if let Some(m) = &l.fill {
                if !m.shared {
                    let start = points.len();
                    points.extend_from_slice(&m.vertices);
                    own = range(start, points.len()).unwrap_or([NONE; 2]);
                }
                corners.extend(m.indices.offset(0));
                wide |= matches!(m.indices, Indices::U32(_));
                corners_range = range(first_corner, corners.len()).unwrap_or([NONE; 2]);
                if corners_range[0] == NONE || (!m.shared && own[0] == NONE) {
                    points.truncate(first_point);
                    spans.truncate(first_span);
                    corners.truncate(first_corner);
                    break 'levels;
                }
            }
            let Some(spans_range) = range(first_span, spans.len()) else {
                break;
            };
            table.push(Level {
                tolerance: l.tolerance,
                spans: spans_range,
                corners: corners_range,
                own,
            });
        }
        let quantised = quantised(&points);
        let point_words = match &quantised {
            Some((p, _)) => p.len(),
            None => points.len() * 2,
        };
        let corner_words = if wide {
            corners.len()
        } else {
            corners.len().div_ceil(2)
        };
        let mut words = Vec::with_capacity(
            HEADER
                + table.len() * LEVEL_WORDS
                + spans.len() * SPAN_WORDS
                + point_words
                + corner_words,
        );
        // Every count is below 2³¹: `range` refused more.
        words.extend([
            table.len() as u32,
            spans.len() as u32,
            points.len() as u32,
            quantised.as_ref().map_or(0, |(_, q)| q.to_bits()),
            corners.len() as u32 | if wide { TOP } else { 0 },
        ]);
        words.extend_from_slice(bytemuck::cast_slice(&table));
        words.extend_from_slice(bytemuck::cast_slice(&spans));
        match &quantised {
            Some((p, _)) => words.extend(
                p.iter()
                    .map(|c| word_of(c[0].to_ne_bytes(), c[1].to_ne_bytes())),
            ),
            None => words.extend(points.iter().flat_map(|p| [p[0].to_bits(), p[1].to_bits()])),
        }
        if wide {
            words.extend_from_slice(&corners);
        } else {
            words.extend(corners.chunks(2).map(|pair| {
                let at = |k: usize| (pair.get(k).copied().unwrap_or(0) as u16).to_ne_bytes();
                word_of(at(0), at(1))
            }));
        }
        Self {
            words: words.into(),
        }
    }

    /// The sections; `None` for no levels (or words that do not add up, which `pack` never
    /// makes).
    fn sections(&self) -> Option<Sections<'_>> {
        let w = &self.words[..];
        let h = w.get(..HEADER)?;
        let (levels, spans, points) = (h[0] as usize, h[1] as usize, h[2] as usize);
        let (quantum, corners) = (h[3], h[4]);
        let wide = corners & TOP != 0;
        let corners = (corners & !TOP) as usize;
        let mut at = HEADER;
        let mut take = |n: usize| {
            let s = w.get(at..at + n);
            at += n;
            s
        };
        let levels: &[Level] = bytemuck::try_cast_slice(take(levels * LEVEL_WORDS)?).ok()?;
        let spans: &[Span] = bytemuck::try_cast_slice(take(spans * SPAN_WORDS)?).ok()?;
        let points = if quantum == 0 {
            Points::F32(bytemuck::try_cast_slice(take(points * 2)?).ok()?)
        } else {
            Points::I16(
                bytemuck::try_cast_slice(take(points)?).ok()?,
                f32::from_bits(quantum),
            )
        };
        let corners = if wide {
            IndicesRef::U32(take(corners)?)
        } else {
            let halves: &[u16] = bytemuck::try_cast_slice(take(corners.div_ceil(2))?).ok()?;
            IndicesRef::U16(halves.get(..corners)?)
        };
        Some(Sections {
            levels,
            spans,
            points,
            corners,
        })
    }

    pub fn len(&self) -> usize {
        self.words.first().map_or(0, |&n| n as usize)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Level `k`, finest first.
    pub fn get(&self, k: usize) -> Option<LodRef<'_>> {
        let s = self.sections()?;
        let l = s.levels.get(k)?;
        let spans = s
            .spans
            .get(l.spans[0] as usize..l.spans[1] as usize)
            .unwrap_or_default();
        let fill = (l.corners[0] != NONE).then(|| {
            let (a, b) = (l.corners[0] as usize, l.corners[1] as usize);
            let indices = match s.corners {
                IndicesRef::U16(v) => IndicesRef::U16(v.get(a..b).unwrap_or_default()),
                IndicesRef::U32(v) => IndicesRef::U32(v.get(a..b).unwrap_or_default()),
            };
            let shared = l.own[0] == NONE;
            FillRef {
                vertices: if shared {
                    s.points.slice(0, 0)
                } else {
                    s.points.slice(l.own[0] as usize, l.own[1] as usize)
                },
                indices,
                shared,
            }
        });
        Some(LodRef {
            tolerance: l.tolerance,
            spans,
            points: s.points,
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
        size_of_val(&*self.words)
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
        assert!(
            packed
                .iter()
                .all(|l| !matches!(l.fill.map(|f| f.indices), Some(IndicesRef::U16(_))))
        );
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
