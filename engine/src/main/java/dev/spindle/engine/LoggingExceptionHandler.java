package dev.spindle.engine;

/** Logs every reported exception through {@link System.Logger}. */
enum LoggingExceptionHandler implements ExceptionHandler {
    INSTANCE;

    private static final System.Logger LOG = System.getLogger("dev.spindle.engine");

    @Override
    public void handle(String message, Throwable error, Object source) {
        LOG.log(System.Logger.Level.ERROR, source == null ? message : message + ": " + source, error);
    }
}
