//! The story editor: slides listed in order; add the current view as a slide, edit its texts in
//! three languages, reorder, delete, show, and save the story file (atomically).

use super::i18n::tr;
use crate::ui::i18n::trf;
use std::path::{Path, PathBuf};

use egui::{RichText, Ui};

use crate::model::{Lang, Story};

/// What the editor asks of the app.
pub enum StoryAction {
    /// Insert the current view as a slide after the selected one.
    AddCurrentView,
    /// Fly to this slide.
    Show(usize),
    /// The story was saved, or why not.
    Saved(Result<(), String>),
}

/// The editor's state.
#[derive(Default)]
pub struct StoryEditor {
    pub open: bool,
    pub selected: usize,
}

pub fn story_editor_window(
    ctx: &egui::Context,
    editor: &mut StoryEditor,
    story: &mut Option<(Story, PathBuf)>,
    default_path: &Path,
) -> Option<StoryAction> {
    let mut action = None;
    let mut open = editor.open;
    egui::Window::new(tr("Story"))
        .open(&mut open)
        .default_width(520.0)
        .show(ctx, |ui| {
            action = story_editor_ui(ui, editor, story, default_path);
        });
    editor.open = open;
    action
}

fn story_editor_ui(
    ui: &mut Ui,
    editor: &mut StoryEditor,
    story: &mut Option<(Story, PathBuf)>,
    default_path: &Path,
) -> Option<StoryAction> {
    let mut action = None;
    ui.horizontal(|ui| {
        if ui.button(tr("Add current view as slide")).clicked() {
            action = Some(StoryAction::AddCurrentView);
        }
        let can_save = story.is_some();
        if ui
            .add_enabled(can_save, egui::Button::new(tr("Save story")))
            .clicked()
            && let Some((s, path)) = story
        {
            action = Some(StoryAction::Saved(
                crate::io::story_file::save_story(s, path).map_err(|e| e.to_string()),
            ));
        }
    });
    let Some((s, path)) = story else {
        ui.label(
            RichText::new(trf(
                "No story yet. Slides you add are saved to {}.",
                &[&default_path.display()],
            ))
            .color(super::MUTED),
        );
        return action;
    };
    ui.label(
        RichText::new(path.display().to_string())
            .small()
            .color(super::MUTED),
    );
    ui.separator();
    let count = s.slides.len();
    editor.selected = editor.selected.min(count.saturating_sub(1));
    let mut swap: Option<(usize, usize)> = None;
    let mut delete = None;
    egui::ScrollArea::vertical()
        .max_height(220.0)
        .show(ui, |ui| {
            for (i, slide) in s.slides.iter().enumerate() {
                ui.horizontal(|ui| {
                    let title = format!("{}. {}", i + 1, slide.title.get(super::i18n::lang()));
                    if ui.selectable_label(editor.selected == i, title).clicked() {
                        editor.selected = i;
                        action = Some(StoryAction::Show(i));
                    }
                });
            }
        });
    if count > 0 {
        ui.horizontal(|ui| {
            let i = editor.selected;
            if ui
                .add_enabled(i > 0, egui::Button::new(tr("Move up")))
                .clicked()
            {
                swap = Some((i, i - 1));
            }
            if ui
                .add_enabled(i + 1 < count, egui::Button::new(tr("Move down")))
                .clicked()
            {
                swap = Some((i, i + 1));
            }
            if ui.button(tr("Delete slide")).clicked() {
                delete = Some(i);
            }
        });
        ui.separator();
        if let Some(slide) = s.slides.get_mut(editor.selected) {
            egui::Grid::new("slide_texts")
                .num_columns(2)
                .show(ui, |ui| {
                    for lang in Lang::ALL {
                        let l = ui.label(trf("Title ({})", &[&lang.code()]));
                        ui.text_edit_singleline(slide.title.get_mut(lang))
                            .labelled_by(l.id);
                        ui.end_row();
                        let l = ui.label(trf("Text ({})", &[&lang.code()]));
                        ui.add(egui::TextEdit::multiline(slide.text.get_mut(lang)).desired_rows(2))
                            .labelled_by(l.id);
                        ui.end_row();
                    }
                });
        }
    }
    if let Some((a, b)) = swap {
        s.slides.swap(a, b);
        editor.selected = b;
    }
    if let Some(i) = delete {
        s.slides.remove(i);
        editor.selected = i.saturating_sub(1);
    }
    action
}
