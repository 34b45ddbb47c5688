#![cfg(not(target_arch = "wasm32"))]
//! Property tests: no bytes, however wrong, panic the loader. Random bytes,
//! and random mutations of good files (header and data alike), either load
//! or give an error; whatever loads also traces without panicking.

mod common;

use common::fixture;
use glasswing::Checkpoint;
use proptest::prelude::*;

fn good(file: &str) -> Vec<u8> {
    std::fs::read(fixture(file)).unwrap()
}

/// Loading must not panic; a file that loads must trace (or error) without panicking.
fn exercise(bytes: &[u8]) {
    if let Ok(ckpt) = Checkpoint::from_bytes(bytes, None) {
        let _ = ckpt.trace_ids(&[0, 1, 0]);
        let _ = ckpt.to_bytes();
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        exercise(&bytes);
    }

    #[test]
    fn random_header_lengths_never_panic(len in any::<u64>(), tail in proptest::collection::vec(any::<u8>(), 0..256)) {
        let mut bytes = len.to_le_bytes().to_vec();
        bytes.extend(tail);
        exercise(&bytes);
    }

    #[test]
    fn mutated_gpt_files_never_panic(
        edits in proptest::collection::vec((0usize..4000, any::<u8>()), 1..6),
        cut in proptest::option::of(0usize..200_000),
    ) {
        let mut bytes = good("gpt_l1_h1.safetensors");
        // Most edits land in the JSON header (first ~4 KB), where structure lives.
        for (pos, byte) in edits {
            let pos = pos % bytes.len();
            bytes[pos] = byte;
        }
        if let Some(cut) = cut { bytes.truncate(cut.min(bytes.len())); }
        exercise(&bytes);
    }

    #[test]
    fn mutated_rnn_files_never_panic(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        let mut bytes = good("rnn_relu_l2.safetensors");
        for (pos, byte) in edits {
            let pos = pos % bytes.len();
            bytes[pos] = byte;
        }
        exercise(&bytes);
    }

    #[test]
    fn digit_edits_in_the_header_never_panic(pos in 0usize..3000, digit in b'0'..=b'9') {
        // Changing one digit of a shape, offset or config number is the nastiest
        // small edit: it keeps the JSON valid but breaks the sizes.
        let mut bytes = good("gpt_l2_h4_zh.safetensors");
        let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        let digits: Vec<usize> = (8..8 + header_len).filter(|&i| bytes[i].is_ascii_digit()).collect();
        let at = digits[pos % digits.len()];
        bytes[at] = digit;
        exercise(&bytes);
    }
}
