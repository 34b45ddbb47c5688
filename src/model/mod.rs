//! The two model families and the one forward entry point every caller uses.

pub mod gpt;
pub mod hooks;
pub mod llama;
pub mod rnn;

use ndarray::{concatenate, s, Array2, Array3, Array4, ArrayViewMutD, Axis};
use serde::{Deserialize, Serialize};

use crate::checkpoint::{NamedTensor, Tensors};
use crate::error::{Error, Result};
pub use gpt::{Gpt, GptConfig, KvCache};
pub use hooks::{Hook, NoProbe, Probe, Rows};
pub use llama::{Llama, LlamaCache, LlamaConfig};
pub use rnn::{Nonlinearity, Rnn, RnnConfig, RnnState};
use crate::ops::softmax_rows;

/// Longest sequence an RNN is traced over: it has no position table, but the
/// trace grows with T x V and the page must stay responsive.
pub const RNN_MAX_TOKENS: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Arch {
    Gpt2,
    Llama,
    Rnn,
}

impl Arch {
    pub fn name(self) -> &'static str {
        match self {
            Arch::Gpt2 => "gpt2",
            Arch::Llama => "llama",
            Arch::Rnn => "rnn",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "gpt2" => Ok(Arch::Gpt2),
            "llama" => Ok(Arch::Llama),
            "rnn" => Ok(Arch::Rnn),
            other => Err(Error::Config(format!("arch {other:?} is unknown (expected \"gpt2\", \"llama\" or \"rnn\")"))),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Model {
    Gpt(Gpt),
    Llama(Llama),
    Rnn(Rnn),
}

/// Everything one forward pass records, before tokens are attached.
pub struct Forward {
    pub probs: Array2<f32>,             // [T, V]
    pub attention: Option<Array4<f32>>, // [L, H, T, T] for a GPT
    pub hidden: Option<Array3<f32>>,    // [L, T, Hd] for an RNN
}

/// What the forward keeps from one call to the next: the KV cache (GPT) or
/// every layer's states (RNN).
#[derive(Debug, Clone, PartialEq)]
pub enum Cache {
    Gpt(KvCache),
    Llama(LlamaCache),
    Rnn(RnnState),
}

impl Cache {
    /// Positions the cache holds.
    pub fn len(&self) -> usize {
        match self {
            Cache::Gpt(c) => c.len(),
            Cache::Llama(c) => c.len(),
            Cache::Rnn(c) => c.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of the keys and values (or states) it holds.
    pub fn bytes(&self) -> usize {
        let arrays = match self {
            Cache::Gpt(c) => c.keys.iter().chain(&c.values).collect::<Vec<_>>(),
            Cache::Llama(c) => c.keys.iter().chain(&c.values).collect(),
            Cache::Rnn(c) => c.states.iter().collect(),
        };
        arrays.iter().map(|a| a.len() * std::mem::size_of::<f32>()).sum()
    }

    /// Forgets every position from `len` on (stepping back, branching, retracing an edit).
    pub fn truncate(&mut self, len: usize) {
        match self {
            Cache::Gpt(c) => c.truncate(len),
            Cache::Llama(c) => c.truncate(len),
            Cache::Rnn(c) => c.truncate(len),
        }
    }
}

/// A forward pass kept to answer questions later: the patterns or states,
/// and the output head's input (the last layer's output) from which any
/// position's probabilities are computed when asked (`Model::probs_of`),
/// instead of all [T, V] at once (103 MB for GPT-2 small at 512 tokens).
pub struct Kept {
    pub attention: Option<Array4<f32>>, // [L, H, T, T] for a GPT
    pub hidden: Option<Array3<f32>>,    // [L, T, Hd] for an RNN
    pub resid: Array2<f32>,             // [T, C] the output head's input, before the final norm
}

/// The trace's probe: every layer's attention pattern (GPT) or states (RNN)
/// for the new positions, all of them or only the last; and, when asked,
/// the output head's input.
pub struct Recorder {
    rows: Rows,
    row0: usize,                        // the first new position's row (a retrace's copied rows come before)
    pub attention: Option<Array4<f32>>, // [L, H, R, Tk], R = Tn or 1
    pub hidden: Option<Array3<f32>>,    // [L, R, Hd]
    pub resid: Option<Array2<f32>>,     // [Tn, C] once `keep_resid` and the last layer ran
    resid_at: Option<(usize, Hook)>,    // the last layer and the hook whose value the head reads
}

impl Recorder {
    /// For `tn` new positions after `start` cached ones.
    pub fn new(model: &Model, start: usize, tn: usize, rows: Rows) -> Self {
        let r = if rows == Rows::All { tn } else { 1 };
        Self::sized(model, rows, r, start + tn, 0)
    }

    /// For `tn` new positions after `start` whose patterns and states come
    /// from `prev`: it records all start + tn rows, the first start copied,
    /// so a retrace allocates its attention once.
    pub fn continuing(model: &Model, prev: &Kept, start: usize, tn: usize) -> Self {
        let mut rec = Self::sized(model, Rows::All, start + tn, start + tn, start);
        if let (Some(att), Some(old)) = (&mut rec.attention, &prev.attention) {
            att.slice_mut(s![.., .., ..start, ..start]).assign(&old.slice(s![.., .., ..start, ..start]));
        }
        if let (Some(hidden), Some(old)) = (&mut rec.hidden, &prev.hidden) {
            hidden.slice_mut(s![.., ..start, ..]).assign(&old.slice(s![.., ..start, ..]));
        }
        rec
    }

    /// `r` rows of `tk` keys, the new positions' rows from `row0` on.
    fn sized(model: &Model, rows: Rows, r: usize, tk: usize, row0: usize) -> Self {
        let (attention, hidden) = match model {
            Model::Gpt(m) => (Some(Array4::zeros((m.config.n_layer, m.config.n_head, r, tk))), None),
            Model::Llama(m) => (Some(Array4::zeros((m.config.num_hidden_layers, m.config.num_attention_heads, r, tk))), None),
            Model::Rnn(m) => (None, Some(Array3::zeros((m.config.num_layers, r, m.config.hidden_size)))),
        };
        Self { rows, row0, attention, hidden, resid: None, resid_at: None }
    }

    /// Also keeps the output head's input for every new position: the last
    /// layer's residual stream (GPT, Llama) or states (RNN).
    pub fn keep_resid(mut self, model: &Model) -> Self {
        self.resid_at = Some(match model {
            Model::Gpt(m) => (m.config.n_layer - 1, Hook::ResidPost),
            Model::Llama(m) => (m.config.num_hidden_layers - 1, Hook::ResidPost),
            Model::Rnn(m) => (m.config.num_layers - 1, Hook::Hidden),
        });
        self
    }
}

/// Two probes in turn at every hook point: the first may edit the value,
/// the second sees what it left.
pub struct Chain<'a, 'b>(pub &'a mut dyn Probe, pub &'b mut dyn Probe);

impl Probe for Chain<'_, '_> {
    fn at(&mut self, layer: usize, hook: Hook, mut value: ArrayViewMutD<'_, f32>) {
        self.0.at(layer, hook, value.view_mut());
        self.1.at(layer, hook, value);
    }
}

impl Probe for Recorder {
    fn at(&mut self, layer: usize, hook: Hook, value: ArrayViewMutD<'_, f32>) {
        if self.resid_at == Some((layer, hook)) {
            self.resid = value.view().into_dimensionality::<ndarray::Ix2>().ok().map(|v| v.to_owned()); // [Tn, C]
        }
        // Assigned from views: the pattern is copied once, into the trace.
        match (hook, &mut self.attention, &mut self.hidden) {
            (Hook::Pattern, Some(att), _) => {
                if let Ok(kept) = self.rows.kept(value.view(), 1).into_dimensionality::<ndarray::Ix3>() {
                    att.slice_mut(s![layer, .., self.row0.., ..]).assign(&kept); // [H, R, Tk]
                }
            }
            (Hook::Hidden, _, Some(hidden)) => {
                if let Ok(kept) = self.rows.kept(value.view(), 0).into_dimensionality::<ndarray::Ix2>() {
                    hidden.slice_mut(s![layer, self.row0.., ..]).assign(&kept); // [R, Hd]
                }
            }
            _ => {}
        }
    }
}

impl Model {
    pub fn arch(&self) -> Arch {
        match self {
            Model::Gpt(_) => Arch::Gpt2,
            Model::Llama(_) => Arch::Llama,
            Model::Rnn(_) => Arch::Rnn,
        }
    }

    pub fn vocab_size(&self) -> usize {
        match self {
            Model::Gpt(m) => m.config.vocab_size,
            Model::Llama(m) => m.config.vocab_size,
            Model::Rnn(m) => m.config.vocab_size,
        }
    }

    /// The longest sequence the model accepts.
    pub fn max_len(&self) -> usize {
        match self {
            Model::Gpt(m) => m.config.n_positions,
            // RoPE has no position table: the trained context, and the memory budget.
            Model::Llama(m) => m.config.max_position_embeddings,
            Model::Rnn(_) => RNN_MAX_TOKENS,
        }
    }

    /// FLOPs of a full forward with its trace over `t` tokens (matrix products).
    pub fn forward_flops(&self, t: usize) -> f64 {
        match self {
            Model::Gpt(m) => m.config.forward_flops(t),
            Model::Llama(m) => m.config.forward_flops(t),
            Model::Rnn(m) => m.config.forward_flops(t),
        }
    }

    /// The config as the JSON object stored in checkpoint metadata.
    pub fn config_json(&self) -> serde_json::Value {
        let value = match self {
            Model::Gpt(m) => serde_json::to_value(&m.config),
            Model::Llama(m) => serde_json::to_value(&m.config),
            Model::Rnn(m) => serde_json::to_value(&m.config),
        };
        value.expect("configs are plain structs")
    }

    /// An empty cache for this model: the start of a trace or a session.
    pub fn new_cache(&self) -> Cache {
        match self {
            Model::Gpt(m) => Cache::Gpt(KvCache::new(&m.config)),
            Model::Llama(m) => Cache::Llama(LlamaCache::new(&m.config)),
            Model::Rnn(m) => Cache::Rnn(RnnState::new(&m.config)),
        }
    }

    /// The one forward pass of every model: `ids` [Tn] appended after the
    /// positions `cache` holds, every hook point shown to `probe`.
    /// -> logits [Tn, V]. Checks first: ids non-empty and in range, the
    /// length within the model's maximum, the memory within the budget.
    pub fn forward_with(&self, ids: &[usize], cache: &mut Cache, probe: &mut dyn Probe, rows: Rows) -> Result<Array2<f32>> {
        self.check_forward(cache.len(), ids)?;
        Ok(match (self, cache) {
            (Model::Gpt(m), Cache::Gpt(c)) => m.forward(ids, c, probe, rows),
            (Model::Llama(m), Cache::Llama(c)) => m.forward(ids, c, probe, rows),
            (Model::Rnn(m), Cache::Rnn(c)) => m.forward(ids, c, probe, rows),
            _ => return Err(Error::Config("this cache was made for another model".into())),
        })
    }

    /// Logits [T, V] of `ids` from an empty cache, no probe, no checks: for
    /// callers that checked the ids themselves (training's evaluation).
    pub(crate) fn logits_unchecked(&self, ids: &[usize]) -> Array2<f32> {
        let mut cache = self.new_cache();
        match (self, &mut cache) {
            (Model::Gpt(m), Cache::Gpt(c)) => m.forward(ids, c, &mut NoProbe, Rows::All),
            (Model::Llama(m), Cache::Llama(c)) => m.forward(ids, c, &mut NoProbe, Rows::All),
            (Model::Rnn(m), Cache::Rnn(c)) => m.forward(ids, c, &mut NoProbe, Rows::All),
            _ => unreachable!("new_cache matches the model"),
        }
    }

    /// A full trace: the forward on an empty cache, recording every pattern
    /// or state, and the probabilities (a non-finite one is an error).
    pub fn forward(&self, ids: &[usize]) -> Result<Forward> {
        self.forward_edited(ids, &mut NoProbe)
    }

    /// A full trace of the forward that `edit` changes (a head ablation,
    /// `interp::ablation`): `edit` sees each hook point first, the recorder
    /// what it left there.
    pub fn forward_edited(&self, ids: &[usize], edit: &mut dyn Probe) -> Result<Forward> {
        self.check_forward(0, ids)?; // before the recorder allocates
        let mut recorder = Recorder::new(self, 0, ids.len(), Rows::All);
        let logits = self.forward_with(ids, &mut self.new_cache(), &mut Chain(edit, &mut recorder), Rows::All)?;
        let probs = finite_softmax(logits)?;
        Ok(Forward { probs, attention: recorder.attention, hidden: recorder.hidden })
    }

    /// A trace kept for questions (`Kept`): the patterns or states and the
    /// output head's input, without computing every position's probabilities.
    pub fn forward_kept(&self, ids: &[usize]) -> Result<Kept> {
        self.forward_kept_edited(ids, &mut NoProbe)
    }

    /// `forward_kept` of `ids` [T] when `cache` already holds their first p
    /// positions and `prev` (a kept trace of at least p positions with the
    /// same first p ids) their patterns, states and head inputs: only
    /// positions p.. are computed (through `edit` too), the rest copied. The caller vouches that
    /// the cache and `prev` belong to ids[..p].
    pub fn forward_kept_after(&self, prev: Option<&Kept>, cache: &mut Cache, ids: &[usize], edit: &mut dyn Probe) -> Result<Kept> {
        let p = cache.len();
        let new = ids.get(p..).unwrap_or_default(); // [Tn]
        self.check_forward(p, new)?; // before the recorder allocates
        let prev = match prev {
            Some(prev) if p > 0 => Some(prev),
            None if p > 0 => return Err(Error::Config("a retrace needs the kept trace its cache belongs to".into())),
            _ => None,
        };
        let recorder = match prev {
            Some(prev) => Recorder::continuing(self, prev, p, new.len()),
            None => Recorder::new(self, 0, new.len(), Rows::All),
        };
        let mut recorder = recorder.keep_resid(self);
        // The last position's logits only (finite, or an error now); the others when asked.
        finite_softmax(self.forward_with(new, cache, &mut Chain(edit, &mut recorder), Rows::Last)?)?;
        let resid = recorder.resid.take().expect("the last layer ran and was recorded"); // [Tn, C]
        let resid = match prev {
            Some(prev) => concatenate![Axis(0), prev.resid.slice(s![..p, ..]), resid], // [T, C]
            None => resid,
        };
        Ok(Kept { attention: recorder.attention, hidden: recorder.hidden, resid })
    }

    /// `forward_kept` of the forward that `edit` changes (as `forward_edited`).
    pub fn forward_kept_edited(&self, ids: &[usize], edit: &mut dyn Probe) -> Result<Kept> {
        self.forward_kept_after(None, &mut self.new_cache(), ids, edit)
    }

    /// The output head: logits [R, V] of the last layer's output rows `x` [R, C]
    /// (the final norm, then the unembedding).
    pub fn unembed(&self, x: &Array2<f32>) -> Array2<f32> {
        match self {
            Model::Gpt(m) => m.unembed(x),
            Model::Llama(m) => m.unembed(x),
            Model::Rnn(m) => m.unembed(x),
        }
    }

    /// Next-token probabilities [R, V] after the kept positions whose head inputs are `x` [R, C].
    pub fn probs_of(&self, x: &Array2<f32>) -> Result<Array2<f32>> {
        finite_softmax(self.unembed(x))
    }

    /// Everything a forward of `ids` after `start` cached positions must
    /// pass before anything is allocated: the ids, then the memory budget.
    pub fn check_forward(&self, start: usize, ids: &[usize]) -> Result<()> {
        self.check_ids_from(start, ids)?;
        crate::budget::check_forward(self, start, ids.len())
    }

    pub fn check_ids(&self, ids: &[usize]) -> Result<()> {
        self.check_ids_from(0, ids)
    }

    /// Checks `ids` placed at positions start..: non-empty, within the
    /// maximum length, every id in the vocabulary (positions as in the text).
    pub fn check_ids_from(&self, start: usize, ids: &[usize]) -> Result<()> {
        if ids.is_empty() {
            return Err(Error::Empty);
        }
        let len = start.saturating_add(ids.len());
        if len > self.max_len() {
            return Err(Error::TooLong { len, max: self.max_len() });
        }
        let vocab_size = self.vocab_size();
        match ids.iter().position(|&id| id >= vocab_size) {
            Some(pos) => Err(Error::IdOutOfRange { id: ids[pos], pos: start + pos, vocab_size }),
            None => Ok(()),
        }
    }

    /// Every parameter under its upstream (PyTorch / Hugging Face) name.
    pub fn named_tensors(&self) -> Vec<NamedTensor> {
        match self {
            Model::Gpt(m) => m.named_tensors(),
            Model::Llama(m) => m.named_tensors(),
            Model::Rnn(m) => m.named_tensors(),
        }
    }

    /// Every parameter under its upstream name, in file order, as stored
    /// (a Llama's weights may be half precision): what a file is written from.
    pub fn tensors(&self) -> Vec<(String, crate::weight::TensorRef<'_>)> {
        match self {
            Model::Gpt(m) => m.params().into_iter().map(|(n, a)| (n, a.into())).collect(),
            Model::Llama(m) => m.tensors(),
            Model::Rnn(m) => m.params().into_iter().map(|(n, a)| (n, a.into())).collect(),
        }
    }

    /// Every parameter of a trainable model (GPT, RNN) under its upstream
    /// name, in file order, as f32: what training and gradients walk.
    /// Llama-family models are not trained (their weights: `tensors()`).
    pub fn params(&self) -> Vec<(String, ndarray::ArrayViewD<'_, f32>)> {
        match self {
            Model::Gpt(m) => m.params(),
            Model::Llama(_) => unreachable!("training builds GPT and RNN models only"),
            Model::Rnn(m) => m.params(),
        }
    }

    pub fn params_mut(&mut self) -> Vec<(String, ndarray::ArrayViewMutD<'_, f32>)> {
        match self {
            Model::Gpt(m) => m.params_mut(),
            Model::Llama(_) => unreachable!("training builds GPT and RNN models only"),
            Model::Rnn(m) => m.params_mut(),
        }
    }

    /// A model of the same shape with every parameter zero: a gradient buffer.
    pub fn zeros_like(&self) -> Self {
        let mut zeros = self.clone();
        zeros.params_mut().into_iter().for_each(|(_, mut a)| a.fill(0.0));
        zeros
    }

    pub fn num_params(&self) -> usize {
        self.tensors().iter().map(|(_, a)| a.len()).sum() // views: no copy of the model
    }

    /// Builds a model of `arch` from `config` (already completed) and tensors.
    pub fn from_tensors(arch: Arch, config: &serde_json::Value, tensors: &Tensors) -> Result<Self> {
        Ok(match arch {
            Arch::Gpt2 => {
                let config: GptConfig = parse_config(config)?;
                config.validate()?;
                Model::Gpt(Gpt::from_tensors(config, tensors)?)
            }
            Arch::Llama => {
                let config: LlamaConfig = parse_config(config)?;
                config.validate()?;
                Model::Llama(Llama::from_tensors(config, tensors)?)
            }
            Arch::Rnn => {
                let config: RnnConfig = parse_config(config)?;
                config.validate()?;
                Model::Rnn(Rnn::from_tensors(config, tensors)?)
            }
        })
    }
}

/// Softmax of logits [T, V]; weights so large the result is not finite are an error.
pub fn finite_softmax(logits: Array2<f32>) -> Result<Array2<f32>> {
    let probs = softmax_rows(logits);
    if probs.iter().any(|p| !p.is_finite()) {
        return Err(Error::Overflow("probs".into()));
    }
    Ok(probs)
}

fn parse_config<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Result<T> {
    serde_json::from_value(value.clone()).map_err(|e| Error::Config(e.to_string()))
}
