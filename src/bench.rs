//! Benchmark cases shared by the native `glasswing bench` and the browser
//! benchmark, so both time the very same models and inputs.

use crate::checkpoint::Checkpoint;
use crate::init::{init_gpt, init_rnn};
use crate::model::{GptConfig, Nonlinearity, RnnConfig};

pub struct BenchCase {
    pub name: String,
    pub checkpoint: Checkpoint,
    pub ids: Vec<usize>, // [T]
}

fn case(name: String, model: crate::Result<crate::Model>, t: usize, vocab: usize) -> crate::Result<BenchCase> {
    Ok(BenchCase {
        name,
        checkpoint: Checkpoint { model: model?, tokenizer: None, metadata: Default::default() },
        ids: (0..t).map(|i| (i * 7 + 3) % vocab).collect(),
    })
}

/// GPT 2 layers x 4 heads, d=64, V=96 and RNN 2 layers, H=128, V=96, at `t`
/// tokens (an error only when the memory budget cannot hold them).
pub fn cases(t: usize) -> crate::Result<Vec<BenchCase>> {
    let v = 96;
    let gpt = GptConfig { n_layer: 2, n_head: 4, n_embd: 64, n_positions: t.max(64), vocab_size: v, layer_norm_epsilon: 1e-5 };
    let rnn = RnnConfig { vocab_size: v, embed_dim: 64, hidden_size: 128, num_layers: 2, nonlinearity: Nonlinearity::Tanh };
    Ok(vec![
        case(format!("gpt2 L2 H4 d64 V{v} T{t}"), init_gpt(gpt, 1), t, v)?,
        case(format!("rnn L2 H128 E64 V{v} T{t}"), init_rnn(rnn, 1), t, v)?,
    ])
}

/// A model of the user's on `t` seeded random ids of its vocabulary.
pub fn model_case(name: String, checkpoint: Checkpoint, t: usize, seed: u64) -> crate::Result<BenchCase> {
    use rand::{Rng, SeedableRng};
    let vocab = checkpoint.model.vocab_size();
    checkpoint.model.check_forward(0, &vec![0; t])?; // the length and the memory, before any run
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let ids = (0..t).map(|_| rng.random_range(0..vocab)).collect();
    Ok(BenchCase { name, checkpoint, ids })
}

/// Median wall time of `runs` forward-with-trace passes, in microseconds.
#[cfg(not(target_arch = "wasm32"))]
pub fn median_trace_micros(case: &BenchCase, runs: usize) -> crate::Result<f64> {
    let mut times: Vec<f64> = (0..runs.max(1))
        .map(|_| {
            let start = std::time::Instant::now();
            std::hint::black_box(case.checkpoint.trace_ids(&case.ids)?);
            Ok(start.elapsed().as_secs_f64() * 1e6)
        })
        .collect::<crate::Result<_>>()?;
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

/// The training benchmark: the shipped reverse model's sizes and settings.
pub fn reverse_training_options() -> crate::train::trainer::TrainOptions {
    crate::train::trainer::TrainOptions {
        sizes: crate::init::ModelSizes { arch: "gpt2".into(), n_layer: 2, n_head: 2, n_embd: 32, ..Default::default() },
        task: "reverse".into(),
        steps: 3000,
        seed: 1,
        ..Default::default()
    }
}
