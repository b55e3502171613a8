//! Paints egui's output into a pixel buffer, redrawing only what changed.
//! Pure: the window code hands it a buffer and says how old the buffer's
//! contents are.

use std::collections::HashMap;

use egui::epaint::{ClippedPrimitive, ImageData, Primitive, TextureId, textures::TexturesDelta};

use super::damage::{self, KeyHasher, TriangleKey};
use super::raster::{self, PixelRect, Target, Texture};

/// Above this many changed triangles the whole window is redrawn.
const CHANGED_TRIANGLE_LIMIT: usize = 4000;
/// Damage rectangles closer than this many pixels are drawn as one.
const MERGE_GAP: i32 = 16;
/// At most this many separate rectangles a frame.
const MAX_RECTS: usize = 12;

/// The painter's memory between frames.
#[derive(Default)]
pub struct SoftPainter {
    textures: HashMap<TextureId, (Texture, u64)>,
    next_version: u64,
    previous: Vec<TriangleKey>,
    /// The last frame's primitives by contents: where their keys are in `previous`.
    previous_primitives: HashMap<u64, (usize, usize)>,
    /// Scratch for [`Self::keys`]: each corner's hash and pixel position.
    corners: Vec<(u64, i32, i32)>,
    previous_damage: Vec<PixelRect>,
    size: (usize, usize),
    clear: u32,
    pixels_per_point: f32,
    stats: PaintStats,
}

/// What the last frame cost, for logs and the benchmark.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PaintStats {
    /// Triangles in the frame.
    pub triangles: usize,
    /// Pixels redrawn.
    pub pixels_redrawn: i64,
    /// Whether the whole buffer was redrawn.
    pub full: bool,
}

impl SoftPainter {
    /// A painter with no textures.
    pub fn new() -> Self {
        Self::default()
    }

    /// What the last [`Self::paint`] did.
    pub fn stats(&self) -> PaintStats {
        self.stats
    }

    /// Applies texture changes, paints `primitives` into `target`, and returns
    /// the rectangles whose pixels changed (to hand to the window system).
    ///
    /// `age` is how many frames ago `target`'s contents were painted by this
    /// painter: 1 for the last frame, 2 for the one before, 0 for unknown
    /// contents (a new or resized buffer).
    pub fn paint(
        &mut self,
        target: &mut Target<'_>,
        age: u8,
        primitives: &[ClippedPrimitive],
        textures_delta: &mut TexturesDelta,
        pixels_per_point: f32,
        clear: u32,
    ) -> Vec<PixelRect> {
        // Taken, so egui knows they were applied.
        for (id, deltas) in textures_delta.set.drain() {
            for delta in &deltas {
                self.set_texture(id, delta);
            }
        }
        let whole = PixelRect::whole(target.width, target.height);
        let keys = self.keys(primitives, pixels_per_point, whole);
        let full = age == 0
            || age > 2
            || self.size != (target.width, target.height)
            || self.clear != clear
            || self.pixels_per_point.to_bits() != pixels_per_point.to_bits();
        let damage = if full {
            None
        } else {
            damage::changed_bounds(&self.previous, &keys, CHANGED_TRIANGLE_LIMIT)
        };
        let (mine, present) = match damage {
            Some(rects) => {
                let mine = damage::merge(rects, MERGE_GAP, MAX_RECTS);
                let mut present = mine.clone();
                if age == 2 {
                    // A double-buffered window: this buffer also missed last frame's change.
                    present.extend(self.previous_damage.iter().copied());
                    present = damage::merge(present, MERGE_GAP, MAX_RECTS);
                }
                (mine, present)
            }
            None => (vec![whole], vec![whole]),
        };
        let present: Vec<PixelRect> = present
            .into_iter()
            .map(|rect| rect.intersect(&whole))
            .filter(|rect| !rect.is_empty())
            .collect();
        for rect in &present {
            self.redraw(target, *rect, primitives, &keys, pixels_per_point, clear);
        }
        self.stats = PaintStats {
            triangles: keys.len(),
            pixels_redrawn: present.iter().map(PixelRect::area).sum(),
            full: present.first() == Some(&whole),
        };
        self.previous = keys;
        self.previous_damage = mine;
        self.size = (target.width, target.height);
        self.clear = clear;
        self.pixels_per_point = pixels_per_point;
        for id in textures_delta.free.drain() {
            self.textures.remove(&id);
        }
        present
    }

    fn set_texture(&mut self, id: TextureId, delta: &egui::epaint::ImageDelta) {
        let ImageData::Color(image) = &delta.image;
        let nearest = delta.options.magnification == egui::TextureFilter::Nearest;
        let texels = || {
            image
                .pixels
                .iter()
                .map(|c| c.to_array())
                .collect::<Vec<_>>()
        };
        match delta.pos {
            None => {
                // A new image: everything drawn with it must be redrawn, so
                // its triangles get a new version in their keys.
                self.next_version += 1;
                let texture = Texture {
                    width: image.size[0],
                    height: image.size[1],
                    texels: texels(),
                    nearest,
                };
                self.textures.insert(id, (texture, self.next_version));
            }
            Some([x, y]) => {
                // A patch. egui patches its font atlas only where it has
                // placed new glyphs, which nothing drawn yet uses; any other
                // texture gets a new version, to be safe.
                let font_atlas = id == TextureId::default();
                if !font_atlas {
                    self.next_version += 1;
                }
                let version = self.next_version;
                let Some((texture, texture_version)) = self.textures.get_mut(&id) else {
                    log::warn!("a patch for texture {id:?}, which was never set");
                    return;
                };
                texture.nearest = nearest;
                for row in 0..image.size[1] {
                    for column in 0..image.size[0] {
                        let (tx, ty) = (x + column, y + row);
                        if tx >= texture.width || ty >= texture.height {
                            continue;
                        }
                        if let (Some(slot), Some(color)) = (
                            texture.texels.get_mut(ty * texture.width + tx),
                            image.pixels.get(row * image.size[0] + column),
                        ) {
                            *slot = color.to_array();
                        }
                    }
                }
                if !font_atlas {
                    *texture_version = version;
                }
            }
        }
    }

    /// The keys of every triangle of the frame. A primitive whose contents
    /// are the same as one of the last frame's reuses that one's keys.
    fn keys(
        &mut self,
        primitives: &[ClippedPrimitive],
        pixels_per_point: f32,
        whole: PixelRect,
    ) -> Vec<TriangleKey> {
        let mut keys = Vec::with_capacity(self.previous.len());
        let mut seen = HashMap::with_capacity(primitives.len());
        let mut corners = std::mem::take(&mut self.corners);
        for (index, primitive) in primitives.iter().enumerate() {
            let Primitive::Mesh(mesh) = &primitive.primitive else {
                continue;
            };
            let clip = clip_pixels(primitive.clip_rect, pixels_per_point).intersect(&whole);
            if clip.is_empty() {
                continue;
            }
            let version = self
                .textures
                .get(&mesh.texture_id)
                .map_or(0, |(_, version)| *version);
            let mut base = KeyHasher::new(version);
            base.add(texture_word(mesh.texture_id));
            base.add(pack_rect(clip));
            base.add(u64::from(pixels_per_point.to_bits()));
            // Each corner once: its hash and the whole pixels around it.
            corners.clear();
            let mut whole_mesh = base;
            for vertex in &mesh.vertices {
                let mut hash = base;
                hash.add(
                    u64::from(vertex.pos.x.to_bits()) << 32 | u64::from(vertex.pos.y.to_bits()),
                );
                hash.add(u64::from(vertex.uv.x.to_bits()) << 32 | u64::from(vertex.uv.y.to_bits()));
                hash.add(u64::from(u32::from_le_bytes(vertex.color.to_array())));
                whole_mesh.add(hash.finish());
                // Truncation and a pixel of margin either side instead of
                // floor and ceil, which are library calls on plain x86-64.
                let x = clamp_coordinate(vertex.pos.x * pixels_per_point);
                let y = clamp_coordinate(vertex.pos.y * pixels_per_point);
                corners.push((hash.finish(), x, y));
            }
            for pair in mesh.indices.chunks(2) {
                let high = pair.get(1).map_or(u64::MAX, |&i| u64::from(i));
                whole_mesh.add(u64::from(pair[0]) | high << 32);
            }
            let fingerprint = whole_mesh.finish();
            let start = keys.len();
            if let Some(&(from, to)) = self.previous_primitives.get(&fingerprint) {
                keys.extend(self.previous[from..to].iter().map(|key| TriangleKey {
                    primitive: index as u32,
                    ..*key
                }));
            } else {
                for (triangle, three) in mesh.indices.chunks_exact(3).enumerate() {
                    let (Some(a), Some(b), Some(c)) = (
                        corners.get(three[0] as usize),
                        corners.get(three[1] as usize),
                        corners.get(three[2] as usize),
                    ) else {
                        continue;
                    };
                    let bounds = PixelRect::new(
                        a.1.min(b.1).min(c.1) - 1,
                        a.2.min(b.2).min(c.2) - 1,
                        a.1.max(b.1).max(c.1) + 2,
                        a.2.max(b.2).max(c.2) + 2,
                    )
                    .intersect(&clip);
                    if bounds.is_empty() {
                        continue;
                    }
                    let mut hash = KeyHasher::new(a.0);
                    hash.add(b.0);
                    hash.add(c.0);
                    keys.push(TriangleKey {
                        hash: hash.finish(),
                        bounds,
                        primitive: index as u32,
                        triangle: triangle as u32,
                    });
                }
            }
            seen.insert(fingerprint, (start, keys.len()));
        }
        self.corners = corners;
        self.previous_primitives = seen;
        keys
    }

    fn redraw(
        &self,
        target: &mut Target<'_>,
        rect: PixelRect,
        primitives: &[ClippedPrimitive],
        keys: &[TriangleKey],
        pixels_per_point: f32,
        clear: u32,
    ) {
        target.fill(rect, clear);
        let missing = Texture {
            width: 1,
            height: 1,
            texels: vec![[255; 4]],
            nearest: true,
        };
        for key in keys {
            if !key.bounds.overlaps(&rect) {
                continue;
            }
            let Some(Primitive::Mesh(mesh)) = primitives
                .get(key.primitive as usize)
                .map(|primitive| &primitive.primitive)
            else {
                continue;
            };
            let texture = self
                .textures
                .get(&mesh.texture_id)
                .map_or(&missing, |(texture, _)| texture);
            let first = key.triangle as usize * 3;
            let corners = mesh.indices.get(first..first + 3).and_then(|corners| {
                Some([
                    mesh.vertices.get(corners[0] as usize)?,
                    mesh.vertices.get(corners[1] as usize)?,
                    mesh.vertices.get(corners[2] as usize)?,
                ])
            });
            if let Some(corners) = corners {
                raster::draw_triangle(
                    target,
                    corners,
                    pixels_per_point,
                    texture,
                    key.bounds.intersect(&rect),
                );
            }
        }
    }
}

/// A coordinate in pixels as a whole number, truncated, within a range
/// that cannot overflow.
fn clamp_coordinate(value: f32) -> i32 {
    if value.is_nan() {
        0
    } else {
        value.clamp(-1.0e7, 1.0e7) as i32
    }
}

/// A clip rectangle in points to whole pixels, rounded like egui's GL painter.
fn clip_pixels(rect: egui::Rect, pixels_per_point: f32) -> PixelRect {
    let round = |value: f32| {
        let value = (value * pixels_per_point).round();
        if value.is_finite() {
            value.clamp(-1.0e8, 1.0e8) as i32
        } else if value > 0.0 {
            i32::MAX / 2
        } else {
            i32::MIN / 2
        }
    };
    PixelRect::new(
        round(rect.min.x),
        round(rect.min.y),
        round(rect.max.x),
        round(rect.max.y),
    )
}

fn pack_rect(rect: PixelRect) -> u64 {
    let word = |value: i32| u64::from(value as u16);
    word(rect.x0) | word(rect.y0) << 16 | word(rect.x1) << 32 | word(rect.y1) << 48
}

fn texture_word(id: TextureId) -> u64 {
    match id {
        TextureId::Managed(n) => n << 1,
        TextureId::User(n) => (n << 1) | 1,
    }
}
