//! What reaches the terminal. A model file's metadata and vocabulary, a task's
//! text, a path or an argument can hold control characters (ESC ] 0; title BEL
//! retitles the terminal, ESC [ 31m recolours it, CR overwrites a line) or
//! bidirectional overrides that reorder what is shown. Every line the command
//! prints goes through `clean` or `clean_lines`; JSON through `clean_json`.
//! Everything else (Chinese, emoji, accents) is printed as it is.

/// A character a terminal would act on rather than show, or that reorders
/// the text around it: C0, DEL, C1, the line/paragraph separators and the
/// bidirectional embeddings, overrides, isolates and marks.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` on one line: every unsafe character (newlines too) escaped as Rust
/// writes it (`\n`, `\t`, `\u{1b}`).
pub fn clean(text: &str) -> String {
    escape(text, false)
}

/// The same, but line breaks stay line breaks (several lines of output).
pub fn clean_lines(text: &str) -> String {
    escape(text, true)
}

fn escape(text: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe(c) && !(keep_newlines && c == '\n') {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

/// Writes `value` as compact JSON to stdout, streamed (a trace's JSON can be
/// several times the trace's size: it is never held as one string), with
/// every unsafe character inside strings escaped as `\uXXXX`; then a newline.
/// A closed pipe (`| head`) ends the output quietly.
pub fn write_json_stdout<T: serde::Serialize>(value: &T) -> glasswing::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut ser = serde_json::Serializer::with_formatter(&mut out, SafeStrings);
    let written = value.serialize(&mut ser).map_err(std::io::Error::from).and_then(|()| out.write_all(b"\n")).and_then(|()| out.flush());
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(glasswing::Error::Io(format!("writing the JSON: {e}"))),
        _ => Ok(()),
    }
}

/// serde_json's compact formatter, escaping the unsafe characters it leaves (DEL, C1, bidi).
struct SafeStrings;

impl serde_json::ser::Formatter for SafeStrings {
    fn write_string_fragment<W: ?Sized + std::io::Write>(&mut self, w: &mut W, fragment: &str) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_unsafe(c) {
                w.write_all(fragment[start..i].as_bytes())?;
                write!(w, "\\u{:04x}", c as u32)?; // all unsafe characters are in the BMP
                start = i + c.len_utf8();
            }
        }
        w.write_all(fragment[start..].as_bytes())
    }
}

/// Compact JSON (as serde_json writes it, which escapes only C0, `"` and `\`)
/// with the other unsafe characters as `\uXXXX` escapes: the same JSON value.
/// Only inside strings can such characters occur, and there the escape is valid.
pub fn clean_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if is_unsafe(c) {
            out += &format!("\\u{:04x}", c as u32); // all unsafe characters are in the BMP
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_keeps_text() {
        assert_eq!(clean("\u{1b}]0;pwned\u{7}x"), "\\u{1b}]0;pwned\\u{7}x");
        assert_eq!(clean("a\nb\rc\td"), "a\\nb\\rc\\td");
        assert_eq!(clean_lines("a\nb\r"), "a\nb\\r");
        assert_eq!(clean("\u{9b}31m\u{7f}\u{202e}"), "\\u{9b}31m\\u{7f}\\u{202e}");
        assert_eq!(clean("我喜欢 🦋 café \\ \""), "我喜欢 🦋 café \\ \"");
        assert_eq!(clean(&clean("\u{1b}")), clean("\u{1b}"), "cleaning twice changes nothing");
    }

    #[test]
    fn json_stays_the_same_value() {
        let value = serde_json::json!({ "t": "\u{1b}[31m\u{9b}\u{7f}\u{202e}我" });
        let json = clean_json(&value.to_string());
        assert!(!json.chars().any(is_unsafe), "{json}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&json).unwrap(), value);
    }
}
