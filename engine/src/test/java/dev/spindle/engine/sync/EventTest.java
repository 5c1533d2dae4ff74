package dev.spindle.engine.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.engine.Async;
import dev.spindle.engine.CancelledException;
import dev.spindle.engine.Task;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Event: scenario 50 of test_locks.py (conformance/scenarios.md) and the rest of rule A10.2. */
class EventTest extends SyncTestSupport {

    @Test
    @DisplayName("50 test_clear_with_waiters")
    void clearWithWaiters() {
        run(() -> {
            Event ev = new Event();
            List<Integer> result = new ArrayList<>();
            Task<Boolean> t = spawn(() -> {
                if (ev.await()) {
                    result.add(1);
                }
                return true;
            });
            Async.yieldNow();
            assertThat(result).isEmpty();

            ev.set();
            ev.clear();
            assertThat(ev.isSet()).isFalse();
            ev.set();
            ev.set();
            assertThat(ev.waiters()).hasSize(1);

            Async.yieldNow();
            assertThat(result).containsExactly(1);
            assertThat(ev.waiters()).isEmpty();
            assertThat(t.isDone()).isTrue();
            assertThat(t.result()).isTrue();
            return null;
        });
    }

    @Test
    @DisplayName("A10.2 set() wakes every waiter, in arrival order, and await() returns true")
    void setWakesEveryWaiter() {
        run(() -> {
            Event ev = new Event();
            List<Integer> result = new ArrayList<>();
            List<Task<Boolean>> waiters = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                int tag = i;
                waiters.add(spawn(() -> {
                    boolean value = ev.await();
                    result.add(tag);
                    return value;
                }));
            }
            Async.yieldNow();
            assertThat(result).isEmpty();
            assertThat(ev.waiters()).hasSize(3);
            ev.set();
            assertThat(ev.isSet()).isTrue();
            Async.yieldNow();
            assertThat(result).containsExactly(1, 2, 3);
            for (Task<Boolean> w : waiters) {
                assertThat(w.result()).isTrue();
            }
            return null;
        });
    }

    @Test
    @DisplayName("A10.2 clear() does not un-wake a woken waiter")
    void clearDoesNotUnwake() {
        run(() -> {
            Event ev = new Event();
            Task<Boolean> waiter = spawn(ev::await);
            Async.yieldNow();
            ev.set();
            ev.clear();
            Async.yieldNow();
            assertThat(waiter.isDone()).isTrue();
            assertThat(waiter.result()).isTrue();
            Task<Boolean> late = spawn(ev::await);
            Async.yieldNow();
            assertThat(late.isDone()).as("the flag is down again for newcomers").isFalse();
            late.cancel();
            return null;
        });
    }

    @Test
    @DisplayName("await() of a set event returns at once, without a step boundary")
    void awaitSetEventIsImmediate() {
        run(() -> {
            Event ev = new Event();
            ev.set();
            List<String> order = new ArrayList<>();
            spawn(() -> order.add("other"));
            assertThat(ev.await()).isTrue();
            order.add("main");
            Async.yieldNow();
            assertThat(order).containsExactly("main", "other");
            return null;
        });
    }

    @Test
    @DisplayName("a cancelled waiter leaves the queue and set() skips it")
    void cancelledWaiter() {
        run(() -> {
            Event ev = new Event();
            Task<Boolean> cancelled = spawn(ev::await);
            Task<Boolean> live = spawn(ev::await);
            Async.yieldNow();
            cancelled.cancel();
            ev.set();
            assertThatThrownBy(() -> Async.await(cancelled)).isInstanceOf(CancelledException.class);
            assertThat(Async.await(live)).isTrue();
            assertThat(ev.waiters()).isEmpty();
            return null;
        });
    }

    @Test
    @DisplayName("set() from a plain callback of the event's loop wakes a task")
    void setFromCallback() {
        Event ev = new Event(loop);
        run(() -> {
            Task<Boolean> waiter = spawn(ev::await);
            Async.yieldNow();
            loop.execute(ev::set);
            assertThat(Async.await(waiter)).isTrue();
            return null;
        });
    }
}
