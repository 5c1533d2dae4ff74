package dev.spindle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.ManualClock;
import dev.spindle.engine.TimerHandle;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * Timers: {@link TimerHandle#cancel()} from another thread racing the timer's expiry on its loop. Exactly
 * one wins, and the runnable runs exactly when the expiry won.
 *
 * <p>The rule (ScheduledCallback): the handle's state goes SCHEDULED to FIRED on the loop at expiry, just
 * before the runnable runs, or SCHEDULED to CANCELLED from any thread, both by CAS. The loop touches its
 * wheel only on its own thread: a cross-thread schedule and a cross-thread cancel both reach it as
 * messages, and it inserts or unlinks the node according to the state it then reads.
 *
 * <p>How the race is made: the engine runs on a {@link ManualClock}, so a timer expires exactly when an
 * actor moves the clock past its deadline. Each state schedules a timer from outside the loop at its own
 * deadline (one microsecond after the previous state's); the {@code expirer} actor moves the clock to
 * that deadline, which wakes the loop to fire it, while the {@code canceller} actor cancels it. The
 * arbiter settles the loop ({@link LoopBarrier}) until the timer has fired or been cancelled, then once
 * more so that the runnable has returned.
 *
 * <p>Result: {@code r1} = {@code cancel()} returned (1 true), {@code r2} = {@code hasFired()}, {@code
 * r3} = {@code isCancelled()}, {@code r4} = times the runnable ran.
 */
@JCStressTest
@Outcome(
        id = "1, 0, 1, 0",
        expect = ACCEPTABLE,
        desc = "Cancel won: the timer is cancelled and its runnable never ran.")
@Outcome(
        id = "0, 1, 0, 1",
        expect = ACCEPTABLE,
        desc = "Expiry won: the loop fired the timer, its runnable ran once, and cancel() returned false.")
@Outcome(id = ".*, 1, 1, .*", expect = FORBIDDEN, desc = "Both fired and cancelled: the CASes are not exclusive.")
@Outcome(
        id = ".*, 0, 0, .*",
        expect = FORBIDDEN,
        desc = "Neither fired nor cancelled after its deadline passed: the timer was lost.")
@Outcome(
        expect = FORBIDDEN,
        desc = "Anything else: cancel() disagrees with the state, or the runnable ran twice or without firing.")
@State
public class TimerCancelVsExpiryTest {
    private static final ManualClock CLOCK = new ManualClock();
    private static final Engine ENGINE = Engine.builder()
            .loops(1)
            .clock(CLOCK)
            .timerTick(Duration.ofNanos(1_000))
            .threadNamePrefix("stress-timer-")
            .build();
    private static final EventLoop LOOP = ENGINE.loop(0);
    private static final long STEP_NANOS = 1_000;
    private static final AtomicLong LAST_DEADLINE = new AtomicLong();

    private final AtomicInteger runs = new AtomicInteger();
    private final long deadline = LAST_DEADLINE.addAndGet(STEP_NANOS);
    private final TimerHandle timer = LOOP.scheduleAt(deadline, runs::incrementAndGet);

    /** Moves the clock to the deadline (never backwards); the clock wakes the loop, which fires the timer. */
    @Actor
    public void expirer() {
        long behind = deadline - CLOCK.nanoTime();
        if (behind > 0) {
            CLOCK.advanceNanos(behind);
        }
    }

    @Actor
    public void canceller(IIII_Result r) {
        r.r1 = timer.cancel() ? 1 : 0;
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        LoopBarrier.settleUntil(LOOP, () -> timer.hasFired() || timer.isCancelled());
        LoopBarrier.settle(LOOP);
        r.r2 = timer.hasFired() ? 1 : 0;
        r.r3 = timer.isCancelled() ? 1 : 0;
        r.r4 = runs.get();
    }
}
