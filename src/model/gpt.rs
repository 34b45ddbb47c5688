//! GPT-2 decoder with Hugging Face `GPT2LMHeadModel` semantics and tensor names.
//!
//! Shapes: T = tokens, C = n_embd, H = n_head, D = C / H (head dim),
//! V = vocab, P = n_positions, L = n_layer.

use ndarray::{s, Array1, Array2, Array3, Array4, ArrayView2, ArrayViewD, ArrayViewMutD, Axis};
use serde::{Deserialize, Serialize};

use crate::checkpoint::{NamedTensor, Tensors};
use crate::error::{Error, Result};
use crate::ops::{gelu_tanh, softmax_inplace, softmax_rows};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GptConfig {
    pub n_layer: usize,
    pub n_head: usize,
    pub n_embd: usize,
    pub n_positions: usize,
    pub vocab_size: usize,
    pub layer_norm_epsilon: f64,
}

impl GptConfig {
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("n_layer", self.n_layer),
            ("n_head", self.n_head),
            ("n_embd", self.n_embd),
            ("n_positions", self.n_positions),
            ("vocab_size", self.vocab_size),
        ] {
            Error::check_at_least(name, v, 1)?;
        }
        if self.n_embd % self.n_head != 0 {
            return Err(Error::NotDivisible { field: "n_embd", value: self.n_embd, by_field: "n_head", by: self.n_head });
        }
        // The math runs in f32: an epsilon that is 0 or infinite there is nonsense.
        Error::check_range("layer_norm_epsilon", self.layer_norm_epsilon, 1e-30, 1.0)
    }

    /// Parameters a model of this config holds (tied head), counted before
    /// anything is allocated; u128 so no config can overflow it.
    pub fn num_params(&self) -> u128 {
        let (l, c, v, p) = (self.n_layer as u128, self.n_embd as u128, self.vocab_size as u128, self.n_positions as u128);
        let block = 2 * c + (3 * c * c + 3 * c) + (c * c + c) + 2 * c + (4 * c * c + 4 * c) + (4 * c * c + c);
        // wte, wpe, the blocks (ln_1, c_attn, attn c_proj, ln_2, c_fc, mlp c_proj), ln_f
        v * c + p * c + l * block + 2 * c
    }

    /// The LayerNorm epsilon at the precision the math runs in.
    pub fn eps(&self) -> f32 {
        self.layer_norm_epsilon as f32
    }

    pub fn head_dim(&self) -> usize {
        self.n_embd / self.n_head
    }
}

/// One pre-LayerNorm transformer block. Conv1D weights are [in, out].
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub ln_1_w: Array1<f32>,       // [C]
    pub ln_1_b: Array1<f32>,       // [C]
    pub c_attn_w: Array2<f32>,     // [C, 3C], columns q | k | v
    pub c_attn_b: Array1<f32>,     // [3C]
    pub attn_proj_w: Array2<f32>,  // [C, C]
    pub attn_proj_b: Array1<f32>,  // [C]
    pub ln_2_w: Array1<f32>,       // [C]
    pub ln_2_b: Array1<f32>,       // [C]
    pub c_fc_w: Array2<f32>,       // [C, 4C]
    pub c_fc_b: Array1<f32>,       // [4C]
    pub mlp_proj_w: Array2<f32>,   // [4C, C]
    pub mlp_proj_b: Array1<f32>,   // [C]
}

#[derive(Debug, Clone, PartialEq)]
pub struct Gpt {
    pub config: GptConfig,
    pub wte: Array2<f32>,             // [V, C] token embeddings, also the tied output head
    pub wpe: Array2<f32>,             // [P, C] learned positions
    pub blocks: Vec<Block>,           // L blocks
    pub ln_f_w: Array1<f32>,          // [C]
    pub ln_f_b: Array1<f32>,          // [C]
    pub lm_head: Option<Array2<f32>>, // [V, C] when untied
}

/// What one GPT forward pass records.
pub struct GptOutput {
    pub probs: Array2<f32>,     // [T, V]
    pub attention: Array4<f32>, // [L, H, T, T], row = query, causal
}

impl Gpt {
    /// Forward pass over `ids` (already checked: non-empty, in range, T <= P).
    /// The one GPT forward in the crate: training reads the same activations.
    pub fn forward(&self, ids: &[usize]) -> GptOutput {
        let acts = forward_with_activations(self, ids);
        let (t, cfg) = (ids.len(), &self.config);
        let mut attention = Array4::<f32>::zeros((cfg.n_layer, cfg.n_head, t, t));
        for (l, block) in acts.blocks.iter().enumerate() {
            attention.slice_mut(s![l, .., .., ..]).assign(&block.att);
        }
        GptOutput { probs: acts.probs, attention }
    }
}

/// The heart of attention, shared with training: qkv [T, 3C] (columns q | k | v)
/// -> (heads merged side by side [T, C], softmax weights [H, T, T]).
/// Scores are scaled by 1/sqrt(D); query i sees keys 0..=i, the rest is exactly 0.
pub(crate) fn causal_self_attention(qkv: &Array2<f32>, n_head: usize) -> (Array2<f32>, Array3<f32>) {
    let (t, c) = (qkv.nrows(), qkv.ncols() / 3);
    let d = c / n_head;
    let scale = 1.0 / (d as f32).sqrt();
    let mut weights = Array3::<f32>::zeros((n_head, t, t));
    let mut merged = Array2::<f32>::zeros((t, c));
    for head in 0..n_head {
        let q = qkv.slice(s![.., head * d..(head + 1) * d]); // [T, D]
        let k = qkv.slice(s![.., c + head * d..c + (head + 1) * d]); // [T, D]
        let v = qkv.slice(s![.., 2 * c + head * d..2 * c + (head + 1) * d]); // [T, D]
        let mut att = q.dot(&k.t()) * scale; // [T, T]
        for (i, mut row) in att.axis_iter_mut(Axis(0)).enumerate() {
            softmax_inplace(row.slice_mut(s![..=i]));
            row.slice_mut(s![i + 1..]).fill(0.0);
        }
        merged.slice_mut(s![.., head * d..(head + 1) * d]).assign(&att.dot(&v));
        weights.slice_mut(s![head, .., ..]).assign(&att);
    }
    (merged, weights)
}

/// LayerNorm activations kept for the backward pass.
pub(crate) struct NormCache {
    pub(crate) xhat: Array2<f32>, // [T, C] normalised input, before the affine map
    pub(crate) rstd: Array1<f32>, // [T] 1 / sqrt(var + eps)
}

pub(crate) struct BlockCache {
    pub(crate) ln_1: NormCache,
    pub(crate) h1: Array2<f32>,    // [T, C] ln_1 output
    pub(crate) qkv: Array2<f32>,   // [T, 3C]
    pub(crate) att: Array3<f32>,   // [H, T, T] softmax weights
    pub(crate) y: Array2<f32>,     // [T, C] heads merged, before c_proj
    pub(crate) ln_2: NormCache,
    pub(crate) h2: Array2<f32>,    // [T, C] ln_2 output
    pub(crate) fc: Array2<f32>,    // [T, 4C] before GELU
    pub(crate) act: Array2<f32>,   // [T, 4C] after GELU
}

/// Every activation of one forward pass: what inference reads its trace
/// from, and what training's backward pass (train/gpt.rs) consumes.
pub(crate) struct GptCache {
    pub(crate) ids: Vec<usize>,
    pub(crate) blocks: Vec<BlockCache>,
    pub(crate) ln_f: NormCache,
    pub(crate) hf: Array2<f32>,       // [T, C] final LayerNorm output
    pub(crate) probs: Array2<f32>, // [T, V]
}

/// LayerNorm that also returns what its backward pass needs.
fn norm_forward(x: &Array2<f32>, w: &Array1<f32>, b: &Array1<f32>, eps: f32) -> (Array2<f32>, NormCache) {
    let mut xhat = x.clone();
    let mut rstd = Array1::<f32>::zeros(x.nrows());
    for (mut row, r) in xhat.rows_mut().into_iter().zip(rstd.iter_mut()) {
        let n = row.len() as f32;
        let mean = row.sum() / n;
        let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
        *r = 1.0 / (var + eps).sqrt();
        row.mapv_inplace(|v| (v - mean) * *r);
    }
    let out = &xhat * w + b;
    (out, NormCache { xhat, rstd })
}

/// x [T, in] @ w [in, out] + b.
fn affine(x: &ArrayView2<f32>, w: &Array2<f32>, b: &Array1<f32>) -> Array2<f32> {
    x.dot(w) + b
}

/// The GPT forward pass, keeping every activation.
pub(crate) fn forward_with_activations(m: &Gpt, ids: &[usize]) -> GptCache {
    let cfg = &m.config;
    let t = ids.len();
    let eps = cfg.eps();
    let mut x = m.wte.select(Axis(0), ids) + m.wpe.slice(s![..t, ..]); // [T, C]
    let mut blocks = Vec::with_capacity(cfg.n_layer);
    for b in &m.blocks {
        let (h1, ln_1) = norm_forward(&x, &b.ln_1_w, &b.ln_1_b, eps);
        let qkv = affine(&h1.view(), &b.c_attn_w, &b.c_attn_b); // [T, 3C]
        let (y, att) = causal_self_attention(&qkv, cfg.n_head); // [T, C], [H, T, T]
        x = x + affine(&y.view(), &b.attn_proj_w, &b.attn_proj_b);
        let (h2, ln_2) = norm_forward(&x, &b.ln_2_w, &b.ln_2_b, eps);
        let fc = affine(&h2.view(), &b.c_fc_w, &b.c_fc_b);
        let act = fc.mapv(gelu_tanh);
        x = x + affine(&act.view(), &b.mlp_proj_w, &b.mlp_proj_b);
        blocks.push(BlockCache { ln_1, h1, qkv, att, y, ln_2, h2, fc, act });
    }
    let (hf, ln_f) = norm_forward(&x, &m.ln_f_w, &m.ln_f_b, eps);
    let head = m.lm_head.as_ref().unwrap_or(&m.wte);
    let probs = softmax_rows(hf.dot(&head.t())); // [T, V]
    GptCache { ids: ids.to_vec(), blocks, ln_f, hf, probs }
}

// ---- tensor names (Hugging Face GPT-2) ----

/// The parameter list, written once for shared and mutable views alike.
macro_rules! gpt_params {
    ($m:expr, $view:ident, $iter:ident, $as_ref:ident) => {{
        let mut out = vec![("wte.weight".to_string(), $m.wte.$view().into_dyn()), ("wpe.weight".to_string(), $m.wpe.$view().into_dyn())];
        for (i, b) in $m.blocks.$iter().enumerate() {
            let n = |suffix: &str| format!("h.{i}.{suffix}");
            out.extend([
                (n("ln_1.weight"), b.ln_1_w.$view().into_dyn()),
                (n("ln_1.bias"), b.ln_1_b.$view().into_dyn()),
                (n("attn.c_attn.weight"), b.c_attn_w.$view().into_dyn()),
                (n("attn.c_attn.bias"), b.c_attn_b.$view().into_dyn()),
                (n("attn.c_proj.weight"), b.attn_proj_w.$view().into_dyn()),
                (n("attn.c_proj.bias"), b.attn_proj_b.$view().into_dyn()),
                (n("ln_2.weight"), b.ln_2_w.$view().into_dyn()),
                (n("ln_2.bias"), b.ln_2_b.$view().into_dyn()),
                (n("mlp.c_fc.weight"), b.c_fc_w.$view().into_dyn()),
                (n("mlp.c_fc.bias"), b.c_fc_b.$view().into_dyn()),
                (n("mlp.c_proj.weight"), b.mlp_proj_w.$view().into_dyn()),
                (n("mlp.c_proj.bias"), b.mlp_proj_b.$view().into_dyn()),
            ]);
        }
        out.push(("ln_f.weight".to_string(), $m.ln_f_w.$view().into_dyn()));
        out.push(("ln_f.bias".to_string(), $m.ln_f_b.$view().into_dyn()));
        if let Some(head) = $m.lm_head.$as_ref() {
            out.push(("lm_head.weight".to_string(), head.$view().into_dyn()));
        }
        out
    }};
}

impl Gpt {
    pub fn from_tensors(config: GptConfig, t: &Tensors) -> Result<Self> {
        let (c, v, p) = (config.n_embd, config.vocab_size, config.n_positions);
        let blocks = (0..config.n_layer)
            .map(|i| {
                let n = |suffix: &str| format!("h.{i}.{suffix}");
                Ok(Block {
                    ln_1_w: t.vector(&n("ln_1.weight"), c)?,
                    ln_1_b: t.vector(&n("ln_1.bias"), c)?,
                    c_attn_w: t.matrix(&n("attn.c_attn.weight"), c, 3 * c)?,
                    c_attn_b: t.vector(&n("attn.c_attn.bias"), 3 * c)?,
                    attn_proj_w: t.matrix(&n("attn.c_proj.weight"), c, c)?,
                    attn_proj_b: t.vector(&n("attn.c_proj.bias"), c)?,
                    ln_2_w: t.vector(&n("ln_2.weight"), c)?,
                    ln_2_b: t.vector(&n("ln_2.bias"), c)?,
                    c_fc_w: t.matrix(&n("mlp.c_fc.weight"), c, 4 * c)?,
                    c_fc_b: t.vector(&n("mlp.c_fc.bias"), 4 * c)?,
                    mlp_proj_w: t.matrix(&n("mlp.c_proj.weight"), 4 * c, c)?,
                    mlp_proj_b: t.vector(&n("mlp.c_proj.bias"), c)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let lm_head = if t.contains("lm_head.weight") { Some(t.matrix("lm_head.weight", v, c)?) } else { None };
        Ok(Self {
            wte: t.matrix("wte.weight", v, c)?,
            wpe: t.matrix("wpe.weight", p, c)?,
            blocks,
            ln_f_w: t.vector("ln_f.weight", c)?,
            ln_f_b: t.vector("ln_f.bias", c)?,
            lm_head,
            config,
        })
    }

    pub fn named_tensors(&self) -> Vec<NamedTensor> {
        self.params().into_iter().map(|(name, a)| NamedTensor::new(name, a.shape(), a.iter().copied())).collect()
    }

    /// Every parameter under its upstream name, in file order. Saving, the
    /// optimiser and the gradient checks all walk this one list.
    pub fn params(&self) -> Vec<(String, ArrayViewD<'_, f32>)> {
        gpt_params!(self, view, iter, as_ref)
    }

    pub fn params_mut(&mut self) -> Vec<(String, ArrayViewMutD<'_, f32>)> {
        gpt_params!(self, view_mut, iter_mut, as_mut)
    }
}
