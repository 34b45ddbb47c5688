//! The training loop's state: model, optimiser, schedule, task and RNG, one
//! `step` at a time, so the CLI and the browser worker drive it alike.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::model::Model;
use crate::tokenizer::Tokenizer;
use crate::train::optim::{clip_grad_norm, AdamW, Schedule};
use crate::train::tasks::Task;
use crate::train::{evaluate, loss_and_grads, Example, Metrics};

#[derive(Debug, Clone, Serialize)]
pub struct TrainSettings {
    pub task: String,
    pub steps: usize,
    pub batch_size: usize,
    pub lr: f32,
    pub warmup: usize,
    pub weight_decay: f32,
    pub grad_clip: f32,
    pub seed: u64,
}

impl TrainSettings {
    pub fn new(task: &Task, steps: usize, seed: u64) -> Self {
        Self { task: task.name().into(), steps, batch_size: 16, lr: 3e-3, warmup: 50.min(steps / 10 + 1), weight_decay: 0.01, grad_clip: 1.0, seed }
    }
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct StepStats {
    pub step: usize,
    pub loss: f32,
    pub lr: f32,
    pub grad_norm: f32,
    pub tokens: usize,
}

pub struct Trainer {
    pub model: Model,
    pub task: Task,
    pub tokenizer: Tokenizer,
    pub settings: TrainSettings,
    optimizer: AdamW,
    schedule: Schedule,
    rng: ChaCha8Rng,
    step: usize,
}

impl Trainer {
    pub fn new(model: Model, task: Task, settings: TrainSettings) -> Self {
        let schedule = Schedule { lr: settings.lr, warmup: settings.warmup, total: settings.steps, min_ratio: 0.1 };
        Self {
            optimizer: AdamW::new(&model, settings.weight_decay),
            tokenizer: task.tokenizer(),
            rng: ChaCha8Rng::seed_from_u64(settings.seed),
            model,
            task,
            schedule,
            settings,
            step: 0,
        }
    }

    pub fn steps_done(&self) -> usize {
        self.step
    }

    pub fn batch(&mut self) -> Vec<Example> {
        (0..self.settings.batch_size).map(|_| self.task.sample(&mut self.rng, &self.tokenizer)).collect()
    }

    /// One optimiser step on a fresh batch.
    pub fn step(&mut self) -> StepStats {
        let batch = self.batch();
        let tokens = batch.iter().map(|e| e.tokens.len() - 1).sum();
        let (loss, mut grads) = loss_and_grads(&self.model, &batch);
        let grad_norm = clip_grad_norm(&mut grads, self.settings.grad_clip);
        let lr = self.schedule.at(self.step);
        self.optimizer.update(&mut self.model, &grads, lr);
        self.step += 1;
        StepStats { step: self.step, loss, lr, grad_norm, tokens }
    }

    /// Metrics on `n` held-out examples (another seed than training's).
    pub fn evaluate(&self, n: usize) -> Metrics {
        evaluate(&self.model, &self.task.held_out(n, self.settings.seed))
    }
}
