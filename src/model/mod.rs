//! The two model families and the one forward entry point every caller uses.

pub mod gpt;
pub mod rnn;

use ndarray::{Array2, Array3, Array4};
use serde::{Deserialize, Serialize};

use crate::checkpoint::{NamedTensor, Tensors};
use crate::error::{Error, Result};
pub use gpt::{Gpt, GptConfig};
pub use rnn::{Nonlinearity, Rnn, RnnConfig};

/// Longest sequence an RNN is traced over: it has no position table, but the
/// trace grows with T x V and the page must stay responsive.
pub const RNN_MAX_TOKENS: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Arch {
    Gpt2,
    Rnn,
}

impl Arch {
    pub fn name(self) -> &'static str {
        match self {
            Arch::Gpt2 => "gpt2",
            Arch::Rnn => "rnn",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "gpt2" => Ok(Arch::Gpt2),
            "rnn" => Ok(Arch::Rnn),
            other => Err(Error::Config(format!("arch {other:?} is unknown (expected \"gpt2\" or \"rnn\")"))),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Model {
    Gpt(Gpt),
    Rnn(Rnn),
}

/// Everything one forward pass records, before tokens are attached.
pub struct Forward {
    pub probs: Array2<f32>,             // [T, V]
    pub attention: Option<Array4<f32>>, // [L, H, T, T] for a GPT
    pub hidden: Option<Array3<f32>>,    // [L, T, H] for an RNN
}

impl Model {
    pub fn arch(&self) -> Arch {
        match self {
            Model::Gpt(_) => Arch::Gpt2,
            Model::Rnn(_) => Arch::Rnn,
        }
    }

    pub fn vocab_size(&self) -> usize {
        match self {
            Model::Gpt(m) => m.config.vocab_size,
            Model::Rnn(m) => m.config.vocab_size,
        }
    }

    /// The longest sequence the model accepts.
    pub fn max_len(&self) -> usize {
        match self {
            Model::Gpt(m) => m.config.n_positions,
            Model::Rnn(_) => RNN_MAX_TOKENS,
        }
    }

    /// The config as the JSON object stored in checkpoint metadata.
    pub fn config_json(&self) -> serde_json::Value {
        let value = match self {
            Model::Gpt(m) => serde_json::to_value(&m.config),
            Model::Rnn(m) => serde_json::to_value(&m.config),
        };
        value.expect("configs are plain structs")
    }

    /// Checks the ids and the memory the trace needs, then runs the model.
    /// The only way in, so no model code ever sees an empty, too long or
    /// out-of-range sequence, nor one whose trace would not fit in memory.
    pub fn forward(&self, ids: &[usize]) -> Result<Forward> {
        self.check_ids(ids)?;
        crate::budget::check_trace(self, ids.len())?;
        let out = match self {
            Model::Gpt(m) => {
                let out = m.forward(ids);
                Forward { probs: out.probs, attention: Some(out.attention), hidden: None }
            }
            Model::Rnn(m) => {
                let out = m.forward(ids);
                Forward { probs: out.probs, attention: None, hidden: Some(out.hidden) }
            }
        };
        if out.probs.iter().any(|p| !p.is_finite()) {
            return Err(Error::Overflow("probs".into()));
        }
        Ok(out)
    }

    pub fn check_ids(&self, ids: &[usize]) -> Result<()> {
        if ids.is_empty() {
            return Err(Error::Empty);
        }
        if ids.len() > self.max_len() {
            return Err(Error::TooLong { len: ids.len(), max: self.max_len() });
        }
        let vocab_size = self.vocab_size();
        match ids.iter().position(|&id| id >= vocab_size) {
            Some(pos) => Err(Error::IdOutOfRange { id: ids[pos], pos, vocab_size }),
            None => Ok(()),
        }
    }

    /// Every parameter under its upstream (PyTorch / Hugging Face) name.
    pub fn named_tensors(&self) -> Vec<NamedTensor> {
        match self {
            Model::Gpt(m) => m.named_tensors(),
            Model::Rnn(m) => m.named_tensors(),
        }
    }

    /// Every parameter under its upstream name, in file order.
    pub fn params(&self) -> Vec<(String, ndarray::ArrayViewD<'_, f32>)> {
        match self {
            Model::Gpt(m) => m.params(),
            Model::Rnn(m) => m.params(),
        }
    }

    pub fn params_mut(&mut self) -> Vec<(String, ndarray::ArrayViewMutD<'_, f32>)> {
        match self {
            Model::Gpt(m) => m.params_mut(),
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
        self.named_tensors().iter().map(|t| t.data.len()).sum()
    }

    /// Builds a model of `arch` from `config` (already completed) and tensors.
    pub fn from_tensors(arch: Arch, config: &serde_json::Value, tensors: &Tensors) -> Result<Self> {
        Ok(match arch {
            Arch::Gpt2 => {
                let config: GptConfig = parse_config(config)?;
                config.validate()?;
                Model::Gpt(Gpt::from_tensors(config, tensors)?)
            }
            Arch::Rnn => {
                let config: RnnConfig = parse_config(config)?;
                config.validate()?;
                Model::Rnn(Rnn::from_tensors(config, tensors)?)
            }
        })
    }
}

fn parse_config<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Result<T> {
    serde_json::from_value(value.clone()).map_err(|e| Error::Config(e.to_string()))
}
