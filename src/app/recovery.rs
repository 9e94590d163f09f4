//! The recovery journal: every edit on disk before the frame that shows it ends, and the
//! question at the next start when a journal was left behind.

use crate::ui::i18n::tr;
use std::path::{Path, PathBuf};

use egui::RichText;

use super::CorridorApp;
use super::editing::*;
use crate::io::journal::{Journal, find_recovery};
use crate::model::edit::Change;
use crate::model::{FeatureId, LayerIndex, LayerStatus};

impl CorridorApp {
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

    /// Writes applied changes to the layer's recovery journal (starting one if needed); a clean
    /// layer needs none.
    pub(super) fn journal(&mut self, li: LayerIndex, label: &str, changes: &[Change]) {
        let Some(layer) = self.doc.layers.get(li) else {
            return;
        };
        let source = layer.journal_key();
        if !layer.is_dirty() {
            self.drop_journal(&source);
            return;
        }
        // A table's journal names rows by key: its records carry them.
        let sync = self.link_of(li).map(|k| &self.db.links[k].sync);
        let keyed = |changes: &[Change]| match sync {
            Some(sync) => sync.with_row_keys(changes),
            None => changes.to_vec(),
        };
        let at = self.editing.journals.iter().position(|(p, _)| *p == source);
        let Some(at) = at else {
            let Some(dir) = self.recovery_dir() else {
                return;
            };
            // Everything between the file and now, so the journal alone restores it: usually
            // just this edit; the whole layer when the history cannot say (the file was
            // replaced under us).
            let since = layer.history.changes_since_saved().map(|c| keyed(&c));
            let snapshot = || -> Vec<(FeatureId, geojson::Feature)> {
                let all: Vec<Change> = layer
                    .features()
                    .iter()
                    .map(|f| Change {
                        id: f.id(),
                        before: None,
                        after: Some(f.record().into_owned()),
                    })
                    .collect();
                keyed(&all)
                    .into_iter()
                    .filter_map(|c| Some((c.id, c.after?)))
                    .collect()
            };
            let first = match since {
                Some(changes) => Ok(changes),
                None => Err(snapshot()),
            };
            match Journal::create(&dir, &source, layer.stamp) {
                Ok(mut j) => {
                    let written = match &first {
                        Ok(changes) => j.append(label, changes),
                        Err(records) => j.append_snapshot(records),
                    };
                    self.editing.journals.push((source, j));
                    if let Err(e) = written {
                        self.journal_failed(&e);
                    }
                }
                Err(e) => self.journal_failed(&e),
            }
            return;
        };
        let changes = keyed(changes);
        if let Err(e) = self.editing.journals[at].1.append(label, &changes) {
            self.journal_failed(&e);
        }
    }

    pub(super) fn journal_failed(&mut self, e: &std::io::Error) {
        let text = format!(
            "Edits cannot be written to the recovery journal ({e}); they are kept in memory. \
             Save soon."
        );
        self.report(text);
    }

    pub(super) fn drop_journal(&mut self, source: &Path) {
        if let Some(i) = self.editing.journals.iter().position(|(p, _)| p == source) {
            let (_, j) = self.editing.journals.remove(i);
            j.remove();
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
                Some(Err(e)) => self.report(e),
                None => {}
            }
        }
    }

    /// Restores the edits of a recovery journal into its layer.
    pub fn restore_recovery(&mut self, index: usize) -> Result<(), String> {
        if index >= self.editing.recoveries.len() {
            return Err(tr("No such recovery").to_owned());
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
        // A table too large to hold: the rows the edits were made to, read wherever they are.
        let keys: Vec<String> = changes
            .iter()
            .filter_map(|c| c.before.as_ref().and_then(crate::db::row_key))
            .map(str::to_owned)
            .collect();
        if let Err(e) = self.hold_rows(li, keys) {
            self.editing.recoveries.insert(index, r);
            return Err(format!("The edited rows could not be read: {e}"));
        }
        // Others may have added or deleted rows since: find each changed feature by its row.
        if let Some(k) = self.link_of(li) {
            let sync = &self.db.links[k].sync;
            changes = crate::db::sync::rebase_by_row(sync, &self.doc.layers[li], changes);
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
                self.report(text.clone());
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

    pub(super) fn recovery_window(&mut self, ctx: &egui::Context) {
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
        egui::Window::new(tr("Restore unsaved edits?"))
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
                        RichText::new(tr(
                            "The file has changed since these edits were made; restoring them \
                             may put them in the wrong places. Check the result before saving.",
                        ))
                        .color(ui.visuals().warn_fg_color),
                    );
                }
                ui.horizontal(|ui| {
                    let restore = if matches {
                        tr("Restore edits")
                    } else {
                        tr("Restore anyway")
                    };
                    if ui.button(restore).clicked() {
                        choice = Some(true);
                    }
                    if ui.button(tr("Discard edits")).clicked() {
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

    /// Journals of layers that close cleanly go with them.
    pub(super) fn layer_removed(&mut self, source: &Path) {
        self.drop_journal(source);
        if self.editing.editor.layer.is_some() {
            self.stop_editing();
        }
        self.editing.external.clear();
    }
}
