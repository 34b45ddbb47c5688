//! The GPT-2 backward pass, block by block in the manner of llm.c's
//! `train_gpt2.c`, over the activations the one forward pass shows its hook
//! points (kept by the `Keep` probe; LayerNorm internals are recomputed from
//! the kept residual stream, the same function on the same input).
//! Gradients land in a `Gpt` of the same shape (see `Model::zeros_like`).
//!
//! Shapes: T tokens, C = n_embd, H heads, D = C / H, V vocab.

use ndarray::{s, Array1, Array2, Array3, ArrayView2, ArrayViewMutD, Axis, Ix2, Ix3};

use crate::model::gpt::Block;
use crate::model::hooks::{Hook, Probe};
use crate::model::{Gpt, KvCache, Rows};
use crate::ops::{gelu_tanh, softmax_rows};

/// What one block's backward pass reads, as the forward's hooks showed it.
#[derive(Default)]
struct Kept {
    resid_pre: Option<Array2<f32>>, // [T, C]
    qkv: Vec<Array2<f32>>,          // q, k, v, each [T, C]
    pattern: Option<Array3<f32>>,   // [H, T, T]
    z: Option<Array2<f32>>,         // [T, C] heads side by side
    resid_mid: Option<Array2<f32>>, // [T, C]
    mlp_pre: Option<Array2<f32>>,   // [T, 4C]
}

/// The probe that keeps what backward needs.
struct Keep {
    blocks: Vec<Kept>,
    resid_final: Option<Array2<f32>>, // [T, C] the last block's output
}

impl Probe for Keep {
    fn at(&mut self, layer: usize, hook: Hook, value: ArrayViewMutD<'_, f32>) {
        let as_rows = |v: ArrayViewMutD<'_, f32>| {
            let t = v.shape()[0];
            let width = v.len() / t.max(1);
            v.to_owned().into_shape_with_order((t, width)).expect("row-major [T, ...]")
        };
        let kept = &mut self.blocks[layer];
        match hook {
            Hook::ResidPre => kept.resid_pre = Some(as_rows(value)),
            Hook::Q | Hook::K | Hook::V => kept.qkv.push(as_rows(value)),
            Hook::Pattern => kept.pattern = Some(value.to_owned().into_dimensionality::<Ix3>().expect("[H, T, T]")),
            Hook::Z => kept.z = Some(as_rows(value)),
            Hook::ResidMid => kept.resid_mid = Some(as_rows(value)),
            Hook::MlpPre => kept.mlp_pre = Some(value.to_owned().into_dimensionality::<Ix2>().expect("[T, 4C]")),
            Hook::ResidPost if layer + 1 == self.blocks.len() => self.resid_final = Some(as_rows(value)),
            _ => {}
        }
    }
}

/// LayerNorm activations kept for the backward pass.
struct NormCache {
    xhat: Array2<f32>, // [T, C] normalised input, before the affine map
    rstd: Array1<f32>, // [T] 1 / sqrt(var + eps)
}

struct BlockCache {
    ln_1: NormCache,
    h1: Array2<f32>,      // [T, C] ln_1 output
    qkv: Array2<f32>,     // [T, 3C]
    att: Array3<f32>,     // [H, T, T] softmax weights
    y: Array2<f32>,       // [T, C] heads merged, before c_proj
    ln_2: NormCache,
    h2: Array2<f32>,      // [T, C] ln_2 output
    fc: Array2<f32>,      // [T, 4C] before GELU
    act: Array2<f32>,     // [T, 4C] after GELU
}

/// Every activation backward reads, from one forward pass over `ids`.
pub(crate) struct GptCache {
    ids: Vec<usize>,
    blocks: Vec<BlockCache>,
    ln_f: NormCache,
    hf: Array2<f32>,              // [T, C] final LayerNorm output
    pub(crate) probs: Array2<f32>, // [T, V]
}

/// LayerNorm that also returns what its backward pass needs (the same
/// arithmetic as `ops::layer_norm`, so the values equal the forward's).
fn norm_forward(x: &Array2<f32>, w: &Array1<f32>, b: &Array1<f32>, eps: f32) -> (Array2<f32>, NormCache) {
    let mut xhat = x.clone();
    let mut rstd = Array1::<f32>::zeros(x.nrows());
    for (mut row, r) in xhat.rows_mut().into_iter().zip(rstd.iter_mut()) {
        let n = row.len() as f32;
        let mean = row.sum() / n;
        let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
        *r = 1.0 / (var + eps).sqrt();
        row.mapv_inplace(|v| (v - mean) * *r);
    }
    let out = &xhat * w + b;
    (out, NormCache { xhat, rstd })
}

/// The forward pass over `ids` (checked by the caller), keeping what backward reads.
pub(crate) fn forward(m: &Gpt, ids: &[usize]) -> GptCache {
    let eps = m.config.eps();
    let mut keep = Keep { blocks: (0..m.config.n_layer).map(|_| Kept::default()).collect(), resid_final: None };
    let logits = m.forward(ids, &mut KvCache::new(&m.config), &mut keep, Rows::All);
    let blocks = m
        .blocks
        .iter()
        .zip(keep.blocks)
        .map(|(b, k)| {
            let missing = "the forward shows every hook point";
            let (h1, ln_1) = norm_forward(&k.resid_pre.expect(missing), &b.ln_1_w, &b.ln_1_b, eps);
            let (h2, ln_2) = norm_forward(&k.resid_mid.expect(missing), &b.ln_2_w, &b.ln_2_b, eps);
            let qkv = ndarray::concatenate(Axis(1), &k.qkv.iter().map(|a| a.view()).collect::<Vec<_>>()).expect("q, k, v");
            let fc = k.mlp_pre.expect(missing);
            let act = fc.mapv(gelu_tanh);
            BlockCache { ln_1, h1, qkv, att: k.pattern.expect(missing), y: k.z.expect(missing), ln_2, h2, fc, act }
        })
        .collect();
    let (hf, ln_f) = norm_forward(&keep.resid_final.expect("the last block's output"), &m.ln_f_w, &m.ln_f_b, eps);
    GptCache { ids: ids.to_vec(), blocks, ln_f, hf, probs: softmax_rows(logits) }
}

/// dout [T, C] -> dx [T, C]; accumulates dw, db.
fn norm_backward(dout: &Array2<f32>, cache: &NormCache, w: &Array1<f32>, dw: &mut Array1<f32>, db: &mut Array1<f32>) -> Array2<f32> {
    *dw += &(dout * &cache.xhat).sum_axis(Axis(0));
    *db += &dout.sum_axis(Axis(0));
    let dxhat = dout * w; // [T, C]
    let mut dx = Array2::<f32>::zeros(dout.raw_dim());
    for t in 0..dout.nrows() {
        let (g, xh) = (dxhat.row(t), cache.xhat.row(t));
        let n = g.len() as f32;
        let mean_g = g.sum() / n;
        let mean_gx = g.iter().zip(xh.iter()).map(|(a, b)| a * b).sum::<f32>() / n;
        let r = cache.rstd[t];
        dx.row_mut(t).iter_mut().zip(g.iter().zip(xh.iter())).for_each(|(d, (gi, xi))| *d = r * (gi - mean_g - xi * mean_gx));
    }
    dx
}

/// Derivative of the tanh-approximated GELU.
fn gelu_grad(x: f32) -> f32 {
    const S: f32 = 0.797_884_6; // sqrt(2 / pi)
    let u = S * (x + 0.044_715 * x * x * x);
    let t = u.tanh();
    0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * S * (1.0 + 3.0 * 0.044_715 * x * x)
}

/// Backward of `affine`: dout [T, out] -> dx [T, in]; accumulates dw, db.
fn affine_backward(dout: &Array2<f32>, x: &ArrayView2<f32>, w: &Array2<f32>, dw: &mut Array2<f32>, db: &mut Array1<f32>) -> Array2<f32> {
    *dw += &x.t().dot(dout);
    *db += &dout.sum_axis(Axis(0));
    dout.dot(&w.t())
}

/// Accumulates into `g` the gradient of the loss whose gradient with respect
/// to the logits is `dlogits` [T, V].
pub(crate) fn backward(m: &Gpt, cache: &GptCache, dlogits: &Array2<f32>, g: &mut Gpt) {
    let cfg = &m.config;
    let (t, c, nh, d) = (cache.ids.len(), cfg.n_embd, cfg.n_head, cfg.head_dim());
    let head = m.head();
    let dhead = dlogits.t().dot(&cache.hf); // [V, C]
    match g.lm_head.as_mut() {
        Some(gh) => *gh += &dhead,
        None => g.wte += &dhead,
    }
    let dhf = dlogits.dot(head); // [T, C]
    let mut dx = norm_backward(&dhf, &cache.ln_f, &m.ln_f_w, &mut g.ln_f_w, &mut g.ln_f_b);

    for (l, (b, bc)) in m.blocks.iter().zip(&cache.blocks).enumerate().rev() {
        let gb: &mut Block = &mut g.blocks[l];
        // MLP: x += gelu(h2 W_fc + b) W_proj + b
        let dact = affine_backward(&dx, &bc.act.view(), &b.mlp_proj_w, &mut gb.mlp_proj_w, &mut gb.mlp_proj_b);
        let dfc = &dact * &bc.fc.mapv(gelu_grad);
        let dh2 = affine_backward(&dfc, &bc.h2.view(), &b.c_fc_w, &mut gb.c_fc_w, &mut gb.c_fc_b);
        dx += &norm_backward(&dh2, &bc.ln_2, &b.ln_2_w, &mut gb.ln_2_w, &mut gb.ln_2_b);
        // Attention: x += merge(softmax(q k^T / sqrt(D)) v) W_proj + b
        let dy = affine_backward(&dx, &bc.y.view(), &b.attn_proj_w, &mut gb.attn_proj_w, &mut gb.attn_proj_b);
        let mut dqkv = Array2::<f32>::zeros((t, 3 * c));
        let scale = 1.0 / (d as f32).sqrt();
        for h in 0..nh {
            let (qs, ks, vs) = (s![.., h * d..(h + 1) * d], s![.., c + h * d..c + (h + 1) * d], s![.., 2 * c + h * d..2 * c + (h + 1) * d]);
            let a = bc.att.slice(s![h, .., ..]); // [T, T]
            let dy_h = dy.slice(s![.., h * d..(h + 1) * d]); // [T, D]
            let datt = dy_h.dot(&bc.qkv.slice(vs).t()); // [T, T]
            dqkv.slice_mut(vs).assign(&a.t().dot(&dy_h));
            // Softmax backward per row; masked entries have a = 0 and stay 0.
            let mut dpre = Array2::<f32>::zeros((t, t));
            for i in 0..t {
                let dot: f32 = (0..=i).map(|j| a[[i, j]] * datt[[i, j]]).sum();
                for j in 0..=i {
                    dpre[[i, j]] = a[[i, j]] * (datt[[i, j]] - dot) * scale;
                }
            }
            dqkv.slice_mut(qs).assign(&dpre.dot(&bc.qkv.slice(ks)));
            dqkv.slice_mut(ks).assign(&dpre.t().dot(&bc.qkv.slice(qs)));
        }
        let dh1 = affine_backward(&dqkv, &bc.h1.view(), &b.c_attn_w, &mut gb.c_attn_w, &mut gb.c_attn_b);
        dx += &norm_backward(&dh1, &bc.ln_1, &b.ln_1_w, &mut gb.ln_1_w, &mut gb.ln_1_b);
    }
    // Embeddings: token rows and position rows receive the residual gradient.
    for (pos, &id) in cache.ids.iter().enumerate() {
        let row = dx.row(pos);
        g.wte.row_mut(id).scaled_add(1.0, &row);
        g.wpe.row_mut(pos).scaled_add(1.0, &row);
    }
}
