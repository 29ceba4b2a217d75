package dev.attentionkit.train;

import dev.attentionkit.transformer.FeedForward;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** A {@link FeedForward} as SameDiff variables: {@code fc2(relu(fc1(x)))}. */
public final class TrainableFeedForward {
    private final TrainableParameters parameters;
    private final TrainableLinear fc1;   // [hidden, d]
    private final TrainableLinear fc2;   // [d, hidden]

    private TrainableFeedForward(TrainableParameters parameters) {
        this.parameters = parameters;
        this.fc1 = parameters.linear("fc1");
        this.fc2 = parameters.linear("fc2");
    }

    /** Variables {@code name.fc1.weight}, ..., {@code name.fc2.bias} from {@code plain.parameters()}, copies. */
    public static TrainableFeedForward from(SameDiff sd, String name, FeedForward plain) {
        return new TrainableFeedForward(TrainableParameters.of(sd, name, plain.parameters()));
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

    /** The variables by the plain layer's state_dict names. */
    public TrainableParameters parameters() {
        return parameters;
    }
}
