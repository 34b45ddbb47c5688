//! GPT-2 decoder with Hugging Face `GPT2LMHeadModel` semantics and tensor names.
//!
//! Shapes: T = tokens, C = n_embd, H = n_head, D = C / H (head dim),
//! V = vocab, P = n_positions, L = n_layer.

use ndarray::{s, Array1, Array2, Array3, Array4, ArrayViewD, ArrayViewMutD, Axis};
use serde::{Deserialize, Serialize};

use crate::checkpoint::{NamedTensor, Tensors};
use crate::error::{Error, Result};
use crate::ops::{gather_rows, first_rows, gelu_tanh, layer_norm, linear, linear_t, softmax_inplace, softmax_rows};

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
            if v == 0 {
                return Err(Error::Config(format!("{name} must be at least 1")));
            }
        }
        if self.n_embd % self.n_head != 0 {
            return Err(Error::Config(format!(
                "n_embd ({}) is not divisible by n_head ({})",
                self.n_embd, self.n_head
            )));
        }
        if !(self.layer_norm_epsilon.is_finite() && self.layer_norm_epsilon > 0.0) {
            return Err(Error::Config(format!("layer_norm_epsilon must be positive, got {}", self.layer_norm_epsilon)));
        }
        Ok(())
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
    pub fn forward(&self, ids: &[usize]) -> GptOutput {
        let cfg = &self.config;
        let t = ids.len();
        let mut attention = Array4::<f32>::zeros((cfg.n_layer, cfg.n_head, t, t));
        // x: [T, C] residual stream
        let mut x = gather_rows(&self.wte, ids) + first_rows(&self.wpe, t);
        for (l, block) in self.blocks.iter().enumerate() {
            let h = layer_norm(&x, &block.ln_1_w, &block.ln_1_b, cfg.eps());
            let (y, att) = self.attention(block, &h); // y: [T, C], att: [H, T, T]
            attention.slice_mut(s![l, .., .., ..]).assign(&att);
            x += &y;
            let h = layer_norm(&x, &block.ln_2_w, &block.ln_2_b, cfg.eps());
            x += &mlp(block, &h);
        }
        let x = layer_norm(&x, &self.ln_f_w, &self.ln_f_b, cfg.eps());
        let head = self.lm_head.as_ref().unwrap_or(&self.wte);
        let logits = linear_t(&x.view(), &head.view(), None); // [T, V]
        GptOutput { probs: softmax_rows(logits), attention }
    }

    /// Causal multi-head self-attention: h [T, C] -> (output [T, C], weights [H, T, T]).
    fn attention(&self, block: &Block, h: &Array2<f32>) -> (Array2<f32>, Array3<f32>) {
        let qkv = linear(&h.view(), &block.c_attn_w.view(), &block.c_attn_b.view()); // [T, 3C]
        let (merged, weights) = causal_self_attention(&qkv, self.config.n_head);
        let out = linear(&merged.view(), &block.attn_proj_w.view(), &block.attn_proj_b.view());
        (out, weights)
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
            let row = row.as_slice_mut().expect("contiguous row");
            softmax_inplace(&mut row[..=i]);
            row[i + 1..].fill(0.0);
        }
        merged.slice_mut(s![.., head * d..(head + 1) * d]).assign(&att.dot(&v));
        weights.slice_mut(s![head, .., ..]).assign(&att);
    }
    (merged, weights)
}

/// Feed-forward: h [T, C] -> gelu(h W_fc + b) W_proj + b -> [T, C].
fn mlp(block: &Block, h: &Array2<f32>) -> Array2<f32> {
    let a = linear(&h.view(), &block.c_fc_w.view(), &block.c_fc_b.view()).mapv_into(gelu_tanh); // [T, 4C]
    linear(&a.view(), &block.mlp_proj_w.view(), &block.mlp_proj_b.view())
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
