"""The Python PyTorch half of the benchmark (run by BenchMain when bench/run --with-python-torch).

Reads the seeded inputs the Java side wrote (little-endian float32 files, described by meta.json), runs the
same workloads with the PyTorch a learner installs with pip, and writes one CSV line per workload:
name,median_ms,mean_ms,min_ms,threads,check
where `check` is a file holding the values the Java side compares with its own (outputs or gradients).
Every timed call is one call of the workload, after warm-up calls; the median is what the table reports.
"""
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F
import torch.utils.checkpoint


def load(directory, name, shape):
    with open(os.path.join(directory, name + ".f32"), "rb") as f:
        data = bytearray(f.read())
    return torch.frombuffer(data, dtype=torch.float32).reshape(shape).clone()


def timed(call, warmup, iterations):
    for _ in range(warmup):
        call()
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), statistics.mean(times), min(times)


def mha(x, wq, wk, wv, wo, bo, heads, causal):
    """x [B, T, d] -> [B, T, d]: separate q/k/v projections without bias, SDPA, output projection."""
    b, t, d = x.shape
    hd = d // heads
    q = F.linear(x, wq).view(b, t, heads, hd).transpose(1, 2)
    k = F.linear(x, wk).view(b, t, heads, hd).transpose(1, 2)
    v = F.linear(x, wv).view(b, t, heads, hd).transpose(1, 2)
    c = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    return F.linear(c.transpose(1, 2).reshape(b, t, d), wo, bo)


def block(x, p, heads, causal):
    """Pre-LN transformer block, as the kit's TransformerBlock: LN, MHA, residual; LN, ReLU FFN, residual."""
    d = x.shape[-1]
    h = F.layer_norm(x, (d,), p["ln1.gamma"], p["ln1.beta"], 1e-5)
    a = x + mha(h, p["wq"], p["wk"], p["wv"], p["wo"], p["bo"], heads, causal)
    f = F.layer_norm(a, (d,), p["ln2.gamma"], p["ln2.beta"], 1e-5)
    return a + F.linear(F.relu(F.linear(f, p["fc1.w"], p["fc1.b"])), p["fc2.w"], p["fc2.b"])


def write_values(path, tensor, count):
    with open(path, "w") as f:
        for v in tensor.detach().reshape(-1)[:count].tolist():
            f.write(repr(float(v)) + "\n")


def main(directory, out, warmup, iterations):
    meta = json.load(open(os.path.join(directory, "meta.json")))
    rows = []
    threads = f"{torch.get_num_threads()} threads, torch {torch.__version__}, MKL {torch.backends.mkl.is_available()}, oneDNN {torch.backends.mkldnn.is_available()}"

    n = meta["matmul"]
    g = torch.Generator().manual_seed(7)
    a, bm, c = torch.rand(n, n, generator=g), torch.rand(n, n, generator=g), torch.empty(n, n)
    rows.append(("python-torch-mm",) + timed(lambda: torch.mm(a, bm, out=c), warmup, iterations) + ("",))

    h = meta["headline"]
    B, T, d, H, causal = h["batch"], h["tokens"], h["dModel"], h["heads"], h["causal"]
    x = load(directory, "headline-x", (B, T, d))
    wqkv = load(directory, "headline-wqkv", (3 * d, d))
    wo, bo = load(directory, "headline-wout", (d, d)), load(directory, "headline-bout", (d,))

    def headline():
        with torch.inference_mode():
            q, k, v = F.linear(x, wqkv).split(d, dim=-1)
            q, k, v = (z.view(B, T, H, d // H).transpose(1, 2) for z in (q, k, v))
            ctx = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
            return F.linear(ctx.transpose(1, 2).reshape(B, T, d), wo, bo)

    check = os.path.join(directory, "headline-check.txt")
    write_values(check, headline(), meta["checked"])
    rows.append(("python-torch-sdpa-mha",) + timed(headline, warmup, iterations) + (check,))

    t = meta["training"]
    B, T, d, H, causal, hidden = t["batch"], t["tokens"], t["dModel"], t["heads"], t["causal"], t["hidden"]
    x = load(directory, "train-x", (B, T, d))
    wqkv = load(directory, "train-wqkv", (3 * d, d))
    p = {"wq": wqkv[:d].clone(), "wk": wqkv[d:2 * d].clone(), "wv": wqkv[2 * d:].clone(),
         "wo": load(directory, "train-wout", (d, d)), "bo": load(directory, "train-bout", (d,)),
         "ln1.gamma": torch.ones(d), "ln1.beta": torch.zeros(d), "ln2.gamma": torch.ones(d), "ln2.beta": torch.zeros(d),
         "fc1.w": load(directory, "train-fc1w", (hidden, d)), "fc1.b": load(directory, "train-fc1b", (hidden,)),
         "fc2.w": load(directory, "train-fc2w", (d, hidden)), "fc2.b": load(directory, "train-fc2b", (d,))}
    for v in p.values():
        v.requires_grad_(True)
    # The stack: t["stack"] copies of the block, each with parameters of its own (as the kit's stack has).
    stack = [{k: v.detach().clone().requires_grad_(True) for k, v in p.items()} for _ in range(t.get("stack", 0))]

    def run_stack(checkpointed):
        h = x
        for q in stack:
            if checkpointed:
                h = torch.utils.checkpoint.checkpoint(lambda z, q=q: block(z, q, H, causal), h, use_reentrant=False)
            else:
                h = block(h, q, H, causal)
        return h

    steps = {
        "mha": lambda: mha(x, p["wq"], p["wk"], p["wv"], p["wo"], p["bo"], H, causal),
        "block": lambda: block(x, p, H, causal),
        "stack": lambda: run_stack(False),
        "stack-checkpointed": lambda: run_stack(True),
    }
    for name in t["steps"]:
        forward = steps[name]
        params = [v for q in stack for v in q.values()] if name.startswith("stack") else list(p.values())
        query = stack[0]["wq"] if name.startswith("stack") else p["wq"]

        def step():
            for v in params:
                v.grad = None
            y = forward()
            loss = (y * y).mean()        # the kit's step uses the same loss
            loss.backward()
            return loss

        step()
        check = os.path.join(directory, f"train-{name}-check.txt")
        write_values(check, query.grad, meta["checked"])
        counts = (t.get("warmup", warmup), t.get("iterations", iterations))   # the training rows' own counts, as the Java side's
        rows.append((f"python-torch-{name}-step",) + timed(step, *counts) + (check,))

    with open(out, "w") as f:
        for r in rows:
            f.write(f"{r[0]},{r[1]:.3f},{r[2]:.3f},{r[3]:.3f},\"{threads}\",{r[4]}\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
