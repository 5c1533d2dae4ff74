package dev.spindle.stress;

import dev.spindle.engine.EventLoop;
import dev.spindle.engine.Task;
import java.util.concurrent.Callable;

/**
 * Reads loop-local state from a thread outside the engine: the arbiters of the tests on the {@code sync}
 * primitives, which may be read only on their loop's thread, use it.
 */
final class LoopQuery {
    private LoopQuery() {}

    /**
     * Runs {@code query} as a task on {@code loop}, waits at most {@link LoopBarrier#TIMEOUT} for it and returns
     * its answer. The task enters the loop's external queue behind everything already handed to it from this
     * thread. Allocates the task.
     *
     * @throws IllegalStateException if the loop does not answer in time
     */
    static <T> T ask(EventLoop loop, Callable<T> query) {
        Task<T> task = loop.submit(query);
        if (!LoopBarrier.awaitDone(task)) {
            throw new IllegalStateException(loop + " did not answer within " + LoopBarrier.TIMEOUT);
        }
        return task.result();
    }
}
