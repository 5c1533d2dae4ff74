package dev.spindle.engine.sync;

import java.util.NoSuchElementException;

/**
 * Thrown by {@link Queue#getNowait()} when the queue is empty (asyncio's {@code QueueEmpty}). A {@link
 * NoSuchElementException}, as {@link java.util.Queue#remove()} throws on an empty queue. Use {@link
 * Queue#poll()} to get {@code null} instead.
 *
 * <p><b>Threads:</b> thrown on the queue's loop thread, the only one that may call it; immutable once thrown, so safe
 * to read on any thread.
 */
public class QueueEmptyException extends NoSuchElementException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with {@code message}.
     *
     * @param message the detail message
     */
    public QueueEmptyException(String message) {
        super(message);
    }
}
