package dev.spindle.collections;

/**
 * Receives timers as a {@link TimerWheel} expires (or clears) them.
 *
 * <p><b>Threads:</b> called on the wheel's owner thread, from inside {@link TimerWheel#poll} or
 * {@link TimerWheel#clear}. The timer is already unscheduled when handed over, so the handler may
 * schedule it again; it may also schedule or cancel other timers of the same wheel, but not poll or
 * clear that wheel. An exception thrown here propagates out of the poll or clear.
 *
 * <p>Pass a non-capturing lambda or a long-lived instance to keep polling allocation-free.
 *
 * @param <T> the timer type
 */
@FunctionalInterface
public interface TimerHandler<T extends TimerNode> {
    /**
     * Handles one timer that has expired or been cleared.
     *
     * @param timer the timer, no longer scheduled
     */
    void onExpiry(T timer);
}
