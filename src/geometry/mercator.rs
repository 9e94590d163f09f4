//! Web Mercator in "world units": the whole world is the square [0, 1] × [0, 1], x east, y south.
//! At zoom `z` one world unit is `256 · 2^z` screen points, as with slippy-map tiles.

/// Latitude beyond which Web Mercator is undefined; tile pyramids stop here.
pub const MAX_LATITUDE: f64 = 85.051_128_779_806_6;

/// Size of the world in screen points at zoom 0 (one 256-point tile).
pub const TILE_SIZE: f64 = 256.0;

/// The easting of [`mercator_from_lonlat`] alone (world units): a feature's local units take
/// their northing another way (`render::cache::Local`).
pub fn easting_from_lon(lon: f64) -> f64 {
    (lon + 180.0) / 360.0
}

/// Projects longitude/latitude (degrees, WGS84) to world units.
///
/// ```
/// let [x, y] = corridor::geometry::mercator_from_lonlat(0.0, 0.0);
/// assert!((x - 0.5).abs() < 1e-12 && (y - 0.5).abs() < 1e-12);
/// ```
pub fn mercator_from_lonlat(lon: f64, lat: f64) -> [f64; 2] {
    let lat = lat.clamp(-MAX_LATITUDE, MAX_LATITUDE).to_radians();
    let x = easting_from_lon(lon);
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0;
    [x, y]
}

/// Inverse of [`mercator_from_lonlat`]: world units to `[lon, lat]` in degrees.
pub fn lonlat_from_mercator(x: f64, y: f64) -> [f64; 2] {
    let lon = x * 360.0 - 180.0;
    let n = std::f64::consts::PI * (1.0 - 2.0 * y);
    let lat = n.sinh().atan().to_degrees();
    [lon, lat]
}

/// Deepest zoom a "zoom to" goes to, so that a point does not fill the screen with one tile.
pub const MAX_FIT_ZOOM: f64 = 16.0;

/// Room (points) left around a box the map is framed on.
pub const FIT_PADDING: f64 = 48.0;

/// Screen points per world unit at a zoom level.
pub fn points_per_world(zoom: f64) -> f64 {
    TILE_SIZE * zoom.exp2()
}

/// Metres on the ground per world unit at a latitude (Web Mercator stretches with 1/cos φ).
pub fn metres_per_world(lat: f64) -> f64 {
    const EARTH_CIRCUMFERENCE_M: f64 = 2.0 * std::f64::consts::PI * 6_378_137.0;
    EARTH_CIRCUMFERENCE_M * lat.to_radians().cos()
}

/// An axis-aligned box in world units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MercatorBox {
    pub min: [f64; 2],
    pub max: [f64; 2],
}

impl MercatorBox {
    /// The empty box: extending it with any point gives that point.
    pub const EMPTY: Self = Self {
        min: [f64::INFINITY, f64::INFINITY],
        max: [f64::NEG_INFINITY, f64::NEG_INFINITY],
    };

    pub fn is_empty(&self) -> bool {
        !(self.min[0] <= self.max[0] && self.min[1] <= self.max[1])
    }

    pub fn extend(&mut self, p: [f64; 2]) {
        self.min = [self.min[0].min(p[0]), self.min[1].min(p[1])];
        self.max = [self.max[0].max(p[0]), self.max[1].max(p[1])];
    }

    pub fn union(&self, other: &Self) -> Self {
        Self {
            min: [self.min[0].min(other.min[0]), self.min[1].min(other.min[1])],
            max: [self.max[0].max(other.max[0]), self.max[1].max(other.max[1])],
        }
    }

    /// Whether the two boxes share a point (an empty box meets nothing).
    pub fn intersects(&self, other: &Self) -> bool {
        !self.is_empty()
            && !other.is_empty()
            && self.min[0] <= other.max[0]
            && other.min[0] <= self.max[0]
            && self.min[1] <= other.max[1]
            && other.min[1] <= self.max[1]
    }

    pub fn center(&self) -> [f64; 2] {
        [
            (self.min[0] + self.max[0]) / 2.0,
            (self.min[1] + self.max[1]) / 2.0,
        ]
    }

    pub fn width(&self) -> f64 {
        self.max[0] - self.min[0]
    }

    pub fn height(&self) -> f64 {
        self.max[1] - self.min[1]
    }

    /// The zoom at which this box fills a viewport of `size` screen points, less a margin of
    /// `padding` points on every side; clamped to `max_zoom` so that a point does not zoom to 25.
    pub fn fit_zoom(&self, size: [f64; 2], padding: f64, max_zoom: f64) -> f64 {
        let w = (size[0] - 2.0 * padding).max(1.0);
        let h = (size[1] - 2.0 * padding).max(1.0);
        let zx = (w / (self.width().max(1e-12) * TILE_SIZE)).log2();
        let zy = (h / (self.height().max(1e-12) * TILE_SIZE)).log2();
        zx.min(zy).clamp(0.0, max_zoom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mercator_round_trips_in_the_corridor() {
        for &(lon, lat) in &[
            (106.65, 10.9667),
            (106.82, 10.905),
            (-122.4, 37.8),
            (0.0, 0.0),
        ] {
            let [x, y] = mercator_from_lonlat(lon, lat);
            let [lon2, lat2] = lonlat_from_mercator(x, y);
            assert!((lon - lon2).abs() < 1e-9, "{lon} vs {lon2}");
            assert!((lat - lat2).abs() < 1e-9, "{lat} vs {lat2}");
        }
    }

    #[test]
    fn north_is_up() {
        let south = mercator_from_lonlat(106.6, 10.9);
        let north = mercator_from_lonlat(106.6, 11.3);
        assert!(north[1] < south[1]);
    }

    #[test]
    fn fit_zoom_shows_the_whole_box() {
        let mut b = MercatorBox::EMPTY;
        b.extend(mercator_from_lonlat(106.5, 10.86));
        b.extend(mercator_from_lonlat(106.9, 11.4));
        let z = b.fit_zoom([800.0, 600.0], 20.0, 19.0);
        let scale = points_per_world(z);
        assert!(b.width() * scale <= 760.0 + 1e-6);
        assert!(b.height() * scale <= 560.0 + 1e-6);
        assert!(b.height() * scale > 559.0);
    }
}
