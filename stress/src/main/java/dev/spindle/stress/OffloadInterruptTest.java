package dev.spindle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.spindle.engine.Async;
import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.OffloadOptions;
import dev.spindle.engine.OffloadPolicy;
import dev.spindle.engine.Task;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZLL_Result;

/**
 * Worker-pool hand-off under {@code OffloadPolicy.INTERRUPT}: as {@link OffloadCancelTest}, but a cancel that
 * finds the job running interrupts its worker, and that interrupt must never outlive the job.
 *
 * <p>The rule (OffloadJob.cancelled and finish): the canceller interrupts only while it holds the job's word at
 * INTERRUPTING (a CAS from RUNNING), then release-stores INTERRUPTED; the worker, finishing, waits out
 * INTERRUPTING and, on INTERRUPTED, clears its interrupt flag. So the interrupt reaches the job it was meant
 * for or nobody, never the worker's next job, even when the job returns with the flag still set (as code that
 * restores the interrupt status does: the job here stops at the interrupt and returns its value with the flag
 * set). Everything {@link OffloadCancelTest} requires holds too: the job runs at most once, a withdrawn job
 * never runs, and its value reaches the task or the discard hook exactly once.
 *
 * <p>How the race is made: as in {@link OffloadCancelTest} (the canceller aims at the offload, the job's start
 * or its return, in turn), with a longer job so that a cancel aimed at its start finds it running. Two checks
 * look for a leak: the marker job with which the arbiter drains the single worker, which nobody cancels, must
 * find the flag clear; and the job itself must not find the flag set before its own cancel was issued (its own
 * cancel may interrupt it as early as its first line, which is no leak).
 *
 * <p>Result: {@code r1} = {@code cancel()} returned, {@code r2} = the job: {@code withdrawn}, {@code ran}, or
 * {@code ran+interrupted}, {@code r3} = who got the value, the task's final state, and {@code clean} or {@code
 * LEAKED}.
 */
@JCStressTest
@Outcome(
        id = "false, ran, task SUCCEEDED clean",
        expect = ACCEPTABLE,
        desc = "The job ran and the task returned its value before the cancel: refused as done, nobody interrupted.")
@Outcome(
        id = "true, withdrawn, none CANCELLED clean",
        expect = ACCEPTABLE,
        desc = "Withdrawn before a worker started it: the job never ran.")
@Outcome(
        id = "true, ran\\+interrupted, discard CANCELLED clean",
        expect = ACCEPTABLE_INTERESTING,
        desc = "Cancelled while the job ran: the job saw the interrupt, its value went to the hook, and the flag"
                + " was cleared before the worker's next job.")
@Outcome(
        id = "true, ran, discard CANCELLED clean",
        expect = ACCEPTABLE,
        desc = "Cancelled after the job's last look at its flag, or after it finished: no interrupt seen; the"
                + " value went to the hook.")
@Outcome(
        id = "true, ran, task CANCELLED clean",
        expect = ACCEPTABLE_INTERESTING,
        desc = "The task resumed with the value; the cancel was counted before it returned: CANCELLED.")
@Outcome(
        id = ".* LEAKED",
        expect = FORBIDDEN,
        desc = "Leak: the worker's interrupt flag was set when its next job began.")
@Outcome(
        id = "true, ran.*, none CANCELLED .*",
        expect = FORBIDDEN,
        desc = "Lost value: the job's value completed the task's wait, then the cancel overtook it at the await"
                + " and nobody got it: neither the task nor the discard hook.")
@Outcome(
        id = "false, ran\\+interrupted, .*",
        expect = FORBIDDEN,
        desc = "The job was interrupted although nobody's cancel was granted.")
@Outcome(expect = FORBIDDEN, desc = "Anything else: a job run twice, a value delivered twice, a stuck task.")
@State
public class OffloadInterruptTest {
    private static final Engine ENGINE = Engine.builder()
            .loops(1)
            .workers(1)
            .threadNamePrefix("stress-offload-interrupt-")
            .build();
    private static final EventLoop LOOP = ENGINE.loop(0);
    private static final AtomicInteger STATES = new AtomicInteger();
    private static final int JOB_SPINS = 512;

    private final OffloadJobProbe probe = new OffloadJobProbe(STATES.getAndIncrement() % 3, JOB_SPINS);
    private final OffloadOptions options =
            OffloadOptions.defaults().withPolicy(OffloadPolicy.INTERRUPT).withOnDiscard(probe::discarded);
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
    public void canceller(ZLL_Result r) {
        Task<PlainBox> t;
        while ((t = task) == null) {
            Thread.onSpinWait();
        }
        probe.awaitTrigger();
        probe.cancelIssued = true;
        r.r1 = t.cancel("stress");
    }

    @Arbiter
    public void arbiter(ZLL_Result r) {
        Task<PlainBox> t = task;
        LoopBarrier.awaitDone(t);
        boolean leaked = OffloadJobProbe.drainWorker(LOOP) | probe.leakedIntoJob();
        int runs = probe.runs();
        r.r2 = runs == 0
                ? "withdrawn"
                : runs > 1 ? "ran" + runs + "times" : probe.interrupted() ? "ran+interrupted" : "ran";
        r.r3 = probe.fate() + " " + t.state() + (leaked ? " LEAKED" : " clean");
    }
}
