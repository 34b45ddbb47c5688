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
    assert_eq!(sorted, ["arch", "attention", "hidden", "ids", "probs", "token_bytes", "tokens"]);
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
    // Positions, layers and heads count from 1, as on the page: 欢 is the third token.
    assert!(stdout.contains("\n[1] \"我\"") && stdout.contains("\n[3] \"欢\""), "{stdout}");
    assert!(!stdout.contains("[0]") && !stdout.contains("L0") && !stdout.contains("H0"), "{stdout}");
    assert!(stdout.contains("most attended:") && stdout.contains("L2H4→"));
    assert!(stdout.contains("L1H1→\"我\"@1 "), "the first token can only attend to itself, position 1: {stdout}");
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

// ---- Hardening (issue 9): clean exits and a terminal nothing can take over ----

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// How a run ended: exit code (None for a signal), stdout, stderr; None if it
/// had to be killed after `limit`.
fn glasswing_within(args: &[&str], env: &[(&str, &str)], limit: Duration) -> Option<(Option<i32>, String, String)> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_glasswing"));
    cmd.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let read = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            buf
        })
    };
    let (out, err) = (read(Box::new(child.stdout.take().unwrap())), read(Box::new(child.stderr.take().unwrap())));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let text = |h: std::thread::JoinHandle<Vec<u8>>| String::from_utf8(h.join().unwrap()).expect("output is UTF-8");
    let (stdout, stderr) = (text(out), text(err));
    status.map(|s| (s.code(), stdout, stderr))
}

/// A control character a terminal would act on: C0 but the newline, DEL, C1.
fn raw_control(text: &str) -> Option<char> {
    text.chars().find(|&c| (c.is_control() && c != '\n') || ('\u{202A}'..='\u{202E}').contains(&c) || ('\u{2066}'..='\u{2069}').contains(&c))
}

/// Exit 1 with exactly one line on stderr, `error: ...` containing `needle`, within 20 s.
fn fails_cleanly(args: &[&str], env: &[(&str, &str)], needle: &str) {
    let Some((code, stdout, stderr)) = glasswing_within(args, env, Duration::from_secs(20)) else {
        panic!("{args:?} did not end within 20 s");
    };
    assert_eq!(code, Some(1), "{args:?}: exit {code:?}, stderr {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    assert!(stderr.starts_with("error: ") && stderr.contains(needle), "{args:?}: wanted {needle:?} in {stderr}");
    assert_eq!(raw_control(&stdout), None, "{args:?}: {stdout:?}");
    assert_eq!(raw_control(&stderr), None, "{args:?}: {stderr:?}");
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("glasswing-cli-{}-{name}", std::process::id()))
}

#[test]
fn issue_9_cli_defects_are_one_line_errors() {
    let rnn = fixture("rnn_tanh_l1.safetensors");
    let gpt = fixture("gpt_l1_h1.safetensors");
    let toy = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("www/models/toy-rnn.safetensors");
    let (rnn, gpt, toy) = (rnn.to_str().unwrap(), gpt.to_str().unwrap(), toy.to_str().unwrap());
    let max = "18446744073709551615";
    // generate: prompt + steps overflowed (a panic, exit 101).
    for model in [rnn, gpt] {
        fails_cleanly(&["generate", "--model", model, "--ids", "1", "--steps", max], &[], "longer than the model's maximum");
        fails_cleanly(&["generate", "--model", model, "--ids", "1,2", "--steps", &(usize::MAX - 1).to_string()], &[], "longer than");
    }
    // eval: 0 examples was "0% exact match" with exit 0; 10^8 aborted on allocation.
    for n in ["0", "100000000", max] {
        fails_cleanly(&["eval", "--model", toy, "--task", "toy", "--n", n], &[], "n = ");
    }
    // train: --eval-every 0 divided by zero; a NaN / infinite / huge lr wrote a checkpoint `info` rejects.
    let out = temp("train.safetensors");
    let o = out.to_str().unwrap();
    let train = ["train", "--arch", "rnn", "--task", "reverse", "--seed", "1", "-o", o];
    for (extra, needle) in [
        (&["--eval-every", "0"][..], "eval_every"),
        (&["--lr", "NaN"], "lr"),
        (&["--lr", "inf"], "lr"),
        (&["--lr=-inf"], "lr"),
        (&["--lr", "1e30"], "lr"),
        (&["--lr", "0"], "lr"),
        (&["--lr=-0.001"], "lr"),
        (&["--eval-n", "0"], "eval_n"),
        (&["--eval-n", max], "eval_n = 18446744073709551615"),
        (&["--target-accuracy", "NaN"], "target_accuracy"),
        (&["--target-accuracy", "1.5"], "target_accuracy"),
        (&["--steps", "0"], "steps"),
        (&["--batch-size", "0"], "batch_size"),
    ] {
        let args = [&train[..], extra].concat();
        fails_cleanly(&args, &[], needle);
        assert!(!out.exists(), "{args:?} wrote a checkpoint");
    }
    // A bad output path is found before training, not after it.
    let dir = std::env::temp_dir();
    let started = Instant::now();
    fails_cleanly(
        &["train", "--arch", "rnn", "--task", "reverse", "--seed", "1", "--steps", "100000", "-o", dir.to_str().unwrap()],
        &[],
        "cannot write",
    );
    assert!(started.elapsed() < Duration::from_secs(5), "the output was checked only after training");
    // bench: the runs are kept for the median; 0 was silently 1, 10^9 ran for days.
    for runs in ["0", "1000000000", max] {
        fails_cleanly(&["bench", "--runs", runs, "--json"], &[], "runs = ");
    }
    // A valid run still works, and writes what `info` reads back.
    let (ok, _, stderr) = glasswing(&[&train[..], &["--steps", "3", "--lr", "0.01", "--eval-every", "1"]].concat());
    assert!(ok, "{stderr}");
    let (ok, _, stderr) = glasswing(&["info", "--model", o]);
    assert!(ok, "{stderr}");
    std::fs::remove_file(&out).unwrap();
}

#[test]
fn endless_or_huge_inputs_are_refused_not_read() {
    // Files without end: the reads are bounded by the memory budget.
    let zero = "/dev/zero";
    if !Path::new(zero).exists() {
        return;
    }
    let env = [("GLASSWING_MEMORY_BUDGET", "200M")];
    let out = temp("zero.safetensors");
    fails_cleanly(
        &["train", "--arch", "rnn", "--task", "text", "--text-file", zero, "--seed", "1", "-o", out.to_str().unwrap()],
        &env,
        "/dev/zero",
    );
    fails_cleanly(&["trace", "--model", zero, "--ids", "1"], &env, "");
    fails_cleanly(&["info", "--model", fixture("rnn_tanh_l1.safetensors").to_str().unwrap(), "--config", zero], &env, "");
    // The benchmark's own models within a small budget: an error, not a panic.
    fails_cleanly(&["bench", "--runs", "1", "--json"], &[("GLASSWING_MEMORY_BUDGET", "1M")], "budget");
}

/// A checkpoint whose metadata and vocabulary try to take over the terminal:
/// retitle it (OSC 0), recolour it (CSI, 7-bit and C1), rewrite a line (CR),
/// reorder it (RLO), ring it (BEL), fake a line of `info` (a newline).
fn hostile_checkpoint(path: &Path) {
    let title = "\u{1b}]0;pwned\u{7}";
    let tokens: Vec<String> =
        ["a", "b", "\u{1b}", "\u{9b}", "\r", "\u{7}", "\u{202e}", "\u{7f}", "\t", "\n", "我", "🦋", title, "\u{1b}[31m", "[", "3", "1", "m", "]", "0", ";", "\u{85}", "\u{0}"]
            .map(String::from)
            .to_vec();
    let sizes = glasswing::init::ModelSizes { arch: "gpt2".into(), n_layer: 1, n_head: 2, n_embd: 8, ..Default::default() };
    let model = sizes.build(tokens.len(), 32, 1).unwrap();
    let mut metadata = BTreeMap::new();
    metadata.insert("title".to_string(), title.to_string());
    metadata.insert("description".to_string(), "\u{1b}[31mred\u{1b}[0m\rover\u{9b}2J\nparameters: 1".to_string());
    metadata.insert("\u{1b}[2Jkey\u{202e}".to_string(), "café 我 🦋".to_string());
    let ckpt = glasswing::Checkpoint { model, tokenizer: Some(glasswing::Tokenizer::new(tokens).unwrap()), metadata };
    ckpt.save(path).unwrap();
}

/// A file the loader rejects with a message quoting its header (a dtype
/// holding an escape sequence, which serde_json's message repeats raw).
fn hostile_header(path: &Path) {
    let header = serde_json::json!({ "w": { "dtype": "\u{1b}]0;pwned\u{7}\u{9b}31m", "shape": [1], "data_offsets": [0, 4] } }).to_string();
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend(header.as_bytes());
    bytes.extend([0u8; 4]);
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn control_characters_never_reach_the_terminal() {
    let model = temp("hostile.safetensors");
    hostile_checkpoint(&model);
    let bad = temp("hostile-header.safetensors");
    hostile_header(&bad);
    let config = temp("hostile-config.json");
    std::fs::write(&config, "{\"n_head\": \"\u{1b}]0;pwned\u{7}\"}").unwrap();
    let text_file = temp("hostile-text.txt");
    std::fs::write(&text_file, "ab\u{1b}[31mcd\u{9b}\r\n我").unwrap();
    let hf = fixture("gpt_hf_save_pretrained/model.safetensors");
    let m = model.to_str().unwrap();
    let esc = "a\u{1b}b\u{9b}\r\u{7}\u{202e}\u{7f}\t\n我🦋\u{1b}[31m";
    let succeed: Vec<Vec<&str>> = vec![
        vec!["info", "--model", m],
        vec!["trace", "--model", m, "--text", esc],
        vec!["trace", "--model", m, "--text", esc, "--json"],
        vec!["trace", "--model", m, "--ids", "12,13,2,3,4"],
        vec!["generate", "--model", m, "--text", esc, "--steps", "8", "--seed", "3"],
        vec!["generate", "--model", m, "--text", esc, "--steps", "8", "--seed", "3", "--json"],
        vec!["generate", "--model", m, "--ids", "12", "--steps", "30", "--temperature", "10"],
        vec!["generate", "--model", m, "--ids", "22,12", "--steps", "30", "--temperature", "10", "--json"],
    ];
    let fail: Vec<Vec<&str>> = vec![
        // errors that quote the argument or the file
        vec!["trace", "--model", m, "--text", "a\u{1b}]0;x\u{7}Z"],
        vec!["trace", "--model", bad.to_str().unwrap(), "--ids", "1"],
        vec!["info", "--model", hf.to_str().unwrap(), "--config", config.to_str().unwrap()],
        vec!["eval", "--model", m, "--task", "\u{1b}]0;pwned\u{7}"],
        vec!["eval", "--model", m, "--task", "text", "--text-file", text_file.to_str().unwrap()],
        vec!["trace", "--model", "/nonexistent/\u{1b}]0;pwned\u{7}.safetensors", "--ids", "1"],
        vec!["init", "--arch", "rnn", "--vocab-size", "3", "--seed", "1", "-o", "/nonexistent/\u{1b}[31m.safetensors"],
        // clap's usage errors quote the argument too
        vec!["generate", "--model", m, "--ids", "1", "--steps", "\u{1b}]0;pwned\u{7}"],
        vec!["trace", "--model", m, "--ids", "1,\u{9b}31m"],
        vec!["\u{1b}]0;pwned\u{7}"],
    ];
    for (args, ok) in succeed.iter().map(|a| (a, true)).chain(fail.iter().map(|a| (a, false))) {
        let (code, stdout, stderr) = glasswing_within(args, &[], Duration::from_secs(20)).expect("ends");
        if ok {
            assert_eq!(code, Some(0), "{args:?}: {stderr}");
        } else {
            assert!(matches!(code, Some(1 | 2)), "{args:?}: exit {code:?}: {stderr}");
        }
        assert_eq!(raw_control(&stdout), None, "{args:?} wrote a control character to stdout: {stdout:?}");
        assert_eq!(raw_control(&stderr), None, "{args:?} wrote a control character to stderr: {stderr:?}");
        if code == Some(1) {
            assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        }
    }
    // Escaped, but still there to read; normal text stays as it is.
    let (_, info, _) = glasswing(&["info", "--model", m]);
    assert!(info.contains("title: \\u{1b}]0;pwned\\u{7}"), "{info}");
    assert!(info.contains("\\u{1b}[2Jkey\\u{202e}: café 我 🦋"), "{info}");
    assert!(info.contains("\\nparameters: 1"), "a newline in a value is not a new line: {info}");
    assert_eq!(info.lines().filter(|l| l.starts_with("parameters: ")).count(), 1, "{info}");
    // A usage error shows the argument it quotes, escaped.
    let (_, _, stderr) = glasswing(&["generate", "--model", m, "--ids", "1", "--steps", "\u{1b}]0;pwned\u{7}"]);
    assert!(stderr.starts_with("error: invalid value '\\u{1b}]0;pwned\\u{7}' for '--steps"), "{stderr}");
    // JSON stays the same value: the escapes decode to the very tokens.
    let json = trace_json(&["trace", "--model", m, "--text", esc, "--json"]);
    let tokens: Vec<String> = esc.chars().map(String::from).collect();
    assert_eq!(json["tokens"], serde_json::to_value(tokens).unwrap());
    for p in [model, bad, config, text_file] {
        std::fs::remove_file(p).unwrap();
    }
}

/// Found by tests/cli_props.rs: a GPT with fewer positions than the task's
/// examples panicked in the first training step (an ndarray slice past the
/// position table) instead of being refused before training.
#[test]
fn train_refuses_too_few_positions() {
    let out = temp("positions.safetensors");
    for (task, positions) in [("reverse", "1"), ("reverse", "16"), ("toy", "10")] {
        let args = ["train", "--arch", "gpt2", "--n-positions", positions, "--task", task, "--steps", "1", "--seed", "1", "-o", out.to_str().unwrap()];
        let Some((code, _, stderr)) = glasswing_within(&args, &[], Duration::from_secs(20)) else { panic!("{args:?} hung") };
        assert_eq!(code, Some(1), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: ") && stderr.lines().count() == 1, "{args:?}: {stderr}");
        assert!(stderr.contains("n_positions") || stderr.contains("longer than"), "{args:?}: {stderr}");
        assert!(!out.exists());
    }
}
