package dev.spindle.engine.sync;

import dev.spindle.engine.Async;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.Promise;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A flag that tasks of one loop can wait for (asyncio's {@code Event}): {@link #set()} wakes every waiting
 * task, {@link #clear()} lowers the flag again, {@link #await()} returns once the flag is set.
 *
 * <p>A waiter woken by {@code set()} returns from {@code await()} even if the flag is cleared again
 * before it resumes: {@code clear()} never un-wakes anyone. The method is named {@code await} because
 * {@code wait()} is {@link Object#wait()}.
 *
 * <p><b>Threads:</b> loop-local: bound to the loop given at construction, else to the loop of the task
 * that creates it, else to the first loop that uses it; every method must then be called on that loop's
 * thread (a call from elsewhere throws {@link IllegalStateException} naming both). Until it is bound,
 * {@link #isSet()} may be read on any thread, while the other methods must come from a loop thread. The
 * constructors are safe from any thread. {@code set()} may be called
 * from a plain callback of that loop, such as one given to {@link EventLoop#execute}. No atomics or locks.
 */
public final class Event {
    private final LoopBinding binding;
    /** Waiting tasks in arrival order; a waiter leaves the deque itself when it resumes. */
    private final ArrayDeque<Promise<Void>> waiters = new ArrayDeque<>();

    private boolean value;

    /**
     * Creates a cleared event, bound to the calling task's loop, or, when created outside a task, to the
     * first loop that uses it. Any thread.
     */
    public Event() {
        this.binding = LoopBinding.toCaller();
    }

    /**
     * Creates a cleared event bound to {@code loop}. Any thread.
     *
     * @param loop the loop the event is bound to
     */
    public Event(EventLoop loop) {
        this.binding = LoopBinding.to(loop);
    }

    /** An event sharing {@code binding} (a queue's join flag), initially {@code set}. */
    Event(LoopBinding binding, boolean set) {
        this.binding = binding;
        this.value = set;
    }

    /** {@return whether the flag is set} Loop thread only (or any thread before the event is bound); O(1). */
    public boolean isSet() {
        binding.check("Event.isSet()");
        return value;
    }

    /**
     * Sets the flag and wakes every waiting task that is not already woken or cancelled (asyncio's {@code
     * set}). Does nothing if already set. Loop thread only; O(number of waiters), no allocation (the woken
     * tasks resume in later steps).
     */
    public void set() {
        binding.enter("Event.set()");
        if (!value) {
            value = true;
            for (Promise<Void> waiter : waiters) {
                waiter.complete(null); // a done waiter (woken, or cancelled) refuses, as it should
            }
        }
    }

    /**
     * Lowers the flag; later {@link #await()} calls wait again. Tasks already woken still return. Loop
     * thread only; O(1).
     */
    public void clear() {
        binding.enter("Event.clear()");
        value = false;
    }

    /**
     * Returns once the flag is set (asyncio's {@code wait}): at once, without a step boundary, if it is set
     * now, else suspending the calling coroutine until a {@link #set()}. Loop thread only; allocates one
     * {@link Promise} when it waits.
     *
     * @return {@code true}, always, as asyncio's {@code wait()} returns {@code True}
     * @throws dev.spindle.engine.CancelledException if the task is cancelled while waiting
     * @throws IllegalStateException if called off the event's loop, or if it must wait outside a coroutine
     *     task
     */
    public boolean await() {
        EventLoop loop = binding.enter("Event.await()");
        if (value) {
            return true;
        }
        Promise<Void> waiter = new Promise<>(loop);
        waiters.addLast(waiter);
        try {
            Async.await(waiter);
            return true;
        } finally {
            waiters.removeFirstOccurrence(waiter);
        }
    }

    /** The waiting tasks, including woken ones that have not resumed yet; for tests of this package. */
    Deque<Promise<Void>> waiters() {
        return waiters;
    }

    @Override
    public String toString() {
        return "Event[" + (value ? "set" : "unset") + ", waiters=" + waiters.size() + " on " + binding + "]";
    }
}
