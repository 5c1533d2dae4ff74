package dev.spindle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.spindle.engine.Engine;
import dev.spindle.engine.Task;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZL_Result;

/**
 * Task state word: two {@code cancel()} calls from two threads on a task that has not finished.
 *
 * <p>The rule (Task.cancel, asyncio's counting): while the task is not done every request is counted and
 * returns {@code true}, even if one is already pending; {@code cancelling()} is the count. Both requests
 * are CASes on the same word, so neither may overwrite the other. A request counted before the task's
 * first step is delivered at that step: the task ends CANCELLED without running its body, and a request
 * arriving after that is refused.
 *
 * <p>How the task is kept from finishing: each state submits a task whose body waits on the state's gate,
 * and the arbiter opens the gate only after reading the word. The loop therefore sits in the body of the
 * oldest task of the batch (RUNNING) with the others queued behind it (PENDING) while the actors cancel;
 * a queued task can only finish by being cancelled at its step. The arbiter never waits for the loop (the
 * two jcstress threads run arbiters in different orders), so the pipeline cannot deadlock. The queued tasks
 * of a batch drain only while the loop thread gets a CPU, which the two actors share with it: in long runs
 * the queue can fill. A state whose submission the full queue refuses then samples nothing (outcome {@code
 * false, false, NOT SAMPLED}), rather than wait for room, which could wait for an arbiter that waits for
 * this very state.
 *
 * <p>Result: {@code r1}, {@code r2} = what each {@code cancel()} returned, {@code r3} = {@code
 * cancelling()} and the state, read by the arbiter before it opens the gate.
 */
@JCStressTest
@Outcome(
        id = "true, true, 2 (PENDING|RUNNING|CANCELLED)",
        expect = ACCEPTABLE,
        desc = "Both requests were counted before the task finished; the count is 2.")
@Outcome(
        id = {"true, false, 1 CANCELLED", "false, true, 1 CANCELLED"},
        expect = ACCEPTABLE_INTERESTING,
        desc = "The first request reached the task before its step, which ended it CANCELLED; the second was refused.")
@Outcome(
        id = "true, true, 1 .*",
        expect = FORBIDDEN,
        desc = "Lost update: two requests returned true but only one was counted.")
@Outcome(
        id = "false, false, [0-9].*",
        expect = FORBIDDEN,
        desc = "Both requests refused although nothing else ends the task.")
@Outcome(
        id = "false, false, NOT SAMPLED",
        expect = ACCEPTABLE,
        desc = "No race: the loop's full external queue refused this state's task (backpressure), so the actors"
                + " had nothing to cancel.")
@Outcome(
        expect = FORBIDDEN,
        desc = "Anything else: a count that matches no request, a refusal while not done, a task that succeeded.")
@State
public class TaskCancelVsCancelTest {
    // The gated tasks of a whole batch wait in the external queue: make room for large batches.
    private static final Engine ENGINE = Engine.builder()
            .loops(1)
            .queueCapacity(1 << 20)
            .threadNamePrefix("stress-cancel-cancel-")
            .build();
    // A safety net only: a gate is always opened by its arbiter, long before this.
    private static final long GATE_TIMEOUT_SECONDS = 60;

    private final CountDownLatch gate = new CountDownLatch(1);
    /** The gated task, or {@code null} if the full queue refused it. */
    private final Task<Boolean> task = ENGINE.loop(0).trySubmit(this::gatedBody);

    private Boolean gatedBody() throws InterruptedException {
        return gate.await(GATE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @Actor
    public void canceller1(ZZL_Result r) {
        r.r1 = task != null && task.cancel("first");
    }

    @Actor
    public void canceller2(ZZL_Result r) {
        r.r2 = task != null && task.cancel("second");
    }

    @Arbiter
    public void arbiter(ZZL_Result r) {
        if (task == null) {
            r.r3 = "NOT SAMPLED";
            return;
        }
        r.r3 = task.cancelling() + " " + task.state();
        gate.countDown();
    }
}
