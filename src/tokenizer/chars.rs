//! Character-level tokenizer over Unicode scalar values, so Chinese works:
//! `我爱你。` is four tokens. The vocabulary is the `vocab` metadata array
//! (index = id). Entries longer than one character (`<unk>`, `<bos>` ...) are
//! special tokens: never produced from text, except `<unk>` for unknown chars.

use std::collections::HashMap;

use crate::error::{Error, Result};

pub const UNK: &str = "<unk>";

#[derive(Debug, Clone, PartialEq)]
pub struct CharTokenizer {
    tokens: Vec<String>,
    char_to_id: HashMap<char, usize>,
    unk: Option<usize>,
}

impl CharTokenizer {
    /// Builds a tokenizer from a vocabulary; a duplicate character is an error.
    pub fn new(tokens: Vec<String>) -> Result<Self> {
        let mut char_to_id = HashMap::new();
        let mut unk = None;
        for (id, tok) in tokens.iter().enumerate() {
            let mut chars = tok.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => {
                    if char_to_id.insert(c, id).is_some() {
                        return Err(Error::Config(format!("vocab: character {c:?} appears twice")));
                    }
                }
                (None, _) => return Err(Error::Config(format!("vocab: token {id} is empty"))),
                _ if tok == UNK => unk = Some(id),
                _ => {} // other special tokens
            }
        }
        Ok(Self { tokens, char_to_id, unk })
    }

    /// The sorted set of distinct characters of `text`: a vocabulary for it.
    pub fn from_text(text: &str) -> Result<Self> {
        let mut chars: Vec<char> = text.chars().collect();
        chars.sort_unstable();
        chars.dedup();
        Self::new(chars.into_iter().map(String::from).collect())
    }

    pub fn vocab_size(&self) -> usize {
        self.tokens.len()
    }

    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    /// Text -> ids. An unknown character maps to `<unk>` if the vocabulary has
    /// one, else is an error naming it and its position (an index from 0, in characters).
    pub fn encode(&self, text: &str) -> Result<Vec<usize>> {
        if text.is_empty() {
            return Err(Error::Empty);
        }
        text.chars()
            .enumerate()
            .map(|(pos, ch)| match (self.char_to_id.get(&ch), self.unk) {
                (Some(&id), _) => Ok(id),
                (None, Some(unk)) => Ok(unk),
                (None, None) => Err(Error::UnknownChar { ch, code: ch as u32, pos }),
            })
            .collect()
    }

    /// The display string of one id (`#id` when out of range, which callers avoid).
    pub fn token(&self, id: usize) -> String {
        self.tokens.get(id).cloned().unwrap_or_else(|| format!("#{id}"))
    }

    pub fn decode(&self, ids: &[usize]) -> String {
        ids.iter().map(|&id| self.token(id)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab(s: &[&str]) -> CharTokenizer {
        CharTokenizer::new(s.iter().map(|t| t.to_string()).collect()).unwrap()
    }

    #[test]
    fn chinese_is_one_token_per_character() {
        let tok = vocab(&["。", "我", "爱", "你"]);
        assert_eq!(tok.encode("我爱你。").unwrap(), vec![1, 2, 3, 0]);
        assert_eq!(tok.decode(&[1, 2, 3, 0]), "我爱你。");
    }

    #[test]
    fn unknown_character_is_named_with_position() {
        let err = vocab(&["a", "b"]).encode("abz").unwrap_err();
        assert_eq!(err, Error::UnknownChar { ch: 'z', code: 0x7a, pos: 2 });
        assert!(err.to_string().contains("'z'") && err.to_string().contains("position 3"));
    }

    #[test]
    fn unknown_maps_to_unk_when_present() {
        assert_eq!(vocab(&["<unk>", "a"]).encode("a?a").unwrap(), vec![1, 0, 1]);
    }

    #[test]
    fn empty_text_and_duplicates_are_errors() {
        assert_eq!(vocab(&["a"]).encode(""), Err(Error::Empty));
        assert!(CharTokenizer::new(vec!["a".into(), "a".into()]).is_err());
    }
}
