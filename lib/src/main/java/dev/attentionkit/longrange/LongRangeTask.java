package dev.attentionkit.longrange;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Associative recall, chapter 08's long-range task: a list of key–value pairs, then a query key; the answer is
 * the value that was paired with it.
 *
 * <pre>
 * c 4 x 7 F 1 a 9 ... q 2 ? x      pairs key value; "?" then the query key
 *     ↑ ↑                 ↑
 *     │ └─ the deciding value 7: the label; distance = tokens after it up to the end
 *     └─── the key x that the query repeats
 * </pre>
 *
 * The keys of one sequence are distinct (drawn from 32 without replacement), the values ({@code 0..9}, the
 * classes) are drawn with replacement, so the query's key names exactly one pair. {@code pairs} pairs make a
 * sequence of {@code 2·pairs + 2} tokens. A model that reads left to right and answers from its last state (an
 * LSTM) has to hold every pair it has seen until the query comes, since it cannot know which one will be asked
 * for; a model that can look back (attention) only has to find the key again.
 */
public final class LongRangeTask {
    /** Token 0 is the query marker, 1..32 the keys, 33..42 the values. */
    public static final List<String> VOCABULARY;
    public static final int QUERY = 0;
    public static final int KEYS = 32;
    /** The values 0..9: the classes. */
    public static final int CLASSES = 10;
    public static final int FIRST_VALUE = 1 + KEYS;

    static {
        List<String> v = new ArrayList<>(List.of("?"));
        "abcdefghijklmnopqrstuvwxyzABCDEF".chars().forEach(c -> v.add(String.valueOf((char) c)));
        IntStream.range(0, CLASSES).forEach(i -> v.add(String.valueOf(i)));
        VOCABULARY = List.copyOf(v);
    }

    private LongRangeTask() {}

    /** Number of token ids. */
    public static int vocabularySize() {
        return VOCABULARY.size();
    }

    /** Tokens in a sequence of {@code pairs} pairs: {@code 2·pairs + 2}. */
    public static int length(int pairs) {
        requirePairs(pairs);
        return 2 * pairs + 2;
    }

    /**
     * One sequence whose deciding pair has {@code pairsAfter} pairs after it (0: the last pair before the query).
     *
     * @param pairs      {@code 1 .. 32}
     * @param pairsAfter {@code 0 .. pairs - 1}
     */
    public static LongRangeExample example(int pairs, int pairsAfter, Random random) {
        requirePairs(pairs);
        if (pairsAfter < 0 || pairsAfter >= pairs) {
            throw new IllegalArgumentException("LongRangeTask: pairsAfter must be in 0.." + (pairs - 1) + " for "
                + pairs + " pairs, got " + pairsAfter);
        }
        List<Integer> keys = new ArrayList<>(IntStream.rangeClosed(1, KEYS).boxed().toList());
        int[] tokens = new int[length(pairs)];
        for (int i = 0; i < pairs; i++) {
            int k = i + random.nextInt(KEYS - i);                          // a partial Fisher–Yates shuffle
            java.util.Collections.swap(keys, i, k);
            tokens[2 * i] = keys.get(i);
            tokens[2 * i + 1] = FIRST_VALUE + random.nextInt(CLASSES);
        }
        int deciding = pairs - 1 - pairsAfter;
        tokens[tokens.length - 2] = QUERY;
        tokens[tokens.length - 1] = tokens[2 * deciding];
        int label = tokens[2 * deciding + 1] - FIRST_VALUE;
        return new LongRangeExample(tokens, label, tokens.length - 1 - (2 * deciding + 1));
    }

    /** {@code n} sequences of {@code pairs} pairs, the deciding pair drawn uniformly, from {@code seed}. */
    public static List<LongRangeExample> mixed(int n, int pairs, long seed) {
        requirePairs(pairs);
        if (n < 0) {
            throw new IllegalArgumentException("LongRangeTask: n must be >= 0, got " + n);
        }
        Random random = new Random(seed);
        List<LongRangeExample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(example(pairs, random.nextInt(pairs), random));
        }
        return out;
    }

    /**
     * A test set: {@code perDistance} sequences for every position of the deciding pair, nearest to the query first
     * (distances 2, 4, ..., {@code 2·pairs}), from {@code seed}.
     */
    public static List<LongRangeExample> atEveryDistance(int perDistance, int pairs, long seed) {
        requirePairs(pairs);
        if (perDistance < 1) {
            throw new IllegalArgumentException("LongRangeTask: perDistance must be >= 1, got " + perDistance);
        }
        Random random = new Random(seed);
        List<LongRangeExample> out = new ArrayList<>(perDistance * pairs);
        for (int after = 0; after < pairs; after++) {
            for (int i = 0; i < perDistance; i++) {
                out.add(example(pairs, after, random));
            }
        }
        return out;
    }

    /** The value's token for a class, e.g. {@code "7"}. */
    public static String valueName(int label) {
        if (label < 0 || label >= CLASSES) {
            throw new IllegalArgumentException("LongRangeTask: a label is in 0.." + (CLASSES - 1) + ", got " + label);
        }
        return VOCABULARY.get(FIRST_VALUE + label);
    }

    /** Tokens as text, separated by spaces. */
    public static String text(int[] tokens) {
        return IntStream.of(tokens).mapToObj(VOCABULARY::get).collect(Collectors.joining(" "));
    }

    private static void requirePairs(int pairs) {
        if (pairs < 1 || pairs > KEYS) {
            throw new IllegalArgumentException("LongRangeTask: pairs must be in 1.." + KEYS + " (the keys of a sequence "
                + "are distinct), got " + pairs);
        }
    }
}
