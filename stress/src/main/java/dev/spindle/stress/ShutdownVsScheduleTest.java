package dev.spindle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.spindle.engine.Engine;
import dev.spindle.engine.RejectedTaskException;
import dev.spindle.engine.TimerHandle;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZL_Result;

/**
 * Shutdown: a cross-thread {@code schedule} of a far timer racing {@code engine.shutdown(grace)}. The
 * timer is either refused or accepted and then cancelled by the shutdown, which stays clean: a pending
 * timer is discarded, never waited for.
 *
 * <p>The rule (Engine.shutdown): shutdown makes every loop refuse new work at once and cancel its pending
 * timers, then run what it had accepted until it is quiescent. A timer accepted just before shutdown
 * began is pending too, even if its message has not reached the wheel yet: it must be cancelled, not
 * inserted after the wheel was cleared, or the loop would wait for its deadline until the grace runs out.
 *
 * <p>How the race is made: as in {@link ShutdownVsSubmitTest}, the {@code shutter} builds an engine per
 * state and shuts it down as soon as the {@code scheduler} raises its flag and schedules a timer one hour
 * away. The grace, 2 s, is far more than a quiescent loop needs to exit, so a shutdown that waits for
 * the timer shows up as not clean; shorter graces (50 ms, then 200 ms) were seen to run out on a two-core
 * machine loaded fifteen times over with nothing to wait for.
 *
 * <p>Result: {@code r1} = the schedule was accepted, {@code r2} = the shutdown was clean, {@code r3} =
 * the timer afterwards: CANCELLED, FIRED, PENDING (neither), or REJECTED.
 */
@JCStressTest
@Outcome(
        id = "true, true, CANCELLED",
        expect = ACCEPTABLE,
        desc = "Accepted before shutdown began: the shutdown cancelled it and finished at once.")
@Outcome(
        id = "false, true, REJECTED",
        expect = ACCEPTABLE,
        desc = "Scheduled after shutdown began: refused with RejectedTaskException.")
@Outcome(
        id = "true, false, .*",
        expect = FORBIDDEN,
        desc = "The shutdown ran out its grace: the loop waited for a timer it should have cancelled.")
@Outcome(
        id = "true, .*, PENDING",
        expect = FORBIDDEN,
        desc = "Lost: the scheduler holds an accepted timer that neither fired nor was cancelled.")
@Outcome(expect = FORBIDDEN, desc = "Anything else, such as a one-hour timer that fired.")
@State
public class ShutdownVsScheduleTest {
    private static final Duration GRACE = Duration.ofSeconds(2);

    private volatile Engine engine;
    private volatile boolean scheduling;
    private volatile TimerHandle timer;
    private volatile boolean clean;

    @Actor
    public void scheduler(ZZL_Result r) {
        Engine e;
        while ((e = engine) == null) {
            Thread.onSpinWait();
        }
        scheduling = true;
        try {
            timer = e.loop(0).schedule(1, TimeUnit.HOURS, () -> {});
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
                .threadNamePrefix("stress-shutdown-timer-")
                .build();
        engine = e;
        while (!scheduling) {
            Thread.onSpinWait();
        }
        clean = e.shutdown(GRACE);
    }

    @Arbiter
    public void arbiter(ZZL_Result r) {
        TimerHandle t = timer;
        r.r2 = clean;
        if (t == null) {
            r.r3 = "REJECTED";
        } else if (t.hasFired()) {
            r.r3 = "FIRED";
        } else if (t.isCancelled()) {
            r.r3 = "CANCELLED";
        } else {
            r.r3 = "PENDING";
        }
    }
}
