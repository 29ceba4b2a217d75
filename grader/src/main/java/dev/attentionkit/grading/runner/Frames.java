package dev.attentionkit.grading.runner;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The authenticated line protocol between the test JVM's runner and the grader.
 *
 * <p>A frame is one line {@code @@AK <seq> <payload> <mac>}: the payload is the Base64 of the
 * fields joined by U+001F, the MAC is HMAC-SHA256 over {@code seq + " " + payload} with a key
 * the grader sends on the runner's stdin. Student code shares the runner's stdout, but it
 * never sees the key, so lines it prints cannot pass {@link #decode}; the sequence number stops
 * replays and reordering.
 */
public final class Frames {
    /** Prefix of every frame line. */
    public static final String PREFIX = "@@AK ";
    private static final char SEP = '\u001f';

    private final SecretKeySpec key;

    /** A codec keyed with {@code key} (at least 16 random bytes). */
    public Frames(byte[] key) {
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    /** The frame line (without newline) carrying {@code fields} as message number {@code seq}. */
    public String encode(long seq, List<String> fields) {
        String payload = Base64.getEncoder().encodeToString(
                String.join(String.valueOf(SEP), fields).getBytes(StandardCharsets.UTF_8));
        return PREFIX + seq + " " + payload + " " + mac(seq + " " + payload);
    }

    /**
     * The fields of {@code line} if it is a genuine frame numbered {@code expectedSeq};
     * empty for anything else (student output, forged or replayed frames).
     */
    public Optional<List<String>> decode(String line, long expectedSeq) {
        if (!line.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String[] parts = line.substring(PREFIX.length()).split(" ");
        if (parts.length != 3 || !parts[0].equals(Long.toString(expectedSeq))) {
            return Optional.empty();
        }
        byte[] expected = mac(parts[0] + " " + parts[1]).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, parts[2].getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        String text;
        try {
            text = new String(Base64.getDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        List<String> fields = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == SEP) {
                fields.add(text.substring(start, i));
                start = i + 1;
            }
        }
        return Optional.of(fields);
    }

    private String mac(String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return Base64.getEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
