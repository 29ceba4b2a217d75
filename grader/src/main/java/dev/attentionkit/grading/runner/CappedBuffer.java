package dev.attentionkit.grading.runner;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** An output sink that keeps the first {@code limit} bytes and only counts the rest, so endless printing cannot exhaust memory. */
public final class CappedBuffer extends OutputStream {
    private final int limit;
    private ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private long dropped;

    /** A buffer keeping at most {@code limit} bytes. */
    public CappedBuffer(int limit) {
        this.limit = limit;
    }

    @Override
    public synchronized void write(int b) {
        if (kept.size() < limit) {
            kept.write(b);
        } else {
            dropped++;
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        int room = Math.max(0, Math.min(len, limit - kept.size()));
        kept.write(b, off, room);
        dropped += len - room;
    }

    /** The kept text, with a note saying how much was cut off; clears the buffer. */
    public synchronized String drain() {
        String text = kept.toString(StandardCharsets.UTF_8);
        if (dropped > 0) {
            text += "\n... [output truncated: " + dropped + " more bytes]";
        }
        kept = new ByteArrayOutputStream();
        dropped = 0;
        return text;
    }
}
