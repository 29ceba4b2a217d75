#!/usr/bin/env python3
"""Regenerates the golden files the pretrained-model tests compare the kit against.

    python3 tools/reference/pretrained_reference.py        (after ./kit models)

It creates .kit/ref-venv with the pinned packages of tools/reference/requirements.txt and re-runs itself
there. The references are independent of the kit's Java code:

- MiniLM: the encoder is written as an ONNX graph (standard ONNX operators, float64; only erf in float32,
  as onnxruntime has no float64 Erf) from the weights in model.safetensors and executed by onnxruntime; every layer's hidden states and every head's attention
  weights are saved. Token ids come from Hugging Face's `tokenizers` reading the shipped tokenizer.json.
- SmolLM2's GGUF file: a few rows of tensors of each type (Q8_0, Q4_1, F32) dequantised by the `gguf`
  package (llama.cpp's own Python reader).

Outputs (small, committed) go to lib/src/test/resources/dev/attentionkit/pretrained/.
"""
import json
import os
import struct
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".kit" / "ref-venv"
OUT = ROOT / "lib" / "src" / "test" / "resources" / "dev" / "attentionkit" / "pretrained"
MODELS = Path(os.environ.get("ATTENTION_KIT_MODELS", ROOT / ".kit" / "models"))

# Tokenizer checks: accents, punctuation, CJK, contractions, digits, unknown words, odd white space.
TOKENIZER_SENTENCES = [
    "The animal didn't cross the road because it was too tired.",
    "The animal didn't cross the road because it was too wide.",
    "Crème brûlée, naïve café — São Paulo's Zürich façade!",
    "¿Qué pasó? «Ça va», dit-il… (really?!) [yes] {no} <maybe> a+b=c; 50% off $3.99 #1 @home ~x^2 | y_z `q`",
    "东京是日本的首都。北京也很大!",
    "日本語のテキストとカタカナ、한국어 텍스트",
    "I'm, you're, they'll, we'd, can't, won't, it's, o'clock, rock'n'roll",
    "unaffable transformers tokenization hyperparameterisation antidisestablishmentarianism",
    "  tabs\tand\nnewlines\r\n  and   spaces  ",
    "e-mail: someone@example.com, URL https://example.org/a?b=c&d=e",
    "Ωμέγα Ελληνικά Русский текст ÀÉÎÕÜ ǅ ß ﬁ",
    "x" * 120 + " short",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀 emoji 👍🏽 zero\u200bwidth",
]

# The sentences whose hidden states and attention weights are stored.
GOLDEN_SENTENCES = [
    "The animal didn't cross the road because it was too tired.",
    "Attention is all you need.",
]


def ensure_venv():
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    requirements = Path(__file__).with_name("requirements.txt")
    stamp = VENV / "requirements.txt"
    if not (VENV / "bin" / "python").exists():
        subprocess.check_call([sys.executable, "-m", "venv", str(VENV)])
    if not stamp.exists() or stamp.read_text() != requirements.read_text():
        subprocess.check_call([str(VENV / "bin" / "python"), "-m", "pip", "install", "-q",
                               "--disable-pip-version-check", "-r", str(requirements)])
        stamp.write_text(requirements.read_text())
    os.execv(str(VENV / "bin" / "python"), [str(VENV / "bin" / "python"), __file__] + sys.argv[1:])


def read_safetensors(path):
    import numpy as np
    raw = path.read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    types = {"F32": np.float32, "F64": np.float64, "I64": np.int64}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        out[name] = np.frombuffer(data[a:b], dtype=types[info["dtype"]]).reshape(info["shape"])
    return out


def write_safetensors(path, tensors, float64=()):
    """float32 tensors (float64 for the names in `float64`), with the format's rules (header padded to 8 bytes)."""
    import numpy as np
    header, blobs, offset = {}, [], 0
    for name, array in tensors.items():
        wide = name in float64
        b = np.ascontiguousarray(array, dtype="<f8" if wide else "<f4").tobytes()
        header[name] = {"dtype": "F64" if wide else "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def bert_graph(weights, config, tokens):
    """MiniLM as an ONNX graph in float64 for one sequence of `tokens` ids (no padding)."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper
    d, heads = config["hidden_size"], config["num_attention_heads"]
    hd, eps = d // heads, config["layer_norm_eps"]
    nodes, inits, outputs = [], [], []

    def const(name, value):
        inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def w(name):
        return const(name, weights[name].astype(np.float64))

    counter = [0]

    def node(op, inputs, **attrs):
        counter[0] += 1
        out = f"{op.lower()}_{counter[0]}"
        nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    def layer_norm(x, prefix):
        mean = node("ReduceMean", [x, const(f"{prefix}.axes", np.array([-1], np.int64))], keepdims=1)
        centred = node("Sub", [x, mean])
        var = node("ReduceMean", [node("Mul", [centred, centred]), f"{prefix}.axes"], keepdims=1)
        std = node("Sqrt", [node("Add", [var, const(f"{prefix}.eps", np.array(eps, np.float64))])])
        return node("Add", [node("Mul", [node("Div", [centred, std]), w(prefix + ".weight")]), w(prefix + ".bias")])

    def linear(x, prefix):
        wt = const(prefix + ".weight.T", weights[prefix + ".weight"].astype(np.float64).T.copy())
        return node("Add", [node("MatMul", [x, wt]), w(prefix + ".bias")])

    ids = "input_ids"
    word = node("Gather", [w("embeddings.word_embeddings.weight"), ids], axis=0)            # [t, d]
    pos = weights["embeddings.position_embeddings.weight"][:tokens].astype(np.float64)
    typ = weights["embeddings.token_type_embeddings.weight"][0].astype(np.float64)
    x = node("Add", [word, const("pos_plus_type", pos + typ)])
    x = layer_norm(x, "embeddings.LayerNorm")
    nodes.append(helper.make_node("Identity", [x], ["hidden_0"]))
    outputs.append("hidden_0")
    shape_heads = const("shape_heads", np.array([tokens, heads, hd], np.int64))
    shape_merged = const("shape_merged", np.array([tokens, d], np.int64))
    scale = const("scale", np.array(1.0 / np.sqrt(hd), np.float64))
    half = const("half", np.array(0.5, np.float64))
    one = const("one", np.array(1.0, np.float64))
    rsqrt2 = const("rsqrt2", np.array(1.0 / np.sqrt(2.0), np.float64))
    for i in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        def split(t):
            return node("Transpose", [node("Reshape", [t, shape_heads])], perm=[1, 0, 2])      # [h, t, hd]
        q = split(linear(x, p + "attention.self.query"))
        k = split(linear(x, p + "attention.self.key"))
        v = split(linear(x, p + "attention.self.value"))
        scores = node("Mul", [node("MatMul", [q, node("Transpose", [k], perm=[0, 2, 1])]), scale])
        probs = node("Softmax", [scores], axis=-1)                                             # [h, t, t]
        nodes.append(helper.make_node("Identity", [probs], [f"attention_{i}"]))
        outputs.append(f"attention_{i}")
        context = node("Reshape", [node("Transpose", [node("MatMul", [probs, v])], perm=[1, 0, 2]), shape_merged])
        h = layer_norm(node("Add", [x, linear(context, p + "attention.output.dense")]), p + "attention.output.LayerNorm")
        inner = linear(h, p + "intermediate.dense")
        # onnxruntime has Erf for float32 only: erf is evaluated in float32 (relative error ~1e-7), the rest in float64.
        erf32 = node("Erf", [node("Cast", [node("Mul", [inner, rsqrt2])], to=TensorProto.FLOAT)])
        erf = node("Cast", [erf32], to=TensorProto.DOUBLE)
        gelu = node("Mul", [node("Mul", [inner, half]), node("Add", [one, erf])])
        x = layer_norm(node("Add", [h, linear(gelu, p + "output.dense")]), p + "output.LayerNorm")
        nodes.append(helper.make_node("Identity", [x], [f"hidden_{i + 1}"]))
        outputs.append(f"hidden_{i + 1}")
    graph = helper.make_graph(
        nodes, "minilm", [helper.make_tensor_value_info(ids, TensorProto.INT64, [tokens])],
        [helper.make_tensor_value_info(o, TensorProto.DOUBLE, None) for o in outputs], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]), outputs


def minilm():
    import numpy as np
    import onnxruntime as ort
    from tokenizers import Tokenizer
    folder = MODELS / "minilm"
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()      # the shipped tokenizer.json pads to 128 and truncates
    tokenizer.no_truncation()
    cases = []
    for text in TOKENIZER_SENTENCES:
        enc = tokenizer.encode(text)
        cases.append({"text": text, "ids": enc.ids, "tokens": enc.tokens})
    (OUT / "minilm-tokenizer.json").write_text(
        "[\n" + ",\n".join(json.dumps(c, ensure_ascii=False) for c in cases) + "\n]\n")

    weights = read_safetensors(folder / "model.safetensors")
    config = json.loads((folder / "config.json").read_text())
    golden, meta = {}, []
    for s, text in enumerate(GOLDEN_SENTENCES):
        ids = np.array(tokenizer.encode(text).ids, np.int64)
        model, names = bert_graph(weights, config, len(ids))
        session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        results = dict(zip(names, session.run(names, {"input_ids": ids})))
        golden[f"s{s}.ids"] = ids.astype(np.float32)
        golden[f"s{s}.hidden"] = np.stack([results[f"hidden_{i}"] for i in range(config["num_hidden_layers"] + 1)])
        golden[f"s{s}.attention"] = np.stack([results[f"attention_{i}"] for i in range(config["num_hidden_layers"])])
        mean = results[f"hidden_{config['num_hidden_layers']}"].mean(axis=0)
        golden[f"s{s}.embedding"] = mean / np.linalg.norm(mean)
        meta.append({"text": text, "tokens": len(ids)})
    write_safetensors(OUT / "minilm-golden.safetensors", golden)
    (OUT / "minilm-golden.json").write_text(json.dumps({
        "reference": f"onnxruntime {ort.__version__}, float64 ONNX graph built from model.safetensors",
        "sentences": meta}, indent=1) + "\n")
    print(f"MiniLM golden files written ({len(GOLDEN_SENTENCES)} sentences, onnxruntime {ort.__version__})")


LLAMA_PROMPT = "The animal didn't cross the road because it was too tired."


def llama_graph(tensors, meta, tokens):
    """SmolLM2 as an ONNX graph in float64 for one sequence of `tokens` ids, from gguf-dequantised weights.

    Written from the Llama architecture, independently of the kit's Java: RoPE on adjacent feature pairs
    (llama.cpp's layout of GGUF weights) by a constant rotation matrix, grouped-query attention by broadcasting
    the 3 key/value heads over groups of 3 query heads, SwiGLU, RMSNorm, tied output embedding."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper
    d, heads, kvh = meta["dim"], meta["heads"], meta["kv_heads"]
    hd, eps, base = d // heads, meta["eps"], meta["rope_base"]
    group = heads // kvh
    nodes, inits, outputs = [], [], []
    counter = [0]

    names = set()

    def const(name, value):
        if name not in names:
            names.add(name)
            inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(op, inputs, **attrs):
        counter[0] += 1
        out = f"{op.lower()}_{counter[0]}"
        nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    def weight_t(name):
        return const(name + ".T", tensors[name].astype(np.float64).T.copy())

    def rms(x, name):
        ms = node("ReduceMean", [node("Mul", [x, x]), const(name + ".axes", np.array([-1], np.int64))], keepdims=1)
        return node("Mul", [node("Div", [x, node("Sqrt", [node("Add", [ms, const(name + ".eps", np.array(eps))])])]),
                            const(name, tensors[name].astype(np.float64))])

    # RoPE: x' = x * cos + (x @ R) * sin, where R maps pair (a, b) to (-b, a).
    pos = np.arange(tokens)[:, None]
    freqs = base ** (-2.0 * np.arange(hd // 2) / hd)
    angles = np.repeat(pos * freqs[None, :], 2, axis=1)                      # [t, hd], each angle twice
    cos = const("rope.cos", np.cos(angles)[None])                           # [1, t, hd]
    sin = const("rope.sin", np.sin(angles)[None])
    rot = np.zeros((hd, hd))
    for i in range(hd // 2):
        rot[2 * i + 1, 2 * i] = -1.0                                       # out[2i]   = -x[2i+1]
        rot[2 * i, 2 * i + 1] = 1.0                                        # out[2i+1] =  x[2i]
    rot = const("rope.R", rot)

    def rope(x):                                                            # x [h, t, hd]
        return node("Add", [node("Mul", [x, cos]), node("Mul", [node("MatMul", [x, rot]), sin])])

    causal = const("causal", np.triu(np.full((tokens, tokens), -1e300), 1))
    scale = const("scale", np.array(1.0 / np.sqrt(hd)))
    x = node("Gather", [const("token_embd", tensors["token_embd.weight"].astype(np.float64)), "input_ids"], axis=0)
    for i in range(meta["layers"]):
        p = f"blk.{i}."
        n = rms(x, p + "attn_norm.weight")
        def heads_of(t, count):
            return node("Transpose", [node("Reshape", [t, const(f"{p}shape{count}", np.array([tokens, count, hd], np.int64))])], perm=[1, 0, 2])
        q = rope(heads_of(node("MatMul", [n, weight_t(p + "attn_q.weight")]), heads))          # [9, t, hd]
        k = rope(heads_of(node("MatMul", [n, weight_t(p + "attn_k.weight")]), kvh))            # [3, t, hd]
        v = heads_of(node("MatMul", [n, weight_t(p + "attn_v.weight")]), kvh)
        qg = node("Reshape", [q, const(p + "qg", np.array([kvh, group, tokens, hd], np.int64))])  # [3, 3, t, hd]
        kg = node("Unsqueeze", [node("Transpose", [k], perm=[0, 2, 1]), const(p + "ax1", np.array([1], np.int64))])  # [3, 1, hd, t]
        scores = node("Add", [node("Mul", [node("MatMul", [qg, kg]), scale]), causal])          # [3, 3, t, t]
        probs = node("Softmax", [scores], axis=-1)
        flat = node("Reshape", [probs, const(p + "ph", np.array([heads, tokens, tokens], np.int64))])
        nodes.append(helper.make_node("Identity", [flat], [f"attention_{i}"]))
        outputs.append(f"attention_{i}")
        ctx = node("MatMul", [probs, node("Unsqueeze", [v, p + "ax1"])])                        # [3, 3, t, hd]
        ctx = node("Reshape", [node("Transpose", [node("Reshape", [ctx, const(p + "ch", np.array([heads, tokens, hd], np.int64))])], perm=[1, 0, 2]),
                               const(p + "merged", np.array([tokens, d], np.int64))])
        x = node("Add", [x, node("MatMul", [ctx, weight_t(p + "attn_output.weight")])])
        f = rms(x, p + "ffn_norm.weight")
        gate = node("MatMul", [f, weight_t(p + "ffn_gate.weight")])
        silu = node("Mul", [gate, node("Sigmoid", [gate])])
        up = node("MatMul", [f, weight_t(p + "ffn_up.weight")])
        x = node("Add", [x, node("MatMul", [node("Mul", [silu, up]), weight_t(p + "ffn_down.weight")])])
    last = rms(x, "output_norm.weight")
    logits = node("MatMul", [last, const("token_embd.T", tensors["token_embd.weight"].astype(np.float64).T.copy())])
    nodes.append(helper.make_node("Identity", [logits], ["logits"]))
    outputs.append("logits")
    graph = helper.make_graph(nodes, "smollm2", [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [tokens])],
                              [helper.make_tensor_value_info(o, TensorProto.DOUBLE, None) for o in outputs], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]), outputs


BPE_SENTENCES = [
    LLAMA_PROMPT,
    "The animal didn't cross the road because it was too wide.",
    "In 2024, π ≈ 3.14159 and 1,000,000 people said: \"Hello!!\"",
    "Crème brûlée, naïve café — São Paulo's Zürich façade",
    "东京是日本的首都。 日本語のテキスト 😀👍🏽",
    "  leading spaces, tabs\tand\nnew lines\n\n  and trailing   ",
    "I'm, you're, they'll, we'd, can't, won't, it's, O'Neil's rock'n'roll",
    "def f(x):\n    return x**2 + 1  # comment",
]


def bpe_tokenizer(reader):
    """Hugging Face `tokenizers` with SmolLM2's vocabulary and merges from the GGUF file and its pre-tokenizer
    (digits one by one, then GPT-2's byte-level pattern)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    tokens = reader.fields["tokenizer.ggml.tokens"].contents()
    merges = [tuple(m.split(" ", 1)) for m in reader.fields["tokenizer.ggml.merges"].contents()]
    tok = Tokenizer(models.BPE({t: i for i, t in enumerate(tokens)}, merges))
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                                 pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])
    tok.decoder = decoders.ByteLevel()
    return tok


def smollm2_tokenizer(reader):
    tok = bpe_tokenizer(reader)
    cases = []
    llama = None
    try:
        from llama_cpp import Llama
        llama = Llama(model_path=str(MODELS / "smollm2" / "SmolLM2-135M-Instruct.Q4_1.gguf"), vocab_only=True, verbose=False)
    except Exception as error:  # llama-cpp-python builds from source; it is optional here
        print("llama-cpp-python not available, tokenizer checked against tokenizers only:", error)
    for text in BPE_SENTENCES:
        ids = tok.encode(text).ids
        case = {"text": text, "ids": ids}
        if llama is not None:
            case["llama_cpp_ids"] = llama.tokenize(text.encode("utf-8"), add_bos=False, special=False)
            if case["llama_cpp_ids"] != ids:
                print("tokenizers and llama.cpp disagree on", repr(text))
        cases.append(case)
    (OUT / "smollm2-tokenizer.json").write_text("[\n" + ",\n".join(json.dumps(c, ensure_ascii=False) for c in cases) + "\n]\n")
    print(f"SmolLM2 tokenizer cases written ({len(cases)}; llama.cpp {'compared' if llama else 'not available'})")


def smollm2():
    import numpy as np
    import gguf
    reader = gguf.GGUFReader(str(MODELS / "smollm2" / "SmolLM2-135M-Instruct.Q4_1.gguf"))
    wanted = {"token_embd.weight": 3, "blk.0.attn_q.weight": 3, "blk.0.attn_k.weight": 2,
              "blk.0.ffn_down.weight": 2, "blk.0.attn_norm.weight": None, "output_norm.weight": None}
    smollm2_tokenizer(reader)
    golden, kinds = {}, {}
    for t in reader.tensors:
        if t.name in wanted:
            values = gguf.quants.dequantize(t.data, t.tensor_type)   # numpy shape: ne reversed
            rows = wanted[t.name]
            golden[t.name] = values if rows is None else values[:rows]
            kinds[t.name] = t.tensor_type.name
    write_safetensors(OUT / "smollm2-dequantized.safetensors", golden)
    (OUT / "smollm2-dequantized.json").write_text(json.dumps({
        "reference": f"gguf (llama.cpp's Python package) {getattr(gguf, '__version__', '0.19.0')}: gguf.quants.dequantize",
        "types": kinds}, indent=1) + "\n")
    print("SmolLM2 dequantisation golden file written:", kinds)

    # The decoder itself, in float64 through onnxruntime.
    import onnxruntime as ort
    tensors = {t.name: gguf.quants.dequantize(t.data, t.tensor_type) for t in reader.tensors}
    field = lambda k: reader.fields[k].contents()
    meta = {"dim": int(field("llama.embedding_length")), "heads": int(field("llama.attention.head_count")),
            "kv_heads": int(field("llama.attention.head_count_kv")), "layers": int(field("llama.block_count")),
            "eps": float(field("llama.attention.layer_norm_rms_epsilon")), "rope_base": float(field("llama.rope.freq_base"))}
    ids = np.array(bpe_tokenizer(reader).encode(LLAMA_PROMPT).ids, np.int64)
    model, names = llama_graph(tensors, meta, len(ids))
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    results = dict(zip(names, session.run(names, {"input_ids": ids})))
    write_safetensors(OUT / "smollm2-golden.safetensors", {
        "ids": ids.astype(np.float32),
        "logits.last": results["logits"][-1],
        "attention.0": results["attention_0"], "attention.15": results["attention_15"], "attention.29": results["attention_29"]},
        float64=("logits.last",))
    print(f"SmolLM2 golden file written ({len(ids)} tokens, onnxruntime {ort.__version__})")


def main():
    ensure_venv()
    if not (MODELS / "minilm" / "model.safetensors").exists():
        sys.exit(f"no models in {MODELS}: run ./kit models first")
    OUT.mkdir(parents=True, exist_ok=True)
    minilm()
    smollm2()


if __name__ == "__main__":
    main()
