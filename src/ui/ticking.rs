//! A label for text whose digits change every second: the countdowns, the
//! session's time left, the heat timer.
//!
//! Laying text out shapes it anew, and a plain label whose digits changed is
//! laid out again in full at every tick. Here the text is laid out once with
//! every digit replaced by an invisible `0` (a template that stays the same
//! from one second to the next, so egui's layout cache keeps it), and each
//! digit is drawn over its `0` from a galley of its own, laid out once. The
//! template reserves the width of a `0` for every digit, so the line does
//! not shift as the digits change; wrapping, alignment and size are those of
//! an ordinary [`egui::Label`]. The accessibility tree gets the real text.

use std::sync::Arc;

use egui::epaint::TextShape;
use egui::text::{ByteIndex, LayoutJob, LayoutSection, TextFormat};
use egui::{
    Color32, FontSelection, Galley, Response, RichText, Role, Stroke, TextWrapMode, Ui, Widget,
    WidgetInfo, WidgetText,
};

/// What stands in for every digit in the template.
const PLACEHOLDER: char = '0';

/// A label whose digits may change every frame; see the module's text.
#[must_use = "add it with `ui.add`"]
pub struct Ticking {
    text: RichText,
    wrap_mode: Option<TextWrapMode>,
}

impl Ticking {
    /// A single-line (or, with [`Self::wrap`], wrapping) label of `text`.
    pub fn new(text: RichText) -> Self {
        Self {
            text,
            wrap_mode: None,
        }
    }

    /// Wraps at the available width, like [`egui::Label::wrap`].
    pub fn wrap(mut self) -> Self {
        self.wrap_mode = Some(TextWrapMode::Wrap);
        self
    }
}

impl Widget for Ticking {
    fn ui(self, ui: &mut Ui) -> Response {
        let shown = self.text.text().to_owned();
        let job = WidgetText::from(self.text).into_layout_job(
            ui.style(),
            FontSelection::Default,
            ui.text_valign(),
        );
        let Some(format) = job.sections.first().map(|section| section.format.clone()) else {
            return ui.label(shown);
        };
        let mut label = egui::Label::new(template(&job, &format)).selectable(false);
        if let Some(mode) = self.wrap_mode {
            label = label.wrap_mode(mode);
        }
        let (pos, galley, response) = label.layout_in_ui(ui);
        response.widget_info(|| WidgetInfo::labeled(Role::Label, ui.is_enabled(), &shown));
        if !ui.is_rect_visible(response.rect) {
            return response;
        }
        let color = ui.visuals().text_color();
        let underline = if response.has_focus() || response.highlighted() {
            Stroke::new(1.0, color)
        } else {
            Stroke::NONE
        };
        let digits = digit_galleys(ui, &format);
        let painter = ui.painter();
        painter.add(TextShape::new(pos, Arc::clone(&galley), color).with_underline(underline));
        let mut wanted = shown.chars().filter_map(|c| c.to_digit(10));
        for placed in &galley.rows {
            for glyph in placed.row.glyphs.iter().filter(|g| g.chr == PLACEHOLDER) {
                let Some(digit) = wanted.next() else {
                    return response;
                };
                let Some(digit) = digits.get(digit as usize) else {
                    continue;
                };
                let Some((row_pos, own)) = digit
                    .rows
                    .first()
                    .and_then(|row| Some((row.pos, row.row.glyphs.first()?)))
                else {
                    continue;
                };
                // Baseline on baseline, centred in the placeholder's width.
                let at = pos + placed.pos.to_vec2() + glyph.pos.to_vec2()
                    - row_pos.to_vec2()
                    - own.pos.to_vec2()
                    + egui::vec2((glyph.advance_width - own.advance_width) * 0.5, 0.0);
                painter.add(TextShape::new(at, Arc::clone(digit), color));
            }
        }
        response
    }
}

/// `original` (a single section in `format`) with every ASCII digit
/// replaced by an invisible [`PLACEHOLDER`].
fn template(original: &LayoutJob, format: &TextFormat) -> LayoutJob {
    let hidden = TextFormat {
        color: Color32::TRANSPARENT,
        ..format.clone()
    };
    let text = original.text.as_str();
    let mut job = LayoutJob {
        text: String::new(),
        sections: Vec::new(),
        ..original.clone()
    };
    let mut start = 0;
    let mut in_digits = None;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let digit = c.is_ascii_digit();
        if in_digits != Some(digit) {
            if let Some(was_digits) = in_digits {
                push_section(&mut job, start..out.len(), was_digits, format, &hidden);
            }
            start = out.len();
            in_digits = Some(digit);
        }
        out.push(if digit { PLACEHOLDER } else { c });
    }
    if let Some(was_digits) = in_digits {
        push_section(&mut job, start..out.len(), was_digits, format, &hidden);
    }
    job.text = out;
    job
}

fn push_section(
    job: &mut LayoutJob,
    byte_range: std::ops::Range<usize>,
    digits: bool,
    format: &TextFormat,
    hidden: &TextFormat,
) {
    job.sections.push(LayoutSection {
        leading_space: 0.0,
        byte_range: ByteIndex(byte_range.start)..ByteIndex(byte_range.end),
        format: if digits { hidden } else { format }.clone(),
    });
}

/// The ten digits in `format`, each laid out on its own. All ten are asked
/// for every frame, so egui's cache (which forgets what a frame did not use)
/// keeps the ones not showing this second.
fn digit_galleys(ui: &Ui, format: &TextFormat) -> Vec<Arc<Galley>> {
    ui.fonts_mut(|fonts| {
        ('0'..='9')
            .map(|digit| {
                fonts.layout_job(LayoutJob::single_section(digit.to_string(), format.clone()))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_hides_every_digit_and_keeps_the_rest() {
        let format = TextFormat::simple(egui::FontId::proportional(18.0), Color32::WHITE);
        let original =
            LayoutJob::single_section("on for 3:07 · off in 12:53".to_owned(), format.clone());
        let job = template(&original, &format);
        assert_eq!(job.text, "on for 0:00 · off in 00:00");
        let hidden: String = job
            .sections
            .iter()
            .filter(|section| section.format.color == Color32::TRANSPARENT)
            .map(|section| &job.text[section.byte_range.start.0..section.byte_range.end.0])
            .collect();
        assert_eq!(hidden, "0000000");
        let covered: usize = job
            .sections
            .iter()
            .map(|s| s.byte_range.end.0 - s.byte_range.start.0)
            .sum();
        assert_eq!(covered, job.text.len());
    }

    /// The texts drawn for `text`, left to right, with where each starts.
    fn drawn(ctx: &egui::Context, text: &str) -> Vec<(String, f32, Arc<Galley>)> {
        let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
            ui.add(Ticking::new(RichText::new(text).size(40.0)));
        });
        // No painter here; egui insists its texture changes are taken.
        output.textures_delta.clear();
        let mut texts: Vec<_> = output
            .shapes
            .into_iter()
            .filter_map(|clipped| match clipped.shape {
                egui::Shape::Text(shape) => {
                    Some((shape.galley.text().to_owned(), shape.pos.x, shape.galley))
                }
                _ => None,
            })
            .collect();
        texts.sort_by(|a, b| a.1.total_cmp(&b.1));
        texts
    }

    #[test]
    fn each_digit_is_drawn_on_its_place_in_a_template_laid_out_once() {
        let ctx = egui::Context::default();
        let first = drawn(&ctx, "4:59");
        let second = drawn(&ctx, "4:58");
        let words = |texts: &[(String, f32, Arc<Galley>)]| {
            texts
                .iter()
                .map(|(text, ..)| text.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(words(&first), ["0:00", "4", "5", "9"]);
        assert_eq!(words(&second), ["0:00", "4", "5", "8"]);
        // The template is the same galley both seconds: not laid out again.
        assert!(Arc::ptr_eq(&first[0].2, &second[0].2));
        // Unchanged digits stay where they were; each sits on its placeholder.
        assert_eq!(first[1].1, second[1].1);
        assert_eq!(first[2].1, second[2].1);
        let template = &first[0].2;
        let zeros: Vec<f32> = template.rows[0]
            .glyphs
            .iter()
            .filter(|glyph| glyph.chr == PLACEHOLDER)
            .map(|glyph| first[0].1 + glyph.pos.x)
            .collect();
        assert_eq!(zeros.len(), 3);
        for ((_, x, _), zero) in first[1..].iter().zip(&zeros) {
            assert!((x - zero).abs() < 4.0, "digit at {x}, its place at {zero}");
        }
        // A different digit in the last place is not in the first's.
        assert!(second[3].1 > second[2].1 + 10.0);
    }
}
