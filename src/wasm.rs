//! The WebAssembly facade: converts types and errors, nothing more.
//!
//! JS sees one class, `WasmModel`:
//! - `WasmModel.load(bytes: Uint8Array, configJson?: string)` (throws Error)
//! - `model.info()` -> `{ arch, config, vocab: string[] | null, metadata, num_params, max_len, max_tokens }`
//! - `model.maxTokens()` -> the longest input the memory budget lets a trace take
//! - `model.encode(text)` -> `Uint32Array` (throws on unknown characters)
//! - `model.traceText(text)`, `model.traceIds(Uint32Array)` -> a trace object
//!   `{ arch, ids: Uint32Array, tokens: string[], probs: {data: Float32Array, shape: [T,V]},
//!      attention: {data, shape: [L,H,T,T]} | null, hidden: {data, shape: [L,T,Hd]} | null }`
//!   whose typed arrays can be transferred to the page without copying.
//! - `model.keepTraceText(text)`, `model.keepTraceIds(ids)` -> a `WasmTrace` kept in wasm
//!   memory: `meta()` (all but attention and probs), `attentionLayer(l)` [H,T,T],
//!   `attentionLayerView(l)` (the same, a view read at once), `probsRow(t)` [V],
//!   `full()` (the trace object above), `bigBytes()`
//! - interpretability (src/interp.rs, layers and heads from 0): `model.lens(ids, k, heads?, mode?)`,
//!   `model.ablate(ids, heads, mode)`, `model.keepTraceAblated(ids, heads, mode)`
//!   (a `WasmTrace` of the ablated model), `model.headScores(n, seed)`, `model.headScoresIds(ids)`

use js_sys::{Array, Float32Array, Object, Reflect, Uint32Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::decode::{Session, StepOutput};
use crate::sample::{Sampler, SamplerSettings};
use crate::trace::KeptTrace;
use crate::checkpoint::Retrace;
use crate::{Checkpoint, Trace};

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// A core error as a JS `Error`: the English one-line `message`, and `code`
/// and `fields` (a plain object), by which the page translates it.
fn js_error(e: crate::Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    set(&err, "code", &JsValue::from_str(e.code()));
    let fields = e.fields().serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::NULL);
    set(&err, "fields", &fields);
    err.into()
}

/// Options from JS that do not deserialize: an `options` error naming `what`.
fn options_error(what: &str, e: impl std::fmt::Display) -> JsValue {
    js_error(crate::Error::Options(format!("{what}: {e}")))
}

/// Sets the memory budget (bytes) every trace, generation and training step
/// is checked against before it allocates; the page derives it from what the
/// browser gives a wasm instance.
#[wasm_bindgen(js_name = setMemoryBudget)]
pub fn set_memory_budget(bytes: f64) {
    if bytes.is_finite() && bytes > 0.0 {
        crate::budget::set_limit(bytes as u64);
    }
}

/// The memory budget in bytes.
#[wasm_bindgen(js_name = memoryBudget)]
pub fn memory_budget() -> f64 {
    crate::budget::limit() as f64
}

#[wasm_bindgen]
pub struct WasmModel {
    // Shared with the model's decoding sessions.
    checkpoint: Rc<Checkpoint>,
    // The last kept trace's state: the next one reuses its unchanged prefix.
    last: RefCell<Option<Retrace>>,
    reused: Cell<usize>, // positions the last kept trace copied from the one before
}

impl From<Checkpoint> for WasmModel {
    fn from(checkpoint: Checkpoint) -> Self {
        WasmModel { checkpoint: Rc::new(checkpoint), last: RefCell::new(None), reused: Cell::new(0) }
    }
}

#[derive(Serialize)]
struct Info<'a> {
    arch: &'static str,
    config: serde_json::Value,
    /// "chars" (with `vocab`), "bpe", or null (traced by ids).
    tokenizer: Option<&'static str>,
    vocab: Option<&'a [String]>,
    metadata: &'a std::collections::BTreeMap<String, String>,
    num_params: usize,
    max_len: usize,
    /// The longest text this budget traces (`maxTokens`), as of this call.
    max_tokens: usize,
}

#[wasm_bindgen]
impl WasmModel {
    /// Parses a safetensors checkpoint; `config_json` is a Hugging Face config.json's text.
    pub fn load(bytes: &[u8], config_json: Option<String>) -> Result<WasmModel, JsValue> {
        let checkpoint = Checkpoint::from_bytes(bytes, config_json.as_deref()).map_err(js_error)?;
        Ok(WasmModel::from(checkpoint))
    }

    /// Opens a model folder without holding the file in memory:
    /// `read(offset, length) -> Uint8Array` returns the weights file's bytes
    /// (in a worker, `FileReaderSync` over `file.slice`), `size` is its
    /// length; `files` is `{config_json?, tokenizer_json?, vocab_json?,
    /// merges_txt?}` as text. Each tensor is read once, into its place.
    #[wasm_bindgen(js_name = loadFolder)]
    pub fn load_folder(read: js_sys::Function, size: f64, files: JsValue) -> Result<WasmModel, JsValue> {
        #[derive(serde::Deserialize, Default)]
        #[serde(default)]
        struct Files {
            config_json: Option<String>,
            tokenizer_json: Option<String>,
            vocab_json: Option<String>,
            merges_txt: Option<String>,
        }
        let files: Files = serde_wasm_bindgen::from_value(files).map_err(|e| options_error("folder files", e))?;
        let tokenizer = crate::tokenizer::TokenizerFiles {
            tokenizer_json: files.tokenizer_json,
            vocab_json: files.vocab_json,
            merges_txt: files.merges_txt,
        };
        let mut source = JsSource { read, size: size as u64 };
        let checkpoint = Checkpoint::load(&mut source, files.config_json.as_deref(), &tokenizer).map_err(js_error)?;
        Ok(WasmModel::from(checkpoint))
    }

    pub fn info(&self) -> Result<JsValue, JsValue> {
        let model = &self.checkpoint.model;
        let info = Info {
            arch: model.arch().name(),
            config: model.config_json(),
            tokenizer: self.checkpoint.tokenizer.as_ref().map(|t| t.kind()),
            vocab: self.checkpoint.tokenizer.as_ref().and_then(|t| t.vocab()),
            metadata: &self.checkpoint.metadata,
            num_params: model.num_params(),
            max_len: model.max_len(),
            max_tokens: crate::budget::max_trace_tokens(model),
        };
        // Maps become plain objects, so the page can read `info.config.n_head`.
        to_js(&info)
    }

    /// The most tokens a trace of this model may have under the current
    /// memory budget (and the model's maximum length): one more is refused
    /// with `over_budget` (or `too_long`), by the same estimate.
    #[wasm_bindgen(js_name = maxTokens)]
    pub fn max_tokens(&self) -> usize {
        crate::budget::max_trace_tokens(&self.checkpoint.model)
    }

    pub fn encode(&self, text: &str) -> Result<Uint32Array, JsValue> {
        let ids = self.checkpoint.encode(text).map_err(js_error)?;
        Ok(ids_to_js(&ids))
    }

    #[wasm_bindgen(js_name = traceText)]
    pub fn trace_text(&self, text: &str) -> Result<Object, JsValue> {
        self.checkpoint.trace_text(text).map(|t| trace_to_js(&t)).map_err(js_error)
    }

    #[wasm_bindgen(js_name = traceIds)]
    pub fn trace_ids(&self, ids: &[u32]) -> Result<Object, JsValue> {
        let ids: Vec<usize> = ids.iter().map(|&id| id as usize).collect();
        self.checkpoint.trace_ids(&ids).map(|t| trace_to_js(&t)).map_err(js_error)
    }

    /// A trace kept in wasm memory; the page asks it for the slices it draws
    /// (`WasmTrace`), so a big trace is never copied out whole.
    #[wasm_bindgen(js_name = keepTraceText)]
    pub fn keep_trace_text(&self, text: &str) -> Result<WasmTrace, JsValue> {
        self.keep(&self.checkpoint.encode(text).map_err(js_error)?)
    }

    /// Reuses the last kept trace's positions up to the first id that
    /// differs (`Checkpoint::retrace_ids`): typing at the end costs the new
    /// tokens' forward only.
    #[wasm_bindgen(js_name = keepTraceIds)]
    pub fn keep_trace_ids(&self, ids: &[u32]) -> Result<WasmTrace, JsValue> {
        self.keep(&ids.iter().map(|&id| id as usize).collect::<Vec<_>>())
    }

    fn keep(&self, ids: &[usize]) -> Result<WasmTrace, JsValue> {
        let (trace, reused) = self.checkpoint.retrace_ids(&mut self.last.borrow_mut(), ids).map_err(js_error)?;
        self.reused.set(reused);
        Ok(WasmTrace { checkpoint: Rc::clone(&self.checkpoint), trace })
    }

    /// Positions the last kept trace copied from the one before (0: computed whole).
    #[wasm_bindgen(js_name = lastReused)]
    pub fn last_reused(&self) -> u32 {
        self.reused.get() as u32
    }

    // ---- interpretability (issue 14; src/interp.rs): layers and heads from 0 ----

    /// The logit lens of `ids` with the `k` most likely tokens per layer and
    /// position: `{layers: L+1, t: T, k: K, top_ids: Uint32Array, top_probs:
    /// Float32Array}`, both [L+1, T, K] row-major (`glasswing lens --json`).
    /// With `heads` ([l0, h0, ...]) and `mode`, the lens of the model with those heads ablated.
    pub fn lens(&self, ids: &[u32], k: u32, heads: Option<Vec<u32>>, mode: Option<String>) -> Result<Object, JsValue> {
        let ids = usize_ids(ids);
        let model = &self.checkpoint.model;
        let lens = match heads.filter(|h| !h.is_empty()) {
            None => crate::interp::lens(model, &ids, k as usize),
            Some(heads) => {
                let heads = head_pairs(&heads)?;
                let mode = ablation_mode(mode.as_deref().unwrap_or("zero"))?;
                crate::interp::check_heads(model, &heads, "head ablation")
                    .and_then(|()| crate::interp::lens_edited(model, &ids, k as usize, &mut crate::interp::ablation(&heads, mode)))
            }
        }
        .map_err(js_error)?;
        let kk = lens.layers.first().and_then(|l| l.top_ids.first()).map_or(0, |r| r.len());
        let top_ids: Vec<u32> = lens.layers.iter().flat_map(|l| l.top_ids.iter().flatten().map(|&id| id as u32)).collect();
        let top_probs: Vec<f32> = lens.layers.iter().flat_map(|l| l.top_probs.iter().flatten().copied()).collect();
        let obj = Object::new();
        set(&obj, "layers", &JsValue::from(lens.layers.len() as u32));
        set(&obj, "t", &JsValue::from(ids.len() as u32));
        set(&obj, "k", &JsValue::from(kk as u32));
        set(&obj, "top_ids", &Uint32Array::from(top_ids.as_slice()));
        set(&obj, "top_probs", &Float32Array::from(top_probs.as_slice()));
        Ok(obj)
    }

    /// Next-token probabilities `{data, shape: [T, V]}` with `heads` ablated:
    /// `heads` is [l0, h0, l1, h1, ...], `mode` "zero" or "mean"
    /// (`glasswing ablate --json`).
    pub fn ablate(&self, ids: &[u32], heads: &[u32], mode: &str) -> Result<JsValue, JsValue> {
        let probs = crate::interp::ablate(&self.checkpoint.model, &usize_ids(ids), &head_pairs(heads)?, ablation_mode(mode)?).map_err(js_error)?;
        Ok(tensor_to_js(&probs))
    }

    /// A kept trace (as `keepTraceIds`) of the model with `heads` ablated
    /// ([l0, h0, ...], `mode` "zero" | "mean"): every view of it shows the
    /// changed forward; ablated heads' own patterns are as before (their z
    /// changes after the pattern), later layers' are not.
    #[wasm_bindgen(js_name = keepTraceAblated)]
    pub fn keep_trace_ablated(&self, ids: &[u32], heads: &[u32], mode: &str) -> Result<WasmTrace, JsValue> {
        let trace = self.checkpoint.keep_trace_ablated(&usize_ids(ids), &head_pairs(heads)?, ablation_mode(mode)?).map_err(js_error)?;
        Ok(WasmTrace { checkpoint: Rc::clone(&self.checkpoint), trace: Rc::new(trace) })
    }

    /// Head scores on `n` random ids (seeded; `n` 0: the CLI's default, 50
    /// or half the model's length) repeated twice: `{ids: Uint32Array [2N],
    /// tokens, n, seed, previous_token, duplicate_token, induction: {data, shape: [L, H]}}`
    /// (`glasswing heads --json`).
    #[wasm_bindgen(js_name = headScores)]
    pub fn head_scores(&self, n: u32, seed: f64) -> Result<Object, JsValue> {
        let ckpt = &self.checkpoint;
        let n = if n == 0 { 50.min(ckpt.model.max_len() / 2).max(1) } else { n as usize }; // as src/bin/glasswing/interp.rs
        let seed = if seed.is_finite() && seed >= 0.0 { seed as u64 } else { 0 };
        let ids = crate::interp::repeated_random(&ckpt.model, ckpt.tokenizer.as_ref(), n, seed).map_err(js_error)?;
        let obj = self.head_scores_ids(&ids.iter().map(|&id| id as u32).collect::<Vec<_>>())?;
        set(&obj, "seed", &JsValue::from(seed as f64));
        Ok(obj)
    }

    /// Head scores on any 2N ids (the scores mean something when the two
    /// halves are equal), as `headScores` without `seed`.
    #[wasm_bindgen(js_name = headScoresIds)]
    pub fn head_scores_ids(&self, ids: &[u32]) -> Result<Object, JsValue> {
        let ckpt = &self.checkpoint;
        let ids = usize_ids(ids);
        let n = ids.len() / 2;
        let scores = crate::interp::head_scores(&ckpt.model, &ids).map_err(js_error)?;
        let obj = Object::new();
        set(&obj, "ids", &ids_to_js(&ids));
        let tokens: Array = ckpt.token_strings(&ids).iter().map(|t| JsValue::from_str(t)).collect();
        set(&obj, "tokens", &tokens);
        set(&obj, "n", &JsValue::from(n as u32));
        set(&obj, "previous_token", &tensor_to_js(&scores.previous_token));
        set(&obj, "duplicate_token", &tensor_to_js(&scores.duplicate_token));
        set(&obj, "induction", &tensor_to_js(&scores.induction));
        Ok(obj)
    }

    /// A step-by-step decoding session over this model (KV cache or RNN state).
    #[wasm_bindgen(js_name = startSession)]
    pub fn start_session(&self) -> WasmSession {
        WasmSession { checkpoint: Rc::clone(&self.checkpoint), session: Session::new(&self.checkpoint.model), sampler: None }
    }

    /// The checkpoint in our format, for download.
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Result<Vec<u8>, JsValue> {
        self.checkpoint.to_bytes().map_err(js_error)
    }
}

/// A file the page reads slice by slice through a JS function.
struct JsSource {
    read: js_sys::Function,
    size: u64,
}

impl crate::tensors::Source for JsSource {
    fn len(&self) -> u64 {
        self.size
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> crate::Result<()> {
        let fail = |what: String| crate::Error::Io(format!("reading the model file at byte {offset}: {what}"));
        let got = self
            .read
            .call2(&JsValue::NULL, &JsValue::from(offset as f64), &JsValue::from(buf.len() as f64))
            .map_err(|e| fail(js_sys::Error::from(e).message().into()))?;
        let bytes: js_sys::Uint8Array = got.dyn_into().map_err(|_| fail("the reader did not return a Uint8Array".into()))?;
        if bytes.length() as usize != buf.len() {
            return Err(fail(format!("{} bytes read of {}", bytes.length(), buf.len())));
        }
        bytes.copy_to(buf);
        Ok(())
    }
}

fn usize_ids(ids: &[u32]) -> Vec<usize> {
    ids.iter().map(|&id| id as usize).collect()
}

/// [l0, h0, l1, h1, ...] -> [(l0, h0), ...] (indices from 0).
fn head_pairs(flat: &[u32]) -> Result<Vec<(usize, usize)>, JsValue> {
    if flat.len() % 2 != 0 {
        return Err(options_error("heads", "an even number of values: layer, head, layer, head, ..."));
    }
    Ok(flat.chunks(2).map(|p| (p[0] as usize, p[1] as usize)).collect())
}

fn ablation_mode(mode: &str) -> Result<crate::interp::Ablation, JsValue> {
    match mode {
        "zero" => Ok(crate::interp::Ablation::Zero),
        "mean" => Ok(crate::interp::Ablation::Mean),
        _ => Err(options_error("ablation mode", format!("{mode:?} is not zero or mean"))),
    }
}

fn ids_to_js(ids: &[usize]) -> Uint32Array {
    let ids: Vec<u32> = ids.iter().map(|&id| id as u32).collect();
    Uint32Array::from(ids.as_slice())
}

fn set(obj: &JsValue, key: &str, value: &JsValue) {
    Reflect::set(obj, &JsValue::from_str(key), value).expect("setting a property on a plain object");
}

/// `{data: Float32Array, shape: number[]}` for one n-d array (row-major).
fn tensor_to_js<D: ndarray::Dimension>(array: &ndarray::Array<f32, D>) -> JsValue {
    let obj = Object::new();
    // Traces are standard layout: one copy, straight into JS memory.
    let data = match array.as_slice() {
        Some(slice) => Float32Array::from(slice),
        None => Float32Array::from(array.iter().copied().collect::<Vec<f32>>().as_slice()),
    };
    set(&obj, "data", &data);
    let shape: Array = array.shape().iter().map(|&n| JsValue::from(n as u32)).collect();
    set(&obj, "shape", &shape);
    obj.into()
}

fn trace_to_js(trace: &Trace) -> Object {
    let obj = Object::new();
    set_header(&obj, trace.arch, &trace.ids, &trace.tokens, &trace.token_bytes);
    set(&obj, "probs", &tensor_to_js(&trace.probs));
    set(&obj, "attention", &trace.attention.as_ref().map_or(JsValue::NULL, tensor_to_js));
    set(&obj, "hidden", &trace.hidden.as_ref().map_or(JsValue::NULL, tensor_to_js));
    obj
}

/// A trace's small part: `arch`, `ids`, `tokens`, `token_bytes`.
fn set_header(obj: &Object, arch: crate::model::Arch, ids: &[usize], tokens: &[String], token_bytes: &[Vec<u8>]) {
    set(obj, "arch", &JsValue::from_str(arch.name()));
    set(obj, "ids", &ids_to_js(ids));
    let tokens: Array = tokens.iter().map(|t| JsValue::from_str(t)).collect();
    set(obj, "tokens", &tokens);
    // Each token's UTF-8 bytes: a character split over several tokens is drawn once, spanning them.
    let bytes: Array = token_bytes.iter().map(|b| JsValue::from(js_sys::Uint8Array::from(b.as_slice()))).collect();
    set(obj, "token_bytes", &bytes);
}

/// A trace the worker keeps: `meta()` is everything but the two big arrays
/// (attention [L,H,T,T] and probs [T,V]), which are read a slice at a time
/// (a distribution is computed when asked: `Checkpoint::probs_at`).
#[wasm_bindgen]
pub struct WasmTrace {
    checkpoint: Rc<Checkpoint>,
    trace: Rc<KeptTrace>, // shared with the model's retrace state
}

#[wasm_bindgen]
impl WasmTrace {
    /// `{arch, ids, tokens, token_bytes, probs_shape: [T,V], attention_shape: [L,H,T,T] | null,
    /// hidden: {data, shape} | null}`: the RNN's hidden states are small and come whole.
    pub fn meta(&self) -> Object {
        let t = &self.trace;
        let obj = Object::new();
        set_header(&obj, t.arch, &t.ids, &t.tokens, &t.token_bytes);
        let shape = |s: &[usize]| -> JsValue { s.iter().map(|&n| JsValue::from(n as u32)).collect::<Array>().into() };
        set(&obj, "probs_shape", &shape(&[t.ids.len(), self.checkpoint.model.vocab_size()]));
        set(&obj, "attention_shape", &t.kept.attention.as_ref().map_or(JsValue::NULL, |a| shape(a.shape())));
        set(&obj, "hidden", &t.kept.hidden.as_ref().map_or(JsValue::NULL, tensor_to_js));
        obj
    }

    /// Bytes of the attention and probs arrays, as `full()` would copy them.
    #[wasm_bindgen(js_name = bigBytes)]
    pub fn big_bytes(&self) -> f64 {
        let probs = self.trace.ids.len() * self.checkpoint.model.vocab_size();
        let n = probs + self.trace.kept.attention.as_ref().map_or(0, |a| a.len());
        (n * std::mem::size_of::<f32>()) as f64
    }

    /// Layer `l`'s attention, [H, T, T].
    #[wasm_bindgen(js_name = attentionLayer)]
    pub fn attention_layer(&self, l: u32) -> Result<Float32Array, JsValue> {
        Ok(Float32Array::from(self.layer(l)?))
    }

    /// Layer `l`'s attention [H, T, T] as a view into wasm memory, not a copy:
    /// valid only until the wasm next allocates, so read it at once (the
    /// worker pools it into thumbnails without copying 12 MB per layer).
    #[wasm_bindgen(js_name = attentionLayerView)]
    pub fn attention_layer_view(&self, l: u32) -> Result<Float32Array, JsValue> {
        let slice = self.layer(l)?;
        // SAFETY: the caller reads the view before anything allocates in the wasm (see above).
        Ok(unsafe { Float32Array::view(slice) })
    }

    /// The next-token distribution after position `t`, [V].
    #[wasm_bindgen(js_name = probsRow)]
    pub fn probs_row(&self, t: u32) -> Result<Float32Array, JsValue> {
        let t = t as usize;
        let n = self.trace.ids.len();
        if t >= n {
            return Err(slice_error(&format!("position index {t} of {n}")));
        }
        let probs = self.checkpoint.probs_at(&self.trace, t).map_err(js_error)?;
        Ok(Float32Array::from(probs.as_slice().expect("a new row is contiguous")))
    }

    /// The whole trace, as `traceText` returns it (every distribution computed).
    pub fn full(&self) -> Result<Object, JsValue> {
        self.checkpoint.whole_trace(&self.trace).map(|t| trace_to_js(&t)).map_err(js_error)
    }
}

impl WasmTrace {
    /// Layer `l`'s attention [H, T, T] as one flat slice.
    fn layer(&self, l: u32) -> Result<&[f32], JsValue> {
        let att = self.trace.kept.attention.as_ref().ok_or_else(|| slice_error("this trace has no attention"))?;
        let l = l as usize;
        if l >= att.shape()[0] {
            return Err(slice_error(&format!("layer index {l} of {}", att.shape()[0])));
        }
        Ok(att.view().index_axis_move(ndarray::Axis(0), l).to_slice().expect("traces are standard layout"))
    }
}

/// A slice the page asked for that is not there (a bug in the page, not the user's input).
fn slice_error(what: &str) -> JsValue {
    js_sys::Error::new(&format!("no such slice of the trace: {what}")).into()
}

/// Live training in the worker: `new WasmTrainer(options)` with options as
/// `TrainOptions` (`{arch, task, text?, seed, steps, batch_size, lr, n_layer,
/// n_head, n_embd, embed_dim, hidden_size, num_layers, nonlinearity}`), then
/// `step(n)` in small chunks so the worker can answer messages between them.
#[wasm_bindgen]
pub struct WasmTrainer {
    trainer: crate::train::trainer::Trainer,
}

#[wasm_bindgen]
impl WasmTrainer {
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<WasmTrainer, JsValue> {
        let options: crate::train::trainer::TrainOptions =
            serde_wasm_bindgen::from_value(options).map_err(|e| options_error("training options", e))?;
        let trainer = crate::train::trainer::Trainer::from_options(&options).map_err(js_error)?;
        Ok(WasmTrainer { trainer })
    }

    /// Runs `n` optimiser steps; returns the last step's `{step, loss, lr, grad_norm, tokens}`
    /// with `tokens` summed over the `n` steps.
    pub fn step(&mut self, n: u32) -> Result<JsValue, JsValue> {
        let mut last = None;
        let mut tokens = 0;
        for _ in 0..n.max(1) {
            let stats = self.trainer.step();
            tokens += stats.tokens;
            last = Some(stats);
        }
        let mut stats = last.expect("at least one step");
        stats.tokens = tokens;
        to_js(&stats)
    }

    /// `{exact_match, token_accuracy, loss}` on `n` held-out examples.
    pub fn evaluate(&self, n: u32) -> Result<JsValue, JsValue> {
        to_js(&self.trainer.evaluate(n as usize))
    }

    #[wasm_bindgen(js_name = stepsDone)]
    pub fn steps_done(&self) -> u32 {
        self.trainer.steps_done() as u32
    }

    /// A whole held-out example (question, separator and answer, e.g. `cab>bac.`), to show and trace.
    #[wasm_bindgen(js_name = sampleText)]
    pub fn sample_text(&self, seed: u32) -> String {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed as u64 ^ crate::train::tasks::HELD_OUT_SALT);
        self.trainer.task.held_out_text(&mut rng).0
    }

    /// The model being trained, as a model the page can trace and explore.
    pub fn snapshot(&self) -> WasmModel {
        WasmModel::from(self.trainer.checkpoint(None))
    }

    /// The model in our format, with task, settings and metrics on `n` held-out examples.
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self, n: u32) -> Result<Vec<u8>, JsValue> {
        let metrics = self.trainer.evaluate(n as usize);
        self.trainer.checkpoint(Some((&metrics, n as usize))).to_bytes().map_err(js_error)
    }
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| js_error(crate::Error::Io(e.to_string())))
}

/// The benchmark cases of `glasswing bench` at `t` tokens, for timing the same
/// models in the browser: `[{name, model: WasmModel, ids: Uint32Array}]`.
#[wasm_bindgen(js_name = benchCases)]
pub fn bench_cases(t: u32) -> Result<Array, JsValue> {
    Ok(crate::bench::cases(t as usize)
        .map_err(js_error)?
        .into_iter()
        .map(|case| {
            let obj = Object::new();
            set(&obj, "name", &JsValue::from_str(&case.name));
            set(&obj, "ids", &ids_to_js(&case.ids));
            set(&obj, "model", &JsValue::from(WasmModel::from(case.checkpoint)));
            JsValue::from(obj)
        })
        .collect())
}

/// The training benchmark's options (the shipped reverse model's), for `new WasmTrainer`.
#[wasm_bindgen(js_name = benchTrainingOptions)]
pub fn bench_training_options() -> Result<JsValue, JsValue> {
    to_js(&crate::bench::reverse_training_options())
}

/// Step-by-step decoding: `push(id)` / `pushText(text)` feed tokens and return
/// the newest step `{probs: Float32Array [V], attention: {data, shape: [L,H,T]} | null,
/// hidden: {data, shape: [L,Hd]} | null}`; `truncate(n)` steps back or starts a
/// branch; `setSampler(settings)` then `choose()` picks the next token from the
/// last distribution without feeding it.
#[wasm_bindgen]
pub struct WasmSession {
    checkpoint: Rc<Checkpoint>,
    session: Session,
    sampler: Option<Sampler>,
}

#[wasm_bindgen]
impl WasmSession {
    pub fn push(&mut self, id: u32) -> Result<Object, JsValue> {
        let step = self.session.push(&self.checkpoint.model, id as usize).map_err(js_error)?;
        Ok(step_to_js(&step))
    }

    /// Feeds every token of `text`; returns the last step.
    #[wasm_bindgen(js_name = pushText)]
    pub fn push_text(&mut self, text: &str) -> Result<Object, JsValue> {
        let ids = self.checkpoint.encode(text).map_err(js_error)?;
        let before = self.session.len();
        match self.session.extend(&self.checkpoint.model, &ids) {
            Ok(step) => Ok(step_to_js(&step)),
            Err(e) => {
                self.session.truncate(before); // all or nothing
                Err(js_error(e))
            }
        }
    }

    pub fn truncate(&mut self, len: u32) {
        self.session.truncate(len as usize);
    }

    pub fn ids(&self) -> Uint32Array {
        ids_to_js(self.session.ids())
    }

    pub fn tokens(&self) -> Array {
        self.checkpoint.token_strings(self.session.ids()).iter().map(|t| JsValue::from_str(t)).collect()
    }

    /// `{greedy, temperature, top_k, top_p, min_p, seed}`; restarts the seeded draws.
    #[wasm_bindgen(js_name = setSampler)]
    pub fn set_sampler(&mut self, settings: JsValue) -> Result<(), JsValue> {
        let settings: SamplerSettings =
            serde_wasm_bindgen::from_value(settings).map_err(|e| options_error("sampler settings", e))?;
        self.sampler = Some(Sampler::new(settings).map_err(js_error)?);
        Ok(())
    }

    /// Picks the next token from `probs` (the last step's distribution):
    /// `{id, raw, after_temperature, after_top_k, after_top_p, probs}`, each a plain array.
    pub fn choose(&mut self, probs: &[f32]) -> Result<JsValue, JsValue> {
        let sampler = self.sampler.get_or_insert_with(|| Sampler::new(SamplerSettings::default()).expect("defaults are valid"));
        to_js(&sampler.choose(probs))
    }
}

fn step_to_js(step: &StepOutput) -> Object {
    let obj = Object::new();
    set(&obj, "probs", &Float32Array::from(step.probs.to_vec().as_slice()));
    set(&obj, "attention", &step.attention.as_ref().map_or(JsValue::NULL, tensor_to_js));
    set(&obj, "hidden", &step.hidden.as_ref().map_or(JsValue::NULL, tensor_to_js));
    obj
}
