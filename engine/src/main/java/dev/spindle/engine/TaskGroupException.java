package dev.spindle.engine;

import java.util.List;
import java.util.Objects;

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
     * @param message the detail message, which may be {@code null}
     * @param errors every failure, in the order they happened
     * @throws NullPointerException if {@code errors} is {@code null} or holds {@code null}
     * @throws IllegalArgumentException if {@code errors} is empty
     */
    public TaskGroupException(String message, List<Throwable> errors) {
        super(describe(message, errors), null, true, true);
        this.errors = List.copyOf(errors);
        for (Throwable e : this.errors) {
            addSuppressed(e);
        }
    }

    /** The message, once {@code errors} is known to be valid. */
    private static String describe(String message, List<Throwable> errors) {
        Objects.requireNonNull(errors, "errors");
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("errors: a TaskGroupException needs at least one error");
        }
        for (Throwable e : errors) {
            Objects.requireNonNull(e, "errors: a null element");
        }
        return message + " (" + errors.size() + " sub-exception" + (errors.size() == 1 ? "" : "s") + ")";
    }

    /** {@return the errors, in the order they happened} */
    public List<Throwable> errors() {
        return errors;
    }
}
