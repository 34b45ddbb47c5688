//! Training parity with PyTorch on the fixture models: the loss and every
//! gradient on a fixed batch, and every weight after three clipped AdamW steps
//! (tests/fixtures/make_fixtures.py, `train_case`).

mod common;

use common::{fixture, open};
use glasswing::train::optim::{clip_grad_norm, AdamW};
use glasswing::train::{loss_and_grads, Example};
use safetensors::SafeTensors;

/// Loss and gradients agree to this (absolute); PyTorch ran in float64.
const GRAD_TOLERANCE: f32 = 1e-4;
/// Weights after 3 AdamW steps. Adam divides by sqrt(v): where a gradient is
/// pure rounding noise (the key bias, whose true gradient is exactly zero
/// because softmax ignores a constant shift), each side steps by up to ±lr in
/// a random direction, so those tensors may differ by up to 2 * lr * steps.
const WEIGHT_TOLERANCE: f32 = 1e-4;

fn read(st: &SafeTensors, name: &str) -> Vec<f32> {
    st.tensor(name).unwrap().data().chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
}

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

fn check(case: &str) {
    let mut model = open(&format!("{case}.safetensors")).model;
    let bytes = std::fs::read(fixture(&format!("{case}.train.safetensors"))).unwrap();
    let st = SafeTensors::deserialize(&bytes).unwrap();
    let meta = SafeTensors::read_metadata(&bytes).unwrap().1.metadata().clone().unwrap();
    let batch: Vec<Example> = serde_json::from_str::<Vec<serde_json::Value>>(&meta["batch"])
        .unwrap()
        .into_iter()
        .map(|ex| Example { tokens: serde_json::from_value(ex["tokens"].clone()).unwrap(), scored: serde_json::from_value(ex["scored"].clone()).unwrap() })
        .collect();
    let (lr, wd, clip): (f32, f32, f32) = (meta["lr"].parse().unwrap(), meta["weight_decay"].parse().unwrap(), meta["clip"].parse().unwrap());
    let steps: usize = meta["steps"].parse().unwrap();

    let (loss, grads) = loss_and_grads(&model, &batch);
    let want_loss: f32 = meta["loss"].parse().unwrap();
    assert!((loss - want_loss).abs() < GRAD_TOLERANCE, "{case}: loss {loss} vs PyTorch {want_loss}");
    let mut worst_grad = 0.0f32;
    for (name, g) in grads.params() {
        let d = max_diff(&g.iter().copied().collect::<Vec<_>>(), &read(&st, &format!("grad/{name}")));
        assert!(d < GRAD_TOLERANCE, "{case}: gradient of {name} differs by {d}");
        worst_grad = worst_grad.max(d);
    }

    let mut opt = AdamW::new(&model, wd);
    for _ in 0..steps {
        let (_, mut grads) = loss_and_grads(&model, &batch);
        clip_grad_norm(&mut grads, clip);
        opt.update(&mut model, &grads, lr);
    }
    let mut worst_weight = 0.0f32;
    for (name, w) in model.params() {
        let (got, want) = (w.iter().copied().collect::<Vec<_>>(), read(&st, &format!("after/{name}")));
        if name.ends_with("attn.c_attn.bias") {
            // Columns q | k | v: the key third is the noise-only gradient.
            let c = got.len() / 3;
            let d = max_diff(&got[c..2 * c], &want[c..2 * c]);
            assert!(d < 2.0 * lr * steps as f32, "{case}: key bias of {name} differs by {d}");
            for range in [0..c, 2 * c..3 * c] {
                let d = max_diff(&got[range.clone()], &want[range]);
                assert!(d < WEIGHT_TOLERANCE, "{case}: {name} (q or v part) after {steps} AdamW steps differs by {d}");
                worst_weight = worst_weight.max(d);
            }
            continue;
        }
        let d = max_diff(&got, &want);
        assert!(d < WEIGHT_TOLERANCE, "{case}: {name} after {steps} AdamW steps differs by {d}");
        worst_weight = worst_weight.max(d);
    }
    eprintln!("{case}: |loss diff| {:.1e}, max grad diff {worst_grad:.1e}, max weight diff after {steps} steps {worst_weight:.1e}", (loss - want_loss).abs());
}

#[test]
fn gpt_tied_head_trains_like_pytorch() {
    check("gpt_l2_h4_zh");
}

#[test]
fn gpt_untied_head_trains_like_pytorch() {
    check("gpt_l3_h2_untied");
}

#[test]
fn rnn_tanh_trains_like_pytorch() {
    check("rnn_tanh_l2_zh");
}

#[test]
fn rnn_relu_trains_like_pytorch() {
    check("rnn_relu_l2");
}
