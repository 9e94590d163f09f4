//! Presentation mode: the story's slides full screen, stepped with a clicker's keys, with the
//! slide's title and text, a legend, the slide number, and a glow on highlighted features.

use egui::{Color32, Key, RichText, Ui, vec2};

use crate::model::{Lang, Slide};

use super::i18n::tr;

/// Where the presentation is.
#[derive(Clone, Debug, Default)]
pub struct Presenter {
    pub active: bool,
    pub slide: usize,
    /// The screen is blanked to black (`B` or `.`).
    pub blank: bool,
    /// When the camera lands on the current slide (for the glow).
    pub arrive_at: f64,
    /// Layer visibility before presenting, restored after.
    pub saved_visibility: Vec<bool>,
    /// A still figure of the current view (for export): the project's title instead of a slide.
    pub figure: bool,
    /// The map's size the current slide was framed for: when the window goes full screen the
    /// slide is framed again.
    pub framed_for: Option<egui::Vec2>,
}

/// What a key press asks of the presentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PresentKey {
    Next,
    Previous,
    First,
    Last,
    Blank,
    Language,
    End,
}

/// Reads the keys a presentation clicker sends.
pub fn present_keys(ui: &Ui) -> Vec<PresentKey> {
    ui.input(|i| {
        let mut keys = Vec::new();
        for (key, what) in [
            (Key::PageDown, PresentKey::Next),
            (Key::ArrowRight, PresentKey::Next),
            (Key::ArrowDown, PresentKey::Next),
            (Key::Space, PresentKey::Next),
            (Key::Enter, PresentKey::Next),
            (Key::PageUp, PresentKey::Previous),
            (Key::ArrowLeft, PresentKey::Previous),
            (Key::ArrowUp, PresentKey::Previous),
            (Key::Backspace, PresentKey::Previous),
            (Key::Home, PresentKey::First),
            (Key::End, PresentKey::Last),
            (Key::B, PresentKey::Blank),
            (Key::Period, PresentKey::Blank),
            (Key::L, PresentKey::Language),
            (Key::Escape, PresentKey::End),
        ] {
            if i.key_pressed(key) {
                keys.push(what);
            }
        }
        keys
    })
}

/// The glow on highlighted features: strong on arrival, gone after a second and a half.
pub fn glow(now: f64, arrive_at: f64) -> f32 {
    let t = now - arrive_at;
    if !(0.0..1.5).contains(&t) {
        return 0.0;
    }
    // Two soft pulses.
    ((t / 1.5 * std::f64::consts::PI * 2.0).sin().abs() * (1.0 - t / 1.5)) as f32
}

/// A white box floating over the map (slide text, a figure's title, the slide number).
fn overlay_box(ui: &Ui, id: &str, at: egui::Pos2, pivot: egui::Align2, add: impl FnOnce(&mut Ui)) {
    egui::Area::new(egui::Id::unique(id))
        .fixed_pos(at)
        .pivot(pivot)
        .order(egui::Order::Foreground)
        .interactable(false)
        .show(ui.ctx(), |ui| {
            egui::Frame::new()
                .fill(Color32::from_white_alpha(235))
                .corner_radius(8.0)
                .inner_margin(16.0)
                .shadow(egui::Shadow {
                    offset: [0, 4],
                    blur: 16,
                    spread: 0,
                    color: Color32::from_black_alpha(60),
                })
                .show(ui, add);
        });
}

/// A title (and a text) in type sized for a projector, at the map's top left.
fn title_box(ui: &Ui, id: &str, title: &str, text: Option<&str>) {
    let rect = ui.max_rect();
    let width = (rect.width() * 0.42).clamp(360.0, 760.0);
    overlay_box(
        ui,
        id,
        rect.left_top() + vec2(24.0, 24.0),
        egui::Align2::LEFT_TOP,
        |ui| {
            ui.set_max_width(width);
            ui.label(
                RichText::new(title)
                    .size(34.0)
                    .strong()
                    .color(Color32::from_rgb(0x1d, 0x2b, 0x3a)),
            );
            if let Some(text) = text {
                ui.add_space(6.0);
                ui.label(RichText::new(text).size(22.0).color(Color32::from_gray(30)));
            }
        },
    );
}

/// The slide's title and text in a box sized for a projector, and its number.
pub fn slide_overlay_ui(ui: &mut Ui, slide: &Slide, number: usize, count: usize, lang: Lang) {
    title_box(
        ui,
        "slide_box",
        slide.title.get(lang),
        Some(slide.text.get(lang)),
    );
    let at = ui.max_rect().right_bottom() - vec2(24.0, 40.0);
    overlay_box(ui, "slide_number", at, egui::Align2::RIGHT_BOTTOM, |ui| {
        let number = RichText::new(format!("{} {number} / {count}", tr("Slide")))
            .size(22.0)
            .color(Color32::from_gray(20));
        ui.add(egui::Label::new(number).wrap_mode(egui::TextWrapMode::Extend));
    });
}

/// A title box alone (for an exported figure of a view).
pub fn title_overlay_ui(ui: &mut Ui, title: &str) {
    title_box(ui, "figure_title", title, None);
}

/// Black over everything (the `B` key).
pub fn blank_ui(ui: &mut Ui) {
    let rect = ui.ctx().content_rect();
    egui::Area::new(egui::Id::unique("blank"))
        .fixed_pos(rect.min)
        .order(egui::Order::Foreground)
        .show(ui.ctx(), |ui| {
            ui.painter().rect_filled(rect, 0.0, Color32::BLACK);
            ui.allocate_rect(rect, egui::Sense::hover());
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_glow_fades_out() {
        assert_eq!(glow(0.0, 1.0), 0.0, "nothing before arrival");
        assert!(glow(1.35, 1.0) > 0.2);
        assert_eq!(glow(3.0, 1.0), 0.0, "gone after 1.5 s");
    }
}
