package dev.attentionkit.attention;

import dev.attentionkit.mask.Mask;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An attention module that can also attend from one sequence to another: queries from {@code xQuery} (the
 * sequence being generated), keys and values from {@code xKeyValue} (an encoder's output), as in an
 * encoder–decoder transformer. Cross-attention is never causal: every query may read the whole other sequence,
 * except what the mask passed hides (e.g. the other sequence's padding).
 */
public interface CrossAttentionModule extends AttentionModule {

    /**
     * @param xQuery    {@code [(batch,) queryTokens, dIn]}
     * @param xKeyValue {@code [(batch,) keyTokens, dIn]}, same rank and batch as {@code xQuery}
     * @param mask      {@code [(batch,) queryTokens, keyTokens]}, true = attend, or null
     * @return context {@code [(batch,) queryTokens, dOut]}, weights {@code [(batch,) heads, queryTokens, keyTokens]}
     */
    AttentionOutput crossAttend(INDArray xQuery, INDArray xKeyValue, Mask mask);
}
