//! Writing a user's file without ever leaving it half-written: write beside it, flush to disk,
//! keep the previous version as `NAME.bak`, then rename over it.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a file could not be saved. The original is untouched in every case.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("{path}: cannot save: {source}. The file on disk is unchanged.{hint}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
        /// What the user can do about it.
        hint: &'static str,
    },
    #[error("{path}: cannot write the data: {message}. The file on disk is unchanged.")]
    Encode { path: PathBuf, message: String },
}

fn io_error(path: &Path, source: std::io::Error) -> SaveError {
    let hint = match source.kind() {
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
            " The file or its folder is read-only: save somewhere else."
        }
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
            " The disk is full: free some space and save again."
        }
        _ => "",
    };
    SaveError::Io {
        path: path.to_owned(),
        source,
        hint,
    }
}

/// The backup kept beside a file: `corridor.toml` → `corridor.toml.bak`.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".bak");
    path.with_file_name(name)
}

/// The permissions a saved file gets: the original's, or the usual ones for a new file.
fn target_permissions(path: &Path) -> Option<std::fs::Permissions> {
    match std::fs::metadata(path) {
        Ok(m) => Some(m.permissions()),
        Err(_) => new_file_permissions(),
    }
}

#[cfg(unix)]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    None
}

/// Replaces `path` with `bytes` atomically; the previous content (if any) is kept as the backup.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), SaveError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".corridor-save-")
        .tempfile_in(&dir)
        .map_err(|e| io_error(path, e))?;
    tmp.write_all(bytes).map_err(|e| io_error(path, e))?;
    // Temporary files are private (0600); the saved file keeps the original's permissions, or
    // gets the usual ones for a new file.
    if let Some(permissions) = target_permissions(path) {
        tmp.as_file()
            .set_permissions(permissions)
            .map_err(|e| io_error(path, e))?;
    }
    tmp.as_file().sync_all().map_err(|e| io_error(path, e))?;
    if path.exists() {
        std::fs::copy(path, backup_path(path)).map_err(|e| io_error(path, e))?;
    }
    tmp.persist(path).map_err(|e| io_error(path, e.error))?;
    // Make the rename itself durable.
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saving_keeps_a_backup_and_replaces_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        std::fs::write(&path, "old").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_to_string(backup_path(&path)).unwrap(), "old");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 2, "no temporary file left behind");
    }

    #[cfg(unix)]
    #[test]
    fn saved_files_keep_their_permissions_and_new_ones_are_readable() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new.png");
        write_atomic(&new, b"x").unwrap();
        assert_eq!(
            std::fs::metadata(&new).unwrap().permissions().mode() & 0o777,
            0o644
        );
        let old = dir.path().join("old.toml");
        std::fs::write(&old, "a").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o664)).unwrap();
        write_atomic(&old, b"b").unwrap();
        assert_eq!(
            std::fs::metadata(&old).unwrap().permissions().mode() & 0o777,
            0o664
        );
    }

    #[test]
    fn a_missing_folder_is_an_error_not_a_panic() {
        let err = write_atomic(Path::new("/nonexistent-corridor-dir/p.toml"), b"x").unwrap_err();
        assert!(err.to_string().contains("unchanged"), "{err}");
    }
}
