//! A kept trace (the page's worker holds one for big inputs) answers exactly
//! as the whole trace: each position's distribution computed when asked from
//! the output head's input equals the whole trace's row, and its whole form
//! equals the whole trace, for every family.

mod common;

use glasswing::Checkpoint;

fn worst(a: impl Iterator<Item = f32>, b: impl Iterator<Item = f32>) -> f32 {
    a.zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

fn check(name: &str, ckpt: &Checkpoint, ids: &[usize]) {
    let whole = ckpt.trace_ids(ids).unwrap();
    let kept = ckpt.keep_trace_ids(ids).unwrap();
    assert_eq!(kept.ids, whole.ids);
    assert_eq!(kept.tokens, whole.tokens);
    assert_eq!(kept.token_bytes, whole.token_bytes);
    assert_eq!(kept.kept.attention, whole.attention, "{name}: attention");
    assert_eq!(kept.kept.hidden, whole.hidden, "{name}: hidden states");
    assert_eq!(kept.kept.resid.nrows(), ids.len());
    for t in 0..ids.len() {
        let row = ckpt.probs_at(&kept, t).unwrap();
        let d = worst(row.iter().copied(), whole.probs.row(t).iter().copied());
        assert!(d < 1e-6, "{name}: position {t}'s distribution differs by {d}");
    }
    let again = ckpt.whole_trace(&kept).unwrap();
    let d = worst(again.probs.iter().copied(), whole.probs.iter().copied());
    assert!(d < 1e-6, "{name}: whole probabilities differ by {d}");
    assert_eq!(again.attention, whole.attention);
    assert_eq!(again.hidden, whole.hidden);
}

#[test]
fn a_kept_trace_answers_as_the_whole_trace() {
    for name in ["gpt_l3_h2_untied.safetensors", "rnn_tanh_l2_zh.safetensors", "hub/llama_tiny", "hub/qwen2_tiny_bf16", "hub/gpt2_tiny"] {
        let ckpt = common::open(name);
        let v = ckpt.model.vocab_size();
        let ids: Vec<usize> = (0..12).map(|i| (i * 7 + 3) % v).collect();
        check(name, &ckpt, &ids);
    }
}
