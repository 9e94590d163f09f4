//! The boundary editor wired into the app: edit mode, map gestures per tool, keys, undo and redo,
//! saving, the recovery journal, files changed by another program, and asking before unsaved
//! work is closed.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use egui::{Key, KeyboardShortcut, Modifiers, RichText, Ui};

use super::{Command, CorridorApp};
use crate::editor::{EditorState, Effect, MapInput, Tool};
use crate::geometry::measure::{geodesic_area_m2, geodesic_length_m};
use crate::geometry::validity::problems;
use crate::io::journal::{Journal, Recovery, find_recovery};
use crate::io::{read_geojson, save_geojson, stamp_of};
use crate::model::edit::{self, Change};
use crate::model::{FeatureId, LayerId, LayerIndex, LayerSource, LayerStatus};
use crate::render::LayerRender;
use crate::ui::edit_ui::{
    FormState, ToolbarAction, attribute_form_ui, edit_facts_ui, edit_toolbar_ui, paint_edit_overlay,
};
use crate::ui::map_ui::MapOutput;

/// Seconds between looks at the layers' files for changes made by other programs.
const DISK_CHECK_EVERY: f64 = 2.0;

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
    journals: Vec<(PathBuf, Journal)>,
    /// Journals found at start, waiting for the user's answer.
    pub recoveries: Vec<Recovery>,
    /// Layer files already checked for a journal.
    checked: HashSet<PathBuf>,
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
    quit_confirmed: bool,
    /// Layers whose file another program changed, waiting for "reload" or "keep mine".
    pub external: Vec<LayerId>,
    last_disk_check: f64,
    /// The layer changed last, which undo acts on when no layer is in edit mode.
    pub last_edited: Option<LayerId>,
}

impl EditingState {
    pub fn new() -> Self {
        Self {
            editor: EditorState::new(),
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
            .then(|| "There is no loaded layer to edit.".to_owned());
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

    /// Where recovery journals are kept.
    pub(super) fn recovery_dir(&self) -> Option<PathBuf> {
        self.data_dir
            .as_ref()
            .map(|d| d.join("recovery"))
            .or_else(|| {
                directories::ProjectDirs::from("vn", "Corridor", "corridor")
                    .map(|d| d.data_dir().join("recovery"))
            })
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

    /// Writes applied changes to the layer's recovery journal (starting one if needed); a clean
    /// layer needs none.
    fn journal(&mut self, li: LayerIndex, label: &str, changes: &[Change]) {
        let Some(layer) = self.doc.layers.get(li) else {
            return;
        };
        let source = layer.journal_key();
        if !layer.is_dirty() {
            self.drop_journal(&source);
            return;
        }
        let at = self.editing.journals.iter().position(|(p, _)| *p == source);
        let at = match at {
            Some(i) => i,
            None => {
                let Some(dir) = self.recovery_dir() else {
                    return;
                };
                match Journal::create(&dir, &source, layer.stamp) {
                    Ok(j) => {
                        self.editing.journals.push((source.clone(), j));
                        // Everything between the file and now, so the journal alone restores
                        // it: usually just this edit; the whole layer when the history cannot
                        // say (the file was replaced under us).
                        let written = match layer.history.changes_since_saved() {
                            Some(changes) => self
                                .editing
                                .journals
                                .last_mut()
                                .map(|(_, j)| j.append(label, &changes)),
                            None => {
                                let records: Vec<(FeatureId, geojson::Feature)> = layer
                                    .features()
                                    .iter()
                                    .map(|f| (f.id(), f.record().into_owned()))
                                    .collect();
                                self.editing
                                    .journals
                                    .last_mut()
                                    .map(|(_, j)| j.append_snapshot(&records))
                            }
                        };
                        if let Some(Err(e)) = written {
                            self.journal_failed(&e);
                        }
                        return;
                    }
                    Err(e) => {
                        self.journal_failed(&e);
                        return;
                    }
                }
            }
        };
        if let Err(e) = self.editing.journals[at].1.append(label, changes) {
            self.journal_failed(&e);
        }
    }

    fn journal_failed(&mut self, e: &std::io::Error) {
        let text = format!(
            "Edits cannot be written to the recovery journal ({e}); they are kept in memory. \
             Save soon."
        );
        if !self.notices.contains(&text) {
            self.notices.push(text);
        }
    }

    pub(super) fn drop_journal(&mut self, source: &Path) {
        if let Some(i) = self.editing.journals.iter().position(|(p, _)| p == source) {
            let (_, j) = self.editing.journals.remove(i);
            j.remove();
        }
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
            ("Redo", layer.history.redo_label())
        } else {
            ("Undo", layer.history.undo_label())
        };
        let label = label.map_or_else(|| verb.to_owned(), |l| format!("{verb} {l}"));
        let changes = if forward { layer.redo() } else { layer.undo() };
        if let Some(changes) = changes {
            self.after_edit(li, &label, &changes);
        }
    }

    /// The layer undo, redo and save act on.
    fn edit_target(&self) -> Option<LayerIndex> {
        let id = self
            .editing
            .editor
            .layer
            .or(self.selection().map(|r| r.layer))
            .or(self.editing.last_edited)?;
        self.doc.index_of(id)
    }

    /// Saves a layer to its file (or to `to`). On failure the message is shown and nothing on
    /// disk changed; the edits stay in memory and in the journal.
    pub fn save_layer(&mut self, li: LayerIndex, to: Option<PathBuf>) -> Result<(), String> {
        let Some(layer) = self.doc.layers.get(li) else {
            return Err("No such layer".to_owned());
        };
        if let Some(e) = layer.error() {
            return Err(format!(
                "{} was not loaded, so it cannot be saved: {e}",
                layer.name
            ));
        }
        if self.is_db_layer(li) {
            let Some(to) = to else {
                return self.save_db_layer(li);
            };
            // A copy of a table's layer, as a file; the layer stays the table's.
            return match save_geojson(layer, &to) {
                Ok(_) => {
                    self.info = Some(format!("Saved a copy as {}", to.display()));
                    Ok(())
                }
                Err(e) => {
                    let text = e.to_string();
                    self.notices.push(text.clone());
                    Err(text)
                }
            };
        }
        let file = layer.source.path();
        if to.is_none() && file.is_some_and(crate::io::ogr_file::is_ogr_path) {
            // Never written into: ask where the GeoJSON goes.
            let text = format!(
                "{} is a {} file, which Corridor never writes into: choose where to save the \
                 layer as GeoJSON (or export it as a Shapefile or GeoPackage) in “Save layer as”.",
                layer.name,
                file.and_then(crate::io::ogr_file::driver_for)
                    .unwrap_or("GIS")
            );
            self.open_save_as(li);
            self.info = Some(text.clone());
            return Err(text);
        }
        if let Some(to) = &to
            && crate::io::ogr_file::driver_for(to).is_some_and(|d| d != "GeoJSON")
        {
            return self.export_layer(li, to);
        }
        let Some(target) = to.or_else(|| file.map(Path::to_owned)) else {
            let text = format!(
                "{} has not been saved yet: choose where in “Save layer as”.",
                layer.name
            );
            self.open_save_as(li);
            self.info = Some(text.clone());
            return Err(text);
        };
        let same_file = Some(target.as_path()) == file;
        if same_file {
            if self.editing.external.contains(&layer.id) {
                let text = format!(
                    "{} was changed by another program: choose “Reload” or “Keep mine” first.",
                    layer.source.display()
                );
                self.notices.push(text.clone());
                return Err(text);
            }
            // Another program may have written it since the last look.
            if let Some(known) = layer.stamp
                && stamp_of(&target).is_none_or(|now| !now.same_contents(&known))
            {
                self.editing.external.push(layer.id);
                let text = format!(
                    "{} was changed by another program since it was opened: not saved.",
                    layer.source.display()
                );
                self.notices.push(text.clone());
                return Err(text);
            }
        }
        match save_geojson(layer, &target) {
            Ok(stamp) => {
                let old_source = layer.journal_key();
                let name = target
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let layer = &mut self.doc.layers[li];
                layer.stamp = Some(stamp);
                layer.source = LayerSource::File(target.clone());
                // Now a GeoJSON file of its own.
                layer.read = None;
                layer.history.mark_saved();
                self.drop_journal(&old_source);
                self.editing.checked.insert(target.clone());
                self.notices.retain(|n| !n.contains("cannot save"));
                self.info = Some(format!("Saved {name}"));
                log::info!("saved {}", target.display());
                Ok(())
            }
            Err(e) => {
                let text = e.to_string();
                self.notices.push(text.clone());
                Err(text)
            }
        }
    }

    /// Saves the layer undo acts on, or every layer with unsaved changes.
    pub fn save_current(&mut self) {
        let targets: Vec<LayerIndex> = match self.edit_target() {
            Some(li) => vec![li],
            None => (0..self.doc.layers.len())
                .filter(|&i| self.doc.layers[i].is_dirty())
                .collect(),
        };
        for li in targets {
            let _ = self.save_layer(li, None);
        }
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
        ui.heading("Edit feature");
        let editor = &mut self.editing.editor;
        edit_facts_ui(ui, editor.measures, &editor.problems);
        ui.add_space(6.0);
        ui.label(RichText::new("Attributes").strong());
        let owner = (li, fi, editor.revision);
        let changed = attribute_form_ui(ui, &feature.record(), owner, &mut self.editing.form);
        ui.add_space(6.0);
        let delete = ui
            .button("Delete feature")
            .on_hover_text("Delete this feature (Delete key); Ctrl+Z brings it back")
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

    /// Looks for journals left by a crash for layers not yet checked.
    pub(super) fn check_recoveries(&mut self) {
        let Some(dir) = self.recovery_dir() else {
            return;
        };
        let sources: Vec<PathBuf> = self
            .doc
            .layers
            .iter()
            .filter(|l| matches!(l.status, LayerStatus::Loaded))
            // A table's journal waits until the table has been read.
            .filter(|l| {
                l.source.table().is_none() || self.db.links.iter().any(|k| k.source == l.source)
            })
            .map(crate::model::Layer::journal_key)
            .filter(|s| !self.editing.checked.contains(s))
            .collect();
        for source in sources {
            self.editing.checked.insert(source.clone());
            if self.editing.journals.iter().any(|(p, _)| *p == source) {
                continue;
            }
            match find_recovery(&dir, &source) {
                Some(Ok(r)) => self.editing.recoveries.push(r),
                Some(Err(e)) => self.notices.push(e),
                None => {}
            }
        }
    }

    /// Restores the edits of a recovery journal into its layer.
    pub fn restore_recovery(&mut self, index: usize) -> Result<(), String> {
        if index >= self.editing.recoveries.len() {
            return Err("No such recovery".to_owned());
        }
        let r = self.editing.recoveries.remove(index);
        let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned());
        let Some(li) = self
            .doc
            .layers
            .iter()
            .position(|l| canonical(&l.journal_key()) == canonical(&r.source))
        else {
            return Err(format!("{} is not open", r.source.display()));
        };
        let mut changes = r.changes_for(&self.doc.layers[li]);
        if self.is_db_layer(li) {
            // Others may have added or deleted rows since: find each changed feature by its row.
            changes = crate::db::sync::rebase_by_row(&self.doc.layers[li], changes);
        }
        match self.doc.layers[li].commit("Recovered edits", changes.clone()) {
            Ok(()) => {
                self.after_edit(li, "Recovered edits", &changes);
                self.info = Some(format!(
                    "Restored {} unsaved edits to {}",
                    r.entries.len(),
                    self.doc.layers[li].name
                ));
                Ok(())
            }
            Err(e) => {
                let text = format!(
                    "The edits to {} could not be restored ({e}); the journal is kept at {}.",
                    r.source.display(),
                    r.journal.display()
                );
                self.notices.push(text.clone());
                Err(text)
            }
        }
    }

    /// Deletes a recovery journal at the user's word.
    pub fn discard_recovery(&mut self, index: usize) {
        if index < self.editing.recoveries.len() {
            let r = self.editing.recoveries.remove(index);
            let _ = std::fs::remove_file(&r.journal);
        }
    }

    /// Every few seconds: has another program changed a layer's file?
    pub(super) fn check_external_changes(&mut self, now: f64, ctx: &egui::Context) {
        if now - self.editing.last_disk_check < DISK_CHECK_EVERY {
            return;
        }
        self.editing.last_disk_check = now;
        ctx.request_repaint_after(std::time::Duration::from_secs_f64(DISK_CHECK_EVERY));
        self.look_at_disk();
    }

    /// Compares every layer's file with what we last read or wrote.
    pub fn look_at_disk(&mut self) {
        for li in 0..self.doc.layers.len() {
            let layer = &self.doc.layers[li];
            if self.editing.external.contains(&layer.id) {
                continue;
            }
            let (Some(known), Some(path)) = (layer.stamp, layer.source.path()) else {
                continue;
            };
            let meta = std::fs::metadata(path).ok();
            let unchanged = meta
                .as_ref()
                .is_some_and(|m| m.len() == known.len && m.modified().ok() == known.modified);
            if unchanged {
                continue;
            }
            match stamp_of(path) {
                Some(now) if now.same_contents(&known) => {
                    self.doc.layers[li].stamp = Some(now);
                }
                _ => self.editing.external.push(layer.id),
            }
        }
    }

    /// Reads a layer's file again, dropping its unsaved edits and history.
    pub fn reload_layer(&mut self, li: LayerIndex) {
        let Some(layer) = self.doc.layers.get(li) else {
            return;
        };
        let id = layer.id;
        self.editing.external.retain(|&l| l != id);
        let Some(source) = layer.source.path().map(Path::to_owned) else {
            return;
        };
        match read_geojson(&source) {
            Ok(parsed) => {
                let old = &self.doc.layers[li];
                let mut fresh =
                    parsed.into_layer(old.name.clone(), source.clone(), old.style.clone());
                // The same layer, read again: windows holding it still find it.
                fresh.id = old.id;
                fresh.visible = old.visible;
                fresh.opacity = old.opacity;
                fresh.subareas = old.subareas;
                fresh.admin_units = old.admin_units;
                fresh.attribution = old.attribution.clone();
                self.doc.layers[li] = fresh;
                self.drop_journal(&source);
                self.renders[li] = LayerRender::build_in(&self.doc.layers[li], self.persisted.lang);
                if self.selection().is_some_and(|r| r.layer == id) {
                    self.select(None);
                }
                self.editing.editor.drag = None;
                self.editing.editor.vertex = None;
                self.editing.editor.revision += 1;
                self.search_index = None;
                self.info = Some(format!("Reloaded {}", source.display()));
            }
            Err(e) => self.notices.push(e.to_string()),
        }
    }

    /// Keeps our version of a layer another program changed; the next save overwrites theirs.
    pub fn keep_ours(&mut self, li: LayerIndex) {
        if let Some(layer) = self.doc.layers.get_mut(li) {
            let id = layer.id;
            self.editing.external.retain(|&l| l != id);
            layer.stamp = layer.source.path().and_then(stamp_of);
            layer.history.mark_unsaved();
            // The journal's base is now the other program's file: start it again from there.
            let source = layer.journal_key();
            self.drop_journal(&source);
            self.journal(li, "Keep mine", &[]);
        }
    }

    /// Banners for files changed on disk.
    pub(super) fn external_banner_ui(&mut self, ui: &mut Ui) {
        let mut action: Option<(LayerIndex, bool)> = None;
        for &id in &self.editing.external {
            let Some(li) = self.doc.index_of(id) else {
                continue;
            };
            let layer = &self.doc.layers[li];
            egui::Frame::new()
                .fill(egui::Color32::from_rgb(0xff, 0xf4, 0xe5))
                .inner_margin(6.0)
                .show(ui, |ui| {
                    ui.horizontal_wrapped(|ui| {
                        let gone = !layer.source.path().is_some_and(Path::exists);
                        ui.label(
                            RichText::new(format!(
                                "⚠ {} was {} by another program.",
                                layer.source.display(),
                                if gone { "deleted or moved" } else { "changed" }
                            ))
                            .color(egui::Color32::from_rgb(0x7a, 0x4b, 0x00)),
                        );
                        if !gone {
                            let reload = if layer.is_dirty() {
                                "Reload from disk (drops my unsaved edits)"
                            } else {
                                "Reload from disk"
                            };
                            if ui.button(reload).clicked() {
                                action = Some((li, true));
                            }
                        }
                        if ui
                            .button("Keep mine")
                            .on_hover_text(
                                "Keep this version; saving will replace the file on disk",
                            )
                            .clicked()
                        {
                            action = Some((li, false));
                        }
                    });
                });
        }
        match action {
            Some((li, true)) => self.reload_layer(li),
            Some((li, false)) => self.keep_ours(li),
            None => {}
        }
    }

    /// Asks before closing the window with unsaved edits; waits for saves still in flight.
    pub(super) fn intercept_close(&mut self, ctx: &egui::Context) {
        if !ctx.input(|i| i.viewport().close_requested()) || self.editing.quit_confirmed {
            return;
        }
        let dirty: Vec<LayerId> = self
            .doc
            .layers
            .iter()
            .filter(|l| l.is_dirty())
            .map(|l| l.id)
            .collect();
        if !dirty.is_empty() || !self.unsaved_project().is_empty() {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.editing.close_prompt = Some(ClosePrompt {
                layers: dirty,
                then: AfterClose::Quit,
            });
        } else if self.saves_pending() {
            // Saved, but the server has not confirmed it yet: close once it has.
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.editing.closing = Some(AfterClose::Quit);
        } else {
            // Nothing unsaved and nothing in flight: the window closes.
            self.editing.quit_confirmed = true;
        }
    }

    /// Whether a save is still waiting for its confirmation: a table's save in flight or queued
    /// for the connection's return.
    fn saves_pending(&self) -> bool {
        self.db
            .links
            .iter()
            .any(|l| l.sync.is_saving() || l.sync.save_queued)
    }

    /// Closes as `then` says once every save is confirmed; a conflict or an outage on the way
    /// out keeps everything open and says so.
    fn close_when_saved(&mut self, ctx: &egui::Context, then: AfterClose) {
        self.editing.closing = Some(then);
        self.check_closing(ctx);
    }

    /// Each frame while closing waits for saves: close, keep waiting, or give up and say why.
    pub(super) fn check_closing(&mut self, ctx: &egui::Context) {
        let Some(then) = self.editing.closing.clone() else {
            return;
        };
        let why_not = if self.db.links.iter().any(|l| !l.sync.conflicts().is_empty()) {
            Some(
                "Not closed: someone else saved the same zone first. Choose in the Conflicts \
                 window, then close again."
                    .to_owned(),
            )
        } else if let Some(lost) = self.db.links.iter().find_map(|l| l.lost.clone()) {
            Some(format!(
                "Not closed: the server did not confirm the save ({lost}). The edits are kept \
                 and journalled; close again once it is back, or close without saving."
            ))
        } else if !self.saves_pending() && self.doc.layers.iter().any(|l| l.is_dirty()) {
            Some("Not closed: a save did not complete (see the message above).".to_owned())
        } else {
            None
        };
        if let Some(text) = why_not {
            self.editing.closing = None;
            if !self.notices.contains(&text) {
                self.notices.push(text);
            }
            return;
        }
        if self.saves_pending() {
            ctx.request_repaint_after(std::time::Duration::from_millis(50));
            return;
        }
        self.editing.closing = None;
        self.finish_close(ctx, &then);
    }

    /// Whether the window waits for saves to be confirmed before it closes.
    pub fn closing_after_saves(&self) -> bool {
        self.editing.closing.is_some()
    }

    /// Whether the user chose to quit and nothing is left to ask or wait for.
    pub fn quit_confirmed(&self) -> bool {
        self.editing.quit_confirmed
    }

    /// Removes a layer, asking first if it has unsaved edits.
    pub(super) fn remove_layer_asking(&mut self, li: LayerIndex) -> bool {
        if let Some(l) = self.doc.layers.get(li)
            && l.is_dirty()
        {
            self.editing.close_prompt = Some(ClosePrompt {
                layers: vec![l.id],
                then: AfterClose::RemoveLayer(l.id),
            });
            return false;
        }
        true
    }

    /// Windows of the editor: restore after a crash, save as, unsaved changes.
    pub(super) fn edit_windows(&mut self, ctx: &egui::Context) {
        self.recovery_window(ctx);
        self.save_as_window(ctx);
        self.close_window(ctx);
        self.closing_window(ctx);
    }

    fn recovery_window(&mut self, ctx: &egui::Context) {
        let Some(r) = self.editing.recoveries.first() else {
            return;
        };
        let current = self
            .doc
            .layers
            .iter()
            .find(|l| {
                let key = l.source.key();
                std::fs::canonicalize(&key).unwrap_or(key) == r.source
            })
            .and_then(|l| l.stamp);
        let matches = r.matches(current.as_ref());
        let when = r
            .modified
            .and_then(|m| m.elapsed().ok())
            .map(|d| format!(" (last edit {} ago)", human_age(d)))
            .unwrap_or_default();
        let mut choice = None;
        egui::Window::new("Restore unsaved edits?")
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
            .show(ctx, |ui| {
                ui.label(format!(
                    "Corridor closed before {} edit{} to {} were saved{when}.",
                    r.entries.len(),
                    if r.entries.len() == 1 { "" } else { "s" },
                    r.source.display()
                ));
                if !matches {
                    ui.label(
                        RichText::new(
                            "The file has changed since these edits were made; restoring them \
                             may put them in the wrong places. Check the result before saving.",
                        )
                        .color(ui.visuals().warn_fg_color),
                    );
                }
                ui.horizontal(|ui| {
                    let restore = if matches {
                        "Restore edits"
                    } else {
                        "Restore anyway"
                    };
                    if ui.button(restore).clicked() {
                        choice = Some(true);
                    }
                    if ui.button("Discard edits").clicked() {
                        choice = Some(false);
                    }
                });
            });
        match choice {
            Some(true) => {
                let _ = self.restore_recovery(0);
            }
            Some(false) => self.discard_recovery(0),
            None => {}
        }
    }

    /// Opens "Save layer as" for a layer: its own file, or, for a file Corridor never writes
    /// into, a GeoJSON file beside it.
    pub(super) fn open_save_as(&mut self, li: LayerIndex) {
        let Some(layer) = self.doc.layers.get(li) else {
            return;
        };
        let path = match &layer.source {
            LayerSource::File(file) if crate::io::ogr_file::is_ogr_path(file) => {
                let stem = match layer.read.as_ref().and_then(|r| r.table.as_ref()) {
                    Some(table) => table.clone(),
                    None => file
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_else(|| "layer".to_owned()),
                };
                file.with_file_name(format!("{stem}.geojson"))
            }
            LayerSource::File(file) => file.clone(),
            LayerSource::Table(t) => PathBuf::from(format!("{}.geojson", t.table)),
            LayerSource::New => PathBuf::from(format!("{}.geojson", layer.name)),
        };
        self.editing.save_as = Some((layer.id, path.display().to_string()));
    }

    /// Writes a copy of a layer as a Shapefile, GeoPackage, FlatGeobuf, MapInfo or KML file, in
    /// the coordinate system chosen in "Save layer as"; the layer keeps saving where it did.
    fn export_layer(&mut self, li: LayerIndex, to: &Path) -> Result<(), String> {
        let Some(layer) = self.doc.layers.get(li) else {
            return Err("No such layer".to_owned());
        };
        if layer.source.path() == Some(to) {
            let text = format!(
                "{}: this is the file the layer was read from; Corridor never writes into it. \
                 Choose another name.",
                to.display()
            );
            self.notices.push(text.clone());
            return Err(text);
        }
        let records: Vec<geojson::Feature> = layer
            .features()
            .iter()
            .map(|f| {
                let mut r = f.record().into_owned();
                crate::db::rows::strip_row(&mut r);
                r
            })
            .collect();
        let crs = self
            .editing
            .save_as_crs
            .and_then(|i| crate::io::ogr_file::CRS_CHOICES.get(i))
            .map(|(code, _)| format!("EPSG:{code}"));
        match crate::io::ogr_file::write_ogr(&records, to, crs.as_deref(), None) {
            Ok(report) => {
                let mut text = format!(
                    "Exported {} features to {} ({}, {}); the layer still saves to {}",
                    report.features,
                    to.display(),
                    report.driver,
                    report.crs,
                    layer.source.display()
                );
                if !report.renamed.is_empty() {
                    let renamed: Vec<String> = report
                        .renamed
                        .iter()
                        .map(|(a, b)| format!("{a} → {b}"))
                        .collect();
                    text.push_str(&format!(
                        "; fields renamed by the format: {}",
                        renamed.join(", ")
                    ));
                }
                log::info!("{text}");
                self.info = Some(text);
                Ok(())
            }
            Err(e) => {
                let text = e.to_string();
                self.notices.push(text.clone());
                Err(text)
            }
        }
    }

    fn save_as_window(&mut self, ctx: &egui::Context) {
        let Some((id, mut path)) = self.editing.save_as.take() else {
            return;
        };
        // The layer may have moved, or gone, since the window opened.
        let Some(li) = self.doc.index_of(id) else {
            return;
        };
        let mut open = true;
        let mut save = false;
        egui::Window::new("Save layer as")
            .open(&mut open)
            .collapsible(false)
            .show(ctx, |ui| {
                let label = ui.label("File:");
                let r = ui.add(egui::TextEdit::singleline(&mut path).desired_width(420.0));
                let r = r.labelled_by(label.id);
                if r.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
                    save = true;
                }
                let target = Path::new(path.trim());
                let driver = crate::io::ogr_file::driver_for(target);
                let export = driver.is_some_and(|d| d != "GeoJSON");
                ui.horizontal(|ui| {
                    ui.label("Format:");
                    ui.strong(match driver {
                        Some("GeoJSON") | None => "GeoJSON",
                        Some("ESRI Shapefile") => "Shapefile",
                        Some("GPKG") => "GeoPackage",
                        Some("MapInfo File") => "MapInfo",
                        Some(other) => other,
                    });
                    ui.label(
                        RichText::new(
                            "(by the file's ending: .geojson, .gpkg, .shp, .fgb, .tab, .kml)",
                        )
                        .small()
                        .color(crate::ui::MUTED),
                    );
                });
                ui.add_enabled_ui(export, |ui| {
                    ui.horizontal(|ui| {
                        let label = ui.label("Coordinate system:");
                        let choices = crate::io::ogr_file::CRS_CHOICES;
                        let shown = |c: Option<usize>| match c.and_then(|i| choices.get(i)) {
                            Some((code, name)) => format!("{name} (EPSG:{code})"),
                            None => "WGS 84 (EPSG:4326)".to_owned(),
                        };
                        egui::ComboBox::from_id_salt("save as crs")
                            .selected_text(shown(self.editing.save_as_crs))
                            .width(320.0)
                            .show_ui(ui, |ui| {
                                ui.selectable_value(
                                    &mut self.editing.save_as_crs,
                                    None,
                                    shown(None),
                                );
                                for i in 0..choices.len() {
                                    ui.selectable_value(
                                        &mut self.editing.save_as_crs,
                                        Some(i),
                                        shown(Some(i)),
                                    );
                                }
                            })
                            .response
                            .labelled_by(label.id);
                    });
                });
                ui.label(
                    RichText::new(if export {
                        "Exports a copy in this format and coordinate system; the layer keeps \
                         saving to its own file."
                    } else {
                        "Saves the layer as GeoJSON (WGS 84): later saves go to this file."
                    })
                    .small()
                    .color(crate::ui::MUTED),
                );
                if target.is_file()
                    && self
                        .doc
                        .layers
                        .get(li)
                        .is_some_and(|l| l.source.path() != Some(target))
                {
                    ui.label(
                        RichText::new(
                            "That file exists: Save replaces it (its previous content is kept as \
                             NAME.bak).",
                        )
                        .color(ui.visuals().warn_fg_color),
                    );
                }
                ui.horizontal(|ui| {
                    if crate::ui::file_dialog_unavailable().is_none()
                        && ui.button("Browse…").clicked()
                        && let Some(p) = rfd::FileDialog::new()
                            .set_title("Save layer as")
                            .add_filter("GeoJSON", &["geojson", "json"])
                            .add_filter("GeoPackage", &["gpkg"])
                            .add_filter("Shapefile", &["shp"])
                            .save_file()
                    {
                        path = p.display().to_string();
                    }
                    if ui.button("Save").clicked() {
                        save = true;
                    }
                });
            });
        if save {
            let target = PathBuf::from(path.trim());
            if self.save_layer(li, Some(target)).is_ok() {
                return;
            }
        }
        if open {
            self.editing.save_as = Some((id, path));
        }
    }

    fn close_window(&mut self, ctx: &egui::Context) {
        let Some(prompt) = self.editing.close_prompt.clone() else {
            return;
        };
        let mut names: Vec<String> = prompt
            .layers
            .iter()
            .filter_map(|&id| self.doc.index_of(id))
            .map(|i| self.doc.layers[i].name.clone())
            .collect();
        // Quitting also closes the project: its own changes are listed, by kind.
        let project = if prompt.then == AfterClose::Quit {
            self.unsaved_project()
        } else {
            Vec::new()
        };
        if !project.is_empty() {
            let kinds: Vec<&str> = project.iter().map(|k| k.describe()).collect();
            names.push(format!("the project's {}", kinds.join(", ")));
        }
        let mut choice = None;
        egui::Window::new("Unsaved changes")
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
            .show(ctx, |ui| {
                ui.label(format!("Unsaved changes in: {}.", names.join("; ")));
                ui.label("Save them before closing?");
                ui.horizontal(|ui| {
                    if ui.button("Save all").clicked() {
                        choice = Some(0);
                    }
                    if ui.button("Discard").clicked() {
                        choice = Some(1);
                    }
                    if ui.button("Cancel").clicked() {
                        choice = Some(2);
                    }
                });
            });
        let Some(choice) = choice else {
            return;
        };
        self.editing.close_prompt = None;
        match choice {
            0 => {
                // Layers removed meanwhile have nothing left to save.
                let all_saved = prompt
                    .layers
                    .iter()
                    .filter_map(|&id| self.doc.index_of(id))
                    .collect::<Vec<_>>()
                    .into_iter()
                    .all(|li| self.save_layer(li, None).is_ok());
                let all_saved = all_saved && (project.is_empty() || self.save_project_changes());
                if all_saved {
                    // A table's save is done when the server says so.
                    self.close_when_saved(ctx, prompt.then.clone());
                }
            }
            1 => {
                for &id in &prompt.layers {
                    if let Some(li) = self.doc.index_of(id) {
                        let source = self.doc.layers[li].journal_key();
                        self.drop_journal(&source);
                    }
                }
                if !project.is_empty() {
                    // Discarded: nothing to offer back at the next start.
                    self.project_saved();
                }
                self.finish_close(ctx, &prompt.then);
            }
            _ => {}
        }
    }

    /// While closing waits for the server: what it waits for, and a way not to.
    fn closing_window(&mut self, ctx: &egui::Context) {
        if self.editing.closing.is_none() {
            return;
        }
        self.check_closing(ctx);
        if self.editing.closing.is_none() {
            return;
        }
        let mut cancel = false;
        egui::Window::new("Closing")
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
            .show(ctx, |ui| {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Waiting for the server to confirm the save…");
                });
                if ui.button("Cancel").clicked() {
                    cancel = true;
                }
            });
        if cancel {
            self.editing.closing = None;
        }
    }

    fn finish_close(&mut self, ctx: &egui::Context, then: &AfterClose) {
        match then {
            AfterClose::Quit => {
                self.editing.quit_confirmed = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            AfterClose::RemoveLayer(id) => {
                let Some(li) = self.doc.index_of(*id) else {
                    return;
                };
                // Discarded or saved: nothing left to ask about.
                self.doc.layers[li].history.mark_saved();
                self.remove_layer(li);
            }
        }
    }

    /// Journals of layers that close cleanly go with them.
    pub(super) fn layer_removed(&mut self, source: &Path) {
        self.drop_journal(source);
        if self.editing.editor.layer.is_some() {
            self.stop_editing();
        }
        self.editing.external.clear();
    }
}

fn human_age(d: std::time::Duration) -> String {
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
