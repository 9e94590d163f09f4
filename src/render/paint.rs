//! Painting layers onto an egui painter. A frame culls with the R-tree and transforms cached
//! local coordinates to the screen; nothing is projected or triangulated here.

use egui::{Color32, Mesh, Pos2, Rect, Shape, Stroke, pos2, vec2};

use crate::geometry::{MercatorBox, mercator::points_per_world};
use crate::model::Color;

use super::cache::{Awaited, BriefKind, FeatureRender, LOCAL_PER_WORLD, LayerRender};
use super::gpu::{Batch, FillVertex};
use super::lods::Outline;
use super::tessellate::{FillMesh, IndicesRef};

/// Maps world units to screen points for one frame.
#[derive(Clone, Copy, Debug)]
pub struct ScreenTransform {
    /// World point shown at `screen_center`.
    pub center: [f64; 2],
    pub zoom: f64,
    pub screen_center: Pos2,
    /// The map's rectangle on screen.
    pub rect: Rect,
}

impl ScreenTransform {
    pub fn new(center: [f64; 2], zoom: f64, rect: Rect) -> Self {
        Self {
            center,
            zoom,
            screen_center: rect.center(),
            rect,
        }
    }

    /// Screen points per world unit.
    pub fn scale(&self) -> f64 {
        points_per_world(self.zoom)
    }

    pub fn screen_from_world(&self, w: [f64; 2]) -> Pos2 {
        let s = self.scale();
        pos2(
            self.screen_center.x + ((w[0] - self.center[0]) * s) as f32,
            self.screen_center.y + ((w[1] - self.center[1]) * s) as f32,
        )
    }

    pub fn world_from_screen(&self, p: Pos2) -> [f64; 2] {
        let s = self.scale();
        [
            self.center[0] + (p.x - self.screen_center.x) as f64 / s,
            self.center[1] + (p.y - self.screen_center.y) as f64 / s,
        ]
    }

    /// The world box the map rectangle shows.
    pub fn visible_world(&self) -> MercatorBox {
        MercatorBox {
            min: self.world_from_screen(self.rect.min),
            max: self.world_from_screen(self.rect.max),
        }
    }

    /// [`Self::screen_from_world`] as a closure, with the scale worked out once: a frame
    /// places tens of thousands of boxes, and each scale is an `exp2`.
    pub fn projector(&self) -> impl Fn([f64; 2]) -> Pos2 + Copy + use<> {
        let s = self.scale();
        let (center, screen_center) = (self.center, self.screen_center);
        move |w| {
            pos2(
                screen_center.x + ((w[0] - center[0]) * s) as f32,
                screen_center.y + ((w[1] - center[1]) * s) as f32,
            )
        }
    }
}

/// A closure from a feature's local coordinates to the screen, `to_screen` being the frame's
/// [`ScreenTransform::projector`] and `px_per_local` its scale over [`LOCAL_PER_WORLD`].
fn screen_from_local<P: Fn([f64; 2]) -> Pos2>(
    to_screen: P,
    px_per_local: f32,
    f: &FeatureRender,
) -> impl Fn([f32; 2]) -> Pos2 + use<P> {
    let origin = to_screen(f.origin);
    move |p| {
        pos2(
            origin.x + p[0] * px_per_local,
            origin.y + p[1] * px_per_local,
        )
    }
}

/// How a feature is emphasised this frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Highlight {
    Hovered,
    Selected,
    /// Highlighted by a slide, glowing on arrival with this strength (0–255).
    Glow(u8),
}

pub fn color32(c: Color) -> Color32 {
    Color32::from_rgba_unmultiplied(c.r, c.g, c.b, c.a)
}

fn faded(c: Color, opacity: f32) -> Color32 {
    color32(c.with_opacity(opacity))
}

/// Vertices the map may hand the GPU in one frame, all layers together. egui puts a frame's
/// triangles in one buffer, and GPUs cap buffer sizes (256 MB here): past this budget, features
/// are drawn as small boxes, so no file can exhaust it, whatever its size.
pub const VERTEX_BUDGET: usize = 2_000_000;

/// Below this size on screen (points) a feature is a dot: its outline and triangles are noise.
pub(crate) const DOT_SIZE: f32 = 2.0;
/// Below this size on screen an outline adds nothing the fill does not show.
const OUTLINE_SIZE: f32 = 6.0;

/// Paints the visible features of one layer: fills as one mesh, then outlines and lines, then
/// markers; `emphasis(i)` says which features are hovered or selected. Spends `budget`
/// vertices at most (see [`VERTEX_BUDGET`]). Returns the features in view, and those that may
/// be named.
pub fn paint_layer(
    painter: &egui::Painter,
    t: &ScreenTransform,
    layer: &LayerRender,
    opacity: f32,
    emphasis: impl Fn(usize) -> Option<Highlight>,
    budget: &mut usize,
) -> Drawn {
    if let Some(o) = &layer.overview {
        let rect = Rect::from_two_pos(
            t.screen_from_world(o.world.min),
            t.screen_from_world(o.world.max),
        );
        painter.image(
            o.texture.id(),
            rect,
            Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
            egui::Color32::WHITE.gamma_multiply(opacity),
        );
    }
    if layer.overview_only {
        return Drawn::default();
    }
    let path = super::gpu::path(painter.ctx());
    let (shapes, drawn) = layer_shapes(
        painter.clip_rect(),
        t,
        layer,
        opacity,
        emphasis,
        budget,
        path,
    );
    painter.extend(shapes);
    drawn
}

/// The shapes [`paint_layer`] paints, in paint order, to put where the caller chooses (under
/// the basemap's tiles, for the bundled context), and the features drawn. Unless `path` says
/// egui meshes, fills and thin outlines are one paint callback drawn by the map's pipelines
/// (see [`super::gpu`]); else egui meshes and paths.
pub fn layer_shapes(
    clip: Rect,
    t: &ScreenTransform,
    layer: &LayerRender,
    opacity: f32,
    emphasis: impl Fn(usize) -> Option<Highlight>,
    budget: &mut usize,
    path: super::gpu::MapPath,
) -> (Vec<Shape>, Drawn) {
    let mut frame = layer_frame(clip, t, layer, opacity, emphasis, budget);
    let mut out = Vec::with_capacity(2 + frame.shapes.len());
    let batch = std::mem::take(&mut frame.batch);
    if path != super::gpu::MapPath::EguiMeshes {
        if !batch.is_empty() {
            out.push(super::gpu::shape(clip, batch, path));
        }
    } else {
        out.extend(egui_shapes(batch));
    }
    out.append(&mut frame.shapes);
    (
        out,
        Drawn {
            visible: std::mem::take(&mut frame.visible),
            labels: std::mem::take(&mut frame.labels),
        },
    )
}

/// The features a frame of a layer had in view, and those of them that may be named.
#[derive(Debug, Default)]
pub struct Drawn {
    pub visible: Vec<usize>,
    pub labels: Vec<usize>,
}

impl Drop for Drawn {
    /// The lists' room serves the next frames.
    fn drop(&mut self) {
        keep_lists(&mut self.visible, &mut self.labels);
    }
}

/// Keeps a frame's lists for the next frames: the features in view last, as the next frame
/// takes that list first (the larger, it is the one whose room matters).
fn keep_lists(visible: &mut Vec<usize>, labels: &mut Vec<usize>) {
    super::spare::keep_indices(std::mem::take(labels));
    super::spare::keep_indices(std::mem::take(visible));
}

/// What a frame draws of a layer: fills and thin outlines in a [`Batch`], then what egui
/// paints over them (wide and dashed outlines, emphasis, markers), the features in view, and
/// those of them that may be named ([`Brief::label_candidate`]).
pub struct LayerFrame {
    pub batch: Batch,
    pub shapes: Vec<Shape>,
    pub visible: Vec<usize>,
    pub labels: Vec<usize>,
}

impl Drop for LayerFrame {
    /// The lists' room serves the next frames (the batch's is kept by the map's callback).
    fn drop(&mut self) {
        keep_lists(&mut self.visible, &mut self.labels);
    }
}

/// A [`Batch`] as egui meshes and paths: fills as one mesh, thin outlines as anti-aliased paths
/// or, with many features on screen, as plain quads in one mesh (egui's path tessellation costs
/// too much per frame at that count).
pub fn egui_shapes(mut batch: Batch) -> Vec<Shape> {
    let mut out = Vec::new();
    let mut mesh = Mesh::default();
    mesh.vertices.reserve_exact(batch.vertices.len());
    mesh.vertices
        .extend(batch.vertices.iter().map(|v| egui::epaint::Vertex {
            pos: pos2(v.pos[0], v.pos[1]),
            uv: egui::epaint::WHITE_UV,
            color: Color32::from_rgba_premultiplied(v.color[0], v.color[1], v.color[2], v.color[3]),
        }));
    mesh.indices = std::mem::take(&mut batch.indices);
    // The rectangles after the fills, as the pipelines draw them.
    mesh.vertices.reserve(4 * batch.rects.len());
    mesh.indices.reserve(6 * batch.rects.len());
    for r in &batch.rects {
        let color =
            Color32::from_rgba_premultiplied(r.color[0], r.color[1], r.color[2], r.color[3]);
        let base = mesh.vertices.len() as u32;
        for (x, y) in [
            (r.min[0], r.min[1]),
            (r.max[0], r.min[1]),
            (r.max[0], r.max[1]),
            (r.min[0], r.max[1]),
        ] {
            mesh.vertices.push(egui::epaint::Vertex {
                pos: pos2(x, y),
                uv: egui::epaint::WHITE_UV,
                color,
            });
        }
        mesh.indices
            .extend([base, base + 1, base + 2, base, base + 2, base + 3]);
    }
    if !mesh.is_empty() {
        out.push(Shape::mesh(mesh));
    }
    if batch.many {
        let mut quads = Mesh::default();
        let mut points = Vec::new();
        for run in &batch.lines {
            let stroke = Stroke::new(run.width, run.color);
            batch.points_into(run, &mut points);
            add_polyline(&mut quads, &points, run.closed, stroke);
        }
        if !quads.is_empty() {
            out.push(Shape::mesh(quads));
        }
    } else {
        let mut points = Vec::new();
        for run in &batch.lines {
            let stroke = Stroke::new(run.width, run.color);
            batch.points_into(run, &mut points);
            out.push(path_shape(&points, run.closed, stroke));
        }
    }
    batch.recycle();
    out
}

/// The frame [`layer_shapes`] paints.
///
/// Long because it is the per-frame loop over a layer's visible features, with buffers shared
/// across the loop; split up, it allocated per feature.
pub fn layer_frame(
    clip: Rect,
    t: &ScreenTransform,
    layer: &LayerRender,
    opacity: f32,
    emphasis: impl Fn(usize) -> Option<Highlight>,
    budget: &mut usize,
) -> LayerFrame {
    let mut visible = super::spare::indices();
    layer.visible_into(&t.visible_world(), &mut visible);
    // With thousands of features on screen, thin outlines go into one mesh as plain quads: egui's
    // anti-aliased path tessellation costs too much per frame at that count.
    let many = visible.len() > MANY_FEATURES;
    // How crowded the screen is: 0 up to 2 000 features, 1 from 10 000. What follows from it
    // grows with it step by step: when it went from one value to another at a count of
    // features, the frame that crossed it started outlining thousands of features and drawing
    // all of them a level finer at once (5 ms to 14 on the large layer's camera path).
    let crowd = ((visible.len() as f32 - MANY_FEATURES as f32) / (4.0 * MANY_FEATURES as f32))
        .clamp(0.0, 1.0);
    // Crowded screens outline only features big enough for an outline to tell them apart.
    let outline_size = OUTLINE_SIZE * (1.0 + 2.0 * crowd);
    // How far (points) a simplified boundary may stray. One point; up to a point and a half
    // as the screen fills with features, each a few points across, where the difference
    // cannot be told but every level step doubles the vertices.
    let max_error: f32 = 1.0 + 0.5 * crowd;
    let mut batch = Batch::recycled();
    batch.many = many;
    // Room for this frame's fills (four vertices a feature, at most the budget) and a dot or box
    // for each feature at once: growing by doubling copies them again and again on a crowded
    // frame.
    let expected = (visible.len() * 4).min(*budget);
    batch.vertices.reserve(expected);
    batch.indices.reserve(expected * 3 / 2);
    batch.rects.reserve(visible.len());
    let mut dotted = DotGrid::new(clip);
    let mut shapes: Vec<Shape> = Vec::new();
    let mut markers: Vec<Shape> = Vec::new();
    let mut top: Vec<Shape> = Vec::new();
    let scale = t.scale();
    let project = t.projector();
    // A box on screen: its corners where the frame puts them.
    let screen_box = |b: &MercatorBox| Rect::from_two_pos(project(b.min), project(b.max));
    // Most dots of a layer share a colour: worked out once for a run of them.
    let mut last_dot: (Option<(Color, u32)>, Color32) = (None, Color32::TRANSPARENT);
    let px_per_local = (scale / LOCAL_PER_WORLD) as f32;
    // The last frame's list, whose room this one fills again (what it listed is listed again
    // if still awaited).
    let mut stand_ins: Vec<(usize, Awaited)> = layer
        .stand_ins
        .lock()
        .map(|mut w| std::mem::take(&mut *w))
        .unwrap_or_default();
    stand_ins.clear();
    let mut labels = super::spare::indices();
    for &i in &visible {
        let highlight = emphasis(i);
        let brief = layer.briefs.get(i);
        // Chosen while its brief is at hand: a second pass over a crowded screen's features
        // cost a cache miss each.
        if brief.is_some_and(|b| b.label_candidate(scale)) {
            labels.push(i);
        }
        // Each feature's own share of the error allowed, fixed for it: features of one size
        // step to a finer level over a range of zooms, not all in the same frame.
        let max_error = max_error * level_spread(i);
        // A feature smaller than a dot is drawn from its brief alone.
        if let Some(b) = brief
            && highlight.is_none()
            && b.kind != BriefKind::Marker
            && ((b.bbox.width().max(b.bbox.height()) * scale) as f32) < DOT_SIZE
        {
            let rect = screen_box(&b.bbox).expand(0.75);
            if dotted.covered(rect) {
                continue;
            }
            let key = (b.dot, b.dot_opacity.to_bits());
            if last_dot.0 != Some(key) {
                last_dot = (Some(key), faded(b.dot, opacity * b.dot_opacity));
            }
            batch.add_rect(rect, last_dot.1);
            *budget = budget.saturating_sub(4);
            continue;
        }
        // Too small for an outline, and its coarsest fill within a point of the boundary: drawn
        // from the layer's packed buffers.
        if let Some(b) = brief
            && highlight.is_none()
            && let Some(c) = &b.coarse
            && c.tolerance * px_per_local <= max_error
            && ((b.bbox.width().max(b.bbox.height()) * scale) as f32) < outline_size
            && *budget >= c.vertices.1 as usize
        {
            let (v0, vn) = (c.vertices.0 as usize, c.vertices.1 as usize);
            let (i0, inn) = (c.indices.0 as usize, c.indices.1 as usize);
            if let (Some(vs), Some(is)) = (
                layer.coarse_vertices.get(v0..v0 + vn),
                layer.coarse_indices.get(i0..i0 + inn),
            ) {
                let origin = project(c.origin);
                let color = faded(c.fill, opacity).to_array();
                let base = batch.vertices.len() as u32;
                batch.vertices.extend(vs.iter().map(|p| FillVertex {
                    pos: [
                        origin.x + p[0] * px_per_local,
                        origin.y + p[1] * px_per_local,
                    ],
                    color,
                }));
                batch.indices.extend(is.iter().map(|k| base + k));
                *budget = budget.saturating_sub(vn);
                continue;
            }
        }
        // Only its box is made yet (a dot in the first view, larger here): its box stands in
        // until the rest is made, which this asks for. Drawn from the brief, as a dot is: the
        // feature's own draw data, read for nothing else, cost a cache miss each (a fifth of a
        // crowded frame's time while a first view's levels were still being made). A box
        // takes its dot's colour, as a provisional feature's fill is an area's.
        if let Some(b) = brief
            && b.pending
        {
            stand_ins.push((i, Awaited::Levels));
            let rect = screen_box(&b.bbox).expand(0.75);
            batch.add_rect(rect, faded(b.dot, opacity * b.dot_opacity));
            *budget = budget.saturating_sub(4);
            continue;
        }
        let Some(f) = layer.features.get(i) else {
            continue;
        };
        let size = (f.bbox.width().max(f.bbox.height()) * scale) as f32;
        let to_screen = screen_from_local(project, px_per_local, f);
        let style = &f.style;
        let dot_color = if f.fill.is_some() {
            faded(style.fill.with_opacity(1.0), opacity * 0.8)
        } else if f.markers.is_empty() {
            faded(style.stroke, opacity)
        } else {
            faded(style.marker, opacity)
        };
        // Markers keep their size on screen whatever the zoom; areas and lines shrink to dots.
        // Decided before anything behind a pointer is read: on crowded frames most features are
        // dots, and reading their simplified versions would cost a cache miss each.
        let tiny = size < DOT_SIZE && f.markers.is_empty();
        // The coarsest level whose error stays within a point on screen, chosen from the costs
        // kept beside the feature; the meshes themselves are read only to be drawn.
        let c = &f.costs;
        let level = (1..usize::from(c.levels))
            .rev()
            .find(|&k| {
                c.tolerance[k] * px_per_local <= max_error
                    && (!c.has_fill[0] || c.has_fill[k] || c.fill_later[k])
            })
            .unwrap_or(0);
        // Full detail or the finest level's fill still to be made: the finest simplified level
        // with a fill stands in.
        let awaited = if level == 0 && f.detail_pending {
            Some(Awaited::Full)
        } else if c.fill_later[level] {
            Some(Awaited::FinestFill)
        } else {
            None
        };
        // A feature with no coarser fill than the one awaited stands in at full detail, when
        // it has it (a deferred build fills the finest level of a feature with no other, but a
        // coarser level's triangulation can fail).
        let level = match awaited {
            Some(_) => (level.max(1)..usize::from(c.levels))
                .find(|&k| c.has_fill[k])
                .or((!f.detail_pending).then_some(0))
                .unwrap_or(level.max(1)),
            None => level,
        };
        let fill_cost = if c.has_fill[level] {
            c.fill_vertices[level] as usize
        } else {
            0
        };
        let line_cost = c.line_points[level] as usize * 4;
        let marker_cost = f.markers.len() * 64;
        if highlight.is_none() && (tiny || *budget < fill_cost + marker_cost + 4) {
            // A dot the size of the feature (at least 1.5 points), or of a marker.
            let half = if f.markers.is_empty() {
                0.75
            } else {
                style.marker_radius.min(3.0)
            };
            let rect = screen_box(&f.bbox).expand(half);
            if f.markers.is_empty() && dotted.covered(rect) {
                continue;
            }
            batch.add_rect(rect, dot_color);
            *budget = budget.saturating_sub(4);
            continue;
        }
        // Drawn, with a stand-in: what it stands in for is to be made.
        if let Some(a) = awaited {
            stand_ins.push((i, a));
        }
        let outline = match level {
            0 => Outline::Full(&f.paths),
            k => f
                .lods
                .get(k - 1)
                .map_or(Outline::Full(&f.paths), Outline::Level),
        };
        let fill_mesh = match (level, outline) {
            (0, _) => f.fill.as_ref().map(FillMesh::as_ref),
            (k, Outline::Level(l)) => f.simplified_fill(k, l),
            (_, Outline::Full(_)) => None,
        };
        if let Some(fill) = fill_mesh {
            let mut color = faded(style.fill, opacity);
            if highlight.is_some() {
                color = emphasised_fill(color);
            }
            let color = color.to_array();
            let base = batch.vertices.len() as u32;
            let vertex = |p: [f32; 2]| {
                let p = to_screen(p);
                FillVertex {
                    pos: [p.x, p.y],
                    color,
                }
            };
            // Slices, not one chained iterator: `extend` then knows each length up front.
            if fill.shared {
                for ring in outline.rings() {
                    batch.vertices.extend(ring.iter().map(vertex));
                }
            } else {
                batch.vertices.extend(fill.vertices.iter().map(vertex));
            }
            match fill.indices {
                IndicesRef::U16(is) => {
                    batch
                        .indices
                        .extend(is.iter().map(|&i| base + u32::from(i)));
                }
                IndicesRef::U32(is) => batch.indices.extend(is.iter().map(|&i| base + i)),
            }
            *budget = budget.saturating_sub(fill_cost);
        }
        let draw_outline = highlight.is_some()
            || (size >= outline_size && *budget >= line_cost)
            || (f.fill.is_none() && f.markers.is_empty() && *budget >= line_cost);
        if draw_outline {
            *budget = budget.saturating_sub(line_cost);
            let stroke = Stroke::new(style.stroke_width, faded(style.stroke, opacity));
            let thin = style.stroke_width <= 2.5 && !style.dashed;
            for path in outline.paths() {
                if highlight.is_none() && thin {
                    batch.add_line(
                        path.points.iter().map(&to_screen),
                        path.closed,
                        stroke.color,
                        stroke.width,
                    );
                    continue;
                }
                let pts = decimated(path.points.iter().map(&to_screen));
                if pts.len() < 2 {
                    continue;
                }
                if let Some(h) = highlight {
                    let (width, color) = match h {
                        Highlight::Selected => {
                            (style.stroke_width + 5.0, Color32::from_rgb(255, 200, 0))
                        }
                        Highlight::Hovered => (
                            style.stroke_width + 3.0,
                            Color32::from_rgba_unmultiplied(255, 255, 255, 200),
                        ),
                        Highlight::Glow(g) => (
                            style.stroke_width + 4.0 + g as f32 / 255.0 * 14.0,
                            Color32::from_rgba_unmultiplied(255, 200, 0, 255 - g / 2),
                        ),
                    };
                    let halo = Stroke::new(width, color);
                    top.push(path_shape(&pts, path.closed, halo));
                    top.push(path_shape(&pts, path.closed, stroke));
                } else if style.dashed {
                    let mut pts = pts;
                    if path.closed
                        && let Some(&first) = pts.first()
                    {
                        pts.push(first);
                    }
                    shapes.extend(Shape::dashed_line(&pts, stroke, 7.0, 4.0));
                } else {
                    shapes.push(path_shape(&pts, path.closed, stroke));
                }
            }
        }
        *budget = budget.saturating_sub(marker_cost);
        for &m in &f.markers {
            let c = to_screen(m);
            let r = style.marker_radius;
            let ring = match highlight {
                Some(Highlight::Selected | Highlight::Glow(_)) => {
                    Stroke::new(3.0, Color32::from_rgb(255, 200, 0))
                }
                Some(Highlight::Hovered) => Stroke::new(3.0, Color32::WHITE),
                None => Stroke::new(1.5, Color32::WHITE),
            };
            markers.push(Shape::circle_filled(c, r, faded(style.marker, opacity)));
            markers.push(Shape::circle_stroke(c, r, ring));
        }
    }
    shapes.reserve(top.len() + markers.len());
    shapes.extend(top);
    shapes.extend(markers);
    if let Ok(mut w) = layer.stand_ins.lock() {
        *w = stand_ins;
    }
    LayerFrame {
        batch,
        shapes,
        visible,
        labels,
    }
}

/// A feature's factor on the error its levels may show: between 0.8 and 1.25 (a level step
/// spread over two thirds of a zoom level; levels are a zoom and a half apart), the same for
/// it in every frame, so that a feature does not flicker between levels while the map pans.
fn level_spread(index: usize) -> f32 {
    // Fibonacci hashing: neighbouring indices far apart in [0, 1).
    let h = (index as u32).wrapping_mul(0x9E37_79B9) >> 8;
    let unit = h as f32 / (1u32 << 24) as f32;
    0.8 + 0.45 * unit
}

/// Screen points already covered by a dot this frame: a second dot on the same point adds
/// nothing. One bit per point of the map, made on the first dot (most frames have none).
struct DotGrid {
    origin: Pos2,
    cols: usize,
    rows: usize,
    bits: Vec<u64>,
}

impl DotGrid {
    fn new(clip: Rect) -> Self {
        Self {
            origin: clip.min,
            cols: clip.width().max(1.0).ceil() as usize + 1,
            rows: clip.height().max(1.0).ceil() as usize + 1,
            bits: Vec::new(),
        }
    }

    /// Whether a dot (at most two points across) lands on a point an earlier dot covered; if
    /// not, the point is marked. Larger rectangles are never covered.
    #[inline(always)]
    fn covered(&mut self, rect: Rect) -> bool {
        if rect.width() > 2.0 || rect.height() > 2.0 {
            return false;
        }
        let c = rect.center() - self.origin;
        if c.x < 0.0 || c.y < 0.0 {
            return false;
        }
        if self.bits.is_empty() {
            self.bits = super::spare::words();
            self.bits.resize((self.cols * self.rows).div_ceil(64), 0);
        }
        let cell =
            (c.y as usize).min(self.rows - 1) * self.cols + (c.x as usize).min(self.cols - 1);
        let (word, bit) = (cell / 64, 1u64 << (cell % 64));
        let covered = self.bits[word] & bit != 0;
        self.bits[word] |= bit;
        covered
    }
}

impl Drop for DotGrid {
    /// The bits' room serves the next frames.
    fn drop(&mut self) {
        super::spare::keep_words(std::mem::take(&mut self.bits));
    }
}

/// Features on screen above which thin outlines are drawn as plain quads.
const MANY_FEATURES: usize = 2_000;

/// A polyline as one quad per segment (no joins: at 1–2 points wide the gaps do not show).
fn add_polyline(mesh: &mut Mesh, pts: &[Pos2], closed: bool, stroke: Stroke) {
    let n = pts.len();
    let segments = if closed { n } else { n.saturating_sub(1) };
    let half = (stroke.width / 2.0).max(0.5);
    for i in 0..segments {
        let (a, b) = (pts[i], pts[(i + 1) % n]);
        let d = b - a;
        let len = d.length();
        if len < 1e-3 {
            continue;
        }
        let normal = egui::vec2(-d.y, d.x) * (half / len);
        let base = mesh.vertices.len() as u32;
        for p in [a + normal, a - normal, b - normal, b + normal] {
            mesh.vertices.push(egui::epaint::Vertex {
                pos: p,
                uv: egui::epaint::WHITE_UV,
                color: stroke.color,
            });
        }
        mesh.indices
            .extend([base, base + 1, base + 2, base, base + 2, base + 3]);
    }
}

/// Screen points of a path, dropping each that lies within a third of a point of the last one
/// kept: the line looks the same and egui has far fewer joints to tessellate.
fn decimated(points: impl Iterator<Item = Pos2>) -> Vec<Pos2> {
    let mut out: Vec<Pos2> = Vec::new();
    for p in points {
        if out.last().is_none_or(|q| q.distance_sq(p) > 0.11) {
            out.push(p);
        }
    }
    out
}

/// A ring is stroked as an open path that returns to its start: epaint cuts the sharp corners
/// of open paths but mitres those of closed ones, and a real boundary's hairpin turns then
/// throw spikes across the map.
fn path_shape(pts: &[Pos2], closed: bool, stroke: Stroke) -> Shape {
    if closed {
        Shape::line(closed_ring(pts), stroke)
    } else {
        Shape::line(pts.to_vec(), stroke)
    }
}

/// A ring's points and its first again, to stroke as an open path (see `path_shape`).
pub fn closed_ring(pts: &[Pos2]) -> Vec<Pos2> {
    let mut out = Vec::with_capacity(pts.len() + 1);
    out.extend_from_slice(pts);
    if let Some(&first) = pts.first() {
        out.push(first);
    }
    out
}

fn emphasised_fill(c: Color32) -> Color32 {
    let [r, g, b, a] = c.to_srgba_unmultiplied();
    Color32::from_rgba_unmultiplied(r, g, b, a.saturating_add(60).max(120))
}

/// How a label looks: its font, colour and the halo around it.
#[derive(Clone, Debug)]
pub struct LabelStyle {
    pub font: egui::FontId,
    pub color: Color32,
    pub halo: Color32,
}

/// Places labels greedily in priority order, skipping any that would overlap one already placed,
/// and paints them with a halo so they read over any fill or tile.
pub struct LabelPlacer {
    placed: Vec<Rect>,
    shapes: Vec<Shape>,
}

impl LabelPlacer {
    pub fn new() -> Self {
        Self {
            placed: Vec::new(),
            shapes: Vec::new(),
        }
    }

    /// Keeps labels off a screen area (a marker, say) without drawing anything there.
    pub fn reserve(&mut self, rect: Rect) {
        self.placed.push(rect);
    }

    /// Tries to place `text` centred at `at` (or just right of a marker of that radius).
    /// Returns whether it fit.
    pub fn place(
        &mut self,
        painter: &egui::Painter,
        text: &str,
        at: Pos2,
        beside_marker: Option<f32>,
        style: &LabelStyle,
    ) -> bool {
        let LabelStyle { font, color, halo } = style.clone();
        let galley = painter.layout_no_wrap(text.to_owned(), font, color);
        let size = galley.size();
        let min = match beside_marker {
            Some(r) => pos2(at.x + r + 4.0, at.y - size.y / 2.0),
            None => at - size / 2.0,
        };
        let rect = Rect::from_min_size(min, size).expand(2.0);
        if !painter.clip_rect().contains_rect(rect)
            || self.placed.iter().any(|r| r.intersects(rect))
        {
            return false;
        }
        self.placed.push(rect);
        for d in [
            vec2(-1.0, 0.0),
            vec2(1.0, 0.0),
            vec2(0.0, -1.0),
            vec2(0.0, 1.0),
            vec2(-1.0, -1.0),
            vec2(1.0, 1.0),
            vec2(-1.0, 1.0),
            vec2(1.0, -1.0),
        ] {
            self.shapes.push(Shape::galley_with_override_text_color(
                min + d,
                galley.clone(),
                halo,
            ));
        }
        self.shapes.push(Shape::galley(min, galley, color));
        true
    }

    /// Paints every placed label, on top of the map.
    pub fn paint(self, painter: &egui::Painter) {
        painter.extend(self.shapes);
    }

    /// The placed labels' shapes, to paint elsewhere.
    pub fn into_shapes(self) -> Vec<Shape> {
        self.shapes
    }
}

impl Default for LabelPlacer {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::mercator_from_lonlat;
    use crate::io::parse_geojson;
    use crate::model::{Layer, LayerStyle};
    use crate::render::cache::{LOD_TOLERANCES, Make};

    /// `n` circles of `k` vertices each, side by side.
    fn circles(n: usize, k: usize) -> LayerRender {
        LayerRender::build(&circles_layer(n, k))
    }

    /// The layer of [`circles`]: ten to a row, 0.01° apart from (106.6, 11.0), 0.004° across.
    fn circles_layer(n: usize, k: usize) -> Layer {
        sized_circles_layer(n, k, |_| 0.004)
    }

    /// Like [`circles_layer`], circle `i` of radius `radius(i)` (degrees).
    fn sized_circles_layer(n: usize, k: usize, radius: impl Fn(usize) -> f64) -> Layer {
        let features: Vec<String> = (0..n)
            .map(|i| {
                let (cx, cy) = (106.6 + (i % 10) as f64 * 0.01, 11.0 + (i / 10) as f64 * 0.01);
                let r = radius(i);
                let ring: Vec<String> = (0..=k)
                    .map(|j| {
                        let a = j as f64 / k as f64 * std::f64::consts::TAU;
                        format!("[{},{}]", cx + r * a.cos(), cy + r * a.sin())
                    })
                    .collect();
                format!(r#"{{"type":"Feature","properties":{{}},"geometry":{{"type":"Polygon","coordinates":[[{}]]}}}}"#, ring.join(","))
            })
            .collect();
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",")
        );
        let parsed = parse_geojson(text.as_bytes(), std::path::Path::new("t")).unwrap();
        Layer::new(
            "t".into(),
            std::path::PathBuf::from("t"),
            LayerStyle::default(),
            parsed.features,
            vec![],
        )
    }

    /// Vertices in the meshes and points in the paths a frame produced.
    fn frame_cost(render: &LayerRender, zoom: f64, budget: usize) -> (usize, usize) {
        frame_cost_at(render, [106.645, 11.02], zoom, budget)
    }

    /// The view of a 1000 × 800 frame centred on `center` (longitude, latitude).
    fn transform_at(center: [f64; 2], zoom: f64) -> ScreenTransform {
        let rect = Rect::from_min_size(pos2(0.0, 0.0), egui::vec2(1000.0, 800.0));
        ScreenTransform::new(mercator_from_lonlat(center[0], center[1]), zoom, rect)
    }

    /// A frame of `render` in [`transform_at`]'s view, spending at most `budget` vertices.
    fn frame_at(render: &LayerRender, center: [f64; 2], zoom: f64, budget: usize) -> LayerFrame {
        let t = transform_at(center, zoom);
        let mut budget = budget;
        layer_frame(t.rect, &t, render, 1.0, |_| None, &mut budget)
    }

    /// [`frame_cost`] for a view centred on `center` (longitude, latitude).
    fn frame_cost_at(
        render: &LayerRender,
        center: [f64; 2],
        zoom: f64,
        budget: usize,
    ) -> (usize, usize) {
        let frame = frame_at(render, center, zoom, budget);
        let mut vertices = frame.batch.vertices.len() + 4 * frame.batch.rects.len();
        let mut path_points: usize = frame.batch.lines.iter().map(|r| r.len as usize).sum();
        for shape in &frame.shapes {
            match shape {
                Shape::Mesh(m) => vertices += m.vertices.len(),
                Shape::Path(p) => path_points += p.points.len(),
                _ => {}
            }
        }
        (vertices, path_points)
    }

    #[test]
    fn the_packed_coarse_fills_draw_what_the_features_own_levels_would() {
        let mut render = circles(50, 200);
        assert!(render.briefs.iter().all(|b| b.coarse.is_some()));
        // Zoom 9.5: circles a few points wide, no outlines, the coarsest level within a point.
        let packed = frame_cost(&render, 9.5, VERTEX_BUDGET);
        for b in &mut render.briefs {
            b.coarse = None;
        }
        let own = frame_cost(&render, 9.5, VERTEX_BUDGET);
        assert_eq!(packed, own);
        assert!(packed.0 >= 50 * 3, "{packed:?}");
    }

    #[test]
    fn a_frame_never_spends_more_than_its_vertex_budget() {
        let mut render = circles(50, 200);
        // At zoom 13 the simplified versions are drawn: far fewer vertices, every circle there.
        let (v, p) = frame_cost(&render, 13.0, VERTEX_BUDGET);
        assert!((50 * 8..50 * 100).contains(&v), "{v} vertices");
        assert!((50 * 8..50 * 100).contains(&p), "{p} path points");
        // Without them, every circle is filled and outlined in full detail.
        for f in &mut render.features {
            f.lods.clear();
            f.refresh_costs();
        }
        let (v, p) = frame_cost(&render, 13.0, VERTEX_BUDGET);
        assert!(
            v >= 50 * 150 && p >= 50 * 150,
            "{v} vertices, {p} path points"
        );
        // A small budget: the frame stays within it, the rest are boxes (4 vertices each).
        let (v, p) = frame_cost(&render, 13.0, 2_000);
        assert!(v <= 2_000 + 50 * 4, "{v} vertices");
        assert!(p * 4 <= 2_000, "{p} path points");
    }

    #[test]
    fn a_deferred_build_draws_simplified_fills_until_full_detail_arrives() {
        let text = {
            let ring: Vec<String> = (0..=200)
                .map(|j| {
                    let a = j as f64 / 200.0 * std::f64::consts::TAU;
                    format!(
                        "[{},{}]",
                        106.645 + 0.004 * a.cos(),
                        11.02 + 0.004 * a.sin()
                    )
                })
                .collect();
            format!(
                r#"{{"type":"Polygon","coordinates":[[{}]]}}"#,
                ring.join(",")
            )
        };
        let parsed = parse_geojson(text.as_bytes(), std::path::Path::new("t")).unwrap();
        let layer = Layer::new(
            "t".into(),
            std::path::PathBuf::from("t"),
            LayerStyle::default(),
            parsed.features,
            vec![],
        );
        let mut render = LayerRender::build_deferred(&layer, None);
        assert!(render.features[0].detail_pending);
        // Zoomed in, the finest simplified fill stands in for the full one.
        let (v, _) = frame_cost(&render, 18.0, VERTEX_BUDGET);
        assert!(v > 0, "something is filled meanwhile");
        let other = LayerRender::full_detail(render.uid + 1000, render.pending_requests(&layer));
        assert!(
            !render.apply_detail(other),
            "detail made for another build is ignored"
        );
        let made = LayerRender::full_detail(render.uid, render.pending_requests(&layer));
        assert!(render.apply_detail(made));
        assert!(!render.features[0].detail_pending);
        let (v_full, _) = frame_cost(&render, 18.0, VERTEX_BUDGET);
        assert!(v_full >= 200, "full detail: {v_full}");
    }

    /// What a feature draws and picks with: its outline, its fill, what a grid of clicks over
    /// it finds.
    fn drawn_at_full_detail(render: &LayerRender, i: usize) -> (String, String, Vec<bool>) {
        let f = &render.features[i];
        let clicks = (0..30)
            .flat_map(|x| (0..30).map(move |y| (x, y)))
            .map(|(x, y)| {
                let w = [
                    f.bbox.min[0] + (f.bbox.max[0] - f.bbox.min[0]) * f64::from(x) / 29.0,
                    f.bbox.min[1] + (f.bbox.max[1] - f.bbox.min[1]) * f64::from(y) / 29.0,
                ];
                f.hit(w, 0.0, 0.0)
            })
            .collect();
        (format!("{:?}", f.paths), format!("{:?}", f.fill), clicks)
    }

    #[test]
    fn a_deferred_build_holds_no_full_detail_outline_until_drawn_then_the_same_as_a_whole_build() {
        let layer = circles_layer(20, 200);
        let whole = LayerRender::build(&layer);
        let mut render = LayerRender::build_deferred(&layer, None);
        // Nothing at full detail held: outlines and fills wait.
        for f in &render.features {
            assert!(f.detail_pending);
            assert!(f.paths.is_empty(), "{} outline points held", f.paths.len());
        }
        let held = render.heap_bytes();
        assert!(
            held.paths * 10 < whole.heap_bytes().paths,
            "{} bytes of outline held, against {} built whole",
            held.paths,
            whole.heap_bytes().paths
        );
        // Picked meanwhile on the finest simplified outline: inside is inside.
        let centre = mercator_from_lonlat(106.6, 11.0);
        assert_eq!(render.hit(&layer, centre, 0.0, 0.0), Some(0));
        // Drawn zoomed in, then made: what a whole build draws and picks.
        frame_cost_at(&render, [106.6, 11.0], 18.0, VERTEX_BUDGET);
        let wanted = render.take_stand_ins(&layer, 100);
        assert_eq!(wanted.iter().map(|r| r.index).collect::<Vec<_>>(), vec![0]);
        assert!(render.apply_detail(LayerRender::full_detail(render.uid, wanted)));
        assert_eq!(
            drawn_at_full_detail(&render, 0),
            drawn_at_full_detail(&whole, 0)
        );
        assert_eq!(
            frame_cost_at(&render, [106.6, 11.0], 18.0, VERTEX_BUDGET),
            frame_cost_at(&whole, [106.6, 11.0], 18.0, VERTEX_BUDGET)
        );
        // Let go out of view: outline and fill both.
        render.evict_detail(&view_at([106.61, 11.0], 18.0), 0);
        assert!(render.features[0].detail_pending);
        assert!(render.features[0].paths.is_empty());
        assert_eq!(render.hit(&layer, centre, 0.0, 0.0), Some(0));
    }

    /// The view of [`frame_cost_at`] in world units.
    fn view_at(center: [f64; 2], zoom: f64) -> MercatorBox {
        transform_at(center, zoom).visible_world()
    }

    #[test]
    fn full_detail_is_made_for_what_a_frame_draws_at_full_detail_and_let_go_out_of_view() {
        let layer = circles_layer(20, 200);
        let mut render = LayerRender::build_deferred(&layer, None);
        assert!(render.features.iter().all(|f| f.detail_pending));
        // Zoomed out, simplified fills are all a frame needs.
        frame_cost(&render, 11.0, VERTEX_BUDGET);
        assert!(!render.has_stand_ins());
        // Zoomed in on the first circle: it alone is drawn with a stand-in.
        let first = [106.6, 11.0];
        frame_cost_at(&render, first, 18.0, VERTEX_BUDGET);
        let wanted = render.take_stand_ins(&layer, 100);
        assert_eq!(wanted.iter().map(|r| r.index).collect::<Vec<_>>(), vec![0]);
        assert!(!render.has_stand_ins(), "taken");
        assert!(render.apply_detail(LayerRender::full_detail(render.uid, wanted)));
        assert!(!render.features[0].detail_pending);
        assert!(render.features[1..].iter().all(|f| f.detail_pending));
        let (full, _) = frame_cost_at(&render, first, 18.0, VERTEX_BUDGET);
        assert!(full >= 200, "full detail drawn: {full}");
        assert!(!render.has_stand_ins());
        // Within the budget, or in view, the fill stays; past it and out of view, it goes.
        render.evict_detail(&view_at([106.61, 11.0], 18.0), 1 << 20);
        assert!(!render.features[0].detail_pending);
        render.evict_detail(&view_at(first, 18.0), 0);
        assert!(!render.features[0].detail_pending);
        render.evict_detail(&view_at([106.61, 11.0], 18.0), 0);
        assert!(render.features[0].detail_pending);
        frame_cost_at(&render, first, 18.0, VERTEX_BUDGET);
        assert!(render.has_stand_ins(), "asked for again");
    }

    /// A frame's fills: vertices (positions and colours) and triangles.
    fn fills_drawn(
        render: &LayerRender,
        center: [f64; 2],
        zoom: f64,
    ) -> (Vec<FillVertex>, Vec<u32>) {
        let frame = frame_at(render, center, zoom, VERTEX_BUDGET);
        (frame.batch.vertices.clone(), frame.batch.indices.clone())
    }

    #[test]
    fn a_deferred_build_fills_its_finest_level_on_demand_as_a_whole_build_does() {
        let layer = circles_layer(20, 200);
        let whole = LayerRender::build(&layer);
        let mut render = LayerRender::build_deferred(&layer, None);
        // Zoom 15.5: the finest level (16) is within a point, the next (128 for these circles)
        // is not.
        let (first, zoom) = ([106.6, 11.0], 15.5);
        for (w, d) in whole.features.iter().zip(&render.features) {
            assert_eq!(w.lods.first().map(|l| l.tolerance), Some(LOD_TOLERANCES[0]));
            assert!(w.level_fill(1).is_some(), "a whole build fills every level");
            assert!(d.level_fill(1).is_none() && d.costs.fill_later[1]);
            assert!(d.level_fill(2).is_some());
        }
        // Meanwhile the next level with a fill stands in, and the frame asks for the finest.
        let stand_in = fills_drawn(&render, first, zoom);
        assert!(!stand_in.1.is_empty(), "filled meanwhile");
        let wanted = render.take_stand_ins(&layer, 100);
        assert!(wanted.iter().any(|r| r.index == 0));
        assert!(
            wanted
                .iter()
                .all(|r| matches!(r.make, Make::FinestFill { .. }))
        );
        // Made for a feature made again since (an edit), it is not put in place.
        let mut edited = LayerRender::build_deferred(&layer, None);
        edited.uid = render.uid;
        edited.features[0] = whole.features[0].clone();
        let again = render.take_stand_ins(&layer, 100);
        assert!(again.is_empty(), "taken once");
        let made = LayerRender::full_detail(render.uid, wanted);
        let made_again =
            LayerRender::full_detail(render.uid, fills_requested(&render, &layer, first, zoom));
        assert!(edited.apply_detail(made_again));
        assert!(edited.features[0].finest_fill.is_none());
        // Made: the frame draws what a whole build draws, to the bit.
        assert!(render.apply_detail(made));
        assert!(render.features[0].finest_fill.is_some());
        assert!(!render.features[0].costs.fill_later[1]);
        let filled = fills_drawn(&render, first, zoom);
        assert_eq!(filled, fills_drawn(&whole, first, zoom));
        assert_ne!(filled, stand_in);
        fills_drawn(&render, first, zoom);
        assert!(!render.has_stand_ins(), "nothing more to make");
        // Let go out of view past the budget, and asked for again when drawn.
        render.evict_detail(&view_at([106.7, 11.1], zoom), 1 << 20);
        assert!(
            render.features[0].finest_fill.is_some(),
            "within the budget"
        );
        render.evict_detail(&view_at([106.7, 11.1], zoom), 0);
        assert!(render.features[0].finest_fill.is_none());
        assert!(render.features[0].costs.fill_later[1]);
        assert_eq!(fills_drawn(&render, first, zoom), stand_in);
        assert!(render.has_stand_ins());
    }

    #[test]
    fn a_feature_whose_only_level_awaits_its_fill_is_drawn_at_full_detail_meanwhile() {
        use crate::render::cache::{Lod, Lods, Path};
        let layer = circles_layer(1, 200);
        let (center, zoom) = ([106.6, 11.0], 15.5);
        // What full detail draws there: the feature without levels.
        let mut full = LayerRender::build(&layer);
        full.features[0].lods = Lods::default();
        full.features[0].refresh_costs();
        full.briefs[0].coarse = None;
        let expected = fills_drawn(&full, center, zoom);
        assert!(expected.1.len() >= 3 * 190, "{} corners", expected.1.len());
        // Its full detail made, and of its levels only the finest, unfilled (a small polygon
        // of many vertices whose coarser levels collapse).
        let whole = LayerRender::build(&layer);
        let mut f = whole.features[0].clone();
        let finest = f.lods.first().expect("levels");
        let paths = finest
            .paths()
            .map(|p| Path {
                points: p.points.to_vec().into(),
                closed: p.closed,
            })
            .collect();
        f.lods = Lods::pack(vec![Lod {
            tolerance: finest.tolerance,
            fill: None,
            paths,
        }]);
        f.refresh_costs();
        assert!(f.costs.fill_later[1] && !f.detail_pending);
        let mut render = LayerRender::build_deferred(&layer, None);
        render.features[0] = f;
        render.briefs[0].coarse = None;
        assert_eq!(fills_drawn(&render, center, zoom), expected);
        let wanted = render.take_stand_ins(&layer, 100);
        assert!(matches!(wanted.as_slice(), [r] if matches!(r.make, Make::FinestFill { .. })));
    }

    /// The requests a frame at `zoom` over `center` leaves.
    fn fills_requested(
        render: &LayerRender,
        layer: &Layer,
        center: [f64; 2],
        zoom: f64,
    ) -> Vec<crate::render::cache::DetailRequest> {
        fills_drawn(render, center, zoom);
        render.take_stand_ins(layer, 100)
    }

    /// The frame just past a level step drew every feature a level finer at once: twice the
    /// vertices of the frame before, the worst frame of a zoom.
    #[test]
    fn zooming_in_draws_a_few_features_finer_each_frame_not_all_at_once() {
        // 300 circles of 200 vertices, 0.0015 to 0.0035° across, at random; from zoom 11, all
        // in view, to 14.6, where a dozen are and one more drawn finer is a step of its own.
        let radius = |i: usize| 0.0015 + 0.002 * ((i as f64 * 0.618_034).fract());
        let render = LayerRender::build(&sized_circles_layer(300, 200, radius));
        let mut before: Option<usize> = None;
        let mut worst = (0.0, 0.0);
        for step in 0..=180 {
            let zoom = 11.0 + f64::from(step) * 0.02;
            let (vertices, points) = frame_cost(&render, zoom, VERTEX_BUDGET);
            let cost = vertices + points;
            if let Some(b) = before {
                let grew = cost as f64 / b.max(1) as f64;
                if grew > worst.0 {
                    worst = (grew, zoom);
                }
            }
            before = Some(cost);
        }
        assert!(
            worst.0 <= 1.25,
            "a frame drew {:.2} times the vertices of the one before, at zoom {:.2}",
            worst.0,
            worst.1
        );
    }

    #[test]
    fn features_smaller_than_two_points_are_dots() {
        let render = circles(50, 200);
        // At zoom 9 a 900 m circle is three points wide: a simplified fill of a few vertices,
        // no outline.
        let (v, p) = frame_cost(&render, 9.0, VERTEX_BUDGET);
        assert_eq!(p, 0);
        assert!((50 * 3..=50 * 8).contains(&v), "{v}");
        // At zoom 6 they are a fraction of a point, 1.1 km apart, so several share a point:
        // each point gets one dot.
        let (v, p) = frame_cost(&render, 6.0, VERTEX_BUDGET);
        assert_eq!(p, 0);
        assert!(v % 4 == 0 && (4..50 * 4).contains(&v), "{v}");
    }
}
