//! Draws the app icon: a sage disc with a loose, opening loop, the "knot
//! coming undone". Writes `assets/icon.png` (256 px, the window's icon) and
//! the desktop's hicolor sizes under `packaging/icons/`; the scalable one is
//! `packaging/icons/io.github.unknot.Unknot.svg`, drawn from the same curve.
//! Run with `cargo run --example make_icon`.

use std::path::Path;

/// The size the shape is designed at; other sizes scale it.
const DESIGN: f32 = 256.0;
/// The desktop's standard icon sizes.
const SIZES: [u32; 8] = [16, 24, 32, 48, 64, 128, 256, 512];

fn draw(size: u32) -> image::RgbaImage {
    let scale = size as f32 / DESIGN;
    let center = size as f32 / 2.0;
    image::RgbaImage::from_fn(size, size, |x, y| {
        let (px, py) = (x as f32 + 0.5 - center, y as f32 + 0.5 - center);
        let radius = (px * px + py * py).sqrt();
        // Anti-aliased disc.
        let disc = (center - 4.0 * scale - radius).clamp(0.0, 1.0);
        // An open spiral: radius grows with the angle, leaving a gap at the top right.
        let angle = py.atan2(px);
        let turn = (angle + std::f32::consts::PI) / std::f32::consts::TAU;
        let mut ink: f32 = 0.0;
        for lap in 0..2 {
            let spiral_radius = (34.0 + 40.0 * (turn + lap as f32)) * scale;
            if spiral_radius < 112.0 * scale {
                let distance = (radius - spiral_radius).abs();
                ink = ink.max((9.0 * scale - distance).clamp(0.0, 1.0));
            }
        }
        let (bg, fg) = ([92.0, 158.0, 132.0], [246.0, 244.0, 236.0]);
        let mix = |i: usize| (bg[i] * (1.0 - ink) + fg[i] * ink) as u8;
        image::Rgba([mix(0), mix(1), mix(2), (disc * 255.0) as u8])
    })
}

fn main() -> Result<(), image::ImageError> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("assets/icon.png");
    draw(256).save(&path)?;
    println!("wrote {}", path.display());
    for size in SIZES {
        let dir = root.join(format!("packaging/icons/{size}x{size}"));
        std::fs::create_dir_all(&dir)?;
        let path = dir.join("io.github.unknot.Unknot.png");
        draw(size).save(&path)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
