#!/usr/bin/env bash
# Regenerates the shipped models in www/models/ bit for bit (seeded).
# Run through ./build.sh models, which builds the CLI first.
set -euo pipefail
cd "$(dirname "$0")/.."
G=target/release/glasswing
OUT=www/models

# Printable ASCII plus the characters of the chapter's example sentences.
ASCII=$(printf '%s' ' !"#$%&'"'"'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~')
CHAPTER='我爱你。我喜欢在深夜的星空下伴随着月亮轻轻地想你，！？'
# The book's RNN has a 1000-token vocabulary: the above, filled up with CJK ideographs from U+4E00.
BOOK_VOCAB=$(python3 -c "
import sys
seen = list(dict.fromkeys(sys.argv[1]))
code = 0x4E00
while len(seen) < 1000:
    if chr(code) not in seen: seen.append(chr(code))
    code += 1
print(''.join(seen), end='')" "$ASCII$CHAPTER")

$G init --arch gpt2 --n-layer 2 --n-head 4 --n-embd 64 --n-positions 256 --vocab-text "$ASCII$CHAPTER" --seed 1 \
  --title "Untrained GPT (2 layers x 4 heads)" \
  --description "Random weights: attention is nearly uniform and the next-token bars are flat. Compare with a trained model." \
  -o $OUT/gpt-untrained.safetensors
$G init --arch rnn --embed-dim 32 --hidden-size 64 --num-layers 2 --vocab-text "$ASCII$CHAPTER" --seed 2 \
  --title "Untrained RNN (2 layers, 64 hidden)" \
  --description "Random weights: watch the hidden state change at every step even before any training." \
  -o $OUT/rnn-untrained.safetensors
$G init --arch rnn --embed-dim 32 --hidden-size 64 --num-layers 1 --vocab-text "$BOOK_VOCAB" --seed 3 \
  --title "The chapter's RNN: nn.RNN(32, 64), 1000 tokens (untrained)" \
  --description "Four tokens in give four 64-wide hidden states; each row of softmax(h · W_o) sums to 1 over 1000 tokens." \
  -o $OUT/book-rnn-32-64.safetensors

# Trained models. Same command, same seed, same bytes (on this machine kind:
# matrix kernels are chosen by CPU features, so another CPU may round differently).
train() { echo "training $*" >&2; $G train "$@" 2>&1 | grep -E "^[0-9]+ steps" >&2; }
train --arch gpt2 --n-layer 2 --n-head 2 --n-embd 32 --task reverse --steps 3000 --seed 1 \
  --title "Reverse (GPT, 2 layers x 2 heads)" -o $OUT/reverse-gpt.safetensors
train --arch gpt2 --n-layer 2 --n-head 2 --n-embd 32 --task sort --steps 5000 --seed 1 \
  --title "Sort (GPT, 2 layers x 2 heads)" -o $OUT/sort-gpt.safetensors
train --arch gpt2 --n-layer 2 --n-head 4 --n-embd 48 --task induction --steps 6000 --seed 1 \
  --title "Induction (GPT, 2 layers x 4 heads)" -o $OUT/induction-gpt.safetensors
train --arch gpt2 --n-layer 2 --n-head 4 --n-embd 48 --task toy --steps 3000 --seed 1 \
  --title "Toy language (GPT)" -o $OUT/toy-gpt.safetensors
train --arch rnn --embed-dim 32 --hidden-size 96 --num-layers 1 --task toy --steps 3000 --seed 1 \
  --title "Toy language (RNN)" -o $OUT/toy-rnn.safetensors
# The lessons' models (www/js/classroom/chapter.js): the chapter's sentences.
# The RNN has the chapter's sizes, nn.RNN(32, 64); the GPT's seed is the one
# (of 1 to 7 tried) whose heads split the four look-backs of the chapter's
# sentence most cleanly, one head each.
train --arch rnn --embed-dim 32 --hidden-size 64 --num-layers 1 --task chapter --steps 6000 --seed 1 \
  --title "The chapter's sentences (RNN, nn.RNN(32, 64))" -o $OUT/chapter-rnn.safetensors
train --arch gpt2 --n-layer 2 --n-head 4 --n-embd 48 --task chapter --steps 6000 --seed 3 \
  --title "The chapter's sentences (GPT, 2 layers x 4 heads)" -o $OUT/chapter-gpt.safetensors

cp tools/models-index.json $OUT/index.json
