package dev.spindle.engine;

/**
 * Hears of every exception that nothing else can report: a callback or run-to-completion task that
 * threw, a failure nobody read, an error raised during shutdown (asyncio's
 * {@code call_exception_handler}). It is called on the thread where the problem was seen, usually a
 * loop thread, and must not block. An exception it throws is logged and otherwise ignored.
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
