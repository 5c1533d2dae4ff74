package dev.spindle.engine;

import dev.spindle.collections.TimerNode;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A {@link Runnable} scheduled on a loop's timer wheel. It is its own wheel node and its own queue item,
 * so a timer costs exactly one allocation.
 *
 * <p>{@code state} goes SCHEDULED → FIRED (the loop, at expiry) or SCHEDULED → CANCELLED (any thread),
 * by CAS: exactly one wins. The wheel links are touched only on the loop. A timer scheduled or
 * cancelled from another thread travels to the loop through its queues as this object, and {@link
 * #run()} then inserts or unlinks it according to {@code state}.
 */
final class ScheduledCallback extends TimerNode implements TimerHandle, Runnable {
    private static final int SCHEDULED = 0;
    private static final int FIRED = 1;
    private static final int CANCELLED = 2;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ScheduledCallback.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final EventLoop loop;
    private final Runnable task;
    private final long when;

    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;

    ScheduledCallback(EventLoop loop, Runnable task, long deadline) {
        this.loop = loop;
        this.task = task;
        this.when = deadline;
    }

    @Override
    public boolean cancel() {
        if (!STATE.compareAndSet(this, SCHEDULED, CANCELLED)) {
            return false;
        }
        loop.timerCancelled(this);
        return true;
    }

    @Override
    public boolean isCancelled() {
        return (int) STATE.getVolatile(this) == CANCELLED;
    }

    @Override
    public boolean hasFired() {
        return (int) STATE.getVolatile(this) == FIRED;
    }

    @Override
    public long when() {
        return when;
    }

    /** Called by the wheel at expiry, on the loop. */
    void fire() {
        if (STATE.compareAndSet(this, SCHEDULED, FIRED)) {
            loop.runTimer(task, when);
        }
    }

    /** Marks the timer cancelled without running it; used at shutdown. */
    boolean discard() {
        return STATE.compareAndSet(this, SCHEDULED, CANCELLED);
    }

    /** Arrives on the loop from another thread: insert a new timer, or unlink a cancelled one. */
    @Override
    public void run() {
        loop.timerMessage(this, (int) STATE.getVolatile(this) == SCHEDULED);
    }

    @Override
    public String toString() {
        return "timer " + task + " at " + when;
    }
}
