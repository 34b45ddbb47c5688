//! Seeded, untrained models with PyTorch's default initialisation, so the page
//! has models to show before any training: the same seed gives the same bytes.
//!
//! - GPT-2 (Hugging Face `_init_weights`): Linear/Conv1D and embeddings
//!   N(0, 0.02), biases 0, LayerNorm 1 / 0, and the residual projections
//!   (`c_proj`) N(0, 0.02 / sqrt(2 L)).
//! - RNN: `nn.Embedding` N(0, 1); `nn.RNN` every tensor U(-1/sqrt(H), 1/sqrt(H));
//!   `nn.Linear` weight and bias U(-1/sqrt(in), 1/sqrt(in)).

use ndarray::{Array, Array1, Array2, Dimension, ShapeBuilder};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal, Uniform};

use crate::error::{Error, Result};
use crate::model::gpt::Block;
use crate::model::rnn::RnnLayer;
use crate::model::{Arch, Gpt, GptConfig, Model, Nonlinearity, Rnn, RnnConfig};

struct Init {
    rng: ChaCha8Rng,
}

impl Init {
    fn normal<D: Dimension>(&mut self, shape: impl ShapeBuilder<Dim = D>, std: f32) -> Array<f32, D> {
        let dist = Normal::new(0.0, std).expect("std is positive");
        Array::from_shape_simple_fn(shape, || dist.sample(&mut self.rng))
    }

    fn uniform<D: Dimension>(&mut self, shape: impl ShapeBuilder<Dim = D>, bound: f32) -> Array<f32, D> {
        let dist = Uniform::new_inclusive(-bound, bound).expect("bound is finite");
        Array::from_shape_simple_fn(shape, || self.rng.sample(dist))
    }
}

pub fn init_gpt(config: GptConfig, seed: u64) -> Result<Model> {
    config.validate()?;
    crate::budget::check_model(config.num_params())?;
    let mut init = Init { rng: ChaCha8Rng::seed_from_u64(seed) };
    let c = config.n_embd;
    let proj_std = 0.02 / (2.0 * config.n_layer as f32).sqrt();
    let blocks = (0..config.n_layer)
        .map(|_| Block {
            ln_1_w: Array1::ones(c),
            ln_1_b: Array1::zeros(c),
            c_attn_w: init.normal((c, 3 * c), 0.02),
            c_attn_b: Array1::zeros(3 * c),
            attn_proj_w: init.normal((c, c), proj_std),
            attn_proj_b: Array1::zeros(c),
            ln_2_w: Array1::ones(c),
            ln_2_b: Array1::zeros(c),
            c_fc_w: init.normal((c, 4 * c), 0.02),
            c_fc_b: Array1::zeros(4 * c),
            mlp_proj_w: init.normal((4 * c, c), proj_std),
            mlp_proj_b: Array1::zeros(c),
        })
        .collect();
    Ok(Model::Gpt(Gpt {
        wte: init.normal((config.vocab_size, c), 0.02),
        wpe: init.normal((config.n_positions, c), 0.02),
        blocks,
        ln_f_w: Array1::ones(c),
        ln_f_b: Array1::zeros(c),
        lm_head: None,
        config,
    }))
}

pub fn init_rnn(config: RnnConfig, seed: u64) -> Result<Model> {
    config.validate()?;
    crate::budget::check_model(config.num_params())?;
    let mut init = Init { rng: ChaCha8Rng::seed_from_u64(seed) };
    let (v, e, h) = (config.vocab_size, config.embed_dim, config.hidden_size);
    let embed: Array2<f32> = init.normal((v, e), 1.0);
    let bound = 1.0 / (h as f32).sqrt();
    let layers = (0..config.num_layers)
        .map(|k| RnnLayer {
            w_ih: init.uniform((h, if k == 0 { e } else { h }), bound),
            w_hh: init.uniform((h, h), bound),
            b_ih: init.uniform(h, bound),
            b_hh: init.uniform(h, bound),
        })
        .collect();
    Ok(Model::Rnn(Rnn {
        embed,
        layers,
        head_w: init.uniform((v, h), bound),
        head_b: init.uniform(v, bound),
        config,
    }))
}

/// Architecture and sizes of a model to create; the vocabulary comes from
/// elsewhere (a task or a text). Fields of the other architecture are ignored.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ModelSizes {
    pub arch: String,
    pub n_layer: usize,
    pub n_head: usize,
    pub n_embd: usize,
    /// gpt2: longest sequence; by default the caller's (a task's longest example).
    pub n_positions: Option<usize>,
    pub embed_dim: usize,
    pub hidden_size: usize,
    pub num_layers: usize,
    pub nonlinearity: String,
}

impl Default for ModelSizes {
    fn default() -> Self {
        Self {
            arch: "gpt2".into(),
            n_layer: 2,
            n_head: 4,
            n_embd: 64,
            n_positions: None,
            embed_dim: 32,
            hidden_size: 64,
            num_layers: 1,
            nonlinearity: "tanh".into(),
        }
    }
}

impl ModelSizes {
    /// A seeded, untrained model of these sizes over `vocab_size` tokens.
    pub fn build(&self, vocab_size: usize, default_positions: usize, seed: u64) -> Result<Model> {
        match Arch::parse(&self.arch)? {
            Arch::Gpt2 => init_gpt(
                GptConfig {
                    n_layer: self.n_layer,
                    n_head: self.n_head,
                    n_embd: self.n_embd,
                    n_positions: self.n_positions.unwrap_or(default_positions),
                    vocab_size,
                    layer_norm_epsilon: 1e-5,
                },
                seed,
            ),
            Arch::Llama => Err(Error::Config("init and train build gpt2 and rnn models only".into())),
            Arch::Rnn => {
                let nonlinearity = match self.nonlinearity.as_str() {
                    "tanh" => Nonlinearity::Tanh,
                    "relu" => Nonlinearity::Relu,
                    other => return Err(Error::Config(format!("nonlinearity {other:?} is unknown (tanh or relu)"))),
                };
                let config = RnnConfig {
                    vocab_size,
                    embed_dim: self.embed_dim,
                    hidden_size: self.hidden_size,
                    num_layers: self.num_layers,
                    nonlinearity,
                };
                init_rnn(config, seed)
            }
        }
    }
}
