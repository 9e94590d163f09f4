//! GeoJSON (RFC 7946) files to features, with errors that say where.

use std::path::{Path, PathBuf};

use geojson::GeoJson;

use crate::model::{Feature, FileStamp, Layer, SourceForm};

use super::atomic::{SaveError, write_atomic};

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

/// Reads and parses a GeoJSON file.
pub fn read_geojson(path: &Path) -> Result<ParsedLayer, LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut parsed = parse_geojson(&bytes, path)?;
    if let Some(stamp) = parsed.stamp.as_mut() {
        stamp.modified = modified_time(path);
    }
    Ok(parsed)
}

/// When a file was last modified, if the system says.
pub fn modified_time(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// What the file at `path` is now, or `None` when it cannot be read.
pub fn stamp_of(path: &Path) -> Option<FileStamp> {
    let bytes = std::fs::read(path).ok()?;
    Some(FileStamp::of(&bytes, modified_time(path)))
}

/// Parses GeoJSON text: a FeatureCollection, a single Feature, or a bare Geometry. `path` only
/// names the source in messages.
pub fn parse_geojson(bytes: &[u8], path: &Path) -> Result<ParsedLayer, LoadError> {
    // Editors on Windows like to start UTF-8 files with a byte-order mark; JSON forbids it.
    let stamp = FileStamp::of(bytes, None);
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
    let (records, form) = match geojson {
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
    };
    let mut parsed = ParsedLayer {
        form,
        stamp: Some(stamp),
        ..Default::default()
    };
    parsed.features.reserve(records.len());
    for (index, record) in records.into_iter().enumerate() {
        let geometry = match record.geometry.as_ref() {
            None => None,
            Some(g) => match crate::model::drawable(g) {
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

/// The layer as GeoJSON text, written the way its file was: a FeatureCollection keeps its
/// `bbox` (recomputed if a geometry changed) and foreign members, a single Feature or bare Geometry
/// stays one while the layer still is one. Features are one per line, in order, for readable diffs.
pub fn geojson_bytes(layer: &Layer) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::new();
    match (&layer.form, layer.features.as_slice()) {
        (SourceForm::Feature, [only]) => {
            serde_json::to_writer(&mut out, &only.record)?;
            out.push(b'\n');
            return Ok(out);
        }
        (SourceForm::Geometry, [only])
            if only.record.id.is_none()
                && only.record.bbox.is_none()
                && only.record.properties.as_ref().is_none_or(|p| p.is_empty())
                && only
                    .record
                    .foreign_members
                    .as_ref()
                    .is_none_or(|m| m.is_empty())
                && only.record.geometry.is_some() =>
        {
            serde_json::to_writer(&mut out, &only.record.geometry)?;
            out.push(b'\n');
            return Ok(out);
        }
        _ => {}
    }
    out.extend_from_slice(b"{\"type\":\"FeatureCollection\"");
    if let SourceForm::FeatureCollection {
        bbox,
        foreign_members,
    } = &layer.form
    {
        if let Some(bbox) = bbox {
            let fresh = if layer.history.geometry_changed {
                crate::model::edit::bbox_of(
                    layer
                        .features
                        .iter()
                        .filter_map(|f| f.record.geometry.as_ref().map(|g| &g.value)),
                    (bbox.len() / 2).max(2),
                )
            } else {
                None
            };
            out.extend_from_slice(b",\"bbox\":");
            serde_json::to_writer(&mut out, fresh.as_ref().unwrap_or(bbox))?;
        }
        for (key, value) in foreign_members.iter().flatten() {
            out.push(b',');
            serde_json::to_writer(&mut out, key)?;
            out.push(b':');
            serde_json::to_writer(&mut out, value)?;
        }
    }
    out.extend_from_slice(b",\"features\":[");
    for (i, f) in layer.features.iter().enumerate() {
        out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
        serde_json::to_writer(&mut out, &f.record)?;
    }
    out.extend_from_slice(b"\n]}\n");
    Ok(out)
}

/// Saves the layer to `path` atomically, keeping the previous file as `NAME.bak`. Returns what
/// the file now is.
pub fn save_geojson(layer: &Layer, path: &Path) -> Result<FileStamp, SaveError> {
    let bytes = geojson_bytes(layer).map_err(|e| SaveError::Encode {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    write_atomic(path, &bytes)?;
    Ok(FileStamp::of(&bytes, modified_time(path)))
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
