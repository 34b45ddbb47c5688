//! The memory budget: every allocation whose size follows from the input (a
//! trace's L·H·T² attention and T·V probabilities, a generation's steps, an
//! evaluation's examples, a training batch, a new model's parameters) is
//! estimated and checked here before anything is allocated, with an error
//! that says what to reduce.
//!
//! The budget is 4 GB natively (`GLASSWING_MEMORY_BUDGET` overrides it, in
//! bytes, or with a k/M/G suffix) and 1.5 GB in WebAssembly, where the page
//! sets it from what the browser can give a wasm instance (`set_limit`).
//! Estimates count f32 values the work keeps alive at its peak.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};
use crate::model::Model;

#[cfg(target_arch = "wasm32")]
const DEFAULT_LIMIT: u64 = 1_500_000_000;
#[cfg(not(target_arch = "wasm32"))]
const DEFAULT_LIMIT: u64 = 4_000_000_000;

/// 0 = not set yet: the default (or the environment's) applies.
static LIMIT: AtomicU64 = AtomicU64::new(0);

/// The budget in bytes.
pub fn limit() -> u64 {
    match LIMIT.load(Ordering::Relaxed) {
        0 => {
            let limit = from_env().unwrap_or(DEFAULT_LIMIT);
            LIMIT.store(limit, Ordering::Relaxed);
            limit
        }
        limit => limit,
    }
}

/// Sets the budget (at least 1 kB).
pub fn set_limit(bytes: u64) {
    LIMIT.store(bytes.max(1_000), Ordering::Relaxed);
}

#[cfg(not(target_arch = "wasm32"))]
fn from_env() -> Option<u64> {
    parse_bytes(&std::env::var("GLASSWING_MEMORY_BUDGET").ok()?)
}

#[cfg(target_arch = "wasm32")]
fn from_env() -> Option<u64> {
    None
}

/// "4000000", "512M", "4G" -> bytes (powers of 1000).
pub fn parse_bytes(text: &str) -> Option<u64> {
    let text = text.trim();
    let (digits, scale) = match text.char_indices().last()? {
        (i, 'k' | 'K') => (&text[..i], 1_000),
        (i, 'm' | 'M') => (&text[..i], 1_000_000),
        (i, 'g' | 'G') => (&text[..i], 1_000_000_000),
        _ => (text, 1),
    };
    digits.trim().parse::<u64>().ok()?.checked_mul(scale)
}

/// f32 values -> bytes, saturating (a saturated estimate is simply over budget).
fn bytes(values: u128) -> u64 {
    values.saturating_mul(4).min(u64::MAX as u128) as u64
}

/// f32 values a recorded forward pass of `tn` new positions after `start`
/// cached ones keeps alive at its peak: the recorded patterns (or states),
/// one layer's working pattern, the cache, the block's activations, and the
/// logits and probabilities. In the page the recorded trace is then copied
/// out of the wasm memory into JavaScript: counted once more there.
pub fn forward_values(model: &Model, start: usize, tn: usize) -> u128 {
    let working = working_values(model, start, tn);
    if cfg!(target_arch = "wasm32") {
        working + recorded_values(model, start, tn)
    } else {
        working
    }
}

/// f32 values of what a trace hands over: patterns (or states) and probabilities.
fn recorded_values(model: &Model, start: usize, tn: usize) -> u128 {
    let (tn, tk, v) = (tn as u128, start as u128 + tn as u128, model.vocab_size() as u128);
    let rows = match model {
        Model::Gpt(_) | Model::Llama(_) => heads_per_position(model) * tk,
        Model::Rnn(m) => (m.config.num_layers * m.config.hidden_size) as u128,
    };
    tn * rows + tn * v
}

fn working_values(model: &Model, start: usize, tn: usize) -> u128 {
    let (tn, tk) = (tn as u128, start as u128 + tn as u128);
    match model {
        Model::Gpt(m) => {
            let c = &m.config;
            let (l, h, d, v) = (c.n_layer as u128, c.n_head as u128, c.n_embd as u128, c.vocab_size as u128);
            (l + 1) * h * tn * tk + tn * tk + 2 * l * tk * d + 20 * tn * d + 2 * tn * v
        }
        Model::Llama(m) => {
            let c = &m.config;
            let (l, h, d, v) = (c.num_hidden_layers as u128, c.num_attention_heads as u128, c.hidden_size as u128, c.vocab_size as u128);
            let (i, kv) = (c.intermediate_size as u128, (c.num_key_value_heads * c.head_dim) as u128);
            // as a GPT's, with a [KV*D]-wide cache and the MLP's three [T, I] buffers
            (l + 1) * h * tn * tk + tn * tk + 2 * l * tk * kv + 12 * tn * d + 3 * tn * i + 2 * tn * v
        }
        Model::Rnn(m) => {
            let c = &m.config;
            let (l, hd, e, v) = (c.num_layers as u128, c.hidden_size as u128, c.embed_dim as u128, c.vocab_size as u128);
            l * tn * hd + l * tk * hd + 3 * tn * hd + tn * e + 2 * tn * v
        }
    }
}

/// f32 values one training example of `t` tokens keeps for its backward
/// pass, with the backward pass's own buffers (counted as much again).
pub fn training_values(model: &Model, t: usize) -> u128 {
    let t = t as u128;
    let kept = match model {
        Model::Gpt(m) => {
            let c = &m.config;
            let (l, h, d, v) = (c.n_layer as u128, c.n_head as u128, c.n_embd as u128, c.vocab_size as u128);
            // per layer: residuals, q|k|v, pattern, z, MLP pre-activation; the probabilities
            l * (h * t * t + 10 * t * d) + 2 * t * v + 20 * t * d
        }
        Model::Llama(_) | Model::Rnn(_) => forward_values(model, 0, t as usize),
    };
    2 * kept
}

/// Attention weights one query position records: layers x heads.
fn heads_per_position(model: &Model) -> u128 {
    match model {
        Model::Gpt(m) => (m.config.n_layer * m.config.n_head) as u128,
        Model::Llama(m) => (m.config.num_hidden_layers * m.config.num_attention_heads) as u128,
        Model::Rnn(_) => 0,
    }
}

/// The largest `n` in `0..=cap` with `need(n)` within the budget (need grows with n).
fn largest_fitting(cap: usize, need: impl Fn(usize) -> u64) -> u64 {
    let (mut lo, mut hi) = (0usize, cap);
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if need(mid) <= limit() {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    lo as u64
}

fn over(what: &'static str, need_bytes: u64, max: Option<u64>, unit: Option<&'static str>) -> Error {
    Error::OverBudget { what, need_bytes, limit_bytes: limit(), max, unit }
}

/// A recorded forward pass (a trace, or the new tokens of a session) of
/// `tn` new positions after `start` cached ones.
pub fn check_forward(model: &Model, start: usize, tn: usize) -> Result<()> {
    let need = |tn: usize| bytes(forward_values(model, start, tn));
    if need(tn) <= limit() {
        return Ok(());
    }
    Err(over("trace", need(tn), Some(largest_fitting(tn, need)), Some("tokens")))
}

/// The longest input a trace may have: the model's maximum length, or fewer
/// when the memory budget says so. `check_forward(model, 0, n)` passes for
/// `n` up to this and refuses one more (its `over_budget` names this count),
/// so the page can state it before anything is traced.
pub fn max_trace_tokens(model: &Model) -> usize {
    largest_fitting(model.max_len(), |tn| bytes(forward_values(model, 0, tn))) as usize
}

/// Generating `steps` tokens after a prompt of `prompt` tokens, keeping every
/// step's two distributions [V] and attention row [L,H,T] (or hidden state).
pub fn check_generation(model: &Model, prompt: usize, steps: usize) -> Result<()> {
    let need = |steps: usize| {
        let (v, end) = (model.vocab_size() as u128, (prompt + steps) as u128);
        let per_step = match model {
            // attention rows of lengths prompt+1 ..= prompt+steps, summed
            Model::Gpt(_) | Model::Llama(_) => {
                let lh = heads_per_position(model);
                lh * (end * (end + 1) / 2 - (prompt as u128) * (prompt as u128 + 1) / 2)
            }
            Model::Rnn(m) => (m.config.num_layers * m.config.hidden_size) as u128 * steps as u128,
        };
        bytes(2 * v * steps as u128 + per_step + forward_values(model, prompt + steps, 1))
    };
    if need(steps) <= limit() {
        return Ok(());
    }
    Err(over("generation", need(steps), Some(largest_fitting(steps, need)), Some("steps")))
}

/// Evaluating on `n` held-out examples of at most `len` tokens each.
pub fn check_evaluation(model: &Model, n: usize, len: usize) -> Result<()> {
    // Each example keeps its tokens (usize) and flags; one forward at a time.
    let need = |n: usize| bytes(n as u128 * len as u128 * 3 + training_values(model, len));
    if need(n) <= limit() {
        return Ok(());
    }
    Err(over("evaluation", need(n), Some(largest_fitting(n, need)), Some("examples")))
}

/// A training step on `batch` examples of at most `len` tokens: the weights,
/// their gradients and AdamW's two moments, and every example's activations.
pub fn check_training(model: &Model, batch: usize, len: usize) -> Result<()> {
    let params = model.num_params() as u128;
    let need = |batch: usize| bytes(4 * params + batch as u128 * training_values(model, len));
    if need(batch) <= limit() {
        return Ok(());
    }
    Err(over("training", need(batch), Some(largest_fitting(batch, need)), Some("batch")))
}

/// A new model of `params` parameters (before it is allocated).
pub fn check_model(params: u128) -> Result<()> {
    let need = bytes(params);
    if need <= limit() {
        return Ok(());
    }
    Err(over("model", need, None, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sizes() {
        assert_eq!(parse_bytes("4G"), Some(4_000_000_000));
        assert_eq!(parse_bytes("512M"), Some(512_000_000));
        assert_eq!(parse_bytes("1234"), Some(1234));
        assert_eq!(parse_bytes("lots"), None);
        assert_eq!(parse_bytes("99999999999999999999G"), None);
    }
}
