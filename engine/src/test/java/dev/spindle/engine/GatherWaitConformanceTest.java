package dev.spindle.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Gather, wait and as_completed scenarios from CPython's test_tasks.py (18, 21-23, 25-27). */
class GatherWaitConformanceTest extends LoopTestSupport {

    private Task<Integer> sleeper(double seconds, int value) {
        return loop.spawn(() -> {
            Async.sleep(Duration.ofNanos((long) (seconds * 1e9)));
            return value;
        });
    }

    @Test
    @DisplayName("A9.1 gather of nothing is an empty list; duplicates share one child")
    void gatherBasics() {
        run(() -> {
            assertThat(Async.await(Async.gather(List.<Awaitable<Integer>>of()))).isEmpty();
            Task<Integer> a = sleeper(0.1, 7);
            assertThat(Async.await(Async.gather(a, a))).containsExactly(7, 7);
            return null;
        });
    }

    @Test
    @DisplayName("25 test_one_exception")
    void oneException() {
        run(() -> {
            Promise<Integer> a = loop.newPromise();
            Promise<Integer> b = loop.newPromise();
            Promise<Integer> c = loop.newPromise();
            Promise<Integer> d = loop.newPromise();
            Promise<Integer> e = loop.newPromise();
            Awaitable<List<Integer>> fut = Async.gather(a, b, c, d, e);
            a.complete(1);
            IllegalStateException boom = new IllegalStateException("b failed");
            b.fail(boom);
            Async.yieldNow();
            Async.yieldNow();
            assertThat(fut.isDone()).isTrue();
            assertThat(fut.exception()).isSameAs(boom);
            assertThat(List.of(c, d, e)).noneMatch(Awaitable::isCancelled);
            c.complete(3);
            d.cancel();
            e.fail(new IllegalArgumentException("late"));
            return null;
        });
    }

    @Test
    @DisplayName("25 test_one_cancellation")
    void oneCancellation() {
        run(() -> {
            Promise<Integer> a = loop.newPromise();
            Promise<Integer> b = loop.newPromise();
            Promise<Integer> c = loop.newPromise();
            Awaitable<List<Integer>> fut = Async.gather(a, b, c);
            a.complete(1);
            b.cancel();
            Async.yieldNow();
            Async.yieldNow();
            assertThat(fut.isDone()).isTrue();
            assertThat(fut.isCancelled()).as("the outer is not cancelled").isFalse();
            assertThat(fut.exception()).isInstanceOf(CancelledException.class);
            assertThat(c.isCancelled()).isFalse();
            return null;
        });
    }

    @Test
    @DisplayName("26 test_result_exception_one_cancellation")
    void resultExceptionOneCancellation() {
        run(() -> {
            List<Promise<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                fs.add(loop.newPromise());
            }
            Awaitable<List<Object>> fut = Async.gatherReturningExceptions(fs);
            ArithmeticException zde = new ArithmeticException("/ by zero");
            IllegalStateException rte = new IllegalStateException("rte");
            fs.get(0).complete(1);
            fs.get(1).fail(zde);
            fs.get(2).cancel();
            fs.get(3).complete(3);
            fs.get(4).cancel();
            fs.get(5).fail(rte);
            List<Object> results = Async.await(fut);
            assertThat(results).hasSize(6);
            assertThat(results.get(0)).isEqualTo(1);
            assertThat(results.get(1)).isSameAs(zde);
            assertThat(results.get(2)).isInstanceOf(CancelledException.class);
            assertThat(results.get(3)).isEqualTo(3);
            assertThat(results.get(4)).isInstanceOf(CancelledException.class);
            assertThat(results.get(5)).isSameAs(rte);
            return null;
        });
    }

    @Test
    @DisplayName("27 test_cancellation_broadcast")
    void cancellationBroadcast() {
        run(() -> {
            Promise<Integer> a = loop.newPromise();
            Promise<Integer> b = loop.newPromise();
            Awaitable<List<Integer>> gatherer = Async.gather(a, b);
            Task<List<Integer>> waiter = loop.spawn(() -> Async.await(gatherer));
            Async.yieldNow();
            waiter.cancel();
            assertThatThrownBy(() -> Async.await(waiter)).isInstanceOf(CancelledException.class);
            assertThat(a.isCancelled()).isTrue();
            assertThat(b.isCancelled()).isTrue();
            assertThat(waiter.isCancelled()).isTrue();
            assertThat(gatherer.cancel()).isFalse();
            return null;
        });
    }

    @Test
    @DisplayName("A9.4 cancelling a gather with returnExceptions still ends it cancelled (bpo-32684)")
    void cancelGatherReturningExceptions() {
        run(() -> {
            Task<Integer> a = sleeper(10, 1);
            Awaitable<List<Object>> g = Async.gatherReturningExceptions(List.of(a));
            Async.yieldNow();
            assertThat(g.cancel()).isTrue();
            assertThatThrownBy(() -> Async.await(g)).isInstanceOf(CancelledException.class);
            assertThat(a.isCancelled()).isTrue();
            return null;
        });
    }

    @Test
    @DisplayName("18 test_shield_gather")
    void shieldGather() {
        run(() -> {
            Task<Integer> c1 = sleeper(0.1, 1);
            Task<Integer> c2 = sleeper(0.1, 2);
            Awaitable<List<Integer>> gathered = Async.gather(c1, c2);
            Awaitable<List<Integer>> shielded = Async.shield(gathered);
            shielded.cancel();
            assertThat(shielded.isCancelled()).isTrue();
            assertThat(Async.await(gathered)).containsExactly(1, 2);
            return null;
        });
    }

    @Test
    @DisplayName("18 test_gather_shield")
    void gatherShield() {
        run(() -> {
            Task<Integer> c1 = sleeper(0.1, 1);
            Task<Integer> c2 = sleeper(0.1, 2);
            Awaitable<Integer> s1 = Async.shield(c1);
            Awaitable<Integer> s2 = Async.shield(c2);
            Awaitable<List<Integer>> gathered = Async.gather(s1, s2);
            assertThat(gathered.cancel()).isTrue();
            Async.yieldNow();
            Async.yieldNow();
            assertThat(s1.isCancelled()).isTrue();
            assertThat(s2.isCancelled()).isTrue();
            assertThat(gathered.exception()).isInstanceOf(CancelledException.class);
            assertThat(Async.await(c1)).isEqualTo(1);
            assertThat(Async.await(c2)).isEqualTo(2);
            return null;
        });
    }

    @Test
    @DisplayName("21 test_wait_first_exception")
    void waitFirstException() {
        run(() -> {
            Task<Integer> exc = loop.spawn(() -> {
                throw new ArithmeticException("zero");
            });
            Task<Integer> sleeper = sleeper(10, 1);
            WaitResult<Integer> r = Async.wait(List.of(exc, sleeper), ReturnWhen.FIRST_EXCEPTION, null);
            assertThat(r.done()).containsExactly(exc);
            assertThat(r.pending()).containsExactly(sleeper);
            assertThat(seconds()).isZero();
            assertThat(sleeper.isCancelled()).isFalse();
            sleeper.cancel();
            return null;
        });
    }

    @Test
    @DisplayName("A9.5 FIRST_EXCEPTION ignores cancelled awaitables")
    void firstExceptionIgnoresCancellation() {
        run(() -> {
            Promise<Integer> cancelled = loop.newPromise();
            cancelled.cancel();
            Task<Integer> a = sleeper(0.1, 1);
            WaitResult<Integer> r = Async.wait(List.of(cancelled, a), ReturnWhen.FIRST_EXCEPTION, null);
            assertThat(r.done()).containsExactlyInAnyOrder(cancelled, a);
            assertThat(seconds()).isEqualTo(0.1);
            return null;
        });
    }

    @Test
    @DisplayName("22 test_wait_with_timeout")
    void waitWithTimeout() {
        run(() -> {
            Task<Integer> a = sleeper(0.1, 1);
            Task<Integer> b = sleeper(0.15, 2);
            WaitResult<Integer> r = Async.wait(List.of(a, b), ReturnWhen.ALL_COMPLETED, Duration.ofMillis(110));
            assertThat(r.done()).containsExactly(a);
            assertThat(r.pending()).containsExactly(b);
            assertThat(seconds()).isEqualTo(0.11);
            assertThat(b.isCancelled()).isFalse();
            Async.await(b);
            return null;
        });
    }

    @Test
    @DisplayName("22 test_wait_really_done: FIRST_COMPLETED may return two")
    void waitReallyDone() {
        run(() -> {
            Task<Integer> a = sleeper(0.1, 1);
            Task<Integer> b = sleeper(0.1, 2);
            WaitResult<Integer> r = Async.wait(List.of(a, b), ReturnWhen.FIRST_COMPLETED, null);
            assertThat(r.done()).containsExactlyInAnyOrder(a, b);
            assertThat(r.pending()).isEmpty();
            return null;
        });
    }

    @Test
    void waitRejectsNothingToWaitFor() {
        run(() -> {
            assertThatThrownBy(() -> Async.wait(List.<Awaitable<Integer>>of(), ReturnWhen.ALL_COMPLETED, null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("awaitables");
            return null;
        });
    }

    @Test
    @DisplayName("23 test_as_completed_with_timeout")
    void asCompletedWithTimeout() {
        run(() -> {
            Task<String> a = loop.spawn(() -> {
                Async.sleep(Duration.ofMillis(100));
                return "a";
            });
            Task<String> b = loop.spawn(() -> {
                Async.sleep(Duration.ofMillis(150));
                return "b";
            });
            AsCompleted<String> it = Async.asCompleted(List.of(a, b), Duration.ofMillis(120));
            assertThat(it.nextResult()).isEqualTo("a");
            assertThatThrownBy(it::next).isInstanceOf(TaskTimeoutException.class);
            assertThat(seconds()).isEqualTo(0.12);
            assertThat(b.isCancelled())
                    .as("the remaining awaitables are not cancelled")
                    .isFalse();
            b.cancel();
            return null;
        });
    }

    @Test
    void asCompletedYieldsTheOriginalsInCompletionOrder() {
        run(() -> {
            Task<Integer> slow = sleeper(0.3, 3);
            Task<Integer> fast = sleeper(0.1, 1);
            Task<Integer> mid = sleeper(0.2, 2);
            AsCompleted<Integer> it = Async.asCompleted(List.of(slow, fast, mid), null);
            List<Awaitable<? extends Integer>> order = new ArrayList<>();
            while (it.hasNext()) {
                order.add(it.next());
            }
            assertThat(order).containsExactly(fast, mid, slow);
            return null;
        });
    }
}
