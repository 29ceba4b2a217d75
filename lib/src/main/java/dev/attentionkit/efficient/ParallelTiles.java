package dev.attentionkit.efficient;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.nd4j.linalg.api.blas.Blas;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Runs independent attention tiles (one query block of one sequence each) on all cores, one tile per core at
 * a time, each core with single-threaded BLAS.
 *
 * <p>Why not leave the threading to BLAS: the products of one tile are small ({@code 128 × 64 × 1024}), and
 * splitting such a product over cores costs more in hand-offs than it gains (the figures, from the 2-core
 * development machine, are in bench/README.md, "Measurements the code's comments rely on"). Whole tiles side by side keep every core busy with no hand-off inside a tile,
 * and the softmax between the products, plain Java ({@link FusedSoftmax}), runs in parallel too.
 *
 * <p>BLAS's thread count is process-wide, so it is set to 1 for the duration and restored afterwards, under
 * a lock: concurrent calls take turns rather than fight over the setting. A call made from inside a tile,
 * or on a GPU backend, runs its tiles one after another on the calling thread.
 */
final class ParallelTiles {
    /** What one tile does; {@code scratch} is this worker's own buffer, reused from tile to tile. */
    interface Body {
        void run(int tile, INDArray scratch);
    }

    private static final int THREADS = Runtime.getRuntime().availableProcessors();
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> false);
    private static volatile ExecutorService pool;

    private ParallelTiles() {}

    /**
     * Calls {@code body} for tiles {@code 0 .. tiles-1}, in that order of starting; list expensive tiles first
     * so the cores finish together.
     *
     * @param scratchLength elements of each worker's scratch buffer (a vector of {@code type})
     */
    static void run(int tiles, DataType type, long scratchLength, Body body) {
        // One tile per core is a CPU strategy; on a GPU backend the tiles go one after another on this thread.
        int workers = Nd4j.getEnvironment().isCPU() ? Math.min(tiles, THREADS) : 1;
        if (workers <= 1 || INSIDE.get()) {
            inOrder(tiles, type, scratchLength, body, new AtomicInteger(), new AtomicBoolean());
            return;
        }
        LOCK.lock();
        Blas blas = Nd4j.factory().blas();
        int blasThreads = blas.getMaxThreads();
        try {
            blas.setMaxThreads(1);
            AtomicInteger next = new AtomicInteger();
            AtomicBoolean failed = new AtomicBoolean();
            List<Future<?>> others = new ArrayList<>();
            for (int w = 1; w < workers; w++) {
                others.add(pool().submit(() -> inOrder(tiles, type, scratchLength, body, next, failed)));
            }
            Throwable error = null;
            try {
                inOrder(tiles, type, scratchLength, body, next, failed);    // the calling thread is a worker too
            } catch (RuntimeException | Error e) {
                error = e;
            }
            for (Future<?> f : others) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    error = error != null ? error : e.getCause();
                } catch (InterruptedException e) {
                    failed.set(true);                       // the other workers stop after their current tile
                    Thread.currentThread().interrupt();
                    error = error != null ? error : e;
                }
            }
            if (error instanceof RuntimeException re) {
                throw re;
            } else if (error instanceof Error err) {
                throw err;
            } else if (error != null) {
                throw new IllegalStateException("attention tile interrupted", error);
            }
        } finally {
            blas.setMaxThreads(blasThreads);
            LOCK.unlock();
        }
    }

    /** The first {@code rows·cols} elements of a worker's scratch as a {@code [rows, cols]} matrix (a view). */
    static INDArray matrix(INDArray scratch, long rows, long cols) {
        return scratch.get(NDArrayIndex.interval(0, rows * cols)).reshape('c', rows, cols);
    }

    /** Takes tiles from the shared counter until none is left (or another worker failed). */
    private static void inOrder(int tiles, DataType type, long scratchLength, Body body, AtomicInteger next,
                                AtomicBoolean failed) {
        boolean wasInside = INSIDE.get();
        INSIDE.set(true);
        INDArray scratch = Nd4j.createUninitialized(type, new long[] {scratchLength}, 'c');
        try {
            for (int tile = next.getAndIncrement(); tile < tiles && !failed.get(); tile = next.getAndIncrement()) {
                body.run(tile, scratch);
            }
        } catch (RuntimeException | Error e) {
            failed.set(true);
            throw e;
        } finally {
            OnlineSoftmax.free(scratch);
            INSIDE.set(wasInside);
        }
    }

    private static ExecutorService pool() {
        if (pool == null) {
            synchronized (ParallelTiles.class) {
                if (pool == null) {
                    pool = Executors.newFixedThreadPool(THREADS - 1, r -> {
                        Thread t = new Thread(r, "attention-kit-tiles");
                        t.setDaemon(true);
                        return t;
                    });
                }
            }
        }
        return pool;
    }
}
