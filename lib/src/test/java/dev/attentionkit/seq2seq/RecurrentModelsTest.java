package dev.attentionkit.seq2seq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.nn.Linear;
import dev.attentionkit.score.AdditiveScore;
import dev.attentionkit.testkit.Loops;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One step of every decoder, and the encoder, against the papers' equations written as plain loops over
 * doubles, on tiny explicit weights (b = 2 sentences, Tx = 5 positions of which the first is padding in
 * sentence 0, Vout = 4, Ey = 2, He = 2 so C = 4, Hd = 3, Ha = 2).
 */
@DisplayName("Bahdanau, Luong and Cho decoders and the encoder: one step equals the papers' equations")
class RecurrentModelsTest {
    private static final int B = 2;
    private static final int TX = 5;
    private static final int V = 4;
    private static final int EY = 2;
    private static final int HE = 2;
    private static final int C = 2 * HE;
    private static final int HD = 3;
    private static final int HA = 2;
    private static final double TOL = 1e-9;

    private final Random random = new Random(7);

    private double[][] matrix(int rows, int cols) {
        double[][] m = new double[rows][cols];
        for (double[] row : m) {
            for (int j = 0; j < cols; j++) {
                row[j] = random.nextDouble() * 2 - 1;
            }
        }
        return m;
    }

    private double[] vector(int n) {
        return matrix(1, n)[0];
    }

    private static INDArray nd(double[][] m) {
        return Nd4j.createFromArray(m);
    }

    private static INDArray nd(double[] v) {
        return Nd4j.createFromArray(v);
    }

    // ---- the plain-loop building blocks -------------------------------------------------------------------

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    private static double[][] rows(double[][] m, int from, int to) {
        double[][] r = new double[to - from][];
        System.arraycopy(m, from, r, 0, to - from);
        return r;
    }

    /** Cho et al.'s GRU as Bahdanau et al. write it: r and z gates, reset before U, s' = (1 − z) s + z s̃. */
    private static double[] gru(GruData g, double[] x, double[] s) {
        int h = s.length;
        double[] r = Loops.linear(x, rows(g.w, 0, h), null);
        double[] z = Loops.linear(x, rows(g.w, h, 2 * h), null);
        double[] ur = Loops.linear(s, rows(g.u, 0, h), null);
        double[] uz = Loops.linear(s, rows(g.u, h, 2 * h), null);
        double[] rs = new double[h];
        for (int k = 0; k < h; k++) {
            r[k] = sigmoid(r[k] + ur[k] + g.b[k]);
            z[k] = sigmoid(z[k] + uz[k] + g.b[h + k]);
            rs[k] = r[k] * s[k];
        }
        double[] wx = Loops.linear(x, rows(g.w, 2 * h, 3 * h), null);
        double[] ur2 = Loops.linear(rs, rows(g.u, 2 * h, 3 * h), null);
        double[] next = new double[h];
        for (int k = 0; k < h; k++) {
            double candidate = Math.tanh(wx[k] + ur2[k] + g.b[2 * h + k]);
            next[k] = (1 - z[k]) * s[k] + z[k] * candidate;
        }
        return next;
    }

    private record GruData(double[][] w, double[][] u, double[] b) {
        GruCell.Weights weights() {
            return new GruCell.Weights(nd(w), nd(u), nd(b));
        }
    }

    private GruData gruData(int in, int h) {
        return new GruData(matrix(3 * h, in), matrix(3 * h, h), vector(3 * h));
    }

    // ---- the shared inputs of one step ---------------------------------------------------------------------

    private final double[][][] states = {matrix(TX, C), matrix(TX, C)};   // h_j of each sentence
    private final boolean[][] padding = {{true, false, false, false, false}, {false, false, false, false, false}};
    private final double[][] previousHidden = matrix(B, HD);
    private final double[][] previousAttentional = matrix(B, HD);
    private final int[] previousChar = {2, 0};

    private double[] summary(int b) {
        return Loops.concat(java.util.Arrays.copyOfRange(states[b][TX - 1], 0, HE),
            java.util.Arrays.copyOfRange(states[b][0], HE, C));
    }

    private static double[] context(double[] a, double[][] h) {
        double[] c = new double[h[0].length];
        for (int j = 0; j < a.length; j++) {
            for (int d = 0; d < c.length; d++) {
                c[d] += a[j] * h[j][d];
            }
        }
        return c;
    }

    private static double[] column(double[][] e, int v) {
        double[] y = new double[e.length];
        for (int i = 0; i < e.length; i++) {
            y[i] = e[i][v];
        }
        return y;
    }

    /** A SameDiff graph with the step's inputs as placeholders, in double precision. */
    private final class Graph {
        final SameDiff sd = SameDiff.create();
        final SDVariable hidden = sd.placeHolder("previousHidden", DataType.DOUBLE, -1, HD);
        final SDVariable attentional = sd.placeHolder("previousAttentional", DataType.DOUBLE, -1, HD);
        final SDVariable character = sd.placeHolder("previousCharacter", DataType.DOUBLE, -1, V);
        final EncoderStates encoder = new EncoderStates(sd.placeHolder("states", DataType.DOUBLE, -1, TX, C),
            sd.placeHolder("blocked", DataType.DOUBLE, -1, TX), sd.placeHolder("last", DataType.DOUBLE, -1, C), TX);

        Map<String, INDArray> run(SDVariable... outputs) {
            Map<String, INDArray> in = new HashMap<>();
            in.put("previousHidden", nd(previousHidden));
            in.put("previousAttentional", nd(previousAttentional));
            double[][] oneHot = new double[B][V];
            double[][] blocked = new double[B][TX];
            double[][] last = new double[B][];
            for (int b = 0; b < B; b++) {
                oneHot[b][previousChar[b]] = 1;
                for (int j = 0; j < TX; j++) {
                    blocked[b][j] = padding[b][j] ? -1e9 : 0;
                }
                last[b] = summary(b);
            }
            in.put("previousCharacter", nd(oneHot));
            in.put("blocked", nd(blocked));
            in.put("last", nd(last));
            in.put("states", Nd4j.createFromArray(states));
            List<String> names = new ArrayList<>();
            for (SDVariable v : outputs) {
                if (v != null) {
                    names.add(v.name());
                }
            }
            Map<String, INDArray> out = new HashMap<>(sd.output(in, names));
            return out;
        }
    }

    private static void assertRows(double[][] expected, INDArray actual, String what) {
        assertEquals(expected.length, actual.size(0), what + ": batch size");
        for (int b = 0; b < expected.length; b++) {
            assertArrayEquals(expected[b], actual.getRow(b).toDoubleVector(), TOL, what + ", sentence " + b);
        }
    }

    private double[] scoresMasked(double[] e, int b) {
        for (int j = 0; j < TX; j++) {
            if (padding[b][j]) {
                e[j] = Double.NEGATIVE_INFINITY;
            }
        }
        return e;
    }

    // ---- the tests -----------------------------------------------------------------------------------------

    @Test
    @DisplayName("Bahdanau: e_ij = v·tanh(W_a s_{i-1} + U_a h_j), context into the GRU, logits from [s_i; E y; c_i]")
    void bahdanauStep() {
        double[][] emb = matrix(EY, V);
        double[][] wA = matrix(HA, HD);
        double[][] uA = matrix(HA, C);
        double[] vA = vector(HA);
        GruData g = gruData(EY + C, HD);
        double[][] wO = matrix(V, HD + EY + C);
        double[] bO = vector(V);
        double[][] wS = matrix(HD, C);
        double[] bS = vector(HD);
        BahdanauDecoder.Weights weights = new BahdanauDecoder.Weights(nd(emb), Linear.fromWeights(nd(wS), nd(bS)),
            AdditiveScore.fromWeights(nd(wA), nd(uA), nd(vA)), g.weights(), Linear.fromWeights(nd(wO), nd(bO)));

        Graph graph = new Graph();
        BahdanauDecoder decoder = BahdanauDecoder.from(graph.sd, "d", weights);
        RecurrentDecoder.State start = decoder.start(graph.encoder);
        RecurrentDecoder.Step step = decoder.step(new RecurrentDecoder.State(graph.hidden, null), graph.character,
            graph.encoder);
        Map<String, INDArray> out = graph.run(start.hidden(), step.weights(), step.state().hidden(), step.logits());

        double[][] alpha = new double[B][];
        double[][] next = new double[B][];
        double[][] logits = new double[B][];
        double[][] s0 = new double[B][];
        for (int b = 0; b < B; b++) {
            double[] s = previousHidden[b];
            double[] e = Loops.additiveScores(s, states[b], wA, uA, vA);
            alpha[b] = Loops.softmax(scoresMasked(e, b));
            double[] c = context(alpha[b], states[b]);
            double[] ey = column(emb, previousChar[b]);
            next[b] = gru(g, Loops.concat(ey, c), s);
            logits[b] = Loops.linear(Loops.concat(next[b], ey, c), wO, bO);
            s0[b] = Loops.linear(summary(b), wS, bS);
            for (int k = 0; k < HD; k++) {
                s0[b][k] = Math.tanh(s0[b][k]);
            }
        }
        assertRows(alpha, out.get(step.weights().name()), "α_i");
        assertEquals(0.0, alpha[0][0], 0.0, "padding gets no weight");
        assertRows(next, out.get(step.state().hidden().name()), "s_i");
        assertRows(logits, out.get(step.logits().name()), "logits");
        assertRows(s0, out.get(start.hidden().name()), "s_0");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(LuongDecoder.Score.class)
    @DisplayName("Luong: h_t = GRU([E y; h̃_{t-1}], h_{t-1}), a_t from h_t, h̃_t = tanh(W_c [c_t; h_t]), logits W_s h̃_t")
    void luongStep(LuongDecoder.Score score) {
        int hd = score == LuongDecoder.Score.DOT ? C : HD;       // the dot score needs Hd = C
        double[][] prevH = score == LuongDecoder.Score.DOT ? matrix(B, hd) : previousHidden;
        double[][] prevAtt = score == LuongDecoder.Score.DOT ? matrix(B, hd) : previousAttentional;
        double[][] emb = matrix(EY, V);
        GruData g = gruData(EY + hd, hd);
        double[][] wA = switch (score) {
            case DOT -> null;
            case GENERAL -> matrix(hd, C);
            case LOCATION -> matrix(TX, hd);
        };
        double[][] wC = matrix(hd, C + hd);
        double[][] wS = matrix(V, hd);
        double[] bS = vector(V);
        double[][] w0 = matrix(hd, C);
        double[] b0 = vector(hd);
        LuongDecoder.Weights weights = new LuongDecoder.Weights(nd(emb), Linear.fromWeights(nd(w0), nd(b0)),
            g.weights(), score, wA == null ? null : nd(wA), Linear.fromWeights(nd(wC), null),
            Linear.fromWeights(nd(wS), nd(bS)));

        SameDiff sd = SameDiff.create();
        SDVariable hidden = sd.placeHolder("h", DataType.DOUBLE, -1, hd);
        SDVariable attentional = sd.placeHolder("a", DataType.DOUBLE, -1, hd);
        SDVariable character = sd.placeHolder("y", DataType.DOUBLE, -1, V);
        EncoderStates encoder = new EncoderStates(sd.placeHolder("states", DataType.DOUBLE, -1, TX, C),
            sd.placeHolder("blocked", DataType.DOUBLE, -1, TX), sd.placeHolder("last", DataType.DOUBLE, -1, C), TX);
        LuongDecoder decoder = LuongDecoder.from(sd, "d", weights);
        RecurrentDecoder.State start = decoder.start(encoder);
        RecurrentDecoder.Step step = decoder.step(new RecurrentDecoder.State(hidden, attentional), character, encoder);

        double[][] oneHot = new double[B][V];
        double[][] blocked = new double[B][TX];
        double[][] last = new double[B][];
        for (int b = 0; b < B; b++) {
            oneHot[b][previousChar[b]] = 1;
            for (int j = 0; j < TX; j++) {
                blocked[b][j] = padding[b][j] ? -1e9 : 0;
            }
            last[b] = summary(b);
        }
        Map<String, INDArray> out = sd.output(Map.of("h", nd(prevH), "a", nd(prevAtt), "y", nd(oneHot),
            "states", Nd4j.createFromArray(states), "blocked", nd(blocked), "last", nd(last)),
            step.weights().name(), step.state().hidden().name(), step.state().attentional().name(),
            step.logits().name(), start.attentional().name());

        double[][] a = new double[B][];
        double[][] h = new double[B][];
        double[][] tilde = new double[B][];
        double[][] logits = new double[B][];
        for (int b = 0; b < B; b++) {
            double[] ey = column(emb, previousChar[b]);
            h[b] = gru(g, Loops.concat(ey, prevAtt[b]), prevH[b]);
            double[] e = new double[TX];
            if (score == LuongDecoder.Score.LOCATION) {
                e = Loops.linear(h[b], wA, null);
            } else {
                for (int j = 0; j < TX; j++) {
                    double[] key = score == LuongDecoder.Score.DOT ? states[b][j] : Loops.linear(states[b][j], wA, null);
                    for (int k = 0; k < hd; k++) {
                        e[j] += h[b][k] * key[k];
                    }
                }
            }
            a[b] = Loops.softmax(scoresMasked(e, b));
            double[] c = context(a[b], states[b]);
            tilde[b] = Loops.linear(Loops.concat(c, h[b]), wC, null);
            for (int k = 0; k < hd; k++) {
                tilde[b][k] = Math.tanh(tilde[b][k]);
            }
            logits[b] = Loops.linear(tilde[b], wS, bS);
        }
        assertRows(h, out.get(step.state().hidden().name()), "h_t");
        assertRows(a, out.get(step.weights().name()), "a_t");
        assertRows(tilde, out.get(step.state().attentional().name()), "h̃_t");
        assertRows(logits, out.get(step.logits().name()), "logits");
        assertEquals(0.0, out.get(start.attentional().name()).sumNumber().doubleValue(), 0.0, "h̃_0 = 0");
    }

    @Test
    @DisplayName("Cho (no attention): every step reads the summary [h→_Tx; h←_1]; no weights")
    void choStep() {
        double[][] emb = matrix(EY, V);
        GruData g = gruData(EY + C, HD);
        double[][] wO = matrix(V, HD + EY + C);
        double[] bO = vector(V);
        ChoDecoder.Weights weights = new ChoDecoder.Weights(nd(emb), Linear.fromWeights(nd(matrix(HD, C)), nd(vector(HD))),
            g.weights(), Linear.fromWeights(nd(wO), nd(bO)));
        Graph graph = new Graph();
        ChoDecoder decoder = ChoDecoder.from(graph.sd, "d", weights);
        decoder.start(graph.encoder);
        RecurrentDecoder.Step step = decoder.step(new RecurrentDecoder.State(graph.hidden, null), graph.character,
            graph.encoder);
        assertNull(step.weights());
        Map<String, INDArray> out = graph.run(step.state().hidden(), step.logits());
        double[][] next = new double[B][];
        double[][] logits = new double[B][];
        for (int b = 0; b < B; b++) {
            double[] ey = column(emb, previousChar[b]);
            next[b] = gru(g, Loops.concat(ey, summary(b)), previousHidden[b]);
            logits[b] = Loops.linear(Loops.concat(next[b], ey, summary(b)), wO, bO);
        }
        assertRows(next, out.get(step.state().hidden().name()), "s_i");
        assertRows(logits, out.get(step.logits().name()), "logits");
    }

    @Test
    @DisplayName("the encoder: an LSTM forwards and one backwards (gates i, f, g, o), annotations [h→_j; h←_j]")
    void encoder() {
        int vIn = 6;
        int e = 3;
        double[][] emb = matrix(e, vIn);
        double[][][] wx = {matrix(e, 4 * HE), matrix(e, 4 * HE)};
        double[][][] wh = {matrix(HE, 4 * HE), matrix(HE, 4 * HE)};
        double[][] bias = matrix(2, 4 * HE);
        int[][] ids = {{0, 3, 1, 5, 2}, {4, 4, 2, 1, 3}};
        BidirectionalLstmEncoder.Weights weights = new BidirectionalLstmEncoder.Weights(nd(emb),
            Nd4j.createFromArray(wx), Nd4j.createFromArray(wh), nd(bias));
        SameDiff sd = SameDiff.create();
        SDVariable source = sd.placeHolder("source", DataType.DOUBLE, -1, TX, vIn);
        EncoderStates out = BidirectionalLstmEncoder.from(sd, "e", weights).encode(source);
        double[][][] oneHot = new double[B][TX][vIn];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < TX; t++) {
                oneHot[b][t][ids[b][t]] = 1;
            }
        }
        Map<String, INDArray> got = sd.output(Map.of("source", Nd4j.createFromArray(oneHot)),
            out.states().name(), out.last().name(), out.blocked().name());
        for (int b = 0; b < B; b++) {
            double[][] h = new double[TX][C];
            for (int dir = 0; dir < 2; dir++) {
                double[] hh = new double[HE];
                double[] cc = new double[HE];
                for (int step = 0; step < TX; step++) {
                    int t = dir == 0 ? step : TX - 1 - step;
                    double[] x = column(emb, ids[b][t]);
                    double[] z = bias[dir].clone();
                    for (int k = 0; k < 4 * HE; k++) {
                        for (int i = 0; i < e; i++) {
                            z[k] += x[i] * wx[dir][i][k];
                        }
                        for (int j = 0; j < HE; j++) {
                            z[k] += hh[j] * wh[dir][j][k];
                        }
                    }
                    for (int k = 0; k < HE; k++) {
                        cc[k] = sigmoid(z[HE + k]) * cc[k] + sigmoid(z[k]) * Math.tanh(z[2 * HE + k]);
                        hh[k] = sigmoid(z[3 * HE + k]) * Math.tanh(cc[k]);
                        h[t][dir * HE + k] = hh[k];
                    }
                }
            }
            INDArray actual = got.get(out.states().name());
            for (int t = 0; t < TX; t++) {
                assertArrayEquals(h[t], actual.get(org.nd4j.linalg.indexing.NDArrayIndex.point(b),
                    org.nd4j.linalg.indexing.NDArrayIndex.point(t), org.nd4j.linalg.indexing.NDArrayIndex.all()).toDoubleVector(), TOL, "h_" + t + ", sentence " + b);
            }
            double[] summary = Loops.concat(java.util.Arrays.copyOfRange(h[TX - 1], 0, HE),
                java.util.Arrays.copyOfRange(h[0], HE, C));
            assertArrayEquals(summary, got.get(out.last().name()).getRow(b).toDoubleVector(), TOL, "summary");
            for (int t = 0; t < TX; t++) {
                assertEquals(ids[b][t] == 0 ? -1e9 : 0, got.get(out.blocked().name()).getDouble(b, t), 0.0,
                    "padding score at " + t);
            }
        }
    }

    @Test
    @DisplayName("weights built from a seed or given explicitly come back unchanged from weights()")
    void weightsRoundTrip() {
        dev.attentionkit.nn.TorchRandom r = dev.attentionkit.nn.TorchRandom.manualSeed(3);
        BahdanauDecoder.Weights bw = BahdanauDecoder.Weights.fromSeed(V, EY, C, HD, HA, r);
        SameDiff sd = SameDiff.create();
        BahdanauDecoder.Weights back = BahdanauDecoder.from(sd, "d", bw).weights();
        assertEquals(bw.gru().inputWeights(), back.gru().inputWeights());
        assertEquals(bw.gru().recurrentWeights(), back.gru().recurrentWeights());
        assertEquals(bw.gru().bias(), back.gru().bias());
        assertEquals(bw.attention().wK(), back.attention().wK());
        assertEquals(bw.readout().weight(), back.readout().weight());
        LuongDecoder.Weights lw = LuongDecoder.Weights.fromSeed(LuongDecoder.Score.LOCATION, V, EY, C, HD, TX, r);
        assertEquals(lw.scoreWeight(), LuongDecoder.from(sd, "l", lw).weights().scoreWeight());
        BidirectionalLstmEncoder.Weights ew = BidirectionalLstmEncoder.Weights.fromSeed(6, 3, HE, r);
        assertEquals(ew.recurrentWeights(), BidirectionalLstmEncoder.from(sd, "e", ew).weights().recurrentWeights());
        // the same seed gives the same weights
        BahdanauDecoder.Weights again = BahdanauDecoder.Weights.fromSeed(V, EY, C, HD, HA,
            dev.attentionkit.nn.TorchRandom.manualSeed(3));
        assertEquals(bw.embedding(), again.embedding());
    }

    @Test
    @DisplayName("weights of the wrong shape are refused with a message naming them")
    void badWeights() {
        dev.attentionkit.nn.TorchRandom r = dev.attentionkit.nn.TorchRandom.manualSeed(1);
        BahdanauDecoder.Weights ok = BahdanauDecoder.Weights.fromSeed(V, EY, C, HD, HA, r);
        String m = assertThrows(IllegalArgumentException.class, () -> new BahdanauDecoder.Weights(ok.embedding(),
            ok.init(), ok.attention(), GruCell.Weights.fromSeed(EY + C + 1, HD, r), ok.readout())).getMessage();
        assertTrue(m.contains("gru input"), m);
        m = assertThrows(IllegalArgumentException.class, () -> LuongDecoder.Weights.fromSeed(LuongDecoder.Score.DOT,
            V, EY, C, HD, TX, r)).getMessage();
        assertTrue(m.contains("dot") && m.contains("Hd = C"), m);
        m = assertThrows(IllegalArgumentException.class, () -> new GruCell.Weights(nd(new double[4][2]),
            nd(new double[4][4]), nd(new double[4]))).getMessage();
        assertTrue(m.contains("3H"), m);
    }
}
