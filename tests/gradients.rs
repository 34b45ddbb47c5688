//! Finite-difference gradient checks of every parameter tensor, on tiny
//! GPT and RNN models (tanh and relu), through the loss the trainer uses.

use glasswing::init::{init_gpt, init_rnn};
use glasswing::model::{GptConfig, Nonlinearity, RnnConfig};
use glasswing::train::{loss_and_grads, Example};
use glasswing::Model;

fn batch() -> Vec<Example> {
    vec![
        Example { tokens: vec![1, 4, 2, 0, 3, 3], scored: vec![false, true, true, false, true] },
        Example { tokens: vec![2, 2, 5, 1], scored: vec![true, true, true] },
    ]
}

/// Makes weights large and varied so no gradient is trivially zero.
fn perturb(model: &mut Model) {
    let mut state = 12345u32;
    for (_, mut a) in model.params_mut() {
        a.mapv_inplace(|v| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            v * 3.0 + ((state >> 8) as f32 / (1u32 << 24) as f32 - 0.5) * 0.6
        });
    }
}

/// Compares analytic and central-difference gradients on up to 40 entries of every tensor.
fn check(mut model: Model, what: &str) {
    perturb(&mut model);
    let batch = batch();
    let (_, grads) = loss_and_grads(&model, &batch);
    let grads: Vec<(String, Vec<f32>)> = grads.params().into_iter().map(|(n, a)| (n, a.iter().copied().collect())).collect();
    let eps = 1e-3f32;
    let mut worst = 0.0f32;
    let base = loss_and_grads(&model, &batch).0;
    let (mut kinks, mut checked) = (0, 0);
    for (k, (name, analytic)) in grads.iter().enumerate() {
        let n = analytic.len();
        let stride = (n / 40).max(1);
        let mut tensor_norm = 0.0f32;
        for i in (0..n).step_by(stride) {
            let bump = |m: &mut Model, delta: f32| {
                let mut params = m.params_mut();
                let slot = params[k].1.iter_mut().nth(i).unwrap();
                *slot += delta;
            };
            bump(&mut model, eps);
            let plus = loss_and_grads(&model, &batch).0;
            bump(&mut model, -2.0 * eps);
            let minus = loss_and_grads(&model, &batch).0;
            bump(&mut model, eps);
            let numeric = (plus - minus) / (2.0 * eps);
            let err = (numeric - analytic[i]).abs() / (numeric.abs().max(analytic[i].abs()) + 1e-2);
            checked += 1;
            // A ReLU kink inside [-eps, eps] makes the second difference first
            // order in eps instead of second: finite differences mean nothing
            // there, so such an entry is skipped (and counted).
            let curvature = (plus + minus - 2.0 * base).abs();
            if err >= 3e-2 && curvature > 0.1 * (plus - minus).abs() {
                kinks += 1;
                continue;
            }
            tensor_norm += analytic[i].abs();
            assert!(err < 3e-2, "{what} {name}[{i}]: analytic {} numeric {numeric} (rel err {err})", analytic[i]);
            worst = worst.max(err);
        }
        assert!(tensor_norm > 0.0 || name.contains("bias"), "{what} {name}: gradient is all zero");
    }
    assert!(kinks * 10 < checked, "{what}: {kinks} of {checked} entries sit on a kink");
    eprintln!("{what}: worst relative error {worst:.2e} over {checked} entries ({kinks} kinks skipped)");
}

#[test]
fn gpt_gradients_match_finite_differences() {
    let cfg = GptConfig { n_layer: 2, n_head: 2, n_embd: 8, n_positions: 8, vocab_size: 6, layer_norm_epsilon: 1e-5 };
    check(init_gpt(cfg, 1).unwrap(), "gpt tied");
}

#[test]
fn gpt_untied_head_gradients_match_finite_differences() {
    let cfg = GptConfig { n_layer: 1, n_head: 2, n_embd: 8, n_positions: 8, vocab_size: 6, layer_norm_epsilon: 1e-5 };
    let mut model = init_gpt(cfg, 2).unwrap();
    if let Model::Gpt(m) = &mut model {
        m.lm_head = Some(m.wte.clone());
    }
    check(model, "gpt untied");
}

#[test]
fn rnn_tanh_gradients_match_finite_differences() {
    let cfg = RnnConfig { vocab_size: 6, embed_dim: 5, hidden_size: 7, num_layers: 2, nonlinearity: Nonlinearity::Tanh };
    check(init_rnn(cfg, 3).unwrap(), "rnn tanh");
}

#[test]
fn rnn_relu_gradients_match_finite_differences() {
    let cfg = RnnConfig { vocab_size: 6, embed_dim: 5, hidden_size: 7, num_layers: 2, nonlinearity: Nonlinearity::Relu };
    check(init_rnn(cfg, 4).unwrap(), "rnn relu");
}
