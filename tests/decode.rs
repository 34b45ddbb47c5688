//! Step-by-step decoding equals the full forward pass: every step's
//! distribution, attention rows and hidden states, within 1e-5.

mod common;

use common::{expected, open};
use glasswing::decode::{generate, Session};
use glasswing::sample::{Sampler, SamplerSettings};
use ndarray::s;

const TOLERANCE: f32 = 1e-5;

fn max_diff<'a>(a: impl IntoIterator<Item = &'a f32>, b: impl IntoIterator<Item = &'a f32>) -> f32 {
    a.into_iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

fn check(case: &str) {
    let ckpt = open(&format!("{case}.safetensors"));
    let ids = expected(case.trim_end_matches("/model")).ids;
    let full = ckpt.trace_ids(&ids).unwrap();
    let mut session = Session::new(&ckpt.model);
    let mut worst = 0.0f32;
    for (t, &id) in ids.iter().enumerate() {
        let step = session.push(&ckpt.model, id).unwrap();
        let d = max_diff(&step.probs, full.probs.row(t));
        if let (Some(att), Some(full_att)) = (&step.attention, &full.attention) {
            assert_eq!(att.shape()[2], t + 1);
            let d = max_diff(att, &full_att.slice(s![.., .., t, ..=t]));
            assert!(d < TOLERANCE, "{case} step {t}: attention rows differ by {d}");
            worst = worst.max(d);
        }
        if let (Some(hidden), Some(full_hidden)) = (&step.hidden, &full.hidden) {
            let d = max_diff(hidden, &full_hidden.slice(s![.., t, ..]));
            assert!(d < TOLERANCE, "{case} step {t}: hidden differs by {d}");
            worst = worst.max(d);
        }
        assert!(d < TOLERANCE, "{case} step {t}: probs differ by {d}");
        worst = worst.max(d);
    }
    eprintln!("{case}: {} steps, worst difference from the full pass {worst:.1e}", ids.len());
}

#[test]
fn gpt_steps_equal_the_full_pass() {
    for case in ["gpt_l1_h1", "gpt_l2_h4_zh", "gpt_l3_h2_untied", "gpt_original_layout/model", "hub/gpt2_tiny/model"] {
        check(case);
    }
}

#[test]
fn llama_family_steps_equal_the_full_pass() {
    // The KV cache holds rotated keys: each step rotates only its own position.
    for case in ["hub/llama_tiny/model", "hub/qwen2_tiny_bf16/model"] {
        check(case);
    }
}

#[test]
fn rnn_steps_equal_the_full_pass() {
    for case in ["rnn_tanh_l1", "rnn_relu_l2", "rnn_tanh_l2_zh", "rnn_book_32_64"] {
        check(case);
    }
}

#[test]
fn truncating_and_branching_matches_a_fresh_session() {
    for file in ["gpt_l2_h4_zh.safetensors", "rnn_tanh_l2_zh.safetensors"] {
        let model = open(file).model;
        let mut session = Session::new(&model);
        session.extend(&model, &[1, 2, 3, 4, 5]).unwrap();
        session.truncate(2);
        let branched = session.extend(&model, &[7, 8]).unwrap();
        let fresh = Session::new(&model).extend(&model, &[1, 2, 7, 8]).unwrap();
        assert_eq!(branched, fresh, "{file}");
        assert_eq!(session.ids(), &[1, 2, 7, 8]);
    }
}

#[test]
fn sessions_refuse_bad_tokens_and_overlong_sequences() {
    let model = open("gpt_l2_h4_zh.safetensors").model; // n_positions 24
    let mut session = Session::new(&model);
    assert!(session.push(&model, 999).is_err());
    session.extend(&model, &[1; 24]).unwrap();
    assert!(matches!(session.push(&model, 1), Err(glasswing::Error::TooLong { len: 25, max: 24 })));
    assert_eq!(session.len(), 24, "a refused token changes nothing");
}

#[test]
fn generation_is_seeded_and_records_each_step() {
    let ckpt = open("gpt_l2_h4_zh.safetensors");
    let settings = SamplerSettings { seed: 5, temperature: 0.8, top_k: Some(5), ..Default::default() };
    let run = || generate(&ckpt.model, &[1, 2], 6, &mut Sampler::new(settings.clone()).unwrap()).unwrap();
    let (a, b) = (run(), run());
    assert_eq!(a, b);
    assert_eq!(a.len(), 6);
    for (k, step) in a.iter().enumerate() {
        assert!(step.probs[step.id] > 0.0, "drawn from where the filtered distribution has mass");
        assert_eq!(step.probs.iter().filter(|&&p| p > 0.0).count(), 5, "top-k 5");
        assert!((step.raw_probs.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        assert_eq!(step.attention.as_ref().unwrap().shape(), &[2, 4, 2 + k + 1]);
    }
    // The raw distribution of step k is the full pass's row after the prefix.
    let ids: Vec<usize> = [1, 2].into_iter().chain(a.iter().map(|s| s.id)).collect();
    let full = ckpt.trace_ids(&ids).unwrap();
    for (k, step) in a.iter().enumerate() {
        assert!(max_diff(&step.raw_probs, full.probs.row(1 + k)) < TOLERANCE);
    }
    assert!(generate(&ckpt.model, &[1; 20], 5, &mut Sampler::new(settings).unwrap()).is_err(), "20 + 5 > 24 positions");
}
