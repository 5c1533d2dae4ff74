package dev.spindle.bench;

import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.TaskGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
 * Structured fan-out across every core: a parent starts {@value #N} small children spread over all the
 * loops (carriers) and waits for them all. One op is one child, so the score is children per µs (a
 * fan-out takes {@value #N} / score µs) and {@code gc.alloc.rate.norm} is bytes per child.
 *
 * <ul>
 *   <li>{@code spindle}: an engine with one loop per core (the default). A parent coroutine on loop 0
 *       opens a {@link TaskGroup}, spawns child {@code i} with {@code group.spawnOn(engine.loop(i % n),
 *       ...)} and closes the group, which awaits them; children on other loops report back through loop
 *       0's queue. The benchmark thread starts the parent and spins until it finishes ({@link
 *       LoopHandoff}).
 *   <li>{@code vthreads}: the benchmark thread calls {@code invokeAll} of {@value #N} callables on {@code
 *       Executors.newVirtualThreadPerTaskExecutor()} (default scheduler, one carrier per core).
 *   <li>{@code vthreadsParent}: the same {@code invokeAll}, called by a virtual parent thread that the
 *       benchmark thread starts for each fan-out and waits for through the same {@link LoopHandoff} flag
 *       as Spindle's parent, so both pay one handoff into the runtime and one back per fan-out.
 * </ul>
 *
 * Target: Spindle ≥ 2× virtual threads. Both park and wake threads: run with 3 forks.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
@State(Scope.Benchmark)
public class FanOutBench {
    /** Children per fan-out. */
    static final int N = 100;

    @Param({"spindle", "vthreads", "vthreadsParent"})
    String impl;

    Batch batch;

    @Setup(Level.Trial)
    public void start() {
        batch = switch (impl) {
            case "spindle" -> new SpindleFanOut();
            case "vthreads" -> new VirtualThreadFanOut();
            case "vthreadsParent" -> new VirtualParentFanOut();
            default -> throw new IllegalArgumentException("impl: unknown implementation '" + impl + "'");
        };
    }

    @TearDown(Level.Trial)
    public void stop() {
        batch.close();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public int fanOut() {
        return batch.runBatch();
    }

    /** One fan-out of {@link #N} children, awaited; returns a checksum. */
    interface Batch extends AutoCloseable {
        int runBatch();

        @Override
        void close();
    }

    /** A parent coroutine on loop 0 with a task group whose children are spread over every loop. */
    static final class SpindleFanOut extends LoopHandoff implements Batch {
        private static final Callable<Integer> CHILD = () -> 1;
        private final Engine engine = Engine.builder().build();
        private final EventLoop[] loops = engine.loops().toArray(new EventLoop[0]);
        private final EventLoop home = loops[0];
        private final Callable<Integer> parent = this::parent;

        @Override
        public int runBatch() {
            begin();
            home.execute(this);
            awaitDone();
            return N;
        }

        /** On loop 0: starts the parent coroutine. */
        @Override
        public void run() {
            home.spawn(parent);
        }

        private Integer parent() {
            int n = loops.length;
            try (TaskGroup group = TaskGroup.open()) {
                for (int i = 0; i < N; i++) {
                    group.spawnOn(loops[i % n], CHILD);
                }
            }
            finish();
            return N;
        }

        @Override
        public void close() {
            engine.shutdown(Duration.ofSeconds(5));
        }
    }

    /** {@code invokeAll} on a virtual-thread-per-task executor, called by the benchmark thread. */
    static class VirtualThreadFanOut implements Batch {
        final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        private final List<Callable<Integer>> children = new ArrayList<>(N);

        VirtualThreadFanOut() {
            for (int i = 0; i < N; i++) {
                children.add(() -> 1);
            }
        }

        @Override
        public int runBatch() {
            try {
                int s = 0;
                for (Future<Integer> f : executor.invokeAll(children)) {
                    s += f.get();
                }
                return s;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted in invokeAll", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }

        @Override
        public void close() {
            new JdkPeer(executor).close();
        }
    }

    /** The same {@code invokeAll}, from a virtual parent thread started per fan-out. */
    static final class VirtualParentFanOut extends VirtualThreadFanOut {
        private final Handoff handoff = new Handoff();

        @Override
        public int runBatch() {
            handoff.begin();
            Thread.startVirtualThread(handoff);
            handoff.awaitDone();
            return handoff.sum;
        }

        /** The parent's body: the fan-out, then the flag. */
        final class Handoff extends LoopHandoff {
            int sum;

            @Override
            public void run() {
                sum = VirtualParentFanOut.super.runBatch();
                finish();
            }
        }
    }
}
