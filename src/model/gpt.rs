//! GPT-2 decoder with Hugging Face `GPT2LMHeadModel` semantics and tensor names.
//!
//! Shapes: T = tokens, C = n_embd, H = n_head, D = C / H (head dim),
//! V = vocab, P = n_positions, L = n_layer.

use ndarray::{s, Array1, Array2, Array3, ArrayViewD, ArrayViewMutD, Axis};
use serde::{Deserialize, Serialize};

use crate::checkpoint::{NamedTensor, Tensors};
use crate::error::{Error, Result};
use crate::model::hooks::{Hook, Probe, Rows};
use crate::ops::{gelu_tanh, layer_norm, linear, softmax_inplace};

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

    /// FLOPs of a full forward over `t` tokens: its matrix products, 2 a
    /// multiply-add (q·k and the weighted sum over all t keys, as computed).
    pub fn forward_flops(&self, t: usize) -> f64 {
        let (l, c, v, t) = (self.n_layer as f64, self.n_embd as f64, self.vocab_size as f64, t as f64);
        // c_attn 3C, scores and weighted values T each, c_proj C, c_fc 4C, mlp c_proj 4C; the head V
        2.0 * t * (l * (3.0 * c * c + 2.0 * t * c + c * c + 8.0 * c * c) + c * v)
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

/// Keys and values of every position seen so far, per layer: the KV cache.
#[derive(Debug, Clone, PartialEq)]
pub struct KvCache {
    pub keys: Vec<Array2<f32>>,   // [L] x [T, C], heads side by side
    pub values: Vec<Array2<f32>>, // [L] x [T, C]
}

impl KvCache {
    pub fn new(config: &GptConfig) -> Self {
        let empty = Array2::<f32>::zeros((0, config.n_embd));
        Self { keys: vec![empty.clone(); config.n_layer], values: vec![empty; config.n_layer] }
    }

    /// Positions cached.
    pub fn len(&self) -> usize {
        self.keys.first().map_or(0, |k| k.nrows())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every position from `len` on.
    pub fn truncate(&mut self, len: usize) {
        for a in self.keys.iter_mut().chain(self.values.iter_mut()) {
            if a.nrows() > len {
                *a = a.slice(s![..len, ..]).to_owned();
            }
        }
    }
}

impl Gpt {
    /// The GPT forward pass, the only one in the crate: `ids` [Tn] at
    /// positions cache.len().., their keys and values appended to `cache`,
    /// every hook point shown to `probe`. -> logits [Tn, V].
    /// A full trace is this on an empty cache; a generation step, on one id.
    /// `Model` checks first: ids non-empty and in range, cache.len() + Tn <= P.
    pub fn forward(&self, ids: &[usize], cache: &mut KvCache, probe: &mut dyn Probe, rows: Rows) -> Array2<f32> {
        let cfg = &self.config;
        let (start, tn, c, eps) = (cache.len(), ids.len(), cfg.n_embd, cfg.eps());
        let nh = cfg.n_head;
        let mut x = self.wte.select(Axis(0), ids) + self.wpe.slice(s![start..start + tn, ..]); // [Tn, C]
        for (l, b) in self.blocks.iter().enumerate() {
            probe.at(l, Hook::ResidPre, x.view_mut().into_dyn());
            // Attention: x += merge(softmax(q k^T / sqrt(D)) v) W_proj + b, q k v = ln_1(x) W_attn + b
            let h1 = layer_norm(&x, &b.ln_1_w, &b.ln_1_b, eps); // [Tn, C]
            let qkv = linear(&h1.view(), &b.c_attn_w.view(), &b.c_attn_b.view()); // [Tn, 3C], columns q | k | v
            let mut q = qkv.slice(s![.., ..c]).to_owned(); // [Tn, C]
            let mut k = qkv.slice(s![.., c..2 * c]).to_owned(); // [Tn, C]
            let mut v = qkv.slice(s![.., 2 * c..]).to_owned(); // [Tn, C]
            probe.at(l, Hook::Q, split_heads(&mut q, nh));
            probe.at(l, Hook::K, split_heads(&mut k, nh));
            probe.at(l, Hook::V, split_heads(&mut v, nh));
            append_rows(&mut cache.keys[l], &k);
            append_rows(&mut cache.values[l], &v);
            let mut pattern = causal_pattern(&q, &cache.keys[l], start, cfg.n_head); // [H, Tn, Tk]
            probe.at(l, Hook::Pattern, pattern.view_mut().into_dyn());
            let mut z = weighted_values(&pattern, &cache.values[l]); // [Tn, C]
            probe.at(l, Hook::Z, split_heads(&mut z, nh));
            let mut attn_out = linear(&z.view(), &b.attn_proj_w.view(), &b.attn_proj_b.view()); // [Tn, C]
            probe.at(l, Hook::AttnOut, attn_out.view_mut().into_dyn());
            x += &attn_out;
            probe.at(l, Hook::ResidMid, x.view_mut().into_dyn());
            // MLP: x += gelu(ln_2(x) W_fc + b) W_proj + b
            let h2 = layer_norm(&x, &b.ln_2_w, &b.ln_2_b, eps); // [Tn, C]
            let mut pre = linear(&h2.view(), &b.c_fc_w.view(), &b.c_fc_b.view()); // [Tn, 4C]
            probe.at(l, Hook::MlpPre, pre.view_mut().into_dyn());
            let act = pre.mapv(gelu_tanh); // [Tn, 4C]
            let mut mlp_out = linear(&act.view(), &b.mlp_proj_w.view(), &b.mlp_proj_b.view()); // [Tn, C]
            probe.at(l, Hook::MlpOut, mlp_out.view_mut().into_dyn());
            x += &mlp_out;
            probe.at(l, Hook::ResidPost, x.view_mut().into_dyn());
        }
        self.unembed(&rows.of(x)) // [R, V], R = Tn or 1
    }

    /// logits = ln_f(x) W_head^T: x [R, C] -> [R, V].
    pub fn unembed(&self, x: &Array2<f32>) -> Array2<f32> {
        let hf = layer_norm(x, &self.ln_f_w, &self.ln_f_b, self.config.eps()); // [R, C]
        crate::ops::matmul(&hf.view(), &self.head().t()) // [R, V]
    }

    /// The output head [V, C]: `lm_head` when untied, else the token embeddings.
    pub fn head(&self) -> &Array2<f32> {
        self.lm_head.as_ref().unwrap_or(&self.wte)
    }
}

/// [Tn, C] seen as [Tn, H, D] (heads side by side), for the probes.
fn split_heads(a: &mut Array2<f32>, n_head: usize) -> ArrayViewMutD<'_, f32> {
    let (tn, c) = a.dim();
    a.view_mut().into_shape_with_order((tn, n_head, c / n_head)).expect("a fresh [Tn, C] array is row-major").into_dyn()
}

/// Appends `rows` [Tn, C] to `cache` [T, C] (same width by construction).
fn append_rows(cache: &mut Array2<f32>, rows: &Array2<f32>) {
    cache.append(Axis(0), rows.view()).expect("cache rows have the model's width");
}

/// Attention weights of the new queries q [Tn, C] over every key so far
/// keys [Tk, C], Tk = start + Tn -> [H, Tn, Tk]. Scores are scaled by
/// 1/sqrt(D); query start+i sees keys 0..=start+i, the rest is exactly 0.
fn causal_pattern(q: &Array2<f32>, keys: &Array2<f32>, start: usize, n_head: usize) -> Array3<f32> {
    let (tn, c, tk) = (q.nrows(), q.ncols(), keys.nrows());
    let d = c / n_head;
    let scale = 1.0 / (d as f32).sqrt();
    let mut pattern = Array3::<f32>::zeros((n_head, tn, tk));
    for head in 0..n_head {
        let hs = s![.., head * d..(head + 1) * d];
        let mut scores = crate::ops::matmul(&q.slice(hs), &keys.slice(hs).t()) * scale; // [Tn, Tk]
        for (i, mut row) in scores.axis_iter_mut(Axis(0)).enumerate() {
            softmax_inplace(row.slice_mut(s![..=start + i]));
            row.slice_mut(s![start + i + 1..]).fill(0.0);
        }
        pattern.slice_mut(s![head, .., ..]).assign(&scores);
    }
    pattern
}

/// Each head's weighted sum of values: pattern [H, Tn, Tk], values [Tk, C]
/// -> z [Tn, C], heads side by side.
fn weighted_values(pattern: &Array3<f32>, values: &Array2<f32>) -> Array2<f32> {
    let (n_head, tn, _) = pattern.dim();
    let d = values.ncols() / n_head;
    let mut z = Array2::<f32>::zeros((tn, values.ncols()));
    for head in 0..n_head {
        let hs = s![.., head * d..(head + 1) * d];
        crate::ops::matmul_into(&pattern.slice(s![head, .., ..]), &values.slice(hs), &mut z.slice_mut(hs));
    }
    z
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
