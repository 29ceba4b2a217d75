package dev.attentionkit.nn;

import org.apache.commons.math3.random.MersenneTwister;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The random numbers PyTorch draws on the CPU after {@code torch.manual_seed(seed)}, so weights built
 * "from a seed" here are the very weights the book prints.
 *
 * <p>PyTorch's CPU generator is a 32-bit Mersenne Twister (MT19937) seeded with the low 32 bits of the
 * seed. For a float32 tensor, {@code uniform_(from, to)} takes one 32-bit draw per element, in row-major
 * order, keeps its low 24 bits (a float's mantissa) as {@code u = bits / 2^24} and returns
 * {@code u * (to - from) + from}, all in float arithmetic. {@code torch.rand} is {@code uniform_(0, 1)}.
 *
 * <p>Not thread-safe; one instance per seeded construction, as {@code torch.manual_seed} is used.
 */
public final class TorchRandom {
    private static final float TWO_TO_MINUS_24 = 1.0f / (1 << 24);

    private final MersenneTwister twister;

    private TorchRandom(long seed) {
        this.twister = new MersenneTwister((int) seed);
    }

    /** The state {@code torch.manual_seed(seed)} leaves the CPU generator in. */
    public static TorchRandom manualSeed(long seed) {
        return new TorchRandom(seed);
    }

    /** One {@code torch.rand} float in {@code [0, 1)}. */
    public float nextFloat() {
        return (twister.nextInt() & 0xFFFFFF) * TWO_TO_MINUS_24;
    }

    /** {@code torch.rand(shape)}: float32, uniform in {@code [0, 1)}, filled in row-major order. */
    public INDArray rand(long... shape) {
        return uniform(0.0, 1.0, shape);
    }

    /** {@code torch.empty(shape).uniform_(from, to)}: float32, filled in row-major order. */
    public INDArray uniform(double from, double to, long... shape) {
        float lo = (float) from;
        float span = (float) to - lo;
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        // Filled in a Java array first: one putScalar per element is slow for GPT-2-size weights.
        float[] values = new float[Math.toIntExact(n)];
        for (int i = 0; i < values.length; i++) {
            float u = (twister.nextInt() & 0xFFFFFF) * TWO_TO_MINUS_24;
            values[i] = u * span + lo;
        }
        return Nd4j.create(values, shape, 'c');
    }
}
