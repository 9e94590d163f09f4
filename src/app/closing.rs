//! Files changed by another program, and closing without losing work: the question before
//! unsaved layers or project changes are closed, and waiting for saves to be confirmed.

use crate::ui::i18n::{tr, trf};
use std::path::Path;

use egui::{RichText, Ui};

use super::CorridorApp;
use super::editing::*;
use crate::io::{read_geojson, stamp_of};
use crate::model::{LayerId, LayerIndex};
use crate::render::LayerRender;

impl CorridorApp {
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
            // Our own save in the background replaces the file before it says what it wrote.
            if self.editing.external.contains(&layer.id)
                || self.editing.saves.iter().any(|j| j.layer == layer.id)
            {
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
            Err(e) => self.report(e.to_string()),
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
                                tr("Reload from disk (drops my unsaved edits)")
                            } else {
                                tr("Reload from disk")
                            };
                            if ui.button(reload).clicked() {
                                action = Some((li, true));
                            }
                        }
                        if ui
                            .button(tr("Keep mine"))
                            .on_hover_text(tr(
                                "Keep this version; saving will replace the file on disk",
                            ))
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
    pub(super) fn saves_pending(&self) -> bool {
        !self.editing.saves.is_empty()
            || self
                .db
                .links
                .iter()
                .any(|l| l.sync.is_saving() || l.sync.save_queued)
    }

    /// Closes as `then` says once every save is confirmed; a conflict or an outage on the way
    /// out keeps everything open and says so.
    pub(super) fn close_when_saved(&mut self, ctx: &egui::Context, then: AfterClose) {
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
            self.report(text);
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

    pub(super) fn close_window(&mut self, ctx: &egui::Context) {
        let Some(prompt) = self.editing.close_prompt.clone() else {
            return;
        };
        let mut names: Vec<String> = prompt
            .layers
            .iter()
            .filter_map(|&id| self.doc.index_of(id))
            .map(|i| {
                self.doc.layers[i]
                    .title_in(crate::ui::i18n::lang())
                    .to_owned()
            })
            .collect();
        // Quitting also closes the project: its own changes are listed, by kind.
        let project = if prompt.then == AfterClose::Quit {
            self.unsaved_project()
        } else {
            Vec::new()
        };
        if !project.is_empty() {
            let kinds: Vec<&str> = project.iter().map(|k| tr(k.describe())).collect();
            names.push(trf("the project's {}", &[&kinds.join(", ")]));
        }
        let mut choice = None;
        egui::Window::new(tr("Unsaved changes"))
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
            .show(ctx, |ui| {
                ui.label(trf("Unsaved changes in: {}.", &[&names.join("; ")]));
                ui.label(tr("Save them before closing?"));
                ui.horizontal(|ui| {
                    if ui.button(tr("Save all")).clicked() {
                        choice = Some(0);
                    }
                    if ui.button(tr("Discard")).clicked() {
                        choice = Some(1);
                    }
                    if ui.button(tr("Cancel")).clicked() {
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
    pub(super) fn closing_window(&mut self, ctx: &egui::Context) {
        if self.editing.closing.is_none() {
            return;
        }
        self.check_closing(ctx);
        if self.editing.closing.is_none() {
            return;
        }
        let mut cancel = false;
        egui::Window::new(tr("Closing"))
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
            .show(ctx, |ui| {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(tr("Waiting for the server to confirm the save…"));
                });
                if ui.button(tr("Cancel")).clicked() {
                    cancel = true;
                }
            });
        if cancel {
            self.editing.closing = None;
        }
    }

    pub(super) fn finish_close(&mut self, ctx: &egui::Context, then: &AfterClose) {
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
}
