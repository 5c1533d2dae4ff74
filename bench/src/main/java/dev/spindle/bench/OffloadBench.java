package dev.spindle.bench;

import dev.spindle.engine.Async;
import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Offload round trip: code on an event loop hands a trivial call to a worker thread and continues on the
 * loop with its result. One op is one round trip (loop → worker → loop); a batch is {@value #K} of them
 * in sequence, each starting when the previous result is back on the loop.
 *
 * <ul>
 *   <li>{@code spindle}: a coroutine on a one-loop engine calls {@code Async.offload(() -> 42)} {@value #K}
 *       times; the engine's worker pool has its default size, {@code min(32, cores + 4)}.
 *   <li>{@code cf}: a single-thread executor stands for the loop; a driver on it runs {@code
 *       CompletableFuture.supplyAsync(call, pool).thenApplyAsync(identity, loop)} and starts the next
 *       one from the continuation. {@code pool} is {@code Executors.newFixedThreadPool} of Spindle's
 *       default worker count.
 *   <li>{@code vthreads}: no loop: the benchmark thread starts a virtual thread that makes the call, and
 *       joins it ({@value #K} times). The nearest virtual-thread idiom, not a like-for-like peer.
 * </ul>
 *
 * Target: Spindle ≥ 1.5× {@code cf}. Every implementation parks and wakes threads: run
 * with 3 forks.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
@State(Scope.Benchmark)
public class OffloadBench {
    /** Offloads per batch. */
    static final int K = 100;

    /** Spindle's default worker count ({@code Engine.Builder.workers}), given to the {@code cf} pool too. */
    static final int WORKERS = Math.min(32, Runtime.getRuntime().availableProcessors() + 4);

    @Param({"spindle", "cf", "vthreads"})
    String impl;

    Batch batch;

    @Setup(Level.Trial)
    public void start() {
        batch = switch (impl) {
            case "spindle" -> new SpindleOffload();
            case "cf" -> new FutureOffload();
            case "vthreads" -> new VirtualThreadCall();
            default -> throw new IllegalArgumentException("impl: unknown implementation '" + impl + "'");
        };
    }

    @TearDown(Level.Trial)
    public void stop() {
        batch.close();
    }

    @Benchmark
    @OperationsPerInvocation(K)
    public long offload() {
        return batch.runBatch();
    }

    /** {@link #K} offload round trips in sequence; returns a checksum. */
    interface Batch extends AutoCloseable {
        long runBatch();

        @Override
        void close();
    }

    /** A coroutine that offloads {@link #K} times. */
    static final class SpindleOffload extends LoopHandoff implements Batch {
        private static final Callable<Integer> CALL = () -> 42;
        private final Engine engine = Engine.builder().loops(1).build();
        private final EventLoop loop = engine.loop(0);
        private final Callable<Void> driver = this::drive;
        private long sum;

        SpindleOffload() {
            if (engine.workerThreads().size() != WORKERS) {
                throw new IllegalStateException("Spindle's worker pool has "
                        + engine.workerThreads().size() + " threads, the cf peer's " + WORKERS + ": make them equal");
            }
        }

        @Override
        public long runBatch() {
            begin();
            loop.execute(this);
            awaitDone();
            return sum;
        }

        /** On the loop: starts the driver coroutine. */
        @Override
        public void run() {
            loop.spawn(driver);
        }

        private Void drive() {
            long s = 0;
            for (int i = 0; i < K; i++) {
                s += Async.offload(CALL);
            }
            sum = s;
            finish();
            return null;
        }

        @Override
        public void close() {
            engine.shutdown(Duration.ofSeconds(5));
        }
    }

    /** {@code supplyAsync} on a fixed pool, continued on a single-thread "loop" executor. */
    static final class FutureOffload extends LoopHandoff implements Batch {
        private static final Supplier<Integer> CALL = () -> 42;
        private static final Function<Integer, Integer> IDENTITY = v -> v;
        private final ExecutorService loop = Executors.newSingleThreadExecutor();
        private final ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        private final Consumer<Integer> next = this::onResult;
        private int remaining;
        private long sum;

        @Override
        public long runBatch() {
            begin();
            loop.execute(this);
            awaitDone();
            return sum;
        }

        /** On the loop executor: starts the first offload. */
        @Override
        public void run() {
            remaining = K;
            sum = 0;
            offloadOne();
        }

        private void offloadOne() {
            CompletableFuture.supplyAsync(CALL, pool)
                    .thenApplyAsync(IDENTITY, loop)
                    .thenAccept(next);
        }

        /** On the loop executor: the result is back; start the next offload or finish. */
        private void onResult(Integer value) {
            sum += value;
            if (--remaining > 0) {
                offloadOne();
            } else {
                finish();
            }
        }

        @Override
        public void close() {
            new JdkPeer(pool).close();
            new JdkPeer(loop).close();
        }
    }

    /** A virtual thread per call, started and joined by the benchmark thread. */
    static final class VirtualThreadCall implements Batch, Runnable {
        private long sum;

        @Override
        public void run() {
            sum += 42; // the trivial call; the join publishes the write
        }

        @Override
        public long runBatch() {
            sum = 0;
            try {
                for (int i = 0; i < K; i++) {
                    Thread.startVirtualThread(this).join();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while joining", e);
            }
            return sum;
        }

        @Override
        public void close() {}
    }
}
