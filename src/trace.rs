//! The trace: everything one forward pass recorded, the one thing views consume.
//! T tokens, V vocabulary, L layers, H heads, Hd hidden size.

use ndarray::{Array2, Array3, Array4, ArrayView1, ArrayViewD, Axis};
use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use crate::model::{Arch, Kept};
use crate::ops::entropy;

/// A trace kept to answer questions (the page's worker holds one per view):
/// a `Trace` without its [T, V] probabilities, which `Checkpoint::probs_at`
/// computes a position at a time from `kept.resid`.
pub struct KeptTrace {
    pub arch: Arch,
    pub ids: Vec<usize>,           // [T]
    pub tokens: Vec<String>,       // [T]
    pub token_bytes: Vec<Vec<u8>>, // [T]
    pub kept: Kept,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    pub arch: Arch,
    pub ids: Vec<usize>,                // [T]
    pub tokens: Vec<String>,            // [T] display strings (a BPE token's text, <0xE6> for a partial character)
    pub token_bytes: Vec<Vec<u8>>,      // [T] the UTF-8 bytes each token stands for
    pub probs: Array2<f32>,             // [T, V] next-token distribution after each position
    pub attention: Option<Array4<f32>>, // [L, H, T, T] gpt2: row = query, causal
    pub hidden: Option<Array3<f32>>,    // [L, T, Hd] rnn: every layer's state at every step
}

/// Serializes an n-d array as nested JSON arrays of f32 (shortest round-trip form).
pub struct Nested<'a>(pub ArrayViewD<'a, f32>);

impl Serialize for Nested<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.ndim() == 0 {
            return s.serialize_f32(self.0.iter().next().copied().unwrap_or(0.0));
        }
        let mut seq = s.serialize_seq(Some(self.0.len_of(Axis(0))))?;
        for sub in self.0.axis_iter(Axis(0)) {
            if sub.ndim() == 0 {
                seq.serialize_element(&sub.iter().next().copied())?;
            } else {
                seq.serialize_element(&Nested(sub))?;
            }
        }
        seq.end()
    }
}

impl Serialize for Trace {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Trace", 7)?;
        st.serialize_field("arch", self.arch.name())?;
        st.serialize_field("ids", &self.ids)?;
        st.serialize_field("tokens", &self.tokens)?;
        st.serialize_field("token_bytes", &self.token_bytes)?;
        st.serialize_field("probs", &Nested(self.probs.view().into_dyn()))?;
        st.serialize_field("attention", &self.attention.as_ref().map(|a| Nested(a.view().into_dyn())))?;
        st.serialize_field("hidden", &self.hidden.as_ref().map(|h| Nested(h.view().into_dyn())))?;
        st.end()
    }
}

impl Trace {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The `k` most likely next tokens after position `pos`: (id, probability), best first.
    pub fn top_k(&self, pos: usize, k: usize) -> Vec<(usize, f32)> {
        top_k(self.probs.row(pos), k)
    }

    /// Entropy in nats of the next-token distribution after `pos`.
    pub fn entropy(&self, pos: usize) -> f32 {
        entropy(self.probs.row(pos))
    }

    /// For query `pos` in `layer`, `head`: the most attended key position and its weight.
    pub fn most_attended(&self, layer: usize, head: usize, pos: usize) -> Option<(usize, f32)> {
        let att = self.attention.as_ref()?;
        att.slice(ndarray::s![layer, head, pos, ..])
            .iter()
            .copied()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
    }
}

/// The `k` largest entries of a distribution `p` [V]: (id, probability), best first.
pub fn top_k(p: ArrayView1<f32>, k: usize) -> Vec<(usize, f32)> {
    // Most likely first, ties by id: a total order, so selecting the k
    // best in O(V) and sorting only those gives what a full sort gives
    // (a full sort per position was a fifth of a 512-token trace of a
    // 151,936-token vocabulary).
    let order = |a: &(usize, f32), b: &(usize, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if k == 0 {
        return Vec::new();
    }
    let mut ranked: Vec<(usize, f32)> = p.iter().copied().enumerate().collect();
    if k < ranked.len() {
        ranked.select_nth_unstable_by(k - 1, order);
        ranked.truncate(k);
    }
    ranked.sort_by(order);
    ranked
}
