package dev.attentionkit.efficient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

@DisplayName("Tiles side by side on all cores")
class ParallelTilesTest {

    @Test
    @DisplayName("every tile runs exactly once; a worker keeps one scratch of the asked length for all its tiles")
    void everyTileOnce() {
        AtomicIntegerArray runs = new AtomicIntegerArray(37);
        Map<Thread, Set<Long>> scratchPerThread = new ConcurrentHashMap<>();
        ParallelTiles.run(37, DataType.FLOAT, 11, (tile, scratch) -> {
            runs.incrementAndGet(tile);
            assertEquals(11, scratch.length());
            scratchPerThread.computeIfAbsent(Thread.currentThread(), t -> ConcurrentHashMap.newKeySet())
                .add(scratch.data().address());
        });
        for (int i = 0; i < 37; i++) {
            assertEquals(1, runs.get(i), "tile " + i);
        }
        assertTrue(scratchPerThread.size() <= Runtime.getRuntime().availableProcessors(), scratchPerThread.keySet().toString());
        scratchPerThread.forEach((thread, addresses) -> assertEquals(1, addresses.size(), thread.getName()));
    }

    @Test
    @DisplayName("BLAS runs single-threaded inside the tiles and gets its thread count back afterwards")
    void blasThreads() {
        assumeTrue(Runtime.getRuntime().availableProcessors() > 1, "needs more than one core");
        int before = Nd4j.factory().blas().getMaxThreads();
        Set<Integer> inside = ConcurrentHashMap.newKeySet();
        ParallelTiles.run(8, DataType.FLOAT, 1, (tile, scratch) -> inside.add(ParallelTiles.blasThreads()));
        assertEquals(Set.of(1), inside);
        assertEquals(before, ParallelTiles.blasThreads());
        assertEquals(before, Nd4j.factory().blas().getMaxThreads());
    }

    @Test
    @DisplayName("an exception in a tile reaches the caller unchanged, and the next call works")
    void exceptionReachesCaller() {
        int before = Nd4j.factory().blas().getMaxThreads();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ParallelTiles.run(20, DataType.FLOAT, 1,
            (tile, scratch) -> {
                if (tile == 13) {
                    throw new IllegalStateException("tile 13 failed");
                }
            }));
        assertEquals("tile 13 failed", e.getMessage());
        assertEquals(before, Nd4j.factory().blas().getMaxThreads());
        AtomicIntegerArray runs = new AtomicIntegerArray(4);
        ParallelTiles.run(4, DataType.FLOAT, 1, (tile, scratch) -> runs.incrementAndGet(tile));
        assertEquals("[1, 1, 1, 1]", runs.toString());
    }

    @Test
    @DisplayName("a tile that itself runs tiles does not deadlock: the inner call runs on its thread")
    void nestedCallsRunSequentially() {
        AtomicIntegerArray inner = new AtomicIntegerArray(4 * 3);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> ParallelTiles.run(4, DataType.FLOAT, 1,
            (outer, scratch) -> ParallelTiles.run(3, DataType.FLOAT, 1, (tile, s) -> inner.incrementAndGet(outer * 3 + tile))));
        for (int i = 0; i < 12; i++) {
            assertEquals(1, inner.get(i), "inner tile " + i);
        }
    }
}
