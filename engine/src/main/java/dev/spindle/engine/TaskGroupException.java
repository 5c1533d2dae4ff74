package dev.spindle.engine;

import java.util.List;

/**
 * The failures of a {@link TaskGroup}'s children and body (asyncio's {@code ExceptionGroup}). Every
 * error is in {@link #errors()}, in the order they happened, and also attached as suppressed so that
 * stack traces show them all. Groups nest: a child that ran its own group contributes that group's
 * exception as one error.
 *
 * <p><b>Threads:</b> thrown in the task that ran the group, on its loop; {@link #errors()} is an immutable list, so
 * the exception is safe to read on any thread.
 */
public class TaskGroupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Every failure, in the order they happened. */
    private final List<Throwable> errors;

    /**
     * Creates an exception holding {@code errors}, which must not be empty.
     *
     * @param message the detail message
     * @param errors every failure, in the order they happened
     */
    public TaskGroupException(String message, List<Throwable> errors) {
        super(
                message + " (" + errors.size() + " sub-exception" + (errors.size() == 1 ? "" : "s") + ")",
                null,
                true,
                true);
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("errors: a TaskGroupException needs at least one error");
        }
        this.errors = List.copyOf(errors);
        for (Throwable e : this.errors) {
            addSuppressed(e);
        }
    }

    /** {@return the errors, in the order they happened} */
    public List<Throwable> errors() {
        return errors;
    }
}
