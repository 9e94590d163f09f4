//! PostGIS layers in the app: adding one, its connection's replies handed to the link's
//! [`TableSync`] (the protocol, in `db::sync`) and what follows on screen, the conflicts window,
//! and a lost connection.

use crate::ui::i18n::tr;
use egui::Color32;

use super::CorridorApp;
use crate::db::listen::{Reply, Request, Worker};
use crate::db::sync::{SaveStart, Saved, TableSync, TakenIn};
use crate::db::table::LayerEntry;
use crate::db::{Outcome, PgSource, Row, TableInfo};
use crate::loader::{LoadJob, TableLoad};
use crate::model::{LayerIndex, LayerSource};
use crate::render::LayerRender;

/// Orange: the other editor's version of a conflicting feature.
pub(super) const THEIRS: Color32 = Color32::from_rgb(230, 120, 0);

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
    /// A table too large to hold: read by tiles around the view, with an overview.
    pub windowed: Option<super::windowed::Windowed>,
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
    pub(super) fn ask(
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
    pub(super) fn password(&self) -> Option<String> {
        (!self.password.is_empty()).then(|| self.password.clone())
    }

    /// The chosen table as `"schema"."table"`.
    pub(super) fn chosen_table(&self) -> Option<String> {
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

    pub(super) fn take_answer(&mut self) {
        let Some((_, rx)) = &self.busy else {
            return;
        };
        let answer = match rx.try_recv() {
            Ok(a) => a,
            Err(std::sync::mpsc::TryRecvError::Empty) => return,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                self.busy = None;
                self.message = Some(tr("The question to the database stopped unexpectedly").into());
                return;
            }
        };
        self.busy = None;
        let failed = |e: crate::db::DbError| match e {
            crate::db::DbError::NeedPassword(_) => {
                tr("The server asks for a password: type it above.").to_owned()
            }
            e => e.to_string(),
        };
        match answer {
            AddAnswer::Tables(Ok(tables)) if tables.is_empty() => {
                self.message = Some(tr("No table with a geometry column here.").to_owned());
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
    /// Which tables are read by windows, and how much a window holds.
    pub limits: crate::db::window::Limits,
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
            (view, self.db.limits),
            move || repaint_ctx.request_repaint(),
        ));
        Ok(())
    }

    /// The map's view as `[west, south, east, north]` degrees, when it has been drawn.
    pub(super) fn view_lonlat_box(&self) -> Option<[f64; 4]> {
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
            window,
        } = load;
        let windowed = window.map(|window| {
            let repaint_ctx = ctx.clone();
            super::windowed::Windowed::start(info.clone(), password.clone(), window, move || {
                repaint_ctx.request_repaint()
            })
        });
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
            sync: TableSync::new(&layer, baseline),
            lost: None,
            loading_rest: more_follows,
            windowed,
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
            self.loads.push(LoadJob::start_table(
                source,
                None,
                style,
                (None, self.db.limits),
                move || repaint_ctx.request_repaint(),
            ));
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
    pub(super) fn layer_of(&self, source: &LayerSource) -> Option<LayerIndex> {
        self.doc.layers.iter().position(|l| &l.source == source)
    }

    /// The layer link `link` serves.
    fn layer_of_link(&self, link: usize) -> Option<LayerIndex> {
        self.layer_of(&self.db.links.get(link)?.source)
    }

    pub(super) fn link_of(&self, li: LayerIndex) -> Option<usize> {
        let source = &self.doc.layers.get(li)?.source;
        self.db.links.iter().position(|l| &l.source == source)
    }

    /// The table row a feature is, for a table's layer.
    pub fn row_key_of(&self, r: crate::model::FeatureRef) -> Option<String> {
        let li = self.doc.index_of(r.layer)?;
        let k = self.link_of(li)?;
        self.db.links[k].sync.row_key(r.feature).map(str::to_owned)
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
            return Err(tr("Not a PostGIS layer").to_owned());
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
                    self.report(text);
                }
            }
            Reply::Disconnected(message) => {
                self.db.links[k].lost = Some(message);
            }
            Reply::Reconnected => {
                let link = &mut self.db.links[k];
                link.lost = None;
                // Catch up with what others saved meanwhile, then send what waited. A table too
                // large to hold asks only of the rows it holds.
                if link.windowed.is_some() {
                    link.worker.send(Request::VersionsOf(link.sync.held_keys()));
                } else {
                    link.worker.send(Request::Versions);
                }
                if link.sync.save_queued
                    && let Some(li) = li
                {
                    let _ = self.save_db_layer(li);
                }
            }
            Reply::Changed(keys) => {
                let link = &self.db.links[k];
                // A table too large to hold reads again the rows it holds; rows it does not
                // know are read too (they may be new ones in view) unless there are so many
                // that the change was elsewhere in bulk: those come with their tiles.
                let keys = if link.windowed.is_some() {
                    let (held, other): (Vec<String>, Vec<String>) =
                        keys.into_iter().partition(|key| link.sync.holds_row(key));
                    if other.len() <= 10_000 {
                        held.into_iter().chain(other).collect()
                    } else {
                        held
                    }
                } else {
                    keys
                };
                if !keys.is_empty() {
                    link.worker.send(Request::Fetch(keys));
                }
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
        }) = link.sync.on_saved(&self.doc.layers[li], ticket, outcomes)
        else {
            return;
        };
        let describe = link.pg.describe();
        if let Some(w) = link.windowed.as_mut()
            && written > 0
        {
            w.rows_changed();
        }
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
        // A table too large to hold takes in only rows it holds, or new ones where it holds
        // the tiles: the rest is read with its tile when the view comes to it.
        if let Some(w) = self.db.links[k].windowed.as_mut() {
            w.rows_changed();
        }
        let link = &self.db.links[k];
        let rows = match link.windowed.as_ref() {
            Some(w) => rows
                .into_iter()
                .filter(|r| {
                    link.sync.holds_row(&r.key)
                        || r.record
                            .geometry
                            .as_ref()
                            .and_then(|g| crate::model::edit::bbox_of([&g.value], 2))
                            .is_some_and(|b| {
                                w.window.holds(&crate::db::window::mercator_box(&[
                                    b[0], b[1], b[2], b[3],
                                ]))
                            })
                })
                .collect(),
            None => rows,
        };
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
        let Some(li) = self.layer_of_link(link) else {
            return;
        };
        if self.db.links[link].sync.keep_mine(conflict) {
            let _ = self.save_db_layer(li);
        }
    }

    /// "Take theirs": our version of the feature becomes theirs (an edit that can be undone);
    /// nothing is written.
    pub fn take_theirs(&mut self, link: usize, conflict: usize) {
        let Some(li) = self.layer_of_link(link) else {
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
}

/// "1 change", "3 changes".
pub(super) fn changes(n: usize) -> String {
    if n == 1 {
        "1 change".to_owned()
    } else {
        format!("{n} changes")
    }
}

/// What differs between our version and theirs, in words.
pub(super) fn differences(mine: &geojson::Feature, theirs: &geojson::Feature) -> Vec<String> {
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
