package dev.spindle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.spindle.engine.Async;
import dev.spindle.engine.Awaitable;
import dev.spindle.engine.CancelledException;
import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.Promise;
import dev.spindle.engine.Task;
import dev.spindle.engine.TaskState;
import java.util.List;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZL_Result;

/**
 * Gather cancel: {@code cancel()} on a gather from another thread racing the completion of its last
 * pending child.
 *
 * <p>The rule (Gather.cancel, takeCancelRequest): a cancel adds one to the gather's cancel count BEFORE it
 * cancels the children; a cancel that some child accepted keeps its one, and one that no child accepted
 * takes it back, returning {@code true} only if the loop set TAKEN meanwhile. The loop, when the last child
 * is done, sets TAKEN if the count is not zero and ends the gather with {@link CancelledException}. So
 * {@code cancel()} returns {@code true} exactly when the gather ends with {@link CancelledException}, even
 * when every child had already finished by the time it asked them.
 *
 * <p>How the race is made: each state's constructor spawns a coroutine task suspended on a promise, and, on
 * the loop, gathers it with returned exceptions together with two promises already completed, so the
 * gather waits for the task alone. The {@code canceller} actor cancels the gather from its thread while the
 * {@code completer} actor completes the task's promise from its own: the task may return its value (and the
 * gather then count its last child down) before, during or after the cancel's walk of the children. The
 * arbiter waits for the gather to be done.
 *
 * <p>Result: {@code r1} = the gather's {@code cancel()} returned, {@code r2} = how the gather ended
 * (CANCELLED-EXC if its result throws {@link CancelledException}, else VALUE) and the task's final state.
 */
@JCStressTest
@Outcome(
        id = "true, CANCELLED-EXC CANCELLED",
        expect = ACCEPTABLE,
        desc = "The task accepted the cancel before it resumed: the gather ends cancelled.")
@Outcome(
        id = "true, CANCELLED-EXC SUCCEEDED",
        expect = ACCEPTABLE_INTERESTING,
        desc = "The task had returned, so no child accepted, but the cancel was counted before the last child"
                + " was counted down: the loop took it (TAKEN) and the gather ends cancelled.")
@Outcome(
        id = "false, VALUE SUCCEEDED",
        expect = ACCEPTABLE,
        desc = "The gather was done, or its last child counted down, before the cancel was counted: it had no"
                + " effect.")
@Outcome(
        id = "true, VALUE .*",
        expect = FORBIDDEN,
        desc = "cancel() returned true yet the gather produced its values: the request was lost.")
@Outcome(
        id = "false, CANCELLED-EXC .*",
        expect = FORBIDDEN,
        desc = "The gather ended cancelled although its only cancel() returned false.")
@Outcome(
        expect = FORBIDDEN,
        desc = "Anything else: a gather never done, a task cancelled by a refused request, another failure.")
@State
public class GatherCancelVsChildDoneTest {
    private static final Engine ENGINE =
            Engine.builder().loops(1).threadNamePrefix("stress-gather-cancel-").build();
    private static final EventLoop LOOP = ENGINE.loop(0);

    private final Promise<Integer> promise = LOOP.newPromise();
    private final Task<Integer> task = LOOP.spawn(() -> Async.await(promise));
    private final Awaitable<List<Object>> gather;

    public GatherCancelVsChildDoneTest() {
        LoopBarrier.spinUntil(() -> task.state() == TaskState.SUSPENDED, task);
        Promise<Integer> done1 = LOOP.newPromise();
        Promise<Integer> done2 = LOOP.newPromise();
        done1.complete(1);
        done2.complete(2);
        gather = LoopQuery.ask(LOOP, () -> Async.gatherReturningExceptions(List.of(task, done1, done2)));
    }

    @Actor
    public void canceller(ZL_Result r) {
        r.r1 = gather.cancel("stop");
    }

    @Actor
    public void completer() {
        promise.complete(42);
    }

    @Arbiter
    public void arbiter(ZL_Result r) {
        if (!LoopBarrier.awaitDone(gather)) {
            r.r2 = "NOT DONE " + task.state();
            return;
        }
        String outcome;
        try {
            gather.result();
            outcome = "VALUE";
        } catch (CancelledException cancelled) {
            outcome = "CANCELLED-EXC";
        } catch (RuntimeException other) {
            outcome = other.getClass().getSimpleName();
        }
        LoopBarrier.awaitDone(task);
        r.r2 = outcome + " " + task.state();
    }
}
