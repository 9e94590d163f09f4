//! The recovery journal: every edit to a layer is appended to a file in the user's data directory
//! the moment it is made, so that after a crash (or `kill -9`) the next start can restore it.
//!
//! One JSON line per edit after a header line that names the layer's file and what that file was
//! when editing began. A line cut off by a crash is ignored; everything before it is recovered.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::model::edit::Change;
use crate::model::{FeatureId, FileStamp};

/// 2: changes name features by id. 1 named them by position (still read).
const VERSION: u32 = 2;

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    corridor_journal: u32,
    source: PathBuf,
    /// The file's length and CRC-32 when editing began (`None`: a new file).
    base: Option<(u64, u32)>,
    /// Seconds since the Unix epoch.
    started: u64,
}

/// One edit as journalled: what the user did and the changes it applied, or the whole layer
/// (when the changes since the file cannot be told, e.g. the file was replaced under us).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub label: String,
    #[serde(default)]
    pub changes: Vec<Change>,
    /// Every feature with its id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<Vec<(FeatureId, geojson::Feature)>>,
}

/// An edit as version 1 wrote it: features named by position.
#[derive(Deserialize)]
struct EntryV1 {
    label: String,
    #[serde(default)]
    changes: Vec<ChangeV1>,
    #[serde(default)]
    snapshot: Option<Vec<geojson::Feature>>,
}

#[derive(Deserialize)]
struct ChangeV1 {
    index: usize,
    before: Option<geojson::Feature>,
    after: Option<geojson::Feature>,
}

impl From<EntryV1> for Entry {
    /// The position is kept in place of the id, and turned into one by
    /// [`Recovery::changes_for`], which knows the layer it started from.
    fn from(e: EntryV1) -> Self {
        Entry {
            label: e.label,
            changes: e
                .changes
                .into_iter()
                .map(|c| Change {
                    id: FeatureId::new(c.index as u64),
                    before: c.before,
                    after: c.after,
                })
                .collect(),
            snapshot: e.snapshot.map(|records| {
                records
                    .into_iter()
                    .enumerate()
                    .map(|(i, r)| (FeatureId::new(i as u64), r))
                    .collect()
            }),
        }
    }
}

/// Where the journal for a layer's file lives: one file per source path.
pub fn journal_path(dir: &Path, source: &Path) -> PathBuf {
    let canonical = std::fs::canonicalize(source).unwrap_or_else(|_| source.to_owned());
    let key = crc32fast::hash(canonical.as_os_str().as_encoded_bytes());
    let stem: String = source
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_')
        .take(40)
        .collect();
    dir.join(format!("{stem}-{key:08x}.journal"))
}

/// An open journal being appended to.
pub struct Journal {
    path: PathBuf,
    file: std::fs::File,
    /// Something was written that a failed sync left off the disk.
    unsynced: bool,
}

impl Journal {
    /// Starts a fresh journal for `source` (replacing any old one), as of the file being `base`.
    pub fn create(dir: &Path, source: &Path, base: Option<FileStamp>) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let path = journal_path(dir, source);
        let mut file = std::fs::File::create(&path)?;
        let header = Header {
            corridor_journal: VERSION,
            source: std::fs::canonicalize(source).unwrap_or_else(|_| source.to_owned()),
            base: base.map(|b| (b.len, b.crc)),
            started: SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
        };
        let mut line = serde_json::to_vec(&header).map_err(std::io::Error::other)?;
        line.push(b'\n');
        file.write_all(&line)?;
        file.sync_all()?;
        Ok(Self {
            path,
            file,
            unsynced: false,
        })
    }

    /// Appends an edit. It is on the disk itself (written and synced) when this returns, before
    /// the frame that shows the edit ends: a power cut after that loses none of it.
    pub fn append(&mut self, label: &str, changes: &[Change]) -> std::io::Result<()> {
        let line = serde_json::to_vec(&EntryRef {
            label,
            changes,
            snapshot: None,
        })
        .map_err(std::io::Error::other)?;
        self.write_line(line)
    }

    /// Appends the whole layer as it is now.
    pub fn append_snapshot(
        &mut self,
        records: &[(FeatureId, geojson::Feature)],
    ) -> std::io::Result<()> {
        let line = serde_json::to_vec(&EntryRef {
            label: "All features",
            changes: &[],
            snapshot: Some(records),
        })
        .map_err(std::io::Error::other)?;
        self.write_line(line)
    }

    fn write_line(&mut self, mut line: Vec<u8>) -> std::io::Result<()> {
        line.push(b'\n');
        // One write per line: a kill between lines never leaves half of one behind, and a cut
        // inside a line (power loss during this call) only loses that line, whose edit was not
        // yet shown as made.
        self.unsynced = true;
        self.file.write_all(&line)?;
        self.file.sync_data()?;
        self.unsynced = false;
        Ok(())
    }

    /// Whether something appended is not known to be on the disk (its write or sync failed).
    pub fn has_unsynced(&self) -> bool {
        self.unsynced
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The edits are saved or discarded: the journal goes.
    pub fn remove(self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[derive(Serialize)]
struct EntryRef<'a> {
    label: &'a str,
    changes: &'a [Change],
    #[serde(skip_serializing_if = "Option::is_none")]
    snapshot: Option<&'a [(FeatureId, geojson::Feature)]>,
}

/// Edits found in a journal left behind.
#[derive(Debug)]
pub struct Recovery {
    pub journal: PathBuf,
    pub source: PathBuf,
    /// What the file was when the edits began (`None`: it did not exist).
    pub base: Option<(u64, u32)>,
    pub entries: Vec<Entry>,
    /// When the last edit was written.
    pub modified: Option<SystemTime>,
    /// A last line was cut off (by a crash mid-write) and skipped.
    pub cut_off: bool,
    /// Written by version 1: the changes' ids are positions.
    by_position: bool,
}

impl Recovery {
    /// Whether the file on disk is still what the edits were made to.
    pub fn matches(&self, current: Option<&FileStamp>) -> bool {
        match (self.base, current) {
            (Some((len, crc)), Some(c)) => c.len == len && c.crc == crc,
            (None, None) => true,
            _ => false,
        }
    }

    /// All the changes, in order, as one list that takes `layer` (as read from the file) to
    /// what it was when the journal ended.
    pub fn changes_for(&self, layer: &crate::model::Layer) -> Vec<Change> {
        // The ids there are after each change, to know what a snapshot replaces (and, for a
        // version 1 journal, which feature each position meant).
        let mut ids: Vec<FeatureId> = layer.features().iter().map(|f| f.id()).collect();
        let mut next = layer.next_feature_id().get();
        let mut out: Vec<Change> = Vec::new();
        // Where in `out` each feature's last change is, so a snapshot finds what it replaces
        // without searching (a snapshot of a large layer would otherwise be quadratic).
        let mut last: std::collections::HashMap<FeatureId, usize> = Default::default();
        for e in &self.entries {
            if let Some(records) = &e.snapshot {
                for id in ids.drain(..).rev() {
                    let before = match last.get(&id) {
                        Some(&k) => out[k].after.clone(),
                        None => layer.feature(id).map(|f| f.record().into_owned()),
                    };
                    last.insert(id, out.len());
                    out.push(Change {
                        id,
                        before,
                        after: None,
                    });
                }
                for (id, record) in records {
                    let id = if self.by_position {
                        next += 1;
                        FeatureId::new(next - 1)
                    } else {
                        *id
                    };
                    ids.push(id);
                    last.insert(id, out.len());
                    out.push(Change {
                        id,
                        before: None,
                        after: Some(record.clone()),
                    });
                }
                ids.sort();
                continue;
            }
            for c in &e.changes {
                let mut c = c.clone();
                if self.by_position {
                    let at = c.id.get() as usize;
                    c.id = match (&c.before, &c.after) {
                        (None, Some(_)) => {
                            next += 1;
                            let id = FeatureId::new(next - 1);
                            ids.insert(at.min(ids.len()), id);
                            id
                        }
                        (Some(_), None) if at < ids.len() => ids.remove(at),
                        _ => ids.get(at).copied().unwrap_or(c.id),
                    };
                } else {
                    match (&c.before, &c.after) {
                        (None, Some(_)) => {
                            if let Err(k) = ids.binary_search(&c.id) {
                                ids.insert(k, c.id);
                            }
                        }
                        (Some(_), None) => ids.retain(|i| *i != c.id),
                        _ => {}
                    }
                }
                last.insert(c.id, out.len());
                out.push(c);
            }
        }
        out
    }
}

/// Why a journal left behind cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("{}: cannot read the recovery journal: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a Corridor recovery journal", path.display())]
    NotAJournal { path: PathBuf },
    #[error("{}: written by a newer Corridor (journal version {version})", path.display())]
    Newer { path: PathBuf, version: u32 },
    #[error("{}: edit {edit} of the recovery journal is damaged: {message}", path.display())]
    Damaged {
        path: PathBuf,
        edit: usize,
        message: String,
    },
}

/// The journal left for `source`, if there is one with edits in it.
pub fn find_recovery(dir: &Path, source: &Path) -> Option<Result<Recovery, JournalError>> {
    let path = journal_path(dir, source);
    if !path.is_file() {
        return None;
    }
    match read_journal(&path) {
        Ok(r) if r.entries.is_empty() => {
            // Editing began but nothing was done: nothing to offer.
            let _ = std::fs::remove_file(&path);
            None
        }
        other => Some(other),
    }
}

/// Reads a journal file.
pub fn read_journal(path: &Path) -> Result<Recovery, JournalError> {
    let text = std::fs::read(path).map_err(|source| JournalError::Read {
        path: path.to_owned(),
        source,
    })?;
    let mut lines = text.split(|b| *b == b'\n').peekable();
    let header: Header = lines
        .next()
        .and_then(|l| serde_json::from_slice(l).ok())
        .ok_or_else(|| JournalError::NotAJournal {
            path: path.to_owned(),
        })?;
    if header.corridor_journal > VERSION {
        return Err(JournalError::Newer {
            path: path.to_owned(),
            version: header.corridor_journal,
        });
    }
    let by_position = header.corridor_journal < 2;
    let read = |line: &[u8]| {
        if by_position {
            serde_json::from_slice::<EntryV1>(line).map(Entry::from)
        } else {
            serde_json::from_slice::<Entry>(line)
        }
    };
    let mut entries = Vec::new();
    let mut cut_off = false;
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        match read(line) {
            Ok(e) => entries.push(e),
            // Only the last line can be cut off by a crash; damage before it is not ours to guess.
            Err(_) if lines.peek().is_none_or(|l| l.is_empty()) => cut_off = true,
            Err(e) => {
                return Err(JournalError::Damaged {
                    path: path.to_owned(),
                    edit: entries.len() + 1,
                    message: e.to_string(),
                });
            }
        }
    }
    Ok(Recovery {
        journal: path.to_owned(),
        source: header.source,
        base: header.base,
        entries,
        modified: std::fs::metadata(path).and_then(|m| m.modified()).ok(),
        cut_off,
        by_position,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(i: u64) -> Change {
        Change {
            id: FeatureId::new(i),
            before: None,
            after: Some(geojson::Feature::default()),
        }
    }

    #[test]
    fn edits_written_are_found_again_and_a_cut_line_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("zones.geojson");
        std::fs::write(&source, "{}").unwrap();
        let base = FileStamp::of(b"{}", None);
        let mut j = Journal::create(dir.path(), &source, Some(base)).unwrap();
        j.append("Add", &[change(0)]).unwrap();
        j.append("Add", &[change(1)]).unwrap();
        let path = j.path().to_owned();
        drop(j);
        // A crash in the middle of a third line.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"{\"label\":\"Mo").unwrap();
        let r = find_recovery(dir.path(), &source).unwrap().unwrap();
        assert_eq!(r.entries.len(), 2);
        assert!(r.cut_off);
        assert!(r.matches(Some(&base)));
        assert!(!r.matches(Some(&FileStamp::of(b"{ }", None))));
        let layer = crate::model::Layer::new(
            "z".into(),
            source.clone(),
            crate::model::LayerStyle::default(),
            Vec::new(),
            Vec::new(),
        );
        assert_eq!(r.changes_for(&layer).len(), 2);
    }

    /// No group commit: an edit is on the disk when `append` returns (a power cut right after
    /// loses nothing), not up to two seconds later.
    #[test]
    fn an_appended_edit_is_synced_before_append_returns() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("zones.geojson");
        let mut j = Journal::create(dir.path(), &source, None).unwrap();
        for i in 0..3 {
            j.append("Move vertex", &[change(i)]).unwrap();
            assert!(!j.has_unsynced(), "edit {i} was left unsynced");
        }
    }

    #[test]
    fn an_empty_journal_offers_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("a.geojson");
        let j = Journal::create(dir.path(), &source, None).unwrap();
        drop(j);
        assert!(find_recovery(dir.path(), &source).is_none());
    }

    /// A journal written by version 1 (changes by position) is still recovered, each position
    /// turned into the id of the feature that was there.
    #[test]
    fn a_version_1_journal_by_position_is_recovered() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("three.geojson");
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"name":"a"},"geometry":null},
          {"type":"Feature","properties":{"name":"b"},"geometry":null},
          {"type":"Feature","properties":{"name":"c"},"geometry":null}]}"#;
        std::fs::write(&source, text).unwrap();
        let mut layer = crate::io::geojson_file::test_layer(text);
        let named = |n: &str| -> serde_json::Value {
            serde_json::json!({"type": "Feature", "properties": {"name": n}, "geometry": null})
        };
        // Delete "a" (position 0), then rename what is now at position 1 ("c").
        let lines = [
            serde_json::json!({"corridor_journal": 1, "source": source, "base": null, "started": 0}),
            serde_json::json!({"label": "Delete", "changes": [
                {"index": 0, "before": named("a"), "after": null}]}),
            serde_json::json!({"label": "Rename", "changes": [
                {"index": 1, "before": named("c"), "after": named("c2")}]}),
        ];
        let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
        std::fs::write(journal_path(dir.path(), &source), body).unwrap();
        let r = find_recovery(dir.path(), &source).unwrap().unwrap();
        let changes = r.changes_for(&layer);
        assert_eq!(changes[0].id, FeatureId::new(0));
        assert_eq!(
            changes[1].id,
            FeatureId::new(2),
            "position 1 after the delete was c, #2"
        );
        layer.commit("Recovered", changes).unwrap();
        let names: Vec<String> = layer.features().iter().map(|f| f.display_name()).collect();
        assert_eq!(names, ["b", "c2"]);
    }

    /// A snapshot (the whole layer, journalled when the history could not say what changed)
    /// replaces every feature as it was at that point, edits before it included.
    #[test]
    fn a_snapshot_replaces_the_layer_as_edited_so_far() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("two.geojson");
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"name":"a"},"geometry":null},
          {"type":"Feature","properties":{"name":"b"},"geometry":null}]}"#;
        std::fs::write(&source, text).unwrap();
        let mut layer = crate::io::geojson_file::test_layer(text);
        let named = |n: &str| -> geojson::Feature {
            serde_json::from_value(
                serde_json::json!({"type": "Feature", "properties": {"name": n}, "geometry": null}),
            )
            .unwrap()
        };
        let mut j = Journal::create(dir.path(), &source, None).unwrap();
        j.append(
            "Rename",
            &[Change {
                id: FeatureId::new(1),
                before: Some(named("b")),
                after: Some(named("b2")),
            }],
        )
        .unwrap();
        j.append_snapshot(&[
            (FeatureId::new(0), named("a")),
            (FeatureId::new(5), named("x")),
        ])
        .unwrap();
        drop(j);
        let r = read_journal(&journal_path(dir.path(), &source)).unwrap();
        let changes = r.changes_for(&layer);
        let removal = changes
            .iter()
            .find(|c| c.id == FeatureId::new(1) && c.after.is_none())
            .unwrap();
        assert_eq!(
            removal.before,
            Some(named("b2")),
            "what the snapshot replaced"
        );
        layer.commit("Recovered", changes).unwrap();
        let names: Vec<String> = layer.features().iter().map(|f| f.display_name()).collect();
        assert_eq!(names, ["a", "x"]);
        assert_eq!(layer.features()[1].id(), FeatureId::new(5));
    }
}
