package dev.attentionkit.attention;

import dev.attentionkit.nn.Dropout;

/**
 * The part every attention module shares and none of them needs to write again: its sizes ({@code dIn},
 * {@code dOut}, {@code numHeads}, {@code contextLength}, causal or not), stated once by the subclass's constructor
 * from its layers; and dropout on the attention weights with the training mode it follows ({@code train()} /
 * {@code eval()}, as {@code nn.Module}). A module without dropout has one with {@code p = 0}, which only keeps the
 * mode. Subclasses say how they attend.
 *
 * @param <M> the module itself, so that {@code train()} and {@code eval()} return it
 */
public abstract class AbstractAttentionModule<M extends AbstractAttentionModule<M>> implements AttentionModule {
    /** {@link Sizes#contextLength()} of a module that accepts sequences of any length. */
    public static final long NO_CONTEXT_LIMIT = Long.MAX_VALUE;

    /**
     * A module's sizes, read by its constructor from its layers (their shapes never change, so these cannot drift
     * from the weights).
     *
     * @param dIn           features of each input token
     * @param dOut          features of each context vector (all heads together)
     * @param numHeads      heads side by side (1 for a single-head module)
     * @param contextLength the longest sequence {@code attend} accepts, or {@link AbstractAttentionModule#NO_CONTEXT_LIMIT}
     * @param causal        whether self-attention hides later tokens
     */
    public record Sizes(long dIn, long dOut, int numHeads, long contextLength, boolean causal) {}

    /** Dropout on the attention weights ({@code p = 0} when the module has none). */
    protected final Dropout dropout;
    private final Sizes sizes;

    protected AbstractAttentionModule(Dropout dropout, Sizes sizes) {
        this.dropout = dropout == null ? Dropout.of(0, 0) : dropout;
        this.sizes = sizes;
    }

    @Override
    public long dIn() {
        return sizes.dIn();
    }

    @Override
    public long dOut() {
        return sizes.dOut();
    }

    @Override
    public int numHeads() {
        return sizes.numHeads();
    }

    /** The longest sequence {@code attend} accepts (the book's mask buffer size), {@link #NO_CONTEXT_LIMIT} for none. */
    public long contextLength() {
        return sizes.contextLength();
    }

    @Override
    public boolean isCausal() {
        return sizes.causal();
    }

    @SuppressWarnings("unchecked")
    private M self() {
        return (M) this;
    }

    /** Training mode, as {@code module.train()}: dropout on (the default); returns this. */
    @Override
    public M train() {
        dropout.train();
        return self();
    }

    /** Evaluation mode, as {@code module.eval()}: dropout off; returns this. */
    @Override
    public M eval() {
        dropout.eval();
        return self();
    }

    @Override
    public boolean isTraining() {
        return dropout.isTraining();
    }

    /** Dropout on the attention weights ({@code p = 0} when the module has none). */
    public Dropout dropout() {
        return dropout;
    }
}
