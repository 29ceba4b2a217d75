package dev.attentionkit.pretrained;

import dev.attentionkit.attention.MultiHeadAttention;
import dev.attentionkit.mask.Mask;
import dev.attentionkit.mask.PaddingMask;
import dev.attentionkit.nn.Dropout;
import dev.attentionkit.nn.Linear;
import dev.attentionkit.transformer.LayerNorm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A BERT encoder read from a Hugging Face {@code model.safetensors} (MiniLM: 6 layers × 12 heads, width 384):
 *
 * <pre>
 * x = word[ids] + position[0..t) + tokenType[0]   [b, t, d]
 * x = LayerNorm(x)
 * x = layer_i(x) for each {@link BertLayer}         [b, t, d], keeping every layer's attention [b, h, t, t]
 * </pre>
 *
 * {@link #sentenceEmbedding} adds what sentence-transformers puts on top: the mean over the real tokens, then
 * L2 normalisation.
 */
public final class BertEncoder {
    /** The sizes {@code config.json} gives. */
    public record Config(int vocabSize, int hidden, int layers, int heads, int intermediate, int maxPositions,
                         int typeVocabSize, double layerNormEps) {
        public int headDim() {
            return hidden / heads;
        }

        /** From a Hugging Face BERT {@code config.json}. */
        public static Config fromJson(Path configJson) {
            Map<String, Object> c;
            try {
                c = Json.object(Json.parse(Files.readString(configJson)), configJson.toString());
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + configJson + ": " + e.getMessage(), e);
            }
            return new Config(integer(c, "vocab_size", configJson), integer(c, "hidden_size", configJson),
                integer(c, "num_hidden_layers", configJson), integer(c, "num_attention_heads", configJson),
                integer(c, "intermediate_size", configJson), integer(c, "max_position_embeddings", configJson),
                integer(c, "type_vocab_size", configJson), ((Number) c.getOrDefault("layer_norm_eps", 1e-12)).doubleValue());
        }

        private static int integer(Map<String, Object> c, String key, Path file) {
            if (!(c.get(key) instanceof Long n)) {
                throw new IllegalArgumentException(file + ": \"" + key + "\" is missing or not an integer");
            }
            return Math.toIntExact(n);
        }
    }

    /** Every layer's output: {@code hidden.get(0)} is the embeddings, {@code hidden.get(i + 1)} layer i's. */
    public record Output(List<INDArray> hidden, List<INDArray> attentions, Mask mask, int[] lengths) {
        /** The last layer's output {@code [b, t, d]}. */
        public INDArray last() {
            return hidden.get(hidden.size() - 1);
        }

        /** Layer {@code layer}'s attention weights {@code [b, heads, t, t]}. */
        public INDArray attention(int layer) {
            return attentions.get(layer);
        }
    }

    private final Config config;
    private final INDArray wordEmbeddings;      // [vocab, d]
    private final INDArray positionEmbeddings;  // [maxPositions, d]
    private final INDArray tokenTypeEmbeddings; // [types, d]
    private final LayerNorm embeddingNorm;
    private final List<BertLayer> layers;

    private BertEncoder(Config config, INDArray word, INDArray position, INDArray tokenType, LayerNorm norm,
                        List<BertLayer> layers) {
        this.config = config;
        this.wordEmbeddings = word;
        this.positionEmbeddings = position;
        this.tokenTypeEmbeddings = tokenType;
        this.embeddingNorm = norm;
        this.layers = Collections.unmodifiableList(layers);
    }

    /** MiniLM from {@code ./kit models}, computing in {@code type} (FLOAT, or DOUBLE for exact comparisons). */
    public static BertEncoder miniLm(DataType type) {
        Config config = Config.fromJson(ModelFiles.require(ModelFiles.MINILM, "config.json"));
        return fromSafeTensors(SafeTensors.open(ModelFiles.require(ModelFiles.MINILM, "model.safetensors")), config, type);
    }

    /**
     * From Hugging Face BERT weight names ({@code embeddings.*}, {@code encoder.layer.N.*}; a {@code bert.}
     * prefix is accepted). Every tensor's shape is checked against {@code config}.
     */
    public static BertEncoder fromSafeTensors(SafeTensors st, Config c, DataType type) {
        String p = st.names().contains("bert.embeddings.word_embeddings.weight") ? "bert." : "";
        long d = c.hidden();
        INDArray word = st.tensor(p + "embeddings.word_embeddings.weight", type, c.vocabSize(), d);
        INDArray position = st.tensor(p + "embeddings.position_embeddings.weight", type, c.maxPositions(), d);
        INDArray tokenType = st.tensor(p + "embeddings.token_type_embeddings.weight", type, c.typeVocabSize(), d);
        LayerNorm norm = layerNorm(st, p + "embeddings.LayerNorm", type, d, c.layerNormEps());
        List<BertLayer> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            String l = p + "encoder.layer." + i + ".";
            Linear q = linear(st, l + "attention.self.query", type, d, d);
            Linear k = linear(st, l + "attention.self.key", type, d, d);
            Linear v = linear(st, l + "attention.self.value", type, d, d);
            Linear o = linear(st, l + "attention.output.dense", type, d, d);
            MultiHeadAttention mha = MultiHeadAttention.fromLayers(q, k, v, o, c.heads(), c.maxPositions(), Dropout.of(0, 0));
            layers.add(new BertLayer(mha.eval(), layerNorm(st, l + "attention.output.LayerNorm", type, d, c.layerNormEps()),
                linear(st, l + "intermediate.dense", type, c.intermediate(), d),
                linear(st, l + "output.dense", type, d, c.intermediate()),
                layerNorm(st, l + "output.LayerNorm", type, d, c.layerNormEps())));
        }
        return new BertEncoder(c, word, position, tokenType, norm, layers);
    }

    private static Linear linear(SafeTensors st, String name, DataType type, long out, long in) {
        return Linear.fromWeights(st.tensor(name + ".weight", type, out, in), st.tensor(name + ".bias", type, out));
    }

    private static LayerNorm layerNorm(SafeTensors st, String name, DataType type, long d, double eps) {
        return LayerNorm.fromWeights(st.tensor(name + ".weight", type, d), st.tensor(name + ".bias", type, d), eps);
    }

    /** One sequence of ids (with its {@code [CLS]} and {@code [SEP]}). */
    public Output forward(int[] ids) {
        return forward(new int[][] {ids});
    }

    /**
     * A batch of id sequences of any lengths: shorter ones are padded with id 0 and their padding hidden
     * from every query by a key mask, as Hugging Face's {@code attention_mask} does.
     *
     * @param ids {@code [batch][tokens_b]}, each id in {@code 0..vocabSize-1}, {@code tokens_b <= maxPositions}
     */
    public Output forward(int[][] ids) {
        if (ids.length == 0) {
            throw new IllegalArgumentException("ids: expected at least one sequence");
        }
        int batch = ids.length;
        int tokens = 0;
        int[] lengths = new int[batch];
        for (int b = 0; b < batch; b++) {
            lengths[b] = ids[b].length;
            if (lengths[b] == 0 || lengths[b] > config.maxPositions()) {
                throw new IllegalArgumentException(String.format("ids[%d]: %d tokens, expected 1..%d", b, lengths[b],
                    config.maxPositions()));
            }
            tokens = Math.max(tokens, lengths[b]);
        }
        int[] flat = new int[batch * tokens];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < ids[b].length; t++) {
                int id = ids[b][t];
                if (id < 0 || id >= config.vocabSize()) {
                    throw new IllegalArgumentException(String.format("ids[%d][%d] = %d is outside 0..%d", b, t, id,
                        config.vocabSize() - 1));
                }
                flat[b * tokens + t] = id;
            }
        }
        long d = config.hidden();
        INDArray x = wordEmbeddings.getRows(flat).reshape('c', batch, tokens, d);                   // [b, t, d]
        INDArray positions = positionEmbeddings.get(NDArrayIndex.interval(0, tokens), NDArrayIndex.all())
            .add(tokenTypeEmbeddings.getRow(0));                                                     // [t, d]
        x = embeddingNorm.forward(x.add(positions.reshape(1, tokens, d)));                          // broadcast add
        boolean padded = false;
        for (int len : lengths) {
            padded |= len != tokens;
        }
        Mask mask = padded ? PaddingMask.validLengths(tokens, tokens, lengths) : null;
        List<INDArray> hidden = new ArrayList<>(List.of(x));
        List<INDArray> attentions = new ArrayList<>();
        for (BertLayer layer : layers) {
            BertLayer.Output out = layer.forward(x, mask);
            x = out.hidden();
            hidden.add(x);
            attentions.add(out.attention());
        }
        return new Output(hidden, attentions, mask, lengths);
    }

    /**
     * sentence-transformers' embedding: the mean of the last layer over each sequence's real tokens
     * ({@code [CLS]} and {@code [SEP]} included), L2-normalised.
     *
     * @return {@code [batch, d]}, each row of length 1
     */
    public static INDArray sentenceEmbedding(Output out) {
        INDArray last = out.last();                                                // [b, t, d]
        int batch = out.lengths().length;
        INDArray pooled = Nd4j.create(last.dataType(), batch, last.size(2));
        for (int b = 0; b < batch; b++) {
            INDArray real = last.get(NDArrayIndex.point(b), NDArrayIndex.interval(0, out.lengths()[b]), NDArrayIndex.all());
            INDArray mean = real.mean(0);                                          // [d]
            pooled.putRow(b, mean.div(mean.norm2Number().doubleValue()));
        }
        return pooled;
    }

    /** Cosine similarity of two embeddings (rows of {@link #sentenceEmbedding}). */
    public static double cosine(INDArray a, INDArray b) {
        return Transforms.cosineSim(a, b);
    }

    /**
     * A copy of this encoder with head {@code head} of layer {@code layer} switched off: its slice of the
     * attention's output projection is zeroed, which is exactly Hugging Face's {@code head_mask} (the head's
     * context vectors multiplied by 0). Its attention weights are still computed and returned.
     */
    public BertEncoder withoutHead(int layer, int head) {
        if (layer < 0 || layer >= layers.size() || head < 0 || head >= config.heads()) {
            throw new IllegalArgumentException(String.format("layer %d, head %d: expected layer 0..%d, head 0..%d",
                layer, head, layers.size() - 1, config.heads() - 1));
        }
        List<BertLayer> copy = new ArrayList<>(layers);
        BertLayer old = layers.get(layer);
        MultiHeadAttention a = old.attention();
        INDArray w = a.outProj().weight().dup();                                   // [d, d]: columns = head features
        int hd = config.headDim();
        w.get(NDArrayIndex.all(), NDArrayIndex.interval(head * hd, (head + 1) * hd)).assign(0);
        Linear out = Linear.fromWeights(w, a.outProj().bias().orElseThrow());
        MultiHeadAttention ablated = MultiHeadAttention.fromLayers(a.query(), a.key(), a.value(), out, a.numHeads(),
            a.contextLength(), Dropout.of(0, 0)).eval();
        copy.set(layer, new BertLayer(ablated, old.attentionNorm(), old.intermediate(), old.output(), old.outputNorm()));
        return new BertEncoder(config, wordEmbeddings, positionEmbeddings, tokenTypeEmbeddings, embeddingNorm, copy);
    }

    public Config config() {
        return config;
    }

    public List<BertLayer> layers() {
        return layers;
    }

    /** The word embeddings {@code [vocab, d]}. */
    public INDArray wordEmbeddings() {
        return wordEmbeddings;
    }
}
