//! What the painter needs to know about egui's shapes before they become
//! triangles: whether a shape is the same as last frame's, and which pixels
//! its triangles can reach. Pure.

use std::sync::Arc;

use egui::Rect;
use egui::epaint::{ClippedShape, Shape, TextShape};

use super::raster::PixelRect;

/// Pixels added on every side of a shape's reach: the tessellator's
/// anti-aliasing fringe, text snapped to the pixel grid, and the rasteriser's
/// own one-pixel allowance.
const MARGIN_PIXELS: f32 = 3.0;

/// Whether `a` and `b` tessellate to the same triangles (with the same
/// tessellator settings, pixels per point and textures). Errs towards "no":
/// a paint callback is never the same.
///
/// Text compares its laid-out galley by address first. That is only sound
/// while the other frame's shapes are alive, so that no new galley can reuse
/// an old one's address; the painter keeps them.
pub fn same(a: &ClippedShape, b: &ClippedShape) -> bool {
    a.clip_rect == b.clip_rect
        && a.transform_after_tessellation == b.transform_after_tessellation
        && same_shape(&a.shape, &b.shape)
}

fn same_shape(a: &Shape, b: &Shape) -> bool {
    match (a, b) {
        (Shape::Vec(a), Shape::Vec(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same_shape(a, b))
        }
        (Shape::Text(a), Shape::Text(b)) => same_text(a, b),
        (Shape::Mesh(a), Shape::Mesh(b)) => Arc::ptr_eq(a, b) || a == b,
        (Shape::Callback(_), _) | (_, Shape::Callback(_)) => false,
        _ => a == b,
    }
}

fn same_text(a: &TextShape, b: &TextShape) -> bool {
    // Every field named, so a field added to egui's text shape fails to
    // compile here rather than being ignored.
    let TextShape {
        pos,
        galley,
        underline,
        fallback_color,
        override_text_color,
        opacity_factor,
        angle,
    } = a;
    *pos == b.pos
        && *underline == b.underline
        && *fallback_color == b.fallback_color
        && *override_text_color == b.override_text_color
        && *opacity_factor == b.opacity_factor
        && *angle == b.angle
        && (Arc::ptr_eq(galley, &b.galley) || galley == &b.galley)
}

/// Whether painting needs something the CPU painter cannot do.
pub fn has_callback(shape: &Shape) -> bool {
    match shape {
        Shape::Callback(_) => true,
        Shape::Vec(shapes) => shapes.iter().any(has_callback),
        _ => false,
    }
}

/// The pixels `clipped`'s triangles can touch, within its clip rectangle.
pub fn pixel_reach(clipped: &ClippedShape, pixels_per_point: f32) -> PixelRect {
    let reach = clipped.transform_after_tessellation * reach(&clipped.shape, pixels_per_point);
    to_pixels(reach, pixels_per_point, MARGIN_PIXELS).intersect(&to_pixels(
        clipped.clip_rect,
        pixels_per_point,
        1.0,
    ))
}

/// A rectangle in points that holds every triangle the tessellator makes
/// for `shape`, anti-aliasing fringe included.
///
/// egui's own visual bounds allow half a stroke width. An open path's sharp
/// join reaches further: the tessellator cuts those corners, so no point
/// moves more than √2 times its offset, and another half width covers it.
/// A closed path's joins are mitred without limit, so its reach is worked
/// out corner by corner the way the tessellator works out its mitres. A
/// closed curve or a band could have a cusp anywhere: they reach everything
/// (their clip rectangle), which is never wrong, only slower.
pub fn reach(shape: &Shape, pixels_per_point: f32) -> Rect {
    let extra = match shape {
        Shape::Vec(shapes) => {
            return shapes.iter().fold(Rect::NOTHING, |all, shape| {
                all.union(reach(shape, pixels_per_point))
            });
        }
        Shape::Text(text) => return text_reach(text),
        Shape::Path(path) if path.closed => {
            return closed_path_reach(&path.points, path.stroke.width, pixels_per_point);
        }
        Shape::QuadraticBezier(bezier) if bezier.closed => return Rect::EVERYTHING,
        Shape::CubicBezier(bezier) if bezier.closed => return Rect::EVERYTHING,
        Shape::Band(_) => return Rect::EVERYTHING,
        Shape::Circle(circle) => circle.stroke.width * 0.5,
        Shape::Ellipse(ellipse) => ellipse.stroke.width * 0.5,
        Shape::LineSegment { stroke, .. } => stroke.width * 0.5,
        Shape::Path(path) => path.stroke.width * 0.5,
        Shape::Rect(rect) => (rect.stroke.width + rect.blur_width) * 0.5,
        Shape::QuadraticBezier(bezier) => bezier.stroke.width * 0.5,
        Shape::CubicBezier(bezier) => bezier.stroke.width * 0.5,
        Shape::Noop | Shape::Mesh(_) | Shape::Callback(_) => 0.0,
    };
    let bounds = shape.visual_bounding_rect();
    if bounds.is_negative() {
        bounds
    } else {
        bounds.expand(extra.max(0.0))
    }
}

/// A closed path: each corner moved along its mitre by as much as a stroke
/// drawn outside or inside can move it (the width) and the anti-aliasing
/// fringe (a pixel), the mitre being as long as the tessellator makes it.
fn closed_path_reach(points: &[egui::Pos2], width: f32, pixels_per_point: f32) -> Rect {
    let count = points.len();
    if count < 2 {
        return Rect::NOTHING;
    }
    let offset = width.max(0.0) + 1.0 / pixels_per_point.max(0.01);
    let edge_normal = |from: egui::Pos2, to: egui::Pos2| (to - from).normalized().rot90();
    let mut n0 = edge_normal(points[count - 1], points[0]);
    let mut all = Rect::NOTHING;
    for (index, point) in points.iter().enumerate() {
        let mut n1 = edge_normal(*point, points[(index + 1) % count]);
        if n0 == egui::Vec2::ZERO {
            n0 = n1;
        } else if n1 == egui::Vec2::ZERO {
            n1 = n0;
        }
        let length_sq = ((n0 + n1) * 0.5).length_sq();
        // The mitre is the normal over its squared length: 1 / length long.
        // A corner turned back on itself has no finite mitre.
        if length_sq.is_nan() || length_sq <= 1.0e-12 {
            return Rect::EVERYTHING;
        }
        let reach = offset / length_sq.sqrt();
        all = all.union(Rect::from_center_size(
            *point,
            egui::Vec2::splat(2.0 * reach),
        ));
        n0 = n1;
    }
    all
}

/// Text: its glyphs and row decorations, the rows' boxes (where an
/// underline is drawn), the underline's width, turned by its angle.
fn text_reach(text: &TextShape) -> Rect {
    let local = text
        .galley
        .mesh_bounds
        .union(text.galley.rect)
        .expand(text.underline.width.max(0.0));
    local
        .rotate_bb(egui::emath::Rot2::from_angle(text.angle))
        .translate(text.pos.to_vec2())
}

/// `rect` in points to whole pixels, `margin` pixels bigger on every side.
/// Nothing, or anything not finite, becomes empty or is clamped.
fn to_pixels(rect: Rect, pixels_per_point: f32, margin: f32) -> PixelRect {
    if rect.is_negative() || rect.any_nan() {
        return PixelRect::default();
    }
    // Truncation and a spare pixel instead of floor and ceil, which are
    // library calls on plain x86-64.
    let whole = |value: f32| (value * pixels_per_point).clamp(-1.0e7, 1.0e7) as i32;
    let margin = margin as i32;
    PixelRect::new(
        whole(rect.min.x) - margin - 1,
        whole(rect.min.y) - margin - 1,
        whole(rect.max.x) + margin + 1,
        whole(rect.max.y) + margin + 1,
    )
}

/// Whether two shapes are clipped and moved alike after tessellation.
fn same_place(old: &ClippedShape, new: &ClippedShape) -> bool {
    old.clip_rect == new.clip_rect
        && old.transform_after_tessellation == new.transform_after_tessellation
}

/// Where two rectangles differ when only one edge moved (a progress bar's
/// fill growing): a strip around the old and new places of that edge, as
/// wide as the corners and the anti-aliasing fringe, within the clip.
/// `None` when they differ in anything else.
///
/// Everywhere else both are the same flat colour over the same pixels: the
/// tessellator's corners and fringe along the unmoved edges are built from
/// the same points, and the inside, however it is cut into triangles, is
/// one colour laid once on every pixel.
pub fn rect_changes(
    old: &ClippedShape,
    new: &ClippedShape,
    pixels_per_point: f32,
) -> Option<Vec<PixelRect>> {
    let (Shape::Rect(a), Shape::Rect(b)) = (&old.shape, &new.shape) else {
        return None;
    };
    let same_frame = same_place(old, new);
    let same_look = egui::epaint::RectShape {
        rect: b.rect,
        ..a.clone()
    } == *b
        && a.angle == 0.0
        && a.blur_width == 0.0
        && a.brush.is_none()
        && a.stroke.is_empty();
    if !same_frame || !same_look {
        return None;
    }
    let (old_rect, new_rect) = (a.rect, b.rect);
    let moved = [
        old_rect.min.x != new_rect.min.x,
        old_rect.max.x != new_rect.max.x,
        old_rect.min.y != new_rect.min.y,
        old_rect.max.y != new_rect.max.y,
    ];
    if moved.iter().filter(|m| **m).count() != 1 {
        return None;
    }
    let radius = f32::from(a.corner_radius.nw.max(a.corner_radius.ne))
        .max(f32::from(a.corner_radius.sw.max(a.corner_radius.se)));
    // Corners, the one-pixel fringe and the tessellator's rounding to pixels.
    let reach = radius + 2.0 / pixels_per_point.max(0.01);
    let both = old_rect.union(new_rect);
    let strip = if moved[0] || moved[1] {
        let (from, to) = if moved[0] {
            (old_rect.min.x, new_rect.min.x)
        } else {
            (old_rect.max.x, new_rect.max.x)
        };
        Rect::from_x_y_ranges(
            from.min(to) - reach..=from.max(to) + reach,
            both.min.y - reach..=both.max.y + reach,
        )
    } else {
        let (from, to) = if moved[2] {
            (old_rect.min.y, new_rect.min.y)
        } else {
            (old_rect.max.y, new_rect.max.y)
        };
        Rect::from_x_y_ranges(
            both.min.x - reach..=both.max.x + reach,
            from.min(to) - reach..=from.max(to) + reach,
        )
    };
    let clip = to_pixels(new.clip_rect, pixels_per_point, 1.0);
    let strip = new.transform_after_tessellation * strip;
    let rect = to_pixels(strip, pixels_per_point, MARGIN_PIXELS).intersect(&clip);
    Some(if rect.is_empty() {
        Vec::new()
    } else {
        vec![rect]
    })
}

/// Where two text shapes in the same place differ, when they differ only in
/// some of their glyphs (a countdown's digits): rectangles in pixels, within
/// the clip. `None` when they differ in anything else, and the whole of both
/// must be redrawn.
///
/// Exact for the same reason as the shape matching (see [`super::damage`]):
/// the tessellator copies each row's triangles in order, moved by the row's
/// and the text's positions and coloured by the shape's colours, which are
/// required to be the same; so the triangles compared equal here come out
/// the same, and every other one is inside a returned rectangle.
pub fn text_changes(
    old: &ClippedShape,
    new: &ClippedShape,
    pixels_per_point: f32,
) -> Option<Vec<PixelRect>> {
    let (Shape::Text(a), Shape::Text(b)) = (&old.shape, &new.shape) else {
        return None;
    };
    let same_frame = same_place(old, new);
    let same_look = a.pos == b.pos
        && a.angle == 0.0
        && b.angle == 0.0
        && a.underline == egui::Stroke::NONE
        && b.underline == egui::Stroke::NONE
        && a.fallback_color == b.fallback_color
        && a.override_text_color == b.override_text_color
        && a.opacity_factor == b.opacity_factor;
    if !same_frame || !same_look {
        return None;
    }
    let mut changed = Vec::new();
    let rows = a.galley.rows.len().max(b.galley.rows.len());
    for index in 0..rows {
        match (a.galley.rows.get(index), b.galley.rows.get(index)) {
            (Some(old_row), Some(new_row)) => row_changes(old_row, new_row, &mut changed),
            (Some(row), None) | (None, Some(row)) => {
                changed.push(row.visuals.mesh_bounds.translate(row.pos.to_vec2()));
            }
            (None, None) => {}
        }
    }
    let clip = to_pixels(new.clip_rect, pixels_per_point, 1.0);
    Some(
        changed
            .into_iter()
            .map(|rect| {
                let rect = new.transform_after_tessellation * rect.translate(a.pos.to_vec2());
                to_pixels(rect, pixels_per_point, MARGIN_PIXELS).intersect(&clip)
            })
            .filter(|rect| !rect.is_empty())
            .collect(),
    )
}

/// The galley-relative bounds of the triangles that differ between two rows
/// at the same index: one rectangle for each row's changed triangles.
fn row_changes(
    old: &egui::epaint::text::PlacedRow,
    new: &egui::epaint::text::PlacedRow,
    out: &mut Vec<Rect>,
) {
    let whole =
        |row: &egui::epaint::text::PlacedRow| row.visuals.mesh_bounds.translate(row.pos.to_vec2());
    let colour_glyphs = |row: &egui::epaint::text::PlacedRow| row.glyphs.iter().any(|g| g.is_color);
    if old.pos != new.pos
        || old.visuals.glyph_vertex_range != new.visuals.glyph_vertex_range
        || colour_glyphs(old)
        || colour_glyphs(new)
    {
        out.push(whole(old));
        out.push(whole(new));
        return;
    }
    let triangle = |mesh: &egui::epaint::Mesh, index: usize| {
        let corners = mesh.indices.get(index * 3..index * 3 + 3)?;
        Some([
            *mesh.vertices.get(corners[0] as usize)?,
            *mesh.vertices.get(corners[1] as usize)?,
            *mesh.vertices.get(corners[2] as usize)?,
        ])
    };
    let bounds = |corners: &[egui::epaint::Vertex; 3]| {
        Rect::from_points(&corners.map(|corner| corner.pos)).translate(old.pos.to_vec2())
    };
    let (old_mesh, new_mesh) = (&old.visuals.mesh, &new.visuals.mesh);
    let count = old_mesh.indices.len().max(new_mesh.indices.len()) / 3;
    let (mut old_changed, mut new_changed) = (Rect::NOTHING, Rect::NOTHING);
    for index in 0..count {
        let (before, after) = (triangle(old_mesh, index), triangle(new_mesh, index));
        if before == after {
            continue;
        }
        if let Some(corners) = &before {
            old_changed = old_changed.union(bounds(corners));
        }
        if let Some(corners) = &after {
            new_changed = new_changed.union(bounds(corners));
        }
    }
    out.extend(
        [old_changed, new_changed]
            .into_iter()
            .filter(|r| r.is_positive()),
    );
}
