//! Properties every trace and every checkpoint must have, on every fixture.

mod common;

use common::{expected, fixture, open};
use glasswing::{Checkpoint, Error};

const FIXTURES: [&str; 9] = [
    "gpt_l1_h1", "gpt_l2_h4_zh", "gpt_l3_h2_untied", "gpt_hf_save_pretrained/model", "gpt_original_layout/model",
    "rnn_tanh_l1", "rnn_relu_l2", "rnn_tanh_l2_zh", "rnn_book_32_64",
];

fn case_name(file: &str) -> &str {
    file.trim_end_matches("/model")
}

fn traced(file: &str) -> (Checkpoint, glasswing::Trace) {
    let ckpt = open(&format!("{file}.safetensors"));
    let ids = expected(case_name(file)).ids;
    let trace = ckpt.trace_ids(&ids).unwrap();
    (ckpt, trace)
}

#[test]
fn every_probs_row_sums_to_one() {
    for file in FIXTURES {
        let (_, trace) = traced(file);
        for (pos, row) in trace.probs.rows().into_iter().enumerate() {
            let sum: f32 = row.sum();
            assert!((sum - 1.0).abs() < 1e-5, "{file} position {pos}: probs sum to {sum}");
            assert!(row.iter().all(|&p| (0.0..=1.0).contains(&p)));
        }
    }
}

#[test]
fn attention_rows_sum_to_one_and_are_causal() {
    for file in FIXTURES.iter().filter(|f| f.starts_with("gpt")) {
        let (_, trace) = traced(file);
        let att = trace.attention.as_ref().unwrap(); // [L, H, T, T]
        let t = trace.len();
        for ((l, h, q, k), &w) in att.indexed_iter() {
            if k > q {
                assert_eq!(w, 0.0, "{file} L{l} H{h}: query {q} attends to future key {k}");
            }
            let _ = t;
        }
        for lane in att.lanes(ndarray::Axis(3)) {
            let sum: f32 = lane.sum();
            assert!((sum - 1.0).abs() < 1e-5, "{file}: an attention row sums to {sum}");
        }
    }
}

#[test]
fn shapes_follow_the_trace_contract() {
    for file in FIXTURES {
        let (ckpt, trace) = traced(file);
        let t = trace.len();
        assert_eq!(trace.probs.shape(), &[t, ckpt.model.vocab_size()]);
        assert_eq!(trace.tokens.len(), t);
        match &ckpt.model {
            glasswing::Model::Gpt(m) => {
                assert_eq!(trace.attention.as_ref().unwrap().shape(), &[m.config.n_layer, m.config.n_head, t, t]);
                assert!(trace.hidden.is_none());
            }
            glasswing::Model::Llama(m) => {
                let c = &m.config;
                assert_eq!(trace.attention.as_ref().unwrap().shape(), &[c.num_hidden_layers, c.num_attention_heads, t, t]);
                assert!(trace.hidden.is_none());
            }
            glasswing::Model::Rnn(m) => {
                assert_eq!(trace.hidden.as_ref().unwrap().shape(), &[m.config.num_layers, t, m.config.hidden_size]);
                assert!(trace.attention.is_none());
            }
        }
    }
}

#[test]
fn the_same_input_gives_the_same_trace() {
    for file in FIXTURES {
        let (ckpt, first) = traced(file);
        let again = ckpt.trace_ids(&first.ids).unwrap();
        assert_eq!(first, again, "{file}: two traces of the same input differ");
    }
}

#[test]
fn a_prefix_sees_the_same_past() {
    // Causality end to end: the first k positions do not depend on what follows.
    for file in FIXTURES {
        let (ckpt, full) = traced(file);
        let k = full.len() / 2 + 1;
        let prefix = ckpt.trace_ids(&full.ids[..k]).unwrap();
        let d = (&prefix.probs - &full.probs.slice(ndarray::s![..k, ..])).mapv(f32::abs).fold(0.0f32, |a, &b| a.max(b));
        assert!(d < 1e-5, "{file}: prefix probs differ by {d}");
    }
}

#[test]
fn save_and_load_round_trip_exactly() {
    for file in FIXTURES {
        let ckpt = open(&format!("{file}.safetensors"));
        let bytes = ckpt.to_bytes().unwrap();
        let back = Checkpoint::from_bytes(&bytes, None).unwrap();
        assert_eq!(back, ckpt, "{file}: round trip changed the checkpoint");
        assert_eq!(back.to_bytes().unwrap(), bytes, "{file}: saving is not deterministic");
        // Our files are plain safetensors: the upstream crate reads every tensor.
        let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
        assert_eq!(st.len(), ckpt.model.named_tensors().len());
    }
}

#[test]
fn hugging_face_file_round_trips_into_our_format() {
    // Loaded with its config.json beside it; saved, it needs no config.json any more.
    let ckpt = Checkpoint::open(&fixture("gpt_hf_save_pretrained/model.safetensors"), None).unwrap();
    let back = Checkpoint::from_bytes(&ckpt.to_bytes().unwrap(), None).unwrap();
    assert_eq!(back.model, ckpt.model);
}

#[test]
fn huge_weights_give_an_error_not_nan() {
    let mut ckpt = open("gpt_l1_h1.safetensors");
    if let glasswing::Model::Gpt(m) = &mut ckpt.model {
        m.ln_f_b.fill(3e38); // finite, but the logits overflow to +-inf
    }
    assert!(matches!(ckpt.trace_ids(&[1, 2]), Err(Error::Overflow(_))));
}

#[test]
fn top_k_is_the_head_of_the_full_ranking() {
    // Best first, ties by id: selecting the k best equals sorting everything.
    let (_, mut trace) = traced("gpt_l2_h4_zh");
    let v = trace.probs.ncols();
    // Ties: a row of repeated values, so the id order decides.
    trace.probs.row_mut(0).iter_mut().enumerate().for_each(|(i, p)| *p = [0.25, 0.5, 0.25, 0.0][i % 4]);
    for pos in 0..trace.len() {
        let mut full: Vec<(usize, f32)> = trace.probs.row(pos).iter().copied().enumerate().collect();
        full.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        for k in [0, 1, 2, 5, v - 1, v, v + 3] {
            assert_eq!(trace.top_k(pos, k), full[..k.min(v)], "pos {pos}, k {k}");
        }
    }
}
