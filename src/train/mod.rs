//! Training: backward passes (one module per architecture), cross-entropy
//! loss on chosen positions, AdamW, and the seeded tasks models learn.

pub mod gpt;
pub mod optim;
pub mod rnn;
pub mod tasks;
pub mod trainer;

use ndarray::Array2;

use crate::error::{Error, Result};
use crate::model::Model;
use tasks::Task;

/// One training sequence: `tokens` [N]; the model reads tokens[..N-1] and is
/// scored on predicting tokens[i+1] wherever `scored[i]` is true.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub tokens: Vec<usize>,
    pub scored: Vec<bool>, // [N - 1]
}

impl Example {
    pub fn inputs(&self) -> &[usize] {
        &self.tokens[..self.tokens.len() - 1]
    }

    pub fn targets(&self) -> &[usize] {
        &self.tokens[1..]
    }

    pub fn num_scored(&self) -> usize {
        self.scored.iter().filter(|&&s| s).count()
    }
}

/// Next-token distributions [T, V] of the inputs, with the activations backward needs.
enum Cache {
    Gpt(gpt::GptCache),
    Rnn(rnn::RnnCache),
}

impl Cache {
    fn probs(&self) -> &Array2<f32> {
        match self {
            Cache::Gpt(c) => &c.probs,
            Cache::Rnn(c) => &c.probs,
        }
    }
}

/// The forward pass keeping what backward reads. Training builds GPT and RNN
/// models only (`ModelSizes::build`), so no other family reaches here.
fn forward(model: &Model, ids: &[usize]) -> Cache {
    match model {
        Model::Gpt(m) => Cache::Gpt(gpt::forward(m, ids)),
        Model::Rnn(m) => Cache::Rnn(rnn::forward(m, ids)),
        Model::Llama(_) => unreachable!("training builds GPT and RNN models only"),
    }
}

/// Mean cross-entropy over every scored position of the batch, and its
/// gradient with respect to every parameter (a model-shaped buffer).
pub fn loss_and_grads(model: &Model, batch: &[Example]) -> (f32, Model) {
    let mut grads = model.zeros_like();
    let total: usize = batch.iter().map(Example::num_scored).sum();
    if total == 0 {
        return (0.0, grads);
    }
    let mut loss = 0.0f64;
    for ex in batch {
        let cache = forward(model, ex.inputs());
        let probs = cache.probs();
        // d(mean CE)/d logits = (p - onehot) / total at scored positions, 0 elsewhere.
        let mut dlogits = Array2::<f32>::zeros(probs.raw_dim());
        for (t, (&target, &scored)) in ex.targets().iter().zip(&ex.scored).enumerate() {
            if scored {
                loss -= (probs[[t, target]].max(1e-30) as f64).ln();
                let mut row = dlogits.row_mut(t);
                row.assign(&probs.row(t));
                row[target] -= 1.0;
                row.mapv_inplace(|v| v / total as f32);
            }
        }
        match (model, &cache, &mut grads) {
            (Model::Gpt(m), Cache::Gpt(c), Model::Gpt(g)) => gpt::backward(m, c, &dlogits, g),
            (Model::Rnn(m), Cache::Rnn(c), Model::Rnn(g)) => rnn::backward(m, c, &dlogits, g),
            _ => unreachable!("grads are zeros_like(model)"),
        }
    }
    ((loss / total as f64) as f32, grads)
}

/// Held-out quality: exact match (every scored position argmax-correct),
/// per-token accuracy and mean loss over the scored positions.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Metrics {
    pub exact_match: f32,
    pub token_accuracy: f32,
    pub loss: f32,
}

/// Most held-out examples one evaluation reads (they are made one at a time,
/// so this bounds the time an evaluation takes, not its memory).
pub const MAX_EVAL_EXAMPLES: usize = 1_000_000;

/// `n` held-out examples of `task` (from `seed`), checked first: `n` in
/// 1..=MAX_EVAL_EXAMPLES, the model's vocabulary and length fit the task.
pub fn evaluate_task(model: &Model, task: &Task, n: usize, seed: u64) -> Result<Metrics> {
    Error::check_range("n", n, 1.0, MAX_EVAL_EXAMPLES as f64)?;
    if task.tokenizer().vocab_size() != model.vocab_size() {
        return Err(Error::Config(format!("the model's vocabulary is not the {} task's", task.name())));
    }
    if task.max_len() > model.max_len() {
        return Err(Error::TooLong { len: task.max_len(), max: model.max_len() });
    }
    crate::budget::check_evaluation(model, 1, task.max_len())?;
    Ok(evaluate(model, task.held_out(n, seed)))
}

/// With teacher forcing: all scored argmaxes right is the same as greedy
/// decoding reproducing the answer, since each step then sees the true prefix.
pub fn evaluate(model: &Model, examples: impl IntoIterator<Item = Example>) -> Metrics {
    let (mut exact, mut correct, mut scored, mut loss, mut count) = (0usize, 0usize, 0usize, 0.0f64, 0usize);
    for ex in examples {
        count += 1;
        let probs = crate::ops::softmax_rows(model.logits_unchecked(ex.inputs())); // [T, V]
        
        let mut all_right = true;
        for (t, (&target, &s)) in ex.targets().iter().zip(&ex.scored).enumerate() {
            if !s {
                continue;
            }
            let row = probs.row(t);
            let best = row.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map(|(i, _)| i).unwrap_or(0);
            all_right &= best == target;
            correct += (best == target) as usize;
            scored += 1;
            loss -= (row[target].max(1e-30) as f64).ln();
        }
        exact += all_right as usize;
    }
    let n = count.max(1) as f32;
    let s = scored.max(1) as f64;
    Metrics { exact_match: exact as f32 / n, token_accuracy: (correct as f64 / s) as f32, loss: (loss / s) as f32 }
}
