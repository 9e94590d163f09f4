//! Render data per layer, built once from the document: geometry projected to Web Mercator,
//! polygons triangulated, bounding boxes in an R-tree for culling and hit tests. A frame only
//! transforms and culls what is here.

use geo::{Geometry, LineString, Polygon};
use rayon::prelude::*;
use rstar::{AABB, RTree, primitives::GeomWithData, primitives::Rectangle};

use crate::geometry::{MercatorBox, mercator_from_lonlat};
use crate::model::packed::{Kind, Packed, Shape};
use crate::model::{FeatureStyle, Lang, Layer};

pub use super::detail::build_lods;
use super::detail::*;
use super::lods::{LodRef, Points};
pub use super::lods::{Lods, Outline};
use super::paint::DOT_SIZE;
use super::tessellate::{FillMesh, FillRef, ring_contains, rings_area, tessellate_rings};

/// Local units per world unit: local coordinates are screen points at zoom 20, which keeps
/// them within f32's exact range for any feature smaller than a country.
pub const LOCAL_PER_WORLD: f64 = (1u64 << 28) as f64;

/// A line or ring in local units.
#[derive(Clone, Debug)]
pub struct Path {
    /// Shared: a level that keeps a path unchanged could point at it instead of copying it
    /// (nothing does yet; full detail made on demand is made from the layer's geometry).
    pub points: std::sync::Arc<[[f32; 2]]>,
    pub closed: bool,
}

/// Tolerances of the simplified versions kept per feature, in local units (zoom-20 points):
/// half a point at zoom 15, 13.5, 12, 10.5 and 9. Steps of about 2.8: with steps of 8, a frame
/// just past a level's zoom drew up to eight times the vertices a point of error allows.
pub const LOD_TOLERANCES: [f32; 5] = [16.0, 45.0, 128.0, 362.0, 1024.0];

/// The finest tolerance whose level a deferred build triangulates
/// ([`LayerRender::build_deferred`]). The finest level (16) is drawn only from zoom 14.5 on,
/// where a few thousand features share the screen at most: its fill is made on demand, as full
/// detail is ([`FeatureRender::finest_fill`]). Triangulating it for every feature of the large
/// layer was about a quarter of the time to the first frame's draw data, for zooms the first
/// frame never draws.
pub const FINEST_FILLED_TOLERANCE: f32 = LOD_TOLERANCES[1];

/// A simplified version of a feature, for zooms where its full detail is below a pixel, as
/// made; a feature holds its levels packed ([`Lods`]).
#[derive(Clone, Debug)]
pub struct Lod {
    /// Vertices may move by this much (local units) from the true boundary.
    pub tolerance: f32,
    pub fill: Option<FillMesh>,
    pub paths: Vec<Path>,
}

/// What one feature needs to be drawn and picked.
#[derive(Clone, Debug)]
pub struct FeatureRender {
    /// World coordinates that local (0, 0) stands for.
    pub origin: [f64; 2],
    pub bbox: MercatorBox,
    pub fill: Option<FillMesh>,
    /// Polygon rings (closed) and lines (open).
    pub paths: Vec<Path>,
    /// Point markers, in local units.
    pub markers: Vec<[f32; 2]>,
    pub style: FeatureStyle,
    /// Where the label goes (world units) and what it says.
    pub label: Option<(String, [f64; 2])>,
    /// Planar area in local units², for picking the smallest polygon under the cursor.
    pub area: f64,
    /// Simplified versions, finest first; only those that save at least half the vertices.
    pub lods: Lods,
    /// Full detail is left until a frame draws it ([`LayerRender::build_deferred`]): `paths`
    /// is empty and `fill` an empty placeholder meanwhile; the finest simplified level with a
    /// fill is drawn instead, and the finest of all is picked.
    pub detail_pending: bool,
    /// The finest simplified level's fill, made on demand when a deferred build left it out
    /// ([`FINEST_FILLED_TOLERANCE`]); `None` until a frame draws that level.
    pub finest_fill: Option<FillMesh>,
    /// Nothing is made yet but its box, its style and its label's text
    /// ([`LayerRender::build_for_view`]): the first view draws it as a dot, and its levels,
    /// area and label's place come from [`LayerRender::full_detail`] later. Meanwhile a click
    /// builds it for the test ([`LayerRender::hit`]), and a frame that draws it larger than a
    /// dot draws its box.
    pub levels_pending: bool,
    /// What each level of detail costs, kept here so a frame chooses without following pointers.
    pub costs: LevelCosts,
}

/// Per level (0: full detail, then the simplified versions, finest first): its tolerance, fill
/// vertices and outline points.
#[derive(Clone, Copy, Debug, Default)]
pub struct LevelCosts {
    pub levels: u8,
    pub tolerance: [f32; LOD_TOLERANCES.len() + 1],
    pub has_fill: [bool; LOD_TOLERANCES.len() + 1],
    /// The level's fill is not made yet but can be ([`FeatureRender::finest_fill`]).
    pub fill_later: [bool; LOD_TOLERANCES.len() + 1],
    pub fill_vertices: [u32; LOD_TOLERANCES.len() + 1],
    pub line_points: [u32; LOD_TOLERANCES.len() + 1],
}

impl FeatureRender {
    /// Works out [`FeatureRender::costs`] again after the fill or the levels changed.
    pub fn refresh_costs(&mut self) {
        let count = |paths: &[Path]| {
            u32::try_from(paths.iter().map(|p| p.points.len()).sum::<usize>()).unwrap_or(u32::MAX)
        };
        let vertices = |fill: Option<FillRef<'_>>, outline: Outline<'_>| {
            fill.map_or(0, |m| {
                let n = if m.shared {
                    outline.rings().map(Points::len).sum()
                } else {
                    m.vertices.len()
                };
                u32::try_from(n).unwrap_or(u32::MAX)
            })
        };
        let mut c = LevelCosts {
            levels: 1,
            ..LevelCosts::default()
        };
        c.has_fill[0] = self.fill.is_some();
        c.fill_vertices[0] = vertices(
            self.fill.as_ref().map(FillMesh::as_ref),
            Outline::Full(&self.paths),
        );
        c.line_points[0] = count(&self.paths);
        for (k, l) in self.lods.iter().take(LOD_TOLERANCES.len()).enumerate() {
            let fill = self.level_fill(k + 1);
            c.tolerance[k + 1] = l.tolerance;
            c.has_fill[k + 1] = fill.is_some();
            c.fill_later[k + 1] =
                k == 0 && fill.is_none() && self.fill.is_some() && l.rings().next().is_some();
            c.fill_vertices[k + 1] = vertices(fill, Outline::Level(l));
            c.line_points[k + 1] = u32::try_from(l.point_count()).unwrap_or(u32::MAX);
            c.levels += 1;
        }
        self.costs = c;
    }
}

/// The rings of a level's paths (its closed ones, in order): what its fill was made from, and
/// what a shared fill's indices point into.
pub fn rings(paths: &[Path]) -> impl Iterator<Item = &[[f32; 2]]> {
    paths.iter().filter(|p| p.closed).map(|p| &p.points[..])
}

impl FeatureRender {
    /// Level `k`'s fill (0: full detail, then the simplified levels, finest first), wherever
    /// it is kept.
    pub fn level_fill(&self, k: usize) -> Option<FillRef<'_>> {
        match k {
            0 => self.fill.as_ref().map(FillMesh::as_ref),
            k => self.simplified_fill(k, self.lods.get(k - 1)?),
        }
    }

    /// The coarsest simplified level with a fill, and that fill: what the layer packs for
    /// crowded frames ([`Brief::coarse`]).
    pub fn coarsest_fill(&self) -> Option<(LodRef<'_>, FillRef<'_>)> {
        self.lods.iter().rev().find_map(|l| l.fill.map(|m| (l, m)))
    }

    /// The fill of simplified level `k` (1: the finest), `l`.
    pub fn simplified_fill<'a>(&'a self, k: usize, l: LodRef<'a>) -> Option<FillRef<'a>> {
        l.fill.or_else(|| {
            (k == 1)
                .then(|| self.finest_fill.as_ref().map(FillMesh::as_ref))
                .flatten()
        })
    }

    /// The outline drawn and picked at full detail: the finest simplified one while the
    /// detail waits.
    pub fn finest_paths(&self) -> Outline<'_> {
        match self.lods.first() {
            Some(l) if self.detail_pending => Outline::Level(l),
            _ => Outline::Full(&self.paths),
        }
    }

    /// World coordinates of a local point.
    pub fn world_from_local(&self, p: [f32; 2]) -> [f64; 2] {
        [
            self.origin[0] + p[0] as f64 / LOCAL_PER_WORLD,
            self.origin[1] + p[1] as f64 / LOCAL_PER_WORLD,
        ]
    }

    fn local_from_world(&self, p: [f64; 2]) -> [f64; 2] {
        [
            (p[0] - self.origin[0]) * LOCAL_PER_WORLD,
            (p[1] - self.origin[1]) * LOCAL_PER_WORLD,
        ]
    }

    /// Whether a world point is on this feature, with `tolerance` world units of slack for
    /// lines and markers (`marker_tolerance` for markers, which have a size on screen).
    pub fn hit(&self, world: [f64; 2], tolerance: f64, marker_tolerance: f64) -> bool {
        let p = self.local_from_world(world);
        let tol = tolerance * LOCAL_PER_WORLD;
        let mtol = marker_tolerance * LOCAL_PER_WORLD;
        if self
            .markers
            .iter()
            .any(|m| dist2(p, [m[0] as f64, m[1] as f64]) <= mtol * mtol)
        {
            return true;
        }
        let paths = self.finest_paths();
        if self.fill.is_some() {
            // Even-odd over all rings: inside an odd number of rings means inside the polygon.
            let crossings = paths.rings().filter(|ring| ring_contains(*ring, p)).count();
            if crossings % 2 == 1 {
                return true;
            }
        }
        paths.paths().any(|path| {
            let pts = path.points;
            let segs = pts.iter().zip(pts.iter().skip(1));
            let closing = path
                .closed
                .then(|| pts.get(pts.len().wrapping_sub(1)).zip(pts.get(0)))
                .flatten();
            segs.chain(closing)
                .any(|(a, b)| segment_dist2(p, a, b) <= tol * tol)
        })
    }
}

/// Heap bytes of render data, by part: what `corridor bench-frames` reports as memory.
#[derive(Clone, Copy, Debug, Default)]
pub struct RenderBytes {
    pub paths: usize,
    pub fills: usize,
    pub lods: usize,
    pub packed: usize,
    pub other: usize,
}

impl LayerRender {
    /// What this layer's render data holds on the heap (capacities, not lengths).
    pub fn heap_bytes(&self) -> RenderBytes {
        let paths = paths_bytes;
        let fill = fill_bytes;
        let mut b = RenderBytes {
            packed: self.coarse_vertices.capacity() * 8
                + self.coarse_indices.capacity() * 4
                + self.briefs.capacity() * size_of::<Brief>(),
            other: self.features.capacity() * size_of::<FeatureRender>() + self.index.size() * 48,
            ..RenderBytes::default()
        };
        for f in &self.features {
            b.paths += paths(&f.paths);
            b.fills += fill(f.fill.as_ref()) + fill(f.finest_fill.as_ref());
            b.lods += f.lods.heap_bytes();
            b.other += f.markers.capacity() * 8 + f.label.as_ref().map_or(0, |l| l.0.capacity());
        }
        b
    }
}

/// What an outline holds on the heap.
fn paths_bytes(p: &[Path]) -> usize {
    p.iter().map(|p| p.points.len() * 8 + 16).sum::<usize>() + std::mem::size_of_val(p)
}

/// What a fill holds on the heap.
fn fill_bytes(m: Option<&FillMesh>) -> usize {
    m.map_or(0, |m| m.vertices.capacity() * 8 + m.indices.heap_bytes())
}

/// Full detail made on demand ([`LayerRender::apply_detail`]) is kept up to this many bytes
/// (outlines and fills); past it, the oldest out of view is let go
/// ([`LayerRender::evict_detail`]).
pub const DETAIL_CACHE_BYTES: usize = 48 << 20;

/// A layer's render data and its spatial index.
pub struct LayerRender {
    pub features: Vec<FeatureRender>,
    /// What a crowded frame needs of each feature, packed beside each other: on such a frame
    /// most features are dots, and reading this instead of the whole [`FeatureRender`] keeps the
    /// frame within the cache.
    pub briefs: Vec<Brief>,
    /// Every feature's coarsest fill, one after another in feature order (see
    /// [`Brief::coarse`]): a crowded frame reads them in one sweep instead of one allocation
    /// per feature.
    pub coarse_vertices: Vec<[f32; 2]>,
    pub coarse_indices: Vec<u32>,
    index: Index,
    pub extent: MercatorBox,
    /// Unique per build, so that work finished in the background lands on the build it was
    /// made for.
    pub uid: u64,
    /// A windowed table's overview, painted under the features when the view shows it.
    pub overview: Option<Overview>,
    /// Zoomed out over a windowed table: only the overview is drawn, and nothing is picked
    /// (the rows held are a few among many; drawn over the overview they would stand out).
    pub overview_only: bool,
    /// Features the last frame drew with a simplified level standing in for full detail or a
    /// fill still to be made (see [`LayerRender::build_deferred`]): what to make next. Written
    /// by the painter, which holds the render shared.
    pub stand_ins: std::sync::Mutex<Vec<(usize, Awaited)>>,
    /// Features whose full detail or finest fill was made on demand, oldest first.
    made_on_demand: std::collections::VecDeque<(usize, Awaited)>,
    /// Features still [`FeatureRender::levels_pending`], and where the next batch of them is
    /// looked for ([`LayerRender::next_provisional`]).
    provisional: usize,
    provisional_from: usize,
}

/// What a frame drew a stand-in for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Awaited {
    /// Full detail, outline and fill ([`FeatureRender::detail_pending`]).
    Full,
    /// The finest simplified level's fill ([`FeatureRender::finest_fill`]).
    FinestFill,
    /// Everything but the box ([`FeatureRender::levels_pending`]).
    Levels,
}

/// An image of every row of a table too large to hold, and where it lies.
#[derive(Clone)]
pub struct Overview {
    pub texture: egui::TextureHandle,
    pub world: MercatorBox,
}

/// A feature in brief: its box, what kind it is, whether it has a label, and the colour of its
/// dot.
#[derive(Clone, Copy, Debug)]
pub struct Brief {
    pub bbox: MercatorBox,
    pub kind: BriefKind,
    pub labelled: bool,
    /// The dot's colour (before the layer's opacity) and the share of that opacity it takes.
    pub dot: crate::model::Color,
    pub dot_opacity: f32,
    /// Only its box is made yet ([`FeatureRender::levels_pending`]): drawn as a box in its dot's
    /// colour until the rest is made.
    pub pending: bool,
    /// Where its coarsest fill lies in the layer's packed buffers, and that level's tolerance
    /// (local units); `None` when it has none, or after an edit.
    pub coarse: Option<Coarse>,
}

/// A feature's coarsest fill in [`LayerRender::coarse_vertices`] and `coarse_indices`.
#[derive(Clone, Copy, Debug)]
pub struct Coarse {
    pub origin: [f64; 2],
    pub fill: crate::model::Color,
    pub tolerance: f32,
    pub vertices: (u32, u32),
    pub indices: (u32, u32),
}

/// Below this size on screen (points), an area is not named.
pub const LABEL_MIN_SIZE: f32 = 70.0;

/// Areas, lines and point markers are drawn and labelled differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BriefKind {
    Area,
    Line,
    Marker,
}

impl Brief {
    /// Whether a frame at `scale` (points a world unit) may name the feature: a marker always
    /// (it reserves its place even unnamed), a line or an area with a label, an area only when
    /// it is 70 points across (on a crowded screen, nearly none is).
    pub fn label_candidate(&self, scale: f64) -> bool {
        match self.kind {
            BriefKind::Marker => true,
            BriefKind::Line => self.labelled,
            BriefKind::Area => {
                self.labelled
                    && ((self.bbox.width().max(self.bbox.height()) * scale) as f32)
                        >= LABEL_MIN_SIZE
            }
        }
    }

    pub fn of(f: &FeatureRender) -> Self {
        let (kind, dot, dot_opacity) = if !f.markers.is_empty() {
            (BriefKind::Marker, f.style.marker, 1.0)
        } else if f.fill.is_some() {
            (BriefKind::Area, f.style.fill.with_opacity(1.0), 0.8)
        } else {
            (BriefKind::Line, f.style.stroke, 1.0)
        };
        Self {
            bbox: f.bbox,
            kind,
            labelled: f.label.is_some(),
            dot,
            dot_opacity,
            pending: f.levels_pending,
            coarse: None,
        }
    }
}

/// Packs every feature's coarsest simplified fill into two buffers, noting each one's place in
/// its brief.
fn pack_coarse(features: &[FeatureRender], briefs: &mut [Brief]) -> (Vec<[f32; 2]>, Vec<u32>) {
    let mut vertices = Vec::new();
    let mut indices = Vec::new();
    for (f, b) in features.iter().zip(briefs.iter_mut()) {
        b.coarse = push_coarse(&mut vertices, &mut indices, f);
    }
    vertices.shrink_to_fit();
    indices.shrink_to_fit();
    (vertices, indices)
}

/// The packed coarse fills the briefs name, copied from `vertices` and `indices` into buffers
/// of their own, in the briefs' order and with no gap, each brief moved to its new place (a
/// feature's indices count from its own first vertex, so they are copied as they are).
fn compact_coarse(
    vertices: &[[f32; 2]],
    indices: &[u32],
    briefs: &mut [Brief],
) -> (Vec<[f32; 2]>, Vec<u32>) {
    let (v_len, i_len) = briefs
        .iter()
        .filter_map(|b| b.coarse)
        .fold((0, 0), |(v, i), c| {
            (v + c.vertices.1 as usize, i + c.indices.1 as usize)
        });
    let mut v_out = Vec::with_capacity(v_len);
    let mut i_out = Vec::with_capacity(i_len);
    let range = |(at, len): (u32, u32)| at as usize..at as usize + len as usize;
    for b in briefs {
        let Some(c) = &mut b.coarse else {
            continue;
        };
        match (
            vertices.get(range(c.vertices)),
            indices.get(range(c.indices)),
            u32::try_from(v_out.len()),
            u32::try_from(i_out.len()),
        ) {
            (Some(v), Some(i), Ok(v_at), Ok(i_at)) => {
                c.vertices.0 = v_at;
                c.indices.0 = i_at;
                v_out.extend_from_slice(v);
                i_out.extend_from_slice(i);
            }
            _ => b.coarse = None,
        }
    }
    (v_out, i_out)
}

/// Adds a feature's coarsest simplified fill to the packed buffers: where it lies there, or
/// `None` when it has none (or the buffers are full).
fn push_coarse(
    vertices: &mut Vec<[f32; 2]>,
    indices: &mut Vec<u32>,
    f: &FeatureRender,
) -> Option<Coarse> {
    let (lod, fill) = f.coarsest_fill()?;
    let (v0, i0) = (vertices.len(), indices.len());
    vertices.extend(fill.vertices_in(lod.rings()));
    indices.extend(fill.indices.offset(0));
    let place = |start: usize, end: usize| {
        Some((u32::try_from(start).ok()?, u32::try_from(end - start).ok()?))
            .filter(|_| u32::try_from(end).is_ok())
    };
    let (Some(vertices_at), Some(indices_at)) =
        (place(v0, vertices.len()), place(i0, indices.len()))
    else {
        vertices.truncate(v0);
        indices.truncate(i0);
        return None;
    };
    Some(Coarse {
        origin: f.origin,
        fill: f.style.fill,
        tolerance: lod.tolerance,
        vertices: vertices_at,
        indices: indices_at,
    })
}

/// Room for `batch` more items, and when there is none, for `left` times as many again as well
/// (what is still to come, projected from this batch): grown by doubling, the large layer's
/// packed coarse fills ended with a third of their room unused.
fn grow_for<T>(v: &mut Vec<T>, batch: usize, left: f64) {
    if v.capacity() - v.len() < batch {
        v.reserve_exact(batch + (batch as f64 * left) as usize);
    }
}

/// A feature whose full detail or finest fill is to be made, and its place in the layer.
pub struct DetailRequest {
    pub index: usize,
    pub make: Make,
}

/// What to make a feature's detail from.
pub enum Make {
    /// Full detail: from the feature (shared with the layer, so that it goes to another thread
    /// without a copy), about its render's origin.
    Full {
        origin: [f64; 2],
        feature: std::sync::Arc<crate::model::Feature>,
    },
    /// The finest level's fill: from that level's rings (local units).
    FinestFill { rings: Vec<Vec<[f32; 2]>> },
    /// Everything but the box, as a deferred build makes it: from the feature, with its style
    /// and its label's text (whose place is to be found) as the render has them now.
    Levels {
        feature: std::sync::Arc<crate::model::Feature>,
        style: FeatureStyle,
        label: Option<String>,
    },
}

/// Detail made after a deferred build.
pub struct Detail {
    pub index: usize,
    pub made: Made,
}

/// A feature's full detail (its outline and its fill), or its finest level's fill and the
/// number of points it was made from.
pub enum Made {
    Full { paths: Vec<Path>, fill: FillMesh },
    FinestFill { fill: FillMesh, points: usize },
    Levels(Box<FeatureRender>),
}

/// Full detail made on demand, for [`LayerRender::apply_detail`].
pub struct MadeDetail {
    pub uid: u64,
    pub made: Vec<Detail>,
}

static NEXT_UID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl LayerRender {
    /// Projects and triangulates every feature of a layer, labelled as its style says.
    pub fn build(layer: &Layer) -> Self {
        Self::build_in(layer, None)
    }

    /// Like [`LayerRender::build`], with labels in `lang` where the features have them
    /// (`name_zh` for a layer labelled by `name`, say).
    pub fn build_in(layer: &Layer, lang: Option<Lang>) -> Self {
        Self::build_with(layer, lang, false)
    }

    /// Like [`LayerRender::build_in`], but features that have simplified versions get their
    /// full detail (outline and fill) later, from [`LayerRender::full_detail`], and only once a
    /// frame draws them at full detail ([`LayerRender::stand_ins`]): the first frame of a large
    /// layer needs only the simplified ones, and zoomed in, few features are on screen.
    pub fn build_deferred(layer: &Layer, lang: Option<Lang>) -> Self {
        Self::build_with(layer, lang, true)
    }

    /// Like [`LayerRender::build_deferred`], for a first view whose box (world units) and
    /// scale (points a world unit) `view_for` gives from the layer's extent (the app frames a
    /// file it opens, or shows it where it was last seen): a polygon that view does not show,
    /// or draws as a dot smaller than [`DOT_SIZE`], gets only what a dot needs, and its levels
    /// are made later, a batch at a time ([`LayerRender::next_provisional`],
    /// [`LayerRender::full_detail`]), or at once for a frame that draws it larger
    /// ([`Awaited::Levels`]). That view is drawn as a whole build would draw it.
    pub fn build_for_view(
        layer: &Layer,
        lang: Option<Lang>,
        view_for: impl Fn(&MercatorBox) -> (MercatorBox, f64),
    ) -> Self {
        let started = std::time::Instant::now();
        // Every box first (the view frames them all): a polygon's from its exteriors alone,
        // anything else's by building it.
        let first: Vec<Result<MercatorBox, Box<FeatureRender>>> = layer
            .features()
            .par_iter()
            .map(|f| polygon_box(f).ok_or_else(|| Box::new(feature_render(layer, f, lang, true))))
            .collect();
        let extent = first
            .iter()
            .map(|r| match r {
                Ok(b) => *b,
                Err(f) => f.bbox,
            })
            .filter(|b| !b.is_empty())
            .fold(MercatorBox::EMPTY, |acc, b| acc.union(&b));
        let (view, scale) = view_for(&extent);
        // A dot by the painter's measure, with a margin for rounding; or out of view.
        let later = |b: &MercatorBox| {
            ((b.width().max(b.height()) * scale) as f32) < DOT_SIZE * 0.98 || !view.intersects(b)
        };
        // The index from the same boxes, on one core while the features are made on the rest:
        // alone afterwards it would leave the other core idle.
        let boxes: Vec<MercatorBox> = first
            .iter()
            .map(|r| match r {
                Ok(b) => *b,
                Err(f) => f.bbox,
            })
            .collect();
        let (features, index) = rayon::join(
            || -> Vec<FeatureRender> {
                first
                    .into_par_iter()
                    .zip(layer.features().par_iter())
                    .map(|(r, f)| match r {
                        Err(built) => *built,
                        Ok(b) if later(&b) => provisional_render(
                            b,
                            layer.style.resolve(f),
                            label_text(&layer.style, f, lang),
                        ),
                        Ok(_) => feature_render(layer, f, lang, true),
                    })
                    .collect()
            },
            || index_of(boxes.iter()),
        );
        // A build takes a polygon's box as `polygon_box` does; were one to differ, the index
        // is made again from the features.
        let same = features.len() == boxes.len()
            && features.par_iter().zip(&boxes).all(|(f, b)| f.bbox == *b);
        let mut render = Self::of_features(features, same.then_some(index), started);
        render.provisional = render
            .features
            .par_iter()
            .filter(|f| f.levels_pending)
            .count();
        log::debug!(
            "first view at {scale:.3e} points a world unit: {} of {} features are dots or \
             out of it",
            render.provisional,
            render.features.len()
        );
        render
    }

    fn build_with(layer: &Layer, lang: Option<Lang>, defer: bool) -> Self {
        // Projection and triangulation are independent per feature: use every core.
        let started = std::time::Instant::now();
        let features: Vec<FeatureRender> = layer
            .features()
            .par_iter()
            .map(|f| feature_render(layer, f, lang, defer))
            .collect();
        Self::of_features(features, None, started)
    }

    /// A layer's render from its features' draw data: the index (unless `index` is it already,
    /// made from the features' boxes), the briefs and the packed coarse fills (`started` is
    /// when the build began, for the log).
    fn of_features(
        features: Vec<FeatureRender>,
        index: Option<Index>,
        started: std::time::Instant,
    ) -> Self {
        let features_s = started.elapsed().as_secs_f64();
        let extent = || {
            features
                .iter()
                .filter(|f| !f.bbox.is_empty())
                .fold(MercatorBox::EMPTY, |acc, f| acc.union(&f.bbox))
        };
        let briefs_and_packed = || {
            let mut briefs: Vec<Brief> = features.par_iter().map(Brief::of).collect();
            let packed = pack_coarse(&features, &mut briefs);
            (briefs, packed)
        };
        // The index on one core, the briefs and the packed coarse fills on the other, the
        // extent on whichever is free (each a pass over every feature).
        let (index, ((briefs, (coarse_vertices, coarse_indices)), extent)) = match index {
            Some(index) => (index, rayon::join(briefs_and_packed, extent)),
            None => rayon::join(
                || index_of(features.iter().map(|f| &f.bbox)),
                || rayon::join(briefs_and_packed, extent),
            ),
        };
        log::debug!(
            "draw data: features {:.3} s, then index and packing {:.3} s",
            features_s,
            started.elapsed().as_secs_f64() - features_s
        );
        Self {
            briefs,
            coarse_vertices,
            coarse_indices,
            features,
            index,
            extent,
            uid: NEXT_UID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            overview: None,
            overview_only: false,
            stand_ins: std::sync::Mutex::new(Vec::new()),
            made_on_demand: std::collections::VecDeque::new(),
            provisional: 0,
            provisional_from: 0,
        }
    }

    /// What the last frame drew with a stand-in (and forgets it), at most `limit`, with what
    /// to make each one's full detail from: the features of `layer`, the layer this was built
    /// from.
    pub fn take_stand_ins(&self, layer: &Layer, limit: usize) -> Vec<DetailRequest> {
        let mut wanted = match self.stand_ins.lock() {
            Ok(mut w) => std::mem::take(&mut *w),
            Err(_) => return Vec::new(),
        };
        let requests = wanted
            .drain(..)
            .filter_map(|(i, awaited)| self.request(layer, i, awaited))
            .take(limit)
            .collect();
        // The list's room, emptied, for the next frame's (unless a frame has put its own).
        if let Ok(mut w) = self.stand_ins.lock()
            && w.capacity() == 0
        {
            *w = wanted;
        }
        requests
    }

    fn request(&self, layer: &Layer, index: usize, awaited: Awaited) -> Option<DetailRequest> {
        let f = self.features.get(index)?;
        let make = match awaited {
            Awaited::Full if f.detail_pending => Make::Full {
                origin: f.origin,
                feature: layer.features().get(index)?.clone(),
            },
            Awaited::FinestFill if f.costs.fill_later[1] => Make::FinestFill {
                rings: f.lods.first()?.rings().map(Points::to_vec).collect(),
            },
            Awaited::Levels if f.levels_pending => Make::Levels {
                feature: layer.features().get(index)?.clone(),
                style: f.style,
                label: f.label.as_ref().map(|(text, _)| text.clone()),
            },
            _ => return None,
        };
        Some(DetailRequest { index, make })
    }

    /// The next `limit` features whose levels are still to be made, from where the last batch
    /// ended (`layer` is the layer this was built from); none once every one is made. Called
    /// when no batch is being made, so that none is asked for twice; with `wrap` false, only up
    /// to the end, as a batch made but not yet put in place would be found again from the
    /// start.
    pub fn next_provisional(
        &mut self,
        layer: &Layer,
        limit: usize,
        wrap: bool,
    ) -> Vec<DetailRequest> {
        let mut out = Vec::new();
        if self.provisional == 0 {
            return out;
        }
        // From where the last batch ended to the end, then from the start (a batch dropped as
        // made for another build leaves features behind).
        let n = self.features.len();
        let from = self.provisional_from.min(n);
        let again = if wrap { 0..from } else { 0..0 };
        for i in (from..n).chain(again) {
            if out.len() == limit {
                break;
            }
            if let Some(r) = self.request(layer, i, Awaited::Levels) {
                out.push(r);
                self.provisional_from = i + 1;
            }
        }
        out
    }

    /// Whether some features' levels are still to be made ([`LayerRender::build_for_view`]).
    pub fn has_provisional(&self) -> bool {
        self.provisional > 0
    }

    /// Whether the last frame drew a simplified level in place of full detail.
    pub fn has_stand_ins(&self) -> bool {
        self.stand_ins.lock().is_ok_and(|w| !w.is_empty())
    }

    /// Lets go of full detail made on demand, oldest first, of features outside `view`, until
    /// what is left holds at most `budget` bytes. Their simplified levels stand in again.
    pub fn evict_detail(&mut self, view: &MercatorBox, budget: usize) {
        let held = |f: &FeatureRender, awaited: Awaited| match awaited {
            Awaited::Full => fill_bytes(f.fill.as_ref()) + paths_bytes(&f.paths),
            Awaited::FinestFill => fill_bytes(f.finest_fill.as_ref()),
            Awaited::Levels => 0,
        };
        let mut bytes: usize = self
            .made_on_demand
            .iter()
            .filter_map(|&(i, a)| Some(held(self.features.get(i)?, a)))
            .sum();
        if bytes <= budget {
            return;
        }
        let mut kept = std::collections::VecDeque::new();
        while let Some((i, awaited)) = self.made_on_demand.pop_front() {
            let Some(f) = self.features.get_mut(i) else {
                continue;
            };
            let still_held = match awaited {
                Awaited::Full => !f.detail_pending,
                Awaited::FinestFill => f.finest_fill.is_some(),
                // Never let go: they are what the feature is drawn from.
                Awaited::Levels => false,
            };
            if !still_held {
                continue;
            }
            if bytes > budget && !f.bbox.intersects(view) {
                bytes = bytes.saturating_sub(held(f, awaited));
                match awaited {
                    Awaited::Full => {
                        f.fill = Some(FillMesh::default());
                        f.paths = Vec::new();
                        f.detail_pending = true;
                    }
                    Awaited::FinestFill => f.finest_fill = None,
                    Awaited::Levels => {}
                }
                f.refresh_costs();
            } else {
                kept.push_back((i, awaited));
            }
        }
        self.made_on_demand = kept;
    }

    /// Features let go and added, as the layer did ([`crate::model::Layer::let_go`], then
    /// features pushed at the end): those whose `keep` is false leave, `added` (made with
    /// [`styled_render`]) follow the rest. What stays keeps its brief and its packed coarse fill
    /// (copied in order, closing the gaps); only the index is made again, from the boxes, on
    /// another core meanwhile. No feature is projected or triangulated again. The extent only
    /// grows.
    pub fn splice(&mut self, keep: Option<&[bool]>, added: Vec<FeatureRender>) {
        let Some(keep) = keep else {
            // Only the rows added go into the index and the packed fills (a few milliseconds
            // for a pan's rows, where making it all again took sixty).
            self.push_features(added, true);
            return;
        };
        let kept = |i: usize| keep.get(i).copied().unwrap_or(true);
        let started = std::time::Instant::now();
        // What stays closes up in place, in order; what goes is freed on another thread.
        let (mut at, mut provisional) = (0, 0);
        let gone: Vec<FeatureRender> = self
            .features
            .extract_if(.., |f| {
                let stays = kept(at);
                at += 1;
                provisional += usize::from(stays && f.levels_pending);
                !stays
            })
            .collect();
        crate::model::drop_elsewhere(gone);
        let mut at = 0;
        self.briefs.retain(|_| {
            at += 1;
            kept(at - 1)
        });
        // The index on a thread of its own: not on rayon's pool, which may be busy reading
        // rows for some time (a join from this thread would wait for it).
        let closed_up = started.elapsed().as_secs_f64() * 1000.0;
        let boxes = || index_of(self.features.iter().chain(&added).map(|f| &f.bbox));
        let (index, (vertices, indices)) = std::thread::scope(|scope| {
            let indexing = std::thread::Builder::new()
                .name("index".into())
                .spawn_scoped(scope, boxes);
            let packed = compact_coarse(
                &self.coarse_vertices,
                &self.coarse_indices,
                &mut self.briefs,
            );
            let index = match indexing {
                Ok(h) => h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
                Err(_) => boxes(),
            };
            (index, packed)
        });
        log::debug!(
            "let go: features and briefs closed up in {closed_up:.1} ms, then index and packed \
             fills in {:.1} ms",
            started.elapsed().as_secs_f64() * 1000.0 - closed_up
        );
        self.index = index;
        self.coarse_vertices = vertices;
        self.coarse_indices = indices;
        // Positions have moved.
        self.made_on_demand.clear();
        if let Ok(mut w) = self.stand_ins.lock() {
            w.clear();
        }
        self.provisional = provisional;
        self.provisional_from = 0;
        self.push_features(added, false);
    }

    /// Features put at the end, with their briefs and packed coarse fills, and their boxes in
    /// the index when `index` says so (else the caller has made it with them).
    fn push_features(&mut self, added: Vec<FeatureRender>, index: bool) {
        let start = self.features.len();
        for (k, f) in added.iter().enumerate() {
            let mut brief = Brief::of(f);
            brief.coarse = push_coarse(&mut self.coarse_vertices, &mut self.coarse_indices, f);
            self.briefs.push(brief);
            if !f.bbox.is_empty() {
                if index {
                    self.index.insert(GeomWithData::new(
                        Rectangle::from_corners(f.bbox.min, f.bbox.max),
                        start + k,
                    ));
                }
                self.extent = self.extent.union(&f.bbox);
            }
        }
        self.features.extend(added);
        self.uid = NEXT_UID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// What to make every waiting feature's full detail from (`layer` is the layer this was
    /// built from).
    pub fn pending_requests(&self, layer: &Layer) -> Vec<DetailRequest> {
        (0..self.features.len())
            .filter_map(|i| self.request(layer, i, Awaited::Full))
            .collect()
    }

    /// Makes features' full detail, outline and fill, from their geometry, on every core but
    /// one: the window keeps a core to draw the frames the user is panning meanwhile (with both
    /// busy, frame p95 on the large layer went from 15 to 30 ms while the detail was made). The
    /// result goes to [`Self::apply_detail`].
    pub fn full_detail(uid: u64, requests: Vec<DetailRequest>) -> MadeDetail {
        let make = |requests: Vec<DetailRequest>| -> Vec<Detail> {
            requests
                .into_par_iter()
                .map(|r| {
                    let made = match r.make {
                        Make::Full { origin, feature } => {
                            let paths = feature
                                .shape()
                                .map(|shape| full_detail_paths(shape, origin))
                                .unwrap_or_default();
                            let fill = tessellate_rings(rings(&paths), 0.5).unwrap_or_default();
                            Made::Full { paths, fill }
                        }
                        // As the build makes a level's fill; one it cannot make is drawn
                        // without, as full detail is.
                        Make::FinestFill { rings } => Made::FinestFill {
                            fill: tessellate_rings(rings.iter().map(Vec::as_slice), 0.5)
                                .unwrap_or_default(),
                            points: rings.iter().map(Vec::len).sum(),
                        },
                        Make::Levels {
                            feature,
                            style,
                            label,
                        } => Made::Levels(Box::new(build_feature(
                            feature.shape(),
                            style,
                            label,
                            true,
                        ))),
                    };
                    Detail {
                        index: r.index,
                        made,
                    }
                })
                .collect()
        };
        // One pool for every request, made at the first: a frame zoomed in asks often.
        static SPARE: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
        let pool = SPARE.get_or_init(|| {
            let spare = std::thread::available_parallelism()
                .map_or(1, |n| n.get().saturating_sub(1))
                .max(1);
            rayon::ThreadPoolBuilder::new()
                .num_threads(spare)
                .thread_name(|i| format!("corridor-detail-{i}"))
                .build()
                .ok()
        });
        let made = match pool {
            Some(pool) => pool.install(|| make(requests)),
            None => make(requests),
        };
        MadeDetail { uid, made }
    }

    /// Puts full detail in place, if it was made for this build.
    pub fn apply_detail(&mut self, done: MadeDetail) -> bool {
        if done.uid != self.uid {
            return false;
        }
        // What this batch's coarse fills take, and room for it and for those still to come.
        let (mut count, mut vertices, mut indices) = (0usize, 0usize, 0usize);
        for d in &done.made {
            if let Made::Levels(f) = &d.made {
                count += 1;
                if let Some((lod, fill)) = f.coarsest_fill() {
                    vertices += fill.vertices_in(lod.rings()).count();
                    indices += fill.indices.len();
                }
            }
        }
        if count > 0 {
            let left = self.provisional.saturating_sub(count) as f64 * 1.05 / count as f64;
            grow_for(&mut self.coarse_vertices, vertices, left);
            grow_for(&mut self.coarse_indices, indices, left);
        }
        for d in done.made {
            let Some(f) = self.features.get_mut(d.index) else {
                continue;
            };
            match d.made {
                Made::Full { paths, fill } if f.detail_pending => {
                    f.paths = paths;
                    f.fill = Some(fill);
                    f.detail_pending = false;
                    f.refresh_costs();
                    self.made_on_demand.push_back((d.index, Awaited::Full));
                }
                // Made from the level the feature still has (an edit makes the feature again).
                Made::FinestFill { fill, points }
                    if f.costs.fill_later[1]
                        && f.lods.first().is_some_and(|l| {
                            l.rings().map(Points::len).sum::<usize>() == points
                        }) =>
                {
                    f.finest_fill = Some(fill);
                    f.refresh_costs();
                    self.made_on_demand
                        .push_back((d.index, Awaited::FinestFill));
                }
                // Only what was still to be made: the style and the label's text stay as they
                // are now (a restyle or a new language may have come meanwhile).
                Made::Levels(made) if f.levels_pending => {
                    let mut made = *made;
                    made.style = f.style;
                    made.label = match (f.label.take(), made.label) {
                        (Some((text, _)), Some((_, at))) => Some((text, at)),
                        (label, _) => label,
                    };
                    *f = made;
                    self.provisional = self.provisional.saturating_sub(1);
                    if let Some(b) = self.briefs.get_mut(d.index) {
                        let coarse =
                            push_coarse(&mut self.coarse_vertices, &mut self.coarse_indices, f);
                        *b = Brief {
                            coarse,
                            ..Brief::of(f)
                        };
                    }
                }
                _ => {}
            }
        }
        true
    }

    /// Builds feature `index` of `layer` again after it changed (an edit): only that feature is
    /// projected and triangulated, and its entry in the index moves.
    pub fn update_feature(&mut self, layer: &Layer, index: usize, lang: Option<Lang>) {
        let (Some(f), Some(slot)) = (layer.features().get(index), self.features.get_mut(index))
        else {
            return;
        };
        let fresh = feature_render(layer, f, lang, false);
        if !slot.bbox.is_empty() {
            self.index.remove(&GeomWithData::new(
                Rectangle::from_corners(slot.bbox.min, slot.bbox.max),
                index,
            ));
        }
        if !fresh.bbox.is_empty() {
            self.index.insert(GeomWithData::new(
                Rectangle::from_corners(fresh.bbox.min, fresh.bbox.max),
                index,
            ));
            self.extent = self.extent.union(&fresh.bbox);
        }
        if let Some(b) = self.briefs.get_mut(index) {
            *b = Brief::of(&fresh);
        }
        if slot.levels_pending {
            self.provisional = self.provisional.saturating_sub(1);
        }
        *slot = fresh;
    }

    /// Styles every feature again as its layer's style now says (the style changed), labelled
    /// in `lang`. Only colours, widths and labels change: levels, fills and full detail made so
    /// far stay, so a style editor's slider redraws at once instead of building the layer again.
    pub fn restyle(&mut self, layer: &Layer, lang: Option<Lang>) {
        self.features
            .par_iter_mut()
            .zip(self.briefs.par_iter_mut())
            .zip(layer.features().par_iter())
            .for_each(|((r, b), f)| {
                r.style = layer.style.resolve(f);
                let coarse = b.coarse.map(|c| Coarse {
                    fill: r.style.fill,
                    ..c
                });
                *b = Brief {
                    coarse,
                    ..Brief::of(r)
                };
            });
        self.relabel(layer, lang);
    }

    /// Labels every feature again in `lang` (the language changed). Only the labels' text
    /// changes: levels, fills and full detail made so far stay, so a large layer changes
    /// language at once instead of being built again. A feature that had no label and now has
    /// one gets its label's place from its geometry.
    pub fn relabel(&mut self, layer: &Layer, lang: Option<Lang>) {
        self.features
            .par_iter_mut()
            .zip(self.briefs.par_iter_mut())
            .zip(layer.features().par_iter())
            .for_each(|((r, b), f)| {
                match (label_text(&layer.style, f, lang), &mut r.label) {
                    (Some(text), Some((old, _))) => *old = text,
                    (None, label) => *label = None,
                    (Some(text), label @ None) => {
                        let place = f.geometry().and_then(|g| label_place_of(&g, r.origin));
                        *label = place.map(|at| (text, at));
                    }
                }
                b.labelled = r.label.is_some();
            });
    }

    /// Indices of features whose bounding box meets `view`, in file order (the draw order).
    pub fn visible(&self, view: &MercatorBox) -> Vec<usize> {
        let mut out = Vec::new();
        self.visible_into(view, &mut out);
        out
    }

    /// [`LayerRender::visible`] into `out` (emptied first), whose room a frame keeps for the
    /// next.
    pub fn visible_into(&self, view: &MercatorBox, out: &mut Vec<usize>) {
        out.clear();
        // The whole layer in view (zoomed out): no need to ask the index.
        if view.min[0] <= self.extent.min[0]
            && view.min[1] <= self.extent.min[1]
            && view.max[0] >= self.extent.max[0]
            && view.max[1] >= self.extent.max[1]
        {
            out.extend(
                (0..self.features.len())
                    .filter(|&i| self.briefs.get(i).is_some_and(|b| !b.bbox.is_empty())),
            );
            return;
        }
        // Much of the layer in view: one pass over the briefs' boxes, in order, costs less than
        // asking the index for most of its entries and putting them in order (at zoom 12 over
        // the large layer, 77 000 of its 100 000 features).
        let shown = MercatorBox {
            min: [
                view.min[0].max(self.extent.min[0]),
                view.min[1].max(self.extent.min[1]),
            ],
            max: [
                view.max[0].min(self.extent.max[0]),
                view.max[1].min(self.extent.max[1]),
            ],
        };
        if !shown.is_empty()
            && shown.width() * shown.height() * 4.0 >= self.extent.width() * self.extent.height()
        {
            self.visible_by_scan_into(view, out);
            return;
        }
        self.visible_by_index_into(view, out);
    }

    /// [`LayerRender::visible`] by asking the index.
    pub fn visible_by_index(&self, view: &MercatorBox) -> Vec<usize> {
        let mut out = Vec::new();
        self.visible_by_index_into(view, &mut out);
        out
    }

    fn visible_by_index_into(&self, view: &MercatorBox, out: &mut Vec<usize>) {
        let hits = self
            .index
            .locate_in_envelope_intersecting(&AABB::from_corners(view.min, view.max))
            .map(|g| g.data);
        // Put in order by marking a bit per feature: cheaper than sorting when most are in view.
        let mut marks = super::spare::words();
        marks.resize(self.features.len().div_ceil(64), 0);
        let mut count = 0;
        for i in hits {
            if let Some(w) = marks.get_mut(i / 64) {
                *w |= 1 << (i % 64);
                count += 1;
            }
        }
        out.reserve(count);
        for (k, &w) in marks.iter().enumerate() {
            let mut w = w;
            while w != 0 {
                let bit = w.trailing_zeros() as usize;
                out.push(k * 64 + bit);
                w &= w - 1;
            }
        }
        super::spare::keep_words(marks);
    }

    /// [`LayerRender::visible`] by a pass over every brief's box.
    pub fn visible_by_scan(&self, view: &MercatorBox) -> Vec<usize> {
        let mut out = Vec::new();
        self.visible_by_scan_into(view, &mut out);
        out
    }

    fn visible_by_scan_into(&self, view: &MercatorBox, out: &mut Vec<usize>) {
        out.extend(
            self.briefs
                .iter()
                .enumerate()
                .filter(|(_, b)| b.bbox.intersects(view))
                .map(|(i, _)| i),
        );
    }

    /// The feature of `layer` (the layer this was built from) at a world point: markers before
    /// lines before polygons, the smallest polygon first, so a sub-area wins over the park
    /// around it. A feature whose levels are not made yet ([`FeatureRender::levels_pending`])
    /// is built for the test from its geometry, so that a click in the first seconds after
    /// opening picks what it picks later.
    pub fn hit(
        &self,
        layer: &Layer,
        world: [f64; 2],
        tolerance: f64,
        marker_tolerance: f64,
    ) -> Option<usize> {
        if self.overview_only {
            return None;
        }
        let slack = tolerance.max(marker_tolerance);
        let envelope = AABB::from_corners(
            [world[0] - slack, world[1] - slack],
            [world[0] + slack, world[1] + slack],
        );
        self.index
            .locate_in_envelope_intersecting(&envelope)
            .map(|g| g.data)
            .filter_map(|i| {
                let f = self.features.get(i)?;
                if f.levels_pending {
                    let m = layer.features().get(i)?;
                    let built = build_feature(m.shape(), f.style, None, false);
                    return built
                        .hit(world, tolerance, marker_tolerance)
                        .then(|| (i, rank(&built)));
                }
                f.hit(world, tolerance, marker_tolerance)
                    .then(|| (i, rank(f)))
            })
            .min_by(|(ia, a), (ib, b)| {
                a.partial_cmp(b)
                    .unwrap_or(std::cmp::Ordering::Equal)
                    // Later features are drawn on top: prefer them on a tie.
                    .then(ib.cmp(ia))
            })
            .map(|(i, _)| i)
    }
}

/// One feature's render data, labelled as the layer's style says (in `lang` where it can).
fn feature_render(
    layer: &Layer,
    f: &crate::model::Feature,
    lang: Option<Lang>,
    defer: bool,
) -> FeatureRender {
    styled_render(&layer.style, f, lang, defer)
}

/// A feature's draw data in a layer style: what a layer's build makes of it, made apart
/// (rows of a windowed table are made ready on the thread that reads them).
pub fn styled_render(
    layer_style: &crate::model::LayerStyle,
    f: &crate::model::Feature,
    lang: Option<Lang>,
    defer: bool,
) -> FeatureRender {
    let style = layer_style.resolve(f);
    let label_text = label_text(layer_style, f, lang);
    build_feature(f.shape(), style, label_text, defer)
}

/// What a feature's label says in a layer style, in `lang` where the feature has it (`name_zh`
/// for a layer labelled by `name`, say); `None` for no label.
fn label_text(
    layer_style: &crate::model::LayerStyle,
    f: &crate::model::Feature,
    lang: Option<Lang>,
) -> Option<String> {
    let label_key = layer_style.label.as_deref();
    let localized = label_key.zip(lang).map(|(k, l)| l.key(k));
    localized
        .as_deref()
        .and_then(|k| f.property_text(k))
        .or_else(|| label_key.and_then(|k| f.property_text(k)))
        .filter(|s| !s.trim().is_empty())
}

/// A feature's local units about its origin: zoom-20 points east and south of it.
///
/// Web Mercator's northing takes a tangent, a cosine and a logarithm a vertex. About the
/// origin's latitude φ₀, it is instead its Taylor series in d = φ − φ₀ to the fourth power
/// (a vertex within 0.002 rad, about 13 km, of φ₀, at most 80° from the equator; the others
/// are projected whole): y(φ) − y(φ₀) = sec φ₀ · d + sec φ₀ tan φ₀ · d²/2 + sec φ₀ (tan² φ₀ +
/// sec² φ₀) · d³/6 + sec φ₀ tan φ₀ (tan² φ₀ + 5 sec² φ₀) · d⁴/24, in radians of northing.
/// What it leaves out is below 0.002 point at zoom 20 at 80°, and below 10⁻⁷ point in the
/// corridor (the next term, d⁵/120 times at most 1.5 · 10⁵ at 80°, 6 at 11°).
pub struct Local {
    origin: [f64; 2],
    /// φ₀, radians.
    lat0: f64,
    /// The series' coefficients, d to the first to fourth power, in local units a radian.
    series: [f64; 4],
}

/// How far from φ₀ (radians) the series stands in for the projection.
const SERIES_REACH: f64 = 0.002;

impl Local {
    pub fn new(origin: [f64; 2]) -> Self {
        let lat0 = crate::geometry::mercator::lonlat_from_mercator(origin[0], origin[1])[1];
        let (s, t) = (1.0 / lat0.to_radians().cos(), lat0.to_radians().tan());
        // Northing in radians to local units: y = (1 − northing / π) / 2 world units, so a
        // radian more northing is 1 / 2π world units less y.
        let k = -LOCAL_PER_WORLD / std::f64::consts::TAU;
        let usable = lat0.abs() <= 80.0;
        Self {
            origin,
            lat0: if usable { lat0.to_radians() } else { f64::NAN },
            series: [
                k * s,
                k * s * t / 2.0,
                k * s * (t * t + s * s) / 6.0,
                k * s * t * (t * t + 5.0 * s * s) / 24.0,
            ],
        }
    }

    /// A geometry's point in these local units.
    pub fn point(&self, c: &geo::Coord<f64>) -> [f32; 2] {
        let [x, y] = self.point_f64(c);
        [x as f32, y as f32]
    }

    /// [`Local::point`] before it is rounded to `f32`.
    fn point_f64(&self, c: &geo::Coord<f64>) -> [f64; 2] {
        let x = crate::geometry::mercator::easting_from_lon(c.x);
        let d = c.y.to_radians() - self.lat0;
        // NaN (φ₀ too far north or south) fails the test too.
        let y = if d.abs() <= SERIES_REACH {
            let [a, b, e, f] = self.series;
            d * (a + d * (b + d * (e + d * f)))
        } else {
            (mercator_from_lonlat(c.x, c.y)[1] - self.origin[1]) * LOCAL_PER_WORLD
        };
        [(x - self.origin[0]) * LOCAL_PER_WORLD, y]
    }
}

/// Where a feature's label goes (world units) inside a polygon given as its rings, in local
/// units about `origin`.
fn anchor_in(rings: &[Ring], origin: [f64; 2]) -> Option<[f64; 2]> {
    scanline_anchor(rings).map(|p| {
        [
            origin[0] + p[0] as f64 / LOCAL_PER_WORLD,
            origin[1] + p[1] as f64 / LOCAL_PER_WORLD,
        ]
    })
}

/// Where a feature's label goes, for a geometry alone (its rings in local units about
/// `origin`): what a feature that gains a label (its layer's label property or the language
/// changed) needs, without building its draw data again. Inside its largest polygon (the first
/// of the largest, as a build chooses), else on its lines or points.
fn label_place_of(geometry: &Geometry<f64>, origin: [f64; 2]) -> Option<[f64; 2]> {
    let (mut polygons, mut lines, mut points) = (Vec::new(), Vec::new(), Vec::new());
    collect(geometry, &mut polygons, &mut lines, &mut points);
    let projected = project_geometry(&polygons, &[], &[], Some(origin));
    match projected.largest {
        Some((_, range)) => anchor_in(&projected.polygon_rings[range], origin),
        None => label_anchor(Some(geometry), &polygons, &lines, &points),
    }
}

/// A polygon's ring in local units, without the point that closes it.
fn local_ring(l: &LineString<f64>, local: &Local) -> Ring {
    local_ring_of(&l.0, local)
}

/// [`local_ring`] of a ring's coordinates, made in place (one allocation).
fn local_ring_of(coords: &[geo::Coord<f64>], local: &Local) -> Ring {
    let closing = match (coords.first(), coords.last()) {
        (Some(a), Some(b)) if coords.len() > 1 && local.point(a) == local.point(b) => 1,
        _ => 0,
    };
    coords[..coords.len() - closing]
        .iter()
        .map(|c| local.point(c))
        .collect()
}

/// A ring in local units, shared (as [`Path::points`] holds it).
type Ring = std::sync::Arc<[[f32; 2]]>;

/// The full-detail outline of a feature whose detail waited ([`FeatureRender::detail_pending`]):
/// its polygons' rings, as the build makes them.
fn full_detail_paths(shape: &Shape, origin: [f64; 2]) -> Vec<Path> {
    let projected = match shape {
        Shape::Packed(p) => project_packed(p, Some(origin)),
        Shape::Full(_) => None,
    };
    let projected = projected.unwrap_or_else(|| {
        let geometry = shape.geometry();
        let (mut polygons, mut lines, mut points) = (Vec::new(), Vec::new(), Vec::new());
        collect(&geometry, &mut polygons, &mut lines, &mut points);
        project_geometry(&polygons, &[], &[], Some(origin))
    });
    projected
        .polygon_rings
        .into_iter()
        .map(|points| Path {
            points,
            closed: true,
        })
        .collect()
}

fn rank(f: &FeatureRender) -> (u8, f64) {
    if !f.markers.is_empty() {
        (0, 0.0)
    } else if f.fill.is_none() {
        (1, 0.0)
    } else {
        (2, f.area)
    }
}

/// A feature's geometry in local units about its origin: what the rest of its build works from.
struct Projected {
    bbox: MercatorBox,
    origin: [f64; 2],
    /// Every polygon's rings, one polygon after another.
    polygon_rings: Vec<Ring>,
    area: f64,
    /// The largest polygon's rings (as a range of `polygon_rings`), where the label goes.
    largest: Option<(f64, std::ops::Range<usize>)>,
    lines: Vec<Ring>,
    markers: Vec<[f32; 2]>,
}

impl Projected {
    /// Nothing yet, in a box in degrees ([west, south, east, north]; none when it is empty),
    /// about its south-west corner unless `origin` is given (as for a feature's full detail
    /// made later). Web Mercator keeps east–west and north–south order: the box's corners
    /// projected are the projected box.
    fn framed(degrees: [f64; 4], origin: Option<[f64; 2]>) -> (Self, Local) {
        let bbox = box_of_degrees(degrees);
        let origin = match origin {
            Some(origin) => origin,
            None if bbox.is_empty() => [0.0, 0.0],
            None => bbox.min,
        };
        let projected = Self {
            bbox,
            origin,
            polygon_rings: Vec::new(),
            area: 0.0,
            largest: None,
            lines: Vec::new(),
            markers: Vec::new(),
        };
        (projected, Local::new(origin))
    }

    /// A polygon's rings, exterior first.
    fn add_polygon(&mut self, rings: impl Iterator<Item = Ring>) {
        let start = self.polygon_rings.len();
        self.polygon_rings.extend(rings);
        let range = start..self.polygon_rings.len();
        let a = rings_area(&self.polygon_rings[range.clone()]).abs();
        self.area += a;
        if self.largest.as_ref().is_none_or(|(best, _)| a > *best) {
            self.largest = Some((a, range));
        }
    }
}

/// Grows a box in degrees ([west, south, east, north]) over coordinates.
fn take_box(degrees: &mut [f64; 4], coords: impl Iterator<Item = geo::Coord<f64>>) {
    for c in coords {
        *degrees = [
            degrees[0].min(c.x),
            degrees[1].min(c.y),
            degrees[2].max(c.x),
            degrees[3].max(c.y),
        ];
    }
}

const NO_BOX: [f64; 4] = [
    f64::INFINITY,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NEG_INFINITY,
];

/// A geometry projected: each vertex once, the box from the polygons' exteriors, the lines and
/// the points (a polygon's holes lie within its exterior), about `origin` when given.
fn project_geometry(
    polygons: &[&Polygon<f64>],
    lines: &[&LineString<f64>],
    points: &[[f64; 2]],
    origin: Option<[f64; 2]>,
) -> Projected {
    let mut degrees = NO_BOX;
    for p in polygons {
        take_box(&mut degrees, p.exterior().coords().copied());
    }
    for l in lines {
        take_box(&mut degrees, l.coords().copied());
    }
    take_box(
        &mut degrees,
        points.iter().map(|p| geo::Coord { x: p[0], y: p[1] }),
    );
    let (mut projected, local) = Projected::framed(degrees, origin);
    for p in polygons {
        projected.add_polygon(
            std::iter::once(p.exterior())
                .chain(p.interiors())
                .map(|r| local_ring(r, &local)),
        );
    }
    projected.lines = lines
        .iter()
        .map(|l| l.coords().map(|c| local.point(c)).collect())
        .collect();
    projected.markers = points
        .iter()
        .map(|p| local.point(&geo::Coord { x: p[0], y: p[1] }))
        .collect();
    projected
}

/// What [`project_geometry`] makes of a packed polygon or multipolygon (of at least one
/// polygon), bit for bit, from its coordinates without the geometry's structure around them
/// (about `origin` when given, as a feature's full detail made later is); `None` for other
/// kinds.
fn project_packed(p: &Packed, origin: Option<[f64; 2]>) -> Option<Projected> {
    let one = [u32::try_from(p.lens().len()).ok()?];
    let per_polygon: &[u32] = match p.kind() {
        Kind::Polygon => &one,
        Kind::MultiPolygon if !p.rings().is_empty() => p.rings(),
        _ => return None,
    };
    let coords = p.coords();
    // Each ring's coordinates, in order.
    let mut at = 0usize;
    let ring_coords: Vec<&[geo::Coord<f64>]> = p
        .lens()
        .iter()
        .map(|&n| {
            let from = at.min(coords.len());
            at = at.saturating_add(n as usize);
            &coords[from..at.min(coords.len())]
        })
        .collect();
    // Each polygon's rings, as a range of `ring_coords`.
    let mut first = 0usize;
    let polygons: Vec<std::ops::Range<usize>> = per_polygon
        .iter()
        .map(|&n| {
            let from = first.min(ring_coords.len());
            first = first.saturating_add(n as usize);
            from..first.min(ring_coords.len())
        })
        .collect();
    let mut degrees = NO_BOX;
    for r in &polygons {
        if let Some(exterior) = ring_coords.get(r.start) {
            take_box(&mut degrees, exterior.iter().copied());
        }
    }
    let (mut projected, local) = Projected::framed(degrees, origin);
    for r in polygons {
        projected.add_polygon(
            ring_coords[r]
                .iter()
                .map(|ring| local_ring_of(ring, &local)),
        );
    }
    Some(projected)
}

/// Long because it makes all of a feature's draw data in one pass over its geometry: paths, levels
/// of detail, fills.
fn build_feature(
    shape: Option<&Shape>,
    style: FeatureStyle,
    label: Option<String>,
    defer: bool,
) -> FeatureRender {
    if let Some(Shape::Packed(p)) = shape
        && let Some(projected) = project_packed(p, None)
    {
        // Polygons only, so at least one: the label goes in the largest.
        return build_projected(projected, style, label, defer, || None);
    }
    let geometry = shape.map(Shape::geometry);
    let geometry = geometry.as_deref();
    let mut polygons: Vec<&Polygon<f64>> = Vec::new();
    let mut lines: Vec<&LineString<f64>> = Vec::new();
    let mut points: Vec<[f64; 2]> = Vec::new();
    if let Some(g) = geometry {
        collect(g, &mut polygons, &mut lines, &mut points);
    }
    let projected = project_geometry(&polygons, &lines, &points, None);
    build_projected(projected, style, label, defer, || {
        label_anchor(geometry, &polygons, &lines, &points)
    })
}

/// A feature's draw data from its geometry projected; `anchor` places its label when it has no
/// polygon.
fn build_projected(
    projected: Projected,
    style: FeatureStyle,
    label: Option<String>,
    defer: bool,
    anchor: impl FnOnce() -> Option<[f64; 2]>,
) -> FeatureRender {
    let Projected {
        bbox,
        origin,
        polygon_rings,
        area,
        largest,
        lines,
        markers,
    } = projected;
    // Only a labelled feature needs a place for its label.
    let anchor = label.as_ref().and_then(|_| match largest {
        Some((_, range)) => anchor_in(&polygon_rings[range], origin),
        None => anchor(),
    });
    let mut paths: Vec<Path> = polygon_rings
        .into_iter()
        .map(|points| Path {
            points,
            closed: true,
        })
        .collect();
    let filled = !paths.is_empty();
    let lods = if markers.is_empty() {
        build_lods(&paths, filled, !defer)
    } else {
        Lods::default()
    };
    // With simplified versions to draw meanwhile, full detail can wait: it is made again from
    // the geometry when a frame needs it ([`LayerRender::full_detail`]).
    let detail_pending =
        defer && filled && lines.is_empty() && lods.iter().any(|l| l.fill.is_some());
    // Tolerance in local units (zoom-20 points): flattening is not needed for straight segments,
    // so this only bounds lyon's internal precision.
    let fill = if !filled {
        None
    } else if detail_pending {
        Some(FillMesh::default())
    } else {
        match tessellate_rings(rings(&paths), 0.5) {
            Ok(mesh) => Some(mesh),
            Err(e) => {
                log::warn!("could not triangulate a polygon: {e:?}; drawing its outline only");
                Some(FillMesh::default())
            }
        }
    };
    paths.extend(lines.into_iter().map(|points| Path {
        points,
        closed: false,
    }));
    if detail_pending {
        // The label's place and the area are taken: the outline goes until it is drawn.
        paths = Vec::new();
    }
    let mut f = FeatureRender {
        origin,
        bbox,
        fill,
        paths,
        markers,
        style,
        label: label.zip(anchor),
        area,
        lods,
        detail_pending,
        finest_fill: None,
        levels_pending: false,
        costs: LevelCosts::default(),
    };
    f.refresh_costs();
    f
}

/// A feature as a first view that shows it as a dot needs it: its box, its style, and its
/// label's text, placed for now at the box's middle ([`FeatureRender::levels_pending`]). Its
/// origin is the box's south-west corner, as its build's is.
fn provisional_render(
    bbox: MercatorBox,
    style: FeatureStyle,
    label: Option<String>,
) -> FeatureRender {
    let mut f = FeatureRender {
        origin: bbox.min,
        bbox,
        fill: Some(FillMesh::default()),
        paths: Vec::new(),
        markers: Vec::new(),
        style,
        label: label.map(|text| (text, bbox.center())),
        area: 0.0,
        lods: Lods::default(),
        detail_pending: true,
        finest_fill: None,
        levels_pending: true,
        costs: LevelCosts::default(),
    };
    f.refresh_costs();
    f
}

/// The index of a layer's features by their boxes: each one's number in the layer, its box
/// as the feature's draw data has it; a feature with an empty box (nothing drawn) is left out.
type Index = RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>;

/// [`Index`] of the features whose boxes these are, in order.
fn index_of<'a>(boxes: impl Iterator<Item = &'a MercatorBox>) -> Index {
    RTree::bulk_load(
        boxes
            .enumerate()
            .filter(|(_, b)| !b.is_empty())
            .map(|(i, b)| GeomWithData::new(Rectangle::from_corners(b.min, b.max), i))
            .collect(),
    )
}

/// A polygon's or multipolygon's box as its build takes it (over its exteriors), without
/// projecting or keeping a coordinate; `None` for any other feature.
fn polygon_box(f: &crate::model::Feature) -> Option<MercatorBox> {
    let degrees = match f.shape()? {
        Shape::Packed(p) => p.exterior_box()?,
        Shape::Full(Geometry::Polygon(p)) => {
            let mut degrees = NO_BOX;
            take_box(&mut degrees, p.exterior().coords().copied());
            degrees
        }
        Shape::Full(Geometry::MultiPolygon(mp)) => {
            let mut degrees = NO_BOX;
            for p in mp {
                take_box(&mut degrees, p.exterior().coords().copied());
            }
            degrees
        }
        Shape::Full(_) => return None,
    };
    let bbox = box_of_degrees(degrees);
    (!bbox.is_empty()).then_some(bbox)
}

/// The box, in world units, of a box in degrees (west, south, east, north); empty for none.
fn box_of_degrees(degrees: [f64; 4]) -> MercatorBox {
    let mut bbox = MercatorBox::EMPTY;
    if degrees[0] <= degrees[2] && degrees[1] <= degrees[3] {
        bbox.extend(mercator_from_lonlat(degrees[0], degrees[1]));
        bbox.extend(mercator_from_lonlat(degrees[2], degrees[3]));
    }
    bbox
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_names_markers_labelled_lines_and_labelled_areas_big_enough_to_hold_a_name() {
        let mut bbox = MercatorBox::EMPTY;
        bbox.extend([0.0, 0.0]);
        bbox.extend([1.0, 0.5]);
        let brief = |kind, labelled| Brief {
            bbox,
            kind,
            labelled,
            dot: crate::model::Color::rgb(0, 0, 0),
            dot_opacity: 1.0,
            pending: false,
            coarse: None,
        };
        // A world unit at 70 points and just under.
        let (big, small) = (f64::from(LABEL_MIN_SIZE), f64::from(LABEL_MIN_SIZE) * 0.99);
        assert!(brief(BriefKind::Area, true).label_candidate(big));
        assert!(!brief(BriefKind::Area, true).label_candidate(small));
        assert!(!brief(BriefKind::Area, false).label_candidate(big));
        assert!(brief(BriefKind::Line, true).label_candidate(small));
        assert!(!brief(BriefKind::Line, false).label_candidate(big));
        assert!(brief(BriefKind::Marker, false).label_candidate(small));
    }

    /// Packed polygons and multipolygons are built from their coordinates alone, exactly as
    /// from the geometry made again: box, origin, outlines, levels, fills, area and label, and
    /// full detail made later.
    #[test]
    fn packed_areas_are_built_as_their_geometry_would_be() {
        use geo::{Coord, MultiPolygon};
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n.max(1)
        };
        // A ring of `n` vertices around a centre (in 10⁻⁶ degree), closed or not; wobbly
        // enough that its levels differ.
        let ring = |c: [i64; 2], r: i64, n: usize, next: &mut dyn FnMut(u64) -> u64| {
            let mut pts: Vec<Coord<f64>> = (0..n)
                .map(|k| {
                    let t = k as f64 / n as f64 * std::f64::consts::TAU;
                    let rr = (r + next(r as u64 / 3 + 1) as i64) as f64;
                    let x = c[0] + (rr * t.cos()) as i64;
                    let y = c[1] + (rr * t.sin()) as i64;
                    Coord {
                        x: x as f64 / 1e6,
                        y: y as f64 / 1e6,
                    }
                })
                .collect();
            if next(4) != 0 {
                pts.push(pts[0]);
            }
            LineString::new(pts)
        };
        let style = crate::model::LayerStyle::default();
        let mut compared = 0;
        for round in 0..400 {
            let polygons: Vec<Polygon<f64>> = (0..1 + next(3))
                .map(|k| {
                    let c = [
                        106_600_000 + next(200_000) as i64 + k as i64 * 300_000,
                        11_000_000 + next(200_000) as i64,
                    ];
                    let r = 200 + next(3_000) as i64;
                    let n = 3 + next(if round % 2 == 0 { 400 } else { 20 }) as usize;
                    let holes = (0..next(3))
                        .map(|_| ring(c, r / 4, 3 + next(40) as usize, &mut next))
                        .collect();
                    Polygon::new(ring(c, r, n, &mut next), holes)
                })
                .collect();
            let g = if polygons.len() == 1 && next(2) == 0 {
                Geometry::Polygon(polygons[0].clone())
            } else {
                Geometry::MultiPolygon(MultiPolygon(polygons))
            };
            let Some(packed) = Packed::of(&g) else {
                panic!("not packed: {g:?}");
            };
            let label = (next(2) == 0).then(|| "Khu A".to_owned());
            let feature = crate::model::Feature::from_parts(geojson::Feature::default(), None);
            let fs = style.resolve(&feature);
            for defer in [false, true] {
                let full = build_feature(
                    Some(&Shape::Full(packed.unpack())),
                    fs,
                    label.clone(),
                    defer,
                );
                let made = build_feature(
                    Some(&Shape::Packed(packed.clone())),
                    fs,
                    label.clone(),
                    defer,
                );
                assert_eq!(format!("{made:?}"), format!("{full:?}"), "{g:?}");
                compared += 1;
                // Full detail made later, about the build's origin or another.
                let origin = [full.origin[0] + 1e-7 * next(3) as f64, full.origin[1]];
                assert_eq!(
                    format!(
                        "{:?}",
                        full_detail_paths(&Shape::Packed(packed.clone()), origin)
                    ),
                    format!(
                        "{:?}",
                        full_detail_paths(&Shape::Full(packed.unpack()), origin)
                    ),
                    "{g:?}"
                );
            }
        }
        assert_eq!(compared, 800);
    }

    /// The series stands in for the projection to a few thousandths of a point at zoom 20 even
    /// at 80°, and to a millionth in the corridor; far from the origin's latitude, or near the
    /// poles, the projection itself is taken.
    #[test]
    fn local_units_by_the_series_are_the_projection_s() {
        let exact = |c: &geo::Coord<f64>, origin: [f64; 2]| {
            let w = mercator_from_lonlat(c.x, c.y);
            [
                (w[0] - origin[0]) * LOCAL_PER_WORLD,
                (w[1] - origin[1]) * LOCAL_PER_WORLD,
            ]
        };
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut by_series = 0;
        for _ in 0..200_000 {
            let lat0 = next() * 170.0 - 85.0;
            let lon0 = next() * 360.0 - 180.0;
            let origin = mercator_from_lonlat(lon0, lat0);
            let local = Local::new(origin);
            // Degrees: within a parcel, a district, the series' reach (0.115°), or farther.
            let reach = [0.01, 0.05, 0.114, 0.3, 1.5][(next() * 5.0) as usize];
            let c = geo::Coord {
                x: lon0 + next() * reach,
                y: (lat0 - next() * reach).max(-85.0),
            };
            let ours = local.point_f64(&c);
            let theirs = exact(&c, origin);
            let corridor = (10.0..12.0).contains(&lat0);
            let allowed = if corridor { 1e-6 } else { 2e-3 };
            for k in 0..2 {
                assert!(
                    (ours[k] - theirs[k]).abs() <= allowed,
                    "{c:?} about {lat0}: {ours:?} against {theirs:?}"
                );
            }
            assert_eq!(local.point(&c), ours.map(|v| v as f32));
            by_series +=
                usize::from((c.y - lat0).to_radians().abs() <= SERIES_REACH && lat0.abs() <= 80.0);
        }
        assert!(by_series > 50_000, "{by_series} by the series");
    }

    fn layer(text: &str) -> Layer {
        crate::io::geojson_file::test_layer(text)
    }

    #[test]
    fn relabelling_gives_the_labels_a_build_in_that_language_gives() {
        let square = |x: f64| {
            let e = x + 0.01;
            format!(
                r#"{{"type":"Polygon","coordinates":[[[{x},11],[{e},11],[{e},11.01],[{x},11.01],[{x},11]]]}}"#
            )
        };
        let l = layer(&format!(
            r#"{{"type":"FeatureCollection","features":[
            {{"type":"Feature","properties":{{"name":"Bàu Bàng","name_zh":"保荣","name_en":"Bau Bang"}},"geometry":{}}},
            {{"type":"Feature","properties":{{"name_zh":"只有中文"}},"geometry":{}}},
            {{"type":"Feature","properties":{{"name":"Tân Uyên"}},"geometry":{}}},
            {{"type":"Feature","properties":{{"name":"  "}},"geometry":{{"type":"Point","coordinates":[106.7,11.1]}}}}]}}"#,
            square(106.6),
            square(106.7),
            square(106.8)
        ));
        type Labels = Vec<(Option<(String, [f64; 2])>, bool)>;
        let labels = |r: &LayerRender| -> Labels {
            r.features
                .iter()
                .zip(&r.briefs)
                .map(|(f, b)| (f.label.clone(), b.labelled))
                .collect()
        };
        let mut r = LayerRender::build_in(&l, Some(Lang::En));
        // Only the second feature has no English name, nor a name to fall back on.
        assert_eq!(labels(&r)[1], (None, false));
        for lang in [Lang::Zh, Lang::Vi, Lang::En, Lang::Zh] {
            r.relabel(&l, Some(lang));
            assert_eq!(
                labels(&r),
                labels(&LayerRender::build_in(&l, Some(lang))),
                "{lang:?}"
            );
        }
        assert_eq!(
            r.features[1].label.as_ref().map(|l| l.0.as_str()),
            Some("只有中文")
        );
    }

    #[test]
    fn restyling_gives_what_a_build_in_that_style_gives_and_keeps_the_geometry() {
        let mut l = circles(30);
        let mut r = LayerRender::build_deferred(&l, Some(Lang::En));
        let levels_before: Vec<usize> = r.features.iter().map(|f| f.lods.heap_bytes()).collect();
        type Look = (
            Vec<(FeatureStyle, Option<String>)>,
            Vec<(
                BriefKind,
                bool,
                crate::model::Color,
                u32,
                Option<crate::model::Color>,
            )>,
        );
        let look = |r: &LayerRender| -> Look {
            (
                r.features
                    .iter()
                    .map(|f| (f.style, f.label.as_ref().map(|l| l.0.clone())))
                    .collect(),
                r.briefs
                    .iter()
                    .map(|b| {
                        (
                            b.kind,
                            b.labelled,
                            b.dot,
                            b.dot_opacity.to_bits(),
                            b.coarse.map(|c| c.fill),
                        )
                    })
                    .collect(),
            )
        };
        // Labels by a property, a colour, a width, then colours by a property, then no label.
        let steps: [&dyn Fn(&mut crate::model::LayerStyle); 5] = [
            &|s| s.label = Some("i".into()),
            &|s| s.fill = crate::model::Color::rgb(200, 10, 10),
            &|s| s.stroke_width = 4.0,
            &|s| {
                let mut colors = std::collections::BTreeMap::new();
                colors.insert("1".to_owned(), crate::model::Color::rgb(0, 120, 0));
                s.categories = Some(crate::model::CategoryStyle {
                    property: "i".into(),
                    colors,
                    labels: Default::default(),
                });
            },
            &|s| s.label = None,
        ];
        for (k, step) in steps.iter().enumerate() {
            step(&mut l.style);
            r.restyle(&l, Some(Lang::En));
            let fresh = LayerRender::build_deferred(&l, Some(Lang::En));
            assert_eq!(look(&r), look(&fresh), "step {k}");
            match k {
                0 => assert!(r.features.iter().all(|f| f.label.is_some())),
                3 => {
                    let c = r.features[1].style.fill;
                    assert_eq!((c.r, c.g, c.b), (0, 120, 0));
                }
                4 => assert!(r.features.iter().all(|f| f.label.is_none())),
                _ => {}
            }
        }
        assert!(r.briefs.iter().any(|b| b.coarse.is_some()));
        let levels_after: Vec<usize> = r.features.iter().map(|f| f.lods.heap_bytes()).collect();
        assert_eq!(levels_before, levels_after);
    }

    #[test]
    fn features_in_view_are_the_same_by_scan_as_by_index() {
        let l = circles(300);
        let r = LayerRender::build(&l);
        let extent = r.extent;
        let mut rng = 7u64;
        let mut next = || {
            rng = rng
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (rng >> 11) as f64 / (1u64 << 53) as f64
        };
        let (mut some, mut most) = (0, 0);
        for _ in 0..500 {
            // Views from a hundredth of the layer to twice it, partly or wholly off it.
            let w = extent.width() * (0.01 + 2.0 * next());
            let h = extent.height() * (0.01 + 2.0 * next());
            let x = extent.min[0] - w + (extent.width() + w) * next();
            let y = extent.min[1] - h + (extent.height() + h) * next();
            let view = MercatorBox {
                min: [x, y],
                max: [x + w, y + h],
            };
            let by_index = r.visible_by_index(&view);
            assert_eq!(r.visible_by_scan(&view), by_index, "{view:?}");
            assert_eq!(r.visible(&view), by_index, "{view:?}");
            some += usize::from(!by_index.is_empty() && by_index.len() < 100);
            most += usize::from(by_index.len() > 200);
        }
        assert!(
            some > 50 && most > 20,
            "{some} views of a few, {most} of most"
        );
    }

    /// `n` many-sided circles in a grid of ten columns.
    fn circles(n: usize) -> Layer {
        let features: Vec<String> = (0..n)
            .map(|i| {
                let (cx, cy) = (106.6 + (i % 10) as f64 * 0.01, 11.0 + (i / 10) as f64 * 0.01);
                let ring: Vec<String> = (0..=40)
                    .map(|j| {
                        let a = f64::from(j) / 40.0 * std::f64::consts::TAU;
                        format!("[{},{}]", cx + 0.004 * a.cos(), cy + 0.004 * a.sin())
                    })
                    .collect();
                format!(
                    r#"{{"type":"Feature","properties":{{"i":{i}}},"geometry":{{"type":"Polygon","coordinates":[[{}]]}}}}"#,
                    ring.join(",")
                )
            })
            .collect();
        layer(&format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",")
        ))
    }

    /// What a render draws and picks: each feature's box, coarse fill and what a grid of
    /// clicks finds.
    type Drawn = (Vec<String>, Vec<Vec<[f32; 2]>>, Vec<Option<usize>>);

    fn drawn(r: &LayerRender, l: &Layer) -> Drawn {
        let boxes = r.features.iter().map(|f| format!("{:?}", f.bbox)).collect();
        let coarse = r
            .briefs
            .iter()
            .map(|b| {
                b.coarse.map_or_else(Vec::new, |c| {
                    let (v0, n) = (c.vertices.0 as usize, c.vertices.1 as usize);
                    r.coarse_vertices[v0..v0 + n].to_vec()
                })
            })
            .collect();
        let clicks = (0..40)
            .flat_map(|x| (0..40).map(move |y| (x, y)))
            .map(|(x, y)| {
                let w = mercator_from_lonlat(
                    106.595 + f64::from(x) * 0.0028,
                    10.995 + f64::from(y) * 0.0028,
                );
                r.hit(l, w, 0.0, 0.0)
            })
            .collect();
        (boxes, coarse, clicks)
    }

    /// Circles labelled by their number, and a render of them built for a first view at zoom
    /// 7.5, where each (0.008° across) is about a point: every one of them a dot.
    fn first_view_of_circles() -> (Layer, LayerRender) {
        let mut l = circles(100);
        l.style.label = Some("i".to_owned());
        let r = LayerRender::build_for_view(&l, None, |extent| {
            (*extent, crate::geometry::mercator::points_per_world(7.5))
        });
        (l, r)
    }

    /// A 1920 × 1080 frame over the circles at `zoom`.
    fn circles_frame(r: &LayerRender, zoom: f64) -> super::super::paint::LayerFrame {
        let rect = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1920.0, 1080.0));
        let t = super::super::paint::ScreenTransform::new(
            mercator_from_lonlat(106.645, 11.045),
            zoom,
            rect,
        );
        let mut budget = super::super::paint::VERTEX_BUDGET;
        super::super::paint::layer_frame(rect, &t, r, 1.0, |_| None, &mut budget)
    }

    /// What a feature's draw data comes to, but for its geometry's own buffers.
    fn made(f: &FeatureRender) -> String {
        format!(
            "{:?} {:?} {} {:?} {} {:?} {:?} {} {}",
            f.bbox,
            f.origin,
            f.area,
            f.label,
            f.detail_pending,
            f.costs.tolerance,
            f.costs.line_points,
            f.lods.heap_bytes(),
            f.levels_pending,
        )
    }

    #[test]
    fn a_first_view_is_drawn_as_a_deferred_build_draws_it_and_the_rest_is_made_as_it_makes_it() {
        let (l, mut first) = first_view_of_circles();
        let deferred = LayerRender::build_deferred(&l, None);
        assert!(first.features.iter().all(|f| f.levels_pending));
        assert!(first.has_provisional());
        // The first view: every circle a dot, byte for byte as the whole build's.
        let (a, b) = (circles_frame(&first, 7.5), circles_frame(&deferred, 7.5));
        assert_eq!(a.visible.len(), 100);
        assert_eq!(a.batch.vertices, b.batch.vertices);
        assert_eq!(a.batch.indices, b.batch.indices);
        assert_eq!(a.batch.rects, b.batch.rects);
        assert_eq!(a.batch.line_points.len(), b.batch.line_points.len());
        assert!(!first.has_stand_ins());
        // Picked meanwhile on its full outline (as a whole build picks), not on its box.
        let clicks = drawn(&LayerRender::build(&l), &l).2;
        assert!(clicks.iter().filter(|c| c.is_some()).count() > 20);
        assert_eq!(drawn(&first, &l).2, clicks);
        // Zoomed in before the rest is made: each circle drawn as its box, and asked for.
        let zoomed = circles_frame(&first, 12.0);
        assert!(zoomed.batch.vertices.is_empty());
        assert_eq!(zoomed.batch.rects.len(), zoomed.visible.len());
        let wanted = first.take_stand_ins(&l, usize::MAX);
        assert_eq!(wanted.len(), zoomed.visible.len());
        assert!(wanted.iter().all(|w| matches!(w.make, Make::Levels { .. })));
        // The rest, a few at a time as the window asks for it: made as the whole build made it,
        // with the labels' places found, drawn and picked alike.
        let mut batches = 0;
        loop {
            let wanted = first.next_provisional(&l, 7, true);
            if wanted.is_empty() {
                break;
            }
            batches += 1;
            assert!(first.apply_detail(LayerRender::full_detail(first.uid, wanted)));
        }
        assert_eq!(batches, 15);
        assert!(!first.has_provisional());
        for (f, g) in first.features.iter().zip(&deferred.features) {
            assert_eq!(made(f), made(g));
        }
        assert_eq!(drawn(&first, &l), drawn(&deferred, &l));
        let (a, b) = (circles_frame(&first, 12.0), circles_frame(&deferred, 12.0));
        assert_eq!(a.batch.vertices, b.batch.vertices);
        assert_eq!(a.batch.indices, b.batch.indices);
        assert_eq!(a.batch.rects, b.batch.rects);
    }

    /// Zoomed in before a first view's levels are made, each circle stands in as its box (three
    /// quarters of a point larger all round) in its fill's colour at 0.8, and after a restyle
    /// in the new colour: the box is drawn from the brief, which must follow the feature.
    #[test]
    fn boxes_standing_in_are_each_feature_s_box_in_its_fill_s_colour_restyled_too() {
        let (mut l, mut first) = first_view_of_circles();
        let rect = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1920.0, 1080.0));
        let t = super::super::paint::ScreenTransform::new(
            mercator_from_lonlat(106.645, 11.045),
            12.0,
            rect,
        );
        for fill in [l.style.fill, crate::model::Color::rgb(200, 30, 90)] {
            l.style.fill = fill;
            first.restyle(&l, None);
            let frame = circles_frame(&first, 12.0);
            assert_eq!(frame.visible.len(), 100);
            assert_eq!(frame.batch.rects.len(), 100, "each circle a box");
            for (r, &i) in frame.batch.rects.iter().zip(&frame.visible) {
                let f = &first.features[i];
                // The layer's fill, at the layer's fill opacity.
                let own = f.style.fill;
                assert_eq!((own.r, own.g, own.b), (fill.r, fill.g, fill.b));
                let colour = super::super::paint::color32(own.with_opacity(0.8)).to_array();
                let (min, max) = (
                    t.screen_from_world(f.bbox.min),
                    t.screen_from_world(f.bbox.max),
                );
                let want = egui::Rect::from_two_pos(min, max).expand(0.75);
                assert_eq!(
                    (r.min, r.max),
                    ([want.min.x, want.min.y], [want.max.x, want.max.y])
                );
                assert_eq!(r.color, colour, "circle {i} in {fill:?}");
            }
        }
    }

    /// A frame makes its lists in the memory of the last frame's: the features in view and
    /// those standing in for levels not made yet (once the detail worker has taken them) keep
    /// the room of a crowded frame for the next, instead of being allocated and paged in again
    /// every frame.
    #[test]
    fn a_frame_s_lists_keep_the_room_of_the_frames_before() {
        let (l, first) = first_view_of_circles();
        let crowded = circles_frame(&first, 12.0);
        assert_eq!(crowded.visible.len(), 100);
        drop(crowded);
        let standing_in =
            |r: &LayerRender| r.stand_ins.lock().ok().map(|w| (w.len(), w.capacity()));
        assert_eq!(standing_in(&first).map(|s| s.0), Some(100));
        assert_eq!(first.take_stand_ins(&l, usize::MAX).len(), 100);
        let kept = standing_in(&first);
        assert!(matches!(kept, Some((0, room)) if room >= 100), "{kept:?}");
        // Zoomed in on a few circles.
        let few = circles_frame(&first, 16.0);
        assert!(
            !few.visible.is_empty() && few.visible.len() < 50,
            "{}",
            few.visible.len()
        );
        assert!(few.visible.capacity() >= 100, "{}", few.visible.capacity());
        let kept = standing_in(&first);
        assert!(
            matches!(kept, Some((n, room)) if n == few.visible.len() && room >= 100),
            "{kept:?}"
        );
    }

    /// A file shown where it was last seen: what that view shows is built, what it does not
    /// waits, and the view is drawn as the deferred build draws it, nothing standing in for
    /// levels.
    #[test]
    fn a_first_view_where_the_file_was_last_seen_builds_what_it_shows() {
        let mut l = circles(100);
        l.style.label = Some("i".to_owned());
        let rect = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1920.0, 1080.0));
        let t = super::super::paint::ScreenTransform::new(
            mercator_from_lonlat(106.645, 11.045),
            15.0,
            rect,
        );
        let view = t.visible_world();
        let first = LayerRender::build_for_view(&l, None, |_| (view, t.scale()));
        let deferred = LayerRender::build_deferred(&l, None);
        let shown: Vec<bool> = deferred
            .features
            .iter()
            .map(|f| view.intersects(&f.bbox))
            .collect();
        assert!(shown.iter().any(|s| *s) && shown.iter().any(|s| !*s));
        for (f, shown) in first.features.iter().zip(&shown) {
            assert_eq!(f.levels_pending, !shown);
        }
        let (a, b) = (circles_frame(&first, 15.0), circles_frame(&deferred, 15.0));
        assert_eq!(a.batch.vertices, b.batch.vertices);
        assert_eq!(a.batch.indices, b.batch.indices);
        assert_eq!(a.batch.rects, b.batch.rects);
        let wanted = first.take_stand_ins(&l, usize::MAX);
        assert!(
            wanted
                .iter()
                .all(|w| !matches!(w.make, Make::Levels { .. }))
        );
    }

    #[test]
    fn features_edited_before_their_levels_came_are_not_waited_for() {
        let (l, mut first) = first_view_of_circles();
        for i in 0..100 {
            first.update_feature(&l, i, None);
        }
        assert!(!first.has_provisional());
        assert!(first.next_provisional(&l, 1_000, true).is_empty());
    }

    #[test]
    fn rows_spliced_in_draw_and_pick_as_a_whole_build_does() {
        let whole = circles(100);
        let half = |keep: &dyn Fn(usize) -> bool| {
            let features = whole
                .features()
                .iter()
                .enumerate()
                .filter(|(i, _)| keep(*i))
                .map(|(_, f)| (**f).clone())
                .collect();
            Layer::new(
                "h".into(),
                std::path::PathBuf::from("h"),
                crate::model::LayerStyle::default(),
                features,
                vec![],
            )
        };
        let renders = |l: &Layer| -> Vec<FeatureRender> {
            l.features()
                .iter()
                .map(|f| styled_render(&l.style, f, None, false))
                .collect()
        };
        // The first half, then the second spliced in: as the whole built at once.
        let mut spliced = LayerRender::build(&half(&|i| i < 50));
        spliced.splice(None, renders(&half(&|i| i >= 50)));
        assert_eq!(
            drawn(&spliced, &whole),
            drawn(&LayerRender::build(&whole), &whole)
        );
        // The even ones let go and the first ten added again: as that layer built at once.
        let keep: Vec<bool> = (0..100).map(|i| i % 2 == 1).collect();
        spliced.splice(Some(&keep), renders(&half(&|i| i < 10)));
        let mut odd_then_first = half(&|i| i % 2 == 1);
        for f in half(&|i| i < 10).features() {
            odd_then_first.push_feature((**f).clone());
        }
        let built = LayerRender::build(&odd_then_first);
        assert_eq!(
            drawn(&spliced, &odd_then_first),
            drawn(&built, &odd_then_first)
        );
        // What stays keeps its brief and its packed fill, moved up: as the build packs them.
        let packed = |r: &LayerRender| {
            (
                format!("{:?}", r.briefs),
                r.coarse_vertices.clone(),
                r.coarse_indices.clone(),
                r.provisional,
            )
        };
        assert!(built.briefs.iter().all(|b| b.coarse.is_some()));
        assert_eq!(packed(&spliced), packed(&built));
        for (i, f) in spliced.features.iter().enumerate() {
            let found = spliced
                .index
                .locate_in_envelope(&rstar::AABB::from_corners(f.bbox.min, f.bbox.max));
            assert!(
                found.into_iter().any(|g| g.data == i),
                "feature {i} in the index"
            );
        }
    }

    #[test]
    fn click_in_a_hole_misses_and_click_in_a_notch_misses() {
        let l = layer(
            r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[
              [[106.60,11.00],[106.70,11.00],[106.70,11.10],[106.60,11.10],[106.60,11.00]],
              [[106.62,11.02],[106.64,11.02],[106.64,11.04],[106.62,11.04],[106.62,11.02]]]}},
            {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[
              [[106.80,11.00],[106.90,11.00],[106.90,11.02],[106.82,11.02],[106.82,11.10],[106.80,11.10],[106.80,11.00]]]}}
            ]}"#,
        );
        let r = LayerRender::build(&l);
        let at = |lon, lat| r.hit(&l, mercator_from_lonlat(lon, lat), 0.0, 0.0);
        assert_eq!(at(106.61, 11.01), Some(0));
        assert_eq!(at(106.63, 11.03), None, "inside the hole");
        assert_eq!(at(106.81, 11.05), Some(1));
        assert_eq!(at(106.86, 11.06), None, "in the L's notch");
    }

    #[test]
    fn smallest_polygon_wins() {
        let l = layer(
            r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[106.6,11.0],[106.8,11.0],[106.8,11.2],[106.6,11.2],[106.6,11.0]]]}},
            {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[106.65,11.05],[106.7,11.05],[106.7,11.1],[106.65,11.1],[106.65,11.05]]]}}
            ]}"#,
        );
        let r = LayerRender::build(&l);
        assert_eq!(
            r.hit(&l, mercator_from_lonlat(106.67, 11.07), 0.0, 0.0),
            Some(1)
        );
    }
}
