package dev.spindle.engine;

/**
 * Reported to the exception handler in debug mode by the stall detector when a loop has not finished an
 * iteration within the slow-step threshold (Seastar's "reactor stalled"). Its stack trace is the loop
 * thread's stack at the moment the stall was seen: the code that blocks the loop.
 *
 * <p><b>Threads:</b> created and reported on the watchdog's thread, not on the stalled loop; immutable once reported,
 * so safe to read on any thread.
 */
public class LoopStallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LoopStallException(String message, StackTraceElement[] loopStack) {
        super(message, null, false, true);
        setStackTrace(loopStack);
    }
}
