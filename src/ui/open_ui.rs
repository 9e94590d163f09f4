//! The questions a planner's file asks as it opens: which tables of a GeoPackage to add, which
//! coordinate system a file that states none is in, and whether text that looks written in
//! TCVN3 or VNI should be decoded (with a preview of what that does). Each window draws and
//! returns the user's answer; the app acts on it.

use std::path::PathBuf;

use egui::{RichText, Ui};

use crate::io::ogr_file::{CRS_CHOICES, TableInfo};
use crate::io::vn_text::LegacyEncoding;
use crate::model::ReadSettings;
use crate::ui::i18n::tr;

/// "Which tables?" for a file that has several.
#[derive(Clone, Debug)]
pub struct TableQuestion {
    pub path: PathBuf,
    pub tables: Vec<TableInfo>,
    /// Ticked, per table.
    pub chosen: Vec<bool>,
    /// How the file is read otherwise (a coordinate system already given …).
    pub read: ReadSettings,
}

impl TableQuestion {
    pub fn new(path: PathBuf, tables: Vec<TableInfo>, read: ReadSettings) -> Self {
        Self {
            chosen: vec![true; tables.len()],
            path,
            tables,
            read,
        }
    }
}

/// What the user said of the tables.
#[derive(Clone, Debug, PartialEq)]
pub enum TablesAnswer {
    Open(Vec<String>),
    Cancel,
}

/// Shows the table chooser.
pub fn tables_window(ctx: &egui::Context, q: &mut TableQuestion) -> Option<TablesAnswer> {
    let mut answer = None;
    let title = format!("{} — {}", tr("Add tables"), file_name(&q.path));
    egui::Window::new(title)
        .id(egui::Id::unique(("tables", &q.path)))
        .collapsible(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
        .show(ctx, |ui| {
            ui.label(tr(
                "This file holds several tables. Tick those to add as layers.",
            ));
            ui.add_space(4.0);
            egui::Grid::new("tables grid")
                .striped(true)
                .num_columns(3)
                .show(ui, |ui| {
                    for (t, chosen) in q.tables.iter().zip(q.chosen.iter_mut()) {
                        ui.checkbox(chosen, &t.name);
                        ui.label(&t.geometry);
                        ui.label(match t.features {
                            Some(n) => format!("{n} {}", tr("features")),
                            None => String::new(),
                        });
                        ui.end_row();
                    }
                });
            ui.horizontal(|ui| {
                if ui.small_button(tr("All")).clicked() {
                    q.chosen.iter_mut().for_each(|c| *c = true);
                }
                if ui.small_button(tr("None")).clicked() {
                    q.chosen.iter_mut().for_each(|c| *c = false);
                }
            });
            ui.separator();
            ui.horizontal(|ui| {
                let names: Vec<String> = q
                    .tables
                    .iter()
                    .zip(&q.chosen)
                    .filter(|(_, c)| **c)
                    .map(|(t, _)| t.name.clone())
                    .collect();
                if ui
                    .add_enabled(!names.is_empty(), egui::Button::new(tr("Add layers")))
                    .clicked()
                {
                    answer = Some(TablesAnswer::Open(names));
                }
                if ui.button(tr("Cancel")).clicked() {
                    answer = Some(TablesAnswer::Cancel);
                }
            });
        });
    answer
}

/// "Which coordinate system?" for a file that states none and is plainly not in degrees.
#[derive(Clone, Debug)]
pub struct CrsQuestion {
    pub path: PathBuf,
    /// What was found (the coordinates' range).
    pub message: String,
    /// Index into [`CRS_CHOICES`], or `None` for the definition typed in `custom`.
    pub choice: Option<usize>,
    pub custom: String,
    pub read: ReadSettings,
}

impl CrsQuestion {
    pub fn new(path: PathBuf, message: String, read: ReadSettings) -> Self {
        Self {
            path,
            message,
            // VN-2000 / TM-3 105°45′, the zone of Bình Dương, first.
            choice: Some(0),
            custom: String::new(),
            read,
        }
    }

    /// The definition chosen (`EPSG:9210` …), if one is.
    pub fn definition(&self) -> Option<String> {
        match self.choice {
            Some(i) => CRS_CHOICES.get(i).map(|(code, _)| format!("EPSG:{code}")),
            None => Some(self.custom.trim().to_owned()).filter(|s| !s.is_empty()),
        }
    }
}

/// What the user said of the coordinate system.
#[derive(Clone, Debug, PartialEq)]
pub enum CrsAnswer {
    Use(String),
    Cancel,
}

/// Shows the coordinate-system question.
pub fn crs_window(ctx: &egui::Context, q: &mut CrsQuestion) -> Option<CrsAnswer> {
    let mut answer = None;
    let title = format!("{} — {}", tr("Coordinate system"), file_name(&q.path));
    egui::Window::new(title)
        .id(egui::Id::unique(("crs", &q.path)))
        .collapsible(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
        .show(ctx, |ui| {
            ui.set_max_width(520.0);
            ui.label(tr(
                "This file does not say which coordinate system it is in, and its coordinates \
                 are not degrees. Which system is it in? Corridor remembers the answer for this \
                 file.",
            ));
            ui.label(RichText::new(&q.message).small().color(super::MUTED));
            ui.add_space(4.0);
            egui::ScrollArea::vertical()
                .max_height(260.0)
                .show(ui, |ui| {
                    for (i, (code, name)) in CRS_CHOICES.iter().enumerate() {
                        ui.radio_value(&mut q.choice, Some(i), format!("{name}  (EPSG:{code})"));
                    }
                });
            // Another system: typing in the field chooses it.
            ui.horizontal(|ui| {
                ui.radio_value(&mut q.choice, None, tr("Another:"));
                let r = ui.add(
                    egui::TextEdit::singleline(&mut q.custom)
                        .hint_text(tr("EPSG:32648, or a PROJ string"))
                        .desired_width(300.0),
                );
                if r.gained_focus() || r.changed() {
                    q.choice = None;
                }
            });
            ui.separator();
            ui.horizontal(|ui| {
                let def = q.definition();
                if ui
                    .add_enabled(def.is_some(), egui::Button::new(tr("Open")))
                    .clicked()
                    && let Some(def) = def
                {
                    answer = Some(CrsAnswer::Use(def));
                }
                if ui.button(tr("Cancel")).clicked() {
                    answer = Some(CrsAnswer::Cancel);
                }
            });
        });
    answer
}

/// "Decode the text?" for a layer whose text looks misread from TCVN3 or VNI.
#[derive(Clone, Debug)]
pub struct DecodeOffer {
    /// The layer, by identity: never by position.
    pub layer: crate::model::LayerId,
    pub name: String,
    /// The encoding the detector found, and the one chosen in the window.
    pub found: LegacyEncoding,
    pub chosen: LegacyEncoding,
    /// A few text values as read and decoded from `preview_of`.
    pub preview: Vec<(String, String)>,
    pub preview_of: Option<LegacyEncoding>,
}

/// What the user said of the decoding.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DecodeAnswer {
    Decode(LegacyEncoding),
    /// The text is right as it is.
    Keep,
    /// Not now (asked again next time the file opens).
    Later,
}

/// Shows the decoding offer with its preview of (before, after) pairs. `blocked` says why
/// decoding cannot be applied now, if it cannot.
pub fn decode_window(
    ctx: &egui::Context,
    offer: &mut DecodeOffer,
    blocked: Option<&str>,
) -> Option<DecodeAnswer> {
    let mut answer = None;
    let title = format!("{} — {}", tr("Vietnamese text"), offer.name);
    egui::Window::new(title)
        .id(egui::Id::unique(("decode", &offer.layer)))
        .collapsible(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
        .show(ctx, |ui| {
            ui.set_max_width(560.0);
            ui.label(format!(
                "{} {}. {}",
                tr("The text of this layer looks written in the legacy encoding"),
                offer.found.name(),
                tr("Decode it to Unicode?")
            ));
            ui.horizontal(|ui| {
                ui.label(tr("Encoding:"));
                for e in LegacyEncoding::ALL {
                    ui.radio_value(&mut offer.chosen, e, e.name());
                }
            });
            preview_grid(ui, &offer.preview);
            if let Some(why) = blocked {
                ui.label(RichText::new(why).color(ui.visuals().warn_fg_color));
            }
            ui.separator();
            ui.horizontal(|ui| {
                let label = format!("{} {}", tr("Decode from"), offer.chosen.name());
                if ui
                    .add_enabled(blocked.is_none(), egui::Button::new(label))
                    .clicked()
                {
                    answer = Some(DecodeAnswer::Decode(offer.chosen));
                }
                if ui.button(tr("Keep as it is")).clicked() {
                    answer = Some(DecodeAnswer::Keep);
                }
                if ui.button(tr("Not now")).clicked() {
                    answer = Some(DecodeAnswer::Later);
                }
            });
        });
    answer
}

fn preview_grid(ui: &mut Ui, preview: &[(String, String)]) {
    if preview.is_empty() {
        ui.label(tr("Decoding would change no text."));
        return;
    }
    egui::Grid::new("decode preview")
        .striped(true)
        .num_columns(2)
        .show(ui, |ui| {
            ui.strong(tr("As read"));
            ui.strong(tr("Decoded"));
            ui.end_row();
            for (before, after) in preview {
                ui.label(before);
                ui.label(after);
                ui.end_row();
            }
        });
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}
