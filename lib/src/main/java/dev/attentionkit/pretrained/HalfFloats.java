package dev.attentionkit.pretrained;

/** IEEE 754 half precision (float16) and bfloat16 to float32, exactly (every such value is a float32). */
final class HalfFloats {
    private HalfFloats() {}

    /** float16: 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits; subnormals, ±∞ and NaN kept. */
    static float fromFloat16(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h >>> 15) << 31;
        int exponent = (h >>> 10) & 0x1F;
        int fraction = h & 0x3FF;
        if (exponent == 0x1F) {                       // ∞ or NaN
            return Float.intBitsToFloat(sign | 0x7F800000 | (fraction << 13));
        }
        if (exponent == 0) {                          // zero or subnormal: fraction · 2^-24
            float value = fraction * 0x1p-24f;
            return sign == 0 ? value : -value;
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (fraction << 13));
    }

    /** bfloat16: the upper 16 bits of a float32. */
    static float fromBFloat16(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }
}
