//! Issue 9's library cases: inputs that used to abort, panic or be accepted as
//! nonsense now give a clear, typed error (or a correct result), and every
//! allocation sized by the input is checked against the memory budget first.
//! These tests use the default budget (4 GB natively) and never allocate what
//! they ask for: an over-budget request must fail before allocating.

use glasswing::budget;
use glasswing::decode::{generate, Session};
use glasswing::init::ModelSizes;
use glasswing::model::GptConfig;
use glasswing::sample::{Sampler, SamplerSettings};
use glasswing::train::tasks::Task;
use glasswing::train::trainer::{TrainOptions, Trainer};
use glasswing::train::evaluate_task;
use glasswing::{Checkpoint, Error, Model};

fn gpt(n_layer: usize, n_head: usize, n_embd: usize, n_positions: usize, vocab: usize) -> Model {
    let sizes = ModelSizes { arch: "gpt2".into(), n_layer, n_head, n_embd, n_positions: Some(n_positions), ..Default::default() };
    sizes.build(vocab, n_positions, 1).unwrap()
}

fn rnn(hidden_size: usize, embed_dim: usize, vocab: usize) -> Model {
    let sizes = ModelSizes { arch: "rnn".into(), hidden_size, embed_dim, ..Default::default() };
    sizes.build(vocab, 0, 1).unwrap()
}

fn over_budget(err: Error) -> (u64, u64, Option<u64>) {
    match err {
        Error::OverBudget { need_bytes, limit_bytes, max, .. } => (need_bytes, limit_bytes, max),
        other => panic!("expected over_budget, got {other}"),
    }
}

#[test]
fn a_trace_too_big_for_memory_is_refused_with_the_length_that_fits() {
    // A small valid model with 200,000 positions, traced over 100,000 tokens:
    // 2 x 4 x 10^10 attention weights, which used to abort the process.
    let model = gpt(2, 4, 4, 200_000, 10);
    let ckpt = Checkpoint { model, tokenizer: None, metadata: Default::default() };
    let ids = vec![1usize; 100_000];
    let err = ckpt.trace_ids(&ids).unwrap_err();
    assert_eq!(err.code(), "over_budget");
    assert!(err.to_string().contains("use at most"), "{err}");
    let (need, limit, max) = over_budget(err);
    assert!(need > limit);
    // The suggested length fits, one more does not.
    let max = max.unwrap() as usize;
    assert!(max > 1000 && max < 100_000, "{max}");
    let values = |t| budget::forward_values(&ckpt.model, 0, t) * 4;
    assert!(values(max) <= limit as u128 && values(max + 1) > limit as u128);
}

#[test]
fn the_longest_trace_the_budget_allows_is_known_before_tracing() {
    // What the page states for the open model (`maxTokens`) is what the trace
    // then allows: that many tokens pass the check, one more is refused with
    // that count; a model whose whole length fits is limited by its length.
    let model = gpt(2, 4, 4, 200_000, 10);
    let max = budget::max_trace_tokens(&model);
    assert!(max > 1000 && max < 200_000, "{max}");
    assert!(model.check_forward(0, &vec![1; max]).is_ok());
    let (_, _, said) = over_budget(model.check_forward(0, &vec![1; max + 1]).unwrap_err());
    assert_eq!(said, Some(max as u64));
    assert_eq!(budget::max_trace_tokens(&gpt(1, 1, 4, 64, 10)), 64);
}

#[test]
fn a_huge_vocabulary_is_refused_before_its_probabilities_are_allocated() {
    // T x V probabilities: 4096 tokens of an RNN over 2 million tokens is 64 GB.
    let model = rnn(1, 1, 2_000_000);
    let err = model.forward(&vec![0; 4096]).map(|_| ()).unwrap_err();
    assert_eq!(err.code(), "over_budget", "{err}");
}

#[test]
fn width_one_models_trace_without_panicking() {
    // n_embd = 1 / hidden_size = 1 made matrix products column-major, and the
    // softmax used to panic on the non-contiguous rows.
    for model in [gpt(2, 1, 1, 16, 7), rnn(1, 1, 7), rnn(1, 3, 7)] {
        let out = model.forward(&[1, 2, 3, 4, 5, 6]).unwrap();
        for row in out.probs.rows() {
            assert!((row.sum() - 1.0).abs() < 1e-5);
        }
        if let Some(att) = &out.attention {
            for row in att.rows() {
                assert!((row.sum() - 1.0).abs() < 1e-5);
            }
        }
        // The step-by-step session agrees with the full forward.
        let mut session = Session::new(&model);
        for (pos, &id) in [1, 2, 3, 4, 5, 6].iter().enumerate() {
            let step = session.push(&model, id).unwrap();
            let diff = (&step.probs - &out.probs.row(pos)).mapv(f32::abs).fold(0.0f32, |a, &b| a.max(b));
            assert!(diff < 1e-5, "{diff}");
        }
    }
}

#[test]
fn generation_steps_that_overflow_or_exceed_memory_are_errors() {
    let model = gpt(1, 1, 4, 32, 7);
    let mut sampler = Sampler::new(SamplerSettings::default()).unwrap();
    let err = generate(&model, &[1, 2], usize::MAX, &mut sampler).unwrap_err();
    assert!(matches!(err, Error::TooLong { .. }), "{err}");
    // An RNN has no position table; the memory of its steps is what limits it.
    let model = rnn(4, 4, 2_000_000);
    let err = generate(&model, &[1], 4000, &mut sampler).unwrap_err();
    assert_eq!(err.code(), "over_budget", "{err}");
    let (_, _, max) = over_budget(err);
    assert!(max.unwrap() < 4000);
}

#[test]
fn nonsense_numbers_in_configs_and_options_are_refused() {
    // layer_norm_epsilon 1e308 is infinite in f32: flat distributions, silently.
    let config = GptConfig { n_layer: 1, n_head: 1, n_embd: 4, n_positions: 8, vocab_size: 5, layer_norm_epsilon: 1e308 };
    let err = config.validate().unwrap_err();
    assert!(matches!(&err, Error::OutOfRange { field, .. } if field == "layer_norm_epsilon"), "{err}");
    // Numbers as people read them: not 309 digits, not 0.000...001.
    assert_eq!(err.to_string(), "config: layer_norm_epsilon = 1e308 is out of range: it must be between 1e-30 and 1");
    for eps in [0.0, -1e-5, f64::NAN, f64::INFINITY] {
        assert!(GptConfig { layer_norm_epsilon: eps, ..config.clone() }.validate().is_err());
    }
    assert!(GptConfig { layer_norm_epsilon: 1e-5, ..config }.validate().is_ok());

    // A learning rate of NaN, inf or 1e30 used to train and save a model `info` rejects.
    for lr in [f32::NAN, f32::INFINITY, 1e30, 0.0, -1e-3] {
        let options = TrainOptions { lr, steps: 2, ..Default::default() };
        let err = Trainer::from_options(&options).err().expect("refused");
        assert!(matches!(&err, Error::OutOfRange { field, .. } if field == "lr"), "{lr}: {err}");
        if lr == 1e30 {
            assert!(err.to_string().contains("lr = 1e30 "), "{err}");
        }
    }
    for (steps, batch_size) in [(0, 16), (10, 0)] {
        let err = Trainer::from_options(&TrainOptions { steps, batch_size, ..Default::default() }).err().expect("refused");
        assert_eq!(err.code(), "at_least");
    }
    // A batch whose activations cannot fit, and a model that cannot.
    let err = Trainer::from_options(&TrainOptions { batch_size: 1 << 40, ..Default::default() }).err().expect("refused");
    assert_eq!(err.code(), "over_budget", "{err}");
    let huge = ModelSizes { n_embd: 1 << 20, n_head: 1, ..Default::default() };
    let err = huge.build(100, 100, 1).unwrap_err();
    assert_eq!(err.code(), "over_budget", "{err}");
}

#[test]
fn evaluation_needs_one_to_a_million_examples() {
    let task = Task::Reverse;
    let sizes = ModelSizes { n_layer: 1, n_head: 1, n_embd: 8, ..Default::default() };
    let model = sizes.build(task.tokenizer().vocab_size(), task.max_len(), 1).unwrap();
    for n in [0, 100_000_000, usize::MAX] {
        let err = evaluate_task(&model, &task, n, 1).unwrap_err();
        assert!(matches!(&err, Error::OutOfRange { field, .. } if field == "n"), "{err}");
        assert!(err.to_string().contains(&format!("n = {n} ")), "the count exactly: {err}");
    }
    assert!(evaluate_task(&model, &task, 3, 1).is_ok());
    // A model of another vocabulary is named, not indexed out of bounds.
    let err = evaluate_task(&model, &Task::Toy, 3, 1).unwrap_err();
    assert_eq!(err.code(), "config");
}

#[test]
fn every_error_has_a_stable_code_and_its_fields() {
    let cases: Vec<(Error, &str, serde_json::Value)> = vec![
        (Error::UnknownChar { ch: 'Z', code: 0x5a, pos: 2 }, "unknown_char", serde_json::json!({"char": "Z", "code": 90, "pos": 2})),
        (Error::TooLong { len: 9, max: 8 }, "too_long", serde_json::json!({"len": 9, "max": 8})),
        (Error::Empty, "empty", serde_json::json!({})),
        (Error::Truncated { need: 10, have: 5 }, "truncated", serde_json::json!({"need": 10, "have": 5})),
        (
            Error::NonFinite { name: "w".into(), index: 3, value: f32::NAN },
            "non_finite",
            serde_json::json!({"name": "w", "index": 3, "value": "NaN"}),
        ),
        (
            Error::OverBudget { what: "trace", need_bytes: 10, limit_bytes: 5, max: Some(3), unit: Some("tokens") },
            "over_budget",
            serde_json::json!({"what": "trace", "need_bytes": 10, "limit_bytes": 5, "max": 3, "unit": "tokens"}),
        ),
    ];
    for (err, code, fields) in cases {
        assert_eq!(err.code(), code);
        assert_eq!(err.fields(), fields, "{code}");
        assert!(!err.to_string().contains('\n'));
    }
}
