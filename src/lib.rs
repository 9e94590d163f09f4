//! Corridor: a desktop GIS viewer and zone-boundary editor for the Bình Dương innovation corridor.
//!
//! Layers point down: `app` → `loader` → `ui` → `editor` → `render`/`tiles` → `db` → `io` →
//! `model` → `geometry`; ARCHITECTURE.md has the table, and `tests/architecture.rs` checks it.
#![deny(clippy::unwrap_used)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod app;
pub mod bench_frames;
pub mod cli;
pub mod db;
pub mod editor;
#[doc(hidden)]
pub mod fuzzing;
pub mod geometry;
pub mod io;
pub mod loader;
pub mod model;
pub mod render;
pub mod tiles;
pub mod ui;

pub use app::{AppOptions, CorridorApp, export};
