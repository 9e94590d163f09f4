//! The eframe app: owns the document, its render caches and the UI state, and lays out a frame.

use crate::ui::i18n::tr;
use std::path::{Path, PathBuf};

use egui::{Key, KeyboardShortcut, Modifiers, RichText, Ui};
use serde::{Deserialize, Serialize};

use crate::geometry::{Camera, MercatorBox, lonlat_from_mercator, mercator_from_lonlat};
use crate::io::{InitialView, open_path, save_project};
use crate::loader::{LoadJob, LoadResult};
use crate::model::search::SearchIndex;
use crate::model::{Bookmark, Document, FeatureRef, Layer, ViewSpec};
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

mod closing;
pub mod command;
mod detail;
mod editing;
pub mod export;
mod loading;
mod menus;
mod opening;
mod postgis;
mod postgis_windows;
mod presenting;
mod recovery;
mod saving;
mod unsaved;
pub mod windowed;
mod windows;
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

/// What the arrival of the file given at start does to the map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FirstLoad {
    /// Frames it, without a flight.
    Frame,
    /// Leaves the view where it was when this file was last open (the user's own view).
    Keep,
}

/// The application: one document and everything shown about it.
pub struct CorridorApp {
    pub doc: Document,
    /// The egui context the app draws on (to measure text before drawing it).
    ctx: egui::Context,
    /// First start on a Vietnamese system: Vietnamese is offered as the interface language.
    pub offer_vietnamese: bool,
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
    /// Full-detail fills being triangulated for features a frame drew with a stand-in.
    fill_jobs: Vec<detail::FillJob>,
    /// Detail made and not yet put in place (a few hundred features a frame).
    arrived_detail: std::collections::VecDeque<crate::render::cache::MadeDetail>,
    /// The map's view when detail was last asked for: the rest of a first view's features is
    /// made only while it stays.
    detail_view: Option<crate::geometry::MercatorBox>,
    /// Messages about files the user opened that could not be added.
    notices: Vec<String>,
    pub persisted: Persisted,
    /// What the arrival of the file given at start does to the map (`None` once it came, or
    /// for a project).
    on_first_load: Option<FirstLoad>,
    pub offline: OfflineState,
    offline_dir: Option<PathBuf>,
    pub provider_form: ProviderForm,
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
        crate::tiles::install_vector_renderer(cc.wgpu_render_state.as_ref());
        crate::render::gpu::install(cc.wgpu_render_state.as_ref(), &cc.egui_ctx);
        Self::with_state(&cc.egui_ctx, options, persisted)
    }

    /// Builds the app on an egui context (also used by tests).
    pub fn with_context(ctx: &egui::Context, options: AppOptions) -> Self {
        Self::with_state(ctx, options, Persisted::default())
    }

    /// Builds the app with remembered state.
    ///
    /// Long because it sets every field of the app once, in one place.
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
            ctx: ctx.clone(),
            offer_vietnamese: false,
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
            fill_jobs: Vec::new(),
            arrived_detail: std::collections::VecDeque::new(),
            detail_view: None,
            notices: Vec::new(),
            persisted,
            on_first_load: (!is_project).then_some(if remembered.is_some() {
                FirstLoad::Keep
            } else {
                FirstLoad::Frame
            }),
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
        // One language throughout: the interface, the names and the labels. Until the user
        // chooses, English; on a Vietnamese system, Vietnamese is offered.
        match app.persisted.lang {
            Some(lang) => app.set_language(lang),
            None => {
                crate::ui::i18n::set_lang(crate::model::Lang::En);
                app.relabel();
                app.offer_vietnamese = crate::ui::i18n::system_prefers_vietnamese();
            }
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

    /// Adds a local tile file (MBTiles or PMTiles, raster or vector) as a basemap source,
    /// checking it first.
    pub fn add_basemap_file(&mut self, ctx: &egui::Context, path: PathBuf) {
        match crate::tiles::check_tile_file(&path) {
            Ok(()) => {
                if !self.basemap.local.contains(&path) {
                    self.basemap.local.insert(0, path);
                    self.basemap.restart(ctx);
                }
            }
            Err(e) => self.report(e),
        }
    }

    /// Draws vector tile files with this MapLibre style (checked first), or with the built-in
    /// one when `None`. The project remembers it.
    pub fn set_vector_style(&mut self, ctx: &egui::Context, style: Option<PathBuf>) {
        if let Some(path) = &style
            && let Err(why) = crate::tiles::style::read_style(path)
        {
            self.report(why);
            return;
        }
        self.basemap.spec.style = style.clone();
        self.doc.basemap.style = style;
        self.basemap.restart(ctx);
    }

    /// The selected feature, if any.
    /// What the selected feature's panel shows.
    pub fn selection_facts(&self) -> Option<&FeatureFacts> {
        self.selection.as_ref()
    }

    pub fn selection(&self) -> Option<FeatureRef> {
        self.selection.as_ref().map(|f| f.feature)
    }

    /// Switches interface, names, labels and slides to `lang`.
    pub fn set_language(&mut self, lang: crate::model::Lang) {
        crate::ui::i18n::set_lang(lang);
        self.persisted.lang = Some(lang);
        self.offer_vietnamese = false;
        self.relabel();
    }

    /// On a first start on a Vietnamese system: a bar offering the interface in Vietnamese.
    fn language_offer(&mut self, ui: &mut Ui) {
        let (mut vietnamese, mut english) = (false, false);
        egui::Panel::top("language_offer").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label("Máy tính này dùng tiếng Việt. Chuyển giao diện sang tiếng Việt?");
                vietnamese = ui.button("Dùng tiếng Việt").clicked();
                english = ui.button("Keep English").clicked();
            });
        });
        if vietnamese {
            self.set_language(crate::model::Lang::Vi);
        } else if english {
            self.set_language(crate::model::Lang::En);
        }
    }

    /// Labels every layer again in the interface's language.
    fn relabel(&mut self) {
        let lang = Some(crate::ui::i18n::lang());
        for (r, l) in self
            .renders
            .iter_mut()
            .zip(&self.doc.layers)
            .chain(self.context_renders.iter_mut().zip(&self.doc.context))
        {
            r.relabel(l, lang);
        }
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

    /// Whether the last frame drew a feature of a large layer with a simplified fill standing
    /// in for its full detail, or such fills are being made, or a large layer's first view
    /// left features to make ([`LayerRender::build_for_view`]).
    pub fn detail_pending(&self) -> bool {
        !self.fill_jobs.is_empty()
            || !self.arrived_detail.is_empty()
            || self
                .renders
                .iter()
                .any(|r| r.has_stand_ins() || r.has_provisional())
    }

    /// Each layer's render data, in draw order.
    pub fn renders(&self) -> &[LayerRender] {
        &self.renders
    }

    /// Shows a problem to the user: the one channel for them. It goes into the notices (once,
    /// however often it happens) that the banner over the map shows, and into the log.
    pub(crate) fn report(&mut self, problem: impl std::fmt::Display) {
        let text = problem.to_string();
        if !self.notices.contains(&text) {
            log::warn!("{text}");
            self.notices.push(text);
        }
    }

    /// Notices about files that could not be added.
    pub fn notices(&self) -> &[String] {
        &self.notices
    }

    pub fn feature_box(&self, r: FeatureRef) -> Option<MercatorBox> {
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

    fn fly_home(&mut self, now: f64) {
        let v = &self.doc.view;
        let camera = Camera {
            center: mercator_from_lonlat(v.center[0], v.center[1]),
            zoom: v.zoom,
        };
        self.map.fly_to(camera, now);
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
                self.report(text.clone());
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
    /// Long because egui lays panels out in the order they are added: this order is the window's
    /// layout, top bar to map.
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        // A dot in the title while anything is unsaved, as desktop editors do.
        let title = format!(
            "{}{} — Corridor",
            if self.any_dirty() { "● " } else { "" },
            self.doc.title.get(crate::ui::i18n::lang())
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
        let (tile_files, layers): (Vec<PathBuf>, Vec<PathBuf>) = dropped
            .into_iter()
            .partition(|p| crate::tiles::is_tile_file(p));
        for f in tile_files {
            self.add_basemap_file(&ctx, f);
        }
        if !layers.is_empty() {
            self.open_files(&ctx, layers);
        }
        self.poll_loads(&ctx, now);
        self.poll_db();
        self.drive_windows(&ctx);
        self.drive_fills(&ctx);
        for problem in self.basemap.take_problems() {
            self.report(format!("Basemap: {problem}"));
        }
        self.check_recoveries();
        self.poll_saves();
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
        if self.offer_vietnamese {
            self.language_offer(ui);
        }
        if self.editing_layer().is_some() {
            egui::Panel::top("edit_toolbar").show(ui, |ui| self.edit_toolbar(ui));
        }
        egui::Panel::bottom("status").show(ui, |ui| {
            status_ui(
                ui,
                self.cursor,
                self.map.camera().zoom,
                &self.basemap.status(),
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
                                let tables = self.layer_tables();
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
                    vertex_menu: editing && tool == crate::editor::Tool::Vertices,
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
