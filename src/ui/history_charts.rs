//! The history screen's charts: minutes per week, pain before and after, and
//! the last twelve weeks as a calendar.

use chrono::{Datelike, NaiveDate};
use egui::{RichText, Sense};
use egui_plot::{Bar, BarChart, Line, Plot, PlotPoints, Points};

use super::theme;
use crate::store::history_worker::HistoryView;

/// A small chart that stays put: no zooming, dragging or scrolling, so the
/// screen scrolls as a whole and the figures never move under the pointer.
fn still_plot(id: &str) -> Plot<'_> {
    Plot::new(id)
        .height(98.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
}

pub fn charts_ui(ui: &mut egui::Ui, view: &HistoryView, today: NaiveDate) {
    let visuals = ui.visuals().clone();
    let accent = theme::accent(&visuals);
    let warm = theme::warm(&visuals);
    let muted = theme::muted(&visuals);

    let weeks = view.weekly_minutes.clone();
    let total: u64 = weeks.iter().map(|(_, minutes)| minutes).sum();
    ui.horizontal(|ui| {
        ui.label(RichText::new("Minutes per week").strong());
        ui.label(
            RichText::new(format!(
                "({} min in {} weeks)",
                crate::core::words::group_digits(total),
                weeks.len()
            ))
            .color(muted)
            .small(),
        );
    });
    let bars: Vec<Bar> = weeks
        .iter()
        .enumerate()
        .map(|(index, (start, minutes))| {
            Bar::new(index as f64, *minutes as f64)
                .width(0.7)
                .name(format!("Week of {}", start.format("%-d %b")))
        })
        .collect();
    let labels = weeks.clone();
    still_plot("history-minutes")
        .show_grid([false, true])
        .include_y(0.0)
        .include_y(10.0)
        .x_axis_formatter(move |mark, _| {
            let index = mark.value.round();
            if (mark.value - index).abs() > 0.01 || index < 0.0 {
                return String::new();
            }
            labels
                .get(index as usize)
                .map(|(start, _)| start.format("%-d %b").to_string())
                .unwrap_or_default()
        })
        .y_axis_formatter(|mark, _| format!("{}", mark.value))
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new("Minutes", bars).color(accent));
        });

    ui.add_space(4.0);
    ui.horizontal(|ui| {
        ui.label(RichText::new("Pain").strong());
        ui.label(RichText::new("before").color(warm).strong());
        ui.label(RichText::new("and").strong());
        ui.label(RichText::new("after").color(accent).strong());
        ui.label(
            RichText::new("(daily average, 0 to 10)")
                .color(muted)
                .small(),
        );
    });
    if view.pain.is_empty() {
        ui.label(
            RichText::new("Rate your pain before and after a session to see the trend here.")
                .color(muted),
        );
    } else {
        let x = |date: NaiveDate| f64::from(date.num_days_from_ce());
        let series = |pick: fn(&crate::core::history::PainPoint) -> Option<f32>| -> Vec<[f64; 2]> {
            view.pain
                .iter()
                .filter_map(|point| pick(point).map(|pain| [x(point.date), f64::from(pain)]))
                .collect()
        };
        let before = series(|point| point.before);
        let after = series(|point| point.after);
        still_plot("history-pain")
            .include_y(0.0)
            .include_y(10.0)
            .x_axis_formatter(|mark, range| {
                // Over most of a year or more, day and month alone would read
                // out of order ("2 Nov, 29 Jul"): give month and year instead.
                let long = range.end() - range.start() > 300.0;
                NaiveDate::from_num_days_from_ce_opt(mark.value.round() as i32)
                    .map(|date| {
                        date.format(if long { "%b %Y" } else { "%-d %b" })
                            .to_string()
                    })
                    .unwrap_or_default()
            })
            .label_formatter(|hover| {
                let (egui_plot::HoverPosition::NearDataPoint { position, .. }
                | egui_plot::HoverPosition::Elsewhere { position }) = hover;
                let date = NaiveDate::from_num_days_from_ce_opt(position.x.round() as i32)
                    .map(|date| date.format("%-d %b %Y").to_string())
                    .unwrap_or_default();
                Some(format!("{date}\npain {:.1}", position.y))
            })
            .show(ui, |plot| {
                plot.line(Line::new("Before", PlotPoints::new(before.clone())).color(warm));
                plot.points(
                    Points::new("Before", PlotPoints::new(before))
                        .color(warm)
                        .radius(2.5),
                );
                plot.line(Line::new("After", PlotPoints::new(after.clone())).color(accent));
                plot.points(
                    Points::new("After", PlotPoints::new(after))
                        .color(accent)
                        .radius(2.5),
                );
            });
    }

    ui.add_space(4.0);
    calendar_ui(ui, view, today);
}

fn calendar_ui(ui: &mut egui::Ui, view: &HistoryView, today: NaiveDate) {
    let visuals = ui.visuals().clone();
    let accent = theme::accent(&visuals);
    let muted = theme::muted(&visuals);
    let days = &view.calendar;
    let weeks = days.len() / 7;
    let active = days.iter().filter(|day| day.sessions > 0).count();
    ui.label(RichText::new(format!("The last {weeks} weeks")).strong());
    let summary = format!(
        "Sessions on {active} of the last {} days",
        days.iter().filter(|day| !day.future).count()
    );
    let size = 13.0;
    let gap = 3.0;
    let label_width = 30.0;
    let (rect, response) = ui.allocate_exact_size(
        egui::vec2(
            label_width + weeks as f32 * (size + gap),
            7.0 * (size + gap) + 14.0,
        ),
        Sense::hover(),
    );
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, summary.clone()));
    let painter = ui.painter_at(rect);
    let font = egui::FontId::proportional(11.0);
    for (row, name) in ["Mon", "", "Wed", "", "Fri", "", "Sun"].iter().enumerate() {
        painter.text(
            egui::pos2(
                rect.left(),
                rect.top() + 14.0 + row as f32 * (size + gap) + size / 2.0,
            ),
            egui::Align2::LEFT_CENTER,
            *name,
            font.clone(),
            muted,
        );
    }
    let most = days.iter().map(|day| day.minutes).max().unwrap_or(0).max(1);
    let mut hovered: Option<String> = None;
    for (index, day) in days.iter().enumerate() {
        let week = index / 7;
        let weekday = index % 7;
        // Name the month above the week it starts in (and above the first
        // week, unless a new month starts right after it).
        let starts_month = day.date.day() <= 7;
        let next_starts_month = days.get(index + 7).is_some_and(|next| next.date.day() <= 7);
        if weekday == 0 && (starts_month || (week == 0 && !next_starts_month)) {
            painter.text(
                egui::pos2(
                    rect.left() + label_width + week as f32 * (size + gap),
                    rect.top(),
                ),
                egui::Align2::LEFT_TOP,
                day.date.format("%b").to_string(),
                font.clone(),
                muted,
            );
        }
        let square = egui::Rect::from_min_size(
            egui::pos2(
                rect.left() + label_width + week as f32 * (size + gap),
                rect.top() + 14.0 + weekday as f32 * (size + gap),
            ),
            egui::vec2(size, size),
        );
        let fill = if day.future {
            egui::Color32::TRANSPARENT
        } else if day.sessions == 0 {
            visuals.faint_bg_color.gamma_multiply(2.0)
        } else {
            let strength = 0.35 + 0.65 * (day.minutes as f32 / most as f32);
            accent.gamma_multiply(strength.min(1.0))
        };
        painter.rect_filled(square, 3.0, fill);
        if day.date == today {
            painter.rect_stroke(
                square,
                3.0,
                egui::Stroke::new(1.5, visuals.text_color()),
                egui::StrokeKind::Inside,
            );
        }
        if response
            .hover_pos()
            .is_some_and(|pointer| square.contains(pointer))
        {
            hovered = Some(format!(
                "{}: {}",
                day.date.format("%a %-d %b"),
                match day.sessions {
                    0 => "no session".to_owned(),
                    1 => format!("1 session, {} min", day.minutes),
                    count => format!("{count} sessions, {} min", day.minutes),
                }
            ));
        }
    }
    if let Some(text) = hovered {
        response.on_hover_text(text);
    }
    ui.label(RichText::new(summary).color(muted).small());
}
