package dev.spindle.engine;

/**
 * A done callback's registration, returned by {@link Awaitable#onDone}.
 *
 * <p><b>Threads:</b> {@link #remove()} is safe from any thread; it races safely with the callback's run.
 */
public interface Registration {
    /**
     * Removes the callback if it has not run yet. Safe from any thread.
     *
     * @return {@code true} if this call stopped the callback from running
     */
    boolean remove();
}
