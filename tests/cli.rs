//! The `glasswing` command, run as a user would: JSON contract, summaries, init, errors.

mod common;

use std::process::Command;

use common::{expected, fixture};
use serde_json::Value;

fn glasswing(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_glasswing")).args(args).output().unwrap();
    (out.status.success(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn trace_json(args: &[&str]) -> Value {
    let (ok, stdout, stderr) = glasswing(args);
    assert!(ok, "{stderr}");
    assert_eq!(stdout.trim_end().lines().count(), 1, "exactly one JSON object on one line");
    serde_json::from_str(&stdout).unwrap()
}

fn shape(v: &Value) -> Vec<usize> {
    let mut shape = vec![];
    let mut cur = v;
    while let Value::Array(items) = cur {
        shape.push(items.len());
        cur = &items[0];
    }
    shape
}

fn flat(v: &Value) -> Vec<f32> {
    match v {
        Value::Array(items) => items.iter().flat_map(flat).collect(),
        Value::Number(n) => vec![n.as_f64().unwrap() as f32],
        other => panic!("not a number: {other}"),
    }
}

#[test]
fn trace_json_gpt_follows_the_contract() {
    let model = fixture("gpt_l2_h4_zh.safetensors");
    let want = expected("gpt_l2_h4_zh");
    let json = trace_json(&["trace", "--model", model.to_str().unwrap(), "--text", &want.text, "--json"]);
    let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(sorted, ["arch", "attention", "hidden", "ids", "probs", "tokens"]);
    assert_eq!(json["arch"], "gpt2");
    assert_eq!(json["ids"], serde_json::to_value(&want.ids).unwrap());
    let tokens: Vec<String> = want.text.chars().map(String::from).collect();
    assert_eq!(json["tokens"], serde_json::to_value(tokens).unwrap());
    let t = want.ids.len();
    assert_eq!(shape(&json["probs"]), want.probs.shape());
    assert_eq!(shape(&json["attention"]), [2, 4, t, t]);
    assert!(json["hidden"].is_null());
    // The numbers are PyTorch's, within the parity tolerance.
    let max = flat(&json["probs"]).iter().zip(want.probs.iter()).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
    assert!(max < 1e-4, "JSON probs differ from PyTorch by {max}");
    let max = flat(&json["attention"]).iter().zip(want.attention.unwrap().iter()).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
    assert!(max < 1e-4, "JSON attention differs from PyTorch by {max}");
}

#[test]
fn trace_json_rnn_by_ids() {
    let model = fixture("rnn_book_32_64.safetensors");
    let json = trace_json(&["trace", "--model", model.to_str().unwrap(), "--ids", "1,2,3,0", "--json"]);
    assert_eq!(json["arch"], "rnn");
    assert_eq!(json["ids"], serde_json::json!([1, 2, 3, 0]));
    assert_eq!(json["tokens"], serde_json::json!(["1", "2", "3", "0"]));
    assert_eq!(shape(&json["probs"]), [4, 1000]);
    assert_eq!(shape(&json["hidden"]), [1, 4, 64]);
    assert!(json["attention"].is_null());
}

#[test]
fn hugging_face_config_json_is_found_beside_or_given() {
    let model = fixture("gpt_hf_save_pretrained/model.safetensors");
    let json = trace_json(&["trace", "--model", model.to_str().unwrap(), "--ids", "3,1,4", "--json"]);
    assert_eq!(shape(&json["attention"]), [2, 2, 3, 3]);
    let config = fixture("gpt_hf_save_pretrained/config.json");
    let copy = std::env::temp_dir().join(format!("glasswing-hf-{}.safetensors", std::process::id()));
    std::fs::copy(&model, &copy).unwrap();
    let (ok, _, stderr) = glasswing(&["trace", "--model", copy.to_str().unwrap(), "--ids", "3,1,4"]);
    assert!(!ok && stderr.contains("n_head"), "without config.json: {stderr}");
    let (ok, _, stderr) =
        glasswing(&["trace", "--model", copy.to_str().unwrap(), "--config", config.to_str().unwrap(), "--ids", "3,1,4"]);
    assert!(ok, "{stderr}");
    std::fs::remove_file(copy).unwrap();
}

#[test]
fn trace_summary_shows_top_tokens_and_heads() {
    let model = fixture("gpt_l2_h4_zh.safetensors");
    let (ok, stdout, _) = glasswing(&["trace", "--model", model.to_str().unwrap(), "--text", "我喜欢"]);
    assert!(ok);
    assert!(stdout.starts_with("gpt2 model, 3 tokens"));
    assert!(stdout.contains("[2] \"欢\""));
    assert!(stdout.contains("most attended:") && stdout.contains("L1H3→"));
    assert!(stdout.contains('█'), "probability bars are drawn");
}

#[test]
fn info_describes_the_model() {
    let model = fixture("rnn_tanh_l2_zh.safetensors");
    let (ok, stdout, _) = glasswing(&["info", "--model", model.to_str().unwrap()]);
    assert!(ok);
    assert!(stdout.contains("arch:       rnn"));
    assert!(stdout.contains("\"hidden_size\":32"));
    assert!(stdout.contains("\"我\""));
    assert!(stdout.contains("title: fixture rnn_tanh_l2_zh"));
    // embed 21x16, layer 0 (32x16 + 32x32 + 2 biases), layer 1 (2 x 32x32 + 2 biases), head 21x32 + 21
    let params: usize = stdout.lines().find_map(|l| l.strip_prefix("parameters: ")).unwrap().parse().unwrap();
    assert_eq!(params, 21 * 16 + (32 * 16 + 32 * 32 + 64) + (32 * 32 + 32 * 32 + 64) + 21 * 32 + 21);
}

#[test]
fn init_is_seeded_and_loads() {
    let dir = std::env::temp_dir();
    let path = |n: &str| dir.join(format!("glasswing-init-{}-{n}.safetensors", std::process::id()));
    let book = ["init", "--arch", "rnn", "--embed-dim", "32", "--hidden-size", "64", "--vocab-size", "1000", "--seed", "7"];
    for n in ["a", "b"] {
        let (ok, _, stderr) = glasswing(&[&book[..], &["-o", path(n).to_str().unwrap()]].concat());
        assert!(ok, "{stderr}");
    }
    let (a, b) = (std::fs::read(path("a")).unwrap(), std::fs::read(path("b")).unwrap());
    assert_eq!(a, b, "the same seed gives the same bytes");
    let json = trace_json(&["trace", "--model", path("a").to_str().unwrap(), "--ids", "1,2,3,0", "--json"]);
    assert_eq!(shape(&json["hidden"]), [1, 4, 64]);
    assert_eq!(shape(&json["probs"]), [4, 1000]);

    let gpt = path("gpt");
    let (ok, _, stderr) = glasswing(&["init", "--arch", "gpt2", "--vocab-text", "abc我", "--seed", "1", "-o", gpt.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    let json = trace_json(&["trace", "--model", gpt.to_str().unwrap(), "--text", "c我a", "--json"]);
    assert_eq!(shape(&json["attention"]), [2, 4, 3, 3]);
    for n in ["a", "b", "gpt"] {
        std::fs::remove_file(path(n)).unwrap();
    }
}

#[test]
fn errors_are_one_line_and_exit_nonzero() {
    let model = fixture("gpt_l2_h4_zh.safetensors");
    let m = model.to_str().unwrap();
    for (args, needle) in [
        (vec!["trace", "--model", m, "--text", "我Q"], "unknown character 'Q'"),
        (vec!["trace", "--model", m, "--text", ""], "empty input"),
        (vec!["trace", "--model", m, "--ids", "999"], "out of range"),
        (vec!["trace", "--model", "/nonexistent.safetensors", "--ids", "1"], "cannot read"),
        (vec!["trace", "--model", fixture("make_fixtures.py").to_str().unwrap(), "--ids", "1"], "not a valid safetensors"),
    ] {
        let (ok, stdout, stderr) = glasswing(&args);
        assert!(!ok && stdout.is_empty(), "{args:?} should fail");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("error: ") && stderr.contains(needle), "{args:?}: {stderr}");
    }
}

#[test]
fn generate_json_follows_the_contract() {
    let model = fixture("gpt_l2_h4_zh.safetensors");
    let args = ["generate", "--model", model.to_str().unwrap(), "--text", "我喜", "--steps", "3", "--temperature", "0.7", "--top-k", "4", "--seed", "11", "--json"];
    let json = trace_json(&args);
    let mut keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["ids", "steps", "tokens"]);
    assert_eq!(json["ids"].as_array().unwrap().len(), 5);
    assert_eq!(json["tokens"][0], "我");
    let steps = json["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 3);
    for (k, step) in steps.iter().enumerate() {
        let mut keys: Vec<&str> = step.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, ["attention", "hidden", "id", "probs", "raw_probs", "token"]);
        assert_eq!(step["id"], json["ids"][2 + k]);
        assert_eq!(step["token"], json["tokens"][2 + k]);
        let (raw, probs) = (flat(&step["raw_probs"]), flat(&step["probs"]));
        assert_eq!(raw.len(), probs.len());
        assert!((raw.iter().sum::<f32>() - 1.0).abs() < 1e-4 && (probs.iter().sum::<f32>() - 1.0).abs() < 1e-4);
        assert_eq!(probs.iter().filter(|&&p| p > 0.0).count(), 4, "top-k 4 left four tokens");
        assert_eq!(shape(&step["attention"]), [2, 4, 3 + k]);
        assert!(step["hidden"].is_null());
    }
    assert_eq!(trace_json(&args), json, "the same seed gives the same output");

    let rnn = fixture("rnn_tanh_l2_zh.safetensors");
    let json = trace_json(&["generate", "--model", rnn.to_str().unwrap(), "--text", "我", "--steps", "2", "--greedy", "--json"]);
    assert_eq!(shape(&json["steps"][0]["hidden"]), [2, 32]);
    assert!(json["steps"][0]["attention"].is_null());
    let (ok, _, stderr) = glasswing(&["generate", "--model", rnn.to_str().unwrap(), "--text", "我", "--temperature", "20"]);
    assert!(!ok && stderr.contains("temperature"), "{stderr}");
}
