package dev.spindle.bench;

import dev.spindle.engine.Async;
import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
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
 * Spawn and complete: {@value #N} trivial tasks started, then all of them awaited. One op is one task
 * (spawned, run, its result collected), so the score is tasks per µs and {@code gc.alloc.rate.norm} is
 * bytes per task.
 *
 * <ul>
 *   <li>{@code spindle}: a driver coroutine on a one-loop engine spawns {@value #N} coroutine tasks on its
 *       own loop and awaits {@link Async#gather} of them (asyncio's {@code gather(*[create_task(...)])}).
 *       The benchmark thread starts the driver with one cross-thread {@code execute} per batch and spins
 *       until it finishes ({@link LoopHandoff}).
 *   <li>{@code vthreads}: the benchmark thread starts {@value #N} virtual threads ({@code
 *       Thread.startVirtualThread}, default scheduler) running a no-op, then joins each.
 *   <li>{@code cf}: the benchmark thread calls {@code CompletableFuture.supplyAsync} {@value #N} times on
 *       {@code Executors.newSingleThreadExecutor()}, then joins each future.
 * </ul>
 *
 * Targets: Spindle ≥ 2× virtual threads and ≥ 1× {@code CompletableFuture}. The batch size
 * is a constant (not a {@code @Param}) so that JMH can report per task ({@code @OperationsPerInvocation}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
@State(Scope.Benchmark)
public class SpawnBench {
    /** Tasks per batch. */
    static final int N = 1000;

    @Param({"spindle", "vthreads", "cf"})
    String impl;

    Batch batch;

    @Setup(Level.Trial)
    public void start() {
        batch = switch (impl) {
            case "spindle" -> new SpindleSpawn();
            case "vthreads" -> new VirtualThreadSpawn();
            case "cf" -> new FutureSpawn();
            default -> throw new IllegalArgumentException("impl: unknown implementation '" + impl + "'");
        };
    }

    @TearDown(Level.Trial)
    public void stop() {
        batch.close();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public int spawnAndGather() {
        return batch.runBatch();
    }

    /** One batch of {@link #N} tasks, started and awaited; returns a checksum. */
    interface Batch extends AutoCloseable {
        int runBatch();

        @Override
        void close();
    }

    /** A driver coroutine spawns {@link #N} coroutine tasks on its loop and gathers them. */
    static final class SpindleSpawn extends LoopHandoff implements Batch {
        private static final Callable<Integer> TRIVIAL = () -> 1;
        private final Engine engine = Engine.builder().loops(1).build();
        private final EventLoop loop = engine.loop(0);
        private final List<Task<Integer>> tasks = new ArrayList<>(N);
        private final Callable<Void> driver = this::drive;
        private int sum;

        @Override
        public int runBatch() {
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
            tasks.clear();
            for (int i = 0; i < N; i++) {
                tasks.add(loop.spawn(TRIVIAL));
            }
            int s = 0;
            for (int v : Async.await(Async.gather(tasks))) {
                s += v;
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

    /** {@link #N} virtual threads started, then joined. */
    static final class VirtualThreadSpawn implements Batch {
        private static final Runnable TRIVIAL = () -> {};
        private final Thread[] threads = new Thread[N];

        @Override
        public int runBatch() {
            for (int i = 0; i < N; i++) {
                threads[i] = Thread.startVirtualThread(TRIVIAL);
            }
            try {
                for (int i = 0; i < N; i++) {
                    threads[i].join();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while joining", e);
            }
            return N;
        }

        @Override
        public void close() {}
    }

    /** {@link #N} {@code supplyAsync} calls on a single-thread executor, then joined. */
    static final class FutureSpawn implements Batch {
        private static final Supplier<Integer> TRIVIAL = () -> 1;
        private final ExecutorService executor = Executors.newSingleThreadExecutor();

        @SuppressWarnings("unchecked")
        private final CompletableFuture<Integer>[] futures = new CompletableFuture[N];

        @Override
        public int runBatch() {
            for (int i = 0; i < N; i++) {
                futures[i] = CompletableFuture.supplyAsync(TRIVIAL, executor);
            }
            int s = 0;
            for (int i = 0; i < N; i++) {
                s += futures[i].join();
            }
            return s;
        }

        @Override
        public void close() {
            new JdkPeer(executor).close();
        }
    }
}
