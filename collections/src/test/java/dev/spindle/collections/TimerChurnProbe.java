package dev.spindle.collections;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A quick before/after probe of {@link TimerWheel} under the churn of the bench module's {@code
 * TimerChurnBench}, without JMH: one thread schedules timers with delays of 1–1000 ms on a wheel of 512
 * ticks of 1 ms, cancels 90 % of them 1,024 timers later, and polls after every batch of 4,096,
 * allocating one node per timer as the engine does. A main program, not a test.
 *
 * <pre>
 * java -Xms1g -Xmx1g -cp collections/target/classes:collections/target/test-classes \
 *     dev.spindle.collections.TimerChurnProbe [timersPerRun=1000000] [runs=5] [nanosPerTimer=100] [stallMillis=0]
 * java -cp ... dev.spindle.collections.TimerChurnProbe size   # bytes per node, measured
 * </pre>
 *
 * <p>By default the clock is virtual: it advances {@code nanosPerTimer} per scheduled timer, so every
 * run does the same work whatever the machine's load (at 100 ns, about 1,000 timers expire per tick,
 * a poll every 0.4 ms). {@code nanosPerTimer = 0} reads {@link System#nanoTime()} instead, as the
 * benchmark does; then a stalled poll makes the next one deliver more, and the numbers follow the
 * machine's load. {@code stallMillis > 0} makes the virtual clock jump that far every 256 batches, as
 * a loop descheduled or paused by the collector would see it, so that single polls deliver tens of
 * thousands of timers. A warm-up longer than the longest delay (1.5 s of the clock) puts the wheel in
 * its steady state first.
 *
 * <p>Each run prints the thread's CPU time and the wall time per timer (schedule + cancel + its share
 * of polling; the collector's threads are not counted), the polls' share of the CPU time and the worst
 * single poll; the last line is the median over the runs.
 */
final class TimerChurnProbe {
    private static final long TICK_NANOS = 1_000_000;
    private static final int TICKS_PER_WHEEL = 512;
    private static final int BATCH = 4_096;
    private static final int RING = 1_024;
    private static final int PATTERN = 1 << 16;
    private static final long MIN_DELAY_NANOS = 1_000_000;
    private static final long MAX_DELAY_NANOS = 1_000_000_000;
    private static final long WARMUP_NANOS = 1_500_000_000;
    private static final int STALL_EVERY_BATCHES = 256;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final long nanosPerTimer;
    private final long stallNanos;
    private long batchCount;
    private final long start;
    private final TimerWheel<ProbeTimer> wheel;
    private final long[] delays = new long[PATTERN];
    private final boolean[] cancels = new boolean[PATTERN];
    private final ProbeTimer[] ring = new ProbeTimer[RING];
    private final CountingHandler handler = new CountingHandler();
    private int cursor;
    private long virtualNow;

    private long polls;
    private long pollCpuNanos;
    private long worstPollNanos;
    private int worstPollDelivered;

    /** A bare node: its size is the wheel's per-timer overhead. */
    private static final class ProbeTimer extends TimerNode {}

    /** A node shaped like the engine's {@code ScheduledCallback}: two references, a long and an int more. */
    @SuppressWarnings("unused")
    private static final class EngineShapedTimer extends TimerNode {
        private final Object loop = null;
        private final Object task = null;
        private final long when = 0;
        private volatile int state;
    }

    private static final class CountingHandler implements TimerHandler<ProbeTimer> {
        long expired;

        @Override
        public void onExpiry(ProbeTimer timer) {
            expired++;
        }
    }

    private TimerChurnProbe(long nanosPerTimer, long stallNanos) {
        this.nanosPerTimer = nanosPerTimer;
        this.stallNanos = stallNanos;
        this.start = System.nanoTime();
        this.virtualNow = start;
        this.wheel = new TimerWheel<>(TICK_NANOS, TICKS_PER_WHEEL, start);
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < PATTERN; i++) {
            delays[i] = random.nextLong(MIN_DELAY_NANOS, MAX_DELAY_NANOS + 1);
            cancels[i] = random.nextInt(10) != 0;
        }
    }

    private long now() {
        return nanosPerTimer == 0 ? System.nanoTime() : virtualNow;
    }

    /** Schedules {@code batches} batches, cancelling and polling as the benchmark does. */
    private void churn(long batches) {
        int c = cursor;
        for (long b = 0; b < batches; b++) {
            long now = now();
            for (int i = 0; i < BATCH; i++, c++) {
                int k = c & (PATTERN - 1);
                ProbeTimer timer = new ProbeTimer();
                wheel.scheduleAfter(timer, delays[k], now);
                int slot = c & (RING - 1);
                ProbeTimer old = ring[slot];
                ring[slot] = cancels[k] ? timer : null;
                if (old != null) {
                    wheel.cancel(old);
                }
            }
            virtualNow += BATCH * nanosPerTimer;
            if (++batchCount % STALL_EVERY_BATCHES == 0) {
                virtualNow += stallNanos;
            }
            long pollStart = System.nanoTime();
            long pollCpuStart = THREADS.getCurrentThreadCpuTime();
            int delivered = wheel.poll(now(), handler);
            pollCpuNanos += THREADS.getCurrentThreadCpuTime() - pollCpuStart;
            long pollTime = System.nanoTime() - pollStart;
            polls++;
            if (pollTime > worstPollNanos) {
                worstPollNanos = pollTime;
                worstPollDelivered = delivered;
            }
        }
        cursor = c;
    }

    private void resetPollStats() {
        polls = 0;
        pollCpuNanos = 0;
        worstPollNanos = 0;
        worstPollDelivered = 0;
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("size")) {
            printNodeSizes();
            return;
        }
        long timersPerRun = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        long nanosPerTimer = args.length > 2 ? Long.parseLong(args[2]) : 100;
        long stallMillis = args.length > 3 ? Long.parseLong(args[3]) : 0;
        long batches = Math.max(1, timersPerRun / BATCH);
        TimerChurnProbe probe = new TimerChurnProbe(nanosPerTimer, nanosPerTimer == 0 ? 0 : stallMillis * 1_000_000);
        while (probe.now() - probe.start < WARMUP_NANOS) {
            probe.churn(16);
        }
        System.out.printf(
                "%s clock; warm-up: %d expired, %d pending%n",
                nanosPerTimer == 0
                        ? "real"
                        : "virtual " + nanosPerTimer + " ns/timer, " + stallMillis + " ms stall every "
                                + STALL_EVERY_BATCHES + " batches,",
                probe.handler.expired,
                probe.wheel.size());
        double[] cpuPerTimer = new double[runs];
        double[] wallPerTimer = new double[runs];
        for (int run = 0; run < runs; run++) {
            probe.resetPollStats();
            long expiredBefore = probe.handler.expired;
            long wallStart = System.nanoTime();
            long cpuStart = THREADS.getCurrentThreadCpuTime();
            probe.churn(batches);
            long cpu = THREADS.getCurrentThreadCpuTime() - cpuStart;
            long wall = System.nanoTime() - wallStart;
            long timers = batches * BATCH;
            cpuPerTimer[run] = (double) cpu / timers;
            wallPerTimer[run] = (double) wall / timers;
            System.out.printf(
                    "run %d: %.1f ns/timer CPU, %.1f wall (polls %.1f CPU; %d polls, worst %.2f ms delivering %d); "
                            + "%d expired, %d pending%n",
                    run,
                    cpuPerTimer[run],
                    wallPerTimer[run],
                    (double) probe.pollCpuNanos / timers,
                    probe.polls,
                    probe.worstPollNanos / 1e6,
                    probe.worstPollDelivered,
                    probe.handler.expired - expiredBefore,
                    probe.wheel.size());
        }
        System.out.printf(
                "median %.1f ns/timer CPU, %.1f wall, over %d runs of %d timers%n",
                median(cpuPerTimer), median(wallPerTimer), runs, batches * BATCH);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** Measures bytes per node from the thread's allocation counter over a million allocations. */
    private static void printNodeSizes() {
        int count = 1_000_000;
        Object[] keep = new Object[count];
        long threadId = Thread.currentThread().threadId();
        for (int round = 0; round < 3; round++) {
            long before = THREADS.getThreadAllocatedBytes(threadId);
            for (int i = 0; i < count; i++) {
                keep[i] = new ProbeTimer();
            }
            long middle = THREADS.getThreadAllocatedBytes(threadId);
            for (int i = 0; i < count; i++) {
                keep[i] = new EngineShapedTimer();
            }
            long after = THREADS.getThreadAllocatedBytes(threadId);
            System.out.printf(
                    "round %d: bare TimerNode subclass %.1f B, engine-shaped subclass %.1f B%n",
                    round, (double) (middle - before) / count, (double) (after - middle) / count);
        }
    }
}
