package dev.spindle.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CopyOnWriteArrayList;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Sustained throughput of submitting tasks into one single-threaded executor from other threads: one
 * op is one task submitted <em>and run</em>.
 *
 * <p>Every producer submits the same caller-owned {@link CountingTask} (no allocation per op on the
 * producer side), which counts its runs on the executor's thread. The work in flight (submitted, not yet
 * run) is capped at {@link #WINDOW} for every implementation, so unbounded peers (Netty, the JDK) cannot
 * run ahead of their consumer and a fast producer cannot report enqueues as throughput; a producer that
 * hits the cap, or a bounded queue that refuses, spins ({@link Thread#onSpinWait}) 64 times, then yields,
 * and retries: the same policy everywhere. At the end of each iteration the teardown waits until every
 * submitted task has run. Since the cap is 16 K tasks, at most that many ops of an iteration (under
 * 0.4 % at the slowest rate measured, 4.8 M/s) are counted before they run.
 *
 * <p>Idle behaviour is each implementation's default (see {@link PeerExecutor#create}). The Agrona queue
 * needs {@code --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED}: it is added with {@code
 * jvmArgsPrepend}, because a {@code -jvmArgsAppend} on the command line replaces the annotation's append
 * list.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsPrepend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
@State(Scope.Benchmark)
public class CrossThreadSubmitBench {
    /** The most tasks in flight, over all producers. */
    static final int WINDOW = 16_384;

    @Param({"spindle", "netty", "jdk", "agrona"})
    String impl;

    PeerExecutor executor;
    final CountingTask task = new CountingTask();
    final CopyOnWriteArrayList<Producer> producers = new CopyOnWriteArrayList<>();

    @Setup(Level.Trial)
    public void start() {
        executor = PeerExecutor.create(impl);
    }

    @TearDown(Level.Iteration)
    public void drain() {
        task.awaitExecuted(submitted(), 30_000);
    }

    @TearDown(Level.Trial)
    public void stop() {
        executor.close();
    }

    long submitted() {
        long sum = 0;
        for (Producer p : producers) {
            sum += p.published();
        }
        return sum;
    }

    /** One producer thread's submission count and its current allowance under the window. */
    @State(Scope.Thread)
    public static class Producer {
        private static final VarHandle SUBMITTED;

        static {
            try {
                SUBMITTED = MethodHandles.lookup().findVarHandle(Producer.class, "submitted", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        CrossThreadSubmitBench bench;
        PeerExecutor executor;
        CountingTask task;

        /** Written by this producer only, with release stores; summed by the others. */
        @SuppressWarnings("unused") // accessed through SUBMITTED
        long submitted;

        /** This producer may submit until {@code submitted == limit} before looking at the window again. */
        long limit;

        @Setup(Level.Trial)
        public void register(CrossThreadSubmitBench bench) {
            this.bench = bench;
            this.executor = bench.executor;
            this.task = bench.task;
            bench.producers.add(this);
        }

        long published() {
            return (long) SUBMITTED.getAcquire(this);
        }

        void submitOne() {
            long n = submitted;
            if (n == limit) {
                awaitRoom(n);
            }
            for (int spins = 0; !executor.trySubmit(task); spins++) {
                backOff(spins);
            }
            SUBMITTED.setRelease(this, n + 1);
        }

        /** Waits until at least half the window is free, then takes this producer's share of it. */
        private void awaitRoom(long n) {
            int share = bench.producers.size();
            for (int spins = 0; ; spins++) {
                long inFlight = bench.submitted() - task.executed();
                long room = WINDOW - inFlight;
                if (room >= WINDOW / 2) {
                    limit = n + room / share;
                    return;
                }
                backOff(spins);
            }
        }

        /**
         * The retry policy, the same for every implementation: spin a little, then yield, so that on a
         * machine with fewer cores than producers plus consumer a waiting producer gives the consumer its
         * core instead of burning the time slice.
         */
        private static void backOff(int spins) {
            if (spins < 64) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    @Benchmark
    @Threads(1)
    public void oneProducer(Producer producer) {
        producer.submitOne();
    }

    @Benchmark
    @Threads(2)
    public void twoProducers(Producer producer) {
        producer.submitOne();
    }
}
