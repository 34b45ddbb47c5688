//! Tokenizers behind one interface: text -> ids, ids -> text, and each
//! token's bytes and readable text.
//! - `chars`: our checkpoints' vocabulary, one token per Unicode character
//!   (the `vocab` metadata);
//! - `bpe`: byte-level BPE from a Hub folder (`tokenizer.json`, or
//!   `vocab.json` + `merges.txt`; read by `hub`).

pub mod bpe;
pub mod chars;
pub mod hub;

pub use chars::{CharTokenizer, UNK};
pub use hub::TokenizerFiles;

use crate::error::Result;

#[derive(Debug, Clone)]
pub enum Tokenizer {
    Chars(CharTokenizer),
    Bpe(Box<bpe::Bpe>),
}

impl PartialEq for Tokenizer {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Tokenizer::Chars(a), Tokenizer::Chars(b)) => a == b,
            _ => false,
        }
    }
}

impl Tokenizer {
    /// A character vocabulary (index = id); a duplicate character is an error.
    pub fn new(tokens: Vec<String>) -> Result<Self> {
        CharTokenizer::new(tokens).map(Tokenizer::Chars)
    }

    /// The sorted set of distinct characters of `text`: a vocabulary for it.
    pub fn from_text(text: &str) -> Result<Self> {
        CharTokenizer::from_text(text).map(Tokenizer::Chars)
    }

    /// A byte-level BPE from a Hub folder's tokenizer files.
    pub fn from_files(files: &TokenizerFiles) -> Result<Self> {
        hub::from_files(files).map(|b| Tokenizer::Bpe(Box::new(b)))
    }

    /// "chars" or "bpe".
    pub fn kind(&self) -> &'static str {
        match self {
            Tokenizer::Chars(_) => "chars",
            Tokenizer::Bpe(_) => "bpe",
        }
    }

    pub fn vocab_size(&self) -> usize {
        match self {
            Tokenizer::Chars(t) => t.vocab_size(),
            Tokenizer::Bpe(t) => t.vocab_size(),
        }
    }

    /// A character vocabulary's tokens (index = id); None for BPE, whose
    /// tokens are byte strings (see `token`, `token_bytes`).
    pub fn vocab(&self) -> Option<&[String]> {
        match self {
            Tokenizer::Chars(t) => Some(t.tokens()),
            Tokenizer::Bpe(_) => None,
        }
    }

    pub fn encode(&self, text: &str) -> Result<Vec<usize>> {
        match self {
            Tokenizer::Chars(t) => t.encode(text),
            Tokenizer::Bpe(t) => {
                let ids = t.encode(text)?;
                if ids.is_empty() {
                    return Err(crate::Error::Empty);
                }
                Ok(ids)
            }
        }
    }

    pub fn decode(&self, ids: &[usize]) -> String {
        match self {
            Tokenizer::Chars(t) => t.decode(ids),
            Tokenizer::Bpe(t) => t.decode(ids),
        }
    }

    /// How one token reads: its text (a BPE token's bytes that are not
    /// whole characters as `<0xE6>`).
    pub fn token(&self, id: usize) -> String {
        match self {
            Tokenizer::Chars(t) => t.token(id),
            Tokenizer::Bpe(t) => t.display(id),
        }
    }

    /// A special token, never produced from ordinary text: a BPE's special
    /// added tokens (`<|endoftext|>`), a character vocabulary's entries
    /// longer than one character (`<unk>`, `<bos>`).
    pub fn is_special(&self, id: usize) -> bool {
        match self {
            Tokenizer::Chars(t) => t.tokens().get(id).is_some_and(|tok| tok.chars().nth(1).is_some()),
            Tokenizer::Bpe(t) => t.is_special(id),
        }
    }

    /// The UTF-8 bytes one token stands for.
    pub fn token_bytes(&self, id: usize) -> Vec<u8> {
        match self {
            Tokenizer::Chars(t) => t.token(id).into_bytes(),
            Tokenizer::Bpe(t) => t.token_bytes(id).to_vec(),
        }
    }
}
