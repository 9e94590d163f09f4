//! The editor's controller: pointer gestures over the map become edits of a layer.
//!
//! No egui here. The map hands over what the pointer did as a [`MapInput`], in Web Mercator
//! world units with the view's scale; the controller changes the layer (live while a vertex or
//! a feature is dragged, as one undoable edit when it is let go) and returns what else must
//! follow as [`Effect`]s, which the app carries out: redraw a feature, journal an edit, change
//! the selection. The tests below drive it without a window.
//!
//! Where a vertex drag becomes a saved change: [`EditorState::pointer`] moves the vertex
//! (`model::edit::move_vertex`) on each frame of the drag and, on release, records the whole
//! drag as one `model::edit::Change` ([`Effect::Edited`]); the app's `after_edit` journals it,
//! and Ctrl+S writes it (`app::editing::save_layer`).

use crate::geometry::validity::Problem;
use crate::geometry::{MercatorBox, lonlat_from_mercator, mercator_from_lonlat};
use crate::model::edit::{self, Change, Part, VertexAt};
use crate::model::{Document, FeatureId, FeatureRef, LayerId, LayerIndex};
use crate::render::LayerRender;

/// Screen points within which a handle is under the pointer.
pub const HANDLE_RADIUS: f64 = 8.0;
/// Screen points within which the pointer snaps to another feature's vertex or edge.
pub const SNAP_RADIUS: f64 = 10.0;
/// Screen points within which a click or press hits a line or an area's edge.
const HIT_RADIUS: f64 = 5.0;

/// What a click or drag on the map does while editing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Tool {
    /// Select features, drag vertices and midpoints.
    #[default]
    Vertices,
    /// Drag the selected feature as a whole.
    Move,
    DrawPolygon,
    DrawLine,
    DrawPoint,
}

impl Tool {
    pub fn label(self) -> &'static str {
        match self {
            Tool::Vertices => "Select / vertices",
            Tool::Move => "Move feature",
            Tool::DrawPolygon => "Draw polygon",
            Tool::DrawLine => "Draw line",
            Tool::DrawPoint => "Draw point",
        }
    }

    pub fn draws(self) -> bool {
        matches!(self, Tool::DrawPolygon | Tool::DrawLine | Tool::DrawPoint)
    }
}

/// What is being dragged.
#[derive(Clone, Debug)]
pub enum DragKind {
    Vertex(VertexAt),
    Feature,
}

/// A drag in progress: the feature as it was before, so the drag can be committed as one edit
/// or cancelled.
#[derive(Clone, Debug)]
pub struct Drag {
    pub feature: FeatureId,
    pub kind: DragKind,
    pub before: geojson::Feature,
    /// Where the drag began, `[lon, lat]`.
    pub start: [f64; 2],
    /// The edit's name in the history.
    pub label: &'static str,
}

/// Where the pointer snaps.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Snap {
    pub lonlat: [f64; 2],
    /// A vertex (exact copy of its coordinates) or a point on an edge.
    pub vertex: bool,
}

/// A handle under the pointer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Handle {
    Vertex(VertexAt),
    /// The middle of the edge from vertex `index` to the next: dragging inserts a vertex.
    Midpoint {
        part: usize,
        index: usize,
    },
}

/// What the pointer did over the map this frame, in world units.
#[derive(Clone, Debug, Default)]
pub struct MapInput {
    /// Where the pointer is (`None`: off the map).
    pub pointer: Option<[f64; 2]>,
    /// Where the primary button was pressed, while it is down or was just let go.
    pub press: Option<[f64; 2]>,
    pub primary_down: bool,
    pub drag_started: bool,
    pub dragged: bool,
    pub drag_stopped: bool,
    pub clicked: bool,
    pub double_clicked: bool,
    /// "Delete vertex" was chosen in the context menu opened here.
    pub delete_vertex_at: Option<[f64; 2]>,
    /// World units per screen point (the view's scale).
    pub per_point: f64,
}

/// What the app must do after the controller acted.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Feature `.1` of layer `.0` changed in place (a drag shown live): draw it again.
    Redraw(LayerIndex, usize),
    /// An edit is in the layer's history (applied): journal it and draw it.
    Edited {
        layer: LayerIndex,
        label: String,
        changes: Vec<Change>,
    },
    /// Select this feature, or none.
    Select(Option<FeatureRef>),
}

/// The editor's state: which layer is in edit mode and what the tools are doing.
#[derive(Default)]
pub struct EditorState {
    /// The layer in edit mode; `None` when viewing.
    pub layer: Option<LayerId>,
    pub tool: Tool,
    pub snapping: bool,
    /// The selected vertex of the selected feature.
    pub vertex: Option<VertexAt>,
    /// The shape being drawn, `[lon, lat]`.
    pub drawing: Vec<[f64; 2]>,
    pub drag: Option<Drag>,
    /// Where the pointer would snap now (shown by a marker).
    pub snap: Option<Snap>,
    /// Why the last edit was refused.
    pub message: Option<String>,
    /// Counts changes, so the panel recomputes area and problems only when something changed.
    pub revision: u64,
    /// Problems of the selected feature, as of `problems_for`.
    pub problems: Vec<Problem>,
    /// Its geodesic area (m²) and length or perimeter (m), as of `problems_for`.
    pub measures: Option<[f64; 2]>,
    pub problems_for: Option<(FeatureId, u64)>,
}

fn world(lonlat: [f64; 2]) -> [f64; 2] {
    mercator_from_lonlat(lonlat[0], lonlat[1])
}

fn lonlat(world: [f64; 2]) -> [f64; 2] {
    lonlat_from_mercator(world[0], world[1])
}

/// The squared distance between two world points (compared with squared radii: no root
/// per vertex in the snapping loop).
fn distance2(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (a[0] - b[0], a[1] - b[1]);
    dx * dx + dy * dy
}

/// The midpoint of an edge, on screen-straight lines (as drawn), in `[lon, lat]`.
pub fn midpoint(a: [f64; 2], b: [f64; 2]) -> [f64; 2] {
    let (wa, wb) = (world(a), world(b));
    lonlat([(wa[0] + wb[0]) / 2.0, (wa[1] + wb[1]) / 2.0])
}

/// The handle of `parts` within [`HANDLE_RADIUS`] of `at` (world units): the nearest vertex,
/// else the nearest edge midpoint.
pub fn handle_at(parts: &[Part], at: [f64; 2], per_point: f64) -> Option<Handle> {
    let radius2 = (HANDLE_RADIUS * per_point).powi(2);
    let nearest = |candidates: &mut dyn Iterator<Item = ([f64; 2], Handle)>| {
        candidates
            .map(|(p, h)| (distance2(world(p), at), h))
            .filter(|(d, _)| *d <= radius2)
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, h)| h)
    };
    let mut vertices = parts.iter().enumerate().flat_map(|(pi, part)| {
        part.points
            .iter()
            .enumerate()
            .map(move |(i, p)| (*p, Handle::Vertex(VertexAt { part: pi, index: i })))
    });
    nearest(&mut vertices).or_else(|| {
        let mut midpoints = parts.iter().enumerate().flat_map(|(pi, part)| {
            part.edges().map(move |(a, b)| {
                (
                    midpoint(part.points[a], part.points[b]),
                    Handle::Midpoint { part: pi, index: a },
                )
            })
        });
        nearest(&mut midpoints)
    })
}

/// Where the pointer at `at` (world units) snaps: the nearest vertex of a visible feature within
/// [`SNAP_RADIUS`], else the nearest point on an edge; never to `exclude` (the feature being
/// dragged).
pub fn find_snap(
    doc: &Document,
    renders: &[LayerRender],
    at: [f64; 2],
    per_point: f64,
    exclude: Option<(LayerIndex, usize)>,
) -> Option<Snap> {
    let radius = SNAP_RADIUS * per_point;
    let radius2 = radius * radius;
    let mut view = MercatorBox::EMPTY;
    view.extend([at[0] - radius, at[1] - radius]);
    view.extend([at[0] + radius, at[1] + radius]);
    let mut vertex: Option<(f64, [f64; 2])> = None;
    let mut edge: Option<(f64, [f64; 2])> = None;
    for (li, (layer, render)) in doc.layers.iter().zip(renders).enumerate() {
        if !layer.visible {
            continue;
        }
        for fi in render.visible(&view) {
            if exclude == Some((li, fi)) {
                continue;
            }
            let Some(g) = layer.features().get(fi).and_then(|f| f.record_geometry()) else {
                continue;
            };
            for part in edit::parts(&g.value) {
                for p in &part.points {
                    let d = distance2(world(*p), at);
                    if d <= radius2 && vertex.is_none_or(|(bd, _)| d < bd) {
                        vertex = Some((d, *p));
                    }
                }
                if vertex.is_some() {
                    continue;
                }
                for (a, b) in part.edges() {
                    let (wa, wb) = (world(part.points[a]), world(part.points[b]));
                    let ab = [wb[0] - wa[0], wb[1] - wa[1]];
                    let len2 = ab[0] * ab[0] + ab[1] * ab[1];
                    if len2 == 0.0 {
                        continue;
                    }
                    let k = (((at[0] - wa[0]) * ab[0] + (at[1] - wa[1]) * ab[1]) / len2)
                        .clamp(0.0, 1.0);
                    let on = [wa[0] + ab[0] * k, wa[1] + ab[1] * k];
                    let d = distance2(on, at);
                    if d <= radius2 && edge.is_none_or(|(bd, _)| d < bd) {
                        edge = Some((d, lonlat(on)));
                    }
                }
            }
        }
    }
    vertex
        .map(|(_, p)| Snap {
            lonlat: p,
            vertex: true,
        })
        .or(edge.map(|(_, p)| Snap {
            lonlat: [edit::round_placed(p[0]), edit::round_placed(p[1])],
            vertex: false,
        }))
}

impl EditorState {
    pub fn new() -> Self {
        Self {
            snapping: true,
            ..Default::default()
        }
    }

    /// The layer in edit mode's place in draw order.
    pub fn layer_index(&self, doc: &Document) -> Option<LayerIndex> {
        doc.index_of(self.layer?)
    }

    /// The selected feature, when it is in the layer being edited: the layer's place in draw
    /// order, the feature's id, and its place in the layer now.
    pub fn edited(
        &self,
        doc: &Document,
        selection: Option<FeatureRef>,
    ) -> Option<(LayerIndex, FeatureId, usize)> {
        let r = selection.filter(|r| Some(r.layer) == self.layer)?;
        let (li, fi) = doc.locate(r)?;
        Some((li, r.feature, fi))
    }

    /// The parts (rings, lines, points) of the feature being edited.
    pub fn selected_parts(&self, doc: &Document, selection: Option<FeatureRef>) -> Vec<Part> {
        self.edited(doc, selection)
            .and_then(|(li, _, fi)| doc.layers.get(li)?.features().get(fi))
            .and_then(|f| f.record_geometry())
            .map(|g| edit::parts(&g.value))
            .unwrap_or_default()
    }

    /// Whether a press at `press` starts a drag of the editor's (so the map must not pan).
    pub fn holds_press(
        &self,
        doc: &Document,
        renders: &[LayerRender],
        selection: Option<FeatureRef>,
        press: [f64; 2],
        per_point: f64,
    ) -> bool {
        if self.layer.is_none() {
            return false;
        }
        if self.drag.is_some() {
            return true;
        }
        match self.tool {
            Tool::Vertices => {
                handle_at(&self.selected_parts(doc, selection), press, per_point).is_some()
            }
            Tool::Move => {
                self.edited(doc, selection).is_some_and(|(li, _, fi)| {
                    renders.get(li).zip(doc.layers.get(li)).and_then(|(r, l)| {
                        r.hit(l, press, HIT_RADIUS * per_point, 12.0 * per_point)
                    }) == Some(fi)
                })
            }
            _ => false,
        }
    }

    /// Puts the dragged feature back as it was before the drag.
    pub fn cancel_drag(&mut self, doc: &mut Document) -> Vec<Effect> {
        let Some(drag) = self.drag.take() else {
            return Vec::new();
        };
        let Some(li) = self.layer_index(doc) else {
            return Vec::new();
        };
        let layer = &mut doc.layers[li];
        match layer.position(drag.feature) {
            Some(i) => {
                layer.features_mut_at(i).set_record(drag.before);
                vec![Effect::Redraw(li, i)]
            }
            None => Vec::new(),
        }
    }

    /// Where a pointer at `at` puts a vertex: the snap, else the pointer rounded to what a
    /// survey can mean.
    fn placed(&self, at: [f64; 2]) -> [f64; 2] {
        match self.snap {
            Some(s) => s.lonlat,
            None => {
                let [lon, lat] = lonlat(at);
                [edit::round_placed(lon), edit::round_placed(lat)]
            }
        }
    }

    /// Turns this frame's pointer input over the map into edits. Returns whether the editor
    /// used the input (the map then does not select or pan with it) and what must follow.
    ///
    /// Long because it is the whole gesture (press, drag, release, click, double-click), and
    /// each tool's branch reads best beside the others.
    pub fn pointer(
        &mut self,
        doc: &mut Document,
        renders: &[LayerRender],
        selection: Option<FeatureRef>,
        input: &MapInput,
    ) -> (bool, Vec<Effect>) {
        let mut effects = Vec::new();
        let Some(li) = self.layer_index(doc) else {
            return (false, effects);
        };
        let per_point = input.per_point;
        let edited = self.edited(doc, selection);
        // Where the pointer would snap.
        let snapping_now = self.snapping
            && (self.tool.draws()
                || matches!(
                    self.drag,
                    Some(Drag {
                        kind: DragKind::Vertex(_),
                        ..
                    })
                ));
        // A dragged vertex must not snap to its own feature; a new shape may snap to anything.
        let exclude = edited
            .map(|(li, _, fi)| (li, fi))
            .filter(|_| self.drag.is_some());
        self.snap = match input.pointer {
            Some(p) if snapping_now => find_snap(doc, renders, p, per_point, exclude),
            _ => None,
        };
        if let Some(at) = input.delete_vertex_at {
            if let Some(Handle::Vertex(v)) =
                handle_at(&self.selected_parts(doc, selection), at, per_point)
            {
                self.vertex = Some(v);
                effects.extend(self.delete_selected(doc, selection));
            }
            return (true, effects);
        }

        // Drags: a vertex, a midpoint (inserting a vertex), or the whole feature.
        if input.drag_started
            && self.drag.is_none()
            && let Some((_, id, fi)) = edited
            && let Some(origin) = input.press
        {
            let before = doc.layers[li].features()[fi].record().into_owned();
            let start = lonlat(origin);
            let drag = |kind, label| Drag {
                feature: id,
                kind,
                before: before.clone(),
                start,
                label,
            };
            match self.tool {
                Tool::Vertices => {
                    match handle_at(&self.selected_parts(doc, selection), origin, per_point) {
                        Some(Handle::Vertex(v)) => {
                            self.vertex = Some(v);
                            self.drag = Some(drag(DragKind::Vertex(v), "Move vertex"));
                        }
                        Some(Handle::Midpoint { part, index }) => {
                            let v = VertexAt {
                                part,
                                index: index + 1,
                            };
                            self.vertex = Some(v);
                            self.drag = Some(drag(DragKind::Vertex(v), "Insert vertex"));
                        }
                        None => {}
                    }
                }
                Tool::Move if self.holds_press(doc, renders, selection, origin, per_point) => {
                    self.drag = Some(drag(DragKind::Feature, "Move feature"));
                }
                _ => {}
            }
        }
        if let Some(drag) = self.drag.clone() {
            if (input.dragged || input.drag_stopped)
                && let Some(p) = input.pointer
            {
                let target = self.placed(p);
                let mut record = drag.before.clone();
                let result = match (&drag.kind, record.geometry.as_mut()) {
                    (DragKind::Vertex(v), Some(g)) if drag.label == "Insert vertex" => {
                        edit::insert_vertex(&mut g.value, *v, target)
                    }
                    (DragKind::Vertex(v), Some(g)) => edit::move_vertex(&mut g.value, *v, target),
                    (DragKind::Feature, Some(g)) => {
                        let now = lonlat(p);
                        edit::translate(
                            &mut g.value,
                            [now[0] - drag.start[0], now[1] - drag.start[1]],
                        );
                        Ok(())
                    }
                    (_, None) => Err(edit::EditError::NoGeometry),
                };
                if result.is_ok() {
                    edit::refresh_bbox(&mut record);
                    let layer = &mut doc.layers[li];
                    if let Some(i) = layer.position(drag.feature) {
                        layer.features_mut_at(i).set_record(record);
                        effects.push(Effect::Redraw(li, i));
                    }
                    self.revision += 1;
                }
            }
            if input.drag_stopped || !input.primary_down && !input.dragged {
                self.drag = None;
                let after = doc.layers[li]
                    .feature(drag.feature)
                    .map(|f| f.record().into_owned());
                if let Some(after) = after.filter(|a| *a != drag.before) {
                    let change = Change {
                        id: drag.feature,
                        before: Some(drag.before),
                        after: Some(after),
                    };
                    doc.layers[li].record_applied(drag.label, vec![change.clone()]);
                    effects.push(Effect::Edited {
                        layer: li,
                        label: drag.label.to_owned(),
                        changes: vec![change],
                    });
                }
            }
            return (true, effects);
        }

        // Clicks.
        let Some(p) = input.pointer.filter(|_| input.clicked) else {
            if input.double_clicked && self.tool.draws() {
                effects.extend(self.finish_drawing(doc, per_point));
                return (true, effects);
            }
            return (false, effects);
        };
        if self.tool.draws() {
            let at = self.placed(p);
            if self.tool == Tool::DrawPoint {
                effects.extend(self.create_feature(
                    doc,
                    geojson::GeometryValue::new_point(at),
                    "Add point",
                ));
            } else {
                self.drawing.push(at);
                if input.double_clicked {
                    effects.extend(self.finish_drawing(doc, per_point));
                }
            }
            return (true, effects);
        }
        if let Some(Handle::Vertex(v)) =
            handle_at(&self.selected_parts(doc, selection), p, per_point)
        {
            self.vertex = Some(v);
            return (true, effects);
        }
        let layer = &doc.layers[li];
        let marker = (layer.style.marker_radius as f64 + 4.0) * per_point;
        let hit = renders
            .get(li)
            .and_then(|r| r.hit(layer, p, HIT_RADIUS * per_point, marker));
        self.vertex = None;
        effects.push(Effect::Select(hit.and_then(|i| layer.ref_at(i))));
        (true, effects)
    }

    /// Ends the shape being drawn and adds it as a new feature. Points closer than 3 screen
    /// points (`per_point` world units each) are one.
    pub fn finish_drawing(&mut self, doc: &mut Document, per_point: f64) -> Vec<Effect> {
        let mut pts = std::mem::take(&mut self.drawing);
        // The two clicks of a double-click land on the same spot.
        pts.dedup_by(|a, b| (a[0] - b[0]).abs() < 1e-9 && (a[1] - b[1]).abs() < 1e-9);
        pts.dedup_by(|a, b| distance2(world(*a), world(*b)) < (3.0 * per_point).powi(2));
        match self.tool {
            Tool::DrawPolygon if pts.len() >= 3 => {
                let mut ring: Vec<geojson::Position> =
                    pts.iter().map(|p| geojson::Position::from(*p)).collect();
                ring.push(ring[0].clone());
                self.create_feature(
                    doc,
                    geojson::GeometryValue::Polygon {
                        coordinates: vec![ring],
                    },
                    "Add polygon",
                )
            }
            Tool::DrawLine if pts.len() >= 2 => self.create_feature(
                doc,
                geojson::GeometryValue::new_line_string(pts),
                "Add line",
            ),
            Tool::DrawPolygon | Tool::DrawLine if !pts.is_empty() => {
                let (what, least) = if self.tool == Tool::DrawLine {
                    ("line", 2)
                } else {
                    ("polygon", 3)
                };
                self.message = Some(format!(
                    "A {what} needs at least {least} vertices: nothing was added."
                ));
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// Adds a feature with a fresh id and the layer's attributes (empty), and selects it so
    /// its form opens.
    fn create_feature(
        &mut self,
        doc: &mut Document,
        value: geojson::GeometryValue,
        label: &str,
    ) -> Vec<Effect> {
        let Some(li) = self.layer_index(doc) else {
            return Vec::new();
        };
        let layer = &mut doc.layers[li];
        let mut properties = geojson::JsonObject::new();
        for f in layer.features().iter().take(1000) {
            for (k, _) in f.properties() {
                if properties.len() < 64 && !properties.contains_key(&k) {
                    properties.insert(k, geojson::JsonValue::Null);
                }
            }
        }
        let record = geojson::Feature {
            id: Some(layer.fresh_id()),
            geometry: Some(geojson::Geometry::new(value)),
            properties: Some(properties),
            ..Default::default()
        };
        match layer.add_feature(record.clone(), label) {
            Ok(id) => vec![
                Effect::Edited {
                    layer: li,
                    label: label.to_owned(),
                    changes: vec![Change {
                        id,
                        before: None,
                        after: Some(record),
                    }],
                },
                Effect::Select(Some(FeatureRef {
                    layer: layer.id,
                    feature: id,
                })),
            ],
            Err(e) => {
                self.message = Some(e.to_string());
                Vec::new()
            }
        }
    }

    /// Deletes the selected vertex, or the selected feature when no vertex is selected.
    pub fn delete_selected(
        &mut self,
        doc: &mut Document,
        selection: Option<FeatureRef>,
    ) -> Vec<Effect> {
        let Some((li, id, _)) = self.edited(doc, selection) else {
            return Vec::new();
        };
        let result = match self.vertex.take() {
            Some(v) => {
                doc.layers[li].edit_geometry(id, "Delete vertex", |g| edit::delete_vertex(g, v))
            }
            None => doc.layers[li].delete_feature(id, "Delete feature"),
        };
        match result {
            Ok(change) => {
                let label = if change.after.is_some() {
                    "Delete vertex"
                } else {
                    "Delete feature"
                };
                vec![Effect::Edited {
                    layer: li,
                    label: label.to_owned(),
                    changes: vec![change],
                }]
            }
            Err(e) => {
                self.message = Some(e.to_string());
                Vec::new()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Layer;

    /// A document of one layer: a square of 0.01° at 106.6–106.61 E, 11.0–11.01 N, and a
    /// point east of it.
    fn doc() -> (Document, Vec<LayerRender>) {
        let layer = crate::io::geojson_file::test_layer(
            r#"{"type":"FeatureCollection","features":[
              {"type":"Feature","id":1,"properties":{"name":"square"},"geometry":{"type":"Polygon",
               "coordinates":[[[106.6,11.0],[106.61,11.0],[106.61,11.01],[106.6,11.01],[106.6,11.0]]]}},
              {"type":"Feature","id":2,"properties":{"name":"well"},"geometry":{"type":"Point",
               "coordinates":[106.63,11.005]}}]}"#,
        );
        let mut doc = Document::new("test".into());
        let render = LayerRender::build(&layer);
        doc.layers.push(layer);
        (doc, vec![render])
    }

    /// World units per screen point at zoom 15 (the square is then about 230 points wide).
    const PER_POINT: f64 = 1.0 / (256.0 * 32768.0);

    fn at(lon: f64, lat: f64) -> [f64; 2] {
        mercator_from_lonlat(lon, lat)
    }

    fn editing(doc: &Document) -> (EditorState, FeatureRef) {
        let mut e = EditorState::new();
        e.layer = Some(doc.layers[0].id);
        let square = doc.layers[0].ref_at(0).unwrap();
        (e, square)
    }

    fn input(pointer: [f64; 2]) -> MapInput {
        MapInput {
            pointer: Some(pointer),
            per_point: PER_POINT,
            ..Default::default()
        }
    }

    fn ring(layer: &Layer) -> Vec<[f64; 2]> {
        let g = layer.features()[0].record_geometry().unwrap();
        edit::parts(&g.value)[0].points.clone()
    }

    /// Press on a corner, drag, let go: the corner moves live, and the whole drag is one edit
    /// in the history, which undo takes back.
    #[test]
    fn a_vertex_drag_is_shown_live_and_becomes_one_edit() {
        let (mut doc, renders) = doc();
        let (mut e, square) = editing(&doc);
        let corner = at(106.61, 11.01);
        assert!(e.holds_press(&doc, &renders, Some(square), corner, PER_POINT));
        let mut press = input(corner);
        press.press = Some(corner);
        press.primary_down = true;
        press.drag_started = true;
        let (used, _) = e.pointer(&mut doc, &renders, Some(square), &press);
        assert!(used);
        assert!(e.drag.is_some());
        let mut effects = Vec::new();
        for k in 1..=3 {
            let mut moving = input(at(106.61 + 0.001 * k as f64, 11.01));
            moving.press = Some(corner);
            moving.primary_down = true;
            moving.dragged = true;
            effects.extend(e.pointer(&mut doc, &renders, Some(square), &moving).1);
        }
        assert_eq!(effects, vec![Effect::Redraw(0, 0); 3]);
        assert_eq!(doc.layers[0].history.depth(), 0, "not an edit until let go");
        let mut release = input(at(106.613, 11.01));
        release.drag_stopped = true;
        let (_, effects) = e.pointer(&mut doc, &renders, Some(square), &release);
        assert!(
            matches!(&effects[..], [Effect::Redraw(0, 0), Effect::Edited { label, changes, .. }]
            if label == "Move vertex" && changes.len() == 1)
        );
        assert_eq!(doc.layers[0].history.depth(), 1);
        assert_eq!(ring(&doc.layers[0])[2], [106.613, 11.01]);
        doc.layers[0].undo();
        assert_eq!(ring(&doc.layers[0])[2], [106.61, 11.01]);
    }

    #[test]
    fn dragging_a_midpoint_inserts_a_vertex() {
        let (mut doc, renders) = doc();
        let (mut e, square) = editing(&doc);
        let mid = world(midpoint([106.6, 11.0], [106.61, 11.0]));
        let mut press = input(mid);
        press.press = Some(mid);
        press.primary_down = true;
        press.drag_started = true;
        e.pointer(&mut doc, &renders, Some(square), &press);
        let mut release = input(at(106.605, 10.995));
        release.drag_stopped = true;
        e.pointer(&mut doc, &renders, Some(square), &release);
        let r = ring(&doc.layers[0]);
        assert_eq!(r.len(), 5);
        assert_eq!(r[1], [106.605, 10.995]);
        assert_eq!(doc.layers[0].history.undo_label(), Some("Insert vertex"));
    }

    /// A vertex dragged near another feature's vertex lands exactly on it.
    #[test]
    fn a_dragged_vertex_snaps_to_another_feature() {
        let (mut doc, renders) = doc();
        let (mut e, square) = editing(&doc);
        let corner = at(106.61, 11.01);
        let mut press = input(corner);
        press.press = Some(corner);
        press.primary_down = true;
        press.drag_started = true;
        e.pointer(&mut doc, &renders, Some(square), &press);
        // Four points from the well.
        let well = at(106.63, 11.005);
        let mut release = input([well[0] + 4.0 * PER_POINT, well[1]]);
        release.drag_stopped = true;
        e.pointer(&mut doc, &renders, Some(square), &release);
        assert_eq!(ring(&doc.layers[0])[2], [106.63, 11.005]);
    }

    #[test]
    fn clicking_selects_and_drawing_a_polygon_adds_and_selects_it() {
        let (mut doc, renders) = doc();
        let (mut e, _) = editing(&doc);
        let mut click = input(at(106.605, 11.005));
        click.clicked = true;
        let (_, effects) = e.pointer(&mut doc, &renders, None, &click);
        assert_eq!(effects, [Effect::Select(doc.layers[0].ref_at(0))]);

        e.tool = Tool::DrawPolygon;
        e.snapping = false;
        for [lon, lat] in [[106.7, 11.1], [106.71, 11.1], [106.71, 11.11]] {
            let mut click = input(at(lon, lat));
            click.clicked = true;
            e.pointer(&mut doc, &renders, None, &click);
        }
        let mut done = input(at(106.71, 11.11));
        done.double_clicked = true;
        let (_, effects) = e.pointer(&mut doc, &renders, None, &done);
        assert_eq!(doc.layers[0].features().len(), 3);
        let new = doc.layers[0].ref_at(2);
        assert!(
            matches!(&effects[..], [Effect::Edited { label, .. }, Effect::Select(s)]
            if label == "Add polygon" && *s == new)
        );
        let id = doc.layers[0].features()[2].meta().id.cloned();
        assert_eq!(id, Some(geojson::feature::Id::Number(3.into())));
    }

    #[test]
    fn too_few_points_add_nothing_and_say_why() {
        let (mut doc, _) = doc();
        let (mut e, _) = editing(&doc);
        e.tool = Tool::DrawPolygon;
        e.drawing = vec![[106.7, 11.1], [106.71, 11.1]];
        assert!(e.finish_drawing(&mut doc, PER_POINT).is_empty());
        assert_eq!(doc.layers[0].features().len(), 2);
        assert!(
            e.message
                .as_deref()
                .is_some_and(|m| m.contains("at least 3"))
        );
    }

    #[test]
    fn delete_removes_the_selected_vertex_then_refuses_below_three_corners() {
        let (mut doc, _) = doc();
        let (mut e, square) = editing(&doc);
        e.vertex = Some(VertexAt { part: 0, index: 0 });
        let effects = e.delete_selected(&mut doc, Some(square));
        assert!(matches!(&effects[..], [Effect::Edited { label, .. }] if label == "Delete vertex"));
        assert_eq!(ring(&doc.layers[0]).len(), 3);
        e.vertex = Some(VertexAt { part: 0, index: 0 });
        assert!(e.delete_selected(&mut doc, Some(square)).is_empty());
        assert!(e.message.is_some());
        // With no vertex selected, Delete removes the feature.
        let effects = e.delete_selected(&mut doc, Some(square));
        assert!(
            matches!(&effects[..], [Effect::Edited { label, .. }] if label == "Delete feature")
        );
        assert_eq!(doc.layers[0].features().len(), 1);
    }

    /// The move tool holds a press on the selected feature only, and a cancelled drag puts
    /// the feature back.
    #[test]
    fn a_cancelled_move_puts_the_feature_back() {
        let (mut doc, renders) = doc();
        let (mut e, square) = editing(&doc);
        e.tool = Tool::Move;
        let inside_edge = at(106.6, 11.005);
        assert!(e.holds_press(&doc, &renders, Some(square), inside_edge, PER_POINT));
        assert!(!e.holds_press(&doc, &renders, None, inside_edge, PER_POINT));
        let before = ring(&doc.layers[0]);
        let mut press = input(inside_edge);
        press.press = Some(inside_edge);
        press.primary_down = true;
        press.drag_started = true;
        e.pointer(&mut doc, &renders, Some(square), &press);
        let mut moving = input(at(106.7, 11.005));
        moving.press = Some(inside_edge);
        moving.primary_down = true;
        moving.dragged = true;
        e.pointer(&mut doc, &renders, Some(square), &moving);
        assert_ne!(ring(&doc.layers[0]), before);
        assert_eq!(e.cancel_drag(&mut doc), [Effect::Redraw(0, 0)]);
        assert_eq!(ring(&doc.layers[0]), before);
        assert_eq!(doc.layers[0].history.depth(), 0);
    }
}
