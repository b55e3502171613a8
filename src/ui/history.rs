//! The history screen: every session, newest first, with filters, a detail
//! view to change ratings and notes, statistics, charts and export.
//!
//! The table is virtual: only visible rows are drawn, and rows arrive from the
//! history thread a page at a time, so 100,000 sessions scroll as smoothly as
//! ten.

use std::collections::BTreeSet;

use chrono::{Datelike, Local, NaiveDate};
use egui::{RichText, Sense};
use egui_extras::{Column, TableBuilder};

use super::theme;
pub use crate::app::history::{DateRange, Detail, HistoryState, PAGE_ROWS};
use crate::app::{Command, HistoryCommand};
use crate::core::history::{HistoryFilter, Outcome};
use crate::core::routine::format_clock;
use crate::store::export::ExportFormat;
use crate::store::history_db::SessionRow;
use crate::store::history_worker::HistoryView;

const ROW_HEIGHT: f32 = 26.0;

/// A short local date for the table: day and time this year, day and year before.
pub fn short_local_time(at: chrono::DateTime<chrono::Utc>, today: NaiveDate) -> String {
    let local = at.with_timezone(&Local);
    if local.year() == today.year() {
        local.format("%-d %b, %H:%M").to_string()
    } else {
        local.format("%-d %b %Y").to_string()
    }
}

/// Local date and time of a stored instant, the way people read it.
pub fn local_time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&Local)
        .format("%-d %b %Y, %H:%M")
        .to_string()
}

fn pain_text(pain: Option<u8>) -> String {
    pain.map_or_else(|| "-".to_owned(), |pain| pain.to_string())
}

/// Draws the history screen.
pub fn history_ui(
    ui: &mut egui::Ui,
    state: &mut HistoryState,
    show_streak: bool,
    today: NaiveDate,
) -> Vec<Command> {
    let mut commands = Vec::new();
    let visuals = ui.visuals().clone();
    let muted = theme::muted(&visuals);

    ui.horizontal(|ui| {
        super::a11y::heading(ui, RichText::new("History").strong());
        if let Some(view) = &state.view {
            let text = if state.filter.is_empty() {
                sessions_text(view.total_sessions)
            } else {
                format!(
                    "{} of {}",
                    crate::core::words::group_digits(view.matching),
                    sessions_text(view.total_sessions)
                )
            };
            ui.label(RichText::new(text).color(muted));
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui
                .selectable_label(state.exporting, "Export…")
                .on_hover_text("Save the sessions shown as CSV or JSON")
                .clicked()
            {
                state.exporting = !state.exporting;
            }
            // In a narrow window the charts take the table's place on request.
            if ui.available_width() + ui.min_rect().width() < 1100.0
                && ui
                    .selectable_label(state.show_charts, "Charts")
                    .on_hover_text("Show the charts instead of the list of sessions")
                    .clicked()
            {
                state.show_charts = !state.show_charts;
            }
            // Results show on this line, so nothing below jumps when they come and go.
            if let Some(message) = state.message.clone() {
                if ui.small_button("OK").clicked() {
                    state.message = None;
                }
                ui.add(
                    egui::Label::new(RichText::new(message).color(theme::accent(ui.visuals())))
                        .truncate(),
                );
            }
        });
    });

    if state.exporting {
        export_bar(ui, state, &mut commands);
    }
    if let Some(problem) = state.problem.clone() {
        theme::notice_frame(&visuals).show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label(problem);
                if ui.small_button("OK").clicked() {
                    state.problem = None;
                }
            });
        });
    }
    if let Some(deleted) = &state.deleted {
        theme::notice_frame(&visuals).show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(format!(
                    "Deleted the session of {} ({}).",
                    local_time(deleted.started_at),
                    deleted.routine_name
                ));
                if ui.button("Undo").clicked() {
                    commands.push(Command::History(HistoryCommand::UndoDelete));
                }
                if ui.small_button("OK").clicked() {
                    commands.push(Command::History(HistoryCommand::ForgetDeleted));
                }
            });
        });
    }

    let Some(view) = state.view.clone() else {
        ui.add_space(30.0);
        ui.vertical_centered(|ui| {
            ui.spinner();
            ui.label(RichText::new("Reading your history…").color(muted));
        });
        return commands;
    };

    stats_ui(ui, &view, show_streak, !state.filter.is_empty());
    ui.add_space(6.0);
    filters_ui(ui, state, &view, today, &mut commands);
    ui.add_space(6.0);

    if view.total_sessions == 0 {
        ui.add_space(20.0);
        ui.label(
            "No sessions yet. Each session you play is kept here: finished, stopped or cut off.",
        );
        return commands;
    }

    // Side by side when there is room for both; otherwise one at a time:
    // an open session fills the width (Close goes back to the list), and the
    // charts come when asked for.
    let wide = ui.available_width() >= 1100.0;
    if !wide {
        if state.detail.is_some() {
            egui::ScrollArea::vertical()
                .id_salt((
                    "history-detail-alone",
                    state.detail.as_ref().map(|d| d.row.id),
                ))
                .auto_shrink([false, false])
                .show(ui, |ui| detail_ui(ui, state, &mut commands));
        } else if state.show_charts {
            egui::ScrollArea::vertical()
                .id_salt("history-charts-alone")
                .auto_shrink([false, false])
                .show(ui, |ui| super::history_charts::charts_ui(ui, &view, today));
        } else {
            table_ui(ui, state, view.matching, today, &mut commands);
        }
        return commands;
    }
    let side_width = (ui.available_width() * 0.37).clamp(300.0, 460.0);
    egui::Panel::right("history-side")
        .resizable(false)
        .exact_size(side_width)
        .frame(egui::Frame::new().inner_margin(egui::Margin {
            left: 12,
            ..Default::default()
        }))
        .show(ui, |ui| {
            // The session and the charts each keep their own scroll place.
            let side = state.detail.as_ref().map(|detail| detail.row.id);
            egui::ScrollArea::vertical()
                .id_salt(("history-side-scroll", side))
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    if state.detail.is_some() {
                        detail_ui(ui, state, &mut commands);
                    } else {
                        super::history_charts::charts_ui(ui, &view, today);
                    }
                });
        });
    table_ui(ui, state, view.matching, today, &mut commands);
    commands
}

fn sessions_text(count: u64) -> String {
    crate::core::words::count(count, "session", "sessions")
}

fn stats_ui(ui: &mut egui::Ui, view: &HistoryView, show_streak: bool, filtered: bool) {
    let visuals = ui.visuals().clone();
    let muted = theme::muted(&visuals);
    let stats = &view.stats;
    let mut cards: Vec<(&str, String, String)> = Vec::new();
    for (title, totals) in [
        ("This week", stats.this_week),
        ("This month", stats.this_month),
        ("All time", stats.all_time),
    ] {
        cards.push((
            title,
            sessions_text(u64::from(totals.sessions)),
            format!(
                "{}\u{a0}min",
                crate::core::words::group_digits(totals.minutes)
            ),
        ));
    }
    let (value, detail) = match stats.average_pain_change {
        Some(change) if change < -0.05 => (format!("{:.1} lower", -change), "pain after vs before"),
        Some(change) if change > 0.05 => (format!("{change:.1} higher"), "pain after vs before"),
        Some(_) => ("No change".to_owned(), "pain after vs before"),
        None => ("Not rated".to_owned(), "rate pain before and after"),
    };
    cards.push(("Average pain change", value, detail.to_owned()));
    if show_streak {
        let days = stats.streak_days;
        cards.push((
            "Streak",
            crate::core::words::count(u64::from(days), "day", "days"),
            "in a row".to_owned(),
        ));
    }
    // The figures follow the filters; say so, rather than let them pass for
    // the whole history.
    if filtered {
        ui.label(RichText::new("Figures below count the sessions shown.").color(muted));
    }
    // In a short window the cards would leave no room for the sessions
    // themselves: the same figures, on one line.
    if ui.ctx().content_rect().height() < 560.0 {
        let line: Vec<String> = cards
            .iter()
            .map(|(title, value, detail)| format!("{title}: {value} ({detail})"))
            .collect();
        let summary = line.join(" \u{b7} ");
        ui.add(egui::Label::new(RichText::new(&summary).color(muted)).truncate())
            .on_hover_text(summary);
        return;
    }
    // Cards share the width, as many to a row as fit at a readable size, so
    // none runs off the edge of a narrow window or with large text.
    let gap = ui.spacing().item_spacing.x;
    let available = ui.available_width();
    let per_row = ((available + gap) / (190.0 + gap))
        .floor()
        .clamp(1.0, cards.len() as f32) as usize;
    let card_width = (available - gap * (per_row as f32 - 1.0)) / per_row as f32;
    for row in cards.chunks(per_row) {
        ui.horizontal(|ui| {
            for (title, value, detail) in row {
                theme::card_frame(&visuals).show(ui, |ui| {
                    // The frame's margins and stroke are outside this width.
                    ui.set_width(card_width - 30.0);
                    ui.vertical(|ui| {
                        ui.label(RichText::new(*title).color(muted));
                        ui.horizontal_wrapped(|ui| {
                            ui.label(RichText::new(value).size(20.0).strong());
                            ui.label(RichText::new(detail).color(muted).small());
                        });
                    });
                });
            }
        });
    }
}

fn filters_ui(
    ui: &mut egui::Ui,
    state: &mut HistoryState,
    view: &HistoryView,
    today: NaiveDate,
    commands: &mut Vec<Command>,
) {
    let before = state.filter.clone();
    ui.horizontal_wrapped(|ui| {
        let routine_label = ui.label("Routine");
        let current = state
            .filter
            .routine_id
            .as_ref()
            .map(|id| {
                view.routines
                    .iter()
                    .find(|(known, _)| known == id)
                    .map_or(id.clone(), |(_, name)| name.clone())
            })
            .unwrap_or_else(|| "All routines".to_owned());
        let shown = current.clone();
        let combo = egui::ComboBox::from_id_salt("history-routine")
            .selected_text(current)
            .width(200.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut state.filter.routine_id, None, "All routines");
                for (id, name) in &view.routines {
                    ui.selectable_value(&mut state.filter.routine_id, Some(id.clone()), name);
                }
            })
            .response
            .labelled_by(routine_label.id);
        super::a11y::value(&combo, &shown);
        let outcome_label = ui.label("Outcome");
        let combo = egui::ComboBox::from_id_salt("history-outcome")
            .selected_text(state.filter.outcome.map_or("Any outcome", Outcome::label))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut state.filter.outcome, None, "Any outcome");
                for outcome in [
                    Outcome::Completed,
                    Outcome::StoppedEarly,
                    Outcome::StoppedHurt,
                    Outcome::Interrupted,
                    Outcome::Running,
                ] {
                    ui.selectable_value(&mut state.filter.outcome, Some(outcome), outcome.label());
                }
            })
            .response
            .labelled_by(outcome_label.id);
        super::a11y::value(
            &combo,
            state.filter.outcome.map_or("Any outcome", Outcome::label),
        );
        let dates_label = ui.label("Dates");
        let mut range = state.range;
        let combo = egui::ComboBox::from_id_salt("history-dates")
            .selected_text(range.label())
            .show_ui(ui, |ui| {
                for choice in DateRange::ALL {
                    ui.selectable_value(&mut range, choice, choice.label());
                }
            })
            .response
            .labelled_by(dates_label.id);
        super::a11y::value(&combo, range.label());
        if range != state.range {
            state.range = range;
            if let Some((from, to)) = range.dates(today) {
                state.filter.from = from;
                state.filter.to = to;
            } else {
                let show = |date: Option<NaiveDate>| {
                    date.map(|d| d.format("%Y-%m-%d").to_string())
                        .unwrap_or_default()
                };
                state.from_text = show(state.filter.from);
                state.to_text = show(state.filter.to);
            }
        }
        if state.range == DateRange::Custom {
            let date_field = |ui: &mut egui::Ui, name: &str, text: &mut String| {
                let label = ui.label(name);
                ui.add(
                    egui::TextEdit::singleline(text)
                        .desired_width(96.0)
                        .hint_text("YYYY-MM-DD"),
                )
                .labelled_by(label.id)
                .lost_focus()
            };
            let from_done = date_field(ui, "From", &mut state.from_text);
            let to_done = date_field(ui, "To", &mut state.to_text);
            let parse = |text: &str| {
                let text = text.trim();
                if text.is_empty() {
                    Ok(None)
                } else {
                    NaiveDate::parse_from_str(text, "%Y-%m-%d").map(Some)
                }
            };
            match (parse(&state.from_text), parse(&state.to_text)) {
                (Ok(from), Ok(to)) => {
                    if from_done || to_done || ui.small_button("Apply").clicked() {
                        state.filter.from = from;
                        state.filter.to = to;
                    }
                    if let (Some(from), Some(to)) = (from, to)
                        && from > to
                    {
                        ui.label(
                            RichText::new("\"From\" is after \"To\"")
                                .color(theme::warm(ui.visuals())),
                        );
                    }
                }
                _ => {
                    ui.label(
                        RichText::new("Dates look like 2026-11-21")
                            .color(theme::warm(ui.visuals())),
                    );
                }
            }
        }
        if !state.filter.is_empty() && ui.button("Clear filters").clicked() {
            state.filter = HistoryFilter::default();
            state.range = DateRange::AllTime;
        }
    });
    if state.filter != before {
        commands.push(Command::History(HistoryCommand::Query));
    }
}

fn table_ui(
    ui: &mut egui::Ui,
    state: &mut HistoryState,
    matching: u64,
    today: NaiveDate,
    commands: &mut Vec<Command>,
) {
    if matching == 0 {
        ui.label("No sessions match these filters.");
        return;
    }
    let muted = theme::muted(ui.visuals());
    let selected_id = state.detail.as_ref().map(|detail| detail.row.id);
    let mut wanted_pages: BTreeSet<u64> = BTreeSet::new();
    let mut clicked: Option<SessionRow> = None;
    let total_rows = usize::try_from(matching).unwrap_or(usize::MAX);
    // Text in the table is not selectable: a selectable label takes the
    // click, and then only the date (a button) would open a session.
    ui.style_mut().interaction.selectable_labels = false;
    TableBuilder::new(ui)
        .id_salt("history-table")
        .striped(true)
        .sense(Sense::click())
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::exact(128.0))
        .column(Column::remainder().at_least(110.0).clip(true))
        .column(Column::exact(52.0))
        .column(Column::exact(112.0))
        .column(Column::exact(52.0))
        .column(Column::exact(44.0))
        .header(24.0, |mut header| {
            for title in ["Date", "Routine", "Time", "Outcome", "Before", "After"] {
                header.col(|ui| {
                    ui.label(RichText::new(title).strong());
                });
            }
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, total_rows, |mut row| {
                let index = row.index() as u64;
                let Some(session) = state.row(index).cloned() else {
                    wanted_pages.insert(index / PAGE_ROWS);
                    row.col(|ui| {
                        ui.label(RichText::new("…").color(muted));
                    });
                    for _ in 0..5 {
                        row.col(|_| {});
                    }
                    return;
                };
                row.set_selected(selected_id == Some(session.id));
                let mut open = false;
                row.col(|ui| {
                    open |= ui
                        .selectable_label(
                            selected_id == Some(session.id),
                            short_local_time(session.started_at, today),
                        )
                        .on_hover_text(format!(
                            "{}: open this session",
                            local_time(session.started_at)
                        ))
                        .clicked();
                });
                row.col(|ui| {
                    // Cut to the column, with the whole name on hover.
                    ui.add(egui::Label::new(&session.routine_name).truncate())
                        .on_hover_text(&session.routine_name);
                });
                row.col(|ui| {
                    ui.label(
                        RichText::new(format_clock(u64::from(session.active_secs))).monospace(),
                    );
                });
                row.col(|ui| {
                    let color = match session.outcome {
                        Outcome::Completed => theme::accent(ui.visuals()),
                        Outcome::Interrupted | Outcome::StoppedHurt => theme::warm(ui.visuals()),
                        _ => ui.visuals().text_color(),
                    };
                    ui.label(RichText::new(session.outcome.label()).color(color));
                });
                row.col(|ui| {
                    ui.label(pain_text(session.pain_before));
                });
                row.col(|ui| {
                    ui.label(pain_text(session.pain_after));
                });
                if open || row.response().clicked() {
                    clicked = Some(session);
                }
            });
        });
    for page in wanted_pages {
        if state.requested.insert(page) {
            commands.push(Command::History(HistoryCommand::LoadPage(page * PAGE_ROWS)));
        }
    }
    if let Some(session) = clicked {
        state.detail = Some(Detail::new(session));
    }
}

fn detail_ui(ui: &mut egui::Ui, state: &mut HistoryState, commands: &mut Vec<Command>) {
    let Some(detail) = &mut state.detail else {
        return;
    };
    let muted = theme::muted(ui.visuals());
    let mut close = false;
    ui.horizontal(|ui| {
        ui.label(RichText::new("Session").size(20.0).strong());
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            close = ui.button("Close").clicked();
        });
    });
    let row = detail.row.clone();
    ui.label(RichText::new(&row.routine_name).strong());
    let ended = row
        .ended_at
        .map(|at| at.with_timezone(&Local).format(" to %H:%M").to_string())
        .unwrap_or_default();
    ui.label(RichText::new(format!("{}{ended}", local_time(row.started_at))).color(muted));
    ui.add_space(6.0);
    egui::Grid::new("history-detail")
        .num_columns(2)
        .spacing(egui::vec2(16.0, 4.0))
        .show(ui, |ui| {
            ui.label("Outcome");
            ui.label(row.outcome.label());
            ui.end_row();
            ui.label("Time");
            ui.label(format!(
                "{} of {}",
                format_clock(u64::from(row.active_secs)),
                format_clock(u64::from(row.planned_secs))
            ));
            ui.end_row();
            ui.label("Steps");
            ui.label(format!("{} of {}", row.steps_done, row.step_count));
            ui.end_row();
            ui.label("Heat");
            ui.label(if row.heat_used { "Yes" } else { "No" });
            ui.end_row();
        });
    // Below the figures, wrapped: a long list never widens the panel.
    if !row.regions.is_empty() {
        ui.add(
            egui::Label::new(format!(
                "Regions: {}",
                row.regions.join(", ").replace('_', " ")
            ))
            .wrap(),
        );
    }
    ui.add_space(8.0);
    super::setup::pain_ui(
        ui,
        "Pain before",
        "Pain before",
        detail.pain_before,
        |pain| detail.pain_before = pain,
    );
    super::setup::pain_ui(ui, "Pain after", "Pain after", detail.pain_after, |pain| {
        detail.pain_after = pain
    });
    let label = ui.label("Notes");
    // Clear of the scroll bar, and never wider than the panel.
    let width = (ui.available_width() - 14.0).max(120.0);
    ui.add(
        egui::TextEdit::multiline(&mut detail.notes)
            .id_salt(("history-notes", row.id))
            .desired_rows(3)
            .desired_width(width),
    )
    .labelled_by(label.id);
    ui.add_space(6.0);
    // Wraps in a narrow panel: the delete question never pushes past its edge.
    ui.horizontal_wrapped(|ui| {
        if ui
            .add_enabled(detail.changed(), egui::Button::new("Save changes"))
            .clicked()
        {
            commands.push(Command::History(HistoryCommand::EditSession {
                id: row.id,
                pain_before: detail.pain_before,
                pain_after: detail.pain_after,
                notes: detail.notes.clone(),
            }));
        }
        if detail.confirm_delete {
            ui.label("Delete this session?");
            if ui.button("Delete").clicked() {
                commands.push(Command::History(HistoryCommand::DeleteSession(row.id)));
            }
            if ui.button("Keep").clicked() {
                detail.confirm_delete = false;
            }
        } else if ui.button("Delete…").clicked() {
            detail.confirm_delete = true;
        }
    });
    if close {
        state.detail = None;
    }
}

fn export_bar(ui: &mut egui::Ui, state: &mut HistoryState, commands: &mut Vec<Command>) {
    theme::card_frame(ui.visuals()).show(ui, |ui| {
        ui.horizontal_wrapped(|ui| {
            ui.label("Export the sessions shown as");
            for format in [ExportFormat::Csv, ExportFormat::Json] {
                let name = match format {
                    ExportFormat::Csv => "CSV",
                    ExportFormat::Json => "JSON",
                };
                if ui.radio(state.export_format == format, name).clicked() {
                    state.export_path_for(format);
                }
            }
            ui.label("to");
            let label = ui.label("File");
            ui.add(egui::TextEdit::singleline(&mut state.export_path).desired_width(300.0))
                .labelled_by(label.id);
            if ui.button("Browse…").clicked() {
                commands.push(Command::History(HistoryCommand::BrowseExport));
            }
            let path = state.export_path.trim();
            if ui
                .add_enabled(!path.is_empty(), egui::Button::new("Export"))
                .clicked()
            {
                commands.push(Command::History(HistoryCommand::Export(
                    std::path::PathBuf::from(path),
                )));
            }
        });
    });
}
