package dev.spindle.engine;

import java.util.concurrent.RejectedExecutionException;

/**
 * A loop refused work: its external queue is full (backpressure), or it is shutting down. The message
 * names the loop and the reason.
 *
 * <p><b>Threads:</b> thrown on the thread that offered the work; immutable once thrown, so safe to read on any thread.
 */
public class RejectedTaskException extends RejectedExecutionException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with {@code message}.
     *
     * @param message names the loop and the reason
     */
    public RejectedTaskException(String message) {
        super(message);
    }
}
