//! The document: layers of features with their properties and styles. Knows nothing of egui or files.

pub mod edit;
mod feature;
pub mod lang;
pub mod packed;
pub mod project;
pub mod row;
pub mod search;
pub mod source;
pub mod story;
pub mod style;

use std::sync::Arc;

use geojson::JsonObject;

pub use feature::{Feature, Meta, drawable};
pub use lang::Lang;
pub use project::{BasemapSpec, Bookmark, LayerSpec, Project, ViewSpec};
pub use source::{LayerSource, TableSource};
pub use story::{Slide, Story, Texts};
pub use style::{CategoryStyle, Color, FeatureStyle, LayerStyle};

/// Index of a layer in the document's draw order (0 is drawn first, at the bottom).
pub type LayerIndex = usize;

/// Polygons as a MultiPolygon; `None` for anything else.
fn as_polygons(g: &geo::Geometry<f64>) -> Option<geo::MultiPolygon<f64>> {
    match g {
        geo::Geometry::Polygon(p) => Some(geo::MultiPolygon::new(vec![p.clone()])),
        geo::Geometry::MultiPolygon(m) => Some(m.clone()),
        _ => None,
    }
}

/// An administrative unit whose extent meets an area, and its polygons.
pub type UnitCandidate = (FeatureRef, geo::MultiPolygon<f64>);

/// The geodesic area (m²) of each candidate's overlap with `shape`, largest first; overlaps
/// under 100 m² (a shared boundary's rounding) left out.
pub fn overlap_areas(
    shape: &geo::MultiPolygon<f64>,
    candidates: Vec<UnitCandidate>,
) -> Vec<(FeatureRef, f64)> {
    use geo::BooleanOps;
    let mut out: Vec<(FeatureRef, f64)> = candidates
        .into_iter()
        .map(|(r, unit)| {
            let common = shape.intersection(&unit);
            (
                r,
                crate::geometry::measure::geodesic_area_m2(&geo::Geometry::MultiPolygon(common)),
            )
        })
        .filter(|(_, m2)| *m2 >= 100.0)
        .collect();
    out.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal));
    out
}

/// A feature's identity within its layer, for as long as the layer lives: edits, undo, remote
/// inserts and deletes, and the layer's reordering never change it. A layer read from a file
/// numbers its features 0, 1, 2… in file order (so the same file read again gives the same
/// identities, which the recovery journal relies on); a feature added later gets the next
/// number never given in the layer. A layer's features are always in the order of their ids.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct FeatureId(u64);

impl FeatureId {
    pub fn new(n: u64) -> Self {
        Self(n)
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

impl std::fmt::Display for FeatureId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// A feature of the document: its layer's identity and its own. Held by selections, search
/// results, windows and the story; never made stale by edits, reorders or removals (a removed
/// feature is simply no longer found).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FeatureRef {
    pub layer: LayerId,
    pub feature: FeatureId,
}

/// How a layer's file was written at its top level, so that saving writes it the same way.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum SourceForm {
    /// A FeatureCollection, with its own `bbox` and foreign members.
    FeatureCollection {
        bbox: Option<geojson::Bbox>,
        foreign_members: Option<JsonObject>,
    },
    /// A single Feature as the root.
    Feature,
    /// A bare Geometry as the root.
    Geometry,
    /// A GeoJSON text sequence: one record per line, each after an RS character (RFC 8142) or
    /// not (newline-delimited).
    Sequence { separators: bool },
    /// A file that was not read (a new layer, or one that failed): saved as a FeatureCollection.
    #[default]
    New,
}

/// What a file on disk was when we read or wrote it, to notice another program changing it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileStamp {
    pub len: u64,
    /// CRC-32 of the bytes.
    pub crc: u32,
    pub modified: Option<std::time::SystemTime>,
}

impl FileStamp {
    /// The stamp of these bytes, read from a file last modified at `modified`.
    pub fn of(bytes: &[u8], modified: Option<std::time::SystemTime>) -> Self {
        Self {
            len: bytes.len() as u64,
            crc: crc32fast::hash(bytes),
            modified,
        }
    }

    /// Whether the contents are the same (the time alone may change on a copy or a touch).
    pub fn same_contents(&self, other: &FileStamp) -> bool {
        self.len == other.len && self.crc == other.crc
    }
}

/// Where a layer's data came from and how it went.
#[derive(Clone, Debug)]
pub enum LayerStatus {
    Loaded,
    /// The file could not be read; the message says what, where, and what to do.
    Failed(String),
}

/// How the text of a file read through GDAL is taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TextEncoding {
    /// As the file declares it (its `.cpg`, or UTF-8): the user said the text is right.
    Declared,
    /// Decoded from TCVN3 (ABC).
    Tcvn3,
    /// Decoded from VNI.
    Vni,
}

/// How a Shapefile, GeoPackage, MapInfo or KML file is read: the answers to the questions its
/// opening asks, kept with the layer (and in the project file) so that reading it again gives
/// the same layer.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ReadSettings {
    /// The table (GDAL layer) read, for a file that has several.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// The coordinate system the file is in when it states none (`EPSG:9210` …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crs: Option<String>,
    /// How its text is taken; `None` until the user is asked (or there is nothing to ask).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<TextEncoding>,
    /// The legacy encoding the text looked misread from when it was read undecoded.
    #[serde(skip)]
    pub suspected: Option<TextEncoding>,
}

/// A file, or one table of it (`file.gpkg#table`): what names a layer read from it.
pub fn table_key(file: &std::path::Path, table: Option<&str>) -> std::path::PathBuf {
    match table {
        Some(t) => {
            let mut key = file.as_os_str().to_owned();
            key.push("#");
            key.push(t);
            key.into()
        }
        None => file.to_owned(),
    }
}

/// A layer's identity for as long as the app runs: windows and pending actions hold it, never
/// the layer's position, which changes when layers are reordered or removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LayerId(u64);

impl LayerId {
    /// A new identity, never given before in this process.
    pub fn fresh() -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Self(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

/// A layer: features from one file, drawn with one style.
#[derive(Clone, Debug)]
pub struct Layer {
    /// Its identity (see [`LayerId`]).
    pub id: LayerId,
    pub name: String,
    /// Where its features come from.
    pub source: LayerSource,
    pub style: LayerStyle,
    pub visible: bool,
    /// 0 (transparent) to 1 (as styled).
    pub opacity: f32,
    /// Its polygons are planned sub-areas, listed in the sub-area panel.
    pub subareas: bool,
    /// Its polygons are administrative units, listed by overlap in a sub-area's panel.
    pub admin_units: bool,
    /// Where its data comes from and under which licence (empty when not stated).
    pub attribution: String,
    /// What the legend calls the layer in each language (its name when empty).
    pub title: Texts,
    /// In the order of their ids (see [`FeatureId`]); read with [`Layer::features`]. Shared, so
    /// that a save in the background holds the layer as it was when the save began while the
    /// user goes on editing: an edit replaces only the feature it changes
    /// ([`Layer::feature_mut`]).
    features: Vec<Arc<Feature>>,
    /// The id the next feature added gets.
    next_feature: u64,
    pub status: LayerStatus,
    /// Non-fatal remarks from loading (skipped features and why).
    pub warnings: Vec<String>,
    /// How the file was written at its top level.
    pub form: SourceForm,
    /// The file as last read or saved; `None` for a layer not from a file.
    pub stamp: Option<FileStamp>,
    /// Every edit made to this layer, for undo and redo and to know what is unsaved.
    pub history: edit::History,
    /// For a file read through GDAL: how it was read.
    pub read: Option<ReadSettings>,
    /// Changes whenever its features do (see [`Layer::generation`]).
    generation: u64,
}

/// A number no layer's features have had yet (see [`Layer::generation`]).
fn fresh_generation() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl Layer {
    /// A loaded layer with these features, visible at full opacity.
    pub fn new(
        name: String,
        source: impl Into<LayerSource>,
        style: LayerStyle,
        features: Vec<Feature>,
        warnings: Vec<String>,
    ) -> Self {
        // Each feature moved into an allocation of its own: a large layer's on every core (the
        // loader's thread would otherwise do it alone), a small one's here, where it is made
        // (on the window's thread, it then never waits for a pool busy with other work).
        use rayon::prelude::*;
        let own = |(i, mut f): (usize, Feature)| {
            f.id = FeatureId(i as u64);
            Arc::new(f)
        };
        let mut features: Vec<Arc<Feature>> = if features.len() >= 1 << 14 {
            features.into_par_iter().enumerate().map(own).collect()
        } else {
            features.into_iter().enumerate().map(own).collect()
        };
        // Collected in place, the pointers would keep the features' whole allocation.
        features.shrink_to_fit();
        Self {
            next_feature: features.len() as u64,
            id: LayerId::fresh(),
            name,
            source: source.into(),
            style,
            visible: true,
            opacity: 1.0,
            subareas: false,
            admin_units: false,
            attribution: String::new(),
            title: Texts::default(),
            features,
            status: LayerStatus::Loaded,
            warnings,
            form: SourceForm::New,
            stamp: None,
            history: edit::History::default(),
            read: None,
            generation: fresh_generation(),
        }
    }

    /// A number that changes whenever a feature is added, removed or may have changed, and
    /// that no other layer's features have had: what was worked out from the features (a
    /// table's rows, say) holds while it is the same.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The features may change: a new [`Layer::generation`].
    fn touch(&mut self) {
        self.generation = fresh_generation();
    }

    /// Each feature with its reference in the document, in order.
    pub fn refs(&self) -> impl Iterator<Item = (FeatureRef, &Feature)> {
        let layer = self.id;
        self.features.iter().map(move |f| {
            (
                FeatureRef {
                    layer,
                    feature: f.id,
                },
                &**f,
            )
        })
    }

    /// The reference to the feature at position `i`.
    pub fn ref_at(&self, i: usize) -> Option<FeatureRef> {
        self.features.get(i).map(|f| FeatureRef {
            layer: self.id,
            feature: f.id,
        })
    }

    /// The features, in file order (which is the order of their ids).
    pub fn features(&self) -> &[Arc<Feature>] {
        &self.features
    }

    /// The features as they are now, sharing them with the layer: what a background save
    /// writes while the user goes on editing (an edit then copies only what it changes).
    pub fn snapshot(&self) -> Vec<Arc<Feature>> {
        self.features.clone()
    }

    /// The feature at position `i`, to change in place (see [`Layer::feature_mut`]).
    pub fn features_mut_at(&mut self, i: usize) -> &mut Feature {
        self.touch();
        Arc::make_mut(&mut self.features[i])
    }

    /// The style to change, beside the features it is worked out from.
    pub fn style_and_features(&mut self) -> (&mut LayerStyle, &[Arc<Feature>]) {
        (&mut self.style, &self.features)
    }

    /// Where the feature with this id is in [`Layer::features`], if it is there.
    pub fn position(&self, id: FeatureId) -> Option<usize> {
        self.features.binary_search_by_key(&id, |f| f.id).ok()
    }

    /// The feature with this id, if it is there.
    pub fn feature(&self, id: FeatureId) -> Option<&Feature> {
        self.position(id).map(|i| &*self.features[i])
    }

    /// The feature with this id, to change in place: a record is replaced with
    /// [`Feature::set_record`], which keeps the feature's id (features are added and removed
    /// only through the layer). A feature a save is still writing is copied first.
    pub fn feature_mut(&mut self, id: FeatureId) -> Option<&mut Feature> {
        self.touch();
        self.position(id)
            .map(|i| Arc::make_mut(&mut self.features[i]))
    }

    /// Adds a feature at the end with a new id, outside the edit history (a row another editor
    /// inserted); returns its id.
    pub fn push_feature(&mut self, mut feature: Feature) -> FeatureId {
        feature.id = FeatureId(self.next_feature);
        self.next_feature += 1;
        let id = feature.id;
        self.touch();
        self.features.push(Arc::new(feature));
        id
    }

    /// Removes a feature outside the edit history (a row another editor deleted). What the
    /// history did to it is forgotten, so that undo and redo go on working on the rest.
    pub fn remove_feature(&mut self, id: FeatureId) -> Option<Feature> {
        let i = self.position(id)?;
        self.touch();
        self.history.forget(id);
        Some(Arc::unwrap_or_clone(self.features.remove(i)))
    }

    /// Lets go of features outside the edit history, in one pass: those whose `keep` is
    /// false (a table's rows far from the view). Features an edit names are kept whatever
    /// `keep` says, so undo and redo never lose their feature.
    pub fn let_go(&mut self, keep: &[bool]) -> Vec<bool> {
        self.touch();
        let touched = self.history.touched();
        let keep: Vec<bool> = self
            .features
            .iter()
            .enumerate()
            .map(|(i, f)| keep.get(i).copied().unwrap_or(true) || touched.contains(&f.id))
            .collect();
        let (kept, gone): (Vec<_>, Vec<_>) = std::mem::take(&mut self.features)
            .into_iter()
            .enumerate()
            .partition(|(i, _)| keep[*i]);
        self.features = kept.into_iter().map(|(_, f)| f).collect();
        crate::model::drop_elsewhere(gone);
        keep
    }

    /// Puts a feature in its place by its id (the inverse of a removal); `false` when a feature
    /// with that id is already there.
    fn insert_with_id(&mut self, mut feature: Feature, id: FeatureId) -> bool {
        match self.features.binary_search_by_key(&id, |f| f.id) {
            Ok(_) => false,
            Err(i) => {
                feature.id = id;
                self.touch();
                self.features.insert(i, Arc::new(feature));
                self.next_feature = self.next_feature.max(id.0 + 1);
                true
            }
        }
    }

    /// The id a feature added now would get.
    /// What the interface calls the layer in `lang`: its title there, else its name.
    pub fn title_in(&self, lang: Lang) -> &str {
        match self.title.get(lang) {
            "" => &self.name,
            t => t,
        }
    }

    pub fn next_feature_id(&self) -> FeatureId {
        FeatureId(self.next_feature)
    }

    /// What names this layer's edits in the recovery journal: its source, and the table read
    /// from it when the file has several (two tables of one GeoPackage are two layers).
    pub fn journal_key(&self) -> std::path::PathBuf {
        table_key(
            &self.source.key(),
            self.read.as_ref().and_then(|r| r.table.as_deref()),
        )
    }

    /// The same layer, remembering how its file was written and what it was.
    pub fn with_source(mut self, form: SourceForm, stamp: Option<FileStamp>) -> Self {
        self.form = form;
        self.stamp = stamp;
        self
    }

    /// Whether the layer has changes not yet saved to its file.
    pub fn is_dirty(&self) -> bool {
        self.history.is_dirty()
    }

    /// An empty layer that failed to load, kept so the user sees it and its message.
    pub fn failed(
        name: String,
        source: impl Into<LayerSource>,
        style: LayerStyle,
        message: String,
    ) -> Self {
        Self {
            status: LayerStatus::Failed(message),
            ..Self::new(name, source, style, Vec::new(), Vec::new())
        }
    }

    /// The name a file's layer gets: the file name without its extension.
    pub fn name_for(path: &std::path::Path) -> String {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string())
    }

    pub fn error(&self) -> Option<&str> {
        match &self.status {
            LayerStatus::Loaded => None,
            LayerStatus::Failed(message) => Some(message),
        }
    }
}

/// Everything the user has open: a title, the initial view and the layers in draw order.
#[derive(Clone, Debug)]
pub struct Document {
    /// In each language (the same text in all when the project gives one).
    pub title: Texts,
    /// Credit line for the layers (from the project file), drawn on the map.
    pub credit: String,
    pub view: ViewSpec,
    pub basemap: BasemapSpec,
    pub layers: Vec<Layer>,
    /// Layers drawn under the basemap's tiles, showing where no tile is (the bundled context);
    /// never selected, searched or edited.
    pub context: Vec<Layer>,
    /// Problems with the project file itself (not with a layer).
    pub problems: Vec<String>,
    /// Named views, kept in the project file.
    pub bookmarks: Vec<Bookmark>,
    /// The project file this document was read from (and "Save project" writes), if any.
    pub path: Option<std::path::PathBuf>,
    /// The story for presenting, and the file it is saved to.
    pub story: Option<(Story, std::path::PathBuf)>,
}

impl Document {
    /// An empty document with this title over the default basemap.
    pub fn new(title: String) -> Self {
        Self {
            title: Texts::one(title),
            credit: String::new(),
            view: ViewSpec::default(),
            basemap: BasemapSpec::default(),
            layers: Vec::new(),
            context: Vec::new(),
            problems: Vec::new(),
            bookmarks: Vec::new(),
            path: None,
            story: None,
        }
    }

    /// The feature with this `id` (string or number), searching every layer.
    pub fn feature_by_id(&self, id: &str) -> Option<FeatureRef> {
        self.features()
            .find(|(_, f)| match &f.meta().id {
                Some(geojson::feature::Id::String(s)) => s == id,
                Some(geojson::feature::Id::Number(n)) => n.to_string() == id,
                None => false,
            })
            .map(|(r, _)| r)
    }

    /// Where the layer with this identity is now, if it is still there.
    pub fn index_of(&self, id: LayerId) -> Option<LayerIndex> {
        self.layers.iter().position(|l| l.id == id)
    }

    /// The layer with this identity, if it is still there.
    pub fn layer(&self, id: LayerId) -> Option<&Layer> {
        self.layers.iter().find(|l| l.id == id)
    }

    /// The layer with this identity, to change, if it is still there.
    pub fn layer_mut(&mut self, id: LayerId) -> Option<&mut Layer> {
        self.layers.iter_mut().find(|l| l.id == id)
    }

    /// Removes a layer. Nothing else needs telling: whatever refers to its features by
    /// [`FeatureRef`] simply no longer finds them.
    pub fn remove_layer(&mut self, index: LayerIndex) -> Option<Layer> {
        (index < self.layers.len()).then(|| self.layers.remove(index))
    }

    /// Where a feature is now: its layer's position in draw order and its own in the layer.
    pub fn locate(&self, r: FeatureRef) -> Option<(LayerIndex, usize)> {
        let li = self.index_of(r.layer)?;
        Some((li, self.layers[li].position(r.feature)?))
    }

    pub fn feature(&self, r: FeatureRef) -> Option<&Feature> {
        self.layer(r.layer)?.feature(r.feature)
    }

    /// Every feature with its reference, layer by layer in draw order.
    pub fn features(&self) -> impl Iterator<Item = (FeatureRef, &Feature)> {
        self.layers.iter().flat_map(|layer| layer.refs())
    }

    /// The planned sub-areas: the areal features of layers marked as sub-area layers.
    pub fn subareas(&self) -> impl Iterator<Item = (FeatureRef, &Feature)> {
        self.layers
            .iter()
            .filter(|l| l.subareas)
            .flat_map(|l| l.refs())
            .filter(|(_, f)| f.is_areal())
    }
}

impl Document {
    /// Whether the bundled context is drawn under the tiles: some context layer is visible and
    /// has features.
    pub fn context_shown(&self) -> bool {
        self.context
            .iter()
            .any(|l| l.visible && !l.features.is_empty())
    }

    /// The features of administrative-unit layers (the 2025 wards) that an areal feature
    /// overlaps, with the geodesic area of each overlap in m², largest first. Overlaps under
    /// 100 m² (a shared boundary's rounding) are left out.
    pub fn admin_units_overlapping(&self, area: FeatureRef) -> Vec<(FeatureRef, f64)> {
        self.admin_unit_candidates(area)
            .map(|(shape, candidates)| overlap_areas(&shape, candidates))
            .unwrap_or_default()
    }

    /// The cheap half of [`Document::admin_units_overlapping`]: the area's polygons and those
    /// of the units whose extent meets it, copied, so that [`overlap_areas`] (tens of
    /// milliseconds for a locality) can run away from the UI thread. `None` for a feature
    /// that is not areal.
    pub fn admin_unit_candidates(
        &self,
        area: FeatureRef,
    ) -> Option<(geo::MultiPolygon<f64>, Vec<UnitCandidate>)> {
        use geo::{BoundingRect, Intersects};
        let shape = self
            .feature(area)
            .and_then(Feature::geometry)
            .and_then(|g| as_polygons(&g))?;
        let bbox = shape.bounding_rect()?;
        let mut candidates = Vec::new();
        for layer in &self.layers {
            if !layer.admin_units || layer.id == area.layer {
                continue;
            }
            for (r, f) in layer.refs() {
                let Some(unit) = f.geometry().and_then(|g| as_polygons(&g)) else {
                    continue;
                };
                if unit.bounding_rect().is_some_and(|b| b.intersects(&bbox)) {
                    candidates.push((r, unit));
                }
            }
        }
        Some((shape, candidates))
    }

    /// Point features (of any layer) that lie inside the areal feature `area`, in draw order.
    pub fn points_within(&self, area: FeatureRef) -> Vec<FeatureRef> {
        use geo::{Contains, Geometry};
        let Some(Some(geometry)) = self.feature(area).map(Feature::geometry) else {
            return Vec::new();
        };
        let inside = |g: &Geometry<f64>| match (&*geometry, g) {
            (Geometry::Polygon(p), Geometry::Point(pt)) => p.contains(pt),
            (Geometry::MultiPolygon(mp), Geometry::Point(pt)) => mp.contains(pt),
            _ => false,
        };
        // Only points are looked at, and made again from their packed form.
        self.features()
            .filter(|(r, f)| {
                *r != area && f.dimension() == Some(0) && f.geometry().is_some_and(|g| inside(&g))
            })
            .map(|(r, _)| r)
            .collect()
    }
}

/// Frees a large heap of small allocations (features or draw data let go) on a thread of its
/// own: tens of thousands of them took tens of milliseconds of a frame.
pub fn drop_elsewhere<T: Send + 'static>(value: T) {
    if std::thread::Builder::new()
        .name("drop".into())
        .spawn(move || drop(value))
        .is_err()
    {
        // No thread to be had: freed here (the value moved into the closure is gone with it).
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The layer's list of features holds pointers, not the features' allocation: collected in
    /// place from the features (400 bytes each), it kept 50 times the room it needs (67 MiB on
    /// the 100 000-polygon layer).
    #[test]
    fn a_new_layer_holds_no_more_room_than_its_features_need() {
        // A small layer (made on the calling thread) and a large one (on every core).
        for n in [1000, 20_000] {
            let features: Vec<Feature> = (0..n)
                .map(|_| Feature::from_record(geojson::Feature::default()))
                .collect();
            let layer = Layer::new(
                "l".into(),
                std::path::PathBuf::from("l.geojson"),
                LayerStyle::default(),
                features,
                Vec::new(),
            );
            assert_eq!(layer.features.len(), n);
            assert!(
                layer.features.capacity() <= n + n / 32,
                "room for {} features",
                layer.features.capacity()
            );
            // Each feature has its place as its id.
            for (i, f) in layer.features.iter().enumerate() {
                assert_eq!(f.id, FeatureId(i as u64));
            }
        }
    }
}
