//! Writing XML text by hand: escaping is all there is to it.

/// Escapes text for XML content and attribute values. Characters XML 1.0 does
/// not allow (most control characters) are dropped; tabs and line breaks stay.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_and_forbidden_characters_are_escaped_or_dropped() {
        assert_eq!(escape(r#"<a & "b" 'c'>"#), "&lt;a &amp; &quot;b&quot; &apos;c&apos;&gt;");
        assert_eq!(escape("Ségou\tline\nnext"), "Ségou\tline\nnext");
        assert_eq!(escape("nul\0 bell\x07"), "nul bell");
    }
}
