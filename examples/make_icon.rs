//! Draws the app icon into `assets/icon.png`: a sage disc with a loose,
//! opening loop, the "knot coming undone". Run with `cargo run --example make_icon`.

use std::path::Path;

const SIZE: u32 = 256;

fn main() -> Result<(), image::ImageError> {
    let center = SIZE as f32 / 2.0;
    let image = image::RgbaImage::from_fn(SIZE, SIZE, |x, y| {
        let (px, py) = (x as f32 + 0.5 - center, y as f32 + 0.5 - center);
        let radius = (px * px + py * py).sqrt();
        // Anti-aliased disc.
        let disc = (center - 4.0 - radius).clamp(0.0, 1.0);
        // An open spiral: radius grows with the angle, leaving a gap at the top right.
        let angle = py.atan2(px);
        let turn = (angle + std::f32::consts::PI) / std::f32::consts::TAU;
        let mut ink: f32 = 0.0;
        for lap in 0..2 {
            let spiral_radius = 34.0 + 40.0 * (turn + lap as f32);
            if spiral_radius < 112.0 {
                let distance = (radius - spiral_radius).abs();
                ink = ink.max((9.0 - distance).clamp(0.0, 1.0));
            }
        }
        let (bg, fg) = ([92.0, 158.0, 132.0], [246.0, 244.0, 236.0]);
        let mix = |i: usize| (bg[i] * (1.0 - ink) + fg[i] * ink) as u8;
        image::Rgba([mix(0), mix(1), mix(2), (disc * 255.0) as u8])
    });
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/icon.png");
    image.save(&path)?;
    println!("wrote {}", path.display());
    Ok(())
}
