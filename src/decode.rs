//! Incremental decoding: a session keeps the KV cache (GPT) or the hidden
//! states (RNN) and computes only the newest position at each step, recording
//! that step's attention rows and next-token distribution. Each step equals
//! the full forward pass over the whole sequence (tests/decode.rs).
//!
//! Shapes: T tokens so far, C = n_embd, H heads, D = C / H, V vocab, L layers.

use ndarray::{s, Array1, Array2, Array3, ArrayViewMut1, Axis};

use crate::error::{Error, Result};
use crate::model::{Gpt, Model, Rnn};
use crate::ops::{gelu_tanh, layer_norm, linear, linear_t, softmax_inplace, softmax_rows};

/// What one step recorded about the newest token.
#[derive(Debug, Clone, PartialEq)]
pub struct StepOutput {
    pub probs: Array1<f32>,             // [V] distribution of the next token
    pub attention: Option<Array3<f32>>, // [L, H, T] the newest query's attention row, every head
    pub hidden: Option<Array2<f32>>,    // [L, Hd] the new hidden state of every layer
}

#[derive(Debug, Clone)]
enum State {
    /// Per layer, keys and values of every position so far: [T, C] as rows.
    Gpt { keys: Vec<Vec<Array1<f32>>>, values: Vec<Vec<Array1<f32>>> },
    /// Per step, every layer's hidden state after it: history[t][l] is [Hd].
    Rnn { history: Vec<Vec<Array1<f32>>> },
}

#[derive(Debug, Clone)]
pub struct Session {
    ids: Vec<usize>,
    state: State,
}

impl Session {
    pub fn new(model: &Model) -> Self {
        let state = match model {
            Model::Gpt(m) => State::Gpt { keys: vec![Vec::new(); m.config.n_layer], values: vec![Vec::new(); m.config.n_layer] },
            Model::Rnn(_) => State::Rnn { history: Vec::new() },
        };
        Self { ids: Vec::new(), state }
    }

    pub fn ids(&self) -> &[usize] {
        &self.ids
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Forgets every position from `len` on (for stepping back and branching).
    pub fn truncate(&mut self, len: usize) {
        self.ids.truncate(len);
        match &mut self.state {
            State::Gpt { keys, values } => keys.iter_mut().chain(values.iter_mut()).for_each(|rows| rows.truncate(len)),
            State::Rnn { history } => history.truncate(len),
        }
    }

    /// Feeds one token at position `len()`; returns what the model computed for it.
    pub fn push(&mut self, model: &Model, id: usize) -> Result<StepOutput> {
        if id >= model.vocab_size() {
            return Err(Error::IdOutOfRange { id, pos: self.len(), vocab_size: model.vocab_size() });
        }
        if self.len() + 1 > model.max_len() {
            return Err(Error::TooLong { len: self.len() + 1, max: model.max_len() });
        }
        let out = match (model, &mut self.state) {
            (Model::Gpt(m), State::Gpt { keys, values }) => gpt_step(m, id, self.ids.len(), keys, values),
            (Model::Rnn(m), State::Rnn { history }) => rnn_step(m, id, history),
            _ => return Err(Error::Config("this session was started with another model".into())),
        };
        if out.probs.iter().any(|p| !p.is_finite()) {
            self.truncate(self.ids.len()); // drop the state pushed for this token
            return Err(Error::Overflow("probs".into()));
        }
        self.ids.push(id);
        Ok(out)
    }

    /// Feeds several tokens; returns the last step's output.
    pub fn extend(&mut self, model: &Model, ids: &[usize]) -> Result<StepOutput> {
        let mut last = Err(Error::Empty);
        for &id in ids {
            last = Ok(self.push(model, id)?);
        }
        last
    }
}

fn gpt_step(m: &Gpt, id: usize, pos: usize, keys: &mut [Vec<Array1<f32>>], values: &mut [Vec<Array1<f32>>]) -> StepOutput {
    let cfg = &m.config;
    let (c, nh, d) = (cfg.n_embd, cfg.n_head, cfg.head_dim());
    let t = pos + 1;
    let scale = 1.0 / (d as f32).sqrt();
    let mut attention = Array3::<f32>::zeros((cfg.n_layer, nh, t));
    // x: [1, C] the newest position's residual stream
    let mut x = (&m.wte.row(id) + &m.wpe.row(pos)).insert_axis(Axis(0));
    for (l, b) in m.blocks.iter().enumerate() {
        let h = layer_norm(&x, &b.ln_1_w, &b.ln_1_b, cfg.eps());
        let qkv = linear(&h.view(), &b.c_attn_w.view(), &b.c_attn_b.view()).remove_axis(Axis(0)); // [3C]
        keys[l].push(qkv.slice(s![c..2 * c]).to_owned());
        values[l].push(qkv.slice(s![2 * c..]).to_owned());
        let mut y = Array1::<f32>::zeros(c); // heads side by side
        for head in 0..nh {
            let hs = s![head * d..(head + 1) * d];
            let q = qkv.slice(hs);
            let mut row: Vec<f32> = keys[l].iter().map(|k| q.dot(&k.slice(hs)) * scale).collect(); // [T]
            softmax_inplace(ArrayViewMut1::from(&mut row[..]));
            for (w, v) in row.iter().zip(&values[l]) {
                y.slice_mut(hs).scaled_add(*w, &v.slice(hs));
            }
            attention.slice_mut(s![l, head, ..]).assign(&Array1::from(row));
        }
        let y = y.insert_axis(Axis(0));
        x = x + linear(&y.view(), &b.attn_proj_w.view(), &b.attn_proj_b.view());
        let h = layer_norm(&x, &b.ln_2_w, &b.ln_2_b, cfg.eps());
        let a = linear(&h.view(), &b.c_fc_w.view(), &b.c_fc_b.view()).mapv_into(gelu_tanh);
        x = x + linear(&a.view(), &b.mlp_proj_w.view(), &b.mlp_proj_b.view());
    }
    let x = layer_norm(&x, &m.ln_f_w, &m.ln_f_b, cfg.eps());
    let head = m.lm_head.as_ref().unwrap_or(&m.wte);
    let probs = softmax_rows(linear_t(&x.view(), &head.view(), None)).remove_axis(Axis(0)); // [V]
    StepOutput { probs, attention: Some(attention), hidden: None }
}

fn rnn_step(m: &Rnn, id: usize, history: &mut Vec<Vec<Array1<f32>>>) -> StepOutput {
    let cfg = &m.config;
    let mut hidden = Array2::<f32>::zeros((cfg.num_layers, cfg.hidden_size));
    let mut input = m.embed.row(id).to_owned(); // [E], then [Hd]
    let mut states = Vec::with_capacity(cfg.num_layers);
    for (l, layer) in m.layers.iter().enumerate() {
        let prev = history.last().map(|h| h[l].clone()).unwrap_or_else(|| Array1::zeros(cfg.hidden_size)); // h_0 = 0
        let pre = layer.w_ih.dot(&input) + &layer.b_ih + layer.w_hh.dot(&prev) + &layer.b_hh;
        let h = pre.mapv_into(|v| cfg.nonlinearity.apply(v));
        hidden.row_mut(l).assign(&h);
        states.push(h.clone());
        input = h;
    }
    history.push(states);
    let logits = m.head_w.dot(&input) + &m.head_b; // [V]
    let probs = softmax_rows(logits.insert_axis(Axis(0))).remove_axis(Axis(0));
    StepOutput { probs, attention: None, hidden: Some(hidden) }
}

/// One generated token: the distribution it came from before and after the
/// sampler's filters, and what the model computed when it was fed back in.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedStep {
    pub id: usize,
    pub raw_probs: Vec<f32>,            // [V] temperature 1, no filter
    pub probs: Vec<f32>,                // [V] what was sampled from
    pub attention: Option<Array3<f32>>, // [L, H, T] the new token's attention row, T including it
    pub hidden: Option<Array2<f32>>,    // [L, Hd] the new hidden state of every layer
}

/// Feeds `prompt`, then writes `steps` tokens, each drawn by `sampler` from
/// the distribution after the last token and fed back in.
pub fn generate(model: &Model, prompt: &[usize], steps: usize, sampler: &mut crate::sample::Sampler) -> Result<Vec<GeneratedStep>> {
    if prompt.is_empty() {
        return Err(Error::Empty);
    }
    match prompt.len().checked_add(steps) {
        Some(len) if len <= model.max_len() => {}
        len => return Err(Error::TooLong { len: len.unwrap_or(usize::MAX), max: model.max_len() }),
    }
    model.check_ids(prompt)?;
    crate::budget::check_generation(model, prompt.len(), steps)?;
    let mut session = Session::new(model);
    let mut last = session.extend(model, prompt)?;
    let mut out = Vec::with_capacity(steps);
    for _ in 0..steps {
        let choice = sampler.choose(&last.probs.to_vec());
        last = session.push(model, choice.id)?;
        out.push(GeneratedStep {
            id: choice.id,
            raw_probs: choice.raw,
            probs: choice.probs,
            attention: last.attention.clone(),
            hidden: last.hidden.clone(),
        });
    }
    Ok(out)
}
