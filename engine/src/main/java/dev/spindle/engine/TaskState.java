package dev.spindle.engine;

/**
 * The life cycle of a task or promise.
 *
 * <pre>
 *   PENDING ──► RUNNING ◄──► SUSPENDED          (tasks only: a step is executing / awaiting)
 *      │           │             │
 *      └───────────┴─────────────┴──► SUCCEEDED | FAILED | CANCELLED   (terminal, isDone())
 * </pre>
 *
 * A {@link Promise} is only ever PENDING or terminal.
 *
 * <p><b>Threads:</b> constants, safe from any thread.
 */
public enum TaskState {
    /** Created or ready to run, not on a CPU. */
    PENDING,
    /** A step of the task is executing on its loop. */
    RUNNING,
    /** The task is awaiting something. */
    SUSPENDED,
    /** Finished with a value. */
    SUCCEEDED,
    /** Finished with an exception. */
    FAILED,
    /** Finished by cancellation. */
    CANCELLED;

    /** {@return whether this is a terminal state} */
    public boolean isDone() {
        return ordinal() >= SUCCEEDED.ordinal();
    }
}
