//! The map's frames with no device to draw them ([`MapPath::Staged`](super::MapPath::Staged)):
//! what the window's renderer would write to the GPU, made and copied on the CPU, for
//! `corridor bench-frames`.

use eframe::egui_wgpu;

use super::{MapCallback, Uniform};

/// For each map callback among a frame's primitives drawn the staged way: what the window's
/// `prepare` writes to the GPU for it (its uniform, then [`Batch::uploads`](super::Batch)),
/// made and copied into memory standing for wgpu's staging buffers, which live until the frame
/// is submitted and which a graphics card's driver also keeps in the computer's memory. Not
/// staged: egui's own meshes, and the GPU's buffers themselves. Returns the bytes staged.
pub fn stage_without_device(
    primitives: &[egui::ClippedPrimitive],
    screen: &egui_wgpu::ScreenDescriptor,
) -> usize {
    let maps = || {
        primitives.iter().filter_map(|p| match &p.primitive {
            egui::epaint::Primitive::Callback(cb) => cb.callback.downcast_ref::<MapCallback>(),
            egui::epaint::Primitive::Mesh(_) => None,
        })
    };
    let uniform = std::mem::size_of::<Uniform>();
    let bytes = maps()
        .filter(|m| !m.batch.is_empty())
        .map(|m| uniform + m.batch.upload_bytes())
        .sum();
    let mut staged = STAGING
        .lock()
        .map(|mut s| std::mem::take(&mut *s))
        .unwrap_or_default();
    staged.clear();
    staged.reserve(bytes);
    for map in maps().filter(|m| !m.batch.is_empty()) {
        staged.extend_from_slice(bytemuck::bytes_of(&Uniform::of(map.rect, screen, false)));
        map.batch
            .uploads(|_, piece| staged.extend_from_slice(piece));
    }
    std::hint::black_box(&staged);
    let len = staged.len();
    if let Ok(mut s) = STAGING.lock() {
        *s = staged;
    }
    len
}

/// The memory standing for wgpu's staging buffers, kept from frame to frame as wgpu's memory
/// allocator (`gpu-allocator`) keeps the last of its 64 MiB blocks of host memory, from which a
/// frame's staging buffers of a few megabytes are suballocated. Allocated afresh each frame,
/// its pages were faulted in again by most frames: most of the page faults of the window's
/// thread along the camera path, which is not what a device's staging memory costs.
static STAGING: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::*;
    use egui::pos2;

    fn screen() -> egui_wgpu::ScreenDescriptor {
        egui_wgpu::ScreenDescriptor {
            size_in_pixels: [200, 200],
            pixels_per_point: 1.0,
        }
    }

    fn primitive(rect: Rect, shape: egui::Shape) -> egui::ClippedPrimitive {
        let egui::Shape::Callback(cb) = shape else {
            panic!("not a callback");
        };
        egui::ClippedPrimitive {
            clip_rect: rect,
            primitive: egui::epaint::Primitive::Callback(cb),
        }
    }

    /// Staged with no device: the uniform, each rectangle, and every outline point,
    /// byte for byte as worked out here; a callback for a real renderer is not this path's and
    /// is left alone.
    #[test]
    fn staging_without_a_device_copies_what_prepare_writes() {
        let rect = Rect::from_min_max(pos2(0.0, 0.0), pos2(100.0, 100.0));
        let square = Rect::from_min_max(pos2(0.0, 0.0), pos2(4.0, 4.0));
        // An open line of 20 000 points, each a point or more from the last.
        let line: Vec<Pos2> = (0..20_000)
            .map(|i| pos2(i as f32 % 50.0, (i / 50) as f32))
            .collect();
        let batch = || {
            let mut b = Batch::default();
            b.add_rect(square, Color32::RED);
            b.add_line(line.iter().copied(), false, Color32::BLUE, 2.0);
            b
        };
        let mut want: Vec<u8> = Vec::new();
        want.extend_from_slice(bytemuck::bytes_of(&Uniform::of(rect, &screen(), false)));
        want.extend_from_slice(bytemuck::bytes_of(&RectInstance {
            min: [0.0, 0.0],
            max: [4.0, 4.0],
            color: Color32::RED.to_array(),
        }));
        for (i, p) in line.iter().enumerate() {
            want.extend_from_slice(bytemuck::bytes_of(&LinePoint {
                pos: [p.x, p.y],
                color: Color32::BLUE.to_array(),
                half_width: if i + 1 == line.len() { 0.0 } else { 1.0 },
            }));
        }
        let mut got: Vec<u8> = Vec::new();
        got.extend_from_slice(bytemuck::bytes_of(&Uniform::of(rect, &screen(), false)));
        batch().uploads(|_, piece| got.extend_from_slice(piece));
        assert_eq!(got.len(), want.len());
        assert!(got == want, "the uploads differ from the batch's own bytes");
        assert_eq!(batch().upload_bytes() + size_of::<Uniform>(), want.len());

        let staged = [
            primitive(rect, shape(rect, batch(), MapPath::Staged)),
            primitive(rect, shape(rect, Batch::default(), MapPath::Staged)),
            primitive(rect, shape(rect, batch(), MapPath::Staged)),
        ];
        // Twice the batch; nothing for the empty one, as `prepare` writes nothing for it.
        assert_eq!(stage_without_device(&staged, &screen()), 2 * want.len());
        let windowed = [primitive(rect, shape(rect, batch(), MapPath::Pipelines))];
        assert_eq!(stage_without_device(&windowed, &screen()), 0);
    }

    /// Outlines alone: no fill vertices are written, as `prepare` writes them only with
    /// triangles to draw.
    #[test]
    fn outlines_alone_stage_no_fill_vertices() {
        let mut b = Batch::default();
        b.vertices.push(FillVertex {
            pos: [0.0, 0.0],
            color: [0; 4],
        });
        b.add_line(
            [pos2(0.0, 0.0), pos2(10.0, 0.0)].into_iter(),
            false,
            Color32::BLUE,
            1.0,
        );
        let mut pieces = Vec::new();
        b.uploads(|upload, piece| pieces.push((upload, piece.len())));
        assert_eq!(
            pieces,
            vec![(Upload::LinePoints, 2 * size_of::<LinePoint>())]
        );
        assert_eq!(b.upload_bytes(), 2 * size_of::<LinePoint>());
    }
}
