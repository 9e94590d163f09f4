//! A screen reader can name every control: the whole AccessKit tree is walked, with every
//! window open in turn, and an interactive widget without a name fails the test.

mod support {
    pub mod app;
}

use corridor::CorridorApp;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::NodeT;
use support::app::{maps, open_every_window, open_sized};

/// Roles a user acts on, which must have a name.
fn interactive(role: Role) -> bool {
    matches!(
        role,
        Role::Button
            | Role::DefaultButton
            | Role::CheckBox
            | Role::RadioButton
            | Role::Switch
            | Role::TextInput
            | Role::MultilineTextInput
            | Role::SearchInput
            | Role::Slider
            | Role::SpinButton
            | Role::ComboBox
            | Role::Link
            | Role::MenuItem
            | Role::MenuItemCheckBox
            | Role::MenuItemRadio
            | Role::Tab
            | Role::ColorWell
    )
}

/// Every interactive widget on screen without a name, described for the failure message.
fn unnamed(h: &Harness<'static, CorridorApp>) -> Vec<String> {
    let mut out = Vec::new();
    for node in h.root().children_recursive() {
        let n = node.accesskit_node();
        if !interactive(n.role()) || n.is_hidden() {
            continue;
        }
        let named = n.label().is_some_and(|l| !l.trim().is_empty());
        if !named {
            // Where it is: the nearest named ancestors.
            let mut context = Vec::new();
            let mut p = node.parent();
            while let Some(q) = p {
                if let Some(l) = q.accesskit_node().label().filter(|l| !l.trim().is_empty()) {
                    context.push(l);
                    if context.len() == 2 {
                        break;
                    }
                }
                p = q.parent();
            }
            out.push(format!(
                "{:?} (value {:?}) in {:?}",
                n.role(),
                n.value(),
                context
            ));
        }
    }
    out
}

#[test]
fn every_control_in_every_window_has_a_name() {
    let mut h = open_sized(maps().join("corridor.toml"), egui::vec2(1600.0, 1000.0));
    h.run();
    let mut problems: Vec<String> = Vec::new();
    let mut check = |h: &mut Harness<'static, CorridorApp>, what: &str| {
        h.run();
        for u in unnamed(h) {
            problems.push(format!("{what}: {u}"));
        }
    };
    check(&mut h, "main window");
    open_every_window(&mut h, &mut check);

    problems.sort();
    problems.dedup();
    assert!(
        problems.is_empty(),
        "{} controls without a name:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
