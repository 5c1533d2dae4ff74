package dev.spindle.engine.sync;

/**
 * Thrown by a {@link Queue} after {@link Queue#shutdown(boolean) shutdown} (asyncio's {@code
 * QueueShutDown}): by every put, and by a get once the queue is empty. It is permanent, unlike {@link
 * QueueFullException} and {@link QueueEmptyException}, so the {@code offer}/{@code poll} variants throw
 * it too rather than answer {@code false}/{@code null}.
 *
 * <p><b>Threads:</b> thrown on the queue's loop thread, the only one that may call it; immutable once thrown, so safe
 * to read on any thread.
 */
public class QueueShutDownException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with {@code message}.
     *
     * @param message the detail message
     */
    public QueueShutDownException(String message) {
        super(message);
    }
}
