package dev.spindle.stress;

import dev.spindle.engine.Awaitable;
import dev.spindle.engine.RejectedTaskException;
import dev.spindle.engine.Task;
import dev.spindle.engine.TaskGroupException;
import dev.spindle.engine.TaskTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The chaos soak's books: every task it spawns, how each one ended, the counters of every kind of operation,
 * and the violations seen so far. Drivers, loop threads (bodies, done callbacks) and workers write here; every
 * member is thread-safe.
 *
 * <p>Every task the soak creates, top-level or nested (group children, cross-loop targets, shielded work), goes
 * through {@link #track}: it is counted as spawned, put in the ring that drivers pick cancel victims from, and
 * given a done callback that counts its outcome and checks that a failure is one the soak planned (its own
 * {@link ChaosFailure}, a timeout, a refusal by a full queue, or a group of those). So at the end, {@code
 * succeeded + failed + cancelled == spawned} says that no task was lost.
 */
final class ChaosLedger {
    static final int RING_SIZE = 1024;
    private static final int KEPT_VIOLATIONS = 20;

    final LongAdder spawned = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder succeeded = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder cancelled = new LongAdder();
    final LongAdder failedPlanned = new LongAdder();
    final LongAdder failedTimeout = new LongAdder();
    final LongAdder failedRejected = new LongAdder();
    final LongAdder failedGroup = new LongAdder();

    final LongAdder cancelsRequested = new LongAdder();
    final LongAdder cancelsGranted = new LongAdder();
    final LongAdder timeoutsSeen = new LongAdder();
    final LongAdder groups = new LongAdder();
    final LongAdder groupsFailed = new LongAdder();
    final LongAdder shields = new LongAdder();
    final LongAdder shieldReports = new LongAdder();
    final LongAdder unretrievedJobFailures = new LongAdder();
    final LongAdder crossAwaits = new LongAdder();
    final LongAdder promisesCreated = new LongAdder();
    final LongAdder promisesCompleted = new LongAdder();
    final LongAdder promisesCancelled = new LongAdder();

    /** Recently tracked tasks, which drivers cancel from their own threads. */
    final AtomicReferenceArray<Task<?>> taskRing = new AtomicReferenceArray<>(RING_SIZE);

    private final AtomicLong nextSlot = new AtomicLong();
    private final AtomicLong violationCount = new AtomicLong();
    private final ConcurrentLinkedQueue<String> firstViolations = new ConcurrentLinkedQueue<>();

    /** Counts {@code task} as spawned and books its outcome when it is done. Any thread; one small callback. */
    <T> Task<T> track(Task<T> task) {
        spawned.increment();
        taskRing.set((int) (nextSlot.getAndIncrement() & (RING_SIZE - 1)), task);
        task.onDone(this::finished);
        return task;
    }

    /** On the task's loop, once it is done. */
    private void finished(Awaitable<?> done) {
        if (done.isCancelled()) {
            cancelled.increment();
            return;
        }
        Throwable failure = done.exception();
        if (failure == null) {
            succeeded.increment();
            return;
        }
        failed.increment();
        if (failure instanceof ChaosFailure) {
            failedPlanned.increment();
        } else if (failure instanceof TaskTimeoutException) {
            failedTimeout.increment();
        } else if (failure instanceof RejectedTaskException) {
            failedRejected.increment();
        } else if (failure instanceof TaskGroupException) {
            failedGroup.increment();
        }
        if (!planned(failure)) {
            violation("unplanned failure of " + done + ": " + describe(failure));
        }
    }

    /**
     * Whether {@code failure} is one the soak makes happen on purpose: its own failures, time-outs, a spawn
     * refused by a full external queue (cross-loop spawns go through the bounded queue), or a group of those.
     */
    static boolean planned(Throwable failure) {
        if (failure instanceof ChaosFailure
                || failure instanceof TaskTimeoutException
                || failure instanceof RejectedTaskException) {
            return true;
        }
        if (failure instanceof TaskGroupException group) {
            for (Throwable error : group.errors()) {
                if (!planned(error)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    /** An exception with its first frames, for a violation message. */
    static String describe(Throwable failure) {
        StackTraceElement[] stack = failure.getStackTrace();
        String where = Arrays.toString(Arrays.copyOf(stack, Math.min(6, stack.length)));
        String cause = failure.getCause() == null ? "" : " caused by " + describe(failure.getCause());
        return failure + " at " + where + cause;
    }

    long done() {
        return succeeded.sum() + failed.sum() + cancelled.sum();
    }

    long live() {
        return spawned.sum() - done();
    }

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
}
