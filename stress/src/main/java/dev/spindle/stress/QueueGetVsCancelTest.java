package dev.spindle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.spindle.engine.CancelledException;
import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.Task;
import dev.spindle.engine.TaskState;
import dev.spindle.engine.sync.Queue;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLLL_Result;

/**
 * Queue hand-off: {@code put()} on the loop racing a cross-thread {@code cancel()} of a task suspended in
 * {@code get()}. The item is received exactly once or stays in the queue; a getter cancelled after being woken
 * passes the wake-up on.
 *
 * <p>The rule (sync.Queue, "Cancellation-safe hand-off"; Task.cancel and deliverCancel; asyncio's {@code
 * Queue}): a put appends the item and wakes the first getter by completing its promise, but hands it nothing:
 * the getter takes the head itself when it resumes. A cancel request is counted by CAS from the cancelling
 * thread and delivered on the loop by cancelling that promise; if the promise was completed first, MUST_CANCEL
 * stays set and the resumed {@code get} throws {@code CancelledException} without taking the item, and, having
 * been woken for an item it will not take, wakes the next getter. So, once everything has run: the body
 * received the item and the queue is empty, or it was cancelled and the item is still in the queue or, with a
 * second getter queued, received by that getter.
 *
 * <p>How the race is made: the queue is loop-local, so the put runs on the loop, handed over by the {@code
 * putter} actor through the loop's external queue ({@code execute}); the {@code canceller} actor's request is
 * counted at once on its own thread and its delivery crosses through the loop's internal queue. The put
 * records, just before it runs, what it found: the getter still suspended with no request counted (WAITING: this
 * put wakes it), a request already counted (REQUESTED) or the getter already done (DONE). WAITING followed by
 * CANCELLED is the case the rule exists for: woken, then cancelled before it resumed. Each state's constructor
 * spawns the getters and waits until they are suspended in {@code get}; the arbiter waits for the (first)
 * getter, settles the loop so that the put and every wake-up it caused have run, and reads the queue on the
 * loop.
 */
public class QueueGetVsCancelTest {
    private static final Engine ENGINE = Engine.builder()
            .loops(1)
            .threadNamePrefix("stress-queue-get-cancel-")
            .build();
    private static final EventLoop LOOP = ENGINE.loop(0);

    private QueueGetVsCancelTest() {}

    /**
     * One getter on an empty unbounded queue.
     *
     * <p>Result: {@code r1} = {@code cancel()} returned, {@code r2} = what the put found, {@code r3} = what the
     * getter's body saw (RECEIVED: the item that was put) and its final state, {@code r4} = the items left in
     * the queue once settled.
     */
    @JCStressTest
    @Outcome(
            id = "false, WAITING, RECEIVED SUCCEEDED, 0 left",
            expect = ACCEPTABLE,
            desc = "The put woke the getter, which took the item and returned before the cancel: refused as done.")
    @Outcome(
            id = "true, WAITING, RECEIVED CANCELLED, 0 left",
            expect = ACCEPTABLE_INTERESTING,
            desc = "The request came after get() returned: the body has the item; its return became CANCELLED.")
    @Outcome(
            id = "true, WAITING, CANCELLED CANCELLED, 1 left",
            expect = ACCEPTABLE_INTERESTING,
            desc = "Woken, then cancelled before it resumed: get() threw and left the item in the queue.")
    @Outcome(
            id = "true, REQUESTED, CANCELLED CANCELLED, 1 left",
            expect = ACCEPTABLE,
            desc = "Request counted before the put ran: whichever reached the loop first, get() threw, the item"
                    + " stayed.")
    @Outcome(
            id = "true, DONE, CANCELLED CANCELLED, 1 left",
            expect = ACCEPTABLE,
            desc = "The cancel was delivered and the getter left before the put, which found nobody to wake.")
    @Outcome(
            id = ".*, RECEIVED .*, 1 left",
            expect = FORBIDDEN,
            desc = "Duplicated item: received, yet still in the queue.")
    @Outcome(
            id = ".*, CANCELLED .*, 0 left",
            expect = FORBIDDEN,
            desc = "Lost item: the getter was cancelled, yet the item is gone from the queue.")
    @Outcome(
            id = "true, REQUESTED, RECEIVED .*",
            expect = FORBIDDEN,
            desc = "Lost request: counted before the getter was even woken, yet get() returned.")
    @Outcome(
            id = ".*, .*, .* (PENDING|RUNNING|SUSPENDED), .*",
            expect = FORBIDDEN,
            desc = "Stuck: the getter is not done; a wake-up or a cancel delivery was lost.")
    @Outcome(
            expect = FORBIDDEN,
            desc = "Anything else: another item received, a refused cancel that cancelled, a body resumed twice.")
    @State
    public static class OneGetter {
        private final Queue<Object> queue = new Queue<>(LOOP, 0);
        private final Object item = new Object();
        private final Getter getter = new Getter(queue, item);
        private volatile String putFound = "NOT RUN";

        public OneGetter() {
            getter.awaitSuspended();
        }

        private void put() {
            putFound = getter.seenByPut();
            queue.put(item);
        }

        @Actor
        public void putter() {
            LOOP.execute(this::put);
        }

        @Actor
        public void canceller(LLLL_Result r) {
            r.r1 = getter.task.cancel("stress");
        }

        @Arbiter
        public void arbiter(LLLL_Result r) {
            LoopBarrier.awaitDone(getter.task);
            LoopBarrier.settle(LOOP);
            r.r2 = putFound;
            r.r3 = getter.outcome();
            r.r4 = LoopQuery.ask(LOOP, queue::size) + " left";
        }
    }

    /**
     * Two getters on an empty unbounded queue, queued first and second; only the first is cancelled. Exactly one
     * of them receives the single item, or, if the first received it, the second still waits; a first getter
     * cancelled after being woken must wake the second.
     *
     * <p>Result: {@code r1} = {@code cancel()} of the first getter returned, {@code r2} = what the put found
     * (about the first getter), {@code r3} = what the first getter's body saw and its final state, {@code r4} =
     * whether the second getter received the item (RECEIVED) or is still suspended (WAITING) once the loop has
     * settled, then the items left. The arbiter cancels a second getter left waiting, and checks that this does
     * not change the queue.
     */
    @JCStressTest
    @Outcome(
            id = "false, WAITING, RECEIVED SUCCEEDED, WAITING 0 left",
            expect = ACCEPTABLE,
            desc = "The first getter took the item and returned before the cancel; the second still waits.")
    @Outcome(
            id = "true, WAITING, RECEIVED CANCELLED, WAITING 0 left",
            expect = ACCEPTABLE_INTERESTING,
            desc = "The request came after the first get() returned: that body has the item, the second waits.")
    @Outcome(
            id = "true, WAITING, CANCELLED CANCELLED, RECEIVED 0 left",
            expect = ACCEPTABLE_INTERESTING,
            desc = "Woken, then cancelled before it resumed: the first getter left the item and woke the second.")
    @Outcome(
            id = "true, (REQUESTED|DONE), CANCELLED CANCELLED, RECEIVED 0 left",
            expect = ACCEPTABLE,
            desc = "Request counted before the put ran: the first getter left and the put woke the second (or the"
                    + " first passed on the wake-up it had just been given).")
    @Outcome(
            id = ".*, CANCELLED .*, WAITING .*",
            expect = FORBIDDEN,
            desc = "Lost wake-up or lost item: the first getter was cancelled and the second still waits.")
    @Outcome(
            id = ".*, RECEIVED .*, RECEIVED .*",
            expect = FORBIDDEN,
            desc = "Duplicated item: both getters received it.")
    @Outcome(
            id = ".*, .*, .*, .* [1-9].*",
            expect = FORBIDDEN,
            desc = "The item is still in the queue though a getter received it, or a getter waits beside it.")
    @Outcome(
            id = ".*, .*, .* (PENDING|RUNNING|SUSPENDED), .*",
            expect = FORBIDDEN,
            desc = "Stuck: the first getter is not done; a wake-up or a cancel delivery was lost.")
    @Outcome(
            expect = FORBIDDEN,
            desc = "Anything else: another item received, a refused cancel that cancelled, a body resumed twice,"
                    + " a cancelled second getter that changed the queue.")
    @State
    public static class WokenGetterCancelled {
        private final Queue<Object> queue = new Queue<>(LOOP, 0);
        private final Object item = new Object();
        private final Getter first = new Getter(queue, item);
        private final Getter second;
        private volatile String putFound = "NOT RUN";

        public WokenGetterCancelled() {
            first.awaitSuspended();
            // Spawned only once the first waits, so that the FIFO order of the two is fixed.
            second = new Getter(queue, item);
            second.awaitSuspended();
        }

        private void put() {
            putFound = first.seenByPut();
            queue.put(item);
        }

        @Actor
        public void putter() {
            LOOP.execute(this::put);
        }

        @Actor
        public void canceller(LLLL_Result r) {
            r.r1 = first.task.cancel("stress");
        }

        @Arbiter
        public void arbiter(LLLL_Result r) {
            LoopBarrier.awaitDone(first.task);
            LoopBarrier.settle(LOOP);
            r.r2 = putFound;
            r.r3 = first.outcome();
            String secondSaw = second.task.isDone() ? second.saw : "WAITING";
            int left = LoopQuery.ask(LOOP, queue::size);
            r.r4 = secondSaw + " " + left + " left";
            if (!second.task.isDone()) {
                // No task may outlive its sample: cancel the second getter, which must leave the queue alone.
                second.task.cancel("stress: end of sample");
                LoopBarrier.awaitDone(second.task);
                if (LoopQuery.ask(LOOP, queue::size) != left) {
                    r.r4 += " then changed by a cancelled getter";
                }
            }
        }
    }

    /** A task suspended in {@code get()}, which records what its body saw. */
    private static final class Getter {
        final Task<Object> task;
        /** Written by the body only; "TWICE" if it ever passed its get twice. */
        volatile String saw = "NOTHING";

        Getter(Queue<Object> queue, Object expected) {
            task = LOOP.spawn(() -> {
                Object got;
                try {
                    got = queue.get();
                } catch (CancelledException cancelled) {
                    see("CANCELLED");
                    throw cancelled;
                }
                see(got == expected ? "RECEIVED" : "OTHER");
                return got;
            });
        }

        private void see(String what) {
            saw = saw.equals("NOTHING") ? what : "TWICE";
        }

        void awaitSuspended() {
            LoopBarrier.spinUntil(() -> task.state() == TaskState.SUSPENDED, task);
        }

        /** On the loop, just before a put: whether that put is the one that wakes this getter. */
        String seenByPut() {
            if (task.isDone()) {
                return "DONE";
            }
            // Delivery needs a counted request and runs on this thread, so with none counted the getter's promise
            // is still pending and the put about to run completes it.
            return task.cancelling() > 0 ? "REQUESTED" : "WAITING";
        }

        String outcome() {
            return saw + " " + task.state();
        }
    }
}
