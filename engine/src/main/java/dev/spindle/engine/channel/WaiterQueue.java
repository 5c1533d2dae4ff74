package dev.spindle.engine.channel;

import dev.spindle.engine.Promise;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The FIFO of one side's waiters (suspended receivers, or suspended senders) of a {@link Channel}.
 *
 * <p>A waiter is either a {@link Promise Promise&lt;Void&gt;} awaited by a coroutine, or a {@link
 * ThreadWaiter} for a blocked plain thread. Each settles "woken" against "gave up" with one CAS (a
 * promise's {@code complete} against its {@code cancel}, which is also how a task's cancellation reaches
 * it), so every wake-up is either accepted by a waiter that will act on it, or refused and passed to the
 * next waiter by the waker itself ({@link #wakeOne()}).
 *
 * <p>The queue is the JDK's lock-free {@link ConcurrentLinkedQueue} (Michael and Scott): any thread adds,
 * any thread polls. Its {@code offer} links the node with a CAS and its {@code poll} reads with volatile
 * loads, both sequentially consistent, which is what the channel's store-then-load protocol needs (see
 * the package documentation).
 *
 * <p><b>Stale waiters.</b> A waiter that gives up (cancelled, timed out, interrupted, or no longer needed
 * because its re-check succeeded) stays linked: wakers poll it, find it done and skip it, at O(1) each. So
 * that stale nodes cannot pile up behind a waiter that is never woken, every {@link #withdraw} is counted,
 * and once the count reaches the number of waiters found live by the last sweep (at least {@value
 * #MIN_SWEEP}), the withdrawing thread unlinks every stale node in one pass: O(1) amortized per withdrawal,
 * and the stale nodes never outnumber the larger of {@value #MIN_SWEEP} and the live waiters at the last
 * sweep.
 *
 * <p>Not final only so that tests can act at an exact point of a registration ({@link #add}).
 */
class WaiterQueue {
    /** The fewest withdrawals between two sweeps. */
    static final int MIN_SWEEP = 64;

    private static final VarHandle STALE;

    static {
        try {
            STALE = MethodHandles.lookup().findVarHandle(WaiterQueue.class, "stale", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ConcurrentLinkedQueue<Object> waiters = new ConcurrentLinkedQueue<>();

    /** Withdrawals since the last sweep: an upper bound on the stale nodes still linked. */
    @SuppressWarnings("unused") // accessed through STALE
    private volatile int stale;

    /** The withdrawal count that triggers the next sweep; a hint, written by sweepers. */
    private volatile int sweepAt = MIN_SWEEP;

    /** Any thread: appends {@code waiter} (a pending promise or a waiting thread). Allocates one node. */
    void add(Object waiter) {
        waiters.offer(waiter);
    }

    /**
     * Any thread: wakes the oldest waiter still waiting, skipping (and unlinking) the ones that gave up.
     * Returns {@code false} if none was waiting. Reads only, when the queue is empty.
     */
    final boolean wakeOne() {
        Object waiter;
        while ((waiter = waiters.poll()) != null) {
            if (wake(waiter)) {
                return true;
            }
            // It gave up before this wake-up reached it: the wake-up goes to the next one, not nowhere.
        }
        return false;
    }

    /**
     * Any thread: wakes every waiter that was linked when the call began. Waiters that join meanwhile are
     * not the caller's business: they re-check the channel after joining and see what the caller changed
     * before calling (the close, or the last item going). Bounding the pass keeps a waiter that re-joins at
     * once from keeping the caller busy. O(waiters).
     */
    final void wakeAll() {
        for (int n = waiters.size(); n > 0; n--) {
            Object waiter = waiters.poll();
            if (waiter == null) {
                return;
            }
            wake(waiter);
        }
    }

    /**
     * The waiter's own thread: ends its wait. Returns {@code true} if no wake-up had landed on it (it is
     * now stale, and counted for the next sweep), {@code false} if a waker won: that waker has already
     * unlinked it and will not pass the wake-up on, so the caller must use it or pass it on.
     */
    final boolean withdraw(Object waiter) {
        if (!giveUp(waiter)) {
            return false;
        }
        int withdrawn = (int) STALE.getAndAdd(this, 1) + 1;
        if (withdrawn >= sweepAt && STALE.compareAndSet(this, withdrawn, 0)) {
            sweep(); // the CAS elects one sweeper per batch; a concurrent extra sweep would be harmless
        }
        return true;
    }

    /** Unlinks every waiter that is no longer waiting. O(waiters), lock-free. */
    private void sweep() {
        int live = 0;
        for (Iterator<Object> it = waiters.iterator(); it.hasNext(); ) {
            if (isWaiting(it.next())) {
                live++;
            } else {
                it.remove();
            }
        }
        sweepAt = Math.max(MIN_SWEEP, live);
    }

    /** The waiters still waiting, for tests and diagnostics. O(waiters). */
    final int waiting() {
        int live = 0;
        for (Object waiter : waiters) {
            if (isWaiting(waiter)) {
                live++;
            }
        }
        return live;
    }

    /** The nodes linked, stale ones included, for tests. O(waiters). */
    final int linked() {
        return waiters.size();
    }

    @SuppressWarnings("unchecked")
    private static boolean wake(Object waiter) {
        if (waiter instanceof Promise<?> promise) {
            // Completes from this thread; the awaiting coroutine resumes on its own loop.
            return ((Promise<Object>) promise).complete(null);
        }
        return ((ThreadWaiter) waiter).wake();
    }

    /** Returns {@code true} if the waiter ended without a wake-up (it gave up, now or before). */
    private static boolean giveUp(Object waiter) {
        if (waiter instanceof Promise<?> promise) {
            promise.cancel(); // no-op if already done: cancelled by the task's cancellation, or completed
            return promise.isCancelled();
        }
        ThreadWaiter thread = (ThreadWaiter) waiter;
        return thread.withdraw() || !thread.isWoken();
    }

    private static boolean isWaiting(Object waiter) {
        if (waiter instanceof Promise<?> promise) {
            return !promise.isDone();
        }
        return ((ThreadWaiter) waiter).isWaiting();
    }
}
