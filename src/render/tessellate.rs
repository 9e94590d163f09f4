//! Polygon fills as triangles: egui fills only convex paths, so concave rings, holes and
//! multipolygons are triangulated here (lyon, even-odd rule).

use super::lods::Points;
use lyon_tessellation::{
    BuffersBuilder, FillOptions, FillTessellator, FillVertex, VertexBuffers, math::point,
    path::Path,
};

/// Triangle corners: three per triangle, 16-bit when every vertex number fits.
#[derive(Clone, Debug, PartialEq)]
pub enum Indices {
    U16(Vec<u16>),
    U32(Vec<u32>),
}

impl Default for Indices {
    fn default() -> Self {
        Self::U16(Vec::new())
    }
}

impl Indices {
    fn from_u32(v: Vec<u32>) -> Self {
        if v.iter().all(|&i| i <= u16::MAX as u32) {
            Self::U16(v.into_iter().map(|i| i as u16).collect())
        } else {
            Self::U32(v)
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Self::U16(v) => v.len(),
            Self::U32(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        match self {
            Self::U16(v) => v.capacity() * 2,
            Self::U32(v) => v.capacity() * 4,
        }
    }

    /// Every corner, each plus `base`.
    pub fn offset(&self, base: u32) -> impl Iterator<Item = u32> + '_ {
        self.as_ref().offset(base)
    }

    /// The corners, borrowed.
    pub fn as_ref(&self) -> IndicesRef<'_> {
        match self {
            Self::U16(v) => IndicesRef::U16(v),
            Self::U32(v) => IndicesRef::U32(v),
        }
    }
}

/// Triangles in local units.
///
/// Most fills add no vertex to the rings they were made from (only rings that cross themselves
/// do): their triangles then index the rings' own points, taken one ring after another, and
/// `vertices` is empty. For a 14-million-vertex layer that is 110 MB not held twice.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FillMesh {
    /// The triangles' own vertices; empty when they index the rings' points (`shared`).
    pub vertices: Vec<[f32; 2]>,
    pub indices: Indices,
    /// The triangles index the points of the rings the fill was made from, one ring after
    /// another, instead of `vertices`.
    pub shared: bool,
}

impl FillMesh {
    /// The triangles' vertices: its own, or else the points of `rings` (those it was made from).
    pub fn vertices_in<'a>(
        &'a self,
        rings: impl IntoIterator<Item = &'a [[f32; 2]]> + 'a,
    ) -> impl Iterator<Item = [f32; 2]> + 'a {
        self.as_ref()
            .vertices_in(rings.into_iter().map(Points::F32))
    }

    /// Sum of the triangles' areas (always positive), with the rings the fill was made from.
    pub fn area<'a>(&'a self, rings: impl IntoIterator<Item = &'a [[f32; 2]]> + 'a) -> f64 {
        let vertices: Vec<[f32; 2]> = self.vertices_in(rings).collect();
        let corners: Vec<u32> = self.indices.offset(0).collect();
        corners
            .chunks_exact(3)
            .filter_map(|t| {
                let [a, b, c] = [t[0], t[1], t[2]].map(|i| vertices.get(i as usize).copied());
                let (a, b, c) = (a?, b?, c?);
                let cross = (b[0] - a[0]) as f64 * (c[1] - a[1]) as f64
                    - (c[0] - a[0]) as f64 * (b[1] - a[1]) as f64;
                Some(cross.abs() / 2.0)
            })
            .sum()
    }
}

/// Triangle corners, borrowed.
#[derive(Clone, Copy, Debug)]
pub enum IndicesRef<'a> {
    U16(&'a [u16]),
    U32(&'a [u32]),
}

impl IndicesRef<'_> {
    pub fn len(&self) -> usize {
        match self {
            Self::U16(v) => v.len(),
            Self::U32(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every corner, each plus `base`.
    pub fn offset(self, base: u32) -> impl Iterator<Item = u32> {
        let (a, b) = match self {
            Self::U16(v) => (Some(v.iter().map(move |&i| base + u32::from(i))), None),
            Self::U32(v) => (None, Some(v.iter().map(move |&i| base + i))),
        };
        a.into_iter().flatten().chain(b.into_iter().flatten())
    }
}

/// A fill, borrowed: triangles over its own vertices, or over the points of the rings it was
/// made from (`shared`; see [`FillMesh`]).
#[derive(Clone, Copy, Debug)]
pub struct FillRef<'a> {
    pub vertices: Points<'a>,
    pub indices: IndicesRef<'a>,
    pub shared: bool,
}

impl FillMesh {
    pub fn as_ref(&self) -> FillRef<'_> {
        FillRef {
            vertices: Points::F32(&self.vertices),
            indices: self.indices.as_ref(),
            shared: self.shared,
        }
    }
}

impl<'a> FillRef<'a> {
    /// The triangles' vertices: its own, or else the points of `rings` (those it was made from).
    pub fn vertices_in(
        self,
        rings: impl IntoIterator<Item = Points<'a>> + 'a,
    ) -> impl Iterator<Item = [f32; 2]> + 'a {
        let (own, shared) = if self.shared {
            (None, Some(rings.into_iter().flat_map(Points::iter)))
        } else {
            (Some(self.vertices.iter()), None)
        };
        own.into_iter()
            .flatten()
            .chain(shared.into_iter().flatten())
    }
}

/// Triangulates polygons given as rings (first the exterior, then holes); each ring is a list of
/// points, closed or not. Even-odd filling makes holes and overlapping parts come out right
/// whatever the ring orientation the file used.
///
/// Plain polygons (each exterior followed by the holes inside it, no part overlapping another)
/// go through earcut, and the result is kept only if its triangles cover exactly the polygons'
/// area; anything else (rings that cross, overlapping parts, a hole outside its exterior, points
/// that are not finite) through lyon's sweep, which takes any input. Either way the fill is the
/// even-odd one. On the generated zones earcut is several times faster (BENCHMARKS.md).
pub fn tessellate_rings<'a>(
    rings: impl IntoIterator<Item = &'a [[f32; 2]]>,
    tolerance: f32,
) -> Result<FillMesh, lyon_tessellation::TessellationError> {
    let rings: Vec<&[[f32; 2]]> = rings.into_iter().collect();
    if !sweep_only()
        && let Some(mesh) = earcut_fill(&rings)
    {
        return Ok(mesh);
    }
    sweep_fill(rings, tolerance)
}

/// `CORRIDOR_FILLS_BY_SWEEP=1`: every fill through lyon's sweep, as before earcut, so that
/// benchmarks can hold the two against each other in one binary.
fn sweep_only() -> bool {
    static SWEEP_ONLY: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *SWEEP_ONLY.get_or_init(|| std::env::var_os("CORRIDOR_FILLS_BY_SWEEP").is_some())
}

/// Ray casting: whether `p` is inside the ring (even-odd).
pub(super) fn ring_contains(ring: Points<'_>, p: [f64; 2]) -> bool {
    let mut inside = false;
    let Some(mut a) = ring.get(ring.len().wrapping_sub(1)) else {
        return false;
    };
    for b in ring.iter() {
        let (ax, ay, bx, by) = (a[0] as f64, a[1] as f64, b[0] as f64, b[1] as f64);
        a = b;
        if (ay > p[1]) != (by > p[1]) {
            let x = ax + (p[1] - ay) * (bx - ax) / (by - ay);
            if p[0] < x {
                inside = !inside;
            }
        }
    }
    inside
}

/// A ring's box: min x, min y, max x, max y.
type RingBox = [f32; 4];

fn ring_box(ring: &[[f32; 2]]) -> RingBox {
    ring.iter().fold(
        [
            f32::INFINITY,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NEG_INFINITY,
        ],
        |b, p| {
            [
                b[0].min(p[0]),
                b[1].min(p[1]),
                b[2].max(p[0]),
                b[3].max(p[1]),
            ]
        },
    )
}

fn box_within(inner: &RingBox, outer: &RingBox) -> bool {
    inner[0] >= outer[0] && inner[1] >= outer[1] && inner[2] <= outer[2] && inner[3] <= outer[3]
}

fn boxes_meet(a: &RingBox, b: &RingBox) -> bool {
    a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
}

/// Most polygons give earcut more than this many parts only when something is odd: lyon then.
const EARCUT_MAX_PARTS: usize = 64;

/// The fill by earcut, where `rings` are plain polygons and earcut's triangles are checked to
/// cover them exactly; `None` where lyon should decide.
fn earcut_fill(rings: &[&[[f32; 2]]]) -> Option<FillMesh> {
    // Parts: an exterior, then the rings that follow it inside its box, with their first
    // point inside it (its holes). A ring that is not inside starts the next part.
    struct Part {
        first: usize,
        end: usize,
        bbox: RingBox,
    }
    let mut parts: Vec<Part> = Vec::new();
    for (k, ring) in rings.iter().enumerate() {
        if ring.len() < 3 || !ring.iter().all(|p| p[0].is_finite() && p[1].is_finite()) {
            return None;
        }
        let bbox = ring_box(ring);
        if let Some(part) = parts.last_mut()
            && box_within(&bbox, &part.bbox)
            && ring_contains(
                Points::F32(rings[part.first]),
                [f64::from(ring[0][0]), f64::from(ring[0][1])],
            )
        {
            part.end = k + 1;
            continue;
        }
        parts.push(Part {
            first: k,
            end: k + 1,
            bbox,
        });
    }
    if parts.is_empty() || parts.len() > EARCUT_MAX_PARTS {
        return None;
    }
    // Parts that might overlap: even-odd leaves their overlap empty, earcut would fill it twice.
    for (i, a) in parts.iter().enumerate() {
        if parts[i + 1..].iter().any(|b| boxes_meet(&a.bbox, &b.bbox)) {
            return None;
        }
    }
    thread_local! {
        static EARCUT: std::cell::RefCell<(earcut::Earcut<f64>, Vec<u32>, Vec<u32>)> =
            std::cell::RefCell::new((earcut::Earcut::new(), Vec::new(), Vec::new()));
    }
    EARCUT.with_borrow_mut(|(earcut, holes, triangles)| {
        let mut indices: Vec<u32> = Vec::new();
        // The triangles index the rings' points one ring after another, as `shared` says.
        let mut base: usize = 0;
        for part in &parts {
            let part_rings = &rings[part.first..part.end];
            holes.clear();
            let mut n = 0usize;
            for r in part_rings {
                if n > 0 {
                    holes.push(u32::try_from(n).ok()?);
                }
                n += r.len();
            }
            let points = part_rings
                .iter()
                .flat_map(|r| r.iter())
                .map(|p| [f64::from(p[0]), f64::from(p[1])]);
            earcut.earcut(points, holes.as_slice(), triangles);
            // The polygon's area against the triangles': equal when the triangulation is right.
            let expected = 2.0 * rings_area(part_rings);
            let point = |i: u32| {
                let mut i = i as usize;
                for r in part_rings {
                    if i < r.len() {
                        return r.get(i).copied();
                    }
                    i -= r.len();
                }
                None
            };
            let mut covered = 0.0;
            for t in triangles.chunks_exact(3) {
                let (a, b, c) = (point(t[0])?, point(t[1])?, point(t[2])?);
                covered += ((f64::from(b[0]) - f64::from(a[0]))
                    * (f64::from(c[1]) - f64::from(a[1]))
                    - (f64::from(c[0]) - f64::from(a[0])) * (f64::from(b[1]) - f64::from(a[1])))
                .abs();
            }
            if expected.is_nan() || expected <= 0.0 || (covered - expected).abs() > expected * 1e-7
            {
                return None;
            }
            let base32 = u32::try_from(base).ok()?;
            indices.extend(triangles.iter().map(|&i| base32 + i));
            base += n;
        }
        Some(FillMesh {
            vertices: Vec::new(),
            indices: Indices::from_u32(indices),
            shared: true,
        })
    })
}

/// lyon's sweep with the even-odd rule: any rings at all, crossing or overlapping.
fn sweep_fill(
    rings: Vec<&[[f32; 2]]>,
    tolerance: f32,
) -> Result<FillMesh, lyon_tessellation::TessellationError> {
    let mut builder = Path::builder();
    // The triangles can index the rings' points when every point went into the path. The path
    // numbers its points as it takes them, plus one for each ring's closing (its first again):
    // `point_of[id]` is the ring point that path point is.
    let mut all_finite = true;
    let mut point_of: Vec<u32> = Vec::new();
    let mut taken = 0u32;
    for ring in rings {
        let finite = |p: &&[f32; 2]| p[0].is_finite() && p[1].is_finite();
        all_finite &= ring.iter().all(|p| finite(&p));
        let mut points = ring.iter().filter(finite);
        let Some(first) = points.next() else {
            continue;
        };
        let start = taken;
        let mut note = |id: lyon_tessellation::path::EndpointId, point: u32| {
            let id = id.0 as usize;
            if point_of.len() <= id {
                point_of.resize(id + 1, u32::MAX);
            }
            point_of[id] = point;
        };
        note(builder.begin(point(first[0], first[1])), start);
        taken += 1;
        for p in points {
            note(builder.line_to(point(p[0], p[1])), taken);
            taken += 1;
        }
        builder.end(true);
        // The closing point, numbered next.
        point_of.push(start);
    }
    let path = builder.build();
    // Each vertex made: the ring point it stands on (`u32::MAX` for one made where edges
    // cross), and where it is.
    let mut buffers: VertexBuffers<(u32, [f32; 2]), u32> = VertexBuffers::new();
    // With ids, so that each vertex made says which path point it stands on.
    FillTessellator::new().tessellate_with_ids(
        path.id_iter(),
        &path,
        None,
        &FillOptions::even_odd().with_tolerance(tolerance),
        &mut BuffersBuilder::new(&mut buffers, |v: FillVertex| {
            let p = v.position();
            (v.as_endpoint_id().map_or(u32::MAX, |e| e.0), [p.x, p.y])
        }),
    )?;
    let ring_point = |v: &(u32, [f32; 2])| point_of.get(v.0 as usize).copied();
    if all_finite
        && buffers
            .vertices
            .iter()
            .all(|v| ring_point(v).is_some_and(|p| p != u32::MAX))
    {
        let indices = buffers
            .indices
            .iter()
            .filter_map(|&k| buffers.vertices.get(k as usize).and_then(ring_point))
            .collect();
        return Ok(FillMesh {
            vertices: Vec::new(),
            indices: Indices::from_u32(indices),
            shared: true,
        });
    }
    Ok(FillMesh {
        vertices: buffers.vertices.iter().map(|v| v.1).collect(),
        indices: Indices::from_u32(buffers.indices),
        shared: false,
    })
}

/// Planar area of rings by the shoelace formula, holes subtracted (even-odd).
pub fn rings_area<R: AsRef<[[f32; 2]]>>(rings: &[R]) -> f64 {
    rings
        .iter()
        .map(AsRef::as_ref)
        .enumerate()
        .map(|(i, r)| {
            let a = r
                .iter()
                .zip(r.iter().cycle().skip(1))
                .map(|(p, q)| p[0] as f64 * q[1] as f64 - q[0] as f64 * p[1] as f64)
                .sum::<f64>()
                .abs()
                / 2.0;
            if i == 0 { a } else { -a }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn area_of(rings: &[Vec<[f32; 2]>]) -> f64 {
        tessellate_rings(rings.iter().map(Vec::as_slice), 0.01)
            .unwrap()
            .area(rings.iter().map(Vec::as_slice))
    }

    #[test]
    fn a_simple_polygon_indexes_its_own_points_and_a_crossing_one_gets_vertices() {
        let outer = vec![[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]];
        let hole = vec![[2.0, 2.0], [2.0, 6.0], [6.0, 6.0], [6.0, 2.0]];
        let m = tessellate_rings([outer.as_slice(), hole.as_slice()], 0.5).unwrap();
        assert!(m.shared && m.vertices.is_empty());
        assert!(matches!(m.indices, Indices::U16(_)));
        assert_eq!(
            m.indices.len(),
            8 * 3,
            "8 triangles for a square with a square hole"
        );
        // A bow tie: its edges cross, which makes a vertex that is no ring point.
        let bow = vec![[0.0, 0.0], [10.0, 10.0], [10.0, 0.0], [0.0, 10.0]];
        let m = tessellate_rings([bow.as_slice()], 0.5).unwrap();
        assert!(!m.shared);
        assert_eq!(m.vertices.len(), 5);
        assert!((m.area([bow.as_slice()]) - 50.0).abs() < 1e-3);
        // Points that cannot be drawn are left out, so the rest cannot be indexed by position.
        let with_nan = vec![[0.0, 0.0], [f32::NAN, 1.0], [10.0, 0.0], [10.0, 10.0]];
        let m = tessellate_rings([with_nan.as_slice()], 0.5).unwrap();
        assert!(!m.shared);
        assert!((m.area([with_nan.as_slice()]) - 50.0).abs() < 1e-3);
    }

    #[test]
    fn more_than_65_536_points_take_32_bit_indices() {
        let n = 70_000;
        let ring: Vec<[f32; 2]> = (0..n)
            .map(|i| {
                let a = i as f32 / n as f32 * std::f32::consts::TAU;
                [1000.0 * a.cos(), 1000.0 * a.sin()]
            })
            .collect();
        let m = tessellate_rings([ring.as_slice()], 0.5).unwrap();
        assert!(m.shared);
        assert!(matches!(m.indices, Indices::U32(_)));
        let circle = std::f64::consts::PI * 1000.0 * 1000.0;
        assert!((m.area([ring.as_slice()]) - circle).abs() / circle < 1e-3);
    }

    #[test]
    fn l_shape_fills_its_area_not_its_notch() {
        // An L: 3 × 3 square minus the 2 × 2 top-right corner → area 5.
        let l = vec![
            [0.0, 0.0],
            [3.0, 0.0],
            [3.0, 1.0],
            [1.0, 1.0],
            [1.0, 3.0],
            [0.0, 3.0],
        ];
        assert!((area_of(std::slice::from_ref(&l)) - 5.0).abs() < 1e-4);
        assert!((rings_area(&[l]) - 5.0).abs() < 1e-6);
    }

    #[test]
    fn holes_stay_empty() {
        let outer = vec![[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]];
        let hole = vec![[2.0, 2.0], [2.0, 6.0], [6.0, 6.0], [6.0, 2.0]];
        assert!((area_of(&[outer, hole]) - 84.0).abs() < 1e-3);
    }

    #[test]
    fn hole_orientation_does_not_matter() {
        let outer = vec![[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]];
        let hole_same_way = vec![[2.0, 2.0], [6.0, 2.0], [6.0, 6.0], [2.0, 6.0]];
        assert!((area_of(&[outer, hole_same_way]) - 84.0).abs() < 1e-3);
    }

    #[test]
    fn degenerate_input_does_not_panic() {
        assert_eq!(area_of(&[vec![]]), 0.0);
        assert_eq!(area_of(&[vec![[1.0, 1.0]]]), 0.0);
        let _ = tessellate_rings([&[[f32::NAN, 0.0], [1.0, 1.0], [2.0, 0.0]][..]], 0.01);
    }

    type Rings = Vec<Vec<[f32; 2]>>;

    fn square(x: f32, y: f32, side: f32) -> Vec<[f32; 2]> {
        vec![[x, y], [x + side, y], [x + side, y + side], [x, y + side]]
    }

    /// What lyon's even-odd sweep covers, to hold earcut's fills against.
    fn swept_area(rings: &[Vec<[f32; 2]>]) -> f64 {
        sweep_fill(rings.iter().map(Vec::as_slice).collect(), 0.01)
            .unwrap()
            .area(rings.iter().map(Vec::as_slice))
    }

    fn by_earcut(rings: &[Vec<[f32; 2]>]) -> bool {
        earcut_fill(&rings.iter().map(Vec::as_slice).collect::<Vec<_>>()).is_some()
    }

    #[test]
    fn plain_polygons_go_to_earcut_and_the_rest_to_the_sweep() {
        let outer = square(0.0, 0.0, 10.0);
        let hole = square(2.0, 2.0, 4.0);
        let far = square(20.0, 0.0, 5.0);
        let plain: [(&str, Rings); 3] = [
            ("a square", vec![outer.clone()]),
            ("a square with a hole", vec![outer.clone(), hole.clone()]),
            (
                "two parts apart",
                vec![outer.clone(), hole.clone(), far.clone()],
            ),
        ];
        for (what, rings) in &plain {
            assert!(by_earcut(rings), "{what}");
            let m = tessellate_rings(rings.iter().map(Vec::as_slice), 0.5).unwrap();
            assert!(m.shared, "{what}");
            let area = m.area(rings.iter().map(Vec::as_slice));
            assert!((area - swept_area(rings)).abs() < 1e-3, "{what}: {area}");
        }
        let bow = vec![[0.0, 0.0], [10.0, 10.0], [10.0, 0.0], [0.0, 10.0]];
        // An island in a lake: its box and first point are inside the exterior, but it lies
        // in the hole, where even-odd fills it again.
        let island = square(3.0, 3.0, 2.0);
        let odd: [(&str, Rings, f64); 4] = [
            ("a bow tie", vec![bow], 50.0),
            (
                "two overlapping squares",
                vec![outer.clone(), square(5.0, 5.0, 10.0)],
                100.0 + 100.0 - 2.0 * 25.0,
            ),
            (
                "a hole outside its exterior's ring but in its box",
                vec![
                    vec![[0.0, 0.0], [10.0, 0.0], [10.0, 10.0]],
                    vec![[1.0, 8.0], [2.0, 8.0], [2.0, 9.0]],
                ],
                50.0 + 0.5,
            ),
            (
                "an island in a lake",
                vec![outer, hole, island],
                100.0 - 16.0 + 4.0,
            ),
        ];
        for (what, rings, area) in &odd {
            assert!(!by_earcut(rings), "{what}");
            let got = area_of(rings);
            assert!((got - area).abs() < 1e-3, "{what}: {got} against {area}");
        }
    }

    /// Every polygon of the real boundaries and of turf's valid and invalid fixtures (spikes,
    /// punctures, touching holes, overlapping parts): the fill covers what the sweep covers.
    #[test]
    fn real_and_broken_polygons_fill_as_the_even_odd_sweep_fills_them() {
        let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
        assert!(
            data.is_dir(),
            "this test needs the shared data at {} (see ../shared/data/README.md): it is not there",
            data.display()
        );
        let mut files = vec![
            data.join("real/vn-provinces-2025/former_binh_duong_wards_2025_merged.geojson"),
            data.join("real/geoboundaries-vnm-adm1/geoBoundaries-VNM-ADM1.geojson"),
        ];
        let mut dirs = vec![data.join("corpus/turfjs-turf")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path
                    .extension()
                    .is_some_and(|e| e == "geojson" || e == "json")
                {
                    files.push(path);
                }
            }
        }
        let (mut polygons, mut by_earcut_count) = (0usize, 0usize);
        for file in &files {
            let bytes = std::fs::read(file).unwrap();
            // Some fixtures are broken on purpose: nothing to fill there.
            let Ok(parsed) = crate::io::geojson_file::parse_geojson(&bytes, file) else {
                continue;
            };
            let layer = parsed.into_layer(
                "t".into(),
                file.clone(),
                crate::model::LayerStyle::default(),
            );
            for f in layer.features() {
                let Some(g) = f.geometry() else {
                    continue;
                };
                let parts: Vec<geo::Polygon<f64>> = match g.into_owned() {
                    geo::Geometry::Polygon(p) => vec![p],
                    geo::Geometry::MultiPolygon(m) => m.0,
                    _ => continue,
                };
                let Some(origin) = parts.first().and_then(|p| p.exterior().0.first().copied())
                else {
                    continue;
                };
                // Units of about 10 m about the first point, as a feature's local units are.
                let rings: Vec<Vec<[f32; 2]>> = parts
                    .iter()
                    .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                    .map(|r| {
                        let mut pts: Vec<[f32; 2]> =
                            r.0.iter()
                                .map(|c| {
                                    [
                                        ((c.x - origin.x) * 1e4) as f32,
                                        ((c.y - origin.y) * 1e4) as f32,
                                    ]
                                })
                                .collect();
                        if pts.len() > 1 && pts.first() == pts.last() {
                            pts.pop();
                        }
                        pts
                    })
                    .collect();
                let got = area_of(&rings);
                let expected = swept_area(&rings);
                assert!(
                    (got - expected).abs() <= expected * 1e-4 + 1e-3,
                    "{}: {got} against the sweep's {expected}",
                    file.display()
                );
                polygons += 1;
                by_earcut_count += usize::from(by_earcut(&rings));
            }
        }
        assert!(polygons > 100, "only {polygons} polygons read");
        assert!(
            by_earcut_count * 2 > polygons,
            "{by_earcut_count} of {polygons} by earcut"
        );
    }

    /// The exact even-odd area of rings, by GEOS (through GDAL): each ring's polygon taken in
    /// or out of the rest in turn.
    fn even_odd_area(rings: &[Vec<[f32; 2]>]) -> f64 {
        let polygon = |r: &Vec<[f32; 2]>| {
            let points: Vec<String> = r
                .iter()
                .chain(r.first())
                .map(|p| format!("{} {}", p[0], p[1]))
                .collect();
            gdal::vector::Geometry::from_wkt(&format!("POLYGON(({}))", points.join(",")))
                .expect("a polygon")
        };
        let mut rings = rings.iter();
        let Some(first) = rings.next() else {
            return 0.0;
        };
        rings
            .fold(polygon(first), |acc, r| {
                let r = polygon(r);
                let both = acc.union(&r).expect("a union");
                let common = acc.intersection(&r).expect("an intersection");
                both.difference(&common).expect("a difference")
            })
            .area()
    }

    #[test]
    fn the_even_odd_oracle_takes_holes_out_and_overlaps_away() {
        let outer = square(0.0, 0.0, 10.0);
        assert!((even_odd_area(&[outer.clone(), square(2.0, 2.0, 4.0)]) - 84.0).abs() < 1e-6);
        assert!((even_odd_area(&[outer, square(5.0, 5.0, 10.0)]) - 150.0).abs() < 1e-6);
    }

    /// A star (often concave) of `radii` about `centre`.
    fn star(centre: [f32; 2], radii: &[f32], turn: f32) -> Vec<[f32; 2]> {
        let n = radii.len();
        radii
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let a = i as f32 / n as f32 * std::f32::consts::TAU + turn;
                [centre[0] + r * a.cos(), centre[1] + r * a.sin()]
            })
            .collect()
    }

    proptest! {
        /// Whatever the rings (holes in or out, parts apart or overlapping, rings reversed),
        /// the fill covers what lyon's even-odd sweep covers.
        #[test]
        fn fills_cover_what_the_even_odd_sweep_covers(
            outer in proptest::collection::vec(20.0f32..100.0, 3..30),
            hole in proptest::collection::vec(1.0f32..30.0, 3..12),
            hole_at in (-60.0f32..60.0, -60.0f32..60.0),
            other in proptest::collection::vec(5.0f32..60.0, 3..20),
            other_at in (-250.0f32..250.0, -250.0f32..250.0),
            reverse in any::<(bool, bool)>(),
            with in 0u8..4,
        ) {
            let mut hole = star([hole_at.0, hole_at.1], &hole, 0.3);
            if reverse.0 {
                hole.reverse();
            }
            let mut other = star([other_at.0, other_at.1], &other, 0.1);
            if reverse.1 {
                other.reverse();
            }
            let outer = star([0.0, 0.0], &outer, 0.0);
            let rings = match with {
                0 => vec![outer],
                1 => vec![outer, hole],
                2 => vec![outer, other],
                _ => vec![outer, hole, other],
            };
            // Where earcut filled, against the exact even-odd area (lyon's own sweep is off by
            // a few percent on some of these: a hole with a vertex near another ring's).
            if by_earcut(&rings) {
                let got = area_of(&rings);
                let expected = even_odd_area(&rings);
                prop_assert!(
                    (got - expected).abs() <= expected * 1e-4 + 1e-2,
                    "{} vs {}", got, expected
                );
            }
        }

        /// Star-shaped (often concave) polygons: the triangles cover exactly the polygon.
        #[test]
        fn triangle_areas_sum_to_polygon_area(radii in proptest::collection::vec(1.0f32..100.0, 3..40)) {
            let n = radii.len();
            let ring: Vec<[f32; 2]> = radii
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let a = i as f32 / n as f32 * std::f32::consts::TAU;
                    [r * a.cos(), r * a.sin()]
                })
                .collect();
            let expected = rings_area(std::slice::from_ref(&ring));
            let got = area_of(&[ring]);
            prop_assert!((got - expected).abs() <= expected * 1e-4 + 1e-3, "{} vs {}", got, expected);
        }
    }
}
