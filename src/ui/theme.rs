//! A calm look: soft contrast, one muted accent, generous type.

use egui::{Color32, CornerRadius, FontFamily, FontId, Frame, Margin, Stroke, TextStyle, Visuals};

/// The accent for the current theme: a muted sage green.
pub fn accent(visuals: &Visuals) -> Color32 {
    if visuals.dark_mode {
        Color32::from_rgb(134, 194, 170)
    } else {
        Color32::from_rgb(46, 122, 98)
    }
}

/// A warm tone for heat badges and cue banners.
pub fn warm(visuals: &Visuals) -> Color32 {
    if visuals.dark_mode {
        Color32::from_rgb(232, 168, 124)
    } else {
        Color32::from_rgb(176, 92, 40)
    }
}

/// Secondary text.
pub fn muted(visuals: &Visuals) -> Color32 {
    if visuals.dark_mode {
        Color32::from_gray(160)
    } else {
        Color32::from_gray(96)
    }
}

/// A card's frame.
pub fn card_frame(visuals: &Visuals) -> Frame {
    Frame::new()
        .fill(visuals.faint_bg_color)
        .stroke(Stroke::new(
            1.0,
            visuals.widgets.noninteractive.bg_stroke.color,
        ))
        .corner_radius(CornerRadius::same(10))
        .inner_margin(Margin::same(14))
}

/// A quiet notice strip.
pub fn notice_frame(visuals: &Visuals) -> Frame {
    Frame::new()
        .fill(visuals.extreme_bg_color)
        .corner_radius(CornerRadius::same(6))
        .inner_margin(Margin::symmetric(10, 6))
}

/// A small rounded tag ("Lower back", "Heat").
pub fn chip(ui: &mut egui::Ui, text: &str, color: Color32) {
    Frame::new()
        .stroke(Stroke::new(1.0, color.gamma_multiply(0.6)))
        .corner_radius(CornerRadius::same(8))
        .inner_margin(Margin::symmetric(7, 2))
        .show(ui, |ui| {
            ui.label(egui::RichText::new(text).color(color).size(14.0));
        });
}

/// Applies the type scale and softer visuals to both themes.
pub fn apply(ctx: &egui::Context) {
    ctx.all_styles_mut(|style| {
        style.text_styles = [
            (
                TextStyle::Small,
                FontId::new(13.0, FontFamily::Proportional),
            ),
            (TextStyle::Body, FontId::new(17.0, FontFamily::Proportional)),
            (
                TextStyle::Button,
                FontId::new(17.0, FontFamily::Proportional),
            ),
            (
                TextStyle::Heading,
                FontId::new(28.0, FontFamily::Proportional),
            ),
            (
                TextStyle::Monospace,
                FontId::new(15.0, FontFamily::Monospace),
            ),
        ]
        .into();
        style.spacing.item_spacing = egui::vec2(10.0, 8.0);
        style.spacing.button_padding = egui::vec2(12.0, 6.0);
        let accent = accent(&style.visuals);
        style.visuals.selection.bg_fill = accent.gamma_multiply(0.45);
        style.visuals.hyperlink_color = accent;
        style.visuals.widgets.hovered.bg_stroke = Stroke::new(1.0, accent);
    });
}
