package dev.spindle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.spindle.engine.Async;
import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.OffloadOptions;
import dev.spindle.engine.Task;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZIL_Result;

/**
 * Worker-pool hand-off and result delivery: a coroutine offloads a job (NO_INTERRUPT, with a discard hook)
 * and is cancelled from another thread while a worker takes, runs or finishes the job.
 *
 * <p>The rule (Async.offload, OffloadJob, WorkerPool; DESIGN.md difference 5): the job's state word decides
 * by CAS between the worker starting it (QUEUED → RUNNING) and the cancelled task withdrawing it (QUEUED →
 * WITHDRAWN), so a job runs at most once, and a withdrawn job never runs. A job that ran produced a value that
 * must reach exactly one reader: the task, if its await returned it, or else the {@code onDiscard} hook, never
 * both and never neither. The task ends CANCELLED exactly when {@code cancel()} returned {@code true}.
 *
 * <p>How the race is made: the {@code spawner} actor spawns the task, which offloads at once to the pool's
 * single worker. The {@code canceller} actor waits for one of three points, chosen per state in turn, and
 * cancels: the body is about to offload (the cancel races the worker's take: withdrawn or started), the job has
 * started (the cancel lands while it runs: its value goes to the hook), or the job is returning its value (the
 * cancel races the completion of the task's wait and its resumption). The arbiter waits for the task, then
 * drains the worker with a marker job (one worker, FIFO queue: when the marker has run, the job's delivery is
 * over).
 *
 * <p>Result: {@code r1} = {@code cancel()} returned, {@code r2} = how many times the job ran, {@code r3} = who
 * got its value ({@code task}, {@code discard}, {@code none}, {@code both}) and the task's final state.
 */
@JCStressTest
@Outcome(
        id = "false, 1, task SUCCEEDED",
        expect = ACCEPTABLE,
        desc = "The job ran and the task returned its value before the cancel: refused as done.")
@Outcome(
        id = "true, 0, none CANCELLED",
        expect = ACCEPTABLE,
        desc = "Withdrawn before a worker started it: the job never ran.")
@Outcome(
        id = "true, 1, discard CANCELLED",
        expect = ACCEPTABLE,
        desc = "Cancelled while the job ran (or before its value reached the task): the value went to the hook.")
@Outcome(
        id = "true, 1, task CANCELLED",
        expect = ACCEPTABLE_INTERESTING,
        desc = "The task resumed with the value; the cancel was counted before it returned: CANCELLED.")
@Outcome(
        id = "true, 1, none CANCELLED",
        expect = FORBIDDEN,
        desc = "Lost value: the job's value completed the task's wait, then the cancel overtook it at the await"
                + " (MUST_CANCEL) and nobody got it: neither the task nor the discard hook.")
@Outcome(id = ".*, 1, both .*", expect = FORBIDDEN, desc = "Delivered twice: to the task and to the discard hook.")
@Outcome(id = ".*, [2-9], .*", expect = FORBIDDEN, desc = "The job ran more than once.")
@Outcome(
        id = {"true, .*, .* SUCCEEDED", "false, .*, .* CANCELLED"},
        expect = FORBIDDEN,
        desc = "The task's outcome contradicts cancel(): a counted request lost, or a refused one obeyed.")
@Outcome(
        expect = FORBIDDEN,
        desc = "Anything else, such as a value delivered by a job that never ran, or a stuck task.")
@State
public class OffloadCancelTest {
    private static final Engine ENGINE = Engine.builder()
            .loops(1)
            .workers(1)
            .threadNamePrefix("stress-offload-cancel-")
            .build();
    private static final EventLoop LOOP = ENGINE.loop(0);
    private static final AtomicInteger STATES = new AtomicInteger();
    private static final int JOB_SPINS = 64;

    private final OffloadJobProbe probe = new OffloadJobProbe(STATES.getAndIncrement() % 3, JOB_SPINS);
    private final OffloadOptions options = OffloadOptions.defaults().withOnDiscard(probe::discarded);
    private volatile Task<PlainBox> task;

    private PlainBox body() {
        probe.offloading = true;
        PlainBox box = Async.offload(probe::job, options);
        probe.delivered(box);
        return box;
    }

    @Actor
    public void spawner() {
        task = LOOP.spawn(this::body);
    }

    @Actor
    public void canceller(ZIL_Result r) {
        Task<PlainBox> t;
        while ((t = task) == null) {
            Thread.onSpinWait();
        }
        probe.awaitTrigger();
        probe.cancelIssued = true;
        r.r1 = t.cancel("stress");
    }

    @Arbiter
    public void arbiter(ZIL_Result r) {
        Task<PlainBox> t = task;
        LoopBarrier.awaitDone(t);
        OffloadJobProbe.drainWorker(LOOP);
        r.r2 = probe.runs();
        r.r3 = probe.fate() + " " + t.state();
    }
}
