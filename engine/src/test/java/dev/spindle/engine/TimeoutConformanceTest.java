package dev.spindle.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Scenarios from CPython's test_timeouts.py and test_waitfor.py, on a virtual clock. */
class TimeoutConformanceTest extends LoopTestSupport {

    @Test
    void aTimeoutConvertsTheCancellationAndReportsExpired() {
        AtomicReference<Timeout> scope = new AtomicReference<>();
        run(() -> {
            assertThatThrownBy(() -> Async.timeout(Duration.ofMillis(10), s -> {
                        scope.set(s);
                        Async.sleep(Duration.ofSeconds(10));
                        return "never";
                    }))
                    .isInstanceOf(TaskTimeoutException.class)
                    .hasCauseInstanceOf(CancelledException.class);
            assertThat(Task.current().cancelling()).isZero();
            return null;
        });
        assertThat(scope.get().expired()).isTrue();
        assertThat(seconds()).isEqualTo(0.01);
    }

    @Test
    void aBlockThatFinishesInTimeReturnsItsValue() {
        String result = run(() -> Async.timeout(Duration.ofSeconds(1), s -> {
            Async.sleep(Duration.ofMillis(10));
            return s.expired() ? "expired" : "in time";
        }));
        assertThat(result).isEqualTo("in time");
    }

    @Test
    @DisplayName("A6.1 a deadline already past cancels at the first suspension, as call_soon does")
    void aPastDeadlineCancelsAtTheFirstSuspension() {
        AtomicInteger stepsAfterSuspending = new AtomicInteger();
        AtomicReference<Timeout> scope = new AtomicReference<>();
        run(() -> {
            long past = EventLoop.current().time() - 1;
            assertThatThrownBy(() -> Async.timeoutAt(past, s -> {
                        scope.set(s);
                        Async.yieldNow();
                        stepsAfterSuspending.incrementAndGet();
                        Async.yieldNow();
                        stepsAfterSuspending.incrementAndGet();
                        return "never";
                    }))
                    .isInstanceOf(TaskTimeoutException.class);
            return null;
        });
        assertThat(stepsAfterSuspending)
                .as("no step ran past the first suspension")
                .hasValue(0);
        assertThat(scope.get().expired()).isTrue();
    }

    @Test
    @DisplayName("A6.1 a zero timeout cancels at the first suspension, and not at all without one")
    void aZeroTimeout() {
        AtomicInteger stepsAfterSuspending = new AtomicInteger();
        String untouched = run(() -> {
            assertThatThrownBy(() -> Async.timeout(Duration.ZERO, s -> {
                        Async.yieldNow();
                        stepsAfterSuspending.incrementAndGet();
                        return "never";
                    }))
                    .isInstanceOf(TaskTimeoutException.class);
            String value = Async.timeout(Duration.ZERO, s -> s.expired() ? "expired" : "no suspension, no cancel");
            Async.yieldNow(); // an expiry left armed by the scope above would cancel the task here
            return value;
        });
        assertThat(stepsAfterSuspending).hasValue(0);
        assertThat(untouched).isEqualTo("no suspension, no cancel");
    }

    @Test
    @DisplayName("A6.1 on the system clock too, a past deadline is not left to the next timer tick")
    void aPastDeadlineOnTheSystemClock() {
        try (Engine engine = Engine.builder().loops(1).build()) {
            AtomicInteger stepsAfterSuspending = new AtomicInteger();
            engine.loop(0)
                    .spawn(() -> {
                        assertThatThrownBy(() -> Async.timeout(Duration.ZERO, s -> {
                                    for (int i = 0; i < 1_000; i++) {
                                        Async.yieldNow();
                                        stepsAfterSuspending.incrementAndGet();
                                    }
                                    return "never";
                                }))
                                .isInstanceOf(TaskTimeoutException.class);
                        return null;
                    })
                    .join();
            assertThat(stepsAfterSuspending).hasValue(0);
        }
    }

    @Test
    @DisplayName("54 test_nested_timeouts")
    void nestedTimeouts() {
        AtomicReference<Timeout> outer = new AtomicReference<>();
        AtomicReference<Timeout> inner = new AtomicReference<>();
        AtomicBoolean innerSawCancel = new AtomicBoolean();
        run(() -> {
            assertThatThrownBy(() -> Async.timeout(Duration.ofMillis(10), o -> {
                        outer.set(o);
                        try {
                            return Async.timeout(Duration.ofMillis(10), i -> {
                                inner.set(i);
                                Async.sleep(Duration.ofSeconds(10));
                                return "never";
                            });
                        } catch (CancelledException e) {
                            innerSawCancel.set(true);
                            throw e;
                        }
                    }))
                    .isInstanceOf(TaskTimeoutException.class);
            return null;
        });
        assertThat(innerSawCancel)
                .as("the inner block sees CancelledException, not a timeout")
                .isTrue();
        assertThat(outer.get().expired()).isTrue();
        assertThat(inner.get().expired()).isTrue();
    }

    @Test
    @DisplayName("56 test_foreign_exception_on_timeout")
    void foreignExceptionOnTimeout() {
        run(() -> {
            assertThatThrownBy(() -> Async.timeout(Duration.ofMillis(10), s -> {
                        try {
                            Async.sleep(Duration.ofSeconds(1));
                        } finally {
                            throw new ArithmeticException("cleanup failed");
                        }
                    }))
                    .isInstanceOf(ArithmeticException.class)
                    .satisfies(e -> assertThat(e.getSuppressed())
                            .singleElement()
                            .isInstanceOf(TaskTimeoutException.class)
                            .satisfies(t -> assertThat(t.getCause()).isInstanceOf(CancelledException.class)));
            return null;
        });
    }

    @Test
    void rescheduleIsAllowedOnlyWhileActive() {
        run(() -> {
            Timeout[] kept = new Timeout[1];
            String result = Async.timeout(Duration.ofMillis(10), s -> {
                kept[0] = s;
                s.reschedule(Duration.ofSeconds(1));
                Async.sleep(Duration.ofMillis(100));
                return "pushed back";
            });
            assertThat(result).isEqualTo("pushed back");
            assertThatThrownBy(() -> kept[0].reschedule(Duration.ofSeconds(1)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("finished");
            return null;
        });
    }

    @Test
    void aCancelFromOutsideIsNotMistakenForATimeout() {
        run(() -> {
            Task<String> t = loop.spawn(() -> Async.timeout(Duration.ofSeconds(10), s -> {
                Async.sleep(Duration.ofSeconds(5));
                return "never";
            }));
            Async.sleep(Duration.ofSeconds(1));
            t.cancel();
            assertThatThrownBy(() -> Async.await(t)).isInstanceOf(CancelledException.class);
            return null;
        });
    }

    @Test
    void timeoutOutsideACoroutineIsRefused() {
        assertThatThrownBy(() -> Async.timeout(Duration.ofSeconds(1), s -> "x"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not inside a coroutine task");
    }

    /** A task that ignores cancellation until it has slept its full time, then records that it exited. */
    private Task<String> slowTask(AtomicBoolean exited) {
        return loop.spawn(() -> {
            long until = loop.time() + Duration.ofMillis(200).toNanos();
            while (loop.time() < until) {
                try {
                    Async.sleep(Duration.ofNanos(until - loop.time()));
                } catch (CancelledException ignored) {
                    // keep going
                }
            }
            exited.set(true);
            return "slow";
        });
    }

    @Test
    @DisplayName("57 test_asyncio_wait_for_timeout (SlowTask)")
    void waitForTimeoutWaitsForTheInnerTaskToExit() {
        AtomicBoolean exited = new AtomicBoolean();
        String result = run(() -> Async.waitFor(slowTask(exited), Duration.ofMillis(100)));
        assertThat(exited).as("wait_for waited for the slow task to finish").isTrue();
        assertThat(result)
                .as("the inner task swallowed the cancel and returned a value")
                .isEqualTo("slow");
        assertThat(seconds()).isEqualTo(0.2);
    }

    @Test
    @DisplayName("57 test_asyncio_wait_for_cancelled (SlowTask)")
    void waitForCancelledWaitsForTheInnerTaskToExit() {
        AtomicBoolean exited = new AtomicBoolean();
        run(() -> {
            Task<String> waiter = loop.spawn(() -> Async.waitFor(slowTask(exited), Duration.ofSeconds(10)));
            Async.sleep(Duration.ofMillis(100));
            waiter.cancel();
            Async.await(Async.shield(loopWaitUntilDone(waiter)));
            assertThat(exited).isTrue();
            return null;
        });
        assertThat(seconds()).isEqualTo(0.2);
    }

    private Awaitable<Void> loopWaitUntilDone(Task<?> task) {
        Promise<Void> done = loop.newPromise();
        task.onDone(t -> done.complete(null));
        return done;
    }

    @Test
    void waitForTimesOutWithTaskTimeoutException() {
        run(() -> {
            Task<String> sleeper = loop.spawn(() -> {
                Async.sleep(Duration.ofSeconds(10));
                return "never";
            });
            assertThatThrownBy(() -> Async.waitFor(sleeper, Duration.ofMillis(10)))
                    .isInstanceOf(TaskTimeoutException.class);
            assertThat(sleeper.isCancelled()).isTrue();
            return null;
        });
    }

    @Test
    @DisplayName("A7.4 wait_for with a timeout of 0 cancels at once and waits for the task")
    void waitForZeroTimeout() {
        AtomicBoolean started = new AtomicBoolean();
        run(() -> {
            Task<String> never = loop.spawn(() -> {
                started.set(true);
                return "x";
            });
            assertThatThrownBy(() -> Async.waitFor(never, Duration.ZERO))
                    .isInstanceOf(TaskTimeoutException.class)
                    .hasCauseInstanceOf(CancelledException.class);
            assertThatThrownBy(() -> Async.waitFor(Duration.ZERO, () -> {
                        started.set(true);
                        return "y";
                    }))
                    .isInstanceOf(TaskTimeoutException.class);
            Promise<String> done = loop.newPromise();
            done.complete("ready");
            assertThat(Async.waitFor(done, Duration.ZERO)).isEqualTo("ready");
            return null;
        });
        assertThat(started).as("a coroutine with a timeout of 0 never starts").isFalse();
    }

    @Test
    @DisplayName("A7.4 cancelling the waiter cancels the awaited task (issue 23219)")
    void cancellingTheWaiterCancelsTheInnerTask() {
        run(() -> {
            Task<String> inner = loop.spawn(() -> {
                Async.sleep(Duration.ofSeconds(10));
                return "never";
            });
            Task<String> waiter = loop.spawn(() -> Async.waitFor(inner, Duration.ofSeconds(5)));
            Async.yieldNow();
            waiter.cancel();
            assertThatThrownBy(() -> Async.await(waiter)).isInstanceOf(CancelledException.class);
            assertThat(inner.isCancelled()).isTrue();
            return null;
        });
    }
}
