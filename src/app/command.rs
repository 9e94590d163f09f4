//! One command type for everything the user asks of the document and the view, whoever asks:
//! a menu, a key, the layers panel, the feature panel or the edit toolbar. Each of them turns
//! what was clicked or pressed into a [`Command`]; [`CorridorApp::run`] carries it out. So
//! "what does Ctrl+S do" and "what does File → Save layer do" have one answer, in one place.

use std::path::PathBuf;

use super::*;

use super::CorridorApp;
use crate::editor::Tool;
use crate::geometry::{Camera, MercatorBox, mercator_from_lonlat};
use crate::model::{FeatureRef, Lang, LayerIndex};

/// Something the user asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    // Files.
    OpenDialog,
    OpenFiles(Vec<PathBuf>),
    AddPostgisLayer,
    /// Save the layer being edited (or the selected feature's, or the last edited).
    SaveLayer,
    /// "Save layer as" for this layer, or the current one.
    SaveLayerAs(Option<LayerIndex>),
    SaveProject,
    // Editing.
    /// Edit mode on for this layer (or the best guess), or off when it is on already.
    ToggleEditing(Option<LayerIndex>),
    /// Edit mode on for this layer (switching from another).
    StartEditing(Option<LayerIndex>),
    StopEditing,
    Tool(Tool),
    ToggleSnapping,
    /// Take back the last point of the shape being drawn.
    DropLastPoint,
    /// Escape while editing: cancel the drag, the drawing or the vertex selection.
    EditorEscape,
    Undo,
    Redo,
    DeleteSelected,
    FinishDrawing,
    // The selection and the view.
    Select(Option<FeatureRef>),
    SelectAndFly(FeatureRef),
    /// Fly to the selected feature.
    ZoomToSelected,
    /// Mark a searched position with a pin and fly there.
    ShowPosition([f64; 2]),
    FlyHome,
    ZoomToAll,
    ZoomToLayer(LayerIndex),
    /// Zoom in (+1) or out (−1) one level.
    ZoomBy(f64),
    /// Escape: leave measuring, else clear the selection and the pin.
    Escape,
    // Layers.
    OpenTable(LayerIndex),
    OpenStyle(LayerIndex),
    RemoveLayer(LayerIndex),
    MoveLayer {
        from: LayerIndex,
        to: LayerIndex,
    },
    // Tools, windows, the story.
    ToggleMeasure,
    FocusSearch,
    ShowProblems,
    ToggleHelp,
    ShowAbout,
    Present {
        from: usize,
    },
    StopPresenting,
    NextSlide,
    PreviousSlide,
    LastSlide,
    GoToSlide(usize),
    /// Blank the screen while presenting, or bring the map back.
    ToggleBlank,
    /// White the presentation's screen out, or show it again (`W`).
    ToggleWhite,
    EditStory,
    ExportView {
        scale: f32,
    },
    ExportSlides,
    Language(Lang),
}

impl CorridorApp {
    /// Carries out a command. One arm per command, each a line or a few: the work is in the
    /// methods they call.
    pub fn run(&mut self, ctx: &egui::Context, command: Command, now: f64) {
        match command {
            Command::OpenDialog => self.open_dialog(ctx),
            Command::OpenFiles(paths) => self.open_files(ctx, paths),
            Command::AddPostgisLayer => {
                self.db
                    .add
                    .get_or_insert_with(super::postgis::AddForm::default);
            }
            Command::SaveLayer => self.save_current(),
            Command::SaveLayerAs(layer) => {
                if let Some(li) = layer.or_else(|| self.current_layer()) {
                    self.open_save_as(li);
                }
            }
            Command::SaveProject => {
                let _ = self.save_project_ui();
            }
            Command::ToggleEditing(layer) => {
                if self.editing_layer().is_some()
                    && (layer.is_none() || layer == self.editing_layer())
                {
                    self.stop_editing();
                } else {
                    self.start_editing(layer);
                }
            }
            Command::StartEditing(layer) => self.start_editing(layer),
            Command::StopEditing => self.stop_editing(),
            Command::Tool(tool) => {
                self.editing.editor.tool = tool;
                self.editing.editor.drawing.clear();
            }
            Command::ToggleSnapping => self.editing.editor.snapping = !self.editing.editor.snapping,
            Command::DropLastPoint => {
                self.editing.editor.drawing.pop();
            }
            Command::EditorEscape => self.editor_escape(),
            Command::Undo => self.undo(),
            Command::Redo => self.redo(),
            Command::DeleteSelected => self.delete_selected(),
            Command::FinishDrawing => self.finish_drawing(),
            Command::Select(r) => self.select(r),
            Command::SelectAndFly(r) => {
                self.pin = None;
                self.select_and_fly(r, now);
            }
            Command::ZoomToSelected => {
                if let Some(r) = self.selection() {
                    self.select_and_fly(r, now);
                }
            }
            Command::ShowPosition([lon, lat]) => {
                self.pin = Some([lon, lat]);
                let zoom = self.map.camera().zoom.max(14.0);
                self.map.fly_to(
                    Camera {
                        center: mercator_from_lonlat(lon, lat),
                        zoom,
                    },
                    now,
                );
            }
            Command::FlyHome => self.fly_home(now),
            Command::ZoomToAll => {
                let extent = self
                    .renders
                    .iter()
                    .map(|r| r.extent)
                    .fold(MercatorBox::EMPTY, |a, b| a.union(&b));
                if !extent.is_empty() {
                    self.map.fly_to_box(extent, now);
                }
            }
            Command::ZoomToLayer(li) => {
                if let Some(r) = self.renders.get(li)
                    && !r.extent.is_empty()
                {
                    self.map.fly_to_box(r.extent, now);
                }
            }
            Command::ZoomBy(step) => {
                let mut camera = self.map.camera();
                camera.zoom = (camera.zoom + step).clamp(1.0, 19.0);
                self.map.fly_to(camera, now);
            }
            Command::Escape => {
                if self.measure.active && !self.measure.points.is_empty() {
                    self.measure.clear();
                } else if self.measure.active {
                    self.measure.active = false;
                } else {
                    self.select(None);
                    self.pin = None;
                }
            }
            Command::OpenTable(li) => self.open_table(li),
            Command::OpenStyle(li) => self.open_style(li),
            Command::RemoveLayer(li) => self.remove_layer(li),
            Command::MoveLayer { from, to } => self.move_layer(from, to),
            Command::ToggleMeasure => {
                self.measure.active = !self.measure.active;
                self.measure.clear();
            }
            Command::FocusSearch => self.search.focus(),
            Command::ShowProblems => self.show_problems = true,
            Command::ToggleHelp => self.show_help = !self.show_help,
            Command::ShowAbout => self.show_about = true,
            Command::Present { from } => self.start_presenting(ctx, from, now),
            Command::StopPresenting => self.stop_presenting(ctx),
            Command::NextSlide => {
                let last = self.slide_count().saturating_sub(1);
                self.go_to_slide((self.presenter.slide + 1).min(last), now, true);
            }
            Command::PreviousSlide => {
                self.go_to_slide(self.presenter.slide.saturating_sub(1), now, true)
            }
            Command::LastSlide => self.go_to_slide(self.slide_count().saturating_sub(1), now, true),
            Command::GoToSlide(i) => self.go_to_slide(i, now, true),
            Command::ToggleBlank => {
                self.presenter.blank = !self.presenter.blank;
                self.presenter.white = false;
            }
            Command::ToggleWhite => {
                self.presenter.white = !self.presenter.white;
                self.presenter.blank = false;
            }
            Command::EditStory => self.story_editor.open = true,
            Command::ExportView { scale } => self.export_view(scale),
            Command::ExportSlides => self.export_slides(),
            Command::Language(lang) => self.set_language(lang),
        }
    }

    /// The layer that layer commands without a layer act on: the one being edited, else the
    /// selected feature's.
    fn current_layer(&self) -> Option<LayerIndex> {
        self.editing_layer()
            .or(self.selection().and_then(|r| self.doc.index_of(r.layer)))
    }
}

impl From<crate::ui::layers_ui::LayerAction> for Command {
    fn from(action: crate::ui::layers_ui::LayerAction) -> Self {
        use crate::ui::layers_ui::LayerAction as A;
        match action {
            A::OpenTable(i) => Command::OpenTable(i),
            A::OpenStyle(i) => Command::OpenStyle(i),
            A::Edit(i) => Command::ToggleEditing(Some(i)),
            A::ZoomTo(i) => Command::ZoomToLayer(i),
            A::SaveAs(i) => Command::SaveLayerAs(Some(i)),
            A::Remove(i) => Command::RemoveLayer(i),
            A::Move { from, to } => Command::MoveLayer { from, to },
        }
    }
}

/// What the layer commands do.
impl CorridorApp {
    pub(super) fn open_table(&mut self, li: LayerIndex) {
        if let Some(layer) = self.doc.layers.get(li).map(|l| l.id)
            && !self.tables.iter().any(|t| t.layer == layer)
        {
            self.tables.push(TableState::new(layer));
        }
    }

    pub(super) fn open_style(&mut self, li: LayerIndex) {
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
    pub(super) fn layers_moved(&mut self) {
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
}
