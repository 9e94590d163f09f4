//! One GeoJSON feature, held once: its exact record for saving, its geometry packed for
//! drawing and measuring.

use geojson::{JsonObject, JsonValue};

use super::{FeatureId, Lang, packed};

/// One GeoJSON feature: its geometry for drawing and measuring, and everything else the file said.
///
/// The geometry is held once. Most files' geometries are plain 2-D positions, which
/// [`Feature::geometry`] holds exactly: the record then leaves its own `geometry` out, and
/// [`Feature::record`] puts it back. (Each GeoJSON position takes 32 bytes, a `geo` coordinate
/// 16: for a 14-million-vertex layer keeping both cost 430 MB.) Geometries that `geo` cannot
/// hold exactly (Z values, a bbox or foreign members on the geometry, rings that are not closed,
/// lines across the antimeridian, anything not drawable) stay in the record as read.
///
/// The drawable geometry itself is packed when its coordinates allow ([`packed::Shape`]), as
/// steps from vertex to vertex of a few bytes each: a 14-million-vertex layer written with six
/// decimals then holds its geometry in 30 MB (in `geo`, 224 MB).
///
/// Properties are held as their JSON text, compact, and read when asked for: a map of five
/// entries takes some 700 bytes, its text some 130 (on a 100 000-feature layer, 70 MB against
/// 13). The text is what saving writes, so what is saved does not change.
///
/// The rest of the record (`bbox`, foreign members, a geometry not held exactly) is boxed, and
/// held only when there is any: most features have none, and an empty `geojson::Feature` takes
/// some 300 bytes (30 MB on a 100 000-feature layer).
#[derive(Clone, Debug)]
pub struct Feature {
    /// The record's id.
    record_id: Option<geojson::feature::Id>,
    /// The rest of the record as read (`bbox`, foreign members, and its geometry unless
    /// `elided`), when it holds any of them; never its id or properties.
    rest: Option<Box<geojson::Feature>>,
    /// The record's properties as compact JSON text (an object), or `None` for none (null).
    properties: Option<Box<str>>,
    /// Geometry in WGS84 longitude/latitude for drawing and measuring, derived from the record;
    /// `None` for a null geometry or one that cannot be drawn.
    geometry: Option<packed::Shape>,
    /// The record's geometry is `geometry`, exactly, and left out of `record`.
    elided: bool,
    /// Its identity in its layer (given by the layer; see [`FeatureId`]).
    pub(super) id: FeatureId,
}

impl Feature {
    /// A feature from its record, with the drawable geometry derived from it.
    pub fn from_record(record: geojson::Feature) -> Self {
        let geometry = record.geometry.as_ref().and_then(|g| drawable(g).ok());
        Self::from_parts(record, geometry)
    }

    /// A feature from its record and the drawable geometry already derived from it (see
    /// [`drawable`]).
    pub fn from_parts(mut record: geojson::Feature, geometry: Option<geo::Geometry<f64>>) -> Self {
        let elided = match (&record.geometry, &geometry) {
            (Some(g), Some(d)) => {
                g.bbox.is_none() && g.foreign_members.is_none() && same(&g.value, d)
            }
            _ => false,
        };
        if elided {
            record.geometry = None;
        }
        let properties = record
            .properties
            .take()
            .map(|p| JsonValue::Object(p).to_string().into_boxed_str());
        let record_id = record.id.take();
        let rest = (record.bbox.is_some()
            || record.geometry.is_some()
            || record.foreign_members.is_some())
        .then(|| Box::new(record));
        Self {
            record_id,
            rest,
            properties,
            geometry: geometry.map(packed::Shape::new),
            elided,
            id: FeatureId(0),
        }
    }

    /// The feature with `text` for its properties, when given: text that serde_json writes
    /// for the object it reads from it (compact, each key once), as
    /// [`crate::io::geojson_feature::compact_object`] finds it in a file. What
    /// [`Feature::from_parts`] makes of the record's properties read into a map, without the map.
    pub(crate) fn with_properties_text(mut self, text: Option<Box<str>>) -> Self {
        if text.is_some() {
            self.properties = text;
        }
        self
    }

    /// A feature whose record's geometry is `g` exactly (2-D positions as read, no bbox or
    /// foreign members on the geometry) and is left out of `record`: what [`Feature::from_record`]
    /// makes of the whole record, without making the record's positions first. Gives the record
    /// back, geometry included, when `g` is not drawable as it is (outside WGS84 degrees, across
    /// the antimeridian): [`Feature::from_record`] says why, or unwraps it.
    pub fn from_exact(
        mut record: geojson::Feature,
        g: geo::Geometry<f64>,
    ) -> Result<Self, Box<geojson::Feature>> {
        if !drawable_as_read(&g) {
            record.geometry = Some(to_geojson(&g));
            return Err(Box::new(record));
        }
        let mut f = Self::from_parts(record, None);
        f.geometry = Some(packed::Shape::new(g));
        f.elided = true;
        Ok(f)
    }

    /// [`Feature::from_exact`] for a geometry packed straight from the text's decimals, which
    /// the reader packs only where it is drawable as read (see
    /// [`crate::io::geojson_feature::Exact::Packed`]).
    pub fn from_packed(record: geojson::Feature, p: packed::Packed) -> Self {
        let mut f = Self::from_parts(record, None);
        f.geometry = Some(packed::Shape::Packed(p));
        f.elided = true;
        f
    }

    /// The feature as read or last edited, geometry and properties included: what is saved.
    pub fn record(&self) -> std::borrow::Cow<'_, geojson::Feature> {
        let mut r = match &self.rest {
            Some(rest) => (**rest).clone(),
            None => empty_record(),
        };
        if self.elided {
            r.geometry = self.geometry().as_deref().map(to_geojson);
        }
        r.id.clone_from(&self.record_id);
        r.properties = self.properties_map();
        std::borrow::Cow::Owned(r)
    }

    /// [`Feature::record`], by value.
    pub fn into_record(self) -> geojson::Feature {
        let properties = self.properties_map();
        let geometry = self
            .elided
            .then(|| self.geometry().as_deref().map(to_geojson));
        let mut r = self.rest.map_or_else(empty_record, |r| *r);
        if let Some(g) = geometry {
            r.geometry = g;
        }
        r.id = self.record_id;
        r.properties = properties;
        r
    }

    /// The record's geometry (GeoJSON, with Z values and foreign members as read).
    pub fn record_geometry(&self) -> Option<std::borrow::Cow<'_, geojson::Geometry>> {
        if self.elided {
            self.geometry()
                .map(|g| std::borrow::Cow::Owned(to_geojson(&g)))
        } else {
            self.rest
                .as_ref()
                .and_then(|r| r.geometry.as_ref())
                .map(std::borrow::Cow::Borrowed)
        }
    }

    /// The record's id, `bbox` and foreign members, and its geometry when that is not held as
    /// the drawable geometry (read any geometry with [`Feature::record_geometry`], and the
    /// properties with [`Feature::properties`] or [`Feature::property`]).
    pub fn meta(&self) -> Meta<'_> {
        let rest = self.rest.as_deref();
        Meta {
            id: self.record_id.as_ref(),
            bbox: rest.and_then(|r| r.bbox.as_ref()),
            foreign_members: rest.and_then(|r| r.foreign_members.as_ref()),
            geometry: rest.and_then(|r| r.geometry.as_ref()),
        }
    }

    /// Replaces the whole record, geometry included, and derives the drawable geometry again.
    /// The feature keeps its identity.
    pub fn set_record(&mut self, record: geojson::Feature) {
        let id = self.id;
        *self = Self::from_record(record);
        self.id = id;
    }

    /// Its identity in its layer.
    pub fn id(&self) -> FeatureId {
        self.id
    }

    /// The geometry to draw and measure (WGS84 longitude/latitude); made again from its packed
    /// form for most features, so ask once and keep it while needed.
    pub fn geometry(&self) -> Option<std::borrow::Cow<'_, geo::Geometry<f64>>> {
        self.geometry.as_ref().map(packed::Shape::geometry)
    }

    /// Its drawable geometry as held: packed, or as `geo` holds it.
    pub fn shape(&self) -> Option<&packed::Shape> {
        self.geometry.as_ref()
    }

    /// 2 for areas, 1 for lines, 0 for points; `None` for a collection, or no geometry.
    pub fn dimension(&self) -> Option<u8> {
        self.geometry.as_ref().and_then(packed::Shape::dimension)
    }

    /// Its drawable geometry's number of vertices.
    pub fn vertex_count(&self) -> usize {
        self.geometry
            .as_ref()
            .map_or(0, packed::Shape::vertex_count)
    }

    /// Heap bytes its drawable geometry takes.
    pub fn geometry_bytes(&self) -> usize {
        self.geometry.as_ref().map_or(0, packed::Shape::heap_bytes)
    }

    /// A property by key, read from the properties' text (only that one is made).
    pub fn property(&self, key: &str) -> Option<JsonValue> {
        let text = self.properties.as_deref()?;
        if let Some(found) = member_text(text, key) {
            return found.and_then(|value| serde_json::from_str(value).ok());
        }
        let mut de = serde_json::Deserializer::from_str(text);
        serde::de::DeserializeSeed::deserialize(FindKey(key), &mut de)
            .ok()
            .flatten()
    }

    /// Calls `each` with each key of its properties, in order, read from their text without
    /// reading a value. `false` when a key has an escape (its text is not the key) or the text
    /// is not serde_json's: the keys were then not all given.
    pub fn each_property_key(&self, mut each: impl FnMut(&str)) -> bool {
        let Some(text) = self.properties.as_deref() else {
            return true;
        };
        Members::of(text).all(|m| m.map(|(key, _)| each(key)).is_ok())
    }

    /// The properties as read or last edited (`None` for none), made from their text.
    pub fn properties_map(&self) -> Option<JsonObject> {
        // The text is a map's own compact form: it reads back as that map, whatever it holds
        // (its nesting was within serde_json's limit when it was first read).
        self.properties
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
    }

    /// The properties' JSON text (compact), as saving writes it.
    pub fn properties_text(&self) -> Option<&str> {
        self.properties.as_deref()
    }

    /// Heap bytes its properties take.
    pub fn properties_bytes(&self) -> usize {
        self.properties.as_ref().map_or(0, |t| t.len())
    }

    /// A property as text: strings as they are, numbers and booleans printed; `None` for null,
    /// arrays and objects.
    pub fn property_text(&self, key: &str) -> Option<String> {
        match self.property(key)? {
            JsonValue::String(s) => Some(s),
            JsonValue::Number(n) => Some(n.to_string()),
            JsonValue::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// All properties, in order (an empty map when the feature has none).
    pub fn properties(&self) -> JsonObject {
        self.properties_map().unwrap_or_default()
    }

    /// The best name to show for this feature: `name`, then `name_en`, then any `*name*` key, then its id.
    pub fn display_name(&self) -> String {
        for key in ["name", "name_en", "NAME", "Name", "title"] {
            if let Some(text) = self.property_text(key).filter(|s| !s.trim().is_empty()) {
                return text;
            }
        }
        for (k, v) in self.properties() {
            if k.to_lowercase().contains("name")
                && let JsonValue::String(s) = v
                && !s.trim().is_empty()
            {
                return s;
            }
        }
        match &self.record_id {
            Some(geojson::feature::Id::String(s)) => s.clone(),
            Some(geojson::feature::Id::Number(n)) => format!("#{n}"),
            None => "(unnamed feature)".to_owned(),
        }
    }

    /// The feature's name in a language (`name`, `name_en`, `name_zh`), else its display name.
    pub fn name_in(&self, lang: Lang) -> String {
        self.property_text(&lang.key("name"))
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| self.display_name())
    }

    /// Whether the file marks this geometry as not surveyed (`accuracy` is `indicative` or
    /// `approximate`).
    pub fn accuracy(&self) -> Option<String> {
        self.property_text("accuracy")
    }

    /// True for Polygon and MultiPolygon geometries.
    pub fn is_areal(&self) -> bool {
        self.geometry.as_ref().is_some_and(packed::Shape::is_areal)
    }
}

/// What a feature's record says besides its properties (see [`Feature::meta`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Meta<'a> {
    pub id: Option<&'a geojson::feature::Id>,
    pub bbox: Option<&'a geojson::Bbox>,
    pub foreign_members: Option<&'a JsonObject>,
    /// The record's geometry when it is not the drawable geometry exactly (Z values, a bbox or
    /// foreign members on it, …); `None` otherwise.
    pub geometry: Option<&'a geojson::Geometry>,
}

fn empty_record() -> geojson::Feature {
    geojson::Feature {
        bbox: None,
        geometry: None,
        id: None,
        properties: None,
        foreign_members: None,
    }
}

/// Reads one key's value out of a JSON object, skipping the others' values unmade.
struct FindKey<'k>(&'k str);

/// The text of the value `key` has in the compact text of an object (as serde_json writes a
/// map, so each key is in it once): `Some(None)` when no key is `key`, `None` when a key has an
/// escape or the text is not what serde_json writes (then serde_json reads it).
fn member_text<'t>(text: &'t str, key: &str) -> Option<Option<&'t str>> {
    for member in Members::of(text) {
        let (k, value) = member.ok()?;
        if k == key {
            return Some(Some(value));
        }
    }
    Some(None)
}

/// The members of an object's compact text, as serde_json writes a map: each key (the text
/// between its quotes) and the text of its value. An `Err` ends them where a key has an escape
/// (its text is not the key) or the text is not what serde_json writes.
struct Members<'t> {
    text: &'t str,
    /// Where the next key's quote is; `None` once done.
    at: Option<usize>,
}

impl<'t> Members<'t> {
    fn of(text: &'t str) -> Self {
        let at = match text.as_bytes() {
            [b'{', b'}'] => None,
            [b'{', ..] => Some(1),
            _ => Some(usize::MAX),
        };
        Self { text, at }
    }

    fn member(&self, at: usize) -> Option<(&'t str, &'t str, usize)> {
        let b = self.text.as_bytes();
        (b.get(at) == Some(&b'"')).then_some(())?;
        let close = at
            + 1
            + b.get(at + 1..)?
                .iter()
                .position(|&c| c == b'"' || c == b'\\')?;
        (b[close] == b'"').then_some(())?;
        (b.get(close + 1) == Some(&b':')).then_some(())?;
        let start = close + 2;
        let end = value_end(b, start)?;
        Some((
            self.text.get(at + 1..close)?,
            self.text.get(start..end)?,
            end,
        ))
    }
}

impl<'t> Iterator for Members<'t> {
    type Item = Result<(&'t str, &'t str), ()>;
    fn next(&mut self) -> Option<Self::Item> {
        let at = self.at.take()?;
        let Some((key, value, end)) = self.member(at) else {
            return Some(Err(()));
        };
        match self.text.as_bytes().get(end) {
            Some(b',') => self.at = Some(end + 1),
            Some(b'}') if end + 1 == self.text.len() => {}
            _ => return Some(Err(())),
        }
        Some(Ok((key, value)))
    }
}

/// Where the value at `at` in compact JSON text ends: at the `,`, `}` or `]` after it.
fn value_end(b: &[u8], mut at: usize) -> Option<usize> {
    let mut depth = 0usize;
    loop {
        match *b.get(at)? {
            b'"' => {
                at += 1;
                loop {
                    match *b.get(at)? {
                        b'\\' => at += 2,
                        b'"' => break,
                        _ => at += 1,
                    }
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' if depth == 0 => return Some(at),
            b'}' | b']' => depth -= 1,
            b',' if depth == 0 => return Some(at),
            _ => {}
        }
        at += 1;
    }
}

/// Whether a JSON object's key is the one looked for, compared without making it.
struct IsKey<'k>(&'k str);

impl<'de> serde::de::DeserializeSeed<'de> for FindKey<'_> {
    type Value = Option<JsonValue>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for FindKey<'_> {
    type Value = Option<JsonValue>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(is) = map.next_key_seed(IsKey(self.0))? {
            if is {
                found = Some(map.next_value::<JsonValue>()?);
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for IsKey<'_> {
    type Value = bool;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl serde::de::Visitor<'_> for IsKey<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<bool, E> {
        Ok(v == self.0)
    }
}

/// The geometry to draw and measure for a GeoJSON geometry, or why there is none.
///
/// Refused: positions with fewer than two numbers, non-finite numbers, and coordinates outside
/// longitude ±180° / latitude ±90° (they are not WGS84 degrees, and drawing them would throw
/// lines across the world). A line or ring that crosses the antimeridian is unwrapped (170°,
/// −170° becomes 170°, 190°) so it is drawn across the date line, not around the world.
pub fn drawable(g: &geojson::Geometry) -> Result<geo::Geometry<f64>, String> {
    use geojson::GeometryValue as V;
    fn check(value: &geojson::GeometryValue) -> Result<(), String> {
        let position = |p: &geojson::Position| -> Result<(), String> {
            let s = p.as_slice();
            if s.len() < 2 {
                return Err("a position has fewer than two coordinates".to_owned());
            }
            if s.iter().any(|v| !v.is_finite()) {
                return Err("a coordinate is not a finite number".to_owned());
            }
            if s[0].abs() > 180.0 || s[1].abs() > 90.0 {
                return Err(format!(
                    "coordinates outside longitude ±180° / latitude ±90° ({}, {}): not WGS84 \
                     degrees, so not drawn",
                    s[0], s[1]
                ));
            }
            Ok(())
        };
        match value {
            V::Point { coordinates } => position(coordinates),
            V::MultiPoint { coordinates } | V::LineString { coordinates } => {
                coordinates.iter().try_for_each(position)
            }
            V::MultiLineString { coordinates } | V::Polygon { coordinates } => {
                coordinates.iter().flatten().try_for_each(position)
            }
            V::MultiPolygon { coordinates } => coordinates
                .iter()
                .flatten()
                .flatten()
                .try_for_each(position),
            V::GeometryCollection { geometries } => {
                geometries.iter().try_for_each(|g| check(&g.value))
            }
        }
    }
    check(&g.value)?;
    let mut geometry = geo::Geometry::<f64>::try_from(g).map_err(|e| e.to_string())?;
    unwrap_antimeridian(&mut geometry);
    Ok(geometry)
}

/// Whether [`drawable`] gives `g` back as it is: every coordinate in WGS84's range, and no line
/// steps across the antimeridian (more than 180° of longitude between neighbours), and no
/// longitude is −0 (which unwrapping makes +0).
fn drawable_as_read(g: &geo::Geometry<f64>) -> bool {
    use geo::CoordsIter;
    let in_range = |c: geo::Coord<f64>| {
        c.x.is_finite()
            && c.y.is_finite()
            && c.x.abs() <= 180.0
            && c.y.abs() <= 90.0
            && (c.x != 0.0 || c.x.is_sign_positive())
    };
    let steady =
        |l: &geo::LineString<f64>| l.0.windows(2).all(|w| (w[1].x - w[0].x).abs() <= 180.0);
    let polygon = |p: &geo::Polygon<f64>| steady(p.exterior()) && p.interiors().iter().all(steady);
    g.coords_iter().all(in_range)
        && match g {
            geo::Geometry::LineString(l) => steady(l),
            geo::Geometry::MultiLineString(ml) => ml.0.iter().all(steady),
            geo::Geometry::Polygon(p) => polygon(p),
            geo::Geometry::MultiPolygon(mp) => mp.0.iter().all(polygon),
            geo::Geometry::Point(_) | geo::Geometry::MultiPoint(_) => true,
            _ => false,
        }
}

/// The GeoJSON geometry of a `geo` one (2-D positions).
fn to_geojson(g: &geo::Geometry<f64>) -> geojson::Geometry {
    geojson::Geometry::new(geojson::GeometryValue::from(g))
}

/// Whether a GeoJSON geometry value is exactly `d`, position by position (2-D positions, the
/// same structure): then the value can be made again from `d` alone.
fn same(v: &geojson::GeometryValue, d: &geo::Geometry<f64>) -> bool {
    use geojson::GeometryValue as V;
    fn at(p: &geojson::Position, c: geo::Coord<f64>) -> bool {
        let s = p.as_slice();
        // Bitwise, so that -0.0 and 0.0 stay what they were.
        s.len() == 2 && s[0].to_bits() == c.x.to_bits() && s[1].to_bits() == c.y.to_bits()
    }
    fn line(ps: &[geojson::Position], l: &geo::LineString<f64>) -> bool {
        ps.len() == l.0.len() && ps.iter().zip(&l.0).all(|(p, c)| at(p, *c))
    }
    fn polygon(rings: &[Vec<geojson::Position>], p: &geo::Polygon<f64>) -> bool {
        rings.len() == 1 + p.interiors().len()
            // `[[]]` makes an empty polygon, which geojson writes `[]`.
            && rings.first().is_some_and(|r| !r.is_empty() && line(r, p.exterior()))
            && rings[1..]
                .iter()
                .zip(p.interiors())
                .all(|(r, l)| line(r, l))
    }
    match (v, d) {
        (V::Point { coordinates }, geo::Geometry::Point(p)) => at(coordinates, p.0),
        (V::MultiPoint { coordinates }, geo::Geometry::MultiPoint(mp)) => {
            coordinates.len() == mp.0.len()
                && coordinates.iter().zip(&mp.0).all(|(c, p)| at(c, p.0))
        }
        (V::LineString { coordinates }, geo::Geometry::LineString(l)) => line(coordinates, l),
        (V::MultiLineString { coordinates }, geo::Geometry::MultiLineString(ml)) => {
            coordinates.len() == ml.0.len()
                && coordinates.iter().zip(&ml.0).all(|(c, l)| line(c, l))
        }
        (V::Polygon { coordinates }, geo::Geometry::Polygon(p)) => polygon(coordinates, p),
        (V::MultiPolygon { coordinates }, geo::Geometry::MultiPolygon(mp)) => {
            coordinates.len() == mp.0.len()
                && coordinates.iter().zip(&mp.0).all(|(c, p)| polygon(c, p))
        }
        (V::GeometryCollection { geometries }, geo::Geometry::GeometryCollection(gc)) => {
            geometries.len() == gc.0.len()
                && geometries.iter().zip(&gc.0).all(|(g, d)| {
                    g.bbox.is_none() && g.foreign_members.is_none() && same(&g.value, d)
                })
        }
        _ => false,
    }
}

/// Makes every line and ring continuous in longitude: a step of more than 180° is taken the
/// short way, across the antimeridian.
fn unwrap_antimeridian(g: &mut geo::Geometry<f64>) {
    fn line(l: &mut geo::LineString<f64>) {
        let mut shift = 0.0;
        let mut previous: Option<f64> = None;
        let mut unwrapped = l.clone();
        for c in unwrapped.0.iter_mut() {
            let raw = c.x;
            if let Some(p) = previous {
                let step = raw - p;
                if step > 180.0 {
                    shift -= 360.0;
                } else if step < -180.0 {
                    shift += 360.0;
                }
            }
            previous = Some(raw);
            c.x = raw + shift;
        }
        // A closed ring that comes back 360° away circles a pole: unwrapping cannot help it.
        let circles_a_pole = l.is_closed()
            && unwrapped
                .0
                .first()
                .zip(unwrapped.0.last())
                .is_some_and(|(a, b)| (a.x - b.x).abs() > 1.0);
        if !circles_a_pole {
            *l = unwrapped;
        }
    }
    fn polygon(p: &mut geo::Polygon<f64>) {
        p.exterior_mut(line);
        p.interiors_mut(|rings| rings.iter_mut().for_each(line));
    }
    match g {
        geo::Geometry::LineString(l) => line(l),
        geo::Geometry::MultiLineString(ml) => ml.0.iter_mut().for_each(line),
        geo::Geometry::Polygon(p) => polygon(p),
        geo::Geometry::MultiPolygon(mp) => mp.0.iter_mut().for_each(polygon),
        geo::Geometry::GeometryCollection(gc) => gc.0.iter_mut().for_each(unwrap_antimeridian),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A property found in the text by its key is the value the properties read whole have for
    /// it, whatever the values around it hold; a key with an escape is read by serde_json.
    #[test]
    fn a_property_found_in_the_text_is_the_one_the_whole_properties_have() {
        let texts = [
            r#"{}"#,
            r#"{"name":"Vùng A","zone_type":"agricultural","area_target_ha":0.7,"n":-3,"t":true,"z":null}"#,
            r#"{"a":"x\"y,}]","b":{"c":[1,{"d":"}"}],"e":"\\"},"f":[[],{}],"name":"B"}"#,
            r#"{"q\"k":1,"name":"C","a\u0041":2}"#,
            r##"{"s":"line\nnext \u0001","fill":"#ff0000","fill-opacity":0.5}"##,
        ];
        let keys = [
            "name",
            "zone_type",
            "area_target_ha",
            "n",
            "t",
            "z",
            "a",
            "b",
            "f",
            "q\"k",
            "aA",
            "a\\u0041",
            "s",
            "fill",
            "fill-opacity",
            "missing",
            "",
            "nam",
        ];
        for text in texts {
            let map: JsonObject = serde_json::from_str(text).unwrap();
            let record = geojson::Feature {
                properties: Some(map.clone()),
                ..Default::default()
            };
            let f = Feature::from_record(record);
            for key in keys {
                assert_eq!(f.property(key).as_ref(), map.get(key), "{text}: {key}");
            }
            // Its keys, unless one has an escape.
            let mut seen = Vec::new();
            let all = f.each_property_key(|k| seen.push(k.to_owned()));
            let escaped = map.keys().any(|k| k.contains(['"', '\\']));
            assert_eq!(all, !escaped, "{text}");
            if all {
                assert_eq!(seen, map.keys().cloned().collect::<Vec<_>>(), "{text}");
            }
        }
        // Read in the text for keys without escapes, by serde_json once a key has one.
        let text = r#"{"a":1,"b":"x\"}","c":2}"#;
        assert_eq!(member_text(text, "c"), Some(Some("2")));
        assert_eq!(member_text(text, "b"), Some(Some(r#""x\"}""#)));
        assert_eq!(member_text(text, "d"), Some(None));
        assert_eq!(member_text(r#"{"a\"":1,"c":2}"#, "c"), None);
    }

    #[test]
    fn a_feature_holds_only_what_its_record_has_and_gives_it_all_back() {
        // An id, properties and a plain geometry: nothing else of the record is held.
        let plain: geojson::Feature = serde_json::from_str(
            r#"{"type": "Feature", "id": 7, "properties": {"name": "A"},
                "geometry": {"type": "Point", "coordinates": [106.6, 11.0]}}"#,
        )
        .unwrap();
        let f = Feature::from_record(plain.clone());
        assert!(f.rest.is_none(), "an empty rest of the record is not kept");
        assert_eq!(f.meta().id, Some(&geojson::feature::Id::Number(7.into())));
        assert_eq!(f.record().into_owned(), plain);
        assert_eq!(f.clone().into_record(), plain);
        // A bbox, foreign members and a geometry not held exactly are kept, and given back.
        let rich: geojson::Feature = serde_json::from_str(
            r#"{"type": "Feature", "id": "z-1", "bbox": [106.0, 10.0, 107.0, 11.0],
                "properties": null, "source": "seed",
                "geometry": {"type": "Point", "coordinates": [106.6, 11.0, 5.0]}}"#,
        )
        .unwrap();
        let f = Feature::from_record(rich.clone());
        let meta = f.meta();
        assert_eq!(meta.bbox, Some(&vec![106.0, 10.0, 107.0, 11.0]));
        assert!(meta.foreign_members.is_some_and(|m| m["source"] == "seed"));
        assert!(meta.geometry.is_some(), "a Z value is kept as read");
        assert_eq!(f.record().into_owned(), rich);
        assert_eq!(f.into_record(), rich);
        // 100 000 features of 416 bytes each took 40 MiB before the rest was boxed.
        let size = std::mem::size_of::<Feature>();
        assert!(size <= 128, "a feature takes {size} bytes");
    }

    #[test]
    fn properties_are_held_as_text_and_read_back_exactly() {
        let text = r#"{"type": "Feature", "geometry": null, "properties": {
            "name": "Khu công nghiệp Mỹ Phước 3", "tên \"khác\"": "a\u00e9\n",
            "area": 1.0, "negative zero": -0.0, "big": 18446744073709551615, "huge": 1e300,
            "small": 5e-324, "pi": 3.141592653589793, "list": [1, "two", null, {"deep": [[]]}],
            "ok": true, "none": null, "name": "the last of a key given twice"}}"#;
        let record: geojson::Feature = serde_json::from_str(text).unwrap();
        let f = Feature::from_record(record.clone());
        // Held as text, not as a map.
        assert!(f.properties_bytes() < 300, "{} bytes", f.properties_bytes());
        assert_eq!(*f.record(), record);
        assert_eq!(f.clone().into_record(), record);
        assert_eq!(f.properties_map(), record.properties);
        for (k, v) in record.properties.as_ref().unwrap() {
            assert_eq!(f.property(k).as_ref(), Some(v), "{k}");
        }
        assert_eq!(f.property("absent"), None);
        assert_eq!(f.property("tên"), None);
        assert_eq!(
            f.property_text("name").as_deref(),
            Some("the last of a key given twice")
        );
        assert_eq!(
            f.properties().keys().collect::<Vec<_>>(),
            record
                .properties
                .as_ref()
                .unwrap()
                .keys()
                .collect::<Vec<_>>()
        );
        // None stays none, and an empty map stays an empty map.
        let mut bare = record.clone();
        bare.properties = None;
        let f = Feature::from_record(bare.clone());
        assert_eq!((*f.record()).clone(), bare);
        assert_eq!(f.property("name"), None);
        bare.properties = Some(JsonObject::new());
        assert_eq!(*Feature::from_record(bare.clone()).record(), bare);
    }

    fn feature(geometry: serde_json::Value) -> geojson::Feature {
        serde_json::from_value(serde_json::json!({
            "type": "Feature",
            "id": 7,
            "properties": {"name": "x"},
            "geometry": geometry,
        }))
        .expect("a feature")
    }

    #[test]
    fn a_plain_geometry_is_held_once_and_given_back_exactly() {
        let g = serde_json::json!({"type": "MultiPolygon", "coordinates": [
            [[[106.6, 11.0], [106.7, 11.0], [106.7, 11.1], [106.6, 11.1], [106.6, 11.0]],
             [[106.62, 11.02], [106.64, 11.02], [106.64, 11.04], [106.62, 11.02]]],
            [[[106.8, 11.0], [106.9, 11.0], [106.9, 11.1], [106.8, 11.0]]]]});
        let record = feature(g);
        let f = Feature::from_record(record.clone());
        assert!(f.elided, "a 2-D multipolygon is held by `geo` alone");
        assert!(f.meta().geometry.is_none());
        assert_eq!(*f.record(), record);
        assert_eq!(f.clone().into_record(), record);
        assert_eq!(f.record_geometry().as_deref(), record.geometry.as_ref());
    }

    #[test]
    fn geometries_geo_cannot_hold_exactly_stay_as_read() {
        for g in [
            // Z values.
            serde_json::json!({"type": "LineString", "coordinates": [[106.6, 11.0, 3.5], [106.7, 11.0, 4.0]]}),
            // A ring that is not closed (geo would close it).
            serde_json::json!({"type": "Polygon", "coordinates": [[[106.6, 11.0], [106.7, 11.0], [106.7, 11.1]]]}),
            // Across the antimeridian (unwrapped for drawing).
            serde_json::json!({"type": "LineString", "coordinates": [[179.5, 0.0], [-179.5, 0.0]]}),
            // A bbox and a foreign member on the geometry.
            serde_json::json!({"type": "Point", "coordinates": [106.6, 11.0], "bbox": [106.6, 11.0, 106.6, 11.0]}),
            serde_json::json!({"type": "Point", "coordinates": [106.6, 11.0], "note": "kept"}),
            // -0.0, which drawing makes 0.0.
            serde_json::json!({"type": "LineString", "coordinates": [[106.6, 11.0], [-0.0, 11.0]]}),
            // Not drawable.
            serde_json::json!({"type": "Point", "coordinates": [500.0, 11.0]}),
            // Nested: one member with Z.
            serde_json::json!({"type": "GeometryCollection", "geometries": [
                {"type": "Point", "coordinates": [106.6, 11.0]},
                {"type": "Point", "coordinates": [106.6, 11.0, 1.0]}]}),
        ] {
            let record = feature(g.clone());
            let f = Feature::from_record(record.clone());
            assert!(!f.elided, "{g}");
            assert_eq!(*f.record(), record, "{g}");
            assert_eq!(
                serde_json::to_string(&*f.record()).ok(),
                serde_json::to_string(&record).ok(),
                "{g}"
            );
            assert_eq!(f.into_record(), record, "{g}");
        }
        // A null geometry stays null.
        let record = feature(serde_json::Value::Null);
        let f = Feature::from_record(record.clone());
        assert_eq!(*f.record(), record);
    }

    #[test]
    fn set_record_replaces_the_geometry() {
        let mut f = Feature::from_record(feature(
            serde_json::json!({"type": "Point", "coordinates": [106.6, 11.0]}),
        ));
        let moved = feature(serde_json::json!({"type": "Point", "coordinates": [106.7, 11.2]}));
        f.set_record(moved.clone());
        assert_eq!(*f.record(), moved);
        assert!(matches!(f.geometry().as_deref(), Some(geo::Geometry::Point(p)) if p.x() == 106.7));
    }
}
