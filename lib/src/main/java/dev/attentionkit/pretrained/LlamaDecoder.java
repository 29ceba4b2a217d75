package dev.attentionkit.pretrained;

import dev.attentionkit.attention.AttentionOutput;
import dev.attentionkit.mask.CausalMask;
import dev.attentionkit.mask.Mask;
import dev.attentionkit.nn.Linear;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A Llama-style causal decoder read from a GGUF file (SmolLM2-135M: 30 layers, width 576, 9 query heads
 * sharing 3 key/value heads of 64 features, SwiGLU feed-forward of 1536, tied input/output embeddings):
 *
 * <pre>
 * x = embedding[ids]                                          [1, t, d]
 * per layer:
 *   h = RmsNorm(x);  q, k, v = W_q h, W_k h, W_v h            q [1, 9, t, 64], k, v [1, 3, t, 64]
 *   q, k = RoPE(q), RoPE(k)                                   rotated by position
 *   a = GroupedQueryAttention(q, k, v, causal mask)           [1, 9, t, 64]
 *   x = x + W_o a
 *   x = x + W_down (silu(W_gate RmsNorm(x)) · W_up RmsNorm(x))
 * logits = RmsNorm(x) · embeddingᵀ                            [t, vocab]
 * </pre>
 *
 * {@link #forward} runs a whole sequence at once (returning every layer's attention); {@link #step} runs
 * one new token against a {@link KvCache} of the earlier tokens' keys and values.
 */
public final class LlamaDecoder {
    /** Sizes, from the GGUF metadata. */
    public record Config(int vocabSize, int dim, int layers, int heads, int kvHeads, int ffn, double ropeBase,
                         double eps, int contextLength) {
        public int headDim() {
            return dim / heads;
        }
    }

    /** One layer's weights. */
    public record Layer(RmsNorm attentionNorm, Linear query, Linear key, Linear value, Linear output,
                        RmsNorm ffnNorm, Linear gate, Linear up, Linear down) {}

    /** A whole-sequence pass: logits {@code [t, vocab]} and each layer's weights {@code [1, heads, t, t]}. */
    public record Output(INDArray logits, List<INDArray> attentions) {}

    /** Keys and values of the tokens seen so far, per layer {@code [1, kvHeads, tokens, headDim]} (after RoPE). */
    public static final class KvCache {
        private final INDArray[] keys;
        private final INDArray[] values;
        private int length;

        KvCache(int layers) {
            keys = new INDArray[layers];
            values = new INDArray[layers];
        }

        /** Tokens cached. */
        public int length() {
            return length;
        }

        /** Floats held: 2 (k and v) × layers × kvHeads × tokens × headDim. */
        public long floats() {
            long n = 0;
            for (int l = 0; l < keys.length; l++) {
                n += keys[l] == null ? 0 : keys[l].length() + values[l].length();
            }
            return n;
        }

        public INDArray keys(int layer) {
            return keys[layer];
        }

        public INDArray values(int layer) {
            return values[layer];
        }
    }

    private final Config config;
    private final INDArray embedding; // [vocab, d], also the output projection (tied)
    private final List<Layer> layers;
    private final RmsNorm outputNorm;
    private final RotaryEmbedding rope;

    private LlamaDecoder(Config config, INDArray embedding, List<Layer> layers, RmsNorm outputNorm) {
        this.config = config;
        this.embedding = embedding;
        this.layers = Collections.unmodifiableList(layers);
        this.outputNorm = outputNorm;
        this.rope = new RotaryEmbedding(config.headDim(), config.ropeBase());
    }

    /** SmolLM2-135M-Instruct from {@code ./kit models}. */
    public static LlamaDecoder smolLm2(DataType type) {
        return fromGguf(Gguf.open(ModelFiles.require(ModelFiles.SMOLLM2, ModelFiles.SMOLLM2_GGUF)), type);
    }

    /** From a GGUF file of architecture {@code llama}; every tensor's shape is checked. */
    public static LlamaDecoder fromGguf(Gguf g, DataType type) {
        if (!"llama".equals(g.meta("general.architecture"))) {
            throw new TensorFormatException(g.path() + ": architecture " + g.meta("general.architecture") + ", expected llama");
        }
        Config c = new Config(g.metaStrings("tokenizer.ggml.tokens").size(), (int) g.metaLong("llama.embedding_length"),
            (int) g.metaLong("llama.block_count"), (int) g.metaLong("llama.attention.head_count"),
            (int) g.metaLong("llama.attention.head_count_kv"), (int) g.metaLong("llama.feed_forward_length"),
            g.metaDouble("llama.rope.freq_base"), g.metaDouble("llama.attention.layer_norm_rms_epsilon"),
            (int) g.metaLong("llama.context_length"));
        long d = c.dim(), kv = (long) c.kvHeads() * c.headDim();
        INDArray embedding = g.tensor("token_embd.weight", type, c.vocabSize(), d);
        if (g.tensors().containsKey("output.weight")) {
            throw new TensorFormatException(g.path() + ": has a separate output.weight; this decoder expects tied embeddings");
        }
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            String p = "blk." + i + ".";
            layers.add(new Layer(new RmsNorm(g.tensor(p + "attn_norm.weight", type, d), c.eps()),
                linear(g, p + "attn_q.weight", type, d, d), linear(g, p + "attn_k.weight", type, kv, d),
                linear(g, p + "attn_v.weight", type, kv, d), linear(g, p + "attn_output.weight", type, d, d),
                new RmsNorm(g.tensor(p + "ffn_norm.weight", type, d), c.eps()),
                linear(g, p + "ffn_gate.weight", type, c.ffn(), d), linear(g, p + "ffn_up.weight", type, c.ffn(), d),
                linear(g, p + "ffn_down.weight", type, d, c.ffn())));
        }
        return new LlamaDecoder(c, embedding, layers, new RmsNorm(g.tensor("output_norm.weight", type, d), c.eps()));
    }

    private static Linear linear(Gguf g, String name, DataType type, long out, long in) {
        return Linear.fromWeights(g.tensor(name, type, out, in), null);
    }

    /** A new, empty KV cache for {@link #step}. */
    public KvCache newCache() {
        return new KvCache(layers.size());
    }

    /**
     * The whole sequence at once, with the causal mask.
     *
     * @param ids {@code [t]}, each in {@code 0..vocab-1}
     */
    public Output forward(int[] ids) {
        return run(ids, null, true);
    }

    /**
     * New tokens appended to {@code cache}: their keys and values are added to it, their queries attend to
     * every cached token and to the earlier new ones.
     *
     * @return logits of the last new token {@code [vocab]}
     */
    public INDArray step(int[] ids, KvCache cache) {
        INDArray logits = run(ids, cache, false).logits();
        return logits.getRow(logits.size(0) - 1).dup();
    }

    private Output run(int[] ids, KvCache cache, boolean keepAttention) {
        if (ids.length == 0) {
            throw new IllegalArgumentException("ids: expected at least one token");
        }
        for (int id : ids) {
            if (id < 0 || id >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " is outside 0.." + (config.vocabSize() - 1));
            }
        }
        int start = cache == null ? 0 : cache.length;
        int t = ids.length;
        if (start + t > config.contextLength()) {
            throw new IllegalArgumentException("context of " + (start + t) + " tokens exceeds " + config.contextLength());
        }
        int h = config.heads(), kvh = config.kvHeads(), hd = config.headDim();
        INDArray x = embedding.getRows(ids).reshape('c', 1, t, config.dim());            // [1, t, d]
        Mask mask = t > 1 ? causalAfter(start, t) : null;
        List<INDArray> attentions = new ArrayList<>();
        for (int l = 0; l < layers.size(); l++) {
            Layer layer = layers.get(l);
            INDArray n = layer.attentionNorm().forward(x);
            INDArray q = rope.apply(split(layer.query().forward(n), h), start);          // [1, h, t, hd]
            INDArray k = rope.apply(split(layer.key().forward(n), kvh), start);          // [1, kvh, t, hd]
            INDArray v = split(layer.value().forward(n), kvh);                           // [1, kvh, t, hd]
            if (cache != null) {
                if (cache.keys[l] != null) {
                    k = Nd4j.concat(2, cache.keys[l], k);                                 // [1, kvh, start + t, hd]
                    v = Nd4j.concat(2, cache.values[l], v);
                }
                cache.keys[l] = k;
                cache.values[l] = v;
            }
            AttentionOutput a = GroupedQueryAttention.apply(q, k, v, mask);               // [1, h, t, hd]
            if (keepAttention) {
                attentions.add(a.weights());
            }
            x = x.add(layer.output().forward(merge(a.context())));
            INDArray f = layer.ffnNorm().forward(x);
            INDArray gate = layer.gate().forward(f);
            INDArray silu = gate.mul(Transforms.sigmoid(gate, true));                    // silu(g) = g · σ(g)
            x = x.add(layer.down().forward(silu.muli(layer.up().forward(f))));
        }
        if (cache != null) {
            cache.length = start + t;
        }
        INDArray last = outputNorm.forward(x).reshape('c', t, config.dim());
        INDArray logits = Nd4j.matmul(last, embedding, false, true, false);               // [t, vocab]
        return new Output(logits, attentions);
    }

    /** Query i (at position start + i) sees keys 0 .. start + i. */
    private static Mask causalAfter(int start, int t) {
        if (start == 0) {
            return CausalMask.of(t);
        }
        boolean[][] keep = new boolean[t][start + t];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j <= start + i; j++) {
                keep[i][j] = true;
            }
        }
        return Mask.of(keep);
    }

    private static INDArray split(INDArray x, int heads) {                   // [1, t, heads·hd] → [1, heads, t, hd]
        long t = x.size(1);
        return x.reshape('c', 1, t, heads, x.size(2) / heads).permute(0, 2, 1, 3).dup('c');
    }

    private static INDArray merge(INDArray x) {                              // [1, h, t, hd] → [1, t, h·hd]
        return x.permute(0, 2, 1, 3).dup('c').reshape('c', 1, x.size(2), x.size(1) * x.size(3));
    }

    /**
     * Greedy decoding: {@code maxNew} times the most likely next token, stopping early at {@code stopId}.
     * With the cache each step runs one token; without it each step re-runs the whole sequence.
     */
    public int[] generate(int[] prompt, int maxNew, int stopId, boolean useCache) {
        List<Integer> out = new ArrayList<>();
        int[] sequence = prompt.clone();
        KvCache cache = useCache ? newCache() : null;
        INDArray logits = useCache ? step(prompt, cache) : lastRow(forward(prompt).logits());
        for (int i = 0; i < maxNew; i++) {
            int next = logits.argMax().getInt(0);
            out.add(next);
            if (next == stopId) {
                break;
            }
            sequence = java.util.Arrays.copyOf(sequence, sequence.length + 1);
            sequence[sequence.length - 1] = next;
            if (i + 1 < maxNew) {
                logits = useCache ? step(new int[] {next}, cache) : lastRow(run(sequence, null, false).logits());
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static INDArray lastRow(INDArray logits) {
        return logits.getRow(logits.size(0) - 1).dup();
    }

    /**
     * Mean next-token cross-entropy (nats) of {@code ids}: position i predicts token i + 1.
     */
    public double nextTokenLoss(int[] ids) {
        if (ids.length < 2) {
            throw new IllegalArgumentException("nextTokenLoss: need at least two tokens");
        }
        INDArray logits = run(ids, null, false).logits().castTo(DataType.DOUBLE);        // [t, vocab]
        double loss = 0;
        for (int i = 0; i + 1 < ids.length; i++) {
            INDArray row = logits.getRow(i);
            double max = row.maxNumber().doubleValue();
            double logSum = Math.log(Transforms.exp(row.sub(max), false).sumNumber().doubleValue()) + max;
            loss += logSum - row.getDouble(ids[i + 1]);
        }
        return loss / (ids.length - 1);
    }

    /** A copy with query head {@code head} of layer {@code layer} switched off (its slice of W_o zeroed). */
    public LlamaDecoder withoutHead(int layer, int head) {
        if (layer < 0 || layer >= layers.size() || head < 0 || head >= config.heads()) {
            throw new IllegalArgumentException(String.format("layer %d, head %d: expected layer 0..%d, head 0..%d",
                layer, head, layers.size() - 1, config.heads() - 1));
        }
        List<Layer> copy = new ArrayList<>(layers);
        Layer old = layers.get(layer);
        INDArray w = old.output().weight().dup();
        int hd = config.headDim();
        w.get(NDArrayIndex.all(), NDArrayIndex.interval(head * hd, (head + 1) * hd)).assign(0);
        copy.set(layer, new Layer(old.attentionNorm(), old.query(), old.key(), old.value(), Linear.fromWeights(w, null),
            old.ffnNorm(), old.gate(), old.up(), old.down()));
        return new LlamaDecoder(config, embedding, copy, outputNorm);
    }

    public Config config() {
        return config;
    }

    public List<Layer> layers() {
        return layers;
    }

    /** The token embedding {@code [vocab, d]}, also the output projection (tied). */
    public INDArray embedding() {
        return embedding;
    }

    public RotaryEmbedding rope() {
        return rope;
    }
}
