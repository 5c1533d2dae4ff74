package dev.spindle.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Timer behaviour on a virtual clock: no wall-clock sleeps anywhere. */
class TimerTest {
    private final ManualClock clock = new ManualClock();
    private final Engine engine = Engine.builder().loops(1).clock(clock).build();
    private final EventLoop loop = engine.loop(0);
    private final List<String> fired = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        engine.close();
    }

    private Runnable record(String name) {
        return () -> fired.add(name + "@" + loop.time());
    }

    private void advance(Duration d) {
        clock.advance(d);
        Settle.settle(loop);
    }

    @Test
    @DisplayName("test_call_later_negative_delays")
    void callLaterNegativeDelays() {
        loop.submit(() -> {
                    loop.schedule(-1, TimeUnit.NANOSECONDS, () -> fired.add("a"));
                    loop.schedule(-2, TimeUnit.NANOSECONDS, () -> fired.add("b"));
                    return null;
                })
                .join();
        Settle.settle(loop);
        assertThat(fired).containsExactly("b", "a");
    }

    @Test
    void timersFireInDeadlineOrderAndEqualDeadlinesInSchedulingOrder() {
        loop.submit(() -> {
                    loop.schedule(Duration.ofMillis(30), record("c"));
                    loop.schedule(Duration.ofMillis(10), record("a1"));
                    loop.schedule(Duration.ofMillis(20), record("b"));
                    loop.schedule(Duration.ofMillis(10), record("a2"));
                    return null;
                })
                .join();
        advance(Duration.ofMillis(100));
        assertThat(fired).containsExactly("a1@100000000", "a2@100000000", "b@100000000", "c@100000000");
    }

    @Test
    void noTimerFiresEarly() {
        loop.submit(() -> loop.schedule(Duration.ofMillis(10), record("t"))).join();
        advance(Duration.ofNanos(9_999_999));
        assertThat(fired).isEmpty();
        advance(Duration.ofNanos(1));
        assertThat(fired).containsExactly("t@10000000");
    }

    @Test
    void aCancelledTimerNeverFires() {
        TimerHandle handle = loop.submit(() -> loop.schedule(Duration.ofMillis(5), record("t")))
                .join();
        assertThat(handle.cancel()).isTrue();
        assertThat(handle.cancel()).isFalse();
        advance(Duration.ofMillis(10));
        assertThat(fired).isEmpty();
        assertThat(handle.isCancelled()).isTrue();
        assertThat(handle.hasFired()).isFalse();
    }

    @Test
    void cancelAfterFiringReturnsFalse() {
        TimerHandle handle = loop.submit(() -> loop.schedule(Duration.ofMillis(5), record("t")))
                .join();
        advance(Duration.ofMillis(5));
        assertThat(handle.hasFired()).isTrue();
        assertThat(handle.cancel()).isFalse();
        assertThat(fired).containsExactly("t@5000000");
    }

    @Test
    void timersScheduledAndCancelledFromOtherThreadsTravelThroughTheQueue() {
        TimerHandle kept = loop.schedule(Duration.ofMillis(5), record("kept"));
        TimerHandle dropped = loop.schedule(Duration.ofMillis(5), record("dropped"));
        assertThat(kept.when()).isEqualTo(5_000_000);
        assertThat(dropped.cancel()).isTrue();
        advance(Duration.ofMillis(5));
        assertThat(fired).containsExactly("kept@5000000");
        assertThat(loop.stats().timersPending()).isZero();
    }

    @Test
    void longDelaysSpanManyTurnsOfTheWheel() {
        loop.schedule(Duration.ofHours(2), record("late"));
        loop.schedule(Duration.ofSeconds(1), record("early"));
        advance(Duration.ofSeconds(1));
        assertThat(fired).containsExactly("early@1000000000");
        advance(Duration.ofSeconds(7198));
        assertThat(fired).hasSize(1);
        advance(Duration.ofSeconds(1));
        assertThat(fired).containsExactly("early@1000000000", "late@7200000000000");
    }

    @Test
    void aDeadlineThatWouldOverflowIsClampedAndNeverFires() {
        TimerHandle far = loop.schedule(Duration.ofSeconds(Long.MAX_VALUE), record("never"));
        assertThat(far.when()).isEqualTo(Long.MAX_VALUE);
        advance(Duration.ofDays(365 * 100));
        assertThat(fired).isEmpty();
        assertThat(far.cancel()).isTrue();
    }

    @Test
    void scheduleAtTakesAnAbsoluteDeadline() {
        clock.advanceNanos(1_000);
        loop.scheduleAt(4_000, record("t"));
        advance(Duration.ofNanos(3_000));
        assertThat(fired).containsExactly("t@4000");
    }

    @Test
    void nullArgumentsAreRejectedByName() {
        assertThatThrownBy(() -> loop.schedule(Duration.ofMillis(1), null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("task");
        assertThatThrownBy(() -> loop.schedule(null, () -> {}))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("delay");
    }

    @Test
    void aManualClockRefusesToGoBackwards() {
        assertThatThrownBy(() -> clock.advanceNanos(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("delta");
        clock.setTime(100);
        assertThatThrownBy(() -> clock.setTime(99)).hasMessageStartingWith("time");
    }

    @Test
    void anAutoAdvancingClockJumpsToTheNextDeadlineWhenEveryLoopIsIdle() {
        ManualClock auto = ManualClock.autoAdvancing();
        try (Engine virtual = Engine.builder().loops(2).clock(auto).build()) {
            EventLoop l0 = virtual.loop(0);
            EventLoop l1 = virtual.loop(1);
            Promise<Long> done = l0.newPromise();
            l1.schedule(Duration.ofHours(1), () -> l0.schedule(Duration.ofMinutes(30), () -> done.complete(l0.time())));
            assertThat(done.join()).isEqualTo(Duration.ofMinutes(90).toNanos());
            assertThat(auto.nanoTime()).isEqualTo(Duration.ofMinutes(90).toNanos());
        }
    }

    @Test
    void anAutoAdvancingClockStaysPutWhileAnyLoopIsBusyOrNoTimerIsPending() throws Exception {
        ManualClock auto = ManualClock.autoAdvancing();
        try (Engine virtual = Engine.builder().loops(1).clock(auto).build()) {
            EventLoop l0 = virtual.loop(0);
            assertThat(l0.submit(l0::time).join()).isZero();
            Settle.settle(l0);
            assertThat(auto.nanoTime())
                    .as("no timer pending: time does not move")
                    .isZero();
            Promise<String> p = l0.newPromise();
            l0.schedule(Duration.ofSeconds(5), () -> p.complete("fired"));
            assertThat(p.join()).isEqualTo("fired");
            assertThat(auto.nanoTime()).isEqualTo(5_000_000_000L);
        }
    }
}
