//! Text from the data, made safe to print on a terminal.

use std::borrow::Cow;

/// `text` with every control character (C0, DEL, C1) written as a visible
/// escape (`\n`, `\r`, `\t`, `\u{1b}`): a name or a note from a shared file
/// can then neither drive the terminal (clear the screen, retitle the
/// window) nor start a line of its own that looks like the program's.
pub fn shown(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A writer for a terminal: the C0 control characters and DEL in what
/// passes through are written as visible escapes (`\u{1b}`), except line
/// ends and tabs (the program's own layout). Bytes, not characters, so a
/// character split between two writes passes whole; C1 controls, which
/// UTF-8 writes in two bytes, are left to [`shown`], which the answers'
/// names, titles and notes go through. The last defence for text that did
/// not.
#[derive(Debug)]
pub struct Visible<W>(pub W);

impl<W: std::io::Write> std::io::Write for Visible<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let hidden = |b: u8| (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f;
        let mut start = 0;
        for (i, &b) in buf.iter().enumerate() {
            if hidden(b) {
                self.0.write_all(&buf[start..i])?;
                write!(self.0, "\\u{{{b:x}}}")?;
                start = i + 1;
            }
        }
        self.0.write_all(&buf[start..])?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(shown("Kidal"), "Kidal");
        assert_eq!(shown("a\x1b]0;owned\x07b"), "a\\u{1b}]0;owned\\u{7}b");
        assert_eq!(shown("x\nevidence: fake\r"), "x\\nevidence: fake\\r");
        assert_eq!(shown("\u{9b}2J"), "\\u{9b}2J");
        let mut out = Visible(Vec::new());
        write!(out, "line\x1b[2J\nnext\0\tend\r\n").unwrap();
        out.write_all("Ménaka".as_bytes()[..2].as_ref()).unwrap();
        out.write_all("Ménaka".as_bytes()[2..].as_ref()).unwrap();
        let text = String::from_utf8(out.0).unwrap();
        assert_eq!(text, "line\\u{1b}[2J\nnext\\u{0}\tend\\u{d}\nMénaka");
    }
}
