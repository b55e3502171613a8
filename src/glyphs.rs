//! Which symbols and emoji the app can draw. Letters of any script come from
//! the system's fonts when the bundled ones lack them; symbols and emoji do
//! not reliably, so a routine may use only those the app's own fonts hold.
//! `unknot check`, the library, import and the editor all apply this rule.

use std::collections::HashSet;
use std::sync::OnceLock;

use skrifa::MetadataProvider;

use crate::core::parse::Problem;
use crate::core::routine::Routine;

/// Whether `c` is a symbol or emoji (as opposed to a letter, digit, mark or
/// punctuation of some script): arrows, technical and geometric signs,
/// dingbats, pictographs, emoji, and the private use area.
pub fn is_symbol(c: char) -> bool {
    matches!(
        u32::from(c),
        0x2190..=0x2BFF | 0x1F000..=0x1FAFF | 0xE000..=0xF8FF | 0x3297 | 0x3299
    )
}

/// Every character the bundled fonts hold.
fn bundled() -> &'static HashSet<u32> {
    static SET: OnceLock<HashSet<u32>> = OnceLock::new();
    SET.get_or_init(|| {
        let mut set = HashSet::new();
        for bytes in [
            epaint_default_fonts::UBUNTU_LIGHT,
            epaint_default_fonts::HACK_REGULAR,
            epaint_default_fonts::NOTO_EMOJI_REGULAR,
            epaint_default_fonts::EMOJI_ICON,
        ] {
            match skrifa::FontRef::new(bytes) {
                Ok(font) => set.extend(font.charmap().mappings().map(|(c, _)| c)),
                Err(error) => log::error!("a bundled font cannot be read: {error}"),
            }
        }
        set
    })
}

/// Whether the app's own fonts can draw `c`.
pub fn can_draw(c: char) -> bool {
    !is_symbol(c) || bundled().contains(&u32::from(c))
}

/// A problem for each text field holding a symbol the app cannot draw.
pub fn problems(label: &str, routine: &Routine) -> Vec<Problem> {
    let mut fields: Vec<(String, &str)> = vec![
        ("name".into(), &routine.name),
        ("summary".into(), &routine.summary),
    ];
    for (index, step) in routine.steps.iter().enumerate() {
        fields.push((format!("steps[{}].title", index + 1), &step.title));
        fields.push((
            format!("steps[{}].instructions", index + 1),
            &step.instructions,
        ));
        if let Some(say) = &step.say {
            fields.push((format!("steps[{}].say", index + 1), say));
        }
    }
    fields
        .into_iter()
        .filter_map(|(field, text)| {
            let missing: Vec<String> = text
                .chars()
                .filter(|c| !can_draw(*c))
                .map(|c| format!("\"{c}\" (U+{:04X})", u32::from(c)))
                .collect();
            (!missing.is_empty()).then(|| Problem {
                file: label.to_owned(),
                line: None,
                field: Some(field),
                reason: format!(
                    "{} {} not in the app's own fonts and {} as an empty box wherever the computer has no font for {}; use words or another symbol",
                    crate::core::words::natural_list(
                        &missing.iter().map(String::as_str).collect::<Vec<_>>()
                    ),
                    if missing.len() == 1 { "is" } else { "are" },
                    if missing.len() == 1 { "shows" } else { "show" },
                    if missing.len() == 1 { "it" } else { "them" },
                ),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_of_any_script_pass_and_only_undrawable_symbols_are_refused() {
        for c in ['a', 'ש', 'ظ', 'Ж', '中', '·', '—', '€'] {
            assert!(can_draw(c), "{c} is not a symbol");
        }
        assert!(bundled().len() > 1000, "the bundled fonts were read");
        for c in ['→', '★', '☀'] {
            assert!(can_draw(c), "{c} is in the bundled fonts");
        }
        let undrawable: Vec<char> = ('\u{1F300}'..='\u{1FAFF}')
            .filter(|c| !can_draw(*c))
            .collect();
        assert!(!undrawable.is_empty(), "some emoji are not bundled");
        assert!(is_symbol(undrawable[0]));
    }
}
