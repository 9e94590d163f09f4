//! GeoJSON (RFC 7946) files to features, with errors that say where.

use std::path::{Path, PathBuf};

use geojson::GeoJson;

use crate::model::Feature;

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
}

/// Reads and parses a GeoJSON file.
pub fn read_geojson(path: &Path) -> Result<ParsedLayer, LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.to_owned(),
        source,
    })?;
    parse_geojson(&bytes, path)
}

/// Parses GeoJSON text: a FeatureCollection, a single Feature, or a bare Geometry. `path` only
/// names the source in messages.
pub fn parse_geojson(bytes: &[u8], path: &Path) -> Result<ParsedLayer, LoadError> {
    // Editors on Windows like to start UTF-8 files with a byte-order mark; JSON forbids it.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let geojson: GeoJson = serde_json::from_slice(bytes).map_err(|e| {
        let message = explain_json_error(&e);
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
    })?;
    let records = match geojson {
        GeoJson::FeatureCollection(fc) => fc.features,
        GeoJson::Feature(f) => vec![f],
        GeoJson::Geometry(g) => vec![geojson::Feature {
            geometry: Some(g),
            ..Default::default()
        }],
    };
    let mut parsed = ParsedLayer::default();
    parsed.features.reserve(records.len());
    for (index, mut record) in records.into_iter().enumerate() {
        let geometry = match record.geometry.take() {
            None => None,
            Some(g) => match geo::Geometry::<f64>::try_from(g) {
                Ok(g) => Some(g),
                Err(e) => {
                    parsed
                        .warnings
                        .push(format!("feature {index}: geometry not drawn: {e}"));
                    None
                }
            },
        };
        parsed.features.push(Feature { record, geometry });
    }
    Ok(parsed)
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
        assert!(parsed.features[0].geometry.is_some());
    }

    #[test]
    fn single_feature_and_null_geometry_load() {
        let text =
            r#"{"type": "Feature", "id": 7, "properties": {"name": "Dĩ An"}, "geometry": null}"#
                .as_bytes();
        let parsed = parse_geojson(text, Path::new("f.geojson")).unwrap();
        assert_eq!(parsed.features.len(), 1);
        assert_eq!(parsed.features[0].display_name(), "Dĩ An");
        assert!(parsed.features[0].geometry.is_none());
    }
}
