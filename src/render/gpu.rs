//! A layer's fills and thin outlines drawn by the map's own wgpu pipelines, through an egui paint
//! callback, instead of as egui meshes.
//!
//! What egui would do with the same frame: hold a mesh of 20-byte vertices for the fills, turn
//! every outline into a feathered strip (four vertices and eighteen indices a point), then copy
//! both into its staging and vertex buffers. Here a fill vertex is 12 bytes (no texture
//! coordinate), and an outline is one 24-byte instance a segment that the vertex shader widens
//! into a quad, the fragment shader anti-aliasing its edges (and rounding its ends, which also
//! joins the segments of a path). Large layers at fine zooms draw hundreds of thousands of
//! outline points a frame: their memory and the CPU time to tessellate them were most of a
//! frame's. Zoomed out, they draw tens of thousands of dots: each is one 20-byte instance of a
//! rectangle, not four vertices and six indices (72 bytes).
//!
//! Without wgpu (a test harness with no renderer, or `CORRIDOR_MAP_MESHES` set) the same
//! [`Batch`] is painted as egui meshes and paths instead.

use std::num::NonZeroU64;
use std::sync::Mutex;

use eframe::egui_wgpu::{self, wgpu};
use egui::{Color32, Pos2, Rect};

mod staged;
pub use staged::stage_without_device;

/// One frame's fills and thin outlines of a layer, in screen points.
#[derive(Debug, Default)]
pub struct Batch {
    /// Triangles: three indices each into `vertices`.
    pub vertices: Vec<FillVertex>,
    pub indices: Vec<u32>,
    /// Rectangles of one colour (dots, and boxes standing in for features not made yet), one
    /// instance each, drawn after the fills: 20 bytes a rectangle where two triangles took 72.
    pub rects: Vec<RectInstance>,
    /// The outlines' points, path after path (see `lines`), as the line pipeline reads them:
    /// each point with its path's colour and half width, a closed path's first point again
    /// after its last, and the last point of each path with no width (no segment joins it to
    /// the next path).
    pub line_points: Vec<LinePoint>,
    pub lines: Vec<LineRun>,
    /// More features on screen than egui's anti-aliased paths can take a frame: painted as egui
    /// meshes, the outlines are plain quads.
    pub many: bool,
    /// Since when the frames emptying this batch have used less than a quarter of its room.
    oversized_since: Option<std::time::Instant>,
}

/// A fill's vertex as the pipeline reads it: a position in screen points and a premultiplied
/// colour (egui's `Color32` bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct FillVertex {
    pub pos: [f32; 2],
    pub color: [u8; 4],
}

/// A rectangle of one colour as the rectangle pipeline reads it: its corners in screen points
/// and a premultiplied colour.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct RectInstance {
    pub min: [f32; 2],
    pub max: [f32; 2],
    pub color: [u8; 4],
}

/// A point of an outline as the line pipeline reads it: the segment from it to the next point
/// is drawn in its colour and half width (none: no segment).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct LinePoint {
    pub pos: [f32; 2],
    pub color: [u8; 4],
    pub half_width: f32,
}

/// One outline: `len` points of [`Batch::line_points`] from `start` (a closed one's first point
/// again follows them).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LineRun {
    pub start: u32,
    pub len: u32,
    pub closed: bool,
    pub color: Color32,
    pub width: f32,
}

/// The buffer a piece of [`Batch::uploads`] goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Upload {
    Vertices,
    Indices,
    Rects,
    LinePoints,
}

/// Batches whose frames have been drawn, emptied, their vectors kept for the next frames: a
/// crowded frame's batch is tens of megabytes that would otherwise be allocated, paged in and
/// handed back to the system every frame.
static SPARE: Mutex<Vec<Batch>> = Mutex::new(Vec::new());

/// Spare batches kept (a frame draws a batch a layer).
const SPARE_BATCHES: usize = 8;

/// How long a batch keeps room its frames no longer use. Given back at once, the room of a
/// crowded frame is paged in again, a page fault for each 4 KiB, by the first crowded frame
/// after it: tens of megabytes, several milliseconds, in the frame that zooms back out.
const KEEP_ROOM_FOR: std::time::Duration = std::time::Duration::from_secs(2);

impl Batch {
    /// An empty batch, with the room a recent frame's batch had.
    pub fn recycled() -> Batch {
        SPARE
            .lock()
            .ok()
            .and_then(|mut s| s.pop())
            .unwrap_or_default()
    }

    /// Empties the batch and keeps it for a later frame. Room more than four times what the
    /// frames use is given back once they have used so little for [`KEEP_ROOM_FOR`]: zoomed in
    /// on a few features, the map does not hold on to the crowded frame's megabytes, but a
    /// glance at a street does not cost the next crowded frames their room either.
    pub fn recycle(mut self) {
        self.empty(std::time::Instant::now());
        if let Ok(mut s) = SPARE.lock()
            && s.len() < SPARE_BATCHES
        {
            s.push(self);
        }
    }

    /// Empties the batch. Room more than four times what it held is given back once the
    /// batches emptied since `oversized_since` have all held so little for [`KEEP_ROOM_FOR`].
    fn empty(&mut self, now: std::time::Instant) {
        fn oversized<T>(v: &Vec<T>) -> bool {
            v.capacity() > 4 * v.len().max(1024)
        }
        fn empty<T>(v: &mut Vec<T>, trim: bool) {
            let (used, over) = (v.len(), oversized(v));
            v.clear();
            if trim && over {
                v.shrink_to(used + used / 4);
            }
        }
        let any_oversized = oversized(&self.vertices)
            || oversized(&self.indices)
            || oversized(&self.rects)
            || oversized(&self.line_points)
            || oversized(&self.lines);
        let since = if any_oversized {
            *self.oversized_since.get_or_insert(now)
        } else {
            self.oversized_since = None;
            now
        };
        let trim = now.saturating_duration_since(since) >= KEEP_ROOM_FOR;
        if trim {
            self.oversized_since = None;
        }
        empty(&mut self.vertices, trim);
        empty(&mut self.indices, trim);
        empty(&mut self.rects, trim);
        empty(&mut self.line_points, trim);
        empty(&mut self.lines, trim);
        self.many = false;
    }

    /// A rectangle of one colour, drawn after the fills.
    pub fn add_rect(&mut self, rect: Rect, color: Color32) {
        self.rects.push(RectInstance {
            min: [rect.min.x, rect.min.y],
            max: [rect.max.x, rect.max.y],
            color: color.to_array(),
        });
    }

    /// An outline through `points`, dropping each point within a third of a point of the last
    /// one kept: the line looks the same with far fewer segments. Nothing is added for fewer
    /// than two points left.
    pub fn add_line(
        &mut self,
        points: impl Iterator<Item = Pos2>,
        closed: bool,
        color: Color32,
        width: f32,
    ) {
        let start = self.line_points.len();
        let color_bytes = color.to_array();
        let half_width = width / 2.0;
        let mut last: Option<Pos2> = None;
        for p in points {
            if last.is_none_or(|q| q.distance_sq(p) > 0.11) {
                self.line_points.push(LinePoint {
                    pos: [p.x, p.y],
                    color: color_bytes,
                    half_width,
                });
                last = Some(p);
            }
        }
        let len = self.line_points.len() - start;
        if len < 2 {
            self.line_points.truncate(start);
            return;
        }
        if closed {
            let first = self.line_points[start];
            self.line_points.push(first);
        }
        // No segment from this path's end to the next path's start.
        if let Some(end) = self.line_points.last_mut() {
            end.half_width = 0.0;
        }
        self.lines.push(LineRun {
            start: start as u32,
            len: len as u32,
            closed,
            color,
            width,
        });
    }

    pub fn is_empty(&self) -> bool {
        self.indices.is_empty() && self.rects.is_empty() && self.lines.is_empty()
    }

    /// The points of one outline (a closed one's first point not repeated), into `out`: room
    /// reused from one outline to the next.
    pub fn points_into(&self, run: &LineRun, out: &mut Vec<Pos2>) {
        let start = run.start as usize;
        out.clear();
        out.extend(
            self.line_points
                .get(start..start + run.len as usize)
                .unwrap_or(&[])
                .iter()
                .map(|p| Pos2::new(p.pos[0], p.pos[1])),
        );
    }

    /// Instances the line pipeline draws: one a pair of neighbouring points (those from a
    /// path's last point, with no width, draw nothing).
    fn segment_count(&self) -> usize {
        self.line_points.len().saturating_sub(1)
    }

    /// What a frame writes to the GPU for this batch, in order, each piece with the buffer it
    /// goes to: the fill vertices and indices (only with triangles to draw), the rectangles,
    /// then the outlines' points as they are (only with a segment to draw). Nothing for an empty batch. The
    /// window's `prepare` and the staging without a device both write this.
    fn uploads(&self, mut write: impl FnMut(Upload, &[u8])) {
        if self.is_empty() {
            return;
        }
        if !self.indices.is_empty() {
            write(Upload::Vertices, bytemuck::cast_slice(&self.vertices));
            write(Upload::Indices, bytemuck::cast_slice(&self.indices));
        }
        if !self.rects.is_empty() {
            write(Upload::Rects, bytemuck::cast_slice(&self.rects));
        }
        if self.segment_count() > 0 {
            write(Upload::LinePoints, bytemuck::cast_slice(&self.line_points));
        }
    }

    /// The bytes [`Batch::uploads`] writes, without making them.
    fn upload_bytes(&self) -> usize {
        if self.is_empty() {
            return 0;
        }
        let fills = if self.indices.is_empty() {
            0
        } else {
            std::mem::size_of_val(&self.vertices[..]) + std::mem::size_of_val(&self.indices[..])
        };
        let lines = if self.segment_count() > 0 {
            std::mem::size_of_val(&self.line_points[..])
        } else {
            0
        };
        fills + std::mem::size_of_val(&self.rects[..]) + lines
    }
}

/// How frames on a context draw a layer's fills and thin outlines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MapPath {
    /// As egui meshes and paths (no wgpu, or `CORRIDOR_MAP_MESHES` set).
    #[default]
    EguiMeshes,
    /// By the map's pipelines, through a paint callback ([`install`]).
    Pipelines,
    /// Batched for the pipelines, with no device to draw them: `corridor bench-frames` then makes
    /// and stages on the CPU what the window's renderer would write ([`stage_without_device`]).
    Staged,
}

/// How frames on this context draw layers (see [`install`]).
pub fn path(ctx: &egui::Context) -> MapPath {
    ctx.data(|d| d.get_temp::<MapPath>(path_id()))
        .unwrap_or_default()
}

/// Whether frames on this context batch layers for the map's pipelines (see [`install`]).
pub fn enabled(ctx: &egui::Context) -> bool {
    path(ctx) != MapPath::EguiMeshes
}

fn path_id() -> egui::Id {
    egui::Id::unique("corridor-map-pipelines")
}

/// Makes the map's pipelines for a window's renderer, and has frames on `ctx` use them. Without
/// wgpu, or with `CORRIDOR_MAP_MESHES` set, layers are painted as egui meshes.
pub fn install(render_state: Option<&egui_wgpu::RenderState>, ctx: &egui::Context) {
    let Some(rs) = render_state else {
        return;
    };
    if meshes_asked() {
        log::info!("CORRIDOR_MAP_MESHES is set: layers are painted as egui meshes");
        return;
    }
    let pipelines = Pipelines::new(&rs.device, rs.target_format);
    rs.renderer.write().callback_resources.insert(pipelines);
    ctx.data_mut(|d| d.insert_temp(path_id(), MapPath::Pipelines));
}

/// Has frames on `ctx`, which has no renderer, batch layers as the window does for its
/// pipelines ([`MapPath::Staged`]), unless `CORRIDOR_MAP_MESHES` is set.
pub fn install_without_device(ctx: &egui::Context) {
    if !meshes_asked() {
        ctx.data_mut(|d| d.insert_temp(path_id(), MapPath::Staged));
    }
}

fn meshes_asked() -> bool {
    std::env::var_os("CORRIDOR_MAP_MESHES").is_some()
}

/// The paint callback that draws `batch` over `rect` (the map's rectangle on screen), on the
/// `path` its context takes (for [`MapPath::Staged`], one [`stage_without_device`] reads).
pub fn shape(rect: Rect, batch: Batch, path: MapPath) -> egui::Shape {
    let callback = MapCallback {
        rect,
        batch,
        drawn: Mutex::new(None),
    };
    if path == MapPath::Staged {
        return egui::Shape::Callback(egui::PaintCallback {
            rect,
            callback: std::sync::Arc::new(callback),
        });
    }
    egui::Shape::Callback(egui_wgpu::Callback::new_paint_callback(rect, callback))
}

struct MapCallback {
    rect: Rect,
    /// Written to the GPU by `prepare` (kept: the same frame may be rendered again, as a
    /// test harness's screenshot does).
    batch: Batch,
    /// What `prepare` wrote, for `paint`.
    drawn: Mutex<Option<Drawn>>,
}

impl Drop for MapCallback {
    /// The frame is drawn: its batch's room serves a later frame.
    fn drop(&mut self) {
        std::mem::take(&mut self.batch).recycle();
    }
}

#[derive(Clone, Copy, Debug)]
struct Drawn {
    slot: usize,
    indices: u32,
    rects: u32,
    segments: u32,
}

/// The pipelines, and buffers for each layer drawn in a frame, kept from frame to frame.
struct Pipelines {
    fill: wgpu::RenderPipeline,
    rect: wgpu::RenderPipeline,
    line: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
    slots: Vec<Slot>,
    /// Slots handed out in this frame's `prepare` calls.
    next: usize,
    /// Whether the target converts to sRGB itself (then colours are made linear first).
    linear: bool,
}

struct Slot {
    uniform: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
    vertices: Option<wgpu::Buffer>,
    indices: Option<wgpu::Buffer>,
    rects: Option<wgpu::Buffer>,
    line_points: Option<wgpu::Buffer>,
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Uniform {
    /// The viewport's top left and size, in points.
    origin: [f32; 2],
    size: [f32; 2],
    pixels_per_point: f32,
    linear: u32,
    pad: [f32; 2],
}

impl Uniform {
    /// For a callback over `rect`: where egui sets its viewport (the rectangle rounded to
    /// pixels and clamped to the screen), in points.
    fn of(rect: Rect, screen: &egui_wgpu::ScreenDescriptor, linear: bool) -> Self {
        let ppp = screen.pixels_per_point;
        let viewport =
            egui::epaint::ViewportInPixels::from_points(&rect, ppp, screen.size_in_pixels);
        Self {
            origin: [viewport.left_px as f32 / ppp, viewport.top_px as f32 / ppp],
            size: [
                viewport.width_px.max(1) as f32 / ppp,
                viewport.height_px.max(1) as f32 / ppp,
            ],
            pixels_per_point: ppp,
            linear: u32::from(linear),
            pad: [0.0; 2],
        }
    }
}

const SHADER: &str = include_str!("map.wgsl");

impl Pipelines {
    fn new(device: &wgpu::Device, format: wgpu::TextureFormat) -> Self {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("corridor map"),
            source: wgpu::ShaderSource::Wgsl(SHADER.into()),
        });
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("corridor map uniform"),
            entries: &[wgpu::BindGroupLayoutEntry {
                binding: 0,
                visibility: wgpu::ShaderStages::VERTEX | wgpu::ShaderStages::FRAGMENT,
                ty: wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Uniform,
                    has_dynamic_offset: false,
                    min_binding_size: NonZeroU64::new(std::mem::size_of::<Uniform>() as u64),
                },
                count: None,
            }],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("corridor map"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        // Premultiplied alpha, as egui's own pipeline blends.
        let target = [Some(wgpu::ColorTargetState {
            format,
            blend: Some(wgpu::BlendState {
                color: wgpu::BlendComponent {
                    src_factor: wgpu::BlendFactor::One,
                    dst_factor: wgpu::BlendFactor::OneMinusSrcAlpha,
                    operation: wgpu::BlendOperation::Add,
                },
                alpha: wgpu::BlendComponent {
                    src_factor: wgpu::BlendFactor::OneMinusDstAlpha,
                    dst_factor: wgpu::BlendFactor::One,
                    operation: wgpu::BlendOperation::Add,
                },
            }),
            write_mask: wgpu::ColorWrites::ALL,
        })];
        let pipeline =
            |label: &str, vs: &str, fs: &str, buffers: &[Option<wgpu::VertexBufferLayout<'_>>]| {
                device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                    label: Some(label),
                    layout: Some(&pipeline_layout),
                    vertex: wgpu::VertexState {
                        module: &module,
                        entry_point: Some(vs),
                        buffers,
                        compilation_options: wgpu::PipelineCompilationOptions::default(),
                    },
                    primitive: wgpu::PrimitiveState {
                        topology: wgpu::PrimitiveTopology::TriangleList,
                        ..Default::default()
                    },
                    // eframe and the test harness both render egui without depth or multisampling.
                    depth_stencil: None,
                    multisample: wgpu::MultisampleState::default(),
                    fragment: Some(wgpu::FragmentState {
                        module: &module,
                        entry_point: Some(fs),
                        targets: &target,
                        compilation_options: wgpu::PipelineCompilationOptions::default(),
                    }),
                    multiview_mask: None,
                    cache: None,
                })
            };
        let fill = pipeline(
            "corridor map fills",
            "vs_fill",
            "fs_fill",
            &[Some(wgpu::VertexBufferLayout {
                array_stride: std::mem::size_of::<FillVertex>() as u64,
                step_mode: wgpu::VertexStepMode::Vertex,
                attributes: &wgpu::vertex_attr_array![0 => Float32x2, 1 => Uint32],
            })],
        );
        // A rectangle an instance: two triangles over its corners.
        let rect = pipeline(
            "corridor map rectangles",
            "vs_rect",
            "fs_fill",
            &[Some(wgpu::VertexBufferLayout {
                array_stride: std::mem::size_of::<RectInstance>() as u64,
                step_mode: wgpu::VertexStepMode::Instance,
                attributes: &wgpu::vertex_attr_array![0 => Float32x2, 1 => Float32x2, 2 => Uint32],
            })],
        );
        // A segment an instance, from the outline's points bound twice: the point the segment
        // starts from (with its colour and half width), and the next one.
        let point = std::mem::size_of::<LinePoint>() as u64;
        let line = pipeline(
            "corridor map outlines",
            "vs_line",
            "fs_line",
            &[
                Some(wgpu::VertexBufferLayout {
                    array_stride: point,
                    step_mode: wgpu::VertexStepMode::Instance,
                    attributes: &wgpu::vertex_attr_array![0 => Float32x2, 1 => Uint32, 2 => Float32],
                }),
                Some(wgpu::VertexBufferLayout {
                    array_stride: point,
                    step_mode: wgpu::VertexStepMode::Instance,
                    attributes: &wgpu::vertex_attr_array![3 => Float32x2],
                }),
            ],
        );
        Self {
            fill,
            rect,
            line,
            layout,
            slots: Vec::new(),
            next: 0,
            linear: format.is_srgb(),
        }
    }

    fn slot(&mut self, device: &wgpu::Device) -> usize {
        let k = self.next;
        self.next += 1;
        while self.slots.len() <= k {
            let uniform = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("corridor map uniform"),
                size: std::mem::size_of::<Uniform>() as u64,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("corridor map uniform"),
                layout: &self.layout,
                entries: &[wgpu::BindGroupEntry {
                    binding: 0,
                    resource: uniform.as_entire_binding(),
                }],
            });
            self.slots.push(Slot {
                uniform,
                bind_group,
                vertices: None,
                indices: None,
                rects: None,
                line_points: None,
            });
        }
        k
    }
}

/// A buffer of at least `bytes`, made again when too small, or when four times too big (a frame
/// zoomed in on a few features keeps nothing of the crowded frame before).
fn sized(
    device: &wgpu::Device,
    buffer: &mut Option<wgpu::Buffer>,
    bytes: u64,
    usage: wgpu::BufferUsages,
) -> Option<wgpu::Buffer> {
    let fits = buffer
        .as_ref()
        .is_some_and(|b| b.size() >= bytes && (b.size() <= 4 * bytes || b.size() <= 1 << 20));
    if !fits {
        // A quarter more than asked, in whole 64 KiB: the next frames grow a little at a time.
        let size = (bytes + bytes / 4).div_ceil(1 << 16) * (1 << 16);
        *buffer = Some(device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("corridor map"),
            size,
            usage: usage | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        }));
    }
    buffer.clone()
}

impl egui_wgpu::CallbackTrait for MapCallback {
    fn prepare(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        screen: &egui_wgpu::ScreenDescriptor,
        _encoder: &mut wgpu::CommandEncoder,
        resources: &mut egui_wgpu::CallbackResources,
    ) -> Vec<wgpu::CommandBuffer> {
        let Some(pipelines) = resources.get_mut::<Pipelines>() else {
            return Vec::new();
        };
        let batch = &self.batch;
        if batch.is_empty() {
            return Vec::new();
        }
        let k = pipelines.slot(device);
        let linear = pipelines.linear;
        let Some(slot) = pipelines.slots.get_mut(k) else {
            return Vec::new();
        };
        let uniform = Uniform::of(self.rect, screen, linear);
        queue.write_buffer(&slot.uniform, 0, bytemuck::bytes_of(&uniform));
        let mut written: [Option<wgpu::Buffer>; 4] = [None, None, None, None];
        batch.uploads(|upload, bytes| {
            let (buffer, usage) = match upload {
                Upload::Vertices => (&mut slot.vertices, wgpu::BufferUsages::VERTEX),
                Upload::Indices => (&mut slot.indices, wgpu::BufferUsages::INDEX),
                Upload::Rects => (&mut slot.rects, wgpu::BufferUsages::VERTEX),
                Upload::LinePoints => (&mut slot.line_points, wgpu::BufferUsages::VERTEX),
            };
            let to = &mut written[upload as usize];
            *to = sized(device, buffer, bytes.len() as u64, usage);
            if let Some(b) = to {
                queue.write_buffer(b, 0, bytes);
            }
        });
        let [vertices, indices, rects, line_points] = &written;
        let drawn = Drawn {
            slot: k,
            indices: if vertices.is_some() && indices.is_some() {
                batch.indices.len() as u32
            } else {
                0
            },
            rects: if rects.is_some() {
                batch.rects.len() as u32
            } else {
                0
            },
            segments: if line_points.is_some() {
                batch.segment_count() as u32
            } else {
                0
            },
        };
        if let Ok(mut d) = self.drawn.lock() {
            *d = Some(drawn);
        }
        Vec::new()
    }

    fn finish_prepare(
        &self,
        _device: &wgpu::Device,
        _queue: &wgpu::Queue,
        _encoder: &mut wgpu::CommandEncoder,
        resources: &mut egui_wgpu::CallbackResources,
    ) -> Vec<wgpu::CommandBuffer> {
        // Every callback of the frame is prepared: the next frame hands out slots from the first.
        if let Some(p) = resources.get_mut::<Pipelines>() {
            p.next = 0;
        }
        Vec::new()
    }

    fn paint(
        &self,
        _info: egui::PaintCallbackInfo,
        pass: &mut wgpu::RenderPass<'static>,
        resources: &egui_wgpu::CallbackResources,
    ) {
        let Some(p) = resources.get::<Pipelines>() else {
            return;
        };
        let Some(drawn) = self.drawn.lock().ok().and_then(|d| *d) else {
            return;
        };
        let Some(slot) = p.slots.get(drawn.slot) else {
            return;
        };
        pass.set_bind_group(0, &slot.bind_group, &[]);
        if drawn.indices > 0
            && let (Some(vb), Some(ib)) = (&slot.vertices, &slot.indices)
        {
            pass.set_pipeline(&p.fill);
            pass.set_vertex_buffer(0, vb.slice(..));
            pass.set_index_buffer(ib.slice(..), wgpu::IndexFormat::Uint32);
            pass.draw_indexed(0..drawn.indices, 0, 0..1);
        }
        if drawn.rects > 0
            && let Some(rects) = &slot.rects
        {
            pass.set_pipeline(&p.rect);
            pass.set_vertex_buffer(0, rects.slice(..));
            pass.draw(0..6, 0..drawn.rects);
        }
        if drawn.segments > 0
            && let Some(points) = &slot.line_points
        {
            pass.set_pipeline(&p.line);
            pass.set_vertex_buffer(0, points.slice(..));
            pass.set_vertex_buffer(1, points.slice(std::mem::size_of::<LinePoint>() as u64..));
            pass.draw(0..6, 0..drawn.segments);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::pos2;

    #[test]
    fn an_outline_is_one_segment_a_point_pair_and_closed_ones_return_to_their_start() {
        let mut b = Batch::default();
        let square = [
            pos2(0.0, 0.0),
            pos2(10.0, 0.0),
            pos2(10.0, 10.0),
            pos2(0.0, 10.0),
        ];
        b.add_line(square.into_iter(), true, Color32::RED, 2.0);
        // Points closer than a third of a point to the last one kept are dropped.
        b.add_line(
            [pos2(0.0, 0.0), pos2(0.1, 0.1), pos2(5.0, 0.0)].into_iter(),
            false,
            Color32::BLUE,
            1.0,
        );
        // A line that collapses to one point adds nothing.
        b.add_line(
            [pos2(3.0, 3.0), pos2(3.1, 3.0)].into_iter(),
            false,
            Color32::BLUE,
            1.0,
        );
        assert_eq!(b.lines.len(), 2);
        let point = |x: f32, y: f32, color: Color32, half_width: f32| LinePoint {
            pos: [x, y],
            color: color.to_array(),
            half_width,
        };
        let (red, blue) = (Color32::RED, Color32::BLUE);
        assert_eq!(
            b.line_points,
            [
                point(0.0, 0.0, red, 1.0),
                point(10.0, 0.0, red, 1.0),
                point(10.0, 10.0, red, 1.0),
                point(0.0, 10.0, red, 1.0),
                // The closing segment's end, and the end of the square: no segment from it.
                point(0.0, 0.0, red, 0.0),
                point(0.0, 0.0, blue, 0.5),
                point(5.0, 0.0, blue, 0.0),
            ]
        );
        // The instances: four sides, the step between the outlines (drawn as nothing), one.
        assert_eq!(b.segment_count(), 4 + 1 + 1);
        let mut square_points = Vec::new();
        b.points_into(&b.lines[0], &mut square_points);
        assert_eq!(square_points, square, "the first point not repeated");
        assert_eq!(std::mem::size_of::<LinePoint>(), 16);
        assert_eq!(std::mem::size_of::<FillVertex>(), 12);
    }

    #[test]
    fn a_drawn_batch_keeps_its_room_for_the_next_frames_but_not_four_times_too_much_for_long() {
        let fill = |b: &mut Batch, n: usize| {
            for i in 0..n {
                let p = pos2(i as f32, 0.0);
                b.add_rect(
                    Rect::from_min_max(p, p + egui::vec2(1.0, 1.0)),
                    Color32::RED,
                );
            }
            b.add_line(
                [pos2(0.0, 0.0), pos2(9.0, 9.0)].into_iter(),
                false,
                Color32::RED,
                1.0,
            );
            b.many = true;
        };
        let t0 = std::time::Instant::now();
        let mut b = Batch::default();
        fill(&mut b, 10_000);
        let room = b.rects.capacity();
        b.empty(t0);
        assert!(b.is_empty() && b.rects.is_empty() && b.line_points.is_empty() && !b.many);
        assert_eq!(b.rects.capacity(), room, "the room is kept");
        // Used for a few rectangles, the big batch keeps its room for a while: the next
        // crowded frame has it, no page of it given back to be faulted in again.
        fill(&mut b, 10);
        b.empty(t0 + KEEP_ROOM_FOR / 2);
        assert_eq!(b.rects.capacity(), room, "the room is kept for a while");
        fill(&mut b, 10_000);
        b.empty(t0 + KEEP_ROOM_FOR * 3 / 4);
        assert_eq!(b.rects.capacity(), room);
        // A crowded frame in between starts the wait again.
        fill(&mut b, 10);
        b.empty(t0 + KEEP_ROOM_FOR);
        fill(&mut b, 10);
        b.empty(t0 + KEEP_ROOM_FOR * 3 / 2);
        assert_eq!(b.rects.capacity(), room, "{}", b.rects.capacity());
        // Used for so few for long enough, it gives its room back.
        fill(&mut b, 10);
        b.empty(t0 + KEEP_ROOM_FOR * 2);
        assert!(b.rects.capacity() < 100, "{}", b.rects.capacity());
        // A recycled batch is handed out again (other tests may take spares meanwhile: look
        // for this one by its room among them).
        fill(&mut b, 3_000);
        let room = b.vertices.capacity();
        b.recycle();
        let spares: Vec<Batch> =
            std::iter::from_fn(|| SPARE.lock().ok().and_then(|mut s| s.pop())).collect();
        assert!(
            spares
                .iter()
                .any(|b| b.vertices.capacity() == room && b.is_empty())
        );
    }
}
