//! Seeded, untrained models with PyTorch's default initialisation, so the page
//! has models to show before any training: the same seed gives the same bytes.
//!
//! - GPT-2 (Hugging Face `_init_weights`): Linear/Conv1D and embeddings
//!   N(0, 0.02), biases 0, LayerNorm 1 / 0, and the residual projections
//!   (`c_proj`) N(0, 0.02 / sqrt(2 L)).
//! - RNN: `nn.Embedding` N(0, 1); `nn.RNN` every tensor U(-1/sqrt(H), 1/sqrt(H));
//!   `nn.Linear` weight and bias U(-1/sqrt(in), 1/sqrt(in)).
//! - Llama / Qwen2 (Hugging Face `_init_weights`), from a Hub config.json:
//!   every Linear and the embeddings N(0, initializer_range), biases 0,
//!   RMSNorm weights 1.

use ndarray::{Array, Array1, Array2, Dimension, ShapeBuilder};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal, Uniform};

use crate::error::{Error, Result};
use crate::model::gpt::Block;
use crate::model::rnn::RnnLayer;
use crate::model::llama::LlamaLayer;
use crate::model::{Arch, Gpt, GptConfig, Llama, LlamaConfig, Model, Nonlinearity, Rnn, RnnConfig};

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

/// Which attention projections of a Llama-family model carry biases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LlamaBiases {
    /// q, k and v (Qwen2 always; Llama with `attention_bias`).
    pub qkv: bool,
    /// o (Llama with `attention_bias`; never Qwen2).
    pub o: bool,
}

/// Parameters of a Llama-family model of `config` with `biases`, before anything is allocated.
pub fn llama_params(config: &LlamaConfig, biases: LlamaBiases) -> u128 {
    let o = if biases.o { (config.num_hidden_layers * config.hidden_size) as u128 } else { 0 };
    config.num_params(biases.qkv) + o
}

/// A seeded, untrained Llama-family model: Linear weights and embeddings
/// N(0, `std`), biases 0, RMSNorm weights 1, drawn in file order. Checked
/// against the memory budget before anything is allocated.
pub fn init_llama(config: LlamaConfig, biases: LlamaBiases, std: f32, seed: u64) -> Result<Model> {
    config.validate()?;
    Error::check_range("initializer_range", std as f64, 1e-12, 1e3)?;
    crate::budget::check_model(llama_params(&config, biases))?;
    let mut init = Init { rng: ChaCha8Rng::seed_from_u64(seed) };
    let (v, c, i) = (config.vocab_size, config.hidden_size, config.intermediate_size);
    let (qd, kvd) = (config.num_attention_heads * config.head_dim, config.num_key_value_heads * config.head_dim);
    let bias = |on: bool, len: usize| on.then(|| Array1::zeros(len));
    let embed_tokens = init.normal((v, c), std).into();
    let layers = (0..config.num_hidden_layers)
        .map(|_| LlamaLayer {
            input_norm: Array1::ones(c),
            q_proj: init.normal((qd, c), std).into(),
            k_proj: init.normal((kvd, c), std).into(),
            v_proj: init.normal((kvd, c), std).into(),
            q_bias: bias(biases.qkv, qd),
            k_bias: bias(biases.qkv, kvd),
            v_bias: bias(biases.qkv, kvd),
            o_proj: init.normal((c, qd), std).into(),
            o_bias: bias(biases.o, c),
            post_norm: Array1::ones(c),
            gate_proj: init.normal((i, c), std).into(),
            up_proj: init.normal((i, c), std).into(),
            down_proj: init.normal((c, i), std).into(),
        })
        .collect();
    let lm_head = (!config.tie_word_embeddings).then(|| init.normal((v, c), std).into());
    Ok(Model::Llama(Llama { embed_tokens, layers, norm: Array1::ones(c), lm_head, config }))
}

/// A seeded, untrained model from the text of a Hugging Face config.json of
/// `LlamaForCausalLM` or `Qwen2ForCausalLM`, read as the loader reads it
/// (the same defaults, the same options refused), so the folder it is saved
/// in (`Checkpoint::save_hub_folder` with this config) loads as this model.
/// Qwen2 has q/k/v biases; a Llama has q/k/v/o biases with `attention_bias`.
pub fn init_hub(config_json: &str, seed: u64) -> Result<Model> {
    use serde_json::Value;
    let mut config = crate::checkpoint::parse_json_object(config_json, "config.json")?;
    match crate::checkpoint::arch_from_config(&config)? {
        Some(Arch::Llama) => {}
        Some(other) => {
            return Err(Error::Config(format!(
                "init --config makes LlamaForCausalLM and Qwen2ForCausalLM models; for {} give --arch and its sizes",
                other.name()
            )))
        }
        None => return Err(Error::Config("config.json names no architecture (`architectures` or `model_type`)".into())),
    }
    for key in ["vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "max_position_embeddings"] {
        if config.get(key).and_then(Value::as_u64).is_none() {
            return Err(Error::Config(format!("config.json gives no {key} (a whole number): a new model needs it")));
        }
    }
    let qwen2 = config.get("architectures").and_then(|a| a.get(0)).and_then(Value::as_str) == Some("Qwen2ForCausalLM")
        || config.get("model_type").and_then(Value::as_str) == Some("qwen2");
    let attention_bias = config.get("attention_bias").and_then(Value::as_bool).unwrap_or(false);
    let biases = LlamaBiases { qkv: qwen2 || attention_bias, o: !qwen2 && attention_bias };
    let std = config.get("initializer_range").and_then(Value::as_f64).unwrap_or(0.02);
    let hidden = config["hidden_size"].as_u64().expect("checked above");
    crate::checkpoint::complete_llama_options(&mut config, hidden, false)?;
    let config: LlamaConfig = serde_json::from_value(Value::Object(config)).map_err(|e| Error::Config(format!("config.json: {e}")))?;
    init_llama(config, biases, std as f32, seed)
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
