package dev.spindle.engine;

import java.util.Set;

/**
 * What {@link Async#wait} returns: the awaitables that were done, and those still pending, when it
 * returned. {@code done} may hold more than one awaitable even for {@link ReturnWhen#FIRST_COMPLETED}.
 *
 * <p><b>Threads:</b> the sets are new, mutable and owned by the caller; hand the result to another thread
 * only through a safe publication.
 *
 * @param done the awaitables done when the wait returned
 * @param pending the others, neither cancelled nor touched
 * @param <T> the type of the awaitables' values
 */
public record WaitResult<T>(Set<Awaitable<? extends T>> done, Set<Awaitable<? extends T>> pending) {
    /** Checks that both sets are given. */
    public WaitResult {
        java.util.Objects.requireNonNull(done, "done");
        java.util.Objects.requireNonNull(pending, "pending");
    }
}
