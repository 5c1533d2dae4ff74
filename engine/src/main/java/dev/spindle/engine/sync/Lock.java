package dev.spindle.engine.sync;

import dev.spindle.engine.Async;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.Promise;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A mutual-exclusion lock for the tasks of one loop (asyncio's {@code Lock}). It has no owner: any task of
 * its loop may release it.
 *
 * <pre>{@code
 * try (var _ = lock.acquire()) {
 *     ... // may await; other tasks of the loop wait in acquire()
 * }
 * }</pre>
 *
 * <h2>Fairness and cancellation</h2>
 *
 * Waiters are served in FIFO order and nobody barges: {@link #acquire()} takes the lock at once only when
 * it is unlocked and every queued waiter has been cancelled. {@link #release()} wakes the first waiter,
 * which marks the lock locked itself when it resumes; until then the lock reads unlocked but a newcomer
 * still queues behind the woken waiter. A waiter cancelled after being woken, but before it resumed, passes
 * the wake-up to the next waiter, so the lock is never stranded.
 *
 * <h2>Threads and cost</h2>
 *
 * <b>Threads:</b> loop-local: bound to the loop given at construction, else to the loop of the task that
 * creates it, else to the first loop that uses it; every method must then be called on that loop's thread
 * (a call from elsewhere throws {@link IllegalStateException} naming both). Until it is bound, {@link
 * #locked()} may be read on any thread, while {@link #acquire()}, {@link #tryAcquire()} and {@link
 * #release()} must come from a loop thread. The constructors are safe from any thread. No atomics or
 * locks on any path.
 * An uncontended acquire/release allocates nothing; a waiting acquire allocates one {@link Promise} (plus
 * the await's node) and must run in a coroutine task.
 */
public final class Lock {
    private final LoopBinding binding;
    /** Waiting acquirers in FIFO order; a waiter leaves the deque itself when it resumes. */
    private final ArrayDeque<Promise<Void>> waiters = new ArrayDeque<>();

    private final Acquired releaser = this::release;
    private boolean locked;

    /**
     * Creates an unlocked lock, bound to the calling task's loop, or, when created outside a task, to the
     * first loop that uses it. Any thread.
     */
    public Lock() {
        this.binding = LoopBinding.toCaller();
    }

    /**
     * Creates an unlocked lock bound to {@code loop}. Any thread.
     *
     * @param loop the loop the lock is bound to
     */
    public Lock(EventLoop loop) {
        this.binding = LoopBinding.to(loop);
    }

    LoopBinding binding() {
        return binding;
    }

    /**
     * Acquires the lock, suspending the calling coroutine until it is this caller's turn (asyncio's {@code
     * acquire}). Returns at once, without a step boundary, if the lock is unlocked and no live waiter is
     * queued. If the task is cancelled while waiting, {@link dev.spindle.engine.CancelledException} is thrown
     * and the lock is not held.
     *
     * <p>Loop thread only. O(number of waiters) to check for live waiters; allocates only when it waits.
     *
     * @return the lock's {@link Acquired}, whose {@code close()} is {@link #release()}
     * @throws IllegalStateException if called off the lock's loop, or if it must wait outside a coroutine
     *     task
     */
    public Acquired acquire() {
        EventLoop loop = binding.enter("Lock.acquire()");
        if (!locked && allWaitersCancelled()) {
            locked = true;
            return releaser;
        }
        Promise<Void> waiter = new Promise<>(loop);
        waiters.addLast(waiter);
        try {
            try {
                Async.await(waiter);
            } finally {
                waiters.removeFirstOccurrence(waiter);
            }
        } catch (Throwable failure) {
            // Cancelled (or unable to suspend): if the lock is free, we may have been the one woken for it,
            // so the next waiter must get its turn instead.
            if (!locked) {
                wakeUpFirst();
            }
            throw failure;
        }
        locked = true;
        return releaser;
    }

    /**
     * Acquires the lock if that needs no waiting: it is unlocked and no live waiter is queued. Never
     * suspends. Loop thread only; O(number of waiters), no allocation.
     *
     * @return whether the lock was acquired
     */
    public boolean tryAcquire() {
        binding.enter("Lock.tryAcquire()");
        if (!locked && allWaitersCancelled()) {
            locked = true;
            return true;
        }
        return false;
    }

    /**
     * Releases the lock and wakes the first queued waiter, which takes the lock when it resumes (asyncio's
     * {@code release}). There is no owner check: any task of the loop may release. Loop thread only; O(1),
     * no allocation.
     *
     * @throws IllegalStateException "Lock is not acquired." if the lock is not locked, or if called off the
     *     lock's loop
     */
    public void release() {
        binding.enter("Lock.release()");
        if (!locked) {
            throw new IllegalStateException("Lock is not acquired.");
        }
        locked = false;
        wakeUpFirst();
    }

    /**
     * {@return whether the lock is held} A lock just released to a waiter that has not resumed yet reads unlocked. Loop
     * thread only (or any thread before the lock is bound); O(1).
     */
    public boolean locked() {
        binding.check("Lock.locked()");
        return locked;
    }

    /** The queued waiters, including woken ones that have not resumed yet; for tests of this package. */
    Deque<Promise<Void>> waiters() {
        return waiters;
    }

    private boolean allWaitersCancelled() {
        for (Promise<Void> waiter : waiters) {
            if (!waiter.isCancelled()) {
                return false;
            }
        }
        return true;
    }

    /** Wakes the first waiter unless it is already done: woken before, or cancelled (it then wakes the next). */
    private void wakeUpFirst() {
        Promise<Void> first = waiters.peekFirst();
        if (first != null) {
            first.complete(null);
        }
    }

    @Override
    public String toString() {
        return "Lock[" + (locked ? "locked" : "unlocked") + ", waiters=" + waiters.size() + " on " + binding + "]";
    }
}
