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

cat > $OUT/index.json <<'JSON'
[
  {"file": "gpt-untrained.safetensors", "arch": "gpt2", "title": "Untrained GPT (2 layers x 4 heads)", "title_zh": "未训练的 GPT（2 层 x 4 头）", "description": "Random weights: attention is nearly uniform and the next-token bars are flat.", "description_zh": "随机权重：注意力几乎均匀，下一个词的概率条几乎一样高。", "example": "the cat sat on the mat"},
  {"file": "rnn-untrained.safetensors", "arch": "rnn", "title": "Untrained RNN (2 layers, 64 hidden)", "title_zh": "未训练的 RNN（2 层，64 维隐藏状态）", "description": "Random weights: the hidden state still changes at every step.", "description_zh": "随机权重：隐藏状态在每一步仍然会变化。", "example": "hello world"},
  {"file": "book-rnn-32-64.safetensors", "arch": "rnn", "title": "The chapter's RNN: nn.RNN(32, 64), 1000 tokens", "title_zh": "书中的 RNN：nn.RNN(32, 64)，1000 个词", "description": "Four tokens in, four 64-wide hidden states out; each softmax row sums to 1.", "description_zh": "输入 4 个词，得到 4 个 64 维隐藏状态；每一行 softmax 之和为 1。", "example": "我爱你。"}
]
JSON
ls -l $OUT
