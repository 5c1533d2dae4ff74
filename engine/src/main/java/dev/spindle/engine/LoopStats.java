package dev.spindle.engine;

import org.HdrHistogram.Histogram;

/**
 * A snapshot of one loop's counters, taken by {@link Engine#stats()} or {@link EventLoop#stats()}.
 * Counters are read without stopping the loop, so the fields are individually, not jointly, current.
 *
 * <p><b>Threads:</b> a snapshot owned by the caller, which the loop never touches again: the histograms
 * are copies. The record itself is immutable; the histograms are not thread-safe.
 *
 * @param loop the loop's index
 * @param name the loop's thread name
 * @param tasksRun tasks, callbacks and timers run since start
 * @param queueDepth items waiting in the loop's external and internal queues
 * @param readyDepth items waiting in the loop's ready queue
 * @param timersPending timers scheduled on the loop's wheel
 * @param wakeups times a producer had to wake the parked loop
 * @param parks times the loop parked
 * @param iterations loop iterations since start
 * @param maxLagNanos the longest iteration seen, in nanoseconds
 * @param stepNanos debug mode: how long each step and callback ran, in nanoseconds; {@code null} otherwise
 * @param timerLagNanos debug mode: how late each timer fired after its deadline; {@code null} otherwise
 */
public record LoopStats(
        int loop,
        String name,
        long tasksRun,
        int queueDepth,
        int readyDepth,
        int timersPending,
        long wakeups,
        long parks,
        long iterations,
        long maxLagNanos,
        Histogram stepNanos,
        Histogram timerLagNanos) {
    /** Checks the name; the histograms are {@code null} outside debug mode. */
    public LoopStats {
        java.util.Objects.requireNonNull(name, "name");
    }
}
