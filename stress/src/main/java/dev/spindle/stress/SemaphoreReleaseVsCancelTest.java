package dev.spindle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.spindle.engine.CancelledException;
import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.Task;
import dev.spindle.engine.TaskState;
import dev.spindle.engine.sync.Semaphore;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLLL_Result;

/**
 * Semaphore hand-off: {@code release()} on the loop racing a cross-thread {@code cancel()} of a task suspended
 * in {@code acquire()}. No unit is lost, none is created, and a waiter cancelled after being woken passes its
 * unit on.
 *
 * <p>The rule (sync.Semaphore, Task.cancel and deliverCancel; asyncio's {@code Semaphore}): {@code release}
 * increments the value and wakes the first waiter by completing its promise, handing it the unit at wake time
 * (value back to 0). A cancel request is counted by CAS from the cancelling thread and delivered on the loop by
 * cancelling that promise. If the promise was completed first, the delivery fails, MUST_CANCEL stays set and
 * the resumed {@code acquire} throws {@code CancelledException} anyway; its catch sees a promise completed, not
 * cancelled, and gives the unit back (value 1), then wakes as many queued waiters as the value allows. A request
 * counted after {@code acquire} returned leaves the unit with the body (and turns its return into CANCELLED).
 * So, once everything has run: the body saw ACQUIRED and the value is 0 (locked), or it saw CANCELLED and the
 * unit is free again (value 1, unlocked) or, with a second waiter queued, held by that waiter.
 *
 * <p>How the race is made: the semaphore is loop-local, so the release must run on the loop, and it does,
 * handed over by the {@code releaser} actor through the loop's external queue ({@code execute}); the {@code
 * canceller} actor's request is counted at once on its own thread and its delivery crosses through the loop's
 * internal queue. Both the order of delivery and release on the loop and the moment of the count relative to
 * the waiter's resumption step vary. The release records, just before it runs, what it found: the waiter
 * still suspended with no request counted (WAITING: this release wakes it), a request already counted
 * (REQUESTED) or the waiter already done (DONE). WAITING followed by CANCELLED is the case the rule exists for:
 * woken, then cancelled before it resumed. Each state's constructor spawns the waiters and waits until they
 * are suspended in {@code acquire}; the arbiter waits for the (first) waiter, settles the loop so that the
 * release and every wake-up it caused have run, and reads the semaphore on the loop.
 */
public class SemaphoreReleaseVsCancelTest {
    private static final Engine ENGINE = Engine.builder()
            .loops(1)
            .threadNamePrefix("stress-sem-release-cancel-")
            .build();
    private static final EventLoop LOOP = ENGINE.loop(0);

    private SemaphoreReleaseVsCancelTest() {}

    /**
     * One waiter on {@code Semaphore(0)}.
     *
     * <p>Result: {@code r1} = {@code cancel()} returned, {@code r2} = what the release found, {@code r3} = what
     * the waiter's body saw and its final state, {@code r4} = the semaphore's value and {@code locked()} once
     * settled.
     */
    @JCStressTest
    @Outcome(
            id = "false, WAITING, ACQUIRED SUCCEEDED, 0 locked",
            expect = ACCEPTABLE,
            desc = "The release woke the waiter, which took the unit and returned before the cancel: refused as done.")
    @Outcome(
            id = "true, WAITING, ACQUIRED CANCELLED, 0 locked",
            expect = ACCEPTABLE_INTERESTING,
            desc = "The request came after acquire() returned: the body keeps its unit; its return became CANCELLED.")
    @Outcome(
            id = "true, WAITING, CANCELLED CANCELLED, 1 unlocked",
            expect = ACCEPTABLE_INTERESTING,
            desc = "Woken, then cancelled before it resumed: acquire() threw and gave the unit it was handed back.")
    @Outcome(
            id = "true, REQUESTED, CANCELLED CANCELLED, 1 unlocked",
            expect = ACCEPTABLE,
            desc = "Request counted before the release ran: whichever reached the loop first, acquire() threw and"
                    + " the unit is free.")
    @Outcome(
            id = "true, DONE, CANCELLED CANCELLED, 1 unlocked",
            expect = ACCEPTABLE,
            desc = "The cancel was delivered and the waiter left before the release, which found nobody to wake.")
    @Outcome(
            id = ".*, ACQUIRED .*, 1 .*",
            expect = FORBIDDEN,
            desc = "A unit created: the body holds one and another is free.")
    @Outcome(
            id = ".*, CANCELLED .*, 0 .*",
            expect = FORBIDDEN,
            desc = "A unit lost: the waiter was cancelled, yet the released unit is not free.")
    @Outcome(
            id = "true, REQUESTED, ACQUIRED .*",
            expect = FORBIDDEN,
            desc = "Lost request: counted before the waiter was even woken, yet acquire() returned.")
    @Outcome(
            id = ".*, .*, .* (PENDING|RUNNING|SUSPENDED), .*",
            expect = FORBIDDEN,
            desc = "Stuck: the waiter is not done; a wake-up or a cancel delivery was lost.")
    @Outcome(
            expect = FORBIDDEN,
            desc = "Anything else: a value other than 0 or 1, locked() not matching the value, a refused cancel"
                    + " that cancelled, a body resumed twice.")
    @State
    public static class OneWaiter {
        private final Semaphore semaphore = new Semaphore(LOOP, 0);
        private final Waiter waiter = new Waiter(semaphore);
        private volatile String releaseFound = "NOT RUN";

        public OneWaiter() {
            waiter.awaitSuspended();
        }

        private void release() {
            releaseFound = waiter.seenByRelease();
            semaphore.release();
        }

        @Actor
        public void releaser() {
            LOOP.execute(this::release);
        }

        @Actor
        public void canceller(LLLL_Result r) {
            r.r1 = waiter.task.cancel("stress");
        }

        @Arbiter
        public void arbiter(LLLL_Result r) {
            LoopBarrier.awaitDone(waiter.task);
            LoopBarrier.settle(LOOP);
            r.r2 = releaseFound;
            r.r3 = waiter.outcome();
            r.r4 = LoopQuery.ask(LOOP, () -> units(semaphore));
        }
    }

    /**
     * Two waiters on {@code Semaphore(0)}, queued first and second; only the first is cancelled. Whatever the
     * interleaving, exactly one of them ends up holding the single unit; a first waiter cancelled after being
     * woken must pass the unit to the second (FIFO: the second waits until then).
     *
     * <p>Result: {@code r1} = {@code cancel()} of the first waiter returned, {@code r2} = what the release found
     * (about the first waiter), {@code r3} = what the first waiter's body saw and its final state, {@code r4} =
     * whether the second waiter got the unit (ACQUIRED) or is still suspended (WAITING) once the loop has
     * settled, then the value and {@code locked()}. The arbiter cancels a second waiter left waiting, and checks
     * that this does not change the value.
     */
    @JCStressTest
    @Outcome(
            id = "false, WAITING, ACQUIRED SUCCEEDED, WAITING 0 locked",
            expect = ACCEPTABLE,
            desc = "The first waiter took the unit and returned before the cancel; the second still waits.")
    @Outcome(
            id = "true, WAITING, ACQUIRED CANCELLED, WAITING 0 locked",
            expect = ACCEPTABLE_INTERESTING,
            desc = "The request came after the first acquire() returned: that body keeps the unit, the second waits.")
    @Outcome(
            id = "true, WAITING, CANCELLED CANCELLED, ACQUIRED 0 locked",
            expect = ACCEPTABLE_INTERESTING,
            desc = "Woken, then cancelled before it resumed: the first waiter returned its unit and woke the second.")
    @Outcome(
            id = "true, (REQUESTED|DONE), CANCELLED CANCELLED, ACQUIRED 0 locked",
            expect = ACCEPTABLE,
            desc = "Request counted before the release ran: the first waiter left and the release woke the second"
                    + " (or the first passed on the unit it had just been handed).")
    @Outcome(
            id = ".*, CANCELLED .*, WAITING .*",
            expect = FORBIDDEN,
            desc = "Lost unit or lost wake-up: the first waiter was cancelled and the second still waits.")
    @Outcome(
            id = ".*, ACQUIRED .*, ACQUIRED .*",
            expect = FORBIDDEN,
            desc = "One unit handed out twice: both waiters acquired it.")
    @Outcome(
            id = ".*, .*, .*, .* [1-9].*",
            expect = FORBIDDEN,
            desc = "A unit is free while someone holds the only one (created), or a cancelled second waiter took one.")
    @Outcome(
            id = ".*, .*, .* (PENDING|RUNNING|SUSPENDED), .*",
            expect = FORBIDDEN,
            desc = "Stuck: the first waiter is not done; a wake-up or a cancel delivery was lost.")
    @Outcome(
            expect = FORBIDDEN,
            desc = "Anything else: a negative value, locked() not matching the value, a refused cancel that"
                    + " cancelled, a body resumed twice.")
    @State
    public static class WokenWaiterCancelled {
        private final Semaphore semaphore = new Semaphore(LOOP, 0);
        private final Waiter first = new Waiter(semaphore);
        private final Waiter second;
        private volatile String releaseFound = "NOT RUN";

        public WokenWaiterCancelled() {
            first.awaitSuspended();
            // Spawned only once the first waits, so that the FIFO order of the two is fixed.
            second = new Waiter(semaphore);
            second.awaitSuspended();
        }

        private void release() {
            releaseFound = first.seenByRelease();
            semaphore.release();
        }

        @Actor
        public void releaser() {
            LOOP.execute(this::release);
        }

        @Actor
        public void canceller(LLLL_Result r) {
            r.r1 = first.task.cancel("stress");
        }

        @Arbiter
        public void arbiter(LLLL_Result r) {
            LoopBarrier.awaitDone(first.task);
            LoopBarrier.settle(LOOP);
            r.r2 = releaseFound;
            r.r3 = first.outcome();
            String secondSaw = second.task.isDone() ? second.saw : "WAITING";
            String units = LoopQuery.ask(LOOP, () -> units(semaphore));
            r.r4 = secondSaw + " " + units;
            if (!second.task.isDone()) {
                // No task may outlive its sample: cancel the second waiter, which must leave the units alone.
                second.task.cancel("stress: end of sample");
                LoopBarrier.awaitDone(second.task);
                if (!LoopQuery.ask(LOOP, () -> units(semaphore)).equals(units)) {
                    r.r4 += " then changed by a cancelled waiter";
                }
            }
        }
    }

    /** On the loop: the value and whether {@code acquire()} would wait, e.g. "1 unlocked". */
    private static String units(Semaphore semaphore) {
        return semaphore.value() + (semaphore.locked() ? " locked" : " unlocked");
    }

    /** A task suspended in {@code acquire()} that keeps the unit it gets, and records what its body saw. */
    private static final class Waiter {
        final Task<Void> task;
        /** Written by the body only; "TWICE" if it ever passed its acquire twice. */
        volatile String saw = "NOTHING";

        Waiter(Semaphore semaphore) {
            task = LOOP.spawn(() -> {
                try {
                    semaphore.acquire(); // never released: the arbiter counts this unit as held
                } catch (CancelledException cancelled) {
                    see("CANCELLED");
                    throw cancelled;
                }
                see("ACQUIRED");
                return null;
            });
        }

        private void see(String what) {
            saw = saw.equals("NOTHING") ? what : "TWICE";
        }

        void awaitSuspended() {
            LoopBarrier.spinUntil(() -> task.state() == TaskState.SUSPENDED, task);
        }

        /** On the loop, just before a release: whether that release is the one that wakes this waiter. */
        String seenByRelease() {
            if (task.isDone()) {
                return "DONE";
            }
            // Delivery needs a counted request and runs on this thread, so with none counted the waiter's promise
            // is still pending and the release about to run completes it.
            return task.cancelling() > 0 ? "REQUESTED" : "WAITING";
        }

        String outcome() {
            return saw + " " + task.state();
        }
    }
}
