//! `glasswing init --config config.json`: random Llama and Qwen2 models from
//! a Hugging Face config, written as a Hub folder that the loader and the CLI
//! read back (and transformers would: upstream names, `format: pt`).

use std::path::{Path, PathBuf};
use std::process::Command;

use safetensors::SafeTensors;
use serde_json::{json, Value};

fn glasswing(args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_glasswing")).args(args).envs(env.iter().copied()).output().unwrap();
    (out.status.success(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

/// A fresh, empty folder under the system's temporary folder.
fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("glasswing-init-hub-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Small LlamaForCausalLM: grouped-query attention (4 heads, 2 kv heads),
/// an explicit head_dim, untied head, rope_theta at the top level.
fn llama_config() -> Value {
    json!({
        "architectures": ["LlamaForCausalLM"], "model_type": "llama",
        "hidden_size": 48, "intermediate_size": 80, "num_hidden_layers": 3,
        "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16,
        "rope_theta": 100000.0, "rms_norm_eps": 1e-5, "tie_word_embeddings": false,
        "vocab_size": 97, "max_position_embeddings": 256, "attention_bias": false,
        "hidden_act": "silu", "initializer_range": 0.05
    })
}

/// Small Qwen2ForCausalLM: q/k/v biases, tied, rope_theta in rope_parameters
/// (as newer transformers writes it), head_dim from hidden / heads.
fn qwen2_config() -> Value {
    json!({
        "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2",
        "hidden_size": 56, "intermediate_size": 96, "num_hidden_layers": 2,
        "num_attention_heads": 7, "num_key_value_heads": 1,
        "rope_parameters": {"rope_theta": 1000000.0, "rope_type": "default"},
        "rms_norm_eps": 1e-6, "tie_word_embeddings": true, "vocab_size": 150,
        "max_position_embeddings": 512, "use_sliding_window": false, "sliding_window": null
    })
}

/// Writes `config` to a temporary folder, inits a model from it into `out`.
fn init(name: &str, config: &Value, seed: &str, out: &Path) -> (bool, String, String) {
    let dir = temp(&format!("{name}-config"));
    let path = dir.join("config.json");
    std::fs::write(&path, serde_json::to_string_pretty(config).unwrap()).unwrap();
    glasswing(&["init", "--config", s(&path), "--seed", seed, "-o", s(out)], &[])
}

fn tensor(file: &SafeTensors, name: &str) -> (Vec<usize>, Vec<f32>) {
    let t = file.tensor(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(t.dtype(), safetensors::Dtype::F32, "{name}");
    (t.shape().to_vec(), t.data().chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect())
}

fn mean_std(v: &[f32]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().map(|&x| x as f64).sum::<f64>() / n;
    (mean, (v.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / n).sqrt())
}

/// What one family's folder must hold: shapes, biases, head, initialisation.
struct Want {
    layers: usize,
    heads: usize,
    kv_dim: usize,
    q_dim: usize,
    hidden: usize,
    inter: usize,
    vocab: usize,
    qkv_bias: bool,
    tied: bool,
    std: f64,
    params: usize,
}

fn check_folder(dir: &Path, config: &Value, want: &Want) {
    // config.json is the one given; the weights are F32 under HF's names.
    let written: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("config.json")).unwrap()).unwrap();
    assert_eq!(&written, config);
    let bytes = std::fs::read(dir.join("model.safetensors")).unwrap();
    let (_, header) = SafeTensors::read_metadata(&bytes).unwrap();
    let meta = header.metadata().clone().unwrap();
    assert_eq!(meta.get("format").map(String::as_str), Some("pt"), "transformers wants format: pt");
    assert!(!meta.contains_key("config") && !meta.contains_key("arch"), "the config comes from config.json: {meta:?}");
    let file = SafeTensors::deserialize(&bytes).unwrap();
    let (h, i, v) = (want.hidden, want.inter, want.vocab);
    let mut expected = vec!["model.embed_tokens.weight".to_string(), "model.norm.weight".to_string()];
    if !want.tied {
        expected.push("lm_head.weight".into());
    }
    for l in 0..want.layers {
        let n = |x: &str| format!("model.layers.{l}.{x}");
        let shapes = [
            ("input_layernorm.weight", vec![h]),
            ("post_attention_layernorm.weight", vec![h]),
            ("self_attn.q_proj.weight", vec![want.q_dim, h]),
            ("self_attn.k_proj.weight", vec![want.kv_dim, h]),
            ("self_attn.v_proj.weight", vec![want.kv_dim, h]),
            ("self_attn.o_proj.weight", vec![h, want.q_dim]),
            ("mlp.gate_proj.weight", vec![i, h]),
            ("mlp.up_proj.weight", vec![i, h]),
            ("mlp.down_proj.weight", vec![h, i]),
        ];
        for (name, shape) in shapes {
            let (found, data) = tensor(&file, &n(name));
            assert_eq!(found, shape, "{}", n(name));
            if name.ends_with("layernorm.weight") {
                assert!(data.iter().all(|&x| x == 1.0), "{}: RMSNorm weights start at 1", n(name));
            }
            expected.push(n(name));
        }
        if want.qkv_bias {
            for (name, len) in [("q_proj", want.q_dim), ("k_proj", want.kv_dim), ("v_proj", want.kv_dim)] {
                let bias = n(&format!("self_attn.{name}.bias"));
                let (shape, data) = tensor(&file, &bias);
                assert_eq!(shape, [len], "{bias}");
                assert!(data.iter().all(|&x| x == 0.0), "{bias}: biases start at 0");
                expected.push(bias);
            }
        }
    }
    let mut names: Vec<String> = file.names().into_iter().map(str::to_string).collect();
    names.sort();
    expected.sort();
    assert_eq!(names, expected, "exactly HF's tensor names");
    // Linear weights and embeddings ~ N(0, initializer_range).
    let (shape, embed) = tensor(&file, "model.embed_tokens.weight");
    assert_eq!(shape, [v, h]);
    let (mean, std) = mean_std(&embed);
    assert!(mean.abs() < 0.1 * want.std && (std / want.std - 1.0).abs() < 0.05, "embeddings: mean {mean}, std {std}");
    let (_, gate) = tensor(&file, "model.layers.0.mlp.gate_proj.weight");
    let (_, std) = mean_std(&gate);
    assert!((std / want.std - 1.0).abs() < 0.05, "gate_proj std {std}");
    if !want.tied {
        let (_, head) = tensor(&file, "lm_head.weight");
        let (_, std) = mean_std(&head);
        assert!((std / want.std - 1.0).abs() < 0.05, "lm_head std {std}");
    }
    assert_eq!(file.names().iter().map(|n| file.tensor(n).unwrap().shape().iter().product::<usize>()).sum::<usize>(), want.params);

    // The folder loads as that model, and the CLI traces it by ids.
    let (ok, stdout, stderr) = glasswing(&["info", "--model", s(dir)], &[]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains(&format!("parameters: {}", want.params)), "{stdout}");
    let ids: Vec<String> = (0..12).map(|k| ((k * 37 + 5) % v).to_string()).collect();
    let (ok, stdout, stderr) = glasswing(&["trace", "--model", s(dir), "--ids", &ids.join(","), "--json"], &[]);
    assert!(ok, "{stderr}");
    let trace: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(trace["arch"], "llama");
    let attention = trace["attention"].as_array().unwrap();
    assert_eq!((attention.len(), attention[0].as_array().unwrap().len()), (want.layers, want.heads));
    let probs = trace["probs"].as_array().unwrap();
    assert_eq!((probs.len(), probs[0].as_array().unwrap().len()), (12, v));
    for row in probs {
        let sum: f64 = row.as_array().unwrap().iter().map(|p| p.as_f64().unwrap()).sum();
        assert!((sum - 1.0).abs() < 1e-4, "probabilities sum to {sum}");
    }
    // The terminal summary too.
    let (ok, stdout, stderr) = glasswing(&["trace", "--model", s(dir), "--ids", &ids.join(",")], &[]);
    assert!(ok && stdout.starts_with("llama model, 12 tokens"), "{stderr}{stdout}");
}

#[test]
fn init_writes_a_llama_hub_folder_that_traces() {
    let config = llama_config();
    let (a, b, c) = (temp("llama-a"), temp("llama-b"), temp("llama-c"));
    for (out, seed) in [(&a, "3"), (&b, "3"), (&c, "4")] {
        let (ok, _, stderr) = init("llama", &config, seed, out);
        assert!(ok, "{stderr}");
        assert!(stderr.contains("model.safetensors and config.json"), "{stderr}");
    }
    let read = |d: &Path| std::fs::read(d.join("model.safetensors")).unwrap();
    assert_eq!(read(&a), read(&b), "the same seed gives the same bytes");
    assert_ne!(read(&a), read(&c), "another seed, other weights");
    let (l, h, i, v, q, kv) = (3, 48, 80, 97, 4 * 16, 2 * 16);
    let params = v * h + l * (2 * h + h * q + 2 * h * kv + q * h + 3 * h * i) + h + v * h;
    let want = Want { layers: l, heads: 4, kv_dim: kv, q_dim: q, hidden: h, inter: i, vocab: v, qkv_bias: false, tied: false, std: 0.05, params };
    check_folder(&a, &config, &want);
    for d in [a, b, c] {
        std::fs::remove_dir_all(d).unwrap();
    }
}

#[test]
fn init_writes_a_qwen2_hub_folder_that_traces() {
    let config = qwen2_config();
    let out = temp("qwen2");
    let (ok, _, stderr) = init("qwen2", &config, "5", &out);
    assert!(ok, "{stderr}");
    let (l, h, i, v, q, kv) = (2, 56, 96, 150, 56, 8);
    let params = v * h + l * (2 * h + h * q + 2 * h * kv + q * h + 3 * h * i + q + 2 * kv) + h;
    let want = Want { layers: l, heads: 7, kv_dim: kv, q_dim: q, hidden: h, inter: i, vocab: v, qkv_bias: true, tied: true, std: 0.02, params };
    check_folder(&out, &config, &want);
    std::fs::remove_dir_all(out).unwrap();
}

#[test]
fn init_refuses_bad_configs_with_one_line() {
    let out = temp("refused");
    let model = out.join("model");
    let fails = |config: &Value, env: &[(&str, &str)], needle: &str| {
        let dir = temp("refused-config");
        let path = dir.join("config.json");
        std::fs::write(&path, config.to_string()).unwrap();
        let (ok, stdout, stderr) = glasswing(&["init", "--config", s(&path), "--seed", "1", "-o", s(&model)], env);
        assert!(!ok && stdout.is_empty(), "{config} should fail");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("error: ") && stderr.contains(needle), "wanted {needle:?}: {stderr}");
        assert!(!model.exists(), "nothing is written for a refused config");
    };
    let with = |key: &str, value: Value| {
        let mut c = llama_config();
        c[key] = value;
        c
    };
    let without = |key: &str| {
        let mut c = llama_config();
        c.as_object_mut().unwrap().remove(key);
        c
    };
    fails(&with("architectures", json!(["MistralForCausalLM"])), &[], "MistralForCausalLM is not supported");
    fails(&with("architectures", json!(["GPT2LMHeadModel"])), &[], "LlamaForCausalLM and Qwen2ForCausalLM");
    fails(&without("hidden_size"), &[], "hidden_size");
    fails(&without("max_position_embeddings"), &[], "max_position_embeddings");
    fails(&with("num_key_value_heads", json!(3)), &[], "num_key_value_heads");
    fails(&with("hidden_act", json!("gelu")), &[], "hidden_act");
    fails(&with("rope_scaling", json!({"rope_type": "yarn", "factor": 4.0})), &[], "yarn");
    fails(&with("use_sliding_window", json!(true)), &[], "use_sliding_window");
    fails(&with("initializer_range", json!(0.0)), &[], "initializer_range");
    // Qwen2.5-0.5B's real sizes: 494 million parameters, about 2.0 GB in
    // f32, refused at once (before allocating) under a 1 GB budget.
    let qwen25 = json!({
        "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 896,
        "intermediate_size": 4864, "num_hidden_layers": 24, "num_attention_heads": 14,
        "num_key_value_heads": 2, "vocab_size": 151936, "tie_word_embeddings": true,
        "rope_theta": 1000000.0, "rms_norm_eps": 1e-6, "max_position_embeddings": 32768
    });
    let start = std::time::Instant::now();
    fails(&qwen25, &[("GLASSWING_MEMORY_BUDGET", "1G")], "2.0 GB");
    assert!(start.elapsed().as_secs_f64() < 5.0, "checked before allocating");
    std::fs::remove_dir_all(out).unwrap();
}

#[test]
fn save_streams_the_bytes_of_to_bytes() {
    // `Checkpoint::save` writes from the weights' views, `to_bytes` through
    // copies: one format, the same bytes (shipped models are rebuilt bit for bit).
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let dir = temp("save");
    for name in ["gpt_l2_h4_zh.safetensors", "rnn_tanh_l2_zh.safetensors", "hub/llama_tiny", "hub/qwen2_tiny_bf16"] {
        let ckpt = glasswing::Checkpoint::open(&root.join(name), None).unwrap();
        let path = dir.join("saved.safetensors");
        ckpt.save(&path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), ckpt.to_bytes().unwrap(), "{name}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}
