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

/// When two texts that differ are the same once both are in Unicode's
/// composed form (NFC), what differs, as code points: `"é"` written as one
/// code point or as `e` and a combining accent looks the same on screen.
/// `None` when they differ otherwise (or not at all).
///
/// ```
/// use annals_model::normalization_difference;
/// let d = normalization_difference("Ménaka", "Me\u{301}naka").unwrap();
/// assert_eq!((&d.first[..], &d.second[..]), (&['é'][..], &['e', '\u{301}'][..]));
/// assert_eq!(
///     d.to_string(),
///     "the same text in another Unicode normalisation form: U+00E9 against U+0065 U+0301"
/// );
/// assert_eq!(normalization_difference("Gao", "Kidal"), None);
/// ```
pub fn normalization_difference(first: &str, second: &str) -> Option<NormalizationDifference> {
    if first == second || !first.nfc().eq(second.nfc()) {
        return None;
    }
    let (a, b): (Vec<char>, Vec<char>) = (first.chars().collect(), second.chars().collect());
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix =
        a[prefix..].iter().rev().zip(b[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
    Some(NormalizationDifference {
        first: a[prefix..a.len() - suffix].to_vec(),
        second: b[prefix..b.len() - suffix].to_vec(),
    })
}

/// What differs between two texts that are the same in Unicode's composed
/// form ([`normalization_difference`]): the code points of each between
/// their common start and end. Its `Display` names the first eight of
/// each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NormalizationDifference {
    pub first: Vec<char>,
    pub second: Vec<char>,
}

impl std::fmt::Display for NormalizationDifference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let points = |chars: &[char]| {
            let mut shown: Vec<String> =
                chars.iter().take(8).map(|c| format!("U+{:04X}", *c as u32)).collect();
            if chars.len() > 8 {
                shown.push("…".to_string());
            }
            shown.join(" ")
        };
        write!(
            f,
            "the same text in another Unicode normalisation form: {} against {}",
            points(&self.first),
            points(&self.second)
        )
    }
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
