//! Sources on screen: the "Why this routine" view and the sources under a
//! claim in the app's own text, each saying how strong its finding is.

use egui::RichText;

use super::theme;
use crate::core::routine::Routine;
use crate::core::sources::{self, Claim, Source};

/// One source: its short name, how strong the finding is, what it found,
/// and the full reference in small text.
fn source_ui(ui: &mut egui::Ui, source: &Source) {
    let muted = theme::muted(ui.visuals());
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(source.short).strong());
        ui.label(RichText::new(format!("\u{b7} {}", source.strength.label())).color(muted));
    });
    ui.label(source.finding);
    ui.label(RichText::new(source.reference).small().color(muted));
    ui.add_space(6.0);
}

/// A citation a person wrote in their own routine file.
fn own_citation_ui(ui: &mut egui::Ui, citation: &str) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(citation).strong());
        ui.label(
            RichText::new("\u{b7} cited in this routine's file").color(theme::muted(ui.visuals())),
        );
    });
    ui.add_space(6.0);
}

/// The "Why this routine" view: what the routine rests on, strongest first,
/// and the limit that keeps longer sessions safe. Closed until opened.
pub fn why_ui(ui: &mut egui::Ui, routine: &Routine) {
    egui::CollapsingHeader::new(RichText::new("Why this routine").strong())
        .id_salt(("why", &routine.id))
        .default_open(false)
        .show(ui, |ui| {
            ui.set_max_width(680.0);
            if routine.sources.is_empty() {
                ui.label("This routine lists no sources.");
            }
            let known: Vec<&Source> = sources::SOURCES
                .iter()
                .filter(|source| routine.sources.iter().any(|key| key == source.key))
                .collect();
            for source in known {
                source_ui(ui, source);
            }
            for citation in routine
                .sources
                .iter()
                .filter(|entry| sources::find(entry).is_none())
            {
                own_citation_ui(ui, citation);
            }
            ui.label(RichText::new("The course plan").strong());
            claim_ui(ui, &crate::core::sources::COURSE_CLAIM, None);
            ui.add_space(6.0);
            ui.label(
                RichText::new(
                    "Longer sessions never hold one spot longer than its technique's limit: they repeat the middle of the routine in rounds instead.",
                )
                .color(theme::muted(ui.visuals())),
            );
        });
}

/// A claim in the app's own words with its sources folded away beneath it.
pub fn claim_ui(ui: &mut egui::Ui, claim: &Claim, color: Option<egui::Color32>) {
    let text = RichText::new(claim.text);
    ui.label(match color {
        Some(color) => text.color(color),
        None => text,
    });
    egui::CollapsingHeader::new(
        RichText::new(format!("Sources ({})", claim.sources.len())).small(),
    )
    .id_salt(("claim", claim.text.len(), claim.sources))
    .default_open(false)
    .show(ui, |ui| {
        for key in claim.sources {
            if let Some(source) = sources::find(key) {
                source_ui(ui, source);
            }
        }
    });
}
