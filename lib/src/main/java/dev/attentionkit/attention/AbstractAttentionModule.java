package dev.attentionkit.attention;

import dev.attentionkit.nn.Dropout;

/**
 * The part every attention module shares and none of them needs to write again: dropout on the attention weights
 * and the training mode it follows ({@code train()} / {@code eval()}, as {@code nn.Module}). A module without
 * dropout has one with {@code p = 0}, which only keeps the mode. Subclasses say how they attend.
 *
 * @param <M> the module itself, so that {@code train()} and {@code eval()} return it
 */
public abstract class AbstractAttentionModule<M extends AbstractAttentionModule<M>> implements AttentionModule {
    /** Dropout on the attention weights ({@code p = 0} when the module has none). */
    protected final Dropout dropout;

    protected AbstractAttentionModule(Dropout dropout) {
        this.dropout = dropout == null ? Dropout.of(0, 0) : dropout;
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
