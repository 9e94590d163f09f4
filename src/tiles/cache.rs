//! The bounded disk cache of fetched tiles: one SQLite file, least recently used tiles evicted
//! once the total passes the limit, so anything seen once is there offline (within the limit).

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};

/// Default size limit: enough for the corridor down to street level many times over.
pub const DEFAULT_LIMIT_BYTES: u64 = 512 * 1024 * 1024;

/// The tile cache file in the user's cache directory.
pub fn default_cache_path() -> Option<PathBuf> {
    super::tile_cache_dir().map(|d| d.join("tiles.sqlite"))
}

/// A tile cache on disk.
pub struct TileCache {
    conn: Connection,
    limit: u64,
    total: u64,
    /// A clock that only moves forward, so LRU order holds within one second.
    tick: i64,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl TileCache {
    /// Opens (or creates) the cache at `path` with a size limit in bytes.
    pub fn open(path: &Path, limit: u64) -> rusqlite::Result<Self> {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let conn = Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             CREATE TABLE IF NOT EXISTS tiles (
               source TEXT NOT NULL, z INTEGER NOT NULL, x INTEGER NOT NULL, y INTEGER NOT NULL,
               data BLOB NOT NULL, bytes INTEGER NOT NULL, used INTEGER NOT NULL,
               PRIMARY KEY (source, z, x, y));
             CREATE INDEX IF NOT EXISTS tiles_used ON tiles (used);",
        )?;
        // Caches written before tiles carried their freshness get the column, all stale.
        let has_fresh = conn.prepare("SELECT fresh FROM tiles LIMIT 0").is_ok();
        if !has_fresh {
            conn.execute_batch("ALTER TABLE tiles ADD COLUMN fresh INTEGER NOT NULL DEFAULT 0;")?;
        }
        let total: i64 = conn.query_row("SELECT COALESCE(SUM(bytes), 0) FROM tiles", [], |r| {
            r.get(0)
        })?;
        Ok(Self {
            conn,
            limit,
            total: total.max(0) as u64,
            tick: now_ms(),
        })
    }

    fn next_tick(&mut self) -> i64 {
        self.tick = (self.tick + 1).max(now_ms());
        self.tick
    }

    /// Total bytes of tile data held.
    pub fn total_bytes(&self) -> u64 {
        self.total
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Changes the limit, evicting at once if the cache is now over it.
    pub fn set_limit(&mut self, limit: u64) -> rusqlite::Result<()> {
        self.limit = limit;
        self.evict()
    }

    /// A cached tile, marking it as just used.
    pub fn get(
        &mut self,
        source: &str,
        z: u8,
        x: u32,
        y: u32,
    ) -> rusqlite::Result<Option<Vec<u8>>> {
        Ok(self.get_fresh(source, z, x, y)?.map(|(bytes, _)| bytes))
    }

    /// A cached tile and whether it is still fresh (the server's caching headers allow
    /// using it without asking again), marking it as just used.
    pub fn get_fresh(
        &mut self,
        source: &str,
        z: u8,
        x: u32,
        y: u32,
    ) -> rusqlite::Result<Option<(Vec<u8>, bool)>> {
        let found: Option<(Vec<u8>, i64)> = self
            .conn
            .prepare_cached(
                "SELECT data, fresh FROM tiles WHERE source = ?1 AND z = ?2 AND x = ?3 AND y = ?4",
            )?
            .query_row(params![source, z, x, y], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((data, fresh)) = found else {
            return Ok(None);
        };
        let t = self.next_tick();
        self.conn
            .prepare_cached(
                "UPDATE tiles SET used = ?5 WHERE source = ?1 AND z = ?2 AND x = ?3 AND y = ?4",
            )?
            .execute(params![source, z, x, y, t])?;
        Ok(Some((data, fresh > now_ms())))
    }

    /// Stores a tile and evicts the least recently used ones beyond the limit.
    pub fn put(
        &mut self,
        source: &str,
        z: u8,
        x: u32,
        y: u32,
        data: &[u8],
    ) -> rusqlite::Result<()> {
        self.put_fresh(
            source,
            z,
            x,
            y,
            data,
            now_ms() + crate::tiles::http::DEFAULT_FRESH.as_millis() as i64,
        )
    }

    /// Stores a tile that stays fresh until `fresh_until_ms` (Unix milliseconds).
    pub fn put_fresh(
        &mut self,
        source: &str,
        z: u8,
        x: u32,
        y: u32,
        data: &[u8],
        fresh_until_ms: i64,
    ) -> rusqlite::Result<()> {
        if data.len() as u64 > self.limit {
            return Ok(());
        }
        let old: Option<i64> = self
            .conn
            .prepare_cached(
                "SELECT bytes FROM tiles WHERE source = ?1 AND z = ?2 AND x = ?3 AND y = ?4",
            )?
            .query_row(params![source, z, x, y], |r| r.get(0))
            .optional()?;
        let t = self.next_tick();
        self.conn
            .prepare_cached("INSERT OR REPLACE INTO tiles (source, z, x, y, data, bytes, used, fresh) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?
            .execute(params![source, z, x, y, data, data.len() as i64, t, fresh_until_ms])?;
        self.total = self.total - old.unwrap_or(0).max(0) as u64 + data.len() as u64;
        self.evict()
    }

    fn evict(&mut self) -> rusqlite::Result<()> {
        while self.total > self.limit {
            // Evict in batches of the oldest tiles until under the limit.
            let victims: Vec<(String, u8, u32, u32, i64)> = self
                .conn
                .prepare_cached(
                    "SELECT source, z, x, y, bytes FROM tiles ORDER BY used ASC LIMIT 64",
                )?
                .query_map([], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })?
                .collect::<Result<_, _>>()?;
            if victims.is_empty() {
                self.total = 0;
                break;
            }
            let tx = self.conn.unchecked_transaction()?;
            for (source, z, x, y, bytes) in victims {
                if self.total <= self.limit {
                    break;
                }
                tx.execute(
                    "DELETE FROM tiles WHERE source = ?1 AND z = ?2 AND x = ?3 AND y = ?4",
                    params![source, z, x, y],
                )?;
                self.total = self.total.saturating_sub(bytes.max(0) as u64);
            }
            tx.commit()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_stays_under_its_limit_and_keeps_what_was_used_last() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = TileCache::open(&dir.path().join("c.sqlite"), 10_000).unwrap();
        let tile = vec![7u8; 1000];
        for x in 0..30 {
            c.put("osm", 12, x, 0, &tile).unwrap();
            // Keep tile 0 in use: it must survive.
            assert!(
                c.get("osm", 12, 0, 0).unwrap().is_some(),
                "tile 0 evicted at x = {x}"
            );
            assert!(c.total_bytes() <= 10_000);
        }
        assert!(
            c.get("osm", 12, 1, 0).unwrap().is_none(),
            "old unused tiles go first"
        );
        assert!(c.get("osm", 12, 29, 0).unwrap().is_some());
        // The total survives a restart.
        let total = c.total_bytes();
        drop(c);
        let c = TileCache::open(&dir.path().join("c.sqlite"), 10_000).unwrap();
        assert_eq!(c.total_bytes(), total);
    }

    #[test]
    fn stale_tiles_are_served_and_flagged() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = TileCache::open(&dir.path().join("c.sqlite"), 1 << 20).unwrap();
        c.put_fresh("p", 1, 0, 0, b"old", now_ms() - 1).unwrap();
        c.put("p", 1, 1, 0, b"new").unwrap();
        assert_eq!(
            c.get_fresh("p", 1, 0, 0).unwrap(),
            Some((b"old".to_vec(), false))
        );
        assert_eq!(
            c.get_fresh("p", 1, 1, 0).unwrap(),
            Some((b"new".to_vec(), true))
        );
    }
}
