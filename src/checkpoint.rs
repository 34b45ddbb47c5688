//! Checkpoints: safetensors files, f32, upstream tensor names (see DESIGN.md).
//!
//! Reads our own files, Hugging Face `save_pretrained` output (`transformer.`
//! prefix, config.json beside), the original GPT-2 layout (mask buffers
//! stored, which are ignored) and PyTorch state_dicts of embed/rnn/head.
//! Config comes from the `config` metadata, else a config.json; every field
//! the tensor shapes determine is inferred and checked against it.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use ndarray::{Array1, Array2};
use safetensors::{tensor::TensorView, Dtype, SafeTensors};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::model::{Arch, Forward, Model};
use crate::tokenizer::Tokenizer;
use crate::trace::Trace;

/// Metadata keys the format itself uses; every other key is free text we keep.
const RESERVED_KEYS: [&str; 3] = ["arch", "config", "vocab"];
const HF_PREFIX: &str = "transformer.";

/// A parameter ready to be written: its name, shape and row-major data.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedTensor {
    pub name: String,
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

impl NamedTensor {
    pub fn new(name: impl Into<String>, shape: &[usize], data: impl IntoIterator<Item = f32>) -> Self {
        Self { name: name.into(), shape: shape.to_vec(), data: data.into_iter().collect() }
    }
}

/// The tensors of one file by (prefix-stripped) name, decoded on demand.
pub struct Tensors<'a> {
    views: HashMap<String, TensorView<'a>>,
}

impl<'a> Tensors<'a> {
    fn new(file: &SafeTensors<'a>) -> Self {
        let views = file
            .tensors()
            .into_iter()
            .map(|(name, view)| (name.strip_prefix(HF_PREFIX).map(str::to_string).unwrap_or(name), view))
            .collect();
        Self { views }
    }

    pub fn contains(&self, name: &str) -> bool {
        self.views.contains_key(name)
    }

    pub fn shape(&self, name: &str) -> Result<&[usize]> {
        self.views.get(name).map(|v| v.shape()).ok_or_else(|| Error::MissingTensor(name.to_string()))
    }

    /// How many of `pattern` (with `{}` for 0, 1, 2 ...) exist consecutively.
    pub fn count(&self, pattern: &str) -> usize {
        (0..).take_while(|i| self.contains(&pattern.replace("{}", &i.to_string()))).count()
    }

    /// Decodes `name` as f32 with exactly `shape`, rejecting NaN and Inf.
    fn read(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>> {
        let view = self.views.get(name).ok_or_else(|| Error::MissingTensor(name.to_string()))?;
        if view.dtype() != Dtype::F32 {
            return Err(Error::Dtype { name: name.to_string(), found: view.dtype().to_string() });
        }
        if view.shape() != shape {
            return Err(Error::Shape { name: name.to_string(), expected: shape.to_vec(), found: view.shape().to_vec() });
        }
        let data: Vec<f32> =
            view.data().chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        if let Some(index) = data.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFinite { name: name.to_string(), index, value: data[index] });
        }
        Ok(data)
    }

    pub fn matrix(&self, name: &str, rows: usize, cols: usize) -> Result<Array2<f32>> {
        let data = self.read(name, &[rows, cols])?;
        Ok(Array2::from_shape_vec((rows, cols), data).expect("length checked against shape"))
    }

    pub fn vector(&self, name: &str, len: usize) -> Result<Array1<f32>> {
        Ok(Array1::from_vec(self.read(name, &[len])?))
    }
}

/// A model with its vocabulary (if any) and free metadata (title, description ...).
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    pub model: Model,
    pub tokenizer: Option<Tokenizer>,
    pub metadata: BTreeMap<String, String>,
}

impl Checkpoint {
    /// Parses a safetensors file; `config_json` is the text of a config.json,
    /// used when the file has no `config` metadata.
    pub fn from_bytes(bytes: &[u8], config_json: Option<&str>) -> Result<Self> {
        check_not_truncated(bytes)?;
        let file = SafeTensors::deserialize(bytes)?;
        let (_, header) = SafeTensors::read_metadata(bytes)?;
        let meta: HashMap<String, String> = header.metadata().clone().unwrap_or_default();
        let tensors = Tensors::new(&file);

        let arch = match meta.get("arch") {
            Some(a) => Arch::parse(a)?,
            None => infer_arch(&tensors)?,
        };
        let given = match (meta.get("config"), config_json) {
            (Some(text), _) => Some(parse_json_object(text, "the `config` metadata")?),
            (None, Some(text)) => Some(parse_json_object(text, "config.json")?),
            (None, None) => None,
        };
        let config = complete_config(arch, given, &tensors)?;
        let model = Model::from_tensors(arch, &config, &tensors)?;
        let tokenizer = match meta.get("vocab") {
            Some(text) => Some(parse_vocab(text, model.vocab_size())?),
            None => None,
        };
        let metadata = meta.into_iter().filter(|(k, _)| !RESERVED_KEYS.contains(&k.as_str())).collect();
        Ok(Self { model, tokenizer, metadata })
    }

    /// Reads `path`; the config comes from `config_path` if given, else from a
    /// `config.json` beside the file when the file itself has no config.
    /// The file is read only if it fits the memory budget (it is held while
    /// its tensors are decoded: twice its size), and never past that, so a
    /// file without end (`/dev/zero`) is an error, not an endless read.
    pub fn open(path: &Path, config_path: Option<&Path>) -> Result<Self> {
        let max = crate::budget::limit() / 2;
        let too_big = Error::OverBudget { what: "model", need_bytes: 2 * (max + 1), limit_bytes: crate::budget::limit(), max: None, unit: None };
        let bytes = read_bounded(path, max)?.ok_or(too_big)?;
        let beside = path.with_file_name("config.json");
        let config_path = config_path.or_else(|| beside.exists().then_some(beside.as_path()));
        let config = match config_path {
            Some(p) => Some(read_text_bounded(p, MAX_CONFIG_BYTES)?),
            None => None,
        };
        Self::from_bytes(&bytes, config.as_deref())
    }

    /// Our format: upstream names plus `arch`, `config`, `vocab` and free
    /// metadata. The same checkpoint always gives the same bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut meta = self.metadata.clone();
        meta.insert("arch".into(), self.model.arch().name().into());
        meta.insert("config".into(), self.model.config_json().to_string());
        if let Some(tok) = &self.tokenizer {
            meta.insert("vocab".into(), serde_json::to_string(tok.tokens()).expect("strings serialize"));
        }
        Ok(write_safetensors(&self.model.named_tensors(), &meta))
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        std::fs::write(path, self.to_bytes()?).map_err(|e| Error::Io(format!("cannot write {}: {e}", path.display())))
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
        Ok(Trace {
            arch: self.model.arch(),
            ids: ids.to_vec(),
            tokens: self.token_strings(ids),
            probs,
            attention,
            hidden,
        })
    }
}

/// The largest config.json read (real ones are a few kB).
pub const MAX_CONFIG_BYTES: u64 = 10_000_000;

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

/// Writes f32 tensors and metadata as safetensors. Written here rather than
/// with `safetensors::serialize` because that keeps metadata in a HashMap,
/// whose order (and so the file's bytes) changes from run to run; shipped
/// models must be reproducible bit for bit. Layout: u64 LE header length,
/// JSON header (space-padded to 8 bytes), then the data in header order.
pub fn write_safetensors(tensors: &[NamedTensor], metadata: &BTreeMap<String, String>) -> Vec<u8> {
    let mut header = Map::new();
    header.insert("__metadata__".into(), serde_json::to_value(metadata).expect("strings serialize"));
    let mut offset = 0usize;
    for t in tensors {
        let end = offset + 4 * t.data.len();
        header.insert(
            t.name.clone(),
            serde_json::json!({ "dtype": "F32", "shape": t.shape, "data_offsets": [offset, end] }),
        );
        offset = end;
    }
    let mut json = serde_json::to_vec(&Value::Object(header)).expect("a JSON map serializes");
    json.resize(json.len().div_ceil(8) * 8, b' ');
    let mut out = Vec::with_capacity(8 + json.len() + offset);
    out.extend_from_slice(&(json.len() as u64).to_le_bytes());
    out.extend_from_slice(&json);
    for t in tensors {
        out.extend(t.data.iter().flat_map(|v| v.to_le_bytes()));
    }
    out
}

/// A header that describes more data than the file holds (a download cut
/// short) is named as such; the safetensors crate's own checks would report
/// it as an offset or size error, or on wasm32 as an overflow. Headers this
/// cannot read are left to the crate, which says what is wrong with them.
fn check_not_truncated(bytes: &[u8]) -> Result<()> {
    let Some(len) = bytes.get(..8) else { return Ok(()) };
    let n = u64::from_le_bytes(len.try_into().expect("8 bytes"));
    let have = bytes.len() as u64;
    let header_end = match n.checked_add(8) {
        Some(end) if end <= have => end,
        // The header itself is cut short (a sane length, beyond the file's end).
        Some(end) if n <= 100_000_000 => return Err(Error::Truncated { need: end, have }),
        _ => return Ok(()),
    };
    let Ok(Value::Object(header)) = serde_json::from_slice::<Value>(&bytes[8..header_end as usize]) else { return Ok(()) };
    let data_end = header
        .iter()
        .filter(|(name, _)| name.as_str() != "__metadata__")
        .filter_map(|(_, info)| info.get("data_offsets")?.get(1)?.as_u64())
        .max()
        .unwrap_or(0);
    match header_end.checked_add(data_end) {
        Some(need) if need > have => Err(Error::Truncated { need, have }),
        _ => Ok(()),
    }
}

fn infer_arch(tensors: &Tensors) -> Result<Arch> {
    if tensors.contains("wte.weight") {
        Ok(Arch::Gpt2)
    } else if tensors.contains("rnn.weight_ih_l0") || tensors.contains("embed.weight") {
        Ok(Arch::Rnn)
    } else {
        Err(Error::Config(
            "no `arch` metadata, and neither `wte.weight` (gpt2) nor `rnn.weight_ih_l0` (rnn) is present".into(),
        ))
    }
}

fn parse_json_object(text: &str, what: &str) -> Result<Map<String, Value>> {
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

