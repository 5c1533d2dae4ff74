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
 * Cancel delivery: a cross-thread {@code cancel()} racing the completion that resumes a coroutine task
 * suspended on a promise.
 *
 * <p>The rule (Task.cancel, deliverCancel, await; asyncio's {@code Task.cancel}): a request is counted by CAS
 * on the task's word, refused once the word is terminal, and delivered on the loop. Delivery to a suspended
 * task cancels the promise it awaits; if the promise was completed first, that cancel fails and MUST_CANCEL
 * stays set, so the await, once resumed, consumes it and throws {@code CancelledException}: the promise has its
 * value but the body never sees it. A request counted after the task resumed past its await lets the body see
 * the value, and turns its return into CANCELLED. Either way {@code cancel()} returns {@code true} exactly
 * when the task ends CANCELLED, the body is resumed exactly once, and a task is never left suspended.
 *
 * <p>How the race is made: each state's constructor spawns the task and waits until it is suspended on its
 * promise ({@link LoopBarrier#spinUntil}); then the {@code completer} actor completes the promise from its
 * thread (the resumption crosses to the loop through its internal queue) while the {@code canceller} actor
 * cancels the task from its own (the delivery crosses the same way). The value is a {@link PlainBox}, so the
 * body sees its field only through the engine's publication. The arbiter waits for the task to be done.
 *
 * <p>Result: {@code r1} = {@code complete()} returned, {@code r2} = {@code cancel()} returned, {@code r3} =
 * what the body saw at its await (VALUE, CANCELLED, or TORN for a value whose field was not visible) and the
 * task's final state.
 */
@JCStressTest
@Outcome(
        id = "true, false, VALUE SUCCEEDED",
        expect = ACCEPTABLE,
        desc = "The completion resumed the task, which returned the value before the cancel: refused as done.")
@Outcome(
        id = "false, true, CANCELLED CANCELLED",
        expect = ACCEPTABLE,
        desc = "The cancel was delivered first: the awaited promise was cancelled, the completion refused.")
@Outcome(
        id = "true, true, CANCELLED CANCELLED",
        expect = ACCEPTABLE,
        desc = "Completed first, but the cancel was counted before the resumption step: MUST_CANCEL made the"
                + " await throw, and the body never saw the value (asyncio's rule).")
@Outcome(
        id = "true, true, VALUE CANCELLED",
        expect = ACCEPTABLE_INTERESTING,
        desc = "Counted after the body resumed past its await, before it returned: the body saw the value and"
                + " its return became CANCELLED.")
@Outcome(
        id = "true, true, .* SUCCEEDED",
        expect = FORBIDDEN,
        desc = "Lost request: cancel() returned true but the task succeeded.")
@Outcome(
        id = ".*, false, .* CANCELLED",
        expect = FORBIDDEN,
        desc = "The task was cancelled although its only cancel() was refused.")
@Outcome(
        id = "false, false, .*",
        expect = FORBIDDEN,
        desc = "Both refused: only the canceller can cancel the promise, and only a done task refuses it.")
@Outcome(
        id = {".*, .*, .* PENDING", ".*, .*, .* RUNNING", ".*, .*, .* SUSPENDED"},
        expect = FORBIDDEN,
        desc = "Stuck: the task is not done; a resumption or a cancel delivery was lost.")
@Outcome(
        expect = FORBIDDEN,
        desc = "Anything else: a value seen after a refused completion, a torn value, a body resumed twice.")
@State
public class TaskCancelVsResumeTest {
    private static final Engine ENGINE =
            Engine.builder().loops(1).threadNamePrefix("stress-cancel-resume-").build();
    private static final EventLoop LOOP = ENGINE.loop(0);

    private final Promise<PlainBox> promise = LOOP.newPromise();
    /** Written by the body only; "TWICE" if it ever passed its await twice. */
    private volatile String observed = "NOTHING";

    private final Task<PlainBox> task = LOOP.spawn(this::body);

    public TaskCancelVsResumeTest() {
        LoopBarrier.spinUntil(() -> task.state() == TaskState.SUSPENDED, task);
    }

    private PlainBox body() {
        PlainBox box;
        try {
            box = Async.await(promise);
        } catch (CancelledException cancelled) {
            see("CANCELLED");
            throw cancelled;
        }
        see(box.value == 42 ? "VALUE" : "TORN");
        return box;
    }

    private void see(String what) {
        observed = observed.equals("NOTHING") ? what : "TWICE";
    }

    @Actor
    public void completer(ZZL_Result r) {
        r.r1 = promise.complete(new PlainBox(42));
    }

    @Actor
    public void canceller(ZZL_Result r) {
        r.r2 = task.cancel("stress");
    }

    @Arbiter
    public void arbiter(ZZL_Result r) {
        LoopBarrier.awaitDone(task);
        r.r3 = observed + " " + task.state();
    }
}
