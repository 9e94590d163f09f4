//! Pure math: Web Mercator, extents, geodesic measures, camera flights.

pub mod coords;
pub mod flight;
pub mod measure;
pub mod mercator;
pub mod validity;

pub use flight::{Camera, Flight};
pub use mercator::{MercatorBox, lonlat_from_mercator, mercator_from_lonlat};
