//! Project files (TOML) to documents; a plain GeoJSON file becomes a one-layer document.

use std::path::{Path, PathBuf};

use crate::model::{BasemapSpec, Document, Layer, LayerSpec, LayerStyle, Project, ViewSpec};

use super::geojson_file::read_geojson;

/// How a document should be framed when it opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitialView {
    /// The view the project file names.
    FromProject,
    /// Zoom to the extent of everything loaded (for a GeoJSON file opened on its own).
    FitExtent,
}

/// Opens a project file (`.toml`) or a GeoJSON file (anything else). Never fails: what cannot be
/// read is reported in the document's problems or the layer's status.
pub fn open_path(path: &Path) -> (Document, InitialView) {
    let is_project = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    if is_project {
        (load_document(path), InitialView::FromProject)
    } else {
        (document_for_geojson(path), InitialView::FitExtent)
    }
}

/// Reads a project file and every layer it names. A broken project file gives an empty document
/// whose `problems` say why; a broken layer gives a layer in the failed state.
pub fn load_document(path: &Path) -> Document {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            return empty_document(format!(
                "{}: cannot read the project file: {e}",
                path.display()
            ));
        }
    };
    let mut unknown = Vec::new();
    let deserializer = toml::Deserializer::parse(&text);
    let project: Result<Project, _> = match deserializer {
        Ok(de) => serde_ignored::deserialize(de, |p| unknown.push(p.to_string())),
        Err(e) => Err(e),
    };
    let project = match project {
        Ok(p) => p,
        Err(e) => {
            return empty_document(format!(
                "{}: the project file is not valid: {}",
                path.display(),
                e.to_string().trim_end()
            ));
        }
    };
    let base = path.parent().unwrap_or(Path::new("."));
    let mut problems: Vec<String> = unknown
        .into_iter()
        .map(|key| format!("{}: unknown setting `{key}` ignored", path.display()))
        .collect();
    if !(-180.0..=180.0).contains(&project.view.center[0])
        || !(-90.0..=90.0).contains(&project.view.center[1])
    {
        problems.push(format!(
            "{}: view.center {:?} is not a [longitude, latitude] pair; using the corridor's centre",
            path.display(),
            project.view.center
        ));
    }
    let layers = project
        .layers
        .iter()
        .map(|spec| layer_from_spec(spec, path, base))
        .collect();
    let context = project
        .context
        .iter()
        .map(|spec| layer_from_spec(spec, path, base))
        .collect();
    let view = if problems.iter().any(|p| p.contains("view.center")) {
        ViewSpec::default()
    } else {
        project.view
    };
    let story = project.story.as_ref().and_then(|rel| {
        let file = base.join(rel);
        match super::story_file::read_story_checked(&file) {
            Ok((story, warnings)) => {
                problems.extend(warnings);
                Some((story, file))
            }
            Err(e) => {
                problems.push(e.to_string());
                None
            }
        }
    });
    let mut basemap = project.basemap;
    basemap.files = basemap.files.iter().map(|f| base.join(f)).collect();
    basemap.style = basemap.style.map(|s| base.join(s));
    for f in &basemap.files {
        if !f.is_file() {
            problems.push(format!(
                "{}: basemap file {} does not exist",
                path.display(),
                f.display()
            ));
        }
    }
    Document {
        title: project.title,
        credit: project.credit,
        view,
        basemap,
        layers,
        context,
        problems,
        bookmarks: project.bookmarks,
        path: Some(path.to_owned()),
        story,
    }
}

/// A layer as the project file describes it: a GeoJSON file beside the project, or an empty
/// layer for a table that the app fills in the background.
fn layer_from_spec(spec: &LayerSpec, path: &Path, base: &Path) -> Layer {
    let mut layer = match (&spec.postgres, &spec.table) {
        (Some(url), Some(table)) => match crate::model::TableSource::parse(url, table) {
            Ok(source) => Layer::new(
                spec.name.clone(),
                source,
                spec.style.clone(),
                Vec::new(),
                Vec::new(),
            ),
            Err(e) => Layer::failed(
                spec.name.clone(),
                PathBuf::from(url),
                spec.style.clone(),
                format!("{}: layer “{}”: {e}", path.display(), spec.name),
            ),
        },
        (Some(url), None) => Layer::failed(
            spec.name.clone(),
            PathBuf::from(url),
            spec.style.clone(),
            format!(
                "{}: layer “{}” names a database but no `table`",
                path.display(),
                spec.name
            ),
        ),
        _ => load_layer_as(
            spec.name.clone(),
            base.join(&spec.file),
            spec.style.clone(),
            &spec.read,
        ),
    };
    layer.visible = spec.visible;
    layer.opacity = spec.opacity.clamp(0.0, 1.0);
    layer.subareas = spec.subareas;
    layer.admin_units = spec.admin_units;
    layer.attribution = spec.attribution.clone();
    layer.title = spec.title.clone();
    layer
}

/// Loads one GeoJSON file as a layer; on failure the layer is kept, empty, with the message.
pub fn load_layer(name: String, file: PathBuf, style: LayerStyle) -> Layer {
    load_layer_as(name, file, style, &crate::model::ReadSettings::default())
}

/// Loads one file as a layer, a file read through GDAL as `read` says; on failure the layer is
/// kept, empty, with the message.
pub fn load_layer_as(
    name: String,
    file: PathBuf,
    style: LayerStyle,
    read: &crate::model::ReadSettings,
) -> Layer {
    if super::ogr_file::is_ogr_path(&file) {
        return match super::ogr_file::load_layer(name.clone(), &file, style.clone(), read) {
            Ok(layer) => layer,
            Err(e) => Layer::failed(name, file, style, e.to_string()),
        };
    }
    match read_geojson(&file) {
        Ok(parsed) => parsed.into_layer(name, file, style),
        Err(e) => Layer::failed(name, file, style, e.to_string()),
    }
}

/// Writes the document as a project file at `path`: layers in draw order with their styles,
/// visibility and opacity, the given view, the basemap and the bookmarks. Layer paths are written
/// relative to the project file when they lie beside or below it. Atomic, with a backup.
pub fn save_project(
    doc: &Document,
    view: ViewSpec,
    path: &Path,
) -> Result<(), super::atomic::SaveError> {
    let base = path.parent().unwrap_or(Path::new("."));
    let layers = doc.layers.iter().map(|l| spec_of(l, base)).collect();
    let context = doc.context.iter().map(|l| spec_of(l, base)).collect();
    let mut basemap = doc.basemap.clone();
    basemap.files = basemap.files.iter().map(|f| relative_to(f, base)).collect();
    basemap.style = basemap.style.map(|s| relative_to(&s, base));
    let project = Project {
        title: doc.title.clone(),
        credit: doc.credit.clone(),
        view,
        basemap,
        layers,
        context,
        story: doc.story.as_ref().map(|(_, p)| relative_to(p, base)),
        bookmarks: doc.bookmarks.clone(),
    };
    let text = toml::to_string_pretty(&project).map_err(|e| super::atomic::SaveError::Encode {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    let text = format!(
        "# Corridor project file, written by Corridor {}.\n# Layers are listed bottom to top; paths are relative to this file.\n\n{text}",
        env!("CARGO_PKG_VERSION")
    );
    super::atomic::write_atomic(path, text.as_bytes())
}

/// How the project file describes a layer.
fn spec_of(l: &Layer, base: &Path) -> LayerSpec {
    let table = l.source.table();
    LayerSpec {
        name: l.name.clone(),
        file: l
            .source
            .path()
            .map_or_else(PathBuf::new, |p| relative_to(p, base)),
        postgres: table.map(|t| t.url.clone()),
        table: table.map(|t| format!("{}.{}", t.schema, t.table)),
        visible: l.visible,
        opacity: l.opacity,
        subareas: l.subareas,
        admin_units: l.admin_units,
        attribution: l.attribution.clone(),
        title: l.title.clone(),
        read: l
            .read
            .clone()
            .map(|r| crate::model::ReadSettings {
                suspected: None,
                ..r
            })
            .unwrap_or_default(),
        style: l.style.clone(),
    }
}

/// `file` relative to `base` if it lies inside it, else as it is (absolute paths stay absolute).
fn relative_to(file: &Path, base: &Path) -> PathBuf {
    let abs = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned());
    let (f, b) = (abs(file), abs(base));
    match f.strip_prefix(&b) {
        Ok(rel) => rel.to_owned(),
        Err(_) => f,
    }
}

/// A document holding one GeoJSON file, named after it, over the default basemap.
pub fn document_for_geojson(path: &Path) -> Document {
    let name = Layer::name_for(path);
    let layer = load_layer(name.clone(), path.to_owned(), LayerStyle::default());
    Document {
        title: crate::model::Texts::one(name),
        credit: String::new(),
        view: ViewSpec::default(),
        basemap: BasemapSpec::default(),
        layers: vec![layer],
        context: Vec::new(),
        problems: Vec::new(),
        bookmarks: Vec::new(),
        path: None,
        story: None,
    }
}

fn empty_document(problem: String) -> Document {
    Document {
        title: crate::model::Texts::one("Corridor"),
        credit: String::new(),
        view: ViewSpec::default(),
        basemap: BasemapSpec::default(),
        layers: Vec::new(),
        context: Vec::new(),
        problems: vec![problem],
        bookmarks: Vec::new(),
        path: None,
        story: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_project_gives_an_empty_map_and_says_where() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        std::fs::write(&path, "title = \"x\"\n[view\nzoom = 3\n").unwrap();
        let doc = load_document(&path);
        assert!(doc.layers.is_empty());
        assert_eq!(doc.problems.len(), 1);
        assert!(doc.problems[0].contains("line 2"), "{}", doc.problems[0]);
    }

    #[test]
    fn unknown_keys_are_warned_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        std::fs::write(&path, "title = \"x\"\ncolour = 3\n").unwrap();
        let doc = load_document(&path);
        assert_eq!(doc.title.get(crate::model::Lang::Zh), "x");
        assert!(doc.problems[0].contains("colour"), "{:?}", doc.problems);
    }

    #[test]
    fn missing_layer_file_fails_alone() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("ok.geojson"),
            r#"{"type":"FeatureCollection","features":[]}"#,
        )
        .unwrap();
        let path = dir.path().join("p.toml");
        std::fs::write(
            &path,
            "title = \"x\"\n[[layers]]\nname = \"gone\"\nfile = \"gone.geojson\"\n[[layers]]\nname = \"ok\"\nfile = \"ok.geojson\"\n",
        )
        .unwrap();
        let doc = load_document(&path);
        assert_eq!(doc.layers.len(), 2);
        assert!(
            doc.layers[0]
                .error()
                .is_some_and(|e| e.contains("gone.geojson"))
        );
        assert!(doc.layers[1].error().is_none());
    }
}
