//! Reading routine files: TOML text in, a [`Routine`] or a list of [`Problem`]s out.
//!
//! Every problem names the file, the line and the field, so a person editing a
//! routine by hand can fix it without guessing. No filesystem access here: the
//! caller passes the text and the name to show.

use std::fmt;
use std::ops::Range;

use toml::Spanned;

use super::routine::{
    HEAT_CAP_SECS, HeatSpan, Pressure, Region, Routine, Side, Step, Technique, Tool,
};

/// Routine files larger than this are refused before parsing.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;
/// The longest a single step may be; longer is almost surely a typo (minutes typed as seconds).
pub const MAX_STEP_SECS: i64 = 60 * 60;
/// The longest a whole routine may be at its default length.
pub const MAX_ROUTINE_SECS: i64 = 3 * 60 * 60;
/// The longest a text field may be, in characters: a name or title fits a
/// line or two of the player at large text, a summary a card, instructions a
/// card a person can read at a glance.
pub fn max_chars(field: &str) -> usize {
    match field_word(field) {
        "name" | "title" => 80,
        "summary" => 400,
        "say" => 200,
        _ => 1000,
    }
}

/// The most steps a routine may have.
pub const MAX_STEPS: usize = 200;
/// The longest identifier.
pub const MAX_ID_CHARS: usize = 64;

/// One thing wrong with a routine file, precise enough to fix by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file as shown to the person (a path or "built-in: name").
    pub file: String,
    /// 1-based line, when the problem has a place in the file.
    pub line: Option<usize>,
    /// The field, e.g. `id` or `steps[3].region` (steps counted from 1).
    pub field: Option<String>,
    /// A plain reason.
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// Turns byte offsets into 1-based line numbers.
struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(offset, _)| offset + 1))
            .collect();
        Self { line_starts }
    }

    fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(index) => index + 1,
            Err(index) => index,
        }
    }
}

/// Collects problems for one file.
struct Reporter<'a> {
    file: &'a str,
    lines: LineIndex,
    problems: Vec<Problem>,
}

impl Reporter<'_> {
    fn at(
        &mut self,
        span: Option<Range<usize>>,
        field: impl Into<String>,
        reason: impl Into<String>,
    ) {
        self.push(span, Some(field.into()), reason.into());
    }

    /// Adds a problem; a field already reported (a wrong type, say) is not
    /// reported again as missing. Problems without a place point at line 1.
    fn push(&mut self, span: Option<Range<usize>>, field: Option<String>, reason: String) {
        if reason.starts_with("missing")
            && field.is_some()
            && self.problems.iter().any(|problem| problem.field == field)
        {
            return;
        }
        self.problems.push(Problem {
            file: self.file.to_owned(),
            line: Some(span.map_or(1, |span| self.lines.line_of(span.start))),
            field,
            reason,
        });
    }

    /// A required text field: present and not blank.
    fn text(
        &mut self,
        value: Option<Spanned<String>>,
        table_span: Option<Range<usize>>,
        field: &str,
    ) -> Option<String> {
        match value {
            None => {
                self.at(table_span, field, format!("missing {}", field_word(field)));
                None
            }
            Some(value) if value.get_ref().trim().is_empty() => {
                self.at(
                    Some(value.span()),
                    field,
                    format!("{} is empty", field_word(field)),
                );
                None
            }
            Some(value) if value.get_ref().trim().chars().count() > max_chars(field) => {
                let limit = max_chars(field);
                self.at(
                    Some(value.span()),
                    field,
                    format!(
                        "{} is {} characters long; keep it to {limit} {}",
                        field_word(field),
                        value.get_ref().trim().chars().count(),
                        if field_word(field) == "say" {
                            "so it is said before the next cue"
                        } else {
                            "so it fits on screen"
                        }
                    ),
                );
                None
            }
            Some(value) => Some(value.into_inner().trim().to_owned()),
        }
    }

    /// A required word from a closed vocabulary.
    fn word<T>(
        &mut self,
        value: Option<Spanned<String>>,
        table_span: Option<Range<usize>>,
        field: &str,
        what: &str,
        parse: fn(&str) -> Option<T>,
        accepted: fn() -> String,
    ) -> Option<T> {
        let Some(value) = value else {
            self.at(
                table_span,
                field,
                format!("missing {what} (one of: {})", accepted()),
            );
            return None;
        };
        let parsed = parse(value.get_ref().trim());
        if parsed.is_none() {
            self.at(
                Some(value.span()),
                field,
                format!(
                    "unknown {what} \"{}\" (expected one of: {})",
                    value.get_ref(),
                    accepted()
                ),
            );
        }
        parsed
    }
}

/// The last path segment of a field name, for messages ("steps[2].title" → "title").
fn field_word(field: &str) -> &str {
    field.rsplit('.').next().unwrap_or(field)
}

/// The line of a top-level `key = …` in a routine file, for problems found
/// after parsing (an id already taken, say).
pub fn top_level_line(text: &str, key: &str) -> Option<usize> {
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_start();
        if line.starts_with('[') {
            return None;
        }
        if let Some(rest) = line.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            return Some(index + 1);
        }
    }
    None
}

/// An id based on `base` that `taken` does not know: `base` itself, else
/// `base-2`, `base-3`… with `base` shortened so the result stays a valid id.
pub fn free_id(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_owned();
    }
    (2_u32..)
        .map(|n| {
            let suffix = format!("-{n}");
            let room = MAX_ID_CHARS.saturating_sub(suffix.len());
            let stem: String = base.chars().take(room).collect();
            format!("{}{suffix}", stem.trim_end_matches('-'))
        })
        .find(|id| !taken(id))
        .unwrap_or_else(|| base.to_owned())
}

/// Whether an id is safe as a file name and stable in history: lowercase ASCII
/// letters, digits and hyphens, starting with a letter or digit.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.chars().count() <= MAX_ID_CHARS
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-')
}

/// Parses one routine file. `file` is only used in messages.
pub fn parse_routine(file: &str, text: &str) -> Result<Routine, Vec<Problem>> {
    if text.len() > MAX_FILE_BYTES {
        let cut = text
            .char_indices()
            .take_while(|(offset, _)| *offset < MAX_FILE_BYTES)
            .filter(|(_, c)| *c == '\n')
            .count();
        return Err(vec![Problem {
            file: file.to_owned(),
            // The line where the file passes the limit.
            line: Some(cut + 1),
            field: None,
            reason: format!(
                "file is {} KiB; routine files may be at most {} KiB",
                text.len() / 1024,
                MAX_FILE_BYTES / 1024
            ),
        }]);
    }
    let mut report = Reporter {
        file,
        lines: LineIndex::new(text),
        problems: Vec::new(),
    };
    let (raw, raw_problems) = super::parse_raw::read(text);
    let syntax_broken = raw_problems.iter().any(|problem| problem.field.is_none());
    for problem in raw_problems {
        // Past a syntax error the rest of the file cannot be trusted.
        if !syntax_broken || problem.field.is_none() {
            report.push(problem.span, problem.field, problem.reason);
        }
    }
    if syntax_broken {
        return Err(report.problems);
    }

    let id_span = raw.id.as_ref().map(Spanned::span);
    let id = report.text(raw.id, Some(0..0), "id");
    if let Some(id) = &id
        && !is_valid_id(id)
    {
        report.at(
            id_span,
            "id",
            format!(
                "id \"{id}\" may use only lowercase letters, digits and hyphens (at most {MAX_ID_CHARS})"
            ),
        );
    }
    let name = report.text(raw.name, Some(0..0), "name");
    let summary = report.text(raw.summary, Some(0..0), "summary");

    let mut tools = Vec::new();
    for (index, tool) in raw.tools.into_iter().enumerate() {
        let field = format!("tools[{}]", index + 1);
        let span = Some(tool.span());
        if let Some(tool) = report.word(
            Some(tool),
            span,
            &field,
            Tool::WHAT,
            Tool::from_file_name,
            Tool::accepted,
        ) {
            tools.push(tool);
        }
    }
    let sources = read_sources(&mut report, raw.sources);
    let tags = raw
        .tags
        .into_iter()
        .map(|tag| tag.into_inner().trim().to_owned())
        .filter(|tag| !tag.is_empty())
        .collect();

    if raw.steps.is_empty() {
        report.at(
            None,
            "steps",
            "a routine needs at least one [[steps]] table",
        );
    }
    if let Some(extra) = raw.steps.get(MAX_STEPS) {
        report.at(
            Some(extra.span()),
            "steps",
            format!(
                "{} steps; at most {MAX_STEPS} are allowed (this is step {})",
                raw.steps.len(),
                MAX_STEPS + 1
            ),
        );
    }
    let step_spans: Vec<Range<usize>> = raw.steps.iter().map(Spanned::span).collect();
    // Where the steps' running total first passes the routine limit.
    let mut total_passed_at: Option<Range<usize>> = None;

    let raw_step_count = raw.steps.len();
    let mut over_limits = Vec::new();
    let mut steps = Vec::new();
    let mut total_secs: i64 = 0;
    for (index, spanned_step) in raw.steps.into_iter().enumerate() {
        let table_span = Some(spanned_step.span());
        let raw_step = spanned_step.into_inner();
        let prefix = format!("steps[{}]", index + 1);
        let field = |name: &str| format!("{prefix}.{name}");
        let title = report.text(raw_step.title, table_span.clone(), &field("title"));
        let region = report.word(
            raw_step.region,
            table_span.clone(),
            &field("region"),
            Region::WHAT,
            Region::from_file_name,
            Region::accepted,
        );
        let technique = report.word(
            raw_step.technique,
            table_span.clone(),
            &field("technique"),
            Technique::WHAT,
            Technique::from_file_name,
            Technique::accepted,
        );
        let tool = report.word(
            raw_step.tool,
            table_span.clone(),
            &field("tool"),
            Tool::WHAT,
            Tool::from_file_name,
            Tool::accepted,
        );
        let pressure = report.word(
            raw_step.pressure,
            table_span.clone(),
            &field("pressure"),
            Pressure::WHAT,
            Pressure::from_file_name,
            Pressure::accepted,
        );
        let side = report.word(
            raw_step.side,
            table_span.clone(),
            &field("side"),
            Side::WHAT,
            Side::from_file_name,
            Side::accepted,
        );
        let instructions = report.text(
            raw_step.instructions,
            table_span.clone(),
            &field("instructions"),
        );
        // Optional: absent means the voice says the title alone.
        let say = match raw_step.say {
            None => Some(None),
            Some(value) => {
                let span = value.span();
                match report.text(Some(value), table_span.clone(), &field("say")) {
                    Some(text) if text.chars().any(char::is_control) => {
                        let code = text.chars().find(|c| c.is_control()).map_or(0, u32::from);
                        report.at(
                            Some(span),
                            field("say"),
                            format!(
                                "contains a control character (U+{code:04X}), which the voice would read out; remove it"
                            ),
                        );
                        None
                    }
                    Some(text) => Some(Some(text)),
                    None => None,
                }
            }
        };
        let duration_span = raw_step.duration_secs.as_ref().map(Spanned::span);
        let duration_secs = match raw_step.duration_secs {
            None => {
                report.at(table_span, field("duration_secs"), "missing duration_secs");
                None
            }
            Some(duration) => {
                let secs = *duration.get_ref();
                if secs <= 0 {
                    report.at(
                        Some(duration.span()),
                        field("duration_secs"),
                        format!("duration must be a positive number of seconds, not {secs}"),
                    );
                    None
                } else if secs > MAX_STEP_SECS {
                    report.at(
                        Some(duration.span()),
                        field("duration_secs"),
                        format!(
                            "{secs} s is longer than the {} minute limit for one step (minutes typed as seconds?)",
                            MAX_STEP_SECS / 60
                        ),
                    );
                    None
                } else {
                    total_secs = total_secs.saturating_add(secs);
                    if total_secs > MAX_ROUTINE_SECS && total_passed_at.is_none() {
                        total_passed_at = table_span.clone();
                    }
                    u32::try_from(secs).ok()
                }
            }
        };
        if let (
            Some(title),
            Some(region),
            Some(technique),
            Some(tool),
            Some(pressure),
            Some(side),
            Some(instructions),
            Some(duration_secs),
            Some(say),
        ) = (
            title,
            region,
            technique,
            tool,
            pressure,
            side,
            instructions,
            duration_secs,
            say,
        ) {
            let step = Step {
                title,
                region,
                technique,
                tool,
                pressure,
                side,
                duration_secs,
                instructions,
                fixed: raw_step.fixed,
                say,
            };
            if let Some(reason) = super::limits::over_limit(&step, duration_secs) {
                // Reported after the heat rules, which need a file otherwise clean.
                over_limits.push((duration_span, field("duration_secs"), reason));
            }
            steps.push(step);
        }
    }

    let step_count = steps.len();
    let all_steps_read = step_count == raw_step_count;
    let mut heat = Vec::new();
    for (index, spanned) in raw.heat.into_iter().enumerate() {
        let table_span = Some(spanned.span());
        let raw_heat = spanned.into_inner();
        let prefix = format!("heat[{}]", index + 1);
        let field = |name: &str| format!("{prefix}.{name}");
        let source = report.word(
            raw_heat.source,
            table_span.clone(),
            &field("source"),
            Tool::WHAT,
            Tool::from_file_name,
            Tool::accepted,
        );
        if let Some(tool) = source
            && !tool.is_heat_source()
        {
            report.at(
                table_span.clone(),
                field("source"),
                format!(
                    "\"{}\" gives no heat; use heat_pack, hot_towel or warm_stone",
                    tool.file_name()
                ),
            );
        }
        let region = report.word(
            raw_heat.region,
            table_span.clone(),
            &field("region"),
            Region::WHAT,
            Region::from_file_name,
            Region::accepted,
        );
        let mut step_number = |value: Option<Spanned<i64>>, name: &str| match value {
            None => {
                report.at(table_span.clone(), field(name), format!("missing {name}"));
                None
            }
            Some(number) => {
                let n = *number.get_ref();
                if n < 1 || (all_steps_read && n > step_count as i64) {
                    report.at(
                        Some(number.span()),
                        field(name),
                        format!("step {n} does not exist (steps are numbered 1 to {step_count})"),
                    );
                    None
                } else {
                    usize::try_from(n - 1).ok()
                }
            }
        };
        let from = step_number(raw_heat.from_step, "from_step");
        let to = step_number(raw_heat.to_step, "to_step");
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            report.at(
                table_span.clone(),
                field("to_step"),
                format!("to_step ({}) comes before from_step ({})", to + 1, from + 1),
            );
        } else if let (Some(source), Some(region), Some(from), Some(to)) =
            (source, region, from, to)
            && source.is_heat_source()
        {
            heat.push((
                table_span,
                HeatSpan {
                    source,
                    region,
                    from_step: from,
                    to_step: to,
                    alongside: true,
                },
            ));
        }
    }
    if all_steps_read && report.problems.is_empty() {
        check_heat(&mut report, &steps, &step_spans, &heat);
    }
    for (span, field, reason) in over_limits {
        report.at(span, field, reason);
    }
    let heat: Vec<HeatSpan> = heat.into_iter().map(|(_, span)| span).collect();

    if total_secs > MAX_ROUTINE_SECS {
        report.at(
            total_passed_at,
            "steps",
            format!(
                "steps add up to {} minutes; a routine may be at most {} minutes",
                total_secs / 60,
                MAX_ROUTINE_SECS / 60
            ),
        );
    }
    if let Some(default_minutes) = raw.default_minutes {
        let declared = *default_minutes.get_ref();
        if report.problems.is_empty() && declared.checked_mul(60) != Some(total_secs) {
            report.at(
                Some(default_minutes.span()),
                "default_minutes",
                format!(
                    "default_minutes is {declared} but the steps add up to {}",
                    super::routine::format_clock(u64::try_from(total_secs).unwrap_or(0))
                ),
            );
        }
    }

    match (id, name, summary, report.problems.is_empty()) {
        (Some(id), Some(name), Some(summary), true) => Ok(Routine {
            id,
            name,
            summary,
            tools,
            tags,
            steps,
            heat,
            sources,
        }),
        _ => {
            let mut problems = report.problems;
            problems.sort_by_key(|problem| problem.line);
            Err(problems)
        }
    }
}

/// The longest a free citation in `sources` may be, in characters.
pub const MAX_SOURCE_CHARS: usize = 300;

/// Reads the `sources` list: known keys, or citations written out in full
/// (anything with a space). A key the app does not know is refused, so a typo
/// does not silently drop a source.
fn read_sources(report: &mut Reporter<'_>, raw: Vec<Spanned<String>>) -> Vec<String> {
    let mut sources: Vec<String> = Vec::new();
    for (index, entry) in raw.into_iter().enumerate() {
        let field = format!("sources[{}]", index + 1);
        let span = Some(entry.span());
        let text = entry.into_inner().trim().to_owned();
        if text.is_empty() {
            report.at(span, field, "empty source; write a key or a citation");
        } else if text.chars().count() > MAX_SOURCE_CHARS || text.chars().any(char::is_control) {
            report.at(
                span,
                field,
                format!("a source is one line of at most {MAX_SOURCE_CHARS} characters"),
            );
        } else if super::sources::looks_like_key(&text) && super::sources::find(&text).is_none() {
            report.at(
                span,
                field,
                format!(
                    "unknown source \"{text}\"; the known ones are {}, or write the citation out in full",
                    super::sources::accepted()
                ),
            );
        } else if !sources.contains(&text) {
            sources.push(text);
        }
    }
    sources
}

/// The heat rules a file must follow: spans may not overlap, and no stretch of
/// heat (a span, or back-to-back heat steps) may last over [`HEAT_CAP_SECS`].
fn check_heat(
    report: &mut Reporter<'_>,
    steps: &[Step],
    step_spans: &[Range<usize>],
    declared: &[(Option<std::ops::Range<usize>>, HeatSpan)],
) {
    let probe = Routine {
        id: String::new(),
        name: String::new(),
        summary: String::new(),
        tools: Vec::new(),
        tags: Vec::new(),
        steps: steps.to_vec(),
        heat: declared.iter().map(|(_, span)| *span).collect(),
        sources: Vec::new(),
    };
    let spans = probe.heat_spans();
    let name_of = |span: &HeatSpan| -> (Option<std::ops::Range<usize>>, String) {
        if span.alongside {
            let index = declared
                .iter()
                .position(|(_, declared)| declared == span)
                .unwrap_or(0);
            (
                declared.get(index).and_then(|(range, _)| range.clone()),
                format!("heat[{}]", index + 1),
            )
        } else {
            (
                step_spans.get(span.from_step).cloned(),
                format!("steps[{}]", span.from_step + 1),
            )
        }
    };
    for pair in spans.windows(2) {
        if pair[1].from_step <= pair[0].to_step {
            let (range, field) = name_of(&pair[1]);
            report.at(
                range,
                field,
                format!(
                    "heat over steps {} to {} overlaps heat over steps {} to {}",
                    pair[1].from_step + 1,
                    pair[1].to_step + 1,
                    pair[0].from_step + 1,
                    pair[0].to_step + 1
                ),
            );
        }
    }
    for span in &spans {
        let secs: u32 = steps[span.from_step..=span.to_step]
            .iter()
            .map(|step| step.duration_secs)
            .sum();
        if secs > HEAT_CAP_SECS {
            let (range, field) = name_of(span);
            report.at(
                range,
                format!("{field}.duration_secs"),
                format!(
                    "heat would stay on for {} (steps {} to {}); at most {} at a stretch is safe",
                    super::routine::format_clock(u64::from(secs)),
                    span.from_step + 1,
                    span.to_step + 1,
                    super::routine::format_clock(u64::from(HEAT_CAP_SECS))
                ),
            );
        }
    }
}

/// Serialises a routine in the documented file format, so saved and exported
/// routines read back identically.
pub fn routine_to_toml(routine: &Routine) -> String {
    use std::fmt::Write as _;
    let quote = |text: &str| toml::Value::String(text.to_owned()).to_string();
    let mut out = String::new();
    let _ = writeln!(out, "id = {}", quote(&routine.id));
    let _ = writeln!(out, "name = {}", quote(&routine.name));
    let _ = writeln!(out, "summary = {}", quote(&routine.summary));
    let length = routine.default_length_secs();
    if length.is_multiple_of(60) {
        let _ = writeln!(out, "default_minutes = {}", length / 60);
    }
    let tools: Vec<String> = routine
        .tools
        .iter()
        .map(|tool| quote(tool.file_name()))
        .collect();
    let _ = writeln!(out, "tools = [{}]", tools.join(", "));
    let tags: Vec<String> = routine.tags.iter().map(|tag| quote(tag)).collect();
    let _ = writeln!(out, "tags = [{}]", tags.join(", "));
    if !routine.sources.is_empty() {
        let sources: Vec<String> = routine.sources.iter().map(|source| quote(source)).collect();
        let _ = writeln!(out, "sources = [{}]", sources.join(", "));
    }
    for step in &routine.steps {
        let _ = writeln!(out, "\n[[steps]]");
        let _ = writeln!(out, "title = {}", quote(&step.title));
        let _ = writeln!(out, "region = {}", quote(step.region.file_name()));
        let _ = writeln!(out, "technique = {}", quote(step.technique.file_name()));
        let _ = writeln!(out, "tool = {}", quote(step.tool.file_name()));
        let _ = writeln!(out, "pressure = {}", quote(step.pressure.file_name()));
        let _ = writeln!(out, "side = {}", quote(step.side.file_name()));
        let _ = writeln!(out, "duration_secs = {}", step.duration_secs);
        if step.fixed {
            let _ = writeln!(out, "fixed = true");
        }
        let _ = writeln!(out, "instructions = {}", quote(&step.instructions));
        if let Some(say) = &step.say {
            let _ = writeln!(out, "say = {}", quote(say));
        }
    }
    for span in &routine.heat {
        let _ = writeln!(out, "\n[[heat]]");
        let _ = writeln!(out, "source = {}", quote(span.source.file_name()));
        let _ = writeln!(out, "region = {}", quote(span.region.file_name()));
        let _ = writeln!(out, "from_step = {}", span.from_step + 1);
        let _ = writeln!(out, "to_step = {}", span.to_step + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
id = "test-routine"
name = "Test"
summary = "A routine for tests."
default_minutes = 1
tools = ["massage_ball"]
tags = ["quick"]

[[steps]]
title = "Breathe"
region = "whole_back"
technique = "breathing"
tool = "none"
pressure = "light"
side = "center"
duration_secs = 20
fixed = true
instructions = "Breathe slowly."

[[steps]]
title = "Knead"
region = "lower_back"
technique = "kneading"
tool = "hands"
pressure = "medium"
side = "both"
duration_secs = 40
instructions = "Knead beside the spine."
"#;

    #[test]
    fn overlong_text_is_refused_with_the_limit_and_the_length() {
        let long_title = "x".repeat(81);
        let text = GOOD.replacen("title = \"", &format!("title = \"{long_title}"), 1);
        let problems = parse_routine("t.toml", &text).unwrap_err();
        assert!(
            problems
                .iter()
                .any(|problem| problem.field.as_deref() == Some("steps[1].title")
                    && problem.reason.contains("keep it to 80")),
            "{problems:?}"
        );
        let just_fits = GOOD.replacen(
            "title = \"Breathe\"",
            &format!("title = \"{}\"", "x".repeat(80)),
            1,
        );
        assert_ne!(just_fits, GOOD);
        assert!(
            parse_routine("t.toml", &just_fits).is_ok(),
            "80 characters are fine"
        );
    }

    #[test]
    fn a_spoken_sentence_is_optional_checked_and_written_back() {
        let routine = parse_routine("good.toml", GOOD).expect("valid");
        assert_eq!(routine.steps[0].say, None);
        let with_say = GOOD.replacen(
            "instructions = \"Knead beside the spine.\"",
            "instructions = \"Knead beside the spine.\"\nsay = \"  Small circles.  \"",
            1,
        );
        let routine = parse_routine("say.toml", &with_say).expect("valid");
        assert_eq!(routine.steps[1].say.as_deref(), Some("Small circles."));
        let again = parse_routine("again.toml", &routine_to_toml(&routine)).expect("valid");
        assert_eq!(again, routine);
        for (bad, reason) in [
            ("say = \"   \"", "say is empty"),
            (&*format!("say = \"{}\"", "x".repeat(201)), "keep it to 200"),
            ("say = 3", "text in quotes"),
            (
                "say = \"Red \\u001b[31m now\"",
                "control character (U+001B)",
            ),
        ] {
            let text = GOOD.replacen(
                "instructions = \"Knead beside the spine.\"",
                &format!("instructions = \"Knead beside the spine.\"\n{bad}"),
                1,
            );
            let problems = parse_routine("bad.toml", &text).unwrap_err();
            assert!(
                problems
                    .iter()
                    .any(|problem| problem.field.as_deref() == Some("steps[2].say")
                        && problem.reason.contains(reason)),
                "{bad}: {problems:?}"
            );
        }
    }

    #[test]
    fn parses_a_good_file() {
        let routine = parse_routine("good.toml", GOOD).expect("valid");
        assert_eq!(routine.id, "test-routine");
        assert_eq!(routine.steps.len(), 2);
        assert_eq!(routine.default_length_secs(), 60);
        assert!(routine.steps[0].fixed);
        assert_eq!(routine.steps[1].side, Side::Both);
        assert_eq!(routine.tools_needed(), vec![Tool::Hands, Tool::MassageBall]);
    }

    #[test]
    fn unknown_region_names_line_field_and_choices() {
        let text = GOOD.replace("\"lower_back\"", "\"lower-bak\"");
        let problems = parse_routine("bad.toml", &text).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        let problem = &problems[0];
        assert_eq!(problem.field.as_deref(), Some("steps[2].region"));
        assert_eq!(problem.line, Some(22));
        assert!(problem.reason.contains("lower-bak"));
        assert!(problem.reason.contains("lower_back"));
        assert!(
            problem
                .to_string()
                .starts_with("bad.toml:22: steps[2].region:")
        );
    }

    #[test]
    fn durations_zero_negative_and_absurd_are_refused() {
        for (value, needle) in [("0", "positive"), ("-5", "positive"), ("36000", "limit")] {
            let text = GOOD.replace("duration_secs = 40", &format!("duration_secs = {value}"));
            let problems = parse_routine("d.toml", &text).unwrap_err();
            assert_eq!(problems[0].field.as_deref(), Some("steps[2].duration_secs"));
            assert_eq!(problems[0].line, Some(27));
            assert!(
                problems[0].reason.contains(needle),
                "{}",
                problems[0].reason
            );
        }
    }

    #[test]
    fn missing_title_points_at_its_step() {
        let text = GOOD.replace("title = \"Knead\"\n", "");
        let problems = parse_routine("t.toml", &text).unwrap_err();
        assert_eq!(problems[0].field.as_deref(), Some("steps[2].title"));
        assert!(problems[0].reason.contains("missing title"));
        assert!(problems[0].line.is_some());
    }

    #[test]
    fn not_toml_and_unknown_fields_are_reported_with_a_line() {
        let problems = parse_routine("x.toml", "id = \"a\"\nname = [unclosed").unwrap_err();
        assert_eq!(problems[0].line, Some(2));
        assert!(problems[0].reason.contains("not valid TOML"));

        let text = GOOD.replace("fixed = true", "fixd = true");
        let problems = parse_routine("x.toml", &text).unwrap_err();
        assert!(
            problems[0].reason.contains("fixd"),
            "{}",
            problems[0].reason
        );
        assert_eq!(problems[0].line, Some(17));
    }

    #[test]
    fn oversized_file_is_refused_before_parsing() {
        let text = format!("{GOOD}\n#{}", "x".repeat(MAX_FILE_BYTES));
        let problems = parse_routine("big.toml", &text).unwrap_err();
        assert!(problems[0].reason.contains("at most 1024 KiB"));
    }

    #[test]
    fn default_minutes_must_match_the_steps() {
        let text = GOOD.replace("default_minutes = 1", "default_minutes = 2");
        let problems = parse_routine("m.toml", &text).unwrap_err();
        assert_eq!(problems[0].field.as_deref(), Some("default_minutes"));
        assert!(problems[0].reason.contains("1:00"));
    }

    #[test]
    fn bad_ids_are_refused() {
        assert!(is_valid_id("endorphin-15"));
        assert!(!is_valid_id("Endorphin"));
        assert!(!is_valid_id("a b"));
        assert!(!is_valid_id("-x"));
        let text = GOOD.replace("test-routine", "Test Routine");
        let problems = parse_routine("i.toml", &text).unwrap_err();
        assert_eq!(problems[0].field.as_deref(), Some("id"));
        assert_eq!(problems[0].line, Some(2));
    }

    #[test]
    fn written_toml_reads_back_identically() {
        let routine = parse_routine("good.toml", GOOD).expect("valid");
        let text = routine_to_toml(&routine);
        let again = parse_routine("again.toml", &text).expect("round trip");
        assert_eq!(routine, again);
    }

    #[test]
    fn sources_are_known_keys_or_citations_and_are_written_back() {
        let text = GOOD.replace(
            "tags = [\"quick\"]",
            "tags = [\"quick\"]\nsources = [\"furlan-2015\", \"My physio's advice, March 2026\", \"furlan-2015\"]",
        );
        let routine = parse_routine("s.toml", &text).expect("valid");
        assert_eq!(
            routine.sources,
            vec![
                "furlan-2015".to_owned(),
                "My physio's advice, March 2026".to_owned()
            ]
        );
        let again = parse_routine("again.toml", &routine_to_toml(&routine)).expect("round trip");
        assert_eq!(routine, again);
        let typo = GOOD.replace(
            "tags = [\"quick\"]",
            "tags = [\"quick\"]\nsources = [\"furlan-2051\", \"\"]",
        );
        let problems = parse_routine("t.toml", &typo).expect_err("refused");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0]
                .reason
                .contains("unknown source \"furlan-2051\""),
            "{problems:?}"
        );
        assert_eq!(problems[1].field.as_deref(), Some("sources[2]"));
    }

    #[test]
    fn a_step_past_its_technique_limit_is_refused_at_its_length() {
        let long = with(
            "\n[[steps]]\ntitle = \"Press\"\nregion = \"glutes\"\ntechnique = \"trigger_point\"\ntool = \"massage_ball\"\npressure = \"firm\"\nside = \"both\"\nduration_secs = 200\ninstructions = \"Switch at the cue.\"\n",
        )
        .replace("default_minutes = 1\n", "");
        let problems = parse_routine("l.toml", &long).expect_err("too long");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].field.as_deref(), Some("steps[3].duration_secs"));
        assert!(
            problems[0]
                .reason
                .contains("100 s on each side of firm trigger point"),
            "{problems:?}"
        );
        assert!(parse_routine("ok.toml", &long.replace("200", "180")).is_ok());
    }

    /// GOOD with extra text appended (more steps or heat tables).
    fn with(extra: &str) -> String {
        format!("{GOOD}{extra}")
    }

    const HEAT_STEP: &str = r#"
[[steps]]
title = "Heat"
region = "lower_back"
technique = "heat"
tool = "heat_pack"
pressure = "light"
side = "center"
duration_secs = 900
instructions = "Pack on, towel under it."
"#;

    fn problem_fields(text: &str) -> Vec<String> {
        match parse_routine("r.toml", text) {
            Ok(_) => Vec::new(),
            Err(problems) => problems
                .into_iter()
                .map(|problem| format!("{:?}: {}", problem.field, problem.reason))
                .collect(),
        }
    }

    #[test]
    fn heat_alongside_steps_reads_writes_and_reads_back() {
        let text = with(
            "\n[[heat]]\nsource = \"heat_pack\"\nregion = \"lower_back\"\nfrom_step = 1\nto_step = 2\n",
        )
        .replace("default_minutes = 1\n", "");
        let routine = parse_routine("r.toml", &text).expect("valid");
        assert_eq!(routine.heat.len(), 1);
        assert_eq!((routine.heat[0].from_step, routine.heat[0].to_step), (0, 1));
        assert!(routine.uses_heat());
        let again = parse_routine("r.toml", &routine_to_toml(&routine)).expect("valid");
        assert_eq!(again, routine);
    }

    #[test]
    fn heat_over_twenty_minutes_is_refused() {
        // Declared heat over 25 minutes of steps.
        let long = GOOD
            .replace("default_minutes = 1\n", "")
            .replace("duration_secs = 40", "duration_secs = 1480");
        let text = format!(
            "{long}\n[[heat]]\nsource = \"hot_towel\"\nregion = \"lower_back\"\nfrom_step = 1\nto_step = 2\n"
        );
        // The long step is also past its own limit; the heat is reported besides.
        let problems = problem_fields(&text);
        let heat = problems
            .iter()
            .find(|problem| problem.contains("heat[1].duration_secs"))
            .unwrap_or_else(|| panic!("{problems:?}"));
        assert!(heat.contains("25:00"), "{problems:?}");

        // Two heat steps back to back: 30 minutes of heat in a row.
        let text = with(&format!("{HEAT_STEP}{HEAT_STEP}")).replace("default_minutes = 1\n", "");
        let problems = problem_fields(&text);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("steps[3].duration_secs"),
            "{problems:?}"
        );

        // One heat step of 21 minutes.
        let text = with(&HEAT_STEP.replace("900", "1260")).replace("default_minutes = 1\n", "");
        assert_eq!(problem_fields(&text).len(), 1);
        // Exactly 20 minutes is fine.
        let text = with(&HEAT_STEP.replace("900", "1200")).replace("default_minutes = 1\n", "");
        assert!(problem_fields(&text).is_empty());
    }

    #[test]
    fn bad_heat_tables_name_the_field() {
        let base = GOOD.replace("default_minutes = 1\n", "");
        let heat = |body: &str| format!("{base}\n[[heat]]\n{body}\n");
        let cases = [
            (
                "source = \"hands\"\nregion = \"neck\"\nfrom_step = 1\nto_step = 1",
                "heat[1].source",
            ),
            (
                "source = \"heat_pack\"\nregion = \"neck\"\nfrom_step = 1\nto_step = 3",
                "heat[1].to_step",
            ),
            (
                "source = \"heat_pack\"\nregion = \"neck\"\nfrom_step = 2\nto_step = 1",
                "heat[1].to_step",
            ),
            (
                "source = \"heat_pack\"\nfrom_step = 1\nto_step = 1",
                "heat[1].region",
            ),
        ];
        for (body, field) in cases {
            let problems = problem_fields(&heat(body));
            assert!(
                problems.iter().any(|problem| problem.contains(field)),
                "{body}: {problems:?}"
            );
        }
        // Overlapping heat: declared over a heat step.
        let text = format!(
            "{}\n[[heat]]\nsource = \"heat_pack\"\nregion = \"neck\"\nfrom_step = 2\nto_step = 3\n",
            with(HEAT_STEP).replace("default_minutes = 1\n", "")
        );
        let problems = problem_fields(&text);
        assert!(
            problems.iter().any(|problem| problem.contains("overlaps")),
            "{problems:?}"
        );
    }

    #[test]
    fn a_free_id_for_a_long_taken_id_stays_valid() {
        let long = "a".repeat(MAX_ID_CHARS);
        let id = free_id(&long, |id| id == long);
        assert!(is_valid_id(&id), "{id}");
        assert!(id.ends_with("-2"));
        assert_eq!(
            free_id("mine", |id| id == "mine" || id == "mine-2"),
            "mine-3"
        );
        let dashed = format!("{}-b", "a".repeat(61));
        assert!(is_valid_id(&free_id(&dashed, |id| id == dashed)));
    }
}
