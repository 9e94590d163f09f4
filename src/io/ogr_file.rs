//! The files planners are sent — Shapefile (plain or zipped), GeoPackage, MapInfo TAB and
//! MIF/MID, KML/KMZ, FlatGeobuf, DXF — read through GDAL (Debian's `libgdal`), their
//! coordinates transformed to WGS84 by PROJ, their text decoded from the legacy Vietnamese
//! encodings when asked. The result is GeoJSON features, so everything after loading (drawing,
//! editing, saving as GeoJSON) is as for any other layer.
//!
//! VN-2000: a file whose CRS PROJ identifies (EPSG 4756, 3405, 3406, 5896–5899, 9205–9218) is
//! transformed with EPSG's "VN-2000 to WGS 84 (2)" (EPSG:6960), the 7-parameter Helmert shift
//! published by the Ministry of Natural Resources and Environment. A `.prj` that names the
//! VN-2000 datum in a way PROJ does not identify gets the same shift written out.

use std::path::{Path, PathBuf};

use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};
use gdal::vector::{FieldValue, LayerAccess};
use gdal::{Dataset, DatasetOptions, GdalOpenFlags};
use geojson::JsonValue;

use super::vn_text::{LegacyEncoding, decode, detect};

/// File name endings read through GDAL.
pub const EXTENSIONS: &[&str] = &[
    "shp", "zip", "gpkg", "tab", "mif", "kml", "kmz", "fgb", "dxf", "gml",
];

/// The 7 parameters of VN-2000 → WGS 84 (EPSG:6960), in PROJ's `+towgs84` (position vector)
/// convention: EPSG states the rotations in the coordinate-frame convention, with the other
/// sign.
pub const VN2000_TOWGS84: &str =
    "-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278";

/// The TM-3 zone of Bình Dương (central meridian 105°45′): EPSG:9210, VN-2000 / TM-3 105-45.
pub const VN2000_TM3_105_45: u32 = 9210;

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
fn gdal_path(path: &Path) -> String {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let text = path.display().to_string();
    match ext.as_deref() {
        Some("zip") | Some("kmz") => format!("/vsizip/{text}"),
        _ => text,
    }
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
fn wgs84() -> Result<SpatialRef, gdal::errors::GdalError> {
    let mut srs = SpatialRef::from_epsg(4326)?;
    srs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    Ok(srs)
}

/// A coordinate system from any definition GDAL takes (`EPSG:9210`, `vn2000-tm3-105.75`, a
/// PROJ string, WKT).
pub fn crs_from_definition(definition: &str) -> Result<SpatialRef, String> {
    let d = definition.trim();
    let srs = if d.eq_ignore_ascii_case("vn2000-tm3-105.75") {
        SpatialRef::from_epsg(VN2000_TM3_105_45)
    } else if d.eq_ignore_ascii_case("vn2000") {
        SpatialRef::from_epsg(4756)
    } else if let Some(code) = d.strip_prefix("EPSG:").or_else(|| d.strip_prefix("epsg:")) {
        let code: u32 = code
            .parse()
            .map_err(|_| format!("`{definition}` is not an EPSG code"))?;
        SpatialRef::from_epsg(code)
    } else {
        SpatialRef::from_definition(d)
    };
    srs.map_err(|e| format!("`{definition}`: {e}"))
}

/// The file's CRS with the VN-2000 shift made explicit where PROJ would not find it: a `.prj`
/// naming the datum "Vietnam 2000" or "VN-2000" without an EPSG identity.
fn with_vn2000_shift(srs: SpatialRef) -> SpatialRef {
    let wkt = srs.to_wkt().unwrap_or_default().to_ascii_lowercase();
    let vn2000 = wkt.contains("vn-2000")
        || wkt.contains("vn_2000")
        || wkt.contains("vietnam_2000")
        || wkt.contains("vietnam 2000")
        || wkt.contains("vn2000");
    if !vn2000 || srs.auth_code().is_ok() {
        return srs;
    }
    let mut identified = srs.clone();
    if identified.auto_identify_epsg().is_ok() && identified.auth_code().is_ok() {
        return identified;
    }
    // Not identified: rebuild it with the shift, keeping its projection's parameters.
    let param =
        |name: &str, default: f64| srs.get_proj_param(name).ok().flatten().unwrap_or(default);
    let definition = if srs.is_projected() {
        format!(
            "+proj=tmerc +lat_0={} +lon_0={} +k={} +x_0={} +y_0={} +ellps=WGS84 +towgs84={VN2000_TOWGS84} +units=m +no_defs",
            param("latitude_of_origin", 0.0),
            param("central_meridian", 105.0),
            param("scale_factor", 0.9999),
            param("false_easting", 500_000.0),
            param("false_northing", 0.0),
        )
    } else {
        format!("+proj=longlat +ellps=WGS84 +towgs84={VN2000_TOWGS84} +no_defs")
    };
    SpatialRef::from_proj4(&definition).unwrap_or(srs)
}

/// A CRS as a person reads it: its name and authority code.
fn describe(srs: &SpatialRef) -> String {
    let name = srs.name().unwrap_or_else(|| "unnamed".to_owned());
    match (srs.auth_name(), srs.auth_code()) {
        (Some(a), Ok(c)) => format!("{name} ({a}:{c})"),
        _ => name,
    }
}

/// Reads a file through GDAL. Never panics on a bad file: each problem is an [`OgrError`] that
/// names the file and what is wrong.
pub fn read_ogr(path: &Path, options: &OgrOptions) -> Result<OgrRead, OgrError> {
    check_shapefile_parts(path)?;
    let open_error = |e: gdal::errors::GdalError| OgrError::Open {
        path: path.to_owned(),
        message: e.to_string(),
    };
    let latin1 = ["ENCODING=ISO-8859-1"];
    let dataset = Dataset::open_ex(
        gdal_path(path),
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
        (_, Some(definition)) => Some(crs_from_definition(definition).map_err(crs_error)?),
        (Some(srs), None) => Some(with_vn2000_shift(srs)),
        (None, None) => None,
    };
    let target = wgs84().map_err(|e| crs_error(e.to_string()))?;
    let (transform, crs) = match source {
        Some(mut srs) => {
            srs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
            let same = srs.auth_code().ok() == Some(4326);
            let t = if same {
                None
            } else {
                Some(CoordTransform::new(&srs, &target).map_err(|e| crs_error(e.to_string()))?)
            };
            (t, describe(&srs))
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
        let geometry = match feature.geometry() {
            Some(g) => {
                let g = match &transform {
                    Some(t) => g.transform(t).map_err(|e| feature_error(e.to_string()))?,
                    None => g.clone(),
                };
                let json = g.json().map_err(|e| feature_error(e.to_string()))?;
                Some(
                    serde_json::from_str::<geojson::Geometry>(&json)
                        .map_err(|e| feature_error(e.to_string()))?,
                )
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
        for f in &mut features {
            if let Some(p) = f.properties.take() {
                f.properties = Some(
                    p.into_iter()
                        .map(|(k, v)| (decode(&k, encoding), decode_value(v, encoding)))
                        .collect(),
                );
            }
        }
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

/// A file as a layer named `name`, its text decoded when it looks misread from TCVN3 or VNI
/// (the layer's notes say so, and say that saving never writes into the file).
pub fn load_layer(
    name: String,
    path: &Path,
    style: crate::model::LayerStyle,
) -> Result<crate::model::Layer, OgrError> {
    let mut read = read_ogr(path, &OgrOptions::default())?;
    if let Some(encoding) = read.suspected {
        // Read again, decoded: the text as the office that wrote it meant it.
        read = read_ogr(
            path,
            &OgrOptions {
                decode: Some(encoding),
                ..OgrOptions::default()
            },
        )?;
        read.warnings.push(format!(
            "{}: its text was written in {} and has been decoded",
            path.display(),
            encoding.name()
        ));
    }
    let mut warnings = read.warnings;
    warnings.push(format!(
        "{}: {} layer “{}”, coordinate system {}; saving writes GeoJSON beside it, never into it",
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
    Ok(
        crate::model::Layer::new(name, path.to_owned(), style, features, warnings).with_source(
            crate::model::SourceForm::Converted {
                driver: read.driver,
            },
            None,
        ),
    )
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

/// A field's value as JSON: numbers as numbers, dates as ISO 8601 text.
fn json_of(v: FieldValue) -> JsonValue {
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
