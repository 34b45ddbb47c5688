//! Issue 14's tools against PyTorch: the logit lens, zero and mean head
//! ablation, and head scores, each compared with what the fixture script
//! computed with forward hooks (float64, from the same saved weights) on the
//! small GPT-2, Llama (GQA) and Qwen2 (bf16, biases) fixtures; and the
//! commands' JSON and summaries.

mod common;

use std::collections::HashMap;
use std::process::Command;

use common::{fixture, open};
use glasswing::interp::{self, Ablation};
use ndarray::{Array2, ArrayD, Axis, IxDyn};
use serde_json::Value;

const CASES: [&str; 3] = ["hub/gpt2_tiny", "hub/llama_tiny", "hub/qwen2_tiny_bf16"];

/// What PyTorch computed for one case (`<case>.interp.safetensors`).
struct Reference {
    tensors: HashMap<String, ArrayD<f32>>,
    meta: HashMap<String, String>,
}

impl Reference {
    fn load(case: &str) -> Self {
        let bytes = std::fs::read(fixture(&format!("{case}.interp.safetensors"))).expect("interp fixture exists");
        let file = safetensors::SafeTensors::deserialize(&bytes).unwrap();
        let (_, header) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
        let tensors = file
            .tensors()
            .into_iter()
            .map(|(name, t)| {
                let data = t.data().chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().unwrap())).collect();
                (name, ArrayD::from_shape_vec(IxDyn(t.shape()), data).unwrap())
            })
            .collect();
        Self { tensors, meta: header.metadata().clone().unwrap() }
    }

    fn get(&self, name: &str) -> &ArrayD<f32> {
        &self.tensors[name]
    }

    fn json<T: serde::de::DeserializeOwned>(&self, key: &str) -> T {
        serde_json::from_str(&self.meta[key]).unwrap()
    }
}

fn max_diff(a: &ArrayD<f32>, b: &ArrayD<f32>) -> f32 {
    assert_eq!(a.shape(), b.shape());
    a.iter().zip(b.iter()).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

/// Our result matches PyTorch's within 1e-4, and far more closely than
/// `other` (what a wrong computation would give) differs from it: the
/// tools' effects on these random models are small (probabilities near 1/V),
/// so a bare 1e-4 alone could pass a tool that did nothing.
fn assert_matches(what: &str, ours: &ArrayD<f32>, torch: &ArrayD<f32>, other: &ArrayD<f32>) -> f32 {
    let diff = max_diff(ours, torch);
    let apart = max_diff(other, torch);
    eprintln!("{what}: max |ours - torch| = {diff:.2e} (a wrong answer would be {apart:.2e} off)");
    assert!(diff < 1e-4, "{what}: {diff}");
    assert!(diff * 100.0 < apart, "{what}: {diff} is not far below {apart}");
    diff
}

fn layers_heads(model: &glasswing::Model) -> (usize, usize) {
    interp::layers_heads(model, "test").unwrap()
}

#[test]
fn logit_lens_matches_pytorch_hooks() {
    for case in CASES {
        let (ckpt, reference) = (open(case), Reference::load(case));
        let ids: Vec<usize> = reference.json("ids");
        let torch = reference.get("lens"); // [L+1, T, V]
        let (layers, _) = layers_heads(&ckpt.model);
        assert_eq!(torch.shape()[0], layers + 1);
        let mut seen = vec![];
        interp::lens_each(&ckpt.model, &ids, |l, probs| seen.push((l, probs))).unwrap();
        assert_eq!(seen.iter().map(|(l, _)| *l).collect::<Vec<_>>(), (0..=layers).collect::<Vec<_>>());
        for (l, probs) in &seen {
            let want = torch.index_axis(Axis(0), *l).to_owned();
            // A lens that read another layer's residual stream would be this far off.
            let other = torch.index_axis(Axis(0), if *l == layers { 0 } else { l + 1 }).to_owned();
            assert_matches(&format!("{case} lens layer {l}"), &probs.clone().into_dyn(), &want, &other);
        }
        // At l = L the lens is the model's output, the same arithmetic.
        let output = ckpt.trace_ids(&ids).unwrap().probs;
        assert!(max_diff(&seen[layers].1.clone().into_dyn(), &output.into_dyn()) < 1e-6);

        // The kept tops: PyTorch's k largest, best first.
        let k = 4;
        let lens = interp::lens(&ckpt.model, &ids, k).unwrap();
        assert_eq!((lens.ids.as_slice(), lens.layers.len()), (ids.as_slice(), layers + 1));
        for (l, layer) in lens.layers.iter().enumerate() {
            for t in 0..ids.len() {
                let mut row: Vec<(usize, f32)> = torch.slice(ndarray::s![l, t, ..]).iter().copied().enumerate().collect();
                row.sort_by(|a, b| b.1.total_cmp(&a.1));
                for j in 0..k {
                    assert!((layer.top_probs[t][j] - row[j].1).abs() < 1e-4, "{case} L{l} t{t}");
                    let id = layer.top_ids[t][j];
                    // The same token, or one PyTorch rates as likely (a near tie).
                    assert!((torch[[l, t, id]] - row[j].1).abs() < 1e-6, "{case} L{l} t{t}: id {id} vs {}", row[j].0);
                }
            }
        }
    }
}

#[test]
fn zero_and_mean_ablation_match_pytorch_hooks() {
    for case in CASES {
        let (ckpt, reference) = (open(case), Reference::load(case));
        let ids: Vec<usize> = reference.json("ids");
        let heads: Vec<(usize, usize)> = reference.json::<Vec<[usize; 2]>>("ablate").into_iter().map(|[l, h]| (l, h)).collect();
        let plain = interp::ablate(&ckpt.model, &ids, &[], Ablation::Zero).unwrap().into_dyn();
        let (zero, mean) = (reference.get("ablate_zero"), reference.get("ablate_mean"));
        let ours_zero = interp::ablate(&ckpt.model, &ids, &heads, Ablation::Zero).unwrap().into_dyn();
        let ours_mean = interp::ablate(&ckpt.model, &ids, &heads, Ablation::Mean).unwrap().into_dyn();
        // Not ablating, or ablating the other way, would be far off.
        assert_matches(&format!("{case} zero ablation {heads:?}"), &ours_zero, zero, &plain);
        assert_matches(&format!("{case} zero ablation {heads:?} (vs mean)"), &ours_zero, zero, mean);
        assert_matches(&format!("{case} mean ablation {heads:?}"), &ours_mean, mean, &plain);
        assert_matches(&format!("{case} mean ablation {heads:?} (vs zero)"), &ours_mean, mean, zero);
        // Each head counts: ablating only the first of them is far off too.
        if heads.len() > 1 {
            let first = interp::ablate(&ckpt.model, &ids, &heads[..1], Ablation::Zero).unwrap().into_dyn();
            assert_matches(&format!("{case} zero ablation, every head"), &ours_zero, zero, &first);
        }
        // Nothing ablated is the plain forward.
        assert!(max_diff(&plain, &ckpt.trace_ids(&ids).unwrap().probs.into_dyn()) < 1e-7);
    }
}

#[test]
fn head_scores_match_pytorch_attention() {
    for case in CASES {
        let (ckpt, reference) = (open(case), Reference::load(case));
        let ids: Vec<usize> = reference.json("heads_ids");
        let scores = interp::head_scores(&ckpt.model, &ids).unwrap();
        let (layers, heads) = layers_heads(&ckpt.model);
        let ours = [&scores.previous_token, &scores.duplicate_token, &scores.induction];
        for (name, mine) in ["previous_token", "duplicate_token", "induction"].iter().zip(ours) {
            assert_eq!(mine.dim(), (layers, heads));
            // Each score against the others: a score averaging the wrong diagonal is that far off.
            let others: Vec<&ArrayD<f32>> = ["previous_token", "duplicate_token", "induction"].iter().filter(|o| *o != name).map(|o| reference.get(o)).collect();
            for other in others {
                assert_matches(&format!("{case} {name}"), &mine.clone().into_dyn(), reference.get(name), other);
            }
        }
    }
}

#[test]
fn head_scores_average_the_definitions_diagonals() {
    // Every score from the recorded attention of the same 2N ids, by the definition.
    let ckpt = open("hub/llama_tiny");
    let ids = interp::repeated_random(&ckpt.model, ckpt.tokenizer.as_ref(), 7, 3).unwrap();
    let n = 7;
    let att = ckpt.trace_ids(&ids).unwrap().attention.unwrap(); // [L, H, 2N, 2N]
    let scores = interp::head_scores(&ckpt.model, &ids).unwrap();
    for ((l, h), &s) in scores.induction.indexed_iter() {
        let a = att.slice(ndarray::s![l, h, .., ..]);
        let mean = |rows: std::ops::Range<usize>, back: usize| rows.clone().map(|i| a[[i, i - back]]).sum::<f32>() / rows.len() as f32;
        assert!((s - mean(n..2 * n, n - 1)).abs() < 1e-6);
        assert!((scores.duplicate_token[[l, h]] - mean(n..2 * n, n)).abs() < 1e-6);
        assert!((scores.previous_token[[l, h]] - mean(1..2 * n, 1)).abs() < 1e-6);
    }
}

#[test]
fn the_random_sequence_is_seeded_repeated_and_free_of_special_tokens() {
    let ckpt = open("hub/qwen2_tiny_bf16"); // ids 0, 1, 2 are special
    let tok = ckpt.tokenizer.as_ref().unwrap();
    let draw = |n, seed| interp::repeated_random(&ckpt.model, Some(tok), n, seed).unwrap();
    let ids = draw(60, 1);
    assert_eq!(ids.len(), 120);
    assert_eq!(ids[..60], ids[60..]);
    assert_eq!(ids, draw(60, 1), "the same seed, the same sequence");
    assert_ne!(ids, draw(60, 2));
    let many = draw(64, 9);
    assert!((0..3).all(|id| tok.is_special(id)));
    assert!(many.iter().chain(&ids).all(|&id| !tok.is_special(id) && id < ckpt.model.vocab_size()), "{many:?}");
    // Longer than the model's 128 positions, or empty: refused before anything is drawn.
    let err = interp::repeated_random(&ckpt.model, Some(tok), 65, 0).unwrap_err();
    assert_eq!(err.code(), "too_long", "{err}");
    assert_eq!(interp::repeated_random(&ckpt.model, Some(tok), 0, 0).unwrap_err().code(), "at_least");
}

#[test]
fn an_rnn_or_a_wrong_head_is_a_clear_error() {
    let rnn = open("rnn_tanh_l1.safetensors").model;
    let errors = [
        interp::lens(&rnn, &[1, 2], 3).unwrap_err(),
        interp::ablate(&rnn, &[1, 2], &[(0, 0)], Ablation::Mean).unwrap_err(),
        interp::repeated_random(&rnn, None, 3, 0).unwrap_err(),
        interp::head_scores(&rnn, &[1, 2, 1, 2]).unwrap_err(),
    ];
    for err in errors {
        assert_eq!(err.code(), "unsupported", "{err}");
        assert!(err.to_string().contains("Transformers (GPT-2, Llama, Qwen2) only"), "{err}");
    }
    let gpt = open("hub/gpt2_tiny").model; // 2 layers, 4 heads
    let err = interp::ablate(&gpt, &[1, 2], &[(0, 4)], Ablation::Zero).unwrap_err();
    assert_eq!((err.code(), err.to_string().contains("head = 5")), ("out_of_range", true), "{err}");
    let err = interp::ablate(&gpt, &[1, 2], &[(2, 0)], Ablation::Zero).unwrap_err();
    assert!(err.to_string().contains("layer = 3 is out of range: it must be between 1 and 2"), "{err}");
    assert_eq!(interp::head_scores(&gpt, &[1, 2, 3]).unwrap_err().code(), "options");
    assert_eq!(interp::lens(&gpt, &[1, 2], 0).unwrap_err().code(), "at_least");
}

// ---- the commands ----

fn glasswing(args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_glasswing")).args(args).envs(env.iter().copied()).output().unwrap();
    (out.status.success(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn json(args: &[&str]) -> Value {
    let (ok, stdout, stderr) = glasswing(args, &[]);
    assert!(ok, "{stderr}");
    assert_eq!(stdout.trim_end().lines().count(), 1, "one JSON object on one line");
    serde_json::from_str(&stdout).unwrap()
}

fn matrix(v: &Value) -> Array2<f32> {
    let rows: Vec<Vec<f32>> = serde_json::from_value(v.clone()).unwrap();
    Array2::from_shape_vec((rows.len(), rows[0].len()), rows.concat()).unwrap()
}

#[test]
fn the_commands_print_the_issues_json() {
    let model = fixture("hub/llama_tiny");
    let model = model.to_str().unwrap();
    let reference = Reference::load("hub/llama_tiny");
    let ids: Vec<usize> = reference.json("ids");
    let ids_arg = ids.iter().map(usize::to_string).collect::<Vec<_>>().join(",");

    let lens = json(&["lens", "--model", model, "--ids", &ids_arg, "--top-k", "3", "--json"]);
    assert_eq!(lens.as_object().unwrap().keys().collect::<Vec<_>>(), ["ids", "layers"]);
    assert_eq!(serde_json::from_value::<Vec<usize>>(lens["ids"].clone()).unwrap(), ids);
    let layers = lens["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 3);
    for (l, layer) in layers.iter().enumerate() {
        let (top_ids, top_probs) = (matrix(&layer["top_ids"]), matrix(&layer["top_probs"]));
        assert_eq!((top_ids.dim(), top_probs.dim()), ((ids.len(), 3), (ids.len(), 3)));
        for t in 0..ids.len() {
            let torch = reference.get("lens");
            assert!((top_probs[[t, 0]] - torch[[l, t, top_ids[[t, 0]] as usize]]).abs() < 1e-4);
        }
    }

    // Heads count from 1 on the command line: 2.1,2.2 are the reference's [[1, 0], [1, 1]].
    assert_eq!(reference.json::<Vec<[usize; 2]>>("ablate"), [[1, 0], [1, 1]]);
    for (mode, name) in [("zero", "ablate_zero"), ("mean", "ablate_mean")] {
        let out = json(&["ablate", "--model", model, "--ids", &ids_arg, "--heads", "2.1,2.2", "--mode", mode, "--json"]);
        assert_eq!(out.as_object().unwrap().keys().collect::<Vec<_>>(), ["ids", "probs"]);
        assert!(max_diff(&matrix(&out["probs"]).into_dyn(), reference.get(name)) < 1e-4, "{mode}");
    }

    let heads = json(&["heads", "--model", model, "--len", "9", "--seed", "4", "--json"]);
    assert_eq!(heads.as_object().unwrap().keys().collect::<Vec<_>>(), ["duplicate_token", "ids", "induction", "previous_token"]);
    let drawn: Vec<usize> = serde_json::from_value(heads["ids"].clone()).unwrap();
    assert_eq!((drawn.len(), &drawn[..9]), (18, &drawn[9..]));
    let ckpt = open("hub/llama_tiny");
    let scores = interp::head_scores(&ckpt.model, &drawn).unwrap();
    assert_eq!(matrix(&heads["induction"]), scores.induction);
    assert_eq!(matrix(&heads["previous_token"]).dim(), (2, 4), "L x H, per query head under GQA");
}

#[test]
fn the_summaries_count_from_one_and_errors_are_one_line() {
    let model = fixture("hub/gpt2_tiny");
    let model = model.to_str().unwrap();
    let (ok, out, err) = glasswing(&["lens", "--model", model, "--text", "Hello world", "--top-k", "2"], &[]);
    assert!(ok, "{err}");
    assert!(out.contains("[1] \"H\"") && out.contains("    embed ") && out.contains("    L2 "), "{out}");
    let (ok, out, err) = glasswing(&["ablate", "--model", model, "--text", "Hello world", "--heads", "1.2,2.4", "--mode", "mean"], &[]);
    assert!(ok, "{err}");
    assert!(out.contains("L1H2, L2H4 ablated (mean") && out.contains("(was "), "{out}");
    let (ok, out, err) = glasswing(&["heads", "--model", model, "--len", "5"], &[]);
    assert!(ok, "{err}");
    assert!(out.contains("induction") && out.contains("  L2 ") && out.contains("H4") && out.contains("highest: L"), "{out}");

    let rnn = fixture("rnn_tanh_l1.safetensors");
    for args in [
        vec!["lens", "--model", rnn.to_str().unwrap(), "--ids", "1,2"],
        vec!["ablate", "--model", rnn.to_str().unwrap(), "--ids", "1,2", "--heads", "1.1"],
        vec!["heads", "--model", rnn.to_str().unwrap()],
    ] {
        let (ok, out, err) = glasswing(&args, &[]);
        assert!(!ok && out.is_empty() && err.lines().count() == 1 && err.contains("Transformers"), "{args:?}: {err}");
    }
    let (ok, _, err) = glasswing(&["ablate", "--model", model, "--ids", "1,2", "--heads", "0.1"], &[]);
    assert!(!ok && err.contains("counted from 1"), "{err}");
    // A budget that holds the model (169 kB) and a trace of 30 tokens (235 kB)
    // but not the lens's [T, V] per layer beside it: refused, saying how many tokens fit.
    let ids = (1..=30).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let budget = [("GLASSWING_MEMORY_BUDGET", "300k")];
    let (ok, _, err) = glasswing(&["trace", "--model", model, "--ids", &ids, "--json"], &budget);
    assert!(ok, "{err}");
    let (ok, _, err) = glasswing(&["lens", "--model", model, "--ids", &ids, "--json"], &budget);
    assert!(!ok && err.contains("logit lens") && err.contains("use at most"), "{err}");
}
