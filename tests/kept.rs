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

/// A retrace (the page's trace per keystroke) reuses the unchanged prefix of
/// the last trace and equals a fresh trace of the new ids: typed at the end,
/// edited in the middle, cut shorter, unchanged, and after a different model
/// input entirely.
#[test]
fn a_retrace_equals_a_fresh_trace() {
    for name in ["gpt_l3_h2_untied.safetensors", "rnn_tanh_l2_zh.safetensors", "hub/llama_tiny", "hub/qwen2_tiny_bf16", "hub/gpt2_tiny"] {
        let ckpt = common::open(name);
        let v = ckpt.model.vocab_size();
        let base: Vec<usize> = (0..12).map(|i| (i * 7 + 3) % v).collect();
        let mut typed = base.clone();
        typed.extend([5 % v, 1 % v, 9 % v]);
        let mut edited = typed.clone();
        edited[4] = (edited[4] + 1) % v;
        let other: Vec<usize> = typed.iter().map(|&i| (i + 1) % v).collect(); // differs at the first id
        // (step, ids, positions the retrace copies: never the last one)
        let steps: [(&str, &[usize], usize); 6] = [
            ("first", &base, 0),
            ("typed at the end", &typed, 12),
            ("edited at 5", &edited, 4),
            ("cut to 6", &edited[..6], 5),
            ("unchanged", &edited[..6], 5),
            ("all new", &other, 0),
        ];
        let mut last = None;
        for (step, ids, reused) in steps {
            let fresh = ckpt.keep_trace_ids(ids).unwrap();
            let (re, copied) = ckpt.retrace_ids(&mut last, ids).unwrap();
            assert_eq!(re.ids, ids);
            let what = format!("{name}, {step}");
            assert_eq!(copied, reused, "{what}: positions reused");
            let (a, b) = (&re.kept, &fresh.kept);
            assert_eq!(a.attention.as_ref().map(|x| x.dim()), b.attention.as_ref().map(|x| x.dim()), "{what}: attention shape");
            assert_eq!(a.hidden.as_ref().map(|x| x.dim()), b.hidden.as_ref().map(|x| x.dim()), "{what}: hidden shape");
            let flat = |k: &glasswing::model::Kept| -> Vec<f32> {
                k.attention.iter().flatten().chain(k.hidden.iter().flatten()).chain(k.resid.iter()).copied().collect()
            };
            let d = worst(flat(a).into_iter(), flat(b).into_iter());
            assert!(d < 1e-5, "{what}: the retrace differs from a fresh trace by {d}");
            for t in 0..ids.len() {
                let d = worst(ckpt.probs_at(&re, t).unwrap().into_iter(), ckpt.probs_at(&fresh, t).unwrap().into_iter());
                assert!(d < 1e-6, "{what}: position {t}'s distribution differs by {d}");
            }
        }
    }
}
