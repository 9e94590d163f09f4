//! Files and tables being opened: starting the loads, and adopting what they read.

use super::*;

impl CorridorApp {
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
    pub(super) fn poll_loads(&mut self, ctx: &egui::Context, now: f64) {
        if let Some(t) = &self.map.transform {
            // The file given at start keeps a remembered view; any other is framed.
            let view = match self.on_first_load {
                Some(super::FirstLoad::Keep) => crate::loader::FirstView::At {
                    view: t.visible_world(),
                    scale: t.scale(),
                },
                _ => crate::loader::FirstView::Fit([t.rect.width(), t.rect.height()]),
            };
            for job in &self.loads {
                job.set_first_view(view);
            }
        }
        let mut i = 0;
        while i < self.loads.len() {
            let Some(result) = self.loads[i].poll() else {
                i += 1;
                continue;
            };
            let job = self.loads.remove(i);
            // The first file (the one given at start) is framed without a flight, or left in
            // the view it was last seen in; the others are flown to.
            let first = self.on_first_load.take();
            let fit = first.is_some();
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
                    self.offer_decoding(&layer);
                    self.doc.layers.push(layer);
                    self.renders.push(render);
                    if fit && self.doc.path.is_none() {
                        // The file the app was started on, with no project: opening it is not a
                        // change to save.
                        self.unsaved.saved.layers = unsaved::ProjectState::of(&self.doc).layers;
                    }
                    self.layers_changed();
                    if !extent.is_empty() {
                        match first {
                            Some(super::FirstLoad::Frame) => self.map.frame_box(extent),
                            Some(super::FirstLoad::Keep) => {}
                            None => self.map.fly_to_box(extent, now),
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
            }
        }
    }
}
