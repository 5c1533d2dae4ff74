package dev.spindle.stress;

import dev.spindle.engine.Awaitable;
import dev.spindle.engine.CancelledException;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.Promise;
import dev.spindle.engine.Task;
import dev.spindle.engine.TimerHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak's records of what it handed to the engine: one probe per accepted task, timer and promise.
 * A probe observes its item from inside (the task body, the timer's runnable, the done callbacks run on
 * the loop, each reporting what must never happen at once) and from outside ({@link Probe#settle}: once
 * the item is finished, its outcome must agree with everything that was done to it).
 */
final class SoakProbes {
    private SoakProbes() {}

    /** What every probe offers to its owner. */
    interface Probe {
        /**
         * Checks the item once it has finished and counts its outcome; returns {@code false} while it has
         * not. With {@code last} (after shutdown, when everything must have finished) it always checks and
         * reports an unfinished item as a violation. Called by the owning producer, then by the main
         * thread after joining it.
         */
        boolean settle(boolean last);
    }

    /** How a task's body behaves. */
    enum TaskKind {
        /** Returns its id. */
        NORMAL,
        /** Busy for about 20 µs, then returns its id: slows the loop so that queues fill. */
        SLOW,
        /** Throws a {@link PlannedFailure}: the task must end FAILED with it. */
        THROWS,
        /** Cancels itself ({@code Task.current().cancel}) and returns: must end CANCELLED. */
        CANCELS_ITSELF,
        /** Throws {@link CancelledException}: must end CANCELLED. */
        THROWS_CANCELLED
    }

    /** The failure a THROWS task plans; no stack trace, it is only compared. */
    static final class PlannedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final long id;

        PlannedFailure(long id) {
            super("planned failure of task " + id, null, false, false);
            this.id = id;
        }
    }

    /** A task submitted from a producer: it is the task's body, and optionally its done callback. */
    static final class TaskProbe implements Probe, Callable<Long> {
        private static final long SLOW_NANOS = 20_000;

        final long id;
        final TaskKind kind;
        final EventLoop loop;
        private final SoakLedger ledger;
        private final AtomicInteger bodyRuns = new AtomicInteger();
        private final AtomicInteger cancelAttempts = new AtomicInteger();
        /** Null when no callback is registered. */
        private final AtomicInteger callbackRuns;

        private volatile boolean cancelGranted;
        /** Set by the submitter once submit returned; the body may run before that. */
        volatile Task<Long> task;

        TaskProbe(long id, TaskKind kind, EventLoop loop, boolean watched, SoakLedger ledger) {
            this.id = id;
            this.kind = kind;
            this.loop = loop;
            this.ledger = ledger;
            this.callbackRuns = watched ? new AtomicInteger() : null;
        }

        boolean watched() {
            return callbackRuns != null;
        }

        /** The body: runs on {@link #loop}, at most once. */
        @Override
        public Long call() {
            if (bodyRuns.incrementAndGet() != 1) {
                ledger.violation("task " + id + ": body ran " + bodyRuns.get() + " times");
            }
            ledger.taskBodiesRun.increment();
            Task<?> current = Task.current();
            Task<Long> submitted = task;
            if (current == null || !loop.inLoop() || (submitted != null && submitted != current)) {
                ledger.violation("task " + id + ": body ran outside its own step on " + loop.name() + " (current "
                        + current + ")");
            }
            switch (kind) {
                case SLOW -> {
                    long end = System.nanoTime() + SLOW_NANOS;
                    while (System.nanoTime() - end < 0) {
                        Thread.onSpinWait();
                    }
                }
                case THROWS -> throw new PlannedFailure(id);
                case CANCELS_ITSELF -> {
                    if (current == null || !current.cancel("cancelled itself")) {
                        ledger.violation("task " + id + ": a running task refused its own cancel");
                    }
                }
                case THROWS_CANCELLED -> throw new CancelledException("threw CancelledException");
                case NORMAL -> {
                    // returns its id
                }
            }
            return id;
        }

        /** The done callback: runs once, on the loop, after the task is done. */
        void onDone(Awaitable<Long> done) {
            int runs = callbackRuns.incrementAndGet();
            if (runs != 1) {
                ledger.violation("task " + id + ": done callback ran " + runs + " times");
            }
            if (!loop.inLoop() || !done.isDone()) {
                ledger.violation("task " + id + ": done callback ran off its loop or before the task was done");
            }
            ledger.taskCallbacksRun.increment();
        }

        /** A cancel from any thread; the attempt is counted BEFORE the call so a cancelled task always has one. */
        void cancel() {
            cancelAttempts.incrementAndGet();
            ledger.cancelsAttempted.increment();
            if (task.cancel("cancelled by a producer")) {
                cancelGranted = true;
                ledger.cancelsGranted.increment();
            }
        }

        @Override
        public boolean settle(boolean last) {
            Task<Long> t = task;
            if (!t.isDone() || (callbackRuns != null && callbackRuns.get() == 0)) {
                if (!last) {
                    return false;
                }
                ledger.violation("task " + id + " (" + kind + "): " + t.state() + " after shutdown"
                        + (t.isDone() ? ", its done callback never ran" : ": lost"));
                return true;
            }
            int runs = bodyRuns.get();
            boolean cancelled = cancelAttempts.get() > 0;
            switch (t.state()) {
                case SUCCEEDED -> {
                    ledger.tasksSucceeded.increment();
                    if (kind != TaskKind.NORMAL && kind != TaskKind.SLOW) {
                        ledger.violation("task " + id + " (" + kind + ") succeeded");
                    } else if (runs != 1 || !Long.valueOf(id).equals(t.result())) {
                        ledger.violation("task " + id + " succeeded with " + t.result() + " after " + runs + " runs");
                    } else if (cancelGranted) {
                        ledger.violation("task " + id + " succeeded although a cancel() returned true");
                    }
                }
                case FAILED -> {
                    ledger.tasksFailed.increment();
                    Throwable failure = t.exception();
                    if (kind != TaskKind.THROWS
                            || runs != 1
                            || !(failure instanceof PlannedFailure planned)
                            || planned.id != id) {
                        ledger.violation(
                                "task " + id + " (" + kind + ") failed with " + failure + " after " + runs + " runs");
                    }
                }
                case CANCELLED -> {
                    ledger.tasksCancelled.increment();
                    boolean cancelsItself = kind == TaskKind.CANCELS_ITSELF || kind == TaskKind.THROWS_CANCELLED;
                    boolean explained = runs == 0
                            ? cancelled || ledger.shutdownForced
                            : runs == 1 && (cancelsItself || (cancelled && kind != TaskKind.THROWS));
                    if (!explained) {
                        ledger.violation("task " + id + " (" + kind + ") was cancelled after " + runs + " runs with "
                                + cancelAttempts.get() + " cancel requests");
                    }
                }
                default -> ledger.violation("task " + id + ": done in state " + t.state());
            }
            return true;
        }
    }

    /** A timer scheduled from a producer: it is the timer's runnable. */
    static final class TimerProbe implements Probe, Runnable {
        final EventLoop loop;
        private final SoakLedger ledger;
        private final AtomicInteger runs = new AtomicInteger();
        /** Set by the scheduler once schedule returned; the timer may fire before that. */
        volatile TimerHandle handle;

        // Owner-confined: the producer that scheduled the timer cancels it, then the main thread reads
        // these after joining the producer.
        long cancelAtOp;
        private boolean cancelAttempted;
        private boolean cancelReturned;

        TimerProbe(EventLoop loop, SoakLedger ledger) {
            this.loop = loop;
            this.ledger = ledger;
        }

        /** Fires once, on the loop, after the handle's state became FIRED. */
        @Override
        public void run() {
            int n = runs.incrementAndGet();
            if (n != 1) {
                ledger.violation("timer ran " + n + " times");
            }
            TimerHandle h = handle;
            if (!loop.inLoop() || (h != null && !h.hasFired())) {
                ledger.violation("timer ran off its loop or without having fired: " + h);
            }
        }

        /** Cancels from the scheduling producer's thread. */
        void cancel() {
            cancelAttempted = true;
            ledger.timerCancelsAttempted.increment();
            cancelReturned = handle.cancel();
        }

        @Override
        public boolean settle(boolean last) {
            TimerHandle h = handle;
            boolean fired = h.hasFired();
            boolean cancelled = h.isCancelled();
            int n = runs.get();
            if (!last && (fired == cancelled || (fired && n == 0))) {
                return false; // not due yet, or fired and its runnable has not finished
            }
            if (fired == cancelled) {
                ledger.violation("timer " + h + ": fired=" + fired + " cancelled=" + cancelled + " after shutdown");
            } else if (fired) {
                ledger.timersFired.increment();
                if (n != 1 || cancelReturned) {
                    ledger.violation("timer " + h + " fired, ran " + n + " times, cancel() returned " + cancelReturned);
                }
            } else if (n != 0) {
                ledger.violation("timer " + h + " is cancelled but ran " + n + " times");
            } else if (cancelReturned) {
                ledger.timersCancelled.increment();
            } else if (last && !cancelAttempted) {
                ledger.timersDiscarded.increment(); // pending at shutdown
            } else {
                ledger.violation("timer " + h + " is cancelled, but its only canceller's cancel() returned "
                        + cancelReturned + (cancelAttempted ? "" : " (never called)"));
            }
            return true;
        }
    }

    /** A promise created by a producer and completed or cancelled by any producer, with one or two callbacks. */
    static final class PromiseProbe implements Probe {
        private static final AtomicLong VALUES = new AtomicLong();
        private static final Object CANCELLED = new Object() {
            @Override
            public String toString() {
                return "CANCELLED";
            }
        };

        final long id;
        final Promise<Long> promise;
        final long createdAtOp;
        private final SoakLedger ledger;
        private final AtomicInteger wins = new AtomicInteger();
        private final AtomicInteger firstRuns = new AtomicInteger();
        /** Null when only one callback is registered. */
        private final AtomicInteger secondRuns;

        private volatile long winnerValue;
        private volatile boolean cancelWon;
        private volatile Object firstSeen;
        private volatile Object secondSeen;

        PromiseProbe(long id, Promise<Long> promise, boolean twoCallbacks, long createdAtOp, SoakLedger ledger) {
            this.id = id;
            this.promise = promise;
            this.createdAtOp = createdAtOp;
            this.ledger = ledger;
            this.secondRuns = twoCallbacks ? new AtomicInteger() : null;
        }

        /** Registers the callbacks, in order, from the calling thread. */
        void register() {
            promise.onDone(this::first);
            if (secondRuns != null) {
                promise.onDone(this::second);
            }
        }

        /** Completes with a fresh value, or cancels; from any thread. The winner records itself. */
        void attempt(boolean cancel) {
            if (cancel) {
                if (promise.cancel("cancelled by a producer")) {
                    cancelWon = true;
                    wins.incrementAndGet();
                    ledger.promisesCancelled.increment();
                    return;
                }
            } else {
                long value = VALUES.incrementAndGet();
                if (promise.complete(value)) {
                    winnerValue = value; // BEFORE wins, which settle waits for
                    wins.incrementAndGet();
                    ledger.promisesCompleted.increment();
                    return;
                }
            }
            ledger.promiseCompletionsRefused.increment();
        }

        private void first(Awaitable<Long> done) {
            firstSeen = observe(done);
            counted("first", firstRuns, done);
        }

        private void second(Awaitable<Long> done) {
            if (firstRuns.get() != 1) {
                ledger.violation("promise " + id + ": second callback ran before the first");
            }
            secondSeen = observe(done);
            counted("second", secondRuns, done);
        }

        private static Object observe(Awaitable<Long> done) {
            return done.isCancelled() ? CANCELLED : done.result();
        }

        /** Counts a run AFTER its observation is stored: settle reads the observation once it sees the count. */
        private void counted(String which, AtomicInteger runs, Awaitable<Long> done) {
            int n = runs.incrementAndGet();
            if (n != 1) {
                ledger.violation("promise " + id + ": " + which + " callback ran " + n + " times");
            }
            if (!promise.loop().inLoop() || !done.isDone()) {
                ledger.violation("promise " + id + ": " + which + " callback ran off its loop or before done");
            }
            ledger.promiseCallbacksRun.increment();
        }

        @Override
        public boolean settle(boolean last) {
            boolean finished = promise.isDone()
                    && wins.get() != 0
                    && firstRuns.get() != 0
                    && (secondRuns == null || secondRuns.get() != 0);
            if (!finished) {
                if (!last) {
                    return false;
                }
                ledger.violation("promise " + id + ": " + promise.state() + ", wins=" + wins.get() + ", callbacks="
                        + firstRuns.get() + "/" + (secondRuns == null ? "-" : secondRuns.get()) + " after shutdown");
                return true;
            }
            Object expected = promise.isCancelled() ? CANCELLED : (Object) winnerValue;
            if (wins.get() != 1) {
                ledger.violation("promise " + id + ": " + wins.get() + " completers won");
            } else if (promise.isCancelled() != cancelWon) {
                ledger.violation("promise " + id + ": state " + promise.state() + " but cancel won=" + cancelWon);
            } else if (!promise.isCancelled() && !expected.equals(promise.result())) {
                ledger.violation("promise " + id + ": holds " + promise.result() + ", the winner set " + expected);
            } else if (!expected.equals(firstSeen) || (secondRuns != null && !expected.equals(secondSeen))) {
                ledger.violation(
                        "promise " + id + ": callbacks saw " + firstSeen + "/" + secondSeen + ", expected " + expected);
            }
            return true;
        }
    }
}
