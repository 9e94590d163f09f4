//! The measure tool (M): geodesic distance along clicked points, per segment and in total, and
//! the geodesic area of the polygon they enclose.

use super::i18n::tr;
use crate::ui::i18n::trf;
use egui::{Color32, FontId, Pos2, RichText, Stroke, Ui, vec2};

use crate::geometry::measure::{
    format_distance, format_hectares, format_km2, geodesic_area_m2, geodesic_distance_m,
};
use crate::geometry::{lonlat_from_mercator, mercator_from_lonlat};
use crate::render::ScreenTransform;

/// Points clicked so far, as `[lon, lat]`.
#[derive(Default)]
pub struct MeasureState {
    pub active: bool,
    pub points: Vec<[f64; 2]>,
    /// The polygon under the last click, by name, and its geodesic area in m².
    pub clicked_polygon: Option<(String, f64)>,
}

impl MeasureState {
    /// Geodesic length of each segment, in metres.
    pub fn segments_m(&self) -> Vec<f64> {
        self.points
            .windows(2)
            .map(|w| geodesic_distance_m(w[0], w[1]))
            .collect()
    }

    pub fn total_m(&self) -> f64 {
        self.segments_m().iter().sum()
    }

    /// Geodesic area of the polygon the points enclose (closed back to the first), from three points on.
    pub fn area_m2(&self) -> Option<f64> {
        if self.points.len() < 3 {
            return None;
        }
        let mut ring: Vec<(f64, f64)> = self.points.iter().map(|p| (p[0], p[1])).collect();
        ring.push(ring[0]);
        let polygon = geo::Polygon::new(geo::LineString::from(ring), vec![]);
        Some(geodesic_area_m2(&geo::Geometry::Polygon(polygon)))
    }

    pub fn clear(&mut self) {
        self.points.clear();
        self.clicked_polygon = None;
    }
}

/// The measure window, at the map's top-left corner: segments, total, area; Clear.
pub fn measure_window(ctx: &egui::Context, state: &mut MeasureState, map_rect: Option<egui::Rect>) {
    if !state.active {
        return;
    }
    let mut open = true;
    egui::Window::new(tr("Measure"))
        .open(&mut open)
        .default_pos(
            map_rect
                .map(|r| r.left_top() + vec2(12.0, 48.0))
                .unwrap_or(egui::pos2(300.0, 80.0)),
        )
        .resizable(false)
        .default_width(240.0)
        .show(ctx, |ui| measure_ui(ui, state));
    if !open {
        state.active = false;
        state.clear();
    }
}

fn measure_ui(ui: &mut Ui, state: &mut MeasureState) {
    if state.points.is_empty() {
        ui.label(tr("Click points on the map to measure. Esc clears."));
        return;
    }
    let segments = state.segments_m();
    egui::Grid::new("measure_segments")
        .num_columns(2)
        .show(ui, |ui| {
            for (i, d) in segments.iter().enumerate() {
                ui.label(RichText::new(trf("Segment {}", &[&(i + 1)])).color(super::MUTED));
                ui.label(format_distance(*d));
                ui.end_row();
            }
            ui.label(RichText::new(tr("Distance")).strong());
            ui.label(RichText::new(format_distance(state.total_m())).strong());
            ui.end_row();
            if let Some((name, a)) = &state.clicked_polygon {
                ui.label(RichText::new(tr("Clicked polygon")).strong());
                ui.label(format!(
                    "{name}: {} ({})",
                    format_hectares(*a),
                    format_km2(*a)
                ));
                ui.end_row();
            }
            if let Some(a) = state.area_m2() {
                ui.label(RichText::new(tr("Area")).strong());
                ui.label(format!("{} ({})", format_hectares(a), format_km2(a)));
                ui.end_row();
            }
        });
    ui.label(
        RichText::new(tr(
            "Geodesic, on the WGS84 ellipsoid. The area closes the path back to its first point.",
        ))
        .small()
        .color(super::MUTED),
    );
    if ui.button(tr("Clear")).clicked() {
        state.clear();
    }
}

/// Draws the measured path on the map, with a rubber band to the pointer.
pub fn paint_measure(
    painter: &egui::Painter,
    t: &ScreenTransform,
    state: &MeasureState,
    pointer: Option<Pos2>,
) {
    if !state.active {
        return;
    }
    let screen: Vec<Pos2> = state
        .points
        .iter()
        .map(|p| t.screen_from_world(mercator_from_lonlat(p[0], p[1])))
        .collect();
    let ink = Color32::from_rgb(0xd3, 0x2f, 0x2f);
    if screen.len() >= 3 {
        let mut fill = screen.clone();
        fill.push(screen[0]);
        painter.extend(egui::Shape::dashed_line(
            &fill[fill.len() - 2..],
            Stroke::new(1.5, ink),
            4.0,
            4.0,
        ));
    }
    if let (Some(last), Some(p)) = (screen.last(), pointer) {
        painter.extend(egui::Shape::dashed_line(
            &[*last, p],
            Stroke::new(1.5, ink),
            6.0,
            4.0,
        ));
    }
    painter.line(screen.clone(), Stroke::new(5.0, Color32::WHITE));
    painter.line(screen.clone(), Stroke::new(2.5, ink));
    for (i, w) in screen.windows(2).enumerate() {
        let mid = Pos2::new((w[0].x + w[1].x) / 2.0, (w[0].y + w[1].y) / 2.0);
        let d = geodesic_distance_m(state.points[i], state.points[i + 1]);
        let galley = painter.layout_no_wrap(
            format_distance(d),
            FontId::proportional(12.0),
            Color32::from_gray(20),
        );
        let rect = egui::Rect::from_center_size(mid, galley.size()).expand(3.0);
        painter.rect_filled(rect, 3.0, Color32::from_white_alpha(220));
        painter.galley(rect.min + vec2(3.0, 3.0), galley, Color32::from_gray(20));
    }
    for p in &screen {
        painter.circle(*p, 4.5, Color32::WHITE, Stroke::new(2.0, ink));
    }
}

/// The `[lon, lat]` of a screen point.
pub fn lonlat_at(t: &ScreenTransform, pos: Pos2) -> [f64; 2] {
    let w = t.world_from_screen(pos);
    lonlat_from_mercator(w[0], w[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_points_give_two_segments_and_an_area() {
        let m = MeasureState {
            active: true,
            points: vec![[106.60, 11.00], [106.70, 11.00], [106.70, 11.10]],
            clicked_polygon: None,
        };
        // Reference figures from Python geographiclib 2.x (Geodesic.WGS84 Inverse and Polygon).
        let segments = m.segments_m();
        assert_eq!(segments.len(), 2);
        assert!((segments[0] - 10_928.756).abs() < 0.01, "{segments:?}");
        assert!((segments[1] - 11_061.508).abs() < 0.01, "{segments:?}");
        let a = m.area_m2().unwrap();
        assert!((a - 60_444_287.2).abs() / a < 1e-6, "{a}");
    }
}
