package dev.spindle.engine.sync;

import dev.spindle.engine.Async;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.Promise;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A counting semaphore for the tasks of one loop (asyncio's {@code Semaphore}): {@link #acquire()} takes a
 * unit, waiting while none is free; {@link #release()} gives one back.
 *
 * <pre>{@code
 * try (var _ = semaphore.acquire()) {
 *     ... // at most `value` tasks of the loop are here at once
 * }
 * }</pre>
 *
 * <h2>Fairness and cancellation</h2>
 *
 * Waiters are served in FIFO order: {@code acquire} takes a unit at once only when {@link #locked()} is
 * false, i.e. a unit is free and no live waiter is queued ahead. {@code release} increments the value and
 * wakes the first waiter not already woken or cancelled, handing it the unit at wake time. A waiter
 * cancelled after being woken, but before it resumed, gives its unit back; every waiter that leaves the
 * queue, for whatever reason, then wakes as many waiters as the value allows. No unit leaks and none is
 * handed out twice.
 *
 * <p>A plain {@code release()} may raise the value above the initial one; {@link BoundedSemaphore}
 * forbids that.
 *
 * <h2>Threads and cost</h2>
 *
 * <b>Threads:</b> loop-local: bound to the loop given at construction, else to the loop of the task that
 * creates it, else to the first loop that uses it; every method must then be called on that loop's thread
 * (a call from elsewhere throws {@link IllegalStateException} naming both). Until it is bound, {@link
 * #locked()} and {@link #value()} may be read on any thread, while {@code acquire}, {@code tryAcquire} and
 * {@code release} must come from a loop thread. The constructors are safe from any thread. No atomics or
 * locks. An
 * uncontended acquire/release allocates nothing; a waiting acquire allocates one {@link Promise} and must
 * run in a coroutine task.
 */
public sealed class Semaphore permits BoundedSemaphore {
    final LoopBinding binding;
    /** Waiting acquirers in FIFO order; a waiter leaves the deque itself when it resumes. */
    private final ArrayDeque<Promise<Void>> waiters = new ArrayDeque<>();

    private final Acquired releaser = this::release;
    /** Free units: incremented by release, decremented by an immediate acquire or when a waiter is woken. */
    int value;

    /**
     * Creates a semaphore with {@code value} free units, bound to the calling task's loop, or, when created
     * outside a task, to the first loop that uses it. Any thread.
     *
     * @param value the initial number of free units
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public Semaphore(int value) {
        this(LoopBinding.toCaller(), value);
    }

    /**
     * Creates a semaphore with {@code value} free units bound to {@code loop}. Any thread.
     *
     * @param loop the loop the semaphore is bound to
     * @param value the initial number of free units
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public Semaphore(EventLoop loop, int value) {
        this(LoopBinding.to(loop), value);
    }

    Semaphore(LoopBinding binding, int value) {
        if (value < 0) {
            throw new IllegalArgumentException("value: a semaphore's initial value must be >= 0 (" + value + ")");
        }
        this.binding = binding;
        this.value = value;
    }

    /**
     * Takes a unit, suspending the calling coroutine until one is free and every earlier waiter has been
     * served (asyncio's {@code acquire}). Returns at once, without a step boundary, when {@link #locked()}
     * is false. If the task is cancelled while waiting, {@link dev.spindle.engine.CancelledException} is
     * thrown and no unit is held.
     *
     * <p>Loop thread only. O(number of waiters); allocates only when it waits.
     *
     * @return the semaphore's {@link Acquired}, whose {@code close()} is {@link #release()}
     * @throws IllegalStateException if called off the semaphore's loop, or if it must wait outside a
     *     coroutine task
     */
    public final Acquired acquire() {
        EventLoop loop = binding.enter("Semaphore.acquire()");
        if (!isLocked()) {
            value--;
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
            if (waiter.isDone() && !waiter.isCancelled()) {
                value++; // woken, so handed a unit, but we will not use it: give it back
            }
            throw failure;
        } finally {
            // Waiters that arrived while units were free had to queue behind us (FIFO): wake as many as the
            // value allows, including the one our returned unit is for.
            while (value > 0 && wakeUpNext()) {
                // each call hands one unit to one waiter
            }
        }
        return releaser;
    }

    /**
     * Takes a unit if that needs no waiting, i.e. when {@link #locked()} is false. Never suspends. Loop
     * thread only; O(number of waiters), no allocation.
     *
     * @return whether a unit was taken
     */
    public final boolean tryAcquire() {
        binding.enter("Semaphore.tryAcquire()");
        if (isLocked()) {
            return false;
        }
        value--;
        return true;
    }

    /**
     * Gives a unit back and wakes the first waiter not already woken or cancelled, handing it the unit
     * (asyncio's {@code release}). May raise the value above the initial one. Loop thread only; O(number
     * of waiters) in the worst case, no allocation.
     *
     * @throws IllegalStateException if called off the semaphore's loop, or if the value would overflow
     *     {@code int}
     */
    public void release() {
        binding.enter("Semaphore.release()");
        releaseUnit();
    }

    final void releaseUnit() {
        if (value == Integer.MAX_VALUE) {
            throw new IllegalStateException("Semaphore value overflow: released too many times");
        }
        value++;
        wakeUpNext();
    }

    /**
     * {@return whether {@code acquire()} would wait: no unit is free, or a live (not cancelled) waiter is queued, which
     * FIFO order serves first} Loop thread only (or any thread before the semaphore is bound); O(number of waiters).
     */
    public final boolean locked() {
        binding.check("Semaphore.locked()");
        return isLocked();
    }

    /**
     * {@return the number of free units, asyncio's {@code _value}} A woken waiter that has not resumed yet already
     * holds its unit. Loop thread only (or any thread before the semaphore is bound); O(1).
     */
    public final int value() {
        binding.check("Semaphore.value()");
        return value;
    }

    /** The queued waiters, including woken ones that have not resumed yet; for tests of this package. */
    final Deque<Promise<Void>> waiters() {
        return waiters;
    }

    private boolean isLocked() {
        if (value == 0) {
            return true;
        }
        for (Promise<Void> waiter : waiters) {
            if (!waiter.isCancelled()) {
                return true;
            }
        }
        return false;
    }

    /** Hands one unit to the first waiter not already done; returns whether there was one. */
    private boolean wakeUpNext() {
        for (Promise<Void> waiter : waiters) {
            if (waiter.complete(null)) {
                value--;
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[value=" + value + ", waiters=" + waiters.size() + " on " + binding + "]";
    }
}
