package dev.attentionkit.attention;

import dev.attentionkit.nn.Dropout;
import dev.attentionkit.nn.Linear;
import dev.attentionkit.nn.NamedParameters;
import dev.attentionkit.nn.TorchRandom;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the modules with three {@code dIn → dOut} projections share: the query, key and value layers in
 * PyTorch's {@code [out, in]} layout and the named parameters around them ({@code dIn}, {@code dOut} are theirs; the
 * sizes, dropout and {@code train}/{@code eval} are kept by {@link AbstractAttentionModule}). Each module
 * still says in its own file how it attends.
 *
 * @param <M> the module itself, so that {@code train()} and {@code eval()} return it
 */
abstract class QkvAttention<M extends QkvAttention<M>> extends AbstractAttentionModule<M> {
    final Linear query;   // [dOut, dIn]
    final Linear key;     // [dOut, dIn]
    final Linear value;   // [dOut, dIn]

    QkvAttention(Linear query, Linear key, Linear value, Dropout dropout, int numHeads, long contextLength,
                 boolean causal) {
        super(dropout, new Sizes(query.inFeatures(), query.outFeatures(), numHeads, contextLength, causal));
        ModuleChecks.requireSameShape(query, key, value);
        this.query = query;
        this.key = key;
        this.value = value;
    }

    /**
     * The layers a module draws from a seed, in the order PyTorch's constructors create them: query, key and value
     * ({@code nn.Linear(dIn, dOut, bias=qkvBias)} each), then, for a module that has one, the output projection
     * {@code out_proj} ({@code nn.Linear(dOut, dOut)}, with bias), else null. The one seeded initialiser of the
     * Q/K/V modules, so that their {@code fromSeed} and PyTorch draw the same numbers.
     */
    record Layers(Linear query, Linear key, Linear value, Linear outProj) {
        /** Query, key, value from {@code random}, which goes on where they stop. */
        static Layers draw(long dIn, long dOut, boolean qkvBias, TorchRandom random) {
            Linear q = Linear.init(dIn, dOut, qkvBias, random);
            Linear k = Linear.init(dIn, dOut, qkvBias, random);
            return new Layers(q, k, Linear.init(dIn, dOut, qkvBias, random), null);
        }

        /** Query, key, value, then out_proj, from {@code random}, which goes on where they stop. */
        static Layers drawWithOutProj(long dIn, long dOut, boolean qkvBias, TorchRandom random) {
            Layers qkv = draw(dIn, dOut, qkvBias, random);
            return new Layers(qkv.query, qkv.key, qkv.value, Linear.init(dOut, dOut, true, random));
        }
    }

    /** {@code W_query}, weight {@code [dOut, dIn]}. */
    public Linear query() {
        return query;
    }

    /** {@code W_key}, weight {@code [dOut, dIn]}. */
    public Linear key() {
        return key;
    }

    /** {@code W_value}, weight {@code [dOut, dIn]}. */
    public Linear value() {
        return value;
    }

    /** {@code W_query.weight}, ({@code W_query.bias}), then the same for key and value; subclasses add theirs. */
    @Override
    public Map<String, INDArray> parameters() {
        return qkvParameters().build();
    }

    /** {@code W_query}, {@code W_key}, {@code W_value} as the first parts of a subclass's {@link #parameters()}. */
    final NamedParameters.Builder qkvParameters() {
        return NamedParameters.builder().add("W_query", query).add("W_key", key).add("W_value", value);
    }
}
