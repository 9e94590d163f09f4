//! The eframe app: owns the document, its render caches and the UI state, and lays out a frame.

use crate::ui::i18n::tr;
use std::path::{Path, PathBuf};

use egui::{Key, KeyboardShortcut, Modifiers, RichText, Ui};
use serde::{Deserialize, Serialize};

use crate::geometry::{Camera, MercatorBox, lonlat_from_mercator, mercator_from_lonlat};
use crate::io::{InitialView, open_path, save_project};
use crate::loader::{LoadJob, LoadResult};
use crate::model::search::SearchIndex;
use crate::model::{Bookmark, Document, FeatureRef, Layer, LayerIndex, ViewSpec};
use crate::render::LayerRender;
use crate::tiles::Basemap;
use crate::tiles::cache::DEFAULT_LIMIT_BYTES;
use crate::ui::basemap_ui::{
    BasemapAction, OfflineState, ProviderForm, basemap_menu_ui, offline_window,
    provider_form_window, providers,
};
use crate::ui::bookmarks_ui::{BookmarkAction, bookmarks_ui};
use crate::ui::feature_ui::{FeatureAction, FeatureFacts, feature_ui};
use crate::ui::help_ui::help_window;
use crate::ui::layers_ui::layers_ui;
use crate::ui::legend_ui::legend_ui;
use crate::ui::map_ui::{LAND, MapState, MapView, fit_camera};
use crate::ui::measure_ui::{MeasureState, measure_window};
use crate::ui::present_ui::{
    PresentKey, Presenter, blank_ui, glow, present_keys, slide_overlay_ui, title_overlay_ui,
};
use crate::ui::search_ui::{SearchOutcome, SearchState, search_ui};
use crate::ui::status_ui::status_ui;
use crate::ui::story_ui::{StoryAction, StoryEditor, story_editor_window};
use crate::ui::style_ui::style_ui;
use crate::ui::subarea_ui::subarea_list_ui;
use crate::ui::table_ui::{TableState, table_ui};

pub mod command;
mod editing;
pub mod export;
mod opening;
mod postgis;
mod unsaved;
pub use command::Command;
use editing::EditingState;

/// How the app was started.
#[derive(Clone, Debug)]
pub struct AppOptions {
    /// A project file (`.toml`) or a GeoJSON file.
    pub path: PathBuf,
    /// Never fetch basemap tiles (local files and the cache still show).
    pub offline: bool,
    /// Where the tile cache and offline areas live; the user's cache and data directories when
    /// `None`.
    pub data_dir: Option<PathBuf>,
}

impl AppOptions {
    /// Options for opening `path`, online, with the user's own directories.
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            offline: false,
            data_dir: None,
        }
    }

    /// The tile cache file.
    fn cache_path(&self) -> Option<PathBuf> {
        match &self.data_dir {
            Some(d) => Some(d.join("cache").join("tiles.sqlite")),
            None => crate::tiles::cache::default_cache_path(),
        }
    }

    /// The folder of downloaded areas.
    fn offline_dir(&self) -> Option<PathBuf> {
        match &self.data_dir {
            Some(d) => Some(d.join("offline")),
            None => crate::tiles::offline_dir(),
        }
    }
}

/// Key under which the app keeps its state between runs (eframe persistence).
const STORAGE_KEY: &str = "corridor_state";
/// How many recent files the File menu remembers.
const MAX_RECENT: usize = 8;

/// What the app remembers between runs.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Persisted {
    /// The last view of each project or file opened, by path.
    pub views: Vec<(PathBuf, [f64; 2], f64)>,
    pub panels: Panels,
    pub recent: Vec<PathBuf>,
    /// Size limit of the tile cache in bytes (0: the default).
    pub cache_limit: u64,
    /// Tile providers the user added.
    pub providers: Vec<crate::model::BasemapSpec>,
    /// The language the user chose, if any (names stay Vietnamese until then).
    pub lang: Option<crate::model::Lang>,
    /// How each planner's file (and table of one) was read: the answers given when it was
    /// opened (its coordinate system, its text's encoding), newest first.
    pub files: Vec<(PathBuf, crate::model::ReadSettings)>,
}

/// Which panels are open.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct Panels {
    pub side: bool,
    pub legend: bool,
    pub bookmarks: bool,
}

impl Default for Panels {
    fn default() -> Self {
        Self {
            side: true,
            legend: false,
            bookmarks: false,
        }
    }
}

/// The application: one document and everything shown about it.
pub struct CorridorApp {
    pub doc: Document,
    /// One per layer, same order as `doc.layers`.
    renders: Vec<LayerRender>,
    /// Render data of the document's context layers (the bundled map under the tiles).
    context_renders: Vec<LayerRender>,
    basemap: Basemap,
    pub map: MapState,
    selection: Option<FeatureFacts>,
    hover: Option<FeatureRef>,
    cursor: Option<[f64; 2]>,
    show_problems: bool,
    show_help: bool,
    /// The About window, with the sources of the data, is open.
    show_about: bool,
    title_sent: Option<String>,
    /// What `doc.path` or the file given on the command line was; the key for the remembered view.
    opened: PathBuf,
    search: SearchState,
    search_index: Option<SearchIndex>,
    pin: Option<[f64; 2]>,
    pub measure: MeasureState,
    tables: Vec<TableState>,
    styles: Vec<crate::model::LayerId>,
    bookmark_name: String,
    loads: Vec<LoadJob>,
    /// Loads whose layer is shown and whose full-detail fills are still coming.
    details: Vec<LoadJob>,
    /// Messages about files the user opened that could not be added.
    notices: Vec<String>,
    pub persisted: Persisted,
    /// The file given at start is loading: frame it (no flight) when it arrives.
    fit_when_loaded: bool,
    pub offline: OfflineState,
    offline_dir: Option<PathBuf>,
    provider_form: ProviderForm,
    pub presenter: Presenter,
    /// Features the current slide highlights.
    slide_highlights: Vec<FeatureRef>,
    story_editor: StoryEditor,
    /// The last thing done that the user should know of (not a problem).
    pub info: Option<String>,
    /// PNG exports running in the background.
    exports: Vec<std::thread::JoinHandle<Result<String, String>>>,
    /// Where exports go when no file dialog can ask.
    exports_dir: Option<PathBuf>,
    /// The app's data directory as given, for offscreen renders.
    data_dir: Option<PathBuf>,
    /// The boundary editor and everything that keeps edits safe.
    editing: EditingState,
    /// PostGIS layers' connections, conflicts and the "Add PostGIS layer" form.
    pub db: postgis::DbState,
    /// Questions files ask as they open (tables, coordinate system, legacy text).
    opening: opening::OpeningState,
    /// The project's changes besides features (order, styles, bookmarks, story): saved or not.
    unsaved: unsaved::UnsavedState,
}

impl CorridorApp {
    /// Builds the app for an eframe window, restoring what the last run remembered.
    pub fn new(cc: &eframe::CreationContext<'_>, options: AppOptions) -> Self {
        let persisted: Persisted = cc
            .storage
            .and_then(|s| eframe::get_value(s, STORAGE_KEY))
            .unwrap_or_default();
        Self::with_state(&cc.egui_ctx, options, persisted)
    }

    /// Builds the app on an egui context (also used by tests).
    pub fn with_context(ctx: &egui::Context, options: AppOptions) -> Self {
        Self::with_state(ctx, options, Persisted::default())
    }

    /// Builds the app with remembered state.
    pub fn with_state(ctx: &egui::Context, options: AppOptions, mut persisted: Persisted) -> Self {
        crate::ui::fonts::install_fonts(ctx);
        ctx.set_theme(egui::Theme::Light);
        // A project opens at once (its files are small and named); a GeoJSON file given on the
        // command line may be large, so it loads in the background like any opened file.
        let is_project = options
            .path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
        let (doc, initial) = if is_project {
            open_path(&options.path)
        } else {
            (
                Document::new(Layer::name_for(&options.path)),
                InitialView::FitExtent,
            )
        };
        let renders: Vec<LayerRender> = doc.layers.iter().map(LayerRender::build).collect();
        let context_renders = doc.context.iter().map(LayerRender::build).collect();
        let cache_limit = if persisted.cache_limit == 0 {
            DEFAULT_LIMIT_BYTES
        } else {
            persisted.cache_limit
        };
        let offline_dir = options.offline_dir();
        let basemap = Basemap::new(
            doc.basemap.clone(),
            local_tile_files(&doc, offline_dir.as_deref()),
            options.cache_path().map(|p| (p, cache_limit)),
            ctx,
            options.offline,
        );
        let mut map = MapState::new(&doc.view);
        let opened = std::fs::canonicalize(&options.path).unwrap_or(options.path.clone());
        let remembered = persisted
            .views
            .iter()
            .find(|(p, _, _)| *p == opened)
            .map(|(_, c, z)| (*c, *z));
        if let Some((center, zoom)) = remembered {
            map.jump_to(Camera {
                center: mercator_from_lonlat(center[0], center[1]),
                zoom,
            });
        } else if initial == InitialView::FitExtent {
            let extent = renders
                .iter()
                .map(|r| r.extent)
                .fold(MercatorBox::EMPTY, |a, b| a.union(&b));
            if !extent.is_empty() {
                map.frame_box(extent);
            }
        }
        remember_recent(&mut persisted.recent, &opened);
        let start_path = (!is_project).then(|| options.path.clone());
        let mut app = Self {
            doc,
            renders,
            context_renders,
            basemap,
            map,
            selection: None,
            hover: None,
            cursor: None,
            show_problems: false,
            show_help: false,
            show_about: false,
            title_sent: None,
            opened,
            search: SearchState::default(),
            search_index: None,
            pin: None,
            measure: MeasureState::default(),
            tables: Vec::new(),
            styles: Vec::new(),
            bookmark_name: String::new(),
            loads: Vec::new(),
            details: Vec::new(),
            notices: Vec::new(),
            persisted,
            fit_when_loaded: !is_project && remembered.is_none(),
            offline: OfflineState::default(),
            offline_dir,
            provider_form: ProviderForm::default(),
            presenter: Presenter::default(),
            slide_highlights: Vec::new(),
            story_editor: StoryEditor::default(),
            info: None,
            exports: Vec::new(),
            exports_dir: options
                .data_dir
                .as_ref()
                .map(|d| d.join("exports"))
                .or_else(|| {
                    directories::UserDirs::new()
                        .and_then(|u| u.picture_dir().map(|p| p.join("Corridor")))
                })
                .or_else(|| {
                    directories::ProjectDirs::from("vn", "Corridor", "corridor")
                        .map(|d| d.data_dir().join("exports"))
                }),
            data_dir: options.data_dir.clone(),
            editing: EditingState::new(),
            db: postgis::DbState::default(),
            opening: opening::OpeningState::default(),
            unsaved: unsaved::UnsavedState::default(),
        };
        if let Some(path) = start_path {
            app.open_files(ctx, vec![path]);
        }
        // A project's planners' files whose text looks misread: offer to decode it.
        let layers = std::mem::take(&mut app.doc.layers);
        for layer in &layers {
            app.offer_decoding(layer);
        }
        app.doc.layers = layers;
        app.start_project_tracking();
        app.load_project_tables(ctx);
        if let Some(lang) = app.persisted.lang {
            app.set_language(lang);
        }
        app
    }

    /// Whether the bundled context is drawn under the tiles (some context layer is visible).
    pub fn context_shown(&self) -> bool {
        self.doc
            .context
            .iter()
            .any(|l| l.visible && !l.features().is_empty())
    }

    /// The basemap, for its state and counts.
    pub fn basemap(&self) -> &Basemap {
        &self.basemap
    }

    /// Adds a local MBTiles file as a basemap source, checking it first.
    pub fn add_basemap_file(&mut self, ctx: &egui::Context, path: PathBuf) {
        match crate::tiles::check_tile_file(&path) {
            Ok(()) => {
                if !self.basemap.local.contains(&path) {
                    self.basemap.local.insert(0, path);
                    self.basemap.restart(ctx);
                }
            }
            Err(e) => self.notices.push(e),
        }
    }

    /// The selected feature, if any.
    /// What the selected feature's panel shows.
    pub fn selection_facts(&self) -> Option<&FeatureFacts> {
        self.selection.as_ref()
    }

    pub fn selection(&self) -> Option<FeatureRef> {
        self.selection.as_ref().map(|f| f.feature)
    }

    /// Starts presenting the story from slide `from`: full screen, panels hidden.
    pub fn start_presenting(&mut self, ctx: &egui::Context, from: usize, now: f64) {
        let has_slides = self
            .doc
            .story
            .as_ref()
            .is_some_and(|(s, _)| !s.slides.is_empty());
        if !has_slides {
            self.notices.push(
                "This project has no story to present: add slides with Story → Edit story…"
                    .to_owned(),
            );
            return;
        }
        if !self.presenter.active {
            self.presenter.saved_visibility = self.doc.layers.iter().map(|l| l.visible).collect();
        }
        self.presenter.active = true;
        self.presenter.blank = false;
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

    /// Where a slide looks: the features it fits, or its centre and zoom.
    pub fn slide_camera(&self, slide: &crate::model::Slide) -> Option<Camera> {
        let boxes = slide
            .fit
            .iter()
            .filter_map(|id| self.doc.feature_by_id(id))
            .filter_map(|r| self.feature_box(r));
        let bbox = boxes.fold(MercatorBox::EMPTY, |a, b| a.union(&b));
        if !bbox.is_empty() {
            let rect = self
                .map
                .transform
                .map(|t| t.rect)
                .unwrap_or(egui::Rect::from_min_size(
                    egui::Pos2::ZERO,
                    egui::vec2(1280.0, 800.0),
                ));
            return Some(fit_camera(&bbox, rect));
        }
        let [lon, lat] = slide.center?;
        Some(Camera {
            center: mercator_from_lonlat(lon, lat),
            zoom: slide.zoom.unwrap_or(self.map.camera().zoom),
        })
    }

    fn present_ui(&mut self, ui: &mut Ui, now: f64) {
        let ctx = ui.ctx().clone();
        let count = self.doc.story.as_ref().map_or(0, |(s, _)| s.slides.len());
        for key in present_keys(ui) {
            let i = self.presenter.slide;
            match key {
                PresentKey::Next => {
                    self.go_to_slide((i + 1).min(count.saturating_sub(1)), now, true)
                }
                PresentKey::Previous => self.go_to_slide(i.saturating_sub(1), now, true),
                PresentKey::First => self.go_to_slide(0, now, true),
                PresentKey::Last => self.go_to_slide(count.saturating_sub(1), now, true),
                PresentKey::Blank => self.presenter.blank = !self.presenter.blank,
                PresentKey::Language => self.set_language(crate::ui::i18n::lang().next()),
                PresentKey::End => {
                    self.stop_presenting(&ctx);
                    return;
                }
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
                    title_overlay_ui(ui, &self.doc.title);
                } else if let Some((story, _)) = &self.doc.story
                    && let Some(slide) = story.slides.get(self.presenter.slide)
                {
                    slide_overlay_ui(
                        ui,
                        slide,
                        self.presenter.slide + 1,
                        story.slides.len(),
                        crate::ui::i18n::lang(),
                    );
                }
                let rect = ui.max_rect();
                egui::Area::new(egui::Id::unique("present_legend"))
                    .fixed_pos(rect.right_top() + egui::vec2(-24.0, 24.0))
                    .pivot(egui::Align2::RIGHT_TOP)
                    .interactable(false)
                    .show(ui.ctx(), |ui| {
                        egui::Frame::popup(ui.style()).show(ui, |ui| {
                            ui.label(RichText::new(tr("Legend")).strong().size(18.0));
                            legend_ui(ui, &self.doc);
                        });
                    });
                if self.presenter.blank {
                    blank_ui(ui);
                }
            });
    }

    /// The export request for what this window shows: the project on disk, the current
    /// language, offline (local tiles and the cache).
    fn export_request(&self) -> export::ExportRequest {
        let mut req = export::ExportRequest::new(
            self.doc.path.clone().unwrap_or_else(|| self.opened.clone()),
        );
        req.lang = self.persisted.lang;
        req.data_dir = self.data_dir.clone();
        req
    }

    /// Exports the current view as a 1920 × 1080 PNG (× `scale`), in the background.
    pub fn export_view(&mut self, scale: f32) {
        let mut req = self.export_request();
        req.camera = Some(self.map.camera());
        req.scale = scale;
        req.size = [(1920.0 * scale) as u32, (1080.0 * scale) as u32];
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let name = format!("corridor-view-{stamp}.png");
        let Some(out) = self.pick_output(&name, false) else {
            return;
        };
        self.exports.push(std::thread::spawn(move || {
            export::export_png(&req, &out)
                .map(|()| format!("Exported the view to {}", out.display()))
        }));
    }

    /// Exports every slide as numbered PNGs, in the background.
    pub fn export_slides(&mut self) {
        let req = self.export_request();
        let Some(dir) = self.pick_output("slides", true) else {
            return;
        };
        self.exports.push(std::thread::spawn(move || {
            export::export_all_slides(&req, &dir)
                .map(|files| format!("Exported {} slides to {}", files.len(), dir.display()))
        }));
    }

    /// Asks where to write (a file, or a folder), or uses the exports folder when no dialog
    /// can open.
    fn pick_output(&mut self, name: &str, folder: bool) -> Option<PathBuf> {
        if crate::ui::file_dialog_unavailable().is_none() {
            let dialog = rfd::FileDialog::new().set_title("Export");
            return if folder {
                dialog.pick_folder()
            } else {
                dialog
                    .set_file_name(name)
                    .add_filter("PNG", &["png"])
                    .save_file()
            };
        }
        let Some(dir) = &self.exports_dir else {
            self.notices.push(
                "There is nowhere to export to: no file dialog and no pictures folder.".to_owned(),
            );
            return None;
        };
        if let Err(e) = std::fs::create_dir_all(dir) {
            self.notices.push(format!(
                "{}: cannot create the exports folder: {e}",
                dir.display()
            ));
            return None;
        }
        Some(dir.join(name))
    }

    /// Reports finished exports.
    fn poll_exports(&mut self) {
        let mut i = 0;
        while i < self.exports.len() {
            if self.exports[i].is_finished() {
                match self.exports.remove(i).join() {
                    Ok(Ok(done)) => {
                        log::info!("{done}");
                        self.info = Some(done);
                    }
                    Ok(Err(e)) => self.notices.push(format!("Export failed: {e}")),
                    Err(_) => self
                        .notices
                        .push("Export failed: the renderer stopped unexpectedly".to_owned()),
                }
            } else {
                i += 1;
            }
        }
    }

    /// Switches interface, names, labels and slides to `lang`.
    pub fn set_language(&mut self, lang: crate::model::Lang) {
        crate::ui::i18n::set_lang(lang);
        self.persisted.lang = Some(lang);
        self.relabel();
    }

    /// Rebuilds every layer's render data (labels depend on the language).
    fn relabel(&mut self) {
        let lang = self.persisted.lang;
        let build = |layers: &[Layer]| -> Vec<LayerRender> {
            layers
                .iter()
                .map(|l| LayerRender::build_in(l, lang))
                .collect()
        };
        self.renders = build(&self.doc.layers);
        self.context_renders = build(&self.doc.context);
    }

    /// Selects a feature (or clears the selection) and computes what its panel shows.
    pub fn select(&mut self, feature: Option<FeatureRef>) {
        self.selection = feature.map(|r| feature_facts(&self.doc, r));
    }

    /// Selects a feature and flies the map to it.
    pub fn select_and_fly(&mut self, feature: FeatureRef, now: f64) {
        self.select(Some(feature));
        if let Some(bbox) = self.feature_box(feature) {
            self.map.fly_to_box(bbox, now);
        }
    }

    /// Files still loading in the background.
    pub fn loading(&self) -> usize {
        self.loads.len()
    }

    /// Large layers shown with simplified fills while their full detail is triangulated.
    pub fn detail_pending(&self) -> bool {
        !self.details.is_empty()
    }

    /// Each layer's render data, in draw order.
    pub fn renders(&self) -> &[LayerRender] {
        &self.renders
    }

    /// Notices about files that could not be added.
    pub fn notices(&self) -> &[String] {
        &self.notices
    }

    fn feature_box(&self, r: FeatureRef) -> Option<MercatorBox> {
        let (li, fi) = self.doc.locate(r)?;
        let f = self.renders.get(li)?.features.get(fi)?;
        (!f.bbox.is_empty()).then_some(f.bbox)
    }

    /// The extent of every layer, in world units.
    pub fn layers_extent(&self) -> MercatorBox {
        self.renders
            .iter()
            .map(|r| r.extent)
            .fold(MercatorBox::EMPTY, |a, b| a.union(&b))
    }

    /// The feature a click at `pos` would select, as the map picks it.
    pub fn pick(&self, pos: egui::Pos2) -> Option<FeatureRef> {
        let t = self.map.transform?;
        crate::ui::map_ui::hit_test(&t, &self.doc, &self.renders, pos)
    }

    /// The view as a project file writes it.
    pub fn current_view(&self) -> ViewSpec {
        let c = self.map.camera();
        let [lon, lat] = lonlat_from_mercator(c.center[0], c.center[1]);
        ViewSpec {
            center: [lon, lat],
            zoom: c.zoom,
        }
    }

    /// Every problem: the project's, the layers', and files that could not be added.
    fn problems(&self) -> Vec<String> {
        let mut out = self.doc.problems.clone();
        out.extend(
            self.doc
                .layers
                .iter()
                .filter_map(|l| l.error())
                .map(str::to_owned),
        );
        out.extend(self.notices.iter().cloned());
        out
    }

    /// The document changed shape (layers added, removed or moved): drop what depends on it.
    fn layers_changed(&mut self) {
        self.search_index = None;
    }

    /// Starts loading files as new layers, in the background. A planner's file is read as it
    /// was the last time (the answers it asked for are remembered).
    pub fn open_files(&mut self, ctx: &egui::Context, paths: Vec<PathBuf>) {
        for path in paths {
            remember_recent(&mut self.persisted.recent, &path);
            let read = self.remembered_read(&path, None);
            self.start_load(ctx, path, read);
        }
    }

    /// Whether a file being opened waits for an answer (tables, coordinate system, text).
    pub fn asking(&self) -> bool {
        self.opening.asking()
    }

    /// Adds finished loads to the document and zooms to them.
    fn poll_loads(&mut self, ctx: &egui::Context, now: f64) {
        let mut i = 0;
        while i < self.loads.len() {
            let Some(result) = self.loads[i].poll() else {
                i += 1;
                continue;
            };
            let job = self.loads.remove(i);
            // Only the first file (the one given at start) is framed without a flight.
            let fit = std::mem::take(&mut self.fit_when_loaded);
            match result {
                LoadResult::Loaded(boxed) => {
                    let (layer, render) = *boxed;
                    log::info!(
                        "loaded {} ({} features) in {:.2} s",
                        job.path.display(),
                        layer.features().len(),
                        job.started.elapsed().as_secs_f64()
                    );
                    let extent = render.extent;
                    let detail_follows = render.features.iter().any(|f| f.fill_pending);
                    self.offer_decoding(&layer);
                    self.doc.layers.push(layer);
                    self.renders.push(render);
                    if fit && self.doc.path.is_none() {
                        // The file the app was started on, with no project: opening it is not a
                        // change to save.
                        self.unsaved.saved.layers = unsaved::ProjectState::of(&self.doc).layers;
                    }
                    if detail_follows {
                        self.details.push(job);
                    }
                    self.layers_changed();
                    if !extent.is_empty() {
                        if fit {
                            self.map.frame_box(extent);
                        } else {
                            self.map.fly_to_box(extent, now);
                        }
                    }
                }
                LoadResult::Table(load) => {
                    let more = load.more_follows;
                    let extent = load.render.extent;
                    let li = self.attach_table(*load, ctx);
                    log::info!(
                        "loaded {} ({} features) in {:.2} s",
                        job.label,
                        self.doc.layers[li].features().len(),
                        job.started.elapsed().as_secs_f64()
                    );
                    self.layers_changed();
                    if more {
                        // Keep the job for the rest of the rows.
                        self.loads.insert(i, job);
                        i += 1;
                    } else if !extent.is_empty() && self.map.transform.is_none() {
                        self.map.frame_box(extent);
                    } else if !extent.is_empty() && !fit {
                        self.map.fly_to_box(extent, now);
                    }
                }
                LoadResult::NeedsPassword(source, refused) => {
                    self.db.password_prompt = Some(postgis::PasswordPrompt {
                        source,
                        password: String::new(),
                        refused,
                    });
                }
                LoadResult::MoreRows(rows) => {
                    self.attach_more_rows(&job.path, rows);
                }
                LoadResult::Failed(message) => {
                    if !self.table_failed(&job.path, &message) {
                        self.notices
                            .push(format!("{message} — the layer was not added."));
                    }
                }
                LoadResult::Cancelled => {
                    log::info!("loading {} cancelled", job.path.display());
                }
                LoadResult::ChooseTables(tables) => {
                    self.ask_tables(job.path.clone(), tables, job.read_as.clone());
                }
                LoadResult::NeedsCrs(message) => {
                    self.ask_crs(job.path.clone(), message, job.read_as.clone());
                }
                LoadResult::Detail(_) => {}
            }
        }
        // Full-detail fills of large layers, as they arrive.
        self.details.retain(|job| match job.poll() {
            None => true,
            Some(LoadResult::Detail(fills)) => {
                let uid = fills.uid;
                if let Some(r) = self.renders.iter_mut().find(|r| r.uid == uid) {
                    let t0 = std::time::Instant::now();
                    r.apply_fills(fills);
                    log::info!(
                        "{}: full detail ready after {:.2} s (put in place in {:.1} ms)",
                        job.path.display(),
                        job.started.elapsed().as_secs_f64(),
                        t0.elapsed().as_secs_f64() * 1000.0
                    );
                }
                false
            }
            Some(_) => false,
        });
    }

    fn open_table(&mut self, li: LayerIndex) {
        if let Some(layer) = self.doc.layers.get(li).map(|l| l.id)
            && !self.tables.iter().any(|t| t.layer == layer)
        {
            self.tables.push(TableState {
                layer,
                filter: String::new(),
                sort: None,
            });
        }
    }

    fn open_style(&mut self, li: LayerIndex) {
        if let Some(layer) = self.doc.layers.get(li).map(|l| l.id)
            && !self.styles.contains(&layer)
        {
            self.styles.push(layer);
        }
    }

    /// Removes a layer, asking first when it has unsaved changes.
    pub(super) fn remove_layer(&mut self, li: LayerIndex) {
        if !self.remove_layer_asking(li) {
            return;
        }
        if let Some(layer) = self.doc.remove_layer(li) {
            self.layer_removed(&layer.journal_key());
            self.renders.remove(li);
            self.layers_moved();
        }
    }

    /// Moves the layer at `from` to draw position `to`.
    pub(super) fn move_layer(&mut self, from: LayerIndex, to: LayerIndex) {
        if from < self.doc.layers.len() && to < self.doc.layers.len() {
            let layer = self.doc.layers.remove(from);
            self.doc.layers.insert(to, layer);
            let render = self.renders.remove(from);
            self.renders.insert(to, render);
            self.layers_moved();
        }
    }

    /// After layers were moved or removed. Windows, the selection and the editor hold layers
    /// by id, so nothing needs renumbering: what referred to a removed layer finds nothing and
    /// lets go (the windows close themselves on their next frame).
    fn layers_moved(&mut self) {
        if self
            .selection()
            .is_some_and(|r| self.doc.feature(r).is_none())
        {
            self.select(None);
        }
        self.hover = None;
        if let Some(id) = self.editing.editor.layer
            && self.doc.index_of(id).is_none()
        {
            self.stop_editing();
        }
        self.layers_changed();
    }

    /// The app's keys, as commands (the editor's first: they consume what they use).
    fn keyboard(&mut self, ui: &Ui) {
        let now = ui.input(|i| i.time);
        let ctx = ui.ctx().clone();
        let shortcut =
            |mods, key| ui.input_mut(|i| i.consume_shortcut(&KeyboardShortcut::new(mods, key)));
        let mut commands = Vec::new();
        // Ctrl+Shift+S (save project) before the editor's Ctrl+S (save layer).
        if shortcut(Modifiers::COMMAND | Modifiers::SHIFT, Key::S) {
            commands.push(Command::SaveProject);
        }
        commands.extend(self.edit_keys(ui));
        if shortcut(Modifiers::COMMAND, Key::F) {
            commands.push(Command::FocusSearch);
        }
        if shortcut(Modifiers::COMMAND, Key::O) {
            commands.push(Command::OpenDialog);
        }
        if ui.input(|i| i.key_pressed(Key::F5)) {
            let from = if ui.input(|i| i.modifiers.shift) {
                self.presenter.slide
            } else {
                0
            };
            commands.push(Command::Present { from });
        }
        if ui.input(|i| i.key_pressed(Key::F1)) {
            commands.push(Command::ToggleHelp);
        }
        if !ctx.egui_wants_keyboard_input() {
            let pressed = |key| ui.input(|i| i.key_pressed(key));
            if pressed(Key::Escape) {
                commands.push(Command::Escape);
            }
            if pressed(Key::M) {
                commands.push(Command::ToggleMeasure);
            }
            if pressed(Key::Home) {
                commands.push(Command::FlyHome);
            }
            if pressed(Key::Plus) || pressed(Key::Equals) {
                commands.push(Command::ZoomBy(1.0));
            } else if pressed(Key::Minus) {
                commands.push(Command::ZoomBy(-1.0));
            }
        }
        for c in commands {
            self.run(&ctx, c, now);
        }
    }

    fn fly_home(&mut self, now: f64) {
        let v = &self.doc.view;
        let camera = Camera {
            center: mercator_from_lonlat(v.center[0], v.center[1]),
            zoom: v.zoom,
        };
        self.map.fly_to(camera, now);
    }

    fn open_dialog(&mut self, ctx: &egui::Context) {
        if let Some(why) = crate::ui::file_dialog_unavailable() {
            self.notices.push(why.to_owned());
            return;
        }
        let picked = rfd::FileDialog::new()
            .set_title("Open map files")
            .add_filter(
                "Map files (GeoJSON, Shapefile, GeoPackage, MapInfo, KML, FlatGeobuf, DXF)",
                &[
                    "geojson", "json", "shp", "zip", "gpkg", "tab", "mif", "kml", "kmz", "fgb",
                    "dxf",
                ],
            )
            .add_filter("GeoJSON", &["geojson", "json"])
            .add_filter("All files", &["*"])
            .pick_files();
        if let Some(paths) = picked {
            self.open_files(ctx, paths);
        }
    }

    /// Writes the project file (the one opened, or `corridor.toml` beside the first layer).
    /// Writes the project file; on failure the message is shown (and returned).
    pub fn save_project_ui(&mut self) -> Result<(), String> {
        let path = self.project_path();
        let result = save_project(&self.doc, self.current_view(), &path);
        match result {
            Ok(()) => {
                self.doc.path = Some(path.clone());
                self.notices.retain(|n| !n.contains("cannot save"));
                log::info!("saved {}", path.display());
                // The project file holds all but the story, which has a file of its own.
                let story = self.unsaved.saved.story.take();
                self.unsaved.saved = unsaved::ProjectState::of(&self.doc);
                self.unsaved.saved.story = story;
                Ok(())
            }
            Err(e) => {
                let text = e.to_string();
                self.notices.push(text.clone());
                Err(text)
            }
        }
    }

    fn project_path(&self) -> PathBuf {
        if let Some(p) = &self.doc.path {
            return p.clone();
        }
        let dir = self
            .doc
            .layers
            .first()
            .and_then(|l| l.source.parent())
            .map(Path::to_owned)
            .unwrap_or_else(|| PathBuf::from("."));
        dir.join("corridor.toml")
    }

    /// The menu bar; each item is a [`Command`], run once the bar is drawn.
    fn menu_ui(&mut self, ui: &mut Ui) {
        let now = ui.input(|i| i.time);
        let ctx = ui.ctx().clone();
        let mut commands: Vec<Command> = Vec::new();
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button(tr("File"), |ui| {
                commands.extend(item(ui, "Open GeoJSON… (Ctrl+O)", Command::OpenDialog));
                commands.extend(item(ui, "Add PostGIS layer…", Command::AddPostgisLayer));
                if ui.button(tr("Add basemap… (MBTiles, PMTiles)")).clicked() {
                    ui.close();
                    self.apply_basemap_action(&ctx, BasemapAction::PickFile);
                }
                ui.menu_button(tr("Open recent"), |ui| {
                    let recent: Vec<PathBuf> = self
                        .persisted
                        .recent
                        .iter()
                        .filter(|p| *p != &self.opened)
                        .cloned()
                        .collect();
                    if recent.is_empty() {
                        ui.label(RichText::new("Nothing yet").color(crate::ui::MUTED));
                    }
                    for p in recent {
                        if ui.button(p.display().to_string()).clicked() {
                            ui.close();
                            commands.push(Command::OpenFiles(vec![p]));
                        }
                    }
                });
                ui.separator();
                commands.extend(item(ui, "Save layer (Ctrl+S)", Command::SaveLayer));
                commands.extend(item(ui, "Save layer as…", Command::SaveLayerAs(None)));
                commands.extend(item(
                    ui,
                    "Save project (Ctrl+Shift+S)",
                    Command::SaveProject,
                ));
            });
            ui.menu_button(tr("Edit"), |ui| {
                let label = if self.editing_layer().is_some() {
                    "Stop editing (E)"
                } else {
                    "Edit layer (E)"
                };
                commands.extend(item(ui, label, Command::ToggleEditing(None)));
                ui.separator();
                commands.extend(stay(ui, "Undo (Ctrl+Z)", Command::Undo));
                commands.extend(stay(ui, "Redo (Ctrl+Y)", Command::Redo));
            });
            ui.menu_button(tr("View"), |ui| {
                commands.extend(stay(ui, "Initial view (Home)", Command::FlyHome));
                commands.extend(stay(ui, "Zoom to all layers", Command::ZoomToAll));
                ui.separator();
                ui.checkbox(&mut self.persisted.panels.side, tr("Sub-areas and layers"));
                ui.checkbox(&mut self.persisted.panels.legend, tr("Legend"));
                ui.checkbox(&mut self.persisted.panels.bookmarks, tr("Bookmarks"));
                commands.extend(stay(ui, "Problems…", Command::ShowProblems));
            });
            ui.menu_button(tr("Tools"), |ui| {
                if ui.button(tr("Measure (M)")).clicked() {
                    ui.close();
                    self.measure.active = true;
                    self.measure.clear();
                }
                commands.extend(stay(ui, "Search (Ctrl+F)", Command::FocusSearch));
            });
            let mut basemap_action = None;
            ui.menu_button(tr("Basemap"), |ui| {
                let offered = providers(&self.doc.basemap, &self.persisted.providers);
                let limit = self
                    .basemap
                    .cache
                    .as_ref()
                    .map(|c| c.1)
                    .unwrap_or(DEFAULT_LIMIT_BYTES);
                basemap_action =
                    basemap_menu_ui(ui, &self.basemap.spec, &offered, &self.basemap.local, limit);
            });
            if let Some(a) = basemap_action {
                self.apply_basemap_action(&ctx, a);
            }
            ui.menu_button(tr("Story"), |ui| {
                commands.extend(item(
                    ui,
                    "Present from the start (F5)",
                    Command::Present { from: 0 },
                ));
                let from = self.presenter.slide;
                commands.extend(item(
                    ui,
                    "Present from this slide (Shift+F5)",
                    Command::Present { from },
                ));
                commands.extend(item(ui, "Edit story…", Command::EditStory));
                ui.separator();
                commands.extend(item(
                    ui,
                    "Export view as PNG…",
                    Command::ExportView { scale: 1.0 },
                ));
                commands.extend(item(
                    ui,
                    "Export view for print (2×)…",
                    Command::ExportView { scale: 2.0 },
                ));
                commands.extend(item(ui, "Export all slides as PNG…", Command::ExportSlides));
            });
            let mut chosen_lang = None;
            ui.menu_button(tr("Language"), |ui| {
                let current = crate::ui::i18n::lang();
                for l in crate::model::Lang::ALL {
                    if ui
                        .radio(
                            current == l && self.persisted.lang.is_some(),
                            l.native_name(),
                        )
                        .clicked()
                    {
                        chosen_lang = Some(l);
                        ui.close();
                    }
                }
            });
            if let Some(l) = chosen_lang {
                commands.push(Command::Language(l));
            }
            ui.menu_button(tr("Help"), |ui| {
                if ui.button(tr("Keyboard and mouse (F1)")).clicked() {
                    self.show_help = true;
                }
                commands.extend(stay(ui, "About Corridor", Command::ShowAbout));
            });
            ui.separator();
            match search_ui(ui, &mut self.search, &mut self.search_index, &self.doc) {
                Some(SearchOutcome::Feature(r)) => commands.push(Command::SelectAndFly(r)),
                Some(SearchOutcome::Position(at)) => commands.push(Command::ShowPosition(at)),
                None => {}
            }
            ui.separator();
            ui.label(RichText::new(&self.doc.title).strong());
        });
        for c in commands {
            self.run(&ctx, c, now);
        }
    }

    fn apply_basemap_action(&mut self, ctx: &egui::Context, action: BasemapAction) {
        match action {
            BasemapAction::Provider(spec) => {
                self.basemap.spec = spec;
                self.basemap.restart(ctx);
            }
            BasemapAction::PickFile => {
                if let Some(why) = crate::ui::file_dialog_unavailable() {
                    self.notices.push(why.to_owned());
                } else if let Some(path) = rfd::FileDialog::new()
                    .set_title("Add basemap")
                    .add_filter("Tile files (MBTiles, PMTiles)", &["mbtiles", "pmtiles"])
                    .pick_file()
                {
                    self.add_basemap_file(ctx, path);
                }
            }
            BasemapAction::RemoveFile(path) => {
                self.basemap.local.retain(|p| *p != path);
                self.basemap.restart(ctx);
            }
            BasemapAction::CacheLimit(bytes) => {
                self.persisted.cache_limit = bytes;
                if let Some(c) = &mut self.basemap.cache {
                    c.1 = bytes;
                }
                self.basemap.restart(ctx);
            }
            BasemapAction::OpenOffline => self.offline.open = true,
            BasemapAction::OpenProviderForm => self.provider_form.open = true,
        }
    }

    fn problems_banner_ui(&mut self, ui: &mut Ui) {
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
                        format!("{} problems", problems.len())
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

    fn loads_ui(&mut self, ui: &mut Ui) {
        let mut cancel = None;
        for (i, job) in self.loads.iter().enumerate() {
            ui.horizontal(|ui| {
                ui.label(format!("Loading {}", job.label));
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

    fn windows(&mut self, ctx: &egui::Context, now: f64) {
        self.opening_windows(ctx);
        self.project_recovery_window(ctx);
        self.journal_project(ctx, now);
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
        help_window(ctx, &mut self.show_help);
        crate::ui::help_ui::about_window(
            ctx,
            &mut self.show_about,
            &self.doc,
            self.basemap.attribution(),
        );
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
            Some(StoryAction::Show(i)) => self.go_to_slide(i, now, true),
            Some(StoryAction::Saved(Err(e))) => self.notices.push(e),
            Some(StoryAction::Saved(Ok(()))) => {
                self.unsaved.saved.story = self.doc.story.as_ref().map(|(s, _)| s.clone());
            }
            None => {}
        }
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
        measure_window(ctx, &mut self.measure, self.map.transform.map(|t| t.rect));
        self.edit_windows(ctx);
        self.db_windows(ctx);

        let mut clicked = None;
        let selected = self.selection();
        let mut tables = std::mem::take(&mut self.tables);
        tables.retain_mut(|state| {
            let Some(layer) = self.doc.layer(state.layer) else {
                return false;
            };
            let mut open = true;
            egui::Window::new(format!("Attributes — {}", layer.name))
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
            egui::Window::new(format!("Style — {}", layer.name))
                .id(egui::Id::unique(("style", id)))
                .open(&mut open)
                .show(ctx, |ui| {
                    if style_ui(ui, layer) {
                        restyled.push(li);
                    }
                    ui.separator();
                    ui.label(
                        RichText::new("File → Save project keeps this style in the project file.")
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
                *slot = LayerRender::build_in(layer, self.persisted.lang);
            }
        }

        let mut legend = self.persisted.panels.legend;
        egui::Window::new("Legend")
            .open(&mut legend)
            .anchor(egui::Align2::RIGHT_BOTTOM, egui::vec2(-12.0, -40.0))
            .resizable(false)
            .show(ctx, |ui| legend_ui(ui, &self.doc));
        self.persisted.panels.legend = legend;

        let mut bookmarks_open = self.persisted.panels.bookmarks;
        let mut action = None;
        egui::Window::new("Bookmarks")
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

/// Local MBTiles files for a document: those its project names, those beside it, and the areas
/// the user made available offline.
fn local_tile_files(doc: &Document, offline_dir: Option<&Path>) -> Vec<PathBuf> {
    let mut files = doc.basemap.files.clone();
    if let Some(dir) = doc.path.as_deref().and_then(Path::parent) {
        files.extend(crate::tiles::tile_files_in(dir));
    }
    if let Some(dir) = offline_dir {
        files.extend(crate::tiles::tile_files_in(dir));
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    files.retain(|f| f.is_file());
    files
}

/// Puts `path` at the front of the recent list.
fn remember_recent(recent: &mut Vec<PathBuf>, path: &Path) {
    recent.retain(|p| p != path);
    recent.insert(0, path.to_owned());
    recent.truncate(MAX_RECENT);
}

impl eframe::App for CorridorApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        // A dot in the title while anything is unsaved, as desktop editors do.
        let title = format!(
            "{}{} — Corridor",
            if self.any_dirty() { "● " } else { "" },
            self.doc.title
        );
        if self.title_sent.as_ref() != Some(&title) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title_sent = Some(title);
        }
        self.intercept_close(&ctx);
        let now = ui.input(|i| i.time);
        let dropped: Vec<PathBuf> = ui.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_owned())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        let (tile_files, layers): (Vec<PathBuf>, Vec<PathBuf>) =
            dropped.into_iter().partition(|p| {
                p.extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("mbtiles"))
            });
        for f in tile_files {
            self.add_basemap_file(&ctx, f);
        }
        if !layers.is_empty() {
            self.open_files(&ctx, layers);
        }
        self.poll_loads(&ctx, now);
        self.poll_db();
        self.check_recoveries();
        self.check_external_changes(now, &ctx);
        self.poll_exports();
        if !self.exports.is_empty() {
            ctx.request_repaint_after(std::time::Duration::from_millis(200));
        }
        if self.presenter.active {
            self.present_ui(ui, now);
            return;
        }
        self.keyboard(ui);

        egui::Panel::top("menu").show(ui, |ui| self.menu_ui(ui));
        if self.editing_layer().is_some() {
            egui::Panel::top("edit_toolbar").show(ui, |ui| self.edit_toolbar(ui));
        }
        egui::Panel::bottom("status").show(ui, |ui| {
            status_ui(
                ui,
                self.cursor,
                self.map.camera().zoom,
                &self.basemap.spec.name,
                self.basemap.state(),
                self.context_shown(),
            );
        });
        let mut chosen = None;
        let mut layer_action = None;
        if self.persisted.panels.side {
            egui::Panel::left("side")
                .default_size(280.0)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical().show(ui, |ui| {
                        egui::CollapsingHeader::new(RichText::new(tr("Sub-areas")).heading())
                            .default_open(true)
                            .show(ui, |ui| {
                                chosen = subarea_list_ui(ui, &self.doc, self.selection());
                            });
                        ui.separator();
                        egui::CollapsingHeader::new(RichText::new(tr("Layers")).heading())
                            .default_open(true)
                            .show(ui, |ui| {
                                let tables: Vec<Option<String>> = self
                                    .doc
                                    .layers
                                    .iter()
                                    .map(|l| l.source.table().map(|t| t.describe()))
                                    .collect();
                                layer_action = layers_ui(ui, &mut self.doc.layers, &tables);
                            });
                    });
                });
        }
        if let Some(r) = chosen {
            self.select_and_fly(r, now);
        }
        if let Some(a) = layer_action {
            self.run(&ui.ctx().clone(), a.into(), now);
        }
        let mut action = None;
        if self.selection.is_some() {
            egui::Panel::right("feature")
                .default_size(320.0)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical().show(ui, |ui| {
                        self.edit_panel(ui);
                        if let Some(facts) = &self.selection {
                            action = feature_ui(ui, &self.doc, facts);
                        }
                    });
                });
        }
        let command = action.map(|a| match a {
            FeatureAction::Close => Command::Select(None),
            FeatureAction::ZoomTo => Command::ZoomToSelected,
            FeatureAction::Select(r) => Command::SelectAndFly(r),
        });
        if let Some(c) = command {
            self.run(&ui.ctx().clone(), c, now);
        }
        egui::CentralPanel::no_frame()
            .frame(egui::Frame::new().fill(LAND))
            .show(ui, |ui| {
                self.problems_banner_ui(ui);
                self.external_banner_ui(ui);
                self.db_banner_ui(ui);
                self.loads_ui(ui);
                let pan_locked = self.pan_locked(ui);
                let editing = self.editing_layer().is_some();
                let tool = self.editor().tool;
                let output = MapView {
                    doc: &self.doc,
                    renders: &self.renders,
                    context: &self.context_renders,
                    basemap: &mut self.basemap,
                    state: &mut self.map,
                    selection: self.selection.as_ref().map(|f| f.feature),
                    hover: self.hover,
                    measure: &self.measure,
                    pin: self.pin,
                    highlights: &[],
                    glow: 0.0,
                    notes: true,
                    pan_locked,
                    drawing: editing && tool.draws(),
                    vertex_menu: editing && tool == crate::ui::edit_ui::Tool::Vertices,
                }
                .map_ui(ui);
                let taken = editing && !self.measure.active && self.edit_map_input(ui, &output);
                self.edit_overlay(ui);
                self.db_overlay(ui);
                self.hover = if self.measure.active {
                    None
                } else {
                    output.hovered
                };
                self.cursor = output.cursor;
                if self.measure.active {
                    if let Some(p) = output.clicked_at {
                        self.measure.points.push(p);
                    }
                    // The polygon under the click, if any, gets its geodesic area too.
                    if let Some(hit) = output.clicked {
                        self.measure.clicked_polygon = hit
                            .and_then(|r| {
                                self.doc
                                    .feature(r)
                                    .filter(|f| f.is_areal())
                                    .map(|f| (r, f.display_name()))
                            })
                            .map(|(r, name)| {
                                let area = self
                                    .doc
                                    .feature(r)
                                    .and_then(|f| f.geometry())
                                    .map_or(0.0, |g| {
                                        crate::geometry::measure::geodesic_area_m2(&g)
                                    });
                                (name, area)
                            });
                    }
                } else if let Some(clicked) = output.clicked.filter(|_| !taken) {
                    self.select(clicked);
                }
            });
        self.windows(&ctx, now);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        let v = self.current_view();
        self.persisted.views.retain(|(p, _, _)| *p != self.opened);
        self.persisted
            .views
            .insert(0, (self.opened.clone(), v.center, v.zoom));
        self.persisted.views.truncate(32);
        eframe::set_value(storage, STORAGE_KEY, &self.persisted);
    }
}

/// Facts about a selected feature for its panel, worked out once when it is selected. The
/// administrative units it overlaps take tens of milliseconds for a locality: they are worked
/// out on a thread of their own and appear when done.
fn feature_facts(doc: &Document, feature: FeatureRef) -> FeatureFacts {
    let geometry = doc.feature(feature).and_then(|f| f.geometry());
    let is_unit = doc.layer(feature.layer).is_some_and(|l| l.admin_units);
    let units = std::sync::Arc::new(std::sync::OnceLock::new());
    match doc
        .admin_unit_candidates(feature)
        .filter(|_| !is_unit && doc.layers.iter().any(|l| l.admin_units))
    {
        Some((shape, candidates)) => {
            let slot = units.clone();
            std::thread::spawn(move || {
                let _ = slot.set(crate::model::overlap_areas(&shape, candidates));
            });
        }
        None => {
            let _ = units.set(Vec::new());
        }
    }
    FeatureFacts {
        feature,
        area_m2: geometry
            .as_deref()
            .map_or(0.0, crate::geometry::measure::geodesic_area_m2),
        length_m: geometry
            .as_deref()
            .map_or(0.0, crate::geometry::measure::geodesic_length_m),
        places: doc.points_within(feature),
        units,
    }
}

/// A menu item: its command when clicked (the menu then closes).
fn item(ui: &mut Ui, label: &'static str, command: Command) -> Option<Command> {
    let clicked = ui.button(tr(label)).clicked();
    if clicked {
        ui.close();
    }
    clicked.then_some(command)
}

/// A menu item that leaves the menu open (undo and redo, say, are often clicked again).
fn stay(ui: &mut Ui, label: &'static str, command: Command) -> Option<Command> {
    ui.button(tr(label)).clicked().then_some(command)
}
