//! A tile file of either kind people carry, MBTiles (SQLite) or PMTiles v3 (one file of
//! directories and tiles), raster or vector, behind one interface: what it holds, for
//! `corridor tiles info` and the basemap, and its tiles' bytes with any compression taken off.
//!
//! The kind is told by the file's first bytes, not its name. PMTiles are read through the
//! `pmtiles` crate over a plain file (no memory map: a file truncated while it is open gives an
//! error, not a crash), after checking that every section the header names lies inside the file.

use std::io::Read;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use pmtiles::{AsyncBackend, AsyncPmTilesReader, BackendResponse, PmtError, TileCoord};

use super::mbtiles::{MbTiles, MbTilesInfo};

/// What a tile's bytes are, once any compression is taken off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TileFormat {
    Png,
    Jpeg,
    Webp,
    Avif,
    /// Mapbox Vector Tile (protocol buffers), `pbf` in MBTiles metadata.
    Mvt,
    /// Something else, with what the file calls it.
    Unknown(String),
}

impl TileFormat {
    pub fn is_vector(&self) -> bool {
        matches!(self, TileFormat::Mvt)
    }

    /// The name MBTiles metadata uses.
    pub fn name(&self) -> &str {
        match self {
            TileFormat::Png => "png",
            TileFormat::Jpeg => "jpeg",
            TileFormat::Webp => "webp",
            TileFormat::Avif => "avif",
            TileFormat::Mvt => "pbf (Mapbox Vector Tile)",
            TileFormat::Unknown(s) => s,
        }
    }

    /// From MBTiles' `format` key.
    pub fn from_metadata(format: &str) -> Option<Self> {
        Some(match format.trim().to_ascii_lowercase().as_str() {
            "" => return None,
            "png" => TileFormat::Png,
            "jpg" | "jpeg" => TileFormat::Jpeg,
            "webp" => TileFormat::Webp,
            "avif" => TileFormat::Avif,
            "pbf" | "mvt" => TileFormat::Mvt,
            other => TileFormat::Unknown(other.to_owned()),
        })
    }
}

/// How tile bytes are compressed in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Brotli,
    Zstd,
    /// The file does not say (PMTiles' "unknown"), or says something this build cannot read.
    Unknown,
}

impl Compression {
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Brotli => "brotli",
            Compression::Zstd => "zstd",
            Compression::Unknown => "unknown",
        }
    }
}

/// Where the tile format was learnt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatFrom {
    /// The PMTiles header or the MBTiles `format` key.
    Declared,
    /// The file does not say; a tile's own bytes do.
    Sniffed,
    /// The file neither says nor has a tile to look at.
    Unknown,
}

/// Tells a tile's format (and compression) from its first bytes.
pub fn sniff(bytes: &[u8]) -> (TileFormat, Compression) {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut head = Vec::new();
        let _ = flate2::read::GzDecoder::new(bytes)
            .take(64)
            .read_to_end(&mut head);
        return (sniff(&head).0, Compression::Gzip);
    }
    let format = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        TileFormat::Png
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        TileFormat::Jpeg
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        TileFormat::Webp
    } else if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" && &bytes[8..12] == b"avif" {
        TileFormat::Avif
    } else if looks_like_mvt(bytes) {
        TileFormat::Mvt
    } else {
        TileFormat::Unknown("unrecognised bytes".to_owned())
    };
    (format, Compression::None)
}

/// A vector tile is a protocol buffer whose top-level fields are all `layers` (field 3,
/// length-delimited): its first byte is 0x1a. An empty tile is empty.
fn looks_like_mvt(bytes: &[u8]) -> bool {
    bytes.first() == Some(&0x1a)
}

/// The names of the layers in a vector tile (uncompressed), read straight from its protocol
/// buffer: the tile's field 3 is a layer, whose field 1 is its name. Empty for what is not one.
pub fn mvt_layer_names(bytes: &[u8]) -> Vec<String> {
    fn varint(b: &[u8], at: &mut usize) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *b.get(*at)?;
            *at += 1;
            v |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }
    /// Each field of a message: (number, wire type, the bytes of a length-delimited one).
    fn fields(b: &[u8]) -> Vec<(u64, &[u8])> {
        let mut out = Vec::new();
        let mut at = 0;
        while at < b.len() {
            let Some(key) = varint(b, &mut at) else { break };
            let (number, wire) = (key >> 3, key & 7);
            match wire {
                0 => {
                    if varint(b, &mut at).is_none() {
                        break;
                    }
                }
                1 => at += 8,
                5 => at += 4,
                2 => {
                    let Some(len) = varint(b, &mut at) else { break };
                    let Some(end) = at.checked_add(len as usize).filter(|e| *e <= b.len()) else {
                        break;
                    };
                    out.push((number, &b[at..end]));
                    at = end;
                }
                _ => break,
            }
        }
        out
    }
    fields(bytes)
        .into_iter()
        .filter(|(n, _)| *n == 3)
        .filter_map(|(_, layer)| {
            fields(layer)
                .into_iter()
                .find(|(n, _)| *n == 1)
                .and_then(|(_, name)| std::str::from_utf8(name).ok().map(str::to_owned))
        })
        .collect()
}

/// Everything `tiles info` prints, for either kind of file.
#[derive(Clone, Debug, PartialEq)]
pub struct TileFileInfo {
    /// "MBTiles" or "PMTiles v3".
    pub kind: &'static str,
    pub format: TileFormat,
    pub format_from: FormatFrom,
    pub compression: Compression,
    pub min_zoom: Option<u8>,
    pub max_zoom: Option<u8>,
    /// `[west, south, east, north]`.
    pub bounds: Option<[f64; 4]>,
    /// `[longitude, latitude, zoom]`.
    pub center: Option<[f64; 3]>,
    /// Tiles addressed (PMTiles: counted through every directory; a run of equal tiles counts
    /// each).
    pub tile_count: u64,
    /// Bytes of tile data (MBTiles: summed; PMTiles: the data section).
    pub tile_bytes: u64,
    pub name: Option<String>,
    pub description: Option<String>,
    pub attribution: Option<String>,
    /// For vector tiles: the layers the metadata lists.
    pub vector_layers: Vec<String>,
    /// Edge of a raster tile in pixels, from a tile's own header.
    pub tile_size: Option<u32>,
}

/// Why a file cannot serve as a basemap.
#[derive(Debug, thiserror::Error)]
pub enum TileFileError {
    #[error("{}: cannot read the file: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{}: neither an MBTiles nor a PMTiles file (it starts with neither an SQLite nor a PMTiles signature)",
        path.display()
    )]
    NotTiles { path: PathBuf },
    #[error("{}: PMTiles version {version} is not supported; version 3 is (convert it with `pmtiles convert`)", path.display())]
    PmVersion { path: PathBuf, version: u8 },
    #[error("{}: the PMTiles file is damaged: {why}", path.display())]
    PmDamaged { path: PathBuf, why: String },
    #[error("{}: compressed with {}, which cannot be read (gzip and none can)", path.display(), compression.name())]
    Compression {
        path: PathBuf,
        compression: Compression,
    },
    #[error("{}: tile {z}/{x}/{y}: {why}", path.display())]
    Tile {
        path: PathBuf,
        z: u8,
        x: u32,
        y: u32,
        why: String,
    },
    #[error("{0}")]
    MbTiles(#[from] super::mbtiles::MbTilesError),
}

/// An open tile file.
pub enum TileFile {
    Mb(MbTiles),
    Pm(Box<PmFile>),
}

impl TileFile {
    /// Opens a file, telling its kind by its first bytes.
    pub fn open(path: &Path) -> Result<Self, TileFileError> {
        let mut magic = [0u8; 16];
        let read = std::fs::File::open(path)
            .and_then(|mut f| {
                let mut n = 0;
                while n < magic.len() {
                    match f.read(&mut magic[n..])? {
                        0 => break,
                        k => n += k,
                    }
                }
                Ok(n)
            })
            .map_err(|source| TileFileError::Read {
                path: path.to_owned(),
                source,
            })?;
        let magic = &magic[..read];
        if magic.starts_with(b"PMTiles") {
            return PmFile::open(path).map(|p| TileFile::Pm(Box::new(p)));
        }
        if magic.starts_with(b"PM\x02\x00") {
            return Err(TileFileError::PmVersion {
                path: path.to_owned(),
                version: 2,
            });
        }
        if magic.starts_with(b"SQLite format 3\0") {
            return Ok(TileFile::Mb(MbTiles::open(path)?));
        }
        Err(TileFileError::NotTiles {
            path: path.to_owned(),
        })
    }

    pub fn path(&self) -> &Path {
        match self {
            TileFile::Mb(m) => m.path(),
            TileFile::Pm(p) => &p.path,
        }
    }

    /// The tile at slippy-map `z/x/y` with any compression taken off, if the file has it.
    pub fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>, TileFileError> {
        match self {
            TileFile::Mb(m) => {
                let Some(bytes) = m.tile(z, x, y)? else {
                    return Ok(None);
                };
                // MBTiles vector tiles are gzipped by convention; raster ones never are.
                if bytes.starts_with(&[0x1f, 0x8b]) {
                    gunzip(&bytes)
                        .map(Some)
                        .map_err(|why| self.tile_error(z, x, y, why))
                } else {
                    Ok(Some(bytes))
                }
            }
            TileFile::Pm(p) => p.tile(z, x, y),
        }
    }

    fn tile_error(&self, z: u8, x: u32, y: u32, why: String) -> TileFileError {
        TileFileError::Tile {
            path: self.path().to_owned(),
            z,
            x,
            y,
            why,
        }
    }

    /// What the file holds, for drawing it: as [`TileFile::info`], without walking every
    /// PMTiles directory to count the tiles (the basemap opens files on the UI thread).
    pub fn layer_info(&self) -> Result<TileFileInfo, TileFileError> {
        match self {
            TileFile::Mb(m) => mb_info(m),
            TileFile::Pm(p) => p.info(false),
        }
    }

    /// What the file holds.
    pub fn info(&self) -> Result<TileFileInfo, TileFileError> {
        match self {
            TileFile::Mb(m) => mb_info(m),
            TileFile::Pm(p) => p.info(true),
        }
    }
}

fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(bytes.len() * 3);
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|e| format!("cannot gunzip the tile: {e}"))?;
    Ok(out)
}

fn mb_info(m: &MbTiles) -> Result<TileFileInfo, TileFileError> {
    let MbTilesInfo {
        name,
        format,
        bounds,
        min_zoom,
        max_zoom,
        attribution,
        description,
        center,
        json,
        tile_count,
        tile_bytes,
    } = m.info()?;
    let sample = m.any_tile()?;
    let sniffed = sample.as_deref().map(sniff);
    let (format, format_from) = match (TileFormat::from_metadata(&format), &sniffed) {
        (Some(f), _) => (f, FormatFrom::Declared),
        (None, Some((f, _))) => (f.clone(), FormatFrom::Sniffed),
        (None, None) => (
            TileFormat::Unknown("(not stated, and no tile)".to_owned()),
            FormatFrom::Unknown,
        ),
    };
    let compression = sniffed.map_or(Compression::None, |(_, c)| c);
    let tile_size = raster_size(sample.as_deref(), &format);
    let mut layers = json.as_deref().map(vector_layers).unwrap_or_default();
    if layers.is_empty() && format.is_vector() {
        let plain = sample.as_deref().map(|b| {
            if b.starts_with(&[0x1f, 0x8b]) {
                gunzip(b).unwrap_or_default()
            } else {
                b.to_vec()
            }
        });
        layers = plain.as_deref().map(mvt_layer_names).unwrap_or_default();
    }
    Ok(TileFileInfo {
        kind: "MBTiles",
        format,
        format_from,
        compression,
        min_zoom,
        max_zoom,
        bounds,
        center,
        tile_count,
        tile_bytes,
        name: Some(name).filter(|n| !n.is_empty()),
        description: description.filter(|d| !d.is_empty()),
        attribution: attribution.filter(|a| !a.is_empty()),
        vector_layers: layers,
        tile_size,
    })
}

/// The edge of a raster tile, from its image header.
fn raster_size(tile: Option<&[u8]>, format: &TileFormat) -> Option<u32> {
    if format.is_vector() {
        return None;
    }
    let reader = image::ImageReader::new(std::io::Cursor::new(tile?))
        .with_guessed_format()
        .ok()?;
    let (w, _) = reader.into_dimensions().ok()?;
    Some(w)
}

/// The `id`s of a TileJSON-style `vector_layers` list, in a JSON text.
fn vector_layers(json: &str) -> Vec<String> {
    serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(|v| {
            v.get("vector_layers")?.as_array().map(|layers| {
                layers
                    .iter()
                    .filter_map(|l| l.get("id")?.as_str().map(str::to_owned))
                    .collect()
            })
        })
        .unwrap_or_default()
}

/// Reads byte ranges of a plain file for the `pmtiles` reader.
struct FileBackend {
    file: std::fs::File,
    len: usize,
}

impl FileBackend {
    fn range(&self, offset: usize, length: usize) -> Result<BackendResponse, PmtError> {
        use std::os::unix::fs::FileExt;
        let eof = || PmtError::Reading(std::io::ErrorKind::UnexpectedEof.into());
        if offset > self.len {
            return Err(eof());
        }
        let end = offset.saturating_add(length).min(self.len);
        let mut buf = vec![0u8; end - offset];
        self.file.read_exact_at(&mut buf, offset as u64)?;
        Ok(BackendResponse::new(Bytes::from(buf)))
    }
}

impl AsyncBackend for FileBackend {
    fn read(
        &self,
        offset: usize,
        length: usize,
    ) -> impl Future<Output = Result<BackendResponse, PmtError>> + Send {
        std::future::ready(self.range(offset, length))
    }
}

/// The fixed part of a PMTiles v3 header: where its sections are. Read here to check them
/// against the file's length before the reader trusts them.
struct Sections {
    root: (u64, u64),
    metadata: (u64, u64),
    leaves: (u64, u64),
    data: (u64, u64),
}

impl Sections {
    fn parse(header: &[u8; 127]) -> Self {
        let u = |at: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&header[at..at + 8]);
            u64::from_le_bytes(b)
        };
        Sections {
            root: (u(8), u(16)),
            metadata: (u(24), u(32)),
            leaves: (u(40), u(48)),
            data: (u(56), u(64)),
        }
    }

    /// Which section, if any, runs outside a file of `len` bytes.
    fn outside(&self, len: u64) -> Option<&'static str> {
        let out = |(offset, length): (u64, u64)| offset.checked_add(length).is_none_or(|e| e > len);
        if self.root.0 < 127 || out(self.root) || self.root.0 + self.root.1 > 16_384 {
            Some("root directory")
        } else if out(self.metadata) {
            Some("metadata")
        } else if out(self.leaves) {
            Some("leaf directories")
        } else if out(self.data) {
            Some("tile data")
        } else {
            None
        }
    }
}

/// An open PMTiles v3 file.
pub struct PmFile {
    path: PathBuf,
    reader: std::sync::Arc<AsyncPmTilesReader<FileBackend>>,
    data_length: u64,
}

impl PmFile {
    fn open(path: &Path) -> Result<Self, TileFileError> {
        let read_err = |source| TileFileError::Read {
            path: path.to_owned(),
            source,
        };
        let damaged = |why: String| TileFileError::PmDamaged {
            path: path.to_owned(),
            why,
        };
        let file = std::fs::File::open(path).map_err(read_err)?;
        let len = file.metadata().map_err(read_err)?.len();
        let mut header = [0u8; 127];
        std::os::unix::fs::FileExt::read_exact_at(&file, &mut header, 0)
            .map_err(|_| damaged(format!("{len} bytes is shorter than the 127-byte header")))?;
        // Version 3, written as the byte 3 (or, by early writers, as the digit '3').
        if header[7] != 3 && header[7] != b'3' {
            return Err(TileFileError::PmVersion {
                path: path.to_owned(),
                version: header[7],
            });
        }
        let sections = Sections::parse(&header);
        if let Some(what) = sections.outside(len) {
            return Err(damaged(format!(
                "its {what} lies past the end of the file ({len} bytes): the file is truncated"
            )));
        }
        let backend = FileBackend {
            file,
            len: len as usize,
        };
        let reader = pollster::block_on(AsyncPmTilesReader::try_from_source(backend)).map_err(
            |e| match e {
                PmtError::UnsupportedCompression(c) => TileFileError::Compression {
                    path: path.to_owned(),
                    compression: compression_of(c),
                },
                e => damaged(pm_reason(&e)),
            },
        )?;
        let compression = compression_of(reader.get_header().tile_compression);
        if !matches!(compression, Compression::None | Compression::Gzip) {
            return Err(TileFileError::Compression {
                path: path.to_owned(),
                compression,
            });
        }
        Ok(Self {
            path: path.to_owned(),
            reader: std::sync::Arc::new(reader),
            data_length: sections.data.1,
        })
    }

    fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>, TileFileError> {
        let err = |why: String| TileFileError::Tile {
            path: self.path.clone(),
            z,
            x,
            y,
            why,
        };
        let coord = TileCoord::new(z, x, y).map_err(|e| err(e.to_string()))?;
        let Some(bytes) =
            pollster::block_on(self.reader.get_tile(coord)).map_err(|e| err(pm_reason(&e)))?
        else {
            return Ok(None);
        };
        match compression_of(self.reader.get_header().tile_compression) {
            Compression::Gzip => gunzip(&bytes).map(Some).map_err(err),
            _ => Ok(Some(bytes.to_vec())),
        }
    }

    /// With `count`, the tiles are counted through every directory (all of them read: a
    /// planet-sized file has hundreds of megabytes of them); without, `tile_count` is the
    /// header's own count, or 0.
    fn info(&self, count: bool) -> Result<TileFileInfo, TileFileError> {
        let h = self.reader.get_header();
        let damaged = |why: String| TileFileError::PmDamaged {
            path: self.path.clone(),
            why,
        };
        let metadata: serde_json::Value = match pollster::block_on(self.reader.get_metadata()) {
            Ok(text) if text.trim().is_empty() => serde_json::Value::Null,
            Ok(text) => serde_json::from_str(&text)
                .map_err(|e| damaged(format!("its metadata is not JSON: {e}")))?,
            Err(e) => {
                return Err(damaged(format!(
                    "cannot read its metadata: {}",
                    pm_reason(&e)
                )));
            }
        };
        let text = |key: &str| {
            metadata
                .get(key)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
                .filter(|s| !s.is_empty())
        };
        let (format, format_from) = match h.tile_type {
            pmtiles::TileType::Mvt => (TileFormat::Mvt, FormatFrom::Declared),
            pmtiles::TileType::Png => (TileFormat::Png, FormatFrom::Declared),
            pmtiles::TileType::Jpeg => (TileFormat::Jpeg, FormatFrom::Declared),
            pmtiles::TileType::Webp => (TileFormat::Webp, FormatFrom::Declared),
            pmtiles::TileType::Avif => (TileFormat::Avif, FormatFrom::Declared),
            _ => match self.first_tile()? {
                Some(bytes) => (sniff(&bytes).0, FormatFrom::Sniffed),
                None => (
                    TileFormat::Unknown("(not stated, and no tile)".to_owned()),
                    FormatFrom::Unknown,
                ),
            },
        };
        let tile_size = if format.is_vector() {
            None
        } else {
            raster_size(self.first_tile()?.as_deref(), &format)
        };
        let mut layers = vector_layers(&metadata.to_string());
        if layers.is_empty() && format.is_vector() {
            // The metadata does not list them: a tile does (the deepest, which has the most).
            layers = self
                .tile_at_centre(h.max_zoom)?
                .as_deref()
                .map(mvt_layer_names)
                .unwrap_or_default();
        }
        Ok(TileFileInfo {
            kind: "PMTiles v3",
            compression: compression_of(h.tile_compression),
            min_zoom: Some(h.min_zoom),
            max_zoom: Some(h.max_zoom),
            bounds: Some([
                h.min_longitude,
                h.min_latitude,
                h.max_longitude,
                h.max_latitude,
            ]),
            center: Some([h.center_longitude, h.center_latitude, h.center_zoom as f64]),
            tile_count: if count {
                self.count_tiles()?
            } else {
                h.n_addressed_tiles().map_or(0, u64::from)
            },
            tile_bytes: self.data_length,
            name: text("name"),
            description: text("description"),
            attribution: text("attribution"),
            vector_layers: layers,
            tile_size,
            format,
            format_from,
        })
    }

    /// A tile at the lowest zoom the file has, to look at.
    fn first_tile(&self) -> Result<Option<Vec<u8>>, TileFileError> {
        self.tile_at_centre(self.reader.get_header().min_zoom)
    }

    /// The tile under the file's centre at zoom `z`.
    fn tile_at_centre(&self, z: u8) -> Result<Option<Vec<u8>>, TileFileError> {
        let h = self.reader.get_header();
        let z = z.min(30);
        let n = 1u32 << z;
        let (x, y) = if z == 0 {
            (0, 0)
        } else {
            let x = ((h.center_longitude + 180.0) / 360.0 * n as f64).clamp(0.0, n as f64 - 1.0);
            let lat = h.center_latitude.to_radians();
            let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0
                * n as f64)
                .clamp(0.0, n as f64 - 1.0);
            (x as u32, y as u32)
        };
        self.tile(z, x, y)
    }

    /// Every tile's `(z, x, y)`, through every directory, in tile-id order.
    pub fn for_each_coord(
        &self,
        mut each: impl FnMut(u8, u32, u32) -> Result<(), String>,
    ) -> Result<(), String> {
        use futures_util::TryStreamExt;
        let mut entries = self.reader.clone().entries();
        // The crate panics on a directory entry naming an impossible tile: a damaged file.
        let walk = std::panic::AssertUnwindSafe(|| {
            pollster::block_on(async {
                while let Some(entry) = entries
                    .try_next()
                    .await
                    .map_err(|e| format!("{}: {}", self.path.display(), pm_reason(&e)))?
                {
                    for id in entry.iter_coords() {
                        let c = TileCoord::from(id);
                        each(c.z(), c.x(), c.y())?;
                    }
                }
                Ok(())
            })
        });
        std::panic::catch_unwind(walk).unwrap_or_else(|_| {
            Err(format!(
                "{}: a directory names a tile that cannot exist: the directories are corrupt",
                self.path.display()
            ))
        })
    }

    /// Counts the addressed tiles by walking every directory (the header's own count may be
    /// missing).
    fn count_tiles(&self) -> Result<u64, TileFileError> {
        let mut count = 0u64;
        self.for_each_coord(|_, _, _| {
            count += 1;
            Ok(())
        })
        .map_err(|why| TileFileError::PmDamaged {
            path: self.path.clone(),
            why: format!("a leaf directory cannot be read: {why}"),
        })?;
        Ok(count)
    }
}

/// An attribution as plain text: PMTiles metadata often carries HTML links.
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&copy;", "©")
        .replace("&amp;", "&")
        .replace("&nbsp;", " ");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What `corridor tiles info` prints.
pub fn describe(path: &Path, info: &TileFileInfo) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let mut line = |k: &str, v: String| {
        let _ = writeln!(out, "{:<13}{v}", format!("{k}:"));
    };
    line("file", path.display().to_string());
    line("kind", info.kind.to_owned());
    line(
        "tile type",
        match info.format_from {
            FormatFrom::Declared => info.format.name().to_owned(),
            FormatFrom::Sniffed => format!("{} (read from the tiles' bytes)", info.format.name()),
            FormatFrom::Unknown => info.format.name().to_owned(),
        },
    );
    line("compression", info.compression.name().to_owned());
    if let Some(size) = info.tile_size {
        line("tile size", format!("{size} px"));
    }
    let z = |z: Option<u8>| z.map(|z| z.to_string()).unwrap_or_else(|| "?".to_owned());
    line(
        "zoom levels",
        format!("{}–{}", z(info.min_zoom), z(info.max_zoom)),
    );
    line(
        "bounds",
        match info.bounds {
            Some([w, s, e, n]) => format!("{w}, {s}, {e}, {n} (west, south, east, north)"),
            None => "(not stated)".to_owned(),
        },
    );
    if let Some([lon, lat, zoom]) = info.center {
        line("centre", format!("{lon}, {lat} at zoom {zoom}"));
    }
    line("tiles", info.tile_count.to_string());
    line(
        "size",
        format!(
            "{:.1} MB of tile data",
            info.tile_bytes as f64 / 1_048_576.0
        ),
    );
    if let Some(n) = &info.name {
        line("name", n.clone());
    }
    if let Some(d) = &info.description {
        line("description", d.clone());
    }
    if let Some(a) = &info.attribution {
        line("attribution", plain_text(a));
    }
    if !info.vector_layers.is_empty() {
        line("layers", info.vector_layers.join(", "));
    }
    out
}

fn compression_of(c: pmtiles::Compression) -> Compression {
    match c {
        pmtiles::Compression::None => Compression::None,
        pmtiles::Compression::Gzip => Compression::Gzip,
        pmtiles::Compression::Brotli => Compression::Brotli,
        pmtiles::Compression::Zstd => Compression::Zstd,
        pmtiles::Compression::Unknown => Compression::Unknown,
    }
}

/// A reader error in words a user can act on.
fn pm_reason(e: &PmtError) -> String {
    match e {
        PmtError::Reading(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            "a directory or tile lies past the end of the file: the file is truncated".to_owned()
        }
        PmtError::UnexpectedNumberOfBytesReturned(want, got) => format!(
            "a directory or tile lies past the end of the file (wanted {want} bytes, found {got}): the file is truncated"
        ),
        PmtError::InvalidTileType => {
            "its tile type is not one the PMTiles specification knows".to_owned()
        }
        PmtError::InvalidEntry | PmtError::InvalidHeader => {
            format!("{e}: the directories are corrupt")
        }
        other => other.to_string(),
    }
}
