package dev.spindle.stress;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The soak's shared counters and its record of violations. Producers, loop threads (task bodies,
 * callbacks, timers) and the final check all write here; every member is thread-safe.
 */
final class SoakLedger {
    private static final int KEPT_VIOLATIONS = 20;

    final LongAdder tasksAccepted = new LongAdder();
    final LongAdder tasksRejected = new LongAdder();
    final LongAdder tasksSucceeded = new LongAdder();
    final LongAdder tasksFailed = new LongAdder();
    final LongAdder tasksCancelled = new LongAdder();
    final LongAdder taskBodiesRun = new LongAdder();
    final LongAdder taskCallbacksRun = new LongAdder();
    final LongAdder cancelsAttempted = new LongAdder();
    final LongAdder cancelsGranted = new LongAdder();

    final LongAdder timersScheduled = new LongAdder();
    final LongAdder timersRejected = new LongAdder();
    final LongAdder timerCancelsAttempted = new LongAdder();
    final LongAdder timersFired = new LongAdder();
    final LongAdder timersCancelled = new LongAdder();
    final LongAdder timersDiscarded = new LongAdder();

    final LongAdder promisesCreated = new LongAdder();
    final LongAdder promisesCompleted = new LongAdder();
    final LongAdder promisesCancelled = new LongAdder();
    final LongAdder promiseCompletionsRefused = new LongAdder();
    final LongAdder promiseCallbacksRun = new LongAdder();

    /** Set when shutdown had to stop a loop past its grace period: unrun work is then cancelled. */
    volatile boolean shutdownForced;

    private final AtomicLong violationCount = new AtomicLong();
    private final ConcurrentLinkedQueue<String> firstViolations = new ConcurrentLinkedQueue<>();

    /** Records a broken invariant; keeps the first few messages. Any thread; never throws. */
    void violation(String message) {
        if (violationCount.getAndIncrement() < KEPT_VIOLATIONS) {
            firstViolations.add("[" + Thread.currentThread().getName() + "] " + message);
        }
    }

    long violations() {
        return violationCount.get();
    }

    List<String> firstViolations() {
        return new ArrayList<>(firstViolations);
    }

    long tasksDone() {
        return tasksSucceeded.sum() + tasksFailed.sum() + tasksCancelled.sum();
    }
}
