package dev.spindle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.spindle.engine.Async;
import dev.spindle.engine.CancelledException;
import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.Promise;
import dev.spindle.engine.Task;
import dev.spindle.engine.TaskState;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZL_Result;

/**
 * Cancel message: two {@code cancel(message)} calls from two threads racing the end of the task that the
 * first of them causes.
 *
 * <p>The rule (Task.cancel, BaseAwaitable.finishOnLoop): a request counts itself, sets MUST_CANCEL and takes
 * MESSAGE_PENDING in one CAS on the task's word; that CAS is refused once the word is terminal, and waits
 * while another canceller holds the bit. Only then does the request write its message, and it clears the
 * bit after. The loop's terminal transition is a CAS that expects MESSAGE_PENDING clear. So the message a
 * cancelled task reports is that of its latest counted request, it is frozen once the task is terminal, and
 * a request that lost to the end (returned {@code false}) never wrote it. Requests are serialised by the
 * bit, so neither message is ever lost half-written.
 *
 * <p>How the race is made: each state's constructor spawns a coroutine task and waits until it is suspended
 * on a promise nobody completes. The two actors cancel it from their own threads; the first request counted
 * is delivered on the loop, cancels the promise, and the resumed await ends the task CANCELLED. The second
 * request races that end. The arbiter waits for the task to be done and reads the message it reports
 * through {@code result()}.
 *
 * <p>Result: {@code r1} = {@code cancel("first")} returned, {@code r2} = {@code cancel("late")} returned,
 * {@code r3} = the final state and, if CANCELLED, the reported message.
 *
 * @see Variant the same rule when the task's own body returns a value
 */
@JCStressTest
@Outcome(
        id = {"true, true, CANCELLED first", "true, true, CANCELLED late"},
        expect = ACCEPTABLE,
        desc = "Both requests were counted before the task ended: it reports the message of the later one.")
@Outcome(
        id = {"true, false, CANCELLED first", "false, true, CANCELLED late"},
        expect = ACCEPTABLE_INTERESTING,
        desc = "One request ended the task before the other was counted: the refused one wrote nothing.")
@Outcome(
        id = {"true, false, CANCELLED late", "false, true, CANCELLED first"},
        expect = FORBIDDEN,
        desc = "A refused request's message is reported: it was written after the task became terminal.")
@Outcome(id = "false, false, .*", expect = FORBIDDEN, desc = "Both refused, although only a cancel can end this task.")
@Outcome(
        expect = FORBIDDEN,
        desc = "Anything else: a task not CANCELLED after a counted request, a lost or torn message, a task"
                + " never done.")
@State
public class TaskCancelMessageVsEndTest {
    private static final Engine ENGINE =
            Engine.builder().loops(1).threadNamePrefix("stress-cancel-message-").build();
    private static final EventLoop LOOP = ENGINE.loop(0);

    private final Promise<Boolean> never = LOOP.newPromise();
    private final Task<Boolean> task = LOOP.spawn(() -> Async.await(never));

    public TaskCancelMessageVsEndTest() {
        LoopBarrier.spinUntil(() -> task.state() == TaskState.SUSPENDED, task);
    }

    @Actor
    public void canceller1(ZZL_Result r) {
        r.r1 = task.cancel("first");
    }

    @Actor
    public void canceller2(ZZL_Result r) {
        r.r2 = task.cancel("late");
    }

    @Arbiter
    public void arbiter(ZZL_Result r) {
        r.r3 = report(task);
    }

    /** The final state and, for a cancelled task, the message {@code result()} reports. */
    static String report(Task<?> task) {
        if (!LoopBarrier.awaitDone(task)) {
            return "NOT DONE " + task.state();
        }
        try {
            task.result();
            return task.state().name();
        } catch (CancelledException cancelled) {
            return task.state() + " " + cancelled.cancelMessage();
        } catch (RuntimeException other) {
            return task.state() + " " + other;
        }
    }

    /**
     * Cancel message: one {@code cancel(message)} from another thread racing the task's body, which returns
     * a value.
     *
     * <p>The rule: as for the enclosing test; the loop's transition of a returning body turns SUCCEEDED into
     * CANCELLED when MUST_CANCEL is set, and it waits for a counted request's message before it does. So a
     * request that returned {@code true} is reported with its own message, never with none, and one that
     * returned {@code false} leaves the task SUCCEEDED.
     *
     * <p>How the race is made: as in {@link TaskCancelVsStepTest}: the {@code submitter} actor submits the
     * task, the real loop thread runs its body (which spins briefly) at once, and the {@code canceller}
     * actor cancels it as soon as it is published.
     *
     * <p>Result: {@code r1} = {@code cancel("late")} returned, {@code r2} = the body ran, {@code r3} = the
     * final state and, if CANCELLED, the reported message.
     */
    @JCStressTest
    @Outcome(
            id = "true, false, CANCELLED late",
            expect = ACCEPTABLE,
            desc = "Counted before the step: the body never ran and the task reports the request's message.")
    @Outcome(
            id = "true, true, CANCELLED late",
            expect = ACCEPTABLE_INTERESTING,
            desc = "Counted while the body ran: its value was discarded and the task reports the message.")
    @Outcome(
            id = "false, true, SUCCEEDED",
            expect = ACCEPTABLE,
            desc = "The body returned first: the request was refused and wrote nothing.")
    @Outcome(
            id = "true, .*, CANCELLED null",
            expect = FORBIDDEN,
            desc = "The task ended before the counted request's message was written.")
    @Outcome(id = "true, .*, SUCCEEDED", expect = FORBIDDEN, desc = "A counted request was lost: the task succeeded.")
    @Outcome(
            id = "false, .*, CANCELLED.*",
            expect = FORBIDDEN,
            desc = "The only request was refused, yet the task was cancelled.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else: a success without the body running, a task never done.")
    @State
    public static class Variant {
        private static final EventLoop LOOP = TaskCancelMessageVsEndTest.LOOP;
        private static final int BODY_SPINS = 32;

        private volatile Task<Boolean> task;
        private volatile boolean ran;

        private Boolean body() {
            ran = true;
            for (int i = 0; i < BODY_SPINS; i++) {
                Thread.onSpinWait();
            }
            return Boolean.TRUE;
        }

        @Actor
        public void submitter() {
            task = LOOP.submit(this::body);
        }

        @Actor
        public void canceller(ZZL_Result r) {
            Task<Boolean> t;
            while ((t = task) == null) {
                Thread.onSpinWait();
            }
            r.r1 = t.cancel("late");
        }

        @Arbiter
        public void arbiter(ZZL_Result r) {
            Task<Boolean> t = task;
            r.r3 = report(t);
            r.r2 = ran;
        }
    }
}
