//! Presenting the story: full screen, slides and their flights, the figure, the presenter's
//! keys.

use super::*;
use crate::ui::i18n::tr;

impl CorridorApp {
    /// Starts presenting the story from slide `from`: full screen, panels hidden.
    pub fn start_presenting(&mut self, ctx: &egui::Context, from: usize, now: f64) {
        let has_slides = self
            .doc
            .story
            .as_ref()
            .is_some_and(|(s, _)| !s.slides.is_empty());
        if !has_slides {
            self.report(
                tr("This project has no story to present: add slides with Story → Edit story…")
                    .to_owned(),
            );
            return;
        }
        if !self.presenter.active {
            self.presenter.saved_visibility = self.doc.layers.iter().map(|l| l.visible).collect();
        }
        self.presenter.active = true;
        self.presenter.blank = false;
        self.presenter.white = false;
        self.select(None);
        ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(true));
        self.go_to_slide(from, now, true);
    }

    /// Shows the current layers at `camera` as a still figure: map, title, legend, scale bar
    /// and attribution, no panels (what an exported view looks like).
    pub fn show_figure(&mut self, camera: Camera) {
        self.presenter.saved_visibility = self.doc.layers.iter().map(|l| l.visible).collect();
        self.presenter.active = true;
        self.presenter.figure = true;
        self.select(None);
        self.map.jump_to(camera);
    }

    /// Ends presenting and gives the window back as it was.
    pub fn stop_presenting(&mut self, ctx: &egui::Context) {
        if !self.presenter.active {
            return;
        }
        self.presenter.active = false;
        self.presenter.figure = false;
        self.presenter.blank = false;
        self.presenter.white = false;
        ctx.set_cursor_icon(egui::CursorIcon::Default);
        for (layer, visible) in self
            .doc
            .layers
            .iter_mut()
            .zip(&self.presenter.saved_visibility)
        {
            layer.visible = *visible;
        }
        self.slide_highlights.clear();
        ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(false));
    }

    /// Shows slide `i` (clamped): its layers, its highlights, and its view, flown to or jumped to.
    pub fn go_to_slide(&mut self, i: usize, now: f64, animate: bool) {
        let Some((story, _)) = &self.doc.story else {
            return;
        };
        let Some(last) = story.slides.len().checked_sub(1) else {
            return;
        };
        let i = i.min(last);
        let slide = story.slides[i].clone();
        self.presenter.slide = i;
        for (li, layer) in self.doc.layers.iter_mut().enumerate() {
            layer.visible = if slide.layers.is_empty() {
                self.presenter
                    .saved_visibility
                    .get(li)
                    .copied()
                    .unwrap_or(true)
            } else {
                slide.layers.contains(&layer.name)
            };
        }
        self.slide_highlights = slide
            .highlight
            .iter()
            .filter_map(|id| self.doc.feature_by_id(id))
            .collect();
        self.presenter.framed_for = self.map.transform.map(|t| t.rect.size());
        if let Some(camera) = self.slide_camera(&slide) {
            if animate {
                // Slides fly for one to two seconds, as presentation tools do.
                self.map.fly_to_within(camera, now, 1.0, 2.0);
                self.presenter.arrive_at = now + self.map.flight_duration();
            } else {
                self.map.jump_to(camera);
                self.presenter.arrive_at = now;
            }
        }
    }

    /// Where a slide looks: the features it fits, framed in the part of the map its box, the
    /// legend and the slide number leave free; or its centre and zoom.
    pub fn slide_camera(&self, slide: &crate::model::Slide) -> Option<Camera> {
        let boxes = slide
            .fit
            .iter()
            .filter_map(|id| self.doc.feature_by_id(id))
            .filter_map(|r| self.feature_box(r));
        let bbox = boxes.fold(MercatorBox::EMPTY, |a, b| a.union(&b));
        if !bbox.is_empty() {
            let map = self
                .map
                .transform
                .map(|t| t.rect)
                .unwrap_or(egui::Rect::from_min_size(
                    egui::Pos2::ZERO,
                    egui::vec2(1280.0, 800.0),
                ));
            let free = self.free_for(slide, map, &bbox);
            let camera = fit_camera(&bbox, free);
            // The features' centre goes to the free part's centre, not the map's.
            let per_point = 1.0 / (256.0 * 2f64.powf(camera.zoom));
            let shift = free.center() - map.center();
            return Some(Camera {
                center: [
                    camera.center[0] - shift.x as f64 * per_point,
                    camera.center[1] - shift.y as f64 * per_point,
                ],
                zoom: camera.zoom,
            });
        }
        let [lon, lat] = slide.center?;
        Some(Camera {
            center: mercator_from_lonlat(lon, lat),
            zoom: slide.zoom.unwrap_or(self.map.camera().zoom),
        })
    }

    /// The part of `map` that slide's box, its number and the legend leave free, for `bbox`.
    fn free_for(
        &self,
        slide: &crate::model::Slide,
        map: egui::Rect,
        bbox: &MercatorBox,
    ) -> egui::Rect {
        let ctx = &self.ctx;
        let lang = crate::ui::i18n::lang();
        let text = slide.text.get(lang);
        let count = self.slide_count().max(1);
        let number = self
            .doc
            .story
            .as_ref()
            .and_then(|(s, _)| s.slides.iter().position(|x| x == slide))
            .unwrap_or(0)
            + 1;
        let mut covered = vec![
            crate::ui::present_ui::box_layout(
                ctx,
                map,
                slide.title.get(lang),
                Some(text).filter(|t| !t.is_empty()),
            )
            .rect,
            crate::ui::present_ui::number_rect(ctx, map, number, count),
        ];
        covered.extend(self.presenter.legend_rect);
        let aspect = (bbox.width() / bbox.height().max(1e-12)) as f32;
        crate::ui::present_ui::free_rect(map, &covered, aspect)
    }

    /// The number of slides in the story.
    pub(super) fn slide_count(&self) -> usize {
        self.doc.story.as_ref().map_or(0, |(s, _)| s.slides.len())
    }

    pub(super) fn present_ui(&mut self, ui: &mut Ui, now: f64) {
        let ctx = ui.ctx().clone();
        // The presenter's keys are commands like any other.
        for key in present_keys(ui) {
            let command = match key {
                PresentKey::Next => Command::NextSlide,
                PresentKey::Previous => Command::PreviousSlide,
                PresentKey::First => Command::GoToSlide(0),
                PresentKey::Last => Command::LastSlide,
                PresentKey::Blank => Command::ToggleBlank,
                PresentKey::White => Command::ToggleWhite,
                PresentKey::Language => Command::Language(crate::ui::i18n::lang().next()),
                PresentKey::End => Command::StopPresenting,
            };
            let stop = command == Command::StopPresenting;
            self.run(&ctx, command, now);
            if stop {
                return;
            }
        }
        let glow_now = glow(now, self.presenter.arrive_at);
        if glow_now > 0.0 || now < self.presenter.arrive_at + 1.5 {
            ctx.request_repaint();
        }
        egui::CentralPanel::no_frame()
            .frame(egui::Frame::new().fill(LAND))
            .show(ui, |ui| {
                MapView {
                    doc: &self.doc,
                    renders: &self.renders,
                    context: &self.context_renders,
                    basemap: &mut self.basemap,
                    state: &mut self.map,
                    selection: None,
                    hover: None,
                    measure: &self.measure,
                    pin: None,
                    highlights: &self.slide_highlights,
                    glow: glow_now,
                    notes: false,
                    pan_locked: false,
                    drawing: false,
                    vertex_menu: false,
                }
                .map_ui(ui);
                // Going full screen changes the map's size: frame the slide for the new one.
                let size = self.map.transform.map(|t| t.rect.size());
                if !self.presenter.figure
                    && size.is_some()
                    && self.presenter.framed_for.is_some_and(|f| Some(f) != size)
                {
                    let slide = self.presenter.slide;
                    self.go_to_slide(slide, now, true);
                }
                if self.presenter.figure {
                    title_overlay_ui(ui, self.doc.title.get(crate::ui::i18n::lang()));
                } else if let Some((story, _)) = &self.doc.story
                    && let Some(slide) = story.slides.get(self.presenter.slide)
                {
                    let (slide_box, number) = slide_overlay_ui(
                        ui,
                        slide,
                        self.presenter.slide + 1,
                        story.slides.len(),
                        crate::ui::i18n::lang(),
                    );
                    self.presenter.slide_box_rect = Some(slide_box);
                    self.presenter.number_rect = Some(number);
                }
                let rect = ui.max_rect();
                let legend = egui::Area::new(egui::Id::unique("present_legend"))
                    .fixed_pos(rect.right_top() + egui::vec2(-24.0, 24.0))
                    .pivot(egui::Align2::RIGHT_TOP)
                    .interactable(false)
                    .show(ui.ctx(), |ui| {
                        egui::Frame::popup(ui.style()).show(ui, |ui| {
                            ui.label(RichText::new(tr("Legend")).strong().size(18.0));
                            legend_ui(ui, &self.doc);
                        });
                    });
                let legend = legend.response.rect;
                if !self.presenter.figure && self.presenter.legend_rect != Some(legend) {
                    // The legend is only measured once drawn: frame the slide again when it
                    // first appears or changes.
                    let first = self.presenter.legend_rect.is_none();
                    self.presenter.legend_rect = Some(legend);
                    let slide = self.presenter.slide;
                    self.go_to_slide(slide, now, !first);
                }
                if self.presenter.blank {
                    blank_ui(ui, egui::Color32::BLACK);
                } else if self.presenter.white {
                    blank_ui(ui, egui::Color32::WHITE);
                }
                // A clean screen: the pointer hides after two seconds without moving.
                let still = ui.input(|i| i.pointer.time_since_last_movement());
                if still >= 2.0 {
                    ctx.set_cursor_icon(egui::CursorIcon::None);
                } else {
                    ctx.request_repaint_after(std::time::Duration::from_secs_f32(2.0 - still));
                }
            });
    }
}
