package dev.spindle.engine;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A unit of work run on one {@link EventLoop} (asyncio's {@code Task}).
 *
 * <p>A run-to-completion task ({@link EventLoop#submit}) runs its body once, in one step. Cancellation
 * follows asyncio: {@link #cancel(String)} from any thread only records a request and returns {@code
 * true} while the task is not done; the loop delivers it at the task's next step. A task cancelled
 * before its first step never runs its body; one cancelled while running ends CANCELLED even if the body
 * then returns a value. A body that throws {@link CancelledException} also ends the task CANCELLED.
 *
 * <p>Results are read with the {@link Awaitable} methods. The terminal transition happens on the loop;
 * done callbacks then run on the loop in registration order.
 *
 * @param <T> the type of the value
 */
public final class Task<T> extends BaseAwaitable<T> {

    /** Process-wide, as asyncio's: used only when no name is given. */
    private static final AtomicLong NEXT_ID = new AtomicLong(1);

    private final Callable<? extends T> body;
    private volatile String name;
    private final long id;

    Task(EventLoop loop, String name, Callable<? extends T> body) {
        super(loop);
        this.body = Objects.requireNonNull(body, "body");
        this.name = name;
        this.id = name == null ? NEXT_ID.getAndIncrement() : 0;
    }

    /**
     * The task running on the calling thread's loop right now, or {@code null} when the caller is not
     * inside a task step.
     */
    public static Task<?> current() {
        EventLoop loop = EventLoop.current();
        return loop == null ? null : loop.currentTask();
    }

    /** The task's name: the one it was given, else {@code Task-N} from a process-wide counter. */
    public String name() {
        String n = name;
        return n != null ? n : "Task-" + id;
    }

    /** Renames the task. Safe from any thread. */
    public void setName(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /**
     * Requests cancellation; safe from any thread. Returns {@code false} if the task is done; otherwise
     * counts the request ({@link #cancelling()}) and returns {@code true}, even if a request is already
     * pending. Delivery happens on the loop, at the task's next step.
     */
    @Override
    public boolean cancel(String message) {
        for (; ; ) {
            int w = word();
            if (isTerminal(stateOf(w))) {
                return false;
            }
            cancelMessage = message;
            if (casWord(w, (w + ONE_CANCEL) | MUST_CANCEL)) {
                return true;
            }
        }
    }

    /** The number of cancel requests not yet withdrawn by {@link #uncancel()}. */
    public int cancelling() {
        return word() >>> CANCEL_SHIFT;
    }

    /**
     * Withdraws one cancel request and returns the number left. When none is left, a request not yet
     * delivered is dropped. Once the task is done this changes only the count, never the outcome. Called
     * by the task itself or by structured-concurrency code on the task's loop.
     *
     * @throws IllegalStateException if called from another thread than the task's loop
     */
    public int uncancel() {
        if (!loop.inLoop()) {
            throw new IllegalStateException("uncancel() must be called on " + loop.name() + ", the loop of "
                    + this + ", not on " + Thread.currentThread().getName());
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

    /** Runs the task's step. Called by its loop only. */
    void step() {
        int w = word();
        if (isTerminal(stateOf(w))) {
            return;
        }
        if ((w & MUST_CANCEL) != 0) {
            finishOnLoop(CANCELLED, null);
            return;
        }
        while (!casWord(w, (w & ~STATE_MASK) | RUNNING)) {
            w = word();
        }
        T value;
        try {
            value = body.call();
        } catch (Throwable failure) {
            finishFailed(failure);
            return;
        }
        finishOnLoop(SUCCEEDED, value);
    }

    private void finishFailed(Throwable failure) {
        if (failure instanceof CancelledException cancelled) {
            if (cancelMessage == null) {
                cancelMessage = cancelled.cancelMessage();
            }
            finishOnLoop(CANCELLED, failure);
            return;
        }
        finishOnLoop(FAILED, failure);
        if (failure instanceof Error error) {
            loop.engine().fatal(error, this);
        }
    }

    /** Cancels a task that will never run because its loop has stopped. */
    void abandon(String reason) {
        cancelMessage = reason;
        finishOnLoop(CANCELLED, null);
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
