package dev.spindle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.Task;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZL_Result;

/**
 * Task state word: {@code cancel()} from another thread racing the task's step on its loop.
 *
 * <p>The rule (Task, BaseAwaitable): a cancel request is a CAS on the state word that adds one to the
 * count and sets MUST_CANCEL, and it is refused once the word is terminal; the loop's terminal transition
 * is a CAS on the same word that turns SUCCEEDED into CANCELLED when MUST_CANCEL is set. So {@code
 * cancel()} returns {@code true} exactly when the task ends CANCELLED: the request either reached the
 * word before the step began (the body never runs) or while the body ran (its value is discarded).
 *
 * <p>How the race is made: the terminal transition happens only on the loop, so the loop is the third
 * party. The {@code submitter} actor submits the task from outside the loop; the real loop thread drains
 * it and runs its step at once (the loop is kept busy by the stream of submissions); the {@code
 * canceller} actor cancels as soon as the task is published to it. The body spins briefly so that a
 * cancel can also land while it runs. The arbiter waits for the task to be done.
 *
 * <p>Result: {@code r1} = {@code cancel()} returned, {@code r2} = the body ran, {@code r3} = the final
 * state.
 */
@JCStressTest
@Outcome(
        id = "true, false, CANCELLED",
        expect = ACCEPTABLE,
        desc = "Cancel counted before the step: the loop delivered it at the step and the body never ran.")
@Outcome(
        id = "true, true, CANCELLED",
        expect = ACCEPTABLE_INTERESTING,
        desc = "Cancel counted while the body ran: MUST_CANCEL turned the body's value into CANCELLED.")
@Outcome(
        id = "false, true, SUCCEEDED",
        expect = ACCEPTABLE,
        desc = "The step finished first: cancel() found the word terminal and returned false.")
@Outcome(
        id = "true, .*, SUCCEEDED",
        expect = FORBIDDEN,
        desc = "cancel() returned true yet the task succeeded: a counted request was lost.")
@Outcome(
        id = "false, .*, CANCELLED",
        expect = FORBIDDEN,
        desc = "cancel() returned false yet the task was cancelled: the only canceller was refused.")
@Outcome(
        expect = FORBIDDEN,
        desc = "Anything else: a success without the body running, or a task never done (PENDING/RUNNING).")
@State
public class TaskCancelVsStepTest {
    private static final Engine ENGINE =
            Engine.builder().loops(1).threadNamePrefix("stress-cancel-step-").build();
    private static final EventLoop LOOP = ENGINE.loop(0);
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

    /** Hands the task to the loop through its external queue, as any thread outside the engine does. */
    @Actor
    public void submitter() {
        task = LOOP.submit(this::body);
    }

    /** Cancels from a third thread as soon as the task exists. */
    @Actor
    public void canceller(ZZL_Result r) {
        Task<Boolean> t;
        while ((t = task) == null) {
            Thread.onSpinWait();
        }
        r.r1 = t.cancel("stress");
    }

    @Arbiter
    public void arbiter(ZZL_Result r) {
        Task<Boolean> t = task;
        LoopBarrier.awaitDone(t);
        r.r2 = ran;
        r.r3 = t.state().name();
    }
}
