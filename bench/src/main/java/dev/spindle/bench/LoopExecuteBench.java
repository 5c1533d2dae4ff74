package dev.spindle.bench;

import dev.spindle.engine.EventLoop;
import java.util.concurrent.Executor;
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
 * {@code execute} of a caller-owned {@link Runnable} from the executor's own thread, and its run: one op
 * is one execute plus one run. Spindle's target is 0 B/op ({@code -prof gc}, which counts every thread's
 * allocation, the loop's included).
 *
 * <ul>
 *   <li>{@code burst}: a driver on the loop executes the same task {@value #N} times in a row, then an
 *       acknowledgement; they run in the loop's next pass. Measures the ready-queue append and the run.
 *   <li>{@code chain}: a task that executes itself again until it has run {@value #N} times, so the ready
 *       queue never holds more than one item and each op also pays one loop iteration (asyncio's
 *       {@code call_soon} ping).
 * </ul>
 *
 * The benchmark thread hands each batch of {@value #N} ops to the loop and waits for it ({@link
 * LoopHandoff}); that handoff, a few microseconds, is amortised over the batch.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Benchmark)
public class LoopExecuteBench {
    static final int N = 10_000;

    @Param({"spindle", "netty", "jdk"})
    String impl;

    PeerExecutor executor;
    Burst burst;
    Chain chain;

    @Setup(Level.Trial)
    public void start() {
        executor = PeerExecutor.create(impl);
        Executor onLoop = switch (executor) {
            case SpindlePeer spindle -> {
                EventLoop loop = spindle.loop;
                yield loop::execute;
            }
            case NettyPeer netty -> netty.loop::execute;
            case JdkPeer jdk -> jdk.executor::execute;
            default -> throw new IllegalArgumentException("impl: no on-loop execute for " + impl);
        };
        burst = new Burst(onLoop);
        chain = new Chain(onLoop);
    }

    @TearDown(Level.Trial)
    public void stop() {
        executor.close();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void burst() {
        burst.runOn(executor);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void chain() {
        chain.runOn(executor);
    }

    /** Executes {@link #N} tasks and an acknowledgement from the loop, in one go. */
    static final class Burst extends LoopHandoff {
        private final Executor onLoop;
        private final CountingTask task = new CountingTask();
        private final Runnable ack = this::finish;

        Burst(Executor onLoop) {
            this.onLoop = onLoop;
        }

        @Override
        public void run() {
            for (int i = 0; i < N; i++) {
                onLoop.execute(task);
            }
            onLoop.execute(ack);
        }
    }

    /** Executes itself from its own run until it has run {@link #N} times. */
    static final class Chain extends LoopHandoff {
        private final Executor onLoop;
        private final Runnable step = this::step;
        private int remaining;

        Chain(Executor onLoop) {
            this.onLoop = onLoop;
        }

        @Override
        public void run() {
            remaining = N;
            onLoop.execute(step);
        }

        private void step() {
            if (--remaining > 0) {
                onLoop.execute(step);
            } else {
                finish();
            }
        }
    }
}
