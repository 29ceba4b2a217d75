package dev.attentionkit.statedict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.attention.AttentionConfig;
import dev.attentionkit.attention.AttentionModule;
import dev.attentionkit.attention.AttentionOutput;
import dev.attentionkit.attention.CausalAttention;
import dev.attentionkit.attention.FusedQkvAttention;
import dev.attentionkit.attention.MultiHeadAttention;
import dev.attentionkit.attention.MultiHeadAttentionWrapper;
import dev.attentionkit.attention.SelfAttentionV1;
import dev.attentionkit.attention.SelfAttentionV2;
import dev.attentionkit.attention.TalkingHeadsAttention;
import dev.attentionkit.efficient.FastMultiHeadAttention;
import dev.attentionkit.efficient.FastTrainableMultiHeadAttention;
import dev.attentionkit.efficient.FastTrainableTransformerBlock;
import dev.attentionkit.mask.Mask;
import dev.attentionkit.nn.TorchRandom;
import dev.attentionkit.pretrained.SafeTensors;
import dev.attentionkit.pretrained.TensorFormatException;
import dev.attentionkit.score.AdditiveScore;
import dev.attentionkit.score.MultiplicativeScore;
import dev.attentionkit.train.TrainableMultiHeadAttention;
import dev.attentionkit.transformer.FeedForward;
import dev.attentionkit.transformer.LayerNorm;
import dev.attentionkit.transformer.TransformerBlock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;

@DisplayName("StateDict: a module's named parameters saved to and loaded from a safetensors file")
class StateDictTest {
    @TempDir
    Path dir;

    private static final AttentionConfig CONFIG = AttentionConfig.builder().dIn(4).dOut(4).contextLength(6)
        .numHeads(2).dropout(0.0).qkvBias(true).build();

    /** A module under test: how to build one from a seed, its parameters, and what it computes on an input. */
    record Case(String name, LongFunction<Object> build, Function<Object, Map<String, INDArray>> parameters,
                Function<Object, INDArray> compute) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static INDArray input(long seed, long... shape) {
        return TorchRandom.manualSeed(seed).uniform(-1, 1, shape);
    }

    private static Case attention(String name, LongFunction<AttentionModule> build) {
        INDArray x = input(11, 2, 6, 4);
        return new Case(name, build::apply, m -> ((AttentionModule) m).parameters(),
            m -> ((AttentionModule) m).eval().forward(x));
    }

    static Stream<Arguments> modules() {
        INDArray x = input(11, 2, 6, 4);
        INDArray q = input(12, 2, 3, 3);
        INDArray k = input(13, 2, 5, 4);
        AttentionConfig noBias = AttentionConfig.builder().dIn(4).dOut(4).contextLength(6).numHeads(2).dropout(0.0)
            .qkvBias(false).build();
        return Stream.of(
            attention("SelfAttentionV1", s -> SelfAttentionV1.fromSeed(4, 3, s)),
            attention("SelfAttentionV2", s -> SelfAttentionV2.fromSeed(4, 3, true, s)),
            attention("CausalAttention", s -> CausalAttention.fromSeed(4, 3, 6, 0.0, true, s)),
            attention("MultiHeadAttentionWrapper", s -> MultiHeadAttentionWrapper.fromSeed(CONFIG, s)),
            attention("MultiHeadAttention", s -> MultiHeadAttention.fromSeed(CONFIG, s)),
            attention("FusedQkvAttention", s -> FusedQkvAttention.fromSeed(CONFIG, s)),
            attention("TalkingHeadsAttention", s -> TalkingHeadsAttention.fromSeed(noBias, s)),
            attention("FastMultiHeadAttention", s -> FastMultiHeadAttention.fromSeed(4, 4, 2, true, s)),
            new Case("LayerNorm", s -> LayerNorm.fromWeights(input(s, 4), input(s + 100, 4), 1e-5),
                m -> ((LayerNorm) m).parameters(), m -> ((LayerNorm) m).forward(x)),
            new Case("FeedForward", s -> FeedForward.fromSeed(4, 8, s),
                m -> ((FeedForward) m).parameters(), m -> ((FeedForward) m).forward(x)),
            new Case("TransformerBlock", s -> TransformerBlock.fromSeed(4, 2, 8, 6, s),
                m -> ((TransformerBlock) m).parameters(), m -> ((TransformerBlock) m).forward(x)),
            new Case("AdditiveScore", s -> AdditiveScore.fromSeed(3, 4, 5, s),
                m -> ((AdditiveScore) m).parameters(), m -> ((AdditiveScore) m).scores(q, k)),
            new Case("MultiplicativeScore", s -> MultiplicativeScore.fromSeed(3, 4, s),
                m -> ((MultiplicativeScore) m).parameters(), m -> ((MultiplicativeScore) m).scores(q, k)),
            new Case("FastTrainableMultiHeadAttention",
                s -> FastTrainableMultiHeadAttention.from(MultiHeadAttention.fromSeed(noBias, s)),
                m -> ((FastTrainableMultiHeadAttention) m).parameters(),
                m -> ((FastTrainableMultiHeadAttention) m).forward(x, true)),
            new Case("FastTrainableTransformerBlock",
                s -> FastTrainableTransformerBlock.from(TransformerBlock.fromSeed(4, 2, 8, 6, s)),
                m -> ((FastTrainableTransformerBlock) m).parameters(),
                m -> ((FastTrainableTransformerBlock) m).forward(x))
        ).map(Arguments::of);
    }

    /** Every value as a double (exact for float32), so equal arrays mean equal bits. */
    private static double[] bits(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').reshape(a.length()).toDoubleVector();
    }

    private static void assertSameBits(Map<String, INDArray> expected, Map<String, INDArray> actual, String what) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()), what + ": names");
        expected.forEach((name, e) -> {
            assertArrayEquals(e.shape(), actual.get(name).shape(), what + ": shape of " + name);
            assertEquals(e.dataType(), actual.get(name).dataType(), what + ": type of " + name);
            assertArrayEquals(bits(e), bits(actual.get(name)), what + ": values of " + name);
        });
    }

    private static Map<String, INDArray> copies(Map<String, INDArray> parameters) {
        Map<String, INDArray> c = new LinkedHashMap<>();
        parameters.forEach((k, v) -> c.put(k, v.dup()));
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modules")
    @DisplayName("save, then load into a module built from another seed: the same parameters and outputs, bit for bit")
    void roundTrip(Case c) {
        Object saved = c.build().apply(1);
        Object fresh = c.build().apply(2);
        assertFalse(Arrays.equals(bits(c.compute().apply(saved)), bits(c.compute().apply(fresh))),
            "two seeds give two different modules (else the test could not fail)");
        Path file = dir.resolve(c.name() + ".safetensors");
        StateDict.save(c.parameters().apply(saved), file);

        Map<String, INDArray> loaded = StateDict.load(file);
        assertSameBits(c.parameters().apply(saved), loaded, "StateDict.load");

        Map<String, INDArray> written = StateDict.loadInto(c.parameters().apply(fresh), file);
        assertSameBits(c.parameters().apply(saved), c.parameters().apply(fresh), "the loaded module's parameters");
        assertSameBits(loaded, written, "what loadInto returns");
        assertArrayEquals(bits(c.compute().apply(saved)), bits(c.compute().apply(fresh)), "outputs");
    }

    @Test
    @DisplayName("a module built from the file's tensors with its explicit-weights factory computes the same")
    void buildFromExplicitWeights() {
        AttentionConfig config = AttentionConfig.builder().dIn(4).dOut(4).contextLength(6).numHeads(2).dropout(0.0)
            .qkvBias(false).build();
        MultiHeadAttention original = MultiHeadAttention.fromSeed(config, 3);
        Path file = dir.resolve("mha.safetensors");
        StateDict.save(original, file);
        Map<String, INDArray> w = StateDict.load(file);
        MultiHeadAttention built = MultiHeadAttention.fromWeights(w.get("W_query.weight"), w.get("W_key.weight"),
            w.get("W_value.weight"), w.get("out_proj.weight"), w.get("out_proj.bias"), 2, 6);
        INDArray x = input(5, 2, 6, 4);
        assertArrayEquals(bits(original.eval().forward(x)), bits(built.eval().forward(x)));
        assertSameBits(original.parameters(), built.parameters(), "parameters");
    }

    @Test
    @DisplayName("a few Adam steps on the SameDiff twin, saved by name, load into a fresh plain module: the same outputs, bit for bit")
    void trainedTwinRoundTrip() {
        MultiHeadAttention plain = MultiHeadAttention.fromSeed(CONFIG, 1);
        Map<String, INDArray> initial = copies(plain.parameters());
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, 2, 6, 4);
        SDVariable y = sd.placeHolder("y", DataType.FLOAT, 2, 6, 4);
        TrainableMultiHeadAttention twin = TrainableMultiHeadAttention.from(sd, "mha", plain);
        SDVariable out = twin.attend(x).context();
        sd.loss.meanSquaredError("loss", y, out, null).markAsLoss();
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(0.05))
            .dataSetFeatureMapping("x").dataSetLabelMapping("y").build());
        INDArray xs = input(21, 2, 6, 4);
        INDArray ys = input(22, 2, 6, 4);
        for (int step = 0; step < 5; step++) {
            sd.fit(new MultiDataSet(new INDArray[] {xs}, new INDArray[] {ys}));
        }
        Map<String, INDArray> trained = twin.parameters().values();
        initial.forEach((name, before) -> assertFalse(Arrays.equals(bits(before), bits(trained.get(name))),
            name + " moved in training"));

        Path file = dir.resolve("trained.safetensors");
        StateDict.save(trained, file);
        MultiHeadAttention fresh = StateDict.loadInto(MultiHeadAttention.fromSeed(CONFIG, 7), file);
        MultiHeadAttention inMemory = twin.copyInto(MultiHeadAttention.fromSeed(CONFIG, 8));
        assertSameBits(trained, fresh.parameters(), "loaded parameters");
        assertArrayEquals(bits(inMemory.eval().forward(xs)), bits(fresh.eval().forward(xs)),
            "loaded from the file and copied in memory compute the same bits");
        INDArray graph = sd.output(Map.of("x", xs), out.name()).get(out.name());
        double diff = graph.sub(fresh.forward(xs)).amaxNumber().doubleValue();
        assertTrue(diff < 1e-5, "the plain module computes what the trained graph computes (float32): " + diff);
    }

    // ---- every way a load can go wrong is a clear error, and nothing is written ----

    private static String message(Runnable load) {
        return assertThrows(TensorFormatException.class, load::run).getMessage();
    }

    @Test
    @DisplayName("missing and unexpected names are listed, all of them, and the module is untouched")
    void names() {
        Path noBias = dir.resolve("nobias.safetensors");
        StateDict.save(MultiHeadAttention.fromSeed(4, 4, 6, 0.0, 2, false, 1), noBias);
        MultiHeadAttention withBias = MultiHeadAttention.fromSeed(CONFIG, 2);
        Map<String, INDArray> before = copies(withBias.parameters());
        String m = message(() -> StateDict.loadInto(withBias, noBias));
        assertTrue(m.contains(noBias.toString()) && m.contains("missing from the file: [W_key.bias, W_query.bias, "
            + "W_value.bias]") && !m.contains("not in the module"), m);
        assertSameBits(before, withBias.parameters(), "untouched");

        Path biased = dir.resolve("bias.safetensors");
        StateDict.save(withBias, biased);
        m = message(() -> StateDict.loadInto(MultiHeadAttention.fromSeed(4, 4, 6, 0.0, 2, false, 1), biased));
        assertTrue(m.contains("in the file but not in the module: [W_key.bias, W_query.bias, W_value.bias]")
            && !m.contains("missing"), m);
    }

    @Test
    @DisplayName("a shape that differs names the tensor and both shapes; parameters before it are not written")
    void shapes() {
        Path file = dir.resolve("block.safetensors");
        StateDict.save(TransformerBlock.fromSeed(4, 2, 8, 6, 1).parameters(), file);
        TransformerBlock wider = TransformerBlock.fromSeed(4, 2, 16, 6, 2);   // ffn.fc1 is [16, 4], not [8, 4]
        Map<String, INDArray> before = copies(wider.parameters());
        String m = message(() -> StateDict.loadInto(wider.parameters(), file));
        assertTrue(m.contains("'ffn.fc1.weight'") && m.contains("[8, 4]") && m.contains("[16, 4]"), m);
        assertSameBits(before, wider.parameters(), "attention weights, checked before ffn, are not written either");
    }

    @Test
    @DisplayName("data types: the module's own, float32 or float64, never cast; F16 and mixed files are refused")
    void dataTypes() throws IOException {
        Path wide = dir.resolve("f64.safetensors");
        LayerNorm f64 = LayerNorm.fromWeights(input(1, 4).castTo(DataType.DOUBLE), input(2, 4).castTo(DataType.DOUBLE), 1e-5);
        StateDict.save(f64.parameters(), wide);
        assertEquals(DataType.DOUBLE, StateDict.load(wide).get("weight").dataType());
        LayerNorm f32 = LayerNorm.of(4);
        String m = message(() -> StateDict.loadInto(f32.parameters(), wide));
        assertTrue(m.contains("'weight'") && m.contains("F64") && m.contains("FLOAT") && m.contains("never casts"), m);
        assertEquals(1.0, f32.gamma().getDouble(0), "untouched");

        Path half = raw("half.safetensors",
            "{\"weight\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[] {0, 0x3C, 0, 0x3C});
        m = message(() -> StateDict.load(half));
        assertTrue(m.contains("'weight'") && m.contains("F16") && m.contains("float32"), m);

        Map<String, INDArray> mixed = new LinkedHashMap<>();
        mixed.put("a", input(1, 2));
        mixed.put("b", input(2, 2).castTo(DataType.DOUBLE));
        Path mixedFile = dir.resolve("mixed.safetensors");
        SafeTensors.write(mixedFile, mixed, Map.of());
        m = message(() -> StateDict.load(mixedFile));
        assertTrue(m.contains("'b'") && m.contains("F64") && m.contains("F32"), m);
        IllegalArgumentException save = assertThrows(IllegalArgumentException.class,
            () -> StateDict.save(mixed, dir.resolve("never.safetensors")));
        assertTrue(save.getMessage().contains("'b'") && save.getMessage().contains("one type"), save.getMessage());
        assertFalse(Files.exists(dir.resolve("never.safetensors")));
    }

    @Test
    @DisplayName("NaN or infinite values are refused when loading and when saving")
    void nonFinite() {
        Map<String, INDArray> bad = new LinkedHashMap<>(copies(LayerNorm.of(4).parameters()));
        bad.get("bias").putScalar(2, Double.NaN);
        bad.get("weight").putScalar(1, Double.POSITIVE_INFINITY);
        Path file = dir.resolve("nan.safetensors");
        SafeTensors.write(file, bad, Map.of());           // the format can hold them; StateDict refuses them
        LayerNorm target = LayerNorm.of(4);
        String m = message(() -> StateDict.loadInto(target.parameters(), file));
        assertTrue(m.contains("'weight'") && m.contains("1 infinite"), m);
        assertEquals(0.0, target.beta().getDouble(2), "untouched");
        IllegalArgumentException save = assertThrows(IllegalArgumentException.class,
            () -> StateDict.save(bad, dir.resolve("diverged.safetensors")));
        assertTrue(save.getMessage().contains("'weight'") && save.getMessage().contains("diverge"), save.getMessage());
    }

    @Test
    @DisplayName("truncated files, extra bytes, gaps, and files that are not safetensors at all")
    void corruptFiles() throws IOException {
        Path good = dir.resolve("good.safetensors");
        StateDict.save(FeedForward.fromSeed(4, 8, 1).parameters(), good);
        byte[] bytes = Files.readAllBytes(good);
        for (int cut : new int[] {0, 7, 8, 20, bytes.length - 1}) {
            Path p = dir.resolve("cut" + cut);
            Files.write(p, Arrays.copyOf(bytes, cut));
            String m = message(() -> StateDict.loadInto(FeedForward.fromSeed(4, 8, 2).parameters(), p));
            assertTrue(m.contains(p.toString()), "cut at " + cut + ": " + m);
        }
        Path longer = dir.resolve("longer");
        Files.write(longer, Arrays.copyOf(bytes, bytes.length + 4));
        assertTrue(message(() -> StateDict.load(longer)).contains("extra bytes"));

        Path gap = raw("gap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", new byte[12]);
        String m = message(() -> StateDict.load(gap));
        assertTrue(m.contains("'b'") && m.contains("gap"), m);

        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "These are not the weights you are looking for.");
        m = message(() -> StateDict.load(text));
        assertTrue(m.contains(text.toString()) && m.contains("not a safetensors file"), m);
        Path array = raw("array", "[1, 2]", new byte[0]);
        m = message(() -> StateDict.load(array));
        assertTrue(m.contains("not a safetensors header"), m);
        Path missing = dir.resolve("absent.safetensors");
        assertTrue(message(() -> StateDict.load(missing)).contains("cannot read"));
    }

    @Test
    @DisplayName("saving replaces a file atomically; a failed save leaves the old file as it was and no temporary file")
    void atomicSave() throws IOException {
        Path file = dir.resolve("model.safetensors");
        StateDict.save(FeedForward.fromSeed(4, 8, 1).parameters(), file);
        FeedForward second = FeedForward.fromSeed(4, 8, 2);
        StateDict.save(second.parameters(), file);
        assertSameBits(second.parameters(), StateDict.load(file), "the second save replaced the first");
        byte[] before = Files.readAllBytes(file);

        Map<String, INDArray> diverged = copies(second.parameters());
        diverged.get("fc2.bias").putScalar(0, Double.NaN);
        assertThrows(IllegalArgumentException.class, () -> StateDict.save(diverged, file));
        assertArrayEquals(before, Files.readAllBytes(file), "a refused save leaves the file alone");

        // The rename fails: the target is a directory that is not empty (this fails for root too).
        Path occupied = dir.resolve("occupied.safetensors");
        Files.createDirectory(occupied);
        Files.writeString(occupied.resolve("keep.txt"), "keep me");
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
            () -> StateDict.save(second.parameters(), occupied));
        assertTrue(e.getMessage().contains(occupied.toString()) && e.getMessage().contains("unchanged"), e.getMessage());
        assertEquals("keep me", Files.readString(occupied.resolve("keep.txt")));
        try (Stream<Path> left = Files.list(dir)) {
            List<String> names = left.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("model.safetensors", "occupied.safetensors"), names, "no temporary file is left");
        }
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    @Test
    @DisplayName("loadInto(module) notices a module whose parameters() hands out copies, which a load could not change")
    void copiesAreNoticed() {
        MultiHeadAttention inner = MultiHeadAttention.fromSeed(CONFIG, 1);
        AttentionModule copying = new AttentionModule() {
            @Override public AttentionOutput attend(INDArray x, Mask mask) { return inner.attend(x, mask); }
            @Override public long dIn() { return inner.dIn(); }
            @Override public long dOut() { return inner.dOut(); }
            @Override public boolean isCausal() { return true; }
            @Override public AttentionModule train() { return this; }
            @Override public AttentionModule eval() { return this; }
            @Override public boolean isTraining() { return false; }
            @Override public Map<String, INDArray> parameters() { return copies(inner.parameters()); }
        };
        Path file = dir.resolve("other.safetensors");
        StateDict.save(MultiHeadAttention.fromSeed(CONFIG, 2), file);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> StateDict.loadInto(copying, file));
        assertTrue(e.getMessage().contains("copy") && e.getMessage().contains("W_query.weight"), e.getMessage());
    }

    /** A file from a header text and data bytes, as the format describes it. */
    private Path raw(String name, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }
}
