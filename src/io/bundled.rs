//! The bundled maps and story, built into the binary: an installed `corridor` opens them
//! wherever it runs. They are written, once per version, into the user's data folder
//! (`~/.local/share/corridor/maps-VERSION/`), where the project's relative paths work and edits
//! can be saved like any project's.

use std::path::{Path, PathBuf};

/// Every file of `maps/`, by its path there.
const FILES: &[(&str, &[u8])] = &[
    ("corridor.toml", include_bytes!("../../maps/corridor.toml")),
    ("story.toml", include_bytes!("../../maps/story.toml")),
    ("SOURCES.md", include_bytes!("../../maps/SOURCES.md")),
    ("axis.geojson", include_bytes!("../../maps/axis.geojson")),
    (
        "context.geojson",
        include_bytes!("../../maps/context.geojson"),
    ),
    (
        "localities.geojson",
        include_bytes!("../../maps/localities.geojson"),
    ),
    (
        "new-city.geojson",
        include_bytes!("../../maps/new-city.geojson"),
    ),
    (
        "places.geojson",
        include_bytes!("../../maps/places.geojson"),
    ),
    (
        "sti-park.geojson",
        include_bytes!("../../maps/sti-park.geojson"),
    ),
    (
        "wards-2025.geojson",
        include_bytes!("../../maps/wards-2025.geojson"),
    ),
    (
        "sources/facts.research.md",
        include_bytes!("../../maps/sources/facts.research.md"),
    ),
    (
        "sources/ward-districts.research.csv",
        include_bytes!("../../maps/sources/ward-districts.research.csv"),
    ),
    (
        "sources/wards-2025.toml",
        include_bytes!("../../maps/sources/wards-2025.toml"),
    ),
];

/// The names of the bundled files (for a test that every file of `maps/` is there).
pub fn file_names() -> impl Iterator<Item = &'static str> {
    FILES.iter().map(|(name, _)| *name)
}

/// The folder this version's bundled maps go into, under `data_dir`.
pub fn folder(data_dir: &Path) -> PathBuf {
    data_dir.join(concat!("maps-", env!("CARGO_PKG_VERSION")))
}

/// Writes the bundled maps into [`folder`] (each file only if it is not there yet, so that
/// edits saved there are kept) and returns the project file's path.
pub fn install(data_dir: &Path) -> std::io::Result<PathBuf> {
    let dir = folder(data_dir);
    for (name, bytes) in FILES {
        let path = dir.join(name);
        if path.exists() {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        super::atomic::write_atomic(&path, bytes)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
    }
    Ok(dir.join("corridor.toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_of_the_maps_folder_is_bundled_and_installs() {
        let maps = Path::new(env!("CARGO_MANIFEST_DIR")).join("maps");
        let mut on_disk = Vec::new();
        for entry in walk(&maps) {
            let rel = entry.strip_prefix(&maps).expect("inside");
            on_disk.push(rel.to_string_lossy().replace('\\', "/"));
        }
        on_disk.sort();
        let mut bundled: Vec<String> = file_names().map(str::to_owned).collect();
        bundled.sort();
        assert_eq!(bundled, on_disk, "maps/ and the bundled list differ");

        let dir = tempfile::tempdir().expect("temp dir");
        let project = install(dir.path()).expect("install");
        assert!(project.ends_with("corridor.toml"));
        // Installing again keeps what is there (a saved edit, say).
        std::fs::write(&project, "edited").expect("write");
        install(dir.path()).expect("install again");
        assert_eq!(std::fs::read_to_string(&project).expect("read"), "edited");
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).expect("read maps").flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
        out
    }
}
