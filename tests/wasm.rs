//! The wasm facade, run in Node by wasm-bindgen-test (see build.sh test):
//! load, info, trace and errors, exactly as the worker calls them.
#![cfg(target_arch = "wasm32")]

use glasswing::wasm::WasmModel;
use js_sys::{Array, Float32Array, Reflect, Uint32Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const GPT: &[u8] = include_bytes!("fixtures/gpt_l2_h4_zh.safetensors");
const RNN: &[u8] = include_bytes!("fixtures/rnn_relu_l2.safetensors");
const HF: &[u8] = include_bytes!("fixtures/gpt_hf_save_pretrained/model.safetensors");
const HF_CONFIG: &str = include_str!("fixtures/gpt_hf_save_pretrained/config.json");

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap()
}

fn shape(tensor: &JsValue) -> Vec<u32> {
    get(tensor, "shape").dyn_into::<Array>().unwrap().iter().map(|v| v.as_f64().unwrap() as u32).collect()
}

fn message(err: JsValue) -> String {
    js_sys::Error::from(err).message().into()
}

#[wasm_bindgen_test]
fn gpt_trace_crosses_as_typed_arrays() {
    let model = WasmModel::load(GPT, None).unwrap();
    let trace: JsValue = model.trace_text("我喜欢在深夜").unwrap().into();
    assert_eq!(get(&trace, "arch"), "gpt2");
    let ids: Uint32Array = get(&trace, "ids").dyn_into().unwrap();
    assert_eq!(ids.length(), 6);
    let probs = get(&trace, "probs");
    let v = shape(&probs)[1];
    assert_eq!(shape(&probs), [6, v]);
    let data: Float32Array = get(&probs, "data").dyn_into().unwrap();
    assert_eq!(data.length(), 6 * v);
    let first_row: f32 = data.to_vec()[..v as usize].iter().sum();
    assert!((first_row - 1.0).abs() < 1e-5);
    let attention = get(&trace, "attention");
    assert_eq!(shape(&attention), [2, 4, 6, 6]);
    assert!(get(&trace, "hidden").is_null());
    let tokens: Array = get(&trace, "tokens").dyn_into().unwrap();
    assert_eq!(tokens.get(0), "我");
}

#[wasm_bindgen_test]
fn facade_returns_the_core_trace_unchanged() {
    let core = glasswing::Checkpoint::from_bytes(GPT, None).unwrap().trace_ids(&[3, 1, 4, 1, 5]).unwrap();
    let model = WasmModel::load(GPT, None).unwrap();
    let trace: JsValue = model.trace_ids(&[3, 1, 4, 1, 5]).unwrap().into();
    let data: Float32Array = get(&get(&trace, "probs"), "data").dyn_into().unwrap();
    assert_eq!(data.to_vec(), core.probs.iter().copied().collect::<Vec<f32>>());
}

#[wasm_bindgen_test]
fn wasm_math_matches_pytorch() {
    // The parity fixtures again, inside wasm (its exp/tanh are not the native ones).
    for (model, expected, text) in [
        (GPT, &include_bytes!("fixtures/gpt_l2_h4_zh.expected.safetensors")[..], "我喜欢在深夜的星空下伴随着月亮轻轻地想你"),
        (RNN, &include_bytes!("fixtures/rnn_relu_l2.expected.safetensors")[..], "the cat sat on the m"),
    ] {
        let want = safetensors::SafeTensors::deserialize(expected).unwrap();
        let trace = glasswing::Checkpoint::from_bytes(model, None).unwrap().trace_text(text).unwrap();
        let probs = want.tensor("probs").unwrap();
        let max = probs
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .zip(trace.probs.iter())
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(max < 1e-4, "{text}: wasm probs differ from PyTorch by {max}");
    }
}

#[wasm_bindgen_test]
fn rnn_trace_has_hidden_states() {
    let model = WasmModel::load(RNN, None).unwrap();
    let trace: JsValue = model.trace_text("the cat").unwrap().into();
    assert_eq!(shape(&get(&trace, "hidden")), [2, 7, 20]);
    assert!(get(&trace, "attention").is_null());
}

#[wasm_bindgen_test]
fn info_is_a_plain_object() {
    let info = WasmModel::load(GPT, None).unwrap().info().unwrap();
    assert_eq!(get(&info, "arch"), "gpt2");
    assert_eq!(get(&get(&info, "config"), "n_head").as_f64(), Some(4.0));
    assert_eq!(get(&info, "max_len").as_f64(), Some(24.0));
    // The longest input the budget traces: here the whole length fits.
    assert_eq!(get(&info, "max_tokens").as_f64(), Some(24.0));
    assert_eq!(WasmModel::load(GPT, None).unwrap().max_tokens(), 24);
    assert!(get(&info, "vocab").is_instance_of::<Array>());
    assert_eq!(get(&get(&info, "metadata"), "title"), "fixture gpt_l2_h4_zh");
}

#[wasm_bindgen_test]
fn hugging_face_file_needs_its_config_json() {
    let err = WasmModel::load(HF, None).err().expect("no config, no n_head");
    assert!(message(err).contains("n_head"));
    let model = WasmModel::load(HF, Some(HF_CONFIG.to_string())).unwrap();
    let trace: JsValue = model.trace_ids(&[1, 2, 3]).unwrap().into();
    assert_eq!(shape(&get(&trace, "attention")), [2, 2, 3, 3]);
}

#[wasm_bindgen_test]
fn errors_are_js_errors_with_the_core_message() {
    let err = WasmModel::load(b"definitely not safetensors", None).err().unwrap();
    assert!(message(err).starts_with("not a valid safetensors file"));
    let model = WasmModel::load(GPT, None).unwrap();
    assert_eq!(
        message(model.trace_text("我<").err().unwrap()),
        "unknown character '<' (U+003C) at position 2: not in the model's vocabulary"
    );
    assert!(message(model.trace_text("").err().unwrap()).contains("empty input"));
    assert!(message(model.trace_ids(&[1; 30]).err().unwrap()).contains("longer than the model's maximum of 24"));
}

#[wasm_bindgen_test]
fn errors_carry_a_code_and_fields_for_the_page() {
    let model = WasmModel::load(GPT, None).unwrap();
    let err = model.trace_text("我<").err().unwrap();
    assert_eq!(get(&err, "code").as_string().unwrap(), "unknown_char");
    let fields = get(&err, "fields");
    assert_eq!(get(&fields, "char").as_string().unwrap(), "<");
    assert_eq!(get(&fields, "pos").as_f64().unwrap(), 1.0);
    // A budget the trace cannot fit names the largest length that does.
    glasswing::wasm::set_memory_budget(20e3);
    let err = model.trace_ids(&[1; 20]).err().unwrap();
    glasswing::wasm::set_memory_budget(1.5e9);
    assert_eq!(get(&err, "code").as_string().unwrap(), "over_budget");
    let fields = get(&err, "fields");
    assert_eq!(get(&fields, "unit").as_string().unwrap(), "tokens");
    assert!(get(&fields, "max").as_f64().unwrap() < 20.0);
    let truncated = WasmModel::load(&GPT[..GPT.len() / 2], None).err().unwrap();
    assert_eq!(get(&truncated, "code").as_string().unwrap(), "truncated");
}

#[wasm_bindgen_test]
fn saved_bytes_load_again() {
    let model = WasmModel::load(RNN, None).unwrap();
    let again = WasmModel::load(&model.to_bytes().unwrap(), None).unwrap();
    assert_eq!(get(&again.info().unwrap(), "num_params"), get(&model.info().unwrap(), "num_params"));
}

fn options(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

#[wasm_bindgen_test]
fn live_training_steps_lower_the_loss_and_save() {
    use glasswing::wasm::WasmTrainer;
    let mut trainer = WasmTrainer::new(options(r#"{"arch":"gpt2","task":"reverse","n_layer":1,"n_head":2,"n_embd":16,"seed":3,"steps":60}"#)).unwrap();
    let first = get(&trainer.step(1).unwrap(), "loss").as_f64().unwrap();
    let later = get(&trainer.step(59).unwrap(), "loss").as_f64().unwrap();
    assert!(later < first, "loss {first} -> {later}");
    assert_eq!(trainer.steps_done(), 60);
    let metrics = trainer.evaluate(20).unwrap();
    assert!(get(&metrics, "token_accuracy").as_f64().unwrap() > 0.0);
    let snapshot = trainer.snapshot();
    let trace: JsValue = snapshot.trace_text(&trainer.sample_text(1)).unwrap().into();
    assert_eq!(shape(&get(&trace, "attention"))[..2], [1, 2]);
    let saved = WasmModel::load(&trainer.to_bytes(20).unwrap(), None).unwrap();
    let meta = get(&saved.info().unwrap(), "metadata");
    assert_eq!(get(&meta, "task"), "reverse");
    assert!(get(&meta, "metrics").as_string().unwrap().contains("exact_match"));
}

#[wasm_bindgen_test]
fn live_training_rejects_bad_options() {
    use glasswing::wasm::WasmTrainer;
    let err = WasmTrainer::new(options(r#"{"task":"juggling"}"#)).err().unwrap();
    assert!(message(err).contains("unknown task"));
    let err = WasmTrainer::new(options(r#"{"task":"text","text":""}"#)).err().unwrap();
    assert!(message(err).contains("at least 2 characters"));
    let err = WasmTrainer::new(options(r#"{"task":"reverse","n_embd":30,"n_head":4}"#)).err().unwrap();
    assert!(message(err).contains("not divisible"));
}

#[wasm_bindgen_test]
fn sessions_step_branch_and_sample() {
    let model = WasmModel::load(GPT, None).unwrap();
    let mut session = model.start_session();
    let step: JsValue = session.push_text("我喜欢").unwrap().into();
    assert_eq!(shape(&get(&step, "attention")), [2, 4, 3]);
    let probs: Float32Array = get(&step, "probs").dyn_into().unwrap();
    session.set_sampler(options(r#"{"seed":4,"temperature":0.5,"top_k":3}"#)).unwrap();
    let choice = session.choose(&probs.to_vec()).unwrap();
    let id = get(&choice, "id").as_f64().unwrap() as u32;
    let filtered: Array = get(&choice, "probs").dyn_into().unwrap();
    assert_eq!(filtered.iter().filter(|p| p.as_f64().unwrap() > 0.0).count(), 3);
    session.push(id).unwrap();
    assert_eq!(session.ids().length(), 4);
    // Back one step and branch with another token: the same as a fresh session.
    session.truncate(3);
    let branched: JsValue = session.push(0).unwrap().into();
    let mut fresh = model.start_session();
    fresh.push_text("我喜欢").unwrap();
    let again: JsValue = fresh.push(0).unwrap().into();
    let (a, b): (Float32Array, Float32Array) = (get(&branched, "probs").dyn_into().unwrap(), get(&again, "probs").dyn_into().unwrap());
    assert_eq!(a.to_vec(), b.to_vec());
    // Errors leave the session as it was.
    assert!(message(session.push_text("猫").err().unwrap()).contains("unknown character"));
    assert_eq!(session.ids().length(), 4);
    assert!(message(session.set_sampler(options(r#"{"temperature":0}"#)).err().unwrap()).contains("temperature"));
}
