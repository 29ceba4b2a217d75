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
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
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
 * <p>BLAS's thread count is process-wide, so it is set to 1 for the duration (also when one worker runs all
 * tiles) and restored afterwards, under a lock: concurrent calls take turns rather than fight over the setting.
 * A call made from inside a tile, or on a GPU backend, runs its tiles one after another on the calling thread.
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
     * @param scratchLength elements of each worker's scratch buffer (a vector of {@code type}; 0: none, the body gets null)
     */
    static void run(int tiles, DataType type, long scratchLength, Body body) {
        // One tile per core is a CPU strategy; on a GPU backend the tiles go one after another on this thread.
        boolean cpu = Nd4j.getEnvironment().isCPU();
        if (!cpu || INSIDE.get()) {
            inOrder(tiles, type, scratchLength, body, new AtomicInteger(), new AtomicBoolean());
            return;
        }
        int workers = Math.min(tiles, THREADS);
        LOCK.lock();
        int blasThreads = Nd4j.factory().blas().getMaxThreads();     // ND4J's record of the count (a field: cheap)
        try {
            // Single-threaded BLAS even for one worker: OpenBLAS's result depends on its thread count (by an ulp or
            // so), and the tiles' must not depend on how many cores run them.
            BlasThreads.set(1);
            if (workers <= 1) {
                inOrder(tiles, type, scratchLength, body, new AtomicInteger(), new AtomicBoolean());
                return;
            }
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
            BlasThreads.set(blasThreads > 0 ? blasThreads : THREADS);
            LOCK.unlock();
        }
    }

    /** OpenBLAS's thread count as the last {@link #run} set it (1 inside the tiles), for tests. */
    static int blasThreads() {
        return BlasThreads.current;
    }

    /**
     * Sets OpenBLAS's thread count by calling {@code openblas_set_num_threads} directly, looked up once. ND4J's
     * {@code Blas.setMaxThreads} goes through JavaCPP's {@code openblas_nolapack.blas_set_num_threads}, which on
     * every call loads the library description again and looks up four symbols ({@code Loader.load},
     * {@code Loader.addressof}): about 0.15 ms once the JIT has compiled it, milliseconds before, and a run sets
     * the count twice. ND4J's {@code getMaxThreads()} keeps the value it last set itself, which the tiles restore.
     * With MKL in place of OpenBLAS (or no such symbol) this falls back to ND4J's call.
     */
    private static final class BlasThreads {
        private static final SetThreadsFunction DIRECT = lookUp();
        static volatile int current = -1;

        private BlasThreads() {}

        static void set(int threads) {
            if (DIRECT != null) {
                DIRECT.call(threads);
            } else {
                Nd4j.factory().blas().setMaxThreads(threads);
            }
            current = threads;
        }

        private static SetThreadsFunction lookUp() {
            try {
                Nd4j.factory().blas().getMaxThreads();                  // the BLAS library is loaded
                if (Loader.addressof("MKL_Set_Num_Threads") != null) {
                    return null;
                }
                Pointer f = Loader.addressof("openblas_set_num_threads");
                return f == null ? null : new SetThreadsFunction().pointingAt(f);
            } catch (RuntimeException | UnsatisfiedLinkError e) {
                return null;
            }
        }
    }

    /** JavaCPP's function pointer type for {@code void openblas_set_num_threads(int)}, from the OpenBLAS presets. */
    private static final class SetThreadsFunction extends org.bytedeco.openblas.presets.openblas_nolapack.SetNumThreads {
        SetThreadsFunction pointingAt(Pointer f) {
            put(f);
            return this;
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
        INDArray scratch = scratchLength > 0 ? Nd4j.createUninitialized(type, new long[] {scratchLength}, 'c') : null;
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
