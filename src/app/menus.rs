//! The menu bar and the keys: each item or key becomes a [`Command`], run by
//! [`CorridorApp::run`].

use super::*;
use crate::ui::i18n::tr;

impl CorridorApp {
    /// The app's keys, as commands (the editor's first: they consume what they use).
    pub(super) fn keyboard(&mut self, ui: &Ui) {
        let now = ui.input(|i| i.time);
        let ctx = ui.ctx().clone();
        let shortcut =
            |mods, key| ui.input_mut(|i| i.consume_shortcut(&KeyboardShortcut::new(mods, key)));
        let mut commands = Vec::new();
        // Ctrl+Shift+S (save project) before the editor's Ctrl+S (save layer).
        if shortcut(Modifiers::COMMAND | Modifiers::SHIFT, Key::S) {
            commands.push(Command::SaveProject);
        }
        commands.extend(self.edit_keys(ui));
        if shortcut(Modifiers::COMMAND, Key::F) {
            commands.push(Command::FocusSearch);
        }
        if shortcut(Modifiers::COMMAND, Key::O) {
            commands.push(Command::OpenDialog);
        }
        if ui.input(|i| i.key_pressed(Key::F5)) {
            let from = if ui.input(|i| i.modifiers.shift) {
                self.presenter.slide
            } else {
                0
            };
            commands.push(Command::Present { from });
        }
        if ui.input(|i| i.key_pressed(Key::F1)) {
            commands.push(Command::ToggleHelp);
        }
        if !ctx.egui_wants_keyboard_input() {
            let pressed = |key| ui.input(|i| i.key_pressed(key));
            if pressed(Key::Escape) {
                commands.push(Command::Escape);
            }
            if pressed(Key::M) {
                commands.push(Command::ToggleMeasure);
            }
            if pressed(Key::Home) {
                commands.push(Command::FlyHome);
            }
            if pressed(Key::Plus) || pressed(Key::Equals) {
                commands.push(Command::ZoomBy(1.0));
            } else if pressed(Key::Minus) {
                commands.push(Command::ZoomBy(-1.0));
            }
        }
        for c in commands {
            self.run(&ctx, c, now);
        }
    }

    pub(super) fn open_dialog(&mut self, ctx: &egui::Context) {
        if let Some(why) = crate::ui::file_dialog_unavailable() {
            self.report(why.to_owned());
            return;
        }
        let picked = rfd::FileDialog::new()
            .set_title(tr("Open map files"))
            .add_filter(
                tr("Map files (GeoJSON, Shapefile, GeoPackage, MapInfo, KML, FlatGeobuf, DXF)"),
                &[
                    "geojson", "json", "shp", "zip", "gpkg", "tab", "mif", "kml", "kmz", "fgb",
                    "dxf",
                ],
            )
            .add_filter(tr("GeoJSON"), &["geojson", "json"])
            .add_filter(tr("All files"), &["*"])
            .pick_files();
        if let Some(paths) = picked {
            self.open_files(ctx, paths);
        }
    }

    /// The menu bar; each item is a [`Command`], run once the bar is drawn.
    ///
    /// Long because it is the whole menu bar, one line per item in menu order; each item is a
    /// command run elsewhere.
    pub(super) fn menu_ui(&mut self, ui: &mut Ui) {
        let now = ui.input(|i| i.time);
        let ctx = ui.ctx().clone();
        let mut commands: Vec<Command> = Vec::new();
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button(tr("File"), |ui| {
                commands.extend(item(ui, "Open GeoJSON… (Ctrl+O)", Command::OpenDialog));
                commands.extend(item(ui, "Add PostGIS layer…", Command::AddPostgisLayer));
                if ui.button(tr("Add basemap… (MBTiles, PMTiles)")).clicked() {
                    ui.close();
                    self.apply_basemap_action(&ctx, BasemapAction::PickFile);
                }
                ui.menu_button(tr("Open recent"), |ui| {
                    let recent: Vec<PathBuf> = self
                        .persisted
                        .recent
                        .iter()
                        .filter(|p| *p != &self.opened)
                        .cloned()
                        .collect();
                    if recent.is_empty() {
                        ui.label(RichText::new(tr("Nothing yet")).color(crate::ui::MUTED));
                    }
                    for p in recent {
                        if ui.button(p.display().to_string()).clicked() {
                            ui.close();
                            commands.push(Command::OpenFiles(vec![p]));
                        }
                    }
                });
                ui.separator();
                commands.extend(item(ui, "Save layer (Ctrl+S)", Command::SaveLayer));
                commands.extend(item(ui, "Save layer as…", Command::SaveLayerAs(None)));
                commands.extend(item(
                    ui,
                    "Save project (Ctrl+Shift+S)",
                    Command::SaveProject,
                ));
            });
            ui.menu_button(tr("Edit"), |ui| {
                let label = if self.editing_layer().is_some() {
                    "Stop editing (E)"
                } else {
                    "Edit layer (E)"
                };
                commands.extend(item(ui, label, Command::ToggleEditing(None)));
                ui.separator();
                commands.extend(stay(ui, "Undo (Ctrl+Z)", Command::Undo));
                commands.extend(stay(ui, "Redo (Ctrl+Y)", Command::Redo));
            });
            ui.menu_button(tr("View"), |ui| {
                commands.extend(stay(ui, "Initial view (Home)", Command::FlyHome));
                commands.extend(stay(ui, "Zoom to all layers", Command::ZoomToAll));
                ui.separator();
                ui.checkbox(&mut self.persisted.panels.side, tr("Sub-areas and layers"));
                ui.checkbox(&mut self.persisted.panels.legend, tr("Legend"));
                ui.checkbox(&mut self.persisted.panels.bookmarks, tr("Bookmarks"));
                commands.extend(stay(ui, "Problems…", Command::ShowProblems));
            });
            ui.menu_button(tr("Tools"), |ui| {
                if ui.button(tr("Measure (M)")).clicked() {
                    ui.close();
                    self.measure.active = true;
                    self.measure.clear();
                }
                commands.extend(stay(ui, "Search (Ctrl+F)", Command::FocusSearch));
            });
            let mut basemap_action = None;
            ui.menu_button(tr("Basemap"), |ui| {
                let offered = providers(&self.doc.basemap, &self.persisted.providers);
                let limit = self
                    .basemap
                    .cache
                    .as_ref()
                    .map(|c| c.1)
                    .unwrap_or(DEFAULT_LIMIT_BYTES);
                basemap_action =
                    basemap_menu_ui(ui, &self.basemap.spec, &offered, &self.basemap.local, limit);
            });
            if let Some(a) = basemap_action {
                self.apply_basemap_action(&ctx, a);
            }
            ui.menu_button(tr("Story"), |ui| {
                commands.extend(item(
                    ui,
                    "Present from the start (F5)",
                    Command::Present { from: 0 },
                ));
                let from = self.presenter.slide;
                commands.extend(item(
                    ui,
                    "Present from this slide (Shift+F5)",
                    Command::Present { from },
                ));
                commands.extend(item(ui, "Edit story…", Command::EditStory));
                ui.separator();
                commands.extend(item(
                    ui,
                    "Export view as PNG…",
                    Command::ExportView { scale: 1.0 },
                ));
                commands.extend(item(
                    ui,
                    "Export view for print (2×)…",
                    Command::ExportView { scale: 2.0 },
                ));
                commands.extend(item(ui, "Export all slides as PNG…", Command::ExportSlides));
            });
            let mut chosen_lang = None;
            ui.menu_button(tr("Language"), |ui| {
                let current = crate::ui::i18n::lang();
                for l in crate::model::Lang::ALL {
                    if ui
                        .radio(
                            current == l && self.persisted.lang.is_some(),
                            l.native_name(),
                        )
                        .clicked()
                    {
                        chosen_lang = Some(l);
                        ui.close();
                    }
                }
            });
            if let Some(l) = chosen_lang {
                commands.push(Command::Language(l));
            }
            ui.menu_button(tr("Help"), |ui| {
                if ui.button(tr("Keyboard and mouse (F1)")).clicked() {
                    self.show_help = true;
                }
                commands.extend(stay(ui, "About Corridor", Command::ShowAbout));
            });
            ui.separator();
            match search_ui(ui, &mut self.search, &mut self.search_index, &self.doc) {
                Some(SearchOutcome::Feature(r)) => commands.push(Command::SelectAndFly(r)),
                Some(SearchOutcome::Position(at)) => commands.push(Command::ShowPosition(at)),
                None => {}
            }
            ui.separator();
            ui.label(RichText::new(self.doc.title.get(crate::ui::i18n::lang())).strong());
        });
        for c in commands {
            self.run(&ctx, c, now);
        }
    }

    pub(super) fn apply_basemap_action(&mut self, ctx: &egui::Context, action: BasemapAction) {
        match action {
            BasemapAction::Provider(spec) => {
                // Another provider; the vector style stays.
                let style = self.basemap.spec.style.take();
                self.basemap.spec = spec;
                self.basemap.spec.style = style;
                self.basemap.restart(ctx);
            }
            BasemapAction::PickFile => {
                if let Some(why) = crate::ui::file_dialog_unavailable() {
                    self.report(why.to_owned());
                } else if let Some(path) = rfd::FileDialog::new()
                    .set_title(tr("Add basemap"))
                    .add_filter(tr("Tile files (MBTiles, PMTiles)"), &["mbtiles", "pmtiles"])
                    .pick_file()
                {
                    self.add_basemap_file(ctx, path);
                }
            }
            BasemapAction::RemoveFile(path) => {
                self.basemap.local.retain(|p| *p != path);
                self.basemap.restart(ctx);
            }
            BasemapAction::CacheLimit(bytes) => {
                self.persisted.cache_limit = bytes;
                if let Some(c) = &mut self.basemap.cache {
                    c.1 = bytes;
                }
                self.basemap.restart(ctx);
            }
            BasemapAction::PickStyle => {
                if let Some(why) = crate::ui::file_dialog_unavailable() {
                    self.report(why.to_owned());
                } else if let Some(path) = rfd::FileDialog::new()
                    .set_title(tr("Style of vector tiles"))
                    .add_filter(tr("MapLibre style (JSON)"), &["json"])
                    .pick_file()
                {
                    self.set_vector_style(ctx, Some(path));
                }
            }
            BasemapAction::BuiltInStyle => self.set_vector_style(ctx, None),
            BasemapAction::OpenOffline => self.offline.open = true,
            BasemapAction::OpenProviderForm => self.provider_form.open = true,
        }
    }
}

/// A menu item: its command when clicked (the menu then closes).
fn item(ui: &mut Ui, label: &'static str, command: Command) -> Option<Command> {
    let clicked = ui.button(tr(label)).clicked();
    if clicked {
        ui.close();
    }
    clicked.then_some(command)
}

/// A menu item that leaves the menu open (undo and redo, say, are often clicked again).
fn stay(ui: &mut Ui, label: &'static str, command: Command) -> Option<Command> {
    ui.button(tr(label)).clicked().then_some(command)
}
