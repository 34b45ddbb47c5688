//! Bad input gets a typed error with a one-line message naming what is wrong,
//! never a panic: one test per kind of bad file, config and input.

mod common;

use common::{f32_bytes, fixture, open, raw_parts, write_raw, RawTensor};
use glasswing::{Checkpoint, Error};
use safetensors::Dtype;

const GPT: &str = "gpt_l2_h4_zh.safetensors";

fn load(bytes: &[u8]) -> Error {
    Checkpoint::from_bytes(bytes, None).expect_err("bad input must not load")
}

fn good_bytes() -> Vec<u8> {
    std::fs::read(fixture(GPT)).unwrap()
}

/// Loads the fixture after `edit` changed its tensors or metadata.
fn load_edited(edit: impl FnOnce(&mut Vec<RawTensor>, &mut std::collections::HashMap<String, String>)) -> Error {
    let (mut tensors, mut meta) = raw_parts(GPT);
    edit(&mut tensors, &mut meta);
    let err = load(&write_raw(&tensors, meta));
    assert!(!err.to_string().contains('\n'), "messages are one line: {err}");
    err
}

fn tensor<'a>(tensors: &'a mut [RawTensor], name: &str) -> &'a mut RawTensor {
    tensors.iter_mut().find(|t| t.name == name).unwrap()
}

fn set_config(meta: &mut std::collections::HashMap<String, String>, key: &str, value: serde_json::Value) {
    let mut config: serde_json::Value = serde_json::from_str(&meta["config"]).unwrap();
    config[key] = value;
    meta.insert("config".into(), config.to_string());
}

#[test]
fn not_a_safetensors_file() {
    assert!(matches!(load(b"hello, this is not a model"), Error::Format(_)));
    assert!(matches!(load(b""), Error::Format(_)));
}

#[test]
fn truncated_file() {
    let bytes = good_bytes();
    assert!(matches!(load(&bytes[..4]), Error::Format(_)), "shorter than the length prefix");
    let header_end = 8 + u64::from_le_bytes(bytes[..8].try_into().unwrap());
    // Cut inside the header, or inside the data: the file is named truncated,
    // with the size its header promises (not an offset or overflow error).
    assert_eq!(load(&bytes[..100]), Error::Truncated { need: header_end, have: 100 });
    for cut in [header_end as usize, bytes.len() / 2, bytes.len() - 1] {
        let err = load(&bytes[..cut]);
        assert_eq!(err, Error::Truncated { need: bytes.len() as u64, have: cut as u64 }, "cut at {cut}");
        assert_eq!(err.code(), "truncated");
        assert!(err.to_string().contains("truncated"), "{err}");
    }
}

#[test]
fn absurd_header_length() {
    let mut bytes = good_bytes();
    bytes[..8].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(matches!(load(&bytes), Error::Format(_)));
    bytes[..8].copy_from_slice(&(1u64 << 40).to_le_bytes());
    assert!(matches!(load(&bytes), Error::Format(_)));
}

#[test]
fn missing_tensor_is_named() {
    let err = load_edited(|t, _| t.retain(|t| t.name != "h.1.mlp.c_fc.bias"));
    assert_eq!(err, Error::MissingTensor("h.1.mlp.c_fc.bias".into()));
    assert_eq!(err.to_string(), "missing tensor `h.1.mlp.c_fc.bias`");
}

#[test]
fn wrong_shape_is_named() {
    let err = load_edited(|t, _| {
        let ln = tensor(t, "h.0.ln_2.weight");
        ln.shape = vec![16, 2];
    });
    assert_eq!(err, Error::Shape { name: "h.0.ln_2.weight".into(), expected: vec![32], found: vec![16, 2] });
}

#[test]
fn config_disagreeing_with_shapes_is_an_error() {
    let err = load_edited(|_, m| set_config(m, "n_embd", 48.into()));
    assert!(matches!(&err, Error::Config(msg) if msg.contains("n_embd") && msg.contains("wte.weight")), "{err}");
}

#[test]
fn wrong_dtype_is_named() {
    let err = load_edited(|t, _| {
        let b = tensor(t, "ln_f.bias");
        b.dtype = Dtype::F64;
        b.bytes = vec![0u8; 32 * 8];
    });
    assert_eq!(err, Error::Dtype { name: "ln_f.bias".into(), found: "F64".into() });
}

#[test]
fn nan_and_inf_weights_are_named() {
    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let err = load_edited(|t, _| {
            let w = tensor(t, "h.1.attn.c_attn.weight");
            w.bytes[40..44].copy_from_slice(&bad.to_le_bytes());
        });
        assert!(matches!(&err, Error::NonFinite { name, index: 10, .. } if name == "h.1.attn.c_attn.weight"), "{err}");
    }
}

#[test]
fn n_embd_not_divisible_by_n_head() {
    let err = load_edited(|_, m| set_config(m, "n_head", 3.into()));
    assert_eq!(err, Error::NotDivisible { field: "n_embd", value: 32, by_field: "n_head", by: 3 });
    assert_eq!(err.to_string(), "config: n_embd (32) is not divisible by n_head (3)");
}

#[test]
fn malformed_config_and_vocab_metadata() {
    assert!(matches!(load_edited(|_, m| { m.insert("config".into(), "{not json".into()); }), Error::Config(_)));
    assert!(matches!(load_edited(|_, m| set_config(m, "n_head", (-2).into())), Error::Config(_)));
    assert!(matches!(load_edited(|_, m| { m.insert("arch".into(), "lstm".into()); }), Error::Config(_)));
    let err = load_edited(|_, m| { m.insert("vocab".into(), r#"["a","b"]"#.into()); });
    assert!(matches!(&err, Error::Config(msg) if msg.contains("vocab")), "{err}");
}

#[test]
fn gpt_without_any_config_asks_for_one() {
    let err = load_edited(|_, m| { m.remove("config"); m.remove("arch"); });
    assert!(matches!(&err, Error::Config(msg) if msg.contains("n_head")), "{err}");
}

#[test]
fn rnn_config_is_inferred_from_shapes_alone() {
    // A bare PyTorch state_dict: no metadata at all. Sizes come from shapes, tanh by default.
    let (tensors, _) = raw_parts("rnn_tanh_l1.safetensors");
    let ckpt = Checkpoint::from_bytes(&write_raw(&tensors, Default::default()), None).unwrap();
    let want = open("rnn_tanh_l1.safetensors");
    assert_eq!(ckpt.model, want.model);
    assert!(ckpt.tokenizer.is_none());
}

#[test]
fn sequence_longer_than_n_positions() {
    let ckpt = open(GPT); // n_positions = 24
    assert_eq!(ckpt.trace_ids(&[1; 25]).unwrap_err(), Error::TooLong { len: 25, max: 24 });
    assert!(ckpt.trace_ids(&[1; 24]).is_ok());
}

#[test]
fn empty_input() {
    let ckpt = open(GPT);
    assert_eq!(ckpt.trace_text("").unwrap_err(), Error::Empty);
    assert_eq!(ckpt.trace_ids(&[]).unwrap_err(), Error::Empty);
}

#[test]
fn unknown_character_and_out_of_range_id() {
    let ckpt = open(GPT);
    let err = ckpt.trace_text("我喜欢猫").unwrap_err();
    assert_eq!(err, Error::UnknownChar { ch: '猫', code: 0x732b, pos: 3 });
    let vocab = ckpt.model.vocab_size();
    assert_eq!(ckpt.trace_ids(&[0, vocab]).unwrap_err(), Error::IdOutOfRange { id: vocab, pos: 1, vocab_size: vocab });
}

#[test]
fn weights_only_file_without_known_tensors() {
    let tensors = vec![RawTensor { name: "foo".into(), dtype: Dtype::F32, shape: vec![2], bytes: f32_bytes([1.0, 2.0]) }];
    assert!(matches!(load(&write_raw(&tensors, Default::default())), Error::Config(_)));
}

#[test]
fn missing_file_is_an_io_error() {
    let err = Checkpoint::open(std::path::Path::new("/nonexistent/model.safetensors"), None).unwrap_err();
    assert!(matches!(err, Error::Io(_)));
}

#[test]
fn hub_configs_we_do_not_run_are_named() {
    let dir = common::fixture("hub/llama_tiny");
    let bytes = std::fs::read(dir.join("model.safetensors")).unwrap();
    let config: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("config.json")).unwrap()).unwrap();
    let load = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut c = config.clone();
        edit(&mut c);
        Checkpoint::from_bytes(&bytes, Some(&c.to_string())).err().expect("refused")
    };
    let err = load(&|c| c["architectures"] = serde_json::json!(["MistralForCausalLM"]));
    assert_eq!(err.code(), "unsupported");
    assert!(err.to_string().contains("MistralForCausalLM") && err.to_string().contains("Qwen2ForCausalLM"), "{err}");
    let err = load(&|c| c["rope_parameters"] = serde_json::json!({"rope_type": "llama3", "rope_theta": 500000.0}));
    assert!(err.to_string().contains("rope_type") && err.to_string().contains("llama3"), "{err}");
    let err = load(&|c| c["use_sliding_window"] = serde_json::json!(true));
    assert!(err.to_string().contains("use_sliding_window"), "{err}");
    let err = load(&|c| c["hidden_act"] = serde_json::json!("gelu"));
    assert!(err.to_string().contains("hidden_act"), "{err}");
    let err = load(&|c| c["num_key_value_heads"] = serde_json::json!(3));
    assert!(matches!(err, Error::NotDivisible { .. } | Error::Shape { .. }), "{err}");
    let err = load(&|c| c["hidden_size"] = serde_json::json!(64));
    assert!(err.to_string().contains("disagrees with the tensors"), "{err}");
}

#[test]
fn a_sharded_hub_folder_is_named() {
    let dir = std::env::temp_dir().join(format!("glasswing-sharded-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("model.safetensors.index.json"), "{}").unwrap();
    let err = Checkpoint::open(&dir, None).unwrap_err();
    assert!(err.to_string().contains("sharded"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
