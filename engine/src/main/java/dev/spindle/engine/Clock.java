package dev.spindle.engine;

/**
 * The source of time for an engine's loops: monotonic nanoseconds. Loops read it once per iteration and
 * cache the reading. Production uses {@link #system()}; tests use a {@link ManualClock}.
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
