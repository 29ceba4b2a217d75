package dev.attentionkit.bench;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * The comparator: the same multi-head attention forward in PyTorch (libtorch through bytedeco), the way
 * nanoGPT writes it: {@code linear} for the fused QKV projection, {@code scaled_dot_product_attention}
 * with {@code is_causal}, {@code linear} for the output projection. Same inputs and weights as the ND4J
 * side ({@link SeededInputs}). Loads no ND4J class: it runs in its own JVM with its own javacpp.
 */
final class TorchMultiHeadAttention implements AutoCloseable {
    private final Workload w;
    private final Tensor x;      // [B, T, d]
    private final Tensor wQkv;   // [3d, d]
    private final Tensor wOut;   // [d, d]
    private final Tensor bOut;   // [d]

    TorchMultiHeadAttention(SeededInputs in) {
        this.w = in.workload();
        this.x = AbstractTensor.create(in.x(), w.batch(), w.tokens(), w.dModel());
        this.wQkv = AbstractTensor.create(in.wQkv(), 3L * w.dModel(), w.dModel());
        this.wOut = AbstractTensor.create(in.wOut(), w.dModel(), w.dModel());
        this.bOut = AbstractTensor.create(in.bOut(), w.dModel());
    }

    /** One forward pass; every temporary tensor is released when the scope closes. */
    float[] forward(int keep) {
        try (PointerScope scope = new PointerScope()) {
            long b = w.batch(), t = w.tokens(), d = w.dModel(), h = w.heads(), hd = w.headDim();
            Tensor qkv = torch.linear(x, wQkv);                                        // [B, T, 3d]
            Tensor parts = qkv.reshape(b, t, 3, h, hd).permute(2, 0, 3, 1, 4);        // [3, B, H, T, hd]
            Tensor context = torch.scaled_dot_product_attention(parts.select(0, 0), parts.select(0, 1), parts.select(0, 2),
                new TensorOptional(), 0.0, w.causal(), new DoubleOptional(), false);  // [B, H, T, hd]
            Tensor out = torch.linear(context.transpose(1, 2).reshape(b, t, d), wOut, bOut);   // [B, T, d]
            float[] first = new float[keep];
            if (keep > 0) {
                out.contiguous().data_ptr_float().get(first);
            }
            return first;
        }
    }

    static String threads() {
        return "torch intra-op threads " + torch.get_num_threads();
    }

    @Override
    public void close() {
        x.close();
        wQkv.close();
        wOut.close();
        bOut.close();
    }
}
