package dev.spindle.engine;

/**
 * Thrown by {@link Engine#runMain} when a signal (SIGINT or SIGTERM) stopped the main task: asyncio's
 * {@code KeyboardInterrupt}. It is an {@link Error}, as asyncio's is a {@code BaseException}: ordinary
 * {@code catch (Exception e)} blocks let it through.
 *
 * <p><b>Threads:</b> thrown on the thread that called {@link Engine#runMain}; immutable once thrown, so safe to read
 * on any thread.
 */
public class SignalInterrupt extends Error {
    private static final long serialVersionUID = 1L;

    /** The signal's name without the SIG prefix. */
    private final String signal;

    SignalInterrupt(String signal, Throwable cause) {
        super("interrupted by SIG" + signal, cause);
        this.signal = signal;
    }

    /** {@return the signal's name without the SIG prefix, for example {@code INT}} */
    public String signal() {
        return signal;
    }
}
