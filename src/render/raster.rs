//! Filling egui's triangles into a pixel buffer on the CPU, with the same
//! colour arithmetic as egui's OpenGL painter: vertex colour times texel in
//! gamma space, premultiplied alpha, blended `ONE, ONE_MINUS_SRC_ALPHA` into
//! an 8-bit framebuffer. Pure: no window, no clock.

use egui::epaint::Vertex;

/// A rectangle of whole pixels; `x0, y0` inclusive, `x1, y1` exclusive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PixelRect {
    /// Left edge.
    pub x0: i32,
    /// Top edge.
    pub y0: i32,
    /// One past the right edge.
    pub x1: i32,
    /// One past the bottom edge.
    pub y1: i32,
}

impl PixelRect {
    /// The rectangle from `(x0, y0)` up to, not including, `(x1, y1)`.
    pub const fn new(x0: i32, y0: i32, x1: i32, y1: i32) -> Self {
        Self { x0, y0, x1, y1 }
    }

    /// The whole of a `width` × `height` buffer.
    pub fn whole(width: usize, height: usize) -> Self {
        Self::new(0, 0, clamp_i32(width), clamp_i32(height))
    }

    /// Covers no pixel.
    pub fn is_empty(&self) -> bool {
        self.x0 >= self.x1 || self.y0 >= self.y1
    }

    /// The pixels in both.
    pub fn intersect(&self, other: &Self) -> Self {
        Self::new(
            self.x0.max(other.x0),
            self.y0.max(other.y0),
            self.x1.min(other.x1),
            self.y1.min(other.y1),
        )
    }

    /// The smallest rectangle holding both (an empty one counts for nothing).
    pub fn union(&self, other: &Self) -> Self {
        if self.is_empty() {
            return *other;
        }
        if other.is_empty() {
            return *self;
        }
        Self::new(
            self.x0.min(other.x0),
            self.y0.min(other.y0),
            self.x1.max(other.x1),
            self.y1.max(other.y1),
        )
    }

    /// Whether the two share a pixel.
    pub fn overlaps(&self, other: &Self) -> bool {
        !self.intersect(other).is_empty()
    }

    /// How many pixels it covers.
    pub fn area(&self) -> i64 {
        if self.is_empty() {
            0
        } else {
            i64::from(self.x1 - self.x0) * i64::from(self.y1 - self.y0)
        }
    }

    /// Grown by `by` pixels on every side.
    pub fn grown(&self, by: i32) -> Self {
        Self::new(self.x0 - by, self.y0 - by, self.x1 + by, self.y1 + by)
    }
}

fn clamp_i32(value: usize) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

/// A texture in the painter's memory: premultiplied sRGBA texels.
#[derive(Clone, Debug)]
pub struct Texture {
    /// Width in texels.
    pub width: usize,
    /// Height in texels.
    pub height: usize,
    /// Row-major texels, `[r, g, b, a]`, premultiplied.
    pub texels: Vec<[u8; 4]>,
    /// Sample the nearest texel instead of blending the four around a point.
    pub nearest: bool,
}

impl Texture {
    fn texel(&self, x: usize, y: usize) -> [f32; 4] {
        let [r, g, b, a] = self
            .texels
            .get(y * self.width + x)
            .copied()
            .unwrap_or([0; 4]);
        [f32::from(r), f32::from(g), f32::from(b), f32::from(a)]
    }

    /// The colour at texel coordinates (texel centres at whole numbers),
    /// clamped to the edge like `CLAMP_TO_EDGE`.
    fn sample(&self, u: f32, v: f32) -> [f32; 4] {
        if self.width == 0 || self.height == 0 {
            return [0.0; 4];
        }
        let max_x = (self.width - 1) as f32;
        let max_y = (self.height - 1) as f32;
        // Clamped to zero or more first, so truncating is flooring (and no
        // call into the maths library, which plain x86-64 makes for floor).
        if self.nearest {
            let x = (u + 0.5).clamp(0.0, max_x) as usize;
            let y = (v + 0.5).clamp(0.0, max_y) as usize;
            return self.texel(x, y);
        }
        let u = u.clamp(0.0, max_x);
        let v = v.clamp(0.0, max_y);
        let (x0, y0) = (u as usize, v as usize);
        let fx = u - x0 as f32;
        let fy = v - y0 as f32;
        let x1 = (x0 + 1).min(self.width - 1);
        let y1 = (y0 + 1).min(self.height - 1);
        let top = lerp4(self.texel(x0, y0), self.texel(x1, y0), fx);
        let bottom = lerp4(self.texel(x0, y1), self.texel(x1, y1), fx);
        lerp4(top, bottom, fy)
    }
}

/// For a triangle that maps one texel to one pixel, upright (egui's text at
/// the size its glyphs were rasterised at), with texel centres on pixel
/// centres: the whole-number offsets from a pixel to its texel. Such a
/// triangle is filled texel by texel in integers, which is what sampling
/// there comes to, for a fraction of the work. Decided for the whole
/// triangle from its corners, never from the part being drawn, so any part
/// of it comes out the same however the window is divided for redrawing.
fn texel_offsets(
    corner: (f64, f64),
    (u, v): (f32, f32),
    plane_u: &Plane,
    plane_v: &Plane,
) -> Option<(i64, i64)> {
    if plane_u.dx != 1.0 || plane_u.dy != 0.0 || plane_v.dx != 0.0 || plane_v.dy != 1.0 {
        return None;
    }
    // The texel coordinate at the centre of pixel (px, py) is
    // u + (px + 0.5 - corner.x): whole for every pixel when this is.
    let whole = |value: f64| {
        (value.abs() < 1.0e9 && (value as i64) as f64 == value).then_some(value as i64)
    };
    Some((
        whole(f64::from(u) + 0.5 - corner.0)?,
        whole(f64::from(v) + 0.5 - corner.1)?,
    ))
}

fn lerp4(a: [f32; 4], b: [f32; 4], t: f32) -> [f32; 4] {
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
        a[3] + (b[3] - a[3]) * t,
    ]
}

/// A pixel buffer: `0x00RRGGBB` per pixel, row-major, `width` pixels a row.
pub struct Target<'a> {
    /// The pixels.
    pub pixels: &'a mut [u32],
    /// Pixels per row.
    pub width: usize,
    /// Rows.
    pub height: usize,
}

impl Target<'_> {
    /// Sets every pixel of `rect` (clipped to the buffer) to `color`.
    pub fn fill(&mut self, rect: PixelRect, color: u32) {
        let rect = rect.intersect(&PixelRect::whole(self.width, self.height));
        if rect.is_empty() {
            return;
        }
        for y in rect.y0..rect.y1 {
            let start = y as usize * self.width;
            if let Some(row) = self
                .pixels
                .get_mut(start + rect.x0 as usize..start + rect.x1 as usize)
            {
                row.fill(color);
            }
        }
    }
}

/// `0x00RRGGBB` from an opaque egui colour.
pub fn pack(color: egui::Color32) -> u32 {
    (u32::from(color.r()) << 16) | (u32::from(color.g()) << 8) | u32::from(color.b())
}

/// Blends a premultiplied source over the pixel, rounding like an 8-bit
/// framebuffer does.
#[inline]
fn blend(dst: &mut u32, src: [f32; 4]) {
    let keep = 1.0 - src[3] / 255.0;
    let channel = |shift: u32, value: f32| -> u32 {
        let old = ((*dst >> shift) & 0xff) as f32;
        // Non-negative, so adding a half and truncating rounds.
        let out = (value + old * keep + 0.5).clamp(0.0, 255.0);
        (out as u32) << shift
    };
    *dst = channel(16, src[0]) | channel(8, src[1]) | channel(0, src[2]);
}

/// Blends an 8-bit premultiplied source over the pixel, in integers.
#[inline]
fn blend_u8(dst: &mut u32, src: [u32; 4]) {
    if src[3] == 255 {
        *dst = (src[0] << 16) | (src[1] << 8) | src[2];
        return;
    }
    let keep = 255 - src[3];
    let channel = |shift: u32, value: u32| -> u32 {
        let old = (*dst >> shift) & 0xff;
        let out = (value + (old * keep + 127) / 255).min(255);
        out << shift
    };
    *dst = channel(16, src[0]) | channel(8, src[1]) | channel(0, src[2]);
}

/// One triangle edge as a function that is positive on the triangle's side.
/// It is computed from the edge's endpoints in a fixed order, so the two
/// triangles sharing an edge get exactly opposite values and each pixel
/// centre on the edge is filled by exactly one of them.
#[derive(Clone, Copy)]
struct Edge {
    origin: (f64, f64),
    delta: (f64, f64),
    sign: f64,
    owns_ties: bool,
    /// 1 / `delta.1`, for [`Self::narrow`], which runs for every row.
    inverse_dy: f64,
}

impl Edge {
    fn new(a: (f64, f64), b: (f64, f64)) -> Self {
        let (origin, other, sign) = if a <= b { (a, b, 1.0) } else { (b, a, -1.0) };
        Self::with_sign(origin, (other.0 - origin.0, other.1 - origin.1), sign)
    }

    fn with_sign(origin: (f64, f64), delta: (f64, f64), sign: f64) -> Self {
        // d/dx and d/dy of the edge function.
        let step_x = -sign * delta.1;
        let step_y = sign * delta.0;
        Self {
            origin,
            delta,
            sign,
            owns_ties: step_x > 0.0 || (step_x == 0.0 && step_y > 0.0),
            inverse_dy: if delta.1 == 0.0 { 0.0 } else { 1.0 / delta.1 },
        }
    }

    /// The same edge, positive on the side where `(x, y)` is.
    fn facing(self, x: f64, y: f64) -> Self {
        if self.value(x, y) < 0.0 {
            Self::with_sign(self.origin, self.delta, -self.sign)
        } else {
            self
        }
    }

    fn value(&self, x: f64, y: f64) -> f64 {
        self.sign * (self.delta.0 * (y - self.origin.1) - self.delta.1 * (x - self.origin.0))
    }

    fn inside(&self, x: f64, y: f64) -> bool {
        let value = self.value(x, y);
        value > 0.0 || (value == 0.0 && self.owns_ties)
    }

    /// Narrows `[left, right)` to the pixels whose centres on row `py` may
    /// be inside; the ends are settled exactly by [`Self::inside`] later.
    fn narrow(&self, py: f64, left: &mut i32, right: &mut i32) {
        let step_x = -self.sign * self.delta.1;
        if step_x == 0.0 {
            if !self.inside(0.0, py) {
                *right = *left;
            }
            return;
        }
        let boundary = self.origin.0 + self.delta.0 * (py - self.origin.1) * self.inverse_dy;
        let pixel = boundary - 0.5;
        if step_x > 0.0 {
            *left = (*left).max(ceil_i32(pixel) - 1);
        } else {
            *right = (*right).min(floor_i32(pixel) + 2);
        }
    }
}

fn clamp_f64(value: f64) -> f64 {
    value.clamp(f64::from(i32::MIN / 2), f64::from(i32::MAX / 2))
}

/// The whole number at or below `value`, within half of `i32`'s range.
/// Truncation and a correction instead of `floor`, which is a call into the
/// maths library on plain x86-64, and this runs for every row of every
/// triangle.
fn floor_i32(value: f64) -> i32 {
    let value = clamp_f64(value);
    let whole = value as i32;
    if f64::from(whole) > value {
        whole - 1
    } else {
        whole
    }
}

/// The whole number at or above `value`, within half of `i32`'s range.
fn ceil_i32(value: f64) -> i32 {
    let value = clamp_f64(value);
    let whole = value as i32;
    if f64::from(whole) < value {
        whole + 1
    } else {
        whole
    }
}

/// A value over the triangle as a plane: at pixel centre `(x, y)` it is
/// `at0 + dx * (x - x0) + dy * (y - y0)`.
#[derive(Clone, Copy)]
struct Plane {
    at0: f32,
    dx: f32,
    dy: f32,
}

impl Plane {
    fn new(points: [(f64, f64); 3], values: [f32; 3], area2: f64) -> Self {
        let (f0, f1, f2) = (
            f64::from(values[0]),
            f64::from(values[1]),
            f64::from(values[2]),
        );
        let (p0, p1, p2) = (points[0], points[1], points[2]);
        let dx = ((f1 - f0) * (p2.1 - p0.1) - (f2 - f0) * (p1.1 - p0.1)) / area2;
        let dy = ((f2 - f0) * (p1.0 - p0.0) - (f1 - f0) * (p2.0 - p0.0)) / area2;
        Self {
            at0: values[0],
            dx: dx as f32,
            dy: dy as f32,
        }
    }

    fn at(&self, origin: (f64, f64), x: f64, y: f64) -> f32 {
        self.at0 + self.dx * (x - origin.0) as f32 + self.dy * (y - origin.1) as f32
    }
}

/// Fills one triangle (vertices in points) into `target`, only inside `scissor`.
pub fn draw_triangle(
    target: &mut Target<'_>,
    vertices: [&Vertex; 3],
    pixels_per_point: f32,
    texture: &Texture,
    scissor: PixelRect,
) {
    // Premultiplied transparent at every corner adds nothing anywhere
    // (`ONE, ONE_MINUS_SRC_ALPHA` leaves the pixel as it was).
    if vertices
        .iter()
        .all(|v| v.color == egui::Color32::TRANSPARENT)
    {
        return;
    }
    let scale = f64::from(pixels_per_point);
    let mut points = vertices.map(|v| (f64::from(v.pos.x) * scale, f64::from(v.pos.y) * scale));
    let mut vertices = vertices;
    let mut area2 = (points[1].0 - points[0].0) * (points[2].1 - points[0].1)
        - (points[2].0 - points[0].0) * (points[1].1 - points[0].1);
    if area2.abs() < 1e-9 || !area2.is_finite() {
        return;
    }
    if area2 < 0.0 {
        points.swap(1, 2);
        vertices.swap(1, 2);
        area2 = -area2;
    }
    let scissor = scissor.intersect(&PixelRect::whole(target.width, target.height));
    let min_y = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let max_y = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let min_x = points.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let max_x = points.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    let bounds = PixelRect::new(
        floor_i32(min_x),
        floor_i32(min_y),
        ceil_i32(max_x) + 1,
        ceil_i32(max_y) + 1,
    )
    .intersect(&scissor);
    if bounds.is_empty() {
        return;
    }
    let edges = [
        Edge::new(points[1], points[2]),
        Edge::new(points[2], points[0]),
        Edge::new(points[0], points[1]),
    ];
    // Every edge function is made positive on the triangle's side.
    let centre = (
        (points[0].0 + points[1].0 + points[2].0) / 3.0,
        (points[0].1 + points[1].1 + points[2].1) / 3.0,
    );
    let edges = edges.map(|edge| edge.facing(centre.0, centre.1));
    let inside = |x: i32, y: f64| {
        let px = f64::from(x) + 0.5;
        edges.iter().all(|edge| edge.inside(px, y))
    };

    let colors = vertices.map(|v| v.color.to_array());
    let flat_color = colors[0] == colors[1] && colors[1] == colors[2];
    let flat_uv = vertices[0].uv == vertices[1].uv && vertices[1].uv == vertices[2].uv;
    let tex_w = texture.width as f32;
    let tex_h = texture.height as f32;
    let texel_u = vertices.map(|v| v.uv.x * tex_w - 0.5);
    let texel_v = vertices.map(|v| v.uv.y * tex_h - 0.5);

    // Both constant: one colour for the whole triangle, blended in integers.
    let flat_source = (flat_color && flat_uv).then(|| {
        let texel = texture.sample(texel_u[0], texel_v[0]);
        let color = colors[0];
        let mut out = [0u32; 4];
        for (index, slot) in out.iter_mut().enumerate() {
            *slot = (f32::from(color[index]) * texel[index] / 255.0 + 0.5).clamp(0.0, 255.0) as u32;
        }
        out
    });
    let planes = (flat_source.is_none()).then(|| {
        let channel = |index: usize| Plane::new(points, colors.map(|c| f32::from(c[index])), area2);
        (
            [channel(0), channel(1), channel(2), channel(3)],
            Plane::new(points, texel_u, area2),
            Plane::new(points, texel_v, area2),
        )
    });
    let flat_texel = flat_uv.then(|| texture.sample(texel_u[0], texel_v[0]));
    let one_to_one = planes
        .as_ref()
        .filter(|_| flat_color && texture.width > 0 && texture.height > 0)
        .and_then(|(_, plane_u, plane_v)| {
            let (x, y) = texel_offsets(points[0], (texel_u[0], texel_v[0]), plane_u, plane_v)?;
            Some((x, y, colors[0].map(u32::from)))
        });
    let origin = points[0];

    for y in bounds.y0..bounds.y1 {
        let py = f64::from(y) + 0.5;
        let (mut left, mut right) = (bounds.x0, bounds.x1);
        for edge in &edges {
            edge.narrow(py, &mut left, &mut right);
        }
        left = left.max(bounds.x0);
        right = right.min(bounds.x1);
        while left < right && !inside(left, py) {
            left += 1;
        }
        while right > left && !inside(right - 1, py) {
            right -= 1;
        }
        if left >= right {
            continue;
        }
        let row = y as usize * target.width;
        let Some(span) = target
            .pixels
            .get_mut(row + left as usize..row + right as usize)
        else {
            continue;
        };
        if let Some(source) = flat_source {
            if source[3] == 255 {
                span.fill((source[0] << 16) | (source[1] << 8) | source[2]);
            } else {
                for pixel in span {
                    blend_u8(pixel, source);
                }
            }
            continue;
        }
        let Some((channels, plane_u, plane_v)) = &planes else {
            continue;
        };
        if let Some((offset_x, offset_y, color)) = one_to_one {
            // Texel for pixel, in integers (see `texel_offsets`).
            let ty = (i64::from(y) + offset_y).clamp(0, texture.height as i64 - 1) as usize;
            let row_start = ty * texture.width;
            let last = texture.width as i64 - 1;
            for (x, pixel) in (left..right).zip(span.iter_mut()) {
                let tx = (i64::from(x) + offset_x).clamp(0, last) as usize;
                let texel = texture
                    .texels
                    .get(row_start + tx)
                    .copied()
                    .unwrap_or([0; 4]);
                let mut source = [0u32; 4];
                for index in 0..4 {
                    source[index] = (color[index] * u32::from(texel[index]) + 127) / 255;
                }
                blend_u8(pixel, source);
            }
            continue;
        }
        for (x, pixel) in (left..right).zip(span.iter_mut()) {
            // Every value from the pixel's own position, never stepped along
            // the span: a span starts at the redrawn rectangle's edge in a
            // partial redraw and at the triangle's in a full one, and a
            // running sum would round differently in the two.
            let px = f64::from(x) + 0.5;
            let texel = match flat_texel {
                Some(texel) => texel,
                None => texture.sample(plane_u.at(origin, px, py), plane_v.at(origin, px, py)),
            };
            let mut source = [0.0f32; 4];
            for (index, slot) in source.iter_mut().enumerate() {
                let color = channels[index].at(origin, px, py);
                *slot = color.clamp(0.0, 255.0) * texel[index] / 255.0;
            }
            blend(pixel, source);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn whole_numbers_round_like_the_maths_library(value in -1.0e7f64..1.0e7) {
            prop_assert_eq!(floor_i32(value), value.floor() as i32);
            prop_assert_eq!(ceil_i32(value), value.ceil() as i32);
            let whole = value.round();
            prop_assert_eq!(floor_i32(whole), whole as i32);
            prop_assert_eq!(ceil_i32(whole), whole as i32);
        }
    }

    proptest! {
        /// A shaded, resampled triangle drawn in strips (as a partial
        /// redraw draws it) equals the same triangle drawn whole, exactly.
        #[test]
        fn a_triangle_drawn_in_strips_equals_it_drawn_whole(
            corners in proptest::array::uniform3((0.0f32..40.0, 0.0f32..40.0)),
            shades in proptest::array::uniform3(0u8..=255),
            cuts in proptest::collection::vec(1i32..40, 1..4),
        ) {
            let texture = Texture {
                width: 5,
                height: 3,
                texels: (0..15u8).map(|n| [n * 17, 255 - n * 9, n * 5, 200 + n]).collect(),
                nearest: false,
            };
            let vertices: Vec<Vertex> = corners
                .iter()
                .zip(shades)
                .map(|(&(x, y), shade)| Vertex {
                    pos: egui::pos2(x, y),
                    uv: egui::pos2(x / 37.0, y / 23.0),
                    color: egui::Color32::from_rgba_premultiplied(shade, 255 - shade, 90, 230),
                })
                .collect();
            let draw = |pixels: &mut Vec<u32>, strips: &[PixelRect]| {
                let mut target = Target { pixels, width: 40, height: 40 };
                for strip in strips {
                    draw_triangle(
                        &mut target,
                        [&vertices[0], &vertices[1], &vertices[2]],
                        1.0,
                        &texture,
                        *strip,
                    );
                }
            };
            let mut whole = vec![0x0010_2030; 40 * 40];
            draw(&mut whole, &[PixelRect::whole(40, 40)]);
            let mut edges = cuts;
            edges.sort_unstable();
            edges.dedup();
            let mut strips = Vec::new();
            let mut from = 0;
            for edge in edges.into_iter().chain([40]) {
                strips.push(PixelRect::new(from, 0, edge, 40));
                from = edge;
            }
            let mut pieces = vec![0x0010_2030; 40 * 40];
            draw(&mut pieces, &strips);
            prop_assert!(whole == pieces);
        }
    }

    #[test]
    fn text_at_its_own_size_is_read_texel_for_texel() {
        let plane = |dx, dy| Plane { at0: 0.0, dx, dy };
        // A glyph quad on whole pixels whose texel centres meet pixel centres.
        assert_eq!(
            texel_offsets(
                (10.0, 20.0),
                (99.5, 4.5),
                &plane(1.0, 0.0),
                &plane(0.0, 1.0)
            ),
            Some((90, -15))
        );
        // Half a texel off, scaled, or turned: sampled instead.
        let (u, v) = (99.0, 4.5);
        assert_eq!(
            texel_offsets((10.0, 20.0), (u, v), &plane(1.0, 0.0), &plane(0.0, 1.0)),
            None
        );
        assert_eq!(
            texel_offsets((10.0, 20.0), (99.5, v), &plane(0.5, 0.0), &plane(0.0, 1.0)),
            None
        );
        assert_eq!(
            texel_offsets((10.0, 20.0), (99.5, v), &plane(0.0, 1.0), &plane(1.0, 0.0)),
            None
        );
    }
}
