//! A back-view figure drawn with the painter: the regions a routine works,
//! and in the player the region and side being worked now. Seen from behind,
//! so the person's left is on the left of the picture.

use egui::{Color32, Pos2, Rect, Sense, Stroke, Vec2, pos2, vec2};

use super::theme;
use crate::core::routine::{Region, Side};

/// Where each region sits on the figure, as fractions of its box
/// (left, top, right, bottom). Hips are the two outer sides of the pelvis.
fn region_boxes(region: Region) -> &'static [[f32; 4]] {
    match region {
        Region::Neck => &[[0.42, 0.15, 0.58, 0.21]],
        Region::Shoulders => &[[0.12, 0.21, 0.88, 0.29]],
        Region::UpperBack => &[[0.22, 0.29, 0.78, 0.41]],
        Region::MidBack => &[[0.25, 0.41, 0.75, 0.52]],
        Region::LowerBack => &[[0.27, 0.52, 0.73, 0.63]],
        Region::Glutes => &[[0.28, 0.63, 0.72, 0.77]],
        Region::Hips => &[[0.17, 0.61, 0.28, 0.74], [0.72, 0.61, 0.83, 0.74]],
        Region::WholeBack => &[[0.22, 0.29, 0.78, 0.63]],
    }
}

/// The regions drawn as shapes (whole back is drawn as its three parts).
const DRAWN: [Region; 7] = [
    Region::Neck,
    Region::Shoulders,
    Region::UpperBack,
    Region::MidBack,
    Region::LowerBack,
    Region::Glutes,
    Region::Hips,
];

fn covers(worked: Region, drawn: Region) -> bool {
    worked == drawn
        || (worked == Region::WholeBack
            && matches!(
                drawn,
                Region::UpperBack | Region::MidBack | Region::LowerBack
            ))
}

/// Words for screen readers: what the picture shows.
pub fn describe(covered: &[Region], now: Option<(Region, Option<Side>)>) -> String {
    let names: Vec<String> = covered
        .iter()
        .map(|region| region.label().to_lowercase())
        .collect();
    let mut text = format!("Back view. Works: {}.", names.join(", "));
    if let Some((region, side)) = now {
        let side_text = match side {
            Some(Side::Left) => ", left side",
            Some(Side::Right) => ", right side",
            Some(Side::Both) => ", both sides",
            _ => "",
        };
        text.push_str(&format!(
            " Now: {}{side_text}.",
            region.label().to_lowercase()
        ));
    }
    text
}

/// Draws the figure in a box of `size`: `covered` regions tinted, the `now`
/// region (and side) strongly highlighted.
pub fn body_map(
    ui: &mut egui::Ui,
    size: Vec2,
    covered: &[Region],
    now: Option<(Region, Option<Side>)>,
    heat: Option<Region>,
) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    let mut description = describe(covered, now);
    if let Some(region) = heat {
        description.push_str(&format!(" Heat on the {}.", region.label().to_lowercase()));
    }
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, &description));
    if !ui.is_rect_visible(rect) {
        return response;
    }
    let visuals = ui.visuals().clone();
    let accent = theme::accent(&visuals);
    let outline = theme::muted(&visuals);
    let skin = if visuals.dark_mode {
        Color32::from_gray(58)
    } else {
        Color32::from_gray(222)
    };
    // Keep the figure's proportions (about 3 wide to 5 tall), centred in the box.
    let height = rect.height().min(rect.width() * 5.0 / 3.0);
    let figure = Rect::from_center_size(rect.center(), vec2(height * 0.6, height));
    let at = |x: f32, y: f32| -> Pos2 {
        pos2(
            figure.left() + x * figure.width(),
            figure.top() + y * figure.height(),
        )
    };
    let area = |b: [f32; 4]| Rect::from_min_max(at(b[0], b[1]), at(b[2], b[3]));
    let painter = ui.painter_at(rect);
    let stroke = Stroke::new(1.0, outline);

    // Head, arms and legs for shape; they are never worked.
    painter.circle(at(0.5, 0.08), figure.width() * 0.1, skin, stroke);
    for limb in [
        [0.03, 0.23, 0.13, 0.58],
        [0.87, 0.23, 0.97, 0.58],
        [0.29, 0.77, 0.48, 1.0],
        [0.52, 0.77, 0.71, 1.0],
    ] {
        painter.rect(area(limb), 6.0, skin, stroke, egui::StrokeKind::Inside);
    }
    for drawn in DRAWN {
        let is_covered = covered.iter().any(|worked| covers(*worked, drawn));
        let is_now = now.is_some_and(|(region, _)| covers(region, drawn));
        let side = now.and_then(|(_, side)| side);
        for part in region_boxes(drawn) {
            let rect = area(*part);
            let base = if is_covered {
                accent.gamma_multiply(0.35)
            } else {
                skin
            };
            painter.rect(rect, 4.0, base, stroke, egui::StrokeKind::Inside);
            if is_now {
                // Light up the side being worked; both halves when no side applies.
                let (left, right) = rect.split_left_right_at_fraction(0.5);
                let lit = match side {
                    Some(Side::Left) => vec![left],
                    Some(Side::Right) => vec![right],
                    _ => vec![rect],
                };
                for half in lit {
                    painter.rect_filled(half, 4.0, accent);
                }
            }
        }
    }
    if let Some(region) = heat {
        for drawn in DRAWN.iter().filter(|drawn| covers(region, **drawn)) {
            for part in region_boxes(*drawn) {
                painter.rect_stroke(
                    area(*part).expand(1.0),
                    4.0,
                    Stroke::new(2.5, theme::warm(&visuals)),
                    egui::StrokeKind::Outside,
                );
            }
        }
    }
    // The spine: never pressed on directly.
    painter.line_segment(
        [at(0.5, 0.21), at(0.5, 0.64)],
        Stroke::new(1.5, outline.gamma_multiply(0.8)),
    );
    let font = egui::FontId::proportional((height * 0.07).clamp(9.0, 13.0));
    painter.text(
        at(0.03, 0.66),
        egui::Align2::LEFT_TOP,
        "L",
        font.clone(),
        outline,
    );
    painter.text(at(0.97, 0.66), egui::Align2::RIGHT_TOP, "R", font, outline);
    response.on_hover_text(description)
}
