//! Saving a layer: to its own file (atomically, with a backup), as another file or format
//! ("Save layer as"), or to its table; and the window that asks where.

use crate::ui::i18n::tr;
use std::path::{Path, PathBuf};

use egui::{Key, RichText};

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::CorridorApp;
use crate::io::geojson_write::{LayerText, save_snapshot};
use crate::io::{SaveError, save_geojson};
use crate::model::{FileStamp, LayerId, LayerIndex, LayerSource};
use crate::ui::i18n::trf;

/// Layers with this many features or more save in the background (a smaller one takes a few
/// milliseconds: it is written within the frame).
pub const BACKGROUND_SAVE_FROM: usize = 20_000;

/// A save running on a thread of its own, writing the layer as it was when the save began.
pub struct SaveJob {
    pub(super) layer: LayerId,
    target: PathBuf,
    /// The journal the layer's edits went to before the save.
    old_source: PathBuf,
    /// Where the layer's history was when the save began: the state the file will hold.
    mark: u64,
    total: usize,
    /// Features written so far.
    progress: Arc<AtomicUsize>,
    done: std::sync::mpsc::Receiver<Result<FileStamp, SaveError>>,
    /// Save was asked for again meanwhile: once this one is done, save what came after.
    again: bool,
}

impl SaveJob {
    /// How far the save is, 0 to 1.
    pub fn fraction(&self) -> f32 {
        (self.progress.load(Ordering::Relaxed) as f32 / self.total.max(1) as f32).min(1.0)
    }
}

impl CorridorApp {
    /// Saves a layer to its file (or to `to`). On failure the message is shown and nothing on
    /// disk changed; the edits stay in memory and in the journal.
    pub fn save_layer(&mut self, li: LayerIndex, to: Option<PathBuf>) -> Result<(), String> {
        let Some(layer) = self.doc.layers.get(li) else {
            return Err(tr("No such layer").to_owned());
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
                    self.report(text.clone());
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
                self.report(text.clone());
                return Err(text);
            }
            // Another program may have written it since the last look.
            if let Some(known) = layer.stamp
                && !crate::io::geojson_file::unchanged_on_disk(&target, &known)
            {
                self.editing.external.push(layer.id);
                let text = format!(
                    "{} was changed by another program since it was opened: not saved.",
                    layer.source.display()
                );
                self.report(text.clone());
                return Err(text);
            }
        }
        let id = layer.id;
        let old_source = layer.journal_key();
        let mark = layer.history.mark();
        if let Some(job) = self.editing.saves.iter_mut().find(|j| j.layer == id) {
            // One save at a time per file: this one follows when the running one is done.
            job.again = true;
            return Ok(());
        }
        if layer.features().len() >= self.editing.background_save_from {
            let text = LayerText::of(layer);
            let progress = Arc::new(AtomicUsize::new(0));
            let (tx, done) = std::sync::mpsc::channel();
            let ctx = self.ctx.clone();
            let (to, counter) = (target.clone(), progress.clone());
            let spawned = std::thread::Builder::new()
                .name("save".to_owned())
                .spawn(move || {
                    // A core is left to the window: its frames stay smooth while this writes.
                    let threads = std::thread::available_parallelism()
                        .map_or(1, |n| n.get().saturating_sub(1).max(1));
                    let save = || save_snapshot(&text, &to, Some(&counter));
                    let result = match rayon::ThreadPoolBuilder::new().num_threads(threads).build()
                    {
                        Ok(pool) => pool.install(save),
                        Err(_) => save(),
                    };
                    let _ = tx.send(result);
                    ctx.request_repaint();
                });
            if let Err(e) = spawned {
                let text = format!("{}: cannot start the save: {e}", target.display());
                self.report(text.clone());
                return Err(text);
            }
            self.editing.saves.push(SaveJob {
                layer: id,
                total: layer.features().len(),
                target,
                old_source,
                mark,
                progress,
                done,
                again: false,
            });
            return Ok(());
        }
        let result = save_geojson(layer, &target);
        self.finish_save(id, target, &old_source, mark, result)
    }

    /// What a save's result does to its layer: the file it now is, the edits it holds (those
    /// made while it ran stay unsaved, and journalled), or the message why not.
    fn finish_save(
        &mut self,
        id: LayerId,
        target: PathBuf,
        old_source: &Path,
        mark: u64,
        result: Result<FileStamp, SaveError>,
    ) -> Result<(), String> {
        match result {
            Ok(stamp) => {
                let name = target
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                log::info!("saved {}", target.display());
                self.editing.checked.insert(target.clone());
                self.notices.retain(|n| !n.contains("cannot save"));
                self.info = Some(trf("Saved {}", &[&name]));
                // Removed while it saved: the file is written, there is nothing to mark.
                let Some(li) = self.doc.index_of(id) else {
                    return Ok(());
                };
                let layer = &mut self.doc.layers[li];
                layer.stamp = Some(stamp);
                layer.source = LayerSource::File(target);
                // Now a GeoJSON file of its own.
                layer.read = None;
                layer.history.mark_saved_at(mark);
                self.drop_journal(old_source);
                if self.doc.layers[li].is_dirty() {
                    // Edits made while it saved: a fresh journal from the file just written.
                    self.journal(li, "Edits made while saving", &[]);
                }
                Ok(())
            }
            Err(e) => {
                let text = e.to_string();
                self.report(text.clone());
                Err(text)
            }
        }
    }

    /// Each frame: the background saves that are done take effect; those still running show
    /// how far they are.
    pub(super) fn poll_saves(&mut self) {
        let mut k = 0;
        while k < self.editing.saves.len() {
            let job = &self.editing.saves[k];
            let result = match job.done.try_recv() {
                Ok(r) => r,
                Err(std::sync::mpsc::TryRecvError::Empty) => {
                    k += 1;
                    continue;
                }
                Err(std::sync::mpsc::TryRecvError::Disconnected) => Err(SaveError::Encode {
                    path: job.target.clone(),
                    message: "the save stopped unexpectedly".to_owned(),
                }),
            };
            let job = self.editing.saves.remove(k);
            let saved = self.finish_save(job.layer, job.target, &job.old_source, job.mark, result);
            if job.again
                && saved.is_ok()
                && let Some(li) = self.doc.index_of(job.layer)
                && self.doc.layers[li].is_dirty()
            {
                let _ = self.save_layer(li, None);
            }
        }
        if !self.editing.saves.is_empty() {
            // The progress shown moves on while nothing else happens.
            self.ctx
                .request_repaint_after(std::time::Duration::from_millis(100));
        }
    }

    /// The saves running, as a line each with a progress bar.
    pub(super) fn saves_banner_ui(&self, ui: &mut egui::Ui) {
        for job in &self.editing.saves {
            let name = self
                .doc
                .index_of(job.layer)
                .map(|li| {
                    self.doc.layers[li]
                        .title_in(crate::ui::i18n::lang())
                        .to_owned()
                })
                .unwrap_or_default();
            egui::Frame::new()
                .fill(egui::Color32::from_rgb(0xdf, 0xf2, 0xdf))
                .inner_margin(6.0)
                .show(ui, |ui| {
                    ui.horizontal(|ui| {
                        ui.label(trf("Saving {}…", &[&name]));
                        ui.add(
                            egui::ProgressBar::new(job.fraction())
                                .desired_width(180.0)
                                .show_percentage(),
                        );
                        ui.label(
                            RichText::new(tr(
                                "You can go on working; edits made now are saved next time.",
                            ))
                            .small()
                            .color(crate::ui::MUTED),
                        );
                    });
                });
        }
    }

    /// Layers with at least `features` features save in the background (the default is
    /// [`BACKGROUND_SAVE_FROM`]).
    pub fn save_in_background_from(&mut self, features: usize) {
        self.editing.background_save_from = features;
    }

    /// The background saves running: (layer, fraction done).
    pub fn saves_running(&self) -> Vec<(LayerId, f32)> {
        self.editing
            .saves
            .iter()
            .map(|j| (j.layer, j.fraction()))
            .collect()
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
    pub(super) fn export_layer(&mut self, li: LayerIndex, to: &Path) -> Result<(), String> {
        let Some(layer) = self.doc.layers.get(li) else {
            return Err(tr("No such layer").to_owned());
        };
        if layer.source.path() == Some(to) {
            let text = format!(
                "{}: this is the file the layer was read from; Corridor never writes into it. \
                 Choose another name.",
                to.display()
            );
            self.report(text.clone());
            return Err(text);
        }
        let records: Vec<geojson::Feature> = layer
            .features()
            .iter()
            .map(|f| f.record().into_owned())
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
                self.report(text.clone());
                Err(text)
            }
        }
    }

    /// Long because it is one dialog: the path, the format and coordinate system, and what saving
    /// there will mean.
    pub(super) fn save_as_window(&mut self, ctx: &egui::Context) {
        let Some((id, mut path)) = self.editing.save_as.take() else {
            return;
        };
        // The layer may have moved, or gone, since the window opened.
        let Some(li) = self.doc.index_of(id) else {
            return;
        };
        let mut open = true;
        let mut save = false;
        egui::Window::new(tr("Save layer as"))
            .open(&mut open)
            .collapsible(false)
            .show(ctx, |ui| {
                let label = ui.label(tr("File:"));
                let r = ui.add(egui::TextEdit::singleline(&mut path).desired_width(420.0));
                let r = r.labelled_by(label.id);
                if r.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
                    save = true;
                }
                let target = Path::new(path.trim());
                let driver = crate::io::ogr_file::driver_for(target);
                let export = driver.is_some_and(|d| d != "GeoJSON");
                ui.horizontal(|ui| {
                    ui.label(tr("Format:"));
                    ui.strong(match driver {
                        Some("GeoJSON") | None => "GeoJSON",
                        Some("ESRI Shapefile") => "Shapefile",
                        Some("GPKG") => "GeoPackage",
                        Some("MapInfo File") => "MapInfo",
                        Some(other) => other,
                    });
                    ui.label(
                        RichText::new(tr(
                            "(by the file's ending: .geojson, .gpkg, .shp, .fgb, .tab, .kml)",
                        ))
                        .small()
                        .color(crate::ui::MUTED),
                    );
                });
                ui.add_enabled_ui(export, |ui| {
                    ui.horizontal(|ui| {
                        let label = ui.label(tr("Coordinate system:"));
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
                        tr(
                            "Exports a copy in this format and coordinate system; the layer keeps \
                         saving to its own file.",
                        )
                    } else {
                        tr("Saves the layer as GeoJSON (WGS 84): later saves go to this file.")
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
                        RichText::new(tr(
                            "That file exists: Save replaces it (its previous content is kept as \
                             NAME.bak).",
                        ))
                        .color(ui.visuals().warn_fg_color),
                    );
                }
                ui.horizontal(|ui| {
                    if crate::ui::file_dialog_unavailable().is_none()
                        && ui.button(tr("Browse…")).clicked()
                        && let Some(p) = rfd::FileDialog::new()
                            .set_title(tr("Save layer as"))
                            .add_filter(tr("GeoJSON"), &["geojson", "json"])
                            .add_filter(tr("GeoPackage"), &["gpkg"])
                            .add_filter(tr("Shapefile"), &["shp"])
                            .save_file()
                    {
                        path = p.display().to_string();
                    }
                    if ui.button(tr("Save")).clicked() {
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
}
