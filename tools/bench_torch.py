"""PyTorch eager on one thread, beside `glasswing bench` (run by ./build.sh bench
when a venv with torch and transformers is present; prints one JSON line).

    python tools/bench_torch.py MODEL.safetensors CONFIG.json LEN RUNS

The same safetensors and config `glasswing init` wrote, the same seeded ids are
not needed (timing only): LEN random ids. Times model(ids, output_attentions=True)
plus the softmax of every position's logits, as `glasswing bench --model` times
the forward with its trace. Also the one-thread matrix-multiply peak: the best of
square and model-shaped products.
"""
import json, statistics, sys, time

import torch
from safetensors.torch import load_file
from transformers import AutoConfig, AutoModelForCausalLM

torch.set_num_threads(1)
path, config_path, t, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
config = AutoConfig.from_pretrained(config_path)
config._attn_implementation = "eager"
model = AutoModelForCausalLM.from_config(config).eval()
model.load_state_dict(load_file(path), strict=False)
model.tie_weights()
ids = torch.randint(0, config.vocab_size, (1, t), generator=torch.Generator().manual_seed(1))


def forward():
    with torch.no_grad():
        out = model(ids, output_attentions=True)
        return torch.softmax(out.logits, -1), out.attentions


def median_seconds(f, n):
    f()  # warm
    times = []
    for _ in range(n):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_gflops():
    best = 0.0
    for m, k, n in [(1024, 1024, 1024), (t, config.hidden_size, 4 * config.hidden_size)]:
        a, b = torch.randn(m, k), torch.randn(k, n)
        best = max(best, 2 * m * k * n / median_seconds(lambda: a @ b, 9) / 1e9)
    return best


print(json.dumps({"len": t, "runs": runs, "median_us": median_seconds(forward, runs) * 1e6, "matmul_peak_gflops": peak_gflops()}))
