//! Reading GeoJSON layers and project files into the document, and writing them back safely.

pub mod atomic;
pub mod bundled;
pub mod geojson_feature;
pub mod geojson_file;
pub mod geojson_write;
pub mod journal;
pub mod ogr_file;
pub mod ogr_write;
pub mod project_file;
pub mod story_file;
pub mod validate;
pub mod vn_text;

pub use atomic::{SaveError, write_atomic};
pub use geojson_file::{
    LoadError, ParsedLayer, geojson_bytes, parse_geojson, read_geojson, save_geojson, stamp_of,
};
pub use project_file::{
    InitialView, document_for_geojson, load_document, load_layer, open_path, save_project,
};
