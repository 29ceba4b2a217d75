package dev.attentionkit.longrange;

import dev.attentionkit.nn.TorchRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A one-layer LSTM with its backward pass written out (back-propagation through time), PyTorch's equations and
 * gate order (i, f, g, o); the two biases {@code b_ih + b_hh} are one vector here:
 *
 * <pre>
 * G_t = x_t·W_ihᵀ + h_{t-1}·W_hhᵀ + b          [b, 4H]
 * i, f, o = σ(G_t parts), g = tanh(G_t part)
 * c_t = f ⊙ c_{t-1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)    [b, H], h_{-1} = c_{-1} = 0
 * </pre>
 *
 * The input part {@code x·W_ihᵀ} of every step and the weight gradients are single matrix products; the
 * recurrence itself runs as plain Java loops in double precision: at {@code H = 32} a time step is a few thousand
 * multiply-adds, less than ND4J takes to dispatch the dozen small operations it would otherwise be.
 */
final class Lstm {
    private final INDArray wIh;   // [4H, in]
    private final INDArray wHh;   // [4H, H]
    private final INDArray bias;  // [4H]
    private final int hidden;
    private final Map<String, INDArray> gradients = new LinkedHashMap<>();
    // kept from the forward pass, index (b·T + t)·width + j
    private INDArray x2;          // [b·T, in]
    private double[] gates;       // [b, T, 4H] after σ / tanh
    private double[] cells;       // [b, T, H]
    private double[] tanhCells;   // [b, T, H]
    private double[] states;      // [b, T, H]
    private int batch, tokens;

    private Lstm(INDArray wIh, INDArray wHh, INDArray bias) {
        this.wIh = wIh;
        this.wHh = wHh;
        this.bias = bias;
        this.hidden = Math.toIntExact(wHh.size(1));
    }

    /** PyTorch's {@code nn.LSTM(in, hidden)} initialisation: every weight and bias uniform in ±1/√hidden. */
    static Lstm init(long in, long hidden, TorchRandom random, DataType type) {
        double bound = 1 / Math.sqrt(hidden);
        return new Lstm(random.uniform(-bound, bound, 4 * hidden, in).castTo(type).dup('c'),
            random.uniform(-bound, bound, 4 * hidden, hidden).castTo(type).dup('c'),
            random.uniform(-bound, bound, 4 * hidden).castTo(type).dup('c'));
    }

    /** @param x {@code [b, T, in]} @return the states h_t, {@code [b, T, H]} */
    INDArray forward(INDArray x) {
        batch = Math.toIntExact(x.size(0));
        tokens = Math.toIntExact(x.size(1));
        int h = hidden, g4 = 4 * hidden;
        DataType type = wIh.dataType();
        x2 = x.dup('c').reshape('c', (long) batch * tokens, x.size(2));
        INDArray g2 = Nd4j.createUninitialized(type, (long) batch * tokens, g4);
        Products.timesTransposed(x2, wIh, g2, 0);                          // input part of every step at once
        g2.addiRowVector(bias);
        gates = g2.castTo(DataType.DOUBLE).data().asDouble();
        double[] whhT = wHh.castTo(DataType.DOUBLE).transpose().dup('c').data().asDouble();   // [H, 4H]
        cells = new double[batch * tokens * h];
        tanhCells = new double[cells.length];
        states = new double[cells.length];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < tokens; t++) {
                int g0 = (b * tokens + t) * g4, s0 = (b * tokens + t) * h, p0 = s0 - h;   // p0: step t-1
                if (t > 0) {
                    for (int k = 0; k < h; k++) {                          // G_t += h_{t-1}·W_hhᵀ
                        double hk = states[p0 + k];
                        int w0 = k * g4;
                        for (int j = 0; j < g4; j++) {
                            gates[g0 + j] += hk * whhT[w0 + j];
                        }
                    }
                }
                for (int j = 0; j < h; j++) {
                    double i = sigmoid(gates[g0 + j]);
                    double f = sigmoid(gates[g0 + h + j]);
                    double g = Math.tanh(gates[g0 + 2 * h + j]);
                    double o = sigmoid(gates[g0 + 3 * h + j]);
                    gates[g0 + j] = i;
                    gates[g0 + h + j] = f;
                    gates[g0 + 2 * h + j] = g;
                    gates[g0 + 3 * h + j] = o;
                    double c = i * g + (t > 0 ? f * cells[p0 + j] : 0);
                    double tc = Math.tanh(c);
                    cells[s0 + j] = c;
                    tanhCells[s0 + j] = tc;
                    states[s0 + j] = o * tc;
                }
            }
        }
        return Nd4j.create(states, new long[] {batch, tokens, h}, 'c').castTo(type);
    }

    /**
     * @param dStates the loss's gradient with respect to every state h_t, {@code [b, T, H]}
     * @return the gradient with respect to the input, {@code [b, T, in]}; parameter gradients in {@link #gradients()}
     */
    INDArray backward(INDArray dStates) {
        if (states == null) {
            throw new IllegalStateException("Lstm.backward: call forward first");
        }
        int h = hidden, g4 = 4 * hidden;
        DataType type = wIh.dataType();
        double[] ds = dStates.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] whh = wHh.castTo(DataType.DOUBLE).dup('c').data().asDouble();             // [4H, H]
        double[] dG = new double[gates.length];                                             // pre-activation gradients
        double[] previous = new double[states.length];                                      // h_{t-1}, 0 at t = 0
        double[] dh = new double[h], dhNext = new double[h], dcNext = new double[h];
        for (int b = 0; b < batch; b++) {
            java.util.Arrays.fill(dhNext, 0);
            java.util.Arrays.fill(dcNext, 0);
            for (int t = tokens - 1; t >= 0; t--) {
                int g0 = (b * tokens + t) * g4, s0 = (b * tokens + t) * h, p0 = s0 - h;
                for (int j = 0; j < h; j++) {
                    double i = gates[g0 + j], f = gates[g0 + h + j], g = gates[g0 + 2 * h + j], o = gates[g0 + 3 * h + j];
                    double tc = tanhCells[s0 + j];
                    double dhj = ds[s0 + j] + dhNext[j];
                    double dc = dcNext[j] + dhj * o * (1 - tc * tc);
                    dG[g0 + j] = dc * g * i * (1 - i);
                    dG[g0 + h + j] = t > 0 ? dc * cells[p0 + j] * f * (1 - f) : 0;
                    dG[g0 + 2 * h + j] = dc * i * (1 - g * g);
                    dG[g0 + 3 * h + j] = dhj * tc * o * (1 - o);
                    dcNext[j] = dc * f;
                    if (t > 0) {
                        previous[s0 + j] = states[p0 + j];
                    }
                }
                java.util.Arrays.fill(dh, 0);
                for (int j = 0; j < g4; j++) {                                              // dL/dh_{t-1} = dG_t·W_hh
                    double dgj = dG[g0 + j];
                    int w0 = j * h;
                    for (int k = 0; k < h; k++) {
                        dh[k] += dgj * whh[w0 + k];
                    }
                }
                System.arraycopy(dh, 0, dhNext, 0, h);
            }
        }
        long rows = (long) batch * tokens;
        INDArray dG2 = Nd4j.create(dG, new long[] {rows, g4}, 'c').castTo(type);
        INDArray prev2 = Nd4j.create(previous, new long[] {rows, h}, 'c').castTo(type);
        INDArray dWih = Nd4j.createUninitialized(type, g4, wIh.size(1));
        Products.transposedTimes(dG2, x2, dWih, 0);
        INDArray dWhh = Nd4j.createUninitialized(type, g4, h);
        Products.transposedTimes(dG2, prev2, dWhh, 0);
        INDArray dX = Nd4j.createUninitialized(type, rows, wIh.size(1));
        Products.product(dG2, wIh, dX, 0);
        gradients.clear();
        gradients.put("weightIh", dWih);
        gradients.put("weightHh", dWhh);
        gradients.put("bias", dG2.sum(0));
        return dX.reshape('c', batch, tokens, wIh.size(1));
    }

    /** {@code weightIh [4H, in]}, {@code weightHh [4H, H]}, {@code bias [4H]}: the arrays training updates. */
    Map<String, INDArray> parameters() {
        Map<String, INDArray> p = new LinkedHashMap<>();
        p.put("weightIh", wIh);
        p.put("weightHh", wHh);
        p.put("bias", bias);
        return p;
    }

    /** The gradients of the last {@link #backward}, by the names of {@link #parameters()}. */
    Map<String, INDArray> gradients() {
        return gradients;
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }
}
