package dev.spindle.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Round-trip latency of a burst: the benchmark thread submits {@code burst} caller-owned tasks from
 * outside the loop and waits until the last one has run; the last task releases it through a volatile
 * flag that it spins on, the same mechanism for every implementation. One op is one burst, sampled
 * ({@code Mode.SampleTime}, so JMH reports p50/p90/p99/p99.9 and the maximum).
 *
 * <p>Each burst follows the previous one's acknowledgement at once, so the loop is usually still in its
 * idle strategy's spinning phase (Spindle), or just parked (Netty, the JDK). Idle behaviour is each
 * implementation's default.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
@State(Scope.Benchmark)
public class BurstLatencyBench {
    @Param({"spindle", "netty", "jdk"})
    String impl;

    @Param({"1", "10"})
    int burst;

    PeerExecutor executor;
    final CountingTask task = new CountingTask();
    final Ack ack = new Ack();

    @Setup(Level.Trial)
    public void start() {
        executor = PeerExecutor.create(impl);
    }

    @TearDown(Level.Trial)
    public void stop() {
        executor.close();
    }

    @Benchmark
    public void roundTrip() {
        for (int i = 1; i < burst; i++) {
            submit(task);
        }
        ack.runOn(executor);
    }

    private void submit(Runnable r) {
        while (!executor.trySubmit(r)) {
            Thread.onSpinWait();
        }
    }

    /** The last task of a burst: releases the waiting benchmark thread. */
    static final class Ack extends LoopHandoff {
        @Override
        public void run() {
            finish();
        }
    }
}
