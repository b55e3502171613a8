//! The routine model: what a person does, where, with what and for how long.
//!
//! Pure data with no I/O, so the parser, the engine and the UI all agree on one
//! vocabulary and tests can build routines directly.

use serde::{Deserialize, Serialize};

/// Defines a closed vocabulary enum with its file spelling, a human label and the
/// list of every value, so parsing errors can name the accepted words.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal { $($variant:ident => $file:literal, $label:literal;)+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $(
                #[doc = $label]
                #[serde(rename = $file)]
                $variant,
            )+
        }

        impl $name {
            /// Every value, in the order shown to people.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// What this kind of value is called in messages.
            pub const WHAT: &'static str = $what;

            /// The spelling used in routine files.
            pub fn file_name(self) -> &'static str {
                match self { $($name::$variant => $file),+ }
            }

            /// The words shown on screen.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Reads the file spelling; `None` for anything else.
            pub fn from_file_name(text: &str) -> Option<Self> {
                match text { $($file => Some($name::$variant),)+ _ => None }
            }

            /// The accepted spellings, for error messages.
            pub fn accepted() -> String {
                [$($file),+].join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

vocabulary! {
    /// The part of the back a step works on.
    Region, "region" {
        Neck => "neck", "Neck";
        Shoulders => "shoulders", "Shoulders";
        UpperBack => "upper_back", "Upper back";
        MidBack => "mid_back", "Mid back";
        LowerBack => "lower_back", "Lower back";
        Glutes => "glutes", "Glutes";
        Hips => "hips", "Hips";
        WholeBack => "whole_back", "Whole back";
    }
}

vocabulary! {
    /// How the step works the tissue.
    Technique, "technique" {
        Stroking => "stroking", "Stroking";
        Kneading => "kneading", "Kneading";
        TriggerPoint => "trigger_point", "Trigger point";
        Acupressure => "acupressure", "Acupressure";
        Rolling => "rolling", "Rolling";
        Stretching => "stretching", "Stretching";
        Breathing => "breathing", "Breathing";
        Heat => "heat", "Heat";
    }
}

vocabulary! {
    /// What the person holds, leans on or lays on their back.
    Tool, "tool" {
        Hands => "hands", "Hands";
        MassageBall => "massage_ball", "Massage ball";
        FoamRoller => "foam_roller", "Foam roller";
        HeatPack => "heat_pack", "Heat pack";
        HotTowel => "hot_towel", "Hot towel";
        WarmStone => "warm_stone", "Warm stone";
        NoTool => "none", "No tool";
    }
}

vocabulary! {
    /// How hard to press, in terms people can feel.
    Pressure, "pressure" {
        Light => "light", "Light";
        Medium => "medium", "Medium";
        Firm => "firm", "Firm";
    }
}

vocabulary! {
    /// Which side of the body. `Both` means one side and then the other, with a
    /// switch cue halfway; `Center` means no sides (breathing, along the midline).
    Side, "side" {
        Both => "both", "Both sides";
        Left => "left", "Left side";
        Right => "right", "Right side";
        Center => "center", "Centre";
    }
}

impl Pressure {
    /// A one-line reminder of what the level feels like.
    pub fn hint(self) -> &'static str {
        match self {
            Pressure::Light => "the skin moves",
            Pressure::Medium => "the muscle moves",
            Pressure::Firm => "deep, still comfortable",
        }
    }
}

/// The longest a heat source may stay on continuously (common guidance for
/// heat packs and pads).
pub const HEAT_CAP_SECS: u32 = 20 * 60;

impl Tool {
    /// Heat sources need the heat safety rules.
    pub fn is_heat_source(self) -> bool {
        matches!(self, Tool::HeatPack | Tool::HotTowel | Tool::WarmStone)
    }
}

/// One timed step of a routine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Short name shown large on the player.
    pub title: String,
    /// Where on the back.
    pub region: Region,
    /// How.
    pub technique: Technique,
    /// With what.
    pub tool: Tool,
    /// How hard.
    pub pressure: Pressure,
    /// Which side; `Both` gets a switch cue halfway.
    pub side: Side,
    /// Length at the routine's default length.
    pub duration_secs: u32,
    /// What to do, in plain sentences.
    pub instructions: String,
    /// A fixed step keeps its length when the routine is scaled (breathing, heat).
    pub fixed: bool,
    /// A short sentence the voice adds after the title and side when the step
    /// starts ("Slow strokes from the ear down to the shoulder."); the title
    /// alone when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub say: Option<String>,
}

impl Step {
    /// Heat steps carry the heat safety rules (cap, skin checks, towel reminder).
    pub fn uses_heat(&self) -> bool {
        self.technique == Technique::Heat || self.tool.is_heat_source()
    }

    /// Whether the step works a part of the back; breathing, settling and
    /// getting ready do not.
    pub fn works_a_region(&self) -> bool {
        self.technique != Technique::Breathing
    }
}

/// A complete routine as loaded from a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Routine {
    /// Stable identifier, unique in the library; used to remember preferences and history.
    pub id: String,
    /// Name shown on the card.
    pub name: String,
    /// One or two sentences on what it is for.
    pub summary: String,
    /// Extra tools the author lists (the steps' own tools are always included).
    pub tools: Vec<Tool>,
    /// Free words to group routines ("evening", "quick").
    pub tags: Vec<String>,
    /// The steps in order.
    pub steps: Vec<Step>,
    /// Heat applied while other steps play, declared with `[[heat]]`.
    #[serde(default)]
    pub heat: Vec<HeatSpan>,
    /// What the routine's claims rest on: keys of [`super::sources::SOURCES`]
    /// or, in a person's own file, a citation in their words.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// Heat on one region over a run of steps: either declared in the routine file
/// to run alongside massage steps, or a heat step (or run of heat steps) itself.
/// Either way the heat rules apply: towel first, skin checks, at most
/// [`HEAT_CAP_SECS`] on, and a cue to take it off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeatSpan {
    /// What gives the heat.
    pub source: Tool,
    /// Where it lies.
    pub region: Region,
    /// First step it covers (0-based).
    pub from_step: usize,
    /// Last step it covers (0-based, inclusive).
    pub to_step: usize,
    /// Whether it runs alongside other steps (declared) rather than being heat steps.
    pub alongside: bool,
}

impl HeatSpan {
    /// Whether step `index` is under this heat.
    pub fn covers(&self, index: usize) -> bool {
        (self.from_step..=self.to_step).contains(&index)
    }
}

impl Routine {
    /// Every stretch of heat, in step order: declared spans, and runs of heat
    /// steps (back-to-back heat steps are one stretch of heat on the skin).
    pub fn heat_spans(&self) -> Vec<HeatSpan> {
        let mut spans = self.heat.clone();
        let mut index = 0;
        while index < self.steps.len() {
            if self.steps[index].uses_heat() {
                let first = index;
                while self
                    .steps
                    .get(index + 1)
                    .is_some_and(|next| next.uses_heat())
                {
                    index += 1;
                }
                let step = &self.steps[first];
                spans.push(HeatSpan {
                    source: if step.tool.is_heat_source() {
                        step.tool
                    } else {
                        Tool::HeatPack
                    },
                    region: step.region,
                    from_step: first,
                    to_step: index,
                    alongside: false,
                });
            }
            index += 1;
        }
        spans.sort_by_key(|span| (span.from_step, span.to_step));
        spans
    }

    /// The routine's own length: the sum of its steps.
    pub fn default_length_secs(&self) -> u32 {
        self.steps.iter().map(|step| step.duration_secs).sum()
    }

    /// Every tool a person needs to have at hand, in a stable order, without "none".
    pub fn tools_needed(&self) -> Vec<Tool> {
        let mut tools: Vec<Tool> = self
            .tools
            .iter()
            .copied()
            .chain(self.steps.iter().map(|step| step.tool))
            // Heat laid alongside steps needs its pack too.
            .chain(self.heat.iter().map(|span| span.source))
            .filter(|tool| *tool != Tool::NoTool)
            .collect();
        tools.sort();
        tools.dedup();
        tools
    }

    /// The regions the routine works, in body order. Breathing and settling
    /// steps work no region, so they are left out; a routine of nothing but
    /// breathing lists the whole back.
    pub fn regions(&self) -> Vec<Region> {
        let mut regions: Vec<Region> = self
            .steps
            .iter()
            .filter(|step| step.works_a_region())
            .map(|step| step.region)
            .collect();
        if regions.is_empty() {
            regions.push(Region::WholeBack);
        }
        regions.sort();
        regions.dedup();
        regions
    }

    /// Whether any step applies heat, so the library can badge it.
    pub fn uses_heat(&self) -> bool {
        !self.heat.is_empty() || self.steps.iter().any(Step::uses_heat)
    }
}

/// Formats seconds as `m:ss`, or `h:mm:ss` past an hour.
///
/// ```
/// use unknot::core::routine::format_clock;
/// assert_eq!(format_clock(905), "15:05");
/// assert_eq!(format_clock(3605), "1:00:05");
/// ```
pub fn format_clock(total_secs: u64) -> String {
    let hours = total_secs / 3600;
    let minutes = (total_secs % 3600) / 60;
    let seconds = total_secs % 60;
    if hours > 0 {
        format!("{hours}:{minutes:02}:{seconds:02}")
    } else {
        format!("{minutes}:{seconds:02}")
    }
}

/// Formats a length in words for cards and lists ("15 min", "1 min 30 s").
pub fn format_length(total_secs: u64) -> String {
    let minutes = total_secs / 60;
    let seconds = total_secs % 60;
    match (minutes, seconds) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heat_laid_alongside_steps_puts_its_pack_on_the_list_of_things_to_have() {
        let mut routine = crate::core::parse::parse_routine(
            "r",
            crate::library::BUILTIN_FILES
                .iter()
                .find(|(name, _)| *name == "quick-tension-break.toml")
                .map(|(_, text)| *text)
                .unwrap_or_default(),
        )
        .expect("a built-in parses");
        assert!(!routine.tools_needed().contains(&Tool::HeatPack));
        routine.heat.push(HeatSpan {
            source: Tool::HeatPack,
            region: Region::LowerBack,
            from_step: 0,
            to_step: 0,
            alongside: true,
        });
        assert!(routine.tools_needed().contains(&Tool::HeatPack));
    }

    #[test]
    fn vocabulary_round_trips_every_file_name() {
        for region in Region::ALL {
            assert_eq!(Region::from_file_name(region.file_name()), Some(*region));
        }
        for side in Side::ALL {
            assert_eq!(Side::from_file_name(side.file_name()), Some(*side));
        }
        assert_eq!(Region::from_file_name("lower-back"), None);
        assert!(Tool::accepted().contains("massage_ball"));
    }

    #[test]
    fn clock_formatting() {
        assert_eq!(format_clock(0), "0:00");
        assert_eq!(format_clock(65), "1:05");
        assert_eq!(format_clock(900), "15:00");
        assert_eq!(format_clock(3725), "1:02:05");
        assert_eq!(format_length(900), "15 min");
        assert_eq!(format_length(90), "1 min 30 s");
        assert_eq!(format_length(45), "45 s");
    }
}
