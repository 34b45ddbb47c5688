//! AdamW with PyTorch's exact update, global-norm gradient clipping as
//! `torch.nn.utils.clip_grad_norm_`, and a warmup + cosine learning-rate schedule.

use crate::model::Model;

#[derive(Debug, Clone, PartialEq)]
pub struct AdamW {
    pub beta1: f32,
    pub beta2: f32,
    pub eps: f32,
    /// Decoupled weight decay, applied to matrices only (not biases, norms or
    /// vectors), as nanoGPT and llm.c do.
    pub weight_decay: f32,
    step: i32,
    m: Vec<Vec<f32>>, // first moments, one per parameter tensor
    v: Vec<Vec<f32>>, // second moments
}

impl AdamW {
    pub fn new(model: &Model, weight_decay: f32) -> Self {
        let zeros: Vec<Vec<f32>> = model.params().iter().map(|(_, a)| vec![0.0; a.len()]).collect();
        Self { beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay, step: 0, m: zeros.clone(), v: zeros }
    }

    pub fn steps_taken(&self) -> i32 {
        self.step
    }

    /// One update of `model` with gradients `grads` (a model of the same shape).
    pub fn update(&mut self, model: &mut Model, grads: &Model, lr: f32) {
        self.step += 1;
        let bc1 = 1.0 - self.beta1.powi(self.step);
        let bc2_sqrt = (1.0 - self.beta2.powi(self.step)).sqrt();
        let step_size = lr / bc1;
        let grads = grads.params();
        for (((_, mut p), (_, g)), (m, v)) in model.params_mut().into_iter().zip(grads).zip(self.m.iter_mut().zip(self.v.iter_mut())) {
            let decay = if p.ndim() >= 2 { 1.0 - lr * self.weight_decay } else { 1.0 };
            for (((p, &g), m), v) in p.iter_mut().zip(g.iter()).zip(m.iter_mut()).zip(v.iter_mut()) {
                *p *= decay;
                *m = self.beta1 * *m + (1.0 - self.beta1) * g;
                *v = self.beta2 * *v + (1.0 - self.beta2) * g * g;
                let denom = v.sqrt() / bc2_sqrt + self.eps;
                *p -= step_size * *m / denom;
            }
        }
    }
}

/// Scales `grads` so their global L2 norm is at most `max_norm`; returns the norm before.
pub fn clip_grad_norm(grads: &mut Model, max_norm: f32) -> f32 {
    let norm = grads.params().iter().flat_map(|(_, a)| a.iter().map(|g| g * g)).sum::<f32>().sqrt();
    let coef = max_norm / (norm + 1e-6);
    if coef < 1.0 {
        grads.params_mut().into_iter().for_each(|(_, mut a)| a.mapv_inplace(|g| g * coef));
    }
    norm
}

/// Linear warmup to `lr`, then cosine decay to `lr * min_ratio` at `total` steps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    pub lr: f32,
    pub warmup: usize,
    pub total: usize,
    pub min_ratio: f32,
}

impl Schedule {
    pub fn at(&self, step: usize) -> f32 {
        if step < self.warmup {
            return self.lr * (step + 1) as f32 / self.warmup as f32;
        }
        let span = self.total.saturating_sub(self.warmup).max(1);
        let progress = ((step - self.warmup) as f32 / span as f32).min(1.0);
        let cosine = 0.5 * (1.0 + (std::f32::consts::PI * progress).cos());
        self.lr * (self.min_ratio + (1.0 - self.min_ratio) * cosine)
    }
}
