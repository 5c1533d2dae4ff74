package dev.spindle.engine;

/**
 * A timer scheduled with {@link EventLoop#schedule} or {@link EventLoop#scheduleAt}. It fires once, on
 * its loop, unless cancelled first.
 *
 * <p><b>Threads:</b> every method is safe from any thread; {@link #cancel()} races safely with the
 * expiry and exactly one of them wins.
 */
public sealed interface TimerHandle permits ScheduledCallback {

    /**
     * Cancels the timer unless it has fired or been cancelled. Safe from any thread; from the loop it
     * also unlinks the timer at once (O(1)), from elsewhere the loop unlinks it at its next iteration.
     *
     * @return {@code true} if this call stopped the timer from firing
     */
    boolean cancel();

    /** {@return whether the timer was cancelled before it fired} */
    boolean isCancelled();

    /** {@return whether the timer has fired (its callback started)} */
    boolean hasFired();

    /** {@return the absolute deadline on the loop's clock, in nanoseconds ({@link EventLoop#time()})} */
    long when();
}
