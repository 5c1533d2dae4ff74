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
     * <p>Why four hops: hop 1 runs in some iteration k (external drain or ready phase) and appends hop 2
     * to the ready queue, which may still run in iteration k's ready phase. Hop 3 then runs in k+1 at the
     * earliest. A relay offered before this call was offered before hop 1, so it is in the internal queue
     * by the time iteration k+1 drains it, which is before k+1's ready phase: its callbacks go into the
     * ready queue behind hop 3, before hop 4. The ready queue is FIFO, so hop 4 runs after them.
     */
    static void settle(EventLoop loop) {
        CountDownLatch done = new CountDownLatch(1);
        loop.execute(() -> loop.execute(() -> loop.execute(() -> loop.execute(done::countDown))));
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
