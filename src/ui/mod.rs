//! Panels and tools: everything that knows about egui widgets.

pub mod basemap_ui;
pub mod bookmarks_ui;
pub mod feature_ui;
pub mod fonts;
pub mod help_ui;
pub mod layers_ui;
pub mod legend_ui;
pub mod map_ui;
pub mod measure_ui;
pub mod search_ui;
pub mod status_ui;
pub mod style_ui;
pub mod subarea_ui;
pub mod table_ui;

/// Text colour of secondary information.
pub const MUTED: egui::Color32 = egui::Color32::from_rgb(0x5f, 0x63, 0x68);
