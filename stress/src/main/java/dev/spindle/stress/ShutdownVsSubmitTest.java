package dev.spindle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.spindle.engine.Engine;
import dev.spindle.engine.RejectedTaskException;
import dev.spindle.engine.Task;
import java.time.Duration;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZL_Result;

/**
 * Shutdown: a {@code submit} racing {@code engine.shutdown(grace)}. The submission is either refused
 * with {@link RejectedTaskException} or accepted, and an accepted task is done once {@code shutdown}
 * has returned: run, or cancelled because its loop stopped before running it. It is never silently lost.
 *
 * <p>The rule (Engine.shutdown, EventLoop): shutdown makes every loop refuse new external work at once,
 * lets each loop run what it had accepted until it is quiescent, and, after the loop threads have exited,
 * cancels whatever producers that passed the admission check managed to enqueue meanwhile.
 *
 * <p>How the race is made: each state needs its own engine, since shutdown is final. Building one per
 * state in the constructor would start a thread for every state of a batch at once, so the {@code
 * shutter} actor builds the engine and publishes it; the {@code submitter} actor, once it sees the engine,
 * raises a flag and submits, and the shutter shuts down as soon as it sees the flag. The two calls thus
 * start within a cache-line transfer of each other. One engine (one thread) per state is expensive: this
 * test samples far fewer states per second than the others.
 *
 * <p>Result: {@code r1} = the submission was accepted, {@code r2} = the body ran, {@code r3} = the
 * task's state after {@code shutdown} returned ({@code REJECTED} when refused).
 */
@JCStressTest
@Outcome(
        id = "true, true, SUCCEEDED",
        expect = ACCEPTABLE,
        desc = "Accepted before shutdown began: the loop ran it during the grace period.")
@Outcome(
        id = "true, false, CANCELLED",
        expect = ACCEPTABLE_INTERESTING,
        desc = "Accepted while the loop was exiting: cancelled unrun by the loop's or the engine's final sweep.")
@Outcome(
        id = "false, false, REJECTED",
        expect = ACCEPTABLE,
        desc = "Submitted after shutdown began: refused with RejectedTaskException.")
@Outcome(
        id = {"true, false, PENDING", "true, .*, RUNNING"},
        expect = FORBIDDEN,
        desc = "Lost: the submitter holds an accepted task that is not done after shutdown returned.")
@Outcome(
        expect = FORBIDDEN,
        desc = "Anything else: a refused task that ran, or a state that contradicts whether the body ran.")
@State
public class ShutdownVsSubmitTest {
    private static final Duration GRACE = Duration.ofSeconds(10);

    private volatile Engine engine;
    private volatile boolean submitting;
    private volatile Task<Boolean> task;
    private volatile boolean ran;

    private Boolean body() {
        ran = true;
        return Boolean.TRUE;
    }

    @Actor
    public void submitter(ZZL_Result r) {
        Engine e;
        while ((e = engine) == null) {
            Thread.onSpinWait();
        }
        submitting = true;
        try {
            task = e.loop(0).submit(this::body);
            r.r1 = true;
        } catch (RejectedTaskException refused) {
            r.r1 = false;
        }
    }

    @Actor
    public void shutter() {
        Engine e = Engine.builder()
                .loops(1)
                .workers(1) // one engine per state: keep its thread count small
                .queueCapacity(16)
                .threadNamePrefix("stress-shutdown-")
                .build();
        engine = e;
        while (!submitting) {
            Thread.onSpinWait();
        }
        e.shutdown(GRACE);
    }

    @Arbiter
    public void arbiter(ZZL_Result r) {
        Task<Boolean> t = task;
        r.r2 = ran;
        r.r3 = t == null ? "REJECTED" : t.state().name();
    }
}
