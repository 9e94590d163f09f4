//! Panels and tools: everything that knows about egui widgets.

pub mod feature_ui;
pub mod fonts;
pub mod layers_ui;
pub mod map_ui;
pub mod status_ui;
pub mod subarea_ui;

/// Text colour of secondary information.
pub const MUTED: egui::Color32 = egui::Color32::from_rgb(0x5f, 0x63, 0x68);
