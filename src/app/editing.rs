//! The boundary editor wired into the app: edit mode, map gestures per tool, keys, undo and redo,
//! saving, the recovery journal, files changed by another program, and asking before unsaved
//! work is closed.

use crate::ui::i18n::tr;
use std::collections::HashSet;
use std::path::PathBuf;

use egui::{Key, KeyboardShortcut, Modifiers, RichText, Ui};

use super::{Command, CorridorApp};
use crate::editor::{EditorState, Effect, MapInput, Tool};
use crate::geometry::measure::{geodesic_area_m2, geodesic_length_m};
use crate::geometry::validity::problems;
use crate::io::journal::{Journal, Recovery};
use crate::model::edit::{self, Change};
use crate::model::{FeatureId, LayerId, LayerIndex, LayerStatus};
use crate::render::LayerRender;
use crate::ui::edit_ui::{
    FormState, ToolbarAction, attribute_form_ui, edit_facts_ui, edit_toolbar_ui, paint_edit_overlay,
};
use crate::ui::map_ui::MapOutput;

/// Seconds between looks at the layers' files for changes made by other programs.
pub(super) const DISK_CHECK_EVERY: f64 = 2.0;

/// What happens once the user has answered the unsaved-changes question.
#[derive(Clone, Debug, PartialEq)]
pub enum AfterClose {
    Quit,
    RemoveLayer(LayerId),
}

/// The question asked before unsaved work would be closed. Layers are held by identity: they
/// may be moved or removed while it is open.
#[derive(Clone, Debug)]
pub struct ClosePrompt {
    pub layers: Vec<LayerId>,
    pub then: AfterClose,
}

/// Editing state the app keeps beside the editor's.
#[derive(Default)]
pub struct EditingState {
    pub editor: EditorState,
    /// The attribute form's text being typed.
    pub form: FormState,
    /// Open recovery journals, by the layer file they protect.
    pub(super) journals: Vec<(PathBuf, Journal)>,
    /// Journals found at start, waiting for the user's answer.
    pub recoveries: Vec<Recovery>,
    /// Layer files already checked for a journal.
    pub(super) checked: HashSet<PathBuf>,
    /// "Save layer as" is open for this layer with this path typed.
    pub save_as: Option<(LayerId, String)>,
    /// The coordinate system chosen there for an export (index into `CRS_CHOICES`; WGS 84
    /// when `None`).
    pub save_as_crs: Option<usize>,
    pub close_prompt: Option<ClosePrompt>,
    /// "Save all" was chosen: closing once the saves are confirmed (a table's save is
    /// confirmed by the server).
    pub closing: Option<AfterClose>,
    /// The user chose to quit without saving, or saved everything: let the window close.
    pub(super) quit_confirmed: bool,
    /// Layers whose file another program changed, waiting for "reload" or "keep mine".
    pub external: Vec<LayerId>,
    pub(super) last_disk_check: f64,
    /// The layer changed last, which undo acts on when no layer is in edit mode.
    pub last_edited: Option<LayerId>,
    /// Saves running in the background, one per layer at most.
    pub(super) saves: Vec<super::saving::SaveJob>,
    /// A layer with at least this many features saves in the background; a smaller one is
    /// written within the frame.
    pub background_save_from: usize,
}

impl EditingState {
    pub fn new() -> Self {
        Self {
            editor: EditorState::new(),
            background_save_from: super::saving::BACKGROUND_SAVE_FROM,
            ..Default::default()
        }
    }
}

impl CorridorApp {
    /// The layer in edit mode, if any.
    pub fn editing_layer(&self) -> Option<LayerIndex> {
        self.doc.index_of(self.editing.editor.layer?)
    }

    /// Journals of unsaved edits found at start, waiting for the user's answer.
    pub fn editing_recoveries(&self) -> &[Recovery] {
        &self.editing.recoveries
    }

    /// The editor's state (tool, snapping, drawing), for tests and the status bar.
    pub fn editor(&self) -> &EditorState {
        &self.editing.editor
    }

    /// Puts a layer in edit mode: the one given, else the selected feature's, else the first
    /// sub-area layer, else the top layer.
    pub fn start_editing(&mut self, layer: Option<LayerIndex>) {
        let loaded = |i: &LayerIndex| {
            self.doc
                .layers
                .get(*i)
                .is_some_and(|l| matches!(l.status, LayerStatus::Loaded))
        };
        let chosen = layer
            .filter(loaded)
            .or(self
                .selection()
                .and_then(|r| self.doc.index_of(r.layer))
                .filter(loaded))
            .or((0..self.doc.layers.len())
                .rev()
                .find(|i| loaded(i) && self.doc.layers[*i].subareas))
            .or((0..self.doc.layers.len()).rev().find(loaded))
            .map(|i| self.doc.layers[i].id);
        let e = &mut self.editing.editor;
        e.layer = chosen;
        e.drawing.clear();
        e.drag = None;
        e.vertex = None;
        e.message = chosen
            .is_none()
            .then(|| tr("There is no loaded layer to edit.").to_owned());
        if chosen.is_some() && self.selection().is_some_and(|r| Some(r.layer) != chosen) {
            self.select(None);
        }
    }

    pub fn stop_editing(&mut self) {
        self.cancel_drag();
        let e = &mut self.editing.editor;
        e.layer = None;
        e.drawing.clear();
        e.vertex = None;
        e.snap = None;
        e.message = None;
    }

    /// Whether any layer has unsaved changes.
    pub fn any_dirty(&self) -> bool {
        self.doc.layers.iter().any(|l| l.is_dirty())
    }

    /// Everything that follows a change to layer `li`: the journal, the render data, the
    /// selection, the search index and the panel's facts.
    pub(super) fn after_edit(&mut self, li: LayerIndex, label: &str, changes: &[Change]) {
        self.editing.editor.revision += 1;
        self.editing.last_edited = self.doc.layers.get(li).map(|l| l.id);
        self.editing.editor.message = None;
        self.journal(li, label, changes);
        let structural = changes
            .iter()
            .any(|c| c.before.is_some() != c.after.is_some());
        let lang = self.persisted.lang;
        if let (Some(layer), Some(render)) = (self.doc.layers.get(li), self.renders.get_mut(li)) {
            if structural {
                *render = LayerRender::build_in(layer, lang);
            } else {
                for c in changes {
                    if let Some(i) = layer.position(c.id) {
                        render.update_feature(layer, i, lang);
                    }
                }
            }
        }
        // The selection holds an id: it needs no following, only letting go when its feature
        // is gone.
        let selection = self.selection();
        if structural && selection.is_some_and(|r| self.doc.feature(r).is_none()) {
            self.editing.editor.vertex = None;
            self.select(None);
        } else {
            self.select(selection);
        }
        self.search_index = None;
    }

    /// Undoes the last edit of the layer being edited (or of the selected feature's layer).
    pub fn undo(&mut self) {
        self.step_history(false);
    }

    pub fn redo(&mut self) {
        self.step_history(true);
    }

    fn step_history(&mut self, forward: bool) {
        self.cancel_drag();
        let Some(li) = self.edit_target() else {
            return;
        };
        let layer = &mut self.doc.layers[li];
        let (verb, label) = if forward {
            (tr("Redo"), layer.history.redo_label())
        } else {
            (tr("Undo"), layer.history.undo_label())
        };
        let label = label.map_or_else(|| verb.to_owned(), |l| format!("{verb} {l}"));
        let changes = if forward { layer.redo() } else { layer.undo() };
        if let Some(changes) = changes {
            self.after_edit(li, &label, &changes);
        }
    }

    /// The layer undo, redo and save act on.
    pub(super) fn edit_target(&self) -> Option<LayerIndex> {
        let id = self
            .editing
            .editor
            .layer
            .or(self.selection().map(|r| r.layer))
            .or(self.editing.last_edited)?;
        self.doc.index_of(id)
    }

    fn cancel_drag(&mut self) {
        let effects = self.editing.editor.cancel_drag(&mut self.doc);
        self.apply_effects(effects);
    }

    /// Carries out what the editor's controller asked for: redraws, edits (journal, caches,
    /// selection), a new selection.
    fn apply_effects(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Redraw(li, i) => {
                    if let (Some(layer), Some(render)) =
                        (self.doc.layers.get(li), self.renders.get_mut(li))
                    {
                        render.update_feature(layer, i, self.persisted.lang);
                    }
                }
                Effect::Edited {
                    layer,
                    label,
                    changes,
                } => self.after_edit(layer, &label, &changes),
                Effect::Select(r) => self.select(r),
            }
        }
    }

    /// The selected feature of the layer being edited: the layer's place in draw order, the
    /// feature's id, and its place in the layer now.
    fn edited_feature(&self) -> Option<(LayerIndex, FeatureId, usize)> {
        self.editing.editor.edited(&self.doc, self.selection())
    }

    fn selected_parts(&self) -> Vec<edit::Part> {
        self.editing
            .editor
            .selected_parts(&self.doc, self.selection())
    }

    /// Whether a press on the map starts an editor drag (so the map must not pan).
    pub(super) fn pan_locked(&self, ui: &Ui) -> bool {
        let (Some(t), Some(origin), true) = (
            self.map.transform,
            ui.input(|i| i.pointer.press_origin()),
            ui.input(|i| i.pointer.primary_down()),
        ) else {
            return self.editing.editor.drag.is_some();
        };
        self.editing.editor.holds_press(
            &self.doc,
            &self.renders,
            self.selection(),
            t.world_from_screen(origin),
            1.0 / t.scale(),
        )
    }

    /// The map's pointer input while editing, handed to the editor's controller in world
    /// units. Returns whether the editor used it.
    pub(super) fn edit_map_input(&mut self, ui: &Ui, out: &MapOutput) -> bool {
        let Some(t) = self.map.transform else {
            return false;
        };
        let input = MapInput {
            pointer: out.pointer.map(|p| t.world_from_screen(p)),
            press: ui
                .input(|i| i.pointer.press_origin())
                .map(|p| t.world_from_screen(p)),
            primary_down: ui.input(|i| i.pointer.primary_down()),
            drag_started: out.drag_started,
            dragged: out.dragged,
            drag_stopped: out.drag_stopped,
            clicked: out.clicked.is_some(),
            double_clicked: out.double_clicked,
            delete_vertex_at: out.delete_vertex_at.map(|p| t.world_from_screen(p)),
            per_point: 1.0 / t.scale(),
        };
        let selection = self.selection();
        let (used, effects) =
            self.editing
                .editor
                .pointer(&mut self.doc, &self.renders, selection, &input);
        self.apply_effects(effects);
        used
    }

    /// Ends the shape being drawn and adds it as a new feature.
    pub fn finish_drawing(&mut self) {
        let per_point = self.map.transform.map_or(1.0, |t| 1.0 / t.scale());
        let effects = self.editing.editor.finish_drawing(&mut self.doc, per_point);
        self.apply_effects(effects);
    }

    /// Deletes the selected vertex, or the selected feature when no vertex is selected.
    pub fn delete_selected(&mut self) {
        let selection = self.selection();
        let effects = self
            .editing
            .editor
            .delete_selected(&mut self.doc, selection);
        self.apply_effects(effects);
    }

    /// Replaces a feature's record (from the attribute form) as one edit.
    fn replace_record(
        &mut self,
        li: LayerIndex,
        fi: FeatureId,
        after: geojson::Feature,
        label: &str,
    ) {
        match self.doc.layers[li].replace(fi, after, label) {
            Ok(change) if change.before != change.after => self.after_edit(li, label, &[change]),
            Ok(_) => {}
            Err(e) => self.editing.editor.message = Some(e.to_string()),
        }
    }

    /// Keys of the editor. Runs before the app's other keys; consumes what it uses.
    /// The editor's keys, as commands. Runs before the app's other keys; consumes what it
    /// uses.
    pub(super) fn edit_keys(&mut self, ui: &Ui) -> Vec<Command> {
        let mut commands = Vec::new();
        let typing = ui.ctx().egui_wants_keyboard_input();
        let shortcut =
            |mods, key| ui.input_mut(|i| i.consume_shortcut(&KeyboardShortcut::new(mods, key)));
        if shortcut(Modifiers::COMMAND, Key::S) {
            commands.push(Command::SaveLayer);
        }
        if !typing {
            if shortcut(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z)
                || shortcut(Modifiers::COMMAND, Key::Y)
            {
                commands.push(Command::Redo);
            }
            if shortcut(Modifiers::COMMAND, Key::Z) {
                commands.push(Command::Undo);
            }
        }
        if typing || ui.input(|i| i.modifiers.command || i.modifiers.alt) {
            return commands;
        }
        let key = |key| ui.input_mut(|i| i.consume_key(Modifiers::NONE, key));
        if key(Key::E) {
            commands.push(Command::ToggleEditing(None));
        }
        if self.editing.editor.layer.is_none() {
            return commands;
        }
        for (k, tool) in [
            (Key::V, Tool::Vertices),
            (Key::G, Tool::Move),
            (Key::P, Tool::DrawPolygon),
            (Key::L, Tool::DrawLine),
            (Key::O, Tool::DrawPoint),
        ] {
            if key(k) {
                commands.push(Command::Tool(tool));
            }
        }
        if key(Key::S) {
            commands.push(Command::ToggleSnapping);
        }
        if key(Key::Enter) {
            commands.push(Command::FinishDrawing);
        }
        if key(Key::Backspace) {
            commands.push(Command::DropLastPoint);
        }
        if key(Key::Delete) {
            commands.push(Command::DeleteSelected);
        }
        if ui.input(|i| i.key_pressed(Key::Escape)) {
            let e = &self.editing.editor;
            if e.drag.is_some() || !e.drawing.is_empty() || e.vertex.is_some() {
                // The editor's Escape: the app's (clearing the selection) waits for the next.
                ui.ctx()
                    .input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape));
                commands.push(Command::EditorEscape);
            }
        }
        commands
    }

    /// The editor's Escape: cancel the drag, else the shape being drawn, else the vertex
    /// selection.
    pub(super) fn editor_escape(&mut self) {
        if self.editing.editor.drag.is_some() {
            self.cancel_drag();
        } else if !self.editing.editor.drawing.is_empty() {
            self.editing.editor.drawing.clear();
        } else {
            self.editing.editor.vertex = None;
        }
    }

    /// The toolbar, shown under the menu while editing.
    pub(super) fn edit_toolbar(&mut self, ui: &mut Ui) {
        let Some(action) = edit_toolbar_ui(ui, &mut self.editing.editor, &self.doc.layers) else {
            return;
        };
        let command = match action {
            ToolbarAction::Tool(t) => Command::Tool(t),
            ToolbarAction::Layer(id) => Command::StartEditing(self.doc.index_of(id)),
            ToolbarAction::Undo => Command::Undo,
            ToolbarAction::Redo => Command::Redo,
            ToolbarAction::Save => Command::SaveLayer,
            ToolbarAction::SaveAs => Command::SaveLayerAs(self.editing_layer()),
            ToolbarAction::Stop => Command::StopEditing,
        };
        let now = ui.input(|i| i.time);
        self.run(&ui.ctx().clone(), command, now);
    }

    /// Problems and measures of the feature being edited, worked out again only when it changed,
    /// not each frame: a province-sized polygon costs milliseconds.
    fn refresh_edit_facts(&mut self) {
        let key = self
            .edited_feature()
            .map(|(_, id, _)| (id, self.editing.editor.revision));
        if key != self.editing.editor.problems_for {
            let geometry = self
                .edited_feature()
                .and_then(|(li, _, fi)| self.doc.layers[li].features().get(fi))
                .and_then(|f| f.geometry());
            self.editing.editor.problems = geometry.as_deref().map(problems).unwrap_or_default();
            self.editing.editor.measures = geometry
                .as_deref()
                .map(|g| [geodesic_area_m2(g), geodesic_length_m(g)]);
            self.editing.editor.problems_for = key;
        }
    }

    /// Handles, the shape being drawn, problems and the snap marker over the map.
    pub(super) fn edit_overlay(&mut self, ui: &Ui) {
        if self.editing.editor.layer.is_none() {
            return;
        }
        let Some(t) = self.map.transform else {
            return;
        };
        self.refresh_edit_facts();
        let parts = self.selected_parts();
        let painter = ui.painter().with_clip_rect(t.rect);
        let pointer = ui
            .input(|i| i.pointer.hover_pos())
            .filter(|p| t.rect.contains(*p));
        paint_edit_overlay(&painter, &t, &parts, &self.editing.editor, pointer);
    }

    /// The editing part of the feature panel: live area and perimeter, problems, the
    /// attribute form and "Delete feature".
    pub(super) fn edit_panel(&mut self, ui: &mut Ui) {
        let Some((li, id, fi)) = self.edited_feature() else {
            return;
        };
        self.refresh_edit_facts();
        let Some(feature) = self.doc.layers[li].features().get(fi) else {
            return;
        };
        ui.heading(tr("Edit feature"));
        let editor = &mut self.editing.editor;
        edit_facts_ui(ui, editor.measures, &editor.problems);
        ui.add_space(6.0);
        ui.label(RichText::new(tr("Attributes")).strong());
        let owner = (li, fi, editor.revision);
        let changed = attribute_form_ui(ui, &feature.record(), owner, &mut self.editing.form);
        ui.add_space(6.0);
        let delete = ui
            .button(tr("Delete feature"))
            .on_hover_text(tr(
                "Delete this feature (Delete key); Ctrl+Z brings it back",
            ))
            .clicked();
        ui.separator();
        if let Some((after, label)) = changed {
            self.replace_record(li, id, after, &label);
        }
        if delete {
            self.editing.editor.vertex = None;
            self.delete_selected();
        }
    }

    /// Windows of the editor: restore after a crash, save as, unsaved changes.
    pub(super) fn edit_windows(&mut self, ctx: &egui::Context) {
        self.recovery_window(ctx);
        self.save_as_window(ctx);
        self.close_window(ctx);
        self.closing_window(ctx);
    }
}

pub(super) fn human_age(d: std::time::Duration) -> String {
    let s = d.as_secs();
    if s < 90 {
        format!("{s} s")
    } else if s < 5400 {
        format!("{} min", s / 60)
    } else if s < 48 * 3600 {
        format!("{} h", s / 3600)
    } else {
        format!("{} days", s / 86400)
    }
}
