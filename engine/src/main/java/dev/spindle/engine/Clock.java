package dev.spindle.engine;

/**
 * The source of time for an engine's loops: monotonic nanoseconds. Loops read it once per iteration and
 * cache the reading. Production uses {@link #system()}; tests use a {@link ManualClock}.
 *
 * <p><b>Threads:</b> every loop reads the clock on its own thread, at the same time as the others and as
 * any thread calling {@link EventLoop#time()}, so an implementation must be thread-safe and cheap.
 */
@FunctionalInterface
public interface Clock {
    /** {@return the current time in nanoseconds on an arbitrary monotonic origin} May be called from any thread. */
    long nanoTime();

    /** {@return the JVM's monotonic clock, {@link System#nanoTime()}} */
    static Clock system() {
        return SystemClock.INSTANCE;
    }
}
