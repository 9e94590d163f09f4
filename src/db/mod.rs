//! PostGIS layers: tables shared by a team, edited with no lost update.
//!
//! - [`source`]: the URL, the table and the password (never stored);
//! - [`table`]: what a table holds and how its rows are versioned;
//! - [`rows`]: rows to features and back, exactly;
//! - [`save`]: one transaction per save, a conflict for every row changed by someone else;
//! - [`transfer`]: `corridor db import` and `export`;
//! - [`listen`]: the notify trigger and each layer's background connection.
//! - [`sync`]: a table layer kept in step with its table (what to save, what answers mean);
//! - [`window`]: tables too large to hold, read by tiles around the view, with an overview.

pub mod listen;
pub mod rows;
pub mod save;
pub mod source;
pub mod sync;
pub mod table;
pub mod transfer;
pub mod window;

pub use rows::{Row, row_key};
pub use save::{Outcome, Pending};
pub use source::{DbError, PgSource, connect, is_postgres_url};
pub use table::TableInfo;

/// A hash of a feature as it would be written, to tell which features changed since they were
/// read without keeping a second copy of them.
pub fn record_hash(record: &geojson::Feature) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_vec(record).unwrap_or_default().hash(&mut h);
    h.finish()
}
