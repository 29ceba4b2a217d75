package dev.attentionkit.seq2seq;

import dev.attentionkit.data.CharVocabulary;
import dev.attentionkit.data.DateDataset;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Saving and loading a {@link DateTranslator}. The file holds a header, the configuration, the input
 * vocabulary, then each weight by name in ND4J's binary array format ({@code Nd4j.write} / {@code Nd4j.read}).
 * Loading rebuilds the graph from the configuration and copies every weight in, checking names and shapes.
 * (SameDiff's own {@code save}/{@code load} cannot read this graph back in 1.0.0-M2.1.)
 */
final class ModelFile {
    private static final String MAGIC = "attention-kit DateTranslator v2";

    private ModelFile() {}

    static void save(DateTranslator model, Path file) {
        if (Files.exists(file)) {
            throw new IllegalStateException(file + " already exists; delete it first to save a new model");
        }
        List<SDVariable> weights = weights(model);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
                out.writeUTF(MAGIC);
                double[] config = encode(model.config());
                out.writeInt(config.length);
                for (double v : config) {
                    out.writeDouble(v);
                }
                StringBuilder chars = new StringBuilder();
                model.sourceVocabulary().characters().forEach(chars::append);
                out.writeUTF(chars.toString());
                out.writeInt(weights.size());
                for (SDVariable v : weights) {
                    out.writeUTF(v.name());
                    Nd4j.write(v.getArr(), out);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
    }

    static DateTranslator load(Path file, Seq2SeqConfig expected) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such file (train and save a model first)");
        }
        Seq2SeqConfig config;
        List<Character> chars = new ArrayList<>();
        Map<String, INDArray> stored = new HashMap<>();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            String magic = readMagic(in);
            if (!MAGIC.equals(magic)) {
                throw new IllegalArgumentException(file + ": not a saved DateTranslator (it starts with \""
                    + magic + "\", expected \"" + MAGIC + "\")");
            }
            double[] numbers = new double[in.readInt()];
            for (int i = 0; i < numbers.length; i++) {
                numbers[i] = in.readDouble();
            }
            config = decode(numbers, file);
            for (char ch : in.readUTF().toCharArray()) {
                chars.add(ch);
            }
            int count = in.readInt();
            for (int i = 0; i < count; i++) {
                stored.put(in.readUTF(), Nd4j.read(in));
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage().startsWith(file.toString())) {
                throw iae;
            }
            throw new IllegalArgumentException(file + ": the file is corrupt or truncated (" + e + ")", e);
        }
        if (expected != null && !expected.equals(config)) {
            throw new IllegalArgumentException(file + ": holds a model trained with " + config
                + ", but " + expected + " was expected; retrain, or load it without an expected configuration");
        }
        DateTranslator model = DateTranslator.create(config, CharVocabulary.ofCharacters(chars),
            DateDataset.outputVocabulary());
        for (SDVariable v : weights(model)) {
            INDArray w = stored.get(v.name());
            if (w == null || !Arrays.equals(w.shape(), v.getArr().shape())) {
                throw new IllegalArgumentException(String.format("%s: %s has shape %s in the file, %s in the model",
                    file, v.name(), w == null ? "none" : Arrays.toString(w.shape()),
                    Arrays.toString(v.getArr().shape())));
            }
            v.getArr().assign(w);
        }
        return model;
    }

    private static String readMagic(DataInputStream in) throws IOException {
        // A random file's first two bytes give a length; read it only if it could be our header.
        int length = in.readUnsignedShort();
        if (length != MAGIC.length()) {
            return "(a header of " + length + " bytes)";
        }
        byte[] bytes = in.readNBytes(length);
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static List<SDVariable> weights(DateTranslator model) {
        return model.sameDiff().variables().stream()
            .filter(v -> v.getVariableType() == VariableType.VARIABLE).toList();
    }

    static double[] encode(Seq2SeqConfig c) {
        return new double[] {c.attention().ordinal(), c.embedding(), c.encoderHidden(), c.decoderHidden(),
            c.attentionHidden(), c.sourceLength(), c.trainSize(), c.validationSize(), c.testSize(), c.batchSize(), c.epochs(),
            c.learningRate(), c.seed()};
    }

    private static Seq2SeqConfig decode(double[] v, Path file) {
        if (v.length != 13 || v[0] < 0 || v[0] >= AttentionKind.values().length) {
            throw new IllegalArgumentException(file + ": a model description of " + v.length
                + " numbers, expected 13 (saved by another version of the kit?)");
        }
        return new Seq2SeqConfig(AttentionKind.values()[(int) v[0]], (int) v[1], (int) v[2], (int) v[3], (int) v[4],
            (int) v[5], (int) v[6], (int) v[7], (int) v[8], (int) v[9], (int) v[10], v[11], (long) v[12]);
    }
}
