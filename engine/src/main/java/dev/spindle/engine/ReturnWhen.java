package dev.spindle.engine;

/**
 * When {@link Async#wait} returns (asyncio's {@code return_when}).
 *
 * <p><b>Threads:</b> constants, safe from any thread.
 */
public enum ReturnWhen {
    /** As soon as any awaitable is done. */
    FIRST_COMPLETED,
    /** As soon as any awaitable fails with an exception other than cancellation, or all are done. */
    FIRST_EXCEPTION,
    /** When every awaitable is done. */
    ALL_COMPLETED
}
