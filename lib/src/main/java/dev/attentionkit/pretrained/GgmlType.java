package dev.attentionkit.pretrained;

/**
 * The tensor types of ggml (llama.cpp's tensor library) that this kit dequantises, with their block layout.
 * A quantised tensor is a sequence of blocks of {@link #blockSize} values along the innermost axis; each
 * block stores its own scale (and, for Q4_1, offset) as float16:
 *
 * <pre>
 * F32   4 bytes per value
 * F16   2 bytes per value (IEEE half)
 * BF16  2 bytes per value (upper half of a float32)
 * Q8_0  32 values in 34 bytes: scale d (f16), 32 signed bytes q;          x = d · q
 * Q4_0  32 values in 18 bytes: scale d (f16), 16 bytes of two 4-bit q;    x = d · (q - 8)
 * Q4_1  32 values in 20 bytes: scale d (f16), minimum m (f16), 16 bytes;  x = d · q + m
 * </pre>
 *
 * In the 4-bit types byte j holds value j in its low nibble and value j + 16 in its high nibble.
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),
    Q4_1(3, 32, 20),
    Q8_0(8, 32, 34),
    BF16(30, 1, 2);

    /** ggml's number for the type, as stored in a GGUF tensor info. */
    public final int id;
    /** Values per block. */
    public final int blockSize;
    /** Bytes per block. */
    public final int blockBytes;

    GgmlType(int id, int blockSize, int blockBytes) {
        this.id = id;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    /** Names of ggml's other types, for error messages only (index = id). */
    private static final String[] ALL_NAMES = {"F32", "F16", "Q4_0", "Q4_1", "Q4_2 (removed)", "Q4_3 (removed)",
        "Q5_0", "Q5_1", "Q8_0", "Q8_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K", "IQ2_XXS", "IQ2_XS",
        "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS", "I8", "I16", "I32", "I64", "F64", "IQ1_M", "BF16"};

    /** The type with ggml number {@code id}, or null if this kit does not read it. */
    static GgmlType byId(int id) {
        for (GgmlType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        return null;
    }

    /** ggml's name for any type number (also those this kit cannot read). */
    static String nameOf(int id) {
        return id >= 0 && id < ALL_NAMES.length ? ALL_NAMES[id] : "unknown type " + id;
    }

    /** Bytes that {@code elements} values take. */
    long bytesFor(long elements) {
        return elements / blockSize * blockBytes;
    }
}
