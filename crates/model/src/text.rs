//! Name matching: case- and accent-insensitive, so "Tombouctou", "TOMBOUCTOU"
//! and "tombouctóu" find the same place.

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

#[cfg(test)]
mod tests {
    use super::normalize_name;

    #[test]
    fn accents_case_and_spaces_do_not_matter() {
        assert_eq!(normalize_name("Tombouctou"), normalize_name("TOMBOUCTOU"));
        assert_eq!(normalize_name("Keïta"), "keita");
        assert_eq!(normalize_name("Goïta  Assimi"), "goita assimi");
        assert_ne!(normalize_name("Bamba"), normalize_name("Bambara"));
    }
}
