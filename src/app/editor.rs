//! The routine editor's working copy: its checks (the same as `unknot check`,
//! run only when the draft changes), step moves that keep the heat where the
//! person put it, and undo.

use std::path::PathBuf;

use super::command::NavCommand;
use crate::core::parse::{Problem, routine_to_toml};
use crate::core::routine::{HeatSpan, Pressure, Region, Routine, Side, Step, Technique, Tool};
use crate::library::Library;

/// How many changes Undo can take back.
const UNDO_DEPTH: usize = 50;

/// The parts of the editor that Undo puts back.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Snapshot {
    draft: Routine,
    tags_text: String,
    step_keys: Vec<u64>,
}

/// The routine being edited and where it will be saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditorState {
    /// The working copy.
    pub draft: Routine,
    /// The file this routine was loaded from, when editing the person's own routine.
    pub original_path: Option<PathBuf>,
    /// The id the routine had when editing began (its own id is not a clash).
    pub original_id: Option<String>,
    /// Tags as typed, comma separated.
    pub tags_text: String,
    /// Whether the delete confirmation is showing.
    pub confirm_delete: bool,
    /// Whether "discard your changes?" is showing (Cancel or leaving with edits).
    pub confirm_discard: bool,
    /// Where the person was going when "discard your changes?" was asked.
    pub leave_to: Option<NavCommand>,
    /// The name of the built-in routine this one was copied from.
    pub copied_from: Option<String>,
    /// A stable key per step, so a step's fields keep their identity (and
    /// the keyboard focus) when steps move or a message appears above them.
    pub step_keys: Vec<u64>,
    /// What the last structural change did, with Undo offered beside it.
    pub last_change: Option<String>,
    next_key: u64,
    undo: Vec<(Snapshot, String)>,
    /// The routine as it was when editing began, to tell whether anything changed.
    saved: Routine,
    /// The routine last checked and what the check found.
    checked: Option<(Routine, Vec<Problem>)>,
}

impl EditorState {
    /// Starts editing `routine`; `original_path` is `None` for a new or duplicated routine.
    pub fn new(routine: Routine, original_path: Option<PathBuf>) -> Self {
        let original_id = original_path.as_ref().map(|_| routine.id.clone());
        let tags_text = routine.tags.join(", ");
        let count = routine.steps.len() as u64;
        Self {
            saved: if original_path.is_some() {
                routine.clone()
            } else {
                // A new routine or a copy is not saved anywhere yet.
                Routine {
                    steps: Vec::new(),
                    ..routine.clone()
                }
            },
            draft: routine,
            original_path,
            original_id,
            tags_text,
            confirm_delete: false,
            confirm_discard: false,
            leave_to: None,
            copied_from: None,
            step_keys: (0..count).collect(),
            last_change: None,
            next_key: count,
            undo: Vec::new(),
            checked: None,
        }
    }

    /// The draft with the typed tags applied.
    pub fn routine(&self) -> Routine {
        let mut routine = self.draft.clone();
        routine.tags = self
            .tags_text
            .split(',')
            .map(|tag| tag.trim().to_owned())
            .filter(|tag| !tag.is_empty())
            .collect();
        routine
    }

    /// Whether there is anything that leaving would lose.
    pub fn has_changes(&self) -> bool {
        self.original_path.is_none() || self.routine() != self.saved
    }

    /// Every problem that would stop the routine from loading, in `unknot
    /// check` words. The check runs again only when the draft has changed.
    pub fn problems(&mut self, library: &Library) -> &[Problem] {
        let routine = self.routine();
        let stale = self
            .checked
            .as_ref()
            .is_none_or(|(checked, _)| *checked != routine);
        if stale {
            let problems = self.check(&routine, library);
            self.checked = Some((routine, problems));
        }
        self.checked
            .as_ref()
            .map(|(_, problems)| problems.as_slice())
            .unwrap_or_default()
    }

    fn check(&self, routine: &Routine, library: &Library) -> Vec<Problem> {
        let label = format!("{}.toml", routine.id);
        let mut problems = match crate::library::parse_checked(&label, &routine_to_toml(routine)) {
            Ok(_) => Vec::new(),
            Err(problems) => problems,
        };
        if let Some(existing) = library.find(&routine.id)
            && self.original_id.as_deref() != Some(routine.id.as_str())
        {
            problems.push(Problem {
                file: label,
                line: None,
                field: Some("id".into()),
                reason: format!(
                    "id \"{}\" is already used by \"{}\"; give this routine another id",
                    routine.id, existing.routine.name
                ),
            });
        }
        problems
    }

    fn remember(&mut self, what: String) {
        let snapshot = Snapshot {
            draft: self.draft.clone(),
            tags_text: self.tags_text.clone(),
            step_keys: self.step_keys.clone(),
        };
        self.undo.push((snapshot, what.clone()));
        if self.undo.len() > UNDO_DEPTH {
            self.undo.remove(0);
        }
        self.last_change = Some(what);
    }

    /// Takes back the last structural change (a step added, moved or
    /// removed, heat added or removed). Returns false when there is none.
    pub fn undo(&mut self) -> bool {
        let Some((snapshot, _)) = self.undo.pop() else {
            return false;
        };
        self.draft = snapshot.draft;
        self.tags_text = snapshot.tags_text;
        self.step_keys = snapshot.step_keys;
        self.last_change = self.undo.last().map(|(_, what)| what.clone());
        true
    }

    /// Whether Undo has anything to take back.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Adds a blank step at the end.
    pub fn add_step(&mut self) {
        self.remember(format!("Added step {}.", self.draft.steps.len() + 1));
        self.draft.steps.push(new_step());
        self.step_keys.push(self.next_key);
        self.next_key += 1;
    }

    /// Swaps step `index` with the one above (`up`) or below. Heat laid on
    /// alongside steps stays on the same step numbers: it lies on a place on
    /// the body at a time in the routine, not on one step's text.
    pub fn move_step(&mut self, index: usize, up: bool) {
        let other = if up {
            index.checked_sub(1)
        } else {
            Some(index + 1)
        };
        let Some(other) = other.filter(|other| *other < self.draft.steps.len()) else {
            return;
        };
        if index >= self.draft.steps.len() {
            return;
        }
        self.remember(format!(
            "Moved step {} {}.",
            index + 1,
            if up { "up" } else { "down" }
        ));
        self.draft.steps.swap(index, other);
        self.step_keys.swap(index, other);
    }

    /// Removes step `index`. Heat laid on alongside it shrinks to the steps
    /// left; heat that lay on that step alone goes with it, and the change
    /// says so.
    pub fn remove_step(&mut self, index: usize) {
        if index >= self.draft.steps.len() || self.draft.steps.len() <= 1 {
            return;
        }
        let title = self.draft.steps[index].title.clone();
        let (spans, dropped) = spans_without_step(&self.draft.heat, index);
        let mut what = format!("Removed step {} \"{}\".", index + 1, title.trim());
        if dropped > 0 {
            what.push_str(" The heat that lay on that step alone was removed with it.");
        }
        self.remember(what);
        self.draft.steps.remove(index);
        self.step_keys.remove(index);
        self.draft.heat = spans;
    }

    /// Lays heat alongside steps (all of them, to start with).
    pub fn add_heat(&mut self) {
        self.remember("Added heat.".to_owned());
        self.draft.heat.push(HeatSpan {
            source: Tool::HeatPack,
            region: Region::LowerBack,
            from_step: 0,
            to_step: self.draft.steps.len().saturating_sub(1),
            alongside: true,
        });
    }

    /// Removes the heat laid on alongside steps at `index` in the list.
    pub fn remove_heat(&mut self, index: usize) {
        if index < self.draft.heat.len() {
            self.remember(format!("Removed heat {}.", index + 1));
            self.draft.heat.remove(index);
        }
    }
}

/// The heat spans once step `removed` is gone, and how many spans lay on
/// that step alone (and so went with it).
fn spans_without_step(spans: &[HeatSpan], removed: usize) -> (Vec<HeatSpan>, usize) {
    let mut kept = Vec::with_capacity(spans.len());
    let mut dropped = 0;
    for span in spans {
        if span.from_step == removed && span.to_step == removed {
            dropped += 1;
            continue;
        }
        let shift = |step: usize| if step > removed { step - 1 } else { step };
        kept.push(HeatSpan {
            from_step: shift(span.from_step),
            to_step: if span.to_step >= removed && span.to_step > span.from_step {
                span.to_step - 1
            } else {
                shift(span.to_step)
            },
            ..*span
        });
    }
    (kept, dropped)
}

/// A blank step to add: the title and instructions are left for the person
/// to write (the fields show what goes there, and the check asks for them).
pub fn new_step() -> Step {
    Step {
        title: String::new(),
        region: Region::LowerBack,
        technique: Technique::Kneading,
        tool: Tool::Hands,
        pressure: Pressure::Medium,
        side: Side::Center,
        duration_secs: 60,
        instructions: String::new(),
        fixed: false,
        say: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(from_step: usize, to_step: usize) -> HeatSpan {
        HeatSpan {
            source: Tool::HeatPack,
            region: Region::LowerBack,
            from_step,
            to_step,
            alongside: true,
        }
    }

    #[test]
    fn removing_a_step_shrinks_the_heat_over_it_and_drops_heat_on_it_alone() {
        // Heat over steps 1..=3, heat on step 2 alone, heat over 3..=4.
        let spans = [span(1, 3), span(2, 2), span(3, 4)];
        let (kept, dropped) = spans_without_step(&spans, 2);
        assert_eq!(dropped, 1);
        assert_eq!(kept, vec![span(1, 2), span(2, 3)]);
        // Removing the first step of a span keeps it on the steps that were after.
        let (kept, dropped) = spans_without_step(&[span(0, 2)], 0);
        assert_eq!((kept, dropped), (vec![span(0, 1)], 0));
        // A step after every span changes nothing.
        let (kept, _) = spans_without_step(&[span(0, 1)], 3);
        assert_eq!(kept, vec![span(0, 1)]);
    }

    fn routine(steps: usize) -> Routine {
        Routine {
            id: "r".into(),
            name: "R".into(),
            summary: "S".into(),
            tools: Vec::new(),
            tags: Vec::new(),
            steps: (0..steps)
                .map(|index| Step {
                    title: format!("Step {index}"),
                    instructions: "Slow strokes.".into(),
                    ..new_step()
                })
                .collect(),
            heat: vec![span(0, steps - 1)],
            sources: Vec::new(),
        }
    }

    #[test]
    fn remove_move_and_add_can_all_be_undone_in_order() {
        let mut editor = EditorState::new(routine(3), Some(PathBuf::from("r.toml")));
        assert!(!editor.has_changes());
        let before = editor.clone();
        editor.remove_step(1);
        assert_eq!(editor.draft.steps.len(), 2);
        assert_eq!(editor.draft.heat, vec![span(0, 1)]);
        assert_eq!(editor.step_keys, vec![0, 2]);
        editor.move_step(1, true);
        assert_eq!(editor.draft.steps[0].title, "Step 2");
        assert_eq!(editor.step_keys, vec![2, 0]);
        editor.add_step();
        assert_eq!(editor.step_keys, vec![2, 0, 3], "a new step gets a new key");
        assert!(editor.has_changes());
        assert!(editor.undo() && editor.undo() && editor.undo());
        assert!(!editor.undo(), "nothing more to undo");
        assert_eq!(editor.draft, before.draft);
        assert_eq!(editor.step_keys, before.step_keys);
        assert!(!editor.has_changes());
    }

    #[test]
    fn the_last_step_cannot_be_removed_and_moves_past_the_ends_do_nothing() {
        let mut editor = EditorState::new(routine(1), None);
        editor.remove_step(0);
        editor.move_step(0, true);
        editor.move_step(0, false);
        assert_eq!(editor.draft.steps.len(), 1);
        assert!(!editor.can_undo());
    }

    #[test]
    fn a_new_step_is_blank_and_the_check_asks_for_its_words() {
        let mut editor = EditorState::new(routine(1), None);
        editor.add_step();
        let library = crate::library::load_builtin();
        let problems = editor.problems(&library).to_vec();
        assert!(
            problems
                .iter()
                .any(|problem| problem.field.as_deref() == Some("steps[2].title")),
            "{problems:?}"
        );
        // Writing the words clears those problems, once the draft changes.
        editor.draft.steps[1].title = "Forearm circles".into();
        editor.draft.steps[1].instructions = "Small circles along the forearm.".into();
        let left = editor.problems(&library).to_vec();
        assert!(left.is_empty(), "{left:?}");
    }
}
