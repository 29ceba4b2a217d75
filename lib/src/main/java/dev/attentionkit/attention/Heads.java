package dev.attentionkit.attention;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Splitting the feature axis into heads and merging it back, shared by the multi-head modules. */
final class Heads {
    private Heads() {}

    /** {@code [b, t, h·hd]} → {@code [b, h, t, hd]}: head i owns features {@code i·hd .. (i+1)·hd - 1}. */
    static INDArray split(INDArray x, int heads) {
        long b = x.size(0);
        long t = x.size(1);
        long hd = x.size(2) / heads;
        return x.reshape('c', b, t, heads, hd)     // [b, t, h, hd]
            .permute(0, 2, 1, 3)                    // [b, h, t, hd]
            .dup('c');
    }

    /** {@code [b, h, t, hd]} → {@code [b, t, h·hd]}: the heads side by side again. */
    static INDArray merge(INDArray x) {
        long b = x.size(0);
        long h = x.size(1);
        long t = x.size(2);
        long hd = x.size(3);
        return x.permute(0, 2, 1, 3)               // [b, t, h, hd]
            .dup('c')
            .reshape('c', b, t, h * hd);            // [b, t, dOut]
    }

    /** {@code [t, d]} → {@code [1, t, d]}; rank 3 unchanged. */
    static INDArray batched(INDArray x) {
        return x.rank() == 2 ? x.reshape(1, x.size(0), x.size(1)) : x;
    }

    /** Removes the batch axis {@link #batched} added: {@code [1, ...]} → {@code [...]}. */
    static AttentionOutput unbatched(AttentionOutput out) {
        INDArray c = out.context();
        INDArray w = out.weights();
        return new AttentionOutput(c.reshape(Arrays.copyOfRange(c.shape(), 1, c.rank())),
            w.reshape(Arrays.copyOfRange(w.shape(), 1, w.rank())));
    }
}
