//! One error type for the whole core. Every message is one line that names the
//! tensor, field or character at fault, so the CLI and the page can show it as is.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum Error {
    /// The bytes are not a readable safetensors file (bad header, truncated data, ...).
    #[error("not a valid safetensors file: {0}")]
    Format(String),
    #[error("missing tensor `{0}`")]
    MissingTensor(String),
    #[error("tensor `{name}` has shape {found:?}, expected {expected:?}")]
    Shape { name: String, expected: Vec<usize>, found: Vec<usize> },
    #[error("tensor `{name}` has dtype {found}, expected F32")]
    Dtype { name: String, found: String },
    #[error("tensor `{name}` holds a non-finite value ({value}) at flat index {index}")]
    NonFinite { name: String, index: usize, value: f32 },
    /// A config or metadata field is missing, malformed or inconsistent.
    #[error("config: {0}")]
    Config(String),
    #[error("unknown character {ch:?} (U+{code:04X}) at position {pos}: not in the model's vocabulary")]
    UnknownChar { ch: char, code: u32, pos: usize },
    #[error("token id {id} at position {pos} is out of range: the vocabulary has {vocab_size} tokens")]
    IdOutOfRange { id: usize, pos: usize, vocab_size: usize },
    #[error("sequence of {len} tokens is longer than the model's maximum of {max}")]
    TooLong { len: usize, max: usize },
    #[error("empty input: give at least one token")]
    Empty,
    /// Finite weights can still overflow (e.g. 1e30 everywhere): say so rather than draw NaN.
    #[error("the model computed a non-finite value in `{0}`: its weights are too large")]
    Overflow(String),
    #[error("{0}")]
    Io(String),
}

pub type Result<T> = std::result::Result<T, Error>;

impl From<safetensors::SafeTensorError> for Error {
    fn from(e: safetensors::SafeTensorError) -> Self {
        Error::Format(e.to_string())
    }
}
