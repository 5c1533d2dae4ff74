package dev.spindle.engine;

/**
 * A {@link Async#timeout} scope or {@link Async#waitFor} ran out of time (asyncio's {@code
 * TimeoutError}). Its cause is the {@link CancelledException} that interrupted the work.
 *
 * <p><b>Threads:</b> thrown in the timed-out task, on its loop; immutable once thrown, so safe to read on any thread.
 */
public class TaskTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with {@code message} and {@code cause}.
     *
     * @param message the detail message
     * @param cause the {@link CancelledException} that interrupted the work
     */
    public TaskTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
