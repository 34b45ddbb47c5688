//! What the page traces with heads ablated (issue 14, the page's side): a
//! kept trace of the ablated model (`Checkpoint::keep_trace_ablated`, the
//! worker's `trace` with `ablate`) and the logit lens of the ablated model
//! (`interp::lens_edited`) agree with `interp::ablate`, which
//! tests/interp.rs checks against PyTorch hooks; with nothing ablated they
//! are the plain trace and lens. On the GPT-2, Llama (GQA) and Qwen2 fixtures
//! and the shipped induction model.

mod common;

use common::open;
use glasswing::interp::{self, Ablation};
use glasswing::model::NoProbe;
use ndarray::Array2;

fn max_diff(a: &Array2<f32>, b: &Array2<f32>) -> f32 {
    assert_eq!(a.shape(), b.shape());
    a.iter().zip(b.iter()).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

const CASES: [(&str, &[(usize, usize)]); 4] = [
    ("hub/gpt2_tiny", &[(0, 1), (1, 3)]),
    ("hub/llama_tiny", &[(0, 0), (1, 2)]),
    ("hub/qwen2_tiny_bf16", &[(1, 1)]),
    ("../../www/models/induction-gpt.safetensors", &[(0, 1), (0, 2), (0, 3)]),
];

fn ids_for(ckpt: &glasswing::Checkpoint) -> Vec<usize> {
    let v = ckpt.model.vocab_size();
    (0..12).map(|i| (i * 7 + 3) % v).collect()
}

#[test]
fn an_ablated_kept_trace_is_the_ablated_forward() {
    for (case, heads) in CASES {
        let ckpt = open(case);
        let ids = ids_for(&ckpt);
        for mode in [Ablation::Zero, Ablation::Mean] {
            let want = interp::ablate(&ckpt.model, &ids, heads, mode).unwrap(); // [T, V]
            let kept = ckpt.keep_trace_ablated(&ids, heads, mode).unwrap();
            let whole = ckpt.whole_trace(&kept).unwrap();
            let d = max_diff(&whole.probs, &want);
            assert!(d < 1e-6, "{case} {mode:?}: the kept trace's probabilities differ from ablate()'s by {d}");
            for t in [0, ids.len() / 2, ids.len() - 1] {
                let row = ckpt.probs_at(&kept, t).unwrap();
                let d = row.iter().zip(want.row(t)).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
                assert!(d < 1e-6, "{case} {mode:?}: position {t} differs by {d}");
            }
            let plain = ckpt.trace_ids(&ids).unwrap();
            assert!(max_diff(&whole.probs, &plain.probs) > 1e-4, "{case} {mode:?}: the ablation changed nothing");
            // An ablated head's own pattern is as before (its z changes after it); the first layer's other heads too.
            let (att, att0) = (whole.attention.as_ref().unwrap(), plain.attention.as_ref().unwrap());
            let (l, h) = heads[0];
            let d = (&att.slice(ndarray::s![l, h, .., ..]) - &att0.slice(ndarray::s![l, h, .., ..])).mapv(f32::abs).fold(0.0, |a: f32, &b| a.max(b));
            assert!(d < 1e-6, "{case}: the ablated head's own pattern moved by {d}");
        }
        // Nothing ablated: the plain trace.
        let kept = ckpt.keep_trace_ablated(&ids, &[], Ablation::Zero).unwrap();
        assert!(max_diff(&ckpt.whole_trace(&kept).unwrap().probs, &ckpt.trace_ids(&ids).unwrap().probs) < 1e-7);
        // A head beyond the model is an error, counted from 1.
        let err = ckpt.keep_trace_ablated(&ids, &[(99, 0)], Ablation::Zero).err().unwrap();
        assert_eq!(err.code(), "out_of_range", "{case}");
    }
}

#[test]
fn the_lens_of_an_ablated_model_ends_in_its_output() {
    for (case, heads) in CASES {
        let ckpt = open(case);
        let ids = ids_for(&ckpt);
        let k = 5;
        for mode in [Ablation::Zero, Ablation::Mean] {
            let lens = interp::lens_edited(&ckpt.model, &ids, k, &mut interp::ablation(heads, mode)).unwrap();
            let out = lens.layers.last().unwrap();
            let want = interp::ablate(&ckpt.model, &ids, heads, mode).unwrap();
            for t in 0..ids.len() {
                for (j, (&id, &p)) in out.top_ids[t].iter().zip(&out.top_probs[t]).enumerate() {
                    assert!((want[[t, id]] - p).abs() < 1e-6, "{case} {mode:?}: position {t}, top {j}");
                }
                let best = want.row(t).iter().enumerate().fold((0, f32::MIN), |b, (i, &v)| if v > b.1 { (i, v) } else { b }).0;
                assert!((want[[t, best]] - out.top_probs[t][0]).abs() < 1e-6, "{case}: the top token's probability at {t}");
            }
            // The embeddings (resid[0]) come before any head: unchanged.
            let plain = interp::lens(&ckpt.model, &ids, k).unwrap();
            assert_eq!(lens.layers[0], plain.layers[0], "{case}");
            assert_ne!(lens.layers.last(), plain.layers.last(), "{case}: the ablation changed the output");
        }
        // No edit: the plain lens.
        assert_eq!(interp::lens_edited(&ckpt.model, &ids, k, &mut NoProbe).unwrap(), interp::lens(&ckpt.model, &ids, k).unwrap());
    }
}
