package dev.attentionkit.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Assertions whose failure tells a learner what to fix: which entry differs (by row and column, or by its full
 * index), what was expected, what came back, by how much and within which tolerance, with the whole row around it;
 * a wrong shape or a null is named as such before any number is compared.
 *
 * <p>{@code what} names the thing compared, in the test's words ("context vectors of the book's inputs"); every
 * message starts with it.
 */
public final class Check {
    private Check() {}

    /** {@code actual} has shape {@code [expected.length]} and every entry within {@code tolerance}. */
    public static void assertClose(double[] expected, INDArray actual, double tolerance, String what) {
        assertClose(new long[] {expected.length}, expected, actual, tolerance, what);
    }

    /** {@code actual} has shape {@code [rows, cols]} of {@code expected} and every entry within {@code tolerance}. */
    public static void assertClose(double[][] expected, INDArray actual, double tolerance, String what) {
        assertClose(new long[] {expected.length, expected.length == 0 ? 0 : expected[0].length},
            Loops.flatten(expected), actual, tolerance, what);
    }

    /** {@code actual} has shape {@code [a, b, c]} of {@code expected} and every entry within {@code tolerance}. */
    public static void assertClose(double[][][] expected, INDArray actual, double tolerance, String what) {
        assertClose(new long[] {expected.length, expected[0].length, expected[0][0].length},
            Loops.flatten(expected), actual, tolerance, what);
    }

    /**
     * Any rank: {@code expected} holds the values of an array of shape {@code shape} in row-major order.
     */
    public static void assertClose(long[] shape, double[] expected, INDArray actual, double tolerance, String what) {
        long size = 1;
        for (long d : shape) {
            size *= d;
        }
        if (size != expected.length) {
            throw new IllegalArgumentException(what + ": the test's expected values hold " + expected.length
                + " numbers, but shape " + Arrays.toString(shape) + " has " + size);
        }
        if (actual == null) {
            fail(what + ": expected an array of shape " + Arrays.toString(shape) + ", got null");
        }
        if (!Arrays.equals(shape, actual.shape())) {
            fail(String.format("%s: expected shape %s, got %s", what, Arrays.toString(shape), Arrays.toString(actual.shape())));
        }
        compare(shape, expected, Values.flat(actual), tolerance, what);
    }

    /** Two plain matrices: same number of rows, same row lengths, every entry within {@code tolerance}. */
    public static void assertClose(double[][] expected, double[][] actual, double tolerance, String what) {
        if (actual == null) {
            fail(what + ": expected " + expected.length + " rows, got null");
        }
        if (actual.length != expected.length) {
            fail(String.format("%s: expected %d rows, got %d", what, expected.length, actual.length));
        }
        for (int i = 0; i < expected.length; i++) {
            if (actual[i] == null || actual[i].length != expected[i].length) {
                fail(String.format("%s: row %d should have %d entries, got %s", what, i, expected[i].length,
                    actual[i] == null ? "null" : String.valueOf(actual[i].length)));
            }
        }
        compare(new long[] {expected.length, expected.length == 0 ? 0 : expected[0].length},
            Loops.flatten(expected), Loops.flatten(actual), tolerance, what);
    }

    /** Two plain vectors: same length, every entry within {@code tolerance}. */
    public static void assertClose(double[] expected, double[] actual, double tolerance, String what) {
        if (actual == null) {
            fail(what + ": expected " + expected.length + " values, got null");
        }
        if (actual.length != expected.length) {
            fail(String.format("%s: expected %d values, got %d", what, expected.length, actual.length));
        }
        compare(new long[] {expected.length}, expected, actual, tolerance, what);
    }

    /** {@code value}, after failing with "{@code what} returned null" when it is null. */
    public static <T> T notNull(T value, String what) {
        if (value == null) {
            fail(what + " returned null");
        }
        return value;
    }

    private static void compare(long[] shape, double[] expected, double[] actual, double tolerance, String what) {
        int first = -1;
        int wrong = 0;
        for (int n = 0; n < expected.length; n++) {
            if (!(Math.abs(expected[n] - actual[n]) <= tolerance)) { // NaN is never close
                wrong++;
                if (first < 0) {
                    first = n;
                }
            }
        }
        if (first < 0) {
            return;
        }
        int digits = digits(tolerance);
        int last = (int) shape[shape.length - 1];
        int start = first - first % last;
        String row = rowName(shape, first);
        fail(String.format(Locale.ROOT, "%s: %s should be %s but was %s (off by %s; tolerance %s)%s%n expected %s: %s%n actual   %s: %s",
            what, entryName(shape, first), number(expected[first], digits), number(actual[first], digits),
            number(Math.abs(expected[first] - actual[first]), digits), String.format(Locale.ROOT, "%.0e", tolerance),
            wrong > 1 ? String.format(Locale.ROOT, "; %d of %d entries differ", wrong, expected.length) : "",
            row, list(expected, start, last, first, digits), row, list(actual, start, last, first, digits)));
    }

    /** "entry 3", "row 2, column 1", or "element [1, 2, 0]". */
    static String entryName(long[] shape, int flat) {
        long[] idx = index(shape, flat);
        if (shape.length == 1) {
            return "entry " + idx[0];
        }
        if (shape.length == 2) {
            return "row " + idx[0] + ", column " + idx[1];
        }
        return "element " + Arrays.toString(idx);
    }

    /** What the printed run of values is: "values", "row 2", "[1, 2, :]". */
    private static String rowName(long[] shape, int flat) {
        long[] idx = index(shape, flat);
        if (shape.length == 1) {
            return "values";
        }
        if (shape.length == 2) {
            return "row " + idx[0];
        }
        String full = Arrays.toString(idx);
        return full.substring(0, full.lastIndexOf(',')) + ", :]";
    }

    private static long[] index(long[] shape, int flat) {
        long[] idx = new long[shape.length];
        long rest = flat;
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = rest % shape[d];
            rest /= shape[d];
        }
        return idx;
    }

    /** As many decimals as the tolerance has (4 at least, 12 at most): a difference beyond it shows. */
    private static int digits(double tolerance) {
        if (!(tolerance > 0)) {
            return 12;
        }
        return (int) Math.max(4, Math.min(12, Math.ceil(-Math.log10(tolerance) - 1e-9)));
    }

    private static String number(double v, int digits) {
        return Double.isNaN(v) || Double.isInfinite(v) ? String.valueOf(v) : String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    /** The run {@code start .. start+length-1} holding {@code at}: all of it up to 16 values, else 16 around {@code at}. */
    private static String list(double[] values, int start, int length, int at, int digits) {
        int from = start;
        int to = start + length;
        if (length > 16) {
            from = Math.max(start, Math.min(at - 8, to - 16));
            to = from + 16;
        }
        StringBuilder s = new StringBuilder(from > start ? "[... " : "[");
        for (int j = from; j < to; j++) {
            s.append(j == from ? "" : ", ").append(number(values[j], digits));
        }
        return s.append(to < start + length ? " ...]" : "]").toString();
    }
}
