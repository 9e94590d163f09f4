//! The layers of the crate point one way. Each top-level module may use only those listed for
//! it below (ARCHITECTURE.md draws the same table); a `use crate::…` or `crate::…` path to any
//! other fails this test, naming the file and line. Test modules (`#[cfg(test)]` to the end of a
//! file) are not counted: tests may build their inputs with anything.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Module → the modules it may use. Lowest first.
const ALLOWED: &[(&str, &[&str])] = &[
    ("geometry", &[]),
    ("model", &["geometry"]),
    ("io", &["model", "geometry"]),
    ("db", &["io", "model", "geometry"]),
    ("render", &["model", "geometry"]),
    ("tiles", &["io", "model", "geometry"]),
    ("editor", &["render", "model", "geometry"]),
    (
        "ui",
        &["editor", "render", "tiles", "io", "model", "geometry"],
    ),
    ("loader", &["db", "io", "render", "model", "geometry"]),
    (
        "app",
        &[
            "ui", "loader", "editor", "db", "render", "tiles", "io", "model", "geometry",
        ],
    ),
    (
        "bench_frames",
        &[
            "app", "loader", "db", "render", "tiles", "io", "model", "geometry",
        ],
    ),
    ("fuzzing", &["io", "render", "tiles", "model", "geometry"]),
    (
        "cli",
        &[
            "app",
            "bench_frames",
            "loader",
            "db",
            "render",
            "tiles",
            "io",
            "model",
            "geometry",
        ],
    ),
];

/// Uses that break the rule today, each with the step that removes it. The test fails if one
/// disappears without being struck from this list, so the list only shrinks.
/// (Empty since layers have a typed source, `model::LayerSource`: a project names its tables
/// through `model::TableSource`, not `db`.)
const KNOWN: &[(&str, &str, &str)] = &[];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file belongs to (`src/io/ogr_file.rs` → `io`, `src/app.rs` → `app`).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main")).then(|| name.to_owned())
}

/// Each `crate::name` used outside test code, with its line number.
fn uses(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with("#[cfg(test)]") {
            break;
        }
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push((n + 1, name));
            }
            rest = after;
        }
        // `use crate::{a, b::c}`
        if let Some(at) = code.find("crate::{") {
            let inner = &code[at + "crate::{".len()..];
            for part in inner.split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.push((n + 1, name));
                }
            }
        }
    }
    out
}

#[test]
fn lower_layers_never_use_higher_ones() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut broken = Vec::new();
    let mut known_seen = vec![false; KNOWN.len()];
    for file in &files {
        let Some(module) = module_of(&src, file) else {
            continue;
        };
        let Some(may) = allowed.get(module.as_str()) else {
            broken.push(format!(
                "{}: module `{module}` is not in the table: add it to ALLOWED and ARCHITECTURE.md",
                file.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("source");
        let rel = file
            .strip_prefix(root)
            .expect("in the crate")
            .to_string_lossy()
            .replace('\\', "/");
        for (line, used) in uses(&text) {
            if used == module
                || !allowed.contains_key(used.as_str())
                || may.contains(&used.as_str())
            {
                continue;
            }
            if let Some(k) = KNOWN.iter().position(|(f, m, _)| *f == rel && *m == used) {
                known_seen[k] = true;
                continue;
            }
            broken.push(format!("{rel}:{line}: `{module}` uses `{used}`"));
        }
    }
    for (k, seen) in known_seen.iter().enumerate() {
        if !seen {
            broken.push(format!(
                "{} no longer uses `{}`: strike it from KNOWN",
                KNOWN[k].0, KNOWN[k].1
            ));
        }
    }
    assert!(
        broken.is_empty(),
        "imports against the direction of the layers:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_check_sees_a_use_against_the_direction() {
    let found = uses("use crate::app::CorridorApp;\nfn f() { crate::db::connect(); }\n");
    assert_eq!(
        found,
        vec![(1, "app".to_owned()), (2, "db".to_owned())],
        "the scanner finds paths into other modules"
    );
    let braces = uses("use crate::{io::read_geojson, model::Layer};");
    assert!(braces.iter().any(|(_, m)| m == "io") && braces.iter().any(|(_, m)| m == "model"));
    assert!(uses("#[cfg(test)]\nuse crate::app::X;").is_empty());
}

/// What a panel or window must never do itself: start a thread, or write to the disk. UI files
/// draw and return what the user asked; the app acts on it.
const UI_NEVER: &[&str] = &[
    "thread::spawn",
    "fs::write",
    "File::create",
    "create_dir",
    "write_atomic",
    "remove_file",
    "fs::rename",
];

/// The non-test code of a file: everything before its `#[cfg(test)]` module.
fn code_of(text: &str) -> &str {
    text.find("#[cfg(test)]\nmod ")
        .map_or(text, |at| &text[..at])
}

#[test]
fn ui_files_never_start_threads_or_write_files() {
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui");
    let mut files = Vec::new();
    rust_files(&ui, &mut files);
    assert!(files.len() > 10, "no UI files found under {}", ui.display());
    let mut broken = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("a source file");
        for (n, line) in code_of(&text).lines().enumerate() {
            for what in UI_NEVER {
                if line.contains(what) && !line.trim_start().starts_with("//") {
                    broken.push(format!("{}:{}: {what}", file.display(), n + 1));
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "UI code that acts instead of returning an action:\n{}",
        broken.join("\n")
    );
}
