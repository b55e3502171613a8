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

/// Runs one egui frame of a small player-like screen at second `second`.
fn frame(ctx: &egui::Context, second: u32, size: egui::Vec2) -> egui::FullOutput {
    let input = egui::RawInput {
        screen_rect: Some(Rect::from_min_size(Pos2::ZERO, size)),
        ..Default::default()
    };
    ctx.run_ui(input, |ui| {
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
    })
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
        let mut output = frame(&ctx, second, size);
        let mut copy = output.textures_delta.clone();
        let primitives = ctx.tessellate(output.shapes, output.pixels_per_point);
        let age = u8::from(second > 0);
        partial.paint(
            &mut Target {
                pixels: &mut partial_pixels,
                width,
                height,
            },
            age,
            &primitives,
            &mut output.textures_delta,
            output.pixels_per_point,
            clear,
        );
        full.paint(
            &mut Target {
                pixels: &mut full_pixels,
                width,
                height,
            },
            0,
            &primitives,
            &mut copy,
            output.pixels_per_point,
            clear,
        );
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
        let mut output = frame(&ctx, 5, vec2(width as f32, height as f32));
        let primitives = ctx.tessellate(output.shapes, output.pixels_per_point);
        painter.paint(
            &mut Target {
                pixels: &mut pixels,
                width,
                height,
            },
            age,
            &primitives,
            &mut output.textures_delta,
            output.pixels_per_point,
            clear,
        );
    }
    assert_eq!(painter.stats().pixels_redrawn, 0);
    let (width, height) = (300usize, 240usize);
    let mut pixels = vec![0u32; width * height];
    let mut output = frame(&ctx, 5, vec2(width as f32, height as f32));
    let primitives = ctx.tessellate(output.shapes, output.pixels_per_point);
    let damage = painter.paint(
        &mut Target {
            pixels: &mut pixels,
            width,
            height,
        },
        1,
        &primitives,
        &mut output.textures_delta,
        output.pixels_per_point,
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
        let mut output = frame(&ctx, second, size);
        let mut copy = output.textures_delta.clone();
        let primitives = ctx.tessellate(output.shapes, output.pixels_per_point);
        let age = if second < 2 { 0 } else { 2 };
        let buffer = &mut buffers[second as usize % 2];
        painter.paint(
            &mut Target {
                pixels: buffer,
                width,
                height,
            },
            age,
            &primitives,
            &mut output.textures_delta,
            output.pixels_per_point,
            clear,
        );
        reference.paint(
            &mut Target {
                pixels: &mut reference_pixels,
                width,
                height,
            },
            0,
            &primitives,
            &mut copy,
            output.pixels_per_point,
            clear,
        );
        assert!(*buffer == reference_pixels, "frame {second} differs");
    }
}
