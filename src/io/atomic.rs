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

/// The steps of a save, where a fault can be injected (a full disk or a read-only folder
/// cannot always be made for real in a test sandbox).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Creating the temporary file beside the target.
    Create,
    /// Writing the bytes (the fault strikes half-way).
    Write,
    /// Flushing to the disk.
    Sync,
    /// Copying the previous version to the backup.
    Backup,
    /// Renaming the temporary file over the target.
    Rename,
}

thread_local! {
    static FAULT: std::cell::Cell<Option<(Stage, std::io::ErrorKind)>> =
        const { std::cell::Cell::new(None) };
}

/// Makes saves on this thread fail at `stage` with `kind` (or stop failing with `None`). For
/// fault-injection tests only.
#[doc(hidden)]
pub fn inject_fault(fault: Option<(Stage, std::io::ErrorKind)>) {
    FAULT.with(|f| f.set(fault));
}

/// Where a save that writes as it goes ([`write_atomic_with`]) lets a fault injected at
/// [`Stage::Write`] strike, part-way through.
pub fn write_checkpoint() -> std::io::Result<()> {
    fault(Stage::Write)
}

fn fault(stage: Stage) -> std::io::Result<()> {
    match FAULT.with(|f| f.get()) {
        Some((s, kind)) if s == stage => Err(std::io::Error::from(kind)),
        _ => Ok(()),
    }
}

/// Replaces `path` with `bytes` atomically; the previous content (if any) is kept as the backup.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), SaveError> {
    let half = bytes.len() / 2;
    write_atomic_with(path, |w| {
        w.write_all(&bytes[..half])?;
        fault(Stage::Write)?;
        w.write_all(&bytes[half..])
    })
}

/// Like [`write_atomic`], with the content written by `write` as it is made, so that a large
/// file's text is never held whole. `write` should call [`write_checkpoint`] once part-way.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), SaveError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    fault(Stage::Create).map_err(|e| io_error(path, e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".corridor-save-")
        .tempfile_in(&dir)
        .map_err(|e| io_error(path, e))?;
    {
        let mut out = std::io::BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
        write(&mut out)
            .and_then(|()| out.flush())
            .map_err(|e| io_error(path, e))?;
    }
    // Temporary files are private (0600); the saved file keeps the original's permissions, or
    // gets the usual ones for a new file.
    if let Some(permissions) = target_permissions(path) {
        tmp.as_file()
            .set_permissions(permissions)
            .map_err(|e| io_error(path, e))?;
    }
    tmp.as_file()
        .sync_all()
        .and_then(|()| fault(Stage::Sync))
        .map_err(|e| io_error(path, e))?;
    if path.exists() {
        // The backup is written atomically too, so a crash here never leaves half a backup.
        let backup = backup_path(path);
        let mut old = tempfile::Builder::new()
            .prefix(".corridor-backup-")
            .tempfile_in(&dir)
            .map_err(|e| io_error(path, e))?;
        std::fs::File::open(path)
            .and_then(|mut f| std::io::copy(&mut f, old.as_file_mut()))
            .and_then(|_| fault(Stage::Backup))
            .and_then(|()| match std::fs::metadata(path) {
                Ok(m) => old.as_file().set_permissions(m.permissions()),
                Err(_) => Ok(()),
            })
            .and_then(|()| old.as_file().sync_all())
            .map_err(|e| io_error(path, e))?;
        old.persist(&backup).map_err(|e| io_error(path, e.error))?;
    }
    fault(Stage::Rename).map_err(|e| io_error(path, e))?;
    tmp.persist(path).map_err(|e| io_error(path, e.error))?;
    remove_stale_temporaries(&dir);
    // Make the rename itself durable.
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Temporary files a killed save left behind (a minute old or more: no save takes that long
/// to write) are removed by the next save in the folder.
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        let ours = name.starts_with(".corridor-save-") || name.starts_with(".corridor-backup-");
        let stale = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() >= 60);
        if ours && stale {
            let _ = std::fs::remove_file(e.path());
        }
    }
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
    fn temporaries_left_by_a_killed_save_go_with_the_next_save() {
        let dir = tempfile::tempdir().unwrap();
        let stray = dir.path().join(".corridor-save-abc123");
        let fresh = dir.path().join(".corridor-save-def456");
        std::fs::write(&stray, "half a file").unwrap();
        std::fs::write(&fresh, "a save in progress").unwrap();
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        std::fs::File::options()
            .write(true)
            .open(&stray)
            .unwrap()
            .set_modified(hour_ago)
            .unwrap();
        write_atomic(&dir.path().join("z.geojson"), b"{}").unwrap();
        assert!(!stray.exists());
        assert!(
            fresh.exists(),
            "a save that may still be running is left alone"
        );
    }

    #[test]
    fn a_missing_folder_is_an_error_not_a_panic() {
        let err = write_atomic(Path::new("/nonexistent-corridor-dir/p.toml"), b"x").unwrap_err();
        assert!(err.to_string().contains("unchanged"), "{err}");
    }
}
