//! Story files (TOML): read them, and write them back atomically.

use std::path::Path;

use crate::model::Story;

use super::atomic::{SaveError, write_atomic};

/// Reads a story file; the message says which file and what is wrong, with the line.
pub fn read_story(path: &Path) -> Result<Story, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read the story: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| {
        format!(
            "{}: the story is not valid: {}",
            path.display(),
            e.to_string().trim_end()
        )
    })
}

/// Writes a story file atomically, keeping the previous version as `NAME.bak`.
pub fn save_story(story: &Story, path: &Path) -> Result<(), SaveError> {
    let text = toml::to_string_pretty(story).map_err(|e| SaveError::Encode {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    let text = format!(
        "# Corridor story: slides for presenting (F5), in Vietnamese, English and Chinese.\n\n{text}"
    );
    write_atomic(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_story_reads_and_round_trips() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("maps/story.toml");
        let story = read_story(&path).unwrap();
        assert!(
            (10..=15).contains(&story.slides.len()),
            "{}",
            story.slides.len()
        );
        for s in &story.slides {
            for t in [&s.title, &s.text] {
                assert!(
                    !t.vi.is_empty() && !t.en.is_empty() && !t.zh.is_empty(),
                    "{t:?}"
                );
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("s.toml");
        save_story(&story, &copy).unwrap();
        assert_eq!(read_story(&copy).unwrap(), story);
    }
}
