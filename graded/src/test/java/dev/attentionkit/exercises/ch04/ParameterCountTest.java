package dev.attentionkit.exercises.ch04;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("4.4 Count the parameters of MultiHeadAttention")
// What this exercise may not call: the kit's (or ND4J's) own implementation of it (checked on the bytecode).
@MayNotUse({
    "*#parameterCount",
    "*#parameters",
    "dev.attentionkit.attention.*",
    "dev.attentionkit.nn.*",
    "dev.attentionkit.train.*"})
class ParameterCountTest {

    @Test
    @Hint(value = "Count every Linear of the module, with and without its bias.",
        full = "a Linear(in, out) has out*in weights, plus out biases when it has a bias; there are four of them.")
    @Points(1)
    @DisplayName("GPT-2 small's attention (768 -> 768, no qkv bias) has 2,360,064 parameters")
    void gpt2Small() {
        // Book section 3.6.2 (exercise 3.3): 3 · 768 · 768 + 768 · 768 + 768.
        assertEquals(2_360_064L, ParameterCount.multiHeadAttention(768, 768, false),
            "multiHeadAttention(768, 768, qkvBias = false)");
    }

    @Test
    @Hint(value = "Count every Linear of the module, with and without its bias.",
        full = "a Linear(in, out) has out*in weights, plus out biases when it has a bias; there are four of them.")
    @Points(1)
    @DisplayName("with qkv biases and dIn != dOut: (3 -> 2) and (10 -> 6)")
    void withBiases() {
        // By hand: 3 · (2·3 + 2) + (2·2 + 2) = 24 + 6 = 30 and 3 · (6·10 + 6) + (6·6 + 6) = 198 + 42 = 240.
        assertEquals(30L, ParameterCount.multiHeadAttention(3, 2, true), "multiHeadAttention(3, 2, qkvBias = true)");
        assertEquals(240L, ParameterCount.multiHeadAttention(10, 6, true), "multiHeadAttention(10, 6, qkvBias = true)");
        // Without biases: 3 · 2·3 + (2·2 + 2) = 24.
        assertEquals(24L, ParameterCount.multiHeadAttention(3, 2, false), "multiHeadAttention(3, 2, qkvBias = false)");
    }
}
