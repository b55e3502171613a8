//! The CPU painter against itself: a frame redrawn only where it changed must
//! equal the same frame drawn from nothing, and shared edges must be filled
//! exactly once.

use egui::epaint::{Mesh, Vertex};
use egui::{Color32, Pos2, Rect, pos2, vec2};
use proptest::prelude::*;

use super::painter::SoftPainter;
use super::raster::{self, PixelRect, Target, Texture};

const BACKGROUND: u32 = 0x0020_3040;

fn white() -> Texture {
    Texture {
        width: 1,
        height: 1,
        texels: vec![[255; 4]],
        nearest: true,
    }
}

fn vertex(pos: Pos2, color: Color32) -> Vertex {
    Vertex {
        pos,
        uv: pos2(0.0, 0.0),
        color,
    }
}

/// The background with `color` blended over it once.
fn blended_once(color: Color32) -> u32 {
    let mut pixel = BACKGROUND;
    let mut target = Target {
        pixels: std::slice::from_mut(&mut pixel),
        width: 1,
        height: 1,
    };
    let corners = [
        vertex(pos2(-1.0, -1.0), color),
        vertex(pos2(3.0, -1.0), color),
        vertex(pos2(-1.0, 3.0), color),
    ];
    raster::draw_triangle(
        &mut target,
        [&corners[0], &corners[1], &corners[2]],
        1.0,
        &white(),
        PixelRect::whole(1, 1),
    );
    pixel
}

fn draw_all(pixels: &mut [u32], size: usize, triangles: &[[Vertex; 3]], scale: f32) {
    let mut target = Target {
        pixels,
        width: size,
        height: size,
    };
    for corners in triangles {
        raster::draw_triangle(
            &mut target,
            [&corners[0], &corners[1], &corners[2]],
            scale,
            &white(),
            PixelRect::whole(size, size),
        );
    }
}

#[test]
fn a_translucent_rectangle_of_two_triangles_is_blended_once_everywhere() {
    let color = Color32::from_rgba_premultiplied(60, 0, 0, 128);
    let mut mesh = Mesh::default();
    mesh.add_colored_rect(Rect::from_min_max(pos2(2.3, 3.7), pos2(17.6, 12.2)), color);
    let triangles: Vec<[Vertex; 3]> = mesh
        .indices
        .chunks_exact(3)
        .map(|c| [0, 1, 2].map(|k| mesh.vertices[c[k] as usize]))
        .collect();
    let size = 24;
    let mut pixels = vec![BACKGROUND; size * size];
    draw_all(&mut pixels, size, &triangles, 1.0);
    let once = blended_once(color);
    for y in 0..size {
        for x in 0..size {
            let (cx, cy) = (x as f32 + 0.5, y as f32 + 0.5);
            let inside = (2.3..17.6).contains(&cx) && (3.7..12.2).contains(&cy);
            let expected = if inside { once } else { BACKGROUND };
            assert_eq!(pixels[y * size + x], expected, "pixel {x},{y}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A fan of triangles around a centre shares every inner edge; with a
    /// translucent colour a pixel filled twice or missed would show.
    #[test]
    fn a_fan_fills_each_pixel_at_most_once_and_leaves_no_hole(
        centre in (8.0f32..24.0, 8.0f32..24.0),
        radii in prop::collection::vec(5.0f32..7.9, 5..12),
        scale in prop::sample::select(vec![1.0f32, 1.25, 1.5, 2.0]),
    ) {
        let color = Color32::from_rgba_premultiplied(0, 90, 0, 100);
        let count = radii.len();
        let ring: Vec<Pos2> = radii.iter().enumerate().map(|(k, r)| {
            let angle = k as f32 / count as f32 * std::f32::consts::TAU;
            pos2(centre.0 / scale + r * angle.cos() / scale * 2.0,
                 centre.1 / scale + r * angle.sin() / scale * 2.0)
        }).collect();
        let middle = pos2(centre.0 / scale, centre.1 / scale);
        let triangles: Vec<[Vertex; 3]> = (0..count).map(|k| [
            vertex(middle, color),
            vertex(ring[k], color),
            vertex(ring[(k + 1) % count], color),
        ]).collect();
        let size = 40;
        let mut pixels = vec![BACKGROUND; size * size];
        draw_all(&mut pixels, size, &triangles, scale);
        let once = blended_once(color);
        for (index, pixel) in pixels.iter().enumerate() {
            prop_assert!(*pixel == BACKGROUND || *pixel == once, "pixel {index} is {pixel:06x}");
        }
        // The fan's middle is certainly covered.
        let (mx, my) = ((centre.0) as usize, (centre.1) as usize);
        prop_assert_eq!(pixels[my * size + mx], once);
    }
}

#[test]
fn a_texture_mapped_one_texel_to_one_pixel_is_copied_exactly() {
    let texels: Vec<[u8; 4]> = (0..16u8).map(|n| [n * 16, 255 - n * 16, n, 255]).collect();
    let texture = Texture {
        width: 4,
        height: 4,
        texels: texels.clone(),
        nearest: false,
    };
    let mut mesh = Mesh::default();
    mesh.add_rect_with_uv(
        Rect::from_min_size(pos2(3.0, 2.0), vec2(4.0, 4.0)),
        Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0)),
        Color32::WHITE,
    );
    let size = 10;
    let mut pixels = vec![BACKGROUND; size * size];
    let mut target = Target {
        pixels: &mut pixels,
        width: size,
        height: size,
    };
    for c in mesh.indices.chunks_exact(3) {
        let corners = [0, 1, 2].map(|k| &mesh.vertices[c[k] as usize]);
        raster::draw_triangle(
            &mut target,
            corners,
            1.0,
            &texture,
            PixelRect::whole(size, size),
        );
    }
    for ty in 0..4 {
        for tx in 0..4 {
            let [r, g, b, _] = texels[ty * 4 + tx];
            let expected = (u32::from(r) << 16) | (u32::from(g) << 8) | u32::from(b);
            assert_eq!(
                pixels[(2 + ty) * size + 3 + tx],
                expected,
                "texel {tx},{ty}"
            );
        }
    }
}

/// A frame's output whose texture changes each painter gets a copy of.
struct Shown(egui::FullOutput);

impl Drop for Shown {
    fn drop(&mut self) {
        // The painters were handed copies; egui insists on being told.
        self.0.textures_delta.clear();
    }
}

/// Runs one egui frame of a small player-like screen at second `second`.
fn frame(ctx: &egui::Context, second: u32, size: egui::Vec2) -> Shown {
    let input = egui::RawInput {
        screen_rect: Some(Rect::from_min_size(Pos2::ZERO, size)),
        ..Default::default()
    };
    Shown(ctx.run_ui(input, |ui| {
        egui::CentralPanel::default().show(ui, |ui| {
            ui.heading("Knead the lower back");
            ui.label("Slow circles with the heels of both hands, either side of the spine.");
            let left = 300 - second;
            ui.label(egui::RichText::new(format!("{}:{:02}", left / 60, left % 60)).size(72.0));
            ui.add(egui::ProgressBar::new(second as f32 / 300.0));
            if second % 7 == 3 {
                ui.label("Heat: 12 minutes left on the pack.");
            }
            let _ = ui.button("Pause");
            let _ = ui.button("Next step");
        });
    }))
}

/// Paints `output` with `painter` into `pixels`, egui's tessellator lent as
/// the window code lends it; returns what the painter says changed.
fn paint(
    painter: &mut SoftPainter,
    ctx: &egui::Context,
    pixels: &mut [u32],
    (width, height): (usize, usize),
    age: u8,
    Shown(output): &Shown,
    clear: u32,
) -> Vec<PixelRect> {
    let ppp = output.pixels_per_point;
    let mut textures = output.textures_delta.clone();
    painter.paint(
        &mut Target {
            pixels,
            width,
            height,
        },
        age,
        output.shapes.clone(),
        &mut |shapes| ctx.tessellate(shapes, ppp),
        &mut textures,
        ppp,
        clear,
    )
}

#[test]
fn redrawing_only_the_damage_equals_drawing_the_whole_frame() {
    let ctx = egui::Context::default();
    let (width, height) = (480usize, 360usize);
    let size = vec2(width as f32, height as f32);
    let mut partial = SoftPainter::new();
    let mut full = SoftPainter::new();
    let mut partial_pixels = vec![0u32; width * height];
    let mut full_pixels = vec![0u32; width * height];
    let clear = raster::pack(Color32::from_rgb(30, 30, 34));
    let mut small_frames = 0;
    for second in 0..24 {
        let output = frame(&ctx, second, size);
        let age = u8::from(second > 0);
        let dims = (width, height);
        paint(
            &mut partial,
            &ctx,
            &mut partial_pixels,
            dims,
            age,
            &output,
            clear,
        );
        paint(&mut full, &ctx, &mut full_pixels, dims, 0, &output, clear);
        assert!(partial_pixels == full_pixels, "frame {second} differs");
        let stats = partial.stats();
        if second > 2 && !stats.full {
            // A countdown tick redraws a small part of the window.
            assert!(
                stats.pixels_redrawn < (width * height) as i64 / 3,
                "frame {second} redrew {} pixels",
                stats.pixels_redrawn
            );
            small_frames += 1;
        }
    }
    assert!(small_frames > 15, "only {small_frames} frames were partial");
}

#[test]
fn an_unchanged_frame_redraws_nothing_and_a_resize_redraws_everything() {
    let ctx = egui::Context::default();
    let mut painter = SoftPainter::new();
    let (width, height) = (320usize, 240usize);
    let mut pixels = vec![0u32; width * height];
    let clear = 0x0010_1010;
    for age in [0, 1, 1] {
        let output = frame(&ctx, 5, vec2(width as f32, height as f32));
        paint(
            &mut painter,
            &ctx,
            &mut pixels,
            (width, height),
            age,
            &output,
            clear,
        );
    }
    assert_eq!(painter.stats().pixels_redrawn, 0);
    let (width, height) = (300usize, 240usize);
    let mut pixels = vec![0u32; width * height];
    let output = frame(&ctx, 5, vec2(width as f32, height as f32));
    let damage = paint(
        &mut painter,
        &ctx,
        &mut pixels,
        (width, height),
        1,
        &output,
        clear,
    );
    assert_eq!(damage, vec![PixelRect::whole(width, height)]);
    assert!(painter.stats().full);
}

#[test]
fn a_double_buffered_window_also_repaints_last_frames_change() {
    let ctx = egui::Context::default();
    let mut painter = SoftPainter::new();
    let (width, height) = (400usize, 300usize);
    let size = vec2(width as f32, height as f32);
    // Two buffers, swapped every frame, as a Wayland compositor hands them out.
    let mut buffers = [vec![0u32; width * height], vec![0u32; width * height]];
    let mut reference = SoftPainter::new();
    let mut reference_pixels = vec![0u32; width * height];
    let clear = 0x0010_1010;
    for second in 0..10u32 {
        let output = frame(&ctx, second, size);
        let age = if second < 2 { 0 } else { 2 };
        let buffer = &mut buffers[second as usize % 2];
        let dims = (width, height);
        paint(&mut painter, &ctx, buffer, dims, age, &output, clear);
        paint(
            &mut reference,
            &ctx,
            &mut reference_pixels,
            dims,
            0,
            &output,
            clear,
        );
        assert!(*buffer == reference_pixels, "frame {second} differs");
    }
}

/// Every triangle egui makes for a shape lies inside the pixels the painter
/// says the shape can reach, which redrawing only the damage rests on:
/// sharp joins of thick strokes drawn outside, blur, underlined and turned
/// text, a shape moved after tessellation.
#[test]
fn every_triangle_lies_within_its_shapes_reach() {
    use egui::epaint::{
        ClippedShape, CubicBezierShape, PathShape, PathStroke, RectShape, Shape, TextShape,
    };
    use egui::{FontId, Stroke, StrokeKind, emath::TSTransform};

    let ctx = egui::Context::default();
    let _ = frame(&ctx, 0, vec2(400.0, 300.0));
    let galley = ctx.fonts_mut(|fonts| {
        fonts.layout(
            "Lower back 4:59\nheat".to_owned(),
            FontId::proportional(30.0),
            Color32::WHITE,
            200.0,
        )
    });
    let stroke = Stroke::new(9.0, Color32::RED);
    let sharp = vec![pos2(100.0, 100.0), pos2(200.0, 103.0), pos2(102.0, 112.0)];
    let shapes = vec![
        Shape::line(sharp.clone(), stroke),
        Shape::Path(PathShape {
            points: sharp.clone(),
            closed: true,
            fill: Color32::BLUE,
            stroke: PathStroke::new(9.0, Color32::RED).outside(),
        }),
        Shape::Path(PathShape {
            points: sharp,
            closed: true,
            fill: Color32::TRANSPARENT,
            stroke: PathStroke::new(9.0, Color32::RED).inside(),
        }),
        Shape::Rect(
            RectShape::new(
                Rect::from_min_size(pos2(50.0, 60.0), vec2(80.0, 40.0)),
                6.0,
                Color32::GRAY,
                stroke,
                StrokeKind::Outside,
            )
            .with_blur_width(24.0),
        ),
        Shape::circle_stroke(pos2(200.0, 200.0), 30.0, stroke),
        Shape::ellipse_filled(pos2(120.0, 220.0), vec2(40.0, 12.0), Color32::GREEN),
        Shape::CubicBezier(CubicBezierShape::from_points_stroke(
            [
                pos2(20.0, 20.0),
                pos2(300.0, 20.0),
                pos2(20.0, 30.0),
                pos2(290.0, 40.0),
            ],
            false,
            Color32::TRANSPARENT,
            stroke,
        )),
        Shape::line_segment([pos2(10.0, 10.0), pos2(300.0, 250.0)], stroke),
        Shape::Text(
            TextShape::new(pos2(30.0, 200.0), galley.clone(), Color32::WHITE)
                .with_underline(Stroke::new(3.0, Color32::BLUE)),
        ),
        Shape::Text(TextShape::new(pos2(200.0, 100.0), galley, Color32::WHITE).with_angle(0.7)),
    ];
    for pixels_per_point in [1.0, 1.5, 2.0] {
        for (index, shape) in shapes.iter().enumerate() {
            for transform in [
                TSTransform::IDENTITY,
                TSTransform::new(vec2(31.5, -12.25), 1.3),
            ] {
                let clipped = ClippedShape {
                    clip_rect: Rect::EVERYTHING,
                    shape: shape.clone(),
                    transform_after_tessellation: transform,
                };
                let reach = super::shapes::pixel_reach(&clipped, pixels_per_point);
                let primitives = ctx.tessellate(vec![clipped], pixels_per_point);
                let mut vertices = 0;
                for primitive in &primitives {
                    let egui::epaint::Primitive::Mesh(mesh) = &primitive.primitive else {
                        continue;
                    };
                    for vertex in &mesh.vertices {
                        vertices += 1;
                        let (x, y) = (
                            vertex.pos.x * pixels_per_point,
                            vertex.pos.y * pixels_per_point,
                        );
                        // The rasteriser touches at most the pixels from
                        // floor to ceil of its corners.
                        assert!(
                            x.floor() as i32 >= reach.x0
                                && (x.ceil() as i32) < reach.x1
                                && y.floor() as i32 >= reach.y0
                                && (y.ceil() as i32) < reach.y1,
                            "shape {index} at {pixels_per_point}: ({x}, {y}) outside {reach:?}"
                        );
                    }
                }
                assert!(vertices > 0, "shape {index} drew nothing");
            }
        }
    }
}

/// A countdown tick redraws the digit that changed, not the whole number.
#[test]
fn a_countdown_tick_redraws_the_changed_digit_only() {
    use egui::FontId;
    use egui::epaint::{ClippedShape, Shape, TextShape};

    let ctx = egui::Context::default();
    let _ = frame(&ctx, 0, vec2(400.0, 300.0));
    let text = |digits: &str| {
        let galley = ctx.fonts_mut(|fonts| {
            fonts.layout_no_wrap(digits.to_owned(), FontId::monospace(72.0), Color32::WHITE)
        });
        ClippedShape::new(
            Rect::EVERYTHING,
            Shape::Text(TextShape::new(pos2(20.0, 20.0), galley, Color32::WHITE)),
        )
    };
    let (before, after) = (text("4:59"), text("4:58"));
    let whole = super::shapes::pixel_reach(&after, 1.0);
    let changes = super::shapes::text_changes(&before, &after, 1.0).unwrap_or_default();
    let changed: i64 = changes.iter().map(PixelRect::area).sum();
    assert!(!changes.is_empty());
    assert!(
        changed * 3 < whole.area(),
        "redrew {changed} of {} pixels",
        whole.area()
    );
    // The last digit's place is inside what changed; the first's is not.
    assert!(changes.iter().all(|rect| rect.x0 > whole.x0 + 60));
    // A different colour is not a digit change.
    let mut recoloured = after.clone();
    if let Shape::Text(text) = &mut recoloured.shape {
        text.fallback_color = Color32::RED;
    }
    assert_eq!(super::shapes::text_changes(&after, &recoloured, 1.0), None);
}

/// A texture something already shows, replaced or patched, redraws the
/// window; new glyphs in the font atlas do not.
#[test]
fn a_changed_texture_redraws_everything() {
    use egui::epaint::{ClippedShape, ImageDelta, Shape, TextureId};
    use egui::{ColorImage, TextureOptions};

    let ctx = egui::Context::default();
    let _ = frame(&ctx, 0, vec2(64.0, 64.0));
    let (width, height) = (64usize, 64usize);
    let mut pixels = vec![0u32; width * height];
    let mut painter = SoftPainter::new();
    let image = TextureId::Managed(7);
    let picture = |color: Color32, at: Option<[usize; 2]>| {
        let pixels = ColorImage::new([4, 4], vec![color; 16]);
        match at {
            None => ImageDelta::full(pixels, TextureOptions::NEAREST),
            Some(at) => ImageDelta::partial(at, pixels, TextureOptions::NEAREST),
        }
    };
    let mut paint_with = |delta: Option<ImageDelta>, age: u8| {
        let mut textures = egui::TexturesDelta::default();
        if let Some(delta) = delta {
            textures.set.entry(image).or_default().push(delta);
        }
        let mut mesh = Mesh::with_texture(image);
        mesh.add_rect_with_uv(
            Rect::from_min_size(pos2(8.0, 8.0), vec2(16.0, 16.0)),
            Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0)),
            Color32::WHITE,
        );
        let shapes = vec![ClippedShape::new(Rect::EVERYTHING, Shape::mesh(mesh))];
        painter.paint(
            &mut Target {
                pixels: &mut pixels,
                width,
                height,
            },
            age,
            shapes,
            &mut |shapes| ctx.tessellate(shapes, 1.0),
            &mut textures,
            1.0,
            0,
        );
        painter.stats()
    };
    assert!(paint_with(Some(picture(Color32::RED, None)), 0).full);
    assert_eq!(paint_with(None, 1).pixels_redrawn, 0);
    assert!(paint_with(Some(picture(Color32::BLUE, None)), 1).full);
    assert!(paint_with(Some(picture(Color32::GREEN, Some([1, 1]))), 1).full);
    assert_eq!(paint_with(None, 1).pixels_redrawn, 0);
}

/// A progress bar's fill growing by a fraction of a pixel a second redraws
/// a strip at its end, and the result equals drawing the whole frame.
#[test]
fn a_growing_bar_redraws_its_end_only_and_exactly() {
    let ctx = egui::Context::default();
    let (width, height) = (400usize, 80usize);
    let size = vec2(width as f32, height as f32);
    let clear = raster::pack(Color32::from_rgb(30, 30, 34));
    let mut partial = SoftPainter::new();
    let mut full = SoftPainter::new();
    let mut partial_pixels = vec![0u32; width * height];
    let mut full_pixels = vec![0u32; width * height];
    for step in 0..60u16 {
        let filled = 20.0 + f32::from(step) * 5.37;
        let input = egui::RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, size)),
            ..Default::default()
        };
        let output = Shown(ctx.run_ui(input, |ui| {
            let painter = ui.painter();
            let track = Rect::from_min_size(pos2(10.3, 30.6), vec2(370.0, 10.0));
            painter.rect_filled(track, 5.0, Color32::from_gray(10));
            let fill = Rect::from_min_size(track.min, vec2(filled, 10.0));
            painter.rect_filled(
                fill,
                5.0,
                Color32::from_rgb(120, 200, 170).gamma_multiply(0.7),
            );
        }));
        let dims = (width, height);
        let age = u8::from(step > 0);
        paint(
            &mut partial,
            &ctx,
            &mut partial_pixels,
            dims,
            age,
            &output,
            clear,
        );
        paint(&mut full, &ctx, &mut full_pixels, dims, 0, &output, clear);
        assert!(partial_pixels == full_pixels, "step {step} differs");
        if step > 0 {
            let redrawn = partial.stats().pixels_redrawn;
            // The strip (the growth, the corner, the fringe and the margins,
            // a bar high and the same around) is a fraction of the bar's 370 × 10.
            assert!(redrawn < 40 * 32, "step {step} redrew {redrawn} pixels");
        }
    }
}

/// Not a check: prints what a countdown tick's partial redraw costs.
/// `cargo test --release --lib paint_cost -- --ignored --nocapture`
#[test]
#[ignore = "prints timings"]
fn paint_cost() {
    let ctx = egui::Context::default();
    let (width, height) = (1024usize, 720usize);
    let size = vec2(width as f32, height as f32);
    let mut painter = SoftPainter::new();
    let mut pixels = vec![0u32; width * height];
    let clear = raster::pack(Color32::from_rgb(30, 30, 34));
    let outputs: Vec<Shown> = (0..60).map(|second| frame(&ctx, second, size)).collect();
    for (index, output) in outputs.iter().enumerate().take(3) {
        paint(
            &mut painter,
            &ctx,
            &mut pixels,
            (width, height),
            u8::from(index > 0),
            output,
            clear,
        );
    }
    let started = std::time::Instant::now();
    let mut pixels_redrawn = 0;
    let mut triangles = 0;
    for round in 0..20 {
        for (index, output) in outputs.iter().enumerate().skip(3) {
            let _ = (round, index);
            paint(
                &mut painter,
                &ctx,
                &mut pixels,
                (width, height),
                1,
                output,
                clear,
            );
            pixels_redrawn += painter.stats().pixels_redrawn;
            triangles += painter.stats().triangles;
        }
    }
    let frames = 20 * 57;
    println!(
        "paint: {:.1} µs a frame, {} pixels, {} triangles",
        started.elapsed().as_secs_f64() * 1e6 / f64::from(frames),
        pixels_redrawn / i64::from(frames),
        triangles / frames as usize
    );
}

/// A request the painting pass makes comes back in its output and wakes
/// nobody; one from another thread during the pass, or from anywhere
/// outside it, still wakes the loop with its delay.
#[test]
fn only_the_painting_pass_own_requests_skip_the_wake() {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use super::shell::{PassGuard, repaint_callback};

    let wakes = Arc::new(Mutex::new(Vec::new()));
    let ctx = egui::Context::default();
    let seen = Arc::clone(&wakes);
    ctx.set_request_repaint_callback(repaint_callback(move |delay| {
        if let Ok(mut seen) = seen.lock() {
            seen.push(delay);
        }
    }));
    let taken = |wakes: &Arc<Mutex<Vec<Duration>>>| {
        wakes
            .lock()
            .map(|mut w| std::mem::take(&mut *w))
            .unwrap_or_default()
    };

    // A new context's first passes repaint at once; settle them first.
    for _ in 0..3 {
        let mut output = ctx.run_ui(egui::RawInput::default(), |_| {});
        output.textures_delta.clear();
    }
    taken(&wakes);

    let pass = PassGuard::enter();
    let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
        ui.ctx().request_repaint_after(Duration::from_secs(1));
        let other = ui.ctx().clone();
        std::thread::spawn(move || other.request_repaint_after(Duration::from_millis(300)))
            .join()
            .expect("the other thread finishes");
    });
    drop(pass);
    output.textures_delta.clear();
    assert_eq!(taken(&wakes), vec![Duration::from_millis(300)]);
    let delay = output
        .viewport_output
        .get(&egui::ViewportId::ROOT)
        .map(|viewport| viewport.repaint_delay);
    assert_eq!(delay, Some(Duration::from_millis(300)));

    ctx.request_repaint_after(Duration::from_millis(200));
    assert_eq!(taken(&wakes), vec![Duration::from_millis(200)]);
}
