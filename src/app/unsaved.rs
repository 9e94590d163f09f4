//! What a user changes besides features: layer order, visibility and opacity, styles, bookmarks
//! and the story. Each has an unsaved state (compared with what the project and story files
//! hold), a recovery file written as it changes, and a place in the close prompt, so that no
//! quit path and no crash loses it.

use crate::ui::i18n::tr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::CorridorApp;
use crate::model::{Bookmark, Document, LayerStyle, Story};

/// How often the project's state is compared and, when it changed, written to its recovery
/// file (seconds).
const CHECK_EVERY: f64 = 0.5;

/// A layer as the project file describes it, beside its features.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerState {
    /// Its source (file, and table), which names it across runs.
    pub key: PathBuf,
    pub name: String,
    pub visible: bool,
    pub opacity: f32,
    pub style: LayerStyle,
}

/// The project's own state: what the project and story files hold besides the features.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProjectState {
    /// In draw order.
    pub layers: Vec<LayerState>,
    pub bookmarks: Vec<Bookmark>,
    pub story: Option<Story>,
}

/// A kind of unsaved change, as the close prompt names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unsaved {
    LayerOrder,
    Styles,
    Bookmarks,
    Story,
}

impl Unsaved {
    pub fn describe(self) -> &'static str {
        match self {
            Unsaved::LayerOrder => "layer order and visibility",
            Unsaved::Styles => "styles",
            Unsaved::Bookmarks => "bookmarks",
            Unsaved::Story => "story",
        }
    }
}

impl ProjectState {
    pub fn of(doc: &Document) -> Self {
        Self {
            layers: doc
                .layers
                .iter()
                .map(|l| LayerState {
                    key: l.journal_key(),
                    name: l.name.clone(),
                    visible: l.visible,
                    opacity: l.opacity,
                    style: l.style.clone(),
                })
                .collect(),
            bookmarks: doc.bookmarks.clone(),
            story: doc.story.as_ref().map(|(s, _)| s.clone()),
        }
    }

    /// What differs from `saved`, by kind.
    pub fn unsaved(&self, saved: &Self) -> Vec<Unsaved> {
        let mut out = Vec::new();
        let order = |s: &Self| -> Vec<(PathBuf, bool, u32)> {
            s.layers
                .iter()
                .map(|l| (l.key.clone(), l.visible, l.opacity.to_bits()))
                .collect()
        };
        if order(self) != order(saved) {
            out.push(Unsaved::LayerOrder);
        }
        let styles_differ = self.layers.iter().any(|l| {
            saved
                .layers
                .iter()
                .find(|s| s.key == l.key)
                .is_some_and(|s| s.style != l.style || s.name != l.name)
        });
        if styles_differ {
            out.push(Unsaved::Styles);
        }
        if self.bookmarks != saved.bookmarks {
            out.push(Unsaved::Bookmarks);
        }
        if self.story != saved.story {
            out.push(Unsaved::Story);
        }
        out
    }
}

/// The recovery file's content.
#[derive(Serialize, Deserialize)]
struct Recovered {
    /// The project file the state belongs to.
    project: PathBuf,
    state: ProjectState,
}

/// The project's unsaved state, as the app keeps it.
#[derive(Default)]
pub struct UnsavedState {
    /// As the project and story files hold it (at opening, or the last save).
    pub saved: ProjectState,
    /// As last written to the recovery file (`None`: no file).
    written: Option<ProjectState>,
    last_check: f64,
    /// A recovery file found at start, waiting for the user's answer.
    pub offered: Option<ProjectState>,
}

/// The recovery file of a project.
fn recovery_file(dir: &Path, project: &Path) -> PathBuf {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    project.hash(&mut h);
    dir.join(format!("project-{:016x}.json", h.finish()))
}

impl CorridorApp {
    /// The project file the project's state belongs to.
    fn project_key(&self) -> PathBuf {
        let p = self.project_path();
        std::fs::canonicalize(&p).unwrap_or(p)
    }

    /// Records the project as opened, and looks for a recovery file left by a crash.
    pub(super) fn start_project_tracking(&mut self) {
        self.unsaved.saved = ProjectState::of(&self.doc);
        let Some(dir) = self.recovery_dir() else {
            return;
        };
        let file = recovery_file(&dir, &self.project_key());
        let Ok(bytes) = std::fs::read(&file) else {
            return;
        };
        match serde_json::from_slice::<Recovered>(&bytes) {
            Ok(r) if r.project == self.project_key() && r.state != self.unsaved.saved => {
                self.unsaved.offered = Some(r.state);
            }
            Ok(_) => {
                let _ = std::fs::remove_file(&file);
            }
            Err(e) => self.report(format!(
                "{}: the recovery file of the project's changes cannot be read ({e}); it is kept",
                file.display()
            )),
        }
    }

    /// The kinds of project change not yet saved.
    pub fn unsaved_project(&self) -> Vec<Unsaved> {
        ProjectState::of(&self.doc).unsaved(&self.unsaved.saved)
    }

    /// Twice a second: the project's state, written to its recovery file when it changed (and
    /// the file removed when everything is saved).
    pub(super) fn journal_project(&mut self, ctx: &egui::Context, now: f64) {
        if self.unsaved.offered.is_some() {
            return;
        }
        let since = now - self.unsaved.last_check;
        if since < CHECK_EVERY {
            // This frame may have made a change: look again once the half second is up, even
            // if nothing else draws a frame by then.
            ctx.request_repaint_after(std::time::Duration::from_secs_f64(CHECK_EVERY - since));
            return;
        }
        self.unsaved.last_check = now;
        let state = ProjectState::of(&self.doc);
        if self.unsaved.written.as_ref() == Some(&state) {
            return;
        }
        let Some(dir) = self.recovery_dir() else {
            return;
        };
        let file = recovery_file(&dir, &self.project_key());
        if state == self.unsaved.saved {
            if self.unsaved.written.take().is_some() {
                let _ = std::fs::remove_file(&file);
            }
            return;
        }
        let recovered = Recovered {
            project: self.project_key(),
            state: state.clone(),
        };
        let written = serde_json::to_vec(&recovered)
            .map_err(|e| e.to_string())
            .and_then(|bytes| {
                std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
                crate::io::write_atomic(&file, &bytes).map_err(|e| e.to_string())
            });
        match written {
            Ok(()) => self.unsaved.written = Some(state),
            Err(e) => {
                let text = format!(
                    "The project's changes cannot be written to the recovery file ({e}); they \
                     are kept in memory. Save the project soon."
                );
                self.report(text);
            }
        }
    }

    /// The project and the story were saved (or the user discarded their changes): nothing
    /// left to recover.
    pub(super) fn project_saved(&mut self) {
        self.unsaved.saved = ProjectState::of(&self.doc);
        self.unsaved.written = None;
        if let Some(dir) = self.recovery_dir() {
            let _ = std::fs::remove_file(recovery_file(&dir, &self.project_key()));
        }
    }

    /// Saves what of the project is unsaved: the project file, and the story file if the story
    /// changed. Returns whether everything was written.
    pub(super) fn save_project_changes(&mut self) -> bool {
        let kinds = self.unsaved_project();
        if kinds.is_empty() {
            return true;
        }
        if kinds.contains(&Unsaved::Story)
            && let Some((story, path)) = &self.doc.story
            && let Err(e) = crate::io::story_file::save_story(story, path)
        {
            self.report(e.to_string());
            return false;
        }
        if self.save_project_ui().is_err() {
            return false;
        }
        self.project_saved();
        true
    }

    /// Applies project changes recovered after a crash: layer order, visibility, opacity,
    /// styles and names (matched by their files), bookmarks and the story.
    pub(super) fn restore_project_state(&mut self, state: ProjectState) {
        for (want, l) in state.layers.iter().enumerate() {
            let Some(from) = self
                .doc
                .layers
                .iter()
                .position(|x| x.journal_key() == l.key)
            else {
                continue;
            };
            let layer = &mut self.doc.layers[from];
            layer.visible = l.visible;
            layer.opacity = l.opacity;
            layer.name = l.name.clone();
            if layer.style != l.style {
                layer.style = l.style.clone();
                self.renders[from] =
                    crate::render::LayerRender::build_in(layer, self.persisted.lang);
            }
            let to = want.min(self.doc.layers.len() - 1);
            if from != to {
                self.move_layer(from, to);
            }
        }
        self.doc.bookmarks = state.bookmarks;
        if let (Some(story), Some((current, _))) = (state.story, self.doc.story.as_mut()) {
            *current = story;
        }
        self.info = Some("Restored the project's unsaved changes".to_owned());
    }

    /// The question after a crash left project changes unsaved.
    pub(super) fn project_recovery_window(&mut self, ctx: &egui::Context) {
        let Some(offered) = &self.unsaved.offered else {
            return;
        };
        let kinds: Vec<&str> = offered
            .unsaved(&self.unsaved.saved)
            .iter()
            .map(|k| k.describe())
            .collect();
        let mut choice = None;
        egui::Window::new(tr("Restore unsaved project changes?"))
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 40.0))
            .show(ctx, |ui| {
                ui.label(format!(
                    "Corridor closed before changes to {} were saved.",
                    kinds.join(", ")
                ));
                ui.horizontal(|ui| {
                    if ui.button(tr("Restore project changes")).clicked() {
                        choice = Some(true);
                    }
                    if ui.button(tr("Discard project changes")).clicked() {
                        choice = Some(false);
                    }
                });
            });
        match choice {
            Some(true) => {
                if let Some(state) = self.unsaved.offered.take() {
                    self.restore_project_state(state);
                }
            }
            Some(false) => {
                self.unsaved.offered = None;
                self.project_saved();
            }
            None => {}
        }
    }
}
