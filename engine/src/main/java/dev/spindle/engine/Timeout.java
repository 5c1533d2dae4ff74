package dev.spindle.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * The scope of one {@link Async#timeout} block (asyncio's {@code asyncio.Timeout}): it cancels its task
 * when the deadline passes and turns the resulting {@link CancelledException} into a {@link
 * TaskTimeoutException} as the block exits.
 *
 * <p><b>Threads:</b> loop-confined: use it only inside its own block, from the task that entered it.
 * Rescheduling from another thread than its loop's throws {@link IllegalStateException}; the read-only
 * accessors are exact only on that loop.
 *
 * <pre>
 *   CREATED ──enter──► ACTIVE ──deadline──► EXPIRING ──exit──► EXPIRED
 *                        └──────────────exit─────────────────► FINISHED
 * </pre>
 */
public final class Timeout {
    enum State {
        CREATED,
        ACTIVE,
        EXPIRING,
        EXPIRED,
        FINISHED
    }

    private final Task<?> task;
    private final EventLoop loop;
    private State state = State.CREATED;
    private long when;
    private int cancellingAtEntry;
    private TimerHandle timer;
    /** Counts armings, so an immediate expiry queued by an earlier arming knows it was withdrawn. */
    private int armings;

    Timeout(Task<?> task, long when) {
        this.task = task;
        this.loop = task.loop();
        this.when = when;
    }

    /** Enters the scope: remembers the task's cancel count and arms the timer. */
    void enter() {
        if (state != State.CREATED) {
            throw new IllegalStateException("Timeout has already been entered");
        }
        state = State.ACTIVE;
        cancellingAtEntry = task.cancelling();
        arm();
    }

    private void arm() {
        if (when == Long.MAX_VALUE) {
            return; // no deadline
        }
        if (when <= loop.time()) {
            // A deadline already past expires on the ready queue, as asyncio's call_soon does: ahead of
            // the task's next resumption, not at the next timer tick, which may be several steps away.
            int arming = ++armings;
            loop.enqueueReady((Runnable) () -> {
                if (armings == arming && state == State.ACTIVE) {
                    expire();
                }
            });
            return;
        }
        timer = loop.scheduleAt(when, this::expire);
    }

    /** Withdraws the pending expiry, whether it is a timer or already on the ready queue. */
    private void disarm() {
        armings++;
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    private void expire() {
        task.cancel();
        state = State.EXPIRING;
    }

    /** {@return the deadline on the loop's clock, or {@link Long#MAX_VALUE} for none} */
    public long when() {
        return when;
    }

    /**
     * Moves the deadline to {@code deadline} on the loop's clock ({@link Long#MAX_VALUE}: none). A deadline
     * at or before the loop's {@linkplain EventLoop#time() time}, down to {@link Long#MIN_VALUE}, has
     * already passed: the scope expires at the task's next suspension point.
     *
     * @param deadline the new deadline, in nanoseconds on the loop's clock
     * @throws IllegalStateException unless the scope is active, naming its state, or if called on another
     *     thread than its loop's
     */
    public void rescheduleAt(long deadline) {
        if (!loop.inLoop()) {
            throw new IllegalStateException("Timeout.reschedule() called on "
                    + Thread.currentThread().getName() + ": a timeout belongs to its task on " + loop.name());
        }
        switch (state) {
            case ACTIVE -> {}
            case CREATED -> throw new IllegalStateException("Timeout has not been entered");
            case EXPIRING -> throw new IllegalStateException("Timeout is expiring");
            case EXPIRED -> throw new IllegalStateException("Timeout has expired");
            case FINISHED -> throw new IllegalStateException("Timeout has finished");
        }
        disarm();
        when = deadline;
        arm();
    }

    /**
     * Moves the deadline to {@code delay} from now. A zero or negative delay expires the scope at the task's
     * next suspension point; one too long for a {@code long} of nanoseconds removes the deadline.
     *
     * @param delay the new deadline, from now
     */
    public void reschedule(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        rescheduleAt(EventLoop.saturatedAdd(loop.time(), EventLoop.saturatedNanos(delay)));
    }

    /** {@return whether the deadline passed and the scope cancelled its task} */
    public boolean expired() {
        return state == State.EXPIRING || state == State.EXPIRED;
    }

    /**
     * Leaves the scope. Returns the exception to propagate instead of {@code failure} (which may be
     * {@code null} when the block returned normally).
     */
    Throwable exit(Throwable failure) {
        disarm();
        if (state != State.EXPIRING) {
            state = State.FINISHED;
            return failure;
        }
        state = State.EXPIRED;
        // Only the scope whose own request accounts for the cancellation converts it; an inner scope
        // that also expired, or an outside cancel, leaves the count above our entry snapshot.
        if (task.uncancel() <= cancellingAtEntry && failure != null) {
            if (failure instanceof CancelledException) {
                return new TaskTimeoutException("timed out", failure);
            }
            // Another exception replaced the cancellation on its way out (a failing finally block):
            // it stays in flight, carrying the timeout, caused by the cancellation, as suppressed.
            failure.addSuppressed(new TaskTimeoutException("timed out", new CancelledException(null)));
        }
        return failure;
    }

    @Override
    public String toString() {
        return "Timeout[" + state.name().toLowerCase(java.util.Locale.ROOT) + " when=" + when + "]";
    }
}
