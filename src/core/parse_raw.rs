//! The first pass over a routine file: TOML into plain fields with their
//! positions, reporting every syntax problem, unknown field and wrong type at
//! once, in words a routine author uses ("a whole number of seconds", not
//! "i64"). The second pass (`parse`) checks the meaning.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// A routine's fields as written.
#[derive(Default)]
pub(super) struct RawRoutine {
    pub id: Option<Spanned<String>>,
    pub name: Option<Spanned<String>>,
    pub summary: Option<Spanned<String>>,
    pub default_minutes: Option<Spanned<i64>>,
    pub tools: Vec<Spanned<String>>,
    pub tags: Vec<Spanned<String>>,
    pub sources: Vec<Spanned<String>>,
    pub steps: Vec<Spanned<RawStep>>,
    pub heat: Vec<Spanned<RawHeat>>,
}

/// A `[[heat]]` table's fields as written.
#[derive(Default)]
pub(super) struct RawHeat {
    pub source: Option<Spanned<String>>,
    pub region: Option<Spanned<String>>,
    pub from_step: Option<Spanned<i64>>,
    pub to_step: Option<Spanned<i64>>,
}

/// A `[[steps]]` table's fields as written.
#[derive(Default)]
pub(super) struct RawStep {
    pub title: Option<Spanned<String>>,
    pub region: Option<Spanned<String>>,
    pub technique: Option<Spanned<String>>,
    pub tool: Option<Spanned<String>>,
    pub pressure: Option<Spanned<String>>,
    pub side: Option<Spanned<String>>,
    pub duration_secs: Option<Spanned<i64>>,
    pub instructions: Option<Spanned<String>>,
    pub say: Option<Spanned<String>>,
    pub fixed: bool,
}

/// A problem found while reading: where, which field, and why.
pub(super) struct RawProblem {
    pub span: Option<Range<usize>>,
    pub field: Option<String>,
    pub reason: String,
}

/// Reads `text`, returning what could be read and every problem found.
pub(super) fn read(text: &str) -> (RawRoutine, Vec<RawProblem>) {
    let (document, errors) = DeTable::parse_recoverable(text);
    let mut reader = Reader::default();
    for error in errors {
        reader.problems.push(RawProblem {
            span: error.span(),
            field: None,
            reason: format!("this is not valid TOML: {}", error.message().trim()),
        });
    }
    let routine = reader.routine(document.get_ref());
    (routine, reader.problems)
}

#[derive(Default)]
struct Reader {
    problems: Vec<RawProblem>,
}

/// What a value is, in words, for "not …" in messages.
fn describe(value: &DeValue<'_>) -> String {
    match value {
        DeValue::String(text) => {
            let shown: String = text.chars().take(40).collect();
            format!("the text \"{shown}\"")
        }
        DeValue::Integer(number) => format!("the number {}", number.as_str()),
        DeValue::Float(number) => format!("the number {}", number.as_str()),
        DeValue::Boolean(flag) => format!("{flag}"),
        DeValue::Datetime(_) => "a date".to_owned(),
        DeValue::Array(_) => "a list".to_owned(),
        DeValue::Table(_) => "a table".to_owned(),
    }
}

/// The field's expected kind of number, in words.
fn number_word(key: &str) -> &'static str {
    if key.ends_with("_secs") {
        "a whole number of seconds"
    } else if key.ends_with("_minutes") {
        "a whole number of minutes"
    } else if key.ends_with("_step") {
        "a step number (1 for the first step)"
    } else {
        "a whole number"
    }
}

impl Reader {
    fn wrong(&mut self, span: Range<usize>, field: &str, expected: &str, found: &DeValue<'_>) {
        self.problems.push(RawProblem {
            span: Some(span),
            field: Some(field.to_owned()),
            reason: format!("must be {expected}, not {}", describe(found)),
        });
    }

    fn text(&mut self, value: &Spanned<DeValue<'_>>, field: &str) -> Option<Spanned<String>> {
        match value.get_ref() {
            DeValue::String(text) => Some(Spanned::new(value.span(), text.to_string())),
            other => {
                self.wrong(value.span(), field, "text in quotes", other);
                None
            }
        }
    }

    fn integer(
        &mut self,
        value: &Spanned<DeValue<'_>>,
        field: &str,
        key: &str,
    ) -> Option<Spanned<i64>> {
        let expected = number_word(key);
        match value.get_ref() {
            DeValue::Integer(number) => {
                match i64::from_str_radix(number.as_str(), number.radix()) {
                    Ok(parsed) => Some(Spanned::new(value.span(), parsed)),
                    Err(_) => {
                        self.problems.push(RawProblem {
                            span: Some(value.span()),
                            field: Some(field.to_owned()),
                            reason: format!("{} is far too large", number.as_str()),
                        });
                        None
                    }
                }
            }
            other => {
                self.wrong(value.span(), field, expected, other);
                None
            }
        }
    }

    fn flag(&mut self, value: &Spanned<DeValue<'_>>, field: &str) -> bool {
        match value.get_ref() {
            DeValue::Boolean(flag) => *flag,
            other => {
                self.wrong(value.span(), field, "true or false", other);
                false
            }
        }
    }

    fn words(&mut self, value: &Spanned<DeValue<'_>>, field: &str) -> Vec<Spanned<String>> {
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong(
                value.span(),
                field,
                "a list of words in quotes, like [\"hands\"]",
                value.get_ref(),
            );
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(index, item)| self.text(item, &format!("{field}[{}]", index + 1)))
            .collect()
    }

    /// The tables of an `[[name]]` array, each with its span.
    fn tables<'a, 'i>(
        &mut self,
        value: &'a Spanned<DeValue<'i>>,
        field: &str,
    ) -> Vec<(Range<usize>, &'a DeTable<'i>)> {
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong(
                value.span(),
                field,
                &format!("a list of [[{field}]] tables"),
                value.get_ref(),
            );
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(index, item)| match item.get_ref() {
                DeValue::Table(table) => Some((item.span(), table)),
                other => {
                    self.wrong(
                        item.span(),
                        &format!("{field}[{}]", index + 1),
                        &format!("a [[{field}]] table"),
                        other,
                    );
                    None
                }
            })
            .collect()
    }

    fn unknown(&mut self, key: &Spanned<std::borrow::Cow<'_, str>>, prefix: &str, known: &[&str]) {
        let field = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        self.problems.push(RawProblem {
            span: Some(key.span()),
            field: Some(field),
            reason: format!(
                "unknown field \"{}\"; the fields here are: {}",
                key.get_ref(),
                known.join(", ")
            ),
        });
    }

    fn routine(&mut self, table: &DeTable<'_>) -> RawRoutine {
        const KNOWN: [&str; 9] = [
            "id",
            "name",
            "summary",
            "default_minutes",
            "tools",
            "tags",
            "sources",
            "steps",
            "heat",
        ];
        let mut raw = RawRoutine::default();
        for (key, value) in table.iter() {
            let name = key.get_ref().as_ref();
            match name {
                "id" => raw.id = self.text(value, name),
                "name" => raw.name = self.text(value, name),
                "summary" => raw.summary = self.text(value, name),
                "default_minutes" => raw.default_minutes = self.integer(value, name, name),
                "tools" => raw.tools = self.words(value, name),
                "tags" => raw.tags = self.words(value, name),
                "sources" => raw.sources = self.words(value, name),
                "steps" => {
                    for (index, (span, step)) in self.tables(value, name).into_iter().enumerate() {
                        let step = self.step(step, &format!("steps[{}]", index + 1));
                        raw.steps.push(Spanned::new(span, step));
                    }
                }
                "heat" => {
                    for (index, (span, heat)) in self.tables(value, name).into_iter().enumerate() {
                        let heat = self.heat(heat, &format!("heat[{}]", index + 1));
                        raw.heat.push(Spanned::new(span, heat));
                    }
                }
                _ => self.unknown(key, "", &KNOWN),
            }
        }
        raw
    }

    fn step(&mut self, table: &DeTable<'_>, prefix: &str) -> RawStep {
        const KNOWN: [&str; 10] = [
            "title",
            "region",
            "technique",
            "tool",
            "pressure",
            "side",
            "duration_secs",
            "instructions",
            "say",
            "fixed",
        ];
        let mut raw = RawStep::default();
        for (key, value) in table.iter() {
            let name = key.get_ref().as_ref();
            let field = format!("{prefix}.{name}");
            match name {
                "title" => raw.title = self.text(value, &field),
                "region" => raw.region = self.text(value, &field),
                "technique" => raw.technique = self.text(value, &field),
                "tool" => raw.tool = self.text(value, &field),
                "pressure" => raw.pressure = self.text(value, &field),
                "side" => raw.side = self.text(value, &field),
                "duration_secs" => raw.duration_secs = self.integer(value, &field, name),
                "instructions" => raw.instructions = self.text(value, &field),
                "say" => raw.say = self.text(value, &field),
                "fixed" => raw.fixed = self.flag(value, &field),
                _ => self.unknown(key, prefix, &KNOWN),
            }
        }
        raw
    }

    fn heat(&mut self, table: &DeTable<'_>, prefix: &str) -> RawHeat {
        const KNOWN: [&str; 4] = ["source", "region", "from_step", "to_step"];
        let mut raw = RawHeat::default();
        for (key, value) in table.iter() {
            let name = key.get_ref().as_ref();
            let field = format!("{prefix}.{name}");
            match name {
                "source" => raw.source = self.text(value, &field),
                "region" => raw.region = self.text(value, &field),
                "from_step" => raw.from_step = self.integer(value, &field, name),
                "to_step" => raw.to_step = self.integer(value, &field, name),
                _ => self.unknown(key, prefix, &KNOWN),
            }
        }
        raw
    }
}
