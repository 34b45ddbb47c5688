//! Interpretability tools (issue 14), each a probe on the one forward pass
//! (`model::hooks`), for every Transformer family (GPT-2, Llama, Qwen2):
//!
//! - `lens`: the logit lens. The residual stream after layer l, `resid[l]`
//!   (l = 0..L: `resid[0]` the first block's input, `resid[l]` block l-1's
//!   output), read by the model's own output head: softmax(final_norm(resid[l])
//!   W_U). At l = L it is the model's output.
//! - `ablate`: heads' `z` (attention-weighted values, before the output
//!   projection) set to 0, or to their mean over the sequence's positions;
//!   everything downstream recomputed.
//! - `head_scores`: previous-token, duplicate-token and induction scores of
//!   every (query) head on a sequence of N ids repeated twice
//!   (`repeated_random` draws one).
//!
//! Shapes: T tokens, C width, V vocabulary, L layers, H (query) heads, D head
//! width, K kept per position. Layers and heads are indices from 0 here; the
//! CLI counts them from 1 for people.

use ndarray::{s, Array2, ArrayViewMutD, Axis, Ix2, Ix3};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::budget;
use crate::error::{Error, Result};
use crate::model::{finite_softmax, Chain, Hook, Model, NoProbe, Probe, Rows};
use crate::trace::{top_k, Nested};
use crate::Tokenizer;

/// (layers, heads) of a Transformer; an RNN is an error naming the tool.
pub fn layers_heads(model: &Model, tool: &str) -> Result<(usize, usize)> {
    match model {
        Model::Gpt(m) => Ok((m.config.n_layer, m.config.n_head)),
        Model::Llama(m) => Ok((m.config.num_hidden_layers, m.config.num_attention_heads)),
        Model::Rnn(_) => Err(Error::Unsupported {
            field: "arch".into(),
            value: "rnn".into(),
            why: format!("{tool} works on Transformers (GPT-2, Llama, Qwen2) only: an RNN has no attention heads or residual stream"),
        }),
    }
}

/// Checks, before anything is allocated, that a forward of `tn` tokens plus
/// `extra(tn)` f32 values the tool keeps beside it fit the memory budget;
/// the error names the most tokens that would.
pub fn check_budget(model: &Model, what: &'static str, tn: usize, extra: impl Fn(usize) -> u128) -> Result<()> {
    let need = |n: usize| (budget::forward_values(model, 0, n).saturating_add(extra(n))).saturating_mul(4).min(u64::MAX as u128) as u64;
    if need(tn) <= budget::limit() {
        return Ok(());
    }
    let (mut lo, mut hi) = (0usize, tn); // the largest n <= tn that fits
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if need(mid) <= budget::limit() {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Err(Error::OverBudget { what, need_bytes: need(tn), limit_bytes: budget::limit(), max: Some(lo as u64), unit: Some("tokens") })
}

// ---- logit lens ----

/// The lens of one layer: the K most likely next tokens at every position.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LensLayer {
    pub top_ids: Vec<Vec<usize>>, // [T, K]
    pub top_probs: Vec<Vec<f32>>, // [T, K], best first
}

/// The logit lens of a sequence: L+1 layers, `layers[L]` the model's output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lens {
    pub ids: Vec<usize>,        // [T]
    pub layers: Vec<LensLayer>, // [L+1]
}

/// Shows `visit(l, probs)` the lens distribution probs [T, V] of every
/// residual stream resid[l], l = 0..=L, as the forward reaches it: one
/// layer's [T, V] at a time, never all L+1.
pub fn lens_each(model: &Model, ids: &[usize], visit: impl FnMut(usize, Array2<f32>)) -> Result<()> {
    lens_each_edited(model, ids, &mut NoProbe, visit)
}

/// `lens_each` of the forward that `edit` changes (a head ablation,
/// `ablation`): `edit` sees each hook point before the lens reads it.
pub fn lens_each_edited(model: &Model, ids: &[usize], edit: &mut dyn Probe, mut visit: impl FnMut(usize, Array2<f32>)) -> Result<()> {
    layers_heads(model, "the logit lens")?;
    let (tn, v, c) = (ids.len(), model.vocab_size() as u128, width(model) as u128);
    model.check_ids(ids)?;
    // Beside the forward: one layer's resid copy and final norm [T, C], its logits and probs [T, V].
    check_budget(model, "logit lens", tn, |n| 2 * n as u128 * (c + v))?;
    let mut failed = None;
    let mut probe = |layer: usize, hook: Hook, value: ArrayViewMutD<'_, f32>| {
        let l = match hook {
            Hook::ResidPre if layer == 0 => 0, // resid[0]: the embeddings entering block 0
            Hook::ResidPost => layer + 1,      // resid[l + 1]: block l's output
            _ => return,
        };
        let resid = value.view().into_dimensionality::<Ix2>().expect("the residual stream is [T, C]").to_owned(); // [T, C]
        match finite_softmax(model.unembed(&resid)) {
            Ok(probs) => visit(l, probs), // [T, V]
            Err(e) => failed = failed.take().or(Some(e)), // the first error
        }
    };
    model.forward_with(ids, &mut model.new_cache(), &mut Chain(edit, &mut probe), Rows::Last)?; // [1, V], unused
    failed.map_or(Ok(()), Err)
}

/// The logit lens with the `k` most likely tokens per layer and position.
pub fn lens(model: &Model, ids: &[usize], k: usize) -> Result<Lens> {
    lens_edited(model, ids, k, &mut NoProbe)
}

/// `lens` of the forward that `edit` changes (as `lens_each_edited`).
pub fn lens_edited(model: &Model, ids: &[usize], k: usize, edit: &mut dyn Probe) -> Result<Lens> {
    let (layers, _) = layers_heads(model, "the logit lens")?;
    Error::check_at_least("top_k", k, 1)?;
    let k = k.min(model.vocab_size());
    model.check_ids(ids)?;
    // The kept tops: ids (usize, two f32s' worth) and probabilities, (L+1) x T x K.
    check_budget(model, "logit lens", ids.len(), |n| 3 * (layers as u128 + 1) * n as u128 * k as u128)?;
    let mut out = vec![None; layers + 1];
    lens_each_edited(model, ids, edit, |l, probs| {
        let tops: Vec<Vec<(usize, f32)>> = probs.rows().into_iter().map(|p| top_k(p, k)).collect(); // [T, K]
        out[l] = Some(LensLayer {
            top_ids: tops.iter().map(|t| t.iter().map(|&(id, _)| id).collect()).collect(),
            top_probs: tops.iter().map(|t| t.iter().map(|&(_, p)| p).collect()).collect(),
        });
    })?;
    let layers = out.into_iter().map(|l| l.expect("every layer's residual stream was read")).collect();
    Ok(Lens { ids: ids.to_vec(), layers })
}

fn width(model: &Model) -> usize {
    match model {
        Model::Gpt(m) => m.config.n_embd,
        Model::Llama(m) => m.config.hidden_size,
        Model::Rnn(m) => m.config.hidden_size,
    }
}

// ---- head ablation ----

/// What an ablated head's z becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ablation {
    /// 0 at every position.
    Zero,
    /// Its mean over the sequence's positions, at every position.
    Mean,
}

impl Ablation {
    pub fn name(self) -> &'static str {
        match self {
            Ablation::Zero => "zero",
            Ablation::Mean => "mean",
        }
    }
}

/// Checks (layer, head) pairs, indices from 0, against the model (messages count from 1).
pub fn check_heads(model: &Model, heads: &[(usize, usize)], tool: &str) -> Result<()> {
    let (layers, n_head) = layers_heads(model, tool)?;
    for &(l, h) in heads {
        if l >= layers {
            return Err(Error::OutOfRange { field: "layer".into(), value: (l + 1).to_string(), min: 1.0, max: layers as f64 });
        }
        if h >= n_head {
            return Err(Error::OutOfRange { field: "head".into(), value: (h + 1).to_string(), min: 1.0, max: n_head as f64 });
        }
    }
    Ok(())
}

/// Next-token probabilities [T, V] with every (layer, head) of `heads`
/// ablated (its z, [T, D], set to 0 or to its mean over the T positions),
/// everything downstream recomputed. Under GQA a head is a query head.
pub fn ablate(model: &Model, ids: &[usize], heads: &[(usize, usize)], mode: Ablation) -> Result<Array2<f32>> {
    check_heads(model, heads, "head ablation")?;
    model.check_ids(ids)?;
    check_budget(model, "ablation", ids.len(), |_| 0)?; // the edit happens in the forward's own z
    finite_softmax(model.forward_with(ids, &mut model.new_cache(), &mut ablation(heads, mode), Rows::All)?) // [T, V]
}

/// The probe that ablates `heads` (checked: `check_heads`) at their z, for
/// any forward: `ablate`'s, or a whole trace's (`Checkpoint::keep_trace_edited`).
pub fn ablation(heads: &[(usize, usize)], mode: Ablation) -> impl FnMut(usize, Hook, ArrayViewMutD<'_, f32>) + '_ {
    move |layer: usize, hook: Hook, mut value: ArrayViewMutD<'_, f32>| {
        if hook != Hook::Z {
            return;
        }
        for &(_, h) in heads.iter().filter(|&&(l, _)| l == layer) {
            let mut z = value.slice_mut(s![.., h, ..]); // [T, D]
            match mode {
                Ablation::Zero => z.fill(0.0),
                Ablation::Mean => {
                    let mean = z.mean_axis(Axis(0)).expect("at least one position"); // [D]
                    z.assign(&mean); // [D] broadcast to every row
                }
            }
        }
    }
}

// ---- head scores ----

/// Every head's scores on a sequence of N ids repeated twice (2N ids, A a
/// head's attention pattern [2N, 2N], row = query):
/// previous-token = mean over i in 1..=2N-1 of A[i, i-1],
/// duplicate-token = mean over i in N..=2N-1 of A[i, i-N],
/// induction = mean over i in N..=2N-1 of A[i, i-N+1].
#[derive(Debug, Clone, PartialEq)]
pub struct HeadScores {
    pub ids: Vec<usize>,             // [2N]
    pub previous_token: Array2<f32>, // [L, H]
    pub duplicate_token: Array2<f32>, // [L, H]
    pub induction: Array2<f32>,      // [L, H]
}

impl Serialize for HeadScores {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("HeadScores", 4)?;
        st.serialize_field("ids", &self.ids)?;
        st.serialize_field("previous_token", &Nested(self.previous_token.view().into_dyn()))?;
        st.serialize_field("duplicate_token", &Nested(self.duplicate_token.view().into_dyn()))?;
        st.serialize_field("induction", &Nested(self.induction.view().into_dyn()))?;
        st.end()
    }
}

/// The scores of every head on `ids` [2N] (any 2N ids; the scores mean
/// something when the two halves are equal). Each layer's pattern is scored
/// as the forward makes it: nothing of size T² is kept.
pub fn head_scores(model: &Model, ids: &[usize]) -> Result<HeadScores> {
    let (layers, n_head) = layers_heads(model, "head scores")?;
    if ids.len() < 2 || ids.len() % 2 != 0 {
        return Err(Error::Options(format!("head scores need an even number of ids, at least 2 (got {})", ids.len())));
    }
    let n = ids.len() / 2;
    model.check_ids(ids)?;
    check_budget(model, "head scores", ids.len(), |_| 0)?;
    let mut scores = [Array2::<f32>::zeros((layers, n_head)), Array2::zeros((layers, n_head)), Array2::zeros((layers, n_head))];
    let mut probe = |layer: usize, hook: Hook, value: ArrayViewMutD<'_, f32>| {
        if hook != Hook::Pattern {
            return;
        }
        let pattern = value.view().into_dimensionality::<Ix3>().expect("a pattern is [H, T, T]"); // [H, 2N, 2N]
        for h in 0..n_head {
            let a = pattern.slice(s![h, .., ..]); // [2N, 2N]
            let mean = |rows: std::ops::Range<usize>, back: usize| {
                let len = rows.len() as f64;
                (rows.map(|i| a[[i, i - back]] as f64).sum::<f64>() / len) as f32
            };
            scores[0][[layer, h]] = mean(1..2 * n, 1);
            scores[1][[layer, h]] = mean(n..2 * n, n);
            scores[2][[layer, h]] = mean(n..2 * n, n - 1);
        }
    };
    model.forward_with(ids, &mut model.new_cache(), &mut probe, Rows::Last)?;
    let [previous_token, duplicate_token, induction] = scores;
    Ok(HeadScores { ids: ids.to_vec(), previous_token, duplicate_token, induction })
}

/// N ids drawn uniformly (seeded) from the vocabulary without its special
/// tokens, repeated twice: [2N]. Checked against the model's length and the
/// memory budget before the ids are drawn.
pub fn repeated_random(model: &Model, tokenizer: Option<&Tokenizer>, n: usize, seed: u64) -> Result<Vec<usize>> {
    layers_heads(model, "head scores")?;
    Error::check_at_least("len", n, 1)?;
    let len = n.saturating_mul(2);
    if len > model.max_len() {
        return Err(Error::TooLong { len, max: model.max_len() });
    }
    check_budget(model, "head scores", len, |_| 0)?;
    let allowed: Vec<usize> = (0..model.vocab_size()).filter(|&id| !tokenizer.is_some_and(|t| t.is_special(id))).collect(); // [V']
    if allowed.is_empty() {
        return Err(Error::Config("the vocabulary has only special tokens: no random sequence to draw".into()));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let half: Vec<usize> = (0..n).map(|_| allowed[rng.random_range(0..allowed.len())]).collect(); // [N]
    Ok([half.as_slice(), half.as_slice()].concat())
}
