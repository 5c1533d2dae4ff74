package dev.spindle.engine.channel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * A plain thread waiting in a {@link WaiterQueue}: the blocking variants' counterpart of the promise a
 * coroutine awaits.
 *
 * <p>One state word decides, by CAS, between the two ways a wait ends: {@code WAITING → WOKEN} by a waker
 * ({@link #wake()}, any thread) and {@code WAITING → WITHDRAWN} by the waiting thread itself ({@link
 * #withdraw()}, on time-out or interrupt). Exactly one wins, so a wake-up either reaches a thread that will
 * act on it or is refused, and the waker moves on to the next waiter: a wake-up is never swallowed by a
 * thread that has given up. This is the same race a coroutine's promise settles between {@code complete}
 * and {@code cancel}.
 *
 * <p>The waker's CAS happens BEFORE its {@code unpark}, and the thread re-reads the word after every
 * return from {@code park}, so neither an early unpark (it leaves a permit) nor a spurious return can
 * lose the wake-up.
 */
final class ThreadWaiter {
    static final int WAITING = 0;
    static final int WOKEN = 1;
    static final int WITHDRAWN = 2;

    /** {@link #await} ended because the thread was woken. */
    static final int AWOKE = 0;
    /** {@link #await} ended because the deadline passed; the waiter is still WAITING. */
    static final int TIMED_OUT = 1;
    /** {@link #await} ended because the thread was interrupted (flag cleared); still WAITING. */
    static final int INTERRUPTED = 2;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ThreadWaiter.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Thread thread = Thread.currentThread();

    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;

    /** Whether the wait has neither been woken nor withdrawn. Any thread. */
    boolean isWaiting() {
        return lvState() == WAITING;
    }

    /** Whether a waker won the race. Any thread. */
    boolean isWoken() {
        return lvState() == WOKEN;
    }

    /** Any thread: wakes the waiting thread unless it already gave up; returns whether this call woke it. */
    boolean wake() {
        if (STATE.compareAndSet(this, WAITING, WOKEN)) {
            LockSupport.unpark(thread);
            return true;
        }
        return false;
    }

    /** The waiting thread: gives up; returns {@code false} if a wake-up landed first. */
    boolean withdraw() {
        return STATE.compareAndSet(this, WAITING, WITHDRAWN);
    }

    /**
     * The waiting thread, before any {@link #withdraw()}: parks until woken, the deadline ({@link
     * System#nanoTime()}) passes, or the thread is interrupted. A wake-up that has landed wins over a
     * pending interrupt (the flag then stays set for the next wait). On time-out or interrupt the waiter is
     * left WAITING: the caller withdraws it, and learns from that whether a wake-up landed meanwhile.
     *
     * @return {@link #AWOKE}, {@link #TIMED_OUT} or {@link #INTERRUPTED}
     */
    int await(boolean timed, long deadline) {
        for (; ; ) {
            if (lvState() != WAITING) {
                return AWOKE;
            }
            if (Thread.interrupted()) {
                return INTERRUPTED;
            }
            if (timed) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return TIMED_OUT;
                }
                LockSupport.parkNanos(this, remaining);
            } else {
                LockSupport.park(this);
            }
        }
    }

    private int lvState() {
        return (int) STATE.getVolatile(this);
    }

    @Override
    public String toString() {
        return "ThreadWaiter[" + thread.getName() + " " + lvState() + "]";
    }
}
