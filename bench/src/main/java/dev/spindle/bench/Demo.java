package dev.spindle.bench;

import dev.spindle.engine.Awaitable;
import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.LoopStats;
import dev.spindle.engine.Task;
import dev.spindle.engine.TimerHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * A real workload on an {@link Engine} with one loop per core, then a report.
 *
 * <p>{@value #PRODUCERS} producer threads submit run-to-completion tasks round-robin across all loops at
 * a paced rate, from outside the loops. Each task carries its submit timestamp; its loop records the
 * submit-to-run latency in a loop-local HdrHistogram (merged at the end). 1 % of tasks throw on purpose,
 * and the producers cancel 5 % of them right after submitting. One op in eight also schedules a timer
 * 1–100 ms ahead from the producer thread; half of the timers are cancelled a little later. Every
 * task's outcome is counted on its loop by a done callback, every timer's by its callback or by the
 * producer's successful cancel, so the report can check that nothing was lost: completed + failed +
 * cancelled must equal submitted, fired + cancelled must equal scheduled, and nothing may be left queued.
 *
 * <p>Usage: {@code Demo [seconds] [tasks per second]}; defaults 15 s and 500,000 tasks/s in total. The
 * exit code is 1 when a check fails.
 */
public final class Demo {
    private static final int PRODUCERS = 2;
    private static final int TIMER_EVERY = 8;
    private static final int TIMER_RING = 128;
    private static final long MAX_TIMER_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private Demo() {}

    public static void main(String[] args) throws InterruptedException {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 15;
        long rate = args.length > 1 ? Long.parseLong(args[1]) : 500_000;
        if (seconds <= 0 || rate <= 0) {
            System.err.println("usage: Demo [seconds > 0] [tasks per second > 0]");
            System.exit(2);
        }
        Engine engine = Engine.builder()
                .exceptionHandler((message, error, source) -> {
                    if (!(error instanceof IntendedFailure)) {
                        System.err.println(message + ": " + error + " (" + source + ")");
                    }
                })
                .build();
        int loops = engine.loopCount();
        LoopTally[] tallies = new LoopTally[loops];
        for (int i = 0; i < loops; i++) {
            tallies[i] = new LoopTally(engine.loop(i));
        }
        System.out.printf(
                Locale.ROOT,
                "Spindle demo: %d loops, %d producers, %.0f s, target %,d tasks/s; 1%% of tasks fail,"
                        + " 5%% are cancelled, 1 timer per %d tasks (1-100 ms, half cancelled)%n",
                loops,
                PRODUCERS,
                seconds,
                rate,
                TIMER_EVERY);

        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        List<Producer> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            Producer producer = new Producer(p, engine, tallies, (double) rate / PRODUCERS / 1e9, start, end);
            producers.add(producer);
            producer.thread.start();
        }
        while (System.nanoTime() < end) {
            Thread.sleep(500);
            printProgress(start, producers, tallies);
        }
        for (Producer producer : producers) {
            producer.thread.join();
        }
        printProgress(start, producers, tallies);
        long elapsedNanos = System.nanoTime() - start;
        System.out.println();

        // Every producer has stopped; wait for the loops to account for everything submitted.
        Totals totals = Totals.of(producers, tallies);
        long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!totals.allAccounted() && System.nanoTime() < drainDeadline) {
            Thread.sleep(10);
            totals = Totals.of(producers, tallies);
        }
        long queued = 0;
        for (LoopStats s : engine.stats()) {
            queued += s.queueDepth() + s.readyDepth() + s.timersPending();
        }
        boolean clean = engine.shutdown(Duration.ofSeconds(5));
        // The loop threads have exited: their histograms and counters are safely visible now.
        totals = Totals.of(producers, tallies);
        boolean ok = report(totals, tallies, elapsedNanos, queued, clean, engine.stats());
        System.exit(ok ? 0 : 1);
    }

    private static void printProgress(long start, List<Producer> producers, LoopTally[] tallies) {
        Totals t = Totals.of(producers, tallies);
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "\r%6.1f s  submitted %,13d  done %,13d  %6.2f M tasks/s  timers %,11d  ",
                elapsed,
                t.submitted,
                t.tasksDone(),
                t.tasksDone() / elapsed / 1e6,
                t.timersScheduled);
        System.out.flush();
    }

    private static boolean report(
            Totals t, LoopTally[] tallies, long elapsedNanos, long queued, boolean clean, List<LoopStats> stats) {
        Histogram latency = new Histogram(3);
        Histogram lateness = new Histogram(3);
        long early = 0;
        for (LoopTally tally : tallies) {
            latency.add(tally.latency);
            lateness.add(tally.lateness);
            early += tally.get(LoopTally.EARLY);
        }
        double seconds = elapsedNanos / 1e9;
        long tasksLeft = t.submitted - t.tasksDone();
        long timersLeft = t.timersScheduled - t.timersFired - t.timersCancelled;
        boolean tasksAddUp = tasksLeft == 0;
        boolean timersAddUp = timersLeft == 0;

        System.out.println();
        System.out.println("Throughput");
        row("  tasks run (completed + failed)", "%,d", t.completed + t.failed);
        row("  tasks per second", "%,.0f", (t.completed + t.failed) / seconds);
        row("  submissions refused (queue full, retried)", "%,d", t.refused);
        System.out.println();
        System.out.printf(
                Locale.ROOT, "%-40s %9s %9s %9s %9s %9s%n", "Latency (µs)", "p50", "p90", "p99", "p99.9", "max");
        percentiles("  submit -> run", latency);
        percentiles("  timer lateness (loop.time() - deadline)", lateness);
        System.out.println();
        System.out.println("Tasks");
        row("  submitted", "%,d", t.submitted);
        row("  completed", "%,d", t.completed);
        row("  failed (1% on purpose)", "%,d", t.failed);
        row(
                "  cancelled (cancel requests: " + String.format(Locale.ROOT, "%,d", t.cancelRequests) + ")",
                "%,d",
                t.cancelled);
        row("  completed + failed + cancelled", "%,d", t.tasksDone());
        check("  adds up to submitted", tasksAddUp);
        row("  tasks left", "%,d", tasksLeft);
        System.out.println();
        System.out.println("Timers");
        row("  scheduled", "%,d", t.timersScheduled);
        row("  fired", "%,d", t.timersFired);
        row("  cancelled", "%,d", t.timersCancelled);
        check("  fired + cancelled = scheduled", timersAddUp);
        row("  timers left", "%,d", timersLeft);
        row("  fired early (must be 0)", "%,d", early);
        System.out.println();
        System.out.println("Loops");
        for (LoopStats s : stats) {
            System.out.printf(
                    Locale.ROOT,
                    "  %-16s run %,12d  iterations %,12d  parks %,10d  wakeups %,10d  max lag %,8.1f µs%n",
                    s.name(),
                    s.tasksRun(),
                    s.iterations(),
                    s.parks(),
                    s.wakeups(),
                    s.maxLagNanos() / 1e3);
        }
        row("  queued at the end (queues + ready + timers)", "%,d", queued);
        check("  shut down within the grace period", clean);
        boolean ok = tasksAddUp && timersAddUp && early == 0 && queued == 0 && clean;
        System.out.println();
        System.out.println(ok ? "RESULT: OK" : "RESULT: FAILED (see the checks above)");
        return ok;
    }

    private static void row(String label, String format, Object value) {
        System.out.printf(Locale.ROOT, "%-46s %16s%n", label, String.format(Locale.ROOT, format, value));
    }

    private static void check(String label, boolean passed) {
        System.out.printf(Locale.ROOT, "%-46s %16s%n", label, passed ? "yes" : "NO");
    }

    private static void percentiles(String label, Histogram h) {
        if (h.getTotalCount() == 0) {
            System.out.printf(Locale.ROOT, "%-40s (no samples)%n", label);
            return;
        }
        System.out.printf(
                Locale.ROOT,
                "%-40s %9.1f %9.1f %9.1f %9.1f %9.1f   (%,d samples)%n",
                label,
                h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(90) / 1e3,
                h.getValueAtPercentile(99) / 1e3,
                h.getValueAtPercentile(99.9) / 1e3,
                h.getMaxValue() / 1e3,
                h.getTotalCount());
    }

    /** Thrown by the 1 % of tasks that fail on purpose; no stack trace, it is expected. */
    static final class IntendedFailure extends RuntimeException {
        IntendedFailure() {
            super("failed on purpose", null, false, false);
        }
    }

    /**
     * One loop's counters and histograms. Written only on that loop's thread (single writer) with opaque
     * stores, read by the progress line with opaque loads and by the report after the loop has exited.
     */
    static final class LoopTally {
        static final int COMPLETED = 0;
        static final int FAILED = 1;
        static final int CANCELLED = 2;
        static final int FIRED = 3;
        static final int EARLY = 4;

        final EventLoop loop;
        final Histogram latency = new Histogram(3);
        final Histogram lateness = new Histogram(3);
        private final long[] counts = new long[5];

        /** Counts a task's outcome; registered with {@code onDone}, so it runs on the task's loop. */
        final Consumer<Awaitable<Object>> onDone = this::account;

        LoopTally(EventLoop loop) {
            this.loop = loop;
        }

        private void account(Awaitable<Object> task) {
            switch (task.state()) {
                case SUCCEEDED -> increment(COMPLETED);
                case FAILED -> {
                    task.exception(); // read: the failure is expected, not "never retrieved"
                    increment(FAILED);
                }
                case CANCELLED -> increment(CANCELLED);
                default -> throw new IllegalStateException("done callback on an unfinished task: " + task);
            }
        }

        void increment(int which) {
            LONGS.setOpaque(counts, which, counts[which] + 1);
        }

        long get(int which) {
            return (long) LONGS.getOpaque(counts, which);
        }
    }

    /** A submitted task: records its submit-to-run latency on its loop; 1 % throw. */
    static final class Job implements Callable<Object> {
        private final LoopTally tally;
        private final long submitNanos;
        private final boolean fail;

        Job(LoopTally tally, long submitNanos, boolean fail) {
            this.tally = tally;
            this.submitNanos = submitNanos;
            this.fail = fail;
        }

        @Override
        public Object call() {
            tally.latency.recordValue(Math.max(0, System.nanoTime() - submitNanos));
            if (fail) {
                throw new IntendedFailure();
            }
            return null;
        }
    }

    /** A timer's callback: records how late it fired by its loop's clock. */
    static final class TimerJob implements Runnable {
        private final LoopTally tally;
        long deadline;

        TimerJob(LoopTally tally) {
            this.tally = tally;
        }

        @Override
        public void run() {
            long late = tally.loop.time() - deadline;
            if (late < 0) {
                tally.increment(LoopTally.EARLY);
            }
            tally.lateness.recordValue(Math.max(0, late));
            tally.increment(LoopTally.FIRED);
        }
    }

    /** One producer thread and its counters (single writer, opaque stores). */
    static final class Producer implements Runnable {
        static final int SUBMITTED = 0;
        static final int REFUSED = 1;
        static final int CANCEL_REQUESTS = 2;
        static final int TIMERS = 3;
        static final int TIMERS_CANCELLED = 4;

        final Thread thread;
        private final Engine engine;
        private final LoopTally[] tallies;
        private final double perNanosecond;
        private final long start;
        private final long end;
        private final SplittableRandom random;
        private final long[] counts = new long[5];
        private final TimerHandle[] timers = new TimerHandle[TIMER_RING];

        Producer(int index, Engine engine, LoopTally[] tallies, double perNanosecond, long start, long end) {
            this.engine = engine;
            this.tallies = tallies;
            this.perNanosecond = perNanosecond;
            this.start = start;
            this.end = end;
            this.random = new SplittableRandom(index * 31L + 7);
            this.thread = new Thread(this, "demo-producer-" + index);
        }

        @Override
        public void run() {
            int next = 0;
            long ops = 0;
            long now;
            while ((now = System.nanoTime()) < end) {
                long due = (long) ((now - start) * perNanosecond);
                if (ops >= due) {
                    LockSupport.parkNanos(50_000); // ahead of the pace: let the loops have the cores
                    continue;
                }
                // Behind the pace by more than 10 ms of work: skip ahead rather than flood the queues.
                long backlog = Math.min(due - ops, (long) (perNanosecond * 10_000_000) + 1);
                for (long i = 0; i < backlog; i++, ops++) {
                    LoopTally tally = tallies[next];
                    next = next + 1 == tallies.length ? 0 : next + 1;
                    submitTask(tally);
                    if (ops % TIMER_EVERY == 0) {
                        scheduleTimer(tally, ops / TIMER_EVERY);
                    }
                }
                ops = Math.max(ops, due);
            }
            // Cancel the flagged timers still in the ring, as a shutting-down producer would.
            for (int i = 0; i < TIMER_RING; i++) {
                cancelTimer(i);
            }
        }

        private void submitTask(LoopTally tally) {
            Job job = new Job(tally, System.nanoTime(), random.nextInt(100) == 0);
            Task<Object> task;
            while ((task = tally.loop.trySubmit(job)) == null) {
                increment(REFUSED);
                Thread.yield();
            }
            task.onDone(tally.onDone);
            increment(SUBMITTED);
            if (random.nextInt(20) == 0) {
                task.cancel("cancelled by the demo");
                increment(CANCEL_REQUESTS);
            }
        }

        private void scheduleTimer(LoopTally tally, long sequence) {
            int slot = (int) (sequence % TIMER_RING);
            cancelTimer(slot);
            TimerJob job = new TimerJob(tally);
            long delay = 1_000_000 + random.nextLong(MAX_TIMER_DELAY_NANOS - 1_000_000);
            job.deadline = tally.loop.time() + delay;
            TimerHandle timer = tally.loop.scheduleAt(job.deadline, job);
            increment(TIMERS);
            timers[slot] = random.nextBoolean() ? timer : null; // half are cancelled when the slot is reused
        }

        private void cancelTimer(int slot) {
            TimerHandle old = timers[slot];
            timers[slot] = null;
            if (old != null && old.cancel()) {
                increment(TIMERS_CANCELLED);
            }
        }

        private void increment(int which) {
            LONGS.setOpaque(counts, which, counts[which] + 1);
        }

        long get(int which) {
            return (long) LONGS.getOpaque(counts, which);
        }
    }

    /** A consistent-enough snapshot of every counter, for the progress line and the report. */
    record Totals(
            long submitted,
            long refused,
            long cancelRequests,
            long completed,
            long failed,
            long cancelled,
            long timersScheduled,
            long timersFired,
            long timersCancelled) {

        static Totals of(List<Producer> producers, LoopTally[] tallies) {
            long completed = 0, failed = 0, cancelled = 0, fired = 0;
            for (LoopTally t : tallies) {
                completed += t.get(LoopTally.COMPLETED);
                failed += t.get(LoopTally.FAILED);
                cancelled += t.get(LoopTally.CANCELLED);
                fired += t.get(LoopTally.FIRED);
            }
            long submitted = 0, refused = 0, cancelRequests = 0, timers = 0, timersCancelled = 0;
            for (Producer p : producers) {
                submitted += p.get(Producer.SUBMITTED);
                refused += p.get(Producer.REFUSED);
                cancelRequests += p.get(Producer.CANCEL_REQUESTS);
                timers += p.get(Producer.TIMERS);
                timersCancelled += p.get(Producer.TIMERS_CANCELLED);
            }
            return new Totals(
                    submitted, refused, cancelRequests, completed, failed, cancelled, timers, fired, timersCancelled);
        }

        long tasksDone() {
            return completed + failed + cancelled;
        }

        boolean allAccounted() {
            return tasksDone() == submitted && timersFired + timersCancelled == timersScheduled;
        }
    }
}
