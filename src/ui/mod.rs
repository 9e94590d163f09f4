//! Panels and tools: everything that knows about egui widgets.
use crate::ui::i18n::tr;

pub mod basemap_ui;
pub mod bookmarks_ui;
pub mod edit_ui;
pub mod feature_ui;
pub mod fonts;
pub mod help_ui;
pub mod i18n;
pub mod layers_ui;
pub mod legend_ui;
pub mod map_ui;
pub mod measure_ui;
pub mod open_ui;
pub mod present_ui;
pub mod search_ui;
pub mod status_ui;
pub mod story_ui;
pub mod style_ui;
pub mod subarea_ui;
pub mod table_ui;

/// Text colour of secondary information.
pub const MUTED: egui::Color32 = egui::Color32::from_rgb(0x5f, 0x63, 0x68);

/// Why no native file dialog can open here, if none can. On Linux rfd needs the desktop portal
/// (over the D-Bus session bus) or `zenity`; without either it fails silently, so we say so.
pub fn file_dialog_unavailable() -> Option<&'static str> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let has_bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some();
    let has_zenity = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join("zenity").is_file()));
    (!has_bus && !has_zenity).then_some(tr(
        "No file dialog is available on this system (it needs xdg-desktop-portal or zenity: \
         `sudo apt-get install zenity`). Drag the file onto the window instead.",
    ))
}
