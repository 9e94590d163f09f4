//! The eframe app: owns the document, its render caches and the UI state, and lays out a frame.

use std::path::PathBuf;

use egui::{Key, RichText, Ui};

use crate::geometry::MercatorBox;
use crate::io::{InitialView, open_path};
use crate::model::{Document, FeatureRef};
use crate::render::LayerRender;
use crate::tiles::Basemap;
use crate::ui::feature_ui::{FeatureAction, FeatureFacts, feature_ui};
use crate::ui::layers_ui::layers_ui;
use crate::ui::map_ui::{LAND, MapState, MapView, fit_camera};
use crate::ui::status_ui::status_ui;
use crate::ui::subarea_ui::subarea_list_ui;

/// How the app was started.
#[derive(Clone, Debug)]
pub struct AppOptions {
    /// A project file (`.toml`) or a GeoJSON file.
    pub path: PathBuf,
    /// Never fetch basemap tiles.
    pub offline: bool,
}

/// The application: one document and everything shown about it.
pub struct CorridorApp {
    pub doc: Document,
    /// One per layer, same order as `doc.layers`.
    renders: Vec<LayerRender>,
    basemap: Basemap,
    pub map: MapState,
    selection: Option<FeatureFacts>,
    hover: Option<FeatureRef>,
    cursor: Option<[f64; 2]>,
    show_problems: bool,
    title_sent: Option<String>,
}

impl CorridorApp {
    /// Builds the app for an eframe window.
    pub fn new(cc: &eframe::CreationContext<'_>, options: AppOptions) -> Self {
        Self::with_context(&cc.egui_ctx, options)
    }

    /// Builds the app on an egui context (also used by tests).
    pub fn with_context(ctx: &egui::Context, options: AppOptions) -> Self {
        crate::ui::fonts::install_fonts(ctx);
        ctx.set_theme(egui::Theme::Light);
        let (doc, initial) = open_path(&options.path);
        let renders: Vec<LayerRender> = doc.layers.iter().map(LayerRender::build).collect();
        let basemap = Basemap::new(doc.basemap.clone(), ctx, options.offline);
        let mut map = MapState::new(&doc.view);
        if initial == InitialView::FitExtent {
            let extent = renders
                .iter()
                .map(|r| r.extent)
                .fold(MercatorBox::EMPTY, |a, b| a.union(&b));
            if !extent.is_empty() {
                map.frame_box(extent);
            }
        }
        let show_problems = false;
        Self {
            doc,
            renders,
            basemap,
            map,
            selection: None,
            hover: None,
            cursor: None,
            show_problems,
            title_sent: None,
        }
    }

    /// The selected feature, if any.
    pub fn selection(&self) -> Option<FeatureRef> {
        self.selection.as_ref().map(|f| f.feature)
    }

    /// Selects a feature (or clears the selection) and computes what its panel shows.
    pub fn select(&mut self, feature: Option<FeatureRef>) {
        self.selection = feature.map(|r| FeatureFacts::compute(&self.doc, r));
    }

    /// Selects a feature and flies the map to it.
    pub fn select_and_fly(&mut self, feature: FeatureRef, now: f64) {
        self.select(Some(feature));
        if let Some(bbox) = self.feature_box(feature) {
            self.map.fly_to_box(bbox, now);
        }
    }

    fn feature_box(&self, r: FeatureRef) -> Option<MercatorBox> {
        let f = self.renders.get(r.layer)?.features.get(r.feature)?;
        (!f.bbox.is_empty()).then_some(f.bbox)
    }

    /// Every layer problem and project problem, for the banner and the problems window.
    fn problems(&self) -> Vec<String> {
        let mut out = self.doc.problems.clone();
        out.extend(
            self.doc
                .layers
                .iter()
                .filter_map(|l| l.error())
                .map(str::to_owned),
        );
        out
    }

    fn keyboard(&mut self, ui: &Ui) {
        let now = ui.input(|i| i.time);
        if ui.ctx().egui_wants_keyboard_input() {
            return;
        }
        if ui.input(|i| i.key_pressed(Key::Escape)) {
            self.select(None);
        }
        if ui.input(|i| i.key_pressed(Key::Home)) {
            self.fly_home(now);
        }
        let zoom_step = ui.input(|i| {
            if i.key_pressed(Key::Plus) || i.key_pressed(Key::Equals) {
                1.0
            } else if i.key_pressed(Key::Minus) {
                -1.0
            } else {
                0.0
            }
        });
        if zoom_step != 0.0 {
            let mut camera = self.map.camera();
            camera.zoom = (camera.zoom + zoom_step).clamp(1.0, 19.0);
            self.map.fly_to(camera, now);
        }
    }

    fn fly_home(&mut self, now: f64) {
        let v = &self.doc.view;
        let camera = crate::geometry::Camera {
            center: crate::geometry::mercator_from_lonlat(v.center[0], v.center[1]),
            zoom: v.zoom,
        };
        self.map.fly_to(camera, now);
    }

    fn menu_ui(&mut self, ui: &mut Ui) {
        let now = ui.input(|i| i.time);
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("View", |ui| {
                if ui.button("Initial view (Home)").clicked() {
                    self.fly_home(now);
                }
                if ui.button("Zoom to all layers").clicked() {
                    let extent = self
                        .renders
                        .iter()
                        .map(|r| r.extent)
                        .fold(MercatorBox::EMPTY, |a, b| a.union(&b));
                    if !extent.is_empty()
                        && let Some(t) = self.map.transform
                    {
                        self.map.fly_to(fit_camera(&extent, t.rect), now);
                    }
                }
                if ui.button("Problems…").clicked() {
                    self.show_problems = true;
                }
            });
            ui.separator();
            ui.label(RichText::new(&self.doc.title).strong());
        });
    }

    fn problems_banner_ui(&mut self, ui: &mut Ui) {
        let problems = self.problems();
        let Some(first) = problems.first() else {
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
                        format!("{} problems", problems.len())
                    };
                    ui.label(RichText::new(format!("⚠ {count}:")).strong());
                    ui.label(first);
                    if ui.button("Details").clicked() {
                        self.show_problems = true;
                    }
                });
            });
    }

    fn problems_window(&mut self, ctx: &egui::Context) {
        let mut open = self.show_problems;
        let problems = self.problems();
        egui::Window::new("Problems").open(&mut open).default_width(520.0).show(ctx, |ui| {
            if problems.is_empty() {
                ui.label("Everything loaded.");
            }
            for p in &problems {
                ui.label(p);
                ui.separator();
            }
            ui.label(RichText::new("Layers that failed are listed in the layers panel; everything else is loaded and works.").small());
        });
        self.show_problems = open;
    }
}

impl eframe::App for CorridorApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        let title = self.doc.title.clone();
        if self.title_sent.as_ref() != Some(&title) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(format!("{title} — Corridor")));
            self.title_sent = Some(title);
        }
        self.keyboard(ui);
        let now = ui.input(|i| i.time);

        egui::Panel::top("menu").show(ui, |ui| self.menu_ui(ui));
        egui::Panel::bottom("status").show(ui, |ui| {
            status_ui(
                ui,
                self.cursor,
                self.map.camera().zoom,
                &self.basemap.spec.name,
                self.basemap.state(),
            );
        });
        let mut chosen = None;
        egui::Panel::left("side")
            .default_size(270.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    egui::CollapsingHeader::new(RichText::new("Sub-areas").heading())
                        .default_open(true)
                        .show(ui, |ui| {
                            chosen = subarea_list_ui(ui, &self.doc, self.selection());
                        });
                    ui.separator();
                    egui::CollapsingHeader::new(RichText::new("Layers").heading())
                        .default_open(true)
                        .show(ui, |ui| layers_ui(ui, &mut self.doc.layers));
                });
            });
        if let Some(r) = chosen {
            self.select_and_fly(r, now);
        }
        let mut action = None;
        if let Some(facts) = &self.selection {
            egui::Panel::right("feature")
                .default_size(320.0)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical().show(ui, |ui| {
                        action = feature_ui(ui, &self.doc, facts);
                    });
                });
        }
        match action {
            Some(FeatureAction::Close) => self.select(None),
            Some(FeatureAction::ZoomTo) => {
                if let Some(r) = self.selection() {
                    self.select_and_fly(r, now);
                }
            }
            Some(FeatureAction::Select(r)) => self.select_and_fly(r, now),
            None => {}
        }
        egui::CentralPanel::no_frame()
            .frame(egui::Frame::new().fill(LAND))
            .show(ui, |ui| {
                self.problems_banner_ui(ui);
                let output = MapView {
                    doc: &self.doc,
                    renders: &self.renders,
                    basemap: &mut self.basemap,
                    state: &mut self.map,
                    selection: self.selection.as_ref().map(|f| f.feature),
                    hover: self.hover,
                }
                .map_ui(ui);
                self.hover = output.hovered;
                self.cursor = output.cursor;
                if let Some(clicked) = output.clicked {
                    self.select(clicked);
                }
            });
        self.problems_window(&ctx);
    }
}
