//! One error type for the whole core. Every message is one line that names the
//! tensor, field or character at fault, so the CLI can show it as is; every
//! error also has a stable `code()` and `fields()`, which the page translates
//! (the wasm facade passes both to JavaScript, never only the English text).

use serde_json::{json, Value};
use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum Error {
    /// The bytes are not a readable safetensors file (bad header, bad offsets, ...).
    #[error("not a valid safetensors file: {0}")]
    Format(String),
    /// The header describes more tensor data than the file holds.
    #[error("the file is truncated: its header describes {need} bytes but the file has {have}")]
    Truncated { need: u64, have: u64 },
    #[error("missing tensor `{0}`")]
    MissingTensor(String),
    #[error("tensor `{name}` has shape {found:?}, expected {expected:?}")]
    Shape { name: String, expected: Vec<usize>, found: Vec<usize> },
    #[error("tensor `{name}` has dtype {found}, expected F32, F16 or BF16")]
    Dtype { name: String, found: String },
    #[error("tensor `{name}` holds a non-finite value ({value}) at flat index {index}")]
    NonFinite { name: String, index: usize, value: f32 },
    /// A config or metadata field is missing, malformed or inconsistent.
    #[error("config: {0}")]
    Config(String),
    #[error("config: {field} ({value}) is not divisible by {by_field} ({by})")]
    NotDivisible { field: &'static str, value: usize, by_field: &'static str, by: usize },
    #[error("config: {field} must be at least {min}, got {value}")]
    AtLeast { field: String, min: u64, value: u64 },
    /// A number outside what makes sense (NaN, infinite, or too large or small).
    #[error("config: {field} = {value} is out of range: it must be between {} and {}", num_like::compact(*min), num_like::compact(*max))]
    OutOfRange { field: String, value: String, min: f64, max: f64 },
    #[error("config: {field} = {value} is not supported: {why}")]
    Unsupported { field: String, value: String, why: String },
    #[error("config: the text task needs a text of at least {min} characters")]
    TextTooShort { min: usize },
    /// `pos` counts from 0 (an index, as in `fields()`); messages for people count from 1.
    #[error("unknown character {ch:?} (U+{code:04X}) at position {}: not in the model's vocabulary", pos + 1)]
    UnknownChar { ch: char, code: u32, pos: usize },
    #[error("token id {id} at position {} is out of range: the vocabulary has {vocab_size} tokens", pos + 1)]
    IdOutOfRange { id: usize, pos: usize, vocab_size: usize },
    #[error("sequence of {len} tokens is longer than the model's maximum of {max}")]
    TooLong { len: usize, max: usize },
    #[error("empty input: give at least one token")]
    Empty,
    /// Activation patching runs two prompts position by position: they must be as long.
    #[error("the clean and corrupted prompts must have the same number of tokens: the clean one has {clean}, the corrupted one {corrupt}")]
    LengthMismatch { clean: usize, corrupt: usize },
    /// Activation patching divides by clean - corrupted: equal metrics leave nothing to recover.
    #[error("the clean and corrupted prompts give the same logit(answer) - logit(wrong) = {metric}: patching divides by their difference; choose prompts or tokens that differ")]
    SameMetric { metric: f32 },
    /// Finite weights can still overflow (e.g. 1e30 everywhere): say so rather than draw NaN.
    #[error("the model computed a non-finite value in `{0}`: its weights are too large")]
    Overflow(String),
    /// The work would need more memory than the budget (see `budget`).
    #[error("{}", over_budget_message(what, *need_bytes, *limit_bytes, *max, unit))]
    OverBudget { what: &'static str, need_bytes: u64, limit_bytes: u64, max: Option<u64>, unit: Option<&'static str> },
    /// A tokenizer file we cannot read or do not support (named in the detail).
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    /// Training or sampler options that do not parse.
    #[error("options: {0}")]
    Options(String),
    #[error("{0}")]
    Io(String),
}

pub type Result<T> = std::result::Result<T, Error>;

impl From<safetensors::SafeTensorError> for Error {
    fn from(e: safetensors::SafeTensorError) -> Self {
        Error::Format(e.to_string())
    }
}

impl Error {
    /// A stable name for the kind of error, for translations and tests.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Format(_) => "format",
            Error::Truncated { .. } => "truncated",
            Error::MissingTensor(_) => "missing_tensor",
            Error::Shape { .. } => "shape",
            Error::Dtype { .. } => "dtype",
            Error::NonFinite { .. } => "non_finite",
            Error::Config(_) => "config",
            Error::NotDivisible { .. } => "not_divisible",
            Error::AtLeast { .. } => "at_least",
            Error::OutOfRange { .. } => "out_of_range",
            Error::Unsupported { .. } => "unsupported",
            Error::TextTooShort { .. } => "text_too_short",
            Error::UnknownChar { .. } => "unknown_char",
            Error::IdOutOfRange { .. } => "id_out_of_range",
            Error::TooLong { .. } => "too_long",
            Error::Empty => "empty",
            Error::LengthMismatch { .. } => "length_mismatch",
            Error::SameMetric { .. } => "same_metric",
            Error::Overflow(_) => "overflow",
            Error::OverBudget { .. } => "over_budget",
            Error::Tokenizer(_) => "tokenizer",
            Error::Options(_) => "options",
            Error::Io(_) => "io",
        }
    }

    /// The error's values by name (snake_case keys), for a message in another language.
    pub fn fields(&self) -> Value {
        match self {
            Error::Format(detail) | Error::Config(detail) | Error::Tokenizer(detail) | Error::Options(detail) | Error::Io(detail) => {
                json!({ "detail": detail })
            }
            Error::Truncated { need, have } => json!({ "need": need, "have": have }),
            Error::MissingTensor(name) => json!({ "name": name }),
            Error::Shape { name, expected, found } => json!({ "name": name, "expected": expected, "found": found }),
            Error::Dtype { name, found } => json!({ "name": name, "found": found }),
            // A non-finite value has no JSON form: it travels as text.
            Error::NonFinite { name, index, value } => json!({ "name": name, "index": index, "value": value.to_string() }),
            Error::NotDivisible { field, value, by_field, by } => {
                json!({ "field": field, "value": value, "by_field": by_field, "by": by })
            }
            Error::AtLeast { field, min, value } => json!({ "field": field, "min": min, "value": value }),
            Error::OutOfRange { field, value, min, max } => json!({ "field": field, "value": value, "min": min, "max": max }),
            Error::Unsupported { field, value, why } => json!({ "field": field, "value": value, "why": why }),
            Error::TextTooShort { min } => json!({ "min": min }),
            Error::UnknownChar { ch, code, pos } => json!({ "char": ch.to_string(), "code": code, "pos": pos }),
            Error::IdOutOfRange { id, pos, vocab_size } => json!({ "id": id, "pos": pos, "vocab_size": vocab_size }),
            Error::TooLong { len, max } => json!({ "len": len, "max": max }),
            Error::Empty => json!({}),
            Error::LengthMismatch { clean, corrupt } => json!({ "clean": clean, "corrupt": corrupt }),
            Error::SameMetric { metric } => json!({ "metric": metric }),
            Error::Overflow(name) => json!({ "name": name }),
            Error::OverBudget { what, need_bytes, limit_bytes, max, unit } => json!({
                "what": what, "need_bytes": need_bytes, "limit_bytes": limit_bytes, "max": max, "unit": unit,
            }),
        }
    }

    /// A number that must lie in `min..=max` (NaN and infinities never do);
    /// the message shows the value as given (an f32 as f32, a count exactly).
    pub fn check_range<T: Copy + num_like::AsF64>(field: &str, value: T, min: f64, max: f64) -> Result<()> {
        let v = value.as_f64();
        if v.is_finite() && (min..=max).contains(&v) {
            Ok(())
        } else {
            Err(Error::OutOfRange { field: field.to_string(), value: value.show(), min, max })
        }
    }

    /// A count that must be at least `min`.
    pub fn check_at_least(field: &str, value: usize, min: usize) -> Result<()> {
        if value >= min {
            Ok(())
        } else {
            Err(Error::AtLeast { field: field.to_string(), min: min as u64, value: value as u64 })
        }
    }
}

/// Numbers `check_range` compares as f64 (counts up to 2^64 lose only the
/// comparison's precision, never the message's).
pub mod num_like {
    /// A number as people read it: 1e308 and 1e-30 in exponent form, not 309 digits.
    pub fn compact(x: f64) -> String {
        if x != 0.0 && x.is_finite() && (x.abs() >= 1e9 || x.abs() < 1e-4) {
            format!("{x:e}")
        } else {
            x.to_string()
        }
    }

    pub trait AsF64 {
        fn as_f64(self) -> f64;
        /// The value as the message shows it.
        fn show(self) -> String;
    }
    impl AsF64 for f64 {
        fn as_f64(self) -> f64 {
            self
        }
        fn show(self) -> String {
            compact(self)
        }
    }
    impl AsF64 for f32 {
        fn as_f64(self) -> f64 {
            self as f64
        }
        fn show(self) -> String {
            // The f32's own shortest digits (1e30, not 1.0000000150474662e30).
            let x: f64 = self.to_string().parse().unwrap_or(self as f64);
            compact(x)
        }
    }
    impl AsF64 for usize {
        fn as_f64(self) -> f64 {
            self as f64
        }
        fn show(self) -> String {
            self.to_string()
        }
    }
}

/// Bytes as people read them: 512 B, 3.4 MB, 1.5 GB (powers of 1000).
pub fn human_bytes(bytes: u64) -> String {
    match bytes {
        b if b < 1_000 => format!("{b} B"),
        b if b < 1_000_000 => format!("{:.1} kB", b as f64 / 1e3),
        b if b < 1_000_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b => format!("{:.1} GB", b as f64 / 1e9),
    }
}

fn over_budget_message(what: &str, need: u64, limit: u64, max: Option<u64>, unit: &Option<&str>) -> String {
    // Close to the limit, one decimal would print the same figure twice.
    let (need_text, limit_text) = match (human_bytes(need), human_bytes(limit)) {
        (a, b) if a == b => (format!("{need} bytes"), format!("{limit} bytes")),
        pair => pair,
    };
    let hint = match (max, unit) {
        (Some(0), _) => ": the model itself is too large for this budget".to_string(),
        (Some(max), Some(unit)) => format!(": use at most {max} {unit}"),
        _ => String::new(),
    };
    format!("the {what} would need about {need_text} of memory, more than the budget of {limit_text}{hint}")
}
