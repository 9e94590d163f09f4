//! Story files (TOML): read them, and write them back atomically.

use std::path::Path;

use crate::model::Story;

use super::atomic::{SaveError, write_atomic};

/// Why a story file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StoryError {
    #[error("{}: cannot read the story: {source}", path.display())]
    Read {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{}: the story is not valid: {message}", path.display())]
    Invalid {
        path: std::path::PathBuf,
        message: String,
    },
}

/// Reads a story file; the message says which file and what is wrong, with the line.
pub fn read_story(path: &Path) -> Result<Story, StoryError> {
    read_story_checked(path).map(|(story, _)| story)
}

/// Reads a story file, with a warning for every setting it does not know (a misspelt key would
/// otherwise be silently ignored).
pub fn read_story_checked(path: &Path) -> Result<(Story, Vec<String>), StoryError> {
    let text = std::fs::read_to_string(path).map_err(|source| StoryError::Read {
        path: path.to_owned(),
        source,
    })?;
    let mut unknown = Vec::new();
    let story = toml::Deserializer::parse(&text)
        .and_then(|de| serde_ignored::deserialize(de, |p| unknown.push(p.to_string())))
        .map_err(|e| StoryError::Invalid {
            path: path.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })?;
    let warnings = unknown
        .into_iter()
        .map(|key| format!("{}: unknown setting `{key}` ignored", path.display()))
        .collect();
    Ok((story, warnings))
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

    #[test]
    fn unknown_keys_are_warned_and_wrong_types_say_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        std::fs::write(
            &path,
            "[[slides]]\nzoom = 12.0\ncentre = [106.6, 11.0]\n[slides.title]\nen = \"Hi\"\n",
        )
        .unwrap();
        let (_, warnings) = read_story_checked(&path).unwrap();
        assert!(
            warnings.iter().any(|w| w.contains("slides.0.centre")),
            "{warnings:?}"
        );
        std::fs::write(&path, "[[slides]]\nzoom = \"twelve\"\n").unwrap();
        let err = read_story_checked(&path).unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
    }
}
