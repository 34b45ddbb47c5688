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
//! - `attribute`: direct logit attribution. The target's logit at one
//!   position split into what each component of the final residual stream
//!   adds (embeddings, every head's z through its slice of the output
//!   projection, attention output biases, MLP outputs, the final norm's
//!   bias), the final norm's scale frozen: the parts sum to the logit.
//! - `patch`: activation patching. Every head's z carried from a clean run
//!   into a corrupted one, one head at a time, and how much of
//!   logit(answer) - logit(wrong) it brings back.
//!
//! Shapes: T tokens, C width, V vocabulary, L layers, H (query) heads, D head
//! width, K kept per position. Layers, heads and positions are indices from
//! 0 here (an attribution's component names, labels for people, count from
//! 1: `L1H1`); the CLI counts them from 1 for people.

use ndarray::{s, Array1, Array2, Array3, ArrayView1, ArrayView2, ArrayViewMut2, ArrayViewMutD, Axis, Ix2, Ix3};
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
/// any forward: `ablate`'s, or a whole trace's (`Checkpoint::keep_trace_ablated`).
pub fn ablation(heads: &[(usize, usize)], mode: Ablation) -> impl FnMut(usize, Hook, ArrayViewMutD<'_, f32>) + '_ {
    head_edit(heads, move |_, _, mut z| match mode {
        Ablation::Zero => z.fill(0.0),
        Ablation::Mean => {
            let mean = z.mean_axis(Axis(0)).expect("at least one position"); // [D]
            z.assign(&mean); // [D] broadcast to every row
        }
    })
}

/// The probe that applies `edit(layer, head, z)` to the z [T, D] of every
/// (layer, head) of `heads` (the caller checked them) as a forward reaches
/// it. Ablation and patching are this one probe.
fn head_edit<'a>(
    heads: &'a [(usize, usize)],
    mut edit: impl FnMut(usize, usize, ArrayViewMut2<'_, f32>) + 'a,
) -> impl FnMut(usize, Hook, ArrayViewMutD<'_, f32>) + 'a {
    move |layer: usize, hook: Hook, mut value: ArrayViewMutD<'_, f32>| {
        if hook != Hook::Z {
            return;
        }
        for &(_, h) in heads.iter().filter(|&&(l, _)| l == layer) {
            edit(layer, h, value.slice_mut(s![.., h, ..]).into_dimensionality::<Ix2>().expect("z is [T, H, D]")); // [T, D]
        }
    }
}

/// The forward of `ids` with `edit` applied to the z of `heads` (`head_edit`):
/// logits [R, V] of the kept rows.
fn edit_heads(
    model: &Model,
    ids: &[usize],
    heads: &[(usize, usize)],
    rows: Rows,
    edit: impl FnMut(usize, usize, ArrayViewMut2<'_, f32>),
) -> Result<Array2<f32>> {
    model.forward_with(ids, &mut model.new_cache(), &mut head_edit(heads, edit), rows) // [R, V]
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

// ---- direct logit attribution ----

/// One term of the final residual stream and what it adds to the target's logit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Component {
    /// `embed`, `L{l}H{h}`, `L{l}.attn_bias`, `L{l}.mlp` or `final_norm_bias`,
    /// layers and heads counted from 1 as people read them (`L1H1`).
    pub name: String,
    pub value: f32,
}

/// The target's logit at one position as a sum of components (their values
/// sum to `logit`, up to f32 rounding).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attribution {
    pub pos: usize,    // an index from 0
    pub target: usize, // a token id
    pub logit: f32,    // the model's logit of `target` at `pos`
    pub components: Vec<Component>,
}

/// Direct logit attribution at `pos` (default: the last) for `target`
/// (default: the most likely next token there). The final residual is
///
///   resid[L][pos] = embed + sum_l (sum_h z_lh W_O[lh] + b_O[l]) + sum_l mlp_l
///
/// (embed: token plus, for GPT-2, position embedding; z_lh [D] head h's z at
/// pos, W_O[lh] [D, C] its slice of the output projection, b_O[l] the
/// projection's bias where the model has one: GPT-2, a Llama with
/// `attention_bias`; Qwen2's v bias is inside z, the pattern's rows summing
/// to 1). With the final norm's scale frozen at its value for the whole
/// residual, the norm is linear: each component c contributes
/// norm_frozen(c) . W_U[target], and the norm's bias (GPT-2) b . W_U[target].
pub fn attribute(model: &Model, ids: &[usize], pos: Option<usize>, target: Option<usize>) -> Result<Attribution> {
    let (layers, n_head) = layers_heads(model, "attribution")?;
    model.check_ids(ids)?;
    let pos = pos.unwrap_or(ids.len() - 1);
    check_index("pos", pos, ids.len())?;
    if let Some(t) = target {
        check_id("target", t, model.vocab_size())?;
    }
    let (c, d) = (width(model) as u128, head_dim(model) as u128);
    let h = n_head as u128;
    // Beside the forward: every component [C] at pos, one layer's spread z [H, H*D] and head outputs [H, C].
    check_budget(model, "attribution", ids.len(), |_| (layers as u128 * (h + 2) + 2) * c + h * h * d + h * c)?;

    let mut components: Vec<(String, Array1<f32>)> = vec![]; // [C] each, in the forward's order
    let mut resid = None; // resid[L][pos] [C]
    let mut probe = |layer: usize, hook: Hook, value: ArrayViewMutD<'_, f32>| {
        let name = |what: &str| format!("L{}{what}", layer + 1);
        match hook {
            Hook::ResidPre if layer == 0 => components.push(("embed".into(), row(&value, pos))),
            Hook::Z => {
                let z = value.slice(s![pos, .., ..]).into_dimensionality::<Ix2>().expect("z is [T, H, D]"); // [H, D]
                let out = head_outputs(model, layer, z); // [H, C]
                components.extend(out.rows().into_iter().enumerate().map(|(h, o)| (name(&format!("H{}", h + 1)), o.to_owned())));
                if let Some(b) = attn_bias(model, layer) {
                    components.push((name(".attn_bias"), b.to_owned()));
                }
            }
            Hook::MlpOut => components.push((name(".mlp"), row(&value, pos))),
            Hook::ResidPost if layer + 1 == layers => resid = Some(row(&value, pos)),
            _ => {}
        }
    };
    model.forward_with(ids, &mut model.new_cache(), &mut probe, Rows::Last)?;
    let resid = resid.expect("the last layer ran"); // [C]

    let logits = model.unembed(&resid.clone().insert_axis(Axis(0))).remove_axis(Axis(0)); // [V]
    if logits.iter().any(|x| !x.is_finite()) {
        return Err(Error::Overflow("logits".into()));
    }
    let target = target.unwrap_or_else(|| top_k(logits.view(), 1)[0].0);
    let unembedding = unembedding(model, target); // [C], W_U[target]
    let norm = FrozenNorm::new(model, resid.view());
    let mut out: Vec<Component> = components
        .iter()
        .map(|(name, c)| Component { name: name.clone(), value: norm.apply(c.view()).dot(&unembedding) })
        .collect();
    if let Some(b) = norm.bias {
        out.push(Component { name: "final_norm_bias".into(), value: b.dot(&unembedding) });
    }
    Ok(Attribution { pos, target, logit: logits[target], components: out })
}

/// Row `pos` of a [T, C] hook value: [C].
fn row(value: &ArrayViewMutD<'_, f32>, pos: usize) -> Array1<f32> {
    value.view().into_dimensionality::<Ix2>().expect("the residual stream is [T, C]").row(pos).to_owned()
}

/// Each head's z at one position through its slice of layer `layer`'s
/// attention output projection, without the bias: z [H, D] -> [H, C], row h
/// what head h adds to the residual stream there.
fn head_outputs(model: &Model, layer: usize, z: ArrayView2<'_, f32>) -> Array2<f32> {
    let (n_head, d) = z.dim();
    let mut spread = Array2::<f32>::zeros((n_head, n_head * d)); // [H, H*D]: row h holds z[h] in head h's columns
    for (h, zh) in z.rows().into_iter().enumerate() {
        spread.slice_mut(s![h, h * d..(h + 1) * d]).assign(&zh);
    }
    match model {
        Model::Gpt(m) => spread.dot(&m.blocks[layer].attn_proj_w), // [H, C], Conv1D weight [H*D, C]
        Model::Llama(m) => m.layers[layer].o_proj.linear_t(&spread.view(), None), // [H, C], o_proj [C, H*D]
        Model::Rnn(_) => unreachable!("layers_heads refused an RNN"),
    }
}

/// The attention output projection's bias [C], where the model has one.
fn attn_bias(model: &Model, layer: usize) -> Option<ArrayView1<'_, f32>> {
    match model {
        Model::Gpt(m) => Some(m.blocks[layer].attn_proj_b.view()),
        Model::Llama(m) => m.layers[layer].o_bias.as_ref().map(|b| b.view()),
        Model::Rnn(_) => None,
    }
}

/// The output head's row for `id`: W_U[id] [C].
fn unembedding(model: &Model, id: usize) -> Array1<f32> {
    match model {
        Model::Gpt(m) => m.head().row(id).to_owned(),
        Model::Llama(m) => m.head().rows(&[id]).remove_axis(Axis(0)),
        Model::Rnn(_) => unreachable!("layers_heads refused an RNN"),
    }
}

/// The final norm with its scale frozen at its value for one whole residual
/// x [C]: GPT-2's LayerNorm, (c - mean(c)) / sqrt(var(x) + eps) * w, then + b;
/// RMSNorm (Llama, Qwen2), c / sqrt(mean(x^2) + eps) * w, no bias. Linear in
/// c, so the components' images sum to norm(x) (less the bias).
struct FrozenNorm<'a> {
    centre: bool,
    scale: f32,
    weight: ArrayView1<'a, f32>,       // [C]
    bias: Option<ArrayView1<'a, f32>>, // [C]
}

impl<'a> FrozenNorm<'a> {
    fn new(model: &'a Model, x: ArrayView1<'_, f32>) -> Self {
        let n = x.len() as f32;
        match model {
            Model::Gpt(m) => {
                let mean = x.sum() / n;
                let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n; // as ops::layer_norm
                let scale = 1.0 / (var + m.config.eps()).sqrt();
                Self { centre: true, scale, weight: m.ln_f_w.view(), bias: Some(m.ln_f_b.view()) }
            }
            Model::Llama(m) => {
                let mean_sq = x.iter().map(|v| v * v).sum::<f32>() / n; // as llama::rms_norm
                let scale = 1.0 / (mean_sq + m.config.rms_norm_eps as f32).sqrt();
                Self { centre: false, scale, weight: m.norm.view(), bias: None }
            }
            Model::Rnn(_) => unreachable!("layers_heads refused an RNN"),
        }
    }

    /// A component c [C] through the frozen norm, without the bias: [C].
    fn apply(&self, c: ArrayView1<'_, f32>) -> Array1<f32> {
        let shift = if self.centre { c.sum() / c.len() as f32 } else { 0.0 };
        (&c - shift) * self.scale * &self.weight
    }
}

fn head_dim(model: &Model) -> usize {
    match model {
        Model::Gpt(m) => m.config.head_dim(),
        Model::Llama(m) => m.config.head_dim,
        Model::Rnn(_) => 0,
    }
}

/// An index into `len` things (a position), from 0; the message counts from 1.
fn check_index(field: &str, index: usize, len: usize) -> Result<()> {
    if index < len {
        return Ok(());
    }
    Err(Error::OutOfRange { field: field.into(), value: index.saturating_add(1).to_string(), min: 1.0, max: len as f64 })
}

/// A token id the model can output.
fn check_id(field: &str, id: usize, vocab_size: usize) -> Result<()> {
    if id < vocab_size {
        return Ok(());
    }
    Err(Error::OutOfRange { field: field.into(), value: id.to_string(), min: 0.0, max: (vocab_size - 1) as f64 })
}

// ---- activation patching ----

/// Activation patching of every head between a clean and a corrupted prompt.
/// metric = logit(answer) - logit(wrong) at the last position; a head's
/// effect is (patched - corrupt) / (clean - corrupt), where `patched` is the
/// corrupted run with that head's z at every position taken from the clean
/// run: 1 means the head alone restores the clean answer, 0 that it does nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct Patching {
    pub clean: f32,         // the clean run's metric
    pub corrupt: f32,       // the corrupted run's metric
    pub heads: Array2<f32>, // [L, H] effects
}

impl Serialize for Patching {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Patching", 3)?;
        st.serialize_field("clean", &self.clean)?;
        st.serialize_field("corrupt", &self.corrupt)?;
        st.serialize_field("heads", &Nested(self.heads.view().into_dyn()))?;
        st.end()
    }
}

/// Patches each (query) head's z from the clean run into the corrupted one:
/// 2 + L x H forwards of T tokens, one at a time.
pub fn patch(model: &Model, clean_ids: &[usize], corrupt_ids: &[usize], answer: usize, wrong: usize) -> Result<Patching> {
    let (layers, n_head) = layers_heads(model, "activation patching")?;
    model.check_ids(clean_ids)?;
    model.check_ids(corrupt_ids)?;
    if clean_ids.len() != corrupt_ids.len() {
        return Err(Error::LengthMismatch { clean: clean_ids.len(), corrupt: corrupt_ids.len() });
    }
    check_id("answer", answer, model.vocab_size())?;
    check_id("wrong", wrong, model.vocab_size())?;
    if answer == wrong {
        return Err(Error::Options(format!("answer and wrong must be different tokens (both are {answer})")));
    }
    let hd = (n_head * head_dim(model)) as u128;
    // Beside the forward: the clean run's z of every layer, L x [T, H, D].
    check_budget(model, "activation patching", clean_ids.len(), |n| layers as u128 * n as u128 * hd)?;

    let metric = |logits: Array2<f32>| -> Result<f32> {
        let m = logits[[0, answer]] - logits[[0, wrong]]; // logits [1, V] at the last position
        if m.is_finite() { Ok(m) } else { Err(Error::Overflow("logits".into())) }
    };
    let mut clean_z: Vec<Array3<f32>> = Vec::with_capacity(layers); // L x [T, H, D]
    let mut keep_z = |_: usize, hook: Hook, value: ArrayViewMutD<'_, f32>| {
        if hook == Hook::Z {
            clean_z.push(value.into_dimensionality::<Ix3>().expect("z is [T, H, D]").to_owned());
        }
    };
    let clean = metric(model.forward_with(clean_ids, &mut model.new_cache(), &mut keep_z, Rows::Last)?)?;
    let corrupt = metric(model.forward_with(corrupt_ids, &mut model.new_cache(), &mut NoProbe, Rows::Last)?)?;
    if clean == corrupt {
        return Err(Error::SameMetric { metric: clean });
    }
    let mut heads = Array2::<f32>::zeros((layers, n_head)); // [L, H]
    for ((l, h), effect) in heads.indexed_iter_mut() {
        let logits = edit_heads(model, corrupt_ids, &[(l, h)], Rows::Last, |_, _, mut z| {
            z.assign(&clean_z[l].slice(s![.., h, ..])); // [T, D] from the clean run
        })?;
        *effect = (metric(logits)? - corrupt) / (clean - corrupt);
    }
    Ok(Patching { clean, corrupt, heads })
}
