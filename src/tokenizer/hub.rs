//! Reading a Hub tokenizer: `tokenizer.json` (Hugging Face tokenizers'
//! format) or the older `vocab.json` + `merges.txt` pair. Every feature we do
//! not implement is an error naming it, never a silent difference.

use std::collections::HashMap;

use fancy_regex::Regex;
use serde_json::Value;

use super::bpe::{Bpe, BpeParts, PreTokenizer, GPT2_PATTERN};
use crate::error::{Error, Result};

/// The tokenizer files of a model folder, as text.
#[derive(Debug, Clone, Default)]
pub struct TokenizerFiles {
    pub tokenizer_json: Option<String>,
    pub vocab_json: Option<String>,
    pub merges_txt: Option<String>,
}

impl TokenizerFiles {
    pub fn is_empty(&self) -> bool {
        self.tokenizer_json.is_none() && self.vocab_json.is_none() && self.merges_txt.is_none()
    }
}

fn unsupported(what: impl std::fmt::Display) -> Error {
    Error::Tokenizer(format!("{what} is not supported"))
}

fn bad(file: &str, what: impl std::fmt::Display) -> Error {
    Error::Tokenizer(format!("{file}: {what}"))
}

fn regex(pattern: &str) -> Result<PreTokenizer> {
    Regex::new(pattern).map(PreTokenizer::Split).map_err(|e| Error::Tokenizer(format!("pre-tokenizer regex {pattern:?}: {e}")))
}

/// A byte-level BPE from the files: tokenizer.json if present, else the pair.
pub fn from_files(files: &TokenizerFiles) -> Result<Bpe> {
    match (&files.tokenizer_json, &files.vocab_json, &files.merges_txt) {
        (Some(json), _, _) => from_tokenizer_json(json),
        (None, Some(vocab), Some(merges)) => from_vocab_and_merges(vocab, merges),
        (None, Some(_), None) => Err(Error::Tokenizer("vocab.json needs merges.txt beside it".into())),
        (None, None, Some(_)) => Err(Error::Tokenizer("merges.txt needs vocab.json beside it".into())),
        (None, None, None) => Err(Error::Tokenizer("no tokenizer files".into())),
    }
}

/// GPT-2's original pair: the vocabulary, the merges in rank order, GPT-2's
/// pre-tokenizer; entries shaped `<|...|>` are special tokens.
pub fn from_vocab_and_merges(vocab_json: &str, merges_txt: &str) -> Result<Bpe> {
    let vocab: HashMap<String, usize> =
        serde_json::from_str(vocab_json).map_err(|e| bad("vocab.json", format!("not a JSON object of token ids: {e}")))?;
    let merges = merges_txt
        .lines()
        .enumerate()
        .filter(|(i, line)| !(line.trim().is_empty() || (*i == 0 && line.starts_with("#version"))))
        .map(|(i, line)| match line.split_once(' ') {
            Some((a, b)) if !b.contains(' ') => Ok((a.to_string(), b.to_string())),
            _ => Err(bad("merges.txt", format!("line {} is not two tokens separated by a space", i + 1))),
        })
        .collect::<Result<Vec<_>>>()?;
    let added =
        vocab.iter().filter(|(t, _)| t.starts_with("<|") && t.ends_with("|>") && t.len() > 4).map(|(t, &id)| (t.clone(), id, true)).collect();
    let plain = vocab.into_iter().filter(|(t, _)| !(t.starts_with("<|") && t.ends_with("|>") && t.len() > 4)).collect();
    Bpe::new(BpeParts {
        vocab: plain,
        merges,
        added,
        nfc: false,
        add_prefix_space: false,
        ignore_merges: false,
        pre: vec![regex(GPT2_PATTERN)?],
    })
}

/// tokenizer.json with a `BPE` model over bytes (GPT-2, Llama 3, Qwen2, SmolLM).
pub fn from_tokenizer_json(text: &str) -> Result<Bpe> {
    let file = "tokenizer.json";
    let json: Value = serde_json::from_str(text).map_err(|e| bad(file, format!("not valid JSON: {e}")))?;
    let model = json.get("model").ok_or_else(|| bad(file, "no `model`"))?;
    let kind = model.get("type").and_then(Value::as_str).unwrap_or("BPE");
    if kind != "BPE" {
        return Err(unsupported(format!("the {kind} tokenizer model (only byte-level BPE is)")));
    }
    if model.get("byte_fallback").and_then(Value::as_bool) == Some(true) {
        return Err(unsupported("BPE with byte_fallback (SentencePiece-style, as Llama 2 and TinyLlama)"));
    }
    for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
        if let Some(v) = model.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()) {
            return Err(unsupported(format!("BPE {key} {v:?}")));
        }
    }
    if model.get("dropout").and_then(Value::as_f64).is_some_and(|p| p > 0.0) {
        return Err(unsupported("BPE dropout"));
    }
    let vocab: HashMap<String, usize> = serde_json::from_value(model.get("vocab").cloned().unwrap_or(Value::Null))
        .map_err(|e| bad(file, format!("model.vocab is not an object of token ids: {e}")))?;
    let merges = model
        .get("merges")
        .and_then(Value::as_array)
        .ok_or_else(|| bad(file, "model.merges is not a list"))?
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let pair = match m {
                Value::String(s) => s.split_once(' ').map(|(a, b)| (a.to_string(), b.to_string())),
                Value::Array(a) if a.len() == 2 => a[0].as_str().zip(a[1].as_str()).map(|(a, b)| (a.to_string(), b.to_string())),
                _ => None,
            };
            pair.ok_or_else(|| bad(file, format!("merge {} is not a pair of tokens", i + 1)))
        })
        .collect::<Result<Vec<_>>>()?;
    let added = json
        .get("added_tokens")
        .and_then(Value::as_array)
        .map(|list| list.iter().map(added_token).collect::<Result<Vec<_>>>())
        .transpose()?
        .unwrap_or_default();
    let nfc = normalizer(json.get("normalizer").unwrap_or(&Value::Null))?;
    let mut add_prefix_space = false;
    let mut pre = Vec::new();
    pre_tokenizer(json.get("pre_tokenizer").unwrap_or(&Value::Null), &mut pre, &mut add_prefix_space)?;
    match json.get("decoder").and_then(|d| d.get("type")).and_then(Value::as_str) {
        None | Some("ByteLevel") => {}
        Some(other) => return Err(unsupported(format!("the {other} decoder (only ByteLevel is)"))),
    }
    let ignore_merges = model.get("ignore_merges").and_then(Value::as_bool).unwrap_or(false);
    let plain = vocab.into_iter().filter(|(t, id)| !added.iter().any(|(c, aid, _)| c == t && aid == id)).collect();
    Bpe::new(BpeParts { vocab: plain, merges, added, nfc, add_prefix_space, ignore_merges, pre })
}

fn added_token(t: &Value) -> Result<(String, usize, bool)> {
    let content = t.get("content").and_then(Value::as_str).ok_or_else(|| bad("tokenizer.json", "an added token has no content"))?;
    let id = t.get("id").and_then(Value::as_u64).ok_or_else(|| bad("tokenizer.json", format!("added token {content:?} has no id")))?;
    for flag in ["lstrip", "rstrip", "single_word"] {
        if t.get(flag).and_then(Value::as_bool) == Some(true) {
            return Err(unsupported(format!("added token {content:?} with {flag}")));
        }
    }
    let special = t.get("special").and_then(Value::as_bool).unwrap_or(false);
    Ok((content.to_string(), id as usize, special))
}

/// true for NFC, false for none; anything else is an error naming it.
fn normalizer(n: &Value) -> Result<bool> {
    match n.get("type").and_then(Value::as_str) {
        None => Ok(false),
        Some("NFC") => Ok(true),
        Some("Sequence") => {
            let mut nfc = false;
            for inner in n.get("normalizers").and_then(Value::as_array).into_iter().flatten() {
                nfc |= normalizer(inner)?;
            }
            Ok(nfc)
        }
        Some(other) => Err(unsupported(format!("the {other} normalizer"))),
    }
}

fn pre_tokenizer(p: &Value, out: &mut Vec<PreTokenizer>, add_prefix_space: &mut bool) -> Result<()> {
    match p.get("type").and_then(Value::as_str) {
        None => Ok(()),
        Some("ByteLevel") => {
            *add_prefix_space |= p.get("add_prefix_space").and_then(Value::as_bool).unwrap_or(false);
            if p.get("use_regex").and_then(Value::as_bool).unwrap_or(true) {
                out.push(regex(GPT2_PATTERN)?);
            }
            Ok(())
        }
        Some("Split") => {
            let behavior = p.get("behavior").and_then(Value::as_str).unwrap_or("Isolated");
            if behavior != "Isolated" || p.get("invert").and_then(Value::as_bool) == Some(true) {
                return Err(unsupported(format!("the Split pre-tokenizer with behavior {behavior}{}", if p.get("invert").and_then(Value::as_bool) == Some(true) { " inverted" } else { "" })));
            }
            let pattern = p.get("pattern").ok_or_else(|| bad("tokenizer.json", "Split has no pattern"))?;
            match (pattern.get("Regex").and_then(Value::as_str), pattern.get("String").and_then(Value::as_str)) {
                (Some(re), _) => out.push(regex(re)?),
                (None, Some(s)) => out.push(regex(&fancy_regex::escape(s))?),
                _ => return Err(bad("tokenizer.json", "Split pattern is neither Regex nor String")),
            }
            Ok(())
        }
        Some("Digits") => {
            if p.get("individual_digits").and_then(Value::as_bool) != Some(true) {
                return Err(unsupported("the Digits pre-tokenizer without individual_digits"));
            }
            out.push(PreTokenizer::Digits);
            Ok(())
        }
        Some("Sequence") => {
            for inner in p.get("pretokenizers").and_then(Value::as_array).into_iter().flatten() {
                pre_tokenizer(inner, out, add_prefix_space)?;
            }
            Ok(())
        }
        Some(other) => Err(unsupported(format!("the {other} pre-tokenizer"))),
    }
}
