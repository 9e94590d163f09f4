//! The project file's schema (`maps/corridor.toml`): title, initial view, basemap and layers.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::style::LayerStyle;

/// A project as written in its TOML file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Project {
    /// A string, or a table of `vi`, `en`, `zh` translations.
    #[serde(
        deserialize_with = "super::Texts::string_or_table",
        serialize_with = "super::Texts::write_string_or_table"
    )]
    pub title: super::Texts,
    /// Credit line for the project's own layers, drawn on the map beside the basemap's.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub credit: String,
    #[serde(default)]
    pub view: ViewSpec,
    #[serde(default)]
    pub basemap: BasemapSpec,
    #[serde(default)]
    pub layers: Vec<LayerSpec>,
    /// Layers drawn under the basemap's tiles, so that they show where no tile is available
    /// (the bundled context: the province, its districts and its neighbours). Not selectable.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<LayerSpec>,
    /// The story file for presenting, relative to the project file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub story: Option<PathBuf>,
    /// Named views the user saved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bookmarks: Vec<Bookmark>,
}

/// A named view: centre and zoom.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bookmark {
    pub name: String,
    /// `[longitude, latitude]`, WGS84 degrees.
    pub center: [f64; 2],
    pub zoom: f64,
}

/// The view the window opens on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ViewSpec {
    /// `[longitude, latitude]` of the centre, WGS84 degrees.
    pub center: [f64; 2],
    pub zoom: f64,
}

impl Default for ViewSpec {
    fn default() -> Self {
        // The corridor, from Tân Vạn to Bàu Bàng.
        Self {
            center: [106.69, 11.12],
            zoom: 10.5,
        }
    }
}

/// The raster basemap under the layers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BasemapSpec {
    /// Shown in the basemap menu.
    pub name: String,
    /// URL template with `{z}`, `{x}` and `{y}`; empty for no basemap.
    pub url: String,
    /// Credit line drawn on the map, as the provider's terms require.
    pub attribution: String,
    pub attribution_url: String,
    /// Zoom levels the provider serves.
    #[serde(skip_serializing_if = "is_zero")]
    pub min_zoom: u8,
    pub max_zoom: u8,
    /// The provider's terms allow bulk downloading (your own tile server, say), so "make this
    /// area available offline" may use it. Never true for OpenStreetMap's standard tiles.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub bulk_download: bool,
    /// Local tile files (MBTiles or PMTiles, raster or vector) drawn over the provider,
    /// relative to the project file.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<PathBuf>,
    /// A MapLibre style (JSON) for the vector tile files, relative to the project file; the
    /// built-in style of the files' schema when not given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style: Option<PathBuf>,
}

impl BasemapSpec {
    /// OpenStreetMap's standard tiles.
    pub fn openstreetmap() -> Self {
        Self {
            name: "OpenStreetMap".to_owned(),
            url: "https://tile.openstreetmap.org/{z}/{x}/{y}.png".to_owned(),
            attribution: "© OpenStreetMap contributors".to_owned(),
            attribution_url: "https://www.openstreetmap.org/copyright".to_owned(),
            min_zoom: 0,
            max_zoom: 19,
            bulk_download: false,
            files: Vec::new(),
            style: None,
        }
    }

    /// No basemap at all: the neutral land colour.
    pub fn none() -> Self {
        Self {
            name: "None".to_owned(),
            url: String::new(),
            attribution: String::new(),
            attribution_url: String::new(),
            min_zoom: 0,
            max_zoom: 19,
            bulk_download: false,
            files: Vec::new(),
            style: None,
        }
    }

    pub fn is_none(&self) -> bool {
        self.url.trim().is_empty()
    }
}

impl Default for BasemapSpec {
    fn default() -> Self {
        Self::openstreetmap()
    }
}

/// One layer of the project: a GeoJSON file or a PostGIS table, and how to draw it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerSpec {
    pub name: String,
    /// Path of the GeoJSON file, relative to the project file (empty for a table).
    #[serde(default, skip_serializing_if = "is_empty_path")]
    pub file: PathBuf,
    /// A PostGIS database, `postgres://user@host:port/database`, never with a password (it
    /// comes from `PGPASSWORD`, `~/.pgpass` or the user).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postgres: Option<String>,
    /// The table in that database: `name` or `schema.name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    #[serde(default = "yes")]
    pub visible: bool,
    #[serde(default = "one")]
    pub opacity: f32,
    /// The layer's polygons are planned sub-areas and get a panel each.
    #[serde(default)]
    pub subareas: bool,
    /// The layer's polygons are administrative units (the 2025 wards): a sub-area's panel lists
    /// those it overlaps, with the area of each overlap.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub admin_units: bool,
    /// Where the layer's data comes from and under which licence, in a line: shown in the
    /// attribution line while the layer is visible, and in the layer's properties.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub attribution: String,
    /// What the legend calls the layer, in each language (its `name` when not given).
    #[serde(default, skip_serializing_if = "super::Texts::is_empty")]
    pub title: super::Texts,
    /// For a Shapefile, GeoPackage, MapInfo or KML file: the table read, the coordinate system
    /// assumed when the file states none, and how its text is taken.
    #[serde(default, skip_serializing_if = "is_default_read")]
    pub read: super::ReadSettings,
    #[serde(default)]
    pub style: LayerStyle,
}

fn is_default_read(r: &super::ReadSettings) -> bool {
    *r == super::ReadSettings::default()
}

fn is_empty_path(p: &std::path::Path) -> bool {
    p.as_os_str().is_empty()
}

fn is_zero(z: &u8) -> bool {
    *z == 0
}

fn yes() -> bool {
    true
}

fn one() -> f32 {
    1.0
}
