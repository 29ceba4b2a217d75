package dev.attentionkit.statedict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.attention.AttentionConfig;
import dev.attentionkit.attention.MultiHeadAttention;
import dev.attentionkit.nn.TorchRandom;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The round trip with PyTorch itself, through Python's {@code safetensors} package
 * ({@code tools/reference/state_dict_check.py}): the kit's file loads into a PyTorch module with
 * {@code load_state_dict(strict=True)} and computes the kit's output, and a module trained in PyTorch and saved with
 * {@code save_file} loads into the kit's {@link MultiHeadAttention} and computes PyTorch's output.
 *
 * <p>It runs where a Python with {@code torch} and {@code safetensors} is found: {@code $ATTENTION_KIT_PYTHON}, else
 * {@code .kit/python-torch/bin/python} (which {@code ./kit bench --with-python-torch} installs with both, from
 * {@code bench/python/requirements.txt}); otherwise it is skipped, saying why. CI does not install PyTorch, so there
 * {@code StateDictTest} checks the writer against the kit's own reader.
 */
@DisplayName("StateDict with PyTorch: files go both ways through Python's safetensors")
class StateDictPythonTest {
    private static final Path SCRIPT = Path.of("../tools/reference/state_dict_check.py");

    @TempDir
    Path dir;

    private static String python() throws IOException, InterruptedException {
        String python = System.getenv("ATTENTION_KIT_PYTHON");
        if (python == null) {
            Path venv = Path.of("../.kit/python-torch/bin/python");
            python = Files.isExecutable(venv) ? venv.toString() : null;
        }
        Assumptions.assumeTrue(python != null, "no Python with torch: set ATTENTION_KIT_PYTHON or run ./kit bench --with-python-torch");
        Process probe = new ProcessBuilder(python, "-c", "import torch, safetensors.torch").redirectErrorStream(true).start();
        String said = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Assumptions.assumeTrue(probe.waitFor(120, TimeUnit.SECONDS) && probe.exitValue() == 0,
            python + " cannot import torch and safetensors: " + said.strip());
        return python;
    }

    @Test
    @DisplayName("kit → PyTorch (load_state_dict, strict) and PyTorch → kit: the same outputs")
    void bothWays() throws IOException, InterruptedException {
        String python = python();
        AttentionConfig config = AttentionConfig.builder().dIn(6).dOut(8).contextLength(10).numHeads(2).dropout(0.0)
            .qkvBias(true).build();
        MultiHeadAttention kit = MultiHeadAttention.fromSeed(config, 123).eval();
        INDArray x = TorchRandom.manualSeed(7).uniform(-1, 1, 2, 10, 6);
        StateDict.save(kit, dir.resolve("kit-mha.safetensors"));
        Map<String, INDArray> io = new LinkedHashMap<>();
        io.put("x", x);
        io.put("y", kit.forward(x));
        io.put("num_heads", Nd4j.createFromArray(2f));
        StateDict.save(io, dir.resolve("kit-io.safetensors"));

        Process p = new ProcessBuilder(python, SCRIPT.toString(), dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the script finished");
        System.out.println(out.strip());
        assertEquals(0, p.exitValue(), "PyTorch read the kit's file and computed its output:\n" + out);

        MultiHeadAttention loaded = StateDict.loadInto(MultiHeadAttention.fromSeed(config, 1).eval(),
            dir.resolve("torch-mha.safetensors"));
        assertEquals(List.of("W_query.weight", "W_query.bias", "W_key.weight", "W_key.bias", "W_value.weight",
            "W_value.bias", "out_proj.weight", "out_proj.bias"), List.copyOf(loaded.parameters().keySet()));
        INDArray yTorch = StateDict.load(dir.resolve("torch-io.safetensors")).get("y");
        double diff = loaded.forward(x).sub(yTorch).amaxNumber().doubleValue();
        System.out.printf("PyTorch's trained file in the kit: max |diff| of the outputs %.3g%n", diff);
        assertTrue(diff < 1e-5, "the kit computes PyTorch's output from PyTorch's file: " + diff);
        assertArrayEquals(yTorch.shape(), loaded.forward(x).shape());
    }
}
