//! Bundled fonts: Noto Sans for every Vietnamese letter, a Noto Sans SC subset for Chinese, and
//! DejaVu Sans's symbols (⚠, arrows) that neither has.

use std::sync::Arc;

use egui::{FontData, FontDefinitions, FontFamily};

const NOTO_SANS: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Regular.ttf");
const NOTO_SANS_SC: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Corridor-Subset.otf");
const SYMBOLS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Symbols-Subset.ttf");

/// Makes Noto Sans the primary font, with Chinese and egui's own fonts (symbols, emoji) as
/// fallbacks.
pub fn install_fonts(ctx: &egui::Context) {
    ctx.set_fonts(font_definitions());
}

/// The font set [`install_fonts`] installs.
pub fn font_definitions() -> FontDefinitions {
    let mut fonts = FontDefinitions::default();
    fonts.font_data.insert(
        "NotoSans".to_owned(),
        Arc::new(FontData::from_static(NOTO_SANS)),
    );
    fonts.font_data.insert(
        "NotoSansSC".to_owned(),
        Arc::new(FontData::from_static(NOTO_SANS_SC)),
    );
    fonts.font_data.insert(
        "Symbols".to_owned(),
        Arc::new(FontData::from_static(SYMBOLS)),
    );
    if let Some(list) = fonts.families.get_mut(&FontFamily::Proportional) {
        list.insert(0, "NotoSans".to_owned());
        list.insert(1, "NotoSansSC".to_owned());
        list.insert(2, "Symbols".to_owned());
    }
    if let Some(list) = fonts.families.get_mut(&FontFamily::Monospace) {
        list.extend(["NotoSans", "NotoSansSC", "Symbols"].map(str::to_owned));
    }
    fonts
}
