//! Elman RNN with PyTorch `nn.RNN` semantics, fed by `nn.Embedding` and read out
//! by `nn.Linear`:  h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh),  h_0 = 0.
//!
//! Shapes: T = tokens, V = vocab, E = embed_dim, H = hidden_size, L = num_layers.

use ndarray::{s, Array1, Array2, ArrayViewD, ArrayViewMutD, Axis};
use serde::{Deserialize, Serialize};

use crate::checkpoint::{NamedTensor, Tensors};
use crate::error::{Error, Result};
use crate::model::hooks::{Hook, Probe, Rows};
use crate::ops::{gather_rows, linear_t};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Nonlinearity {
    Tanh,
    Relu,
}

impl Nonlinearity {
    pub fn apply(self, x: f32) -> f32 {
        match self {
            Nonlinearity::Tanh => x.tanh(),
            Nonlinearity::Relu => x.max(0.0),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RnnConfig {
    pub vocab_size: usize,
    pub embed_dim: usize,
    pub hidden_size: usize,
    pub num_layers: usize,
    pub nonlinearity: Nonlinearity,
}

impl RnnConfig {
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("vocab_size", self.vocab_size),
            ("embed_dim", self.embed_dim),
            ("hidden_size", self.hidden_size),
            ("num_layers", self.num_layers),
        ] {
            Error::check_at_least(name, v, 1)?;
        }
        Ok(())
    }

    /// Parameters a model of this config holds, counted before anything is
    /// allocated; u128 so no config can overflow it.
    pub fn num_params(&self) -> u128 {
        let (v, e, h, l) = (self.vocab_size as u128, self.embed_dim as u128, self.hidden_size as u128, self.num_layers as u128);
        // embed; layer 0 reads E, the others H; each has W_hh and two biases; head
        v * e + (h * e + l.saturating_sub(1) * h * h) + l * (h * h + 2 * h) + v * h + v
    }

    /// FLOPs of a forward over `t` tokens: its matrix products, 2 a multiply-add.
    pub fn forward_flops(&self, t: usize) -> f64 {
        let (v, e, h, l, t) = (self.vocab_size as f64, self.embed_dim as f64, self.hidden_size as f64, self.num_layers as f64, t as f64);
        // W_ih (E, then H), W_hh per layer; the head
        2.0 * t * (h * e + (l - 1.0) * h * h + l * h * h + h * v)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RnnLayer {
    pub w_ih: Array2<f32>, // [H, in], in = E for layer 0, else H
    pub w_hh: Array2<f32>, // [H, H]
    pub b_ih: Array1<f32>, // [H]
    pub b_hh: Array1<f32>, // [H]
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rnn {
    pub config: RnnConfig,
    pub embed: Array2<f32>,  // [V, E]
    pub layers: Vec<RnnLayer>,
    pub head_w: Array2<f32>, // [V, H]
    pub head_b: Array1<f32>, // [V]
}

/// Every layer's state after every position so far: what the next position
/// starts from, and what stepping back truncates.
#[derive(Debug, Clone, PartialEq)]
pub struct RnnState {
    pub states: Vec<Array2<f32>>, // [L] x [T, Hd]
}

impl RnnState {
    pub fn new(config: &RnnConfig) -> Self {
        Self { states: vec![Array2::zeros((0, config.hidden_size)); config.num_layers] }
    }

    /// Positions seen.
    pub fn len(&self) -> usize {
        self.states.first().map_or(0, |s| s.nrows())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every position from `len` on.
    pub fn truncate(&mut self, len: usize) {
        for a in &mut self.states {
            if a.nrows() > len {
                *a = a.slice(s![..len, ..]).to_owned();
            }
        }
    }
}

impl Rnn {
    /// The RNN forward pass, the only one in the crate: `ids` [Tn] after the
    /// positions `state` holds, each layer's new states appended to it and
    /// shown to `probe` (`Hidden`, [Tn, Hd]). -> logits [Tn, V].
    pub fn forward(&self, ids: &[usize], state: &mut RnnState, probe: &mut dyn Probe, rows: Rows) -> Array2<f32> {
        let mut input = gather_rows(&self.embed, ids); // [Tn, E], then [Tn, Hd] between layers
        for (l, layer) in self.layers.iter().enumerate() {
            let prev = &state.states[l];
            let h0 = match prev.nrows() {
                0 => Array1::zeros(self.config.hidden_size), // h_0 = 0
                n => prev.row(n - 1).to_owned(),
            };
            let mut states = self.run_layer(layer, &input, h0); // [Tn, Hd]
            probe.at(l, Hook::Hidden, states.view_mut().into_dyn());
            state.states[l].append(Axis(0), states.view()).expect("states have the model's hidden size");
            input = states;
        }
        self.unembed(&rows.of(input)) // [R, V], R = Tn or 1
    }

    /// logits = h W_out^T + b: the last layer's states h [R, Hd] -> [R, V].
    pub fn unembed(&self, h: &Array2<f32>) -> Array2<f32> {
        linear_t(&h.view(), &self.head_w.view(), Some(&self.head_b.view()))
    }

    /// One layer over the new positions from state `h`: input [Tn, in] -> states [Tn, Hd].
    fn run_layer(&self, layer: &RnnLayer, input: &Array2<f32>, mut h: Array1<f32>) -> Array2<f32> {
        // The input part of every step at once: [Tn, Hd].
        let pre_input = linear_t(&input.view(), &layer.w_ih.view(), Some(&layer.b_ih.view())) + &layer.b_hh;
        let mut states = Array2::<f32>::zeros((input.nrows(), self.config.hidden_size));
        for (step, pre) in pre_input.rows().into_iter().enumerate() {
            h = (&pre + &layer.w_hh.dot(&h)).mapv_into(|v| self.config.nonlinearity.apply(v)); // [Hd]
            states.row_mut(step).assign(&h);
        }
        states
    }
}

// ---- tensor names (PyTorch embed / rnn / head) ----

/// The parameter list, written once for shared and mutable views alike.
macro_rules! rnn_params {
    ($m:expr, $view:ident, $iter:ident) => {{
        let mut out = vec![("embed.weight".to_string(), $m.embed.$view().into_dyn())];
        for (k, layer) in $m.layers.$iter().enumerate() {
            out.extend([
                (format!("rnn.weight_ih_l{k}"), layer.w_ih.$view().into_dyn()),
                (format!("rnn.weight_hh_l{k}"), layer.w_hh.$view().into_dyn()),
                (format!("rnn.bias_ih_l{k}"), layer.b_ih.$view().into_dyn()),
                (format!("rnn.bias_hh_l{k}"), layer.b_hh.$view().into_dyn()),
            ]);
        }
        out.push(("head.weight".to_string(), $m.head_w.$view().into_dyn()));
        out.push(("head.bias".to_string(), $m.head_b.$view().into_dyn()));
        out
    }};
}

impl Rnn {
    pub fn from_tensors(config: RnnConfig, t: &Tensors) -> Result<Self> {
        let (v, e, h) = (config.vocab_size, config.embed_dim, config.hidden_size);
        let layers = (0..config.num_layers)
            .map(|k| {
                let input = if k == 0 { e } else { h };
                Ok(RnnLayer {
                    w_ih: t.matrix(&format!("rnn.weight_ih_l{k}"), h, input)?,
                    w_hh: t.matrix(&format!("rnn.weight_hh_l{k}"), h, h)?,
                    b_ih: t.vector(&format!("rnn.bias_ih_l{k}"), h)?,
                    b_hh: t.vector(&format!("rnn.bias_hh_l{k}"), h)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            embed: t.matrix("embed.weight", v, e)?,
            layers,
            head_w: t.matrix("head.weight", v, h)?,
            head_b: t.vector("head.bias", v)?,
            config,
        })
    }

    pub fn named_tensors(&self) -> Vec<NamedTensor> {
        self.params().into_iter().map(|(name, a)| NamedTensor::new(name, a.shape(), a.iter().copied())).collect()
    }

    /// Every parameter under its PyTorch name, in file order (see `Gpt::params`).
    pub fn params(&self) -> Vec<(String, ArrayViewD<'_, f32>)> {
        rnn_params!(self, view, iter)
    }

    pub fn params_mut(&mut self) -> Vec<(String, ArrayViewMutD<'_, f32>)> {
        rnn_params!(self, view_mut, iter_mut)
    }
}
