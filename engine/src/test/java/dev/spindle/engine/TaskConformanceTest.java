package dev.spindle.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Scenarios from CPython's test_tasks.py (conformance/scenarios.md), ported to Spindle. */
class TaskConformanceTest extends LoopTestSupport {

    private static final Duration TEN_SECONDS = Duration.ofSeconds(10);

    @Test
    @DisplayName("4 test_cancel_yield")
    void cancelYield() {
        run(() -> {
            Task<String> t = loop.spawn(() -> {
                Async.yieldNow();
                return "never";
            });
            Async.yieldNow(); // t has run one step and is suspended in its yield
            assertThat(t.state()).isEqualTo(TaskState.SUSPENDED);
            assertThat(t.cancel()).isTrue();
            assertThat(t.isDone()).isFalse();
            assertThatThrownBy(() -> Async.await(t)).isInstanceOf(CancelledException.class);
            assertThat(t.isDone()).isTrue();
            assertThat(t.isCancelled()).isTrue();
            assertThat(t.cancel()).isFalse();
            return null;
        });
    }

    @Test
    @DisplayName("5 test_cancelling")
    void cancelling() {
        run(() -> {
            Task<String> t = loop.spawn(() -> {
                Async.sleep(TEN_SECONDS);
                return "never";
            });
            Async.yieldNow();
            assertThat(t.cancel()).isTrue();
            assertThat(t.cancel()).isTrue();
            assertThat(t.cancelling()).isEqualTo(2);
            assertThat(t.toString()).contains(" cancelling");
            assertThatThrownBy(() -> Async.await(t)).isInstanceOf(CancelledException.class);
            return null;
        });
    }

    @Test
    @DisplayName("6 test_uncancel_basic")
    void uncancelBasic() {
        List<Integer> levels = new ArrayList<>();
        run(() -> {
            Task<String> t = loop.spawn(() -> {
                try {
                    Async.sleep(TEN_SECONDS);
                } catch (CancelledException e) {
                    levels.add(Task.current().cancelling());
                    Task.current().uncancel();
                    levels.add(Task.current().cancelling());
                }
                Async.sleep(TEN_SECONDS);
                return "second sleep finished";
            });
            Async.yieldNow();
            t.cancel();
            Async.yieldNow(); // the handler runs and the task sleeps again
            Async.yieldNow();
            assertThat(t.isCancelled()).isFalse();
            assertThat(t.cancelling()).isZero();
            t.cancel();
            assertThat(t.cancelling()).isEqualTo(1);
            assertThatThrownBy(() -> Async.await(t)).isInstanceOf(CancelledException.class);
            assertThat(t.isCancelled()).isTrue();
            t.uncancel();
            assertThat(t.isCancelled())
                    .as("uncancel() after done changes nothing")
                    .isTrue();
            return null;
        });
        assertThat(levels).containsExactly(1, 0);
    }

    @Test
    @DisplayName("8 test_cancel_inner_future")
    void cancelInnerFuture() {
        run(() -> {
            Promise<String> f = loop.newPromise();
            Task<String> t = loop.spawn(() -> Async.await(f));
            Async.yieldNow();
            f.cancel();
            assertThatThrownBy(() -> Async.await(t)).isInstanceOf(CancelledException.class);
            assertThat(t.isCancelled()).isTrue();
            return null;
        });
    }

    @Test
    @DisplayName("9 test_cancel_task_catching")
    void cancelTaskCatching() {
        run(() -> {
            Promise<Integer> fut2 = loop.newPromise();
            Task<Integer> t = loop.spawn(() -> {
                try {
                    return Async.await(fut2);
                } catch (CancelledException e) {
                    return 42;
                }
            });
            Async.yieldNow();
            assertThat(t.cancel()).isTrue();
            assertThat(fut2.isCancelled()).as("cancelled at once").isTrue();
            assertThat(Async.await(t)).isEqualTo(42);
            assertThat(t.isCancelled()).isFalse();
            return null;
        });
    }

    @Test
    @DisplayName("10 test_cancel_task_ignoring")
    void cancelTaskIgnoring() {
        run(() -> {
            Promise<Integer> fut2 = loop.newPromise();
            Promise<Integer> fut3 = loop.newPromise();
            Task<Integer> t = loop.spawn(() -> {
                try {
                    Async.await(fut2);
                } catch (CancelledException ignored) {
                    // one-shot: carry on
                }
                return Async.await(fut3);
            });
            Async.yieldNow();
            assertThat(t.cancel()).isTrue();
            assertThat(fut2.isCancelled()).isTrue();
            Async.yieldNow();
            assertThat(fut3.isCancelled()).isFalse();
            fut3.complete(42);
            assertThat(Async.await(t)).isEqualTo(42);
            assertThat(t.isCancelled()).isFalse();
            return null;
        });
    }

    @Test
    @DisplayName("13 test_cancel_with_message_before_starting_task")
    void cancelWithMessageBeforeStartingTask() {
        AtomicInteger bodyRuns = new AtomicInteger();
        run(() -> {
            Task<String> t = loop.spawn(() -> {
                bodyRuns.incrementAndGet();
                return "never";
            });
            t.cancel("my message");
            assertThatThrownBy(() -> Async.await(t))
                    .isInstanceOf(CancelledException.class)
                    .satisfies(e ->
                            assertThat(((CancelledException) e).cancelMessage()).isEqualTo("my message"));
            return null;
        });
        assertThat(bodyRuns).hasValue(0);
    }

    @Test
    @DisplayName("13 test_cancellation_exception_context")
    void cancellationExceptionContext() {
        run(() -> {
            Promise<String> fut = loop.newPromise();
            Task<String> t = loop.spawn(() -> {
                try {
                    return Async.await(fut);
                } catch (CancelledException e) {
                    throw new IllegalArgumentException("raised while cancelled", e);
                }
            });
            Async.yieldNow();
            t.cancel("msg");
            assertThatThrownBy(() -> Async.await(t))
                    .isInstanceOf(IllegalArgumentException.class)
                    .cause()
                    .isInstanceOf(CancelledException.class)
                    .hasMessage("msg");
            return null;
        });
    }

    /** asyncio's SystemExit: a Java Error. */
    static final class SystemExit extends Error {
        SystemExit() {
            super("exit");
        }
    }

    @Test
    @DisplayName("14 test_baseexception_during_cancel")
    void baseExceptionDuringCancel() {
        run(() -> {
            Promise<String> fut = loop.newPromise();
            Task<String> t = loop.spawn(() -> {
                try {
                    return Async.await(fut);
                } catch (CancelledException e) {
                    throw new SystemExit();
                }
            });
            Async.yieldNow();
            t.cancel();
            Async.yieldNow();
            Async.yieldNow();
            assertThat(t.isDone()).isTrue();
            assertThat(t.isCancelled()).isFalse();
            assertThat(t.exception()).isInstanceOf(SystemExit.class);
            return null;
        });
        assertThat(fatal).singleElement().isInstanceOf(SystemExit.class);
    }

    @Test
    @DisplayName("15 test_yield_future_passes_cancel")
    void yieldFuturePassesCancel() {
        AtomicInteger proof = new AtomicInteger();
        run(() -> {
            Promise<String> waiter = loop.newPromise();
            Task<String> inner = loop.spawn(() -> {
                try {
                    return Async.await(waiter);
                } catch (CancelledException e) {
                    proof.addAndGet(1);
                    throw e;
                }
            });
            Task<String> outer = loop.spawn(() -> {
                try {
                    return Async.await(inner);
                } catch (CancelledException e) {
                    proof.addAndGet(100);
                    return "caught";
                }
            });
            Async.yieldNow();
            assertThat(outer.cancel()).isTrue();
            assertThat(Async.await(outer)).isEqualTo("caught");
            assertThat(waiter.isCancelled()).isTrue();
            return null;
        });
        assertThat(proof).hasValue(101);
    }

    @Test
    @DisplayName("16 test_shield_effect")
    void shieldEffect() {
        AtomicInteger proof = new AtomicInteger();
        run(() -> {
            Promise<String> waiter = loop.newPromise();
            Task<String> inner = loop.spawn(() -> {
                Async.await(waiter);
                proof.incrementAndGet();
                return "inner done";
            });
            Task<String> outer = loop.spawn(() -> Async.await(Async.shield(inner)));
            Async.yieldNow();
            outer.cancel();
            assertThatThrownBy(() -> Async.await(outer)).isInstanceOf(CancelledException.class);
            assertThat(inner.isCancelled()).isFalse();
            waiter.complete("go");
            assertThat(Async.await(inner)).isEqualTo("inner done");
            return null;
        });
        assertThat(proof).hasValue(1);
    }

    @Test
    void shieldReportsAnInnerFailureNobodyWillReadOnce() {
        run(() -> {
            Promise<String> waiter = loop.newPromise();
            Task<String> inner = loop.spawn(() -> {
                Async.await(waiter);
                throw new IllegalStateException("inner broke");
            });
            Awaitable<String> first = Async.shield(inner);
            Awaitable<String> second = Async.shield(inner);
            first.cancel();
            second.cancel();
            waiter.complete("go");
            assertThatThrownBy(() -> Async.await(inner)).hasMessage("inner broke");
            Async.yieldNow();
            return null;
        });
        assertThat(reports)
                .filteredOn(r -> r.message().contains("shielded"))
                .singleElement()
                .satisfies(
                        r -> assertThat(r.message()).isEqualTo("IllegalStateException exception in shielded future"));
    }

    @Test
    void shieldOfSomethingDoneIsItself() {
        Promise<String> done = loop.newPromise();
        done.complete("x");
        assertThat(Async.shield(done)).isSameAs(done);
    }

    @Test
    @DisplayName("A5.2 cancelled while running, then returns without awaiting")
    void cancelledWhileRunningEndsCancelled() {
        run(() -> {
            Task<String> t = loop.spawn(() -> {
                Task.current().cancel();
                return "value";
            });
            assertThatThrownBy(() -> Async.await(t)).isInstanceOf(CancelledException.class);
            return null;
        });
    }

    @Test
    @DisplayName("A5.2 cancelled while running: the next awaited future is cancelled at once")
    void cancelledWhileRunningCancelsTheNextWait() {
        run(() -> {
            Promise<String> next = loop.newPromise();
            Task<String> t = loop.spawn(() -> {
                Task.current().cancel("self");
                return Async.await(next);
            });
            assertThatThrownBy(() -> Async.await(t)).isInstanceOf(CancelledException.class);
            assertThat(next.isCancelled()).isTrue();
            return null;
        });
    }

    @Test
    @DisplayName("A5.4 cancelling a task cancels the task it awaits on another loop")
    void cancelPropagatesAcrossLoops() {
        try (Engine two = Engine.builder().loops(2).clock(new ManualClock()).build()) {
            EventLoop l0 = two.loop(0);
            EventLoop l1 = two.loop(1);
            Promise<String> never = l1.newPromise();
            Task<String> inner = l1.spawn(() -> Async.await(never));
            Task<String> outer = l0.spawn(() -> Async.await(inner));
            Settle.settle(l1);
            Settle.settle(l0);
            outer.cancel("stop");
            assertThatThrownBy(outer::join).isInstanceOf(CancelledException.class);
            assertThat(inner.isCancelled()).isTrue();
            assertThat(never.isCancelled()).isTrue();
        }
    }

    @Test
    @DisplayName("A2.3 CancelledException escaping the body ends the task CANCELLED")
    void cancelledExceptionEscapingEndsCancelled() {
        Task<String> t = loop.spawn(() -> {
            throw new CancelledException("by hand");
        });
        assertThatThrownBy(t::join).isInstanceOf(CancelledException.class);
        assertThat(t.isCancelled()).isTrue();
    }

    @Test
    @DisplayName("24 test_context_1: a child created before the parent sets the key sees the default")
    void context1() {
        ContextKey<String> key = ContextKey.withDefault("key", "default");
        AtomicReference<String> seenByChild = new AtomicReference<>();
        run(() -> {
            Promise<String> go = loop.newPromise();
            Task<Void> child = loop.spawn(() -> {
                Async.await(go);
                seenByChild.set(key.get());
                return null;
            });
            key.set("parent");
            go.complete("go");
            Async.await(child);
            assertThat(key.get()).isEqualTo("parent");
            return null;
        });
        assertThat(seenByChild.get()).isEqualTo("default");
    }

    @Test
    @DisplayName("24 test_context_2: writes inside a done callback do not leak into the task")
    void context2() {
        ContextKey<Integer> key = ContextKey.withDefault("key", 0);
        List<Integer> seen = new ArrayList<>();
        run(() -> {
            key.set(1);
            Promise<String> f = loop.newPromise();
            f.onDone(done -> {
                seen.add(key.get()); // the registrant's context
                key.set(2);
            });
            f.complete("x");
            Async.yieldNow();
            Async.yieldNow();
            seen.add(key.get());
            return null;
        });
        assertThat(seen).containsExactly(1, 1);
    }

    @Test
    @DisplayName("A1.5 a task's own writes survive its awaits and never leak to its creator")
    void contextFollowsTheTask() {
        ContextKey<String> key = ContextKey.named("key");
        run(() -> {
            key.set("creator");
            Task<String> child = loop.spawn(() -> {
                String inherited = key.get();
                key.set("child");
                Async.sleep(Duration.ofMillis(1));
                return inherited + "/" + key.get();
            });
            assertThat(Async.await(child)).isEqualTo("creator/child");
            assertThat(key.get()).isEqualTo("creator");
            return null;
        });
    }

    @Test
    @DisplayName("A1.2 default names are Task-N from one process-wide counter")
    void defaultNames() {
        Task<String> a = loop.spawn(() -> "a");
        Task<String> b = engine.spawn(() -> "b");
        assertThat(a.name()).matches("Task-\\d+");
        assertThat(Long.parseLong(b.name().substring(5)))
                .isGreaterThan(Long.parseLong(a.name().substring(5)));
        assertThat(loop.spawn("named", () -> "n").name()).isEqualTo("named");
    }

    @Test
    @DisplayName("A1.4 allTasks holds every task until it is done")
    void registryHoldsTasksUntilDone() {
        run(() -> {
            Promise<String> gate = loop.newPromise();
            Task<String> waiting = loop.spawn(() -> Async.await(gate));
            Async.yieldNow();
            assertThat(loop.allTasks()).contains(waiting, Task.current());
            gate.complete("open");
            Async.await(waiting);
            assertThat(loop.allTasks()).doesNotContain(waiting).contains(Task.current());
            return null;
        });
        assertThat(engine.allTasks()).isEmpty();
    }
}
