package dev.spindle.engine;

import dev.spindle.collections.TimerHandler;
import dev.spindle.collections.TimerWheel;
import dev.spindle.engine.internal.LoopWakeup;
import dev.spindle.engine.internal.ThreadAffinity;
import dev.spindle.engine.internal.jfr.SlowStepEvent;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import jdk.jfr.FlightRecorder;
import org.HdrHistogram.ConcurrentHistogram;
import org.agrona.concurrent.IdleStrategy;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.varhandle.MpscUnboundedVarHandleArrayQueue;
import org.jctools.queues.varhandle.MpscVarHandleArrayQueue;

/**
 * One event loop: a platform thread, optionally pinned to CPUs, that runs tasks, callbacks and timers.
 *
 * <h2>Queues</h2>
 *
 * <ul>
 *   <li><b>external</b>: a bounded JCTools MPSC array queue for work submitted from other threads
 *       ({@link #execute}, {@link #submit}, {@link #schedule} off the loop). When it is full, submission
 *       is refused: {@link RejectedTaskException} or {@code false} from the {@code try} variants.
 *   <li><b>internal</b>: an unbounded MPSC queue for the engine's own messages (completions and done
 *       callbacks crossing threads, timer cancels). It is never refused, so no callback is ever lost.
 *   <li><b>ready</b>: a loop-local FIFO for work made runnable on the loop itself. No atomics.
 *   <li><b>timers</b>: a loop-local hashed {@link TimerWheel}.
 * </ul>
 *
 * <h2>One iteration</h2>
 *
 * Read the clock once; fire the due timers; drain the internal queue; drain at most {@code batch} items
 * of the external queue; run the ready items that were present when the ready phase began (items made
 * ready during the pass run in the next iteration, as asyncio's {@code _run_once}). The clock is read
 * again every 64 items inside a long drain. With nothing to do, the loop idles with its {@link
 * IdleStrategy} and, after a while, parks until its next timer deadline under the {@link LoopWakeup}
 * protocol.
 *
 * <p><b>Threads:</b> every public method is safe from any thread. On the loop's own thread submission
 * and timers skip the external queue and cost less, as each method says. {@link #allTasks()} called
 * elsewhere waits for the loop's answer, so on another loop's thread it throws {@link
 * IllegalStateException} rather than block that loop.
 */
public final class EventLoop {
    private static final ThreadLocal<EventLoop> CURRENT = new ThreadLocal<>();
    private static final int CLOCK_REFRESH_MASK = 63;
    private static final int INTERNAL_BATCH = 4096;
    /** How often a foreign {@link #allTasks()} re-checks whether a silent loop has stopped. */
    private static final Duration QUERY_POLL = Duration.ofMillis(10);

    private static final VarHandle STATS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int STAT_TASKS = 0;
    private static final int STAT_ITERATIONS = 1;
    private static final int STAT_PARKS = 2;
    private static final int STAT_LAG = 3;
    private static final int STAT_READY = 4;
    private static final int STAT_TIMERS = 5;
    private static final int STAT_ITERATION_START = 6;
    private static final int STAT_COUNT = 7;

    // Life cycle, written by the engine and the loop thread.
    static final int RUNNING = 0;
    static final int SHUTTING_DOWN = 1;
    static final int STOPPING = 2;
    static final int TERMINATED = 3;

    private final Engine engine;
    private final int index;
    private final String name;
    private final Clock clock;
    private final ManualClock virtualClock;
    private final BitSet cpus;
    private final IdleStrategy idleStrategy;
    private final int idleRoundsBeforePark;
    private final int externalBatch;
    private final ExceptionHandler exceptionHandler;
    private final boolean debug;
    private final long slowStepNanos;
    /** Debug mode only: how long each step ran, and how late each timer fired. */
    private final ConcurrentHistogram stepNanos;

    private final ConcurrentHistogram timerLagNanos;

    private final MpscVarHandleArrayQueue<Object> external;
    private final MpscUnboundedVarHandleArrayQueue<Object> internal;
    private final ArrayDeque<Object> ready = new ArrayDeque<>(1024);
    private final TimerWheel<ScheduledCallback> timers;
    private final LoopWakeup wakeup = new LoopWakeup();
    private final Thread thread;

    private final MessagePassingQueue.Consumer<Object> runner = this::runItem;
    private final TimerHandler<ScheduledCallback> timerFirer = ScheduledCallback::fire;

    private volatile int lifecycle = RUNNING;
    /** Counted down once the thread has pinned itself (or failed to, see {@link #startFailure}). */
    private final CountDownLatch started = new CountDownLatch(1);
    /** Why the loop thread stopped before its first iteration (strict pinning failed); else {@code null}. */
    private volatile Throwable startFailure;

    // Loop-confined state.
    /** The cached clock reading; valid while {@link #nowValid}. */
    private long now;

    private boolean nowValid;
    private int stepsSinceClockRead;
    private int idleRounds;
    private Task<?> currentTask;
    private Context context = Context.EMPTY;
    /** The registry of live coroutine tasks: an intrusive doubly linked list through the tasks. */
    private Task<?> liveHead;

    private int liveCount;
    /** Serialises the drains of {@link #abandonQueued()} once the loop thread no longer consumes. */
    private final Object stoppedDrainLock = new Object();

    /** Cancel deliveries waiting while another runs: a deep chain is walked in a loop, not a recursion. */
    private final ArrayDeque<Task<?>> pendingCancelDeliveries = new ArrayDeque<>();

    private boolean deliveringCancels;
    /** Set while the internal queue drains: its items are engine messages, never a user's callback. */
    private boolean drainingInternal;

    // Statistics: counted in plain fields by the loop and published once per iteration with opaque
    // stores (no fences on the hot path); any thread reads them with opaque loads.
    private long tasksRun;
    private long iterations;
    private long parks;
    private long maxLagNanos;
    private final long[] published = new long[STAT_COUNT];
    private final AtomicLong wakeups = new AtomicLong();

    EventLoop(Engine engine, int index, Engine.Builder config, BitSet cpus) {
        this.engine = engine;
        this.index = index;
        this.name = config.threadNamePrefix + index;
        this.clock = config.clock;
        this.virtualClock = config.clock instanceof ManualClock manual ? manual : null;
        this.cpus = cpus;
        this.idleStrategy = config.idleStrategy.get();
        this.idleRoundsBeforePark = config.parkWhenIdle ? config.idleRoundsBeforePark : Integer.MAX_VALUE;
        this.externalBatch = config.externalBatch;
        this.exceptionHandler = config.exceptionHandler;
        this.debug = config.debug;
        this.slowStepNanos = config.slowStepNanos;
        this.stepNanos = debug ? new ConcurrentHistogram(3) : null;
        this.timerLagNanos = debug ? new ConcurrentHistogram(3) : null;
        this.external = new MpscVarHandleArrayQueue<>(config.queueCapacity);
        this.internal = new MpscUnboundedVarHandleArrayQueue<>(1024);
        this.now = clock.nanoTime();
        this.timers = new TimerWheel<>(config.tickNanos, config.ticksPerWheel, now);
        this.nowValid = false;
        this.thread = config.threadFactory.newThread(this::run);
        if (thread == null) {
            throw new IllegalStateException("the thread factory returned null for " + name);
        }
        this.thread.setName(name);
        this.thread.setDaemon(config.daemon);
    }

    void start() {
        if (virtualClock != null) {
            virtualClock.attach(this);
        }
        try {
            thread.start();
        } catch (RuntimeException | Error failure) {
            if (virtualClock != null) {
                virtualClock.detach(this); // a loop that never runs must not hold the virtual clock
            }
            throw failure;
        }
    }

    /**
     * The loop whose thread is calling, or {@code null} on any other thread (asyncio's {@code
     * get_running_loop}, without the exception). Any thread; one thread-local read.
     *
     * @return the calling thread's loop, or {@code null}
     */
    public static EventLoop current() {
        return CURRENT.get();
    }

    /** {@return the loop's index in its engine, from 0} */
    public int index() {
        return index;
    }

    /** {@return the loop's name, which is also its thread's name ({@code spindle-loop-N} by default)} */
    public String name() {
        return name;
    }

    /** {@return the engine that owns this loop} */
    public Engine engine() {
        return engine;
    }

    /** {@return whether the calling thread is this loop's thread} Any thread; no allocation. */
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /**
     * The loop's time in nanoseconds: on the loop, the reading cached at the start of the iteration (and
     * refreshed every 64 items); elsewhere, a fresh reading of the engine's clock.
     *
     * @return the loop's time, in nanoseconds on the engine's {@link Clock}
     */
    public long time() {
        if (Thread.currentThread() != thread) {
            return clock.nanoTime();
        }
        if (!nowValid) {
            now = clock.nanoTime();
            nowValid = true;
        }
        return now;
    }

    Task<?> currentTask() {
        return currentTask;
    }

    Task<?> swapCurrentTask(Task<?> task) {
        Task<?> previous = currentTask;
        currentTask = task;
        return previous;
    }

    Context context() {
        return context;
    }

    void setContext(Context context) {
        this.context = context;
    }

    Context swapContext(Context next) {
        Context previous = context;
        context = next;
        return previous;
    }

    // ---------------------------------------------------------------------------------------------
    // Submission
    // ---------------------------------------------------------------------------------------------

    /**
     * Runs {@code task} on this loop, after the work already queued (asyncio's {@code call_soon}). From
     * the loop it joins the ready queue and allocates nothing; from another thread it enters the bounded
     * external queue.
     *
     * @param task the callback to run
     * @throws RejectedTaskException if the external queue is full or the loop is shutting down
     */
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (!enqueue(task)) {
            throw rejection();
        }
    }

    /**
     * As {@link #execute}, but returns {@code false} instead of throwing when the external queue is full
     * or the loop is shutting down.
     *
     * @param task the callback to run
     * @return {@code true} if the callback was accepted
     */
    public boolean tryExecute(Runnable task) {
        Objects.requireNonNull(task, "task");
        return enqueue(task);
    }

    /**
     * Runs {@code body} as a run-to-completion {@link Task} on this loop and returns the task. Allocates
     * the task.
     *
     * @param <T> the type of the task's value
     * @param body the task's code, run in one step
     * @return the task
     * @throws RejectedTaskException if the external queue is full or the loop is shutting down
     */
    public <T> Task<T> submit(Callable<? extends T> body) {
        return submit(null, body);
    }

    /**
     * As {@link #submit(Callable)}, naming the task.
     *
     * @param <T> the type of the task's value
     * @param name the task's name, or {@code null} for {@code Task-N}
     * @param body the task's code, run in one step
     * @return the task
     */
    public <T> Task<T> submit(String name, Callable<? extends T> body) {
        Task<T> task = new Task<>(this, name, body, false);
        if (!enqueue(task)) {
            throw rejection();
        }
        return task;
    }

    /**
     * As {@link #submit(Callable)}, but returns {@code null} instead of throwing when the external queue
     * is full or the loop is shutting down.
     *
     * @param <T> the type of the task's value
     * @param body the task's code, run in one step
     * @return the task, or {@code null} if it was refused
     */
    public <T> Task<T> trySubmit(Callable<? extends T> body) {
        Task<T> task = new Task<>(this, null, body, false);
        return enqueue(task) ? task : null;
    }

    /**
     * Creates a pending {@link Promise} owned by this loop. Any thread.
     *
     * @param <T> the type of the value
     * @return a new pending promise owned by this loop
     */
    public <T> Promise<T> newPromise() {
        return new Promise<>(this);
    }

    private boolean enqueue(Object item) {
        if (Thread.currentThread() == thread) {
            if (lifecycle >= STOPPING) {
                return false;
            }
            ready.addLast(item);
            return true;
        }
        if (lifecycle != RUNNING || !external.offer(item)) {
            return false;
        }
        // Read AFTER the offer: if still RUNNING, the shutdown's lifecycle store comes later, so the
        // loop's final quiescence check will see the item. Otherwise the loop may already be gone:
        // claim the item back (exactly one of this claim and the loop's first step wins).
        if (lifecycle != RUNNING && withdraw(item)) {
            return false;
        }
        wakeUp();
        return true;
    }

    /** Takes back an item offered while the loop shut down; {@code true} if it will never run. */
    private boolean withdraw(Object item) {
        if (item instanceof Task<?> task) {
            return task.reject(name + " is shutting down and accepts no new work");
        }
        if (item instanceof ScheduledCallback timer) {
            return timer.discard();
        }
        return false; // a plain Runnable cannot be taken back: the loop runs or drops it
    }

    private RejectedTaskException rejection() {
        int state = lifecycle;
        if (state != RUNNING) {
            return new RejectedTaskException(name + " is shutting down and accepts no new work");
        }
        return new RejectedTaskException(
                name + " rejected the task: its external queue is full (capacity " + external.capacity() + ")");
    }

    /** An engine message that must never be refused: callbacks, timer cancels, cross-loop completions. */
    void sendInternal(Object message) {
        internal.offer(message);
        wakeUp();
        if (lifecycle == TERMINATED) {
            abandonQueued(); // the loop is gone: account for the message here, not never
        }
    }

    private void wakeUp() {
        if (wakeup.wakeUp()) {
            wakeups.getAndIncrement();
            LockSupport.unpark(thread);
        }
    }

    /** Dispatches a chain of done callbacks (linked by nextReady) to run on this loop, in order. */
    void dispatchCallbacks(DoneCallback first) {
        if (Thread.currentThread() == thread) {
            enqueueReadyChain(first);
        } else if (lifecycle == TERMINATED) {
            first.relay = true;
            first.runAfterStop(); // the loop is gone: run them here rather than never
        } else {
            first.relay = true;
            sendInternal(first);
        }
    }

    void enqueueReadyChain(DoneCallback first) {
        for (DoneCallback n = first; n != null; n = n.nextReady) {
            ready.addLast(n);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Timers
    // ---------------------------------------------------------------------------------------------

    /**
     * Runs {@code task} on this loop once {@code delay} has passed (asyncio's {@code call_later}). A
     * negative delay means "due now"; timers fire in deadline order, equal deadlines in scheduling order,
     * never early. Allocates one {@link TimerHandle}; from the loop the schedule is O(1).
     *
     * @param delay how long from now, in {@code unit}s
     * @param unit the unit of {@code delay}
     * @param task the callback to run
     * @return the timer, which can be cancelled from any thread
     * @throws RejectedTaskException from another thread, if the external queue is full or the loop is
     *     shutting down
     */
    public TimerHandle schedule(long delay, TimeUnit unit, Runnable task) {
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(task, "task");
        return scheduleAt(saturatedAdd(time(), unit.toNanos(delay)), task);
    }

    /**
     * As {@link #schedule(long, TimeUnit, Runnable)} with a {@link Duration}.
     *
     * @param delay how long from now
     * @param task the callback to run
     * @return the timer, which can be cancelled from any thread
     */
    public TimerHandle schedule(Duration delay, Runnable task) {
        Objects.requireNonNull(delay, "delay");
        return scheduleAt(saturatedAdd(time(), saturatedNanos(delay)), task);
    }

    /**
     * Runs {@code task} on this loop at {@code deadline}, a reading of {@link #time()} in nanoseconds
     * (asyncio's {@code call_at}). A deadline in the past means "due now", still in deadline order.
     *
     * @param deadline when to run, in nanoseconds on the loop's clock
     * @param task the callback to run
     * @return the timer, which can be cancelled from any thread
     */
    public TimerHandle scheduleAt(long deadline, Runnable task) {
        Objects.requireNonNull(task, "task");
        ScheduledCallback timer = new ScheduledCallback(this, task, deadline);
        if (Thread.currentThread() == thread) {
            if (lifecycle >= STOPPING) {
                throw rejection();
            }
            timers.scheduleAt(timer, deadline);
        } else if (!enqueue(timer)) {
            throw rejection();
        }
        return timer;
    }

    /** A timer's message reached the loop: insert it, or unlink it if it was cancelled meanwhile. */
    void timerMessage(ScheduledCallback timer, boolean stillScheduled) {
        if (stillScheduled && lifecycle != RUNNING) {
            timer.discard(); // shutdown cancels pending timers, including those still in transit
            return;
        }
        if (stillScheduled) {
            if (!timer.isScheduled()) {
                timers.scheduleAt(timer, timer.when());
            }
        } else if (timer.isScheduled()) {
            timers.cancel(timer);
        }
    }

    void timerCancelled(ScheduledCallback timer) {
        if (Thread.currentThread() == thread) {
            timers.cancel(timer);
        } else {
            sendInternal(timer);
        }
    }

    static long saturatedAdd(long a, long b) {
        long sum = a + b;
        // Overflow iff both operands have the sign opposite to the sum's.
        if (((a ^ sum) & (b ^ sum)) < 0) {
            return b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return sum;
    }

    static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException overflow) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The loop
    // ---------------------------------------------------------------------------------------------

    private void run() {
        CURRENT.set(this);
        try {
            try {
                pin();
            } catch (Throwable failed) {
                startFailure = failed; // the engine's build reports it: this loop never runs anything
                return;
            } finally {
                started.countDown();
            }
            while (iterate()) {
                // every pass is one iteration
            }
        } catch (Throwable fatal) {
            engine.fatal(fatal, this);
        } finally {
            terminate();
            CURRENT.remove();
        }
    }

    private void pin() {
        if (cpus == null) {
            return;
        }
        try {
            ThreadAffinity.pinCurrentThread(cpus);
        } catch (RuntimeException failed) {
            engine.pinningFailed(name, failed);
        }
    }

    /** One iteration; returns {@code false} once the loop should exit. */
    private boolean iterate() {
        // The clock is read lazily: only when timers are pending or a step asks for time(). A loop
        // that only runs submitted work never pays for a clock read.
        nowValid = false;
        stepsSinceClockRead = 0;
        long start = 0;
        if (debug) {
            start = System.nanoTime();
            STATS.setOpaque(published, STAT_ITERATION_START, start);
        }
        int work = timers.isEmpty() ? 0 : timers.poll(time(), timerFirer);
        drainingInternal = true;
        work += internal.drain(runner, INTERNAL_BATCH);
        drainingInternal = false;
        work += external.drain(runner, externalBatch);
        work += runReady();
        iterations++;
        if (debug) {
            long lag = System.nanoTime() - start;
            if (lag > maxLagNanos) {
                maxLagNanos = lag;
            }
        }
        publishStats();
        int state = lifecycle;
        if (state != RUNNING) {
            if (state >= STOPPING || (state == SHUTTING_DOWN && isQuiescent())) {
                return false;
            }
        }
        if (work > 0) {
            idleRounds = 0;
            idleStrategy.reset();
        } else {
            idle();
        }
        return true;
    }

    private int runReady() {
        int n = ready.size();
        for (int i = 0; i < n; i++) {
            runItem(ready.pollFirst());
        }
        return n;
    }

    /** Runs one item with failure isolation; every path through the loop runs user code through here. */
    private void runItem(Object item) {
        if (debug) {
            long start = System.nanoTime();
            runItemUntimed(item);
            stepFinished(item, System.nanoTime() - start);
            return;
        }
        runItemUntimed(item);
    }

    private void stepFinished(Object item, long nanos) {
        stepNanos.recordValue(Math.max(0, nanos));
        if (nanos >= slowStepNanos) {
            Throwable createdAt = item instanceof Task<?> t ? t.creationTrace() : null;
            String message = String.format("Executing %s took %.3f seconds", item, nanos / 1e9);
            SlowStepEvent event = FlightRecorder.isInitialized() ? new SlowStepEvent() : null;
            if (event != null && event.isEnabled()) {
                event.loop = name;
                event.step = String.valueOf(item);
                event.nanos = nanos;
                event.commit();
            }
            report(message, new SlowStepException(message, nanos, createdAt), item);
        }
    }

    private void runItemUntimed(Object item) {
        if ((++stepsSinceClockRead & CLOCK_REFRESH_MASK) == 0) {
            nowValid = false; // a long batch: the next time() reads the clock again
        }
        if (lifecycle >= STOPPING) {
            abandon(item, !drainingInternal); // stopped past its grace: what has not started never will
            return;
        }
        tasksRun++;
        try {
            if (item instanceof Task<?> task) {
                task.step();
            } else {
                ((Runnable) item).run();
            }
        } catch (Throwable failure) {
            report("Exception in callback", failure, item);
        } finally {
            context = Context.EMPTY; // a plain callback's ContextKey.set never leaks into the next item
        }
    }

    /** Runs an expired timer's callback with failure isolation. */
    void runTimer(Runnable task, long deadline) {
        if (debug) {
            timerLagNanos.recordValue(Math.max(0, time() - deadline));
            long start = System.nanoTime();
            runTimerUntimed(task);
            stepFinished(task, System.nanoTime() - start);
            return;
        }
        runTimerUntimed(task);
    }

    private void runTimerUntimed(Runnable task) {
        tasksRun++;
        try {
            task.run();
        } catch (Throwable failure) {
            report("Exception in timer callback", failure, task);
        } finally {
            context = Context.EMPTY;
        }
    }

    void enqueueReady(Object item) {
        ready.addLast(item);
    }

    // ---------------------------------------------------------------------------------------------
    // Coroutine tasks
    // ---------------------------------------------------------------------------------------------

    /**
     * Creates a coroutine {@link Task} running {@code body} on this loop and schedules its first step
     * (asyncio's {@code create_task}). The body may suspend with {@link Async#await}, {@link Async#sleep}
     * and {@link Async#yieldNow}. The task copies the caller's context. Any thread; from another thread
     * the task enters the bounded external queue. Allocates the task and its continuation.
     *
     * @param <T> the type of the task's value
     * @param body the coroutine's code
     * @return the task
     * @throws UnsupportedOperationException if the JVM lacks the flag coroutines need (named in the
     *     message)
     * @throws RejectedTaskException if the external queue is full or the loop is shutting down
     */
    public <T> Task<T> spawn(Callable<? extends T> body) {
        return spawn(null, body);
    }

    /**
     * As {@link #spawn(Callable)}, naming the task.
     *
     * @param <T> the type of the task's value
     * @param name the task's name, or {@code null} for {@code Task-N}
     * @param body the coroutine's code
     * @return the task
     */
    public <T> Task<T> spawn(String name, Callable<? extends T> body) {
        Task<T> task = new Task<>(this, name, body, true);
        if (Thread.currentThread() == thread) {
            if (lifecycle >= STOPPING) {
                throw rejection();
            }
            register(task);
            ready.addLast(task);
        } else if (!enqueue(task)) {
            throw rejection();
        }
        return task;
    }

    /**
     * As {@link #spawn(String, Callable)}, but on this loop's thread the first step runs at once, inside
     * this call, until the body first suspends or finishes (asyncio's {@code eager_start=True}); the
     * returned task may already be done. From another thread it is an ordinary spawn.
     *
     * @param <T> the type of the task's value
     * @param name the task's name, or {@code null} for {@code Task-N}
     * @param body the coroutine's code
     * @return the task, possibly already done
     */
    public <T> Task<T> spawnEager(String name, Callable<? extends T> body) {
        if (Thread.currentThread() != thread) {
            return spawn(name, body);
        }
        if (lifecycle >= STOPPING) {
            throw rejection();
        }
        Task<T> task = new Task<>(this, name, body, true);
        register(task);
        task.step();
        return task;
    }

    /**
     * As {@link #spawnEager(String, Callable)} with a default name.
     *
     * @param <T> the type of the task's value
     * @param body the coroutine's code
     * @return the task, possibly already done
     */
    public <T> Task<T> spawnEager(Callable<? extends T> body) {
        return spawnEager(null, body);
    }

    /**
     * Delivers {@code task}'s pending cancel request on this loop. A delivery cancels what the task awaits,
     * which may be a task that in turn delivers to what it awaits, and so on down a chain of any depth: a
     * delivery made while another runs is queued and run after it, so the stack stays flat.
     */
    void deliverCancel(Task<?> task) {
        if (deliveringCancels) {
            pendingCancelDeliveries.addLast(task);
            return;
        }
        deliveringCancels = true;
        try {
            Task<?> next = task;
            do {
                next.deliverCancel();
            } while ((next = pendingCancelDeliveries.pollFirst()) != null);
        } finally {
            deliveringCancels = false;
        }
    }

    void register(Task<?> task) {
        if (lifecycle != RUNNING) {
            // Queued before the shutdown began but first stepped after it: it was live at shutdown,
            // so it gets the same single cancel as every other live task (it never runs its body).
            task.cancel("the engine is shutting down");
        }
        task.registered = true;
        task.nextLive = liveHead;
        if (liveHead != null) {
            liveHead.prevLive = task;
        }
        liveHead = task;
        liveCount++;
    }

    void unregister(Task<?> task) {
        if (task.prevLive != null) {
            task.prevLive.nextLive = task.nextLive;
        } else if (liveHead == task) {
            liveHead = task.nextLive;
        }
        if (task.nextLive != null) {
            task.nextLive.prevLive = task.prevLive;
        }
        task.prevLive = task.nextLive = null;
        task.registered = false;
        liveCount--;
    }

    /**
     * The coroutine tasks of this loop that are not done, oldest first (asyncio's {@code
     * all_tasks(loop)}). On the loop it reads the registry directly; from another thread it asks the
     * loop through its internal queue, which never refuses, and waits for the answer: it works on a loop
     * whose external queue is full, and on a loop that is shutting down or has stopped (a stopped loop's
     * registry is read directly).
     *
     * @return a new list of the loop's live coroutine tasks
     * @throws IllegalStateException on another loop's thread, which must not block waiting for this loop
     */
    public List<Task<?>> allTasks() {
        if (Thread.currentThread() == thread) {
            return liveTasks();
        }
        if (current() != null) {
            throw new IllegalStateException("allTasks() of " + name + " on the thread of another loop ("
                    + Thread.currentThread().getName() + ") would block that loop; call it on " + name
                    + " or outside the loops");
        }
        Promise<List<Task<?>>> answer = new Promise<>(this);
        sendInternal((Runnable) () -> answer.complete(liveTasks()));
        boolean interrupted = false;
        try {
            for (; ; ) {
                if (isTerminated()) {
                    // The loop thread has exited (which orders all its writes before this read) without
                    // answering: it stopped first, or dropped the question as it stopped.
                    return answer.isDone() ? answer.result() : liveTasks();
                }
                try {
                    return answer.get(QUERY_POLL);
                } catch (TimeoutException stillWaiting) {
                    // re-check whether the loop stopped meanwhile
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private List<Task<?>> liveTasks() {
        List<Task<?>> tasks = new ArrayList<>(liveCount);
        for (Task<?> t = liveHead; t != null; t = t.nextLive) {
            tasks.add(t);
        }
        Collections.reverse(tasks);
        return tasks;
    }

    void report(String message, Throwable failure, Object source) {
        try {
            exceptionHandler.handle(message, failure, source);
        } catch (Throwable handlerFailure) {
            handlerFailure.addSuppressed(failure);
            LoggingExceptionHandler.INSTANCE.handle("exception handler failed", handlerFailure, source);
        }
        if (failure instanceof Error error) {
            engine.fatal(error, source);
        }
    }

    /** Whether messages wait in the loop's queues. Any thread; a snapshot. */
    boolean hasPendingMessages() {
        return !internal.isEmpty() || !external.isEmpty();
    }

    private boolean hasQueuedWork() {
        return !internal.isEmpty() || !external.isEmpty() || !ready.isEmpty();
    }

    /**
     * Whether a shutting-down loop may exit: nothing queued and no task alive. Pending timers do not keep
     * it: shutdown cancelled those it found, and one scheduled since by a plain callback is discarded at
     * exit (asyncio's close), so a timer far in the future cannot hold the shutdown for its delay.
     */
    private boolean isQuiescent() {
        return !hasQueuedWork() && liveCount == 0;
    }

    private void idle() {
        long deadline = timers.nextDeadline();
        if (!ready.isEmpty() || (deadline != Long.MAX_VALUE && deadline <= time())) {
            return; // timers scheduled during this pass are already due
        }
        if (debug) {
            STATS.setOpaque(published, STAT_ITERATION_START, 0L); // idle is not a stall
        }
        if (++idleRounds <= idleRoundsBeforePark && virtualClock == null) {
            // Spin or yield without announcing anything: producers pay nothing while the loop is
            // about to look at its queues again anyway.
            idleStrategy.idle();
            return;
        }
        wakeup.prepareToPark(deadline);
        // The store above happens BEFORE these loads: a producer that enqueued after our check will see
        // the park announcement and unpark us (see LoopWakeup).
        if (!hasQueuedWork() && lifecycle <= SHUTTING_DOWN) {
            park(deadline);
        }
        wakeup.awake();
    }

    private void park(long deadline) {
        parks++;
        if (virtualClock != null) {
            virtualClock.loopIdle(this, deadline);
            LockSupport.park(this);
            virtualClock.loopBusy(this);
        } else if (deadline == Long.MAX_VALUE) {
            LockSupport.park(this);
        } else {
            LockSupport.parkNanos(this, deadline - clock.nanoTime());
        }
    }

    /** Wakes the loop after a virtual clock moved. */
    void clockAdvanced() {
        LockSupport.unpark(thread);
    }

    private void publishStats() {
        STATS.setOpaque(published, STAT_TASKS, tasksRun);
        STATS.setOpaque(published, STAT_ITERATIONS, iterations);
        STATS.setOpaque(published, STAT_PARKS, parks);
        STATS.setOpaque(published, STAT_LAG, maxLagNanos);
        STATS.setOpaque(published, STAT_READY, (long) ready.size());
        STATS.setOpaque(published, STAT_TIMERS, (long) timers.size());
    }

    /** Debug mode: when the current iteration started (System.nanoTime), or 0 while idle. */
    long iterationStartedNanos() {
        return stat(STAT_ITERATION_START);
    }

    long iterationNumber() {
        return stat(STAT_ITERATIONS);
    }

    boolean isDebug() {
        return debug;
    }

    private long stat(int which) {
        return (long) STATS.getOpaque(published, which);
    }

    // ---------------------------------------------------------------------------------------------
    // Shutdown
    // ---------------------------------------------------------------------------------------------

    /**
     * Stops accepting new external work; on the loop, cancels the pending timers and every live task
     * once. The loop then runs until nothing is queued, scheduled or alive, and exits.
     */
    void beginShutdown() {
        if (lifecycle == RUNNING) {
            lifecycle = SHUTTING_DOWN;
            sendInternal((Runnable) this::cancelPendingWork);
        }
    }

    /** Stops the loop at its next iteration; what is still queued is cancelled. */
    void stopNow() {
        if (lifecycle < STOPPING) {
            lifecycle = STOPPING;
        }
        LockSupport.unpark(thread);
    }

    private void cancelPendingWork() {
        timers.clear(ScheduledCallback::discard);
        for (Task<?> task : liveTasks()) {
            task.cancel("the engine is shutting down");
        }
    }

    /** The live tasks as a snapshot, for shutdown reports; exact only once the loop has stopped. */
    List<Task<?>> liveTasksSnapshot() {
        return liveTasks();
    }

    /** On the loop thread, after the last iteration: nothing queued may be left unaccounted for. */
    private void terminate() {
        lifecycle = TERMINATED;
        STATS.setOpaque(published, STAT_ITERATION_START, 0L); // a stopped loop is not stalled
        if (virtualClock != null) {
            virtualClock.detach(this);
        }
        // Producers that passed the lifecycle check before TERMINATED may still be enqueueing; what they
        // enqueued is abandoned here or by the sending thread (sendInternal, the engine's final sweep).
        abandonQueued();
        timers.clear(ScheduledCallback::discard); // only this thread touches the wheel, even now
        publishStats();
    }

    /**
     * Accounts for everything still queued on a loop that has stopped, or is stopping past its grace
     * period: a task is cancelled, a timer discarded, a done callback run (on this thread, in its
     * registrant's context: the loop will never run it), an engine message run, and a plain callback
     * that was accepted but will never run is reported through the exception handler. Nothing is dropped
     * silently. The queues have one consumer, so after the loop thread's exit the callers take turns.
     */
    void abandonQueued() {
        synchronized (stoppedDrainLock) {
            Object item;
            while ((item = ready.pollFirst()) != null) {
                abandon(item, true);
            }
            while ((item = internal.relaxedPoll()) != null) {
                abandon(item, false);
            }
            while ((item = external.relaxedPoll()) != null) {
                abandon(item, true);
            }
        }
    }

    private void abandon(Object item, boolean userCallback) {
        if (item instanceof Task<?> task) {
            task.abandon(name + " stopped before the task ran");
        } else if (item instanceof ScheduledCallback timer) {
            timer.discard();
        } else if (item instanceof DoneCallback callbacks) {
            callbacks.runAfterStop();
        } else if (item instanceof Runnable runnable) {
            if (userCallback) {
                report(
                        "callback not run: " + name + " stopped before it ran",
                        new RejectedTaskException(name + " stopped before the callback ran"),
                        runnable);
            } else if (runnable instanceof BaseAwaitable.Forwarded<?> || Thread.currentThread() == thread) {
                // A forwarded callback runs wherever; the loop's own messages run only on its thread, since
                // they touch its confined state (timers, cancel deliveries). Off the loop, once it has
                // stopped, they have nothing left to act on: every task is done and every timer discarded.
                try {
                    runnable.run();
                } catch (Throwable failure) {
                    report("Exception in callback", failure, runnable);
                }
            }
        }
    }

    /**
     * Waits until the loop thread has pinned itself, while the engine is built. Throws what stopped it
     * before its first iteration, or an {@link IllegalStateException} if it did not start in time.
     */
    void awaitStarted(long deadlineNanos) throws InterruptedException {
        if (!started.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException(name + " did not start: its thread never ran (check the thread factory)");
        }
        Throwable failure = startFailure;
        if (failure != null) {
            throw new IllegalStateException(name + " could not start: " + failure.getMessage(), failure);
        }
    }

    boolean awaitTermination(long deadlineNanos) throws InterruptedException {
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining > 0) {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
        }
        return !thread.isAlive();
    }

    boolean isTerminated() {
        return lifecycle == TERMINATED && !thread.isAlive();
    }

    Thread thread() {
        return thread;
    }

    // ---------------------------------------------------------------------------------------------
    // Diagnostics
    // ---------------------------------------------------------------------------------------------

    /** {@return a snapshot of this loop's counters} Any thread. */
    public LoopStats stats() {
        return new LoopStats(
                index,
                name,
                stat(STAT_TASKS),
                external.size() + internal.size(),
                (int) stat(STAT_READY),
                (int) stat(STAT_TIMERS),
                wakeups.get(),
                stat(STAT_PARKS),
                stat(STAT_ITERATIONS),
                stat(STAT_LAG),
                stepNanos == null ? null : stepNanos.copy(),
                timerLagNanos == null ? null : timerLagNanos.copy());
    }

    @Override
    public String toString() {
        return "EventLoop[" + name + "]";
    }
}
