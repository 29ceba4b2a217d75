package dev.attentionkit.longrange;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A generated sequence-classification task whose answer sits at a chosen distance from the end:
 *
 * <pre>
 * c a 3 0 # b 5 a 1 d 7 2      length 12, the marker # at position 4
 *         ↑ ↑
 *         │ └─ the deciding token "b": label b, distance 6 (six tokens follow it)
 *         └─── the marker
 * </pre>
 *
 * Every other position is a filler drawn from the values {@code a b c d} and the digits {@code 0..7}: the values
 * also appear as distractors, so "which value occurs" does not answer; only the value right <i>after the marker</i>
 * does. A model that reads left to right and decides at the end (an LSTM's last state) has to carry that value
 * across {@code distance} steps; a model that can look back (attention) can fetch it from wherever it is.
 */
public final class LongRangeTask {
    /** Token 0 is the marker, 1..4 the values (the classes), 5..12 the digit fillers. */
    public static final List<String> VOCABULARY = List.of("#", "a", "b", "c", "d", "0", "1", "2", "3", "4", "5",
        "6", "7");
    public static final int MARKER = 0;
    public static final int CLASSES = 4;

    private LongRangeTask() {}

    /** Number of token ids. */
    public static int vocabularySize() {
        return VOCABULARY.size();
    }

    /**
     * One example: fillers everywhere, the marker at {@code length - 2 - distance}, a random value after it.
     *
     * @param distance {@code 0 .. length - 2}
     */
    public static LongRangeExample example(int length, int distance, Random random) {
        if (length < 2 || distance < 0 || distance > length - 2) {
            throw new IllegalArgumentException("LongRangeTask: need length >= 2 and 0 <= distance <= length - 2, got "
                + "length=" + length + ", distance=" + distance);
        }
        int[] tokens = new int[length];
        for (int i = 0; i < length; i++) {
            tokens[i] = 1 + random.nextInt(vocabularySize() - 1);           // any value or digit, never the marker
        }
        int label = random.nextInt(CLASSES);
        int value = length - 1 - distance;
        tokens[value - 1] = MARKER;
        tokens[value] = 1 + label;
        return new LongRangeExample(tokens, label, distance);
    }

    /** {@code n} examples, distances drawn uniformly from {@code 0 .. length - 2}, from {@code seed}. */
    public static List<LongRangeExample> mixed(int n, int length, long seed) {
        Random random = new Random(seed);
        List<LongRangeExample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(example(length, random.nextInt(length - 1), random));
        }
        return out;
    }

    /** {@code perDistance} examples at each of {@code distances}, from {@code seed}, in that order. */
    public static Map<Integer, List<LongRangeExample>> atDistances(int perDistance, int length, int[] distances,
                                                                   long seed) {
        Random random = new Random(seed);
        Map<Integer, List<LongRangeExample>> out = new LinkedHashMap<>();
        for (int d : distances) {
            List<LongRangeExample> list = new ArrayList<>(perDistance);
            for (int i = 0; i < perDistance; i++) {
                list.add(example(length, d, random));
            }
            out.put(d, List.copyOf(list));
        }
        return out;
    }

    /** The distances a test covers for sequences of {@code length}: 0, 1, 2, 4, 8, ... and the longest. */
    public static int[] testDistances(int length) {
        List<Integer> ds = new ArrayList<>(List.of(0, 1, 2));
        for (int d = 4; d < length - 2; d += d < 8 ? 4 : 6) {
            ds.add(d);
        }
        ds.add(length - 2);
        return ds.stream().distinct().mapToInt(Integer::intValue).toArray();
    }

    /** Tokens as text, separated by spaces. */
    public static String text(int[] tokens) {
        return IntStream.of(tokens).mapToObj(VOCABULARY::get).collect(Collectors.joining(" "));
    }
}
