//! Polygon fills as triangles: egui fills only convex paths, so concave rings, holes and
//! multipolygons are triangulated here (lyon, even-odd rule).

use lyon_tessellation::{
    BuffersBuilder, FillOptions, FillTessellator, FillVertex, VertexBuffers, math::point,
    path::Path,
};

/// Triangles in local units: `indices` point into `vertices`, three per triangle.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FillMesh {
    pub vertices: Vec<[f32; 2]>,
    pub indices: Vec<u32>,
}

impl FillMesh {
    /// Sum of the triangles' areas (always positive).
    pub fn area(&self) -> f64 {
        self.indices
            .chunks_exact(3)
            .map(|t| {
                let [a, b, c] = [t[0], t[1], t[2]].map(|i| self.vertices[i as usize]);
                let cross = (b[0] - a[0]) as f64 * (c[1] - a[1]) as f64
                    - (c[0] - a[0]) as f64 * (b[1] - a[1]) as f64;
                cross.abs() / 2.0
            })
            .sum()
    }
}

/// Triangulates polygons given as rings (first the exterior, then holes); each ring is a list of
/// points, closed or not. Even-odd filling makes holes and overlapping parts come out right
/// whatever the ring orientation the file used.
pub fn tessellate_rings<'a>(
    rings: impl IntoIterator<Item = &'a [[f32; 2]]>,
    tolerance: f32,
) -> Result<FillMesh, lyon_tessellation::TessellationError> {
    let mut builder = Path::builder();
    for ring in rings {
        let mut points = ring.iter().filter(|p| p[0].is_finite() && p[1].is_finite());
        let Some(first) = points.next() else {
            continue;
        };
        builder.begin(point(first[0], first[1]));
        for p in points {
            builder.line_to(point(p[0], p[1]));
        }
        builder.end(true);
    }
    let path = builder.build();
    let mut buffers: VertexBuffers<[f32; 2], u32> = VertexBuffers::new();
    FillTessellator::new().tessellate_path(
        &path,
        &FillOptions::even_odd().with_tolerance(tolerance),
        &mut BuffersBuilder::new(&mut buffers, |v: FillVertex| {
            let p = v.position();
            [p.x, p.y]
        }),
    )?;
    // The buffers grew by doubling; a layer keeps hundreds of thousands of these.
    buffers.vertices.shrink_to_fit();
    buffers.indices.shrink_to_fit();
    Ok(FillMesh {
        vertices: buffers.vertices,
        indices: buffers.indices,
    })
}

/// Planar area of rings by the shoelace formula, holes subtracted (even-odd).
pub fn rings_area(rings: &[Vec<[f32; 2]>]) -> f64 {
    rings
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let a = r
                .iter()
                .zip(r.iter().cycle().skip(1))
                .map(|(p, q)| p[0] as f64 * q[1] as f64 - q[0] as f64 * p[1] as f64)
                .sum::<f64>()
                .abs()
                / 2.0;
            if i == 0 { a } else { -a }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn area_of(rings: &[Vec<[f32; 2]>]) -> f64 {
        tessellate_rings(rings.iter().map(Vec::as_slice), 0.01)
            .unwrap()
            .area()
    }

    #[test]
    fn l_shape_fills_its_area_not_its_notch() {
        // An L: 3 × 3 square minus the 2 × 2 top-right corner → area 5.
        let l = vec![
            [0.0, 0.0],
            [3.0, 0.0],
            [3.0, 1.0],
            [1.0, 1.0],
            [1.0, 3.0],
            [0.0, 3.0],
        ];
        assert!((area_of(std::slice::from_ref(&l)) - 5.0).abs() < 1e-4);
        assert!((rings_area(&[l]) - 5.0).abs() < 1e-6);
    }

    #[test]
    fn holes_stay_empty() {
        let outer = vec![[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]];
        let hole = vec![[2.0, 2.0], [2.0, 6.0], [6.0, 6.0], [6.0, 2.0]];
        assert!((area_of(&[outer, hole]) - 84.0).abs() < 1e-3);
    }

    #[test]
    fn hole_orientation_does_not_matter() {
        let outer = vec![[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]];
        let hole_same_way = vec![[2.0, 2.0], [6.0, 2.0], [6.0, 6.0], [2.0, 6.0]];
        assert!((area_of(&[outer, hole_same_way]) - 84.0).abs() < 1e-3);
    }

    #[test]
    fn degenerate_input_does_not_panic() {
        assert_eq!(area_of(&[vec![]]), 0.0);
        assert_eq!(area_of(&[vec![[1.0, 1.0]]]), 0.0);
        let _ = tessellate_rings([&[[f32::NAN, 0.0], [1.0, 1.0], [2.0, 0.0]][..]], 0.01);
    }

    proptest! {
        /// Star-shaped (often concave) polygons: the triangles cover exactly the polygon.
        #[test]
        fn triangle_areas_sum_to_polygon_area(radii in proptest::collection::vec(1.0f32..100.0, 3..40)) {
            let n = radii.len();
            let ring: Vec<[f32; 2]> = radii
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let a = i as f32 / n as f32 * std::f32::consts::TAU;
                    [r * a.cos(), r * a.sin()]
                })
                .collect();
            let expected = rings_area(std::slice::from_ref(&ring));
            let got = area_of(&[ring]);
            prop_assert!((got - expected).abs() <= expected * 1e-4 + 1e-3, "{} vs {}", got, expected);
        }
    }
}
