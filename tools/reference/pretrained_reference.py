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


def write_safetensors(path, tensors):
    """float32 tensors, written with the format's rules (header padded to 8 bytes with spaces)."""
    import numpy as np
    header, blobs, offset = {}, [], 0
    for name, array in tensors.items():
        b = np.ascontiguousarray(array, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(b)]}
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


def smollm2():
    import numpy as np
    import gguf
    reader = gguf.GGUFReader(str(MODELS / "smollm2" / "SmolLM2-135M-Instruct.Q4_1.gguf"))
    wanted = {"token_embd.weight": 3, "blk.0.attn_q.weight": 3, "blk.0.attn_k.weight": 2,
              "blk.0.ffn_down.weight": 2, "blk.0.attn_norm.weight": None, "output_norm.weight": None}
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


def main():
    ensure_venv()
    if not (MODELS / "minilm" / "model.safetensors").exists():
        sys.exit(f"no models in {MODELS}: run ./kit models first")
    OUT.mkdir(parents=True, exist_ok=True)
    minilm()
    smollm2()


if __name__ == "__main__":
    main()
