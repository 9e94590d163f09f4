//! One GeoJSON Feature read straight into geojson's own types.
//!
//! Positions are most of a large file, and serde_json reads each number through a visitor, one
//! call per element. Here a small scanner reads the feature's members and its coordinates by
//! hand: numbers by JSON's grammar, most of them on Clinger's fast path (a mantissa and a power
//! of ten both exact in f64, so one correctly rounded division gives the correctly rounded value,
//! as serde_json's `float_roundtrip` does), the rest through the standard library's parser.
//! Properties, ids and foreign members are read by serde_json. On the 100 000-feature layer the
//! scanner reads the features in 0.67 s where geojson's reader took 0.94 s (one thread).
//!
//! It gives exactly what geojson's reader gives, or nothing: what the scanner does not take (a
//! name with an escape, a member twice, foreign members on a geometry) goes through a serde
//! visitor, and what that does not take either (a GeometryCollection, a geometry without
//! coordinates, a type it does not know) is left to geojson's reader, with its messages. Tests
//! and the `geojson_load` fuzz target compare the two.

use std::fmt;

use crate::model::packed::{Kind, Packed};
use geo::Coord;
use geojson::{Bbox, Geometry, GeometryValue, JsonObject, JsonValue, Position, feature::Id};
use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};

/// The feature in `text`, read as geojson's reader would; `None` where this reader leaves it
/// to geojson's (see the module's comment).
pub fn read(text: &str) -> Option<geojson::Feature> {
    let mut s = Scanner::new(text, 0);
    if let Some(f) = s.feature() {
        s.space();
        if s.at == s.b().len() {
            return Some(f.into_record());
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let feature = de.deserialize_map(FeatureVisitor).ok()?;
    de.end().ok()?;
    Some(feature)
}

/// A feature as read: its record, and its geometry as `geo` holds it when that is exactly what
/// the file said.
#[derive(Debug)]
pub struct Read {
    /// Without its geometry when `exact` holds it, and without its properties when
    /// `properties` holds them.
    pub record: geojson::Feature,
    /// The record's geometry when it is nothing but 2-D positions (rings already closed), with
    /// no bbox or foreign members on it.
    pub exact: Option<Exact>,
    /// The record's properties as the file has them, when that is the text serde_json writes
    /// for them: an object, compact, each key once in it, no escape, each number as serde_json
    /// writes the value it reads (see [`compact_object`]).
    pub properties: Option<Box<str>>,
}

/// A geometry of 2-D positions exactly as the file has it.
#[derive(Debug)]
pub enum Exact {
    /// As `geo` holds it: read straight into `geo`'s form, a ring in one allocation instead of
    /// a position in each.
    Coords(geo::Geometry<f64>),
    /// Packed (see [`crate::model::packed`]) straight from the text's decimals, never made into
    /// doubles: what [`Packed::of`] would make of it, where every coordinate is a decimal of at
    /// most seven places within WGS84's range, and the geometry is drawable as it is read
    /// (no line steps across the antimeridian, no negative zero).
    Packed(Packed),
}

impl Read {
    /// The record, geometry included, as geojson's reader gives it.
    pub fn into_record(self) -> geojson::Feature {
        let mut record = self.record;
        if let Some(text) = &self.properties {
            // serde_json's own text of an object: it reads back as that object.
            record.properties = serde_json::from_str(text).ok();
        }
        match &self.exact {
            Some(Exact::Coords(g)) => {
                record.geometry = Some(Geometry::new(GeometryValue::from(g)));
            }
            Some(Exact::Packed(p)) => {
                record.geometry = Some(Geometry::new(GeometryValue::from(&p.unpack())));
            }
            None => {}
        }
        record
    }
}

impl From<geojson::Feature> for Read {
    fn from(record: geojson::Feature) -> Self {
        Self {
            record,
            exact: None,
            properties: None,
        }
    }
}

/// A FeatureCollection's top level, its features read in parallel: the features array is cut
/// into pieces at places that look like the start of a feature (`}`, `,`, `{`), and each piece
/// is read on its own core from there, each feature handed to `each` (with its index within the
/// piece) as soon as it is read. A cut is right only if the piece before it ends there, feature
/// by feature: reading from a true feature start can only give what reading the whole array in
/// order gives. Any cut found wrong, anything unusual at the top level (a name with an escape, a
/// member twice, no `features`) or any feature that does not read gives `None`: the caller
/// reads the file the usual way, with its messages.
///
/// Returns what `each` made, in file order, and the collection's `bbox` and foreign members.
pub fn read_collection<T: Send>(
    text: &str,
    each: impl Fn(usize, Read) -> T + Sync,
) -> Option<Collection<T>> {
    let mut s = Scanner::new(text, 0);
    let mut top = TopLevel::default();
    if !top.up_to_features(&mut s)? {
        return top.finish();
    }
    let (read, end) = read_pieces(text, s.at, &each, false)?;
    top.features = Some(read);
    s.at = match end {
        Piece::ClosedArray(end) => end,
        _ => return None,
    };
    top.rest(&mut s)?;
    top.finish()
}

/// A collection's features (what `each` made of them), `bbox` and foreign members.
pub type Collection<T> = (Vec<T>, Option<Bbox>, Option<JsonObject>);

/// What a collection's top level said, member by member.
struct TopLevel<T> {
    kind: bool,
    bbox: Option<Option<Bbox>>,
    features: Option<Vec<T>>,
    members: JsonObject,
}

impl<T> Default for TopLevel<T> {
    fn default() -> Self {
        Self {
            kind: false,
            bbox: None,
            features: None,
            members: JsonObject::new(),
        }
    }
}

impl<T> TopLevel<T> {
    /// The members up to the features array: `Some(true)` with the scanner just inside its `[`,
    /// `Some(false)` at the end of an object without features; `None` for anything unusual.
    fn up_to_features(&mut self, s: &mut Scanner) -> Option<bool> {
        if !s.eat(b'{') || s.eat(b'}') {
            return None;
        }
        loop {
            let key = s.string()?;
            if !s.eat(b':') {
                return None;
            }
            if key == "features" {
                return s.eat(b'[').then_some(true);
            }
            self.member(s, key)?;
            if s.eat(b'}') {
                return Some(false);
            }
            if !s.eat(b',') {
                return None;
            }
        }
    }

    /// The members after the features array, to the end of the text.
    fn rest(&mut self, s: &mut Scanner) -> Option<()> {
        loop {
            if s.eat(b'}') {
                s.space();
                return (s.at == s.b().len()).then_some(());
            }
            if !s.eat(b',') {
                return None;
            }
            let key = s.string()?;
            if !s.eat(b':') || key == "features" {
                return None;
            }
            self.member(s, key)?;
        }
    }

    /// A member other than `features`.
    fn member(&mut self, s: &mut Scanner, key: &str) -> Option<()> {
        match key {
            "type" if !self.kind => {
                if s.string()? != "FeatureCollection" {
                    return None;
                }
                self.kind = true;
            }
            "bbox" if self.bbox.is_none() => self.bbox = Some(s.value()?),
            "type" | "bbox" => return None,
            other => {
                let v = s.value()?;
                foreign::<serde_json::Error>(&mut self.members, other.to_owned(), v).ok()?;
            }
        }
        Some(())
    }

    fn finish(self) -> Option<Collection<T>> {
        if !self.kind {
            return None;
        }
        Some((
            self.features?,
            self.bbox.flatten(),
            (!self.members.is_empty()).then_some(self.members),
        ))
    }
}

/// How [`read_collection_from`] ended.
pub enum Streamed<T> {
    Read(Collection<T>),
    /// Not a collection this reader takes (see [`read_collection`]), or `seen` asked to stop:
    /// the caller reads the file the usual way.
    NotRead,
}

/// [`read_collection`] on a file read a window of about `window` bytes at a time, so that its
/// whole text is never held: the features array is read in pieces as in [`read_collection`],
/// the last piece of each window stopping before the first feature the window does not hold
/// whole (a feature larger than a window makes the next window larger). The top level before
/// the features must fit in the first window. `seen` is given every byte read, in order; it
/// returns `false` to stop reading. `len_hint` is the file's length, or 0: with it, the list of
/// features is given room for them all after the first window, instead of growing by copies.
pub fn read_collection_from<T: Send>(
    source: &mut (impl std::io::Read + Send),
    (window, len_hint): (usize, u64),
    seen: impl FnMut(&[u8]) -> bool + Send,
    each: impl Fn(usize, Read) -> T + Sync,
) -> std::io::Result<Streamed<T>> {
    let window = window.max(1);
    let mut src = Source {
        source,
        seen,
        window,
        eof: false,
        read: 0,
    };
    let mut buf: Vec<u8> = Vec::new();
    let mut size = window;
    let mut top;
    let at = loop {
        if !src.fill(&mut buf, size)? {
            return Ok(Streamed::NotRead);
        }
        // Editors on Windows like to start UTF-8 files with a byte-order mark; JSON forbids it.
        let bom = if buf.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        let Some(text) = utf8_prefix(&buf[bom..]) else {
            return Ok(Streamed::NotRead);
        };
        let mut s = Scanner::new(text, 0);
        top = TopLevel::default();
        match top.up_to_features(&mut s) {
            Some(true) => break bom + s.at,
            // The members before the features, not all in the window yet.
            None if !src.eof => size *= 2,
            _ => return Ok(Streamed::NotRead),
        }
    };
    let mut features = Vec::new();
    // The file's next bytes, read from the file while a window's features are read, after
    // `slack` bytes kept free for the end of the window before: the next window is then made
    // by copying that end in front of them, not the bytes read ahead behind it.
    let slack = (window / 16).max(64);
    let mut ahead: Vec<u8> = Vec::new();
    // The window is `buf[start..]`.
    let mut start = at;
    size = window;
    loop {
        // The window: from the next feature on, `size` bytes if the file has them.
        if ahead.len() > slack {
            let tail = buf.len() - start;
            if tail <= slack {
                let from = slack - tail;
                ahead[from..slack].copy_from_slice(&buf[start..]);
                std::mem::swap(&mut buf, &mut ahead);
                start = from;
            } else {
                buf.drain(..start);
                buf.extend_from_slice(&ahead[slack..]);
                start = 0;
            }
        }
        if !src.fill(&mut buf, start + size)? {
            return Ok(Streamed::NotRead);
        }
        let Some(text) = utf8_prefix(&buf[start..]) else {
            return Ok(Streamed::NotRead);
        };
        let open = !src.eof;
        let (pieces, read_ahead) = rayon::join(
            || read_pieces(text, 0, &each, open),
            || {
                // The free bytes in front are written before they are read: left as they are.
                if ahead.len() >= slack {
                    ahead.truncate(slack);
                } else {
                    ahead.resize(slack, 0);
                }
                if open {
                    src.fill(&mut ahead, slack + window)
                } else {
                    Ok(true)
                }
            },
        );
        if !read_ahead? {
            return Ok(Streamed::NotRead);
        }
        let Some((read, end)) = pieces else {
            return Ok(Streamed::NotRead);
        };
        let progressed = !read.is_empty();
        // Where in the file the window's features end: the bytes read so far, less those after
        // them in the window and those read ahead.
        let covered = match end {
            Piece::ClosedArray(at) | Piece::Stopped(at) => {
                let after =
                    buf.len().saturating_sub(start + at) + ahead.len().saturating_sub(slack);
                src.read.saturating_sub(after as u64)
            }
            Piece::ReachedCut => 0,
        };
        if features.is_empty() && progressed && covered > 0 && len_hint > covered {
            // As many again for each stretch of the file as long as the one they came from,
            // and a margin. Room that is never used is never touched: it takes no memory. A
            // file whose first features are far smaller than the rest asks too much: where the
            // system refuses that room, the list grows as it goes instead.
            let stretches = len_hint.div_ceil(covered);
            let room = usize::try_from(stretches.saturating_mul(read.len() as u64)).unwrap_or(0);
            let _ = features.try_reserve(room.saturating_add(room / 16));
        }
        features.extend(read);
        match end {
            Piece::ClosedArray(end) => {
                start += end;
                break;
            }
            Piece::Stopped(next) => {
                start += next;
                // Not a whole feature in the window: a larger one.
                size = if progressed { window } else { size * 2 };
            }
            Piece::ReachedCut => return Ok(Streamed::NotRead),
        }
    }
    top.features = Some(features);
    // What follows the array, read whole.
    buf.drain(..start);
    buf.extend_from_slice(ahead.get(slack..).unwrap_or_default());
    if !src.fill(&mut buf, usize::MAX)? {
        return Ok(Streamed::NotRead);
    }
    let Ok(text) = std::str::from_utf8(&buf) else {
        return Ok(Streamed::NotRead);
    };
    let mut s = Scanner::new(text, 0);
    if top.rest(&mut s).is_none() {
        return Ok(Streamed::NotRead);
    }
    Ok(top.finish().map_or(Streamed::NotRead, Streamed::Read))
}

/// A file read a window at a time, every byte handed to `seen` in order.
struct Source<'r, R, S> {
    source: &'r mut R,
    seen: S,
    window: usize,
    eof: bool,
    /// Bytes read so far.
    read: u64,
}

impl<R: std::io::Read, S: FnMut(&[u8]) -> bool> Source<'_, R, S> {
    /// Reads until `buf` holds `want` bytes or the file ends; `false` if `seen` said stop. The
    /// bytes go straight into `buf`'s room (`read_to_end`), which is not zeroed first.
    fn fill(&mut self, buf: &mut Vec<u8>, want: usize) -> std::io::Result<bool> {
        use std::io::Read as _;
        while buf.len() < want && !self.eof {
            let from = buf.len();
            let ask = want.min(from.saturating_add(self.window)) - from;
            buf.reserve_exact(ask);
            let n = (&mut *self.source).take(ask as u64).read_to_end(buf)?;
            // Fewer bytes than asked: the file has ended.
            self.eof = n < ask;
            self.read += n as u64;
            if !(self.seen)(&buf[from..]) {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// The longest prefix of `b` that is UTF-8, leaving out a character cut at its end; `None` if
/// `b` is not UTF-8 before that. A window of megabytes is checked in two halves, on two cores.
fn utf8_prefix(b: &[u8]) -> Option<&str> {
    // Where a character starts near the middle: the halves are UTF-8 if and only if the whole is.
    let mid = (b.len() / 2..b.len().min(b.len() / 2 + 4)).find(|&i| b[i] & 0xc0 != 0x80);
    let Some(mid) = mid.filter(|_| b.len() >= 1 << 20) else {
        return utf8_prefix_here(b);
    };
    let (first, second) = rayon::join(
        || std::str::from_utf8(&b[..mid]).ok(),
        || utf8_prefix_here(&b[mid..]).map(str::len),
    );
    first?;
    let end = mid + second?;
    // SAFETY: `b[..mid]` and `b[mid..end]` are each UTF-8, and `mid` is where a character
    // starts, so `b[..end]` is UTF-8.
    Some(unsafe { std::str::from_utf8_unchecked(&b[..end]) })
}

/// [`utf8_prefix`] on one core.
fn utf8_prefix_here(b: &[u8]) -> Option<&str> {
    match std::str::from_utf8(b) {
        Ok(text) => Some(text),
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&b[..e.valid_up_to()]).ok(),
        Err(_) => None,
    }
}

/// The features of an array whose first element starts at `start` (after its `[`), read in
/// pieces on every core; what `each` made of them, and how the last piece ended: at the
/// array's end, or (`open`: the text stops before the array does) before the first feature it
/// does not read.
fn read_pieces<T: Send>(
    text: &str,
    start: usize,
    each: &(impl Fn(usize, Read) -> T + Sync),
    open: bool,
) -> Option<(Vec<T>, Piece)> {
    use rayon::prelude::*;
    let b = text.as_bytes();
    // Many pieces a core: the cores wait for the last piece of a window before the next, and
    // small pieces keep that wait short (four a core made the large layer's first frame 9 %
    // slower, BENCHMARKS.md).
    let pieces = rayon::current_num_threads() * 16;
    let span = b.len().saturating_sub(start) / pieces.max(1);
    let mut cuts = vec![start];
    for k in 1..pieces {
        let from = (start + k * span).max(cuts.last().copied().unwrap_or(start) + 1);
        if let Some(cut) = feature_start_after(b, from) {
            cuts.push(cut);
        }
    }
    cuts.dedup();
    let read: Vec<Option<(Vec<T>, Piece)>> = cuts
        .par_iter()
        .enumerate()
        .map(|(k, &from)| {
            let last = k + 1 == cuts.len();
            read_piece(text, from, cuts.get(k + 1).copied(), each, open && last)
        })
        .collect();
    let read: Vec<(Vec<T>, Piece)> = read.into_iter().collect::<Option<_>>()?;
    // Sized once: a large file's features are 40 MB of this, not to be held twice over.
    let mut out = Vec::with_capacity(read.iter().map(|(items, _)| items.len()).sum());
    let mut end = None;
    for (k, (items, how)) in read.into_iter().enumerate() {
        let last = k + 1 == cuts.len();
        match how {
            Piece::ReachedCut if !last => {}
            Piece::ClosedArray(_) | Piece::Stopped(_) if last => end = Some(how),
            _ => return None,
        }
        out.extend(items);
    }
    Some((out, end?))
}

/// How a piece ended: at the next piece's cut, at the array's `]` (the offset after it), or
/// (an open piece) before a feature it could not read (the offset of its start).
enum Piece {
    ReachedCut,
    ClosedArray(usize),
    Stopped(usize),
}

/// The features from `from` on, until the array closes or the next piece's cut is reached
/// exactly; `None` if a feature does not read or the cut is passed. An `open` piece (its text
/// may stop before the array does) stops before a feature it cannot read, or one that is not
/// followed by `,` or `]`.
fn read_piece<T>(
    text: &str,
    from: usize,
    cut: Option<usize>,
    each: &impl Fn(usize, Read) -> T,
    open: bool,
) -> Option<(Vec<T>, Piece)> {
    let mut s = Scanner::new(text, from);
    let mut out = Vec::new();
    // An empty array.
    if s.eat(b']') {
        return Some((out, Piece::ClosedArray(s.at)));
    }
    loop {
        s.space();
        let start = s.at;
        let feature = s.feature().or_else(|| {
            // Left to geojson's reader: its text first.
            s.at = start;
            let raw = s.raw_value()?;
            Some(Read::from(read(raw.get()).or_else(|| {
                serde_json::from_str::<geojson::Feature>(raw.get()).ok()
            })?))
        });
        let closed = feature.is_some() && s.eat(b']');
        let Some(feature) = feature.filter(|_| closed || s.eat(b',')) else {
            return open.then_some((out, Piece::Stopped(start)));
        };
        out.push(each(out.len(), feature));
        if closed {
            return Some((out, Piece::ClosedArray(s.at)));
        }
        s.space();
        match cut {
            Some(c) if s.at == c => return Some((out, Piece::ReachedCut)),
            Some(c) if s.at > c => return None,
            _ => {}
        }
    }
}

/// Where the next `{` after `from` that follows `}` and `,` (white space between) is: the start
/// of a feature, most likely.
fn feature_start_after(b: &[u8], from: usize) -> Option<usize> {
    let space = |c: &u8| matches!(c, b' ' | b'\n' | b'\t' | b'\r');
    let mut at = from;
    loop {
        let comma = at + b.get(at..)?.iter().position(|&c| c == b',')?;
        let before = b[..comma].iter().rposition(|c| !space(c));
        let after = comma + 1 + b.get(comma + 1..)?.iter().position(|c| !space(c))?;
        if before.is_some_and(|i| b[i] == b'}') && b[after] == b'{' {
            return Some(after);
        }
        at = comma + 1;
    }
}

/// A member's name: one of those read here, or another (a foreign member).
enum Key {
    Type,
    Bbox,
    Geometry,
    Id,
    Properties,
    Coordinates,
    Other(String),
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a member name")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(match v {
            "type" => Key::Type,
            "bbox" => Key::Bbox,
            "geometry" => Key::Geometry,
            "id" => Key::Id,
            "properties" => Key::Properties,
            "coordinates" => Key::Coordinates,
            other => Key::Other(other.to_owned()),
        })
    }
}

impl<'de> serde::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

/// Sets `slot` once; a member given twice is left to geojson's reader.
fn once<T, E: serde::de::Error>(slot: &mut Option<T>, value: T) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::custom("a member twice"));
    }
    *slot = Some(value);
    Ok(())
}

/// Adds a foreign member; a name given twice is left to geojson's reader.
fn foreign<E: serde::de::Error>(
    members: &mut JsonObject,
    key: String,
    value: JsonValue,
) -> Result<(), E> {
    if members.contains_key(&key) {
        return Err(E::custom("a member twice"));
    }
    members.insert(key, value);
    Ok(())
}

struct FeatureVisitor;

impl<'de> Visitor<'de> for FeatureVisitor {
    type Value = geojson::Feature;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON Feature")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut kind: Option<String> = None;
        let mut bbox: Option<Option<Bbox>> = None;
        let mut geometry: Option<Option<Geometry>> = None;
        let mut id: Option<Option<Id>> = None;
        let mut properties: Option<Option<JsonObject>> = None;
        let mut members = JsonObject::new();
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Type => once(&mut kind, map.next_value()?)?,
                Key::Bbox => once(&mut bbox, map.next_value()?)?,
                Key::Geometry => once(&mut geometry, map.next_value_seed(OptionalGeometry)?)?,
                Key::Id => once(&mut id, map.next_value()?)?,
                Key::Properties => once(&mut properties, map.next_value()?)?,
                Key::Coordinates => foreign(&mut members, "coordinates".into(), map.next_value()?)?,
                Key::Other(name) => foreign(&mut members, name, map.next_value()?)?,
            }
        }
        if kind.as_deref() != Some("Feature") {
            return Err(A::Error::custom("not a Feature"));
        }
        Ok(geojson::Feature {
            bbox: bbox.flatten(),
            geometry: geometry.flatten(),
            id: id.flatten(),
            properties: properties.flatten(),
            foreign_members: (!members.is_empty()).then_some(members),
        })
    }
}

/// A feature's `geometry`: `null` or a geometry.
struct OptionalGeometry;

impl<'de> DeserializeSeed<'de> for OptionalGeometry {
    type Value = Option<Geometry>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for OptionalGeometry {
    type Value = Option<Geometry>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a geometry or null")
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(GeometryVisitor).map(Some)
    }
}

struct GeometryVisitor;

impl<'de> Visitor<'de> for GeometryVisitor {
    type Value = Geometry;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON geometry")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut kind: Option<String> = None;
        let mut bbox: Option<Option<Bbox>> = None;
        let mut coordinates: Option<Coordinates> = None;
        let mut members = JsonObject::new();
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Type => once(&mut kind, map.next_value()?)?,
                Key::Bbox => once(&mut bbox, map.next_value()?)?,
                Key::Coordinates => once(&mut coordinates, map.next_value()?)?,
                // A collection's `geometries`, or a name geojson reads as a foreign member
                // only on a feature: geojson's reader decides.
                Key::Other(name) if name == "geometries" => {
                    return Err(A::Error::custom("a geometry collection"));
                }
                Key::Geometry | Key::Id | Key::Properties => {
                    return Err(A::Error::custom("a feature's member on a geometry"));
                }
                Key::Other(name) => foreign(&mut members, name, map.next_value()?)?,
            }
        }
        use Coordinates as C;
        let value = match (kind.as_deref(), coordinates) {
            (Some("Point"), Some(C::Position(p))) if p.len() >= 2 => {
                GeometryValue::Point { coordinates: p }
            }
            (Some("LineString"), Some(C::Line(coordinates))) => {
                GeometryValue::LineString { coordinates }
            }
            (Some("MultiPoint"), Some(C::Line(coordinates))) => {
                GeometryValue::MultiPoint { coordinates }
            }
            (Some("Polygon"), Some(C::Lines(coordinates))) => {
                GeometryValue::Polygon { coordinates }
            }
            (Some("MultiLineString"), Some(C::Lines(coordinates))) => {
                GeometryValue::MultiLineString { coordinates }
            }
            (Some("MultiPolygon"), Some(C::Polygons(coordinates))) => {
                GeometryValue::MultiPolygon { coordinates }
            }
            // Empty coordinates of the nested kinds, and everything else: geojson's reader.
            _ => return Err(A::Error::custom("left to geojson")),
        };
        Ok(Geometry {
            bbox: bbox.flatten(),
            value,
            foreign_members: (!members.is_empty()).then_some(members),
        })
    }
}

/// Coordinates by depth, each position a `P`.
enum Nested<P> {
    Position(P),
    Line(Vec<P>),
    Lines(Vec<Vec<P>>),
    Polygons(Vec<Vec<Vec<P>>>),
}

/// Coordinates by depth, as geojson reads them.
type Coordinates = Nested<Position>;

/// An element of a coordinates array: a number, or an array one level down.
enum Element {
    Number(f64),
    Nested(Coordinates),
}

impl<'de> serde::Deserialize<'de> for Coordinates {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match d.deserialize_any(ElementVisitor)? {
            Element::Nested(c) => Ok(c),
            Element::Number(_) => Err(D::Error::custom("coordinates that are a number")),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Element {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ElementVisitor)
    }
}

struct ElementVisitor;

impl<'de> Visitor<'de> for ElementVisitor {
    type Value = Element;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number or an array")
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Element, E> {
        Ok(Element::Number(v as f64))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Element, E> {
        Ok(Element::Number(v as f64))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Element, E> {
        Ok(Element::Number(v))
    }
    /// The first element says the depth; the rest are read as that depth, straight into place.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Element, A::Error> {
        let nested = match seq.next_element::<Element>()? {
            // `[]`: geojson's reader decides what an empty array stands for.
            None => return Err(A::Error::custom("empty coordinates")),
            Some(Element::Number(x)) => {
                let Some(y) = seq.next_element::<f64>()? else {
                    return Err(A::Error::custom("a position of one number"));
                };
                match seq.next_element::<f64>()? {
                    None => Coordinates::Position(Position::from([x, y])),
                    Some(z) => {
                        let mut all = vec![x, y, z];
                        while let Some(v) = seq.next_element::<f64>()? {
                            all.push(v);
                        }
                        Coordinates::Position(Position::from(all))
                    }
                }
            }
            Some(Element::Nested(Coordinates::Position(first))) => {
                let mut line = Vec::with_capacity(seq.size_hint().unwrap_or(16).max(4));
                line.push(first);
                while let Some(p) = seq.next_element::<Position>()? {
                    line.push(p);
                }
                line.shrink_to_fit();
                Coordinates::Line(line)
            }
            Some(Element::Nested(Coordinates::Line(first))) => {
                let mut lines = vec![first];
                while let Some(l) = seq.next_element::<Vec<Position>>()? {
                    lines.push(l);
                }
                Coordinates::Lines(lines)
            }
            Some(Element::Nested(Coordinates::Lines(first))) => {
                let mut polygons = vec![first];
                while let Some(p) = seq.next_element::<Vec<Vec<Position>>>()? {
                    polygons.push(p);
                }
                Coordinates::Polygons(polygons)
            }
            Some(Element::Nested(Coordinates::Polygons(_))) => {
                return Err(A::Error::custom("coordinates nested too deep"));
            }
        };
        Ok(Element::Nested(nested))
    }
}

/// Reads a feature's text by hand. Each reader gives `None` for what it leaves to the serde
/// path: anything but arrays of positions of two or more numbers nested one to four deep,
/// numbers serde_json would refuse or might round otherwise (out of range), names with escapes,
/// members given twice.
/// Where the object that `b` holds from `at` ends, if its text is the one serde_json writes
/// for the value it reads from it: no white space, no escape (nor control character) in a
/// string, no key twice in an object, each number as serde_json writes it back (`1.0`, not
/// `1.00` or `1e0`), and nested at most [`COMPACT_DEPTH`] deep. `None` for anything else, valid
/// JSON or not: serde_json reads it, and writes it anew.
pub fn compact_object(b: &[u8], at: usize) -> Option<usize> {
    (b.get(at) == Some(&b'{')).then_some(())?;
    compact_value(b, at, 0)
}

/// How deep [`compact_object`] follows objects and arrays.
const COMPACT_DEPTH: usize = 16;

/// Keys an object may have for [`compact_object`] to compare them each with each.
const COMPACT_KEYS: usize = 64;

/// [`compact_object`] for any value at `at`, `depth` deep: where it ends.
fn compact_value(b: &[u8], at: usize, depth: usize) -> Option<usize> {
    match *b.get(at)? {
        b'{' => {
            // Each key with its quotes, as the text has it (no escape: equal keys, equal texts).
            let mut keys: [&[u8]; COMPACT_KEYS] = [&[]; COMPACT_KEYS];
            let mut n = 0;
            compact_items(b, at, depth, b'}', |at| {
                let end = compact_string(b, at)?;
                let key = &b[at..end];
                if n == COMPACT_KEYS || keys[..n].contains(&key) {
                    return None;
                }
                keys[n] = key;
                n += 1;
                (b.get(end) == Some(&b':')).then_some(())?;
                compact_value(b, end + 1, depth + 1)
            })
        }
        b'[' => compact_items(b, at, depth, b']', |at| compact_value(b, at, depth + 1)),
        b'"' => compact_string(b, at),
        b't' => b[at..].starts_with(b"true").then_some(at + 4),
        b'f' => b[at..].starts_with(b"false").then_some(at + 5),
        b'n' => b[at..].starts_with(b"null").then_some(at + 4),
        _ => compact_number(b, at),
    }
}

/// An object's members or an array's values from the bracket at `at`, `depth` deep, each read
/// by `item` (from where it starts, to where it ends), `,`-separated up to `close`: where the
/// whole ends.
fn compact_items(
    b: &[u8],
    at: usize,
    depth: usize,
    close: u8,
    mut item: impl FnMut(usize) -> Option<usize>,
) -> Option<usize> {
    if depth == COMPACT_DEPTH {
        return None;
    }
    let mut at = at + 1;
    if b.get(at) == Some(&close) {
        return Some(at + 1);
    }
    loop {
        at = item(at)?;
        match *b.get(at)? {
            b',' => at += 1,
            c if c == close => return Some(at + 1),
            _ => return None,
        }
    }
}

/// A string at `at` with no escape and no control character: where it ends.
fn compact_string(b: &[u8], at: usize) -> Option<usize> {
    (b.get(at) == Some(&b'"')).then_some(())?;
    let rest = b.get(at + 1..)?;
    let close = rest
        .iter()
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)?;
    (rest[close] == b'"').then_some(at + 1 + close + 1)
}

/// A number at `at` as serde_json writes the value it reads from it: where it ends.
fn compact_number(b: &[u8], at: usize) -> Option<usize> {
    let len = b[at..]
        .iter()
        .position(|c| !matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
        .unwrap_or(b.len() - at);
    let text = std::str::from_utf8(&b[at..at + len]).ok()?;
    let digits = text.strip_prefix('-').unwrap_or(text);
    if !digits.is_empty() && digits.len() <= 18 && digits.bytes().all(|c| c.is_ascii_digit()) {
        // A whole number in 64 bits, written back as its digits: unless it has a leading 0
        // (not JSON) or is -0 (read as a double, written back as -0.0).
        return (digits == "0" && text.len() == 1 || !digits.starts_with('0')).then_some(at + len);
    }
    if short_decimal(digits) {
        return Some(at + len);
    }
    // Anything else is read as a double (when it is JSON at all): it must be written back as
    // it is.
    let value: f64 = serde_json::from_str(text).ok()?;
    let mut written = [0u8; 40];
    let mut out = &mut written[..];
    serde_json::to_writer(&mut out, &value).ok()?;
    let n = 40 - out.len();
    (written[..n] == *text.as_bytes()).then_some(at + len)
}

/// Whether a number's digits (after any `-`) are a decimal that serde_json writes back as it is
/// without reading it: `0` or up to nine digits not led by 0, a point, and one to six places
/// whose last is not 0 (at least 0.1 when the whole part is 0). Such a decimal has at most 15
/// significant digits, so no shorter one reads as the same double and the shortest text of the
/// double is these digits; and from 0.1 to 10⁹ it is written without an exponent.
fn short_decimal(digits: &str) -> bool {
    let Some((whole, places)) = digits.split_once('.') else {
        return false;
    };
    let all_digits = |t: &str| t.bytes().all(|c| c.is_ascii_digit());
    let whole_ok = whole == "0" || (1..=9).contains(&whole.len()) && !whole.starts_with('0');
    let places_ok = (1..=6).contains(&places.len())
        && !places.ends_with('0')
        && (whole != "0" || !places.starts_with('0'));
    whole_ok && places_ok && all_digits(whole) && all_digits(places)
}

struct Scanner<'a> {
    /// The text: read by its bytes ([`Scanner::b`]), and its strings cut from it at their
    /// quotes without checking them again.
    text: &'a str,
    at: usize,
}

impl<'a> Scanner<'a> {
    /// The text's bytes.
    fn b(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn new(text: &'a str, at: usize) -> Self {
        Self { text, at }
    }
}

impl<'a> Scanner<'a> {
    /// A feature's members, coordinates read here and the rest by serde_json. `None` for
    /// anything but the usual members, each once.
    fn feature(&mut self) -> Option<Read> {
        let mut kind = false;
        let mut bbox: Option<Option<Bbox>> = None;
        let mut geometry: Option<Option<ReadGeometry>> = None;
        let mut id: Option<Option<Id>> = None;
        let mut properties: Option<Option<JsonObject>> = None;
        let mut properties_text: Option<Box<str>> = None;
        let mut members = JsonObject::new();
        self.members(|s, key| {
            match key {
                "type" => {
                    if kind || s.string()? != "Feature" {
                        return None;
                    }
                    kind = true;
                }
                "geometry" => {
                    let g = if s.literal(b"null") {
                        None
                    } else {
                        Some(s.geometry()?)
                    };
                    once::<_, serde_json::Error>(&mut geometry, g).ok()?;
                }
                "bbox" => once::<_, serde_json::Error>(&mut bbox, s.value()?).ok()?,
                "id" => once::<_, serde_json::Error>(&mut id, s.value()?).ok()?,
                "properties" => {
                    s.space();
                    // Kept as the file has them where that is serde_json's own text of them:
                    // read into a map, they were written back as it.
                    match compact_object(s.b(), s.at).and_then(|end| s.text.get(s.at..end)) {
                        Some(compact) => {
                            once::<_, serde_json::Error>(&mut properties, None).ok()?;
                            properties_text = Some(compact.into());
                            s.at += compact.len();
                        }
                        None => {
                            once::<_, serde_json::Error>(&mut properties, s.value()?).ok()?;
                        }
                    }
                }
                other => {
                    let v = s.value()?;
                    foreign::<serde_json::Error>(&mut members, other.to_owned(), v).ok()?;
                }
            }
            Some(())
        })?;
        let (geometry, exact) = match geometry.flatten() {
            None => (None, None),
            Some(ReadGeometry::Record(g)) => (Some(g), None),
            Some(ReadGeometry::Exact(g)) => (None, Some(g)),
        };
        kind.then(|| Read {
            record: geojson::Feature {
                bbox: bbox.flatten(),
                geometry,
                id: id.flatten(),
                properties: properties.flatten(),
                foreign_members: (!members.is_empty()).then_some(members),
            },
            exact,
            properties: properties_text,
        })
    }

    /// A geometry with a type, coordinates and perhaps a bbox; `None` for anything else.
    fn geometry(&mut self) -> Option<ReadGeometry> {
        DECIMALS.with_borrow_mut(|decimals| {
            let g = self.geometry_with(decimals);
            decimals.trim();
            g
        })
    }

    /// [`Scanner::geometry`], the coordinates read into `decimals` when they allow.
    fn geometry_with(&mut self, decimals: &mut Decimals) -> Option<ReadGeometry> {
        let mut kind: Option<&str> = None;
        let mut bbox: Option<Option<Bbox>> = None;
        let mut coordinates: Option<Coords> = None;
        self.members(|s, key| {
            match key {
                "type" if kind.is_none() => kind = Some(s.string()?),
                "coordinates" if coordinates.is_none() => {
                    // Short decimals of 2-D positions, most likely; if not, plain 2-D
                    // positions; if not (a Z value), read again.
                    let from = s.at;
                    coordinates = Some(if let Some(depth) = s.decimal_coordinates(decimals) {
                        Coords::Decimals(depth)
                    } else {
                        s.at = from;
                        match s.plain_coordinates() {
                            Some(p) => Coords::Plain(p),
                            None => {
                                s.at = from;
                                Coords::Record(s.coordinates()?)
                            }
                        }
                    });
                }
                "bbox" if bbox.is_none() => bbox = Some(s.value()?),
                _ => return None,
            }
            Some(())
        })?;
        let kind = kind?;
        let coordinates = match coordinates? {
            Coords::Decimals(depth) => {
                if bbox.is_none()
                    && let Some(p) = decimals.packed(kind, depth)
                {
                    return Some(ReadGeometry::Exact(Exact::Packed(p)));
                }
                Ok(decimals.plain(depth)?)
            }
            Coords::Plain(p) => Ok(p),
            Coords::Record(c) => Err(c),
        };
        let coordinates = match coordinates {
            Ok(plain) if bbox.is_none() && plain.is_exact(kind) => {
                return plain
                    .into_geometry(kind)
                    .map(|g| ReadGeometry::Exact(Exact::Coords(g)));
            }
            Ok(plain) => plain.into_coordinates(),
            Err(c) => c,
        };
        use Coordinates as C;
        let value = match (kind, coordinates) {
            ("Point", C::Position(p)) => GeometryValue::Point { coordinates: p },
            ("LineString", C::Line(coordinates)) => GeometryValue::LineString { coordinates },
            ("MultiPoint", C::Line(coordinates)) => GeometryValue::MultiPoint { coordinates },
            ("Polygon", C::Lines(coordinates)) => GeometryValue::Polygon { coordinates },
            ("MultiLineString", C::Lines(coordinates)) => {
                GeometryValue::MultiLineString { coordinates }
            }
            ("MultiPolygon", C::Polygons(coordinates)) => {
                GeometryValue::MultiPolygon { coordinates }
            }
            _ => return None,
        };
        Some(ReadGeometry::Record(Geometry {
            bbox: bbox.flatten(),
            value,
            foreign_members: None,
        }))
    }

    /// An object: `{`, then each member's name handed to `member`, which reads its value.
    fn members<'s>(
        &mut self,
        mut member: impl FnMut(&mut Self, &'s str) -> Option<()>,
    ) -> Option<()>
    where
        Self: 's,
    {
        if !self.eat(b'{') {
            return None;
        }
        if self.eat(b'}') {
            return Some(());
        }
        loop {
            let key = self.string()?;
            if !self.eat(b':') {
                return None;
            }
            member(self, key)?;
            if self.eat(b'}') {
                return Some(());
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    /// A string without escapes (anything else is left to serde_json).
    fn string<'s>(&mut self) -> Option<&'s str>
    where
        Self: 's,
    {
        if !self.eat(b'"') {
            return None;
        }
        let from = self.at;
        loop {
            match self.b().get(self.at)? {
                b'"' => break,
                b'\\' => return None,
                c if *c < 0x20 => return None,
                _ => self.at += 1,
            }
        }
        let s = self.text.get(from..self.at)?;
        self.at += 1;
        Some(s)
    }

    fn literal(&mut self, word: &[u8]) -> bool {
        self.space();
        if self.b()[self.at..].starts_with(word) {
            self.at += word.len();
            true
        } else {
            false
        }
    }

    /// The text of one JSON value from here, as serde_json delimits it.
    fn raw_value(&mut self) -> Option<&'a serde_json::value::RawValue> {
        self.space();
        let rest = self.text.get(self.at..)?;
        let mut values =
            serde_json::Deserializer::from_str(rest).into_iter::<&serde_json::value::RawValue>();
        let v = values.next()?.ok()?;
        self.at += values.byte_offset();
        Some(v)
    }

    /// One JSON value read by serde_json from here.
    fn value<T: serde::de::DeserializeOwned>(&mut self) -> Option<T> {
        self.space();
        let rest = self.text.get(self.at..)?;
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<T>();
        let v = values.next()?.ok()?;
        self.at += values.byte_offset();
        Some(v)
    }

    fn space(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.b().get(self.at) {
            self.at += 1;
        }
    }

    /// The next byte after white space, consumed if it is `want`.
    fn eat(&mut self, want: u8) -> bool {
        self.space();
        if self.b().get(self.at) == Some(&want) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.space();
        self.b().get(self.at).copied()
    }

    /// A JSON number, by JSON's grammar. Most coordinates take Clinger's fast path: at most
    /// 15 digits and a power of ten up to 22, both exact in f64, so one correctly rounded
    /// division or product gives the correctly rounded value. The rest go to the standard
    /// library's parser, also correctly rounded.
    fn number(&mut self) -> Option<f64> {
        self.space();
        let start = self.at;
        let negative = self.b().get(self.at) == Some(&b'-');
        if negative {
            self.at += 1;
        }
        let mut mantissa: u64 = 0;
        let mut significant = 0u32;
        let mut digits = |s: &mut Self| {
            let from = s.at;
            while let Some(&d) = s.b().get(s.at).filter(|d| d.is_ascii_digit()) {
                if significant < 19 {
                    mantissa = mantissa * 10 + u64::from(d - b'0');
                }
                if mantissa > 0 || significant > 0 {
                    significant += 1;
                }
                s.at += 1;
            }
            s.at - from
        };
        let int_start = self.at;
        match digits(self) {
            0 => return None,
            1 => {}
            _ if self.b()[int_start] == b'0' => return None,
            _ => {}
        }
        let mut fraction = 0usize;
        if self.b().get(self.at) == Some(&b'.') {
            self.at += 1;
            fraction = digits(self);
            if fraction == 0 {
                return None;
            }
        }
        let mantissa_end = self.at;
        let mut exponent: Option<i64> = Some(0);
        if let Some(b'e' | b'E') = self.b().get(self.at) {
            self.at += 1;
            let minus = match self.b().get(self.at) {
                Some(b'-') => {
                    self.at += 1;
                    true
                }
                Some(b'+') => {
                    self.at += 1;
                    false
                }
                _ => false,
            };
            let from = self.at;
            let mut e: i64 = 0;
            while let Some(&d) = self.b().get(self.at).filter(|d| d.is_ascii_digit()) {
                e = e.saturating_mul(10).saturating_add(i64::from(d - b'0'));
                self.at += 1;
            }
            if self.at == from {
                return None;
            }
            exponent = Some(if minus { -e } else { e });
        }
        const POW10: [f64; 23] = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
            1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
        ];
        let power = exponent.and_then(|e| e.checked_sub(i64::try_from(fraction).ok()?));
        if significant <= 15
            && let Some(power) = power
            && let Some(&scale) = POW10.get(usize::try_from(power.unsigned_abs()).ok()?)
        {
            let m = mantissa as f64;
            let v = if power < 0 { m / scale } else { m * scale };
            return Some(if negative { -v } else { v });
        }
        let text = std::str::from_utf8(&self.b()[start..self.at]).ok()?;
        let v: f64 = text.parse().ok()?;
        // Out of range: serde_json refuses what overflows; what underflows is left to it too.
        let nonzero = self.b()[int_start..mantissa_end]
            .iter()
            .any(|d| (b'1'..=b'9').contains(d));
        (v.is_finite() && (v != 0.0 || !nonzero)).then_some(v)
    }

    /// A position: `[x, y, ...]`, after its `[`.
    fn position_rest(&mut self, x: f64) -> Option<Position> {
        if !self.eat(b',') {
            return None;
        }
        let y = self.number()?;
        if self.eat(b']') {
            return Some(Position::from([x, y]));
        }
        let mut all = vec![x, y];
        while self.eat(b',') {
            all.push(self.number()?);
        }
        self.eat(b']').then(|| Position::from(all))
    }

    /// `[` then elements of one kind, `,`-separated, then `]`.
    fn list<T>(
        &mut self,
        first: T,
        mut next: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        let mut all = vec![first];
        loop {
            if self.eat(b']') {
                all.shrink_to_fit();
                return Some(all);
            }
            if !self.eat(b',') {
                return None;
            }
            all.push(next(self)?);
        }
    }

    /// Coordinates of any depth, told by the first element at each level; `rest` reads a
    /// position after its first number.
    fn nested<P>(&mut self, rest: fn(&mut Self, f64) -> Option<P>) -> Option<Nested<P>> {
        let position = move |s: &mut Self| -> Option<P> {
            if !s.eat(b'[') {
                return None;
            }
            let x = s.number()?;
            rest(s, x)
        };
        let line = move |s: &mut Self| -> Option<Vec<P>> {
            if !s.eat(b'[') {
                return None;
            }
            let first = position(s)?;
            s.list(first, position)
        };
        let lines = move |s: &mut Self| -> Option<Vec<Vec<P>>> {
            if !s.eat(b'[') {
                return None;
            }
            let first = line(s)?;
            s.list(first, line)
        };
        if !self.eat(b'[') {
            return None;
        }
        if self.peek()? != b'[' {
            let x = self.number()?;
            return rest(self, x).map(Nested::Position);
        }
        Some(match self.nested(rest)? {
            Nested::Position(first) => Nested::Line(self.list(first, position)?),
            Nested::Line(first) => Nested::Lines(self.list(first, line)?),
            Nested::Lines(first) => Nested::Polygons(self.list(first, lines)?),
            Nested::Polygons(_) => return None,
        })
    }

    /// Coordinates as geojson reads them.
    fn coordinates(&mut self) -> Option<Coordinates> {
        self.nested(Self::position_rest)
    }

    /// The rest of `[x, y]`: a position of two numbers exactly, as `geo` holds it.
    fn plain_position_rest(&mut self, x: f64) -> Option<Coord<f64>> {
        if !self.eat(b',') {
            return None;
        }
        let y = self.number()?;
        self.eat(b']').then_some(Coord { x, y })
    }

    /// [`Scanner::coordinates`] when every position is two numbers; `None` otherwise.
    fn plain_coordinates(&mut self) -> Option<Plain> {
        self.nested(Self::plain_position_rest)
    }

    /// [`Scanner::plain_coordinates`] into `out` as whole numbers of 10⁻⁷ degree, when every
    /// number is a short decimal (see [`Scanner::decimal`]); the depth of nesting, 1 to 4.
    /// `None` otherwise, the scanner somewhere within the coordinates.
    fn decimal_coordinates(&mut self, out: &mut Decimals) -> Option<u8> {
        out.clear();
        // The depth, from the brackets that open the coordinates.
        let mut depth = 0u8;
        let mut at = self.at;
        while let Some(&c) = self.b().get(at) {
            match c {
                b'[' => depth = depth.saturating_add(1),
                b' ' | b'\n' | b'\t' | b'\r' => {}
                _ => break,
            }
            at += 1;
        }
        match depth {
            1 => self.decimal_position(out)?,
            2 => self.decimal_line(out)?,
            3 => self.decimal_lines(out)?,
            4 => self.decimal_list(out, Self::decimal_lines)?,
            _ => return None,
        }
        Some(depth)
    }

    /// `[x, y]`.
    fn decimal_position(&mut self, out: &mut Decimals) -> Option<()> {
        if !self.eat(b'[') {
            return None;
        }
        let x = self.decimal(&mut out.unit)?;
        if !self.eat(b',') {
            return None;
        }
        let y = self.decimal(&mut out.unit)?;
        out.coords.push([x, y]);
        self.eat(b']').then_some(())
    }

    /// `[` then one or more of `item`, `,`-separated, then `]`.
    fn decimal_list(
        &mut self,
        out: &mut Decimals,
        item: fn(&mut Self, &mut Decimals) -> Option<()>,
    ) -> Option<()> {
        if !self.eat(b'[') {
            return None;
        }
        loop {
            item(self, out)?;
            if self.eat(b']') {
                return Some(());
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    /// A line of positions, its length noted. Each position as most files write it is read
    /// by [`fast_position`]; anything else (spaces, an exponent, the end of a window near) the
    /// general way, from where the fast way left it.
    fn decimal_line(&mut self, out: &mut Decimals) -> Option<()> {
        let start = out.coords.len();
        if !self.eat(b'[') {
            return None;
        }
        loop {
            match fast_position_here(self.b(), self.at, &mut out.nonzero) {
                Some((position, next)) => {
                    out.coords.push(position);
                    self.at = next;
                }
                None => self.decimal_position(out)?,
            }
            match self.b().get(self.at) {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    break;
                }
                _ if self.eat(b']') => break,
                _ if self.eat(b',') => {}
                _ => return None,
            }
            // Python's json writes ", " between positions.
            self.space();
        }
        out.lens.push(u32::try_from(out.coords.len() - start).ok()?);
        Some(())
    }

    /// Lines (a polygon's rings), their number noted.
    fn decimal_lines(&mut self, out: &mut Decimals) -> Option<()> {
        let start = out.lens.len();
        self.decimal_list(out, Self::decimal_line)?;
        out.rings.push(u32::try_from(out.lens.len() - start).ok()?);
        Some(())
    }

    /// A coordinate as a whole number of 10⁻⁷ degree, when its text is a decimal of one to
    /// three digits before the point and none to seven after it, no exponent, at most 180° either
    /// way, and not negative zero (which the doubles keep and whole numbers cannot); `unit` is
    /// lowered to the largest power of ten, up to 7, that divides it. By JSON's grammar, as
    /// [`Scanner::number`] reads it; `None` for anything else.
    fn decimal(&mut self, unit: &mut u8) -> Option<i32> {
        self.space();
        let b = self.b();
        let mut at = self.at;
        let negative = b.get(at) == Some(&b'-');
        if negative {
            at += 1;
        }
        let int_start = at;
        let mut whole: i64 = 0;
        while let Some(&d) = b.get(at).filter(|d| d.is_ascii_digit()) {
            // A fourth digit is already too many: stop before the sum can overflow.
            if at - int_start == 3 {
                return None;
            }
            whole = whole * 10 + i64::from(d - b'0');
            at += 1;
        }
        match at - int_start {
            1 => {}
            2 | 3 if b[int_start] != b'0' => {}
            _ => return None,
        }
        let mut fraction: i64 = 0;
        let mut places = 0u8;
        // Places up to the last digit that is not 0.
        let mut significant = 0u8;
        if b.get(at) == Some(&b'.') {
            at += 1;
            // Eight bytes at once where the text has them: the places are most of the number.
            if let Some(eight) = b.get(at..at + 8) {
                let (value, n, last) = swar_digits(eight);
                if n == 8 {
                    return None;
                }
                (fraction, places, significant) = (value, n, last);
                at += usize::from(n);
            }
            while let Some(&d) = b.get(at).filter(|d| d.is_ascii_digit()) {
                if places == 7 {
                    return None;
                }
                fraction = fraction * 10 + i64::from(d - b'0');
                places += 1;
                if d != b'0' {
                    significant = places;
                }
                at += 1;
            }
            if places == 0 {
                return None;
            }
        }
        if let Some(b'e' | b'E') = b.get(at) {
            return None;
        }
        const POW10: [i64; 8] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];
        let n = whole * PER_DEGREE + fraction * POW10[usize::from(7 - places)];
        if n > MAX_DECIMAL || (negative && n == 0) {
            return None;
        }
        // n is whole × 10⁷ + fraction × 10^(7 − places): divided by 10^(7 − significant)
        // exactly, and by 10⁷ when the fraction is 0.
        *unit = (*unit).min(7 - significant);
        self.at = at;
        i32::try_from(if negative { -n } else { n }).ok()
    }
}

/// [`fast_position`] where the processor has it: on x86-64. Elsewhere `None`: the general way
/// reads every position.
#[inline(always)]
fn fast_position_here(b: &[u8], at: usize, nonzero: &mut u64) -> Option<([i32; 2], usize)> {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: SSE2 is part of x86-64: every processor this is built for has it.
        unsafe { fast_position(b, at, nonzero) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (b, at, nonzero);
        None
    }
}

/// `[x,y]` at `at` (a space after the comma allowed), each a decimal that
/// [`Scanner::decimal`] takes: the position and where it ends, the places that are not 0 added
/// to `nonzero` (see [`Decimals::nonzero`]). `None` for anything else, or where the text ends
/// within 40 bytes: the general way reads it then, and reads the same from what this takes.
///
/// Where each number ends is found for the whole position at once, from byte masks of 32 bytes,
/// not digit after digit; and both numbers' places are made numbers together, in one register.
/// A number's value is thus made apart from finding where the next starts, and the processor
/// makes several at once. Made a byte at a time, the masks cost more than they save (2.7 × the
/// time of the general way): this is for SSE2 only.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
#[inline]
fn fast_position(b: &[u8], at: usize, nonzero: &mut u64) -> Option<([i32; 2], usize)> {
    let s: &[u8; 40] = b.get(at..at.checked_add(40)?)?.try_into().ok()?;
    if s[0] != b'[' {
        return None;
    }
    let m = Masks::sse2(s);
    let comma = m.comma.trailing_zeros() as usize;
    let close = m.close.trailing_zeros() as usize;
    // A `]` within the 32 bytes, after the first `,`.
    if comma >= close || close >= 32 {
        return None;
    }
    let x = Decimal::of(s, (1, comma), &m, nonzero)?;
    let y_at = if s[comma + 1] == b' ' {
        comma + 2
    } else {
        comma + 1
    };
    let y = Decimal::of(s, (y_at, close), &m, nonzero)?;
    let [fx, fy] = eight_digits_twice([x.places, y.places]);
    Some(([x.value(fx)?, y.value(fy)?], at + close + 1))
}

/// Where a position's bytes are `,`, `]`, `.` and digits: bit `i` for byte `i` of the first 32.
#[cfg(target_arch = "x86_64")]
struct Masks {
    comma: u32,
    close: u32,
    dot: u32,
    digit: u32,
}

#[cfg(target_arch = "x86_64")]
impl Masks {
    /// Sixteen bytes compared at once.
    #[target_feature(enable = "sse2")]
    #[inline]
    fn sse2(s: &[u8; 40]) -> Self {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_min_epu8, _mm_movemask_epi8, _mm_set_epi64x,
            _mm_set1_epi8, _mm_sub_epi8,
        };
        let word = |k: usize| i64::from_le_bytes(le_word(s, k).to_le_bytes());
        let (lo, hi) = (
            _mm_set_epi64x(word(8), word(0)),
            _mm_set_epi64x(word(24), word(16)),
        );
        // The sixteen bits of each half's mask, one a byte.
        let bits = |lo: __m128i, hi: __m128i| {
            u32::from(_mm_movemask_epi8(lo) as u16)
                | (u32::from(_mm_movemask_epi8(hi) as u16) << 16)
        };
        let is = |c: u8| {
            let c = _mm_set1_epi8(c as i8);
            bits(_mm_cmpeq_epi8(lo, c), _mm_cmpeq_epi8(hi, c))
        };
        // A digit less '0' is 0 to 9; anything else wraps past 9.
        let digit = |v: __m128i| {
            let d = _mm_sub_epi8(v, _mm_set1_epi8(b'0' as i8));
            _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d)
        };
        Self {
            comma: is(b','),
            close: is(b']'),
            dot: is(b'.'),
            digit: bits(digit(lo), digit(hi)),
        }
    }

    /// A byte at a time, to check the others against.
    #[cfg(test)]
    fn bytewise(s: &[u8; 40]) -> Self {
        let bits = |f: &dyn Fn(u8) -> bool| {
            s[..32]
                .iter()
                .enumerate()
                .filter(|(_, c)| f(**c))
                .fold(0u32, |m, (i, _)| m | 1 << i)
        };
        Self {
            comma: bits(&|c| c == b','),
            close: bits(&|c| c == b']'),
            dot: bits(&|c| c == b'.'),
            digit: bits(&|c| c.is_ascii_digit()),
        }
    }
}

/// Eight bytes of `s` from `k`, the first the lowest.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn le_word(s: &[u8; 40], k: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&s[k..k + 8]);
    u64::from_le_bytes(w)
}

/// A decimal as [`fast_position`] takes it apart: its value is made once its places are a number.
#[cfg(target_arch = "x86_64")]
struct Decimal {
    negative: bool,
    /// The digits before the point.
    whole: i64,
    /// The places' values, one a byte, the first place the lowest; none past the seventh.
    places: u64,
}

#[cfg(target_arch = "x86_64")]
impl Decimal {
    /// The decimal in `s[from..to]` (no white space, `to` at most 31), taken as
    /// [`Scanner::decimal`] takes it: `None` for whatever it refuses.
    #[inline(always)]
    fn of(s: &[u8; 40], (from, to): (usize, usize), m: &Masks, nonzero: &mut u64) -> Option<Self> {
        let negative = s[from] == b'-';
        let i = from + usize::from(negative);
        if to <= i {
            return None;
        }
        // Bits i to `to` less one.
        let span = (u32::MAX >> (32 - to)) & !((1u32 << i) - 1);
        let dot = m.dot & span;
        // Digits, but for one point at most.
        if (m.digit | dot) & span != span || dot & dot.wrapping_sub(1) != 0 {
            return None;
        }
        let int_end = if dot == 0 {
            to
        } else {
            dot.trailing_zeros() as usize
        };
        let digit = |k: usize| i64::from(s[k] - b'0');
        // One to three digits before the point, the first not 0 unless it is alone.
        let whole = match int_end - i {
            1 => digit(i),
            2 if s[i] != b'0' => digit(i) * 10 + digit(i + 1),
            3 if s[i] != b'0' => digit(i) * 100 + digit(i + 1) * 10 + digit(i + 2),
            _ => return None,
        };
        let mut places = 0;
        if dot != 0 {
            // One to seven places, read as one word.
            let n = to - int_end - 1;
            if !(1..=7).contains(&n) {
                return None;
            }
            let keep = (1u64 << (8 * n)) - 1;
            places = le_word(s, int_end + 1).wrapping_sub(0x3030_3030_3030_3030) & keep;
            *nonzero |= places.wrapping_add(0x7f7f_7f7f_7f7f_7f7f) & 0x8080_8080_8080_8080 & keep;
        }
        Some(Self {
            negative,
            whole,
            places,
        })
    }

    /// The decimal in 10⁻⁷ degree, its places being `eighths` 10⁻⁸ degree (the eighth is 0);
    /// `None` past 180° or for negative zero, as [`Scanner::decimal`].
    #[inline(always)]
    fn value(&self, eighths: i64) -> Option<i32> {
        let n = self.whole * PER_DEGREE + eighths / 10;
        if n > MAX_DECIMAL || (self.negative && n == 0) {
            return None;
        }
        i32::try_from(if self.negative { -n } else { n }).ok()
    }
}

/// [`eight_digits`] of two words at once: the steps of pairs made in one register for both.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
#[inline]
fn eight_digits_twice(words: [u64; 2]) -> [i64; 2] {
    use std::arch::x86_64::{
        _mm_add_epi16, _mm_add_epi64, _mm_and_si128, _mm_cvtsi128_si64, _mm_madd_epi16,
        _mm_mul_epu32, _mm_mullo_epi16, _mm_set_epi64x, _mm_set1_epi16, _mm_set1_epi32,
        _mm_set1_epi64x, _mm_srli_epi16, _mm_srli_epi64, _mm_unpackhi_epi64,
    };
    let [a, b] = words.map(|w| i64::from_le_bytes(w.to_le_bytes()));
    let v = _mm_set_epi64x(b, a);
    // Pairs of digits (the first ten times), then pairs of those (the first a hundred times),
    // then of those (ten thousand times).
    let v = _mm_and_si128(
        _mm_add_epi16(_mm_mullo_epi16(v, _mm_set1_epi16(10)), _mm_srli_epi16(v, 8)),
        _mm_set1_epi16(0xff),
    );
    let v = _mm_madd_epi16(v, _mm_set1_epi32(100 | (1 << 16)));
    let v = _mm_add_epi64(
        _mm_mul_epu32(v, _mm_set1_epi64x(10_000)),
        _mm_srli_epi64(v, 32),
    );
    [
        _mm_cvtsi128_si64(v),
        _mm_cvtsi128_si64(_mm_unpackhi_epi64(v, v)),
    ]
}

/// Eight digits' values, one a byte, the first the lowest: their number, in three steps of pairs.
#[inline(always)]
fn eight_digits(mut x: u64) -> i64 {
    x = (x.wrapping_mul(10) + (x >> 8)) & 0x00ff_00ff_00ff_00ff;
    x = (x.wrapping_mul(100) + (x >> 16)) & 0x0000_ffff_0000_ffff;
    x = (x.wrapping_mul(10_000) + (x >> 32)) & 0xffff_ffff;
    x as i64
}

/// A geometry as read: kept as the record has it, or (plain 2-D positions) as `geo` holds it.
enum ReadGeometry {
    Record(Geometry),
    Exact(Exact),
}

/// The digits that `eight` starts with, up to 8 (eight bytes read as one little-endian
/// word): their value, their number, and the place of the last that is not 0 (0 for none).
fn swar_digits(eight: &[u8]) -> (i64, u8, u8) {
    let mut word = [0u8; 8];
    word.copy_from_slice(eight);
    let v = u64::from_le_bytes(word);
    const LOW: u64 = 0x3030_3030_3030_3030;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Each byte less '0' (its high bit set if it was below), and each plus 0x46 (its high
    // bit set if it was above '9').
    let d = v.wrapping_sub(LOW);
    let not_digit = (d | v.wrapping_add(0x4646_4646_4646_4646)) & HIGH;
    let n = (not_digit.trailing_zeros() / 8) as u8;
    if n == 0 {
        return (0, 0, 0);
    }
    // The digits alone, the first in the lowest byte.
    let keep = if n == 8 {
        u64::MAX
    } else {
        (1u64 << (8 * n)) - 1
    };
    let d = d & keep;
    // Bytes that are digits 1 to 9.
    let nonzero = (d + 0x7f7f_7f7f_7f7f_7f7f) & HIGH & keep;
    let last = if nonzero == 0 {
        0
    } else {
        (64 - nonzero.leading_zeros()).div_ceil(8) as u8
    };
    // Leading zeros before the digits, the first digit the most significant: three steps of
    // pairs (the usual eight-digit conversion).
    (eight_digits(d << (8 * (8 - u32::from(n)))), n, last)
}

/// A geometry's coordinates as the scanner took them.
enum Coords {
    /// In the thread's [`Decimals`], nested this deep (1 to 4).
    Decimals(u8),
    Plain(Plain),
    Record(Coordinates),
}

/// 10⁷: a coordinate's decimal of up to seven places, as a whole number of 10⁻⁷ degree.
const PER_DEGREE: i64 = 10_000_000;

/// The largest coordinate packed from its decimal, in 10⁻⁷ degree: 180°.
const MAX_DECIMAL: i64 = 180 * PER_DEGREE;

/// A geometry's coordinates as whole numbers of 10⁻⁷ degree, straight from their decimals, with
/// their structure; kept from geometry to geometry on each thread.
#[derive(Default)]
struct Decimals {
    coords: Vec<[i32; 2]>,
    /// Positions in each line or ring, in order (depth 2 and more).
    lens: Vec<u32>,
    /// Lines or rings in each polygon (depth 3 and more: one for depth 3).
    rings: Vec<u32>,
    /// The largest power of ten, up to 7, dividing every coordinate the general way read.
    unit: u8,
    /// The places that are not 0 in the decimals the fast way read ([`fast_position`]), byte
    /// `k` for place `k + 1`: its high bit set where any had one. The unit is found from them
    /// once a geometry is read, not for each decimal.
    nonzero: u64,
}

thread_local! {
    static DECIMALS: std::cell::RefCell<Decimals> = std::cell::RefCell::default();
}

impl Decimals {
    /// Lets go of the room a very large geometry needed: each thread keeps its own.
    fn trim(&mut self) {
        fn keep_at_most<T>(v: &mut Vec<T>) {
            const KEEP: usize = 1 << 16;
            if v.capacity() > KEEP {
                v.clear();
                v.shrink_to(KEEP);
            }
        }
        keep_at_most(&mut self.coords);
        keep_at_most(&mut self.lens);
        keep_at_most(&mut self.rings);
    }

    fn clear(&mut self) {
        self.coords.clear();
        self.lens.clear();
        self.rings.clear();
        self.unit = 7;
        self.nonzero = 0;
    }

    /// The geometry of type `kind` packed, if it is what [`Plain::is_exact`] takes (the type
    /// matches the depth, rings are closed) and what [`crate::model::Feature::from_exact`]
    /// would pack: every coordinate within WGS84's range (longitudes were checked as read, up
    /// to 180°) and no step along a line or ring of 180° or more in longitude (the doubles'
    /// difference might round either way at exactly 180°; anything else is left to the doubles).
    fn packed(&self, kind: &str, depth: u8) -> Option<Packed> {
        let kind = match (kind, depth) {
            ("Point", 1) => Kind::Point,
            ("MultiPoint", 2) => Kind::MultiPoint,
            ("LineString", 2) => Kind::LineString,
            ("MultiLineString", 3) => Kind::MultiLineString,
            ("Polygon", 3) => Kind::Polygon,
            ("MultiPolygon", 4) => Kind::MultiPolygon,
            _ => return None,
        };
        let max_y = MAX_DECIMAL / 2;
        if self.coords.iter().any(|c| i64::from(c[1]).abs() > max_y) {
            return None;
        }
        let mut at = 0usize;
        for &n in &self.lens {
            let line = self.coords.get(at..at + n as usize)?;
            at += n as usize;
            if matches!(kind, Kind::Polygon | Kind::MultiPolygon) && line.first() != line.last() {
                return None;
            }
            if kind != Kind::MultiPoint
                && line
                    .windows(2)
                    .any(|w| (i64::from(w[1][0]) - i64::from(w[0][0])).abs() >= MAX_DECIMAL)
            {
                return None;
            }
        }
        let lens: &[u32] = match kind {
            Kind::Point | Kind::MultiPoint => &[],
            _ => &self.lens,
        };
        let rings: &[u32] = match kind {
            Kind::MultiPolygon => &self.rings,
            _ => &[],
        };
        Packed::from_ints(kind, &self.coords, lens, rings, self.unit())
    }

    /// The largest power of ten, up to 7, dividing every coordinate.
    fn unit(&self) -> u8 {
        // The last place that is not 0 in any decimal.
        let significant = (64 - self.nonzero.leading_zeros()).div_ceil(8) as u8;
        self.unit.min(7 - significant)
    }

    /// The coordinates as the scanner reads them into doubles: each the double nearest its
    /// decimal, as [`Scanner::number`] gives it (a whole number of at most ten digits over
    /// 10⁷, correctly rounded).
    fn plain(&self, depth: u8) -> Option<Plain> {
        let coord = |c: &[i32; 2]| Coord {
            x: f64::from(c[0]) / PER_DEGREE as f64,
            y: f64::from(c[1]) / PER_DEGREE as f64,
        };
        let mut coords = self.coords.iter().map(coord);
        let mut lens = self.lens.iter().map(|&n| n as usize);
        let mut line = || -> Option<Vec<Coord<f64>>> {
            let n = lens.next()?;
            let l: Vec<Coord<f64>> = coords.by_ref().take(n).collect();
            (l.len() == n).then_some(l)
        };
        Some(match depth {
            1 => Plain::Position(coord(self.coords.first()?)),
            2 => Plain::Line(line()?),
            3 => Plain::Lines(
                (0..*self.rings.first()?)
                    .map(|_| line())
                    .collect::<Option<_>>()?,
            ),
            4 => Plain::Polygons(
                self.rings
                    .iter()
                    .map(|&r| (0..r).map(|_| line()).collect::<Option<Vec<_>>>())
                    .collect::<Option<_>>()?,
            ),
            _ => return None,
        })
    }
}

/// Coordinates of 2-D positions by depth, as `geo` holds them.
type Plain = Nested<Coord<f64>>;

impl Plain {
    /// Whether `geo` holds these coordinates as a geometry of type `kind` exactly as read: the
    /// type matches the depth, and a polygon's rings are closed (`geo` would close them).
    fn is_exact(&self, kind: &str) -> bool {
        let closed = |ring: &Vec<Coord<f64>>| ring.first() == ring.last();
        match (kind, self) {
            ("Point", Plain::Position(_))
            | ("LineString" | "MultiPoint", Plain::Line(_))
            | ("MultiLineString", Plain::Lines(_)) => true,
            ("Polygon", Plain::Lines(rings)) => rings.iter().all(closed),
            ("MultiPolygon", Plain::Polygons(polygons)) => polygons.iter().flatten().all(closed),
            _ => false,
        }
    }

    /// The geometry of type `kind` (see [`Plain::is_exact`]); `None` if the type does not match.
    fn into_geometry(self, kind: &str) -> Option<geo::Geometry<f64>> {
        use geo::{LineString, Point};
        let polygon = |mut rings: Vec<Vec<Coord<f64>>>| -> geo::Polygon<f64> {
            let interiors = rings.split_off(1.min(rings.len()));
            let exterior = rings.pop().unwrap_or_default();
            geo::Polygon::new(
                LineString(exterior),
                interiors.into_iter().map(LineString).collect(),
            )
        };
        Some(match (kind, self) {
            ("Point", Plain::Position(c)) => geo::Geometry::Point(Point(c)),
            ("LineString", Plain::Line(l)) => geo::Geometry::LineString(LineString(l)),
            ("MultiPoint", Plain::Line(l)) => {
                geo::Geometry::MultiPoint(l.into_iter().map(Point).collect())
            }
            ("Polygon", Plain::Lines(rings)) => geo::Geometry::Polygon(polygon(rings)),
            ("MultiLineString", Plain::Lines(lines)) => geo::Geometry::MultiLineString(
                geo::MultiLineString(lines.into_iter().map(LineString).collect()),
            ),
            ("MultiPolygon", Plain::Polygons(polygons)) => geo::Geometry::MultiPolygon(
                geo::MultiPolygon(polygons.into_iter().map(polygon).collect()),
            ),
            _ => return None,
        })
    }

    /// The coordinates as geojson holds them.
    fn into_coordinates(self) -> Coordinates {
        let position = |c: Coord<f64>| Position::from([c.x, c.y]);
        let line = |l: Vec<Coord<f64>>| l.into_iter().map(position).collect::<Vec<_>>();
        let lines = |ls: Vec<Vec<Coord<f64>>>| ls.into_iter().map(line).collect::<Vec<_>>();
        match self {
            Plain::Position(c) => Coordinates::Position(position(c)),
            Plain::Line(l) => Coordinates::Line(line(l)),
            Plain::Lines(ls) => Coordinates::Lines(lines(ls)),
            Plain::Polygons(ps) => Coordinates::Polygons(ps.into_iter().map(lines).collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Coordinates read from their own text.
    fn scan_coordinates(text: &str) -> Option<Coordinates> {
        let mut s = Scanner::new(text, 0);
        let c = s.coordinates()?;
        s.space();
        (s.at == s.b().len()).then_some(c)
    }

    /// Properties kept as the file has them are exactly the text a map read from them is
    /// written as, and the rest are read into a map as before: a feature's properties are saved
    /// as they were, and looked up by the first of a key.
    #[test]
    fn properties_kept_as_the_file_has_them_are_serde_jsons_own_text_of_them() {
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(20), "]".repeat(20));
        let many = format!(
            "{{{}}}",
            (0..70)
                .map(|i| format!("\"k{i}\":{i}"))
                .collect::<Vec<_>>()
                .join(",")
        );
        // (properties, kept as they are?)
        let cases: Vec<(&str, bool)> = vec![
            (r#"{}"#, true),
            (r#"{"a":1}"#, true),
            (
                r#"{"id":1,"name":"Vùng sản xuất nông nghiệp Hòa Lợi khu A","zone_type":"agricultural","area_target_ha":0.7,"status":"approved"}"#,
                true,
            ),
            (
                r#"{"o":{"x":[1,2,{"y":null}],"t":true,"f":false},"e":[],"m":{}}"#,
                true,
            ),
            (r#"{"s":"/ — 美福 ✓"}"#, true),
            (
                r#"{"n":-42,"m":0,"l":123456789012345678,"d":-0.0,"t":1.0,"x":1e+21,"y":1.5e-7}"#,
                true,
            ),
            (
                r#"{"n":1.7976931348623157e+308,"m":5e-324,"o":0.30000000000000004}"#,
                true,
            ),
            (r#"{"a":1,"b":{"a":2}}"#, true),
            // Not serde_json's text of what it reads: read into a map and written anew.
            (r#"{"a":1,"a":2}"#, false),
            (r#"{"a": 1}"#, false),
            (r#"{ "a":1}"#, false),
            (r#"{"a":1 }"#, false),
            (r#"{"n":1.00}"#, false),
            (r#"{"n":1e5}"#, false),
            (r#"{"n":1E21}"#, false),
            (r#"{"n":1e21}"#, false),
            (r#"{"n":0.1e1}"#, false),
            (r#"{"n":-0}"#, false),
            (r#"{"n":12345678901234567890}"#, false),
            (r#"{"n":123456789012345678901234}"#, false),
            (r#"{"s":"a\"b"}"#, false),
            (r#"{"s":"\u0041"}"#, false),
            (r#"{"a\u0041":1,"aA":2}"#, false),
            (r#"{"s":"\/"}"#, false),
            (&deep, false),
            (&many, false),
        ];
        for (props, kept) in cases {
            let text = format!(r#"{{"type":"Feature","properties":{props},"geometry":null}}"#);
            let mut s = Scanner::new(&text, 0);
            let read = s.feature().expect("the feature reads");
            let map: JsonObject = serde_json::from_str(props).expect("the properties read");
            let written = JsonValue::Object(map.clone()).to_string();
            match &read.properties {
                Some(t) => {
                    assert!(kept, "{props}: kept as they are");
                    assert_eq!(&**t, props);
                    assert_eq!(**t, written, "{props}: serde_json's own text");
                    assert_eq!(read.record.properties, None);
                }
                None => {
                    assert!(!kept, "{props}: read into a map");
                    assert_eq!(read.record.properties.as_ref(), Some(&map), "{props}");
                }
            }
            // Either way, the record they make is serde_json's, and so is the feature's text.
            let whole = read.into_record();
            assert_eq!(whole.properties.as_ref(), Some(&map), "{props}");
            let read_again = Scanner::new(&text, 0).feature().expect("the feature reads");
            let feature = crate::model::Feature::from_record(read_again.record)
                .with_properties_text(read_again.properties);
            assert_eq!(feature.properties_text(), Some(written.as_str()), "{props}");
        }
    }

    /// Each decimal taken as serde_json's own text without reading it is written back by
    /// serde_json as it is.
    #[test]
    fn a_short_decimal_is_written_back_as_it_is() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let mut taken = 0;
        for _ in 0..200_000 {
            let whole = match next(4) {
                0 => "0".to_owned(),
                1 => next(10).to_string(),
                2 => next(1_000_000_000).to_string(),
                _ => format!("0{}", next(100)),
            };
            let places: String = (0..1 + next(8))
                .map(|_| char::from(b'0' + next(10) as u8))
                .collect();
            let text = format!("{}{whole}.{places}", if next(2) == 0 { "-" } else { "" });
            let digits = text.strip_prefix('-').unwrap_or(&text);
            if short_decimal(digits) {
                taken += 1;
                let value: f64 = serde_json::from_str(&text).expect("a decimal");
                assert_eq!(serde_json::to_string(&value).ok(), Some(text.clone()));
            }
        }
        assert!(taken > 50_000, "{taken} taken");
        for no in [
            "1.0",
            "0.05",
            "01.5",
            "1.5000000",
            "1e5",
            "1.",
            ".5",
            "1234567890.5",
        ] {
            assert!(!short_decimal(no), "{no}");
        }
    }

    /// A window checked in halves on two cores is checked as it is whole: a character cut at
    /// its end left out, anything else not UTF-8 refused, wherever the middle falls.
    #[test]
    fn a_window_checked_in_halves_is_checked_as_whole() {
        let mut text = String::new();
        while text.len() < (1 << 20) + 64 {
            text.push_str("Bình Dương 美福 😀 [106.693489,11.169938],");
        }
        let base = text.into_bytes();
        for cut in 0..48 {
            let mut b = base[..(1 << 20) + cut].to_vec();
            assert_eq!(utf8_prefix(&b), utf8_prefix_here(&b), "cut {cut}");
            let mid = b.len() / 2;
            for at in [mid - 2, mid - 1, mid, mid + 1, mid + 2, 5, b.len() - 2] {
                let was = b[at];
                for bad in [0xff, 0x80, 0xc3] {
                    b[at] = bad;
                    assert_eq!(
                        utf8_prefix(&b),
                        utf8_prefix_here(&b),
                        "cut {cut}, {bad:#x} at {at}"
                    );
                }
                b[at] = was;
            }
        }
    }

    /// Eight bytes at once give what one at a time gives.
    #[test]
    fn eight_bytes_at_once_read_the_digits_they_start_with() {
        let one_at_a_time = |b: &[u8]| {
            let n = b.iter().take_while(|d| d.is_ascii_digit()).count();
            let value = b[..n]
                .iter()
                .fold(0i64, |v, d| v * 10 + i64::from(d - b'0'));
            let last = b[..n].iter().rposition(|&d| d != b'0').map_or(0, |i| i + 1);
            (value, n as u8, last as u8)
        };
        let mut seed = 0x1234_5678_9abc_def1u64;
        let alphabet = b"0123456789012345678900/:.,] e-";
        for _ in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let bytes: Vec<u8> = (0..8)
                .map(|k| alphabet[((seed >> (k * 5)) % alphabet.len() as u64) as usize])
                .collect();
            assert_eq!(
                swar_digits(&bytes),
                one_at_a_time(&bytes),
                "{:?}",
                String::from_utf8_lossy(&bytes)
            );
        }
        for text in [
            b"00000000",
            b"99999999",
            b"1234567,",
            b"0000001]",
            b"/:/:/:/:",
            b"\xff\x80\x7f\x00abcd",
        ] {
            assert_eq!(
                swar_digits(text),
                one_at_a_time(text),
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
    }

    /// A geometry read from its own text by the scanner.
    fn scan_geometry(text: &str) -> Option<ReadGeometry> {
        let mut s = Scanner::new(text, 0);
        let g = s.geometry()?;
        s.space();
        (s.at == s.b().len()).then_some(g)
    }

    /// A very large geometry's room is not kept by the thread that read it, and brackets
    /// nested past any depth are refused, not counted past a byte.
    #[test]
    fn a_huge_geometry_leaves_no_room_behind_and_deep_brackets_are_refused() {
        let ring: Vec<String> = (0..200_000)
            .map(|i| {
                format!(
                    "[{}.{:06},11.{:06}]",
                    106,
                    i % 1_000_000,
                    (i * 7) % 1_000_000
                )
            })
            .chain(std::iter::once("[106.000000,11.000000]".to_owned()))
            .collect();
        let text = format!(
            r#"{{"type":"LineString","coordinates":[{}]}}"#,
            ring.join(",")
        );
        assert!(matches!(
            scan_geometry(&text),
            Some(ReadGeometry::Exact(Exact::Packed(_)))
        ));
        let kept = DECIMALS.with_borrow(|d| d.coords.capacity());
        assert!(kept <= 1 << 16, "{kept} coordinates' room kept");
        let deep = format!(
            r#"{{"type":"Point","coordinates":{}1,2{}}}"#,
            "[".repeat(300),
            "]".repeat(300)
        );
        assert!(scan_geometry(&deep).is_none());
    }

    /// A xorshift: the same numbers on every run.
    fn xorshift(seed: &mut u64, n: u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed % n.max(1)
    }

    /// The masks made sixteen bytes at a time are those made a byte at a time.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn a_positions_masks_are_its_bytes() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let alphabet = b"0123456789,.]-[e \n\x00\xff/:\x7f\x80";
        for _ in 0..20_000 {
            let mut s = [0u8; 40];
            for c in &mut s {
                *c = alphabet[xorshift(&mut seed, alphabet.len() as u64) as usize];
            }
            // SAFETY: SSE2 is part of x86-64.
            let (m, b) = (unsafe { Masks::sse2(&s) }, Masks::bytewise(&s));
            assert_eq!(
                (m.comma, m.close, m.dot, m.digit),
                (b.comma, b.close, b.dot, b.digit),
                "{s:?}"
            );
        }
    }

    /// A position the fast way reads is read as the general way reads it: the same numbers,
    /// the same end, the same unit; and the fast way reads the usual ones.
    #[test]
    fn a_position_read_the_fast_way_is_read_as_the_general_way_reads_it() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move |n: u64| xorshift(&mut seed, n);
        let number = |next: &mut dyn FnMut(u64) -> u64| -> String {
            let digits = |n: u64, next: &mut dyn FnMut(u64) -> u64| -> String {
                (0..n).map(|_| char::from(b'0' + next(10) as u8)).collect()
            };
            let sign = if next(3) == 0 { "-" } else { "" };
            let whole = match next(20) {
                0 => String::new(),
                1 => format!("0{}", digits(1 + next(2), next)),
                2 => digits(4 + next(3), next),
                3 => "180".to_owned(),
                4 => "0".to_owned(),
                _ => digits(1 + next(3), next),
            };
            let places = match next(20) {
                0 => String::new(),
                1 => ".".to_owned(),
                2 => format!(".{}", digits(8 + next(3), next)),
                3 => format!(".{}0", digits(next(7), next)),
                4 => ".0000000".to_owned(),
                _ => format!(".{}", digits(1 + next(7), next)),
            };
            let tail = match next(60) {
                0 => "e5",
                1 => "E-1",
                2 => " ",
                3 => ".5",
                _ => "",
            };
            format!("{sign}{whole}{places}{tail}")
        };
        let (mut fast, mut tried) = (0, 0);
        for _ in 0..50_000 {
            let (x, y) = (number(&mut next), number(&mut next));
            let comma = [",", ",", ",", ",", ", ", " ,", ",  "][next(7) as usize];
            let end = ["]", "]", "]", "]", "]", "]", " ]", ",3]", ""][next(9) as usize];
            let text = format!("[{x}{comma}{y}{end},[1.5,2.5]{}", " ".repeat(40));
            tried += 1;
            let mut nonzero = 0;
            let Some((position, at)) = fast_position_here(text.as_bytes(), 0, &mut nonzero) else {
                continue;
            };
            fast += 1;
            let mut general = Decimals::default();
            general.clear();
            let mut s = Scanner::new(&text, 0);
            assert!(s.decimal_position(&mut general).is_some(), "{text}");
            let mut read = Decimals::default();
            read.clear();
            read.nonzero = nonzero;
            assert_eq!(
                (general.coords.as_slice(), s.at, general.unit()),
                ([position].as_slice(), at, read.unit()),
                "{text}"
            );
        }
        // Most are not decimals the general way takes either; enough are, where there is a
        // fast way.
        if cfg!(target_arch = "x86_64") {
            assert!(fast * 10 > tried, "{fast} of {tried} read the fast way");
        }
    }

    /// Geometries whose coordinates are short decimals are packed straight from the text as
    /// their doubles would be packed, and only where the doubles would be (drawable as read,
    /// rings closed, the type matching the nesting); everything else is read as doubles, or
    /// left to the record, as before. geojson's reader is the reference.
    #[test]
    fn short_decimals_are_packed_as_their_doubles_would_be() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n.max(1)
        };
        // A coordinate's text: mostly short decimals, some that are not.
        let number = |max: f64, next: &mut dyn FnMut(u64) -> u64| -> String {
            let v = (next(2_000_001) as f64 / 1_000_000.0 - 1.0) * max;
            match next(20) {
                0 => "-0".to_owned(),
                1 => "-0.000".to_owned(),
                2 => format!("{:.0}", v.trunc().abs()),
                3 => format!("{v:.8}"),
                4 => format!("{v:e}"),
                5 => format!("{:.1}0", v),
                6 => format!("{}", max.trunc()),
                7 => format!("-{}.0000001", max.trunc()),
                8 => format!(" {v:.3} "),
                9 => format!("{v}"),
                // Long runs of digits, before the point and after it (the fuzzer's find: a
                // whole part of 20 digits overflowed).
                10 => format!("{}{}.5", 1 + next(9), "9".repeat(next(30) as usize)),
                11 => format!("{:.0}{}", v.trunc().abs(), "7".repeat(next(30) as usize)),
                12 => format!("{v:.7}{}", "3".repeat(next(30) as usize)),
                _ => format!("{v:.*}", next(8) as usize),
            }
        };
        let (mut packed, mut nice) = (0, 0);
        for round in 0..6_000 {
            // Short decimals only, within range, rings closed: these must be packed.
            let plain = round % 3 == 0;
            let coordinate = |next: &mut dyn FnMut(u64) -> u64| -> String {
                if plain {
                    // Near one place (no step across the antimeridian), either side of 0.
                    let x = (next(2_000_001) as f64 / 1_000_000.0 - 1.0)
                        + [106.0, 0.0, -179.0][round / 3 % 3];
                    let y = (next(2_000_001) as f64 / 1_000_000.0 - 1.0) * 89.0;
                    let (px, py) = (next(8) as usize, next(8) as usize);
                    let nz = |t: String| {
                        if t.trim_start_matches(['-', '0', '.']).is_empty() {
                            t.trim_start_matches('-').to_owned()
                        } else {
                            t
                        }
                    };
                    format!("[{},{}]", nz(format!("{x:.px$}")), nz(format!("{y:.py$}")))
                } else {
                    let (xmax, ymax) = if next(10) == 0 {
                        (200.0, 100.0)
                    } else {
                        (180.0, 90.0)
                    };
                    format!("[{},{}]", number(xmax, next), number(ymax, next))
                }
            };
            let line = |closed: bool, next: &mut dyn FnMut(u64) -> u64| -> String {
                let n = 1 + next(6) as usize;
                let mut ps: Vec<String> = (0..n).map(|_| coordinate(next)).collect();
                if closed || next(5) == 0 {
                    ps.push(ps[0].clone());
                }
                format!("[{}]", ps.join(","))
            };
            let kinds = [
                "Point",
                "MultiPoint",
                "LineString",
                "MultiLineString",
                "Polygon",
                "MultiPolygon",
            ];
            let kind = kinds[next(6) as usize];
            let depth = match kind {
                "Point" => 1,
                "MultiPoint" | "LineString" => 2,
                "MultiLineString" | "Polygon" => 3,
                _ => 4,
            };
            let depth = if !plain && next(15) == 0 {
                1 + next(4)
            } else {
                depth
            };
            let closed = plain || next(4) != 0;
            let coordinates = match depth {
                1 => coordinate(&mut next),
                2 => line(false, &mut next),
                3 => format!(
                    "[{}]",
                    (0..1 + next(3))
                        .map(|_| line(closed, &mut next))
                        .collect::<Vec<_>>()
                        .join(",")
                ),
                _ => format!(
                    "[{}]",
                    (0..1 + next(3))
                        .map(|_| format!(
                            "[{}]",
                            (0..1 + next(2))
                                .map(|_| line(closed, &mut next))
                                .collect::<Vec<_>>()
                                .join(",")
                        ))
                        .collect::<Vec<_>>()
                        .join(",")
                ),
            };
            let text = format!(r#"{{"type":"{kind}","coordinates":{coordinates}}}"#);
            let Ok(reference) = serde_json::from_str::<geojson::Geometry>(&text) else {
                assert!(scan_geometry(&text).is_none(), "{text}");
                continue;
            };
            let doubles = geo::Geometry::<f64>::try_from(reference.value.clone()).ok();
            match scan_geometry(&text) {
                Some(ReadGeometry::Exact(Exact::Packed(p))) => {
                    packed += 1;
                    let d = doubles.expect("geo holds what was packed");
                    assert_eq!(Packed::of(&d).as_ref(), Some(&p), "{text}");
                    assert!(
                        crate::model::Feature::from_exact(geojson::Feature::default(), d).is_ok(),
                        "packed, but not drawable as read: {text}"
                    );
                }
                Some(ReadGeometry::Exact(Exact::Coords(g))) => {
                    assert!(!plain, "short decimals not packed: {text}");
                    let d = doubles.expect("geo holds it");
                    assert_eq!(format!("{g:?}"), format!("{d:?}"), "{text}");
                }
                Some(ReadGeometry::Record(r)) => {
                    assert!(!plain, "short decimals not packed: {text}");
                    assert_eq!(r, reference, "{text}");
                }
                None => assert!(!plain, "short decimals not read: {text}"),
            }
            nice += usize::from(plain);
        }
        assert!(
            nice > 1_500 && packed > nice,
            "{packed} packed, {nice} plain"
        );
    }

    /// What geojson's own reader makes of `text`.
    fn geojson_reads(text: &str) -> Option<geojson::Feature> {
        serde_json::from_str::<geojson::Feature>(text).ok()
    }

    /// This reader gives what geojson's gives, or leaves it to geojson's.
    fn agrees(text: &str) -> Option<geojson::Feature> {
        let ours = read(text);
        if let Some(f) = &ours {
            assert_eq!(Some(f), geojson_reads(text).as_ref(), "{text}");
        }
        ours
    }

    #[test]
    fn ordinary_features_are_read_as_geojson_reads_them() {
        let ordinary = [
            r#"{"type":"Feature","id":1,"properties":{"name":"Vùng A","area":0.7,"tags":[1,"x"],"o":{"a":null}},"geometry":{"type":"Polygon","coordinates":[[[106.1,11.2],[106.2,11.2],[106.2,11.3],[106.1,11.2]],[[106.15,11.22],[106.16,11.22],[106.16,11.23],[106.15,11.22]]]}}"#,
            r#"{"geometry":{"coordinates":[[[[1,2],[3,4],[5,-6],[1,2]]],[[[10,20],[30,40],[50,60],[10,20]]]],"type":"MultiPolygon"},"properties":null,"type":"Feature"}"#,
            r#"{"type":"Feature","id":"a\"b","geometry":{"type":"Point","coordinates":[-0.0,1e-7,3.5]},"properties":{}}"#,
            r#"{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1.5,2.25],[3,4]]},"properties":{"k":true}}"#,
            r#"{"type":"Feature","geometry":{"type":"MultiPoint","coordinates":[[1,2],[3,4,5]]},"properties":{"k":1}}"#,
            r#"{"type":"Feature","geometry":{"type":"MultiLineString","coordinates":[[[1,2],[3,4]],[[5,6],[7,8]]]}}"#,
            r#"{"type":"Feature","geometry":null,"properties":{"a":1},"bbox":[1,2,3,4],"title":"x","coordinates":[1,2]}"#,
            r#"{"type":"Feature","id":1.5,"geometry":{"type":"Point","coordinates":[1,2],"bbox":[1,2,1,2],"crs":{"a":1}},"properties":{}}"#,
            r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[106.69348900000001,11.169938]},"properties":{"x":12345678901234567890}}"#,
            "{ \"type\" : \"Feature\" ,\n \"properties\" : { \"b\" : 2 , \"a\" : 1 } ,\n \"geometry\" : { \"type\" : \"Point\" , \"coordinates\" : [ 1 , 2 ] } }",
            r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"\u0041":"\ud83d\ude00"}}"#,
            r#"{"type":"Feature","geometry":{"type":"LineString","coordinates":[ [ -0 , 0.1e1 ] ,[1E+2,123456789012345678901234567890],[2.2250738585072014e-308, 4.9e-324],[1.00000000000000011102230246251565404236316680908203125,-9223372036854775809]]}}"#,
            r#"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[1e-400,0],[1,2],[3,4],[1e-400,0]]]}}"#,
            r#"{"typ\u0065":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{}}"#,
        ];
        for text in ordinary {
            assert!(agrees(text).is_some(), "left to geojson: {text}");
        }
    }

    #[test]
    fn unusual_features_are_left_to_geojson_or_read_as_it_reads_them() {
        let unusual = [
            r#"{"type":"Feature","geometry":{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]}]}}"#,
            r#"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[]}}"#,
            r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[]}}"#,
            r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1]}}"#,
            r#"{"type":"Feature","geometry":{"type":"Point"}}"#,
            r#"{"type":"Feature","geometry":{"type":"Point","coordinates":null}}"#,
            r#"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[1,2],[3,4]]}}"#,
            r#"{"type":"Feature","geometry":{"type":"Circle","coordinates":[1,2]}}"#,
            r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[[[[[1,2]]]]]}}"#,
            r#"{"type":"Point","coordinates":[1,2]}"#,
            r#"{"geometry":null}"#,
            r#"{"type":"Feature","type":"Feature","geometry":null}"#,
            r#"{"type":"Feature","geometry":null,"x":1,"x":2}"#,
            r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1,"2"]}}"#,
            r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2],"properties":{}}}"#,
            r#"{"type":"Feature","properties":[1,2],"geometry":null}"#,
            r#"{"type":"Feature","id":[1],"geometry":null}"#,
            r#"{"type":"Feature","id":null,"geometry":null}"#,
            r#"{"type":"Feature","bbox":null,"geometry":null}"#,
            r#"{"type":"Feature","geometry":null} trailing"#,
            r#"[1,2]"#,
            r#"{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2],[3]]}}"#,
            r#"{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2],[3,1e400]]}}"#,
            r#"{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2],[3,01]]}}"#,
            r#"{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2],[3,1.]]}}"#,
            r#"{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2],[3,.5]]}}"#,
            r#"{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2],[3,+5]]}}"#,
            r#"{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2],[3,5],]}}"#,
            r#"{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2],[3,5]}}"#,
            r#"{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2],[]]}}"#,
            r#"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[1,2],[3,4],[5,6],[1,2]],[]]}}"#,
            r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1,NaN]}}"#,
            r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2e]}}"#,
        ];
        for text in unusual {
            agrees(text);
        }
        // What geojson refuses, this reader refuses too.
        assert!(read(r#"{"type":"Point","coordinates":[1,2]}"#).is_none());
        assert!(
            read(r#"{"type":"Feature","geometry":{"type":"Circle","coordinates":[1,2]}}"#)
                .is_none()
        );
    }

    #[test]
    fn ordinary_coordinates_are_scanned_and_unusual_ones_are_not() {
        assert!(matches!(
            scan_coordinates("[[[1,2],[3,4],[5,6],[1,2]]]"),
            Some(Coordinates::Lines(_))
        ));
        assert!(matches!(
            scan_coordinates(" [ [ [ [1 , 2.5e-3] ] ] ] "),
            Some(Coordinates::Polygons(_))
        ));
        for unusual in [
            "[]",
            "[[1,2],[]]",
            "[1]",
            "[1e999,0]",
            "[[[[[1,2]]]]]",
            "[1,2] x",
        ] {
            assert!(scan_coordinates(unusual).is_none(), "{unusual}");
        }
    }

    /// Numbers as files write them, and some they rarely do: bit for bit what serde_json reads.
    #[test]
    fn numbers_read_bit_for_bit_as_serde_json_reads_them() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut texts: Vec<String> = Vec::new();
        for _ in 0..20_000 {
            let bits = next();
            let x = f64::from_bits(bits);
            let deg = (bits >> 11) as f64 / (1u64 << 53) as f64 * 360.0 - 180.0;
            if x.is_finite() {
                texts.push(format!("{x}"));
                texts.push(format!("{x:e}"));
            }
            texts.push(format!("{deg:.6}"));
            texts.push(format!("{deg:.15}"));
            texts.push(format!("{deg}"));
            texts.push(format!(
                "{}",
                (bits % 100_000_000_000) as i64 - 50_000_000_000
            ));
            texts.push(format!("{}e{}", bits % 1_000_000, (bits >> 40) % 50));
            texts.push(format!(
                "-0.{:018}E-{}",
                bits % 1_000_000_000_000_000_000,
                (bits >> 50) % 25
            ));
        }
        for text in &texts {
            let mut s = Scanner::new(text, 0);
            let ours = s.number();
            let theirs = serde_json::from_str::<f64>(text).ok();
            if let Some(v) = ours {
                assert_eq!(s.at, text.len(), "{text}");
                assert_eq!(
                    Some(v.to_bits()),
                    theirs.map(f64::to_bits),
                    "{text}: {v:?} vs {theirs:?}"
                );
            }
        }
    }

    /// A collection read in pieces gives what geojson's reader gives for the whole of it.
    fn pieces_agree(text: &str) -> bool {
        let Some((features, bbox, members)) = read_collection(text, |_, f| f.into_record()) else {
            return false;
        };
        let whole: geojson::FeatureCollection =
            serde_json::from_str(text).expect("geojson reads the collection");
        assert_eq!(features.len(), whole.features.len());
        for (ours, theirs) in features.iter().zip(&whole.features) {
            assert_eq!(ours, theirs);
        }
        assert_eq!(bbox, whole.bbox);
        assert_eq!(members, whole.foreign_members);
        true
    }

    fn collection(n: usize, tricky: bool) -> String {
        let features: Vec<String> = (0..n)
            .map(|i| {
                let note = if tricky {
                    // Text that looks like the place between two features.
                    // Text, and an array of objects, that look like the place between two
                    // features.
                    format!(
                        r#""list":[{{}}, {{"type":"Feature","geometry":null}}],"note":"}},{{\"type\":\"Feature\"}} }},  {{ {i}","#
                    )
                } else {
                    String::new()
                };
                match i % 5 {
                    0 => format!(
                        r#"{{"type":"Feature","id":{i},"properties":{{{note}"k":{i}}},"geometry":{{"type":"Polygon","coordinates":[[[{i},0],[{i}.5,0.25],[{i},1],[{i},0]]]}}}}"#
                    ),
                    1 => format!(
                        r#"{{ "type" : "Feature", "properties" : {{ {note} "k" : "x" }}, "geometry" : null }}"#
                    ),
                    2 => format!(
                        r#"{{"type":"Feature","properties":{{{note}"k":[1,2]}},"geometry":{{"type":"GeometryCollection","geometries":[{{"type":"Point","coordinates":[1,2]}}]}}}}"#
                    ),
                    3 => format!(
                        r#"{{"typ\u0065":"Feature","properties":{{{note}"k":null}},"geometry":{{"type":"Point","coordinates":[{i},-1e-3]}}}}"#
                    ),
                    _ => format!(
                        r#"{{"type":"Feature","properties":{{{note}"k":1}},"geometry":{{"type":"MultiLineString","coordinates":[[[1,2],[3,4]]]}},"title":"{i}"}}"#
                    ),
                }
            })
            .collect();
        format!(
            "{{\"type\":\"FeatureCollection\",\"name\":\"zones\",\"features\":[\n{}\n],\"bbox\":[0,0,{n},1]}}\n",
            features.join(",\n")
        )
    }

    #[test]
    fn a_collection_read_in_pieces_is_what_geojson_reads() {
        for n in [0, 1, 2, 7, 100, 1000] {
            assert!(
                pieces_agree(&collection(n, false)),
                "{n} features left to the usual path"
            );
        }
        // Cuts that fall inside text are found wrong, and the usual path takes over; when they
        // do not, what is read is still right.
        for n in [10, 1000] {
            pieces_agree(&collection(n, true));
        }
        let refused = [
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null}],"features":[]}"#,
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null}]} x"#,
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null},]}"#,
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":7}]}"#,
            r#"{"type":"Feature","geometry":null}"#,
            r#"{"typ\u0065":"FeatureCollection","features":[]}"#,
            r#"{"type":"FeatureCollection"}"#,
        ];
        for text in refused {
            assert!(read_collection(text, |_, f| f).is_none(), "{text}");
        }
    }

    /// What [`read_collection_from`] makes of `text` a window of `window` bytes at a time,
    /// checked against geojson's reader; `false` if it leaves the text to the usual path.
    fn windows_agree(text: &str, window: usize) -> bool {
        let mut seen = Vec::new();
        let read = read_collection_from(
            &mut text.as_bytes(),
            (window, text.len() as u64),
            |b| {
                seen.extend_from_slice(b);
                true
            },
            |_, f| f.into_record(),
        )
        .expect("read from memory");
        let Streamed::Read((features, bbox, members)) = read else {
            return false;
        };
        assert_eq!(seen, text.as_bytes(), "every byte seen, in order");
        let text = text.trim_start_matches('\u{feff}');
        let whole: geojson::FeatureCollection =
            serde_json::from_str(text).expect("geojson reads the collection");
        assert_eq!(features.len(), whole.features.len(), "window {window}");
        for (ours, theirs) in features.iter().zip(&whole.features) {
            assert_eq!(ours, theirs, "window {window}");
        }
        assert_eq!(bbox, whole.bbox);
        assert_eq!(members, whole.foreign_members);
        true
    }

    #[test]
    fn a_collection_read_a_window_at_a_time_is_what_geojson_reads() {
        let vietnamese = format!(
            "\u{feff}{{\"bbox\":[1,2,3,4],\"type\":\"FeatureCollection\",\"features\":[{}],\"name\":\"Bình Dương\"}}",
            (0..40)
                .map(|i| format!(
                    r#"{{"type":"Feature","properties":{{"tên":"Khu công nghiệp Mỹ Phước {i} — 美福"}},"geometry":{{"type":"LineString","coordinates":[[106.{i},11.1],[106.7,11.{i}]]}}}}"#
                ))
                .collect::<Vec<_>>()
                .join(",")
        );
        let texts = [
            collection(0, false),
            collection(1, false),
            collection(7, false),
            collection(300, false),
            vietnamese,
        ];
        for text in &texts {
            for window in [1, 5, 64, 333, 4096, 1 << 20] {
                assert!(windows_agree(text, window), "window {window}: {text:.200}");
            }
        }
        // Cuts inside text are found wrong (the usual path then reads the file), or the read
        // is still right.
        for window in [64, 4096] {
            windows_agree(&collection(50, true), window);
        }
        let refused = [
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null}],"features":[]}"#,
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null}]} x"#,
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null},]}"#,
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":7}]}"#,
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null}"#,
            r#"{"type":"Feature","geometry":null}"#,
            r#"{"type":"FeatureCollection"}"#,
        ];
        for text in refused {
            for window in [1, 16, 4096] {
                assert!(!windows_agree(text, window), "window {window}: {text}");
            }
        }
    }

    /// Every feature of the bundled maps reads as geojson reads it.
    #[test]
    fn the_bundled_maps_read_as_geojson_reads_them() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("maps");
        let mut read_here = 0;
        for entry in std::fs::read_dir(&dir).expect("maps/ is part of the repository") {
            let path = entry.expect("a directory entry").path();
            if path.extension().is_none_or(|e| e != "geojson") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("a bundled map reads");
            let value: serde_json::Value = serde_json::from_str(&text).expect("bundled JSON");
            for f in value["features"].as_array().into_iter().flatten() {
                let text = f.to_string();
                assert!(
                    agrees(&text).is_some(),
                    "{}: left to geojson",
                    path.display()
                );
                read_here += 1;
            }
        }
        assert!(read_here > 10, "only {read_here} features in maps/");
    }
}
