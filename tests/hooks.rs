//! The one forward pass and its hook points: every hook shows the documented
//! shape, a probe's edit flows downstream exactly, and a forward that
//! continues from a cache equals the forward over the whole sequence.

mod common;

use std::collections::BTreeMap;

use common::{expected, open};
use glasswing::model::{Hook, NoProbe, Recorder, Rows};
use glasswing::Model;
use ndarray::{s, ArrayViewMutD};

fn max_diff(a: &ndarray::Array2<f32>, b: &ndarray::Array2<f32>) -> f32 {
    assert_eq!(a.shape(), b.shape());
    (a - b).mapv(f32::abs).fold(0.0, |m, &x| m.max(x))
}

#[test]
fn every_hook_point_shows_its_documented_shape() {
    let model = open("gpt_l2_h4_zh.safetensors").model;
    let Model::Gpt(m) = &model else { panic!("a GPT fixture") };
    let (l, h, c) = (m.config.n_layer, m.config.n_head, m.config.n_embd);
    let d = c / h;
    let ids = expected("gpt_l2_h4_zh").ids;
    let (start, tn) = (3, ids.len() - 3);
    let mut cache = model.new_cache();
    model.forward_with(&ids[..start], &mut cache, &mut NoProbe, Rows::All).unwrap();
    let mut seen: BTreeMap<(usize, &str), Vec<usize>> = BTreeMap::new();
    let mut probe = |layer: usize, hook: Hook, value: ArrayViewMutD<'_, f32>| {
        seen.insert((layer, hook.name()), value.shape().to_vec());
    };
    model.forward_with(&ids[start..], &mut cache, &mut probe, Rows::All).unwrap();
    let tk = start + tn;
    for layer in 0..l {
        for (name, shape) in [
            ("resid_pre", vec![tn, c]),
            ("q", vec![tn, h, d]),
            ("k", vec![tn, h, d]),
            ("v", vec![tn, h, d]),
            ("pattern", vec![h, tn, tk]),
            ("z", vec![tn, h, d]),
            ("attn_out", vec![tn, c]),
            ("resid_mid", vec![tn, c]),
            ("mlp_pre", vec![tn, 4 * c]),
            ("mlp_out", vec![tn, c]),
            ("resid_post", vec![tn, c]),
        ] {
            assert_eq!(seen.get(&(layer, name)), Some(&shape), "layer {layer} {name}");
        }
    }
    assert_eq!(seen.len(), 11 * l);
}

#[test]
fn zeroing_a_heads_z_equals_removing_its_rows_of_the_output_projection() {
    // z_h = 0 before c_proj is exactly c_proj with head h's input rows zeroed.
    let model = open("gpt_l2_h4_zh.safetensors").model;
    let ids = expected("gpt_l2_h4_zh").ids;
    let (layer, head) = (1, 2);
    let mut ablate = |l: usize, hook: Hook, mut value: ArrayViewMutD<'_, f32>| {
        if l == layer && hook == Hook::Z {
            value.slice_mut(s![.., head, ..]).fill(0.0);
        }
    };
    let ablated = model.forward_with(&ids, &mut model.new_cache(), &mut ablate, Rows::All).unwrap();
    let plain = model.forward_with(&ids, &mut model.new_cache(), &mut NoProbe, Rows::All).unwrap();

    let mut edited = model.clone();
    let Model::Gpt(m) = &mut edited else { panic!("a GPT fixture") };
    let d = m.config.head_dim();
    m.blocks[layer].attn_proj_w.slice_mut(s![head * d..(head + 1) * d, ..]).fill(0.0);
    let reference = edited.forward_with(&ids, &mut edited.new_cache(), &mut NoProbe, Rows::All).unwrap();

    assert!(max_diff(&ablated, &reference) < 1e-5, "{}", max_diff(&ablated, &reference));
    assert!(max_diff(&ablated, &plain) > 1e-3, "the ablation changed nothing");
}

#[test]
fn continuing_from_a_cache_equals_the_whole_forward() {
    for file in ["gpt_l3_h2_untied.safetensors", "rnn_tanh_l2_zh.safetensors"] {
        let model = open(file).model;
        let ids = expected(file.trim_end_matches(".safetensors")).ids;
        let whole = model.forward_with(&ids, &mut model.new_cache(), &mut NoProbe, Rows::All).unwrap();
        for split in [1, ids.len() / 2, ids.len() - 1] {
            let mut cache = model.new_cache();
            let first = model.forward_with(&ids[..split], &mut cache, &mut NoProbe, Rows::All).unwrap();
            let mut recorder = Recorder::new(&model, split, ids.len() - split, Rows::All);
            let rest = model.forward_with(&ids[split..], &mut cache, &mut recorder, Rows::All).unwrap();
            let joined = ndarray::concatenate(ndarray::Axis(0), &[first.view(), rest.view()]).unwrap();
            assert!(max_diff(&joined, &whole) < 1e-5, "{file} split at {split}");
            assert_eq!(cache.len(), ids.len());
            // Truncating and feeding again gives the same logits.
            cache.truncate(split);
            let again = model.forward_with(&ids[split..], &mut cache, &mut NoProbe, Rows::All).unwrap();
            assert!(max_diff(&again, &rest) < 1e-6);
        }
    }
}

#[test]
fn zeroing_a_heads_z_matches_a_pytorch_hook() {
    // The fixture script zeroed head h's slice of o_proj's input with a
    // forward pre-hook in PyTorch; the same edit through our probe.
    for case in ["hub/llama_tiny", "hub/qwen2_tiny_bf16"] {
        let ckpt = open(case);
        let bytes = std::fs::read(common::fixture(&format!("{case}.expected.safetensors"))).unwrap();
        let file = safetensors::SafeTensors::deserialize(&bytes).unwrap();
        let (_, header) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
        let meta = header.metadata().clone().unwrap();
        let [layer, head]: [usize; 2] = serde_json::from_str(&meta["ablate"]).unwrap();
        let want: Vec<f32> = file.tensor("ablated_probs").unwrap().data().chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().unwrap())).collect();
        let ids = expected(case).ids;
        let mut ablate = |l: usize, hook: Hook, mut value: ArrayViewMutD<'_, f32>| {
            if l == layer && hook == Hook::Z {
                value.slice_mut(s![.., head, ..]).fill(0.0);
            }
        };
        let logits = ckpt.model.forward_with(&ids, &mut ckpt.model.new_cache(), &mut ablate, Rows::All).unwrap();
        let probs = glasswing::model::finite_softmax(logits).unwrap();
        let diff = probs.iter().zip(&want).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        eprintln!("{case}: ablating L{layer}H{head}: max |probs - torch hook| = {diff:.2e}");
        assert!(diff < 1e-4, "{case}: {diff}");
        let plain = ckpt.trace_ids(&ids).unwrap().probs;
        let moved = plain.iter().zip(&want).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        // The ablation moves probabilities (each near 1/600) far more than we differ from PyTorch.
        assert!(moved > 1e-4 && moved > 1000.0 * diff, "{case}: the ablation must change the output ({moved} vs {diff})");
    }
}
