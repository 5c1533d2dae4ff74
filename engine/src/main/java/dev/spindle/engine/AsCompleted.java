package dev.spindle.engine;

import java.util.ArrayDeque;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Iterates over awaitables in the order they complete (asyncio's {@code as_completed}). {@link #next()}
 * suspends the calling coroutine until the next one is done and returns it (the original awaitable);
 * {@link #nextResult()} returns its value instead. Past the deadline, {@link TaskTimeoutException} is
 * thrown from the next wait; the awaitables still pending are not cancelled.
 *
 * <p><b>Threads:</b> loop-confined: use it from the coroutine task that created it. {@link #next()} and
 * {@link #nextResult()} throw {@link IllegalStateException} on any other thread than that task's loop.
 *
 * @param <T> the type of the values
 */
public final class AsCompleted<T> {
    private final EventLoop loop;
    private final ArrayDeque<Awaitable<? extends T>> completed = new ArrayDeque<>();
    private final long deadline;
    private int outstanding;
    private Promise<Void> wakeup;

    AsCompleted(EventLoop loop, List<? extends Awaitable<? extends T>> awaitables, long deadline) {
        this.loop = loop;
        this.deadline = deadline;
        this.outstanding = awaitables.size();
        for (Awaitable<? extends T> a : awaitables) {
            ((BaseAwaitable<? extends T>) a).onDoneOn(loop, done -> arrived(a));
        }
    }

    private void arrived(Awaitable<? extends T> a) {
        completed.addLast(a);
        Promise<Void> w = wakeup;
        if (w != null) {
            wakeup = null;
            w.complete(null);
        }
    }

    /** {@return whether another awaitable remains to be returned} */
    public boolean hasNext() {
        return outstanding > 0;
    }

    /**
     * Suspends until the next awaitable is done and returns it.
     *
     * @return the next awaitable to finish
     * @throws NoSuchElementException if every awaitable has been returned
     * @throws TaskTimeoutException if the deadline passes first
     */
    public Awaitable<? extends T> next() {
        if (outstanding == 0) {
            throw new NoSuchElementException("every awaitable has been returned");
        }
        if (!loop.inLoop()) {
            throw new IllegalStateException("asCompleted() belongs to " + loop.name() + " and its creating task");
        }
        while (completed.isEmpty()) {
            if (loop.time() >= deadline) {
                throw new TaskTimeoutException("as_completed timed out", new CancelledException(null));
            }
            Promise<Void> w = new Promise<>(loop);
            wakeup = w;
            TimerHandle timer = deadline == Long.MAX_VALUE ? null : loop.scheduleAt(deadline, () -> w.complete(null));
            try {
                Async.await(w);
            } finally {
                wakeup = null;
                if (timer != null) {
                    timer.cancel();
                }
            }
        }
        outstanding--;
        return completed.pollFirst();
    }

    /**
     * {@link #next()}, then its value (or its failure, thrown).
     *
     * @return the next finished awaitable's value
     */
    public T nextResult() {
        return next().result();
    }
}
