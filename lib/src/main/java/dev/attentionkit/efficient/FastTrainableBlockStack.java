package dev.attentionkit.efficient;

import dev.attentionkit.tensor.Shapes;
import dev.attentionkit.transformer.TransformerBlock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A stack of pre-LN transformer blocks ({@link FastTrainableTransformerBlock}) trained with or without
 * <b>gradient checkpointing</b>.
 *
 * <p>Without it, the forward pass keeps every block's activations (layer-norm outputs, queries/keys/values, the
 * attention weights, the feed-forward's hidden layer) until the backward pass has used them: memory grows with the
 * number of blocks. With it, the forward pass keeps only each block's <i>input</i>, and all blocks share one set
 * of activation arrays; the backward pass, going from the last block to the first, first recomputes a block's
 * forward pass from its stored input and then runs its backward pass. The memory for activations is then one
 * block's worth plus one {@code [b·t, d]} input per block, at the price of running the forward pass of every
 * block but the last twice. The recomputed activations equal the first ones bit for bit (same products, same
 * order: see {@link RowLoops}), so the gradients do too.
 *
 * <pre>
 * without: forward  x0 → B1 → x1 → B2 → x2 ... → xN     keeps acts(B1) ... acts(BN)
 *          backward dN → B_N' → ... → B1' → d0
 * with:    forward  x0 → B1 → x1 → ... → xN           keeps x0 ... x(N−1), one shared acts (left holding BN's)
 *          backward for i = N .. 1: (i &lt; N: recompute B_i from x(i−1) into the shared acts), then B_i'
 * </pre>
 *
 * {@link #retainedActivationBytes()} counts the bytes of the arrays kept from the forward pass for the backward
 * one; {@link #bufferBytes()} adds the backward pass's temporaries: both are byte counts of the arrays the stack
 * actually allocated, not estimates.
 */
public final class FastTrainableBlockStack {
    private final List<FastTrainableTransformerBlock> blocks;
    private final boolean checkpointed;
    private final List<FastTrainableTransformerBlock.Activations> activations = new ArrayList<>();
    private final FastTrainableTransformerBlock.Scratch scratch = new FastTrainableTransformerBlock.Scratch();
    private final List<Map<String, INDArray>> gradients = new ArrayList<>();
    private final DataType type;
    private final int d;
    private INDArray inputs;               // checkpointed: [blocks, b·t, d], every block's input (what is kept);
                                           // else [2, b·t, d], ping-pong (a block's backward does not read its input)
    private INDArray dBetween;             // [2, b·t, d]: the gradient between two blocks, ping-pong
    private INDArray recomputed;           // [b·t, d]: where a recomputed block's output goes (checkpointed only)
    private int batch, tokens;
    private boolean forwardDone;
    private int recomputations;

    private FastTrainableBlockStack(List<FastTrainableTransformerBlock> blocks, boolean checkpointed) {
        this.blocks = blocks;
        this.checkpointed = checkpointed;
        this.type = blocks.get(0).dataType();
        this.d = Math.toIntExact(blocks.get(0).d());
        int sets = checkpointed ? 1 : blocks.size();
        for (int i = 0; i < sets; i++) {
            activations.add(new FastTrainableTransformerBlock.Activations());
        }
        for (int i = 0; i < blocks.size(); i++) {
            gradients.add(new LinkedHashMap<>());
        }
    }

    /**
     * Copies of the blocks' weights ({@link FastTrainableTransformerBlock#from}), first block first.
     *
     * @param checkpointed keep only each block's input and recompute its activations in the backward pass
     */
    public static FastTrainableBlockStack from(List<TransformerBlock> plain, boolean checkpointed) {
        if (plain.isEmpty()) {
            throw new IllegalArgumentException("FastTrainableBlockStack needs at least one block");
        }
        List<FastTrainableTransformerBlock> fast = plain.stream().map(FastTrainableTransformerBlock::from).toList();
        for (int i = 1; i < fast.size(); i++) {
            if (fast.get(i).d() != fast.get(0).d() || fast.get(i).dataType() != fast.get(0).dataType()) {
                throw new IllegalArgumentException(String.format("FastTrainableBlockStack: block %d is d=%d %s, block 0 is d=%d %s", i,
                    fast.get(i).d(), fast.get(i).dataType(), fast.get(0).d(), fast.get(0).dataType()));
            }
        }
        return new FastTrainableBlockStack(fast, checkpointed);
    }

    /**
     * @param x {@code [batch, tokens, d]}, the weights' data type
     * @return the last block's output {@code [batch, tokens, d]}
     */
    public INDArray forward(INDArray x) {
        blocks.get(0).requireInput(x, "x");
        batch = Math.toIntExact(x.size(0));
        tokens = Math.toIntExact(x.size(1));
        long rows = (long) batch * tokens;
        int n = blocks.size();
        if (inputs == null || inputs.dataType() != type || inputs.size(1) != rows) {
            inputs = Nd4j.createUninitialized(type, checkpointed ? n : 2, rows, d);
            dBetween = Nd4j.createUninitialized(type, 2, rows, d);
            recomputed = checkpointed && n > 1 ? Nd4j.createUninitialized(type, rows, d) : null;
        }
        input(0).assign(x.reshape('c', rows, d));
        INDArray y = Nd4j.createUninitialized(type, rows, d);
        for (int i = 0; i < n; i++) {
            MatrixView out = MatrixView.of(i + 1 < n ? input(i + 1) : y);
            blocks.get(i).forward(MatrixView.of(input(i)), batch, tokens, acts(i), out);
        }
        forwardDone = true;
        recomputations = 0;
        return y.reshape('c', batch, tokens, d);
    }

    /**
     * Back-propagates {@code dY} through the last {@link #forward}; block i's gradients are then in
     * {@link #gradients(int)}.
     *
     * @param dY {@code [batch, tokens, d]}
     * @return dX {@code [batch, tokens, d]}
     */
    public INDArray backward(INDArray dY) {
        if (!forwardDone) {
            throw new IllegalStateException("FastTrainableBlockStack.backward: call forward first (once per backward)");
        }
        if (dY.rank() != 3 || dY.size(0) != batch || dY.size(1) != tokens || dY.size(2) != d) {
            throw new IllegalArgumentException("FastTrainableBlockStack.backward: dY must be [" + batch + ", " + tokens + ", " + d
                + "] like the forward output, got " + Shapes.describe(dY));
        }
        if (dY.dataType() != type) {
            throw new IllegalArgumentException("FastTrainableBlockStack.backward: dY is " + dY.dataType() + ", the weights are " + type);
        }
        long rows = (long) batch * tokens;
        int n = blocks.size();
        MatrixView upstream = MatrixView.of(dY.dup('c').reshape('c', rows, d));
        INDArray dX = Nd4j.createUninitialized(type, rows, d);
        for (int i = n - 1; i >= 0; i--) {
            if (checkpointed && i < n - 1) {
                // The shared arrays hold block i+1's activations: recompute block i's from its stored input. The
                // output goes to a spare array: block i+1's stored input already holds it.
                blocks.get(i).forward(MatrixView.of(input(i)), batch, tokens, acts(i), MatrixView.of(recomputed));
                recomputations++;
            }
            MatrixView dIn = MatrixView.of(i == 0 ? dX : dBetween.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i % 2)));
            blocks.get(i).backward(upstream, acts(i), scratch, dIn, gradients.get(i));
            upstream = dIn;
        }
        forwardDone = !checkpointed;   // checkpointed: the shared arrays now hold block 0's, not the last block's
        return dX.reshape('c', batch, tokens, d);
    }

    /** Block i's gradients of the last {@link #backward}, named as {@link FastTrainableTransformerBlock#gradients()}. */
    public Map<String, INDArray> gradients(int block) {
        return Collections.unmodifiableMap(gradients.get(block));
    }

    /** Block i's parameters (the stored arrays: updating them trains the stack). */
    public Map<String, INDArray> parameters(int block) {
        return blocks.get(block).parameters();
    }

    public int size() {
        return blocks.size();
    }

    public boolean checkpointed() {
        return checkpointed;
    }

    /** How many block forward passes the last backward pass recomputed ({@code size() − 1} with checkpointing, else 0). */
    public int recomputations() {
        return recomputations;
    }

    /**
     * Bytes kept from the forward pass for the backward one, after a forward pass: the blocks' activation arrays
     * (one shared set with checkpointing, one per block without) plus the arrays holding the blocks' inputs (with
     * checkpointing one per block; without, two used in turn, since a block's backward pass does not read its input).
     */
    public long retainedActivationBytes() {
        long bytes = inputs == null ? 0 : inputs.length() * type.width();
        for (FastTrainableTransformerBlock.Activations a : activations) {
            bytes += a.bytes();
        }
        return bytes;
    }

    /** {@link #retainedActivationBytes()} plus the backward pass's temporaries (shared by all blocks). */
    public long bufferBytes() {
        return retainedActivationBytes() + scratch.bytes() + (dBetween == null ? 0 : dBetween.length() * type.width())
            + (recomputed == null ? 0 : recomputed.length() * type.width());
    }

    private FastTrainableTransformerBlock.Activations acts(int block) {
        return activations.get(checkpointed ? 0 : block);
    }

    private INDArray input(int block) {
        return inputs.get(org.nd4j.linalg.indexing.NDArrayIndex.point(checkpointed ? block : block % 2));
    }
}
