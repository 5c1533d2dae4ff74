package dev.spindle.engine;

/**
 * An operation needs a state the task or promise is not in: reading the result of a pending one, or
 * completing one that is already done (asyncio's {@code InvalidStateError}).
 *
 * <p><b>Threads:</b> thrown on the calling thread; immutable once thrown, so safe to read on any thread.
 */
public class InvalidStateException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with {@code message}.
     *
     * @param message what was attempted, and in which state
     */
    public InvalidStateException(String message) {
        super(message);
    }
}
