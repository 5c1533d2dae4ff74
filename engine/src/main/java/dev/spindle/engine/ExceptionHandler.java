package dev.spindle.engine;

/**
 * Hears of every exception that nothing else can report: a callback or run-to-completion task that
 * threw, a failure nobody read, an error raised during shutdown (asyncio's
 * {@code call_exception_handler}). An exception it throws is logged and otherwise ignored.
 *
 * <p><b>Threads:</b> called on the thread where the problem was seen: usually a loop thread, but also,
 * for example, debug mode's watchdog thread or the thread that calls {@link Engine#shutdown}. Several
 * threads may call it at once, so it must be thread-safe, and it must not block.
 */
@FunctionalInterface
public interface ExceptionHandler {
    /**
     * Reports a problem.
     *
     * @param message what happened, for example {@code "Exception in callback"}
     * @param error the exception
     * @param source the task, promise or callback concerned, or {@code null}
     */
    void handle(String message, Throwable error, Object source);

    /** {@return the default handler: logs through {@link System.Logger} at ERROR level} */
    static ExceptionHandler logging() {
        return LoggingExceptionHandler.INSTANCE;
    }
}
