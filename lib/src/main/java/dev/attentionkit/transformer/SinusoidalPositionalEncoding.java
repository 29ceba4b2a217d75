package dev.attentionkit.transformer;

import dev.attentionkit.tensor.Shapes;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fixed positional encoding of "Attention Is All You Need" (Vaswani et al., 2017, section 3.5):
 *
 * <pre>
 * PE[pos, 2i]     = sin(pos / 10000^(2i / d))
 * PE[pos, 2i + 1] = cos(pos / 10000^(2i / d))          table [positions, d]
 * </pre>
 *
 * Each pair of columns is a clock with its own period, from 2π (columns 0, 1) to about 10000·2π: nearby positions
 * get similar rows, and {@code PE[pos + k]} is a fixed rotation of {@code PE[pos]} for every {@code pos}, which
 * lets attention find "the token k places back" with one linear map. Nothing is learned; an odd {@code d} is
 * allowed (the last column is a sine without its cosine).
 */
public final class SinusoidalPositionalEncoding {
    private SinusoidalPositionalEncoding() {}

    /**
     * @param positions number of positions (rows), at least 1
     * @param d         model width (columns), at least 1
     * @return {@code [positions, d]}, float
     */
    public static INDArray table(long positions, long d) {
        if (positions <= 0 || d <= 0) {
            throw new IllegalArgumentException("SinusoidalPositionalEncoding: positions and d must be positive, got "
                + "positions=" + positions + ", d=" + d);
        }
        float[] values = new float[Math.toIntExact(positions * d)];
        for (long pos = 0; pos < positions; pos++) {
            for (long col = 0; col < d; col++) {
                long i2 = col - (col % 2);                             // 2i: the same frequency for a sin/cos pair
                double angle = pos / Math.pow(10000.0, (double) i2 / d);
                values[Math.toIntExact(pos * d + col)] = (float) (col % 2 == 0 ? Math.sin(angle) : Math.cos(angle));
            }
        }
        return Nd4j.create(values, new long[] {positions, d}, 'c').castTo(DataType.FLOAT);
    }

    /**
     * {@code x + PE[0 .. tokens-1]}, a new array.
     *
     * @param x {@code [tokens, d]} or {@code [batch, tokens, d]}
     * @return the same shape
     */
    public static INDArray add(INDArray x) {
        if (x.rank() != 2 && x.rank() != 3) {
            throw new IllegalArgumentException("SinusoidalPositionalEncoding: expected x [tokens, d] or "
                + "[batch, tokens, d], got " + Shapes.describe(x));
        }
        INDArray pe = table(x.size(-2), x.size(-1)).castTo(x.dataType());    // [tokens, d]
        if (x.rank() == 2) {
            return x.add(pe);
        }
        return x.add(pe.reshape(1, pe.size(0), pe.size(1)).broadcast(x.shape()));
    }
}
