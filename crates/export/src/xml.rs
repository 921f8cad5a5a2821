//! Writing XML text by hand: escaping is all there is to it.

/// Escapes text for XML content and attribute values. Line breaks and tabs
/// become character references (`&#10;`, `&#13;`, `&#9;`), which an XML
/// reader keeps even in an attribute value, where it would turn a literal
/// one into a space. Characters XML 1.0 does not allow (the other control
/// characters) are dropped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if forbidden(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Whether `c` is dropped from text written for XML readers (here and in
/// DOT, whose labels Graphviz copies into SVG): the control characters
/// (XML 1.0 allows no C0 control but tab and line breaks, which callers
/// treat first) and U+FFFE and U+FFFF, which XML allows nowhere.
pub(crate) fn forbidden(c: char) -> bool {
    c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}'
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_line_breaks_and_forbidden_characters_are_escaped_or_dropped() {
        assert_eq!(escape(r#"<a & "b" 'c'>"#), "&lt;a &amp; &quot;b&quot; &apos;c&apos;&gt;");
        assert_eq!(escape("Ségou\tline\nnext\r"), "Ségou&#9;line&#10;next&#13;");
        assert_eq!(escape("nul\0 bell\x07"), "nul bell");
        assert_eq!(escape("not\u{FFFE} xml\u{FFFF}"), "not xml");
    }
}
