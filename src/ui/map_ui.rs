//! The map: basemap tiles through walkers, our layers on top, overlays (scale bar, attribution,
//! offline note, hover name), and the camera with its flights.

use crate::ui::i18n::tr;
use egui::{Align2, Color32, FontId, Pos2, Rect, RichText, Ui, pos2, vec2};
use walkers::{Map, MapMemory, Tiles, lon_lat};

use crate::geometry::coords::{format_for_clipboard, format_lat_lon};
use crate::geometry::mercator::{metres_per_world, points_per_world};
use crate::geometry::{Camera, Flight, MercatorBox, lonlat_from_mercator, mercator_from_lonlat};
use crate::model::{Document, FeatureRef, ViewSpec};
use crate::render::{
    Highlight, LabelPlacer, LabelStyle, LayerRender, ScreenTransform, paint_layer,
};
use crate::tiles::{Basemap, BasemapState};
use crate::ui::measure_ui::{MeasureState, lonlat_at, paint_measure};

/// The land colour shown where there are no tiles: OpenStreetMap's, so the switch is gentle.
pub const LAND: Color32 = Color32::from_rgb(0xf2, 0xef, 0xe9);

/// Labels tried per frame, at most.
const MAX_LABEL_ATTEMPTS: usize = 1500;

/// The camera and what the map remembers between frames.
pub struct MapState {
    pub memory: MapMemory,
    flight: Option<(Flight, f64)>,
    /// Where the map was on screen and what it showed, as of the last frame.
    pub transform: Option<ScreenTransform>,
    /// A box to frame as soon as the map knows its size.
    pending_fit: Option<MercatorBox>,
    /// Where the context menu was opened, as `[lon, lat]`.
    context_at: Option<[f64; 2]>,
    /// The next drag draws a rectangle (for "make this area available offline").
    pub drawing_rect: bool,
    /// The rectangle drawn, in world units.
    pub drawn_rect: Option<MercatorBox>,
    rect_start: Option<[f64; 2]>,
}

impl MapState {
    pub fn new(view: &ViewSpec) -> Self {
        let mut memory = MapMemory::default();
        memory.center_at(lon_lat(view.center[0], view.center[1]));
        let _ = memory.set_zoom(view.zoom.clamp(0.0, 22.0));
        Self {
            memory,
            flight: None,
            transform: None,
            pending_fit: None,
            context_at: None,
            drawing_rect: false,
            drawn_rect: None,
            rect_start: None,
        }
    }

    /// The camera as it is now.
    pub fn camera(&self) -> Camera {
        let p = self.memory.detached().unwrap_or(lon_lat(106.69, 11.12));
        Camera {
            center: mercator_from_lonlat(p.x(), p.y()),
            zoom: self.memory.zoom(),
        }
    }

    /// Moves the camera at once.
    pub fn jump_to(&mut self, camera: Camera) {
        self.flight = None;
        let [lon, lat] = lonlat_from_mercator(camera.center[0], camera.center[1]);
        self.memory.center_at(lon_lat(lon, lat));
        let _ = self.memory.set_zoom(camera.zoom.clamp(0.0, 22.0));
    }

    /// Starts a short animated move to `target` from wherever the camera is.
    pub fn fly_to(&mut self, target: Camera, now: f64) {
        self.fly_to_within(target, now, 0.6, 1.8);
    }

    /// A flight that lasts between `min_s` and `max_s` seconds, longer for longer hops.
    pub fn fly_to_within(&mut self, target: Camera, now: f64, min_s: f64, max_s: f64) {
        let width = self
            .transform
            .map(|t| t.rect.width() as f64)
            .unwrap_or(1000.0);
        self.flight = Some((Flight::new(self.camera(), target, width, min_s, max_s), now));
    }

    /// Flies to frame a world box, or frames it on the first frame if the map has no size yet.
    pub fn fly_to_box(&mut self, bbox: MercatorBox, now: f64) {
        match self.transform {
            Some(t) => self.fly_to(fit_camera(&bbox, t.rect), now),
            None => self.pending_fit = Some(bbox),
        }
    }

    /// Frames a world box as soon as possible, without animation.
    pub fn frame_box(&mut self, bbox: MercatorBox) {
        match self.transform {
            Some(t) => self.jump_to(fit_camera(&bbox, t.rect)),
            None => self.pending_fit = Some(bbox),
        }
    }

    pub fn is_flying(&self) -> bool {
        self.flight.is_some()
    }

    /// How long the current flight lasts in all, in seconds (0 when not flying).
    pub fn flight_duration(&self) -> f64 {
        self.flight.as_ref().map_or(0.0, |(f, _)| f.duration_s())
    }

    /// Advances a flight; returns whether the camera is still moving.
    fn advance(&mut self, now: f64) -> bool {
        let Some((flight, start)) = &self.flight else {
            return false;
        };
        let elapsed = now - start;
        let camera = flight.camera_at(elapsed);
        let done = elapsed >= flight.duration_s();
        let [lon, lat] = lonlat_from_mercator(camera.center[0], camera.center[1]);
        self.memory.center_at(lon_lat(lon, lat));
        let _ = self.memory.set_zoom(camera.zoom.clamp(0.0, 22.0));
        if done {
            self.flight = None;
        }
        !done
    }
}

use crate::geometry::mercator::{FIT_PADDING, MAX_FIT_ZOOM};

/// The camera that frames `bbox` in a map of `rect`'s size.
pub fn fit_camera(bbox: &MercatorBox, rect: Rect) -> Camera {
    let size = [rect.width() as f64, rect.height() as f64];
    Camera {
        center: bbox.center(),
        zoom: bbox.fit_zoom(size, FIT_PADDING, MAX_FIT_ZOOM),
    }
}

/// What the map reports back to the app for this frame.
#[derive(Default)]
pub struct MapOutput {
    /// The user clicked the map: on this feature, or on nothing.
    pub clicked: Option<Option<FeatureRef>>,
    /// Where the user clicked, as `[lon, lat]`.
    pub clicked_at: Option<[f64; 2]>,
    pub hovered: Option<FeatureRef>,
    /// Pointer position as `[lon, lat]`.
    pub cursor: Option<[f64; 2]>,
    /// The primary button's drag on the map, for the editor.
    pub drag_started: bool,
    pub dragged: bool,
    pub drag_stopped: bool,
    pub double_clicked: bool,
    /// Where the pointer is on the map (screen points), if it is.
    pub pointer: Option<Pos2>,
    /// "Delete vertex" was chosen in the context menu opened at this screen point.
    pub delete_vertex_at: Option<Pos2>,
}

/// Everything the map draws from.
pub struct MapView<'a> {
    pub doc: &'a Document,
    pub renders: &'a [LayerRender],
    /// The render data of the document's context layers, drawn under the tiles.
    pub context: &'a [LayerRender],
    pub basemap: &'a mut Basemap,
    pub state: &'a mut MapState,
    pub selection: Option<FeatureRef>,
    pub hover: Option<FeatureRef>,
    pub measure: &'a MeasureState,
    /// Features a slide highlights, and how strongly they glow now (0–1).
    pub highlights: &'a [FeatureRef],
    pub glow: f32,
    /// A position the user searched for, marked with a pin (`[lon, lat]`).
    pub pin: Option<[f64; 2]>,
    /// Show the working notes: the basemap note and the name tag under the pointer (not while
    /// presenting: the audience need not see them).
    pub notes: bool,
    /// The editor holds the primary drag (a vertex or feature is being moved): no panning.
    pub pan_locked: bool,
    /// The editor is drawing: double-click finishes a shape instead of zooming.
    pub drawing: bool,
    /// The context menu offers "Delete vertex".
    pub vertex_menu: bool,
}

impl MapView<'_> {
    /// Long because it is the map widget's frame in egui's order: input, camera, tiles, layers,
    /// overlays, output.
    pub fn map_ui(self, ui: &mut Ui) -> MapOutput {
        let MapView {
            doc,
            renders,
            context,
            basemap,
            state,
            selection,
            hover,
            measure,
            pin,
            highlights,
            glow,
            notes,
            pan_locked,
            drawing,
            vertex_menu,
        } = self;
        let now = ui.input(|i| i.time);
        let rect = ui.available_rect_before_wrap();
        if let Some(bbox) = state.pending_fit.take() {
            state.jump_to(fit_camera(&bbox, rect));
        }
        if state.advance(now) {
            ui.ctx().request_repaint();
        }
        ui.painter().rect_filled(rect, 0.0, LAND);
        // The bundled context goes between the land colour and the tiles: it shows wherever no
        // tile is drawn. Its shapes are made once the map knows this frame's camera.
        let context_painter = ui.painter().with_clip_rect(rect);
        let context_slot = context_painter.add(egui::Shape::Noop);

        let (tiles, files) = basemap.frame_layers(super::i18n::names_lang());
        let my_position = state
            .memory
            .detached()
            .unwrap_or(lon_lat(doc.view.center[0], doc.view.center[1]));
        let map = Map::new(
            tiles.map(|t| t as &mut dyn Tiles),
            &mut state.memory,
            my_position,
        )
        .zoom_with_ctrl(false)
        .double_click_to_zoom(!drawing)
        .double_click_to_zoom_out(!drawing);
        // Local files go over the provider: local before remote.
        let mut map = map;
        for file in files.iter_mut() {
            map = map.with_layer(file, 1.0);
        }
        // While a rectangle is being drawn, a drag draws instead of panning.
        if state.drawing_rect || pan_locked {
            map = map.drag_pan_buttons(egui::DragPanButtons::empty());
        }
        let mut output = MapOutput::default();
        let shown = map.show(ui, |ui, response, projector, _memory| {
            let rect = response.rect;
            let center = projector.unproject(rect.center().to_vec2());
            let t = ScreenTransform::new(
                mercator_from_lonlat(center.x(), center.y()),
                projector.zoom(),
                rect,
            );
            context_painter.set(
                context_slot,
                egui::Shape::Vec(context_shapes(&context_painter, &t, doc, context)),
            );
            let painter = ui.painter().with_clip_rect(rect);
            draw_layers(
                &painter,
                &t,
                doc,
                renders,
                (selection, hover),
                (highlights, glow),
            );
            if let Some(pos) = response.hover_pos() {
                let world = t.world_from_screen(pos);
                output.cursor = Some(lonlat_from_mercator(world[0], world[1]));
                // While measuring, clicks place points: no feature is picked or named.
                if !measure.active {
                    output.hovered = hit_test(&t, doc, renders, pos);
                }
            }
            if response.clicked()
                && let Some(p) = response.interact_pointer_pos()
            {
                output.clicked = Some(hit_test(&t, doc, renders, p));
                output.clicked_at = Some(lonlat_at(&t, p));
            }
            output.drag_started = response.drag_started_by(egui::PointerButton::Primary);
            output.dragged = response.dragged_by(egui::PointerButton::Primary);
            output.drag_stopped = response.drag_stopped_by(egui::PointerButton::Primary);
            output.double_clicked = response.double_clicked();
            output.pointer = response.interact_pointer_pos().or(response.hover_pos());
            if state.drawing_rect {
                if response.drag_started() {
                    // From where the button went down, not where the drag was recognised.
                    state.rect_start = ui
                        .input(|i| i.pointer.press_origin())
                        .map(|p| t.world_from_screen(p));
                }
                if let (Some(a), Some(p)) = (state.rect_start, response.interact_pointer_pos()) {
                    let mut b = MercatorBox::EMPTY;
                    b.extend(a);
                    b.extend(t.world_from_screen(p));
                    state.drawn_rect = Some(b);
                }
                if response.drag_stopped() {
                    state.drawing_rect = false;
                    state.rect_start = None;
                }
            }
            if response.secondary_clicked()
                && let Some(p) = response.interact_pointer_pos()
            {
                state.context_at = Some(lonlat_at(&t, p));
            }
            t
        });
        let t = shown.inner;
        let map_response = shown.response;
        if let Some([lon, lat]) = state.context_at {
            map_response.context_menu(|ui| {
                ui.label(RichText::new(format_lat_lon(lon, lat)).small());
                if ui.button(tr("Copy coordinates")).clicked() {
                    ui.ctx().copy_text(format_for_clipboard(lon, lat));
                    ui.close();
                }
                if vertex_menu && ui.button(tr("Delete vertex")).clicked() {
                    output.delete_vertex_at =
                        Some(t.screen_from_world(mercator_from_lonlat(lon, lat)));
                    ui.close();
                }
            });
        }
        state.transform = Some(t);
        // A user's own pan or zoom takes over from a flight.
        let user_moved = ui.input(|i| {
            i.pointer.is_decidedly_dragging()
                || i.smooth_scroll_delta != egui::Vec2::ZERO
                || i.zoom_delta() != 1.0
        });
        if user_moved
            && t.rect
                .contains(ui.input(|i| i.pointer.hover_pos()).unwrap_or(Pos2::ZERO))
        {
            state.flight = None;
        }

        let painter = ui.painter().with_clip_rect(t.rect);
        // No name tag under the pointer while the editor drags something, or while presenting.
        if let Some(name) = output
            .hovered
            .filter(|_| !pan_locked && notes)
            .and_then(|r| doc.feature(r))
            .map(|f| f.display_name())
            && let Some(pos) = ui.input(|i| i.pointer.hover_pos())
        {
            hover_name(&painter, pos, &name);
        }
        // A failed tile does not wake the UI; look again so "loading" turns into "offline".
        if basemap.state() == BasemapState::Loading {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(500));
        }
        paint_measure(
            &painter,
            &t,
            measure,
            ui.input(|i| i.pointer.hover_pos())
                .filter(|p| t.rect.contains(*p)),
        );
        if let Some([lon, lat]) = pin {
            paint_pin(
                &painter,
                t.screen_from_world(mercator_from_lonlat(lon, lat)),
            );
        }
        if let Some(b) = state.drawn_rect {
            let r = Rect::from_two_pos(t.screen_from_world(b.min), t.screen_from_world(b.max));
            painter.rect_filled(r, 0.0, Color32::from_rgba_unmultiplied(30, 110, 200, 40));
            painter.rect_stroke(
                r,
                0.0,
                egui::Stroke::new(2.0, Color32::from_rgb(30, 110, 200)),
                egui::StrokeKind::Middle,
            );
        }
        scale_bar(&painter, &t);
        indicative_key(&painter, &t);
        let context_shown = doc.context_shown();
        attribution(&painter, &t, &credits(doc, basemap, context_shown));
        if notes {
            basemap_note(ui, &t, basemap, context_shown);
        }
        output
    }
}

/// The context layers' shapes, bottom to top, then their names: muted, and below every label of
/// the document's own layers.
fn context_shapes(
    painter: &egui::Painter,
    t: &ScreenTransform,
    doc: &Document,
    context: &[LayerRender],
) -> Vec<egui::Shape> {
    let mut shapes = Vec::new();
    let mut budget = crate::render::paint::VERTEX_BUDGET;
    let path = crate::render::gpu::path(painter.ctx());
    let mut labels = LabelPlacer::new();
    let style = LabelStyle {
        font: FontId::proportional(14.0),
        color: Color32::from_rgb(0x5b, 0x5f, 0x66),
        halo: Color32::from_rgba_unmultiplied(0xf2, 0xef, 0xe9, 200),
    };
    let mut named = Vec::new();
    for (layer, render) in doc.context.iter().zip(context) {
        if !layer.visible || layer.opacity <= 0.0 {
            continue;
        }
        let (layer_shapes, drawn) = crate::render::paint::layer_shapes(
            painter.clip_rect(),
            t,
            render,
            layer.opacity,
            |_| None,
            &mut budget,
            path,
        );
        shapes.extend(layer_shapes);
        named.extend(drawn.visible.iter().filter_map(|&i| render.features.get(i)));
    }
    // Bigger areas first: the provinces around, then the districts.
    named.sort_by(|a, b| {
        b.area
            .partial_cmp(&a.area)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let view = t.visible_world();
    for f in named {
        let Some((text, anchor)) = &f.label else {
            continue;
        };
        // A province around is mostly off screen: its name goes where it shows.
        let candidates = std::iter::once(*anchor).chain(visible_points(&f.bbox, &view));
        for world in candidates {
            let inside = world == *anchor || f.hit(world, 0.0, 0.0);
            if inside && labels.place(painter, text, t.screen_from_world(world), None, &style) {
                break;
            }
        }
    }
    shapes.extend(labels.into_shapes());
    shapes
}

/// Points of a grid over the part of `bbox` on screen, middle first: where to try a name.
fn visible_points(bbox: &MercatorBox, view: &MercatorBox) -> Vec<[f64; 2]> {
    let min = [bbox.min[0].max(view.min[0]), bbox.min[1].max(view.min[1])];
    let max = [bbox.max[0].min(view.max[0]), bbox.max[1].min(view.max[1])];
    if min[0] >= max[0] || min[1] >= max[1] {
        return Vec::new();
    }
    let mut points = Vec::new();
    for (fx, fy) in [
        (0.5, 0.5),
        (0.5, 0.25),
        (0.5, 0.75),
        (0.25, 0.5),
        (0.75, 0.5),
    ]
    .into_iter()
    .chain((1..8).flat_map(|i| (1..8).map(move |j| (i as f64 / 8.0, j as f64 / 8.0))))
    {
        points.push([
            min[0] + fx * (max[0] - min[0]),
            min[1] + fy * (max[1] - min[1]),
        ]);
    }
    points
}

/// Paints visible layers bottom to top, then their labels top layer first.
///
/// Long because it is the per-frame drawing of every layer and its labels, with one vertex budget
/// across them.
fn draw_layers(
    painter: &egui::Painter,
    t: &ScreenTransform,
    doc: &Document,
    renders: &[LayerRender],
    (selection, hover): (Option<FeatureRef>, Option<FeatureRef>),
    (highlights, glow): (&[FeatureRef], f32),
) {
    let started = std::time::Instant::now();
    let mut drawn: Vec<(usize, crate::render::paint::Drawn)> = Vec::new();
    let mut budget = crate::render::paint::VERTEX_BUDGET;
    // Where the emphasised features are in this frame's draw order.
    let selection = selection.and_then(|r| doc.locate(r));
    let hover = hover.and_then(|r| doc.locate(r));
    let highlights: Vec<(usize, usize)> =
        highlights.iter().filter_map(|r| doc.locate(*r)).collect();
    for (li, (layer, render)) in doc.layers.iter().zip(renders).enumerate() {
        if !layer.visible || layer.opacity <= 0.0 {
            continue;
        }
        let emphasis = |fi: usize| {
            let r = (li, fi);
            if selection == Some(r) {
                Some(Highlight::Selected)
            } else if highlights.contains(&r) {
                Some(Highlight::Glow((glow.clamp(0.0, 1.0) * 255.0) as u8))
            } else if hover == Some(r) {
                Some(Highlight::Hovered)
            } else {
                None
            }
        };
        drawn.push((
            li,
            paint_layer(painter, t, render, layer.opacity, emphasis, &mut budget),
        ));
    }
    log::trace!(
        "frame at zoom {:.2}: painted in {:.2} ms, {} features visible, {} of the vertex budget used",
        t.zoom,
        started.elapsed().as_secs_f64() * 1000.0,
        drawn.iter().map(|(_, d)| d.visible.len()).sum::<usize>(),
        crate::render::paint::VERTEX_BUDGET - budget
    );
    // Labels: areas first (the localities and sub-areas are what the map is about), then lines,
    // then places; within each, the top layer first and bigger areas before smaller ones.
    let mut labels = LabelPlacer::new();
    let mut candidates: Vec<(u8, usize, f64, &crate::render::FeatureRender)> = Vec::new();
    for (li, drawn) in &drawn {
        let Some(render) = renders.get(*li) else {
            continue;
        };
        // Chosen by the frame from the briefs ([`crate::render::cache::Brief::label_candidate`]).
        for &fi in &drawn.labels {
            let (Some(b), Some(f)) = (render.briefs.get(fi), render.features.get(fi)) else {
                continue;
            };
            let class = match b.kind {
                crate::render::cache::BriefKind::Marker => 2,
                crate::render::cache::BriefKind::Line => 1,
                crate::render::cache::BriefKind::Area => 0,
            };
            candidates.push((class, *li, f.area, f));
        }
    }
    // No label may cover a place marker.
    for (_, _, _, f) in candidates.iter().filter(|c| c.0 == 2) {
        let r = f.style.marker_radius + 1.0;
        for &m in &f.markers {
            let at = t.screen_from_world(f.world_from_local(m));
            labels.reserve(Rect::from_center_size(at, vec2(2.0 * r, 2.0 * r)));
        }
    }
    candidates.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(b.1.cmp(&a.1))
            .then(b.2.partial_cmp(&a.2).unwrap_or(std::cmp::Ordering::Equal))
    });
    // Laying out text costs; a screen holds a few hundred readable labels at most.
    let mut attempts = 0;
    for (class, _, _, f) in candidates {
        let Some((text, anchor)) = &f.label else {
            continue;
        };
        if attempts >= MAX_LABEL_ATTEMPTS {
            break;
        }
        attempts += 1;
        let at = t.screen_from_world(*anchor);
        let (size, color) = match class {
            0 => (15.0, Color32::from_rgb(0x1d, 0x2b, 0x3a)),
            1 => (12.5, Color32::from_rgb(0x6b, 0x2d, 0x0c)),
            _ => (12.5, Color32::from_rgb(0x20, 0x20, 0x20)),
        };
        let style = LabelStyle {
            font: FontId::proportional(size),
            color,
            halo: Color32::from_rgba_unmultiplied(255, 255, 255, 220),
        };
        // An area's name may move a little off its anchor to clear a marker or another name;
        // points and lines keep theirs.
        let nudges: &[f32] = if class == 0 {
            &[0.0, -20.0, 20.0, -40.0, 40.0]
        } else {
            &[0.0]
        };
        for dy in nudges {
            let placed = labels.place(
                painter,
                text,
                at + vec2(0.0, *dy),
                (class == 2).then_some(f.style.marker_radius),
                &style,
            );
            if placed {
                break;
            }
        }
    }
    labels.paint(painter);
}

/// The feature under a screen point: the topmost visible layer wins.
pub(crate) fn hit_test(
    t: &ScreenTransform,
    doc: &Document,
    renders: &[LayerRender],
    pos: Pos2,
) -> Option<FeatureRef> {
    let world = t.world_from_screen(pos);
    let per_point = 1.0 / t.scale();
    for (layer, render) in doc.layers.iter().zip(renders).rev() {
        if !layer.visible || layer.opacity <= 0.0 {
            continue;
        }
        let marker = (layer.style.marker_radius as f64 + 4.0) * per_point;
        if let Some(fi) = render.hit(layer, world, 5.0 * per_point, marker) {
            return layer.ref_at(fi);
        }
    }
    None
}

/// A search result's position: a pin whose tip is on the spot.
fn paint_pin(painter: &egui::Painter, at: Pos2) {
    let head = at - vec2(0.0, 22.0);
    let red = Color32::from_rgb(0xd3, 0x2f, 0x2f);
    painter.add(egui::Shape::convex_polygon(
        vec![at, head + vec2(-7.0, 4.0), head + vec2(7.0, 4.0)],
        red,
        egui::Stroke::NONE,
    ));
    painter.circle(head, 9.0, red, egui::Stroke::new(2.0, Color32::WHITE));
    painter.circle_filled(head, 3.5, Color32::WHITE);
}

fn hover_name(painter: &egui::Painter, pos: Pos2, name: &str) {
    let galley =
        painter.layout_no_wrap(name.to_owned(), FontId::proportional(13.0), Color32::WHITE);
    let rect = Rect::from_min_size(pos + vec2(14.0, 10.0), galley.size()).expand(4.0);
    painter.rect_filled(rect, 4.0, Color32::from_black_alpha(190));
    painter.galley(rect.min + vec2(4.0, 4.0), galley, Color32::WHITE);
}

/// A scale bar of a round length (1, 2 or 5 × 10ⁿ m) about 100 points long, bottom left.
fn scale_bar(painter: &egui::Painter, t: &ScreenTransform) {
    let [_, lat] = lonlat_from_mercator(t.center[0], t.center[1]);
    let metres_per_point = metres_per_world(lat) / points_per_world(t.zoom);
    let (metres, label) = nice_scale_length(metres_per_point * 110.0);
    let len = (metres / metres_per_point) as f32;
    let base = pos2(t.rect.left() + 14.0, t.rect.bottom() - 16.0);
    let bg = Rect::from_min_max(
        pos2(base.x - 6.0, base.y - 22.0),
        pos2(base.x + len + 8.0, base.y + 6.0),
    );
    painter.rect_filled(bg, 3.0, Color32::from_white_alpha(200));
    let stroke = egui::Stroke::new(2.0, Color32::from_gray(30));
    painter.line_segment([base, base + vec2(len, 0.0)], stroke);
    painter.line_segment([base, base - vec2(0.0, 6.0)], stroke);
    painter.line_segment([base + vec2(len, 0.0), base + vec2(len, -6.0)], stroke);
    painter.text(
        base + vec2(len / 2.0, -7.0),
        Align2::CENTER_BOTTOM,
        label,
        FontId::proportional(12.0),
        Color32::from_gray(30),
    );
}

/// The map's key to dashed outlines, just above the scale bar.
fn indicative_key(painter: &egui::Painter, t: &ScreenTransform) {
    let base = pos2(t.rect.left() + 14.0, t.rect.bottom() - 50.0);
    let galley = painter.layout_no_wrap(
        tr("Dashed outline: indicative, not surveyed").to_owned(),
        FontId::proportional(11.5),
        Color32::from_gray(30),
    );
    let bg = Rect::from_min_size(base - vec2(6.0, 9.0), vec2(galley.size().x + 44.0, 18.0));
    painter.rect_filled(bg, 3.0, Color32::from_white_alpha(200));
    painter.extend(egui::Shape::dashed_line(
        &[base, base + vec2(28.0, 0.0)],
        egui::Stroke::new(1.6, Color32::from_rgb(0x2f, 0x5d, 0x8a)),
        5.0,
        3.0,
    ));
    painter.galley(
        base + vec2(34.0, -galley.size().y / 2.0),
        galley,
        Color32::from_gray(30),
    );
}

/// The largest round length not above `max_metres`, and how to write it.
pub fn nice_scale_length(max_metres: f64) -> (f64, String) {
    let max_metres = max_metres.max(0.01);
    let pow = 10f64.powf(max_metres.log10().floor());
    let step = [5.0, 2.0, 1.0]
        .into_iter()
        .map(|k| k * pow)
        .find(|v| *v <= max_metres)
        .unwrap_or(pow);
    let label = if step >= 1000.0 {
        format!("{} km", step / 1000.0)
    } else {
        format!("{step} m")
    };
    (step, label)
}

/// The credits of everything on screen: the basemap's while its tiles show, the bundled
/// context's while it shows instead, every visible layer's own, and the project's line.
pub fn credits(doc: &Document, basemap: &Basemap, context_shown: bool) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    let state = basemap.state();
    parts.extend(basemap.credits());
    if context_shown && state != BasemapState::Showing {
        parts.extend(
            doc.context
                .iter()
                .filter(|l| l.visible)
                .map(|l| l.attribution.clone()),
        );
    }
    parts.extend(
        doc.layers
            .iter()
            .filter(|l| l.visible && l.opacity > 0.0)
            .map(|l| l.attribution.clone()),
    );
    parts.push(doc.credit.clone());
    // Each credit once, however many layers share it ("a; b" credits two).
    let mut seen = std::collections::HashSet::new();
    parts
        .iter()
        .flat_map(|p| p.split("; "))
        .map(str::trim)
        .filter(|p| !p.is_empty() && seen.insert(p.to_owned()))
        .map(str::to_owned)
        .collect()
}

fn attribution(painter: &egui::Painter, t: &ScreenTransform, parts: &[String]) {
    if parts.is_empty() {
        return;
    }
    // Wrapped to the map's width, right-aligned above the bottom edge.
    let text = parts.join(" | ");
    let width = (t.rect.width() - 180.0).max(200.0);
    let galley = painter.layout(
        text,
        FontId::proportional(11.0),
        Color32::from_gray(40),
        width,
    );
    let rect = Rect::from_min_size(
        t.rect.right_bottom() - galley.size() - vec2(8.0, 4.0),
        galley.size(),
    )
    .expand2(vec2(4.0, 2.0));
    painter.rect_filled(rect, 2.0, Color32::from_white_alpha(210));
    painter.galley(rect.min + vec2(4.0, 2.0), galley, Color32::from_gray(40));
}

/// Says so on the map when there is no basemap, so an empty background never looks like a fault.
fn basemap_note(ui: &mut Ui, t: &ScreenTransform, basemap: &Basemap, context: bool) {
    let text = match basemap.state() {
        BasemapState::NoTiles | BasemapState::Off if context => {
            tr("Offline — no basemap tiles: the bundled map of the province is shown.")
        }
        BasemapState::NoTiles => tr("Offline — no basemap tiles. Layers and panels work as usual."),
        BasemapState::Off if basemap.spec.is_none() => tr("No basemap configured"),
        BasemapState::Off => tr("Offline mode — no basemap tiles"),
        _ => return,
    };
    let pos = pos2(t.rect.center().x, t.rect.top() + 12.0);
    egui::Area::new(egui::Id::unique("basemap_note"))
        .fixed_pos(pos)
        .pivot(Align2::CENTER_TOP)
        .interactable(false)
        .show(ui.ctx(), |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.label(RichText::new(text).color(Color32::from_rgb(0x7a, 0x4b, 0x00)));
            });
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_lengths_are_round() {
        assert_eq!(nice_scale_length(1234.0).1, "1 km");
        assert_eq!(nice_scale_length(2600.0).1, "2 km");
        assert_eq!(nice_scale_length(740.0).1, "500 m");
        assert_eq!(nice_scale_length(9.9).1, "5 m");
    }
}
