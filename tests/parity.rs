//! Parity with PyTorch: every fixture model, run by Glasswing, gives the
//! probabilities, attention weights and hidden states PyTorch computed
//! (tests/fixtures/make_fixtures.py), within 1e-4.

mod common;

use common::{expected, max_abs_diff, open};

const TOLERANCE: f32 = 1e-4;

/// Loads `file`, traces the case's input (by text when it has one, else by
/// ids), and compares every recorded tensor with PyTorch's.
fn check(case: &str, file: &str) {
    let ckpt = open(file);
    let want = expected(case);
    let trace = if want.text.is_empty() { ckpt.trace_ids(&want.ids) } else { ckpt.trace_text(&want.text) }
        .unwrap_or_else(|e| panic!("{case}: {e}"));
    assert_eq!(trace.ids, want.ids, "{case}: tokenization differs from the fixture's ids");

    let probs = max_abs_diff(&trace.probs.clone().into_dyn(), &want.probs);
    eprintln!("{case}: max |probs - torch| = {probs:.2e}");
    assert!(probs < TOLERANCE, "{case}: probs differ by {probs}");
    match (&trace.attention, &want.attention) {
        (Some(got), Some(want)) => {
            let d = max_abs_diff(&got.clone().into_dyn(), want);
            eprintln!("{case}: max |attention - torch| = {d:.2e}");
            assert!(d < TOLERANCE, "{case}: attention differs by {d}");
        }
        (None, None) => {}
        _ => panic!("{case}: attention present in one trace only"),
    }
    match (&trace.hidden, &want.hidden) {
        (Some(got), Some(want)) => {
            let d = max_abs_diff(&got.clone().into_dyn(), want);
            eprintln!("{case}: max |hidden - torch| = {d:.2e}");
            assert!(d < TOLERANCE, "{case}: hidden differs by {d}");
        }
        (None, None) => {}
        _ => panic!("{case}: hidden present in one trace only"),
    }
}

#[test]
fn gpt_one_layer_one_head() {
    check("gpt_l1_h1", "gpt_l1_h1.safetensors");
}

#[test]
fn gpt_two_layers_four_heads_chinese() {
    check("gpt_l2_h4_zh", "gpt_l2_h4_zh.safetensors");
}

#[test]
fn gpt_three_layers_untied_head_small_eps() {
    check("gpt_l3_h2_untied", "gpt_l3_h2_untied.safetensors");
}

#[test]
fn gpt_saved_by_hugging_face_save_pretrained() {
    check("gpt_hf_save_pretrained", "gpt_hf_save_pretrained/model.safetensors");
}

#[test]
fn gpt_in_the_original_release_layout() {
    check("gpt_original_layout", "gpt_original_layout/model.safetensors");
}

#[test]
fn rnn_tanh_one_layer() {
    check("rnn_tanh_l1", "rnn_tanh_l1.safetensors");
}

#[test]
fn rnn_relu_two_layers() {
    check("rnn_relu_l2", "rnn_relu_l2.safetensors");
}

#[test]
fn rnn_tanh_two_layers_chinese() {
    check("rnn_tanh_l2_zh", "rnn_tanh_l2_zh.safetensors");
}

#[test]
fn rnn_shaped_like_the_book_chapter() {
    // nn.RNN(32, 64), 1000-token vocabulary, 4 tokens: output 4 x 64, probs 4 x 1000.
    check("rnn_book_32_64", "rnn_book_32_64.safetensors");
    let trace = open("rnn_book_32_64.safetensors").trace_ids(&[1, 2, 3, 0]).unwrap();
    assert_eq!(trace.hidden.as_ref().unwrap().shape(), &[1, 4, 64]);
    assert_eq!(trace.probs.shape(), &[4, 1000]);
}

#[test]
fn the_test_fails_when_the_model_is_wrong() {
    // A parity check that cannot fail proves nothing: perturb one weight.
    let mut ckpt = open("gpt_l1_h1.safetensors");
    let want = expected("gpt_l1_h1");
    if let glasswing::Model::Gpt(m) = &mut ckpt.model {
        m.blocks[0].ln_1_w[0] += 0.5;
    }
    let trace = ckpt.trace_ids(&want.ids).unwrap();
    assert!(max_abs_diff(&trace.probs.into_dyn(), &want.probs) > TOLERANCE);
}

#[test]
fn hub_gpt2_folders_with_their_tokenizer_f32_f16_bf16() {
    // Folders saved by transformers (model.safetensors, config.json,
    // tokenizer.json): opened as a folder, traced from text through the
    // folder's own byte-level BPE; half-precision weights widened on load.
    for case in ["hub/gpt2_tiny", "hub/gpt2_tiny_f16", "hub/gpt2_tiny_bf16"] {
        check(case, case);
    }
    let ckpt = open("hub/gpt2_tiny/model.safetensors");
    assert_eq!(ckpt.tokenizer.as_ref().map(|t| t.kind()), Some("bpe"), "the tokenizer beside the file is found");
}

#[test]
fn hub_llama_and_qwen2_folders() {
    // LlamaForCausalLM (GQA 4 query heads over 2 key/value heads, untied
    // head, RMSNorm, rotary embeddings) and Qwen2ForCausalLM (q/k/v biases,
    // tied head, rope_theta in rope_parameters, bf16 weights), each with a
    // Qwen2-style tokenizer.json, traced from Chinese and English text.
    for case in ["hub/llama_tiny", "hub/qwen2_tiny_bf16"] {
        check(case, case);
        assert_eq!(open(case).model.arch(), glasswing::Arch::Llama);
    }
}
