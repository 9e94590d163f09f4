//! The boundary editor's widgets: the edit toolbar, the attribute form, vertex handles and snap
//! markers on the map. What a gesture does is decided in [`crate::editor`] (the controller);
//! what an edit does to the layer is in `model::edit`; the app wires them together.

use crate::ui::i18n::{tr, trf};
use egui::{Color32, Pos2, RichText, Stroke, Ui, vec2};
use geojson::{JsonObject, JsonValue};

use crate::editor::midpoint;
use crate::editor::{EditorState, Tool};
use crate::geometry::mercator_from_lonlat;
use crate::geometry::validity::Problem;
use crate::model::edit::{Part, PartKind, VertexAt};
use crate::model::{Layer, LayerId, LayerIndex};
use crate::render::ScreenTransform;

use super::MUTED;

const EDIT_BLUE: Color32 = Color32::from_rgb(0x15, 0x65, 0xc0);
const SNAP_MAGENTA: Color32 = Color32::from_rgb(0xd8, 0x1b, 0x60);
const PROBLEM_RED: Color32 = Color32::from_rgb(0xd3, 0x2f, 0x2f);

/// What the toolbar asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum ToolbarAction {
    Tool(Tool),
    Layer(LayerId),
    Undo,
    Redo,
    Save,
    SaveAs,
    Stop,
}

/// The edit toolbar: layer, tools, snapping, undo/redo and save.
pub fn edit_toolbar_ui(
    ui: &mut Ui,
    state: &mut EditorState,
    layers: &[Layer],
) -> Option<ToolbarAction> {
    let mut action = None;
    let edited = state.layer?;
    let Some(layer) = layers.iter().find(|l| l.id == edited) else {
        return Some(ToolbarAction::Stop);
    };
    ui.horizontal_wrapped(|ui| {
        let editing = ui.label(RichText::new(tr("Editing")).strong().color(EDIT_BLUE));
        egui::ComboBox::from_id_salt("edit_layer")
            .selected_text(layer.title_in(super::i18n::lang()))
            .show_ui(ui, |ui| {
                for l in layers.iter().rev() {
                    if l.error().is_none()
                        && ui
                            .selectable_label(l.id == edited, l.title_in(super::i18n::lang()))
                            .clicked()
                    {
                        action = Some(ToolbarAction::Layer(l.id));
                    }
                }
            })
            .response
            .labelled_by(editing.id);
        ui.separator();
        for (tool, key) in [
            (Tool::Vertices, "V"),
            (Tool::Move, "G"),
            (Tool::DrawPolygon, "P"),
            (Tool::DrawLine, "L"),
            (Tool::DrawPoint, "O"),
        ] {
            if ui
                .selectable_label(state.tool == tool, tr(tool.label()))
                .on_hover_text(format!("{} ({key})", tr(tool.label())))
                .clicked()
            {
                action = Some(ToolbarAction::Tool(tool));
            }
        }
        ui.separator();
        ui.checkbox(&mut state.snapping, tr("Snap (S)"))
            .on_hover_text(tr(
                "Snap to vertices and edges of other features within a few pixels",
            ));
        ui.separator();
        let undo = layer.history.undo_label();
        if ui
            .add_enabled(undo.is_some(), egui::Button::new(tr("Undo")))
            .on_hover_text(trf("Undo {} (Ctrl+Z)", &[&tr(undo.unwrap_or(""))]))
            .clicked()
        {
            action = Some(ToolbarAction::Undo);
        }
        let redo = layer.history.redo_label();
        if ui
            .add_enabled(redo.is_some(), egui::Button::new(tr("Redo")))
            .on_hover_text(trf("Redo {} (Ctrl+Y)", &[&tr(redo.unwrap_or(""))]))
            .clicked()
        {
            action = Some(ToolbarAction::Redo);
        }
        ui.separator();
        let save = if layer.is_dirty() {
            tr("Save ●")
        } else {
            tr("Save")
        };
        if ui
            .button(save)
            .on_hover_text(trf("Save {} (Ctrl+S)", &[&layer.source.display()]))
            .clicked()
        {
            action = Some(ToolbarAction::Save);
        }
        if ui.button(tr("Save as…")).clicked() {
            action = Some(ToolbarAction::SaveAs);
        }
        if ui.button(tr("Stop editing (E)")).clicked() {
            action = Some(ToolbarAction::Stop);
        }
    });
    if state.tool.draws() {
        let hint = match state.tool {
            Tool::DrawPoint => tr("Click to place the point."),
            _ => tr(
                "Click to add vertices; Enter or double-click finishes, Backspace removes the last, Escape cancels.",
            ),
        };
        ui.label(RichText::new(hint).small().color(MUTED));
    }
    if let Some(m) = &state.message {
        ui.label(RichText::new(format!("⚠ {m}")).color(ui.visuals().warn_fg_color));
    }
    action
}

/// The text being typed into the attribute form, per key, until it is committed.
#[derive(Default)]
pub struct FormState {
    /// Which feature (layer, index, revision) the buffers belong to.
    pub owner: Option<(LayerIndex, usize, u64)>,
    pub buffers: Vec<(String, String)>,
    pub new_key: String,
    pub new_kind: ValueKind,
    pub error: Option<String>,
}

/// The JSON type of a new attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ValueKind {
    #[default]
    Text,
    Number,
    Boolean,
    Null,
}

impl ValueKind {
    const ALL: [ValueKind; 4] = [
        ValueKind::Text,
        ValueKind::Number,
        ValueKind::Boolean,
        ValueKind::Null,
    ];
    fn label(self) -> &'static str {
        match self {
            ValueKind::Text => "text",
            ValueKind::Number => "number",
            ValueKind::Boolean => "true/false",
            ValueKind::Null => "null",
        }
    }
}

/// How a value is typed in the form: strings as they are, everything else as JSON.
fn as_text(value: &JsonValue) -> String {
    match value {
        JsonValue::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn type_name(value: &JsonValue) -> &'static str {
    match value {
        JsonValue::String(_) => "text",
        JsonValue::Number(_) => "number",
        JsonValue::Bool(_) => "true/false",
        JsonValue::Null => "null",
        JsonValue::Array(_) => "list (JSON)",
        JsonValue::Object(_) => "object (JSON)",
    }
}

/// Reads typed text back as a value of the same JSON type as `like`.
pub fn parse_like(like: &JsonValue, text: &str) -> Result<JsonValue, String> {
    match like {
        JsonValue::String(_) => Ok(JsonValue::String(text.to_owned())),
        JsonValue::Number(_) => {
            let t = text.trim();
            serde_json::from_str::<serde_json::Number>(t)
                .map(JsonValue::Number)
                .map_err(|_| format!("“{t}” is not a number"))
        }
        JsonValue::Bool(_) => match text.trim() {
            "true" => Ok(JsonValue::Bool(true)),
            "false" => Ok(JsonValue::Bool(false)),
            t => Err(format!("“{t}” is neither true nor false")),
        },
        JsonValue::Null if text.trim() == "null" || text.trim().is_empty() => Ok(JsonValue::Null),
        // A null being given a value: take JSON if it is JSON, else text.
        JsonValue::Null => Ok(serde_json::from_str(text.trim())
            .unwrap_or_else(|_| JsonValue::String(text.to_owned()))),
        JsonValue::Array(_) | JsonValue::Object(_) => {
            let v: JsonValue =
                serde_json::from_str(text.trim()).map_err(|e| format!("not valid JSON: {e}"))?;
            if std::mem::discriminant(&v) == std::mem::discriminant(like) {
                Ok(v)
            } else {
                Err(format!("expected a {}", type_name(like)))
            }
        }
    }
}

/// The attribute form of a feature being edited. Returns the changed record and what changed.
///
/// Long because it is one form: a row per attribute, then the new-attribute row.
pub fn attribute_form_ui(
    ui: &mut Ui,
    record: &geojson::Feature,
    owner: (LayerIndex, usize, u64),
    form: &mut FormState,
) -> Option<(geojson::Feature, String)> {
    let empty = JsonObject::new();
    let props = record.properties.as_ref().unwrap_or(&empty);
    if form.owner != Some(owner) {
        form.owner = Some(owner);
        form.buffers = props.iter().map(|(k, v)| (k.clone(), as_text(v))).collect();
        form.error = None;
    }
    let mut result = None;
    ui.horizontal(|ui| {
        ui.label(RichText::new("id").color(MUTED));
        let id = match &record.id {
            Some(geojson::feature::Id::String(s)) => format!("“{s}” ({})", tr("text")),
            Some(geojson::feature::Id::Number(n)) => format!("{n} ({})", tr("number")),
            None => tr("none").to_owned(),
        };
        ui.label(id);
    });
    egui::Grid::new(("attribute_form", owner.0, owner.1))
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            for (key, value) in props {
                let Some(buffer) = form
                    .buffers
                    .iter_mut()
                    .find(|(k, _)| k == key)
                    .map(|(_, b)| b)
                else {
                    continue;
                };
                let key_label = ui.label(key).on_hover_text(type_name(value));
                let committed = match value {
                    JsonValue::Bool(b) => {
                        let mut v = *b;
                        let r = ui.checkbox(&mut v, "").labelled_by(key_label.id);
                        r.changed().then(|| v.to_string())
                    }
                    _ => {
                        let multiline = matches!(value, JsonValue::String(s) if s.len() > 40);
                        // A grid cell offers little width on its first frame: size the field.
                        let (edit, height) = if multiline {
                            (egui::TextEdit::multiline(buffer).desired_rows(3), 64.0)
                        } else {
                            (egui::TextEdit::singleline(buffer), 20.0)
                        };
                        let r = ui.add_sized([190.0, height], edit.id_salt(("attr", key)));
                        let r = r.labelled_by(key_label.id);
                        let done = r.lost_focus();
                        (done && *buffer != as_text(value)).then(|| buffer.clone())
                    }
                };
                if let Some(text) = committed {
                    match parse_like(value, &text) {
                        Ok(v) => {
                            let mut after = record.clone();
                            after
                                .properties
                                .get_or_insert_with(JsonObject::new)
                                .insert(key.clone(), v);
                            result = Some((after, format!("Edit “{key}”")));
                            form.error = None;
                        }
                        Err(e) => form.error = Some(format!("{key}: {e}")),
                    }
                }
                if ui
                    .small_button("✕")
                    .on_hover_text(trf("Remove “{}”", &[key]))
                    .clicked()
                {
                    let mut after = record.clone();
                    if let Some(p) = after.properties.as_mut() {
                        p.shift_remove(key);
                    }
                    result = Some((after, format!("Remove “{key}”")));
                }
                ui.end_row();
            }
        });
    if let Some(e) = &form.error {
        ui.label(RichText::new(format!("⚠ {e}")).color(ui.visuals().warn_fg_color));
    }
    ui.horizontal(|ui| {
        let add_label = ui.label(tr("New:"));
        let r = ui.add(
            egui::TextEdit::singleline(&mut form.new_key)
                .hint_text(tr("attribute name"))
                .desired_width(120.0),
        );
        let r = r.labelled_by(add_label.id);
        let kind_label = ui.label(tr("of type"));
        egui::ComboBox::from_id_salt("new_attribute_kind")
            .selected_text(tr(form.new_kind.label()))
            .width(80.0)
            .show_ui(ui, |ui| {
                for k in ValueKind::ALL {
                    ui.selectable_value(&mut form.new_kind, k, tr(k.label()));
                }
            })
            .response
            .labelled_by(kind_label.id);
        let key = form.new_key.trim().to_owned();
        let entered = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui
            .add_enabled(!key.is_empty(), egui::Button::new(tr("Add")))
            .clicked()
            || entered)
            && !key.is_empty()
        {
            if props.contains_key(&key) {
                form.error = Some(format!("“{key}” is already an attribute"));
            } else {
                let value = match form.new_kind {
                    ValueKind::Text => JsonValue::String(String::new()),
                    ValueKind::Number => JsonValue::Number(0.into()),
                    ValueKind::Boolean => JsonValue::Bool(false),
                    ValueKind::Null => JsonValue::Null,
                };
                let mut after = record.clone();
                after
                    .properties
                    .get_or_insert_with(JsonObject::new)
                    .insert(key.clone(), value);
                result = Some((after, format!("Add “{key}”")));
                form.new_key.clear();
                form.error = None;
            }
        }
    });
    result
}

fn screen(t: &ScreenTransform, lonlat: [f64; 2]) -> Pos2 {
    t.screen_from_world(mercator_from_lonlat(lonlat[0], lonlat[1]))
}

/// Draws the selected feature's handles, the shape being drawn, located problems and the snap
/// marker.
pub fn paint_edit_overlay(
    painter: &egui::Painter,
    t: &ScreenTransform,
    parts: &[Part],
    state: &EditorState,
    pointer: Option<Pos2>,
) {
    let outline = Stroke::new(2.0, EDIT_BLUE);
    for part in parts {
        let pts: Vec<Pos2> = part.points.iter().map(|p| screen(t, *p)).collect();
        match part.kind {
            PartKind::Ring if pts.len() > 1 => {
                painter.add(egui::Shape::line(
                    crate::render::paint::closed_ring(&pts),
                    outline,
                ));
            }
            PartKind::Line => {
                painter.add(egui::Shape::line(pts.clone(), outline));
            }
            _ => {}
        }
    }
    if state.tool == Tool::Vertices {
        for (pi, part) in parts.iter().enumerate() {
            for (a, b) in part.edges() {
                let m = screen(t, midpoint(part.points[a], part.points[b]));
                painter.circle(
                    m,
                    3.5,
                    Color32::from_white_alpha(230),
                    Stroke::new(1.2, EDIT_BLUE),
                );
            }
            for (i, p) in part.points.iter().enumerate() {
                let selected = state.vertex == Some(VertexAt { part: pi, index: i });
                let at = screen(t, *p);
                let r = egui::Rect::from_center_size(at, vec2(9.0, 9.0));
                painter.rect_filled(r, 1.0, if selected { EDIT_BLUE } else { Color32::WHITE });
                painter.rect_stroke(
                    r,
                    1.0,
                    Stroke::new(1.5, EDIT_BLUE),
                    egui::StrokeKind::Middle,
                );
            }
        }
    }
    for problem in &state.problems {
        if let Some(at) = problem.at {
            let c = screen(t, at);
            painter.circle_stroke(c, 9.0, Stroke::new(2.5, PROBLEM_RED));
            painter.line_segment(
                [c + vec2(-5.0, -5.0), c + vec2(5.0, 5.0)],
                Stroke::new(2.5, PROBLEM_RED),
            );
            painter.line_segment(
                [c + vec2(-5.0, 5.0), c + vec2(5.0, -5.0)],
                Stroke::new(2.5, PROBLEM_RED),
            );
        }
    }
    if !state.drawing.is_empty() {
        let mut pts: Vec<Pos2> = state.drawing.iter().map(|p| screen(t, *p)).collect();
        let cursor = state.snap.map(|s| screen(t, s.lonlat)).or(pointer);
        if let Some(c) = cursor {
            pts.push(c);
        }
        let stroke = Stroke::new(2.0, SNAP_MAGENTA);
        if state.tool == Tool::DrawPolygon && pts.len() >= 3 {
            painter.add(egui::Shape::line(
                crate::render::paint::closed_ring(&pts),
                stroke,
            ));
        } else {
            painter.add(egui::Shape::line(pts.clone(), stroke));
        }
        for p in &pts[..state.drawing.len()] {
            painter.circle(*p, 4.0, Color32::WHITE, stroke);
        }
    }
    if let Some(snap) = state.snap {
        let c = screen(t, snap.lonlat);
        let stroke = Stroke::new(2.0, SNAP_MAGENTA);
        if snap.vertex {
            painter.rect_stroke(
                egui::Rect::from_center_size(c, vec2(14.0, 14.0)),
                0.0,
                stroke,
                egui::StrokeKind::Middle,
            );
        } else {
            painter.circle_stroke(c, 7.0, stroke);
        }
    }
}

/// The geodesic facts and problems of the feature being edited, for the panel.
/// `measures` is the geodesic area (m²) and length or perimeter (m), worked out once per change.
pub fn edit_facts_ui(ui: &mut Ui, measures: Option<[f64; 2]>, problems: &[Problem]) {
    use crate::geometry::measure::{format_distance, format_hectares};
    let Some([area, length]) = measures else {
        ui.label(RichText::new(tr("No geometry")).color(MUTED));
        return;
    };
    egui::Grid::new("edit_facts").num_columns(2).show(ui, |ui| {
        if area > 0.0 {
            ui.label(RichText::new(tr("Area")).color(MUTED));
            let crossing = problems.iter().any(|p| p.at.is_some());
            let shown = ui.label(format_hectares(area));
            if crossing {
                shown.on_hover_text(tr(
                    "The boundary crosses itself, so the area counts the loops against each \
                     other: fix the crossing for a true figure.",
                ));
            }
            ui.end_row();
            ui.label(RichText::new(tr("Perimeter")).color(MUTED));
        } else {
            ui.label(RichText::new(tr("Length")).color(MUTED));
        }
        ui.label(format!("{:.3} km", length / 1000.0))
            .on_hover_text(format_distance(length));
        ui.end_row();
    });
    if problems.is_empty() {
        ui.label(
            RichText::new(format!("✔ {}", tr("Valid geometry")))
                .color(Color32::from_rgb(0x2e, 0x7d, 0x32)),
        );
    }
    for p in problems {
        let text = match p.at {
            Some([lon, lat]) => format!(
                "⚠ {} ({})",
                p.message,
                crate::geometry::coords::format_lat_lon(lon, lat)
            ),
            None => format!("⚠ {}", p.message),
        };
        ui.label(RichText::new(text).color(PROBLEM_RED));
    }
    if !problems.is_empty() {
        ui.label(
            RichText::new(tr(
                "A warning only: the feature is kept and saved as drawn.",
            ))
            .small()
            .color(MUTED),
        );
    }
}
