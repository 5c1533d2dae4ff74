package dev.spindle.engine;

import java.util.concurrent.CancellationException;

/**
 * Thrown when the result of a cancelled task or promise is read, and delivered into a coroutine at its
 * next await point when its task is cancelled (asyncio's {@code CancelledError}). It carries the message
 * given to {@code cancel(msg)}, or {@code null}.
 *
 * <p><b>Threads:</b> immutable once thrown, so safe to read on any thread.
 */
public class CancelledException extends CancellationException {
    private static final long serialVersionUID = 1L;

    /** The message given to {@code cancel(msg)}, or {@code null}. */
    private final String cancelMessage;

    /**
     * Creates an exception that carries {@code message}, which may be {@code null}.
     *
     * @param message the cancel message, or {@code null}
     */
    public CancelledException(String message) {
        super(message);
        this.cancelMessage = message;
    }

    /** {@return the message passed to {@code cancel(msg)}, or {@code null} when none was given} */
    public String cancelMessage() {
        return cancelMessage;
    }
}
