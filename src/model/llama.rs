//! The Llama family with Hugging Face `LlamaForCausalLM` / `Qwen2ForCausalLM`
//! semantics and tensor names (SmolLM, SmolLM2, TinyLlama, Qwen2, Qwen2.5):
//!
//!   x = embed_tokens[ids]
//!   per layer:  x += o_proj(attention(rope(q), rope(k), v)),  q k v = proj(rms_norm(x))
//!               x += down_proj(silu(gate_proj(h)) * up_proj(h)),  h = rms_norm(x)
//!   logits = rms_norm(x) @ lm_head^T   (lm_head = embed_tokens when tied)
//!
//! Grouped-query attention: query head h reads key/value head h / (H / KV).
//! Rotary embeddings in HF's rotate-half form; Qwen2's q/k/v biases (and a
//! Llama `attention_bias`) when the file has them.
//!
//! Shapes: T tokens, C = hidden_size, H query heads, KV key/value heads,
//! D = head_dim, I = intermediate_size, V vocab, L layers.
//!
//! The embeddings and every projection are `Weight`s: kept in the file's
//! half precision (F16 / BF16, as the Hub ships these models) and widened a
//! block at a time where used, or f32. RMSNorm weights and biases are f32.

use ndarray::{s, Array1, Array2, Array3, ArrayViewMutD, Axis};
use serde::{Deserialize, Serialize};

use crate::checkpoint::{NamedTensor, Tensors};
use crate::error::{Error, Result};
use crate::model::hooks::{Hook, Probe, Rows};
use crate::ops::{matmul, matmul_into, softmax_inplace};
use crate::weight::{TensorRef, Weight};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LlamaConfig {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub intermediate_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub num_key_value_heads: usize,
    pub head_dim: usize,
    pub max_position_embeddings: usize,
    pub rms_norm_eps: f64,
    pub rope_theta: f64,
    pub tie_word_embeddings: bool,
}

impl LlamaConfig {
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("vocab_size", self.vocab_size),
            ("hidden_size", self.hidden_size),
            ("intermediate_size", self.intermediate_size),
            ("num_hidden_layers", self.num_hidden_layers),
            ("num_attention_heads", self.num_attention_heads),
            ("num_key_value_heads", self.num_key_value_heads),
            ("head_dim", self.head_dim),
            ("max_position_embeddings", self.max_position_embeddings),
        ] {
            Error::check_at_least(name, v, 1)?;
        }
        if self.num_attention_heads % self.num_key_value_heads != 0 {
            return Err(Error::NotDivisible {
                field: "num_attention_heads",
                value: self.num_attention_heads,
                by_field: "num_key_value_heads",
                by: self.num_key_value_heads,
            });
        }
        if self.head_dim % 2 != 0 {
            return Err(Error::NotDivisible { field: "head_dim", value: self.head_dim, by_field: "rotary halves", by: 2 });
        }
        Error::check_range("rms_norm_eps", self.rms_norm_eps, 1e-30, 1.0)?;
        Error::check_range("rope_theta", self.rope_theta, 1.0, 1e12)
    }

    /// Query heads per key/value head.
    pub fn group(&self) -> usize {
        self.num_attention_heads / self.num_key_value_heads
    }

    /// Parameters of this config (untied head counted when untied), before
    /// anything is allocated.
    pub fn num_params(&self, biases: bool) -> u128 {
        let (v, c, i, l) = (self.vocab_size as u128, self.hidden_size as u128, self.intermediate_size as u128, self.num_hidden_layers as u128);
        let (qd, kvd) = ((self.num_attention_heads * self.head_dim) as u128, (self.num_key_value_heads * self.head_dim) as u128);
        let attn = c * qd + 2 * c * kvd + qd * c + if biases { qd + 2 * kvd } else { 0 };
        let head = if self.tie_word_embeddings { 0 } else { v * c };
        v * c + l * (attn + 3 * c * i + 2 * c) + c + head
    }

    /// FLOPs of a full forward over `t` tokens: its matrix products, 2 a
    /// multiply-add (q·k and the weighted sum over all t keys, as computed).
    pub fn forward_flops(&self, t: usize) -> f64 {
        let (v, c, i, l, t) = (self.vocab_size as f64, self.hidden_size as f64, self.intermediate_size as f64, self.num_hidden_layers as f64, t as f64);
        let (qd, kvd) = ((self.num_attention_heads * self.head_dim) as f64, (self.num_key_value_heads * self.head_dim) as f64);
        // q, k, v, o; scores and weighted values over t keys per query head; gate, up, down; the head
        2.0 * t * (l * (2.0 * c * qd + 2.0 * c * kvd + 2.0 * t * qd + 3.0 * c * i) + c * v)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LlamaLayer {
    pub input_norm: Array1<f32>,     // [C]
    pub q_proj: Weight,              // [H*D, C]
    pub k_proj: Weight,              // [KV*D, C]
    pub v_proj: Weight,              // [KV*D, C]
    pub q_bias: Option<Array1<f32>>, // [H*D] (Qwen2)
    pub k_bias: Option<Array1<f32>>, // [KV*D]
    pub v_bias: Option<Array1<f32>>, // [KV*D]
    pub o_proj: Weight,              // [C, H*D]
    pub o_bias: Option<Array1<f32>>, // [C] (Llama attention_bias)
    pub post_norm: Array1<f32>,      // [C]
    pub gate_proj: Weight,           // [I, C]
    pub up_proj: Weight,             // [I, C]
    pub down_proj: Weight,           // [C, I]
}

#[derive(Debug, Clone, PartialEq)]
pub struct Llama {
    pub config: LlamaConfig,
    pub embed_tokens: Weight,         // [V, C]
    pub layers: Vec<LlamaLayer>,      // L
    pub norm: Array1<f32>,            // [C]
    pub lm_head: Option<Weight>,      // [V, C] when untied
}

/// Keys (rotated) and values of every position so far, per layer.
#[derive(Debug, Clone, PartialEq)]
pub struct LlamaCache {
    pub keys: Vec<Array2<f32>>,   // [L] x [T, KV*D]
    pub values: Vec<Array2<f32>>, // [L] x [T, KV*D]
}

impl LlamaCache {
    pub fn new(config: &LlamaConfig) -> Self {
        let empty = Array2::<f32>::zeros((0, config.num_key_value_heads * config.head_dim));
        Self { keys: vec![empty.clone(); config.num_hidden_layers], values: vec![empty; config.num_hidden_layers] }
    }

    pub fn len(&self) -> usize {
        self.keys.first().map_or(0, |k| k.nrows())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn truncate(&mut self, len: usize) {
        for a in self.keys.iter_mut().chain(self.values.iter_mut()) {
            if a.nrows() > len {
                *a = a.slice(s![..len, ..]).to_owned();
            }
        }
    }
}

/// RMSNorm as HF computes it: x / sqrt(mean(x^2) + eps) * weight, per row.
fn rms_norm(x: &Array2<f32>, weight: &Array1<f32>, eps: f32) -> Array2<f32> {
    let mut out = x.clone();
    for mut row in out.rows_mut() {
        let mean_sq = row.iter().map(|v| v * v).sum::<f32>() / row.len() as f32;
        let r = 1.0 / (mean_sq + eps).sqrt();
        row.iter_mut().zip(weight.iter()).for_each(|(v, w)| *v = w * (*v * r));
    }
    out
}

fn silu(x: f32) -> f32 {
    x / (1.0 + (-x).exp())
}

/// Rotates each head of x [Tn, n*D] in place for positions start.. (HF's
/// rotate-half form: the first and second halves of a head pair up).
fn rope(x: &mut Array2<f32>, start: usize, d: usize, theta: f64) {
    let half = d / 2;
    // inv_freq[i] = 1 / theta^(2i / D), in f32 as HF computes it.
    let inv_freq: Vec<f32> = (0..half).map(|i| 1.0 / (theta as f32).powf((2 * i) as f32 / d as f32)).collect();
    for (t, mut row) in x.axis_iter_mut(Axis(0)).enumerate() {
        let pos = (start + t) as f32;
        let (cos, sin): (Vec<f32>, Vec<f32>) = inv_freq.iter().map(|f| ((pos * f).cos(), (pos * f).sin())).unzip();
        for mut head in row.exact_chunks_mut(d) {
            for i in 0..half {
                let (a, b) = (head[i], head[i + half]);
                head[i] = a * cos[i] - b * sin[i];
                head[i + half] = b * cos[i] + a * sin[i];
            }
        }
    }
}

fn project(x: &Array2<f32>, w: &Weight, b: &Option<Array1<f32>>) -> Array2<f32> {
    w.linear_t(&x.view(), b.as_ref().map(|b| b.view()).as_ref())
}

/// [Tn, n*D] seen as [Tn, n, D] for the probes.
fn split_heads(a: &mut Array2<f32>, n: usize) -> ArrayViewMutD<'_, f32> {
    let (tn, width) = a.dim();
    a.view_mut().into_shape_with_order((tn, n, width / n)).expect("a fresh [Tn, n*D] array is row-major").into_dyn()
}

impl Llama {
    /// The Llama-family forward pass, the only one: `ids` [Tn] at positions
    /// cache.len().., rotated keys and values appended to `cache`, every hook
    /// point shown to `probe` (q and k after the rotation). -> logits [Tn, V].
    pub fn forward(&self, ids: &[usize], cache: &mut LlamaCache, probe: &mut dyn Probe, rows: Rows) -> Array2<f32> {
        let cfg = &self.config;
        let (start, eps) = (cache.len(), cfg.rms_norm_eps as f32);
        let (nh, nkv, d) = (cfg.num_attention_heads, cfg.num_key_value_heads, cfg.head_dim);
        let mut x = self.embed_tokens.rows(ids); // [Tn, C]
        for (l, layer) in self.layers.iter().enumerate() {
            probe.at(l, Hook::ResidPre, x.view_mut().into_dyn());
            let h = rms_norm(&x, &layer.input_norm, eps); // [Tn, C]
            let mut q = project(&h, &layer.q_proj, &layer.q_bias); // [Tn, H*D]
            let mut k = project(&h, &layer.k_proj, &layer.k_bias); // [Tn, KV*D]
            let mut v = project(&h, &layer.v_proj, &layer.v_bias); // [Tn, KV*D]
            rope(&mut q, start, d, cfg.rope_theta);
            rope(&mut k, start, d, cfg.rope_theta);
            probe.at(l, Hook::Q, split_heads(&mut q, nh));
            probe.at(l, Hook::K, split_heads(&mut k, nkv));
            probe.at(l, Hook::V, split_heads(&mut v, nkv));
            cache.keys[l].append(Axis(0), k.view()).expect("keys have the model's width");
            cache.values[l].append(Axis(0), v.view()).expect("values have the model's width");
            let mut pattern = self.causal_pattern(&q, &cache.keys[l], start); // [H, Tn, Tk]
            probe.at(l, Hook::Pattern, pattern.view_mut().into_dyn());
            let mut z = self.weighted_values(&pattern, &cache.values[l]); // [Tn, H*D]
            probe.at(l, Hook::Z, split_heads(&mut z, nh));
            let mut attn_out = project(&z, &layer.o_proj, &layer.o_bias); // [Tn, C]
            probe.at(l, Hook::AttnOut, attn_out.view_mut().into_dyn());
            x += &attn_out;
            probe.at(l, Hook::ResidMid, x.view_mut().into_dyn());
            let h = rms_norm(&x, &layer.post_norm, eps); // [Tn, C]
            let mut gate = layer.gate_proj.linear_t(&h.view(), None); // [Tn, I]
            probe.at(l, Hook::MlpPre, gate.view_mut().into_dyn());
            let up = layer.up_proj.linear_t(&h.view(), None); // [Tn, I]
            let act = gate.mapv(silu) * &up; // [Tn, I]
            let mut mlp_out = layer.down_proj.linear_t(&act.view(), None); // [Tn, C]
            probe.at(l, Hook::MlpOut, mlp_out.view_mut().into_dyn());
            x += &mlp_out;
            probe.at(l, Hook::ResidPost, x.view_mut().into_dyn());
        }
        self.unembed(&rows.of(x)) // [R, V], R = Tn or 1
    }

    /// logits = rms_norm(x) lm_head^T: x [R, C] -> [R, V].
    pub fn unembed(&self, x: &Array2<f32>) -> Array2<f32> {
        let hf = rms_norm(x, &self.norm, self.config.rms_norm_eps as f32); // [R, C]
        self.head().linear_t(&hf.view(), None) // [R, V]
    }

    /// The output head [V, C]: `lm_head` when untied, else the token embeddings.
    pub fn head(&self) -> &Weight {
        self.lm_head.as_ref().unwrap_or(&self.embed_tokens)
    }

    /// q [Tn, H*D] over keys [Tk, KV*D] -> [H, Tn, Tk], causal from `start`.
    fn causal_pattern(&self, q: &Array2<f32>, keys: &Array2<f32>, start: usize) -> Array3<f32> {
        let cfg = &self.config;
        let (d, group) = (cfg.head_dim, cfg.group());
        let scale = 1.0 / (d as f32).sqrt();
        let mut pattern = Array3::<f32>::zeros((cfg.num_attention_heads, q.nrows(), keys.nrows()));
        for head in 0..cfg.num_attention_heads {
            let kv = head / group;
            let mut scores = matmul(&q.slice(s![.., head * d..(head + 1) * d]), &keys.slice(s![.., kv * d..(kv + 1) * d]).t()) * scale; // [Tn, Tk]
            for (i, mut row) in scores.axis_iter_mut(Axis(0)).enumerate() {
                softmax_inplace(row.slice_mut(s![..=start + i]));
                row.slice_mut(s![start + i + 1..]).fill(0.0);
            }
            pattern.slice_mut(s![head, .., ..]).assign(&scores);
        }
        pattern
    }

    /// pattern [H, Tn, Tk], values [Tk, KV*D] -> z [Tn, H*D].
    fn weighted_values(&self, pattern: &Array3<f32>, values: &Array2<f32>) -> Array2<f32> {
        let cfg = &self.config;
        let (d, group) = (cfg.head_dim, cfg.group());
        let mut z = Array2::<f32>::zeros((pattern.dim().1, cfg.num_attention_heads * d));
        for head in 0..cfg.num_attention_heads {
            let kv = head / group;
            matmul_into(&pattern.slice(s![head, .., ..]), &values.slice(s![.., kv * d..(kv + 1) * d]), &mut z.slice_mut(s![.., head * d..(head + 1) * d]));
        }
        z
    }
}

// ---- tensor names (Hugging Face Llama / Qwen2) ----

/// Every parameter under its upstream name, in file order, through `$w` for
/// the weight matrices and `$v` for the vectors.
macro_rules! llama_params {
    ($m:expr, $w:expr, $v:expr) => {{
        let mut out = vec![("model.embed_tokens.weight".to_string(), $w(&$m.embed_tokens))];
        for (l, layer) in $m.layers.iter().enumerate() {
            let n = |suffix: &str| format!("model.layers.{l}.{suffix}");
            out.push((n("input_layernorm.weight"), $v(&layer.input_norm)));
            out.push((n("self_attn.q_proj.weight"), $w(&layer.q_proj)));
            if let Some(b) = layer.q_bias.as_ref() {
                out.push((n("self_attn.q_proj.bias"), $v(b)));
            }
            out.push((n("self_attn.k_proj.weight"), $w(&layer.k_proj)));
            if let Some(b) = layer.k_bias.as_ref() {
                out.push((n("self_attn.k_proj.bias"), $v(b)));
            }
            out.push((n("self_attn.v_proj.weight"), $w(&layer.v_proj)));
            if let Some(b) = layer.v_bias.as_ref() {
                out.push((n("self_attn.v_proj.bias"), $v(b)));
            }
            out.push((n("self_attn.o_proj.weight"), $w(&layer.o_proj)));
            if let Some(b) = layer.o_bias.as_ref() {
                out.push((n("self_attn.o_proj.bias"), $v(b)));
            }
            out.push((n("post_attention_layernorm.weight"), $v(&layer.post_norm)));
            out.push((n("mlp.gate_proj.weight"), $w(&layer.gate_proj)));
            out.push((n("mlp.up_proj.weight"), $w(&layer.up_proj)));
            out.push((n("mlp.down_proj.weight"), $w(&layer.down_proj)));
        }
        out.push(("model.norm.weight".to_string(), $v(&$m.norm)));
        if let Some(head) = $m.lm_head.as_ref() {
            out.push(("lm_head.weight".to_string(), $w(head)));
        }
        out
    }};
}

impl Llama {
    pub fn from_tensors(config: LlamaConfig, t: &Tensors) -> Result<Self> {
        let (c, i, v) = (config.hidden_size, config.intermediate_size, config.vocab_size);
        let (qd, kvd) = (config.num_attention_heads * config.head_dim, config.num_key_value_heads * config.head_dim);
        let optional = |name: &str, len: usize| -> Result<Option<Array1<f32>>> {
            if t.contains(name) {
                t.vector(name, len).map(Some)
            } else {
                Ok(None)
            }
        };
        let layers = (0..config.num_hidden_layers)
            .map(|l| {
                let n = |suffix: &str| format!("model.layers.{l}.{suffix}");
                Ok(LlamaLayer {
                    input_norm: t.vector(&n("input_layernorm.weight"), c)?,
                    q_proj: t.weight(&n("self_attn.q_proj.weight"), qd, c)?,
                    k_proj: t.weight(&n("self_attn.k_proj.weight"), kvd, c)?,
                    v_proj: t.weight(&n("self_attn.v_proj.weight"), kvd, c)?,
                    q_bias: optional(&n("self_attn.q_proj.bias"), qd)?,
                    k_bias: optional(&n("self_attn.k_proj.bias"), kvd)?,
                    v_bias: optional(&n("self_attn.v_proj.bias"), kvd)?,
                    o_proj: t.weight(&n("self_attn.o_proj.weight"), c, qd)?,
                    o_bias: optional(&n("self_attn.o_proj.bias"), c)?,
                    post_norm: t.vector(&n("post_attention_layernorm.weight"), c)?,
                    gate_proj: t.weight(&n("mlp.gate_proj.weight"), i, c)?,
                    up_proj: t.weight(&n("mlp.up_proj.weight"), i, c)?,
                    down_proj: t.weight(&n("mlp.down_proj.weight"), c, i)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let lm_head = if config.tie_word_embeddings { None } else { Some(t.weight("lm_head.weight", v, c)?) };
        Ok(Self { embed_tokens: t.weight("model.embed_tokens.weight", v, c)?, layers, norm: t.vector("model.norm.weight", c)?, lm_head, config })
    }

    /// Every parameter as f32 (half-precision weights widened: a copy).
    pub fn named_tensors(&self) -> Vec<NamedTensor> {
        let w = |w: &Weight| w.to_f32().into_dyn();
        let v = |v: &Array1<f32>| v.clone().into_dyn();
        llama_params!(self, w, v).into_iter().map(|(name, a)| NamedTensor::new(name, a.shape(), a.iter().copied())).collect()
    }

    /// Every parameter under its upstream name, in file order, as stored
    /// (f32, or a weight's half precision): for writing without a copy.
    pub fn tensors(&self) -> Vec<(String, TensorRef<'_>)> {
        fn vector(v: &Array1<f32>) -> TensorRef<'_> {
            TensorRef::F32(v.view().into_dyn())
        }
        llama_params!(self, Weight::tensor_ref, vector)
    }
}
