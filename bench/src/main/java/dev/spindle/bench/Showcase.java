package dev.spindle.bench;

import dev.spindle.engine.Async;
import dev.spindle.engine.Awaitable;
import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.ExceptionHandler;
import dev.spindle.engine.LoopStallException;
import dev.spindle.engine.LoopStats;
import dev.spindle.engine.RejectedTaskException;
import dev.spindle.engine.SlowStepException;
import dev.spindle.engine.Task;
import dev.spindle.engine.TaskGroup;
import dev.spindle.engine.TaskGroupException;
import dev.spindle.engine.TaskTimeoutException;
import dev.spindle.engine.channel.Channel;
import dev.spindle.engine.channel.ChannelClosedException;
import dev.spindle.engine.sync.Semaphore;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * A small latency-sensitive service on an {@link Engine}, built from every part of Spindle, then a report
 * whose checks show that nothing was lost or leaked.
 *
 * <p>Producer threads offer requests at a paced rate (after a short ramp) and place them round-robin over
 * the loops ({@code engine.next().spawn(...)}). Each loop's queue holds about one time limit's worth of its
 * arrivals; a loop that falls further behind refuses the spawn ({@link RejectedTaskException}) and the
 * request is shed. Each request is a coroutine task with a deadline {@value #TIMEOUT_MILLIS} ms after its
 * arrival ({@link Async#timeoutAt}, so time spent queued counts), within which it runs:
 *
 * <ol>
 *   <li>a fan-out to two or three simulated backends in a {@link TaskGroup}: the cache on its own loop,
 *       the profile service on the next loop and, for half of the requests, search on the one after
 *       ({@code spawnOn}); each backend is an {@link Async#sleep} of a few milliseconds with jitter;
 *   <li>a ledger write, a few microseconds of CPU standing in for a blocking call, on the worker pool
 *       ({@link Async#offload}), holding one of the {@value #LEDGER_PERMITS} connections of its loop's
 *       ledger {@link Semaphore} meanwhile (the primitives are loop-local: one semaphore per loop);
 *   <li>a {@link Channel} send of its result to the aggregator, one coroutine task on loop 0.
 * </ol>
 *
 * <p>Some requests go wrong on purpose: for 1 % the profile service throws, which cancels the other
 * backends and fails the request; for 0.5 % the cache straggles past the deadline, so the request times
 * out; and the producers cancel 2 % of the requests from their own thread, 0–4 ms after submitting them.
 * Every outcome is counted on the request's loop by a done callback, so the report can check that
 * succeeded + timed out + cancelled + failed + shed = submitted.
 *
 * <p>Before the measured run, the same service runs for 1.5 s on a throwaway engine, unreported, so that
 * the measured run does not include loading classes and compiling the hot paths, and the worker pool is
 * started before traffic arrives (see {@link #rehearse} and {@link #startWorkerPool}).
 *
 * <p>The run ends as a service would: the producers stop, the requests in flight finish, the channel is
 * closed and the aggregator drains it, and the engine is shut down with a grace period. Before the
 * shutdown the report checks that no task is left ({@link Engine#allTasks()}) and that every semaphore
 * has all its permits back.
 *
 * <p>Loop lag comes from debug mode ({@link Engine.Builder#debug}): each loop times every step and the
 * lateness of every timer, the requests' sleeps and deadlines included, into the histograms of {@link
 * LoopStats}. Debug mode also records where each task was created, one stack capture per task; at this
 * load that costs a few percent of the loops' CPU.
 *
 * <p>Usage: {@code Showcase [--seconds N] [--rate N] [--loops N] [--producers N]}; {@code --help}
 * explains them. The exit code is 1 when a check fails, 2 when the command line is wrong.
 */
public final class Showcase {
    static final int TIMEOUT_MILLIS = 200;
    static final int LEDGER_PERMITS = 8;
    private static final long TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
    private static final int CHANNEL_CAPACITY = 1024;
    static final int MIN_QUEUE = 256;
    private static final int MAX_QUEUE = 1 << 20;
    private static final int FAIL_PER_MILLE = 10;
    private static final int STRAGGLE_PER_MILLE = 5;
    private static final int CANCEL_PER_MILLE = 20;
    private static final long MAX_CANCEL_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(4);
    private static final long STRAGGLER_MICROS = 300_000;
    private static final int LEDGER_ROUNDS = 1_000;
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(10);
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);
    private static final long MAX_RAMP_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long REHEARSAL_NANOS = TimeUnit.MILLISECONDS.toNanos(1_500);
    private static final long MIN_PARK_NANOS = 200_000;
    private static final long MAX_PARK_NANOS = 1_000_000;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final ShowcaseOptions options;
    private final Incidents incidents = new Incidents();
    private final Engine engine;
    private final Shard[] shards;
    private final Channel<Result> results = Channel.mpsc(CHANNEL_CAPACITY);

    private Showcase(ShowcaseOptions options) {
        this.options = options;
        this.engine = Engine.builder()
                .loops(options.loops())
                .queueCapacity(queueCapacity(options))
                .debug(true)
                .exceptionHandler(incidents)
                .build();
        this.shards = new Shard[engine.loopCount()];
        for (int i = 0; i < shards.length; i++) {
            shards[i] = new Shard(engine.loop(i));
        }
    }

    /**
     * Each loop's queue holds about one time limit's worth of its arrivals (at least {@value
     * #MIN_QUEUE}): a request that waited longer would be out of time before it started, so a loop that
     * falls that far behind sheds instead.
     */
    static int queueCapacity(ShowcaseOptions options) {
        double perLoop = (double) options.rate() / options.loops() * TIMEOUT_MILLIS / 1_000;
        return Math.clamp((long) Math.ceil(perLoop), MIN_QUEUE, MAX_QUEUE);
    }

    /**
     * Runs the showcase with the options in {@code args} (see {@link ShowcaseOptions}) and exits with 0 when
     * every check passed, 1 when one failed, 2 when the command line or the JVM flags are wrong.
     */
    public static void main(String[] args) throws InterruptedException {
        ShowcaseOptions options;
        try {
            options = ShowcaseOptions.parse(args);
        } catch (IllegalArgumentException bad) {
            System.err.println("Showcase: " + bad.getMessage() + "; --help lists the options");
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.print(ShowcaseOptions.usage());
            return;
        }
        boolean passed;
        try {
            printHeader(options);
            rehearse(options);
            passed = new Showcase(options).run();
        } catch (UnsupportedOperationException noCoroutines) {
            System.err.println("Showcase: " + noCoroutines.getMessage()); // names the JVM flag it needs
            System.exit(2);
            return;
        }
        System.exit(passed ? 0 : 1);
    }

    /** Runs the service for the configured time, reports, and says whether every check passed. */
    private boolean run() throws InterruptedException {
        long poolNanos = startWorkerPool();
        System.out.printf(Locale.ROOT, "worker pool started in %.0f ms%n%n", poolNanos / 1e6);
        long window = windowNanos(options);
        Served served = serve(window, rampNanos(window), true);
        // serve() has shut the engine down: the loops' histograms and plain fields are safely visible now.
        return new Report(served).print(engine.stats());
    }

    /**
     * Runs the whole service once on a throwaway engine for {@link #REHEARSAL_NANOS}, unreported, so that
     * the measured run starts with its classes loaded and its hot paths compiled: on a busy machine the
     * first use of each path (the first failure, the first time-out, ...) loads classes on a loop thread
     * for 0.1-0.7 s, and every request in flight would wait for it.
     */
    private static void rehearse(ShowcaseOptions options) throws InterruptedException {
        long begin = System.nanoTime();
        Showcase rehearsal = new Showcase(options);
        rehearsal.startWorkerPool();
        Served served = rehearsal.serve(REHEARSAL_NANOS, REHEARSAL_NANOS / 4, false);
        System.out.printf(
                Locale.ROOT,
                "rehearsal on a throwaway engine: %,d requests in %.1f s, not reported%n",
                served.totals().submitted(),
                (System.nanoTime() - begin) / 1e9);
    }

    /**
     * Starts the worker pool before taking traffic, and returns how long that took. Left to the first
     * offload, the engine would start its threads on that loop's thread, stalling the loop, and every
     * request in flight would then wait for the workers to pin themselves: the FFM API's first call takes
     * 0.2-0.8 s on a busy machine.
     */
    private long startWorkerPool() {
        long begin = System.nanoTime();
        engine.workerThreads(); // starts the pool on this thread
        engine.loop(0).spawn("warm-up", () -> Async.offload(() -> 0)).join(); // runs once a worker is pinned
        return System.nanoTime() - begin;
    }

    /**
     * Offers requests for {@code window} nanoseconds, after a ramp of {@code ramp}, then shuts the service
     * down in a service's order: the requests in flight finish, the channel is closed and the aggregator
     * drains it, leaks are looked for, and the engine is stopped.
     */
    private Served serve(long window, long ramp, boolean showProgress) throws InterruptedException {
        Task<Aggregate> aggregator = engine.loop(0).spawn("aggregator", this::aggregate);
        long start = System.nanoTime();
        long end = start + window;
        Pace producerPace = new Pace(start, ramp, (double) options.rate() / options.producers() / 1e9);
        List<Producer> producers = new ArrayList<>();
        for (int p = 0; p < options.producers(); p++) {
            Producer producer = new Producer(p, producerPace, end);
            producers.add(producer);
            producer.thread.start();
        }
        Progress progress = new Progress(start);
        while (System.nanoTime() < end) {
            Thread.sleep(Math.max(1, Math.min(500, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
            if (showProgress) {
                progress.print(Totals.of(producers, shards));
            }
        }
        for (Producer producer : producers) {
            producer.thread.join();
        }
        long windowNanos = System.nanoTime() - start;
        if (showProgress) {
            progress.print(Totals.of(producers, shards));
            System.out.println();
        }

        long drainNanos = awaitInFlight(producers);
        results.close();
        Aggregate aggregate = awaitAggregate(aggregator);
        List<Task<?>> leaked = engine.allTasks();
        if (!leaked.isEmpty()) {
            System.out.print(engine.dumpTasks());
        }
        int[] permitsBack = freePermits();
        boolean clean = engine.shutdown(SHUTDOWN_GRACE);
        return new Served(
                Totals.of(producers, shards),
                new Pace(start, ramp, options.rate() / 1e9),
                aggregate,
                windowNanos,
                drainNanos,
                leaked.size(),
                permitsBack,
                clean);
    }

    /**
     * What one run of the service left behind, read after its engine shut down.
     *
     * @param totals every counter
     * @param plan the arrivals planned, by all producers together
     * @param aggregate what the aggregator saw, or {@code null} if it did not finish
     * @param windowNanos how long the producers offered requests
     * @param drainNanos how long the requests in flight then took to finish
     * @param leakedTasks tasks still alive once everything had finished
     * @param permitsBack each ledger semaphore's free permits at the end
     * @param clean whether the engine shut down within its grace period
     */
    record Served(
            Totals totals,
            Pace plan,
            Aggregate aggregate,
            long windowNanos,
            long drainNanos,
            int leakedTasks,
            int[] permitsBack,
            boolean clean) {}

    private static long windowNanos(ShowcaseOptions options) {
        return (long) (options.seconds() * 1e9);
    }

    private static long rampNanos(long windowNanos) {
        return Math.min(MAX_RAMP_NANOS, windowNanos / 5);
    }

    private static void printHeader(ShowcaseOptions options) {
        System.out.printf(
                Locale.ROOT,
                "Spindle showcase: %d loops, %d producers, %s s, %,d requests/s after a %.1f s ramp%n"
                        + "  a request: deadline %d ms after arrival; fan-out to 2-3 backends (0.3-6 ms) on %s;%n"
                        + "    a ledger write offloaded to the worker pool under a semaphore of %d permits per loop;%n"
                        + "    its result through a channel to the aggregator on loop 0%n"
                        + "  on purpose: %.1f%% meet a failing backend, %.1f%% a straggler (%d ms);"
                        + " the producers cancel %.1f%%, 0-%d ms after submitting%n",
                options.loops(),
                options.producers(),
                seconds(options.seconds()),
                options.rate(),
                rampNanos(windowNanos(options)) / 1e9,
                TIMEOUT_MILLIS,
                options.loops() == 1 ? "the request's loop" : "its own and the next loops",
                LEDGER_PERMITS,
                FAIL_PER_MILLE / 10.0,
                STRAGGLE_PER_MILLE / 10.0,
                STRAGGLER_MICROS / 1_000,
                CANCEL_PER_MILLE / 10.0,
                TimeUnit.NANOSECONDS.toMillis(MAX_CANCEL_DELAY_NANOS));
    }

    /** Waits until every accepted request has an outcome, at most {@link #DRAIN_LIMIT}; returns how long. */
    private long awaitInFlight(List<Producer> producers) throws InterruptedException {
        long begin = System.nanoTime();
        long deadline = begin + DRAIN_LIMIT.toNanos();
        while (Totals.of(producers, shards).inFlight() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return System.nanoTime() - begin;
    }

    /** Each ledger semaphore's free permits, read on its own loop (they are loop-local); -1 if unreadable. */
    private int[] freePermits() throws InterruptedException {
        int[] free = new int[shards.length];
        for (int i = 0; i < shards.length; i++) {
            Semaphore ledger = shards[i].ledger;
            try {
                free[i] = shards[i].loop.submit(ledger::value).get(Duration.ofSeconds(5));
            } catch (TimeoutException | RuntimeException e) {
                System.err.println("could not read " + ledger + ": " + e);
                free[i] = -1;
            }
        }
        return free;
    }

    /** Waits for the aggregator to drain the closed channel; {@code null} if it did not end normally. */
    private static Aggregate awaitAggregate(Task<Aggregate> aggregator) throws InterruptedException {
        try {
            return aggregator.get(Duration.ofSeconds(10));
        } catch (TimeoutException | RuntimeException e) {
            System.err.println("the aggregator did not finish: " + e);
            return null;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The service
    // ---------------------------------------------------------------------------------------------

    /** What goes wrong with a request on purpose. */
    enum Fault {
        NONE,
        /** The profile backend throws. */
        BACKEND_ERROR,
        /** The cache answers after the time limit. */
        STRAGGLER
    }

    /** A simulated backend and its latency range. */
    enum Backend {
        CACHE(300, 1_500),
        PROFILE(1_000, 4_000),
        SEARCH(2_000, 6_000);

        final long minMicros;
        final long maxMicros;

        Backend(long minMicros, long maxMicros) {
            this.minMicros = minMicros;
            this.maxMicros = maxMicros;
        }
    }

    /** Thrown by a failing backend; no stack trace, it is expected. */
    static final class BackendFailure extends RuntimeException {
        BackendFailure(Backend backend) {
            super(backend + " failed on purpose", null, false, false);
        }
    }

    /** What a request hands to the aggregator. */
    record Result(int loop, long submitNanos, long entry) {}

    /**
     * One request. {@link #call()} is its body, a coroutine on its loop; {@link #accept} is its done
     * callback, which runs on the same loop and records the outcome.
     */
    final class Request implements Callable<Long>, Consumer<Awaitable<Long>> {
        private final Shard shard;
        private final long submitNanos;
        private final long deadline;
        private final Fault fault;
        private final boolean withSearch;

        /**
         * @param submitNanos when the producer submitted it, by {@link System#nanoTime()}
         * @param deadline when its time is up, on its loop's clock: the time limit counts from arrival, so
         *     time spent in the loop's queue counts too
         */
        Request(Shard shard, long submitNanos, long deadline, Fault fault, boolean withSearch) {
            this.shard = shard;
            this.submitNanos = submitNanos;
            this.deadline = deadline;
            this.fault = fault;
            this.withSearch = withSearch;
        }

        @Override
        public Long call() {
            if (shard.loop.time() >= deadline) {
                // It waited out its deadline in a busy loop's queue: not worth a single backend call.
                throw new TaskTimeoutException("out of time before it started", null);
            }
            return Async.timeoutAt(deadline, scope -> handle());
        }

        private long handle() {
            List<Task<Long>> replies = TaskGroup.run(this::fanOut);
            long digest = 0;
            for (Task<Long> reply : replies) {
                digest = digest * 31 + reply.result();
            }
            long input = digest;
            long entry;
            shard.increment(Shard.LEDGER_ACQUIRES);
            if (shard.ledger.locked()) {
                shard.increment(Shard.LEDGER_WAITS);
            }
            try (var _ = shard.ledger.acquire()) {
                entry = Async.offload(() -> ledgerEntry(input));
            }
            results.send(new Result(shard.loop.index(), submitNanos, entry));
            shard.sent(entry);
            return entry;
        }

        private List<Task<Long>> fanOut(TaskGroup group) {
            int home = shard.loop.index();
            int loops = shards.length;
            List<Task<Long>> replies = new ArrayList<>(3);
            replies.add(group.spawn("cache", () -> callBackend(Backend.CACHE)));
            replies.add(group.spawnOn(engine.loop((home + 1) % loops), "profile", () -> callBackend(Backend.PROFILE)));
            if (withSearch) {
                replies.add(
                        group.spawnOn(engine.loop((home + 2) % loops), "search", () -> callBackend(Backend.SEARCH)));
            }
            return replies;
        }

        private long callBackend(Backend backend) {
            long micros = fault == Fault.STRAGGLER && backend == Backend.CACHE
                    ? STRAGGLER_MICROS
                    : ThreadLocalRandom.current().nextLong(backend.minMicros, backend.maxMicros + 1);
            Async.sleep(Duration.ofNanos(micros * 1_000));
            if (fault == Fault.BACKEND_ERROR && backend == Backend.PROFILE) {
                throw new BackendFailure(backend);
            }
            return micros;
        }

        @Override
        public void accept(Awaitable<Long> request) {
            long latency = Math.max(0, System.nanoTime() - submitNanos);
            int outcome = switch (request.state()) {
                case SUCCEEDED -> Shard.SUCCEEDED;
                case CANCELLED -> Shard.CANCELLED;
                case FAILED -> shard.classify(request.exception());
                default -> throw new IllegalStateException("done callback on an unfinished request: " + request);
            };
            shard.increment(outcome);
            shard.latency[outcome].recordValue(latency);
        }
    }

    /** The offloaded ledger write: a few microseconds of CPU on a worker, standing in for a blocking call. */
    static long ledgerEntry(long seed) {
        long x = seed;
        for (int i = 0; i < LEDGER_ROUNDS; i++) {
            x += 0x9E3779B97F4A7C15L; // splitmix64
            x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
            x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
            x ^= x >>> 31;
        }
        return x;
    }

    /** The aggregator's body, on loop 0: receives every result until the channel is closed and drained. */
    private Aggregate aggregate() {
        Histogram endToEnd = new Histogram(3);
        long[] byLoop = new long[shards.length];
        long received = 0;
        long checksum = 0;
        try {
            while (true) {
                Result result = results.receive();
                endToEnd.recordValue(Math.max(0, System.nanoTime() - result.submitNanos()));
                byLoop[result.loop()]++;
                received++;
                checksum += result.entry();
            }
        } catch (ChannelClosedException drained) {
            return new Aggregate(received, checksum, byLoop, endToEnd);
        }
    }

    /** What the aggregator saw: results received, the sum of their entries, per origin loop, and when. */
    record Aggregate(long received, long checksum, long[] byLoop, Histogram endToEnd) {}

    // ---------------------------------------------------------------------------------------------
    // Load
    // ---------------------------------------------------------------------------------------------

    /**
     * An open-loop schedule of arrivals: a linear ramp from zero to the full rate over {@code rampNanos}
     * (so the JIT compiles the service before it is at full load), then the full rate.
     *
     * @param start when the schedule starts, by {@link System#nanoTime()}
     * @param rampNanos how long the ramp lasts
     * @param perNanosecond the full rate, in requests per nanosecond
     */
    record Pace(long start, long rampNanos, double perNanosecond) {
        /** Requests due from the start until {@code now}. */
        long dueBy(long now) {
            double elapsed = Math.max(0, now - start);
            if (elapsed < rampNanos) {
                return (long) (perNanosecond * elapsed * elapsed / (2.0 * rampNanos));
            }
            return (long) (perNanosecond * (elapsed - rampNanos / 2.0));
        }

        /** The time between two requests at {@code now}, in nanoseconds. */
        long gapAt(long now) {
            double rate = perNanosecond * Math.min(1.0, (double) Math.max(1, now - start) / rampNanos);
            return (long) Math.min(Long.MAX_VALUE, 1 / rate);
        }
    }

    /** A cancel a producer will send later. */
    record PendingCancel(long dueNanos, Task<?> task) implements Comparable<PendingCancel> {
        @Override
        public int compareTo(PendingCancel other) {
            return Long.compare(dueNanos, other.dueNanos);
        }
    }

    /** One producer thread and its counters (single writer, opaque stores). */
    final class Producer implements Runnable {
        static final int SUBMITTED = 0;
        static final int SHED = 1;
        static final int CANCELS = 2;
        static final int CANCELS_LATE = 3;

        final Thread thread;
        private final Pace pace;
        private final long end;
        private final SplittableRandom random;
        private final PriorityQueue<PendingCancel> cancels = new PriorityQueue<>();
        private final long[] counts = new long[4];

        Producer(int index, Pace pace, long end) {
            this.pace = pace;
            this.end = end;
            this.random = new SplittableRandom(index * 31L + 7);
            this.thread = new Thread(this, "showcase-producer-" + index);
        }

        @Override
        public void run() {
            long offered = 0;
            long now;
            while ((now = System.nanoTime()) < end) {
                sendDueCancels(now);
                long due = pace.dueBy(now);
                if (offered >= due) {
                    // Ahead of the pace: sleep until about the next request, in steps the cancels can bear.
                    LockSupport.parkNanos(Math.clamp(pace.gapAt(now), MIN_PARK_NANOS, MAX_PARK_NANOS));
                    continue;
                }
                // Behind the pace by more than 10 ms of requests: skip ahead rather than flood the loops.
                long backlog = Math.min(due - offered, (long) (pace.perNanosecond() * 10_000_000) + 1);
                for (long i = 0; i < backlog; i++) {
                    submit();
                }
                offered = Math.max(offered + backlog, due);
            }
            // Stopping: the cancels still pending go out now, as a client giving up on shutdown.
            sendDueCancels(Long.MAX_VALUE);
        }

        private void submit() {
            int roll = random.nextInt(1000);
            Fault fault = roll < FAIL_PER_MILLE
                    ? Fault.BACKEND_ERROR
                    : roll < FAIL_PER_MILLE + STRAGGLE_PER_MILLE ? Fault.STRAGGLER : Fault.NONE;
            EventLoop loop = engine.next();
            long now = System.nanoTime();
            long deadline = loop.time() + TIMEOUT_NANOS; // off the loop, time() reads the engine's clock afresh
            Request request = new Request(shards[loop.index()], now, deadline, fault, random.nextBoolean());
            increment(SUBMITTED); // before the spawn: "in flight" never goes below zero
            Task<Long> task;
            try {
                task = loop.spawn("request", request);
            } catch (RejectedTaskException full) {
                increment(SHED);
                return;
            }
            task.onDone(request);
            if (random.nextInt(1000) < CANCEL_PER_MILLE) {
                cancels.add(new PendingCancel(now + random.nextLong(MAX_CANCEL_DELAY_NANOS), task));
            }
        }

        private void sendDueCancels(long now) {
            PendingCancel next;
            while ((next = cancels.peek()) != null && next.dueNanos() <= now) {
                cancels.poll();
                increment(next.task().cancel("cancelled by the client") ? CANCELS : CANCELS_LATE);
            }
        }

        private void increment(int which) {
            LONGS.setOpaque(counts, which, counts[which] + 1);
        }

        long get(int which) {
            return (long) LONGS.getOpaque(counts, which);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Accounting
    // ---------------------------------------------------------------------------------------------

    /**
     * One loop's share of the service: its ledger semaphore, the outcomes of its requests and their
     * latencies. Written only on its loop's thread (single writer): the counters with opaque stores, read
     * by the progress line with opaque loads; the histograms and plain fields are read by the report
     * after the loop has exited.
     */
    static final class Shard {
        static final int SUCCEEDED = 0;
        static final int TIMED_OUT = 1;
        static final int CANCELLED = 2;
        static final int FAILED = 3;
        static final int SHED = 4;
        static final int OTHER = 5;
        static final int SENT = 6;
        static final int LEDGER_WAITS = 7;
        static final int LEDGER_ACQUIRES = 8;

        final EventLoop loop;
        final Semaphore ledger;
        /** Submit-to-done latency by outcome, indexed by {@link #SUCCEEDED} ... {@link #OTHER}. */
        final Histogram[] latency = new Histogram[OTHER + 1];

        private final long[] counts = new long[9];
        long sentChecksum;
        Throwable firstOther;

        Shard(EventLoop loop) {
            this.loop = loop;
            this.ledger = new Semaphore(loop, LEDGER_PERMITS);
            for (int i = 0; i < latency.length; i++) {
                latency[i] = new Histogram(3);
            }
        }

        /** The outcome of a failed request: timed out, failed by a backend, shed by a full queue, or a bug. */
        int classify(Throwable failure) {
            if (failure instanceof TaskTimeoutException) {
                return TIMED_OUT;
            }
            if (failure instanceof TaskGroupException group && all(group, BackendFailure.class)) {
                return FAILED;
            }
            if (failure instanceof RejectedTaskException
                    || (failure instanceof TaskGroupException group && all(group, RejectedTaskException.class))) {
                return SHED; // a fan-out refused by a full loop: shed inside the service
            }
            if (firstOther == null) {
                firstOther = failure;
            }
            return OTHER;
        }

        private static boolean all(TaskGroupException group, Class<? extends Throwable> type) {
            for (Throwable error : group.errors()) {
                if (!type.isInstance(error)) {
                    return false;
                }
            }
            return true;
        }

        void sent(long entry) {
            sentChecksum += entry;
            increment(SENT);
        }

        void increment(int which) {
            LONGS.setOpaque(counts, which, counts[which] + 1);
        }

        long get(int which) {
            return (long) LONGS.getOpaque(counts, which);
        }
    }

    /** A consistent-enough snapshot of every counter, for the progress line and the report. */
    record Totals(
            long submitted,
            long shedAtAdmission,
            long cancels,
            long cancelsLate,
            long succeeded,
            long timedOut,
            long cancelled,
            long failed,
            long shedInside,
            long other,
            long sent,
            long sentChecksum,
            long ledgerWaits,
            long ledgerAcquires) {

        static Totals of(List<Producer> producers, Shard[] shards) {
            long submitted = 0, shedAtAdmission = 0, cancels = 0, cancelsLate = 0;
            for (Producer p : producers) {
                submitted += p.get(Producer.SUBMITTED);
                shedAtAdmission += p.get(Producer.SHED);
                cancels += p.get(Producer.CANCELS);
                cancelsLate += p.get(Producer.CANCELS_LATE);
            }
            long[] sum = new long[9];
            long checksum = 0;
            for (Shard s : shards) {
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += s.get(i);
                }
                checksum += s.sentChecksum; // meaningful only once the loops have exited
            }
            return new Totals(
                    submitted,
                    shedAtAdmission,
                    cancels,
                    cancelsLate,
                    sum[Shard.SUCCEEDED],
                    sum[Shard.TIMED_OUT],
                    sum[Shard.CANCELLED],
                    sum[Shard.FAILED],
                    sum[Shard.SHED],
                    sum[Shard.OTHER],
                    sum[Shard.SENT],
                    checksum,
                    sum[Shard.LEDGER_WAITS],
                    sum[Shard.LEDGER_ACQUIRES]);
        }

        long accepted() {
            return submitted - shedAtAdmission;
        }

        /** Accepted requests with an outcome. */
        long done() {
            return succeeded + timedOut + cancelled + failed + shedInside + other;
        }

        long inFlight() {
            return accepted() - done();
        }

        long shed() {
            return shedAtAdmission + shedInside;
        }
    }

    /** The live progress line: elapsed time, requests accepted, done and in flight, and the recent rate. */
    static final class Progress {
        private static final long MIN_INTERVAL_NANOS = 100_000_000;

        private final long start;
        private long lastNanos;
        private long lastDone;
        private double rate;

        Progress(long start) {
            this.start = start;
            this.lastNanos = start;
        }

        void print(Totals t) {
            long now = System.nanoTime();
            long done = t.done();
            if (now - lastNanos >= MIN_INTERVAL_NANOS) { // a shorter interval would make a noisy rate
                rate = (done - lastDone) / ((now - lastNanos) / 1e9);
                lastNanos = now;
                lastDone = done;
            }
            System.out.printf(
                    Locale.ROOT,
                    "\r%6.1f s  accepted %,11d  done %,11d  in flight %,7d  %,9.0f req/s  ",
                    (now - start) / 1e9,
                    t.accepted(),
                    done,
                    t.inFlight(),
                    rate);
            System.out.flush();
        }
    }

    /**
     * Counts what the engine reports through its exception handler: debug mode's slow steps and stalled
     * loops, which a loaded machine may cause, and anything else, which this service should never cause.
     * Called from loop threads and the watchdog.
     */
    static final class Incidents implements ExceptionHandler {
        private static final int PRINTED = 5;

        final AtomicLong slowSteps = new AtomicLong();
        final AtomicLong stalls = new AtomicLong();
        final AtomicLong others = new AtomicLong();
        private final AtomicInteger printed = new AtomicInteger();

        @Override
        public void handle(String message, Throwable error, Object source) {
            if (error instanceof SlowStepException) {
                slowSteps.incrementAndGet();
            } else if (error instanceof LoopStallException) {
                stalls.incrementAndGet();
            } else {
                others.incrementAndGet();
                if (printed.getAndIncrement() < PRINTED) {
                    System.err.println("\nengine report: " + message + ": " + error + " (" + source + ")");
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Report
    // ---------------------------------------------------------------------------------------------

    /** The final report and its checks. */
    final class Report {
        private final Served run;
        private final Totals t;

        Report(Served run) {
            this.run = run;
            this.t = run.totals();
        }

        /** Prints the report; returns whether every check passed. */
        boolean print(List<LoopStats> stats) {
            double seconds = run.windowNanos() / 1e9;
            Pace plan = run.plan();
            Aggregate aggregate = run.aggregate();
            System.out.println();
            System.out.println("Throughput");
            row("  requests offered", t.submitted);
            row(
                    String.format(
                            Locale.ROOT,
                            "    planned: a %.1f s ramp to %,d/s, then that pace",
                            plan.rampNanos() / 1e9,
                            options.rate()),
                    plan.dueBy(plan.start() + run.windowNanos()));
            row("  finished per second (every outcome; ramp included)", "%,.0f", t.done() / seconds);
            row("  succeeded per second", "%,.0f", t.succeeded / seconds);

            System.out.println();
            System.out.printf(
                    Locale.ROOT, "%-40s %9s %9s %9s %9s %9s%n", "Latency (ms)", "p50", "p90", "p99", "p99.9", "max");
            Histogram all = new Histogram(3);
            Histogram[] byOutcome = new Histogram[Shard.OTHER + 1];
            for (int outcome = 0; outcome < byOutcome.length; outcome++) {
                byOutcome[outcome] = new Histogram(3);
                for (Shard shard : shards) {
                    byOutcome[outcome].add(shard.latency[outcome]);
                }
                all.add(byOutcome[outcome]);
            }
            percentiles("  submit -> done: succeeded", byOutcome[Shard.SUCCEEDED]);
            percentiles("    timed out", byOutcome[Shard.TIMED_OUT]);
            percentiles("    cancelled", byOutcome[Shard.CANCELLED]);
            percentiles("    failed", byOutcome[Shard.FAILED]);
            percentiles("    shed in fan-out", byOutcome[Shard.SHED]);
            percentiles("    every outcome", all);
            if (aggregate != null) {
                percentiles("  submit -> aggregated (through channel)", aggregate.endToEnd());
            }

            System.out.println();
            System.out.println("Outcomes");
            row("  succeeded", t.succeeded);
            row("  timed out (past the deadline; stragglers on purpose)", t.timedOut);
            row(
                    "  cancelled (" + String.format(Locale.ROOT, "%,d", t.cancels) + " cancels sent, "
                            + String.format(Locale.ROOT, "%,d", t.cancelsLate) + " too late)",
                    t.cancelled);
            row("  failed (a backend error on purpose)", t.failed);
            row(
                    "  shed (" + String.format(Locale.ROOT, "%,d", t.shedAtAdmission) + " at admission, "
                            + String.format(Locale.ROOT, "%,d", t.shedInside) + " in fan-out)",
                    t.shed());
            if (t.other > 0) {
                Throwable example = firstOther();
                row(
                        "  other failures (a bug; first: "
                                + (example == null ? "?" : example.getClass().getSimpleName()) + ")",
                        t.other);
                if (example != null) {
                    example.printStackTrace(System.out);
                }
            }
            long sum = t.succeeded + t.timedOut + t.cancelled + t.failed + t.shed();
            row("  sum", sum);
            row("  requests submitted", t.submitted);
            boolean addsUp = check("  sum = submitted", sum == t.submitted);

            System.out.println();
            System.out.printf(
                    Locale.ROOT,
                    "%-18s %11s %10s %10s %10s %10s %10s %10s %13s%n",
                    "Loops (µs)",
                    "items run",
                    "step p50",
                    "step p99",
                    "step max",
                    "lag p50",
                    "lag p99",
                    "lag max",
                    "longest iter.");
            for (LoopStats s : stats) {
                System.out.printf(
                        Locale.ROOT,
                        "  %-16s %,11d %s %s %,13.0f%n",
                        s.name(),
                        s.tasksRun(),
                        triple(s.stepNanos()),
                        triple(s.timerLagNanos()),
                        s.maxLagNanos() / 1e3);
            }
            System.out.println(
                    "  (debug mode's LoopStats: step = one task step or callback; lag = how late a timer fired)");
            row("  slow steps reported (over 100 ms)", incidents.slowSteps.get());
            row("  loop stalls reported by the watchdog", incidents.stalls.get());

            System.out.println();
            System.out.println("Resources");
            StringBuilder permits = new StringBuilder();
            boolean permitsOk = true;
            for (int value : run.permitsBack()) {
                permits.append(permits.isEmpty() ? "" : " ").append(value);
                permitsOk &= value == LEDGER_PERMITS;
            }
            row("  ledger permits free per loop (of " + LEDGER_PERMITS + ")", "%s", permits);
            boolean noLeakedPermits = check("  no permit leaked", permitsOk);
            row("  ledger acquisitions that had to wait", "%s", ratio(t.ledgerWaits, t.ledgerAcquires));
            long received = aggregate == null ? -1 : aggregate.received();
            row("  channel items sent", t.sent);
            row("  channel items received by the aggregator", received);
            if (aggregate != null && shards.length > 1) {
                StringBuilder byLoop = new StringBuilder();
                for (long n : aggregate.byLoop()) {
                    byLoop.append(byLoop.isEmpty() ? "" : " / ").append(String.format(Locale.ROOT, "%,d", n));
                }
                row("    by origin loop", "%s", byLoop);
            }
            boolean channelOk = check(
                    "  sent = received, checksums equal",
                    aggregate != null && received == t.sent && aggregate.checksum() == t.sentChecksum);

            System.out.println();
            System.out.println("Shutdown");
            row("  in flight when the producers stopped, drained in", "%,.0f ms", run.drainNanos() / 1e6);
            row("  live tasks after draining (engine.allTasks())", run.leakedTasks());
            boolean noLeakedTasks = check("  no task leaked", run.leakedTasks() == 0);
            boolean clean =
                    check("  engine shut down cleanly within " + SHUTDOWN_GRACE.toSeconds() + " s", run.clean());
            row("  other engine reports (a failure nobody read, ...)", incidents.others.get());
            boolean quiet = check("  no unexpected engine report", incidents.others.get() == 0);

            boolean ok = addsUp && noLeakedPermits && channelOk && noLeakedTasks && clean && quiet;
            System.out.println();
            System.out.println(ok ? "RESULT: OK" : "RESULT: FAILED (see the checks above)");
            return ok;
        }

        private Throwable firstOther() {
            for (Shard shard : shards) {
                if (shard.firstOther != null) {
                    return shard.firstOther;
                }
            }
            return null;
        }
    }

    private static void row(String label, long value) {
        row(label, "%,d", value);
    }

    private static void row(String label, String format, Object value) {
        System.out.printf(Locale.ROOT, "%-52s %16s%n", label, String.format(Locale.ROOT, format, value));
    }

    private static boolean check(String label, boolean passed) {
        System.out.printf(Locale.ROOT, "%-52s %16s%n", label, passed ? "yes" : "NO");
        return passed;
    }

    private static String ratio(long part, long whole) {
        return String.format(Locale.ROOT, "%,d (%.1f%%)", part, whole == 0 ? 0.0 : 100.0 * part / whole);
    }

    private static String seconds(double seconds) {
        return seconds == Math.rint(seconds) ? String.valueOf((long) seconds) : String.valueOf(seconds);
    }

    private static void percentiles(String label, Histogram h) {
        if (h.getTotalCount() == 0) {
            System.out.printf(Locale.ROOT, "%-40s (no samples)%n", label);
            return;
        }
        System.out.printf(
                Locale.ROOT,
                "%-40s %9.2f %9.2f %9.2f %9.2f %9.2f   (%,d samples)%n",
                label,
                h.getValueAtPercentile(50) / 1e6,
                h.getValueAtPercentile(90) / 1e6,
                h.getValueAtPercentile(99) / 1e6,
                h.getValueAtPercentile(99.9) / 1e6,
                h.getMaxValue() / 1e6,
                h.getTotalCount());
    }

    /** p50, p99 and max of a histogram of nanoseconds, in microseconds, in three columns. */
    private static String triple(Histogram h) {
        if (h == null || h.getTotalCount() == 0) {
            return String.format(Locale.ROOT, "%32s", "(no samples)");
        }
        return String.format(
                Locale.ROOT,
                "%,10.1f %,10.1f %,10.0f",
                h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(99) / 1e3,
                h.getMaxValue() / 1e3);
    }
}
