package dev.attentionkit.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Which BLAS kernel runs, and how the kit picks it")
class BlasTest {

    @Test
    @EnabledOnOs(value = OS.LINUX, architectures = "amd64")
    @DisplayName("the kernel OpenBLAS dispatches to is the one OPENBLAS_CORETYPE names, when it is set")
    void coreTypeIsTheOneTheEnvironmentAsksFor() {
        String core = Blas.coreType();
        assertNotNull(core, "could not read OpenBLAS's kernel (gotoblas) from " + Blas.describe());
        assertTrue(Blas.CORE_TYPES.contains(core), core);
        String asked = System.getenv("OPENBLAS_CORETYPE");
        if (asked != null && !asked.isBlank()) {
            assertEquals(asked.toUpperCase(Locale.ROOT), core, "OPENBLAS_CORETYPE did not reach the native library");
        }
        assertTrue(Kit.init().contains("kernel " + core), Kit.init());
    }

    @Test
    @DisplayName("the sgemm rate is a positive, finite figure, and bad sizes are refused")
    void sgemmRate() {
        double rate = Blas.sgemmGflops(64, 2);
        assertTrue(rate > 0 && Double.isFinite(rate), "rate " + rate);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Blas.sgemmGflops(0, 1));
        assertTrue(e.getMessage().contains("n=0"), e.getMessage());
    }

    @Test
    @DisplayName("the BLAS in use computes float32 products within the rigorous float32 error bound")
    void kernelInUseIsCorrect() {
        double ratio = Blas.sgemmErrorRatio();
        assertTrue(ratio <= 1, "worst error " + ratio + " times the float32 bound with " + Blas.describe());
    }

    /** tools/blas-env.sh's mapping from CPU flags to OpenBLAS 0.3.19 kernels, run by bash as ./kit runs it. */
    @ParameterizedTest(name = "{0} -> {1}")
    @EnabledOnOs({OS.LINUX, OS.MAC})
    @CsvSource(delimiter = '|', value = {
        // Zen 5 / Sapphire Rapids: AVX-512 with BF16; never COOPERLAKE (wrong sgemm results on Zen 5)
        "fpu sse2 avx avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl avx512_bf16 | SKYLAKEX",
        "fpu sse2 avx avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl | SKYLAKEX",
        // Knights Landing style AVX-512 without BW/VL is not Skylake-X: the AVX2 kernel
        "fpu sse2 avx avx2 fma avx512f avx512cd avx512er avx512pf | HASWELL",
        "fpu sse2 avx avx2 fma bmi2 | HASWELL",
        "fpu sse2 avx avx2 | SANDYBRIDGE",
        "fpu sse2 avx | SANDYBRIDGE",
        "fpu sse2 ssse3 | ''",
    })
    void mapping(String flags, String expected) throws IOException, InterruptedException {
        Path script = Path.of("..", "tools", "blas-env.sh").toAbsolutePath().normalize();
        Process p = new ProcessBuilder("bash", "-c", ". \"$0\" && kit_openblas_coretype \"$1\"", script.toString(), flags)
            .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor(), out);
        assertEquals(expected, out, "flags: " + flags);
    }
}
