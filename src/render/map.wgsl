// The map's fills and thin outlines (see gpu.rs). Positions are in screen points; colours are
// egui's premultiplied sRGB bytes.

struct Locals {
    // The viewport's top left and size, in points.
    origin: vec2<f32>,
    size: vec2<f32>,
    pixels_per_point: f32,
    // 1 when the target converts to sRGB itself.
    linear: u32,
    pad: vec2<f32>,
};

@group(0) @binding(0) var<uniform> locals: Locals;

fn clip_from_points(p: vec2<f32>) -> vec4<f32> {
    let q = (p - locals.origin) / locals.size;
    return vec4<f32>(2.0 * q.x - 1.0, 1.0 - 2.0 * q.y, 0.0, 1.0);
}

fn unpack_color(c: u32) -> vec4<f32> {
    return vec4<f32>(
        f32(c & 255u),
        f32((c >> 8u) & 255u),
        f32((c >> 16u) & 255u),
        f32((c >> 24u) & 255u),
    ) / 255.0;
}

fn linear_from_gamma_rgb(srgb: vec3<f32>) -> vec3<f32> {
    let cutoff = srgb < vec3<f32>(0.04045);
    let lower = srgb / vec3<f32>(12.92);
    let higher = pow((srgb + vec3<f32>(0.055)) / vec3<f32>(1.055), vec3<f32>(2.4));
    return select(higher, lower, cutoff);
}

fn target_color(c: vec4<f32>) -> vec4<f32> {
    if locals.linear == 1u {
        return vec4<f32>(linear_from_gamma_rgb(c.rgb), c.a);
    }
    return c;
}

struct FillOut {
    @builtin(position) position: vec4<f32>,
    @location(0) color: vec4<f32>,
};

@vertex
fn vs_fill(@location(0) pos: vec2<f32>, @location(1) color: u32) -> FillOut {
    var out: FillOut;
    out.position = clip_from_points(pos);
    out.color = unpack_color(color);
    return out;
}

@fragment
fn fs_fill(in: FillOut) -> @location(0) vec4<f32> {
    return target_color(in.color);
}

// One instance a rectangle: two triangles over its corners, in the fills' colour.
@vertex
fn vs_rect(
    @builtin(vertex_index) corner: u32,
    @location(0) min: vec2<f32>,
    @location(1) max: vec2<f32>,
    @location(2) color: u32,
) -> FillOut {
    // (min.x, min.y) (max.x, min.y) (max.x, max.y) and (min.x, min.y) (max.x, max.y) (min.x, max.y),
    // as egui's two triangles of a rectangle.
    var right = array<f32, 6>(0.0, 1.0, 1.0, 0.0, 1.0, 0.0);
    var down = array<f32, 6>(0.0, 0.0, 1.0, 0.0, 1.0, 1.0);
    var out: FillOut;
    out.position = clip_from_points(mix(min, max, vec2<f32>(right[corner], down[corner])));
    out.color = unpack_color(color);
    return out;
}

struct LineOut {
    @builtin(position) position: vec4<f32>,
    @location(0) color: vec4<f32>,
    // Where the corner lies along the segment (0 at its start) and across it (0 on its middle).
    @location(1) local: vec2<f32>,
    // The segment's length and half width.
    @location(2) @interpolate(flat) len_half_width: vec2<f32>,
};

// One instance a segment, from a point of an outline (with the segment's colour and half width)
// to the next: a quad around it, a pixel wider than the line on every side for the anti-aliased
// edge. A point with no width ends its outline: its quad is nothing.
@vertex
fn vs_line(
    @builtin(vertex_index) corner: u32,
    @location(0) a: vec2<f32>,
    @location(1) color: u32,
    @location(2) half_width: f32,
    @location(3) b: vec2<f32>,
) -> LineOut {
    var out: LineOut;
    if half_width <= 0.0 {
        out.position = vec4<f32>(0.0, 0.0, 0.0, 1.0);
        out.color = vec4<f32>(0.0);
        out.local = vec2<f32>(0.0);
        out.len_half_width = vec2<f32>(0.0);
        return out;
    }
    let d = b - a;
    let len = length(d);
    var dir = vec2<f32>(1.0, 0.0);
    if len > 1e-6 {
        dir = d / len;
    }
    let normal = vec2<f32>(-dir.y, dir.x);
    let reach = half_width + 1.0 / locals.pixels_per_point;
    // Two triangles: (start, -) (end, -) (start, +) and (start, +) (end, -) (end, +).
    var along = array<f32, 6>(0.0, 1.0, 0.0, 0.0, 1.0, 1.0);
    var side = array<f32, 6>(-1.0, -1.0, 1.0, 1.0, -1.0, 1.0);
    let x = select(-reach, len + reach, along[corner] > 0.5);
    let y = side[corner] * reach;
    out.position = clip_from_points(a + dir * x + normal * y);
    out.color = unpack_color(color);
    out.local = vec2<f32>(x, y);
    out.len_half_width = vec2<f32>(len, half_width);
    return out;
}

@fragment
fn fs_line(in: LineOut) -> @location(0) vec4<f32> {
    // Distance to the segment (not its line): round ends, which also join a path's segments.
    let beyond = max(max(-in.local.x, in.local.x - in.len_half_width.x), 0.0);
    let dist = length(vec2<f32>(beyond, in.local.y));
    let coverage = clamp((in.len_half_width.y - dist) * locals.pixels_per_point + 0.5, 0.0, 1.0);
    if coverage <= 0.0 {
        discard;
    }
    return target_color(in.color * coverage);
}
