//! The GPT-2 backward pass, block by block in the manner of llm.c's
//! `train_gpt2.c`, over the activations the forward pass keeps
//! (`model::gpt::forward_with_activations`).
//! Gradients land in a `Gpt` of the same shape (see `Model::zeros_like`).
//!
//! Shapes: T tokens, C = n_embd, H heads, D = C / H, V vocab.

use ndarray::{s, Array1, Array2, ArrayView2, Axis};

use crate::model::gpt::{Block, GptCache, NormCache};
use crate::model::Gpt;

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
    let head = m.lm_head.as_ref().unwrap_or(&m.wte);
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
