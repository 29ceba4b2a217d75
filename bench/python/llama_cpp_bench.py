"""The llama.cpp half of the SmolLM2 greedy-decoding row (run by BenchMain's pretrained section).

Reads the prompt's token ids the Java side wrote (prompt.txt: one line of ids, from the kit's byte-level BPE
tokenizer, so both sides start from the same tokens), loads the same GGUF file with llama.cpp's Python binding
(llama-cpp-python, built from PyPI's source archive by `bench/run --with-llama-cpp`), and times what the kit's
row times: greedy decoding of NEW_TOKENS tokens after the prompt, the prompt's prefill included, with the KV
cache (llama.cpp always keeps one). llama.cpp multiplies by the Q4_1/Q8_0 blocks as they are stored (its own
quantised dot products); the kit dequantises every tensor to float32 once and multiplies in float32, so the two
do different arithmetic and may pick different tokens late in a generation: the Java side reports how many of the
generated tokens agree. Writes
  timing.csv   median_ms_per_token,mean_ms_per_token,min_ms_per_token,"threads and version"
  tokens.txt   the generated ids of the last timed run, one line
usage: python llama_cpp_bench.py GGUF WORK_DIR NEW_TOKENS WARMUP ITERATIONS THREADS
"""
import os
import statistics
import sys
import time

import llama_cpp
import numpy as np
from llama_cpp import Llama


def generate(llm, prompt, new_tokens):
    """Greedy: argmax of the last position's logits, fed back one token at a time (no stop token)."""
    llm.reset()
    llm.eval(prompt)
    out = []
    for _ in range(new_tokens):
        token = int(np.argmax(llm.scores[llm.n_tokens - 1]))
        out.append(token)
        llm.eval([token])
    return out


def main():
    gguf, work, new_tokens, warmup, iterations, threads = sys.argv[1:7]
    new_tokens, warmup, iterations, threads = int(new_tokens), int(warmup), int(iterations), int(threads)
    with open(os.path.join(work, "prompt.txt")) as f:
        prompt = [int(t) for t in f.read().split()]
    llm = Llama(model_path=gguf, n_ctx=len(prompt) + new_tokens + 8, n_batch=max(8, len(prompt)), n_threads=threads,
                n_threads_batch=threads, logits_all=True, verbose=False, seed=0)
    for _ in range(warmup):
        generate(llm, prompt, 2)
    times = []
    tokens = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        tokens = generate(llm, prompt, new_tokens)
        times.append((time.perf_counter() - t0) * 1000 / new_tokens)
    with open(os.path.join(work, "timing.csv"), "w") as f:
        f.write("%.4f,%.4f,%.4f,\"llama-cpp-python %s, %d thread(s), quantised matmuls\"\n"
                % (statistics.median(times), statistics.mean(times), min(times), llama_cpp.__version__, threads))
    with open(os.path.join(work, "tokens.txt"), "w") as f:
        f.write(" ".join(str(t) for t in tokens) + "\n")


if __name__ == "__main__":
    main()
