package dev.spindle.engine;

/**
 * Reported to the exception handler in debug mode when a task step or callback runs longer than the
 * slow-step threshold (asyncio's "Executing … took … seconds"). Its cause, for a task, is where the task
 * was created.
 *
 * <p><b>Threads:</b> created and reported on the loop thread that ran the step; immutable once reported, so safe to
 * read on any thread.
 */
public class SlowStepException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** How long the step ran, in nanoseconds. */
    private final long nanos;

    SlowStepException(String message, long nanos, Throwable createdAt) {
        super(message, createdAt);
        this.nanos = nanos;
    }

    /** {@return how long the step ran, in nanoseconds} */
    public long nanos() {
        return nanos;
    }
}
