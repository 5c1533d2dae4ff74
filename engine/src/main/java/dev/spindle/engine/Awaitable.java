package dev.spindle.engine;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Something that completes once, bound to one {@link EventLoop}: a {@link Promise} or a {@link Task}.
 *
 * <p><b>Threads:</b> every method is safe from any thread: the reading methods ({@link #isDone()},
 * {@link #result()}, …), {@link #cancel(String)}, {@link #onDone} and {@link #removeOnDone}. The blocking
 * {@link #join()} and {@link #get(Duration)} are for threads outside the engine: on a loop thread they
 * throw {@link IllegalStateException} unless already done. Done callbacks always run on the owning loop,
 * in registration order, never inline inside the call that completes or cancels.
 *
 * @param <T> the type of the value
 */
public sealed interface Awaitable<T> permits BaseAwaitable {

    /** {@return the loop that owns this awaitable and runs its callbacks} */
    EventLoop loop();

    /** {@return the current state} Safe from any thread; a {@link Promise} is only PENDING or terminal. */
    TaskState state();

    /** {@return whether this has finished: succeeded, failed or been cancelled} */
    boolean isDone();

    /** {@return whether this finished by cancellation} */
    boolean isCancelled();

    /**
     * The value. Rethrows a failure as it is if unchecked, wrapped in {@link
     * java.util.concurrent.CompletionException} if checked; throws {@link CancelledException} (with the
     * cancel message) if cancelled, and {@link InvalidStateException} if not done. Never blocks.
     *
     * @return the value
     */
    T result();

    /**
     * The exception it failed with, or {@code null} if it succeeded. Throws {@link CancelledException}
     * if cancelled and {@link InvalidStateException} if not done. Never blocks.
     *
     * @return the failure, or {@code null} after a success
     */
    Throwable exception();

    /**
     * Requests cancellation; safe from any thread. Returns {@code false} if already done. What happens
     * next differs by kind: a promise is cancelled at once, a task at its next step (see {@link Task}).
     *
     * @param message carried by the resulting {@link CancelledException}; may be {@code null}
     * @return {@code true} if the request was made, {@code false} if already done
     */
    boolean cancel(String message);

    /**
     * {@link #cancel(String)} without a message.
     *
     * @return {@code true} if the request was made, {@code false} if already done
     */
    default boolean cancel() {
        return cancel(null);
    }

    /**
     * Registers {@code callback} to run on the owning loop once this is done, after the callbacks
     * registered before it. If already done, the callback is scheduled on the loop at once (never run
     * inline). Safe from any thread; allocates one small node.
     *
     * @return a handle that can remove the callback before it runs
     * @param callback receives this awaitable once it is done
     */
    Registration onDone(Consumer<? super Awaitable<T>> callback);

    /**
     * Removes every registration of {@code callback} that has not run yet and returns how many were
     * removed (asyncio's {@code remove_done_callback}). Safe from any thread.
     *
     * @param callback the callback to remove, compared with {@code equals}
     * @return the number of registrations removed
     */
    int removeOnDone(Consumer<? super Awaitable<T>> callback);

    /**
     * Blocks the calling thread until done and returns {@link #result()}. Must not be called on a loop
     * thread while not done: that would deadlock the loop, so it throws {@link IllegalStateException}.
     *
     * @return the value
     */
    T join();

    /**
     * As {@link #join()}, waiting at most {@code timeout}. A zero or negative timeout, down to the most
     * negative {@link Duration}, throws {@link TimeoutException} at once unless already done; one too long
     * for a {@code long} of nanoseconds, such as {@code Duration.ofSeconds(Long.MAX_VALUE)}, waits without
     * limit.
     *
     * @param timeout the longest wait, not {@code null}
     * @return the value
     * @throws TimeoutException if not done in time
     * @throws InterruptedException if the waiting thread is interrupted
     */
    T get(Duration timeout) throws TimeoutException, InterruptedException;

    /**
     * A {@link CompletableFuture} that completes with the same outcome. It is completed on the thread
     * that finishes this awaitable, so its non-async dependents run there. Allocates the future and one
     * node.
     *
     * @return a new future with this awaitable's outcome
     */
    CompletableFuture<T> toCompletableFuture();
}
