//! Checkpoints: safetensors files, f32, upstream tensor names (see DESIGN.md).
//!
//! Reads our own files, Hugging Face `save_pretrained` output (`transformer.`
//! prefix, config.json beside), the original GPT-2 layout (mask buffers
//! stored, which are ignored) and PyTorch state_dicts of embed/rnn/head.
//! Config comes from the `config` metadata, else a config.json; every field
//! the tensor shapes determine is inferred and checked against it.

use std::collections::BTreeMap;
use std::path::Path;
use std::rc::Rc;

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::model::{Arch, Cache, Forward, Kept, Model};
use crate::tokenizer::Tokenizer;
use crate::trace::{KeptTrace, Trace};

/// Metadata keys the format itself uses; every other key is free text we keep.
const RESERVED_KEYS: [&str; 3] = ["arch", "config", "vocab"];
const HF_PREFIX: &str = "transformer.";

pub use crate::tensors::{write_safetensors, NamedTensor, Source, SliceSource, Tensors};
use crate::tokenizer::TokenizerFiles;

/// A model with its vocabulary (if any) and free metadata (title, description ...).
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    pub model: Model,
    pub tokenizer: Option<Tokenizer>,
    pub metadata: BTreeMap<String, String>,
}

impl Checkpoint {
    /// Parses a safetensors file in memory; `config_json` is the text of a
    /// config.json, used when the file has no `config` metadata.
    pub fn from_bytes(bytes: &[u8], config_json: Option<&str>) -> Result<Self> {
        Self::load(&mut SliceSource(bytes), config_json, &TokenizerFiles::default())
    }

    /// Reads a safetensors file from `source`: the header first (checked),
    /// then the config, then the memory the weights need against the
    /// budget, and only then each tensor, straight into its place. The
    /// tokenizer is the file's own vocabulary (`vocab` metadata) or the Hub
    /// folder's tokenizer files, read before any weight.
    pub fn load(source: &mut dyn Source, config_json: Option<&str>, tokenizer_files: &TokenizerFiles) -> Result<Self> {
        let tensors = Tensors::open(source, HF_PREFIX)?;
        let meta = tensors.metadata().clone();
        let given = match (meta.get("config"), config_json) {
            (Some(text), _) => Some(parse_json_object(text, "the `config` metadata")?),
            (None, Some(text)) => Some(parse_json_object(text, "config.json")?),
            (None, None) => None,
        };
        let arch = match (meta.get("arch"), given.as_ref().map(arch_from_config).transpose()?.flatten()) {
            (Some(a), _) => Arch::parse(a)?,
            (None, Some(arch)) => arch,
            (None, None) => infer_arch(&tensors)?,
        };
        let config = complete_config(arch, given, &tensors)?;
        let hub_tokenizer = match (meta.contains_key("vocab"), tokenizer_files.is_empty()) {
            (false, false) => Some(Tokenizer::from_files(tokenizer_files)?),
            _ => None,
        };
        crate::budget::check_model(model_values(arch, &tensors))?;
        let model = Model::from_tensors(arch, &config, &tensors)?;
        let tokenizer = match (meta.get("vocab"), hub_tokenizer) {
            (Some(text), _) => Some(parse_vocab(text, model.vocab_size())?),
            (None, Some(tok)) if tok.vocab_size() > model.vocab_size() => {
                return Err(Error::Tokenizer(format!(
                    "the tokenizer has {} tokens but the model only {}: they do not belong together",
                    tok.vocab_size(),
                    model.vocab_size()
                )))
            }
            (None, tok) => tok,
        };
        let metadata = meta.into_iter().filter(|(k, _)| !RESERVED_KEYS.contains(&k.as_str())).collect();
        Ok(Self { model, tokenizer, metadata })
    }

    /// Reads a model file, or a Hub folder (its `model.safetensors`), tensor
    /// by tensor. The config comes from `config_path` if given, else from a
    /// `config.json` beside the file; the tokenizer from `tokenizer.json`, or
    /// `vocab.json` + `merges.txt`, beside it (a file's own vocabulary wins).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn open(path: &Path, config_path: Option<&Path>) -> Result<Self> {
        let file = if path.is_dir() { model_in_folder(path)? } else { path.to_path_buf() };
        let mut source = crate::tensors::FileSource::open(&file)?;
        let beside = |name: &str| Some(file.with_file_name(name)).filter(|p| p.is_file());
        let read = |p: Option<std::path::PathBuf>| p.map(|p| read_text_bounded(&p, MAX_TEXT_FILE_BYTES)).transpose();
        let config = match config_path {
            Some(p) => Some(read_text_bounded(p, MAX_TEXT_FILE_BYTES)?),
            None => read(beside("config.json"))?,
        };
        let tokenizer_json = read(beside("tokenizer.json"))?;
        let tokenizer_files = match tokenizer_json {
            Some(json) => TokenizerFiles { tokenizer_json: Some(json), ..Default::default() },
            None => TokenizerFiles { tokenizer_json: None, vocab_json: read(beside("vocab.json"))?, merges_txt: read(beside("merges.txt"))? },
        };
        Self::load(&mut source, config.as_deref(), &tokenizer_files)
    }

    /// Our format: upstream names plus `arch`, `config`, `vocab` and free
    /// metadata; each tensor in the dtype it is kept in (f32, or a Llama's
    /// F16 / BF16 weights as its file had them). The same checkpoint always
    /// gives the same bytes, those `save` writes.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        crate::tensors::write_safetensors_to(&mut out, &self.model.tensors(), &self.file_metadata(), None).expect("writing into a Vec cannot fail");
        Ok(out)
    }

    /// The `__metadata__` of our format.
    fn file_metadata(&self) -> BTreeMap<String, String> {
        let mut meta = self.metadata.clone();
        meta.insert("arch".into(), self.model.arch().name().into());
        meta.insert("config".into(), self.model.config_json().to_string());
        if let Some(tok) = &self.tokenizer {
            if let Some(vocab) = tok.vocab() {
                meta.insert("vocab".into(), serde_json::to_string(vocab).expect("strings serialize"));
            }
        }
        meta
    }

    /// Writes `to_bytes()` to `path`, streamed from the weights (no copy of the model).
    pub fn save(&self, path: &Path) -> Result<()> {
        write_file(path, &self.model.tensors(), &self.file_metadata(), None)
    }

    /// Writes a Hugging Face folder as `save_pretrained` lays it out:
    /// `dir/model.safetensors` (upstream names; each tensor as stored, or all
    /// in the half precision `cast` (as `torch_dtype=torch.bfloat16` saves);
    /// metadata `format: pt` and the free metadata; no `arch` / `config` /
    /// `vocab`, so the config comes from beside it) and `dir/config.json` =
    /// `config_json` as given. The caller makes sure the config describes
    /// this model.
    pub fn save_hub_folder(&self, dir: &Path, config_json: &str, cast: Option<crate::weight::Half>) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| Error::Io(format!("cannot create {}: {e}", dir.display())))?;
        let mut meta = self.metadata.clone();
        meta.retain(|k, _| !RESERVED_KEYS.contains(&k.as_str()));
        meta.insert("format".into(), "pt".into());
        write_file(&dir.join("model.safetensors"), &self.model.tensors(), &meta, cast)?;
        let config = dir.join("config.json");
        std::fs::write(&config, config_json).map_err(|e| Error::Io(format!("cannot write {}: {e}", config.display())))
    }

    pub fn encode(&self, text: &str) -> Result<Vec<usize>> {
        match &self.tokenizer {
            Some(tok) => tok.encode(text),
            None => Err(Error::Config("this model has no vocabulary: trace it by ids".into())),
        }
    }

    /// Display strings of ids: vocabulary tokens, or the ids themselves.
    pub fn token_strings(&self, ids: &[usize]) -> Vec<String> {
        ids.iter()
            .map(|&id| match &self.tokenizer {
                Some(tok) => tok.token(id),
                None => id.to_string(),
            })
            .collect()
    }

    pub fn trace_text(&self, text: &str) -> Result<Trace> {
        self.trace_ids(&self.encode(text)?)
    }

    pub fn trace_ids(&self, ids: &[usize]) -> Result<Trace> {
        let Forward { probs, attention, hidden } = self.model.forward(ids)?;
        Ok(Trace { arch: self.model.arch(), ids: ids.to_vec(), tokens: self.token_strings(ids), token_bytes: self.token_bytes(ids), probs, attention, hidden })
    }

    /// Each token's UTF-8 bytes (an id's digits without a tokenizer).
    fn token_bytes(&self, ids: &[usize]) -> Vec<Vec<u8>> {
        ids.iter().map(|&id| self.tokenizer.as_ref().map_or_else(|| id.to_string().into_bytes(), |t| t.token_bytes(id))).collect()
    }

    /// A trace kept to answer questions: probabilities come a position at a time (`probs_at`).
    pub fn keep_trace_ids(&self, ids: &[usize]) -> Result<KeptTrace> {
        let kept = self.model.forward_kept(ids)?;
        Ok(KeptTrace { arch: self.model.arch(), ids: ids.to_vec(), tokens: self.token_strings(ids), token_bytes: self.token_bytes(ids), kept })
    }

    /// `keep_trace_ids`, reusing `last`: the positions before the first id
    /// that differs from its trace's (at most all but the last) are copied,
    /// with their KV cache or states, and only the rest is computed; so one
    /// more word typed at the end costs a word's forward, not the text's.
    /// `last` becomes this trace's state (None after an error, or when its
    /// cache is too big to keep). -> the trace, and how many positions it reused.
    pub fn retrace_ids(&self, last: &mut Option<Retrace>, ids: &[usize]) -> Result<(Rc<KeptTrace>, usize)> {
        let same = last.as_ref().map_or(0, |r| r.trace.ids.iter().zip(ids).take_while(|(a, b)| a == b).count());
        let same = same.min(ids.len().saturating_sub(1));
        let (mut cache, prev) = match last.take() {
            Some(Retrace { mut cache, trace }) if same > 0 => {
                cache.truncate(same);
                (cache, Some(trace))
            }
            // Nothing to reuse: the old trace goes first, so two never share the memory.
            _ => (self.model.new_cache(), None),
        };
        let kept = self.model.forward_kept_after(prev.as_ref().map(|t| &t.kept), &mut cache, ids, &mut crate::model::NoProbe)?;
        drop(prev);
        let trace = Rc::new(KeptTrace { arch: self.model.arch(), ids: ids.to_vec(), tokens: self.token_strings(ids), token_bytes: self.token_bytes(ids), kept });
        // The cache stays for the next keystroke while it is small beside the memory budget
        // (GPT-2 small: up to about 300 tokens at the default budget); a longer text retraces whole.
        if cache.bytes() as u64 <= crate::budget::limit() / RETRACE_CACHE_SHARE {
            *last = Some(Retrace { cache, trace: Rc::clone(&trace) });
        }
        Ok((trace, same))
    }

    /// A kept trace of the model with `heads` (layer, head; from 0) ablated
    /// (`interp::ablation`): every view of it shows the changed forward.
    pub fn keep_trace_ablated(&self, ids: &[usize], heads: &[(usize, usize)], mode: crate::interp::Ablation) -> Result<KeptTrace> {
        crate::interp::check_heads(&self.model, heads, "head ablation")?;
        let kept = self.model.forward_kept_edited(ids, &mut crate::interp::ablation(heads, mode))?;
        Ok(KeptTrace { arch: self.model.arch(), ids: ids.to_vec(), tokens: self.token_strings(ids), token_bytes: self.token_bytes(ids), kept })
    }

    pub fn keep_trace_text(&self, text: &str) -> Result<KeptTrace> {
        self.keep_trace_ids(&self.encode(text)?)
    }

    /// The next-token distribution after position `t` of a kept trace: [V].
    pub fn probs_at(&self, trace: &KeptTrace, t: usize) -> Result<ndarray::Array1<f32>> {
        let x = trace.kept.resid.slice(ndarray::s![t..t + 1, ..]).to_owned(); // [1, C]
        Ok(self.model.probs_of(&x)?.remove_axis(ndarray::Axis(0)))
    }

    /// The whole trace of a kept one (every position's probabilities computed).
    pub fn whole_trace(&self, trace: &KeptTrace) -> Result<Trace> {
        let Kept { attention, hidden, resid } = &trace.kept;
        Ok(Trace {
            arch: trace.arch,
            ids: trace.ids.clone(),
            tokens: trace.tokens.clone(),
            token_bytes: trace.token_bytes.clone(),
            probs: self.model.probs_of(resid)?,
            attention: attention.clone(),
            hidden: hidden.clone(),
        })
    }
}

/// The largest KV cache a model keeps between traces: this share of the memory budget.
const RETRACE_CACHE_SHARE: u64 = 64;

/// What a trace leaves for the next one of the same model (`retrace_ids`):
/// the trace and the forward's cache after it.
pub struct Retrace {
    cache: Cache,
    trace: Rc<KeptTrace>,
}

/// safetensors of `tensors` and `metadata` written to `path` through a buffer.
fn write_file(path: &Path, tensors: &[(String, crate::weight::TensorRef<'_>)], metadata: &BTreeMap<String, String>, cast: Option<crate::weight::Half>) -> Result<()> {
    use std::io::Write;
    let cannot = |e: std::io::Error| Error::Io(format!("cannot write {}: {e}", path.display()));
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).map_err(cannot)?);
    crate::tensors::write_safetensors_to(&mut out, tensors, metadata, cast).map_err(cannot)?;
    out.flush().map_err(cannot)
}

/// The largest config or tokenizer file read (Qwen2's tokenizer.json is 7 MB).
pub const MAX_TEXT_FILE_BYTES: u64 = 100_000_000;

/// The weights of a Hub folder: `model.safetensors`, else its only `.safetensors`.
#[cfg(not(target_arch = "wasm32"))]
fn model_in_folder(dir: &Path) -> Result<std::path::PathBuf> {
    let named = dir.join("model.safetensors");
    if named.is_file() {
        return Ok(named);
    }
    if dir.join("model.safetensors.index.json").is_file() {
        return Err(Error::Config(format!(
            "{} holds a sharded checkpoint (model.safetensors.index.json): not supported yet, merge the shards into one model.safetensors",
            dir.display()
        )));
    }
    let cannot = |e: std::io::Error| Error::Io(format!("cannot read {}: {e}", dir.display()));
    let found: Vec<_> = std::fs::read_dir(dir)
        .map_err(cannot)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "safetensors"))
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(Error::Io(format!("{} holds no .safetensors file", dir.display()))),
        _ => Err(Error::Io(format!("{} holds several .safetensors files: name one", dir.display()))),
    }
}

/// The bytes of `path` if it holds at most `max` (None if more): never
/// reads past `max + 1`, so a file without end is no endless read.
pub fn read_bounded(path: &Path, max: u64) -> Result<Option<Vec<u8>>> {
    use std::io::Read;
    let cannot = |e: std::io::Error| Error::Io(format!("cannot read {}: {e}", path.display()));
    let mut bytes = Vec::new();
    std::fs::File::open(path).and_then(|f| f.take(max.saturating_add(1)).read_to_end(&mut bytes)).map_err(cannot)?;
    Ok((bytes.len() as u64 <= max).then_some(bytes))
}

/// `read_bounded` for UTF-8 text; more than `max` bytes is an `Io` error naming the limit.
pub fn read_text_bounded(path: &Path, max: u64) -> Result<String> {
    let too_big = || Error::Io(format!("cannot read {}: it is larger than {}", path.display(), crate::error::human_bytes(max)));
    let bytes = read_bounded(path, max)?.ok_or_else(too_big)?;
    String::from_utf8(bytes).map_err(|e| Error::Io(format!("cannot read {}: not UTF-8 text ({e})", path.display())))
}

/// The memory the model's weights will take, in f32 values (what the budget
/// counts): a Llama keeps its F16 / BF16 matrices at 2 bytes a value, half
/// an f32 each (`Tensors::weight`); everything else is widened to f32.
fn model_values(arch: Arch, tensors: &Tensors) -> u128 {
    let all = tensors.elements(|name| !is_buffer(name));
    let half = match arch {
        Arch::Llama => tensors.elements(|name| tensors.half(name).is_some() && tensors.shape(name).is_ok_and(|s| s.len() == 2)),
        Arch::Gpt2 | Arch::Rnn => 0,
    };
    all - half + half.div_ceil(2)
}

/// Buffers some files store beside the weights (GPT-2's causal masks): never read.
fn is_buffer(name: &str) -> bool {
    name.ends_with(".attn.bias") || name.ends_with(".attn.masked_bias")
}

/// Hugging Face architectures this core runs, and the family each is.
pub const SUPPORTED_ARCHITECTURES: [(&str, Arch); 3] =
    [("GPT2LMHeadModel", Arch::Gpt2), ("LlamaForCausalLM", Arch::Llama), ("Qwen2ForCausalLM", Arch::Llama)];

/// The family a config.json names (`architectures`, else `model_type`);
/// a name we do not run is an error listing the ones we do.
pub(crate) fn arch_from_config(config: &Map<String, Value>) -> Result<Option<Arch>> {
    let named = config.get("architectures").and_then(|a| a.get(0)).and_then(Value::as_str);
    let model_type = config.get("model_type").and_then(Value::as_str);
    let by_type = |t: &str| match t {
        "gpt2" => Some(Arch::Gpt2),
        "llama" | "qwen2" => Some(Arch::Llama),
        _ => None,
    };
    match (named, model_type) {
        (Some(name), _) => match SUPPORTED_ARCHITECTURES.iter().find(|(n, _)| *n == name) {
            Some((_, arch)) => Ok(Some(*arch)),
            None => Err(Error::Unsupported {
                field: "architectures".into(),
                value: name.into(),
                why: format!("supported: {}", SUPPORTED_ARCHITECTURES.map(|(n, _)| n).join(", ")),
            }),
        },
        (None, Some(t)) => match by_type(t) {
            Some(arch) => Ok(Some(arch)),
            None => Err(Error::Unsupported { field: "model_type".into(), value: t.into(), why: "supported: gpt2, llama, qwen2".into() }),
        },
        (None, None) => Ok(None),
    }
}

fn infer_arch(tensors: &Tensors) -> Result<Arch> {
    if tensors.contains("wte.weight") {
        Ok(Arch::Gpt2)
    } else if tensors.contains("model.embed_tokens.weight") {
        Ok(Arch::Llama)
    } else if tensors.contains("rnn.weight_ih_l0") || tensors.contains("embed.weight") {
        Ok(Arch::Rnn)
    } else {
        Err(Error::Config(
            "no `arch` metadata, and neither `wte.weight` (gpt2) nor `rnn.weight_ih_l0` (rnn) is present".into(),
        ))
    }
}

pub(crate) fn parse_json_object(text: &str, what: &str) -> Result<Map<String, Value>> {
    match serde_json::from_str(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Error::Config(format!("{what} is not a JSON object"))),
        Err(e) => Err(Error::Config(format!("{what} is not valid JSON: {e}"))),
    }
}

fn parse_vocab(text: &str, vocab_size: usize) -> Result<Tokenizer> {
    let tokens: Vec<String> = serde_json::from_str(text)
        .map_err(|e| Error::Config(format!("vocab metadata is not a JSON array of strings: {e}")))?;
    if tokens.len() != vocab_size {
        return Err(Error::Config(format!("vocab has {} tokens but the model has vocab_size {vocab_size}", tokens.len())));
    }
    Tokenizer::new(tokens)
}

/// One config field determined by a tensor's shape: (key, value, tensor it came from).
type Inferred = (&'static str, usize, String);

/// Fills the config fields the tensors determine and checks the given ones
/// against them; applies defaults; leaves the rest to the typed config parser.
fn complete_config(arch: Arch, given: Option<Map<String, Value>>, tensors: &Tensors) -> Result<Value> {
    let mut config = given.unwrap_or_default();
    let inferred: Vec<Inferred> = match arch {
        Arch::Gpt2 => {
            // Old Hugging Face configs call n_positions n_ctx.
            if !config.contains_key("n_positions") {
                if let Some(n_ctx) = config.get("n_ctx").cloned() {
                    config.insert("n_positions".into(), n_ctx);
                }
            }
            if let Some(act) = config.get("activation_function") {
                if act != "gelu_new" {
                    return Err(Error::Unsupported {
                        field: "activation_function".into(),
                        value: act.to_string(),
                        why: "only gelu_new is".into(),
                    });
                }
            }
            reject_unsupported_gpt2_options(&config)?;
            if !config.contains_key("n_head") {
                return Err(Error::Config("n_head is missing and cannot be inferred from tensor shapes: give a config.json".into()));
            }
            config.entry("layer_norm_epsilon").or_insert(Value::from(1e-5));
            let wte = matrix_shape(tensors, "wte.weight")?;
            let wpe = matrix_shape(tensors, "wpe.weight")?;
            vec![
                ("vocab_size", wte[0], "wte.weight".into()),
                ("n_embd", wte[1], "wte.weight".into()),
                ("n_positions", wpe[0], "wpe.weight".into()),
                ("n_layer", tensors.count("h.{}.ln_1.weight"), "h.{i}.ln_1.weight (count)".into()),
            ]
        }
        Arch::Llama => {
            let embed = matrix_shape(tensors, "model.embed_tokens.weight")?;
            complete_llama_options(&mut config, embed[1] as u64, !tensors.contains("lm_head.weight"))?;
            let gate = matrix_shape(tensors, "model.layers.0.mlp.gate_proj.weight")?;
            vec![
                ("vocab_size", embed[0], "model.embed_tokens.weight".into()),
                ("hidden_size", embed[1], "model.embed_tokens.weight".into()),
                ("intermediate_size", gate[0], "model.layers.0.mlp.gate_proj.weight".into()),
                ("num_hidden_layers", tensors.count("model.layers.{}.input_layernorm.weight"), "model.layers.{i}.input_layernorm.weight (count)".into()),
            ]
        }
        Arch::Rnn => {
            config.entry("nonlinearity").or_insert(Value::from("tanh")); // nn.RNN's default
            let embed = matrix_shape(tensors, "embed.weight")?;
            let w_hh = matrix_shape(tensors, "rnn.weight_hh_l0")?;
            vec![
                ("vocab_size", embed[0], "embed.weight".into()),
                ("embed_dim", embed[1], "embed.weight".into()),
                ("hidden_size", w_hh[0], "rnn.weight_hh_l0".into()),
                ("num_layers", tensors.count("rnn.weight_ih_l{}"), "rnn.weight_ih_l{k} (count)".into()),
            ]
        }
    };
    for (key, value, source) in inferred {
        match config.get(key) {
            None => {
                config.insert(key.into(), Value::from(value));
            }
            Some(v) if v.as_u64() == Some(value as u64) => {}
            Some(v) => {
                return Err(Error::Config(format!("{key} = {v} disagrees with the tensors: {source} gives {value}")))
            }
        }
    }
    Ok(Value::Object(config))
}

/// Llama / Qwen2 config: defaults as transformers applies them, rope_theta
/// from the top level or `rope_parameters`, and every option that would
/// change the math and that we do not implement refused by name. `hidden`
/// is the model's width (for the default head_dim); `tied` is what a config
/// without `tie_word_embeddings` means (a file without `lm_head.weight`;
/// for a new model, transformers' default: untied).
pub(crate) fn complete_llama_options(config: &mut Map<String, Value>, hidden: u64, tied: bool) -> Result<()> {
    let unsupported = |field: &str, value: &Value, why: &str| Error::Unsupported { field: field.into(), value: value.to_string(), why: why.into() };
    let heads = config
        .get("num_attention_heads")
        .and_then(Value::as_u64)
        .ok_or_else(|| Error::Config("num_attention_heads is missing and cannot be inferred from tensor shapes: give a config.json".into()))?;
    if !matches!(config.get("head_dim"), Some(Value::Number(_))) {
        config.insert("head_dim".into(), Value::from(hidden / heads.max(1)));
    }
    if !matches!(config.get("num_key_value_heads"), Some(Value::Number(_))) {
        config.insert("num_key_value_heads".into(), Value::from(heads));
    }
    if let Some(act) = config.get("hidden_act").filter(|a| a.as_str() != Some("silu")) {
        return Err(unsupported("hidden_act", act, "only silu is"));
    }
    if let Some(b) = config.get("mlp_bias").filter(|b| b.as_bool() == Some(true)) {
        return Err(unsupported("mlp_bias", b, "the MLP has no biases"));
    }
    if let Some(w) = config.get("use_sliding_window").filter(|w| w.as_bool() == Some(true)) {
        return Err(unsupported("use_sliding_window", w, "attention sees every earlier position"));
    }
    // rope_theta at the top level (older configs) or in rope_parameters / rope_scaling.
    let rope = config.get("rope_parameters").or_else(|| config.get("rope_scaling")).cloned().unwrap_or(Value::Null);
    if let Some(kind) = rope.get("rope_type").or_else(|| rope.get("type")).filter(|k| k.as_str() != Some("default")) {
        return Err(unsupported("rope_type", kind, "only the default rotary embedding is implemented"));
    }
    if !matches!(config.get("rope_theta"), Some(Value::Number(_))) {
        let theta = rope.get("rope_theta").cloned().unwrap_or(Value::from(10000.0));
        config.insert("rope_theta".into(), theta);
    }
    config.entry("rms_norm_eps").or_insert(Value::from(1e-6));
    if !matches!(config.get("tie_word_embeddings"), Some(Value::Bool(_))) {
        config.insert("tie_word_embeddings".into(), Value::from(tied));
    }
    if !matches!(config.get("max_position_embeddings"), Some(Value::Number(_))) {
        return Err(Error::Config("max_position_embeddings is missing: give a config.json".into()));
    }
    Ok(())
}

/// Hugging Face GPT-2 options that would change the math this core implements.
fn reject_unsupported_gpt2_options(config: &Map<String, Value>) -> Result<()> {
    let unsupported =
        |key: &str, why: &str| Err(Error::Unsupported { field: key.into(), value: config[key].to_string(), why: why.into() });
    if config.get("scale_attn_weights").is_some_and(|v| v == &Value::Bool(false)) {
        return unsupported("scale_attn_weights", "attention is always scaled by 1/sqrt(head_dim)");
    }
    if config.get("scale_attn_by_inverse_layer_idx").is_some_and(|v| v == &Value::Bool(true)) {
        return unsupported("scale_attn_by_inverse_layer_idx", "attention is scaled by 1/sqrt(head_dim) only");
    }
    if let (Some(inner), Some(embd)) = (config.get("n_inner").and_then(Value::as_u64), config.get("n_embd").and_then(Value::as_u64)) {
        if inner != 4 * embd {
            return unsupported("n_inner", "the MLP width is 4 * n_embd");
        }
    }
    Ok(())
}

fn matrix_shape(tensors: &Tensors, name: &str) -> Result<[usize; 2]> {
    match tensors.shape(name)? {
        &[rows, cols] => Ok([rows, cols]),
        other => Err(Error::Config(format!("tensor `{name}` has shape {other:?}, expected 2 dimensions"))),
    }
}

