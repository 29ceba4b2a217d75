package dev.attentionkit.nn;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Inverted dropout, as {@code nn.Dropout(p)}: in training mode every value is zeroed with probability
 * {@code p} and the survivors are multiplied by {@code 1 / (1 - p)}, so the expected value of each entry is
 * unchanged and nothing needs rescaling at inference; in eval mode it is the identity.
 *
 * <p>Book section 3.5.2 applies it to the attention weights: with {@code p = 0.5} about half of each row is
 * dropped and the rest doubled, so a row no longer sums to exactly 1.
 *
 * <p>The masks come from a generator seeded at construction: the same seed gives the same sequence of masks.
 * They are not PyTorch's bernoulli stream, so dropped positions differ from the book's printout.
 * Like a PyTorch module it starts in training mode; call {@link #eval()} to switch it off. Not thread-safe.
 */
public final class Dropout {
    private final double p;
    private final SplittableRandom random;
    private boolean training = true;

    private Dropout(double p, long seed) {
        this.p = p;
        this.random = new SplittableRandom(seed);
    }

    /**
     * {@code nn.Dropout(p)} whose masks come from {@code seed}.
     *
     * @param p probability of zeroing an entry, {@code 0 <= p <= 1}
     */
    public static Dropout of(double p, long seed) {
        if (!(p >= 0.0 && p <= 1.0)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1], got " + p);
        }
        return new Dropout(p, seed);
    }

    /**
     * Applies dropout in training mode, returns {@code x} itself in eval mode or when {@code p = 0}.
     *
     * @param x any shape
     * @return the same shape; a new array in training mode
     */
    public INDArray forward(INDArray x) {
        if (!training || p == 0.0) {
            return x;
        }
        if (p == 1.0) {
            return Nd4j.zeros(x.dataType(), x.shape()); // nothing survives (PyTorch returns zeros too)
        }
        float scale = (float) (1.0 / (1.0 - p));
        float[] factors = new float[Math.toIntExact(x.length())];
        for (int i = 0; i < factors.length; i++) {
            factors[i] = random.nextDouble() < p ? 0f : scale; // keep with probability 1 - p
        }
        INDArray mask = Nd4j.createFromArray(factors).reshape('c', x.shape()).castTo(x.dataType());
        return x.mul(mask);
    }

    /** Switches dropout on (the default), as {@code module.train()}; returns this. */
    public Dropout train() {
        training = true;
        return this;
    }

    /** Switches dropout off, as {@code module.eval()}; returns this. */
    public Dropout eval() {
        training = false;
        return this;
    }

    public boolean isTraining() {
        return training;
    }

    /** The probability of zeroing an entry. */
    public double p() {
        return p;
    }

    @Override
    public String toString() {
        return "Dropout(p=" + p + (training ? "" : ", eval") + ")";
    }
}
