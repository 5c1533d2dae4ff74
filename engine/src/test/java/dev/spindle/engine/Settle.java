package dev.spindle.engine;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Deterministic barriers on a loop, for tests: no sleeps, only the loop's own ordering rules. */
final class Settle {
    private Settle() {}

    /**
     * Returns once the loop has run everything handed to it before this call, including done callbacks
     * relayed through its internal queue.
     *
     * <p>Why three hops: the first hop runs at iteration k (external drain or ready phase) and appends
     * the second to the ready queue, which runs at iteration k+1 at the earliest, after k+1 has drained
     * its internal queue, so relays offered before this call are in the ready queue by then. The second
     * hop appends the third behind those relayed callbacks, and the ready queue is FIFO.
     */
    static void settle(EventLoop loop) {
        CountDownLatch done = new CountDownLatch(1);
        loop.execute(() -> loop.execute(() -> loop.execute(done::countDown)));
        try {
            if (!done.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError(loop + " did not settle within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
