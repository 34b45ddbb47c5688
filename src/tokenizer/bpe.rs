//! Byte-level BPE, as Hugging Face `tokenizers` runs GPT-2, Llama 3 and
//! Qwen2 tokenizers: added (special) tokens split out first, then an optional
//! NFC normalizer, the pre-tokenizers (GPT-2's regex, a `Split` regex,
//! single digits), each piece's UTF-8 bytes merged pair by pair, lowest merge
//! rank first. Tokens are kept as the bytes they stand for (the byte-level
//! alphabet, `Ġ` for a space and so on, is undone on load), so decoding is
//! concatenation and a token shows as the text its bytes make.
//! Written here rather than with the `tokenizers` crate: that crate adds
//! about 680 kB (gzipped) to the page's wasm, this about a tenth of it (README).

use std::collections::HashMap;

use fancy_regex::Regex;
use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, Result};

/// GPT-2's pre-tokenizer (`ByteLevel` with `use_regex: true`).
pub const GPT2_PATTERN: &str = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

/// One step of pre-tokenization: each piece of text becomes one or more pieces.
#[derive(Debug, Clone)]
pub enum PreTokenizer {
    /// Matches and the text between them, each its own piece (`Split`,
    /// behavior `Isolated`; `ByteLevel` with `use_regex` uses GPT-2's pattern).
    Split(Regex),
    /// Every digit its own piece (`Digits` with `individual_digits`).
    Digits,
}

impl PreTokenizer {
    fn split<'t>(&self, piece: &'t str, out: &mut Vec<&'t str>) -> Result<()> {
        match self {
            PreTokenizer::Split(re) => {
                let mut last = 0;
                for m in re.find_iter(piece) {
                    let m = m.map_err(|e| Error::Tokenizer(format!("pre-tokenizer regex: {e}")))?;
                    if m.start() > last {
                        out.push(&piece[last..m.start()]);
                    }
                    if m.end() > m.start() {
                        out.push(m.as_str());
                    }
                    last = m.end();
                }
                if last < piece.len() {
                    out.push(&piece[last..]);
                }
            }
            PreTokenizer::Digits => {
                let mut start = 0;
                for (i, ch) in piece.char_indices() {
                    if ch.is_ascii_digit() {
                        if i > start {
                            out.push(&piece[start..i]);
                        }
                        out.push(&piece[i..i + ch.len_utf8()]);
                        start = i + ch.len_utf8();
                    }
                }
                if start < piece.len() {
                    out.push(&piece[start..]);
                }
            }
        }
        Ok(())
    }
}

/// A byte-level BPE tokenizer. V = vocabulary size (with added tokens).
#[derive(Debug, Clone)]
pub struct Bpe {
    bytes: Vec<Vec<u8>>,                      // [V] the bytes each id stands for
    ids: HashMap<Vec<u8>, usize>,             // BPE vocabulary: bytes -> id
    byte_ids: [usize; 256],                   // the one-byte tokens
    ranks: HashMap<(usize, usize), (usize, usize)>, // (left, right) -> (rank, merged id)
    added: Vec<(String, usize)>,              // added tokens, longest first
    special: Vec<bool>,                       // [V] special (added) tokens
    nfc: bool,
    add_prefix_space: bool,
    ignore_merges: bool,
    pre: Vec<PreTokenizer>,
}

/// Everything `Bpe::new` needs, as tokenizer.json or vocab.json + merges.txt give it.
pub struct BpeParts {
    /// Token strings in the byte-level alphabet (`Ġthe`) -> id.
    pub vocab: HashMap<String, usize>,
    /// Merges in rank order, as (left, right) token strings.
    pub merges: Vec<(String, String)>,
    /// Added tokens (content, id, special).
    pub added: Vec<(String, usize, bool)>,
    pub nfc: bool,
    pub add_prefix_space: bool,
    pub ignore_merges: bool,
    pub pre: Vec<PreTokenizer>,
}

/// GPT-2's table from bytes to printable characters, and its inverse.
fn byte_alphabet() -> ([char; 256], HashMap<char, u8>) {
    let mut table = ['\0'; 256];
    let mut extra = 0u32;
    for b in 0..=255u8 {
        let printable = matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
        table[b as usize] = if printable {
            b as char
        } else {
            extra += 1;
            char::from_u32(255 + extra).expect("256 + n is a valid char")
        };
    }
    let inverse = table.iter().enumerate().map(|(b, &c)| (c, b as u8)).collect();
    (table, inverse)
}

impl Bpe {
    pub fn new(parts: BpeParts) -> Result<Self> {
        let (_, inverse) = byte_alphabet();
        let to_bytes = |token: &str| -> Result<Vec<u8>> {
            token
                .chars()
                .map(|c| inverse.get(&c).copied())
                .collect::<Option<Vec<u8>>>()
                .ok_or_else(|| Error::Tokenizer(format!("token {token:?} is not in the byte-level alphabet")))
        };
        let size = parts.vocab.values().chain(parts.added.iter().map(|a| &a.1)).max().map_or(0, |&m| m + 1);
        if size > 10_000_000 {
            return Err(Error::Tokenizer(format!("a vocabulary of {size} ids is too large")));
        }
        let mut bytes = vec![Vec::new(); size];
        let mut present = vec![false; size];
        let mut ids = HashMap::with_capacity(parts.vocab.len());
        for (token, &id) in &parts.vocab {
            let b = to_bytes(token)?;
            bytes[id] = b.clone();
            present[id] = true;
            ids.insert(b, id);
        }
        let mut special = vec![false; size];
        let mut added = Vec::new();
        for (content, id, is_special) in parts.added {
            if content.is_empty() {
                return Err(Error::Tokenizer(format!("added token {id} is empty")));
            }
            bytes[id] = content.as_bytes().to_vec();
            present[id] = true;
            special[id] = is_special;
            added.push((content, id));
        }
        if let Some(missing) = present.iter().position(|p| !p) {
            return Err(Error::Tokenizer(format!("no token has id {missing}: the ids must run from 0 without gaps")));
        }
        added.sort_by(|a, b| b.0.len().cmp(&a.0.len()));
        let mut byte_ids = [0usize; 256];
        for b in 0..=255u8 {
            byte_ids[b as usize] = *ids.get(&vec![b]).ok_or_else(|| {
                Error::Tokenizer(format!("the vocabulary has no token for the byte 0x{b:02X}: not a byte-level BPE"))
            })?;
        }
        let mut ranks = HashMap::with_capacity(parts.merges.len());
        for (rank, (left, right)) in parts.merges.iter().enumerate() {
            let id = |t: &str| -> Result<usize> {
                ids.get(&to_bytes(t)?)
                    .copied()
                    .ok_or_else(|| Error::Tokenizer(format!("merge {} of {left:?} {right:?} names {t:?}, which is not in the vocabulary", rank + 1)))
            };
            let merged = format!("{left}{right}");
            ranks.entry((id(left)?, id(right)?)).or_insert((rank, id(&merged)?));
        }
        Ok(Self {
            bytes,
            ids,
            byte_ids,
            ranks,
            added,
            special,
            nfc: parts.nfc,
            add_prefix_space: parts.add_prefix_space,
            ignore_merges: parts.ignore_merges,
            pre: parts.pre,
        })
    }

    pub fn vocab_size(&self) -> usize {
        self.bytes.len()
    }

    /// The bytes id `id` stands for (an added token's UTF-8 text).
    pub fn token_bytes(&self, id: usize) -> &[u8] {
        self.bytes.get(id).map_or(&[], Vec::as_slice)
    }

    pub fn is_special(&self, id: usize) -> bool {
        self.special.get(id).copied().unwrap_or(false)
    }

    /// Text -> ids, as Hugging Face `tokenizers` encodes it (no special
    /// tokens added around it).
    pub fn encode(&self, text: &str) -> Result<Vec<usize>> {
        let mut ids = Vec::new();
        let mut rest = text;
        // Added tokens are found in the raw text first; the text between them is tokenized.
        while !rest.is_empty() {
            match self.find_added(rest) {
                Some((start, content, id)) => {
                    self.encode_plain(&rest[..start], &mut ids)?;
                    ids.push(id);
                    rest = &rest[start + content.len()..];
                }
                None => {
                    self.encode_plain(rest, &mut ids)?;
                    break;
                }
            }
        }
        Ok(ids)
    }

    /// The first added token in `text` (the longest where several start at the same place).
    fn find_added(&self, text: &str) -> Option<(usize, &str, usize)> {
        if self.added.is_empty() {
            return None;
        }
        text.char_indices().find_map(|(i, _)| {
            self.added.iter().find(|(content, _)| text[i..].starts_with(content.as_str())).map(|(c, id)| (i, c.as_str(), *id))
        })
    }

    fn encode_plain(&self, text: &str, ids: &mut Vec<usize>) -> Result<()> {
        if text.is_empty() {
            return Ok(());
        }
        let normalized: String;
        let mut text = text;
        if self.nfc {
            normalized = text.nfc().collect();
            text = &normalized;
        }
        let prefixed: String;
        if self.add_prefix_space && !text.starts_with(' ') {
            prefixed = format!(" {text}");
            text = &prefixed;
        }
        let mut pieces = vec![text];
        for pre in &self.pre {
            let mut next = Vec::with_capacity(pieces.len());
            for piece in pieces {
                pre.split(piece, &mut next)?;
            }
            pieces = next;
        }
        for piece in pieces {
            self.merge(piece.as_bytes(), ids);
        }
        Ok(())
    }

    /// One piece's bytes, merged lowest rank first, appended to `out`.
    fn merge(&self, piece: &[u8], out: &mut Vec<usize>) {
        if self.ignore_merges {
            if let Some(&id) = self.ids.get(piece) {
                out.push(id);
                return;
            }
        }
        let mut word: Vec<usize> = piece.iter().map(|&b| self.byte_ids[b as usize]).collect();
        loop {
            let best = word
                .windows(2)
                .enumerate()
                .filter_map(|(i, pair)| self.ranks.get(&(pair[0], pair[1])).map(|&(rank, merged)| (rank, i, merged)))
                .min();
            let Some((_, at, merged)) = best else { break };
            // Merge every occurrence of that pair, left to right.
            let (left, right) = (word[at], word[at + 1]);
            let mut next = Vec::with_capacity(word.len());
            let mut i = 0;
            while i < word.len() {
                if i + 1 < word.len() && word[i] == left && word[i + 1] == right {
                    next.push(merged);
                    i += 2;
                } else {
                    next.push(word[i]);
                    i += 1;
                }
            }
            word = next;
        }
        out.extend(word);
    }

    /// ids -> text: their bytes, concatenated, as UTF-8 (invalid sequences replaced).
    pub fn decode(&self, ids: &[usize]) -> String {
        let bytes: Vec<u8> = ids.iter().flat_map(|&id| self.token_bytes(id).iter().copied()).collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// How a token reads: its text, with bytes that are not whole UTF-8
    /// characters shown as `<0xE6>`.
    pub fn display(&self, id: usize) -> String {
        let mut out = String::new();
        for chunk in self.token_bytes(id).utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                out.push_str(&format!("<0x{b:02X}>"));
            }
        }
        out
    }
}
