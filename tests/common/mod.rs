//! Helpers shared by the integration tests: fixture paths and PyTorch references.
#![allow(dead_code)]

use std::path::PathBuf;

use glasswing::Checkpoint;
use ndarray::{ArrayD, IxDyn};
use safetensors::SafeTensors;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

pub fn open(name: &str) -> Checkpoint {
    Checkpoint::open(&fixture(name), None).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// What PyTorch computed for one fixture case.
pub struct Expected {
    pub ids: Vec<usize>,
    pub text: String,
    pub probs: ArrayD<f32>,
    pub attention: Option<ArrayD<f32>>,
    pub hidden: Option<ArrayD<f32>>,
}

pub fn expected(case: &str) -> Expected {
    let bytes = std::fs::read(fixture(&format!("{case}.expected.safetensors"))).expect("fixture exists");
    let file = SafeTensors::deserialize(&bytes).expect("fixture parses");
    let (_, header) = SafeTensors::read_metadata(&bytes).expect("fixture header");
    let meta = header.metadata().clone().expect("fixture metadata");
    let get = |name: &str| {
        file.tensor(name).ok().map(|t| {
            let data = t.data().chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
            ArrayD::from_shape_vec(IxDyn(t.shape()), data).expect("shape matches data")
        })
    };
    Expected {
        ids: serde_json::from_str(&meta["ids"]).expect("ids are JSON"),
        text: meta["text"].clone(),
        probs: get("probs").expect("probs stored"),
        attention: get("attention"),
        hidden: get("hidden"),
    }
}

/// Largest |a - b| over two arrays of the same shape.
pub fn max_abs_diff(a: &ArrayD<f32>, b: &ArrayD<f32>) -> f32 {
    assert_eq!(a.shape(), b.shape(), "shapes differ");
    a.iter().zip(b.iter()).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

/// One tensor of a hand-made file: name, dtype, shape, raw little-endian bytes.
pub struct RawTensor {
    pub name: String,
    pub dtype: safetensors::Dtype,
    pub shape: Vec<usize>,
    pub bytes: Vec<u8>,
}

/// The tensors and metadata of a fixture file, as raw parts to mutate.
pub fn raw_parts(file: &str) -> (Vec<RawTensor>, std::collections::HashMap<String, String>) {
    let bytes = std::fs::read(fixture(file)).expect("fixture exists");
    let st = SafeTensors::deserialize(&bytes).expect("fixture parses");
    let (_, header) = SafeTensors::read_metadata(&bytes).expect("fixture header");
    let mut tensors: Vec<RawTensor> = st
        .tensors()
        .into_iter()
        .map(|(name, v)| RawTensor { name, dtype: v.dtype(), shape: v.shape().to_vec(), bytes: v.data().to_vec() })
        .collect();
    tensors.sort_by(|a, b| a.name.cmp(&b.name));
    (tensors, header.metadata().clone().unwrap_or_default())
}

pub fn write_raw(tensors: &[RawTensor], meta: std::collections::HashMap<String, String>) -> Vec<u8> {
    let views: Vec<(String, safetensors::tensor::TensorView)> = tensors
        .iter()
        .map(|t| (t.name.clone(), safetensors::tensor::TensorView::new(t.dtype, t.shape.clone(), &t.bytes).unwrap()))
        .collect();
    let meta = if meta.is_empty() { None } else { Some(meta) };
    safetensors::serialize(views, meta).unwrap()
}

pub fn f32_bytes(values: impl IntoIterator<Item = f32>) -> Vec<u8> {
    values.into_iter().flat_map(f32::to_le_bytes).collect()
}
