//! The PostGIS windows and banners: a lost connection, conflicts to decide, a password to
//! give, and "Add PostGIS layer…".

use egui::{Color32, RichText, Stroke, Ui};

use super::postgis::*;
use super::*;
use crate::db::PgSource;
use crate::loader::LoadJob;
use crate::ui::i18n::tr;

impl CorridorApp {
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
                        (_, true) => tr("Your edits are kept in the recovery journal and will be \
                                      saved as soon as the connection returns."),
                        (true, false) => {
                            tr("Your unsaved edits are kept in the recovery journal; \
                                          keep working, and save when it returns.")
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

    pub(super) fn password_window(&mut self, ctx: &egui::Context) {
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
                        tr("That password was refused: try again."),
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
                    RichText::new(tr(
                        "Kept only while Corridor runs; never written to the project. \
                         PGPASSWORD or ~/.pgpass avoid this question.",
                    ))
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
                (self.view_lonlat_box(), self.db.limits),
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
                self.report(message);
            }
        }
    }

    pub(super) fn conflicts_window(&mut self, ctx: &egui::Context) {
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
                ui.label(tr(
                    "Someone else saved these features after you read them. Nothing of yours \
                     was written for them: choose which version to keep. Theirs is drawn \
                     dashed in orange.",
                ));
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

    /// Long because it is one dialog, drawn in the order the user fills it: URL, password, tables,
    /// their facts, the notify trigger.
    pub(super) fn add_window(&mut self, ctx: &egui::Context) {
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
                            .hint_text(tr("from PGPASSWORD or ~/.pgpass if empty"))
                            .desired_width(300.0),
                    )
                    .labelled_by(l.id);
                    ui.end_row();
                });
                ui.label(
                    RichText::new(tr("The password is never written to the project file."))
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
                            RichText::new(tr(
                                "This table does not announce changes: other editors' saves \
                                 appear only after a reload.",
                            ))
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
                form.ask(ctx, tr("Counting features…"), move || {
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
            form.ask(ctx, tr("Installing the trigger…"), move || {
                AddAnswer::Installed(PgSource::new(&url, &table).and_then(|s| {
                    let mut c = crate::db::connect(&url, password.as_deref())?;
                    let info = crate::db::table::describe(&mut c, &s)?;
                    let mut tx = c.transaction().map_err(|e| {
                        crate::db::DbError::from_pg(&e, tr("Installing the trigger"))
                    })?;
                    crate::db::listen::install_triggers(&mut tx, &s, &info.key)
                        .and_then(|()| tx.commit())
                        .map_err(|e| crate::db::DbError::from_pg(&e, tr("Installing the trigger")))
                }))
            });
        } else if connect {
            form.tables.clear();
            form.chosen = None;
            form.facts = None;
            form.ask(ctx, tr("Connecting…"), move || {
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
                self.report(e);
            }
            return;
        }
        if !open {
            self.db.add = None;
        }
    }
}
