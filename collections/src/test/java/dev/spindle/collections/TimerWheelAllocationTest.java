package dev.spindle.collections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** Schedule, cancel and poll allocate nothing once warm. */
class TimerWheelAllocationTest {
    private static final int TIMERS = 1_024;
    private static final long TICK = 1_000;
    private static final long ALLOWED_BYTES = 1_024;

    private final TimerWheel<TestTimer> wheel = new TimerWheel<>(TICK, 64, 0);
    private final TestTimer[] timers = new TestTimer[TIMERS];
    private final long[] stamps = new long[TIMERS];
    private final CountingHandler handler = new CountingHandler();
    private long now;
    private long state = 42;

    /** A long-lived handler: passing it to poll allocates nothing. */
    private static final class CountingHandler implements TimerHandler<TestTimer> {
        long expired;

        @Override
        public void onExpiry(TestTimer timer) {
            expired++;
        }
    }

    /**
     * Runs {@code rounds} of mixed operations: schedule idle timers with delays from 0 to about two
     * turns (some negative), cancel by timer or by stamp, and advance the clock, sometimes by more than
     * a turn, with and without a limit. Returns a checksum so no work can be optimised away.
     */
    private long exercise(int rounds) {
        long checksum = 0;
        for (int round = 0; round < rounds; round++) {
            state = state * 6364136223846793005L + 1442695040888963407L;
            int index = (int) (state >>> 40) & (TIMERS - 1);
            int choice = (int) (state >>> 33) & 15;
            TestTimer timer = timers[index];
            if (choice < 8) {
                if (!timer.isScheduled()) {
                    long delay = ((state >>> 20) & 0x1FFFF) - 1_000;
                    stamps[index] = wheel.scheduleAfter(timer, delay, now);
                }
            } else if (choice < 10) {
                checksum += wheel.cancel(timer) ? 1 : 0;
            } else if (choice < 12) {
                checksum += wheel.cancel(timer, stamps[index] - (choice & 1)) ? 1 : 0;
            } else if (choice < 15) {
                now += (state >>> 52) * 10;
                checksum += wheel.poll(now, handler, choice == 14 ? 3 : Integer.MAX_VALUE);
            } else {
                now += 200 * TICK;
                checksum += wheel.poll(now, handler);
                checksum += wheel.nextDeadline();
            }
        }
        return checksum + wheel.size() + wheel.nextDeadline();
    }

    @Test
    void scheduleCancelAndPollAllocateNothingInSteadyState() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "needs HotSpot's allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
        for (int i = 0; i < TIMERS; i++) {
            timers[i] = new TestTimer("t" + i);
        }
        long warmup = 0;
        for (int i = 0; i < 20; i++) {
            warmup += exercise(50_000);
        }
        long threadId = Thread.currentThread().threadId();
        long before = threads.getThreadAllocatedBytes(threadId);
        long checksum = exercise(100_000);
        long allocated = threads.getThreadAllocatedBytes(threadId) - before;
        assertThat(warmup + checksum).isNotZero();
        assertThat(handler.expired).isPositive();
        assertThat(allocated).as("bytes allocated by 100k operations").isLessThan(ALLOWED_BYTES);
    }
}
