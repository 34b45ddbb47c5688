//! Glasswing: tiny RNN and GPT-2 language models that show their work.
//!
//! `text -> Tokenizer -> ids -> Model::forward -> Trace`: the trace holds the
//! next-token distribution at every position, every attention head's weights
//! (GPT) and every hidden state (RNN). Checkpoints are safetensors files with
//! upstream PyTorch / Hugging Face tensor names; see `checkpoint`.

pub mod bench;
pub mod budget;
pub mod checkpoint;
pub mod decode;
pub mod error;
pub mod export;
pub mod init;
pub mod interp;
pub mod model;
pub mod ops;
pub mod sample;
pub mod tensors;
pub mod tokenizer;
pub mod trace;
pub mod weight;

pub use checkpoint::Checkpoint;
pub use error::{Error, Result};
pub use model::{Arch, Model};
pub use tokenizer::Tokenizer;
pub use trace::Trace;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
pub mod train;
