//! Opening the files planners are sent: the questions they ask (tables, coordinate system,
//! legacy text) and the answers remembered per file, so that the next opening asks nothing.

use crate::ui::i18n::tr;
use std::path::{Path, PathBuf};

use super::CorridorApp;
use crate::io::ogr_file::{decode_layer, decode_preview, legacy_of, text_encoding_of};
use crate::loader::LoadJob;
use crate::model::{ReadSettings, TextEncoding};
use crate::ui::open_ui::{
    CrsAnswer, CrsQuestion, DecodeAnswer, DecodeOffer, TableQuestion, TablesAnswer, crs_window,
    decode_window, tables_window,
};
use crate::ui::style_ui::automatic_style;

/// How many files' answers the app remembers.
const MAX_REMEMBERED: usize = 200;

/// Questions waiting for the user, oldest first.
#[derive(Default)]
pub struct OpeningState {
    pub tables: Vec<TableQuestion>,
    pub crs: Vec<CrsQuestion>,
    pub decode: Vec<DecodeOffer>,
}

impl OpeningState {
    /// Whether any question is waiting.
    pub fn asking(&self) -> bool {
        !(self.tables.is_empty() && self.crs.is_empty() && self.decode.is_empty())
    }
}

/// The key answers for a file (and one of its tables) are remembered under.
fn key_of(path: &Path, table: Option<&str>) -> PathBuf {
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    crate::model::table_key(&path, table)
}

impl CorridorApp {
    /// How `path` (and `table` of it) was read last time: the remembered answers, the file's
    /// coordinate system answer applying to each of its tables.
    pub(super) fn remembered_read(&self, path: &Path, table: Option<&str>) -> ReadSettings {
        let find = |key: &PathBuf| {
            self.persisted
                .files
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, r)| r.clone())
        };
        let file = find(&key_of(path, None)).unwrap_or_default();
        match table {
            None => file,
            Some(t) => {
                let mut r = find(&key_of(path, Some(t))).unwrap_or_default();
                r.table = Some(t.to_owned());
                if r.crs.is_none() {
                    r.crs = file.crs;
                }
                r
            }
        }
    }

    /// Remembers an answer for `path` (and `table`): `change` edits what is kept.
    fn remember_read(
        &mut self,
        path: &Path,
        table: Option<&str>,
        change: impl FnOnce(&mut ReadSettings),
    ) {
        let key = key_of(path, table);
        let files = &mut self.persisted.files;
        let mut r = match files.iter().position(|(k, _)| *k == key) {
            Some(i) => files.remove(i).1,
            None => ReadSettings::default(),
        };
        change(&mut r);
        r.suspected = None;
        files.insert(0, (key, r));
        files.truncate(MAX_REMEMBERED);
    }

    /// Starts loading `path` as `read` says.
    pub(super) fn start_load(&mut self, ctx: &egui::Context, path: PathBuf, read: ReadSettings) {
        let style = automatic_style(self.doc.layers.len() + self.loads.len());
        let repaint_ctx = ctx.clone();
        self.loads
            .push(LoadJob::start_as(path, style, read, move || {
                repaint_ctx.request_repaint()
            }));
    }

    /// A file of several tables was opened: ask which.
    pub(super) fn ask_tables(
        &mut self,
        path: PathBuf,
        tables: Vec<crate::io::ogr_file::TableInfo>,
        read: ReadSettings,
    ) {
        if !self.opening.tables.iter().any(|q| q.path == path) {
            self.opening
                .tables
                .push(TableQuestion::new(path, tables, read));
        }
    }

    /// A file states no coordinate system: ask which.
    pub(super) fn ask_crs(&mut self, path: PathBuf, message: String, read: ReadSettings) {
        if !self
            .opening
            .crs
            .iter()
            .any(|q| q.path == path && q.read.table == read.table)
        {
            self.opening.crs.push(CrsQuestion::new(path, message, read));
        }
    }

    /// A layer has just been added: offer to decode its text if it looks misread.
    pub(super) fn offer_decoding(&mut self, layer: &crate::model::Layer) {
        let Some(read) = &layer.read else {
            return;
        };
        let Some(found) = read.suspected.and_then(legacy_of) else {
            return;
        };
        if read.encoding.is_some() {
            return;
        }
        if !self.opening.decode.iter().any(|o| o.layer == layer.id) {
            self.opening.decode.push(DecodeOffer {
                layer: layer.id,
                name: layer.name.clone(),
                found,
                chosen: found,
                preview: Vec::new(),
                preview_of: None,
            });
        }
    }

    /// The windows of the questions waiting, and what their answers do.
    pub(super) fn opening_windows(&mut self, ctx: &egui::Context) {
        if let Some(q) = self.opening.tables.first_mut()
            && let Some(answer) = tables_window(ctx, q)
        {
            let q = self.opening.tables.remove(0);
            if let TablesAnswer::Open(names) = answer {
                for name in names {
                    let mut read = self.remembered_read(&q.path, Some(&name));
                    if read.crs.is_none() {
                        read.crs = q.read.crs.clone();
                    }
                    self.start_load(ctx, q.path.clone(), read);
                }
            }
        }
        if let Some(q) = self.opening.crs.first_mut()
            && let Some(answer) = crs_window(ctx, q)
        {
            let q = self.opening.crs.remove(0);
            if let CrsAnswer::Use(definition) = answer {
                // Checked by opening the file with it: a definition PROJ cannot read comes
                // back as a message naming the file.
                self.remember_read(&q.path, None, |r| r.crs = Some(definition.clone()));
                let mut read = q.read;
                read.crs = Some(definition);
                self.start_load(ctx, q.path, read);
            }
        }
        self.decode_offer_window(ctx);
    }

    fn decode_offer_window(&mut self, ctx: &egui::Context) {
        let Some(offer) = self.opening.decode.first() else {
            return;
        };
        let Some(li) = self.doc.index_of(offer.layer) else {
            // The layer was removed meanwhile.
            self.opening.decode.remove(0);
            return;
        };
        let blocked = self.doc.layers[li].is_dirty().then_some(tr(
            "The layer has unsaved edits: save or undo them first, then decode (or choose Not \
             now and decode when the file is next opened).",
        ));
        let Some(offer) = self.opening.decode.first_mut() else {
            return;
        };
        // Worked out when the encoding is chosen, not every frame: finding values that change
        // may decode every text of a large layer.
        if offer.preview_of != Some(offer.chosen) {
            offer.preview = decode_preview(&self.doc.layers[li], offer.chosen, 6);
            offer.preview_of = Some(offer.chosen);
        }
        let Some(answer) = decode_window(ctx, offer, blocked) else {
            return;
        };
        let offer = self.opening.decode.remove(0);
        let layer = &self.doc.layers[li];
        let (path, table) = (
            layer.source.key(),
            layer.read.as_ref().and_then(|r| r.table.clone()),
        );
        match answer {
            DecodeAnswer::Decode(encoding) => {
                self.decode_layer_text(li, encoding);
                self.remember_read(&path, table.as_deref(), |r| {
                    r.encoding = Some(text_encoding_of(encoding));
                });
                self.info = Some(format!(
                    "Decoded the text of {} from {}",
                    offer.name,
                    encoding.name()
                ));
            }
            DecodeAnswer::Keep => {
                if let Some(r) = self.doc.layers[li].read.as_mut() {
                    r.encoding = Some(TextEncoding::Declared);
                    r.suspected = None;
                }
                self.remember_read(&path, table.as_deref(), |r| {
                    r.encoding = Some(TextEncoding::Declared);
                });
            }
            DecodeAnswer::Later => {}
        }
    }

    /// Decodes a layer's text in place: how the file is read, not an edit (nothing becomes
    /// unsaved; the project file and the next opening read it the same way).
    fn decode_layer_text(&mut self, li: usize, encoding: crate::io::vn_text::LegacyEncoding) {
        let Some(layer) = self.doc.layers.get_mut(li) else {
            return;
        };
        decode_layer(layer, encoding);
        if let Some(r) = layer.read.as_mut() {
            r.encoding = Some(text_encoding_of(encoding));
            r.suspected = None;
        }
        layer.warnings.push(format!(
            "{}: its text was written in {} and has been decoded",
            layer.source.display(),
            encoding.name()
        ));
        // Every label may change: the layer's caches are built again, once.
        self.renders[li] =
            crate::render::LayerRender::build_in(&self.doc.layers[li], self.persisted.lang);
        self.layers_changed();
    }
}
