//! PostGIS layers in the app: adding one, its connection's replies handed to the link's
//! [`TableSync`] (the protocol, in `db::sync`) and what follows on screen, the conflicts window,
//! and a lost connection.

use egui::{Color32, RichText, Stroke, Ui};

use super::CorridorApp;
use crate::db::listen::{Reply, Request, Worker};
use crate::db::sync::{SaveStart, Saved, TableSync, TakenIn};
use crate::db::table::LayerEntry;
use crate::db::{Outcome, PgSource, Row, TableInfo};
use crate::loader::{LoadJob, TableLoad};
use crate::model::{LayerIndex, LayerSource};
use crate::render::LayerRender;
use crate::ui::i18n::tr;

/// Orange: the other editor's version of a conflicting feature.
const THEIRS: Color32 = Color32::from_rgb(230, 120, 0);

pub use crate::db::sync::Conflict;

/// One PostGIS layer's link to its table.
pub struct DbLink {
    /// The layer's source (its table).
    pub source: LayerSource,
    pub pg: PgSource,
    pub info: TableInfo,
    worker: Worker,
    /// The protocol: rows as last read or written, the save in flight, conflicts.
    pub sync: TableSync,
    /// The connection is down, with the message.
    pub lost: Option<String>,
    /// The rest of a large table is still coming.
    pub loading_rest: bool,
}

/// The "Add PostGIS layer" form.
#[derive(Default)]
pub struct AddForm {
    pub url: String,
    pub password: String,
    pub tables: Vec<LayerEntry>,
    pub chosen: Option<usize>,
    /// Count and extent of the chosen table, and whether it has the notify trigger.
    pub facts: Option<TableFacts>,
    pub notifies: bool,
    pub message: Option<String>,
    /// A question to the database on its way: what it is, and where the answer comes.
    pub busy: Option<(&'static str, std::sync::mpsc::Receiver<AddAnswer>)>,
}

/// A table's feature count and extent (`[west, south, east, north]`).
pub type TableFacts = (i64, Option<[f64; 4]>);

/// The database's answers to the Add window.
pub enum AddAnswer {
    Tables(Result<Vec<LayerEntry>, crate::db::DbError>),
    Facts(Result<(TableFacts, bool), crate::db::DbError>),
    Installed(Result<(), crate::db::DbError>),
}

impl AddForm {
    /// Asks the database on another thread; the answer is taken in by [`AddForm::take_answer`].
    fn ask(
        &mut self,
        ctx: &egui::Context,
        what: &'static str,
        job: impl FnOnce() -> AddAnswer + Send + 'static,
    ) {
        let (tx, rx) = std::sync::mpsc::channel();
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let _ = tx.send(job());
            ctx.request_repaint();
        });
        self.message = None;
        self.busy = Some((what, rx));
    }

    /// The password typed, if any.
    fn password(&self) -> Option<String> {
        (!self.password.is_empty()).then(|| self.password.clone())
    }

    /// The chosen table as `"schema"."table"`.
    fn chosen_table(&self) -> Option<String> {
        let e = self.tables.get(self.chosen?)?;
        Some(format!(
            "{}.{}",
            crate::db::source::quote_ident(&e.schema),
            crate::db::source::quote_ident(&e.table)
        ))
    }

    /// Whether the database is being asked something.
    pub fn is_busy(&self) -> bool {
        self.busy.is_some()
    }

    fn take_answer(&mut self) {
        let Some((_, rx)) = &self.busy else {
            return;
        };
        let answer = match rx.try_recv() {
            Ok(a) => a,
            Err(std::sync::mpsc::TryRecvError::Empty) => return,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                self.busy = None;
                self.message = Some("The question to the database stopped unexpectedly".into());
                return;
            }
        };
        self.busy = None;
        let failed = |e: crate::db::DbError| match e {
            crate::db::DbError::NeedPassword(_) => {
                "The server asks for a password: type it above.".to_owned()
            }
            e => e.to_string(),
        };
        match answer {
            AddAnswer::Tables(Ok(tables)) if tables.is_empty() => {
                self.message = Some("No table with a geometry column here.".to_owned());
            }
            AddAnswer::Tables(Ok(tables)) => self.tables = tables,
            AddAnswer::Facts(Ok((facts, notifies))) => {
                self.facts = Some(facts);
                self.notifies = notifies;
            }
            AddAnswer::Installed(Ok(())) => self.notifies = true,
            AddAnswer::Tables(Err(e)) | AddAnswer::Facts(Err(e)) | AddAnswer::Installed(Err(e)) => {
                self.message = Some(failed(e));
            }
        }
    }
}

/// Asking for the password of a table the project names.
pub struct PasswordPrompt {
    pub source: PgSource,
    pub password: String,
    /// The last password given was refused.
    pub refused: bool,
}

/// Everything PostGIS the app keeps.
#[derive(Default)]
pub struct DbState {
    pub links: Vec<DbLink>,
    pub add: Option<AddForm>,
    pub password_prompt: Option<PasswordPrompt>,
    /// The conflicts window is open.
    pub show_conflicts: bool,
}

impl CorridorApp {
    /// Starts reading a table as a new layer, in the background.
    pub fn add_postgis_layer(
        &mut self,
        ctx: &egui::Context,
        url: &str,
        table: &str,
        password: Option<String>,
    ) -> Result<(), String> {
        let source = PgSource::new(url, table).map_err(|e| e.to_string())?;
        let style = crate::ui::style_ui::automatic_style(self.doc.layers.len() + self.loads.len());
        let view = self.view_lonlat_box();
        let repaint_ctx = ctx.clone();
        self.loads.push(LoadJob::start_table(
            source,
            password,
            style,
            view,
            move || repaint_ctx.request_repaint(),
        ));
        Ok(())
    }

    /// The map's view as `[west, south, east, north]` degrees, when it has been drawn.
    fn view_lonlat_box(&self) -> Option<[f64; 4]> {
        let t = self.map.transform?;
        let a = t.world_from_screen(t.rect.left_bottom());
        let b = t.world_from_screen(t.rect.right_top());
        let [w, s] = crate::geometry::mercator::lonlat_from_mercator(a[0], a[1]);
        let [e, n] = crate::geometry::mercator::lonlat_from_mercator(b[0], b[1]);
        Some([w, s, e, n])
    }

    /// A table has been read: add it as a layer and start its connection.
    pub(super) fn attach_table(&mut self, load: TableLoad, ctx: &egui::Context) -> LayerIndex {
        let TableLoad {
            layer,
            render,
            info,
            password,
            baseline,
            more_follows,
        } = load;
        let repaint_ctx = ctx.clone();
        let worker = Worker::start(info.clone(), password, move || {
            repaint_ctx.request_repaint()
        });
        let source = layer.source.clone();
        self.db.links.retain(|l| l.source != source);
        // A table the project names fills its place; one added by the user goes on top.
        let place = self
            .doc
            .layers
            .iter()
            .position(|l| l.source == source && l.features().is_empty());
        self.db.links.push(DbLink {
            source,
            pg: info.source.clone(),
            info,
            worker,
            sync: TableSync::new(baseline),
            lost: None,
            loading_rest: more_follows,
        });
        match place {
            Some(li) => {
                let old = &self.doc.layers[li];
                let mut layer = layer;
                // The project's layer, now filled: the same layer for whatever holds it.
                layer.id = old.id;
                layer.name = old.name.clone();
                layer.visible = old.visible;
                layer.opacity = old.opacity;
                layer.subareas = old.subareas;
                self.doc.layers[li] = layer;
                self.renders[li] = render;
                li
            }
            None => {
                self.doc.layers.push(layer);
                self.renders.push(render);
                self.doc.layers.len() - 1
            }
        }
    }

    /// Starts reading the tables the project names.
    pub(super) fn load_project_tables(&mut self, ctx: &egui::Context) {
        let tables: Vec<(PgSource, crate::model::LayerStyle)> = self
            .doc
            .layers
            .iter()
            .filter(|l| l.features().is_empty() && l.error().is_none())
            .filter_map(|l| Some((l.source.table()?.clone(), l.style.clone())))
            .collect();
        for (source, style) in tables {
            let repaint_ctx = ctx.clone();
            self.loads
                .push(LoadJob::start_table(source, None, style, None, move || {
                    repaint_ctx.request_repaint()
                }));
        }
    }

    /// A table the project names could not be read: its layer says why.
    pub(super) fn table_failed(&mut self, source: &std::path::Path, message: &str) -> bool {
        match self
            .doc
            .layers
            .iter_mut()
            .find(|l| l.source.key() == source && l.features().is_empty())
        {
            Some(layer) => {
                layer.status = crate::model::LayerStatus::Failed(message.to_owned());
                true
            }
            None => false,
        }
    }

    /// The rest of a large table arrived.
    pub(super) fn attach_more_rows(&mut self, source: &std::path::Path, rows: Vec<Row>) {
        let Some(li) = self
            .doc
            .layers
            .iter()
            .position(|l| l.source.key() == source)
        else {
            return;
        };
        let Some(link) = self.db.links.iter_mut().find(|l| l.source.key() == source) else {
            return;
        };
        link.loading_rest = false;
        link.sync.add_rows(&mut self.doc.layers[li], rows);
        self.renders[li] = LayerRender::build_in(&self.doc.layers[li], self.persisted.lang);
        self.layers_changed();
    }

    /// The layer a table's link serves.
    fn layer_of(&self, source: &LayerSource) -> Option<LayerIndex> {
        self.doc.layers.iter().position(|l| &l.source == source)
    }

    fn link_of(&self, li: LayerIndex) -> Option<usize> {
        let source = &self.doc.layers.get(li)?.source;
        self.db.links.iter().position(|l| &l.source == source)
    }

    /// Whether layer `li` is a PostGIS table.
    pub fn is_db_layer(&self, li: LayerIndex) -> bool {
        self.link_of(li).is_some()
    }

    /// Conflicts waiting for the user, over all PostGIS layers.
    pub fn db_conflicts(&self) -> Vec<&Conflict> {
        self.db
            .links
            .iter()
            .flat_map(|l| l.sync.conflicts())
            .collect()
    }

    /// Whether any PostGIS layer has lost its connection.
    pub fn db_connection_lost(&self) -> bool {
        self.db.links.iter().any(|l| l.lost.is_some())
    }

    /// Whether a save to a table is on its way.
    pub fn db_saving(&self) -> bool {
        self.db.links.iter().any(|l| l.sync.is_saving())
    }

    /// Saves layer `li`'s edits to its table: what changed since it was read, in one
    /// transaction, each row only if nobody changed it since. The answer arrives later.
    pub(super) fn save_db_layer(&mut self, li: LayerIndex) -> Result<(), String> {
        let Some(k) = self.link_of(li) else {
            return Err("Not a PostGIS layer".to_owned());
        };
        let layer = &self.doc.layers[li];
        let link = &mut self.db.links[k];
        let (ticket, items) = match link.sync.start_save(layer) {
            SaveStart::Busy => return Ok(()),
            SaveStart::NothingToSend => {
                if link.sync.conflicts().is_empty() {
                    self.finish_db_save(li);
                }
                return Ok(());
            }
            SaveStart::Send { ticket, items } => (ticket, items),
        };
        if !link.worker.send(Request::Save(ticket, items)) {
            link.sync.save_failed(false);
            return Err(format!(
                "{}: the connection has stopped",
                link.pg.describe()
            ));
        }
        self.info = Some(format!("Saving to {}…", link.pg.describe()));
        Ok(())
    }

    /// The layer now matches its table.
    fn finish_db_save(&mut self, li: LayerIndex) {
        let source = self.doc.layers[li].journal_key();
        self.doc.layers[li].history.mark_saved();
        self.drop_journal(&source);
        self.notices.retain(|n| !n.contains("cannot save"));
        // What others did meanwhile can now be taken in.
        if let Some(k) = self.link_of(li) {
            let link = &mut self.db.links[k];
            let changed = link.sync.saved_cleanly();
            if !changed.is_empty() {
                link.worker.send(Request::Fetch(changed));
            }
        }
    }

    /// Handles what the layers' connections said since the last frame.
    pub(super) fn poll_db(&mut self) {
        for k in 0..self.db.links.len() {
            while let Some(reply) = self
                .db
                .links
                .get(k)
                .and_then(|l| l.worker.rx.try_recv().ok())
            {
                self.on_reply(k, reply);
            }
        }
    }

    fn on_reply(&mut self, k: usize, reply: Reply) {
        let source = self.db.links[k].source.clone();
        let li = self.layer_of(&source);
        match reply {
            Reply::Saved(ticket, outcomes) => {
                let Some(li) = li else { return };
                self.on_saved(k, li, ticket, outcomes);
            }
            Reply::SaveFailed(_, e) => {
                let link = &mut self.db.links[k];
                link.sync.save_failed(e.is_connection());
                if e.is_connection() {
                    link.lost = Some(e.to_string());
                } else {
                    let text = format!("{e} — not saved; the edits are kept.");
                    if !self.notices.contains(&text) {
                        self.notices.push(text);
                    }
                }
            }
            Reply::Disconnected(message) => {
                self.db.links[k].lost = Some(message);
            }
            Reply::Reconnected => {
                let link = &mut self.db.links[k];
                link.lost = None;
                // Catch up with what others saved meanwhile, then send what waited.
                link.worker.send(Request::Versions);
                if link.sync.save_queued
                    && let Some(li) = li
                {
                    let _ = self.save_db_layer(li);
                }
            }
            Reply::Changed(keys) => {
                self.db.links[k].worker.send(Request::Fetch(keys));
            }
            Reply::Versions(versions) => {
                let link = &self.db.links[k];
                let stale = link.sync.stale(&versions);
                if !stale.is_empty() {
                    link.worker.send(Request::Fetch(stale));
                }
            }
            Reply::Rows(rows, gone) => {
                if let Some(li) = li {
                    self.take_in(k, li, rows, gone);
                }
            }
        }
    }

    fn on_saved(&mut self, k: usize, li: LayerIndex, ticket: u64, outcomes: Vec<Outcome>) {
        let link = &mut self.db.links[k];
        let Some(Saved {
            written,
            conflicts: n,
        }) = link
            .sync
            .on_saved(&mut self.doc.layers[li], ticket, outcomes)
        else {
            return;
        };
        let describe = link.pg.describe();
        if link.sync.conflicts().is_empty() {
            self.finish_db_save(li);
            self.info = Some(format!("Saved {} to {describe}", changes(written)));
        } else {
            self.db.show_conflicts = true;
            let saved = if written == 0 {
                format!("Nothing was saved to {describe}")
            } else {
                format!("Saved {} to {describe}", changes(written))
            };
            self.info = Some(format!(
                "{saved}; {} by someone else since you read it: choose for each",
                if n == 1 {
                    "1 feature was changed".to_owned()
                } else {
                    format!("{n} features were changed")
                }
            ));
        }
    }

    /// Rows read again (after a notification or a reconnection): taken in by the link's
    /// [`TableSync`], then drawn.
    fn take_in(&mut self, k: usize, li: LayerIndex, rows: Vec<Row>, gone: Vec<String>) {
        // The feature being edited (a drag may be under way): left alone.
        let editing = self
            .editing_layer()
            .filter(|&l| l == li)
            .and(self.selection().map(|r| r.feature));
        let TakenIn {
            structural,
            touched,
        } = self.db.links[k]
            .sync
            .take_in(&mut self.doc.layers[li], rows, gone, editing);
        let lang = self.persisted.lang;
        if structural {
            self.renders[li] = LayerRender::build_in(&self.doc.layers[li], lang);
            self.layers_changed();
            // The selection holds an id: it is let go only if its feature went.
            if self
                .selection()
                .is_some_and(|r| self.doc.feature(r).is_none())
            {
                self.select(None);
            }
        } else {
            for i in touched {
                self.renders[li].update_feature(&self.doc.layers[li], i, lang);
            }
        }
        self.search_index = None;
    }

    /// "Keep mine": write our version over theirs (or again, if they deleted it).
    pub fn keep_mine(&mut self, link: usize, conflict: usize) {
        let Some(li) = self
            .db
            .links
            .get(link)
            .and_then(|l| self.layer_of(&l.source))
        else {
            return;
        };
        if self.db.links[link]
            .sync
            .keep_mine(&mut self.doc.layers[li], conflict)
        {
            let _ = self.save_db_layer(li);
        }
    }

    /// "Take theirs": our version of the feature becomes theirs (an edit that can be undone);
    /// nothing is written.
    pub fn take_theirs(&mut self, link: usize, conflict: usize) {
        let Some(li) = self
            .db
            .links
            .get(link)
            .and_then(|l| self.layer_of(&l.source))
        else {
            return;
        };
        let Some(change) = self.db.links[link]
            .sync
            .take_theirs(&self.doc.layers[li], conflict)
        else {
            return;
        };
        if let Some(change) = change {
            let changes = vec![change];
            if self.doc.layers[li]
                .commit("Take theirs", changes.clone())
                .is_ok()
            {
                self.after_edit(li, "Take theirs", &changes);
            }
        }
        let l = &self.db.links[link];
        if l.sync.conflicts().is_empty() && !l.sync.is_saving() {
            // Anything else unsaved goes now; with nothing left, the layer is clean.
            let _ = self.save_db_layer(li);
        }
    }

    /// The banner for lost connections.
    pub(super) fn db_banner_ui(&mut self, ui: &mut Ui) {
        let mut lost = Vec::new();
        for l in &self.db.links {
            if let Some(message) = &l.lost {
                let li = self.layer_of(&l.source);
                let unsaved = li.is_some_and(|li| self.doc.layers[li].is_dirty());
                lost.push((
                    l.pg.describe(),
                    message.clone(),
                    unsaved,
                    l.sync.save_queued,
                ));
            }
        }
        let conflicts: usize = self.db.links.iter().map(|l| l.sync.conflicts().len()).sum();
        if lost.is_empty() && conflicts == 0 {
            return;
        }
        egui::Frame::new()
            .fill(Color32::from_rgb(255, 236, 200))
            .inner_margin(8.0)
            .show(ui, |ui| {
                for (name, message, unsaved, queued) in lost {
                    ui.label(
                        RichText::new(format!("⚠ No connection to {name}."))
                            .strong()
                            .color(Color32::from_rgb(150, 60, 0)),
                    )
                    .on_hover_text(message);
                    let what = match (unsaved, queued) {
                        (_, true) => {
                            "Your edits are kept in the recovery journal and will be \
                                      saved as soon as the connection returns."
                        }
                        (true, false) => {
                            "Your unsaved edits are kept in the recovery journal; \
                                          keep working, and save when it returns."
                        }
                        (false, false) => "Trying again every 2 seconds.",
                    };
                    ui.label(what);
                }
                if conflicts > 0 {
                    ui.horizontal_wrapped(|ui| {
                        ui.label(
                            RichText::new(if conflicts == 1 {
                                "1 feature was changed by someone else since you read it: \
                                 nothing of yours was written for it."
                                    .to_owned()
                            } else {
                                format!(
                                    "{conflicts} features were changed by someone else since \
                                     you read them: nothing of yours was written for them."
                                )
                            })
                            .strong(),
                        );
                        if ui.button(tr("Resolve conflicts…")).clicked() {
                            self.db.show_conflicts = true;
                        }
                    });
                }
            });
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(500));
    }

    /// Draws the other editors' versions of conflicting features, in orange, over ours.
    pub(super) fn db_overlay(&self, ui: &Ui) {
        let Some(t) = self.map.transform else {
            return;
        };
        let painter = ui.painter().with_clip_rect(t.rect);
        for l in &self.db.links {
            for c in l.sync.conflicts() {
                let Some(theirs) = &c.theirs else { continue };
                let Some(g) = &theirs.record.geometry else {
                    continue;
                };
                for part in crate::model::edit::parts(&g.value) {
                    let pts: Vec<egui::Pos2> = part
                        .points
                        .iter()
                        .map(|p| {
                            t.screen_from_world(crate::geometry::mercator::mercator_from_lonlat(
                                p[0], p[1],
                            ))
                        })
                        .collect();
                    let stroke = Stroke::new(2.5, THEIRS);
                    match pts.len() {
                        0 => {}
                        1 => {
                            painter.circle_stroke(pts[0], 6.0, stroke);
                        }
                        _ => {
                            let mut closed = pts.clone();
                            if part.kind == crate::model::edit::PartKind::Ring
                                && let Some(first) = pts.first()
                            {
                                closed.push(*first);
                            }
                            painter.extend(egui::Shape::dashed_line(&closed, stroke, 8.0, 5.0));
                        }
                    }
                }
            }
        }
    }

    /// The PostGIS windows: adding a layer, a password, and the conflicts.
    pub(super) fn db_windows(&mut self, ctx: &egui::Context) {
        self.add_window(ctx);
        self.password_window(ctx);
        self.conflicts_window(ctx);
    }

    fn password_window(&mut self, ctx: &egui::Context) {
        let Some(prompt) = self.db.password_prompt.as_mut() else {
            return;
        };
        let mut open = true;
        let mut go = false;
        egui::Window::new(tr("Database password"))
            .open(&mut open)
            .collapsible(false)
            .show(ctx, |ui| {
                ui.label(format!(
                    "The server asks for a password to read {}.",
                    prompt.source.describe()
                ));
                if prompt.refused {
                    ui.colored_label(
                        Color32::from_rgb(170, 40, 30),
                        "That password was refused: try again.",
                    );
                }
                ui.horizontal(|ui| {
                    let l = ui.label(tr("Password"));
                    let r = ui
                        .add(
                            egui::TextEdit::singleline(&mut prompt.password)
                                .password(true)
                                .hint_text("password")
                                .desired_width(220.0),
                        )
                        .labelled_by(l.id);
                    if r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                        go = true;
                    }
                });
                ui.label(
                    RichText::new(
                        "Kept only while Corridor runs; never written to the project. \
                         PGPASSWORD or ~/.pgpass avoid this question.",
                    )
                    .small()
                    .color(crate::ui::MUTED),
                );
                if ui.button(tr("Connect")).clicked() {
                    go = true;
                }
            });
        if go && let Some(prompt) = self.db.password_prompt.take() {
            let style = self
                .doc
                .layers
                .iter()
                .find(|l| l.source.table() == Some(&prompt.source))
                .map_or_else(
                    || crate::ui::style_ui::automatic_style(self.doc.layers.len()),
                    |l| l.style.clone(),
                );
            let repaint_ctx = ctx.clone();
            self.loads.push(LoadJob::start_table(
                prompt.source,
                Some(prompt.password),
                style,
                self.view_lonlat_box(),
                move || repaint_ctx.request_repaint(),
            ));
            return;
        }
        if !open && let Some(prompt) = self.db.password_prompt.take() {
            let message = format!(
                "{}: the server asks for a password; none was given",
                prompt.source.describe()
            );
            if !self.table_failed(&prompt.source.key(), &message) {
                self.notices.push(message);
            }
        }
    }

    fn conflicts_window(&mut self, ctx: &egui::Context) {
        let total: usize = self.db.links.iter().map(|l| l.sync.conflicts().len()).sum();
        if total == 0 {
            self.db.show_conflicts = false;
            return;
        }
        if !self.db.show_conflicts {
            return;
        }
        let mut open = true;
        let mut action: Option<(usize, usize, bool)> = None;
        let mut show: Option<(usize, usize)> = None;
        // Over the map, clear of the layer panel and the banners.
        let at = ctx.content_rect().center_top() + egui::vec2(-210.0, 150.0);
        egui::Window::new(tr("Conflicts"))
            .open(&mut open)
            .default_pos(at)
            .default_width(420.0)
            .show(ctx, |ui| {
                ui.label(
                    "Someone else saved these features after you read them. Nothing of yours \
                     was written for them: choose which version to keep. Theirs is drawn \
                     dashed in orange.",
                );
                for (k, l) in self.db.links.iter().enumerate() {
                    for (i, c) in l.sync.conflicts().iter().enumerate() {
                        ui.separator();
                        ui.label(RichText::new(c.name()).strong());
                        ui.label(match (&c.mine, &c.theirs) {
                            (Some(_), Some(_)) => "You changed it; so did someone else.",
                            (Some(_), None) => "You changed it; someone else deleted it.",
                            (None, Some(_)) => "You deleted it; someone else changed it.",
                            (None, None) => "Deleted by both.",
                        });
                        if let (Some(mine), Some(theirs)) = (&c.mine, &c.theirs) {
                            for line in differences(mine, &theirs.record) {
                                ui.label(RichText::new(line).small());
                            }
                        }
                        ui.horizontal(|ui| {
                            if ui.button(tr("Keep mine")).clicked() {
                                action = Some((k, i, true));
                            }
                            if ui.button(tr("Take theirs")).clicked() {
                                action = Some((k, i, false));
                            }
                            if c.theirs.is_some() && ui.button(tr("Show")).clicked() {
                                show = Some((k, i));
                            }
                        });
                    }
                }
            });
        self.db.show_conflicts = open;
        if let Some((k, i)) = show
            && let Some(c) = self.db.links.get(k).and_then(|l| l.sync.conflicts().get(i))
            && let Some(g) = c.theirs.as_ref().and_then(|t| t.record.geometry.as_ref())
            && let Ok(geo) = crate::model::drawable(g)
            && let Some(rect) = geo::BoundingRect::bounding_rect(&geo)
        {
            let mut bbox = crate::geometry::mercator::MercatorBox::EMPTY;
            bbox.extend(crate::geometry::mercator::mercator_from_lonlat(
                rect.min().x,
                rect.min().y,
            ));
            bbox.extend(crate::geometry::mercator::mercator_from_lonlat(
                rect.max().x,
                rect.max().y,
            ));
            let now = ctx.input(|i| i.time);
            self.map.fly_to_box(bbox, now);
        }
        match action {
            Some((k, i, true)) => self.keep_mine(k, i),
            Some((k, i, false)) => self.take_theirs(k, i),
            None => {}
        }
    }

    fn add_window(&mut self, ctx: &egui::Context) {
        let Some(form) = self.db.add.as_mut() else {
            return;
        };
        form.take_answer();
        let mut open = true;
        let mut connect = false;
        let mut add = false;
        let mut install = false;
        let mut chosen_now = None;
        egui::Window::new(tr("Add PostGIS layer"))
            .open(&mut open)
            .default_width(460.0)
            .show(ctx, |ui| {
                egui::Grid::new("pg_form").num_columns(2).show(ui, |ui| {
                    let l = ui.label(tr("Database URL"));
                    ui.add(
                        egui::TextEdit::singleline(&mut form.url)
                            .hint_text("postgres://user@host:5432/database")
                            .desired_width(300.0),
                    )
                    .labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label(tr("Password"));
                    ui.add(
                        egui::TextEdit::singleline(&mut form.password)
                            .password(true)
                            .hint_text("from PGPASSWORD or ~/.pgpass if empty")
                            .desired_width(300.0),
                    )
                    .labelled_by(l.id);
                    ui.end_row();
                });
                ui.label(
                    RichText::new("The password is never written to the project file.")
                        .small()
                        .color(crate::ui::MUTED),
                );
                ui.horizontal(|ui| {
                    let idle = form.busy.is_none();
                    if ui
                        .add_enabled(idle, egui::Button::new(tr("Connect")))
                        .clicked()
                    {
                        connect = true;
                    }
                    if let Some((what, _)) = &form.busy {
                        ui.spinner();
                        ui.label(*what);
                    }
                });
                if let Some(m) = &form.message {
                    ui.colored_label(Color32::from_rgb(170, 40, 30), m);
                }
                if !form.tables.is_empty() {
                    ui.separator();
                    ui.label(tr("Tables with a geometry column"));
                    egui::ScrollArea::vertical()
                        .max_height(220.0)
                        .show(ui, |ui| {
                            for (i, t) in form.tables.iter().enumerate() {
                                let name = if t.schema == "public" {
                                    t.table.clone()
                                } else {
                                    format!("{}.{}", t.schema, t.table)
                                };
                                let text = format!(
                                    "{name}  ({}, EPSG:{})",
                                    t.geometry_type.to_lowercase(),
                                    t.srid
                                );
                                if ui.selectable_label(form.chosen == Some(i), text).clicked() {
                                    chosen_now = Some(i);
                                }
                            }
                        });
                }
                if let Some((count, extent)) = form.facts {
                    let extent = extent.map_or_else(
                        || "no extent (no geometry)".to_owned(),
                        |e| format!("{:.4}, {:.4} – {:.4}, {:.4}", e[0], e[1], e[2], e[3]),
                    );
                    let features = if count == 1 {
                        "1 feature".to_owned()
                    } else {
                        format!("{count} features")
                    };
                    ui.label(format!("{features}; extent {extent}"));
                    if !form.notifies {
                        ui.label(
                            RichText::new(
                                "This table does not announce changes: other editors' saves \
                                 appear only after a reload.",
                            )
                            .small(),
                        );
                        if ui.button(tr("Install change notifications")).clicked() {
                            install = true;
                        }
                    }
                    if ui.button(tr("Add layer")).clicked() {
                        add = true;
                    }
                }
            });
        // The database is asked on another thread: an unreachable server must not freeze the
        // window for the connection's timeout.
        let password = form.password();
        let url = form.url.clone();
        if let Some(i) = chosen_now {
            form.chosen = Some(i);
            form.facts = None;
            if let Some(table) = form.chosen_table() {
                form.ask(ctx, "Counting features…", move || {
                    AddAnswer::Facts(PgSource::new(&url, &table).and_then(|s| {
                        let mut c = crate::db::connect(&url, password.as_deref())?;
                        let info = crate::db::table::describe(&mut c, &s)?;
                        Ok((
                            crate::db::table::count_and_extent(&mut c, &info)?,
                            info.notifies,
                        ))
                    }))
                });
            }
        } else if install && let Some(table) = form.chosen_table() {
            form.ask(ctx, "Installing the trigger…", move || {
                AddAnswer::Installed(PgSource::new(&url, &table).and_then(|s| {
                    let mut c = crate::db::connect(&url, password.as_deref())?;
                    let info = crate::db::table::describe(&mut c, &s)?;
                    let mut tx = c
                        .transaction()
                        .map_err(|e| crate::db::DbError::from_pg(&e, "Installing the trigger"))?;
                    crate::db::listen::install_triggers(&mut tx, &s, &info.key)
                        .and_then(|()| tx.commit())
                        .map_err(|e| crate::db::DbError::from_pg(&e, "Installing the trigger"))
                }))
            });
        } else if connect {
            form.tables.clear();
            form.chosen = None;
            form.facts = None;
            form.ask(ctx, "Connecting…", move || {
                AddAnswer::Tables(
                    PgSource::new(&url, "x")
                        .and_then(|_| crate::db::connect(&url, password.as_deref()))
                        .and_then(|mut c| crate::db::table::list_layers(&mut c)),
                )
            });
        }
        if add
            && let Some(form) = self.db.add.take()
            && let Some(table) = form.chosen_table()
        {
            if let Err(e) = self.add_postgis_layer(ctx, &form.url, &table, form.password()) {
                self.notices.push(e);
            }
            return;
        }
        if !open {
            self.db.add = None;
        }
    }
}

/// "1 change", "3 changes".
fn changes(n: usize) -> String {
    if n == 1 {
        "1 change".to_owned()
    } else {
        format!("{n} changes")
    }
}

/// What differs between our version and theirs, in words.
fn differences(mine: &geojson::Feature, theirs: &geojson::Feature) -> Vec<String> {
    let mut out = Vec::new();
    if mine.geometry != theirs.geometry {
        out.push("• the boundary differs".to_owned());
    }
    let empty = geojson::JsonObject::new();
    let a = mine.properties.as_ref().unwrap_or(&empty);
    let b = theirs.properties.as_ref().unwrap_or(&empty);
    for (k, v) in a {
        match b.get(k) {
            Some(w) if w == v => {}
            Some(w) => out.push(format!("• {k}: yours {v}, theirs {w}")),
            None => out.push(format!("• {k}: yours {v}, theirs has none")),
        }
    }
    for (k, w) in b {
        if !a.contains_key(k) {
            out.push(format!("• {k}: yours has none, theirs {w}"));
        }
    }
    out
}
