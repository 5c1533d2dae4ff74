package dev.spindle.bench;

import dev.spindle.engine.EventLoop;
import dev.spindle.engine.TimerHandle;
import io.netty.channel.IoEventLoop;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.agrona.DeadlineTimerWheel;
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
 * Timer churn on the loop thread: one op is one timer scheduled with a delay of 1–1000 ms and, for 90 %
 * of them, cancelled {@value #RING} timers later (so about {@value #RING} cancellable timers are pending
 * at any time, plus the 10 % that run to expiry and fire a no-op). Delays and cancel decisions come from
 * arrays generated at setup; the hot path draws no random numbers.
 *
 * <ul>
 *   <li>{@code spindle}: {@link EventLoop#schedule} and {@link TimerHandle#cancel} inside a task on the
 *       loop; the loop polls its wheel between batches.
 *   <li>{@code agrona}: a raw {@link DeadlineTimerWheel} (tick 2^20 ns ≈ 1.05 ms, the nearest power of
 *       two to Spindle's 1 ms; 512 ticks per wheel, as Spindle's default), driven directly by the
 *       benchmark thread with no loop and no handoff, polled after every batch.
 *   <li>{@code netty}: {@code schedule} and {@code ScheduledFuture.cancel} inside a task on Netty's loop.
 *   <li>{@code jdk}: a one-thread {@link ScheduledThreadPoolExecutor} with {@code
 *       setRemoveOnCancelPolicy(true)}, scheduling and cancelling from a task on its own thread.
 * </ul>
 *
 * The loop-based implementations receive each batch of {@value #BATCH} timers through a {@link
 * LoopHandoff}, amortised over the batch. {@code gc.alloc.rate.norm} is bytes per timer.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
@State(Scope.Benchmark)
public class TimerChurnBench {
    static final int BATCH = 4_096;
    static final int RING = 1_024;
    private static final int RING_MASK = RING - 1;
    private static final int PATTERN = 1 << 16;
    private static final int PATTERN_MASK = PATTERN - 1;
    private static final long MIN_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(1_000);
    private static final Runnable NOOP = () -> {};

    @Param({"spindle", "agrona", "netty", "jdk"})
    String impl;

    final long[] delays = new long[PATTERN];
    final boolean[] cancels = new boolean[PATTERN];

    PeerExecutor executor;
    ScheduledThreadPoolExecutor stpe;
    LoopHandoff churn;
    AgronaChurn agrona;

    @Setup(Level.Trial)
    public void start() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < PATTERN; i++) {
            delays[i] = random.nextLong(MIN_DELAY_NANOS, MAX_DELAY_NANOS + 1);
            cancels[i] = random.nextInt(10) != 0;
        }
        switch (impl) {
            case "spindle" -> {
                SpindlePeer spindle = new SpindlePeer();
                executor = spindle;
                churn = new SpindleChurn(this, spindle.loop);
            }
            case "netty" -> {
                NettyPeer netty = new NettyPeer();
                executor = netty;
                churn = new NettyChurn(this, netty.loop);
            }
            case "jdk" -> {
                stpe = new ScheduledThreadPoolExecutor(1);
                stpe.setRemoveOnCancelPolicy(true);
                executor = new JdkPeer(stpe);
                churn = new JdkChurn(this, stpe);
            }
            case "agrona" -> agrona = new AgronaChurn(this);
            default -> throw new IllegalArgumentException("impl: unknown implementation '" + impl + "'");
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        if (stpe != null) {
            stpe.shutdownNow(); // drops the pending timers instead of waiting for them
        }
        if (executor != null) {
            executor.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void churn() {
        if (agrona != null) {
            agrona.runBatch();
        } else {
            churn.runOn(executor);
        }
    }

    /** Spindle: one {@link TimerHandle} per timer, the only allocation. */
    static final class SpindleChurn extends LoopHandoff {
        private final EventLoop loop;
        private final long[] delays;
        private final boolean[] cancels;
        private final TimerHandle[] ring = new TimerHandle[RING];
        private int cursor;

        SpindleChurn(TimerChurnBench bench, EventLoop loop) {
            this.loop = loop;
            this.delays = bench.delays;
            this.cancels = bench.cancels;
        }

        @Override
        public void run() {
            int c = cursor;
            for (int i = 0; i < BATCH; i++, c++) {
                int k = c & PATTERN_MASK;
                TimerHandle timer = loop.schedule(delays[k], TimeUnit.NANOSECONDS, NOOP);
                int slot = c & RING_MASK;
                TimerHandle old = ring[slot];
                ring[slot] = cancels[k] ? timer : null;
                if (old != null) {
                    old.cancel();
                }
            }
            cursor = c;
            finish();
        }
    }

    /** Netty: a {@code ScheduledFutureTask} per timer, in the loop's priority queue. */
    static final class NettyChurn extends LoopHandoff {
        private final IoEventLoop loop;
        private final long[] delays;
        private final boolean[] cancels;
        private final ScheduledFuture<?>[] ring = new ScheduledFuture<?>[RING];
        private int cursor;

        NettyChurn(TimerChurnBench bench, IoEventLoop loop) {
            this.loop = loop;
            this.delays = bench.delays;
            this.cancels = bench.cancels;
        }

        @Override
        public void run() {
            int c = cursor;
            for (int i = 0; i < BATCH; i++, c++) {
                int k = c & PATTERN_MASK;
                ScheduledFuture<?> timer = loop.schedule(NOOP, delays[k], TimeUnit.NANOSECONDS);
                int slot = c & RING_MASK;
                ScheduledFuture<?> old = ring[slot];
                ring[slot] = cancels[k] ? timer : null;
                if (old != null) {
                    old.cancel(false);
                }
            }
            cursor = c;
            finish();
        }
    }

    /** The JDK: a {@code ScheduledFutureTask} per timer in a locked binary heap. */
    static final class JdkChurn extends LoopHandoff {
        private final ScheduledThreadPoolExecutor stpe;
        private final long[] delays;
        private final boolean[] cancels;
        private final ScheduledFuture<?>[] ring = new ScheduledFuture<?>[RING];
        private int cursor;

        JdkChurn(TimerChurnBench bench, ScheduledThreadPoolExecutor stpe) {
            this.stpe = stpe;
            this.delays = bench.delays;
            this.cancels = bench.cancels;
        }

        @Override
        public void run() {
            int c = cursor;
            for (int i = 0; i < BATCH; i++, c++) {
                int k = c & PATTERN_MASK;
                ScheduledFuture<?> timer = stpe.schedule(NOOP, delays[k], TimeUnit.NANOSECONDS);
                int slot = c & RING_MASK;
                ScheduledFuture<?> old = ring[slot];
                ring[slot] = cancels[k] ? timer : null;
                if (old != null) {
                    old.cancel(false);
                }
            }
            cursor = c;
            finish();
        }
    }

    /** Agrona: timer ids ({@code long}) in a raw wheel; no handle objects, no loop. */
    static final class AgronaChurn {
        private static final long TICK_NANOS = 1L << 20;
        private final DeadlineTimerWheel wheel;
        private final DeadlineTimerWheel.TimerHandler onExpiry = (unit, now, timerId) -> true;
        private final long[] delays;
        private final boolean[] cancels;
        private final long[] ring = new long[RING];
        private int cursor;

        AgronaChurn(TimerChurnBench bench) {
            this.wheel = new DeadlineTimerWheel(TimeUnit.NANOSECONDS, System.nanoTime(), TICK_NANOS, 512);
            this.delays = bench.delays;
            this.cancels = bench.cancels;
            Arrays.fill(ring, DeadlineTimerWheel.NULL_DEADLINE);
        }

        void runBatch() {
            long now = System.nanoTime();
            int c = cursor;
            for (int i = 0; i < BATCH; i++, c++) {
                int k = c & PATTERN_MASK;
                long timer = wheel.scheduleTimer(now + delays[k]);
                int slot = c & RING_MASK;
                long old = ring[slot];
                ring[slot] = cancels[k] ? timer : DeadlineTimerWheel.NULL_DEADLINE;
                if (old != DeadlineTimerWheel.NULL_DEADLINE) {
                    wheel.cancelTimer(old);
                }
            }
            cursor = c;
            // Catch the wheel up to now, one tick per poll, as a loop polling once per iteration would.
            while (wheel.currentTickTime() <= now) {
                wheel.poll(now, onExpiry, Integer.MAX_VALUE);
            }
        }
    }
}
