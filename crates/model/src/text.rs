//! Name matching: case- and accent-insensitive, so "Tombouctou", "TOMBOUCTOU"
//! and "tombouctóu" find the same place.

use std::borrow::Cow;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// The key under which a name or alias is looked up: decomposed, combining marks
/// removed, lowercased, typographic apostrophes made plain, whitespace collapsed.
///
/// ```
/// use annals_model::normalize_name;
/// assert_eq!(normalize_name("  Léré "), "lere");
/// assert_eq!(normalize_name("Coordination des Mouvements de l’Azawad"),
///            normalize_name("coordination des mouvements de l'azawad"));
/// ```
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_space = false;
    for c in name.nfkd().filter(|c| !is_combining_mark(*c)) {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        match c {
            '\u{2018}' | '\u{2019}' | '\u{02bc}' | '`' => out.push('\''),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Text from untrusted input as an error message quotes it: whole when it is
/// short, else its first 60 characters, `…` and its length, so that a hostile
/// 10 MB value makes a short message, not a 10 MB one.
///
/// ```
/// use annals_model::v1::excerpt;
/// assert_eq!(excerpt("seized"), "seized");
/// assert_eq!(excerpt(&"x".repeat(10_000_000)), format!("{}… (10000000 bytes)", "x".repeat(60)));
/// ```
pub fn excerpt(text: &str) -> Cow<'_, str> {
    const SHOWN: usize = 60;
    const WHOLE: usize = 80;
    if text.char_indices().nth(WHOLE).is_none() {
        return Cow::Borrowed(text);
    }
    let (cut, _) = text.char_indices().nth(SHOWN).expect("longer than WHOLE characters");
    Cow::Owned(format!("{}… ({} bytes)", &text[..cut], text.len()))
}

#[cfg(test)]
mod tests {
    use super::{excerpt, normalize_name};

    #[test]
    fn excerpts_keep_short_text_and_cut_long_text_on_a_character() {
        let short = "é".repeat(80);
        assert_eq!(excerpt(&short), short);
        let long = "é".repeat(81);
        assert_eq!(excerpt(&long), format!("{}… (162 bytes)", "é".repeat(60)));
    }

    #[test]
    fn accents_case_and_spaces_do_not_matter() {
        assert_eq!(normalize_name("Tombouctou"), normalize_name("TOMBOUCTOU"));
        assert_eq!(normalize_name("Keïta"), "keita");
        assert_eq!(normalize_name("Goïta  Assimi"), "goita assimi");
        assert_ne!(normalize_name("Bamba"), normalize_name("Bambara"));
    }
}
