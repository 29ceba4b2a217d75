package dev.attentionkit.train;

import dev.attentionkit.transformer.FeedForward;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** A {@link FeedForward} as SameDiff variables: {@code fc2(relu(fc1(x)))}. */
public final class TrainableFeedForward {
    private final TrainableLinear fc1;
    private final TrainableLinear fc2;

    private TrainableFeedForward(TrainableLinear fc1, TrainableLinear fc2) {
        this.fc1 = fc1;
        this.fc2 = fc2;
    }

    /** Variables {@code name.fc1.weight}, ..., {@code name.fc2.bias}, copies of {@code plain}'s. */
    public static TrainableFeedForward from(SameDiff sd, String name, FeedForward plain) {
        return new TrainableFeedForward(TrainableLinear.from(sd, name + ".fc1", plain.fc1()),
            TrainableLinear.from(sd, name + ".fc2", plain.fc2()));
    }

    /**
     * @param x {@code [batch, tokens, d]}
     * @return {@code [batch, tokens, d]}
     */
    public SDVariable forward(SDVariable x) {
        return fc2.forward(x.getSameDiff().nn.relu(fc1.forward(x), 0));
    }

    public FeedForward toPlain() {
        return FeedForward.fromLayers(fc1.toPlain(), fc2.toPlain());
    }
}
