package dev.spindle.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** Left padding of {@link CountingTask}: keeps {@code count} off the cache line of its neighbours. */
abstract class CountingTaskPadLeft {
    @SuppressWarnings("unused")
    private long p01, p02, p03, p04, p05, p06, p07, p08;
}

/** The counter of {@link CountingTask}, written by the executing thread only. */
abstract class CountingTaskCount extends CountingTaskPadLeft {
    @SuppressWarnings("unused") // accessed through COUNT
    long count;
}

/** Right padding of {@link CountingTask}. */
abstract class CountingTaskPadRight extends CountingTaskCount {
    @SuppressWarnings("unused")
    private long p11, p12, p13, p14, p15, p16, p17, p18;
}

/**
 * A caller-owned task, submitted again and again, that counts its runs: the benchmarks measure tasks
 * executed, not merely enqueued. One executing thread at a time (the single-threaded executor under
 * test), so the count is a plain increment published with a release store ({@code so}); producers read
 * it with an acquire load ({@code lv}). No allocation.
 */
final class CountingTask extends CountingTaskPadRight implements Runnable {
    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(CountingTaskCount.class, "count", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public void run() {
        // Single writer: a plain read of our own last store, then a release store that pairs with
        // executed()'s acquire load, so a producer that sees N knows N runs happened.
        COUNT.setRelease(this, count + 1);
    }

    /** The number of completed runs; any thread. */
    long executed() {
        return (long) COUNT.getAcquire(this);
    }

    /**
     * Waits until {@code target} runs have completed, spinning then yielding.
     *
     * @throws IllegalStateException if they have not after {@code timeoutMillis}
     */
    void awaitExecuted(long target, long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        int spins = 0;
        while (executed() < target) {
            if (++spins < 1_000) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "only " + executed() + " of " + target + " tasks ran within " + timeoutMillis + " ms");
                }
            }
        }
    }
}
