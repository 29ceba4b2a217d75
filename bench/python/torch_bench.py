"""The Python PyTorch half of the benchmark (run by BenchMain when bench/run --with-python-torch).

`torch_bench.py DIR OUT WARMUP ITERATIONS`: matmul, headline and the attention training steps;
`torch_bench.py seq2seq DIR OUT`: one training step of chapter 07's seq2seq model (BahdanauTranslator), float64.

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


class BahdanauTranslator(torch.nn.Module):
    """Chapter 07's Bahdanau model (the kit's RecurrentTranslator) in torch.nn, batched.

    A bidirectional LSTM reads the right-aligned source (padding first) into annotations h_j = [h->_j; h<-_j]; the
    decoder starts from s_0 = tanh(W_s [h->_Tx; h<-_1] + b_s); each step scores e_j = v^T tanh(W_a s_{i-1} + U_a h_j)
    (padding masked), takes the context c_i = sum_j a_ij h_j, steps the GRU on [E y_{i-1}; c_i] and reads out
    W_o [s_i; E y_{i-1}; c_i] + b_o. The GRU is the papers' (and the kit's): the reset gate multiplies the state
    before U, s~ = tanh(W x + U (r * s) + b), which nn.GRUCell does not do (it applies r after U and has a second
    bias), so the cell is written with nn.Linear.
    """

    def __init__(self, m):
        super().__init__()
        e, he, hd, ha = m["embedding"], m["encoderHidden"], m["decoderHidden"], m["attentionHidden"]
        c = 2 * he
        self.he, self.hd = he, hd
        self.source_embedding = torch.nn.Embedding(m["sourceVocabulary"], e)
        self.encoder = torch.nn.LSTM(e, he, batch_first=True, bidirectional=True)
        self.target_embedding = torch.nn.Embedding(m["targetVocabulary"], e)
        self.init = torch.nn.Linear(c, hd)
        self.w_query = torch.nn.Linear(hd, ha, bias=False)          # W_a
        self.w_key = torch.nn.Linear(c, ha, bias=False)             # U_a
        self.v = torch.nn.Linear(ha, 1, bias=False)                 # v_a
        self.gru_input = torch.nn.Linear(e + c, 3 * hd)             # [W_r; W_z; W] with [b_r; b_z; b]
        self.gru_gates = torch.nn.Linear(hd, 2 * hd, bias=False)    # [U_r; U_z]
        self.gru_candidate = torch.nn.Linear(hd, hd, bias=False)    # U, on r * s
        self.readout = torch.nn.Linear(hd + e + c, m["targetVocabulary"])

    def forward(self, src, previous, steps):
        """src [B, Tx], previous [B, Ty] (the character each step reads) -> logits [B, steps, Vout]."""
        ann, _ = self.encoder(self.source_embedding(src))                      # [B, Tx, C]
        last = torch.cat([ann[:, -1, :self.he], ann[:, 0, self.he:]], -1)      # [B, C]
        s = torch.tanh(self.init(last))                                        # s_0 [B, Hd]
        keys = self.w_key(ann)                                                 # U_a h_j [B, Tx, Ha]
        padding = src == 0                                                     # [B, Tx]
        ey_all = self.target_embedding(previous)                               # [B, Ty, E]
        logits = []
        for t in range(steps):
            score = self.v(torch.tanh(self.w_query(s).unsqueeze(1) + keys)).squeeze(-1)        # [B, Tx]
            alpha = torch.softmax(score.masked_fill(padding, float("-inf")), -1)               # [B, Tx]
            context = torch.bmm(alpha.unsqueeze(1), ann).squeeze(1)                            # [B, C]
            ey = ey_all[:, t]                                                                  # [B, E]
            gx = self.gru_input(torch.cat([ey, context], -1))                                  # [B, 3Hd]
            r, z = torch.sigmoid(gx[:, :2 * self.hd] + self.gru_gates(s)).chunk(2, -1)
            candidate = torch.tanh(gx[:, 2 * self.hd:] + self.gru_candidate(r * s))
            s = s + z * (candidate - s)                                                        # s_i [B, Hd]
            logits.append(self.readout(torch.cat([s, ey, context], -1)))                       # [B, Vout]
        return torch.stack(logits, 1)

    def kit_layout(self):
        """The kit's parameter name -> (this module's tensor, to the kit's layout, from it), for weights and gradients."""
        hd, lstm = self.hd, self.encoder
        out = {"encoder.embedding": (self.source_embedding.weight, lambda w: w.t())}
        for d, suffix in enumerate(["", "_reverse"]):
            out[f"encoder.inputWeights.{d}"] = (getattr(lstm, "weight_ih_l0" + suffix), lambda w: w.t())
            out[f"encoder.recurrentWeights.{d}"] = (getattr(lstm, "weight_hh_l0" + suffix), lambda w: w.t())
            out[f"encoder.bias.{d}"] = (getattr(lstm, "bias_ih_l0" + suffix), lambda w: w)
        out.update({
            "decoder.attention.wQ": (self.w_query.weight, lambda w: w),
            "decoder.attention.wK": (self.w_key.weight, lambda w: w),
            "decoder.attention.v": (self.v.weight, lambda w: w.reshape(-1)),
            "decoder.embedding": (self.target_embedding.weight, lambda w: w.t()),
            "decoder.init.weight": (self.init.weight, lambda w: w),
            "decoder.init.bias": (self.init.bias, lambda w: w),
            "decoder.gru.inputWeights": (self.gru_input.weight, lambda w: w),
            "decoder.gru.bias": (self.gru_input.bias, lambda w: w),
            "decoder.readout.weight": (self.readout.weight, lambda w: w),
            "decoder.readout.bias": (self.readout.bias, lambda w: w),
        })
        return out

    def load_kit(self, weights):
        """Copies the kit's arrays (its names and layouts) in; the LSTM's second bias is 0 and frozen (the kit has one)."""
        with torch.no_grad():
            for name, (tensor, to_kit) in self.kit_layout().items():
                to_kit(tensor).copy_(weights[name])
            u = weights["decoder.gru.recurrentWeights"]                            # [3Hd, Hd]: U_r, U_z, U
            self.gru_gates.weight.copy_(u[:2 * self.hd])
            self.gru_candidate.weight.copy_(u[2 * self.hd:])
            for suffix in ["", "_reverse"]:
                getattr(self.encoder, "bias_hh_l0" + suffix).zero_().requires_grad_(False)

    def kit_gradients(self):
        """Every gradient in the kit's names and layouts."""
        grads = {name: to_kit(tensor.grad) for name, (tensor, to_kit) in self.kit_layout().items()}
        grads["decoder.gru.recurrentWeights"] = torch.cat([self.gru_gates.weight.grad, self.gru_candidate.weight.grad])
        return grads


def seq2seq(directory, out):
    """One training step of chapter 07's model on the kit's weights and batch, float64 (and float32 for scale)."""
    meta = json.load(open(os.path.join(directory, "meta.json")))
    weights = {}
    for p in meta["parameters"]:
        with open(os.path.join(directory, p["name"] + ".f64"), "rb") as f:
            weights[p["name"]] = torch.frombuffer(bytearray(f.read()), dtype=torch.float64).reshape(p["shape"]).clone()
    src = torch.tensor(meta["sources"])                                            # [B, Tx], right-aligned
    tgt = torch.tensor(meta["targets"])                                            # [B, Ty], padding after the answer
    b, ty = tgt.shape
    previous = torch.cat([torch.zeros(b, 1, dtype=tgt.dtype), tgt[:, :-1]], 1)     # teacher forcing; step 0 reads padding
    # Padding ends an answer: each string is scored up to and including its first padding (all Ty steps if none).
    scored = torch.clamp((tgt != 0).sum(1) + 1, max=ty)                             # [B]
    steps = int(scored.max())
    counted = torch.arange(steps).unsqueeze(0) < scored.unsqueeze(1)                # [B, steps]
    default_threads = torch.get_num_threads()
    rows = []
    # float64 as the kit, with PyTorch's default threads and with one thread (as the kit runs: at these sizes its
    # parallel regions can cost more than they share, and on a busy machine far more); float32 on one thread, for scale.
    for dtype, threads, name in [(torch.float64, default_threads, "python-torch-seq2seq-bahdanau-step"),
                                 (torch.float64, 1, "python-torch-seq2seq-bahdanau-step-1-thread"),
                                 (torch.float32, 1, "python-torch-seq2seq-bahdanau-step-float32")]:
        torch.set_num_threads(threads)
        model = BahdanauTranslator(meta).to(dtype)
        model.load_kit({k: v.to(dtype) for k, v in weights.items()})
        weight = counted.to(dtype)

        def step():
            model.zero_grad(set_to_none=True)
            logits = model(src, previous, steps)                                    # [B, steps, Vout]
            ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt[:, :steps].reshape(-1), reduction="none")
            loss = (ce.view(b, steps) * weight).sum() / weight.sum()               # mean per scored character
            loss.backward()
            return loss

        loss = step().detach()
        if name == "python-torch-seq2seq-bahdanau-step":
            grads = model.kit_gradients()
            with open(os.path.join(directory, "check.txt"), "w") as f:
                f.write(repr(float(loss)) + "\n")
                for p in meta["parameters"]:
                    for v in grads[p["name"]].detach().reshape(-1).tolist():
                        f.write(repr(float(v)) + "\n")
        rows.append((name,) + timed(step, meta["warmup"], meta["iterations"]) + (f"{threads} thread{'s' if threads != 1 else ''}, torch {torch.__version__}",))
    torch.set_num_threads(default_threads)
    with open(out, "w") as f:
        for r in rows:
            f.write(f"{r[0]},{r[1]:.4f},{r[2]:.4f},{r[3]:.4f},\"{r[4]}\"\n")


if __name__ == "__main__":
    if sys.argv[1] == "seq2seq":
        seq2seq(sys.argv[2], sys.argv[3])
    else:
        main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
