package dev.spindle.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CoroutineSmokeTest {
    private final ManualClock clock = ManualClock.autoAdvancing();
    private final Engine engine = Engine.builder().loops(2).clock(clock).build();
    private final EventLoop loop = engine.loop(0);

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void aCoroutineAwaitsAPromiseCompletedFromAnotherThread() {
        Promise<String> p = loop.newPromise();
        Task<String> t = loop.spawn(() -> "got " + Async.await(p));
        Settle.settle(loop);
        assertThat(t.state()).isEqualTo(TaskState.SUSPENDED);
        p.complete("x");
        assertThat(t.join()).isEqualTo("got x");
    }

    @Test
    void sleepUsesTheLoopClock() {
        Task<Long> t = loop.spawn(() -> {
            Async.sleep(Duration.ofSeconds(3));
            return loop.time();
        });
        assertThat(t.join()).isEqualTo(3_000_000_000L);
    }

    @Test
    void awaitAcrossLoops() {
        EventLoop other = engine.loop(1);
        Task<Integer> inner = other.spawn(() -> {
            Async.sleep(Duration.ofMillis(5));
            return 21;
        });
        Task<String> outer = loop.spawn(() -> Thread.currentThread().getName() + ":" + Async.await(inner) * 2);
        assertThat(outer.join()).isEqualTo("spindle-loop-0:42");
    }

    @Test
    void cancellingASleeperDeliversAtItsAwait() {
        try (Engine manual = Engine.builder().loops(1).clock(new ManualClock()).build()) {
            EventLoop l = manual.loop(0);
            List<String> seen = new ArrayList<>();
            Task<String> t = l.spawn(() -> {
                try {
                    Async.sleep(Duration.ofHours(1));
                    return "woke";
                } catch (CancelledException e) {
                    seen.add("cancelled:" + e.cancelMessage());
                    throw e;
                }
            });
            Settle.settle(l);
            assertThat(t.cancel("stop")).isTrue();
            assertThatThrownBy(t::join).isInstanceOf(CancelledException.class);
            assertThat(seen).containsExactly("cancelled:stop");
            assertThat(l.submit(() -> l.allTasks()).join()).isEmpty();
        }
    }

    @Test
    void awaitOutsideACoroutineIsRefused() {
        Promise<String> p = loop.newPromise();
        assertThatThrownBy(() -> Async.await(p))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not inside a coroutine task");
        Task<Object> rtc = loop.submit(() -> Async.await(p));
        assertThatThrownBy(rtc::join).hasMessageContaining("not inside a coroutine task");
        p.complete("done");
        assertThat(Async.await(p)).isEqualTo("done");
    }

    @Test
    void aTaskAwaitingItselfIsRefused() {
        Task<Object> t = loop.spawn(() -> Async.await(Task.current()));
        assertThatThrownBy(t::join).isInstanceOf(IllegalStateException.class).hasMessageContaining("itself");
    }

    @Test
    void manyYieldsInterleaveFairly() {
        List<String> order = new ArrayList<>();
        // Spawned together from the loop, so both are ready before either runs.
        List<Task<Void>> tasks = loop.submit(() -> List.of(yielder(order, "a"), yielder(order, "b")))
                .join();
        Task<Void> a = tasks.get(0);
        Task<Void> b = tasks.get(1);
        a.join();
        b.join();
        assertThat(order).containsExactly("a0", "b0", "a1", "b1", "a2", "b2");
    }

    private Task<Void> yielder(List<String> order, String name) {
        return loop.spawn(() -> {
            for (int i = 0; i < 3; i++) {
                order.add(name + i);
                Async.yieldNow();
            }
            return null;
        });
    }
}
