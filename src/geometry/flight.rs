//! Smooth camera flights between two views, after van Wijk & Nuij, "Smooth and efficient zooming
//! and panning" (2003): the path that zooms out and back in for long hops, as Leaflet's and
//! MapLibre's `flyTo` do.

use super::mercator::TILE_SIZE;

/// What the map shows: a centre in world units and a zoom level.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Camera {
    pub center: [f64; 2],
    pub zoom: f64,
}

/// A flight from one camera to another over a viewport of a given width.
#[derive(Clone, Debug)]
pub struct Flight {
    from: Camera,
    to: Camera,
    /// Path parameters in the paper's notation; `u1` = distance in zoom-0 screen units.
    u1: f64,
    w0: f64,
    r0: f64,
    rho: f64,
    /// Total path length `S`; zero for a pure zoom handled by `pure_zoom`.
    length: f64,
    duration_s: f64,
}

/// Curvature of the path: larger zooms out further. 1.42 is the value the paper found pleasing.
const RHO: f64 = 1.42;

impl Flight {
    /// Plans a flight over a viewport `viewport_width` points wide. The duration grows with the
    /// path length and stays between `min_s` and `max_s` seconds.
    pub fn new(from: Camera, to: Camera, viewport_width: f64, min_s: f64, max_s: f64) -> Self {
        let rho = RHO;
        let scale0 = TILE_SIZE * from.zoom.exp2();
        // Work in screen points at the starting zoom: w = visible width in those units.
        let w0 = viewport_width.max(1.0);
        let w1 = w0 * (from.zoom - to.zoom).exp2();
        let dx = (to.center[0] - from.center[0]) * scale0;
        let dy = (to.center[1] - from.center[1]) * scale0;
        let u1 = (dx * dx + dy * dy).sqrt();
        let r = |i: f64| {
            let (w, sign) = if i == 0.0 { (w0, 1.0) } else { (w1, -1.0) };
            let b = (w1 * w1 - w0 * w0 + sign * rho.powi(4) * u1 * u1) / (2.0 * w * rho * rho * u1);
            ((b * b + 1.0).sqrt() - b).ln()
        };
        let (r0, length) = if u1 < 1e-6 {
            (0.0, ((w1 / w0).ln()).abs() / rho)
        } else {
            let r0 = r(0.0);
            (r0, (r(1.0) - r0) / rho)
        };
        let length = if length.is_finite() { length } else { 0.0 };
        let duration_s = (0.6 + 0.35 * length).clamp(min_s, max_s);
        Self {
            from,
            to,
            u1,
            w0,
            r0,
            rho,
            length,
            duration_s,
        }
    }

    /// How long the flight lasts, in seconds.
    pub fn duration_s(&self) -> f64 {
        self.duration_s
    }

    /// Where the camera is `elapsed_s` seconds into the flight (the destination once it is over).
    pub fn camera_at(&self, elapsed_s: f64) -> Camera {
        let t = (elapsed_s / self.duration_s).clamp(0.0, 1.0);
        if t >= 1.0 {
            return self.to;
        }
        // Ease in and out so the camera neither jerks into motion nor stops dead.
        let t = ease_in_out_cubic(t);
        let s = t * self.length;
        let (u, w) = if self.u1 < 1e-6 {
            let w1 = self.w0 * (self.from.zoom - self.to.zoom).exp2();
            (0.0, self.w0 * (w1 / self.w0).powf(t))
        } else {
            let rho = self.rho;
            let r0 = self.r0;
            let u =
                self.w0 * (r0.cosh() * (rho * s + r0).tanh() - r0.sinh()) / (rho * rho) / self.u1;
            let w = self.w0 * r0.cosh() / (rho * s + r0).cosh();
            (u, w)
        };
        let center = [
            self.from.center[0] + (self.to.center[0] - self.from.center[0]) * u,
            self.from.center[1] + (self.to.center[1] - self.from.center[1]) * u,
        ];
        let zoom = self.from.zoom + (self.w0 / w).log2();
        if !center[0].is_finite() || !center[1].is_finite() || !zoom.is_finite() {
            return self.to;
        }
        Camera { center, zoom }
    }
}

fn ease_in_out_cubic(t: f64) -> f64 {
    if t < 0.5 {
        4.0 * t * t * t
    } else {
        1.0 - (-2.0 * t + 2.0).powi(3) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Camera, b: Camera) -> bool {
        (a.center[0] - b.center[0]).abs() < 1e-9
            && (a.center[1] - b.center[1]).abs() < 1e-9
            && (a.zoom - b.zoom).abs() < 1e-6
    }

    #[test]
    fn flight_starts_and_ends_where_asked() {
        let a = Camera {
            center: [0.79, 0.47],
            zoom: 10.0,
        };
        let b = Camera {
            center: [0.792, 0.468],
            zoom: 14.0,
        };
        let f = Flight::new(a, b, 1200.0, 0.8, 2.0);
        assert!(close(f.camera_at(0.0), a), "{:?}", f.camera_at(0.0));
        assert!(close(f.camera_at(f.duration_s()), b));
        assert!(f.duration_s() >= 0.8 && f.duration_s() <= 2.0);
    }

    #[test]
    fn long_hops_zoom_out_on_the_way() {
        let a = Camera {
            center: [0.79, 0.47],
            zoom: 14.0,
        };
        let b = Camera {
            center: [0.80, 0.46],
            zoom: 14.0,
        };
        let f = Flight::new(a, b, 1200.0, 0.8, 2.0);
        let mid = f.camera_at(f.duration_s() / 2.0);
        assert!(mid.zoom < 13.0, "mid-flight zoom {}", mid.zoom);
    }

    #[test]
    fn pure_zoom_keeps_the_centre() {
        let a = Camera {
            center: [0.79, 0.47],
            zoom: 10.0,
        };
        let b = Camera {
            center: [0.79, 0.47],
            zoom: 13.0,
        };
        let f = Flight::new(a, b, 1200.0, 0.8, 2.0);
        let mid = f.camera_at(f.duration_s() / 2.0);
        assert_eq!(mid.center, a.center);
        assert!(mid.zoom > 10.0 && mid.zoom < 13.0);
    }
}
