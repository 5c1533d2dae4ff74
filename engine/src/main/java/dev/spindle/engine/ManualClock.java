package dev.spindle.engine;

import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A virtual clock for deterministic tests of time-dependent code: time moves only when told to.
 *
 * <p>Build an engine on it with {@link Engine.Builder#clock(Clock)}. Loops on a manual clock never wait
 * on the wall clock: when idle they park until the clock moves or work arrives, and every {@link
 * #advance} wakes them so that timers now due fire.
 *
 * <p>An {@linkplain #autoAdvancing() auto-advancing} clock also moves by itself: whenever every loop of
 * the engine is idle with a timer pending, it jumps straight to the earliest deadline (as Tokio's paused
 * time and kotlinx's {@code runTest} do), so a test of code that sleeps for an hour finishes at once,
 * in the same order of events as in real time.
 *
 * <p><b>Threads:</b> thread-safe: loops read it while a test thread advances it. Readings start at 0
 * unless given.
 */
public final class ManualClock implements Clock {
    private final boolean autoAdvance;
    private final List<EventLoop> loops = new CopyOnWriteArrayList<>();

    /** Guarded by this: the idle loops and their next deadlines, for auto-advance. */
    private final Map<EventLoop, Long> idle = new IdentityHashMap<>();

    private volatile long now;

    /** A clock at 0 that moves only by {@link #advance}. */
    public ManualClock() {
        this(0, false);
    }

    /**
     * A clock at {@code start} that moves only by {@link #advance}.
     *
     * @param start the first reading, in nanoseconds; any {@code long}, negative included, as for {@link
     *     System#nanoTime()}
     */
    public ManualClock(long start) {
        this(start, false);
    }

    private ManualClock(long start, boolean autoAdvance) {
        this.now = start;
        this.autoAdvance = autoAdvance;
    }

    /**
     * A clock at 0 that also jumps to the next timer deadline whenever every loop is idle.
     *
     * @return a new auto-advancing clock starting at 0
     */
    public static ManualClock autoAdvancing() {
        return new ManualClock(0, true);
    }

    /** {@return whether this clock jumps by itself when every loop is idle} */
    public boolean isAutoAdvancing() {
        return autoAdvance;
    }

    @Override
    public long nanoTime() {
        return now;
    }

    /**
     * Moves the clock forward by {@code delta} and wakes every loop, so timers now due fire. Any thread.
     * The reading saturates at {@link Long#MAX_VALUE}: a delta too long for a {@code long} of nanoseconds
     * moves the clock to the end of time.
     *
     * @param delta how far to move the clock, zero or positive
     * @throws IllegalArgumentException if {@code delta} is negative
     */
    public void advance(Duration delta) {
        Objects.requireNonNull(delta, "delta");
        if (delta.isNegative()) {
            throw new IllegalArgumentException("delta: a clock cannot go backwards, was " + delta);
        }
        advanceNanos(EventLoop.saturatedNanos(delta));
    }

    /**
     * As {@link #advance(Duration)}, in nanoseconds; the reading saturates at {@link Long#MAX_VALUE}.
     *
     * @param delta how far to move the clock, in nanoseconds, zero or positive
     * @throws IllegalArgumentException if {@code delta} is negative
     */
    public void advanceNanos(long delta) {
        if (delta < 0) {
            throw new IllegalArgumentException("delta: a clock cannot go backwards, was " + delta + " ns");
        }
        synchronized (this) {
            now = EventLoop.saturatedAdd(now, delta);
            idle.clear();
        }
        wakeAll();
    }

    /**
     * Sets the clock to {@code time} and wakes every loop.
     *
     * @param time the new reading, in nanoseconds
     * @throws IllegalArgumentException if {@code time} is earlier than the current reading
     */
    public void setTime(long time) {
        synchronized (this) {
            if (time < now) {
                throw new IllegalArgumentException(
                        "time: a clock cannot go backwards (from " + now + " to " + time + ")");
            }
            now = time;
            idle.clear();
        }
        wakeAll();
    }

    private void wakeAll() {
        for (EventLoop loop : loops) {
            loop.clockAdvanced();
        }
    }

    void attach(EventLoop loop) {
        loops.add(loop);
    }

    void detach(EventLoop loop) {
        loops.remove(loop);
        synchronized (this) {
            idle.remove(loop);
            maybeJump();
        }
    }

    /** The loop is about to park until {@code deadline} (MAX_VALUE: no timer). */
    void loopIdle(EventLoop loop, long deadline) {
        synchronized (this) {
            idle.put(loop, deadline);
            maybeJump();
        }
    }

    void loopBusy(EventLoop loop) {
        synchronized (this) {
            idle.remove(loop);
        }
    }

    /** Guarded by this. */
    private void maybeJump() {
        if (!autoAdvance || idle.isEmpty() || idle.size() < loops.size()) {
            return;
        }
        long earliest = Long.MAX_VALUE;
        for (Map.Entry<EventLoop, Long> e : idle.entrySet()) {
            if (e.getKey().hasPendingMessages()) {
                return; // woken by a producer but not yet running: it is not idle after all
            }
            earliest = Math.min(earliest, e.getValue());
        }
        if (earliest == Long.MAX_VALUE) {
            return;
        }
        if (earliest > now) {
            now = earliest;
        }
        idle.clear();
        wakeAll();
    }

    @Override
    public String toString() {
        return "ManualClock[" + now + " ns" + (autoAdvance ? ", auto-advancing" : "") + "]";
    }
}
