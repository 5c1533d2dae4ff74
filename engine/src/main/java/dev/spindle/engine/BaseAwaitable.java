package dev.spindle.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The state word, outcome and done-callback stack shared by {@link Promise} and {@link Task}.
 *
 * <h2>The state word</h2>
 *
 * One {@code int}, changed only by CAS or release stores through {@link #WORD}:
 *
 * <pre>
 *   bits 0-2   state: PENDING, RUNNING, SUSPENDED, COMPLETING, SUCCEEDED, FAILED, CANCELLED
 *   bit  3     MUST_CANCEL: a cancel request waits for delivery at the task's next step
 *   bit  4     MESSAGE_PENDING: a counted cancel request is still writing its message
 *   bits 5-31  the number of cancel requests (asyncio's cancelling())
 * </pre>
 *
 * Invariants:
 *
 * <ul>
 *   <li>A terminal state is never left. {@link #outcome} is written BEFORE the store or CAS that makes
 *       the word terminal, and read only AFTER an acquiring load has seen it terminal.
 *   <li>COMPLETING is a promise's exclusive claim: the one thread whose CAS moved PENDING to COMPLETING
 *       writes the outcome and then release-stores the terminal state. Every other completer or canceller
 *       sees a non-PENDING state and loses.
 *   <li>A task's terminal transition happens only on its loop; a cancel from another thread only adds a
 *       request, by CAS on the same word, so "done" and "one more request" are totally ordered: a cancel
 *       returns {@code true} exactly when it was counted before the task became terminal.
 * </ul>
 *
 * <h2>Done callbacks</h2>
 *
 * A Treiber stack in {@link #callbacks}: {@code null} when empty, the newest {@link DoneCallback}, or
 * {@link #CLOSED} once the outcome is published. Whoever completes swaps in CLOSED and owns the detached
 * chain; a registrant whose CAS fails against CLOSED dispatches its own node. So each callback is
 * dispatched exactly once, either by the completer or by its registrant.
 */
abstract sealed class BaseAwaitable<T> implements Awaitable<T> permits Promise, Task, Gather {

    static final int STATE_MASK = 0x7;
    static final int PENDING = 0;
    static final int RUNNING = 1;
    static final int SUSPENDED = 2;
    static final int COMPLETING = 3;
    static final int SUCCEEDED = 4;
    static final int FAILED = 5;
    static final int CANCELLED = 6;
    static final int MUST_CANCEL = 1 << 3;
    static final int MESSAGE_PENDING = 1 << 4;
    static final int CANCEL_SHIFT = 5;
    static final int ONE_CANCEL = 1 << CANCEL_SHIFT;

    private static final TaskState[] STATES = {
        TaskState.PENDING,
        TaskState.RUNNING,
        TaskState.SUSPENDED,
        TaskState.PENDING, // COMPLETING is invisible: the outcome is not published yet
        TaskState.SUCCEEDED,
        TaskState.FAILED,
        TaskState.CANCELLED
    };

    static final Object CLOSED = new Object();

    static final VarHandle WORD;
    static final VarHandle CALLBACKS;
    private static final VarHandle SHIELD_REPORTED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            WORD = lookup.findVarHandle(BaseAwaitable.class, "word", int.class);
            CALLBACKS = lookup.findVarHandle(BaseAwaitable.class, "callbacks", Object.class);
            SHIELD_REPORTED = lookup.findVarHandle(BaseAwaitable.class, "shieldReported", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final EventLoop loop;

    @SuppressWarnings("unused") // accessed through WORD
    private volatile int word;

    @SuppressWarnings("unused") // accessed through CALLBACKS
    private volatile Object callbacks;

    /** The value or the Throwable; published by the terminal transition of {@link #word}. */
    Object outcome;

    /**
     * The message of the latest counted cancel request. A task's canceller writes it only while it holds
     * MESSAGE_PENDING, which it takes in the same CAS that counts the request; the loop writes it only in
     * a terminal transition whose CAS saw MESSAGE_PENDING clear. So once a task is terminal the message is
     * frozen, and a cancel that lost to the end (and returned {@code false}) never wrote it. A promise's
     * message is written by the one claimant of COMPLETING.
     */
    volatile String cancelMessage;

    /** Set once a shielded failure has been reported, so shielding twice reports once. */
    @SuppressWarnings("unused") // accessed through SHIELD_REPORTED
    private volatile boolean shieldReported;

    /** Set on the failure path only: reports the failure if nobody reads it. */
    private volatile UnretrievedFailure unretrieved;

    BaseAwaitable(EventLoop loop) {
        this.loop = Objects.requireNonNull(loop, "loop");
    }

    static int stateOf(int word) {
        return word & STATE_MASK;
    }

    static boolean isTerminal(int state) {
        return state >= SUCCEEDED;
    }

    final int word() {
        return (int) WORD.getVolatile(this);
    }

    final boolean casWord(int expected, int next) {
        return WORD.compareAndSet(this, expected, next);
    }

    @Override
    public final EventLoop loop() {
        return loop;
    }

    @Override
    public final TaskState state() {
        return STATES[stateOf(word())];
    }

    @Override
    public final boolean isDone() {
        return isTerminal(stateOf(word()));
    }

    @Override
    public final boolean isCancelled() {
        return stateOf(word()) == CANCELLED;
    }

    @Override
    public final T result() {
        markRetrieved();
        return reportResult(stateOf(word()), "Result is not ready.");
    }

    final boolean claimShieldReport() {
        return SHIELD_REPORTED.compareAndSet(this, false, true);
    }

    /** The failure, if any, has been seen by someone: do not report it as never retrieved. */
    final void markRetrieved() {
        UnretrievedFailure u = unretrieved;
        if (u != null) {
            u.retrieved();
        }
    }

    private void armUnretrieved(Throwable failure) {
        unretrieved = UnretrievedFailure.arm(this, failure, this instanceof Task ? "Task" : "Promise");
    }

    @SuppressWarnings("unchecked")
    private T reportResult(int state, String notReady) {
        switch (state) {
            case SUCCEEDED:
                return (T) outcome;
            case FAILED:
                throw rethrowable((Throwable) outcome);
            case CANCELLED:
                throw new CancelledException(finalCancelMessage());
            default:
                throw new InvalidStateException(notReady + " (" + this + ")");
        }
    }

    private static RuntimeException rethrowable(Throwable failure) {
        if (failure instanceof RuntimeException unchecked) {
            return unchecked;
        }
        if (failure instanceof Error error) {
            throw error;
        }
        return new CompletionException(failure);
    }

    @Override
    public final Throwable exception() {
        markRetrieved();
        int state = stateOf(word());
        return switch (state) {
            case SUCCEEDED -> null;
            case FAILED -> (Throwable) outcome;
            case CANCELLED -> throw new CancelledException(finalCancelMessage());
            default -> throw new InvalidStateException("Exception is not set. (" + this + ")");
        };
    }

    // ---------------------------------------------------------------------------------------------
    // Completion
    // ---------------------------------------------------------------------------------------------

    /**
     * Claims the right to complete a PENDING awaitable (PENDING → COMPLETING). Safe from any thread;
     * exactly one caller wins.
     */
    final boolean claim() {
        for (; ; ) {
            int w = word();
            if (stateOf(w) != PENDING) {
                return false;
            }
            if (casWord(w, (w & ~STATE_MASK) | COMPLETING)) {
                return true;
            }
        }
    }

    /** Publishes the outcome after a successful {@link #claim()} and dispatches the callbacks. */
    final void publishClaimed(int terminalState, Object outcome) {
        this.outcome = outcome;
        if (terminalState == FAILED) {
            armUnretrieved((Throwable) outcome);
        }
        int w = word();
        // Only the claimant writes the word while it is COMPLETING, so a release store suffices: it
        // orders the outcome write BEFORE the terminal state becomes visible.
        WORD.setRelease(this, (w & ~STATE_MASK) | terminalState);
        fireCallbacks();
    }

    /**
     * Moves a task to a terminal state from its loop: the outcome is written first, then the word is
     * CASed (cancel requests from other threads may change the count bits concurrently). If MUST_CANCEL
     * is set when the transition happens and {@code terminalState} is SUCCEEDED, the task ends CANCELLED.
     */
    final void finishOnLoop(int terminalState, Object outcome) {
        finishOnLoop(terminalState, outcome, null);
    }

    /**
     * As {@link #finishOnLoop(int, Object)}; a non-null {@code reason} ends the task CANCELLED with that
     * message, whatever message a cancel request left (the engine's own reasons: a loop that stopped).
     */
    final void finishOnLoop(int terminalState, Object outcome, String reason) {
        if (isTerminal(stateOf(word()))) {
            return; // only the loop makes a task terminal, so this check cannot go stale
        }
        this.outcome = outcome;
        if (terminalState == FAILED) {
            // Armed BEFORE the failure is published, so a reader that sees FAILED also disarms it.
            armUnretrieved((Throwable) outcome);
        }
        for (; ; ) {
            int w = settledWord();
            int target = terminalState;
            if (target == SUCCEEDED && (w & MUST_CANCEL) != 0) {
                target = CANCELLED;
            }
            if (reason != null) {
                cancelMessage = reason; // a canceller counted after the read fails our CAS: we write again
            }
            // Expects MESSAGE_PENDING clear: a canceller counted after the read makes this CAS fail.
            if (casWord(w, (w & ~STATE_MASK) | target)) {
                break;
            }
        }
        afterTerminal();
        fireCallbacks();
    }

    /**
     * The message a CANCELLED awaitable reports: that of the latest counted cancel request, else that of
     * the {@link CancelledException} it ended with. Read only once the state is CANCELLED.
     */
    final String finalCancelMessage() {
        String m = settledCancelMessage();
        if (m == null && outcome instanceof CancelledException thrown) {
            return thrown.cancelMessage();
        }
        return m;
    }

    /**
     * The word once no counted cancel request is still writing its message (MESSAGE_PENDING clear). A
     * canceller holds the bit for two stores, so the wait is a few spins unless its thread is descheduled
     * right between them.
     */
    final int settledWord() {
        int spins = 0;
        for (; ; ) {
            int w = word();
            if ((w & MESSAGE_PENDING) == 0) {
                return w;
            }
            if ((++spins & 0xFF) == 0) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
        }
    }

    /** The latest counted cancel request's message, once it is written; any thread. */
    final String settledCancelMessage() {
        settledWord();
        return cancelMessage;
    }

    /** Runs on the loop right after a task's terminal transition, before its callbacks are dispatched. */
    void afterTerminal() {}

    final void fireCallbacksAfterReject() {
        fireCallbacks();
    }

    /** Detaches the callback chain, closing the stack, and dispatches it in registration order. */
    private void fireCallbacks() {
        Object head = CALLBACKS.getAndSet(this, CLOSED);
        if (head == null || head == CLOSED) {
            return;
        }
        // The stack is newest-first; reverse into the dispatch chain (nextReady), running internal
        // waiters inline as we go: they only unpark threads or complete bridged futures.
        DoneCallback first = null;
        for (DoneCallback n = (DoneCallback) head; n != null; n = n.next) {
            if (n.inline) {
                n.runInline();
            } else {
                n.nextReady = first;
                first = n;
            }
        }
        if (first != null) {
            loop.dispatchCallbacks(first);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Callbacks
    // ---------------------------------------------------------------------------------------------

    @Override
    public final Registration onDone(Consumer<? super Awaitable<T>> callback) {
        Objects.requireNonNull(callback, "callback");
        return push(new DoneCallback(this, callback, false));
    }

    /**
     * Registers {@code callback} to run on {@code target}'s thread once this is done: an ordinary
     * callback when {@code target} owns this awaitable, otherwise an inline node that forwards through
     * {@code target}'s internal queue (one hop from the completing thread, never refused).
     */
    final Registration onDoneOn(EventLoop target, Consumer<? super Awaitable<T>> callback) {
        if (target == loop) {
            return onDone(callback);
        }
        return push(new DoneCallback(this, done -> target.sendInternal(new Forwarded<>(this, callback)), true));
    }

    /**
     * A callback on its way to another loop through that loop's internal queue. The one kind of engine
     * message that carries a callback: a loop that has stopped runs it on the sending thread rather than
     * drop it (its other engine messages have nothing left to act on).
     */
    static final class Forwarded<T> implements Runnable {
        private final BaseAwaitable<T> source;
        private final Consumer<? super Awaitable<T>> callback;

        Forwarded(BaseAwaitable<T> source, Consumer<? super Awaitable<T>> callback) {
            this.source = source;
            this.callback = callback;
        }

        @Override
        public void run() {
            callback.accept(source);
        }
    }

    final DoneCallback push(DoneCallback node) {
        for (; ; ) {
            Object head = CALLBACKS.getVolatile(this);
            if (head == CLOSED) {
                if (node.inline) {
                    node.runInline();
                } else {
                    loop.dispatchCallbacks(node);
                }
                return node;
            }
            node.next = (DoneCallback) head;
            // The CAS publishes node.next BEFORE the node becomes reachable from the stack.
            if (CALLBACKS.compareAndSet(this, head, node)) {
                return node;
            }
        }
    }

    @Override
    public final int removeOnDone(Consumer<? super Awaitable<T>> callback) {
        Objects.requireNonNull(callback, "callback");
        Object head = CALLBACKS.getVolatile(this);
        if (head == CLOSED || head == null) {
            return 0;
        }
        int removed = 0;
        for (DoneCallback n = (DoneCallback) head; n != null; n = n.next) {
            if (n.callback != null && n.callback.equals(callback) && n.remove()) {
                removed++;
            }
        }
        return removed;
    }

    // ---------------------------------------------------------------------------------------------
    // Blocking bridges for threads outside the engine
    // ---------------------------------------------------------------------------------------------

    @Override
    public final T join() {
        if (!isDone()) {
            refuseBlockingOnLoop("join()");
            Thread waiter = Thread.currentThread();
            DoneCallback node = push(new DoneCallback(this, __ -> LockSupport.unpark(waiter), true));
            boolean interrupted = false;
            while (!isDone()) {
                LockSupport.park(this);
                interrupted |= Thread.interrupted();
            }
            node.remove();
            if (interrupted) {
                waiter.interrupt();
            }
        }
        return result();
    }

    @Override
    public final T get(Duration timeout) throws TimeoutException, InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        if (!isDone()) {
            refuseBlockingOnLoop("get(timeout)");
            Thread waiter = Thread.currentThread();
            DoneCallback node = push(new DoneCallback(this, __ -> LockSupport.unpark(waiter), true));
            try {
                long nanos = EventLoop.saturatedNanos(timeout); // Long.MAX_VALUE: no time limit
                long deadline = EventLoop.saturatedAdd(System.nanoTime(), nanos);
                while (!isDone()) {
                    long remaining = deadline - System.nanoTime();
                    if (nanos <= 0 || (nanos != Long.MAX_VALUE && remaining <= 0)) {
                        throw new TimeoutException("not done within " + timeout + ": " + this);
                    }
                    if (nanos == Long.MAX_VALUE) {
                        LockSupport.park(this);
                    } else {
                        LockSupport.parkNanos(this, remaining);
                    }
                    if (Thread.interrupted()) {
                        throw new InterruptedException("interrupted while waiting for " + this);
                    }
                }
            } finally {
                node.remove();
            }
        }
        return result();
    }

    private void refuseBlockingOnLoop(String what) {
        if (EventLoop.current() != null) {
            throw new IllegalStateException(what + " on a loop thread would block the loop ("
                    + Thread.currentThread().getName() + ") while " + this
                    + " is not done; await it from a coroutine or use onDone()");
        }
    }

    @Override
    public final CompletableFuture<T> toCompletableFuture() {
        CompletableFuture<T> future = new CompletableFuture<>();
        push(new DoneCallback(this, done -> copyOutcomeTo(future), true));
        return future;
    }

    @SuppressWarnings("unchecked")
    private void copyOutcomeTo(CompletableFuture<T> future) {
        markRetrieved();
        switch (stateOf(word())) {
            case SUCCEEDED -> future.complete((T) outcome);
            case FAILED -> future.completeExceptionally((Throwable) outcome);
            default -> future.completeExceptionally(new CancelledException(finalCancelMessage()));
        }
    }
}
