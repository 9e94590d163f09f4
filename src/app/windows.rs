//! The app's windows and banners around the map: attribute tables, styles, the story editor,
//! help, problems, files being loaded.

use super::*;
use crate::ui::i18n::{tr, trf};

impl CorridorApp {
    pub(super) fn problems_banner_ui(&mut self, ui: &mut Ui) {
        self.saves_banner_ui(ui);
        if let Some(info) = self.info.clone() {
            egui::Frame::new()
                .fill(egui::Color32::from_rgb(0xdf, 0xf2, 0xdf))
                .inner_margin(6.0)
                .show(ui, |ui| {
                    ui.horizontal_wrapped(|ui| {
                        ui.label(info);
                        if ui.button("OK").clicked() {
                            self.info = None;
                        }
                    });
                });
        }
        let problems = self.problems();
        let Some(first) = problems.last() else {
            return;
        };
        egui::Frame::new()
            .fill(egui::Color32::from_rgb(0xfd, 0xec, 0xc8))
            .inner_margin(6.0)
            .show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    let count = if problems.len() == 1 {
                        "1 problem".to_owned()
                    } else {
                        trf("{} problems", &[&problems.len()])
                    };
                    ui.label(RichText::new(format!("⚠ {count}:")).strong());
                    ui.label(first);
                    if ui.button(tr("Details")).clicked() {
                        self.show_problems = true;
                    }
                    if !self.notices.is_empty() && ui.button(tr("Dismiss")).clicked() {
                        self.notices.clear();
                    }
                });
            });
    }

    pub(super) fn loads_ui(&mut self, ui: &mut Ui) {
        let mut cancel = None;
        for (i, job) in self.loads.iter().enumerate() {
            ui.horizontal(|ui| {
                ui.label(trf("Loading {}", &[&job.label]));
                ui.add(
                    egui::ProgressBar::new(job.progress())
                        .desired_width(200.0)
                        .show_percentage(),
                );
                if ui.button(tr("Cancel")).clicked() {
                    cancel = Some(i);
                }
            });
        }
        if let Some(i) = cancel
            && let Some(job) = self.loads.get(i)
        {
            job.cancel();
        }
        if !self.loads.is_empty() {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
        }
    }

    pub(super) fn windows(&mut self, ctx: &egui::Context, now: f64) {
        self.opening_windows(ctx);
        self.project_recovery_window(ctx);
        self.journal_project(ctx, now);
        let mut open = self.show_problems;
        let problems = self.problems();
        egui::Window::new(tr("Problems")).open(&mut open).default_width(520.0).show(ctx, |ui| {
            if problems.is_empty() {
                ui.label(tr("Everything loaded."));
            }
            for p in &problems {
                ui.label(p);
                ui.separator();
            }
            ui.label(RichText::new(tr("Layers that failed are listed in the layers panel; everything else is loaded and works.")).small());
        });
        self.show_problems = open;
        help_window(ctx, &mut self.show_help);
        crate::ui::help_ui::about_window(
            ctx,
            &mut self.show_about,
            &self.doc,
            &self.basemap.credits().join(" | "),
        );
        measure_window(ctx, &mut self.measure, self.map.transform.map(|t| t.rect));
        self.edit_windows(ctx);
        self.db_windows(ctx);

        self.story_editor_windows(ctx, now);
        self.basemap_windows(ctx);
        self.table_and_style_windows(ctx, now);
        self.legend_and_bookmarks(ctx, now);
    }

    /// The story editor, with what it needs of the view and the layers.
    fn story_editor_windows(&mut self, ctx: &egui::Context, now: f64) {
        let view = self.current_view();
        let visible: Vec<String> = self
            .doc
            .layers
            .iter()
            .filter(|l| l.visible)
            .map(|l| l.name.clone())
            .collect();
        let highlight: Vec<String> = self
            .selection()
            .and_then(|r| self.doc.feature(r))
            .and_then(|f| match &f.meta().id {
                Some(geojson::feature::Id::String(s)) => Some(s.clone()),
                Some(geojson::feature::Id::Number(n)) => Some(n.to_string()),
                None => None,
            })
            .into_iter()
            .collect();
        let default_story_path = self.project_path().with_file_name("story.toml");
        let all_layers = visible.len() == self.doc.layers.len();
        match story_editor_window(
            ctx,
            &mut self.story_editor,
            &mut self.doc.story,
            &default_story_path,
        ) {
            Some(StoryAction::AddCurrentView) => {
                let slide = crate::model::Slide {
                    center: Some(view.center),
                    zoom: Some(view.zoom),
                    layers: if all_layers { Vec::new() } else { visible },
                    highlight,
                    ..Default::default()
                };
                let story = self.doc.story.get_or_insert_with(|| {
                    (crate::model::Story::default(), default_story_path.clone())
                });
                let at = (self.story_editor.selected + 1).min(story.0.slides.len());
                story.0.slides.insert(at, slide);
                self.story_editor.selected = at;
            }
            Some(StoryAction::Show(i)) => self.run(ctx, Command::GoToSlide(i), now),
            Some(StoryAction::Saved(Err(e))) => self.report(e),
            Some(StoryAction::Saved(Ok(()))) => {
                self.unsaved.saved.story = self.doc.story.as_ref().map(|(s, _)| s.clone());
            }
            None => {}
        }
    }

    /// Adding a tile provider, and making an area available offline.
    fn basemap_windows(&mut self, ctx: &egui::Context) {
        let view = self.map.transform.map(|t| t.visible_world());
        let layers = self
            .renders
            .iter()
            .map(|r| r.extent)
            .fold(MercatorBox::EMPTY, |a, b| a.union(&b));
        if let Some(spec) = provider_form_window(ctx, &mut self.provider_form) {
            self.persisted.providers.retain(|p| p.url != spec.url);
            self.persisted.providers.push(spec.clone());
            self.basemap.spec = spec;
            self.basemap.restart(ctx);
        }
        let out = offline_window(
            ctx,
            &mut self.offline,
            &self.basemap.spec,
            [view, Some(layers), self.map.drawn_rect],
            self.offline_dir.clone(),
        );
        if out.start_drawing {
            self.map.drawing_rect = true;
            self.map.drawn_rect = None;
        }
        if !self.offline.open {
            self.map.drawn_rect = None;
            self.map.drawing_rect = false;
        }
        if let Some((plan, file)) = out.download {
            let spec = &self.basemap.spec;
            let repaint = ctx.clone();
            self.offline.job = Some(crate::tiles::prefetch::PrefetchJob::start(
                spec.url.clone(),
                spec.name.clone(),
                spec.attribution.clone(),
                plan,
                file,
                move || repaint.request_repaint(),
            ));
        }
        if let Some(file) = out.done {
            self.add_basemap_file(ctx, file);
        }
    }

    /// The attribute tables and style windows open, each holding its layer by id.
    fn table_and_style_windows(&mut self, ctx: &egui::Context, now: f64) {
        let mut clicked = None;
        let selected = self.selection();
        let mut tables = std::mem::take(&mut self.tables);
        tables.retain_mut(|state| {
            let Some(layer) = self.doc.layer(state.layer) else {
                return false;
            };
            let mut open = true;
            egui::Window::new(trf(
                "Attributes — {}",
                &[&layer.title_in(crate::ui::i18n::lang())],
            ))
            .id(egui::Id::unique(("table", state.layer)))
            .open(&mut open)
            .default_size([640.0, 320.0])
            .show(ctx, |ui| {
                if let Some(r) = table_ui(ui, layer, state, selected) {
                    clicked = Some(r);
                }
            });
            open
        });
        self.tables = tables;
        if let Some(r) = clicked {
            self.select_and_fly(r, now);
        }

        let mut restyled = Vec::new();
        let mut styles = std::mem::take(&mut self.styles);
        styles.retain(|&id| {
            let Some(li) = self.doc.index_of(id) else {
                return false;
            };
            let layer = &mut self.doc.layers[li];
            let mut open = true;
            egui::Window::new(trf(
                "Style — {}",
                &[&layer.title_in(crate::ui::i18n::lang())],
            ))
            .id(egui::Id::unique(("style", id)))
            .open(&mut open)
            .show(ctx, |ui| {
                if style_ui(ui, layer) {
                    restyled.push(li);
                }
                ui.separator();
                ui.label(
                    RichText::new(tr(
                        "File → Save project keeps this style in the project file.",
                    ))
                    .small(),
                );
            });
            open
        });
        self.styles = styles;
        for li in restyled {
            if let Some(layer) = self.doc.layers.get(li)
                && let Some(slot) = self.renders.get_mut(li)
            {
                slot.restyle(layer, self.persisted.lang);
            }
        }
    }

    /// The legend and the bookmarks.
    fn legend_and_bookmarks(&mut self, ctx: &egui::Context, now: f64) {
        let mut legend = self.persisted.panels.legend;
        egui::Window::new(tr("Legend"))
            .open(&mut legend)
            .anchor(egui::Align2::RIGHT_BOTTOM, egui::vec2(-12.0, -40.0))
            .resizable(false)
            .show(ctx, |ui| legend_ui(ui, &self.doc));
        self.persisted.panels.legend = legend;

        let mut bookmarks_open = self.persisted.panels.bookmarks;
        let mut action = None;
        egui::Window::new(tr("Bookmarks"))
            .open(&mut bookmarks_open)
            .show(ctx, |ui| {
                action = bookmarks_ui(ui, &self.doc.bookmarks, &mut self.bookmark_name);
            });
        self.persisted.panels.bookmarks = bookmarks_open;
        match action {
            Some(BookmarkAction::Add(name)) => {
                let v = self.current_view();
                self.doc.bookmarks.push(Bookmark {
                    name,
                    center: v.center,
                    zoom: v.zoom,
                });
            }
            Some(BookmarkAction::GoTo(i)) => {
                if let Some(b) = self.doc.bookmarks.get(i) {
                    let camera = Camera {
                        center: mercator_from_lonlat(b.center[0], b.center[1]),
                        zoom: b.zoom,
                    };
                    self.map.fly_to(camera, now);
                }
            }
            Some(BookmarkAction::Delete(i)) if i < self.doc.bookmarks.len() => {
                self.doc.bookmarks.remove(i);
            }
            Some(BookmarkAction::Delete(_)) => {}
            None => {}
        }
    }
}
