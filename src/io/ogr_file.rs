//! The files planners are sent — Shapefile (plain or zipped), GeoPackage, MapInfo TAB and
//! MIF/MID, KML/KMZ, FlatGeobuf, DXF — read through GDAL (Debian's `libgdal`), their
//! coordinates transformed to WGS84 by PROJ, their text decoded from the legacy Vietnamese
//! encodings when asked. The result is GeoJSON features, so everything after loading (drawing,
//! editing, saving as GeoJSON) is as for any other layer.
//!
//! VN-2000: a file whose CRS PROJ identifies (EPSG 4756, 3405, 3406, 5896–5899, 9205–9218) is
//! transformed with EPSG's "VN-2000 to WGS 84 (2)" (EPSG:6960), the 7-parameter Helmert shift
//! published by the Ministry of Natural Resources and Environment. A `.prj` that names the
//! VN-2000 datum in a way PROJ does not identify is rewritten on EPSG's VN-2000, so that it gets
//! the same shift.

use std::path::{Path, PathBuf};

use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};
use gdal::vector::{FieldValue, LayerAccess};
use gdal::{Dataset, DatasetOptions, GdalOpenFlags};
use geojson::JsonValue;

use super::vn_text::{LegacyEncoding, decode, detect};
use crate::model::{ReadSettings, TextEncoding};

/// File name endings read through GDAL.
pub const EXTENSIONS: &[&str] = &[
    "shp", "zip", "gpkg", "tab", "mif", "kml", "kmz", "fgb", "dxf", "gml",
];

/// The TM-3 zone of Bình Dương (central meridian 105°45′): EPSG:9210, VN-2000 / TM-3 105-45.
pub const VN2000_TM3_105_45: u32 = 9210;

/// The coordinate systems a planner's file is most likely in, Bình Dương's first: offered when
/// a file states none, and for exports. (EPSG code, name as EPSG gives it.)
pub const CRS_CHOICES: &[(u32, &str)] = &[
    (9210, "VN-2000 / TM-3 105°45′ (Bình Dương)"),
    (4756, "VN-2000 (degrees)"),
    (3405, "VN-2000 / UTM zone 48N"),
    (3406, "VN-2000 / UTM zone 49N"),
    (9209, "VN-2000 / TM-3 105-30"),
    (9211, "VN-2000 / TM-3 106-00"),
    (9212, "VN-2000 / TM-3 106-15"),
    (9213, "VN-2000 / TM-3 106-30"),
    (9214, "VN-2000 / TM-3 107-00"),
    (9215, "VN-2000 / TM-3 107-15"),
    (9216, "VN-2000 / TM-3 107-30"),
    (5899, "VN-2000 / TM-3 107-45"),
    (9205, "VN-2000 / TM-3 103-00"),
    (9206, "VN-2000 / TM-3 104-00"),
    (9207, "VN-2000 / TM-3 104-30"),
    (9208, "VN-2000 / TM-3 104-45"),
    (9217, "VN-2000 / TM-3 108-15"),
    (9218, "VN-2000 / TM-3 108-30"),
    (5896, "VN-2000 / TM-3 zone 481"),
    (5897, "VN-2000 / TM-3 zone 482"),
    (5898, "VN-2000 / TM-3 zone 491"),
    (32648, "WGS 84 / UTM zone 48N"),
    (4326, "WGS 84 (degrees)"),
];

/// GDAL set up once for the process: its messages go to the log, not the terminal.
pub(super) fn configure() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        gdal::config::set_error_handler(|kind, number, message| {
            log::debug!("GDAL {kind:?} {number}: {message}");
        });
    });
}

/// Whether `path` is read through GDAL rather than as GeoJSON.
pub fn is_ogr_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OgrError {
    #[error("{path}: {message}")]
    Open { path: PathBuf, message: String },
    #[error("{path}: the Shapefile has no {missing} beside it ({what}); copy it next to the .shp")]
    MissingPart {
        path: PathBuf,
        missing: String,
        what: &'static str,
    },
    #[error("{path}: no vector layer in the file")]
    NoVectorLayer { path: PathBuf },
    #[error("{path}: no layer named “{layer}”; the file has: {available}")]
    NoSuchLayer {
        path: PathBuf,
        layer: String,
        available: String,
    },
    #[error("{path}: the coordinate system cannot be used: {message}")]
    Crs { path: PathBuf, message: String },
    #[error(
        "{path}: the file states no coordinate system and its coordinates are not degrees \
         (x {x_min:.0}–{x_max:.0}, y {y_min:.0}–{y_max:.0}): say which it is in \
         (for Bình Dương usually VN-2000 / TM-3 105°45′, EPSG:9210)"
    )]
    NoCrs {
        path: PathBuf,
        x_min: f64,
        x_max: f64,
        y_min: f64,
        y_max: f64,
    },
    #[error("{path}: feature {index}: {message}")]
    Feature {
        path: PathBuf,
        index: usize,
        message: String,
    },
}

/// How to read a file.
#[derive(Clone, Debug, Default)]
pub struct OgrOptions {
    /// The layer (table) to read; the first when `None`.
    pub layer: Option<String>,
    /// The coordinate system to assume when the file states none (any definition GDAL takes:
    /// `EPSG:9210`, a PROJ string, WKT).
    pub assume_crs: Option<String>,
    /// Decode text from this legacy encoding.
    pub decode: Option<LegacyEncoding>,
}

/// A file read.
#[derive(Debug)]
pub struct OgrRead {
    pub features: Vec<geojson::Feature>,
    /// The layer read, and every vector layer the file has.
    pub layer: String,
    pub layers: Vec<String>,
    /// GDAL's driver ("ESRI Shapefile", "GPKG" …).
    pub driver: String,
    /// The coordinate system the file is in, as a person reads it.
    pub crs: String,
    /// The legacy encoding the text looks misread from, if it does.
    pub suspected: Option<LegacyEncoding>,
    /// The encoding the text was decoded from, if any.
    pub decoded: Option<LegacyEncoding>,
    pub warnings: Vec<String>,
}

/// The path GDAL opens: zipped files through its virtual file system.
pub(super) fn gdal_path(path: &Path) -> String {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let text = path.display().to_string();
    match ext.as_deref() {
        // A KMZ is opened by GDAL's KML drivers themselves.
        Some("zip") => format!("/vsizip/{text}"),
        _ => text,
    }
}

/// What GDAL opens for a file: [`gdal_path`], or, for a DXF file with a carriage return that
/// is followed by a NUL byte or by the end of the file, a copy in GDAL's memory with a line
/// feed after each such return. GDAL 3.6's DXF reader (Debian 12's) never returns from such a
/// file: it takes the NUL or the end for the end of its buffer and waits for the rest of the
/// line forever (found by fuzzing `ogr_read`). With the line feed it reads up to the NUL or the
/// end and answers as for any other broken file. The copy is let go of when this is dropped;
/// the file itself is never changed.
struct GdalSource {
    path: String,
    in_memory: bool,
}

impl GdalSource {
    fn new(path: &Path) -> Result<Self, OgrError> {
        let plain = Self {
            path: gdal_path(path),
            in_memory: false,
        };
        if plain.path != path.display().to_string() || !looks_like_dxf(path) {
            return Ok(plain);
        }
        let bytes = std::fs::read(path).map_err(|e| OgrError::Open {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        let stuck = |i: usize| bytes[i] == b'\r' && bytes.get(i + 1).is_none_or(|&b| b == 0);
        if !(0..bytes.len()).any(stuck) {
            return Ok(plain);
        }
        let mut copy = Vec::with_capacity(bytes.len() + 16);
        for (i, &b) in bytes.iter().enumerate() {
            copy.push(b);
            if stuck(i) {
                copy.push(b'\n');
            }
        }
        static COPIES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COPIES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = path
            .file_name()
            .map_or_else(|| "file.dxf".into(), |n| n.to_string_lossy());
        let in_memory = format!("/vsimem/corridor-{}-{n}/{name}", std::process::id());
        gdal::vsi::create_mem_file(&in_memory, copy).map_err(|e| OgrError::Open {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        Ok(Self {
            path: in_memory,
            in_memory: true,
        })
    }
}

impl Drop for GdalSource {
    fn drop(&mut self) {
        if self.in_memory {
            let _ = gdal::vsi::unlink_mem_file(&self.path);
        }
    }
}

/// Whether GDAL may read the file as DXF: by its ending, or by a `SECTION` in its first
/// kilobyte (GDAL's DXF driver also knows a DXF by its first lines).
fn looks_like_dxf(path: &Path) -> bool {
    use std::io::Read;
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("dxf"))
    {
        return true;
    }
    let mut head = Vec::with_capacity(1024);
    std::fs::File::open(path)
        .and_then(|f| f.take(1024).read_to_end(&mut head))
        .is_ok()
        && head.windows(7).any(|w| w.eq_ignore_ascii_case(b"SECTION"))
}

/// A Shapefile's parts that must lie beside it, found whatever their case.
fn check_shapefile_parts(path: &Path) -> Result<(), OgrError> {
    let is_shp = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("shp"));
    if !is_shp {
        return Ok(());
    }
    for (ext, what) in [("shx", "the shape index"), ("dbf", "the attribute table")] {
        let found = [ext.to_owned(), ext.to_ascii_uppercase()]
            .iter()
            .any(|e| path.with_extension(e).is_file());
        if !found {
            return Err(OgrError::MissingPart {
                path: path.to_owned(),
                missing: format!(".{ext}"),
                what,
            });
        }
    }
    Ok(())
}

/// A Shapefile whose table states no code page (no `.cpg`) and whose text is not UTF-8: the
/// legacy bytes of an old tool. GDAL would hand them on as they are, and invalid UTF-8 would be
/// lost on the way; read as ISO-8859-1 every byte arrives as a character, for
/// [`super::vn_text`] to decode.
fn dbf_is_legacy(path: &Path) -> bool {
    let is_shp = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("shp"));
    let has_cpg = ["cpg", "CPG"]
        .iter()
        .any(|e| path.with_extension(e).is_file());
    if !is_shp || has_cpg {
        return false;
    }
    let Some(bytes) = ["dbf", "DBF"]
        .iter()
        .find_map(|e| std::fs::read(path.with_extension(e)).ok())
    else {
        return false;
    };
    let header = bytes
        .get(8..10)
        .map_or(0, |b| usize::from(u16::from_le_bytes([b[0], b[1]])));
    // A language driver byte that names a code page (29) lets GDAL decode it itself.
    let ldid = bytes.get(29).copied().unwrap_or(0);
    ldid == 0
        && bytes
            .get(header..)
            .is_some_and(|records| std::str::from_utf8(records).is_err())
}

/// WGS84 longitude/latitude, in that order.
pub(super) fn wgs84() -> Result<SpatialRef, gdal::errors::GdalError> {
    let mut srs = SpatialRef::from_epsg(4326)?;
    srs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    Ok(srs)
}

/// A coordinate system definition GDAL does not take, and why.
#[derive(Debug, thiserror::Error)]
#[error("`{definition}`: {message}")]
pub struct CrsError {
    pub definition: String,
    pub message: String,
}

/// A coordinate system from any definition GDAL takes (`EPSG:9210`, `vn2000-tm3-105.75`, a
/// PROJ string, WKT).
pub fn crs_from_definition(definition: &str) -> Result<SpatialRef, CrsError> {
    let error = |message: String| CrsError {
        definition: definition.to_owned(),
        message,
    };
    configure();
    let d = definition.trim();
    let srs = if d.eq_ignore_ascii_case("vn2000-tm3-105.75") {
        SpatialRef::from_epsg(VN2000_TM3_105_45)
    } else if d.eq_ignore_ascii_case("vn2000") {
        SpatialRef::from_epsg(4756)
    } else if let Some(code) = d.strip_prefix("EPSG:").or_else(|| d.strip_prefix("epsg:")) {
        let code: u32 = code
            .parse()
            .map_err(|_| error("not an EPSG code".to_owned()))?;
        SpatialRef::from_epsg(code)
    } else {
        SpatialRef::from_definition(d)
    };
    srs.map_err(|e| error(e.to_string()))
}

/// Whether a CRS is on the VN-2000 datum: by its EPSG code, or by the datum's name in its WKT.
fn is_vn2000(srs: &SpatialRef) -> bool {
    let code = srs.auth_code().unwrap_or(0);
    if matches!(code, 4756 | 3405 | 3406 | 5896..=5899 | 9205..=9218) {
        return true;
    }
    let wkt = srs.to_wkt().unwrap_or_default().to_ascii_lowercase();
    [
        "vn-2000",
        "vn_2000",
        "vietnam_2000",
        "vietnam 2000",
        "vn2000",
    ]
    .iter()
    .any(|n| wkt.contains(n))
}

/// A CRS on the VN-2000 datum that PROJ does not identify (a `.prj` naming "D_Vietnam_2000"),
/// rewritten on EPSG's VN-2000 (EPSG:4756) with its own projection parameters, so that PROJ
/// applies EPSG:6960's shift instead of none. Others are returned as they are.
fn pinned(srs: SpatialRef) -> SpatialRef {
    if !is_vn2000(&srs) || srs.auth_code().is_ok() {
        return srs;
    }
    let mut identified = srs.clone();
    if identified.auto_identify_epsg().is_ok() && identified.auth_code().is_ok() {
        return identified;
    }
    let param =
        |name: &str, default: f64| srs.get_proj_param(name).ok().flatten().unwrap_or(default);
    let geogcs = r#"GEOGCS["VN-2000",DATUM["Vietnam_2000",SPHEROID["WGS 84",6378137,298.257223563],AUTHORITY["EPSG","6756"]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],AUTHORITY["EPSG","4756"]]"#;
    let wkt = if srs.is_projected() {
        format!(
            r#"PROJCS["VN-2000 / Transverse Mercator",{geogcs},PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",{}],PARAMETER["central_meridian",{}],PARAMETER["scale_factor",{}],PARAMETER["false_easting",{}],PARAMETER["false_northing",{}],UNIT["metre",1]]"#,
            param("latitude_of_origin", 0.0),
            param("central_meridian", 105.0),
            param("scale_factor", 0.9999),
            param("false_easting", 500_000.0),
            param("false_northing", 0.0),
        )
    } else {
        geogcs.to_owned()
    };
    SpatialRef::from_wkt(&wkt).unwrap_or(srs)
}

/// The published shift from VN-2000 to WGS 84 (Decision 05/2007/QĐ-BTNMT; EPSG:6960, "VN-2000
/// to WGS 84 (2)"), as PROJ's `+towgs84` takes it: metres, then rotations in arc-seconds in the
/// position-vector convention (EPSG gives them in the coordinate-frame convention, signs
/// reversed), then the scale in parts per million.
pub const VN2000_TOWGS84: &str =
    "-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278";

/// A VN-2000 CRS bound to the published shift, so that every point is transformed with it.
/// Left to itself, PROJ chooses point by point between EPSG's two VN-2000 operations, and in
/// Bình Dương it picks the older one (EPSG:5194, for the Mekong delta blocks), 0.8 m from the
/// published parameters. Other systems are returned as they are.
pub(super) fn with_published_shift(srs: &SpatialRef) -> Result<SpatialRef, String> {
    if !is_vn2000(srs) {
        return Ok(srs.clone());
    }
    let proj4 = srs.to_proj4().map_err(|e| e.to_string())?;
    let mut parts: Vec<String> = proj4
        .split_whitespace()
        .filter(|p| {
            !(p.starts_with("+towgs84=")
                || p.starts_with("+datum=")
                || p.starts_with("+ellps=")
                || p.starts_with("+nadgrids="))
        })
        .map(str::to_owned)
        .collect();
    parts.push("+ellps=WGS84".to_owned());
    parts.push(format!("+towgs84={VN2000_TOWGS84}"));
    let mut bound = SpatialRef::from_proj4(&parts.join(" ")).map_err(|e| e.to_string())?;
    bound.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    Ok(bound)
}

/// A CRS as a person reads it: its name and authority code.
pub(super) fn describe(srs: &SpatialRef) -> String {
    let name = srs.name().unwrap_or_else(|| "unnamed".to_owned());
    match (srs.auth_name(), srs.auth_code()) {
        (Some(a), Ok(c)) => format!("{name} ({a}:{c})"),
        _ => name,
    }
}

/// Reads a file through GDAL. Never panics on a bad file: each problem is an [`OgrError`] that
/// names the file and what is wrong.
///
/// Long because it follows GDAL's order: open, choose the table, find the CRS, transform, read
/// fields and geometries.
pub fn read_ogr(path: &Path, options: &OgrOptions) -> Result<OgrRead, OgrError> {
    configure();
    check_shapefile_parts(path)?;
    let open_error = |e: gdal::errors::GdalError| OgrError::Open {
        path: path.to_owned(),
        message: e.to_string(),
    };
    let latin1 = ["ENCODING=ISO-8859-1"];
    let source = GdalSource::new(path)?;
    let dataset = Dataset::open_ex(
        &source.path,
        DatasetOptions {
            open_flags: GdalOpenFlags::GDAL_OF_VECTOR | GdalOpenFlags::GDAL_OF_READONLY,
            open_options: dbf_is_legacy(path).then_some(&latin1[..]),
            ..Default::default()
        },
    )
    .map_err(open_error)?;
    let driver = dataset.driver().short_name();
    let layers: Vec<String> = dataset.layers().map(|l| l.name()).collect();
    if layers.is_empty() {
        return Err(OgrError::NoVectorLayer {
            path: path.to_owned(),
        });
    }
    let mut warnings = Vec::new();
    let mut layer = match &options.layer {
        Some(name) => dataset
            .layer_by_name(name)
            .map_err(|_| OgrError::NoSuchLayer {
                path: path.to_owned(),
                layer: name.clone(),
                available: layers.join(", "),
            })?,
        None => {
            if layers.len() > 1 {
                warnings.push(format!(
                    "{}: read the layer “{}”; the file also has {}",
                    path.display(),
                    layers[0],
                    layers[1..].join(", ")
                ));
            }
            dataset.layer(0).map_err(open_error)?
        }
    };
    let layer_name = layer.name();
    let crs_error = |message: String| OgrError::Crs {
        path: path.to_owned(),
        message,
    };
    let source = match (layer.spatial_ref(), &options.assume_crs) {
        (_, Some(definition)) => {
            Some(crs_from_definition(definition).map_err(|e| crs_error(e.to_string()))?)
        }
        (Some(srs), None) => Some(srs),
        (None, None) => None,
    };
    let target = wgs84().map_err(|e| crs_error(e.to_string()))?;
    let (transform, crs) = match source {
        Some(srs) => {
            let described = describe(&srs);
            let same = srs.auth_code().ok() == Some(4326);
            let mut srs = with_published_shift(&pinned(srs)).map_err(crs_error)?;
            srs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
            let t = if same {
                None
            } else {
                Some(CoordTransform::new(&srs, &target).map_err(|e| crs_error(e.to_string()))?)
            };
            (t, described)
        }
        None => {
            // No CRS: degrees are taken for WGS84; anything else must be said.
            if let Ok(e) = layer.get_extent()
                && (e.MinX < -180.5 || e.MaxX > 180.5 || e.MinY < -90.5 || e.MaxY > 90.5)
            {
                return Err(OgrError::NoCrs {
                    path: path.to_owned(),
                    x_min: e.MinX,
                    x_max: e.MaxX,
                    y_min: e.MinY,
                    y_max: e.MaxY,
                });
            }
            warnings.push(format!(
                "{}: no coordinate system stated; the coordinates are degrees, taken as WGS84",
                path.display()
            ));
            (None, "not stated (taken as WGS84)".to_owned())
        }
    };
    let field_names: Vec<String> = layer.defn().fields().map(|f| f.name()).collect();
    let mut features = Vec::new();
    for (index, feature) in layer.features().enumerate() {
        let feature_error = |message: String| OgrError::Feature {
            path: path.to_owned(),
            index,
            message,
        };
        // Not `Feature::geometry`: for a feature without one in a table that has a geometry
        // column (a GeoPackage row whose geometry is NULL), it gives a geometry whose pointer
        // is null, and every use of it fails. This gives none instead.
        let geometry = match feature.geometry_by_index(0).ok() {
            Some(g) => {
                let g = match &transform {
                    Some(t) => g.transform(t).map_err(|e| feature_error(e.to_string()))?,
                    None => g.clone(),
                };
                match geometry_of(&g) {
                    Some(value) => Some(geojson::Geometry::new(value)),
                    // Curves and the like: GDAL's own GeoJSON of them (linearised).
                    None => {
                        let json = g.json().map_err(|e| feature_error(e.to_string()))?;
                        Some(
                            serde_json::from_str::<geojson::Geometry>(&json)
                                .map_err(|e| feature_error(e.to_string()))?,
                        )
                    }
                }
            }
            None => None,
        };
        let mut properties = geojson::JsonObject::new();
        for (i, name) in field_names.iter().enumerate() {
            let value = match feature.field(i) {
                Ok(Some(v)) => json_of(v),
                Ok(None) => JsonValue::Null,
                // Types the bindings do not read (binary, time) come as text.
                Err(_) => feature
                    .field_as_string(i)
                    .ok()
                    .flatten()
                    .map_or(JsonValue::Null, JsonValue::String),
            };
            properties.insert(name.clone(), value);
        }
        features.push(geojson::Feature {
            bbox: None,
            geometry,
            id: feature
                .fid()
                .map(|f| geojson::feature::Id::Number(serde_json::Number::from(f))),
            properties: Some(properties),
            foreign_members: None,
        });
    }
    let suspected = detect(
        features
            .iter()
            .filter_map(|f| f.properties.as_ref())
            .flat_map(|p| p.values())
            .filter_map(JsonValue::as_str),
    );
    if let Some(encoding) = options.decode {
        decode_features(&mut features, encoding);
    }
    Ok(OgrRead {
        features,
        layer: layer_name,
        layers,
        driver,
        crs,
        suspected,
        decoded: options.decode,
        warnings,
    })
}

/// The legacy encoding a [`TextEncoding`] decodes from (`None` for the declared one).
pub fn legacy_of(encoding: TextEncoding) -> Option<LegacyEncoding> {
    match encoding {
        TextEncoding::Declared => None,
        TextEncoding::Tcvn3 => Some(LegacyEncoding::Tcvn3),
        TextEncoding::Vni => Some(LegacyEncoding::Vni),
    }
}

/// The [`TextEncoding`] that decodes from a legacy encoding.
pub fn text_encoding_of(legacy: LegacyEncoding) -> TextEncoding {
    match legacy {
        LegacyEncoding::Tcvn3 => TextEncoding::Tcvn3,
        LegacyEncoding::Vni => TextEncoding::Vni,
    }
}

/// A file as a layer named `name`, read as `settings` say. Text is decoded only when the
/// settings say so: when it merely looks misread, the layer's `read.suspected` says from what,
/// so that the app can offer to decode it with a preview. The layer's notes say what the file
/// is and that saving never writes into it.
pub fn load_layer(
    name: String,
    path: &Path,
    style: crate::model::LayerStyle,
    settings: &ReadSettings,
) -> Result<crate::model::Layer, OgrError> {
    let options = OgrOptions {
        layer: settings.table.clone(),
        assume_crs: settings.crs.clone(),
        decode: settings.encoding.and_then(legacy_of),
    };
    let read = read_ogr(path, &options)?;
    let mut warnings = read.warnings;
    if let Some(e) = read.decoded {
        warnings.push(format!(
            "{}: its text was written in {} and has been decoded",
            path.display(),
            e.name()
        ));
    }
    warnings.push(format!(
        "{}: {} layer “{}”, coordinate system {}; Corridor never writes into this file: saving \
         asks where to write it as GeoJSON (right-click the layer to export a copy)",
        path.display(),
        read.driver,
        read.layer,
        read.crs
    ));
    let features = read
        .features
        .into_iter()
        .map(crate::model::Feature::from_record)
        .collect();
    let mut layer = crate::model::Layer::new(name, path.to_owned(), style, features, warnings);
    let mut kept = settings.clone();
    if read.layers.len() > 1 {
        kept.table = Some(read.layer);
    }
    kept.suspected = match settings.encoding {
        None => read.suspected.map(text_encoding_of),
        Some(_) => None,
    };
    layer.read = Some(kept);
    Ok(layer)
}

/// A vector table of a file, as the table chooser lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct TableInfo {
    pub name: String,
    /// Its features (`None` when the driver cannot count them without reading them all).
    pub features: Option<u64>,
    /// Its geometry type as GDAL names it ("Multi Polygon", "Point" …).
    pub geometry: String,
}

/// The vector tables of a file (one for most formats, any number for a GeoPackage).
pub fn list_tables(path: &Path) -> Result<Vec<TableInfo>, OgrError> {
    configure();
    check_shapefile_parts(path)?;
    let source = GdalSource::new(path)?;
    let dataset = Dataset::open_ex(
        &source.path,
        DatasetOptions {
            open_flags: GdalOpenFlags::GDAL_OF_VECTOR | GdalOpenFlags::GDAL_OF_READONLY,
            ..Default::default()
        },
    )
    .map_err(|e| OgrError::Open {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    let tables: Vec<TableInfo> = dataset
        .layers()
        .map(|l| TableInfo {
            name: l.name(),
            features: l.try_feature_count(),
            geometry: geometry_type_name(l.defn().geometry_type()),
        })
        .collect();
    if tables.is_empty() {
        return Err(OgrError::NoVectorLayer {
            path: path.to_owned(),
        });
    }
    Ok(tables)
}

fn geometry_type_name(t: gdal::vector::OGRwkbGeometryType::Type) -> String {
    gdal::vector::geometry_type_to_name(t)
}

/// Decodes the text of a layer (property names and values) from a legacy encoding, in place.
/// Its features' ids and geometry are untouched.
pub fn decode_layer(layer: &mut crate::model::Layer, encoding: LegacyEncoding) {
    for i in 0..layer.features().len() {
        let f = layer.features_mut_at(i);
        let mut record = f.record().into_owned();
        decode_features(std::slice::from_mut(&mut record), encoding);
        f.set_record(record);
    }
}

/// Up to `n` text values of a layer that decoding from `encoding` would change, as (before,
/// after), for the preview the app shows before it decodes.
pub fn decode_preview(
    layer: &crate::model::Layer,
    encoding: LegacyEncoding,
    n: usize,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for f in layer.features() {
        let record = f.record();
        let Some(props) = record.properties.as_ref() else {
            continue;
        };
        for v in props.values() {
            if let Some(s) = v.as_str() {
                let d = decode(s, encoding);
                if d != s && !out.iter().any(|(b, _)| b == s) {
                    out.push((s.to_owned(), d));
                    if out.len() >= n {
                        return out;
                    }
                }
            }
        }
    }
    out
}

/// Decodes every property name and text value of the features from a legacy encoding.
pub(super) fn decode_features(features: &mut [geojson::Feature], encoding: LegacyEncoding) {
    for f in features {
        if let Some(p) = f.properties.take() {
            f.properties = Some(
                p.into_iter()
                    .map(|(k, v)| (decode(&k, encoding), decode_value(v, encoding)))
                    .collect(),
            );
        }
    }
}

fn decode_value(v: JsonValue, encoding: LegacyEncoding) -> JsonValue {
    match v {
        JsonValue::String(s) => JsonValue::String(decode(&s, encoding)),
        JsonValue::Array(a) => {
            JsonValue::Array(a.into_iter().map(|x| decode_value(x, encoding)).collect())
        }
        other => other,
    }
}

/// A GDAL geometry as GeoJSON, its coordinates read in bulk (Z kept when it has one); `None`
/// for kinds GeoJSON has no word for (curves, surfaces), which the caller converts otherwise.
fn geometry_of(g: &gdal::vector::Geometry) -> Option<geojson::GeometryValue> {
    use gdal::vector::OGRwkbGeometryType as T;
    use gdal::vector::{geometry_type_flatten, geometry_type_has_z};
    use geojson::{GeometryValue, Position};
    let z = geometry_type_has_z(g.geometry_type());
    let position = |p: (f64, f64, f64)| -> Position {
        if z {
            Position::from([p.0, p.1, p.2])
        } else {
            Position::from([p.0, p.1])
        }
    };
    let line = |g: &gdal::vector::Geometry| -> Vec<Position> {
        let mut points = Vec::with_capacity(g.point_count());
        g.get_points(&mut points);
        points.into_iter().map(position).collect()
    };
    let rings = |g: &gdal::vector::Geometry| -> Vec<Vec<Position>> {
        (0..g.geometry_count())
            .map(|i| line(&g.get_geometry(i)))
            .collect()
    };
    Some(match geometry_type_flatten(g.geometry_type()) {
        T::wkbPoint => {
            if g.is_empty() {
                return None;
            }
            GeometryValue::Point {
                coordinates: position(g.get_point(0)),
            }
        }
        T::wkbLineString | T::wkbLinearRing => GeometryValue::LineString {
            coordinates: line(g),
        },
        T::wkbPolygon => GeometryValue::Polygon {
            coordinates: rings(g),
        },
        T::wkbMultiPoint => GeometryValue::MultiPoint {
            coordinates: (0..g.geometry_count())
                .map(|i| g.get_geometry(i))
                .filter(|p| !p.is_empty())
                .map(|p| position(p.get_point(0)))
                .collect(),
        },
        T::wkbMultiLineString => GeometryValue::MultiLineString {
            coordinates: (0..g.geometry_count())
                .map(|i| g.get_geometry(i))
                .map(|l| line(&l))
                .collect(),
        },
        T::wkbMultiPolygon => GeometryValue::MultiPolygon {
            coordinates: (0..g.geometry_count())
                .map(|i| g.get_geometry(i))
                .map(|p| rings(&p))
                .collect(),
        },
        T::wkbGeometryCollection => GeometryValue::GeometryCollection {
            geometries: (0..g.geometry_count())
                .map(|i| g.get_geometry(i))
                .map(|c| geometry_of(&c).map(geojson::Geometry::new))
                .collect::<Option<Vec<_>>>()?,
        },
        _ => return None,
    })
}

/// A field's value as JSON: numbers as numbers, dates as ISO 8601 text.
pub(super) fn json_of(v: FieldValue) -> JsonValue {
    let number =
        |f: f64| serde_json::Number::from_f64(f).map_or(JsonValue::Null, JsonValue::Number);
    match v {
        FieldValue::IntegerValue(i) => JsonValue::from(i),
        FieldValue::Integer64Value(i) => JsonValue::from(i),
        FieldValue::RealValue(f) => number(f),
        FieldValue::StringValue(s) => JsonValue::String(s),
        FieldValue::IntegerListValue(l) => JsonValue::from(l),
        FieldValue::Integer64ListValue(l) => JsonValue::from(l),
        FieldValue::RealListValue(l) => JsonValue::Array(l.into_iter().map(number).collect()),
        FieldValue::StringListValue(l) => JsonValue::from(l),
        FieldValue::DateValue(d) => JsonValue::String(d.to_string()),
        FieldValue::DateTimeValue(d) => {
            JsonValue::String(format!("{}T{}{}", d.date_naive(), d.time(), d.offset()))
        }
    }
}

pub use super::ogr_write::{ConvertOptions, WriteReport, convert, driver_for, write_ogr};
