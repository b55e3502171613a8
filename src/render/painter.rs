//! Paints egui's output into a pixel buffer, redrawing only what changed.
//! Pure: the window code hands it a buffer, says how old the buffer's
//! contents are, and lends it egui's tessellator.
//!
//! A frame is compared with the last one shape by shape, before any shape
//! becomes triangles (see [`super::damage`]). Only the shapes that reach a
//! changed rectangle are tessellated and filled, and only inside it: a
//! countdown tick costs its digits and the progress bar, not the window.

use std::collections::HashMap;

use egui::epaint::{
    ClippedPrimitive, ClippedShape, ImageData, Primitive, TextureId, textures::TexturesDelta,
};

use super::damage;
use super::raster::{self, PixelRect, Target, Texture};
use super::shapes;

/// Above this many changed shapes the whole window is redrawn.
const CHANGED_SHAPE_LIMIT: usize = 600;
/// Damage rectangles closer than this many pixels are drawn as one.
const MERGE_GAP: i32 = 16;
/// At most this many separate rectangles a frame.
const MAX_RECTS: usize = 12;

/// egui's tessellator, lent to the painter for the shapes it redraws.
pub type Tessellate<'a> = dyn FnMut(Vec<ClippedShape>) -> Vec<ClippedPrimitive> + 'a;

/// A shape of the last frame and the pixels it reaches.
struct Drawn {
    shape: ClippedShape,
    reach: PixelRect,
}

/// The painter's memory between frames.
#[derive(Default)]
pub struct SoftPainter {
    textures: HashMap<TextureId, Texture>,
    /// The last frame's shapes. Kept alive, which also keeps their galleys'
    /// addresses from being reused (see [`shapes::same`]).
    previous: Vec<Drawn>,
    previous_damage: Vec<PixelRect>,
    /// A texture something may already show has changed since the last paint.
    textures_changed: bool,
    size: (usize, usize),
    clear: u32,
    pixels_per_point: f32,
    stats: PaintStats,
}

/// What the last frame cost, for logs and the benchmark.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PaintStats {
    /// Shapes in the frame.
    pub shapes: usize,
    /// Shapes tessellated and filled (those reaching a changed rectangle).
    pub shapes_drawn: usize,
    /// Triangles filled.
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

    /// Applies texture changes (emptying `textures_delta`, so egui knows they
    /// were applied). For a frame that is not painted; [`Self::paint`] does
    /// this itself.
    pub fn take_textures(&mut self, textures_delta: &mut TexturesDelta) {
        for (id, deltas) in textures_delta.set.drain() {
            for delta in &deltas {
                self.set_texture(id, delta);
            }
        }
        for id in textures_delta.free.drain() {
            self.textures.remove(&id);
        }
    }

    /// Applies texture changes, paints `shapes` into `target`, and returns
    /// the rectangles whose pixels changed (to hand to the window system).
    ///
    /// `age` is how many frames ago `target`'s contents were painted by this
    /// painter: 1 for the last frame, 2 for the one before, 0 for unknown
    /// contents (a new or resized buffer). `tessellate` must be the same
    /// tessellator, with the same settings, from frame to frame.
    #[allow(clippy::too_many_arguments)]
    pub fn paint(
        &mut self,
        target: &mut Target<'_>,
        age: u8,
        shapes: Vec<ClippedShape>,
        tessellate: &mut Tessellate<'_>,
        textures_delta: &mut TexturesDelta,
        pixels_per_point: f32,
        clear: u32,
    ) -> Vec<PixelRect> {
        // Textures first: the new shapes may use them. egui frees a texture
        // only once no shape uses it.
        self.take_textures(textures_delta);
        let whole = PixelRect::whole(target.width, target.height);
        let drawn: Vec<Drawn> = shapes
            .into_iter()
            .map(|shape| Drawn {
                reach: shapes::pixel_reach(&shape, pixels_per_point).intersect(&whole),
                shape,
            })
            .collect();
        let full = age == 0
            || age > 2
            || std::mem::take(&mut self.textures_changed)
            || self.size != (target.width, target.height)
            || self.clear != clear
            || self.pixels_per_point.to_bits() != pixels_per_point.to_bits()
            || drawn.iter().any(|d| shapes::has_callback(&d.shape.shape));
        let damage = if full {
            None
        } else {
            let matcher = damage::Matcher {
                same: |a: &Drawn, b: &Drawn| a.reach == b.reach && shapes::same(&a.shape, &b.shape),
                reach: |d: &Drawn| d.reach,
                refine: |a: &Drawn, b: &Drawn| {
                    shapes::text_changes(&a.shape, &b.shape, pixels_per_point)
                        .or_else(|| shapes::rect_changes(&a.shape, &b.shape, pixels_per_point))
                        .map(|rects| rects.iter().map(|rect| rect.intersect(&whole)).collect())
                },
            };
            damage::changed_bounds(&self.previous, &drawn, &matcher, CHANGED_SHAPE_LIMIT)
        };
        if let Some(rects) = &damage {
            log::trace!("changed: {rects:?}");
        }
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
        // Only the shapes that reach a rectangle being redrawn.
        let chosen: Vec<ClippedShape> = drawn
            .iter()
            .filter(|d| present.iter().any(|rect| rect.overlaps(&d.reach)))
            .map(|d| d.shape.clone())
            .collect();
        let shapes_drawn = chosen.len();
        let primitives = if chosen.is_empty() {
            Vec::new()
        } else {
            tessellate(chosen)
        };
        let mut triangles = 0;
        for rect in &present {
            triangles += self.redraw(target, *rect, &primitives, pixels_per_point, clear);
        }
        self.stats = PaintStats {
            shapes: drawn.len(),
            shapes_drawn,
            triangles,
            pixels_redrawn: present.iter().map(PixelRect::area).sum(),
            full: present.first() == Some(&whole),
        };
        self.previous = drawn;
        self.previous_damage = mine;
        self.size = (target.width, target.height);
        self.clear = clear;
        self.pixels_per_point = pixels_per_point;
        present
    }

    fn set_texture(&mut self, id: TextureId, delta: &egui::epaint::ImageDelta) {
        let ImageData::Color(image) = &delta.image;
        let nearest = delta.options.magnification == egui::TextureFilter::Nearest;
        log::debug!(
            "texture {id:?}: {} {}x{}",
            if delta.pos.is_some() {
                "patch"
            } else {
                "image"
            },
            image.size[0],
            image.size[1]
        );
        match delta.pos {
            None => {
                // A new image. If the id was already in use, whatever showed
                // the old one must be redrawn.
                let texture = Texture {
                    width: image.size[0],
                    height: image.size[1],
                    texels: image.pixels.iter().map(|c| c.to_array()).collect(),
                    nearest,
                };
                if self.textures.insert(id, texture).is_some() {
                    self.textures_changed = true;
                }
            }
            Some([x, y]) => {
                // A patch. egui patches its font atlas only where it has
                // placed new glyphs, which nothing drawn yet uses; a patch to
                // any other texture redraws everything, to be safe.
                if id != TextureId::default() {
                    self.textures_changed = true;
                }
                let Some(texture) = self.textures.get_mut(&id) else {
                    log::warn!("a patch for texture {id:?}, which was never set");
                    return;
                };
                if texture.nearest != nearest {
                    self.textures_changed = true;
                }
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
            }
        }
    }

    /// Fills `rect` with the background and every triangle of `primitives`
    /// over it, in order. Returns how many triangles reached it.
    fn redraw(
        &self,
        target: &mut Target<'_>,
        rect: PixelRect,
        primitives: &[ClippedPrimitive],
        pixels_per_point: f32,
        clear: u32,
    ) -> usize {
        target.fill(rect, clear);
        let missing = Texture {
            width: 1,
            height: 1,
            texels: vec![[255; 4]],
            nearest: true,
        };
        let mut drawn = 0;
        for primitive in primitives {
            let Primitive::Mesh(mesh) = &primitive.primitive else {
                continue;
            };
            let clip = clip_pixels(primitive.clip_rect, pixels_per_point).intersect(&rect);
            if clip.is_empty() {
                continue;
            }
            let texture = self.textures.get(&mesh.texture_id).unwrap_or(&missing);
            // The clip in points, a pixel wider, to pass over triangles
            // that cannot reach it before setting them up.
            let (x0, y0, x1, y1) = (
                (clip.x0 - 1) as f32 / pixels_per_point,
                (clip.y0 - 1) as f32 / pixels_per_point,
                (clip.x1 + 1) as f32 / pixels_per_point,
                (clip.y1 + 1) as f32 / pixels_per_point,
            );
            for three in mesh.indices.chunks_exact(3) {
                let (Some(a), Some(b), Some(c)) = (
                    mesh.vertices.get(three[0] as usize),
                    mesh.vertices.get(three[1] as usize),
                    mesh.vertices.get(three[2] as usize),
                ) else {
                    continue;
                };
                let outside = (a.pos.x < x0 && b.pos.x < x0 && c.pos.x < x0)
                    || (a.pos.x > x1 && b.pos.x > x1 && c.pos.x > x1)
                    || (a.pos.y < y0 && b.pos.y < y0 && c.pos.y < y0)
                    || (a.pos.y > y1 && b.pos.y > y1 && c.pos.y > y1);
                if outside {
                    continue;
                }
                drawn += 1;
                raster::draw_triangle(target, [a, b, c], pixels_per_point, texture, clip);
            }
        }
        drawn
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
