//! Reading GeoJSON layers and project files into the document.

pub mod geojson_file;
pub mod project_file;

pub use geojson_file::{LoadError, ParsedLayer, parse_geojson, read_geojson};
pub use project_file::{InitialView, document_for_geojson, load_document, load_layer, open_path};
