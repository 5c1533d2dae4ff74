package dev.spindle.stress;

import dev.spindle.engine.Awaitable;
import dev.spindle.engine.EventLoop;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Waits, from a thread outside the engine, until a loop has run what was handed to it: the arbiters of the
 * tests and the soak use it instead of sleeping.
 *
 * <p>{@link #settle} relies only on the order of one loop iteration (EventLoop.iterate): timers, then the
 * internal queue, then the external queue, then the ready items present when the ready phase began; an
 * item the loop appends to its ready queue while draining runs in the same iteration, one appended during
 * the ready phase runs in the next. A hop is a runnable that re-executes itself from the loop:
 *
 * <ol>
 *   <li>hop 1 arrives through the external queue and runs in the drain of iteration k;
 *   <li>hop 2 runs in the ready phase of k;
 *   <li>hop 3 runs in the ready phase of k+1, before the callbacks that k+1 relayed from its internal queue
 *       (they were appended after it);
 *   <li>hop 4 runs in the ready phase of k+2.
 * </ol>
 *
 * Anything offered to the internal queue before hop 1 was offered to the external queue was drained by
 * iteration k+1 at the latest (its drain starts after k saw hop 1), and anything offered to the external
 * queue before hop 1 was drained no later than hop 1 (FIFO). So when hop 4 runs, every item, relayed
 * callback and timer message handed to the loop before {@code settle} was called has run. Three hops are
 * not enough: hop 3 may run just before callbacks relayed in its own iteration. This holds while the
 * internal queue holds fewer items than one iteration drains (4096), which the tests never approach.
 */
final class LoopBarrier {
    /** How long any wait of a stress test may take before it is reported as a hang. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static final int HOPS = 4;

    private LoopBarrier() {}

    /**
     * Returns once {@code loop} has run everything handed to it before this call (see the class comment).
     * Call it from a thread outside the engine. Allocates one hop and one latch.
     *
     * @throws IllegalStateException if the loop does not settle within {@link #TIMEOUT}
     */
    static void settle(EventLoop loop) {
        Hop hop = new Hop(loop);
        loop.execute(hop);
        try {
            if (!hop.done.await(TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException(loop + " did not settle within " + TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while settling " + loop, e);
        }
    }

    /**
     * Settles {@code loop} until {@code condition} holds, at most {@link #TIMEOUT}; returns whether it
     * held. Each check follows a full settle, so the loop's progress, not the wall clock, paces the wait.
     */
    static boolean settleUntil(EventLoop loop, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            settle(loop);
        }
        return true;
    }

    /**
     * Spins, yielding the CPU, until {@code condition} holds: for a state's constructor that must see a task
     * reach a given point on its loop (suspended on what it awaits) before the actors race. Cheaper than
     * {@link #settleUntil} when the loop gets there within microseconds, and it never sleeps: the loop's
     * progress paces the wait.
     *
     * @throws IllegalStateException naming {@code what} if the condition does not hold within {@link #TIMEOUT}
     */
    static void spinUntil(BooleanSupplier condition, Object what) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(what + " did not get there within " + TIMEOUT);
            }
            // Two cores run the actors and the loop threads: give the CPU away rather than spin against them.
            Thread.yield();
        }
    }

    /**
     * Waits at most {@link #TIMEOUT} for {@code awaitable} to be done, whatever its outcome, and returns
     * whether it is. Call it from a thread outside the engine.
     */
    static boolean awaitDone(Awaitable<?> awaitable) {
        try {
            awaitable.get(TIMEOUT);
        } catch (TimeoutException notDone) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (RuntimeException failedOrCancelled) {
            // get() returns or throws the outcome only once done: a failure or a cancellation is done too
        }
        return awaitable.isDone();
    }

    /** Re-executes itself on its loop until the last hop, which opens the latch. Loop-confined count. */
    private static final class Hop implements Runnable {
        final EventLoop loop;
        final CountDownLatch done = new CountDownLatch(1);
        private int hopsLeft = HOPS;

        Hop(EventLoop loop) {
            this.loop = loop;
        }

        @Override
        public void run() {
            if (--hopsLeft == 0) {
                done.countDown();
            } else {
                loop.execute(this);
            }
        }
    }
}
