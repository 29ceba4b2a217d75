package dev.attentionkit.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Characters to indices and back. Index 0 is padding ({@value #PAD}), index 1 stands for a character the
 * vocabulary has not seen ({@value #UNKNOWN}); the characters follow in sorted order, so the same texts
 * always give the same vocabulary.
 */
public final class CharVocabulary {
    /** Shown for padding; index 0. */
    public static final char PAD = '·';
    /** Shown for an unseen character; index 1. */
    public static final char UNKNOWN = '?';

    private final List<Character> chars;
    private final Map<Character, Integer> index = new HashMap<>();

    private CharVocabulary(List<Character> chars) {
        this.chars = Collections.unmodifiableList(chars);
        for (int i = 0; i < chars.size(); i++) {
            index.put(chars.get(i), i);
        }
    }

    /** Padding, unknown, then every character of {@code texts}, sorted. */
    public static CharVocabulary of(Collection<String> texts) {
        TreeSet<Character> seen = new TreeSet<>();
        for (String t : texts) {
            for (char c : t.toCharArray()) {
                seen.add(c);
            }
        }
        seen.remove(PAD);
        seen.remove(UNKNOWN);
        List<Character> chars = new ArrayList<>();
        chars.add(PAD);
        chars.add(UNKNOWN);
        chars.addAll(seen);
        return new CharVocabulary(chars);
    }

    /**
     * The indices of {@code text}, padded with 0 on the right to {@code length}.
     *
     * @throws IllegalArgumentException if {@code text} is longer than {@code length}
     */
    public int[] encode(String text, int length) {
        if (text.length() > length) {
            throw new IllegalArgumentException("\"" + text + "\" has " + text.length()
                + " characters, more than the " + length + " this model reads");
        }
        int[] ids = new int[length];
        for (int i = 0; i < text.length(); i++) {
            ids[i] = index.getOrDefault(text.charAt(i), 1);
        }
        return ids;
    }

    /** The characters of {@code ids}, padding included (shown as {@value #PAD}). */
    public String decode(int[] ids) {
        StringBuilder s = new StringBuilder(ids.length);
        for (int id : ids) {
            s.append(charAt(id));
        }
        return s.toString();
    }

    /** The character at {@code id}. */
    public char charAt(int id) {
        if (id < 0 || id >= chars.size()) {
            throw new IllegalArgumentException("index " + id + " outside the vocabulary of " + chars.size());
        }
        return chars.get(id);
    }

    /** The index of {@code c}, 1 ({@value #UNKNOWN}) if unseen. */
    public int indexOf(char c) {
        return index.getOrDefault(c, 1);
    }

    /** Number of entries, padding and unknown included. */
    public int size() {
        return chars.size();
    }

    /** All characters, padding and unknown first: what the vocabulary was built from, so it can be rebuilt. */
    public List<Character> characters() {
        return chars;
    }

    /** The vocabulary whose characters are {@code chars} in this order (as returned by {@link #characters()}). */
    public static CharVocabulary ofCharacters(List<Character> chars) {
        if (chars.size() < 2 || chars.get(0) != PAD || chars.get(1) != UNKNOWN) {
            throw new IllegalArgumentException("a vocabulary starts with padding '" + PAD + "' and unknown '"
                + UNKNOWN + "', got " + chars);
        }
        return new CharVocabulary(new ArrayList<>(chars));
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        chars.forEach(s::append);
        return "CharVocabulary(" + size() + ": " + s + ")";
    }
}
