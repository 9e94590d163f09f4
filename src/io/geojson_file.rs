//! GeoJSON (RFC 7946) files to features, with errors that say where.

use std::path::{Path, PathBuf};

use geojson::GeoJson;

use crate::model::{Feature, FileStamp, Layer, SourceForm};

/// Why a GeoJSON file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: cannot read the file: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: line {line}, column {column}: {message}")]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// The features of one file, and what was odd about it.
#[derive(Debug, Default)]
pub struct ParsedLayer {
    pub features: Vec<Feature>,
    /// Remarks on features that load but not as written (e.g. a geometry that cannot be drawn).
    pub warnings: Vec<String>,
    /// How the file was written at its top level.
    pub form: SourceForm,
    /// What the bytes were (the caller adds the modification time).
    pub stamp: Option<FileStamp>,
}

impl ParsedLayer {
    /// The parsed file as a layer named `name`, read from `path` with `style`.
    pub fn into_layer(self, name: String, path: PathBuf, style: crate::model::LayerStyle) -> Layer {
        Layer::new(name, path, style, self.features, self.warnings)
            .with_source(self.form, self.stamp)
    }
}

/// Bounds on what one file may ask of the machine. A file past one is refused with a message
/// before it can exhaust memory.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest file read, in bytes.
    pub max_bytes: u64,
    /// Most positions (vertices) in all.
    pub max_positions: usize,
    /// Longest string property, in bytes.
    pub max_string: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 1 << 30,
            max_positions: 60_000_000,
            max_string: 16 << 20,
        }
    }
}

/// Reads and parses a GeoJSON file.
pub fn read_geojson(path: &Path) -> Result<ParsedLayer, LoadError> {
    read_geojson_with(path, &Limits::default())
}

/// Reads and parses a GeoJSON file within `limits`.
pub fn read_geojson_with(path: &Path, limits: &Limits) -> Result<ParsedLayer, LoadError> {
    check_size(path, limits)?;
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut parsed = parse_geojson_with(&bytes, path, limits)?;
    if let Some(stamp) = parsed.stamp.as_mut() {
        stamp.modified = modified_time(path);
    }
    Ok(parsed)
}

/// Window of the file read at a time by [`read_geojson_streamed`]: large enough that every
/// core has a few pieces to read, small beside a large file, and small enough that the window
/// read ahead and the one being read stay in the processor's cache together (16 MiB windows
/// made the first frame of the large layer 6 % slower, BENCHMARKS.md).
const WINDOW: usize = 4 << 20;

/// A FeatureCollection file read a window at a time ([`read_collection_from`]), so that its whole
/// text is never held, with the messages [`parse_geojson_with`] would give for its features.
/// `progress` is given the bytes read so far and returns `false` to stop. `Ok(None)`: stopped,
/// or not a file that reader takes (another form, something unusual or broken): read it whole.
///
/// [`read_collection_from`]: super::geojson_feature::read_collection_from
pub fn read_geojson_streamed(
    path: &Path,
    limits: &Limits,
    mut progress: impl FnMut(u64) -> bool + Send,
) -> Result<Option<ParsedLayer>, LoadError> {
    use super::geojson_feature::{Streamed, read_collection_from};
    let io = |source: std::io::Error| LoadError::Io {
        path: path.to_owned(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let len_hint = file.metadata().map_or(0, |m| m.len());
    let mut crc = crc32fast::Hasher::new();
    let mut len = 0u64;
    let read = read_collection_from(
        &mut file,
        (WINDOW, len_hint),
        |bytes| {
            crc.update(bytes);
            len += bytes.len() as u64;
            len <= limits.max_bytes && progress(len)
        },
        |_, record| convert(record, limits),
    )
    .map_err(io)?;
    let Streamed::Read((converted, bbox, foreign_members)) = read else {
        return Ok(None);
    };
    let stamp = FileStamp {
        len,
        crc: crc.finalize(),
        modified: None,
    };
    let form = SourceForm::FeatureCollection {
        bbox,
        foreign_members,
    };
    finish(converted, form, stamp, path, limits).map(Some)
}

/// Refuses a file larger than the limit before a byte of it is read.
pub fn check_size(path: &Path, limits: &Limits) -> Result<(), LoadError> {
    let len = std::fs::metadata(path)
        .map_err(|source| LoadError::Io {
            path: path.to_owned(),
            source,
        })?
        .len();
    if len > limits.max_bytes {
        return Err(LoadError::Invalid {
            path: path.to_owned(),
            message: format!(
                "the file is {:.1} GB, more than the {:.1} GB Corridor opens at once; split it \
                 (ogr2ogr -spat …) or simplify it first",
                len as f64 / 1e9,
                limits.max_bytes as f64 / 1e9
            ),
        });
    }
    Ok(())
}

/// When a file was last modified, if the system says.
pub fn modified_time(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// What the file at `path` is now, or `None` when it cannot be read.
pub fn stamp_of(path: &Path) -> Option<FileStamp> {
    // Read a mebibyte at a time: a layer's file may be hundreds of them.
    use std::io::Read;
    let mut file = std::fs::File::open(path).ok()?;
    let mut crc = crc32fast::Hasher::new();
    let mut len = 0u64;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                crc.update(&buf[..n]);
                len += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    Some(FileStamp {
        len,
        crc: crc.finalize(),
        modified: modified_time(path),
    })
}

/// Whether the file at `path` still holds what `known` says. Its size and time are looked at
/// first, as the disk check does; only when they differ is the whole file read.
pub fn unchanged_on_disk(path: &Path, known: &FileStamp) -> bool {
    let meta = std::fs::metadata(path).ok();
    if meta
        .as_ref()
        .is_some_and(|m| m.len() == known.len && m.modified().ok() == known.modified)
    {
        return true;
    }
    stamp_of(path).is_some_and(|now| now.same_contents(known))
}

/// ASCII record separator: starts each record of a GeoJSON text sequence (RFC 8142).
pub(super) const RS: u8 = 0x1e;

/// Parses GeoJSON text: a FeatureCollection, a single Feature, a bare Geometry, or a GeoJSON text
/// sequence (RFC 8142, or one feature per line). `path` only names the source in messages.
pub fn parse_geojson(bytes: &[u8], path: &Path) -> Result<ParsedLayer, LoadError> {
    parse_geojson_with(bytes, path, &Limits::default())
}

/// [`parse_geojson`] within `limits`.
pub fn parse_geojson_with(
    bytes: &[u8],
    path: &Path,
    limits: &Limits,
) -> Result<ParsedLayer, LoadError> {
    let stamp = FileStamp::of(bytes, None);
    if bytes.len() as u64 > limits.max_bytes {
        return Err(LoadError::Invalid {
            path: path.to_owned(),
            message: format!("the data is larger than {} bytes", limits.max_bytes),
        });
    }
    // Editors on Windows like to start UTF-8 files with a byte-order mark; JSON forbids it.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    // A FeatureCollection (the usual file) is parsed feature by feature on every core, each
    // turned into its drawable form at once: the file's positions are never all held twice.
    // First in pieces read in parallel, without a pass to find where each feature is.
    if first == Some(b'{')
        && let Ok(text) = std::str::from_utf8(bytes)
        && let Some((converted, bbox, foreign_members)) =
            super::geojson_feature::read_collection(text, |_, record| convert(record, limits))
    {
        let form = SourceForm::FeatureCollection {
            bbox,
            foreign_members,
        };
        return finish(converted, form, stamp, path, limits);
    }
    if first != Some(RS)
        && let Some((raw, form)) = parse_collection(bytes)
    {
        use rayon::prelude::*;
        let converted: Option<Vec<_>> = raw
            .into_par_iter()
            .map(|raw| {
                let record = super::geojson_feature::read(raw.get())
                    .or_else(|| serde_json::from_str::<geojson::Feature>(raw.get()).ok())?;
                Some(convert(record.into(), limits))
            })
            .collect();
        // A feature that does not parse: the general path below says where and why.
        if let Some(converted) = converted {
            return finish(converted, form, stamp, path, limits);
        }
    }
    let (records, form) = if first == Some(RS) {
        (
            parse_sequence(bytes, path, true)?,
            SourceForm::Sequence { separators: true },
        )
    } else {
        match serde_json::from_slice::<GeoJson>(bytes) {
            Ok(geojson) => split(geojson),
            // Several JSON texts one after another: a newline-delimited sequence.
            Err(e)
                if e.to_string().starts_with("trailing characters")
                    && bytes
                        .split(|b| *b == b'\n')
                        .next()
                        .is_some_and(|l| serde_json::from_slice::<GeoJson>(l).is_ok()) =>
            {
                (
                    parse_sequence(bytes, path, false)?,
                    SourceForm::Sequence { separators: false },
                )
            }
            Err(e) => return Err(json_error(bytes, path, &e)),
        }
    };
    use rayon::prelude::*;
    let converted = records
        .into_par_iter()
        .map(|record| convert(record.into(), limits))
        .collect();
    finish(converted, form, stamp, path, limits)
}

/// One record as read, made a feature: its drawable geometry (or a warning saying why it has
/// none), its number of positions, or the text property past the limit.
struct Converted {
    feature: Feature,
    /// Why it has no drawable geometry, after the feature's number (which `finish` knows).
    warning: Option<String>,
    positions: usize,
    /// A property whose text is longer than allowed: its key and length.
    too_long: Option<(String, usize)>,
}

fn convert(read: super::geojson_feature::Read, limits: &Limits) -> Converted {
    // Before the feature holds its properties as text.
    let too_long = too_long(&read.record, limits)
        .or_else(|| too_long_in_text(read.properties.as_deref(), limits));
    use super::geojson_feature::Exact;
    let properties = read.properties;
    let record = match read.exact {
        Some(Exact::Packed(p)) => {
            let feature = Feature::from_packed(read.record, p).with_properties_text(properties);
            return Converted {
                too_long,
                positions: feature.vertex_count(),
                feature,
                warning: None,
            };
        }
        Some(Exact::Coords(g)) => match Feature::from_exact(read.record, g) {
            Ok(feature) => {
                let feature = feature.with_properties_text(properties);
                return Converted {
                    too_long,
                    positions: feature.vertex_count(),
                    feature,
                    warning: None,
                };
            }
            Err(record) => *record,
        },
        None => read.record,
    };
    let positions = record
        .geometry
        .as_ref()
        .map_or(0, |g| count_positions(&g.value));
    let (geometry, warning) = match record.geometry.as_ref() {
        None => (None, None),
        Some(g) => match crate::model::drawable(g) {
            Ok(g) => (Some(g), None),
            Err(e) => (None, Some(format!("{}: {e}", id_note(&record)))),
        },
    };
    Converted {
        feature: Feature::from_parts(record, geometry).with_properties_text(properties),
        warning,
        positions,
        too_long,
    }
}

/// [`too_long`] for properties kept as text: none when the whole text is within the limit.
fn too_long_in_text(text: Option<&str>, limits: &Limits) -> Option<(String, usize)> {
    let text = text.filter(|t| t.len() > limits.max_string)?;
    let record = geojson::Feature {
        properties: serde_json::from_str(text).ok(),
        ..Default::default()
    };
    too_long(&record, limits)
}

/// A property whose text is longer than allowed: its key and length.
fn too_long(record: &geojson::Feature, limits: &Limits) -> Option<(String, usize)> {
    record.properties.iter().flatten().find_map(|(key, value)| {
        longest_string(value)
            .filter(|&len| len > limits.max_string)
            .map(|len| (key.clone(), len))
    })
}

/// The layer from its converted features, refused if past the limits; warnings in feature
/// order.
fn finish(
    mut converted: Vec<Converted>,
    form: SourceForm,
    stamp: FileStamp,
    path: &Path,
    limits: &Limits,
) -> Result<ParsedLayer, LoadError> {
    let invalid = |message: String| LoadError::Invalid {
        path: path.to_owned(),
        message,
    };
    let mut positions = 0usize;
    let mut warnings = Vec::new();
    for (i, c) in converted.iter_mut().enumerate() {
        warnings.extend(c.warning.take().map(|w| format!("feature {i}{w}")));
        positions += c.positions;
        if positions > limits.max_positions {
            return Err(invalid(format!(
                "more than {} vertices (at feature {i}): too many to draw at once; simplify or \
                 split the file",
                limits.max_positions
            )));
        }
        if let Some((key, len)) = &c.too_long {
            return Err(invalid(format!(
                "feature {i}: property “{key}” holds a text of {len} bytes, more than the {} \
                 allowed",
                limits.max_string
            )));
        }
    }
    // The features moved out on every core.
    use rayon::prelude::*;
    let mut parsed = ParsedLayer {
        form,
        stamp: Some(stamp),
        features: converted.into_par_iter().map(|c| c.feature).collect(),
        warnings,
    };
    remark_on(&mut parsed);
    Ok(parsed)
}

/// A FeatureCollection read feature by feature. (geojson's own `GeoJson` is an untagged enum:
/// serde buffers the whole document in a generic tree before choosing the variant, which for a
/// 350 MB file costs gigabytes and seconds.) Anything else, or any error, returns `None` and the
/// general path takes over, with its messages.
fn parse_collection(bytes: &[u8]) -> Option<(Vec<&serde_json::value::RawValue>, SourceForm)> {
    let c: Collection = serde_json::from_slice(bytes).ok()?;
    if c.kind.as_deref() != Some("FeatureCollection") {
        return None;
    }
    // Each feature's text is only delimited here, to be parsed on every core.
    let features = c.features?;
    let foreign_members = (!c.foreign_members.is_empty()).then_some(c.foreign_members);
    Some((
        features,
        SourceForm::FeatureCollection {
            bbox: c.bbox,
            foreign_members,
        },
    ))
}

/// The top level of a FeatureCollection, read member by member: `features` straight into typed
/// features, anything unknown kept as a foreign member.
struct Collection<'a> {
    kind: Option<String>,
    /// Each feature's JSON text, borrowed from the file.
    features: Option<Vec<&'a serde_json::value::RawValue>>,
    bbox: Option<geojson::Bbox>,
    foreign_members: geojson::JsonObject,
}

impl<'de> serde::Deserialize<'de> for Collection<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> serde::de::Visitor<'de> for Members {
            type Value = Collection<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a GeoJSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Collection<'de>, A::Error> {
                let mut c = Collection {
                    kind: None,
                    features: None,
                    bbox: None,
                    foreign_members: geojson::JsonObject::new(),
                };
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "type" => c.kind = Some(map.next_value()?),
                        "features" => c.features = Some(map.next_value()?),
                        "bbox" => c.bbox = Some(map.next_value()?),
                        _ => {
                            let value: geojson::JsonValue = map.next_value()?;
                            c.foreign_members.insert(key, value);
                        }
                    }
                }
                Ok(c)
            }
        }
        deserializer.deserialize_map(Members)
    }
}

fn split(geojson: GeoJson) -> (Vec<geojson::Feature>, SourceForm) {
    match geojson {
        GeoJson::FeatureCollection(fc) => (
            fc.features,
            SourceForm::FeatureCollection {
                bbox: fc.bbox,
                foreign_members: fc.foreign_members,
            },
        ),
        GeoJson::Feature(f) => (vec![f], SourceForm::Feature),
        GeoJson::Geometry(g) => (
            vec![geojson::Feature {
                geometry: Some(g),
                ..Default::default()
            }],
            SourceForm::Geometry,
        ),
    }
}

/// The records of a GeoJSON text sequence: each a Feature (or a Geometry, kept as a feature
/// without properties), separated by RS characters or by newlines.
fn parse_sequence(
    bytes: &[u8],
    path: &Path,
    separators: bool,
) -> Result<Vec<geojson::Feature>, LoadError> {
    let mut out = Vec::new();
    let mut line_no = 1;
    let chunks: Vec<&[u8]> = if separators {
        bytes.split(|b| *b == RS).collect()
    } else {
        bytes.split(|b| *b == b'\n').collect()
    };
    for chunk in chunks {
        let start_line = line_no;
        line_no += chunk.iter().filter(|b| **b == b'\n').count() + usize::from(!separators);
        if chunk.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let geojson: GeoJson = serde_json::from_slice(chunk).map_err(|e| {
            let mut err = json_error(chunk, path, &e);
            if let LoadError::Syntax { line, message, .. } = &mut err {
                *line += start_line - 1;
                *message = format!("record {} of the sequence: {message}", out.len() + 1);
            }
            err
        })?;
        match split(geojson) {
            (features, SourceForm::FeatureCollection { .. }) => out.extend(features),
            (features, _) => out.extend(features),
        }
    }
    Ok(out)
}

fn count_positions(value: &geojson::GeometryValue) -> usize {
    use geojson::GeometryValue as V;
    match value {
        V::Point { .. } => 1,
        V::MultiPoint { coordinates } | V::LineString { coordinates } => coordinates.len(),
        V::MultiLineString { coordinates } | V::Polygon { coordinates } => {
            coordinates.iter().map(Vec::len).sum()
        }
        V::MultiPolygon { coordinates } => coordinates.iter().flatten().map(Vec::len).sum(),
        V::GeometryCollection { geometries } => {
            geometries.iter().map(|g| count_positions(&g.value)).sum()
        }
    }
}

fn longest_string(v: &geojson::JsonValue) -> Option<usize> {
    use geojson::JsonValue as J;
    match v {
        J::String(s) => Some(s.len()),
        J::Array(items) => items.iter().filter_map(longest_string).max(),
        J::Object(map) => map.values().filter_map(longest_string).max(),
        _ => None,
    }
}

fn id_note(record: &geojson::Feature) -> String {
    match &record.id {
        Some(geojson::feature::Id::String(s)) => format!(" (id “{s}”)"),
        Some(geojson::feature::Id::Number(n)) => format!(" (id {n})"),
        None => String::new(),
    }
}

/// Remarks on what loads but deserves a word: `crs` members, duplicate ids.
fn remark_on(parsed: &mut ParsedLayer) {
    use rayon::prelude::*;
    let crs = match &parsed.form {
        SourceForm::FeatureCollection {
            foreign_members, ..
        } => foreign_members.as_ref().and_then(|m| m.get("crs")),
        _ => None,
    }
    .or_else(|| {
        parsed
            .features
            .par_iter()
            .find_map_first(|f| f.meta().foreign_members?.get("crs"))
    });
    if let Some(crs) = crs {
        let name = crs
            .pointer("/properties/name")
            .and_then(|n| n.as_str())
            .unwrap_or("unnamed");
        let wgs84 = ["CRS84", "EPSG::4326", "EPSG:4326"]
            .iter()
            .any(|k| name.contains(k));
        parsed.warnings.push(if wgs84 {
            format!("a `crs` member ({name}) is ignored: RFC 7946 GeoJSON is always WGS84 longitude/latitude, as this one says")
        } else {
            format!("a `crs` member names {name}, but RFC 7946 GeoJSON is always WGS84 longitude/latitude: the coordinates are read as degrees, and any outside ±180°/±90° are not drawn")
        });
    }
    // The ids sorted on every core, each run of equal ones counted (a map on one thread was
    // 10 ms of the large layer's load with the other core idle).
    let mut ids: Vec<(IdKey, &geojson::feature::Id)> = parsed
        .features
        .par_iter()
        .filter_map(|f| f.meta().id.map(|id| (IdKey::of(id), id)))
        .collect();
    ids.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    // Written out for the ones used twice only: a text for each of 100 000 ids was 18 ms.
    let mut dupes: Vec<(String, usize)> = ids
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|run| run.len() > 1)
        .map(|run| {
            let key = match run[0].1 {
                geojson::feature::Id::String(s) => format!("“{s}”"),
                geojson::feature::Id::Number(n) => n.to_string(),
            };
            (key, run.len())
        })
        .collect();
    drop(ids);
    if !dupes.is_empty() {
        dupes.sort();
        let list: Vec<String> = dupes
            .iter()
            .take(5)
            .map(|(k, n)| format!("{k} ×{n}"))
            .collect();
        parsed.warnings.push(format!(
            "{} ids are used by more than one feature ({}{}): search and story links take the first",
            dupes.len(),
            list.join(", "),
            if dupes.len() > 5 { ", …" } else { "" }
        ));
    }
}

/// A feature's id, as equal as their texts are: a number and a text of the same digits differ,
/// and so do 1 and 1.0 (or 0.0 and -0.0).
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum IdKey<'a> {
    Text(&'a str),
    Whole(u64),
    Negative(i64),
    /// The bits of a number read as a double.
    Double(u64),
}

impl<'a> IdKey<'a> {
    fn of(id: &'a geojson::feature::Id) -> Self {
        match id {
            geojson::feature::Id::String(s) => Self::Text(s),
            geojson::feature::Id::Number(n) => {
                if let Some(u) = n.as_u64() {
                    Self::Whole(u)
                } else if let Some(i) = n.as_i64() {
                    Self::Negative(i)
                } else {
                    Self::Double(n.as_f64().map_or(0, f64::to_bits))
                }
            }
        }
    }
}

/// A serde error as a load error, with the feature and JSON path of the problem when the JSON
/// itself is sound but not GeoJSON.
fn json_error(bytes: &[u8], path: &Path, e: &serde_json::Error) -> LoadError {
    let mut message = explain_json_error(e);
    if e.classify() == serde_json::error::Category::Data
        && let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes)
        && let Some((at, what)) = locate(&value)
    {
        message = format!("{at}: {what}");
    }
    if e.line() == 0 {
        LoadError::Invalid {
            path: path.to_owned(),
            message,
        }
    } else {
        LoadError::Syntax {
            path: path.to_owned(),
            line: e.line(),
            column: e.column(),
            message,
        }
    }
}

/// The first place where sound JSON is not GeoJSON, as (where, what): where names the feature
/// and the JSON path (`feature 12, features[12].geometry.coordinates[0][3]`).
pub fn locate(v: &serde_json::Value) -> Option<(String, String)> {
    use serde_json::Value as J;
    let kind = v.get("type").and_then(J::as_str);
    match kind {
        Some("FeatureCollection") => match v.get("features") {
            Some(J::Array(items)) => items.iter().enumerate().find_map(|(i, f)| {
                locate_feature(f, &format!("features[{i}]"))
                    .map(|(at, what)| (format!("feature {i}, {at}"), what))
            }),
            _ => Some((
                "features".to_owned(),
                "a FeatureCollection needs a \"features\" array".to_owned(),
            )),
        },
        Some("Feature") => locate_feature(v, "(root)"),
        Some(_) => locate_geometry(v, "(root)"),
        None => Some((
            "(root)".to_owned(),
            "no \"type\" member: not a GeoJSON object".to_owned(),
        )),
    }
}

fn locate_feature(f: &serde_json::Value, at: &str) -> Option<(String, String)> {
    use serde_json::Value as J;
    let J::Object(map) = f else {
        return Some((at.to_owned(), "a feature must be a JSON object".to_owned()));
    };
    if map.get("type").and_then(J::as_str) != Some("Feature") {
        return Some((format!("{at}.type"), "expected \"Feature\"".to_owned()));
    }
    match map.get("id") {
        None | Some(J::String(_) | J::Number(_)) => {}
        Some(_) => {
            return Some((
                format!("{at}.id"),
                "an id must be a string or a number".to_owned(),
            ));
        }
    }
    match map.get("properties") {
        None | Some(J::Null | J::Object(_)) => {}
        Some(_) => {
            return Some((
                format!("{at}.properties"),
                "properties must be an object or null".to_owned(),
            ));
        }
    }
    match map.get("geometry") {
        None | Some(J::Null) => None,
        Some(g) => locate_geometry(g, &format!("{at}.geometry")),
    }
}

fn locate_geometry(g: &serde_json::Value, at: &str) -> Option<(String, String)> {
    use serde_json::Value as J;
    let Some(kind) = g.get("type").and_then(J::as_str) else {
        return Some((at.to_owned(), "a geometry needs a \"type\"".to_owned()));
    };
    let depth = match kind {
        "Point" => 0,
        "MultiPoint" | "LineString" => 1,
        "MultiLineString" | "Polygon" => 2,
        "MultiPolygon" => 3,
        "GeometryCollection" => {
            return match g.get("geometries") {
                Some(J::Array(items)) => items
                    .iter()
                    .enumerate()
                    .find_map(|(i, g)| locate_geometry(g, &format!("{at}.geometries[{i}]"))),
                _ => Some((
                    format!("{at}.geometries"),
                    "a GeometryCollection needs a \"geometries\" array".to_owned(),
                )),
            };
        }
        other => {
            return Some((
                format!("{at}.type"),
                format!("“{other}” is not a GeoJSON geometry type"),
            ));
        }
    };
    match g.get("coordinates") {
        Some(c) => locate_coordinates(c, depth, &format!("{at}.coordinates")),
        None => Some((
            format!("{at}.coordinates"),
            format!("a {kind} needs \"coordinates\""),
        )),
    }
}

fn locate_coordinates(c: &serde_json::Value, depth: usize, at: &str) -> Option<(String, String)> {
    use serde_json::Value as J;
    let J::Array(items) = c else {
        return Some((at.to_owned(), "expected an array".to_owned()));
    };
    if depth == 0 {
        if items.len() < 2 || !items.iter().all(J::is_number) {
            return Some((
                at.to_owned(),
                "a position needs two or more numbers (longitude, latitude[, height])".to_owned(),
            ));
        }
        return None;
    }
    items
        .iter()
        .enumerate()
        .find_map(|(i, item)| locate_coordinates(item, depth - 1, &format!("{at}[{i}]")))
}

pub use super::geojson_write::{geojson_bytes, save_geojson, write_geojson};

/// A layer from GeoJSON text, for unit tests across the crate.
#[cfg(test)]
pub(crate) fn test_layer(text: &str) -> Layer {
    parse_geojson(text.as_bytes(), Path::new("t.geojson"))
        .unwrap()
        .into_layer(
            "t".into(),
            "t.geojson".into(),
            crate::model::LayerStyle::default(),
        )
}

/// serde_json's messages name Rust types; say it in GeoJSON terms where we can.
fn explain_json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    // serde_json appends " at line L column C"; we print the place ourselves.
    let text = match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    };
    match e.classify() {
        serde_json::error::Category::Eof => {
            format!("the file ends too early ({text}); it may have been cut off while copying")
        }
        serde_json::error::Category::Syntax => format!("not valid JSON: {text}"),
        serde_json::error::Category::Data => format!("not valid GeoJSON: {text}"),
        serde_json::error::Category::Io => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_json_says_line_and_column() {
        let text = b"{\n  \"type\": \"FeatureCollection\",\n  \"features\": [ {,} ]\n}";
        let err = parse_geojson(text, Path::new("x.geojson")).unwrap_err();
        match err {
            LoadError::Syntax { line, column, .. } => {
                assert_eq!(line, 3);
                assert!(column > 10);
            }
            other => panic!("expected a syntax error, got {other}"),
        }
    }

    #[test]
    fn truncated_file_is_explained() {
        let err = parse_geojson(
            b"{\"type\": \"FeatureCollection\", \"features\": [",
            Path::new("t.geojson"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("ends too early"), "{err}");
    }

    #[test]
    fn byte_order_mark_is_accepted() {
        let text = b"\xEF\xBB\xBF{\"type\": \"Point\", \"coordinates\": [106.6, 11.0]}";
        let parsed = parse_geojson(text, Path::new("bom.geojson")).unwrap();
        assert_eq!(parsed.features.len(), 1);
        assert!(parsed.features[0].geometry().is_some());
    }

    #[test]
    fn a_save_written_as_it_is_made_is_the_text_and_stamps_what_is_on_disk() {
        let layer = test_layer(
            r#"{"type":"FeatureCollection","bbox":[1,2,3,4],"name":"z","features":[
            {"type":"Feature","id":1,"properties":{"n":"một"},"geometry":{"type":"Point","coordinates":[106.7,11.1]}},
            {"type":"Feature","id":2,"properties":{},"geometry":null}]}"#,
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("z.geojson");
        let stamp = save_geojson(&layer, &path).expect("saved");
        let on_disk = std::fs::read(&path).expect("read back");
        assert_eq!(on_disk, geojson_bytes(&layer).expect("text"));
        assert!(stamp.same_contents(&FileStamp::of(&on_disk, None)));
        assert_eq!(stamp.modified, modified_time(&path));
    }

    #[test]
    fn single_feature_and_null_geometry_load() {
        let text =
            r#"{"type": "Feature", "id": 7, "properties": {"name": "Dĩ An"}, "geometry": null}"#
                .as_bytes();
        let parsed = parse_geojson(text, Path::new("f.geojson")).unwrap();
        assert_eq!(parsed.features.len(), 1);
        assert_eq!(parsed.features[0].display_name(), "Dĩ An");
        assert!(parsed.features[0].geometry().is_none());
    }

    /// Ids used twice are named, each once with its count; ids alike in text only are not the
    /// same (a number and a text of its digits, 1 and 1.0, 0.0 and -0.0).
    #[test]
    fn ids_used_by_more_than_one_feature_are_named_with_their_counts() {
        let ids = [
            "1", "1", "\"1\"", "1.0", "\"a\"", "\"a\"", "\"a\"", "-2", "-2", "0.0", "-0.0", "\"b\"",
        ];
        let features: Vec<String> = ids
            .iter()
            .map(|id| {
                format!(r#"{{"type":"Feature","id":{id},"properties":null,"geometry":null}}"#)
            })
            .collect();
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",")
        );
        let parsed = parse_geojson(text.as_bytes(), Path::new("f.geojson")).unwrap();
        let named: Vec<&String> = parsed
            .warnings
            .iter()
            .filter(|w| w.contains("more than one feature"))
            .collect();
        assert_eq!(
            named,
            [
                "3 ids are used by more than one feature (-2 ×2, 1 ×2, “a” ×3): search and \
                 story links take the first"
            ]
        );
    }

    /// Geometries read straight into `geo`'s form make the features their records make: the
    /// same geometry, the same record left, the same warnings. Among them the geometries `geo`
    /// cannot hold as read (a ring not closed, a line across the antimeridian, a Z value, a
    /// bbox, coordinates outside WGS84).
    #[test]
    fn exact_geometries_make_the_features_their_records_make() {
        let geometries = [
            r#"{"type":"Polygon","coordinates":[[[106.6,11.1],[106.7,11.1],[106.7,11.2],[106.6,11.1]]]}"#,
            r#"{"type":"Polygon","coordinates":[[[106.6,11.1],[106.7,11.1],[106.7,11.2]]]}"#,
            r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]],[[0.2,0.2],[0.3,0.2],[0.2,0.3],[0.2,0.2]]]}"#,
            r#"{"type":"Polygon","coordinates":[[[0,0,5],[1,0,5],[1,1,5],[0,0,5]]]}"#,
            r#"{"type":"Polygon","bbox":[0,0,1,1],"coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}"#,
            r#"{"type":"Polygon","coordinates":[[[-0.0,0],[1,0],[1,1],[0,0]]]}"#,
            r#"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[2,2],[3,2],[3,3]]]]}"#,
            r#"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[2,2],[3,2],[3,3],[2,2]]]]}"#,
            r#"{"type":"LineString","coordinates":[[179.5,0],[-179.5,1]]}"#,
            r#"{"type":"LineString","coordinates":[[106.5,10.9],[106.6,11.0],[106.7,11.05]]}"#,
            r#"{"type":"MultiLineString","coordinates":[[[1,1],[2,2]],[[3,3],[4,4.5]]]}"#,
            r#"{"type":"MultiPoint","coordinates":[[1,1],[2,2]]}"#,
            r#"{"type":"Point","coordinates":[106.65,11.05]}"#,
            r#"{"type":"Point","coordinates":[500000,1230000]}"#,
            r#"{"type":"LineString","coordinates":[[1,1],[1,95]]}"#,
            r#"{"type":"Polygon","coordinates":[[]]}"#,
            r#"{"type":"LineString","coordinates":[[1,1]]}"#,
            r#"{"type":"Point","coordinates":[1,1]}"#,
        ];
        let features: Vec<String> = geometries
            .iter()
            .enumerate()
            .map(|(i, g)| {
                format!(r#"{{"type":"Feature","id":{i},"properties":{{"n":{i}}},"geometry":{g}}}"#)
            })
            .collect();
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",\n")
        );
        let ours = parse_geojson(text.as_bytes(), Path::new("t.geojson")).expect("parsed");
        let theirs: geojson::FeatureCollection = serde_json::from_str(&text).expect("geojson");
        assert_eq!(ours.features.len(), theirs.features.len());
        let mut warnings = Vec::new();
        for (i, (a, record)) in ours.features.iter().zip(theirs.features).enumerate() {
            let b = Feature::from_record(record.clone());
            assert_eq!(a.record().as_ref(), &record, "feature {i}");
            assert_eq!(a.meta(), b.meta(), "feature {i}: the record left");
            assert_eq!(a.geometry(), b.geometry(), "feature {i}: the geometry");
            if b.geometry().is_none() && record.geometry.is_some() {
                warnings.push(i);
            }
        }
        let warned: Vec<usize> = ours
            .warnings
            .iter()
            .filter_map(|w| {
                w.strip_prefix("feature ")?
                    .split(|c: char| !c.is_ascii_digit())
                    .next()?
                    .parse()
                    .ok()
            })
            .collect();
        assert_eq!(warned, warnings, "{:?}", ours.warnings);
        assert!(warnings.contains(&13), "{:?}", ours.warnings);
    }
}
