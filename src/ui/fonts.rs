//! Bundled fonts: Noto Sans for every Vietnamese letter, a Noto Sans SC subset for Chinese.

use std::sync::Arc;

use egui::{FontData, FontDefinitions, FontFamily};

const NOTO_SANS: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Regular.ttf");
const NOTO_SANS_SC: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Corridor-Subset.otf");

/// Makes Noto Sans the primary font, with Chinese and egui's own fonts (symbols, emoji) as
/// fallbacks.
pub fn install_fonts(ctx: &egui::Context) {
    ctx.set_fonts(font_definitions());
}

/// The font set [`install_fonts`] installs.
pub fn font_definitions() -> FontDefinitions {
    let mut fonts = FontDefinitions::default();
    fonts
        .font_data
        .insert("NotoSans".to_owned(), Arc::new(FontData::from_static(NOTO_SANS)));
    fonts
        .font_data
        .insert("NotoSansSC".to_owned(), Arc::new(FontData::from_static(NOTO_SANS_SC)));
    if let Some(list) = fonts.families.get_mut(&FontFamily::Proportional) {
        list.insert(0, "NotoSans".to_owned());
        list.insert(1, "NotoSansSC".to_owned());
    }
    if let Some(list) = fonts.families.get_mut(&FontFamily::Monospace) {
        list.push("NotoSans".to_owned());
        list.push("NotoSansSC".to_owned());
    }
    fonts
}
