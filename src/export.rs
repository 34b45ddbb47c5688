//! A trace as one self-contained HTML file: the trace as JSON plus a small
//! inline renderer (www/standalone/), no wasm and no network. The explorer's
//! "export HTML" fills the same template in the browser.

use crate::trace::Trace;

const TEMPLATE: &str = include_str!("../www/standalone/template.html");
const RENDERER: &str = include_str!("../www/standalone/renderer.js");

/// The trace's JSON with the fields the renderer also wants: title, the
/// input text and the vocabulary (to label the next-token bars).
pub fn standalone_json(trace: &Trace, title: &str, text: &str, vocab: Option<&[String]>) -> String {
    let trace_json = serde_json::to_string(trace).expect("a trace serializes");
    let extra = serde_json::json!({ "title": title, "text": text, "vocab": vocab });
    let extra = extra.to_string();
    // Splice the two objects: {extra..., trace...}.
    format!("{},{}", &extra[..extra.len() - 1], &trace_json[1..])
}

/// A complete HTML page. Every `<` in the JSON becomes `\u003c`, so no text
/// (a token like `</script>`) can end the script element early.
pub fn standalone_html(trace: &Trace, title: &str, text: &str, vocab: Option<&[String]>) -> String {
    let json = standalone_json(trace, title, text, vocab).replace('<', "\\u003c");
    // Fill by position in the template, never by searching the filled text:
    // a token may itself contain a placeholder.
    let (head, rest) = TEMPLATE.split_once("/*TRACE_JSON*/").expect("template has the JSON slot");
    let (middle, tail) = rest.split_once("/*RENDERER*/").expect("template has the renderer slot");
    [head, &json, middle, RENDERER, tail].concat()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Arch;
    use ndarray::{Array2, Array4};

    #[test]
    fn script_breaking_text_stays_inside_the_json() {
        let trace = Trace {
            arch: Arch::Gpt2,
            ids: vec![0, 1],
            tokens: vec!["</script><script>alert(1)</script>".into(), "<".into()],
            token_bytes: vec![b"</script><script>alert(1)</script>".to_vec(), b"<".to_vec()],
            probs: Array2::from_elem((2, 2), 0.5),
            attention: Some(Array4::from_elem((1, 1, 2, 2), 0.5)),
            hidden: None,
        };
        let html = standalone_html(&trace, "<b>t</b>", "/*RENDERER*/ /*TRACE_JSON*/", None);
        assert_eq!(html.matches("</script>").count(), 2, "only the template's two script ends");
        let start = html.find("application/json\">").unwrap() + 18;
        let end = html[start..].find("</script>").unwrap() + start;
        let json: serde_json::Value = serde_json::from_str(&html[start..end]).unwrap();
        assert_eq!(json["tokens"][0], "</script><script>alert(1)</script>");
        assert_eq!(json["title"], "<b>t</b>");
        assert_eq!(json["text"], "/*RENDERER*/ /*TRACE_JSON*/", "placeholders in the text stay text");
        assert!(html.contains("glasswingStandalone"), "the renderer is in the page");
        assert_eq!(json["probs"][1][0], 0.5);
    }
}
