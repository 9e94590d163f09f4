//! From cached render data to pixels: tessellation, per-layer caches, and painting with egui.

pub mod cache;
mod detail;
pub mod gpu;
pub mod lods;
pub mod paint;
mod spare;
pub mod tessellate;

pub use cache::{FeatureRender, LayerRender};
pub use paint::{Highlight, LabelPlacer, LabelStyle, ScreenTransform, paint_layer};
