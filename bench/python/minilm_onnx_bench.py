"""The onnxruntime half of the MiniLM benchmark row (run by BenchMain's pretrained section).

Reads the token ids the Java side wrote (ids.txt: one sentence per line), builds all-MiniLM-L6-v2 as a float32
ONNX graph from the same model.safetensors (standard operators; batch and length dynamic; padding hidden by an
additive key mask, as Hugging Face's attention_mask does), and times what the kit's row times: encoding every
sentence in batches (padding, the encoder, mean pooling over the real tokens, L2 normalisation). Writes
  timing.csv      median_ms,mean_ms,min_ms,"threads and version"
  embeddings.f32  the sentence embeddings [sentences, 384], little-endian float32, for the Java side to compare
usage: python minilm_onnx_bench.py MODEL_DIR WORK_DIR BATCH WARMUP ITERATIONS
"""
import json
import os
import statistics
import struct
import sys
import time

import numpy as np
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    kinds = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        a, b = t["data_offsets"]
        array = np.frombuffer(data[a:b], dtype=kinds[t["dtype"]]).reshape(t["shape"])
        out[name] = array.astype(np.float32) if array.dtype.kind == "f" else array   # the weights as float32
    return out


def graph(weights, config):
    """MiniLM in float32: input_ids [B, T] int64, attention_mask [B, T] float32 -> last hidden state [B, T, d]."""
    d, heads = config["hidden_size"], config["num_attention_heads"]
    hd, eps = d // heads, config["layer_norm_eps"]
    nodes, inits = [], []

    def const(name, value):
        inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    counter = [0]

    def node(op, inputs, **attrs):
        counter[0] += 1
        out = f"{op.lower()}_{counter[0]}"
        nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    def layer_norm(x, prefix):
        return node("LayerNormalization", [x, const(prefix + ".weight", weights[prefix + ".weight"]),
                                           const(prefix + ".bias", weights[prefix + ".bias"])], axis=-1, epsilon=eps)

    def linear(x, prefix):
        wt = const(prefix + ".weight.T", weights[prefix + ".weight"].T.copy())
        return node("Add", [node("MatMul", [x, wt]), const(prefix + ".bias", weights[prefix + ".bias"])])

    ids, mask = "input_ids", "attention_mask"
    word = node("Gather", [const("word", weights["embeddings.word_embeddings.weight"]), ids], axis=0)     # [B, T, d]
    length = node("Squeeze", [node("Slice", [node("Shape", [ids]), const("one_i", np.array([1], np.int64)),
                                            const("two_i", np.array([2], np.int64))])])
    positions = node("Range", [const("zero_s", np.array(0, np.int64)), length, const("one_s", np.array(1, np.int64))])
    pos = node("Gather", [const("pos", weights["embeddings.position_embeddings.weight"]), positions], axis=0)  # [T, d]
    x = node("Add", [node("Add", [word, pos]), const("type0", weights["embeddings.token_type_embeddings.weight"][0])])
    x = layer_norm(x, "embeddings.LayerNorm")
    # 0 where a key is real, -1e9 where it is padding: [B, 1, 1, T], added to every score.
    bias = node("Unsqueeze", [node("Mul", [node("Sub", [mask, const("one_f", np.array(1.0, np.float32))]),
                                           const("big", np.array(1e9, np.float32))]), const("axes12", np.array([1, 2], np.int64))])
    shape_heads = const("shape_heads", np.array([0, 0, heads, hd], np.int64))
    shape_merged = const("shape_merged", np.array([0, 0, d], np.int64))
    scale = const("scale", np.array(1.0 / np.sqrt(hd), np.float32))
    half = const("half", np.array(0.5, np.float32))
    rsqrt2 = const("rsqrt2", np.array(1.0 / np.sqrt(2.0), np.float32))
    for i in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        q = node("Transpose", [node("Reshape", [linear(x, p + "attention.self.query"), shape_heads])], perm=[0, 2, 1, 3])
        kt = node("Transpose", [node("Reshape", [linear(x, p + "attention.self.key"), shape_heads])], perm=[0, 2, 3, 1])
        v = node("Transpose", [node("Reshape", [linear(x, p + "attention.self.value"), shape_heads])], perm=[0, 2, 1, 3])
        scores = node("Add", [node("Mul", [node("MatMul", [q, kt]), scale]), bias])                        # [B, h, T, T]
        probs = node("Softmax", [scores], axis=-1)
        context = node("Reshape", [node("Transpose", [node("MatMul", [probs, v])], perm=[0, 2, 1, 3]), shape_merged])
        h = layer_norm(node("Add", [x, linear(context, p + "attention.output.dense")]), p + "attention.output.LayerNorm")
        inner = linear(h, p + "intermediate.dense")
        gelu = node("Mul", [node("Mul", [inner, half]),
                            node("Add", [const(f"one_{i}", np.array(1.0, np.float32)), node("Erf", [node("Mul", [inner, rsqrt2])])])])
        x = layer_norm(node("Add", [h, linear(gelu, p + "output.dense")]), p + "output.LayerNorm")
    nodes.append(helper.make_node("Identity", [x], ["last_hidden"]))
    g = helper.make_graph(nodes, "minilm-f32",
                          [helper.make_tensor_value_info(ids, TensorProto.INT64, ["B", "T"]),
                           helper.make_tensor_value_info(mask, TensorProto.FLOAT, ["B", "T"])],
                          [helper.make_tensor_value_info("last_hidden", TensorProto.FLOAT, ["B", "T", d])], inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 18)])


def main():
    model_dir, work, batch, warmup, iterations = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    weights = read_safetensors(os.path.join(model_dir, "model.safetensors"))
    with open(os.path.join(model_dir, "config.json")) as f:
        config = json.load(f)
    with open(os.path.join(work, "ids.txt")) as f:
        sentences = [[int(t) for t in line.split()] for line in f if line.strip()]
    options = ort.SessionOptions()
    threads = os.cpu_count()
    options.intra_op_num_threads = threads
    session = ort.InferenceSession(graph(weights, config).SerializeToString(), options, providers=["CPUExecutionProvider"])

    def encode():
        out = []
        for start in range(0, len(sentences), batch):
            group = sentences[start:start + batch]
            t = max(len(s) for s in group)
            ids = np.zeros((len(group), t), np.int64)
            mask = np.zeros((len(group), t), np.float32)
            for b, s in enumerate(group):
                ids[b, :len(s)] = s
                mask[b, :len(s)] = 1
            hidden = session.run(["last_hidden"], {"input_ids": ids, "attention_mask": mask})[0]
            pooled = (hidden * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
            out.append(pooled / np.linalg.norm(pooled, axis=1, keepdims=True))
        return np.concatenate(out)

    for _ in range(warmup):
        encode()
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        embeddings = encode()
        times.append((time.perf_counter() - start) * 1000)
    embeddings.astype("<f4").tofile(os.path.join(work, "embeddings.f32"))
    with open(os.path.join(work, "timing.csv"), "w") as f:
        f.write(f'{statistics.median(times)},{statistics.mean(times)},{min(times)},'
                f'"onnxruntime {ort.__version__} CPUExecutionProvider, {threads} intra-op threads, float32 graph"\n')


if __name__ == "__main__":
    main()
