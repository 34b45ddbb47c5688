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
