package dev.spindle.engine;

import dev.spindle.engine.internal.Coroutines;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * A set of event loops, one platform thread each, optionally pinned to CPUs: Spindle's scheduler.
 *
 * <pre>{@code
 * try (Engine engine = Engine.builder().loops(2).build()) {
 *     Task<Integer> answer = engine.loop(0).submit(() -> 6 * 7);
 *     System.out.println(answer.join());
 * }
 * }</pre>
 *
 * <p>Work is placed explicitly: on a chosen loop with {@link #loop(int)}, or round-robin with {@link
 * #next()}, {@link #execute} and {@link #submit}. There is no work stealing.
 *
 * <p><b>Threads:</b> every method is safe from any thread, except those that wait for the loops: {@link
 * #run}, {@link #runMain}, {@link #allTasks}, {@link #dumpTasks}, {@link #shutdown} and {@link #close}
 * throw {@link IllegalStateException} on a loop thread.
 */
public final class Engine implements AutoCloseable {
    /** The default grace period of {@link #close()} and of {@link #runMain}'s teardown. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);

    /** How long build() waits for a new thread to run and pin itself before calling it a failure. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private static final System.Logger LOG = System.getLogger("dev.spindle.engine");

    private final EventLoop[] loops;
    private final List<EventLoop> loopList;
    private final AtomicInteger nextLoop = new AtomicInteger();
    private final ExceptionHandler fatalHandler;
    private final boolean strictPinning;
    private final AtomicBoolean pinningWarned = new AtomicBoolean();
    private final AtomicBoolean shutdown = new AtomicBoolean();
    private final WorkerPool workerPool;
    private final StallDetector stallDetector;
    private final boolean handleSignals;
    private final Duration grace;
    /** Set when {@link #runMain}'s teardown left tasks that ignored the cancel. */
    private volatile boolean teardownLeftStragglers;

    private Engine(Builder config) {
        this.fatalHandler = config.fatalHandler;
        this.strictPinning = config.strictPinning;
        this.handleSignals = config.handleSignals;
        this.grace = config.shutdownGrace;
        this.loops = new EventLoop[config.loops];
        this.loopList = Collections.unmodifiableList(Arrays.asList(loops));
        WorkerPool pool = null;
        StallDetector detector = null;
        try {
            for (int i = 0; i < loops.length; i++) {
                loops[i] = new EventLoop(this, i, config, cpusFor(config, i));
            }
            // Started here, on the building thread, before any loop runs: the workers never inherit a
            // loop's CPU, and neither the first offload nor the first failure costs a thread start on a loop.
            pool = new WorkerPool(
                    this,
                    config.workers,
                    config.workerCpus,
                    config.workerQueueCapacity,
                    config.workerNamePrefix,
                    config.workerThreadFactory);
            UnretrievedFailure.startReporter();
            for (EventLoop loop : loops) {
                loop.start();
            }
            // Every thread has pinned itself (or failed to) before build() returns: a strict pinning
            // failure is the build's exception, never a loop or worker that is silently gone.
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            for (EventLoop loop : loops) {
                loop.awaitStarted(deadline);
            }
            pool.awaitStarted(deadline);
            if (config.debug) {
                detector = new StallDetector(loops, config.slowStepNanos);
                detector.start();
            }
        } catch (Throwable failure) {
            stopHalfBuilt(pool, detector);
            if (failure instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the engine's threads started", failure);
            }
            if (failure instanceof RuntimeException unchecked) {
                throw unchecked;
            }
            throw new IllegalStateException(
                    "the engine could not start its threads (" + failure + "); every thread it had started is"
                            + " stopped",
                    failure);
        }
        this.workerPool = pool;
        this.stallDetector = detector;
        if (!Coroutines.isAvailable()) {
            LOG.log(
                    System.Logger.Level.INFO,
                    "coroutine tasks are unavailable until the JVM runs with "
                            + Coroutines.REQUIRED_FLAG
                            + "; run-to-completion tasks, promises and timers work without it");
        }
    }

    /** A build failed part-way: stops every thread started so far, so that none outlives the failure. */
    private void stopHalfBuilt(WorkerPool pool, StallDetector detector) {
        shutdown.set(true);
        long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        for (EventLoop loop : loops) {
            if (loop != null) {
                loop.stopNow();
            }
        }
        if (detector != null) {
            detector.stop();
        }
        if (pool != null) {
            pool.shutdown(deadline);
        }
        awaitLoops(deadline);
    }

    private static BitSet cpusFor(Builder config, int loop) {
        if (config.loopCpus == null) {
            return null;
        }
        BitSet set = new BitSet();
        set.set(config.loopCpus[loop % config.loopCpus.length]);
        return set;
    }

    /**
     * A builder with the defaults: one loop per available processor, unpinned, backoff idling.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the loops, in index order} */
    public List<EventLoop> loops() {
        return loopList;
    }

    /**
     * The loop with index {@code index}.
     *
     * @param index from 0 to {@link #loopCount()} - 1
     * @return the loop
     * @throws IndexOutOfBoundsException if {@code index} is out of range
     */
    public EventLoop loop(int index) {
        Objects.checkIndex(index, loops.length);
        return loops[index];
    }

    /** {@return the number of loops} */
    public int loopCount() {
        return loops.length;
    }

    /** {@return the next loop in round-robin order} One atomic increment. */
    public EventLoop next() {
        int n = loops.length;
        return n == 1 ? loops[0] : loops[(nextLoop.getAndIncrement() & Integer.MAX_VALUE) % n];
    }

    /**
     * Runs {@code task} on the {@link #next()} loop; see {@link EventLoop#execute}.
     *
     * @param task the callback to run
     */
    public void execute(Runnable task) {
        next().execute(task);
    }

    /**
     * Runs {@code body} as a task on the {@link #next()} loop; see {@link EventLoop#submit}.
     *
     * @param <T> the type of the task's value
     * @param body the task's code, run in one step
     * @return the task
     */
    public <T> Task<T> submit(Callable<? extends T> body) {
        return next().submit(body);
    }

    /**
     * Spawns a coroutine task on the {@link #next()} loop; see {@link EventLoop#spawn}.
     *
     * @param <T> the type of the task's value
     * @param body the coroutine's code
     * @return the task
     */
    public <T> Task<T> spawn(Callable<? extends T> body) {
        return next().spawn(body);
    }

    /**
     * Spawns a named coroutine task on the {@link #next()} loop; see {@link EventLoop#spawn}.
     *
     * @param <T> the type of the task's value
     * @param name the task's name
     * @param body the coroutine's code
     * @return the task
     */
    public <T> Task<T> spawn(String name, Callable<? extends T> body) {
        return next().spawn(name, body);
    }

    /**
     * Every coroutine task of every loop that is not done (asyncio's {@code all_tasks}). Asks each loop
     * and waits for the answers, so it must be called outside the engine; on a loop thread use {@link
     * EventLoop#allTasks()}.
     *
     * @return a new list of the live coroutine tasks, loop by loop
     * @throws IllegalStateException on a loop thread
     */
    public List<Task<?>> allTasks() {
        if (EventLoop.current() != null) {
            throw new IllegalStateException("engine.allTasks() on a loop thread would block it; "
                    + "use EventLoop.allTasks() for the current loop");
        }
        List<Task<?>> all = new ArrayList<>();
        for (EventLoop loop : loops) {
            if (!loop.isTerminated()) {
                all.addAll(loop.allTasks());
            }
        }
        return all;
    }

    /**
     * Runs {@code main} as a coroutine task on a new engine with the default settings, then shuts the
     * engine down (asyncio's {@code asyncio.run}); see {@link #runMain(Callable)}.
     *
     * @param <T> the type of main's value
     * @param main the main coroutine's code
     * @return main's value
     */
    public static <T> T run(Callable<? extends T> main) {
        Objects.requireNonNull(main, "main");
        refuseLoopThread();
        Engine engine = builder().handleSignals(true).build();
        try {
            return engine.runMain(main);
        } finally {
            // Stragglers already had their cancel and the whole grace period in runMain: stop at once.
            engine.shutdown(engine.teardownLeftStragglers ? Duration.ZERO : engine.grace);
        }
    }

    /** Refuses a call that would block a loop thread until that loop's own work finishes. */
    private static void refuseLoopThread() {
        if (EventLoop.current() != null) {
            throw new IllegalStateException("Engine.run() cannot be called from a running loop ("
                    + Thread.currentThread().getName() + ")");
        }
    }

    /**
     * Runs {@code main} as a coroutine task on loop 0 and waits for it; then, in asyncio's order, cancels
     * every task still running once and waits for them all, at most the builder's {@linkplain
     * Builder#shutdownGrace grace period} in all. It reports through the exception handler, by name, each
     * task that failed during this teardown, and each that was still running when the grace period ran out,
     * with what it awaits (such a task swallowed the cancel; it is left running, and the engine's shutdown
     * stops it). Returns main's value or throws its failure. The engine keeps running afterwards. Blocks
     * the caller, so it must not be called on a loop thread.
     *
     * @param <T> the type of main's value
     * @param main the main coroutine's code
     * @return main's value
     * @throws IllegalStateException on a loop thread
     */
    public <T> T runMain(Callable<? extends T> main) {
        Objects.requireNonNull(main, "main");
        refuseLoopThread();
        SignalHandling signals = handleSignals ? new SignalHandling(this) : null;
        Task<T> task;
        try {
            task = loops[0].spawn(main);
        } catch (RuntimeException | Error refused) {
            if (signals != null) {
                signals.close();
            }
            throw refused;
        }
        if (signals != null) {
            signals.attach(task);
        }
        try {
            waitQuietly(task);
            if (!isShutdown()) {
                cancelLeftovers();
            }
        } finally {
            if (signals != null) {
                signals.close();
            }
        }
        if (signals != null && signals.signal() != null && task.isCancelled()) {
            // asyncio: a main task that ended cancelled after an interrupt raises KeyboardInterrupt
            throw new SignalInterrupt(signals.signal(), new CancelledException("SIG" + signals.signal()));
        }
        return task.result();
    }

    private void cancelLeftovers() {
        List<Task<?>> leftovers = allTasks();
        for (Task<?> t : leftovers) {
            t.cancel();
        }
        long deadline = EventLoop.saturatedAdd(System.nanoTime(), EventLoop.saturatedNanos(grace));
        for (Task<?> t : leftovers) {
            if (!waitQuietly(t, deadline)) {
                teardownLeftStragglers = true;
                Awaitable<?> awaiting = t.awaiting();
                t.loop()
                        .report(
                                "task ignored the Engine.run() cancel for " + grace
                                        + (awaiting == null ? "" : "; it awaits " + awaiting),
                                new IllegalStateException(t.name() + " did not finish"),
                                t);
            } else if (!t.isCancelled() && t.exception() != null) {
                t.loop().report("unhandled exception during Engine.run() shutdown", t.exception(), t);
            }
        }
    }

    /** Waits for {@code task} until {@code deadline} (System.nanoTime); returns whether it is done. */
    private static boolean waitQuietly(Task<?> task, long deadline) {
        try {
            task.get(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        } catch (java.util.concurrent.TimeoutException stillRunning) {
            return false;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return task.isDone();
        } catch (RuntimeException | Error outcome) {
            // read later through result()/exception()
        }
        return true;
    }

    private static void waitQuietly(Task<?> task) {
        try {
            task.join();
        } catch (RuntimeException | Error outcome) {
            // read later through result()/exception()
        }
    }

    /**
     * Every live coroutine task of every loop, one per line, for a person to read: name, state, loop, age
     * and what it awaits, following chains of tasks awaiting tasks (asyncio's {@code print_call_graph},
     * inverted). Must be called outside the engine; see {@link #allTasks()}.
     *
     * @return the dump, one line per live task after a count line
     */
    public String dumpTasks() {
        List<Task<?>> tasks = allTasks();
        StringBuilder out = new StringBuilder();
        out.append(tasks.size())
                .append(" live task")
                .append(tasks.size() == 1 ? "" : "s")
                .append('\n');
        for (Task<?> task : tasks) {
            long age = task.loop().time() - task.createdNanos();
            out.append(String.format(
                    "%-20s %-10s %-16s age %8.3fs",
                    task.name(), task.state(), task.loop().name(), age / 1e9));
            Awaitable<?> awaiting = task.awaiting();
            int depth = 0;
            while (awaiting != null && depth++ < 16) {
                out.append("  awaits ").append(awaiting instanceof Task<?> t ? t.name() : awaiting.toString());
                awaiting = awaiting instanceof Task<?> t ? t.awaiting() : null;
            }
            if (task.creationTrace() != null) {
                out.append("  created at ").append(callerOf(task.creationTrace()));
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** The first frame of a creation trace outside the engine's own spawning code. */
    private static Object callerOf(Throwable trace) {
        for (StackTraceElement frame : trace.getStackTrace()) {
            String c = frame.getClassName();
            if (!c.equals(Task.class.getName())
                    && !c.equals(EventLoop.class.getName())
                    && !c.equals(Engine.class.getName())
                    && !c.startsWith(TaskGroup.class.getName())) {
                return frame;
            }
        }
        return "?";
    }

    /** {@return a snapshot of every loop's counters, in index order} */
    public List<LoopStats> stats() {
        List<LoopStats> stats = new ArrayList<>(loops.length);
        for (EventLoop loop : loops) {
            stats.add(loop.stats());
        }
        return stats;
    }

    /** {@return whether {@link #shutdown} or {@link #close} has been called} */
    public boolean isShutdown() {
        return shutdown.get();
    }

    /** {@return whether every loop thread has exited} */
    public boolean isTerminated() {
        for (EventLoop loop : loops) {
            if (!loop.isTerminated()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Shuts the engine down in asyncio's order: every loop refuses new work at once, cancels its pending
     * timers and every live task once, and runs until nothing is queued, scheduled or alive. Loops still
     * busy when {@code grace} runs out are stopped: the tasks that ignored the cancel are reported
     * through the exception handler by name, with what they await, and the work that never ran is
     * cancelled. The worker pool then refuses new jobs, withdraws queued ones and is joined with a bound.
     * Waits at most about {@code grace} plus two seconds in all.
     *
     * <p>Idempotent: only the first call shuts down; a later or concurrent call waits, at most {@code
     * grace}, for the loops and workers to exit, and returns whether they did. Called from a worker (by
     * offloaded work), it does not wait for that worker, which exits as soon as the work returns and counts
     * as finished. Must not be called from a loop thread.
     *
     * @return {@code true} if every loop and worker finished within the grace period
     * @param grace how long the loops may take to finish their tasks after the cancel; zero stops them at
     *     once
     * @throws IllegalArgumentException if {@code grace} is negative
     * @throws IllegalStateException on a loop thread, which would wait for itself
     */
    public boolean shutdown(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace: must not be negative, was " + grace);
        }
        if (EventLoop.current() != null) {
            throw new IllegalStateException("shutdown() from a loop thread ("
                    + Thread.currentThread().getName() + ") would wait for itself; call it from another thread");
        }
        long deadline = EventLoop.saturatedAdd(System.nanoTime(), EventLoop.saturatedNanos(grace));
        if (!shutdown.compareAndSet(false, true)) {
            boolean loopsDone = awaitLoops(deadline);
            return workerPool.awaitWorkers(deadline) && loopsDone;
        }
        for (EventLoop loop : loops) {
            loop.beginShutdown();
        }
        boolean clean = awaitLoops(deadline);
        if (!clean) {
            for (EventLoop loop : loops) {
                loop.stopNow();
            }
            awaitLoops(System.nanoTime() + Duration.ofSeconds(1).toNanos());
            reportStragglers(grace);
        }
        if (stallDetector != null) {
            stallDetector.stop();
        }
        clean &= workerPool.shutdown(
                Math.max(deadline, System.nanoTime() + Duration.ofSeconds(1).toNanos()));
        for (EventLoop loop : loops) {
            if (loop.isTerminated()) {
                loop.abandonQueued(); // work offered by producers racing the loop's exit
            }
        }
        return clean;
    }

    private void reportStragglers(Duration grace) {
        for (EventLoop loop : loops) {
            if (!loop.isTerminated()) {
                loop.report(
                        "loop did not stop within the grace period " + grace + " (a step is blocking it)",
                        new IllegalStateException(loop.name() + " is still running"),
                        loop);
                continue;
            }
            for (Task<?> task : loop.liveTasksSnapshot()) {
                Awaitable<?> awaiting = task.awaiting();
                loop.report(
                        "task ignored the shutdown cancel for " + grace
                                + (awaiting == null ? "" : "; it awaits " + awaiting),
                        new IllegalStateException(task.name() + " did not finish"),
                        task);
                task.abandon("the engine stopped before the task finished"); // wake whoever joins it
            }
        }
    }

    private boolean awaitLoops(long deadline) {
        boolean all = true;
        try {
            for (EventLoop loop : loops) {
                if (loop != null) { // null only in a build that failed part-way
                    all &= loop.awaitTermination(deadline);
                }
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return false;
        }
        return all;
    }

    /** {@link #shutdown(Duration)} with the builder's {@linkplain Builder#shutdownGrace grace period}. */
    @Override
    public void close() {
        shutdown(grace);
    }

    void fatal(Throwable error, Object source) {
        try {
            fatalHandler.handle("Fatal error", error, source);
        } catch (Throwable handlerFailure) {
            LOG.log(System.Logger.Level.ERROR, "fatal handler failed", handlerFailure);
        }
    }

    void pinningFailed(String thread, RuntimeException failure) {
        if (strictPinning) {
            throw new IllegalStateException(thread + " could not be pinned and strict pinning is on", failure);
        }
        if (pinningWarned.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, thread + " could not be pinned; running unpinned", failure);
        }
    }

    /** The worker pool, started with the engine. */
    WorkerPool workerPool() {
        return workerPool;
    }

    /**
     * The worker threads, in order. For diagnostics and tests of pinning.
     *
     * @return an immutable list of the worker threads
     */
    public List<Thread> workerThreads() {
        return List.copyOf(workerPool().workers());
    }

    /**
     * Configures and starts an {@link Engine}. Every setter validates its argument at once and names it
     * in the {@link IllegalArgumentException}.
     *
     * <p><b>Threads:</b> not thread-safe: configure and build it on one thread.
     */
    public static final class Builder {
        /** The most loops, and the most workers, one engine may have. */
        public static final int MAX_THREADS = 1 << 16;
        /** The largest worker queue: it is an array allocated when the engine is built. */
        public static final int MAX_WORKER_QUEUE = 1 << 24;

        int loops = Runtime.getRuntime().availableProcessors();
        int[] loopCpus;
        boolean strictPinning;
        Supplier<IdleStrategy> idleStrategy = () -> new BackoffIdleStrategy(64, 16, 1_000, 64_000);
        boolean parkWhenIdle = true;
        int idleRoundsBeforePark = 256;
        int queueCapacity = 65_536;
        int externalBatch = 1024;
        long tickNanos = 1_000_000;
        int ticksPerWheel = 512;
        ExceptionHandler exceptionHandler = ExceptionHandler.logging();
        ExceptionHandler fatalHandler = ExceptionHandler.logging();
        String threadNamePrefix = "spindle-loop-";
        ThreadFactory threadFactory = Thread::new;
        int workers = Math.min(32, Runtime.getRuntime().availableProcessors() + 4);
        int[] workerCpus;
        int workerQueueCapacity = 1024;
        String workerNamePrefix = "spindle-worker-";
        boolean daemon = true;
        Clock clock = Clock.system();
        boolean handleSignals;
        Duration shutdownGrace = DEFAULT_GRACE;
        ThreadFactory workerThreadFactory = Thread::new;
        boolean debug = Boolean.getBoolean("spindle.debug") || "1".equals(System.getenv("SPINDLE_DEBUG"));
        long slowStepNanos = 100_000_000L;

        private Builder() {}

        /**
         * The number of loops, from 1 to {@value #MAX_THREADS}. Default: the available processors.
         *
         * @param loops the number of loops
         * @return this builder
         * @throws IllegalArgumentException if {@code loops} is out of range
         */
        public Builder loops(int loops) {
            if (loops < 1 || loops > MAX_THREADS) {
                throw new IllegalArgumentException("loops: must be between 1 and " + MAX_THREADS + ", was " + loops);
            }
            this.loops = loops;
            return this;
        }

        /**
         * Pins loop {@code i} to CPU {@code cpus[i % cpus.length]} with {@code sched_setaffinity}. Where
         * pinning fails, a warning is logged once and the loop runs unpinned, unless {@link
         * #strictPinning(boolean)} is set. Default: unpinned.
         *
         * @param cpus the CPU of each loop, used round-robin
         * @return this builder
         */
        public Builder loopCpus(int... cpus) {
            this.loopCpus = checkedCpus(cpus);
            return this;
        }

        /**
         * Whether a loop that cannot be pinned fails instead of running unpinned. Default false.
         *
         * @param strict whether a pinning failure fails the engine
         * @return this builder
         */
        public Builder strictPinning(boolean strict) {
            this.strictPinning = strict;
            return this;
        }

        /**
         * The strategy an idle loop uses before it parks, one instance per loop. Default: Agrona's
         * {@link BackoffIdleStrategy} (spin, yield, then short parks). {@code BusySpinIdleStrategy} with
         * {@code parkWhenIdle(false)} gives the lowest latency at the cost of a core per loop.
         *
         * @param idleStrategy makes one strategy per loop
         * @return this builder
         */
        public Builder idleStrategy(Supplier<IdleStrategy> idleStrategy) {
            this.idleStrategy = Objects.requireNonNull(idleStrategy, "idleStrategy");
            return this;
        }

        /**
         * Whether a loop idle for {@link #idleRoundsBeforePark} rounds parks until its next timer or a
         * producer wakes it. Default true.
         *
         * @param park whether idle loops park
         * @return this builder
         */
        public Builder parkWhenIdle(boolean park) {
            this.parkWhenIdle = park;
            return this;
        }

        /**
         * Idle rounds (each one call of the idle strategy) before a loop parks. Default 256.
         *
         * @param rounds idle rounds before parking
         * @return this builder
         */
        public Builder idleRoundsBeforePark(int rounds) {
            if (rounds < 0) {
                throw new IllegalArgumentException("rounds: must not be negative, was " + rounds);
            }
            this.idleRoundsBeforePark = rounds;
            return this;
        }

        /**
         * The capacity of each loop's external queue (rounded up to a power of two), which bounds work
         * submitted from other threads. Default 65,536.
         *
         * @param capacity the capacity of each external queue
         * @return this builder
         */
        public Builder queueCapacity(int capacity) {
            if (capacity < 2 || capacity > (1 << 30)) {
                throw new IllegalArgumentException("capacity: must be between 2 and 2^30, was " + capacity);
            }
            this.queueCapacity = capacity;
            return this;
        }

        /**
         * The most external items a loop runs per iteration, for fairness with timers. Default 1024.
         *
         * @param batch the most external items per iteration
         * @return this builder
         */
        public Builder externalBatch(int batch) {
            if (batch < 1) {
                throw new IllegalArgumentException("batch: must be at least 1, was " + batch);
            }
            this.externalBatch = batch;
            return this;
        }

        /**
         * The timer wheel's tick. Default 1 ms; sub-millisecond ticks are allowed.
         *
         * @param tick the wheel's tick, positive
         * @return this builder
         */
        public Builder timerTick(Duration tick) {
            Objects.requireNonNull(tick, "tick");
            if (tick.isNegative() || tick.isZero()) {
                throw new IllegalArgumentException("tick: must be positive, was " + tick);
            }
            this.tickNanos = EventLoop.saturatedNanos(tick);
            return this;
        }

        /**
         * Buckets in each loop's timer wheel, a power of two. Default 512.
         *
         * @param ticks the number of buckets, a power of two
         * @return this builder
         */
        public Builder ticksPerWheel(int ticks) {
            if (ticks < 1 || Integer.bitCount(ticks) != 1) {
                throw new IllegalArgumentException("ticks: must be a power of two, was " + ticks);
            }
            this.ticksPerWheel = ticks;
            return this;
        }

        /**
         * Receives exceptions from callbacks and tasks that nothing else reports. Default: logging.
         *
         * @param handler the handler, called on the thread that saw the problem
         * @return this builder
         */
        public Builder exceptionHandler(ExceptionHandler handler) {
            this.exceptionHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Hears of every {@link Error} raised by a task or callback. Default: logging.
         *
         * @param handler the handler, called on the thread that saw the error
         * @return this builder
         */
        public Builder fatalHandler(ExceptionHandler handler) {
            this.fatalHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * The loop thread name prefix; loop {@code i} is named prefix + i. Default {@code spindle-loop-}.
         *
         * @param prefix the prefix of the loop threads' names
         * @return this builder
         */
        public Builder threadNamePrefix(String prefix) {
            this.threadNamePrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /**
         * Creates the loop threads (platform threads). Default: {@code Thread::new}.
         *
         * @param factory makes the loop threads
         * @return this builder
         */
        public Builder threadFactory(ThreadFactory factory) {
            this.threadFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Whether loop threads are daemon threads. Default true.
         *
         * @param daemon whether loop threads are daemon threads
         * @return this builder
         */
        public Builder daemon(boolean daemon) {
            this.daemon = daemon;
            return this;
        }

        /**
         * The clock loops read. Default {@link Clock#system()}; tests use a {@link ManualClock}.
         *
         * @param clock the engine's clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Threads in the worker pool behind {@link Async#offload}, from 1 to {@value #MAX_THREADS}. Default
         * min(32, CPUs + 4), as asyncio.
         *
         * @param workers the number of worker threads
         * @return this builder
         * @throws IllegalArgumentException if {@code workers} is out of range
         */
        public Builder workers(int workers) {
            if (workers < 1 || workers > MAX_THREADS) {
                throw new IllegalArgumentException(
                        "workers: the pool needs between 1 and " + MAX_THREADS + " threads, was " + workers);
            }
            this.workers = workers;
            return this;
        }

        /**
         * Pins every worker to {@code cpus} (one set for the whole pool). Default: every CPU.
         *
         * @param cpus the CPUs every worker may run on
         * @return this builder
         */
        public Builder workerCpus(int... cpus) {
            this.workerCpus = checkedCpus(cpus);
            return this;
        }

        /**
         * Jobs the worker pool queues before {@link Async#offload} suspends its caller and {@link
         * Async#tryOffload} says no, from 1 to {@value #MAX_WORKER_QUEUE}; the queue is allocated at
         * build. Default 1024.
         *
         * @param capacity the capacity of the worker pool's job queue
         * @return this builder
         * @throws IllegalArgumentException if {@code capacity} is out of range
         */
        public Builder workerQueueCapacity(int capacity) {
            if (capacity < 1 || capacity > MAX_WORKER_QUEUE) {
                throw new IllegalArgumentException(
                        "capacity: must be between 1 and " + MAX_WORKER_QUEUE + ", was " + capacity);
            }
            this.workerQueueCapacity = capacity;
            return this;
        }

        /**
         * Debug mode (asyncio's): tasks record where they were created, every step is timed and steps
         * over the {@linkplain #slowStepThreshold threshold} are reported, a watchdog reports stalled
         * loops with their stack, and {@link LoopStats} carries step-time and timer-lag histograms. Costs
         * two clock reads and a histogram update per step. Default: the system property {@code
         * spindle.debug=true} or the environment variable {@code SPINDLE_DEBUG=1}, else off.
         *
         * @param debug whether debug mode is on
         * @return this builder
         */
        public Builder debug(boolean debug) {
            this.debug = debug;
            return this;
        }

        /**
         * The slow-step and stall threshold of debug mode. Default 100 ms; zero reports every step.
         *
         * @param threshold the threshold, zero or positive
         * @return this builder
         */
        public Builder slowStepThreshold(Duration threshold) {
            Objects.requireNonNull(threshold, "threshold");
            if (threshold.isNegative()) {
                throw new IllegalArgumentException("threshold: must not be negative, was " + threshold);
            }
            this.slowStepNanos = EventLoop.saturatedNanos(threshold);
            return this;
        }

        /**
         * Whether {@link Engine#runMain} handles SIGINT and SIGTERM: the first cancels the main task (and
         * the run then throws {@link SignalInterrupt}), the second forces the engine down. Default false;
         * the static {@link Engine#run} turns it on.
         *
         * @param handle whether {@link Engine#runMain} handles SIGINT and SIGTERM
         * @return this builder
         */
        public Builder handleSignals(boolean handle) {
            this.handleSignals = handle;
            return this;
        }

        /**
         * The grace period of {@link Engine#close()} and of the teardown of {@link Engine#runMain} (and
         * {@link Engine#run}): how long tasks may take to finish after their shutdown cancel before they
         * are reported by name and the loops are stopped. Default {@link Engine#DEFAULT_GRACE}, 10 s.
         *
         * @param grace the grace period, zero or positive
         * @return this builder
         */
        public Builder shutdownGrace(Duration grace) {
            Objects.requireNonNull(grace, "grace");
            if (grace.isNegative()) {
                throw new IllegalArgumentException("grace: must not be negative, was " + grace);
            }
            this.shutdownGrace = grace;
            return this;
        }

        /**
         * Creates the worker pool's threads (platform threads), for example to set their class loader or
         * priority; the engine names them ({@code spindle-worker-N}) and makes them daemons. Whatever a
         * job changes on its worker (name, context class loader, priority, uncaught-exception handler,
         * interrupt status, context values) is put back before the next job. Default: {@code Thread::new}.
         *
         * @param factory makes the worker threads
         * @return this builder
         */
        public Builder workerThreadFactory(ThreadFactory factory) {
            this.workerThreadFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        private static int[] checkedCpus(int[] cpus) {
            Objects.requireNonNull(cpus, "cpus");
            if (cpus.length == 0) {
                throw new IllegalArgumentException("cpus: give at least one CPU, or do not pin");
            }
            for (int cpu : cpus) {
                if (cpu < 0) {
                    throw new IllegalArgumentException("cpus: CPU numbers are not negative, got " + cpu);
                }
            }
            return cpus.clone();
        }

        /**
         * Creates the engine and starts its loops.
         *
         * @return the running engine
         */
        public Engine build() {
            return new Engine(this);
        }
    }
}
