package dev.spindle.engine.sync;

/**
 * Thrown by {@link Queue#putNowait(Object)} when the queue is full (asyncio's {@code QueueFull}). An
 * {@link IllegalStateException}, as {@link java.util.Queue#add(Object)} throws on a full queue. Use {@link
 * Queue#offer(Object)} to get {@code false} instead.
 *
 * <p><b>Threads:</b> thrown on the queue's loop thread, the only one that may call it; immutable once thrown, so safe
 * to read on any thread.
 */
public class QueueFullException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with {@code message}.
     *
     * @param message the detail message
     */
    public QueueFullException(String message) {
        super(message);
    }
}
