//! Incremental decoding: a session keeps the model's cache (the KV cache of a
//! GPT, every state of an RNN) and runs the one forward pass on the new
//! tokens only, recording the newest position's attention rows (or states)
//! and next-token distribution. Each step equals the full forward pass over
//! the whole sequence (tests/decode.rs).
//!
//! Shapes: T tokens so far, H heads, V vocab, L layers, Hd hidden size.

use ndarray::{Array1, Array2, Array3, Axis};

use crate::error::{Error, Result};
use crate::model::{finite_softmax, Cache, Model, Recorder, Rows};

/// What one step recorded about the newest token.
#[derive(Debug, Clone, PartialEq)]
pub struct StepOutput {
    pub probs: Array1<f32>,             // [V] distribution of the next token
    pub attention: Option<Array3<f32>>, // [L, H, T] the newest query's attention row, every head
    pub hidden: Option<Array2<f32>>,    // [L, Hd] the new hidden state of every layer
}

#[derive(Debug, Clone)]
pub struct Session {
    ids: Vec<usize>,
    cache: Cache,
}

impl Session {
    pub fn new(model: &Model) -> Self {
        Self { ids: Vec::new(), cache: model.new_cache() }
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
        self.cache.truncate(len);
    }

    /// Feeds one token at position `len()`; returns what the model computed for it.
    pub fn push(&mut self, model: &Model, id: usize) -> Result<StepOutput> {
        self.extend(model, &[id])
    }

    /// Feeds several tokens in one forward pass; returns the last one's step.
    /// All or nothing: on an error the session is as it was.
    pub fn extend(&mut self, model: &Model, ids: &[usize]) -> Result<StepOutput> {
        let before = self.len();
        model.check_forward(before, ids)?; // before the recorder allocates
        let mut recorder = Recorder::new(model, before, ids.len(), Rows::Last);
        let step = model
            .forward_with(ids, &mut self.cache, &mut recorder, Rows::Last)
            .and_then(finite_softmax); // [1, V]
        match step {
            Ok(probs) => {
                self.ids.extend_from_slice(ids);
                Ok(StepOutput {
                    probs: probs.remove_axis(Axis(0)),
                    attention: recorder.attention.map(|a| a.remove_axis(Axis(2))), // [L, H, T]
                    hidden: recorder.hidden.map(|h| h.remove_axis(Axis(1))),       // [L, Hd]
                })
            }
            Err(e) => {
                self.cache.truncate(before);
                Err(e)
            }
        }
    }
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
