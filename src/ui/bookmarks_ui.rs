//! Bookmarks: name the current view, list them, go to one, delete one. Kept in the project file.

use crate::ui::i18n::{tr, trf};
use egui::{RichText, Ui};

use crate::model::Bookmark;

/// What the user asked of the bookmarks this frame.
pub enum BookmarkAction {
    /// Save the current view under this name.
    Add(String),
    GoTo(usize),
    Delete(usize),
}

pub fn bookmarks_ui(
    ui: &mut Ui,
    bookmarks: &[Bookmark],
    new_name: &mut String,
) -> Option<BookmarkAction> {
    let mut action = None;
    ui.horizontal(|ui| {
        let edit = ui.add(
            egui::TextEdit::singleline(new_name)
                .hint_text(tr("Name this view"))
                .desired_width(150.0),
        );
        // A screen reader names the box by what the hint says.
        edit.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::TextInput, true, tr("Name this view"))
        });
        let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui.button(tr("Add bookmark")).clicked() || enter) && !new_name.trim().is_empty() {
            action = Some(BookmarkAction::Add(new_name.trim().to_owned()));
            new_name.clear();
        }
    });
    if bookmarks.is_empty() {
        ui.label(RichText::new(tr("No bookmarks yet.")).color(super::MUTED));
    }
    for (i, b) in bookmarks.iter().enumerate() {
        ui.horizontal(|ui| {
            if ui
                .link(&b.name)
                .on_hover_text(format!("{} {:.1}", tr("Zoom"), b.zoom))
                .clicked()
            {
                action = Some(BookmarkAction::GoTo(i));
            }
            if ui
                .small_button(tr("Delete"))
                .on_hover_text(trf("Delete bookmark {}", &[&b.name]))
                .clicked()
            {
                action = Some(BookmarkAction::Delete(i));
            }
        });
    }
    action
}
