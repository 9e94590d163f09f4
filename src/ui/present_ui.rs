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
    /// The screen is whited out (`W`).
    pub white: bool,
    /// Where the legend box was in the last frame (it keeps its place from slide to slide).
    pub legend_rect: Option<egui::Rect>,
    /// Where the slide box and the slide number were drawn in the last frame.
    pub slide_box_rect: Option<egui::Rect>,
    pub number_rect: Option<egui::Rect>,
}

/// What a key press asks of the presentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PresentKey {
    Next,
    Previous,
    First,
    Last,
    Blank,
    White,
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
            (Key::W, PresentKey::White),
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

/// Space between the map's edge and a box, and between a box and what it must not hide.
pub const EDGE: f32 = 24.0;
/// A box's inner margin.
const INNER: f32 = 16.0;

/// A white box floating over the map (slide text, a figure's title, the slide number); its rect.
fn overlay_box(
    ui: &Ui,
    id: &str,
    at: egui::Pos2,
    pivot: egui::Align2,
    add: impl FnOnce(&mut Ui),
) -> egui::Rect {
    egui::Area::new(egui::Id::unique(id))
        .fixed_pos(at)
        .pivot(pivot)
        .order(egui::Order::Foreground)
        .interactable(false)
        .show(ui.ctx(), |ui| {
            egui::Frame::new()
                .fill(Color32::from_white_alpha(235))
                .corner_radius(8.0)
                .inner_margin(INNER)
                .shadow(egui::Shadow {
                    offset: [0, 4],
                    blur: 16,
                    spread: 0,
                    color: Color32::from_black_alpha(60),
                })
                .show(ui, add);
        })
        .response
        .rect
}

/// How a slide's box is laid out in a map of a given size: type sized for a projector, made
/// smaller (down to half) until the box takes at most half the map's height; past that the text
/// wraps within the box.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoxLayout {
    pub title_size: f32,
    pub text_size: f32,
    /// The text's width inside the box.
    pub width: f32,
    /// Where the box goes.
    pub rect: egui::Rect,
}

/// Lays a title (and a text) out for the map's top left, measuring with the fonts in use.
pub fn box_layout(
    ctx: &egui::Context,
    map: egui::Rect,
    title: &str,
    text: Option<&str>,
) -> BoxLayout {
    let width = (map.width() * 0.42)
        .clamp(260.0, 760.0)
        .min(map.width() - 2.0 * (EDGE + INNER))
        .max(80.0);
    let measure = |size: f32, s: &str| {
        if s.is_empty() {
            return egui::Vec2::ZERO;
        }
        ctx.fonts_mut(|f| {
            f.layout(
                s.to_owned(),
                egui::FontId::proportional(size),
                Color32::BLACK,
                width,
            )
            .size()
        })
    };
    let mut layout = None;
    for scale in [1.0, 0.88, 0.76, 0.66, 0.58, 0.5] {
        let (title_size, text_size) = (34.0 * scale, 22.0 * scale);
        let t = measure(title_size, title);
        let x = text.map_or(egui::Vec2::ZERO, |x| measure(text_size, x));
        let gap = if text.is_some_and(|x| !x.is_empty()) {
            6.0
        } else {
            0.0
        };
        let size = egui::vec2(t.x.max(x.x), t.y + gap + x.y) + egui::vec2(2.0 * INNER, 2.0 * INNER);
        let rect = egui::Rect::from_min_size(map.left_top() + vec2(EDGE, EDGE), size);
        layout = Some(BoxLayout {
            title_size,
            text_size,
            width,
            rect,
        });
        if size.y <= map.height() * 0.5 {
            break;
        }
    }
    layout.unwrap_or(BoxLayout {
        title_size: 34.0,
        text_size: 22.0,
        width,
        rect: egui::Rect::from_min_size(map.left_top(), egui::Vec2::ZERO),
    })
}

/// A title (and a text) at the map's top left, laid out by [`box_layout`]; the box's rect.
fn title_box(ui: &Ui, id: &str, title: &str, text: Option<&str>) -> egui::Rect {
    let rect = ui.max_rect();
    let layout = box_layout(ui.ctx(), rect, title, text);
    overlay_box(
        ui,
        id,
        rect.left_top() + vec2(EDGE, EDGE),
        egui::Align2::LEFT_TOP,
        |ui| {
            ui.set_max_width(layout.width);
            ui.label(
                RichText::new(title)
                    .size(layout.title_size)
                    .strong()
                    .color(Color32::from_rgb(0x1d, 0x2b, 0x3a)),
            );
            if let Some(text) = text.filter(|t| !t.is_empty()) {
                ui.add_space(6.0);
                ui.label(
                    RichText::new(text)
                        .size(layout.text_size)
                        .color(Color32::from_gray(30)),
                );
            }
        },
    )
}

/// The slide number's text.
pub fn number_text(number: usize, count: usize) -> String {
    format!("{} {number} / {count}", tr("Slide"))
}

/// Where the slide number goes in a map (bottom right, above the attribution line).
pub fn number_rect(
    ctx: &egui::Context,
    map: egui::Rect,
    number: usize,
    count: usize,
) -> egui::Rect {
    let size = ctx.fonts_mut(|f| {
        f.layout_no_wrap(
            number_text(number, count),
            egui::FontId::proportional(22.0),
            Color32::BLACK,
        )
        .size()
    }) + vec2(2.0 * INNER, 2.0 * INNER);
    egui::Rect::from_min_size(map.right_bottom() - vec2(EDGE, 40.0) - size, size)
}

/// The slide's title and text in a box sized for a projector, and its number; their rects.
pub fn slide_overlay_ui(
    ui: &mut Ui,
    slide: &Slide,
    number: usize,
    count: usize,
    lang: Lang,
) -> (egui::Rect, egui::Rect) {
    let text = slide.text.get(lang);
    let slide_box = title_box(
        ui,
        "slide_box",
        slide.title.get(lang),
        Some(text).filter(|t| !t.is_empty()),
    );
    let at = ui.max_rect().right_bottom() - vec2(EDGE, 40.0);
    let number_box = overlay_box(ui, "slide_number", at, egui::Align2::RIGHT_BOTTOM, |ui| {
        let number = RichText::new(number_text(number, count))
            .size(22.0)
            .color(Color32::from_gray(20));
        ui.add(egui::Label::new(number).wrap_mode(egui::TextWrapMode::Extend));
    });
    (slide_box, number_box)
}

/// The largest part of `map` clear of every rect in `covered`, for a box of `aspect` (width over
/// height) to be fitted into: of the rectangles bounded by the map's and the covered rects'
/// edges, the one the box can be drawn largest in.
pub fn free_rect(map: egui::Rect, covered: &[egui::Rect], aspect: f32) -> egui::Rect {
    let covered: Vec<egui::Rect> = covered
        .iter()
        .map(|r| r.expand(EDGE / 2.0).intersect(map))
        .filter(|r| r.is_positive())
        .collect();
    let mut xs0 = vec![map.left()];
    let mut xs1 = vec![map.right()];
    let mut ys0 = vec![map.top()];
    let mut ys1 = vec![map.bottom()];
    for r in &covered {
        xs0.push(r.right());
        xs1.push(r.left());
        ys0.push(r.bottom());
        ys1.push(r.top());
    }
    let aspect = aspect.max(1e-3);
    let mut best = (map, -1.0f32);
    for &x0 in &xs0 {
        for &x1 in &xs1 {
            for &y0 in &ys0 {
                for &y1 in &ys1 {
                    if x1 - x0 < 40.0 || y1 - y0 < 40.0 {
                        continue;
                    }
                    let r = egui::Rect::from_min_max(egui::pos2(x0, y0), egui::pos2(x1, y1));
                    if covered
                        .iter()
                        .any(|c| c.intersects(r) && c.intersect(r).area() > 0.5)
                    {
                        continue;
                    }
                    // How large the box can be drawn: its width, limited by the height.
                    let fit = r.width().min(r.height() * aspect);
                    // Between equals, the one nearer the map's centre.
                    let score = fit - 1e-3 * (r.center() - map.center()).length();
                    if score > best.1 {
                        best = (r, score);
                    }
                }
            }
        }
    }
    best.0
}

/// A title box alone (for an exported figure of a view).
pub fn title_overlay_ui(ui: &mut Ui, title: &str) {
    title_box(ui, "figure_title", title, None);
}

/// One colour over everything: black for `B` or `.`, white for `W`.
pub fn blank_ui(ui: &mut Ui, colour: Color32) {
    let rect = ui.ctx().content_rect();
    egui::Area::new(egui::Id::unique("blank"))
        .fixed_pos(rect.min)
        .order(egui::Order::Foreground)
        .show(ui.ctx(), |ui| {
            ui.painter().rect_filled(rect, 0.0, colour);
            ui.allocate_rect(rect, egui::Sense::hover());
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_free_part_of_the_map_avoids_every_box() {
        let map = egui::Rect::from_min_size(egui::Pos2::ZERO, vec2(1920.0, 1080.0));
        let slide_box = egui::Rect::from_min_size(egui::pos2(24.0, 24.0), vec2(760.0, 300.0));
        let legend = egui::Rect::from_min_size(egui::pos2(1600.0, 24.0), vec2(296.0, 400.0));
        let number = egui::Rect::from_min_size(egui::pos2(1700.0, 980.0), vec2(196.0, 60.0));
        for aspect in [0.5, 1.0, 2.0, 4.0] {
            let free = free_rect(map, &[slide_box, legend, number], aspect);
            for b in [slide_box, legend, number] {
                assert!(
                    !free.intersects(b),
                    "{free:?} hides {b:?} (aspect {aspect})"
                );
            }
            assert!(free.area() > map.area() * 0.3, "{free:?}");
        }
        // A wide shape goes below the slide box; a tall one beside it.
        let wide = free_rect(map, &[slide_box, legend, number], 4.0);
        assert!(wide.top() >= slide_box.bottom(), "{wide:?}");
        let tall = free_rect(map, &[slide_box, legend, number], 0.5);
        assert!(tall.left() >= slide_box.right(), "{tall:?}");
    }

    #[test]
    fn the_glow_fades_out() {
        assert_eq!(glow(0.0, 1.0), 0.0, "nothing before arrival");
        assert!(glow(1.35, 1.0) > 0.2);
        assert_eq!(glow(3.0, 1.0), 0.0, "gone after 1.5 s");
    }
}
