//! The training loop's state: model, optimiser, schedule, task and RNG, one
//! `step` at a time, so the CLI and the browser worker drive it alike.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::checkpoint::Checkpoint;
use crate::error::{Error, Result};
use crate::init::ModelSizes;
use crate::model::Model;
use crate::tokenizer::Tokenizer;
use crate::train::optim::{clip_grad_norm, AdamW, Schedule};
use crate::train::tasks::Task;
use crate::train::{evaluate, loss_and_grads, Example, Metrics};

/// Learning rates outside these make no sense for AdamW (and NaN never does).
pub const MIN_LR: f64 = 1e-6;
pub const MAX_LR: f64 = 10.0;

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

/// Everything needed to start training, as the CLI and the page give it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct TrainOptions {
    #[serde(flatten)]
    pub sizes: ModelSizes,
    pub task: String,
    /// The text of the `text` task.
    pub text: Option<String>,
    pub seed: u64,
    pub steps: usize,
    pub batch_size: usize,
    pub lr: f32,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self { sizes: ModelSizes::default(), task: "reverse".into(), text: None, seed: 1, steps: 2000, batch_size: 16, lr: 3e-3 }
    }
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

    /// A fresh model of the options' sizes over the task's vocabulary, ready to train.
    pub fn from_options(options: &TrainOptions) -> Result<Self> {
        let task = Task::parse(&options.task, options.text.as_deref())?;
        Error::check_at_least("steps", options.steps, 1)?;
        Error::check_at_least("batch_size", options.batch_size, 1)?;
        Error::check_range("lr", options.lr, MIN_LR, MAX_LR)?;
        let model = options.sizes.build(task.tokenizer().vocab_size(), task.max_len(), options.seed)?;
        // Inputs are an example without its last token: the positions they need.
        Error::check_at_least("n_positions", model.max_len(), task.max_len().saturating_sub(1))?;
        crate::budget::check_training(&model, options.batch_size, task.max_len())?;
        let mut settings = TrainSettings::new(&task, options.steps, options.seed);
        settings.batch_size = options.batch_size;
        settings.lr = options.lr;
        Ok(Self::new(model, task, settings))
    }

    /// The model as a checkpoint recording its task, settings and, if given,
    /// its metrics on `n` held-out examples.
    pub fn checkpoint(&self, metrics: Option<(&Metrics, usize)>) -> Checkpoint {
        let mut metadata = std::collections::BTreeMap::new();
        metadata.insert("task".into(), self.task.name().to_string());
        metadata.insert("training".into(), serde_json::to_string(&self.settings).expect("settings serialize"));
        if let Some((m, n)) = metrics {
            let json = serde_json::json!({
                "exact_match": m.exact_match, "token_accuracy": m.token_accuracy, "loss": m.loss, "n": n, "steps": self.step,
            });
            metadata.insert("metrics".into(), json.to_string());
        }
        Checkpoint { model: self.model.clone(), tokenizer: Some(self.tokenizer.clone()), metadata }
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
        evaluate(&self.model, self.task.held_out(n, self.settings.seed))
    }
}
