package dev.attentionkit.stability;

import java.util.Arrays;

/**
 * What {@link TransformerStack#train} saw at every Adam step: the batch's loss before the step and the gradient norm
 * of each layer's parameters.
 *
 * @param losses        {@code [steps]}
 * @param gradientNorms {@code [steps][layers]}: {@code ‖∂loss/∂θ_l‖₂} over all of block l's parameters
 */
public record TrainingLog(double[] losses, double[][] gradientNorms) {
    public TrainingLog {
        if (losses.length != gradientNorms.length) {
            throw new IllegalArgumentException("TrainingLog: " + losses.length + " losses but " + gradientNorms.length
                + " rows of gradient norms");
        }
        losses = losses.clone();
        gradientNorms = Arrays.stream(gradientNorms).map(double[]::clone).toArray(double[][]::new);
    }

    public int steps() {
        return losses.length;
    }

    /** Whether some step's loss was NaN or infinite (training diverged). */
    public boolean diverged() {
        return Arrays.stream(losses).anyMatch(l -> !Double.isFinite(l));
    }

    /** Mean loss of steps {@code from .. to - 1} (NaN when one of them is not finite). */
    public double meanLoss(int from, int to) {
        if (from < 0 || to > losses.length || from >= to) {
            throw new IllegalArgumentException("TrainingLog.meanLoss: steps " + from + ".." + to + " outside 0.."
                + losses.length);
        }
        return Arrays.stream(losses, from, to).average().orElseThrow();
    }

    /** Each layer's gradient norm averaged over steps {@code from .. to - 1}, {@code [layers]}. */
    public double[] meanGradientNorms(int from, int to) {
        if (from < 0 || to > losses.length || from >= to) {
            throw new IllegalArgumentException("TrainingLog.meanGradientNorms: steps " + from + ".." + to
                + " outside 0.." + losses.length);
        }
        double[] out = new double[gradientNorms[0].length];
        for (int s = from; s < to; s++) {
            for (int l = 0; l < out.length; l++) {
                out[l] += gradientNorms[s][l] / (to - from);
            }
        }
        return out;
    }
}
