package dev.spindle.engine;

import dev.spindle.engine.internal.Coroutines;
import dev.spindle.engine.internal.jfr.TaskFailedEvent;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jfr.FlightRecorder;

/**
 * A unit of work that runs on one {@link EventLoop} (asyncio's {@code Task}).
 *
 * <p>Two kinds share this class. A <b>run-to-completion</b> task ({@link EventLoop#submit}) runs its
 * body in one step. A <b>coroutine</b> task ({@link EventLoop#spawn}) runs its body inside a
 * continuation on its loop thread and may suspend at {@link Async#await}, {@link Async#sleep} and
 * {@link Async#yieldNow}; each resumption is one step.
 *
 * <p>Cancellation follows asyncio. {@link #cancel(String)}, from any thread, returns {@code false} once
 * the task is done; otherwise it counts the request ({@link #cancelling()}) and returns {@code true}. The
 * request is delivered on the loop: a suspended coroutine has what it awaits cancelled, so it wakes with
 * {@link CancelledException} at that await (and a task it awaits, on any loop, is cancelled in turn); a
 * task not yet started never runs its body; a task cancelled while running gets the exception at its
 * next await, or ends CANCELLED if it returns first. A coroutine may catch the exception and go on: the
 * request is one-shot.
 *
 * <p>Results are read with the {@link Awaitable} methods. The terminal transition happens on the loop;
 * done callbacks then run on the loop in registration order. A task's body, callbacks and timers all run
 * on its loop thread.
 *
 * <p><b>Threads:</b> {@link #cancel(String)}, {@link #setName}, the accessors and the {@link Awaitable}
 * methods are safe from any thread ({@link #join()} and {@link #get} refuse to block a loop thread);
 * {@link #awaiting()} is exact only on the task's loop. {@link #uncancel()} must be called on the task's
 * loop and throws {@link IllegalStateException} elsewhere. {@link #current()} answers for the calling
 * thread.
 *
 * @param <T> the type of the value
 */
public final class Task<T> extends BaseAwaitable<T> {

    /** Process-wide, as asyncio's: used only when no name is given. */
    private static final AtomicLong NEXT_ID = new AtomicLong(1);

    private final Callable<? extends T> body;
    /** The continuation of a coroutine task; {@code null} for a run-to-completion task. */
    private final Object coroutine;

    private volatile String name;
    private final long id;
    private final long createdNanos;
    /** Debug mode: where the task was created. */
    private final Throwable creationTrace;

    // Loop-confined after creation.
    private Context context;
    /** What the suspended coroutine awaits, whose cancellation delivers a cancel request. */
    private BaseAwaitable<?> awaiting;
    /** A resumption that was already on its way when a suspension failed; the next step ignores it. */
    private boolean staleResume;
    /** Links of the loop's registry of live coroutine tasks. */
    Task<?> prevLive;

    Task<?> nextLive;
    boolean registered;

    /** Delivers cancel requests made off the loop; created on the first such request. */
    private volatile Runnable cancelDelivery;

    Task(EventLoop loop, String name, Callable<? extends T> body, boolean coroutine) {
        super(loop);
        this.body = Objects.requireNonNull(body, "body");
        this.name = name;
        this.id = name == null ? NEXT_ID.getAndIncrement() : 0;
        this.context = ContextKey.current();
        this.createdNanos = coroutine ? loop.time() : 0;
        this.coroutine = coroutine ? Coroutines.create(this::runBody) : null;
        this.creationTrace = loop.isDebug() ? new Throwable("task created here") : null;
    }

    /**
     * The task whose step is running on the calling thread, or {@code null} when the caller is not
     * inside a task step (a plain callback, or a thread outside the engine).
     *
     * @return the running task, or {@code null}
     */
    public static Task<?> current() {
        EventLoop loop = EventLoop.current();
        return loop == null ? null : loop.currentTask();
    }

    /** {@return the task's name: the one it was given, else {@code Task-N} from a process-wide counter} */
    public String name() {
        String n = name;
        return n != null ? n : "Task-" + id;
    }

    /**
     * Renames the task. Safe from any thread.
     *
     * @param name the new name, not {@code null}
     */
    public void setName(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /** {@return where the task was created, in debug mode; {@code null} otherwise} */
    public Throwable creationTrace() {
        return creationTrace;
    }

    /** {@return whether this is a coroutine task, which may suspend} */
    public boolean isCoroutine() {
        return coroutine != null;
    }

    /** {@return when a coroutine task was created, on its loop's clock ({@link EventLoop#time()}); 0 otherwise} */
    public long createdNanos() {
        return createdNanos;
    }

    /**
     * What the task is suspended on right now, or {@code null}. Exact on the task's loop, a hint
     * elsewhere.
     *
     * @return what the task awaits, or {@code null}
     */
    public Awaitable<?> awaiting() {
        return awaiting;
    }

    @Override
    public boolean cancel(String message) {
        markRetrieved();
        for (; ; ) {
            int w = word();
            if (isTerminal(stateOf(w))) {
                return false;
            }
            if ((w & MESSAGE_PENDING) != 0) {
                Thread.onSpinWait(); // another canceller is writing its message: requests are serialised
                continue;
            }
            // Counts the request and takes MESSAGE_PENDING in one CAS, so only a counted request writes
            // its message, and the loop cannot read the message until it is written.
            if (casWord(w, (w + ONE_CANCEL) | MUST_CANCEL | MESSAGE_PENDING)) {
                break;
            }
        }
        cancelMessage = message;
        WORD.getAndBitwiseAnd(this, ~MESSAGE_PENDING); // releases the message with the bit
        if (coroutine != null) {
            if (loop.inLoop()) {
                loop.deliverCancel(this);
            } else {
                Runnable delivery = cancelDelivery;
                if (delivery == null) {
                    cancelDelivery = delivery = () -> loop.deliverCancel(this);
                }
                loop.sendInternal(delivery);
            }
        }
        return true;
    }

    /** {@return the number of cancel requests not yet withdrawn by {@link #uncancel()}} */
    public int cancelling() {
        return word() >>> CANCEL_SHIFT;
    }

    /**
     * Withdraws one cancel request and returns the number left. When none is left, a request not yet
     * delivered is dropped. Once the task is done this changes only the count, never the outcome. Called
     * by the task itself or by structured-concurrency code on the task's loop.
     *
     * @return the number of cancel requests left
     * @throws IllegalStateException if called from another thread than the task's loop
     */
    public int uncancel() {
        if (!loop.inLoop()) {
            throw new IllegalStateException("uncancel() must be called on " + loop.name() + ", the loop of " + this
                    + ", not on " + Thread.currentThread().getName());
        }
        for (; ; ) {
            int w = word();
            int count = w >>> CANCEL_SHIFT;
            if (count == 0) {
                return 0;
            }
            int next = w - ONE_CANCEL;
            if (count == 1) {
                next &= ~MUST_CANCEL;
            }
            if (casWord(w, next)) {
                return count - 1;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Steps, on the loop
    // ---------------------------------------------------------------------------------------------

    /** Runs the task's next step. Called by its loop only. */
    void step() {
        int w = word();
        int state = stateOf(w);
        if (isTerminal(state)) {
            return;
        }
        if (staleResume) {
            staleResume = false;
            return;
        }
        if (state == RUNNING) {
            throw new IllegalStateException(this + " was resumed while running");
        }
        // PENDING or SUSPENDED → RUNNING, unless a shutdown's reject() made the task terminal meanwhile.
        for (; ; ) {
            if (isTerminal(stateOf(w))) {
                return;
            }
            if (casWord(w, (w & ~STATE_MASK) | RUNNING)) {
                break;
            }
            w = word();
        }
        if (coroutine != null && !registered) {
            loop.register(this);
        }
        EventLoop l = loop;
        Task<?> previousTask = l.swapCurrentTask(this);
        Context previousContext = l.swapContext(context);
        try {
            if (coroutine == null) {
                runBody();
            } else {
                Coroutines.resume(coroutine);
            }
        } finally {
            context = l.swapContext(previousContext);
            l.swapCurrentTask(previousTask);
        }
    }

    /** The body's frame: inside the continuation for a coroutine task. */
    private void runBody() {
        T value;
        try {
            if (consumeMustCancel()) {
                throw new CancelledException(settledCancelMessage());
            }
            value = body.call();
        } catch (Throwable failure) {
            finishFailed(failure);
            return;
        }
        finishOnLoop(SUCCEEDED, value);
    }

    private void finishFailed(Throwable failure) {
        if (failure instanceof CancelledException cancelled) {
            finishOnLoop(CANCELLED, failure);
            return;
        }
        finishOnLoop(FAILED, failure);
        // Only once JFR is up: the first event class initialisation would otherwise load JFR's whole
        // metadata repository on the loop thread, stalling it for up to seconds.
        TaskFailedEvent event = FlightRecorder.isInitialized() ? new TaskFailedEvent() : null;
        if (event != null && event.isEnabled()) {
            event.task = name();
            event.loop = loop.name();
            event.exception = failure.getClass().getName();
            event.message = failure.getMessage();
            event.commit();
        }
        if (failure instanceof Error error) {
            loop.engine().fatal(error, this);
        }
    }

    @Override
    void afterTerminal() {
        if (registered) {
            loop.unregister(this);
        }
    }

    private void setState(int state) {
        for (; ; ) {
            int w = word();
            if (casWord(w, (w & ~STATE_MASK) | state)) {
                return;
            }
        }
    }

    /** Clears a pending cancel request, returning whether there was one (asyncio's _must_cancel). */
    private boolean consumeMustCancel() {
        for (; ; ) {
            int w = word();
            if ((w & MUST_CANCEL) == 0) {
                return false;
            }
            if (casWord(w, w & ~MUST_CANCEL)) {
                return true;
            }
        }
    }

    /**
     * On the loop: delivers a pending cancel request to a suspended coroutine by cancelling its wait.
     * Called only through {@link EventLoop#deliverCancel}, which runs deliveries one after another, so a
     * chain of tasks awaiting tasks is cancelled iteratively, however deep it is.
     */
    void deliverCancel() {
        int w = word();
        if ((w & MUST_CANCEL) == 0 || stateOf(w) != SUSPENDED) {
            return; // not pending, or the next step will see it
        }
        BaseAwaitable<?> target = awaiting;
        if (target != null && target.cancel(settledCancelMessage())) {
            consumeMustCancel(); // the wait itself now ends in cancellation
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Suspension, inside this task's coroutine
    // ---------------------------------------------------------------------------------------------

    /** {@link Async#await}: suspends until {@code target} is done, then reports its outcome. */
    <R> R await(BaseAwaitable<R> target) {
        if (target == this) {
            throw new IllegalStateException("Task cannot await on itself: " + this);
        }
        if ((word() & MUST_CANCEL) != 0 && target.cancel(settledCancelMessage())) {
            consumeMustCancel(); // cancelled while running: the first wait is cancelled at once
        }
        Resume resume = new Resume(target, this, target.loop != loop);
        awaiting = target;
        target.push(resume);
        try {
            suspend(resume);
        } finally {
            awaiting = null;
        }
        if (consumeMustCancel()) {
            throw new CancelledException(settledCancelMessage());
        }
        return target.result();
    }

    /** {@link Async#yieldNow}: lets every other ready item run, then continues. */
    void yieldNow() {
        loop.enqueueReady(this);
        suspend(null);
        if (consumeMustCancel()) {
            throw new CancelledException(settledCancelMessage());
        }
    }

    private void suspend(Resume pending) {
        setState(SUSPENDED);
        try {
            Coroutines.suspend();
        } catch (IllegalStateException pinned) {
            setState(RUNNING);
            if (pending == null || !pending.remove()) {
                staleResume = true; // its resumption is already queued
            }
            throw new IllegalStateException(
                    name() + " cannot suspend here (" + pinned.getMessage()
                            + "): a native frame or a critical section is on its stack",
                    pinned);
        }
    }

    /** Resumes a task once what it awaits is done: on the loop as a callback, or by a hop from afar. */
    static final class Resume extends DoneCallback {
        private final Task<?> task;

        Resume(BaseAwaitable<?> source, Task<?> task, boolean crossLoop) {
            super(source, null, crossLoop);
            this.task = task;
        }

        @Override
        void invoke() {
            if (inline) {
                task.loop.sendInternal(task);
            } else {
                task.step();
            }
        }

        @Override
        public String toString() {
            return "resume " + task.name();
        }
    }

    /**
     * Rejects a task offered while its loop shut down: PENDING → CANCELLED by CAS, racing the loop's
     * first step (PENDING → RUNNING). Returns {@code true} if the task will never run.
     */
    boolean reject(String reason) {
        for (; ; ) {
            int w = settledWord();
            if (stateOf(w) != PENDING) {
                return false;
            }
            cancelMessage = reason;
            // Fails if a canceller counted a request (and may have written its message) since the read.
            if (casWord(w, (w & ~STATE_MASK) | CANCELLED)) {
                afterTerminal();
                fireCallbacksAfterReject();
                return true;
            }
        }
    }

    /** Cancels a task that will never run because its loop has stopped. */
    void abandon(String reason) {
        finishOnLoop(CANCELLED, null, reason);
    }

    @Override
    public String toString() {
        int w = word();
        StringBuilder s = new StringBuilder("Task[").append(name()).append(' ').append(state());
        if (!isTerminal(stateOf(w)) && (w >>> CANCEL_SHIFT) > 0) {
            s.append(" cancelling=").append(w >>> CANCEL_SHIFT);
        }
        return s.append(" on ").append(loop.name()).append(']').toString();
    }
}
