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
import org.openjdk.jcstress.infra.results.LLLL_Result;

/**
 * Cross-loop cancel propagation: an outer task on loop 0 awaits an inner task on loop 1, which awaits a
 * promise; the outer task is cancelled from one thread while the promise is completed from another.
 *
 * <p>The rule (Task.deliverCancel, await; asyncio): the outer request is delivered on loop 0 by cancelling
 * what the outer task awaits, the inner task, which counts a request of its own and delivers it on loop 1 by
 * cancelling the promise. If the promise already has its value, the inner request stays pending and the inner
 * await throws anyway; if the inner task is already done, the outer request stays pending and the outer await
 * throws. The outer task resumes only once the inner task is done, in every case, and with the inner outcome
 * unless its own request was still pending. So: the outer {@code cancel()} returns {@code true} exactly when
 * the outer task ends CANCELLED, a request is never lost on its way across (the outer task never stays
 * suspended), the outer body sees the value only if the inner task succeeded, and a refused completion means
 * the cancellation reached the promise.
 *
 * <p>How the race is made: the constructor spawns both tasks and waits until both are suspended; then the
 * {@code canceller} actor cancels the outer task while the {@code completer} actor completes the inner task's
 * promise. The arbiter waits for the outer task (and so the inner one) to be done.
 *
 * <p>Result: {@code r1} = the outer {@code cancel()} returned, {@code r2} = {@code complete()} returned,
 * {@code r3} = what the outer body saw at its await and the outer task's final state, {@code r4} = the same for
 * the inner task. A body that saw its await resume before the task it awaited was done reports EARLY.
 */
@JCStressTest
@Outcome(
        id = "true, false, CANCELLED CANCELLED, CANCELLED CANCELLED",
        expect = ACCEPTABLE,
        desc = "The cancel crossed both loops first: it cancelled the promise, the completion was refused.")
@Outcome(
        id = "true, true, CANCELLED CANCELLED, CANCELLED CANCELLED",
        expect = ACCEPTABLE,
        desc = "The promise had its value, but the inner request was counted before the inner task resumed:"
                + " both awaits threw.")
@Outcome(
        id = "true, true, CANCELLED CANCELLED, VALUE CANCELLED",
        expect = ACCEPTABLE_INTERESTING,
        desc = "The inner request landed after the inner body saw the value, before it returned: the inner task"
                + " ended CANCELLED, and so did the outer await.")
@Outcome(
        id = "true, true, CANCELLED CANCELLED, VALUE SUCCEEDED",
        expect = ACCEPTABLE,
        desc = "The inner task finished first; the outer request, counted before the outer task resumed, stayed"
                + " pending and made its await throw.")
@Outcome(
        id = "true, true, VALUE CANCELLED, VALUE SUCCEEDED",
        expect = ACCEPTABLE_INTERESTING,
        desc = "The outer request was counted after the outer body saw the value, before it returned: CANCELLED.")
@Outcome(
        id = "false, true, VALUE SUCCEEDED, VALUE SUCCEEDED",
        expect = ACCEPTABLE,
        desc = "Both tasks finished with the value before the cancel: refused as done.")
@Outcome(
        id = "true, .*, .* SUCCEEDED, .*",
        expect = FORBIDDEN,
        desc = "Lost cancel: the outer cancel() returned true but the outer task succeeded.")
@Outcome(
        id = {".*, .*, .* (PENDING|RUNNING|SUSPENDED), .*", ".*, .*, .*, .* (PENDING|RUNNING|SUSPENDED)"},
        expect = FORBIDDEN,
        desc = "Stuck: a task is not done; a request or a resumption was lost between the loops.")
@Outcome(
        id = ".*, .*, VALUE .*, .* CANCELLED",
        expect = FORBIDDEN,
        desc = "The outer body saw a value although the inner task was cancelled.")
@Outcome(
        id = ".*EARLY.*",
        expect = FORBIDDEN,
        desc = "The outer task resumed while the inner task it awaited was not done.")
@Outcome(
        expect = FORBIDDEN,
        desc = "Anything else: a refused cancel that cancelled, a refused completion with a successful inner task.")
@State
public class CrossLoopCancelTest {
    private static final Engine ENGINE =
            Engine.builder().loops(2).threadNamePrefix("stress-cross-cancel-").build();
    private static final EventLoop OUTER_LOOP = ENGINE.loop(0);
    private static final EventLoop INNER_LOOP = ENGINE.loop(1);

    private final Promise<PlainBox> promise = INNER_LOOP.newPromise();
    private volatile String outerSaw = "NOTHING";
    private volatile String innerSaw = "NOTHING";
    private final Task<PlainBox> inner = INNER_LOOP.spawn(this::innerBody);
    private final Task<PlainBox> outer = OUTER_LOOP.spawn(this::outerBody);

    public CrossLoopCancelTest() {
        LoopBarrier.spinUntil(
                () -> inner.state() == TaskState.SUSPENDED && outer.state() == TaskState.SUSPENDED, outer);
    }

    private PlainBox innerBody() {
        PlainBox box;
        try {
            box = Async.await(promise);
        } catch (CancelledException cancelled) {
            innerSaw = "CANCELLED";
            throw cancelled;
        }
        innerSaw = box.value == 42 ? "VALUE" : "TORN";
        return box;
    }

    private PlainBox outerBody() {
        PlainBox box;
        try {
            box = Async.await(inner);
        } catch (CancelledException cancelled) {
            outerSaw = inner.isDone() ? "CANCELLED" : "EARLY";
            throw cancelled;
        }
        outerSaw = !inner.isDone() ? "EARLY" : box.value == 42 ? "VALUE" : "TORN";
        return box;
    }

    @Actor
    public void canceller(LLLL_Result r) {
        r.r1 = outer.cancel("stress");
    }

    @Actor
    public void completer(LLLL_Result r) {
        r.r2 = promise.complete(new PlainBox(42));
    }

    @Arbiter
    public void arbiter(LLLL_Result r) {
        LoopBarrier.awaitDone(outer);
        LoopBarrier.awaitDone(inner);
        r.r3 = outerSaw + " " + outer.state();
        r.r4 = innerSaw + " " + inner.state();
    }
}
