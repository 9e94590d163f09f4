//! Writing planners' formats through GDAL — Shapefile, GeoPackage, MapInfo, KML/KMZ,
//! FlatGeobuf — in WGS 84 or any VN-2000 zone, and `corridor convert`. Reading is in
//! [`super::ogr_file`].

use std::path::{Path, PathBuf};

use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform};
use gdal::vector::LayerAccess;
use geojson::JsonValue;

use super::ogr_file::*;
use super::vn_text::LegacyEncoding;

/// What [`write_ogr`] did.
#[derive(Debug)]
pub struct WriteReport {
    pub driver: &'static str,
    pub features: usize,
    pub crs: String,
    /// Field names the format shortened or changed (Shapefile's ten characters), as
    /// (given, written).
    pub renamed: Vec<(String, String)>,
}

/// GDAL's driver for a file name, by its ending.
pub fn driver_for(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "shp" => "ESRI Shapefile",
        "gpkg" => "GPKG",
        "geojson" | "json" => "GeoJSON",
        "fgb" => "FlatGeobuf",
        "kml" => "KML",
        // Zipped KML, written by libkml.
        "kmz" => "LIBKML",
        "tab" | "mif" => "MapInfo File",
        _ => return None,
    })
}

/// The GDAL field type for a property: the narrowest that holds every value the features give
/// it (integers, reals, text; anything else as its JSON text).
fn field_type(values: &[&JsonValue]) -> gdal::vector::OGRFieldType::Type {
    use gdal::vector::OGRFieldType;
    let present: Vec<&&JsonValue> = values.iter().filter(|v| !v.is_null()).collect();
    if present.is_empty() {
        OGRFieldType::OFTString
    } else if present.iter().all(|v| v.is_i64() || v.is_u64()) {
        OGRFieldType::OFTInteger64
    } else if present.iter().all(|v| v.is_number()) {
        OGRFieldType::OFTReal
    } else {
        OGRFieldType::OFTString
    }
}

/// Writes WGS84 features to `path` in the format its ending names, in `to_crs` (WGS84 when
/// `None`), with text in `encode` (UTF-8 when `None`, and then said in a `.cpg`). The file is
/// made in a folder of its own beside the target and moved into place when complete, so a
/// failure leaves whatever was there before.
///
/// Long because it follows GDAL's order: driver, folder, layer, fields, features, then the move
/// into place.
pub fn write_ogr(
    features: &[geojson::Feature],
    path: &Path,
    to_crs: Option<&str>,
    encode: Option<LegacyEncoding>,
) -> Result<WriteReport, OgrError> {
    use gdal::DriverManager;
    use gdal::vector::{FieldDefn, LayerOptions, OGRwkbGeometryType};
    configure();
    let fail = |message: String| OgrError::Open {
        path: path.to_owned(),
        message,
    };
    let driver_name = driver_for(path).ok_or_else(|| {
        fail(
            "cannot write this kind of file: use .shp, .gpkg, .geojson, .fgb, .kml, .kmz, .tab or .mif"
                .to_owned(),
        )
    })?;
    let mut target = match to_crs {
        Some(d) => crs_from_definition(d).map_err(|e| OgrError::Crs {
            path: path.to_owned(),
            message: e.to_string(),
        })?,
        None => wgs84().map_err(|e| fail(e.to_string()))?,
    };
    target.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    let source = wgs84().map_err(|e| fail(e.to_string()))?;
    // The file states the system as it is; the coordinates go through the published shift.
    let shifted = with_published_shift(&target).map_err(|message| OgrError::Crs {
        path: path.to_owned(),
        message,
    })?;
    let transform = (to_crs.is_some())
        .then(|| CoordTransform::new(&source, &shifted))
        .transpose()
        .map_err(|e| fail(e.to_string()))?;
    // One geometry type per Shapefile.
    if driver_name == "ESRI Shapefile" {
        let kinds: std::collections::BTreeSet<&str> = features
            .iter()
            .filter_map(|f| f.geometry.as_ref())
            .map(|g| match g.value.type_name() {
                "MultiPolygon" => "Polygon",
                "MultiLineString" => "LineString",
                "MultiPoint" => "Point",
                other => other,
            })
            .collect();
        if kinds.len() > 1 {
            return Err(fail(format!(
                "a Shapefile holds one kind of geometry, and these features have {}: write a GeoPackage (.gpkg) instead",
                kinds.into_iter().collect::<Vec<_>>().join(", ")
            )));
        }
    }
    // Fields in the order they first appear.
    let mut keys: Vec<String> = Vec::new();
    for f in features {
        for k in f.properties.iter().flat_map(|p| p.keys()) {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
    }
    let folder = tempfile::Builder::new()
        .prefix(".corridor-write-")
        .tempdir_in(
            path.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new(".")),
        )
        .map_err(|e| fail(format!("cannot write beside it: {e}")))?;
    let name = path
        .file_name()
        .ok_or_else(|| fail("no file name".to_owned()))?;
    let staged = folder.path().join(name);
    let driver = DriverManager::get_driver_by_name(driver_name).map_err(|e| fail(e.to_string()))?;
    let mut dataset = driver
        .create_vector_only(&staged)
        .map_err(|e| fail(e.to_string()))?;
    let layer_name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let encoding_option = match encode {
        Some(_) => "ENCODING=ISO-8859-1",
        None => "ENCODING=UTF-8",
    };
    let shp_options = [encoding_option];
    // MapInfo has no datum code for VN-2000 and would write WGS 84's (225 m off): it is given
    // the system with its shift, which it keeps as a datum of seven parameters.
    let stated = if driver_name == "MapInfo File" {
        &shifted
    } else {
        &target
    };
    let layer = dataset
        .create_layer(LayerOptions {
            name: &layer_name,
            srs: Some(stated),
            ty: OGRwkbGeometryType::wkbUnknown,
            options: (driver_name == "ESRI Shapefile").then_some(&shp_options[..]),
        })
        .map_err(|e| fail(e.to_string()))?;
    // Where each property went: a new field at the end, or (KML's "name") a field of the
    // format's own that the driver used instead.
    let mut indices: Vec<usize> = Vec::with_capacity(keys.len());
    for key in &keys {
        let values: Vec<&JsonValue> = features
            .iter()
            .filter_map(|f| f.properties.as_ref()?.get(key))
            .collect();
        let written = encode.map_or_else(|| key.clone(), |e| super::vn_text::encode(key, e));
        let before = layer.defn().fields().count();
        FieldDefn::new(&written, field_type(&values))
            .and_then(|d| d.add_to_layer(&layer))
            .map_err(|e| fail(format!("field “{key}”: {e}")))?;
        let after = layer.defn().fields().count();
        let index = if after > before {
            after - 1
        } else {
            layer
                .defn()
                .field_index(&written)
                .map_err(|e| fail(format!("field “{key}”: {e}")))?
        };
        indices.push(index);
    }
    let names: Vec<String> = layer.defn().fields().map(|f| f.name()).collect();
    let renamed = keys
        .iter()
        .zip(&indices)
        .filter_map(|(k, &i)| Some((k, names.get(i)?)))
        .filter(|(k, n)| k != n && encode.is_none())
        .map(|(k, n)| (k.clone(), n.clone()))
        .collect();
    for (index, f) in features.iter().enumerate() {
        let feature_error = |message: String| OgrError::Feature {
            path: path.to_owned(),
            index,
            message,
        };
        let mut out =
            gdal::vector::Feature::new(layer.defn()).map_err(|e| feature_error(e.to_string()))?;
        if let Some(g) = &f.geometry {
            let text = serde_json::to_string(g).map_err(|e| feature_error(e.to_string()))?;
            let mut geometry = gdal::vector::Geometry::from_geojson(&text)
                .map_err(|e| feature_error(e.to_string()))?;
            if let Some(t) = &transform {
                geometry = geometry
                    .transform(t)
                    .map_err(|e| feature_error(e.to_string()))?;
            }
            out.set_geometry(geometry)
                .map_err(|e| feature_error(e.to_string()))?;
        }
        for (key, &i) in keys.iter().zip(&indices) {
            let Some(value) = f.properties.as_ref().and_then(|p| p.get(key)) else {
                continue;
            };
            let set = match value {
                JsonValue::Null => out.set_field_null(i),
                JsonValue::Number(n) if n.is_i64() || n.is_u64() => {
                    out.set_field_integer64(i, n.as_i64().unwrap_or(i64::MAX))
                }
                JsonValue::Number(n) => out.set_field_double(i, n.as_f64().unwrap_or(f64::NAN)),
                JsonValue::String(s) => {
                    let s = encode.map_or_else(|| s.clone(), |e| super::vn_text::encode(s, e));
                    out.set_field_string(i, &s)
                }
                other => out.set_field_string(i, &other.to_string()),
            };
            set.map_err(|e| feature_error(format!("“{key}”: {e}")))?;
        }
        out.create(&layer)
            .map_err(|e| feature_error(e.to_string()))?;
    }
    let crs = describe(&target);
    dataset.close().map_err(|e| fail(e.to_string()))?;
    // Move every file made (a Shapefile is four or five) into place.
    let made: Vec<PathBuf> = std::fs::read_dir(folder.path())
        .map_err(|e| fail(e.to_string()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    for file in made {
        if let Some(n) = file.file_name() {
            let into = dir.join(n);
            // What was there is kept as NAME.bak.
            if into.is_file() {
                let mut bak = into.clone().into_os_string();
                bak.push(".bak");
                std::fs::rename(&into, &bak)
                    .map_err(|e| fail(format!("cannot keep the previous file as .bak: {e}")))?;
            }
            std::fs::rename(&file, &into)
                .map_err(|e| fail(format!("cannot move it into place: {e}")))?;
        }
    }
    Ok(WriteReport {
        driver: driver_name,
        features: features.len(),
        crs,
        renamed,
    })
}

/// How `corridor convert` reads and writes.
#[derive(Clone, Debug, Default)]
pub struct ConvertOptions {
    /// `EPSG:n`, `vn2000-tm3-105.75` or any definition GDAL takes; WGS84 when `None`.
    pub to_crs: Option<String>,
    /// For a file that states no CRS.
    pub from_crs: Option<String>,
    /// `tcvn3`, `vni`, `utf8` or `auto` (decode when the text looks misread).
    pub encoding: Option<String>,
    pub layer: Option<String>,
}

/// Converts `input` (any format Corridor opens) to `output` (the format its ending names);
/// returns what it did, a line each.
pub fn convert(
    input: &Path,
    output: &Path,
    options: &ConvertOptions,
) -> Result<Vec<String>, String> {
    let mut lines = Vec::new();
    let encoding = options.encoding.as_deref().unwrap_or("auto");
    let decode_as = match encoding {
        "auto" | "utf8" | "utf-8" => None,
        key => Some(
            LegacyEncoding::from_key(key)
                .ok_or_else(|| format!("--encoding {key}: use tcvn3, vni, utf8 or auto"))?,
        ),
    };
    let features = if is_ogr_path(input) {
        let read_options = OgrOptions {
            layer: options.layer.clone(),
            assume_crs: options.from_crs.clone(),
            decode: decode_as,
        };
        let mut read = read_ogr(input, &read_options).map_err(|e| e.to_string())?;
        if encoding == "auto"
            && let Some(found) = read.suspected
        {
            decode_features(&mut read.features, found);
            read.decoded = Some(found);
        }
        let text = match read.decoded {
            Some(e) => format!("decoded from {}", e.name()),
            None => "as declared".to_owned(),
        };
        lines.push(format!(
            "in:  {} — {} features, layer “{}” ({}), CRS {}, text {text}",
            input.display(),
            read.features.len(),
            read.layer,
            read.driver,
            read.crs
        ));
        lines.extend(read.warnings.iter().map(|w| format!("note: {w}")));
        read.features
    } else {
        let parsed = super::read_geojson(input).map_err(|e| e.to_string())?;
        let mut features: Vec<geojson::Feature> = parsed
            .features
            .iter()
            .map(|f| f.record().into_owned())
            .collect();
        if let Some(e) = decode_as {
            decode_features(&mut features, e);
        }
        lines.push(format!(
            "in:  {} — {} features (GeoJSON), CRS WGS84, text {}",
            input.display(),
            features.len(),
            decode_as.map_or("as written".to_owned(), |e| format!(
                "decoded from {}",
                e.name()
            ))
        ));
        features
    };
    let report =
        write_ogr(&features, output, options.to_crs.as_deref(), None).map_err(|e| e.to_string())?;
    lines.push(format!(
        "out: {} — {} features ({}), CRS {}, text UTF-8",
        output.display(),
        report.features,
        report.driver,
        report.crs
    ));
    for (given, written) in report.renamed {
        lines.push(format!(
            "note: field “{given}” written as “{written}” (the format's limit)"
        ));
    }
    Ok(lines)
}
