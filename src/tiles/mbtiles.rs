//! MBTiles 1.3 files (SQLite): read tiles for the basemap, write them when an area is made
//! available offline. Rows are stored TMS-style (y counted from the south); the slippy-map y we
//! use everywhere else is flipped here and only here.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

/// Why an MBTiles file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum MbTilesError {
    #[error("{path}: not an MBTiles file: {reason}")]
    NotMbTiles { path: PathBuf, reason: String },
    #[error("{path}: {source}")]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
}

/// What the `metadata` table says, and what the tiles table holds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MbTilesInfo {
    pub name: String,
    /// `png`, `jpg`, `webp` or `pbf`.
    pub format: String,
    /// `[west, south, east, north]`.
    pub bounds: Option<[f64; 4]>,
    pub min_zoom: Option<u8>,
    pub max_zoom: Option<u8>,
    pub attribution: Option<String>,
    pub description: Option<String>,
    /// `[longitude, latitude, zoom]`.
    pub center: Option<[f64; 3]>,
    /// The `json` key: for vector tiles, the `vector_layers` they hold.
    pub json: Option<String>,
    pub tile_count: u64,
    pub tile_bytes: u64,
}

/// The TMS row of slippy-map row `y` at zoom `z`.
pub fn tms_row(z: u8, y: u32) -> u32 {
    (1u32 << z).saturating_sub(1).saturating_sub(y)
}

/// An open MBTiles file.
pub struct MbTiles {
    path: PathBuf,
    conn: Connection,
}

impl MbTiles {
    /// Opens a file for reading, checking that it is SQLite with a `tiles` table.
    pub fn open(path: &Path) -> Result<Self, MbTilesError> {
        let not = |reason: &str| MbTilesError::NotMbTiles {
            path: path.to_owned(),
            reason: reason.to_owned(),
        };
        // SQLite would happily create an empty database for a missing path: check first.
        if !path.is_file() {
            return Err(not("the file does not exist"));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| not(&e.to_string()))?;
        let has_tiles: Option<String> = conn
            .query_row(
                "SELECT name FROM sqlite_master WHERE name = 'tiles' AND type IN ('table', 'view')",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _)
                    if f.code == rusqlite::ErrorCode::NotADatabase =>
                {
                    not("it is not an SQLite database")
                }
                other => not(&other.to_string()),
            })?;
        if has_tiles.is_none() {
            return Err(not("it is SQLite but has no `tiles` table"));
        }
        Ok(Self {
            path: path.to_owned(),
            conn,
        })
    }

    /// Creates (or opens, to resume) a file for writing, with the standard schema.
    pub fn create(path: &Path) -> Result<Self, MbTilesError> {
        let sqlite = |source| MbTilesError::Sqlite {
            path: path.to_owned(),
            source,
        };
        let conn = Connection::open(path).map_err(sqlite)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE IF NOT EXISTS metadata (name TEXT, value TEXT);
             CREATE UNIQUE INDEX IF NOT EXISTS metadata_name ON metadata (name);
             CREATE TABLE IF NOT EXISTS tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
             CREATE UNIQUE INDEX IF NOT EXISTS tile_index ON tiles (zoom_level, tile_column, tile_row);",
        )
        .map_err(sqlite)?;
        Ok(Self {
            path: path.to_owned(),
            conn,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sqlite(&self, source: rusqlite::Error) -> MbTilesError {
        MbTilesError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// The tile at slippy-map `z/x/y`, if the file has it.
    pub fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>, MbTilesError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT tile_data FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3")
            .map_err(|e| self.sqlite(e))?;
        stmt.query_row(params![z, x, tms_row(z, y)], |r| r.get::<_, Vec<u8>>(0))
            .optional()
            .map_err(|e| self.sqlite(e))
    }

    /// Some tile of the file, to tell its format by its bytes.
    pub fn any_tile(&self) -> Result<Option<Vec<u8>>, MbTilesError> {
        self.conn
            .query_row("SELECT tile_data FROM tiles LIMIT 1", [], |r| {
                r.get::<_, Vec<u8>>(0)
            })
            .optional()
            .map_err(|e| self.sqlite(e))
    }

    /// Every tile's slippy-map `(z, x, y)`, handed to `each` one at a time.
    pub fn for_each_coord(
        &self,
        mut each: impl FnMut(u8, u32, u32) -> Result<(), String>,
    ) -> Result<(), String> {
        let mut stmt = self
            .conn
            .prepare("SELECT zoom_level, tile_column, tile_row FROM tiles")
            .map_err(|e| self.sqlite(e).to_string())?;
        let mut rows = stmt.query([]).map_err(|e| self.sqlite(e).to_string())?;
        while let Some(row) = rows.next().map_err(|e| self.sqlite(e).to_string())? {
            let read = || -> rusqlite::Result<(i64, i64, i64)> {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            };
            let (z, x, row_tms) = read().map_err(|e| self.sqlite(e).to_string())?;
            // Rows that cannot be tiles are passed over.
            let Ok(z) = u8::try_from(z) else { continue };
            if z > 30 || x < 0 || row_tms < 0 || x >= 1i64 << z || row_tms >= 1i64 << z {
                continue;
            }
            each(z, x as u32, tms_row(z, row_tms as u32))?;
        }
        Ok(())
    }

    /// Starts a transaction (many tiles written at once).
    pub fn begin(&self) -> Result<(), MbTilesError> {
        self.conn.execute_batch("BEGIN").map_err(|e| self.sqlite(e))
    }

    pub fn commit(&self) -> Result<(), MbTilesError> {
        self.conn
            .execute_batch("COMMIT")
            .map_err(|e| self.sqlite(e))
    }

    /// Folds the write-ahead log into the file, so that it is whole on its own (to be moved or
    /// copied).
    pub fn finish(&self) -> Result<(), MbTilesError> {
        self.conn
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;")
            .map_err(|e| self.sqlite(e))
    }

    /// Whether the file has the tile (for resuming a download).
    pub fn has_tile(&self, z: u8, x: u32, y: u32) -> Result<bool, MbTilesError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT 1 FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
            )
            .map_err(|e| self.sqlite(e))?;
        stmt.exists(params![z, x, tms_row(z, y)])
            .map_err(|e| self.sqlite(e))
    }

    pub fn put_tile(&self, z: u8, x: u32, y: u32, data: &[u8]) -> Result<(), MbTilesError> {
        let mut stmt = self
            .conn
            .prepare_cached("INSERT OR REPLACE INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?1, ?2, ?3, ?4)")
            .map_err(|e| self.sqlite(e))?;
        stmt.execute(params![z, x, tms_row(z, y), data])
            .map_err(|e| self.sqlite(e))?;
        Ok(())
    }

    pub fn set_metadata(&self, name: &str, value: &str) -> Result<(), MbTilesError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO metadata (name, value) VALUES (?1, ?2)",
                params![name, value],
            )
            .map_err(|e| self.sqlite(e))?;
        Ok(())
    }

    /// Reads the metadata and counts the tiles.
    pub fn info(&self) -> Result<MbTilesInfo, MbTilesError> {
        let mut info = MbTilesInfo::default();
        let has_metadata = self
            .conn
            .query_row(
                "SELECT 1 FROM sqlite_master WHERE name = 'metadata'",
                [],
                |_| Ok(()),
            )
            .optional()
            .map_err(|e| self.sqlite(e))?
            .is_some();
        if has_metadata {
            let mut stmt = self
                .conn
                .prepare("SELECT name, value FROM metadata")
                .map_err(|e| self.sqlite(e))?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
                .map_err(|e| self.sqlite(e))?;
            for row in rows.flatten() {
                match row.0.as_str() {
                    "name" => info.name = row.1,
                    "format" => info.format = row.1,
                    "bounds" => {
                        let v: Vec<f64> = row
                            .1
                            .split(',')
                            .filter_map(|p| p.trim().parse().ok())
                            .collect();
                        if let [w, s, e, n] = v[..] {
                            info.bounds = Some([w, s, e, n]);
                        }
                    }
                    "minzoom" => info.min_zoom = row.1.trim().parse().ok(),
                    "maxzoom" => info.max_zoom = row.1.trim().parse().ok(),
                    "attribution" => info.attribution = Some(row.1),
                    "description" => info.description = Some(row.1),
                    "json" => info.json = Some(row.1),
                    "center" => {
                        let v: Vec<f64> = row
                            .1
                            .split(',')
                            .filter_map(|p| p.trim().parse().ok())
                            .collect();
                        info.center = match v[..] {
                            [x, y, z] => Some([x, y, z]),
                            [x, y] => Some([x, y, 0.0]),
                            _ => None,
                        };
                    }
                    _ => {}
                }
            }
        }
        let (count, bytes, zmin, zmax): (i64, i64, Option<i64>, Option<i64>) = self
            .conn
            .query_row(
                "SELECT COUNT(*), COALESCE(SUM(LENGTH(tile_data)), 0), MIN(zoom_level), MAX(zoom_level) FROM tiles",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .map_err(|e| self.sqlite(e))?;
        info.tile_count = count.max(0) as u64;
        info.tile_bytes = bytes.max(0) as u64;
        info.min_zoom = info.min_zoom.or(zmin.map(|z| z.clamp(0, 30) as u8));
        info.max_zoom = info.max_zoom.or(zmax.map(|z| z.clamp(0, 30) as u8));
        Ok(info)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_flipped_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.mbtiles");
        let m = MbTiles::create(&path).unwrap();
        m.put_tile(10, 812, 483, b"abc").unwrap();
        m.set_metadata("format", "png").unwrap();
        drop(m);
        let m = MbTiles::open(&path).unwrap();
        assert_eq!(m.tile(10, 812, 483).unwrap().as_deref(), Some(&b"abc"[..]));
        assert_eq!(m.tile(10, 812, 1023 - 483).unwrap(), None);
        let row: u32 = m
            .conn
            .query_row("SELECT tile_row FROM tiles", [], |r| r.get(0))
            .unwrap();
        assert_eq!(row, 1023 - 483, "stored TMS-style");
        let info = m.info().unwrap();
        assert_eq!(
            (info.tile_count, info.format.as_str(), info.min_zoom),
            (1, "png", Some(10))
        );
    }

    #[test]
    fn files_that_are_not_mbtiles_are_refused_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("x.mbtiles");
        std::fs::write(
            &text,
            "this is not a database, just text that is long enough to matter",
        )
        .unwrap();
        let e = MbTiles::open(&text).err().unwrap().to_string();
        assert!(e.contains("not an SQLite database"), "{e}");

        let empty_db = dir.path().join("y.mbtiles");
        Connection::open(&empty_db)
            .unwrap()
            .execute_batch("CREATE TABLE other (a);")
            .unwrap();
        let e = MbTiles::open(&empty_db).err().unwrap().to_string();
        assert!(e.contains("no `tiles` table"), "{e}");

        let e = MbTiles::open(&dir.path().join("missing.mbtiles"))
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("does not exist"), "{e}");
    }
}
