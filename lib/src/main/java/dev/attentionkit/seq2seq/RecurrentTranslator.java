package dev.attentionkit.seq2seq;

import dev.attentionkit.data.CharVocabulary;
import dev.attentionkit.nn.Linear;
import dev.attentionkit.nn.TorchRandom;
import dev.attentionkit.score.AdditiveScore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The encoder–decoders of {@link DateTranslator} (a {@link BidirectionalLstmEncoder} and a {@link BahdanauDecoder},
 * {@link LuongDecoder} or {@link ChoDecoder}) with their forward <em>and backward</em> passes written out
 * (back-propagation through time), trained with Adam: the model chapter 07's length study trains.
 *
 * <p>Why a second implementation: the SameDiff classes unroll the model into a graph of several thousand small
 * operations, and at this kit's sizes (hidden sizes of 16 to 64) dispatching them costs far more than the
 * arithmetic. Here one example is a few hundred thousand multiply-adds in plain Java loops, in double precision.
 * The SameDiff classes stay the readable reference, checked one step against the papers' equations;
 * {@code RecurrentTranslatorTest} checks that this class computes the same logits as {@link DateTranslator} from the
 * same weights, and that its gradients match finite differences.
 *
 * <pre>
 * source   character ids, right-aligned (padding, id 0, first)       [Tx]
 * encoder  annotations h_j = [h→_j; h←_j]                            [Tx, C]   C = 2·He
 * decoder  Ty steps; step t reads the previous output character (padding, id 0, at t = 0)
 * logits                                                             [Ty, Vout]
 * </pre>
 *
 * Every weight is the same array as in the {@code Weights} records of the SameDiff classes, same layout, so a
 * model can be built from explicit weights ({@link #of}), from a seed ({@link #fromSeed}, the same initial values
 * as {@link DateTranslator#create} for the same seed), and hands its weights back ({@link #encoderWeights},
 * {@link #decoderWeights}).
 */
public final class RecurrentTranslator {
    /**
     * The sizes of a model.
     *
     * @param embedding       {@code E}, character embeddings (input and output)
     * @param encoderHidden   {@code He}, per direction
     * @param decoderHidden   {@code Hd}
     * @param attentionHidden {@code Ha}, Bahdanau's additive score only
     * @param sourceLength    {@code Tx}, the longest input
     * @param targetLength    {@code Ty}, output characters written (answers are padded to it)
     */
    public record Sizes(int embedding, int encoderHidden, int decoderHidden, int attentionHidden, int sourceLength,
                        int targetLength) {
        public Sizes {
            if (embedding <= 0 || encoderHidden <= 0 || decoderHidden <= 0 || attentionHidden <= 0
                || sourceLength <= 0 || targetLength <= 0) {
                throw new IllegalArgumentException("every size must be positive, got " + this);
            }
        }
    }

    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-8;

    /** One trainable array: values, gradient and Adam's moments, row-major. */
    private static final class Param {
        final String name;
        final long[] shape;
        final double[] w;
        final double[] g;
        final double[] m;
        final double[] v;

        Param(String name, INDArray value) {
            this.name = name;
            this.shape = value.shape();
            this.w = value.castTo(DataType.DOUBLE).dup('c').data().asDouble();
            this.g = new double[w.length];
            this.m = new double[w.length];
            this.v = new double[w.length];
        }

        INDArray array() {
            return Nd4j.create(w.clone(), shape, 'c').castTo(DataType.FLOAT);
        }
    }

    private final AttentionKind kind;
    private final CharVocabulary source;
    private final CharVocabulary target;
    private final int vIn, vOut, e, he, c, hd, ha, tx, ty;
    private final Map<String, Param> params = new LinkedHashMap<>();
    private int steps;
    private double learningRate = 0.01;
    private double clipNorm = 5;
    private boolean stopAtEnd;
    // encoder
    private final double[] embIn;            // [E, Vin]
    private final double[][] wx = new double[2][];   // [E, 4He] per direction (x·W layout)
    private final double[][] wr = new double[2][];   // [He, 4He]
    private final double[][] bEnc = new double[2][]; // [4He]
    // decoder, shared
    private final double[] embOut;           // [E, Vout]
    private final double[] initW, initB;     // [Hd, C], [Hd]
    private final double[] gi, gh, gb;       // [3Hd, in], [3Hd, Hd], [3Hd]
    private final double[] outW, outB;       // [Vout, readout in], [Vout]
    private final int gruIn, readIn;
    // Bahdanau
    private final double[] wQ, wK, vA;       // [Ha, Hd], [Ha, C], [Ha]
    // Luong
    private final LuongDecoder.Score score;
    private final double[] wA;               // [Hd, C] general, [Tx, Hd] location, null dot
    private final double[] combine;          // [Hd, C + Hd]

    private RecurrentTranslator(AttentionKind kind, CharVocabulary source, CharVocabulary target, int ty,
                                BidirectionalLstmEncoder.Weights enc, Object dec) {
        this.kind = kind;
        this.source = source;
        this.target = target;
        this.ty = ty;
        vIn = source.size();
        vOut = target.size();
        BahdanauDecoder.requireSize("encoder embedding columns (input vocabulary)", enc.embedding().size(1), vIn);
        e = Math.toIntExact(enc.embedding().size(0));
        he = Math.toIntExact(enc.hidden());
        c = 2 * he;
        embIn = add("encoder.embedding", enc.embedding());
        for (int d = 0; d < 2; d++) {
            wx[d] = add("encoder.inputWeights." + d, enc.inputWeights().slice(d));
            wr[d] = add("encoder.recurrentWeights." + d, enc.recurrentWeights().slice(d));
            bEnc[d] = add("encoder.bias." + d, enc.bias().slice(d));
        }
        INDArray embedding;
        Linear init;
        GruCell.Weights gru;
        Linear readout;
        double[] q = null, k = null, v = null, a = null, comb = null;
        LuongDecoder.Score s = null;
        int sourceLength;
        if (dec instanceof BahdanauDecoder.Weights w) {
            embedding = w.embedding();
            init = w.init();
            gru = w.gru();
            readout = w.readout();
            q = add("decoder.attention.wQ", w.attention().wQ());
            k = add("decoder.attention.wK", w.attention().wK());
            v = add("decoder.attention.v", w.attention().v());
            sourceLength = -1;
        } else if (dec instanceof LuongDecoder.Weights w) {
            embedding = w.embedding();
            init = w.init();
            gru = w.gru();
            readout = w.readout();
            s = w.score();
            a = w.scoreWeight() == null ? null : add("decoder.attention.w", w.scoreWeight());
            comb = add("decoder.combine", w.combine().weight());
            sourceLength = s == LuongDecoder.Score.LOCATION ? Math.toIntExact(w.scoreWeight().size(0)) : -1;
        } else if (dec instanceof ChoDecoder.Weights w) {
            embedding = w.embedding();
            init = w.init();
            gru = w.gru();
            readout = w.readout();
            sourceLength = -1;
        } else {
            throw new IllegalArgumentException("not a decoder's weights: " + dec);
        }
        tx = sourceLength;
        BahdanauDecoder.requireSize("decoder embedding columns (output vocabulary)", embedding.size(1), vOut);
        BahdanauDecoder.requireSize("decoder embedding rows (the encoder's embedding size)", embedding.size(0), e);
        BahdanauDecoder.requireSize("decoder init input (2 × encoder hidden)", init.inFeatures(), c);
        wQ = q;
        wK = k;
        vA = v;
        wA = a;
        combine = comb;
        score = s;
        hd = Math.toIntExact(gru.hidden());
        ha = wK == null ? 0 : Math.toIntExact(wK.length / c);
        gruIn = Math.toIntExact(gru.in());
        readIn = Math.toIntExact(readout.inFeatures());
        embOut = add("decoder.embedding", embedding);
        initW = add("decoder.init.weight", init.weight());
        initB = add("decoder.init.bias", init.bias().orElseThrow(() -> new IllegalArgumentException("init needs a bias")));
        gi = add("decoder.gru.inputWeights", gru.inputWeights());
        gh = add("decoder.gru.recurrentWeights", gru.recurrentWeights());
        gb = add("decoder.gru.bias", gru.bias());
        outW = add("decoder.readout.weight", readout.weight());
        outB = add("decoder.readout.bias", readout.bias().orElseThrow(
            () -> new IllegalArgumentException("readout needs a bias")));
        if (ty <= 0) {
            throw new IllegalArgumentException("targetLength must be positive, got " + ty);
        }
    }

    private double[] add(String name, INDArray value) {
        Param p = new Param(name, value);
        params.put(name, p);
        return p.w;
    }

    /**
     * A model from explicit weights, the records of the SameDiff classes.
     *
     * @param decoder a {@link BahdanauDecoder.Weights}, {@link LuongDecoder.Weights} or {@link ChoDecoder.Weights}
     * @param targetLength {@code Ty}, output characters written
     * @throws IllegalArgumentException if the sizes of the encoder, decoder and vocabularies do not fit together
     */
    public static RecurrentTranslator of(BidirectionalLstmEncoder.Weights encoder, Object decoder,
                                         CharVocabulary source, CharVocabulary target, int targetLength) {
        AttentionKind kind;
        if (decoder instanceof BahdanauDecoder.Weights) {
            kind = AttentionKind.BAHDANAU;
        } else if (decoder instanceof LuongDecoder.Weights w) {
            kind = switch (w.score()) {
                case GENERAL -> AttentionKind.LUONG;
                case DOT -> AttentionKind.LUONG_DOT;
                case LOCATION -> AttentionKind.LUONG_LOCATION;
            };
        } else if (decoder instanceof ChoDecoder.Weights) {
            kind = AttentionKind.NONE;
        } else {
            throw new IllegalArgumentException("not a decoder's weights: " + decoder);
        }
        return new RecurrentTranslator(kind, source, target, targetLength, encoder, decoder);
    }

    /** A seeded model: the same initial weights as {@link DateTranslator#create} draws for the same seed and sizes. */
    public static RecurrentTranslator fromSeed(AttentionKind kind, Sizes sizes, CharVocabulary source,
                                               CharVocabulary target, long seed) {
        TorchRandom random = TorchRandom.manualSeed(seed);
        int vOut = target.size();
        int e = sizes.embedding();
        long c = 2L * sizes.encoderHidden();
        int hd = sizes.decoderHidden();
        int tx = sizes.sourceLength();
        BidirectionalLstmEncoder.Weights enc = BidirectionalLstmEncoder.Weights.fromSeed(source.size(), e,
            sizes.encoderHidden(), random);
        Object dec = switch (kind) {
            case BAHDANAU -> BahdanauDecoder.Weights.fromSeed(vOut, e, c, hd, sizes.attentionHidden(), random);
            case LUONG -> LuongDecoder.Weights.fromSeed(LuongDecoder.Score.GENERAL, vOut, e, c, hd, tx, random);
            case LUONG_DOT -> LuongDecoder.Weights.fromSeed(LuongDecoder.Score.DOT, vOut, e, c, hd, tx, random);
            case LUONG_LOCATION -> LuongDecoder.Weights.fromSeed(LuongDecoder.Score.LOCATION, vOut, e, c, hd, tx,
                random);
            case NONE -> ChoDecoder.Weights.fromSeed(vOut, e, c, hd, random);
        };
        return new RecurrentTranslator(kind, source, target, sizes.targetLength(), enc, dec);
    }

    // ---------------------------------------------------------------------------------------------- the weights

    /** The encoder's current weights, copied (float32). */
    public BidirectionalLstmEncoder.Weights encoderWeights() {
        return new BidirectionalLstmEncoder.Weights(params.get("encoder.embedding").array(),
            Nd4j.stack(0, params.get("encoder.inputWeights.0").array(), params.get("encoder.inputWeights.1").array()),
            Nd4j.stack(0, params.get("encoder.recurrentWeights.0").array(),
                params.get("encoder.recurrentWeights.1").array()),
            Nd4j.stack(0, params.get("encoder.bias.0").array(), params.get("encoder.bias.1").array()));
    }

    /** The decoder's current weights, copied (float32): a {@code BahdanauDecoder.Weights}, {@code LuongDecoder.Weights} or {@code ChoDecoder.Weights}. */
    public Object decoderWeights() {
        INDArray emb = arr("decoder.embedding");
        Linear init = Linear.fromWeights(arr("decoder.init.weight"), arr("decoder.init.bias"));
        GruCell.Weights gru = new GruCell.Weights(arr("decoder.gru.inputWeights"), arr("decoder.gru.recurrentWeights"),
            arr("decoder.gru.bias"));
        Linear readout = Linear.fromWeights(arr("decoder.readout.weight"), arr("decoder.readout.bias"));
        return switch (kind) {
            case BAHDANAU -> new BahdanauDecoder.Weights(emb, init, AdditiveScore.fromWeights(arr("decoder.attention.wQ"),
                arr("decoder.attention.wK"), arr("decoder.attention.v")), gru, readout);
            case LUONG, LUONG_DOT, LUONG_LOCATION -> new LuongDecoder.Weights(emb, init, gru, score,
                wA == null ? null : arr("decoder.attention.w"), Linear.fromWeights(arr("decoder.combine"), null),
                readout);
            case NONE -> new ChoDecoder.Weights(emb, init, gru, readout);
        };
    }

    private INDArray arr(String name) {
        return params.get(name).array();
    }

    /** Every trainable array by name, copied (float32): {@code encoder.embedding}, {@code decoder.gru.bias}, ... */
    public Map<String, INDArray> parameters() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        params.forEach((n, p) -> out.put(n, p.array()));
        return out;
    }

    /** Number of trainable values. */
    public long parameterCount() {
        return params.values().stream().mapToLong(p -> p.w.length).sum();
    }

    public AttentionKind kind() {
        return kind;
    }

    public CharVocabulary sourceVocabulary() {
        return source;
    }

    public CharVocabulary targetVocabulary() {
        return target;
    }

    /** {@code Ty}. */
    public int targetLength() {
        return ty;
    }

    /** Adam's step size (default 0.01). */
    public RecurrentTranslator learningRate(double lr) {
        if (!(lr > 0)) {
            throw new IllegalArgumentException("learning rate must be positive, got " + lr);
        }
        this.learningRate = lr;
        return this;
    }

    /** The global gradient norm above which a step's gradient is scaled down (default 5; infinity turns it off). */
    public RecurrentTranslator clipNorm(double norm) {
        if (!(norm > 0)) {
            throw new IllegalArgumentException("clip norm must be positive, got " + norm);
        }
        this.clipNorm = norm;
        return this;
    }

    /**
     * With {@code true}, padding (id 0) is the end marker: training scores each answer up to and including its
     * first padding (the steps after it are not computed), and greedy decoding stops when it writes padding (the
     * rest is padding). With {@code false} (the default, as {@link DateTranslator}), every one of the {@code Ty}
     * steps is computed and scored.
     */
    public RecurrentTranslator stopAtEnd(boolean stop) {
        this.stopAtEnd = stop;
        return this;
    }

    /** Output steps scored for {@code tgt}. */
    private int scoredSteps(int[] tgt) {
        if (!stopAtEnd) {
            return ty;
        }
        int end = 0;
        while (end < ty && tgt[end] != 0) {
            end++;
        }
        return Math.min(ty, end + 1);
    }

    private double positions(int[][] targets) {
        double n = 0;
        for (int[] t : targets) {
            n += scoredSteps(t);
        }
        return n;
    }

    // ---------------------------------------------------------------------------------------------- public API

    /**
     * Character ids of {@code texts}, right-aligned in {@code length} positions (padding, id 0, first).
     *
     * @return {@code [n][length]}
     * @throws IllegalArgumentException if a text is longer than {@code length}
     */
    public int[][] encodeSources(List<String> texts, int length) {
        int[][] ids = new int[texts.size()][];
        for (int i = 0; i < ids.length; i++) {
            String t = texts.get(i);
            int[] left = source.encode(t, length);
            ids[i] = new int[length];
            System.arraycopy(left, 0, ids[i], length - t.length(), t.length());
        }
        return ids;
    }

    /**
     * Character ids of the answers, padded with id 0 on the right to {@code Ty}.
     *
     * @throws IllegalArgumentException if an answer is longer than {@code Ty}
     */
    public int[][] encodeTargets(List<String> texts) {
        int[][] ids = new int[texts.size()][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = target.encode(texts.get(i), ty);
        }
        return ids;
    }

    /**
     * One Adam step on a batch, teacher forcing.
     *
     * @param sources {@code [b][Tx]} right-aligned ids (every row the same {@code Tx})
     * @param targets {@code [b][Ty]} ids
     * @return the batch's mean cross-entropy per scored output character, before the step
     */
    public double fitBatch(int[][] sources, int[][] targets) {
        double loss = lossAndGradients(sources, targets);
        adamStep();
        return loss;
    }

    /** The mean cross-entropy per scored output character, teacher forcing, no gradients kept. */
    public double loss(int[][] sources, int[][] targets) {
        check(sources, targets);
        double total = 0;
        for (int i = 0; i < sources.length; i++) {
            total += new Pass(sources[i]).teacherForced(targets[i], false, 1);
        }
        return total / positions(targets);
    }

    /**
     * The loss of a batch (mean cross-entropy per output character, teacher forcing) and its gradients, kept for
     * {@link #gradient} and the next Adam step.
     */
    public double lossAndGradients(int[][] sources, int[][] targets) {
        check(sources, targets);
        for (Param p : params.values()) {
            Arrays.fill(p.g, 0);
        }
        double scale = 1.0 / positions(targets);
        double total = 0;
        for (int i = 0; i < sources.length; i++) {
            total += new Pass(sources[i]).teacherForced(targets[i], true, scale);
        }
        return total * scale;
    }

    /** The gradient of the last {@link #lossAndGradients} for the array {@code name}, float64. */
    public INDArray gradient(String name) {
        Param p = params.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no parameter " + name + "; there are " + params.keySet());
        }
        return Nd4j.create(p.g.clone(), p.shape, 'c');
    }

    /** Adds {@code delta} to one value of the array {@code name} (finite-difference checks). */
    void nudge(String name, int index, double delta) {
        params.get(name).w[index] += delta;
    }

    /** Parameter names. */
    List<String> parameterNames() {
        return List.copyOf(params.keySet());
    }

    private void adamStep() {
        double norm = 0;
        for (Param p : params.values()) {
            for (double g : p.g) {
                norm += g * g;
            }
        }
        norm = Math.sqrt(norm);
        double clip = norm > clipNorm ? clipNorm / norm : 1;
        steps++;
        double c1 = 1 - Math.pow(BETA1, steps);
        double c2 = 1 - Math.pow(BETA2, steps);
        for (Param p : params.values()) {
            for (int i = 0; i < p.w.length; i++) {
                double g = p.g[i] * clip;
                p.m[i] = BETA1 * p.m[i] + (1 - BETA1) * g;
                p.v[i] = BETA2 * p.v[i] + (1 - BETA2) * g * g;
                p.w[i] -= learningRate * (p.m[i] / c1) / (Math.sqrt(p.v[i] / c2) + EPSILON);
            }
        }
    }

    private void check(int[][] sources, int[][] targets) {
        if (sources.length == 0 || sources.length != targets.length) {
            throw new IllegalArgumentException("need as many targets as sources (at least one), got "
                + sources.length + " and " + targets.length);
        }
        for (int i = 0; i < sources.length; i++) {
            checkSource(sources[i]);
            if (targets[i].length != ty) {
                throw new IllegalArgumentException("target " + i + " has " + targets[i].length + " ids, expected Ty = " + ty);
            }
            for (int id : targets[i]) {
                if (id < 0 || id >= vOut) {
                    throw new IllegalArgumentException("target " + i + " has id " + id + " outside [0, " + vOut + ")");
                }
            }
        }
    }

    private void checkSource(int[] src) {
        if (tx > 0 && src.length != tx) {
            throw new IllegalArgumentException("location attention was built for " + tx + " input positions, got "
                + src.length);
        }
        boolean text = false;
        for (int id : src) {
            if (id < 0 || id >= vIn) {
                throw new IllegalArgumentException("source id " + id + " outside [0, " + vIn + ")");
            }
            if (id == 0 && text) {
                throw new IllegalArgumentException("padding (id 0) after a character: sources are right-aligned, "
                    + "padding first, got " + Arrays.toString(src));
            }
            text |= id != 0;
        }
        if (!text) {
            throw new IllegalArgumentException("a source with no character (all padding)");
        }
    }

    /**
     * Greedy decoding: each step reads the model's own previous character.
     *
     * @param texts  inputs, right-aligned in {@code length} positions (location attention: its {@code Tx})
     * @return {@code Ty} characters per input, padding ('·') included
     */
    public List<String> translate(List<String> texts, int length) {
        int[][] ids = encodeSources(texts, length);
        List<String> out = new ArrayList<>(ids.length);
        for (int[] src : ids) {
            checkSource(src);
            out.add(target.decode(new Pass(src).greedy(null)));
        }
        return out;
    }

    /**
     * One greedy translation with its attention weights.
     *
     * @param text   the input, right-aligned in {@code length} positions
     * @return weights {@code [Ty, Tx]} (row t: output character t's weights over the input positions, padding
     *         first), or null without attention
     */
    public Translation explain(String text, int length) {
        int[] src = encodeSources(List.of(text), length)[0];
        checkSource(src);
        double[][] alphas = kind == AttentionKind.NONE ? null : new double[ty][];
        String out = target.decode(new Pass(src).greedy(alphas));
        INDArray w = alphas == null ? null : Nd4j.create(alphas).castTo(DataType.FLOAT);
        return new Translation(text, out, w, source.decode(src));
    }

    /** The teacher-forced logits {@code [Ty, Vout]} of one example (for checks against {@link DateTranslator}). */
    double[][] teacherForcedLogits(int[] src, int[] tgt) {
        Pass p = new Pass(src);
        p.keepLogits = true;
        p.teacherForced(tgt, false, 1);
        return p.logits;
    }

    private boolean luong() {
        return kind == AttentionKind.LUONG || kind == AttentionKind.LUONG_DOT || kind == AttentionKind.LUONG_LOCATION;
    }

    @Override
    public String toString() {
        return "RecurrentTranslator(" + kind + ", " + parameterCount() + " parameters, Ty " + ty + ")";
    }

    // ---------------------------------------------------------------------------------------------- one example

    /** Forward and backward pass over one example; everything the backward pass needs is kept here. */
    private final class Pass {
        final int[] src;
        final int n;                  // Tx of this example
        final int first;              // first non-padding position
        // encoder caches, per direction d and position j
        final double[][][] encGates;  // [2][Tx][4He] after σ / tanh
        final double[][][] encCell;   // [2][Tx][He]
        final double[][][] encH;      // [2][Tx][He]
        final double[][] ann;         // [Tx][C]
        final double[] last = new double[c];
        double[][] dAnn;
        double[] dLast;
        double[][] keys;              // Bahdanau: U_a h_j, [Tx][Ha]
        boolean keepLogits;
        double[][] logits;

        Pass(int[] src) {
            this.src = src;
            n = src.length;
            int f = 0;
            while (f < n && src[f] == 0) {
                f++;
            }
            first = f;
            encGates = new double[2][n][];
            encCell = new double[2][n][];
            encH = new double[2][n][];
            ann = new double[n][c];
            encode();
        }

        // --- encoder: two LSTMs, gate order i, f, g, o, x·W layout
        void encode() {
            int g4 = 4 * he;
            double[] x = new double[e];
            for (int d = 0; d < 2; d++) {
                double[] hPrev = new double[he], cPrev = new double[he];
                for (int step = 0; step < n; step++) {
                    int j = d == 0 ? step : n - 1 - step;
                    for (int k = 0; k < e; k++) {
                        x[k] = embIn[k * vIn + src[j]];
                    }
                    double[] z = bEnc[d].clone();
                    axpyRows(x, e, wx[d], g4, z);
                    axpyRows(hPrev, he, wr[d], g4, z);
                    double[] cell = new double[he], h = new double[he];
                    for (int u = 0; u < he; u++) {
                        double i = sigmoid(z[u]), fg = sigmoid(z[he + u]), g = tanh(z[2 * he + u]),
                            o = sigmoid(z[3 * he + u]);
                        z[u] = i;
                        z[he + u] = fg;
                        z[2 * he + u] = g;
                        z[3 * he + u] = o;
                        cell[u] = fg * cPrev[u] + i * g;
                        h[u] = o * tanh(cell[u]);
                    }
                    encGates[d][j] = z;
                    encCell[d][j] = cell;
                    encH[d][j] = h;
                    System.arraycopy(h, 0, ann[j], d * he, he);
                    hPrev = h;
                    cPrev = cell;
                }
            }
            System.arraycopy(encH[0][n - 1], 0, last, 0, he);   // h→ after the last character
            System.arraycopy(encH[1][0], 0, last, he, he);      // h← after reading back to position 0
        }

        void encoderBackward() {
            int g4 = 4 * he;
            for (int u = 0; u < he; u++) {
                dAnn[n - 1][u] += dLast[u];
                dAnn[0][he + u] += dLast[he + u];
            }
            double[] dWx0 = params.get("encoder.inputWeights.0").g, dWx1 = params.get("encoder.inputWeights.1").g;
            double[] dWr0 = params.get("encoder.recurrentWeights.0").g, dWr1 = params.get("encoder.recurrentWeights.1").g;
            double[] db0 = params.get("encoder.bias.0").g, db1 = params.get("encoder.bias.1").g;
            double[] dEmb = params.get("encoder.embedding").g;
            double[] x = new double[e], dx = new double[e];
            for (int d = 0; d < 2; d++) {
                double[] dWx = d == 0 ? dWx0 : dWx1, dWr = d == 0 ? dWr0 : dWr1, db = d == 0 ? db0 : db1;
                double[] dhNext = new double[he], dcNext = new double[he];
                for (int step = n - 1; step >= 0; step--) {
                    int j = d == 0 ? step : n - 1 - step;
                    int prev = d == 0 ? j - 1 : j + 1;
                    boolean hasPrev = step > 0;
                    double[] z = encGates[d][j];
                    double[] dz = new double[g4];
                    for (int u = 0; u < he; u++) {
                        double i = z[u], fg = z[he + u], g = z[2 * he + u], o = z[3 * he + u];
                        double tc = tanh(encCell[d][j][u]);
                        double dh = dAnn[j][d * he + u] + dhNext[u];
                        double dc = dcNext[u] + dh * o * (1 - tc * tc);
                        double cPrev = hasPrev ? encCell[d][prev][u] : 0;
                        dz[u] = dc * g * i * (1 - i);
                        dz[he + u] = dc * cPrev * fg * (1 - fg);
                        dz[2 * he + u] = dc * i * (1 - g * g);
                        dz[3 * he + u] = dh * tc * o * (1 - o);
                        dcNext[u] = dc * fg;
                    }
                    for (int k = 0; k < e; k++) {
                        x[k] = embIn[k * vIn + src[j]];
                    }
                    outerRows(x, e, dz, g4, dWx);
                    for (int q = 0; q < g4; q++) {
                        db[q] += dz[q];
                    }
                    Arrays.fill(dx, 0);
                    dotRows(wx[d], e, g4, dz, dx);
                    for (int k = 0; k < e; k++) {
                        dEmb[k * vIn + src[j]] += dx[k];
                    }
                    Arrays.fill(dhNext, 0);
                    if (hasPrev) {
                        outerRows(encH[d][prev], he, dz, g4, dWr);
                        dotRows(wr[d], he, g4, dz, dhNext);
                    }
                }
            }
        }

        // --- decoder
        /** The state before the first step, {@code tanh(W last + b)}. */
        double[] start() {
            double[] s = initB.clone();
            mv(initW, 0, hd, c, last, 0, s, 0);
            for (int u = 0; u < hd; u++) {
                s[u] = tanh(s[u]);
            }
            if (kind == AttentionKind.BAHDANAU) {
                keys = new double[n][ha];
                for (int j = first; j < n; j++) {
                    mv(wK, 0, ha, c, ann[j], 0, keys[j], 0);
                }
            }
            return s;
        }

        /** What one step keeps for its backward pass. */
        final class Step {
            int previous;             // the character read
            double[] sIn;             // state before the step
            double[] attIn;           // Luong: h̃_{t-1}
            double[] gruX;            // GRU input
            double[] r, z, nCand, rs; // GRU gates
            double[] sOut;            // state after the step
            double[][] u;             // Bahdanau: tanh(q + K_j)
            double[] alpha;           // [Tx]
            double[] context;         // [C]
            double[] scoreVec;        // Luong general: W_aᵀ h (C)
            double[] attOut;          // Luong: h̃_t
            double[] readX;           // readout input
            double[] probs;           // softmax of the logits
        }

        Step step(double[] s, double[] att, int previous) {
            Step st = new Step();
            st.previous = previous;
            st.sIn = s;
            st.attIn = att;
            double[] ey = new double[e];
            for (int k = 0; k < e; k++) {
                ey[k] = embOut[k * vOut + previous];
            }
            switch (kind) {
                case BAHDANAU -> {
                    attend(st, s);
                    st.gruX = concat(ey, st.context);
                    gru(st);
                    st.readX = concat(st.sOut, ey, st.context);
                }
                case NONE -> {
                    st.gruX = concat(ey, last);
                    gru(st);
                    st.readX = concat(st.sOut, ey, last);
                }
                default -> {
                    st.gruX = concat(ey, att);
                    gru(st);
                    attend(st, st.sOut);
                    double[] a = new double[hd];
                    mv(combine, 0, hd, c + hd, concat(st.context, st.sOut), 0, a, 0);
                    for (int u = 0; u < hd; u++) {
                        a[u] = tanh(a[u]);
                    }
                    st.attOut = a;
                    st.readX = a;
                }
            }
            double[] logit = outB.clone();
            mv(outW, 0, vOut, readIn, st.readX, 0, logit, 0);
            if (keepLogits) {
                logitsList.add(logit.clone());
            }
            st.probs = softmax(logit, null);
            return st;
        }

        final List<double[]> logitsList = new ArrayList<>();

        /** Scores, weights and context from {@code query} (Bahdanau: s_{i-1}; Luong: h_t). */
        void attend(Step st, double[] query) {
            double[] score = new double[n];
            switch (kind) {
                case BAHDANAU -> {
                    double[] q = new double[ha];
                    mv(wQ, 0, ha, hd, query, 0, q, 0);
                    st.u = new double[n][];
                    for (int j = first; j < n; j++) {
                        double[] u = new double[ha];
                        double sum = 0;
                        for (int a = 0; a < ha; a++) {
                            u[a] = tanh(q[a] + keys[j][a]);
                            sum += vA[a] * u[a];
                        }
                        st.u[j] = u;
                        score[j] = sum;
                    }
                }
                case LUONG -> {
                    double[] g = new double[c];            // h_tᵀ W_a, W_a [Hd, C]
                    axpyRows(query, hd, wA, c, g);
                    st.scoreVec = g;
                    for (int j = first; j < n; j++) {
                        score[j] = dot(g, ann[j]);
                    }
                }
                case LUONG_DOT -> {
                    for (int j = first; j < n; j++) {
                        score[j] = dot(query, ann[j]);
                    }
                }
                case LUONG_LOCATION -> {
                    for (int j = first; j < n; j++) {
                        double sum = 0;
                        for (int k = 0; k < hd; k++) {
                            sum += wA[j * hd + k] * query[k];
                        }
                        score[j] = sum;
                    }
                }
                default -> throw new IllegalStateException("no attention in " + kind);
            }
            st.alpha = softmax(score, this);
            st.context = new double[c];
            for (int j = first; j < n; j++) {
                double a = st.alpha[j];
                for (int k = 0; k < c; k++) {
                    st.context[k] += a * ann[j][k];
                }
            }
        }

        void gru(Step st) {
            double[] s = st.sIn;
            double[] a = gb.clone();
            mv(gi, 0, 3 * hd, gruIn, st.gruX, 0, a, 0);
            mv(gh, 0, 2 * hd, hd, s, 0, a, 0);
            st.r = new double[hd];
            st.z = new double[hd];
            st.rs = new double[hd];
            for (int u = 0; u < hd; u++) {
                st.r[u] = sigmoid(a[u]);
                st.z[u] = sigmoid(a[hd + u]);
                st.rs[u] = st.r[u] * s[u];
            }
            mv(gh, 2 * hd, hd, hd, st.rs, 0, a, 2 * hd);
            st.nCand = new double[hd];
            st.sOut = new double[hd];
            for (int u = 0; u < hd; u++) {
                st.nCand[u] = tanh(a[2 * hd + u]);
                st.sOut[u] = s[u] + st.z[u] * (st.nCand[u] - s[u]);
            }
        }

        /** Teacher-forced loss (summed over steps); with {@code backward}, adds {@code scale} × its gradient. */
        double teacherForced(int[] tgt, boolean backward, double scale) {
            double[] s0 = start();
            double[] s = s0;
            double[] att = luong() ? new double[hd] : null;
            int scored = scoredSteps(tgt);
            Step[] steps = new Step[scored];
            double loss = 0;
            for (int t = 0; t < scored; t++) {
                Step st = step(s, att, t == 0 ? 0 : tgt[t - 1]);
                steps[t] = st;
                loss -= Math.log(Math.max(st.probs[tgt[t]], Double.MIN_NORMAL));
                s = st.sOut;
                att = st.attOut;
            }
            if (keepLogits) {
                logits = logitsList.toArray(new double[0][]);
            }
            if (backward) {
                backward(steps, tgt, scale, s0);
            }
            return loss;
        }

        int[] greedy(double[][] alphas) {
            double[] s = start();
            double[] att = luong() ? new double[hd] : null;
            int[] out = new int[ty];
            int previous = 0;
            for (int t = 0; t < ty; t++) {
                Step st = step(s, att, previous);
                int best = 0;
                for (int v = 1; v < vOut; v++) {
                    if (st.probs[v] > st.probs[best]) {
                        best = v;
                    }
                }
                out[t] = best;
                if (alphas != null) {
                    alphas[t] = st.alpha;
                }
                if (stopAtEnd && best == 0) {
                    if (alphas != null) {
                        for (int rest = t + 1; rest < ty; rest++) {
                            alphas[rest] = new double[n];         // nothing read after the end
                        }
                    }
                    break;
                }
                previous = best;
                s = st.sOut;
                att = st.attOut;
            }
            return out;
        }

        void backward(Step[] steps, int[] tgt, double scale, double[] s0) {
            dAnn = new double[n][c];
            dLast = new double[c];
            double[][] dKeys = kind == AttentionKind.BAHDANAU ? new double[n][ha] : null;
            double[] dOutW = params.get("decoder.readout.weight").g, dOutB = params.get("decoder.readout.bias").g;
            double[] dEmbOut = params.get("decoder.embedding").g;
            double[] dS = new double[hd];           // gradient flowing into the state after step t
            double[] dAtt = luong() ? new double[hd] : null;   // into h̃_t from step t+1
            for (int t = steps.length - 1; t >= 0; t--) {
                Step st = steps[t];
                double[] dLogit = st.probs.clone();
                dLogit[tgt[t]] -= 1;
                for (int v = 0; v < vOut; v++) {
                    dLogit[v] *= scale;
                    dOutB[v] += dLogit[v];
                }
                outer(dOutW, 0, vOut, readIn, dLogit, st.readX);
                double[] dReadX = new double[readIn];
                mtv(outW, 0, vOut, readIn, dLogit, dReadX);
                double[] dEy = new double[e];
                double[] dSOut = dS;                 // from step t+1 (zero at the last step)
                double[] dSIn = new double[hd];
                switch (kind) {
                    case BAHDANAU, NONE -> {
                        for (int u = 0; u < hd; u++) {
                            dSOut[u] += dReadX[u];
                        }
                        for (int k = 0; k < e; k++) {
                            dEy[k] += dReadX[hd + k];
                        }
                        double[] dCtx = new double[c];
                        for (int k = 0; k < c; k++) {
                            dCtx[k] = dReadX[hd + e + k];
                        }
                        double[] dX = gruBackward(st, dSOut, dSIn);
                        for (int k = 0; k < e; k++) {
                            dEy[k] += dX[k];
                        }
                        for (int k = 0; k < c; k++) {
                            dCtx[k] += dX[e + k];
                        }
                        if (kind == AttentionKind.NONE) {
                            for (int k = 0; k < c; k++) {
                                dLast[k] += dCtx[k];
                            }
                        } else {
                            attendBackward(st, dCtx, st.sIn, dSIn, dKeys);
                        }
                    }
                    default -> {
                        // h̃_t = tanh(W_c [c_t; h_t]); it feeds the readout and step t+1
                        double[] dA = new double[hd];
                        for (int u = 0; u < hd; u++) {
                            double a = st.attOut[u];
                            dA[u] = (dReadX[u] + dAtt[u]) * (1 - a * a);
                        }
                        double[] cat = concat(st.context, st.sOut);
                        outer(params.get("decoder.combine").g, 0, hd, c + hd, dA, cat);
                        double[] dCat = new double[c + hd];
                        mtv(combine, 0, hd, c + hd, dA, dCat);
                        double[] dCtx = Arrays.copyOfRange(dCat, 0, c);
                        for (int u = 0; u < hd; u++) {
                            dSOut[u] += dCat[c + u];
                        }
                        attendBackward(st, dCtx, st.sOut, dSOut, null);
                        double[] dX = gruBackward(st, dSOut, dSIn);
                        for (int k = 0; k < e; k++) {
                            dEy[k] += dX[k];
                        }
                        dAtt = new double[hd];
                        for (int u = 0; u < hd; u++) {
                            dAtt[u] = dX[e + u];          // into h̃_{t-1}; h̃_0 = 0 is a constant
                        }
                    }
                }
                for (int k = 0; k < e; k++) {
                    dEmbOut[k * vOut + st.previous] += dEy[k];
                }
                dS = dSIn;
            }
            // s_0 = tanh(W last + b)
            double[] dA0 = new double[hd];
            for (int u = 0; u < hd; u++) {
                dA0[u] = dS[u] * (1 - s0[u] * s0[u]);
                params.get("decoder.init.bias").g[u] += dA0[u];
            }
            outer(params.get("decoder.init.weight").g, 0, hd, c, dA0, last);
            mtv(initW, 0, hd, c, dA0, dLast);
            if (dKeys != null) {
                double[] dWK = params.get("decoder.attention.wK").g;
                for (int j = first; j < n; j++) {
                    outer(dWK, 0, ha, c, dKeys[j], ann[j]);
                    mtv(wK, 0, ha, c, dKeys[j], dAnn[j]);
                }
            }
            encoderBackward();
        }

        /** Back through the context and the weights to the scores, the query and the annotations. */
        void attendBackward(Step st, double[] dCtx, double[] query, double[] dQuery, double[][] dKeys) {
            double[] dAlpha = new double[n];
            double inner = 0;
            for (int j = first; j < n; j++) {
                dAlpha[j] = dot(dCtx, ann[j]);
                double a = st.alpha[j];
                for (int k = 0; k < c; k++) {
                    dAnn[j][k] += a * dCtx[k];
                }
                inner += a * dAlpha[j];
            }
            double[] dScore = new double[n];
            for (int j = first; j < n; j++) {
                dScore[j] = st.alpha[j] * (dAlpha[j] - inner);
            }
            switch (kind) {
                case BAHDANAU -> {
                    double[] dv = params.get("decoder.attention.v").g;
                    double[] dq = new double[ha];
                    for (int j = first; j < n; j++) {
                        double[] u = st.u[j];
                        for (int a = 0; a < ha; a++) {
                            dv[a] += dScore[j] * u[a];
                            double da = dScore[j] * vA[a] * (1 - u[a] * u[a]);
                            dq[a] += da;
                            dKeys[j][a] += da;
                        }
                    }
                    outer(params.get("decoder.attention.wQ").g, 0, ha, hd, dq, query);
                    mtv(wQ, 0, ha, hd, dq, dQuery);
                }
                case LUONG -> {
                    double[] dg = new double[c];
                    for (int j = first; j < n; j++) {
                        for (int k = 0; k < c; k++) {
                            dg[k] += dScore[j] * ann[j][k];
                            dAnn[j][k] += dScore[j] * st.scoreVec[k];
                        }
                    }
                    // g = hᵀ W_a: dW_a[i, k] += h_i dg_k, dh_i += Σ_k W_a[i, k] dg_k
                    outerRows(query, hd, dg, c, params.get("decoder.attention.w").g);
                    dotRows(wA, hd, c, dg, dQuery);
                }
                case LUONG_DOT -> {
                    for (int j = first; j < n; j++) {
                        for (int k = 0; k < c; k++) {
                            dQuery[k] += dScore[j] * ann[j][k];
                            dAnn[j][k] += dScore[j] * query[k];
                        }
                    }
                }
                case LUONG_LOCATION -> {
                    double[] dW = params.get("decoder.attention.w").g;
                    for (int j = first; j < n; j++) {
                        for (int k = 0; k < hd; k++) {
                            dW[j * hd + k] += dScore[j] * query[k];
                            dQuery[k] += dScore[j] * wA[j * hd + k];
                        }
                    }
                }
                default -> throw new IllegalStateException("no attention in " + kind);
            }
        }

        /** Back through the GRU step: adds to {@code dSIn}, returns the gradient of its input. */
        double[] gruBackward(Step st, double[] dSOut, double[] dSIn) {
            double[] da = new double[3 * hd];          // pre-activation gradients r, z, candidate
            double[] s = st.sIn;
            for (int u = 0; u < hd; u++) {
                double z = st.z[u], nc = st.nCand[u];
                dSIn[u] += dSOut[u] * (1 - z);
                da[hd + u] = dSOut[u] * (nc - s[u]) * z * (1 - z);
                da[2 * hd + u] = dSOut[u] * z * (1 - nc * nc);
            }
            double[] dRs = new double[hd];
            mtv(gh, 2 * hd, hd, hd, da, 2 * hd, dRs);
            for (int u = 0; u < hd; u++) {
                double r = st.r[u];
                dSIn[u] += dRs[u] * r;
                da[u] = dRs[u] * s[u] * r * (1 - r);
            }
            double[] dGi = params.get("decoder.gru.inputWeights").g, dGh = params.get("decoder.gru.recurrentWeights").g;
            double[] dGb = params.get("decoder.gru.bias").g;
            for (int q = 0; q < 3 * hd; q++) {
                dGb[q] += da[q];
            }
            outer(dGi, 0, 3 * hd, gruIn, da, st.gruX);
            outer(dGh, 0, 2 * hd, hd, da, s);
            outerAt(dGh, 2 * hd, hd, hd, da, 2 * hd, st.rs);
            mtv(gh, 0, 2 * hd, hd, da, 0, dSIn);
            double[] dX = new double[gruIn];
            mtv(gi, 0, 3 * hd, gruIn, da, dX);
            return dX;
        }
    }

    // ---------------------------------------------------------------------------------------------- small helpers

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    /** {@code tanh} from {@code exp}, which the JIT compiles to a fast intrinsic ({@code Math.tanh} it does not). */
    private static double tanh(double x) {
        return 1 - 2 / (Math.exp(2 * x) + 1);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** Softmax; with {@code pass}, over its non-padding positions only (padding gets exactly 0). */
    private static double[] softmax(double[] z, Pass pass) {
        int from = pass == null ? 0 : pass.first;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = from; i < z.length; i++) {
            max = Math.max(max, z[i]);
        }
        double[] p = new double[z.length];
        double sum = 0;
        for (int i = from; i < z.length; i++) {
            p[i] = Math.exp(z[i] - max);
            sum += p[i];
        }
        for (int i = from; i < z.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private static double[] concat(double[]... parts) {
        int len = 0;
        for (double[] p : parts) {
            len += p.length;
        }
        double[] out = new double[len];
        int at = 0;
        for (double[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** {@code out[o0 + o] += Σ_i w[row0 + o, i] x[x0 + i]}, w {@code [*, cols]} ([out, in] layout). */
    private static void mv(double[] w, int row0, int rows, int cols, double[] x, int x0, double[] out, int o0) {
        for (int o = 0; o < rows; o++) {
            int base = (row0 + o) * cols;
            double s = 0;
            for (int i = 0; i < cols; i++) {
                s += w[base + i] * x[x0 + i];
            }
            out[o0 + o] += s;
        }
    }

    /** {@code dx[i] += Σ_o w[row0 + o, i] dy[o]}. */
    private static void mtv(double[] w, int row0, int rows, int cols, double[] dy, double[] dx) {
        mtv(w, row0, rows, cols, dy, 0, dx);
    }

    /** {@code dx[i] += Σ_o w[row0 + o, i] dy[dy0 + o]}. */
    private static void mtv(double[] w, int row0, int rows, int cols, double[] dy, int dy0, double[] dx) {
        for (int o = 0; o < rows; o++) {
            double d = dy[dy0 + o];
            if (d == 0) {
                continue;
            }
            int base = (row0 + o) * cols;
            for (int i = 0; i < cols; i++) {
                dx[i] += w[base + i] * d;
            }
        }
    }

    /** {@code dw[row0 + o, i] += dy[o] x[i]}. */
    private static void outer(double[] dw, int row0, int rows, int cols, double[] dy, double[] x) {
        outerAt(dw, row0, rows, cols, dy, 0, x);
    }

    /** {@code dw[row0 + o, i] += dy[dy0 + o] x[i]}. */
    private static void outerAt(double[] dw, int row0, int rows, int cols, double[] dy, int dy0, double[] x) {
        for (int o = 0; o < rows; o++) {
            double d = dy[dy0 + o];
            if (d == 0) {
                continue;
            }
            int base = (row0 + o) * cols;
            for (int i = 0; i < cols; i++) {
                dw[base + i] += d * x[i];
            }
        }
    }

    /** {@code z[j] += Σ_k x[k] w[k, j]}, w {@code [n, m]} (x·W layout). */
    private static void axpyRows(double[] x, int n, double[] w, int m, double[] z) {
        for (int k = 0; k < n; k++) {
            double xk = x[k];
            int base = k * m;
            for (int j = 0; j < m; j++) {
                z[j] += xk * w[base + j];
            }
        }
    }

    /** {@code dw[k, j] += x[k] dz[j]}, dw {@code [n, m]}. */
    private static void outerRows(double[] x, int n, double[] dz, int m, double[] dw) {
        for (int k = 0; k < n; k++) {
            double xk = x[k];
            int base = k * m;
            for (int j = 0; j < m; j++) {
                dw[base + j] += xk * dz[j];
            }
        }
    }

    /** {@code dx[k] += Σ_j w[k, j] dz[j]}, w {@code [n, m]}. */
    private static void dotRows(double[] w, int n, int m, double[] dz, double[] dx) {
        for (int k = 0; k < n; k++) {
            int base = k * m;
            double s = 0;
            for (int j = 0; j < m; j++) {
                s += w[base + j] * dz[j];
            }
            dx[k] += s;
        }
    }
}
