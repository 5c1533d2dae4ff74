package dev.spindle.engine.sync;

import dev.spindle.engine.Async;
import dev.spindle.engine.CancelledException;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.Promise;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * A condition variable for the tasks of one loop (asyncio's {@code Condition}): tasks holding its {@link
 * Lock} wait in {@link #await()} until another task {@linkplain #signal(int) signals} them.
 *
 * <pre>{@code
 * try (var _ = condition.acquire()) {
 *     condition.waitFor(() -> !items.isEmpty());
 *     use(items.remove());
 * }
 * }</pre>
 *
 * <h2>Rules</h2>
 *
 * <ul>
 *   <li>{@code await}, {@code waitFor} and {@code signal} need the lock held, by anyone (locks have no
 *       owner); otherwise they throw {@link IllegalStateException}.
 *   <li>{@code await} releases the lock and, whether it is woken or cancelled, always takes it again
 *       before returning or throwing: it retries through {@link CancelledException} and then rethrows the
 *       last one. So the caller always holds the lock after {@code await}, even when it throws.
 *   <li>Whatever exception leaves {@code await} passes one notification on to the next waiter, so a
 *       notification that raced with a cancellation is never lost. Spurious wake-ups are therefore
 *       possible, as the condition-variable protocol allows: wait in a loop, or use {@link #waitFor}.
 *   <li>{@code signal(n)} wakes the first {@code n} waiters not already woken or cancelled, in FIFO order.
 * </ul>
 *
 * <h2>Names</h2>
 *
 * asyncio's {@code wait}, {@code wait_for}, {@code notify(n)} and {@code notify_all} are {@link #await()},
 * {@link #waitFor}, {@link #signal(int)} and {@link #signalAll()}, as in {@code
 * java.util.concurrent.locks.Condition}: {@code wait()}, {@code notify()} and {@code notifyAll()} are
 * final methods of {@link Object}, and a call to them here would throw {@link
 * IllegalMonitorStateException}.
 *
 * <h2>Threads and cost</h2>
 *
 * <b>Threads:</b> loop-local, with the same binding as its lock (see {@link Lock}); every method must be
 * called on that loop's thread, else it throws {@link IllegalStateException}. The constructors and {@link
 * #lock()} are safe from any thread. No atomics or locks. A wait allocates one {@link Promise}, plus one
 * per time it must wait
 * to re-acquire the lock.
 */
public final class Condition {
    private final Lock lock;
    private final LoopBinding binding;
    /** Waiting tasks in FIFO order; a waiter leaves the deque itself when it resumes. */
    private final ArrayDeque<Promise<Void>> waiters = new ArrayDeque<>();

    /**
     * Creates a condition with a new {@link Lock}, bound to the calling task's loop, or, when created
     * outside a task, to the first loop that uses it. Any thread.
     */
    public Condition() {
        this(new Lock());
    }

    /**
     * Creates a condition with a new {@link Lock} bound to {@code loop}. Any thread.
     *
     * @param loop the loop the condition and its lock are bound to
     */
    public Condition(EventLoop loop) {
        this(new Lock(loop));
    }

    /**
     * Creates a condition over {@code lock}, sharing its loop binding; several conditions may share one
     * lock. If the lock is not bound yet and the caller runs a task, both are bound to its loop. Any thread.
     *
     * @param lock the lock the condition waits with
     */
    public Condition(Lock lock) {
        this.lock = Objects.requireNonNull(lock, "lock");
        this.binding = lock.binding();
        binding.bindToCaller();
    }

    /** {@return the condition's lock} */
    public Lock lock() {
        return lock;
    }

    /**
     * {@link Lock#acquire()} of the condition's lock.
     *
     * @return the lock's {@link Acquired}, whose {@code close()} releases the lock
     */
    public Acquired acquire() {
        return lock.acquire();
    }

    /** {@link Lock#release()} of the condition's lock. */
    public void release() {
        lock.release();
    }

    /**
     * {@link Lock#locked()} of the condition's lock.
     *
     * @return whether the condition's lock is held
     */
    public boolean locked() {
        return lock.locked();
    }

    /**
     * Releases the lock, suspends the calling coroutine until notified, then re-acquires the lock (asyncio's
     * {@code wait}). The lock is held again when this returns and also when it throws, even by
     * cancellation: a cancellation while re-acquiring is retried, and the last {@link CancelledException}
     * (with any earlier failure as suppressed) is thrown once the lock is held. Any exception out of here
     * first passes one signal on to another waiter.
     *
     * <p>Loop thread only. Allocates one {@link Promise}, plus one per wait for the lock.
     *
     * @return {@code true}, always, as asyncio's {@code wait()} returns {@code True}
     * @throws IllegalStateException if the lock is not held, if called off the loop, or outside a coroutine
     *     task
     */
    public boolean await() {
        EventLoop loop = binding.enter("Condition.await()");
        if (!lock.locked()) {
            throw new IllegalStateException("cannot wait on un-acquired lock");
        }
        lock.release();
        try {
            awaitNotificationThenRelock(loop);
            return true;
        } catch (Throwable failure) {
            // We may have been signalled and then failed to act on it: hand the wake-up on.
            wakeUp(1);
            throw failure;
        }
    }

    /**
     * Waits until {@code predicate} is true (asyncio's {@code wait_for}): checks it, and {@link #await()}s
     * and checks again while it is false. The predicate runs with the lock held. Same rules, threads and
     * exceptions as {@code await()}; returns at once, without a step boundary, if the predicate already
     * holds.
     *
     * @return {@code true}, the predicate's final value
     * @param predicate the condition to wait for, checked with the lock held
     */
    public boolean waitFor(BooleanSupplier predicate) {
        Objects.requireNonNull(predicate, "predicate");
        while (!predicate.getAsBoolean()) {
            await();
        }
        return true;
    }

    /**
     * Wakes the first waiting task that is not already woken or cancelled (asyncio's {@code notify()}).
     * Same rules as {@link #signal(int)}.
     */
    public void signal() {
        signal(1);
    }

    /**
     * Wakes the first {@code n} waiting tasks that are not already woken or cancelled (asyncio's {@code
     * notify(n)}). Each takes the lock again before its {@code await} returns, so none runs before the
     * caller releases the lock. Loop thread only; O(number of waiters), no allocation.
     *
     * @param n the most waiters to wake
     * @throws IllegalArgumentException if {@code n} is negative
     * @throws IllegalStateException if the lock is not held, or if called off the loop
     */
    public void signal(int n) {
        binding.enter("Condition.signal()");
        if (n < 0) {
            throw new IllegalArgumentException("n: cannot signal a negative number of waiters (" + n + ")");
        }
        if (!lock.locked()) {
            throw new IllegalStateException("cannot signal on un-acquired lock");
        }
        wakeUp(n);
    }

    /** Wakes every waiting task (asyncio's {@code notify_all}). Same rules as {@link #signal(int)}. */
    public void signalAll() {
        binding.enter("Condition.signalAll()");
        signal(waiters.size());
    }

    /** The waiting tasks, including woken ones that have not resumed yet; for tests of this package. */
    Deque<Promise<Void>> waiters() {
        return waiters;
    }

    /** Waits for a notification with the lock released, then re-acquires it whatever happened. */
    private void awaitNotificationThenRelock(EventLoop loop) {
        Promise<Void> waiter = new Promise<>(loop);
        waiters.addLast(waiter);
        try {
            Async.await(waiter);
        } catch (Throwable failure) {
            waiters.removeFirstOccurrence(waiter);
            CancelledException last = relock();
            if (last != null && last != failure) {
                last.addSuppressed(failure);
                throw last;
            }
            throw failure;
        }
        waiters.removeFirstOccurrence(waiter);
        CancelledException last = relock();
        if (last != null) {
            throw last;
        }
    }

    /**
     * Acquires the lock, retrying through cancellation (each request is one-shot, so the retry waits
     * normally), and returns the last cancellation seen, or {@code null}. Any other failure propagates,
     * with the lock not held.
     */
    private CancelledException relock() {
        CancelledException last = null;
        for (; ; ) {
            try {
                lock.acquire();
                return last;
            } catch (CancelledException cancelled) {
                last = cancelled;
            }
        }
    }

    private void wakeUp(int n) {
        int woken = 0;
        for (Promise<Void> waiter : waiters) {
            if (woken >= n) {
                return;
            }
            if (waiter.complete(null)) {
                woken++;
            }
        }
    }

    @Override
    public String toString() {
        return "Condition[" + lock + ", waiters=" + waiters.size() + "]";
    }
}
