package dev.attentionkit.bench;

import java.util.function.Function;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One contender of the headline benchmark: a name for the table, and how to build it from the shared
 * inputs. {@code build} may prepare weights and layouts (not timed); the supplier it returns is the timed
 * forward pass and gives {@code [batch, tokens, dModel]} (a view is fine).
 *
 * @param name   column in the table and CSV, e.g. {@code kit-fast-mha}
 * @param causal whether it applies the causal mask (ND4J's built-in cannot)
 * @param notes  one line for the CSV: what it is, what it leaves out
 */
public record Implementation(String name, boolean causal, String notes, Function<Nd4jInputs, Supplier<INDArray>> build) {}
