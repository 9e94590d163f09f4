//! Editing a layer: vertex operations on GeoJSON geometry that keep Z values and leave every
//! untouched coordinate exactly as read, and the history of changes behind undo and redo.
//!
//! Every change to a layer is a list of [`Change`]s: a feature replaced, inserted or removed,
//! named by its [`FeatureId`]. Undo applies the inverse list; the journal writes the applied
//! lists to disk.

use geojson::{Feature as Record, GeometryValue as Value, Position};
use serde::{Deserialize, Serialize};

use super::{Feature, FeatureId, Layer};

/// Decimal places kept for a coordinate the user placed by hand: 1e-9° is about 0.1 mm, far below
/// any survey, and keeps files free of `106.65123456789012`.
const PLACED_DECIMALS: f64 = 1e9;

/// A longitude or latitude placed by the pointer, rounded to what a survey can mean.
pub fn round_placed(value: f64) -> f64 {
    (value * PLACED_DECIMALS).round() / PLACED_DECIMALS
}

/// Why an edit was refused. The layer is unchanged.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EditError {
    #[error("a ring needs at least three corners: delete the feature instead")]
    RingTooSmall,
    #[error("a line needs at least two vertices: delete the feature instead")]
    LineTooShort,
    #[error("a point has only its one position: delete the feature instead")]
    PointVertex,
    #[error("the feature has no geometry to edit")]
    NoGeometry,
    #[error("there is no vertex {index} in part {part}")]
    NoSuchVertex { part: usize, index: usize },
    #[error("there is no feature {0} in the layer")]
    NoSuchFeature(FeatureId),
    #[error("the layer already has a feature {0}")]
    FeatureExists(FeatureId),
}

/// A vertex of a geometry: which part (ring, line or point, in file order) and which of its
/// positions. A closed ring's last position (which repeats the first) is not a vertex of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VertexAt {
    pub part: usize,
    pub index: usize,
}

impl VertexAt {
    /// The error for a vertex that is not there.
    fn missing(self) -> EditError {
        EditError::NoSuchVertex {
            part: self.part,
            index: self.index,
        }
    }
}

/// What a part of a geometry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartKind {
    Point,
    Line,
    Ring,
}

/// One part of a geometry as longitude/latitude pairs (a ring without its closing repeat).
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    pub kind: PartKind,
    pub points: Vec<[f64; 2]>,
}

impl Part {
    /// The edges as pairs of vertex indices (a ring's closing edge included).
    pub fn edges(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let n = self.points.len();
        let count = match self.kind {
            PartKind::Point => 0,
            PartKind::Line => n.saturating_sub(1),
            PartKind::Ring if n >= 2 => n,
            PartKind::Ring => 0,
        };
        (0..count).map(move |i| (i, (i + 1) % n))
    }
}

enum PartMut<'a> {
    Point(&'a mut Position),
    Line(&'a mut Vec<Position>),
    Ring(&'a mut Vec<Position>),
}

fn xy(p: &Position) -> [f64; 2] {
    let s = p.as_slice();
    [
        s.first().copied().unwrap_or(f64::NAN),
        s.get(1).copied().unwrap_or(f64::NAN),
    ]
}

/// Whether a ring's last position repeats its first, as RFC 7946 requires.
fn is_closed(ring: &[Position]) -> bool {
    ring.len() >= 2 && ring.first() == ring.last()
}

/// The number of distinct vertices of a ring (its positions less the closing repeat).
fn ring_vertices(ring: &[Position]) -> usize {
    if is_closed(ring) {
        ring.len() - 1
    } else {
        ring.len()
    }
}

/// The parts of a geometry in file order: points, lines and rings.
pub fn parts(value: &Value) -> Vec<Part> {
    let mut out = Vec::new();
    collect_parts(value, &mut out);
    out
}

fn collect_parts(value: &Value, out: &mut Vec<Part>) {
    let line = |l: &[Position]| Part {
        kind: PartKind::Line,
        points: l.iter().map(xy).collect(),
    };
    let ring = |r: &[Position]| Part {
        kind: PartKind::Ring,
        points: r[..ring_vertices(r)].iter().map(xy).collect(),
    };
    match value {
        Value::Point { coordinates: p } => out.push(Part {
            kind: PartKind::Point,
            points: vec![xy(p)],
        }),
        Value::MultiPoint { coordinates: ps } => out.extend(ps.iter().map(|p| Part {
            kind: PartKind::Point,
            points: vec![xy(p)],
        })),
        Value::LineString { coordinates: l } => out.push(line(l)),
        Value::MultiLineString { coordinates: ls } => out.extend(ls.iter().map(|l| line(l))),
        Value::Polygon { coordinates: rings } => out.extend(rings.iter().map(|r| ring(r))),
        Value::MultiPolygon { coordinates: polys } => {
            out.extend(polys.iter().flat_map(|rings| rings.iter().map(|r| ring(r))))
        }
        Value::GeometryCollection { geometries: gs } => {
            for g in gs {
                collect_parts(&g.value, out);
            }
        }
    }
}

fn part_count(value: &Value) -> usize {
    match value {
        Value::Point { coordinates: _ } | Value::LineString { coordinates: _ } => 1,
        Value::MultiPoint { coordinates: ps } => ps.len(),
        Value::MultiLineString { coordinates: ls } => ls.len(),
        Value::Polygon { coordinates: rings } => rings.len(),
        Value::MultiPolygon { coordinates: polys } => polys.iter().map(Vec::len).sum(),
        Value::GeometryCollection { geometries: gs } => {
            gs.iter().map(|g| part_count(&g.value)).sum()
        }
    }
}

fn part_mut(value: &mut Value, mut n: usize) -> Option<PartMut<'_>> {
    match value {
        Value::Point { coordinates: p } => (n == 0).then_some(PartMut::Point(p)),
        Value::MultiPoint { coordinates: ps } => ps.get_mut(n).map(PartMut::Point),
        Value::LineString { coordinates: l } => (n == 0).then_some(PartMut::Line(l)),
        Value::MultiLineString { coordinates: ls } => ls.get_mut(n).map(PartMut::Line),
        Value::Polygon { coordinates: rings } => rings.get_mut(n).map(PartMut::Ring),
        Value::MultiPolygon { coordinates: polys } => {
            for rings in polys.iter_mut() {
                if n < rings.len() {
                    return rings.get_mut(n).map(PartMut::Ring);
                }
                n -= rings.len();
            }
            None
        }
        Value::GeometryCollection { geometries: gs } => {
            for g in gs.iter_mut() {
                let count = part_count(&g.value);
                if n < count {
                    return part_mut(&mut g.value, n);
                }
                n -= count;
            }
            None
        }
    }
}

/// A copy of `like` with its longitude and latitude replaced, keeping its Z (and M) values.
fn placed(like: &Position, lonlat: [f64; 2]) -> Position {
    let mut v: Vec<f64> = like.as_slice().to_vec();
    if v.len() < 2 {
        v = vec![0.0, 0.0];
    }
    v[0] = lonlat[0];
    v[1] = lonlat[1];
    Position::from(v)
}

/// A new position between `a` and `b` at `lonlat`, with extra dimensions averaged where both have them.
fn between(a: &Position, b: &Position, lonlat: [f64; 2]) -> Position {
    let (a, b) = (a.as_slice(), b.as_slice());
    let dims = a.len().min(b.len()).max(2);
    let mut v = vec![lonlat[0], lonlat[1]];
    for d in 2..dims {
        v.push((a[d] + b[d]) / 2.0);
    }
    Position::from(v)
}

/// Moves a vertex to `lonlat`, keeping its other dimensions.
pub fn move_vertex(value: &mut Value, at: VertexAt, lonlat: [f64; 2]) -> Result<(), EditError> {
    let missing = at.missing();
    match part_mut(value, at.part).ok_or(at.missing())? {
        PartMut::Point(p) if at.index == 0 => *p = placed(p, lonlat),
        PartMut::Point(_) => return Err(missing),
        PartMut::Line(l) => {
            let p = l.get_mut(at.index).ok_or(missing)?;
            *p = placed(p, lonlat);
        }
        PartMut::Ring(r) => {
            let closed = is_closed(r);
            if at.index >= ring_vertices(r) {
                return Err(missing);
            }
            let p = placed(&r[at.index], lonlat);
            if closed && at.index == 0 {
                let last = r.len() - 1;
                r[last] = p.clone();
            }
            r[at.index] = p;
        }
    }
    Ok(())
}

/// Inserts a vertex at `lonlat` before vertex `at.index` of its part (after the last one when
/// `at.index` equals the vertex count). Z values are averaged from the neighbours.
pub fn insert_vertex(value: &mut Value, at: VertexAt, lonlat: [f64; 2]) -> Result<(), EditError> {
    let missing = at.missing();
    match part_mut(value, at.part).ok_or(at.missing())? {
        PartMut::Point(_) => return Err(EditError::PointVertex),
        PartMut::Line(l) => {
            if at.index > l.len() || l.is_empty() {
                return Err(missing);
            }
            let a = &l[at.index.saturating_sub(1)];
            let b = &l[at.index.min(l.len() - 1)];
            let p = between(a, b, lonlat);
            l.insert(at.index, p);
        }
        PartMut::Ring(r) => {
            let n = ring_vertices(r);
            if at.index > n || n == 0 {
                return Err(missing);
            }
            let a = &r[(at.index + n - 1) % n];
            let b = &r[at.index % n];
            let p = between(a, b, lonlat);
            if at.index == 0 && is_closed(r) {
                // A new first vertex: the closing position must repeat it.
                let last = r.len() - 1;
                r[last] = p.clone();
            }
            r.insert(at.index, p);
        }
    }
    Ok(())
}

/// Deletes a vertex, refusing when the ring or line would become degenerate.
pub fn delete_vertex(value: &mut Value, at: VertexAt) -> Result<(), EditError> {
    let missing = at.missing();
    match part_mut(value, at.part).ok_or(at.missing())? {
        PartMut::Point(_) => return Err(EditError::PointVertex),
        PartMut::Line(l) => {
            if at.index >= l.len() {
                return Err(missing);
            }
            if l.len() <= 2 {
                return Err(EditError::LineTooShort);
            }
            l.remove(at.index);
        }
        PartMut::Ring(r) => {
            let n = ring_vertices(r);
            if at.index >= n {
                return Err(missing);
            }
            if n <= 3 {
                return Err(EditError::RingTooSmall);
            }
            let closed = is_closed(r);
            r.remove(at.index);
            if closed && at.index == 0 {
                let last = r.len() - 1;
                r[last] = r[0].clone();
            }
        }
    }
    Ok(())
}

/// Moves every position by `delta` degrees, keeping other dimensions.
pub fn translate(value: &mut Value, delta: [f64; 2]) {
    let shift = |p: &mut Position| {
        let s = p.as_slice_mut();
        if s.len() >= 2 {
            s[0] = round_placed(s[0] + delta[0]);
            s[1] = round_placed(s[1] + delta[1]);
        }
    };
    match value {
        Value::Point { coordinates: p } => shift(p),
        Value::MultiPoint { coordinates: ps } | Value::LineString { coordinates: ps } => {
            ps.iter_mut().for_each(shift)
        }
        Value::MultiLineString { coordinates: ls } | Value::Polygon { coordinates: ls } => {
            ls.iter_mut().flatten().for_each(shift);
        }
        Value::MultiPolygon { coordinates: ps } => {
            ps.iter_mut().flatten().flatten().for_each(shift)
        }
        Value::GeometryCollection { geometries: gs } => {
            gs.iter_mut().for_each(|g| translate(&mut g.value, delta))
        }
    }
}

/// The bounding box of every position, with as many dimensions as `dims` asks (2 or 3).
pub fn bbox_of<'a>(values: impl IntoIterator<Item = &'a Value>, dims: usize) -> Option<Vec<f64>> {
    let mut min = vec![f64::INFINITY; dims];
    let mut max = vec![f64::NEG_INFINITY; dims];
    let mut any = false;
    let mut visit = |p: &Position| {
        let s = p.as_slice();
        if s.len() < dims {
            return;
        }
        any = true;
        for d in 0..dims {
            min[d] = min[d].min(s[d]);
            max[d] = max[d].max(s[d]);
        }
    };
    fn walk(value: &Value, visit: &mut dyn FnMut(&Position)) {
        match value {
            Value::Point { coordinates: p } => visit(p),
            Value::MultiPoint { coordinates: ps } | Value::LineString { coordinates: ps } => {
                ps.iter().for_each(visit)
            }
            Value::MultiLineString { coordinates: ls } | Value::Polygon { coordinates: ls } => {
                ls.iter().flatten().for_each(visit)
            }
            Value::MultiPolygon { coordinates: ps } => {
                ps.iter().flatten().flatten().for_each(visit)
            }
            Value::GeometryCollection { geometries: gs } => {
                gs.iter().for_each(|g| walk(&g.value, visit))
            }
        }
    }
    for v in values {
        walk(v, &mut visit);
    }
    any.then(|| min.into_iter().chain(max).collect())
}

/// A feature's `bbox` brought up to date with its geometry, if it had one.
pub fn refresh_bbox(record: &mut Record) {
    let Some(old) = &record.bbox else {
        return;
    };
    let dims = (old.len() / 2).max(2);
    let fresh = record
        .geometry
        .as_ref()
        .and_then(|g| bbox_of([&g.value], dims));
    if let Some(fresh) = fresh {
        record.bbox = Some(fresh);
    }
    if let Some(g) = record.geometry.as_mut()
        && let Some(old) = &g.bbox
    {
        let dims = (old.len() / 2).max(2);
        if let Some(fresh) = bbox_of([&g.value], dims) {
            g.bbox = Some(fresh);
        }
    }
}

/// One feature replaced, inserted (no `before`) or removed (no `after`). An inserted feature
/// takes its place among the others by its id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub id: FeatureId,
    pub before: Option<Record>,
    pub after: Option<Record>,
}

impl Change {
    fn inverse(&self) -> Change {
        Change {
            id: self.id,
            before: self.after.clone(),
            after: self.before.clone(),
        }
    }
}

/// The changes that undo `changes`: the inverses, last first.
pub fn inverse(changes: &[Change]) -> Vec<Change> {
    changes.iter().rev().map(Change::inverse).collect()
}

/// One thing the user did, as a unit of undo.
#[derive(Clone, Debug)]
pub struct Edit {
    pub label: String,
    pub changes: Vec<Change>,
    id: u64,
}

/// Edits done and undone. Nothing is ever dropped from it: a layer's whole session can be undone.
#[derive(Clone, Debug, Default)]
pub struct History {
    done: Vec<Edit>,
    undone: Vec<Edit>,
    next_id: u64,
    /// The id of the newest done edit when the file was last saved (0: none).
    saved: u64,
    /// Some edit has changed a geometry since the file was read (so `bbox`es need recomputing).
    pub geometry_changed: bool,
}

impl History {
    fn top(&self) -> u64 {
        self.done.last().map_or(0, |e| e.id)
    }

    /// Whether the layer differs from its file.
    pub fn is_dirty(&self) -> bool {
        self.top() != self.saved
    }

    /// Every feature an edit done or undone names: those whose rows must stay in memory.
    pub fn touched(&self) -> std::collections::HashSet<FeatureId> {
        self.done
            .iter()
            .chain(&self.undone)
            .flat_map(|e| e.changes.iter().map(|c| c.id))
            .collect()
    }

    /// The layer now matches its file.
    pub fn mark_saved(&mut self) {
        self.saved = self.top();
    }

    /// Where the history is now, to say later which state a save wrote
    /// ([`History::mark_saved_at`]).
    pub fn mark(&self) -> u64 {
        self.top()
    }

    /// The file now matches the layer as it was at `mark` (a save that ran in the background
    /// while edits went on: those stay unsaved).
    pub fn mark_saved_at(&mut self, mark: u64) {
        self.saved = mark;
    }

    /// The file no longer matches any state in the history (e.g. it was replaced on disk).
    pub fn mark_unsaved(&mut self) {
        self.saved = u64::MAX;
    }

    pub fn undo_label(&self) -> Option<&str> {
        self.done.last().map(|e| e.label.as_str())
    }

    pub fn redo_label(&self) -> Option<&str> {
        self.undone.last().map(|e| e.label.as_str())
    }

    /// The changes that take the file as last saved (or read) to the layer as it is now, when
    /// the history can tell: `None` when the file no longer matches any state in it.
    pub fn changes_since_saved(&self) -> Option<Vec<Change>> {
        if self.saved == 0 {
            return Some(self.done.iter().flat_map(|e| e.changes.clone()).collect());
        }
        if let Some(k) = self.done.iter().position(|e| e.id == self.saved) {
            return Some(
                self.done[k + 1..]
                    .iter()
                    .flat_map(|e| e.changes.clone())
                    .collect(),
            );
        }
        // The saved state is ahead (edits were undone since): undo them again from there.
        let j = self.undone.iter().position(|e| e.id == self.saved)?;
        Some(
            self.undone[j..]
                .iter()
                .flat_map(|e| inverse(&e.changes))
                .collect(),
        )
    }

    /// Number of edits that can be undone.
    pub fn depth(&self) -> usize {
        self.done.len()
    }

    /// Drops every change to feature `id` (removed from the layer outside the history: a row
    /// another editor deleted), so that undo and redo go on with the rest.
    pub fn forget(&mut self, id: FeatureId) {
        for e in self.done.iter_mut().chain(self.undone.iter_mut()) {
            e.changes.retain(|c| c.id != id);
        }
    }

    fn push(&mut self, label: String, changes: Vec<Change>) {
        self.next_id += 1;
        self.done.push(Edit {
            label,
            changes,
            id: self.next_id,
        });
        self.undone.clear();
    }
}

impl Layer {
    /// Applies changes in order. On an impossible change (a position out of range) nothing of
    /// this call stays applied.
    pub fn apply(&mut self, changes: &[Change]) -> Result<(), EditError> {
        for (done, change) in changes.iter().enumerate() {
            if let Err(e) = self.apply_one(change) {
                for c in inverse(&changes[..done]) {
                    let _ = self.apply_one(&c);
                }
                return Err(e);
            }
        }
        if changes.iter().any(|c| {
            c.before.as_ref().map(|r| &r.geometry) != c.after.as_ref().map(|r| &r.geometry)
        }) {
            self.history.geometry_changed = true;
        }
        Ok(())
    }

    fn apply_one(&mut self, change: &Change) -> Result<(), EditError> {
        let missing = EditError::NoSuchFeature(change.id);
        match (&change.before, &change.after) {
            (Some(_), Some(after)) => {
                self.feature_mut(change.id)
                    .ok_or(missing)?
                    .set_record(after.clone());
            }
            (None, Some(after)) => {
                if !self.insert_with_id(Feature::from_record(after.clone()), change.id) {
                    return Err(EditError::FeatureExists(change.id));
                }
            }
            (Some(_), None) => {
                let i = self.position(change.id).ok_or(missing)?;
                self.touch();
                self.features.remove(i);
            }
            (None, None) => {}
        }
        Ok(())
    }

    /// Applies changes and records them as one undoable edit.
    pub fn commit(&mut self, label: &str, changes: Vec<Change>) -> Result<(), EditError> {
        if changes.is_empty() {
            return Ok(());
        }
        self.apply(&changes)?;
        self.history.push(label.to_owned(), changes);
        Ok(())
    }

    /// Records changes that are already applied (a drag shown live) as one undoable edit.
    pub fn record_applied(&mut self, label: &str, changes: Vec<Change>) {
        if changes.is_empty() {
            return;
        }
        if changes.iter().any(|c| {
            c.before.as_ref().map(|r| &r.geometry) != c.after.as_ref().map(|r| &r.geometry)
        }) {
            self.history.geometry_changed = true;
        }
        self.history.push(label.to_owned(), changes);
    }

    /// Undoes the newest edit; returns the changes applied to do so.
    pub fn undo(&mut self) -> Option<Vec<Change>> {
        let edit = self.history.done.pop()?;
        let changes = inverse(&edit.changes);
        if self.apply(&changes).is_err() {
            self.history.done.push(edit);
            return None;
        }
        self.history.undone.push(edit);
        Some(changes)
    }

    /// Redoes the newest undone edit; returns the changes applied.
    pub fn redo(&mut self) -> Option<Vec<Change>> {
        let edit = self.history.undone.pop()?;
        if self.apply(&edit.changes).is_err() {
            self.history.undone.push(edit);
            return None;
        }
        let changes = edit.changes.clone();
        self.history.done.push(edit);
        Some(changes)
    }

    /// Replaces feature `id`'s record by `after` as one edit; returns the change.
    pub fn replace(
        &mut self,
        id: FeatureId,
        after: Record,
        label: &str,
    ) -> Result<Change, EditError> {
        let before = self
            .feature(id)
            .ok_or(EditError::NoSuchFeature(id))?
            .record()
            .into_owned();
        if before == after {
            // Nothing changed: nothing to undo.
            return Ok(Change {
                id,
                before: Some(before),
                after: Some(after),
            });
        }
        let mut after = after;
        if before.geometry != after.geometry {
            refresh_bbox(&mut after);
        }
        let change = Change {
            id,
            before: Some(before),
            after: Some(after),
        };
        self.commit(label, vec![change.clone()])?;
        Ok(change)
    }

    /// Changes feature `id`'s geometry with `op` as one edit.
    pub fn edit_geometry(
        &mut self,
        id: FeatureId,
        label: &str,
        op: impl FnOnce(&mut Value) -> Result<(), EditError>,
    ) -> Result<Change, EditError> {
        let feature = self.feature(id).ok_or(EditError::NoSuchFeature(id))?;
        let mut after = feature.record().into_owned();
        let geometry = after.geometry.as_mut().ok_or(EditError::NoGeometry)?;
        op(&mut geometry.value)?;
        self.replace(id, after, label)
    }

    /// Adds a feature at the end as one edit; returns its id.
    pub fn add_feature(&mut self, record: Record, label: &str) -> Result<FeatureId, EditError> {
        let id = self.next_feature_id();
        self.commit(
            label,
            vec![Change {
                id,
                before: None,
                after: Some(record),
            }],
        )?;
        Ok(id)
    }

    /// Deletes feature `id` as one edit.
    pub fn delete_feature(&mut self, id: FeatureId, label: &str) -> Result<Change, EditError> {
        let before = self
            .feature(id)
            .ok_or(EditError::NoSuchFeature(id))?
            .record()
            .into_owned();
        let change = Change {
            id,
            before: Some(before),
            after: None,
        };
        self.commit(label, vec![change.clone()])?;
        Ok(change)
    }

    /// An `id` no feature of the layer has: the next number when the layer numbers its features,
    /// else `new-N`.
    pub fn fresh_id(&self) -> geojson::feature::Id {
        use geojson::feature::Id;
        let ids: Vec<&Id> = self.features.iter().filter_map(|f| f.meta().id).collect();
        let all_numbers = !ids.is_empty() && ids.iter().all(|i| matches!(i, Id::Number(_)));
        if all_numbers {
            let max = ids
                .iter()
                .filter_map(|i| match i {
                    Id::Number(n) => n.as_i64(),
                    Id::String(_) => None,
                })
                .max()
                .unwrap_or(0);
            return Id::Number((max.saturating_add(1)).into());
        }
        let taken: std::collections::HashSet<String> = ids
            .iter()
            .map(|i| match i {
                Id::String(s) => s.clone(),
                Id::Number(n) => n.to_string(),
            })
            .collect();
        let n = (1..)
            .find(|n| !taken.contains(&format!("new-{n}")))
            .unwrap_or(1);
        Id::String(format!("new-{n}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const F0: FeatureId = FeatureId(0);

    fn layer(text: &str) -> Layer {
        crate::io::geojson_file::test_layer(text)
    }

    const SQUARE_Z: &str = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","id":1,"bbox":[106.6,11.0,106.7,11.1],"properties":{"name":"a"},
       "geometry":{"type":"Polygon","coordinates":[[[106.6,11.0,5],[106.7,11.0,6],[106.7,11.1,7],[106.6,11.1,8],[106.6,11.0,5]]]}}]}"#;

    fn coords(l: &Layer) -> Vec<Vec<f64>> {
        match &l.features()[0].record_geometry().unwrap().value {
            Value::Polygon { coordinates: r } => {
                r[0].iter().map(|p| p.as_slice().to_vec()).collect()
            }
            _ => panic!(),
        }
    }

    #[test]
    fn moving_the_first_vertex_moves_the_closing_one_and_keeps_z() {
        let mut l = layer(SQUARE_Z);
        l.edit_geometry(F0, "move", |g| {
            move_vertex(g, VertexAt { part: 0, index: 0 }, [106.55, 10.95])
        })
        .unwrap();
        let c = coords(&l);
        assert_eq!(c[0], vec![106.55, 10.95, 5.0]);
        assert_eq!(c[4], c[0]);
        assert_eq!(c[1], vec![106.7, 11.0, 6.0], "untouched exactly");
        assert_eq!(
            l.features()[0].meta().bbox.cloned(),
            Some(vec![106.55, 10.95, 106.7, 11.1])
        );
        assert!(l.is_dirty());
        l.undo().unwrap();
        assert_eq!(coords(&l)[0], vec![106.6, 11.0, 5.0]);
        assert!(!l.is_dirty());
        l.redo().unwrap();
        assert!(l.is_dirty());
    }

    #[test]
    fn insert_averages_z_and_delete_keeps_three_corners() {
        let mut l = layer(SQUARE_Z);
        l.edit_geometry(F0, "insert", |g| {
            insert_vertex(g, VertexAt { part: 0, index: 1 }, [106.65, 10.98])
        })
        .unwrap();
        assert_eq!(coords(&l)[1], vec![106.65, 10.98, 5.5]);
        assert_eq!(coords(&l).len(), 6);
        for _ in 0..2 {
            l.edit_geometry(F0, "delete", |g| {
                delete_vertex(g, VertexAt { part: 0, index: 0 })
            })
            .unwrap();
        }
        let c = coords(&l);
        assert_eq!(c.len(), 4);
        assert_eq!(c[0], c[3]);
        let err = l
            .edit_geometry(F0, "delete", |g| {
                delete_vertex(g, VertexAt { part: 0, index: 0 })
            })
            .unwrap_err();
        assert_eq!(err, EditError::RingTooSmall);
        assert_eq!(l.history.depth(), 3);
    }

    #[test]
    fn undo_past_a_save_is_unsaved_and_a_new_branch_never_matches_the_save() {
        let mut l = layer(SQUARE_Z);
        l.edit_geometry(F0, "a", |g| {
            translate(g, [0.01, 0.0]);
            Ok(())
        })
        .unwrap();
        l.history.mark_saved();
        assert!(!l.is_dirty());
        l.undo();
        assert!(l.is_dirty());
        l.edit_geometry(F0, "b", |g| {
            translate(g, [0.02, 0.0]);
            Ok(())
        })
        .unwrap();
        assert!(l.is_dirty());
    }

    #[test]
    fn fresh_ids_follow_the_layer() {
        let l = layer(SQUARE_Z);
        assert_eq!(l.fresh_id(), geojson::feature::Id::Number(2.into()));
        let l = layer(
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","id":"new-1","properties":null,"geometry":null}]}"#,
        );
        assert_eq!(l.fresh_id(), geojson::feature::Id::String("new-2".into()));
    }

    #[test]
    fn parts_list_rings_without_their_closing_repeat() {
        let l = layer(SQUARE_Z);
        let p = parts(&l.features()[0].record_geometry().unwrap().value);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].points.len(), 4);
        assert_eq!(p[0].edges().count(), 4);
    }

    const THREE: &str = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"name":"a"},"geometry":{"type":"Point","coordinates":[106.6,11.0]}},
      {"type":"Feature","properties":{"name":"b"},"geometry":{"type":"Point","coordinates":[106.7,11.0]}},
      {"type":"Feature","properties":{"name":"c"},"geometry":{"type":"Point","coordinates":[106.8,11.0]}}]}"#;

    fn names(l: &Layer) -> Vec<String> {
        l.features().iter().map(|f| f.display_name()).collect()
    }

    #[test]
    fn ids_survive_deletes_and_an_undone_delete_puts_the_feature_back_in_its_place() {
        let mut l = layer(THREE);
        let ids: Vec<FeatureId> = l.features().iter().map(|f| f.id()).collect();
        assert_eq!(ids, [FeatureId(0), FeatureId(1), FeatureId(2)]);
        l.delete_feature(FeatureId(0), "delete a").unwrap();
        // "c" is still #2, though it is now second.
        assert_eq!(l.position(FeatureId(2)), Some(1));
        l.edit_geometry(FeatureId(2), "move c", |g| {
            translate(g, [0.01, 0.0]);
            Ok(())
        })
        .unwrap();
        let added = l
            .add_feature(l.features()[0].record().into_owned(), "copy b")
            .unwrap();
        assert_eq!(added, FeatureId(3), "a new feature never reuses an id");
        l.undo();
        l.undo();
        l.undo();
        assert_eq!(names(&l), ["a", "b", "c"]);
        assert_eq!(l.features()[0].id(), FeatureId(0));
        assert!(!l.is_dirty());
    }

    /// A feature removed outside the history (a row another editor deleted) leaves the undo of
    /// everything else working, even with unsaved edits.
    #[test]
    fn a_removal_from_outside_leaves_undo_working() {
        let mut l = layer(THREE);
        l.edit_geometry(FeatureId(0), "move a", |g| {
            translate(g, [0.01, 0.0]);
            Ok(())
        })
        .unwrap();
        l.edit_geometry(FeatureId(1), "move b", |g| {
            translate(g, [0.01, 0.0]);
            Ok(())
        })
        .unwrap();
        // Another editor deletes "a", which we edited (and, say, saved) and "b" is unsaved.
        assert!(l.remove_feature(FeatureId(0)).is_some());
        assert_eq!(names(&l), ["b", "c"]);
        assert!(l.undo().is_some(), "the move of b undoes");
        assert!(
            l.undo().is_some(),
            "the move of a is forgotten: nothing to do, no error"
        );
        assert!(l.redo().is_some());
        assert!(l.redo().is_some(), "the move of b redoes");
        assert_eq!(names(&l), ["b", "c"]);
        let moved = l.feature(FeatureId(1)).and_then(Feature::geometry);
        assert!(
            matches!(moved.as_deref(), Some(geo::Geometry::Point(p)) if (p.x() - 106.71).abs() < 1e-9)
        );
    }
}
