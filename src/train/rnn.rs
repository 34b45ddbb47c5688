//! Backpropagation through time over the states the RNN's forward pass records.
//! Gradients land in an `Rnn` of the same shape (see `Model::zeros_like`).
//!
//! Shapes: T tokens, E = embed_dim, H = hidden_size, V vocab.

use ndarray::{Array1, Array2};

use crate::model::{NoProbe, Nonlinearity, Rnn, RnnState, Rows};
use crate::ops::softmax_rows;

/// The forward pass keeps every layer's states in its `RnnState`: that and
/// the ids are all backpropagation through time needs.
pub struct RnnCache {
    ids: Vec<usize>,
    state: RnnState,           // [L] x [T, H]
    pub probs: Array2<f32>,    // [T, V]
}

pub fn forward(m: &Rnn, ids: &[usize]) -> RnnCache {
    let mut state = RnnState::new(&m.config);
    let logits = m.forward(ids, &mut state, &mut NoProbe, Rows::All);
    RnnCache { ids: ids.to_vec(), state, probs: softmax_rows(logits) }
}

/// d act(pre) / d pre, written in terms of the output h = act(pre).
fn act_grad(nonlinearity: Nonlinearity, h: f32) -> f32 {
    match nonlinearity {
        Nonlinearity::Tanh => 1.0 - h * h,
        Nonlinearity::Relu => (h > 0.0) as u8 as f32,
    }
}

/// Accumulates into `g` the gradient for `dlogits` [T, V], through time.
pub fn backward(m: &Rnn, cache: &RnnCache, dlogits: &Array2<f32>, g: &mut Rnn) {
    let cfg = &m.config;
    let states = |k: usize| cache.state.states[k].view(); // [T, H]
    g.head_w += &dlogits.t().dot(&states(cfg.num_layers - 1));
    g.head_b += &dlogits.sum_axis(ndarray::Axis(0));
    let mut dstates = dlogits.dot(&m.head_w); // [T, H] gradient reaching the top layer's states
    for (k, layer) in m.layers.iter().enumerate().rev() {
        let hs = states(k);
        // What layer k read: the embeddings, or the states of the layer below.
        let xs = if k == 0 { m.embed.select(ndarray::Axis(0), &cache.ids) } else { states(k - 1).to_owned() }; // [T, in]
        let gl = &mut g.layers[k];
        let mut dpre_all = Array2::<f32>::zeros(hs.raw_dim()); // [T, H]
        let mut dh_next = Array1::<f32>::zeros(cfg.hidden_size); // from step t+1 through W_hh
        for t in (0..hs.nrows()).rev() {
            let dh = &dstates.row(t) + &dh_next;
            let dpre = ndarray::Zip::from(&dh).and(hs.row(t)).map_collect(|&d, &h| d * act_grad(cfg.nonlinearity, h));
            dh_next = layer.w_hh.t().dot(&dpre);
            if t > 0 {
                // dW_hh += dpre ⊗ h_{t-1}; h_0 = 0 contributes nothing.
                let prev = hs.row(t - 1);
                gl.w_hh += &dpre.view().insert_axis(ndarray::Axis(1)).dot(&prev.insert_axis(ndarray::Axis(0)));
            }
            dpre_all.row_mut(t).assign(&dpre);
        }
        gl.w_ih += &dpre_all.t().dot(&xs);
        let db = dpre_all.sum_axis(ndarray::Axis(0));
        gl.b_ih += &db;
        gl.b_hh += &db;
        dstates = dpre_all.dot(&layer.w_ih); // [T, in]: gradient for the layer below
    }
    for (t, &id) in cache.ids.iter().enumerate() {
        g.embed.row_mut(id).scaled_add(1.0, &dstates.row(t));
    }
}
