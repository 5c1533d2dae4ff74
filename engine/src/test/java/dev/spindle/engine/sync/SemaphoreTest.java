package dev.spindle.engine.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.engine.Async;
import dev.spindle.engine.CancelledException;
import dev.spindle.engine.Task;
import dev.spindle.engine.TaskGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Semaphore and BoundedSemaphore: scenarios 47-49 of test_locks.py and the rest of rule A10.4. */
class SemaphoreTest extends SyncTestSupport {

    @Test
    @DisplayName("47 test_acquire_cancel_before_awoken")
    void acquireCancelBeforeAwoken() {
        run(() -> {
            Semaphore sem = new Semaphore(0);
            Task<Acquired> t1 = spawn(sem::acquire);
            Task<Acquired> t2 = spawn(sem::acquire);
            Task<Acquired> t3 = spawn(sem::acquire);
            Task<Acquired> t4 = spawn(sem::acquire);
            Async.yieldNow();

            t1.cancel();
            t2.cancel();
            sem.release();
            Async.yieldNow();
            Async.yieldNow();
            assertThat(t3.isDone()).isTrue();
            assertThat(t4.isDone()).isFalse();
            assertThat(t1.isCancelled() && t2.isCancelled()).isTrue();
            assertThat(sem.locked()).isTrue();

            t3.cancel();
            t4.cancel();
            Async.yieldNow();
            return null;
        });
    }

    @Test
    @DisplayName("47 test_acquire_hang")
    void acquireHang() {
        run(() -> {
            Semaphore sem = new Semaphore(0);
            Task<Acquired> t1 = spawn(sem::acquire);
            Task<Acquired> t2 = spawn(sem::acquire);
            Async.yieldNow();

            t1.cancel();
            sem.release();
            Async.yieldNow();
            Async.yieldNow();
            assertThat(sem.locked()).isTrue();
            assertThat(t2.isDone()).isTrue();
            assertThat(t2.isCancelled()).isFalse();
            return null;
        });
    }

    @Test
    @DisplayName("49 test_acquire_fifo_order")
    void acquireFifoOrder() {
        List<String> result = new ArrayList<>();
        run(() -> {
            Semaphore sem = new Semaphore(1);
            TaskGroup.run(group -> {
                for (String tag : List.of("c1", "c2", "c3")) {
                    group.spawn(() -> {
                        sem.acquire();
                        result.add(tag + "_1");
                        Async.sleep(Duration.ofMillis(10));
                        sem.release();
                        sem.acquire();
                        result.add(tag + "_2");
                        Async.sleep(Duration.ofMillis(10));
                        sem.release();
                        return null;
                    });
                }
                return null;
            });
            return null;
        });
        assertThat(result).containsExactly("c1_1", "c2_1", "c3_1", "c1_2", "c2_2", "c3_2");
    }

    @Test
    @DisplayName("49 test_acquire_fifo_order_2")
    void acquireFifoOrder2() {
        List<Integer> result = new ArrayList<>();
        run(() -> {
            Semaphore sem = new Semaphore(1);
            Task<Boolean> t1 = spawn(() -> {
                sem.acquire();
                result.add(1);
                return true;
            });
            Task<Boolean> t2 = spawn(() -> {
                sem.acquire();
                result.add(2);
                sem.release();
                sem.acquire();
                result.add(4);
                return true;
            });
            Task<Boolean> t3 = spawn(() -> {
                sem.acquire();
                result.add(3);
                return true;
            });
            Async.yieldNow();
            sem.release();
            sem.release();
            Async.await(Async.gather(t1, t2, t3));
            return null;
        });
        assertThat(result).containsExactly(1, 2, 3, 4);
    }

    @Test
    @DisplayName("49 test_acquire_fifo_order_3")
    void acquireFifoOrder3() {
        List<Integer> result = new ArrayList<>();
        run(() -> {
            Semaphore sem = new Semaphore(0);
            List<Task<Boolean>> tasks = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                int tag = i;
                tasks.add(spawn(() -> {
                    sem.acquire();
                    result.add(tag);
                    return true;
                }));
            }
            Async.yieldNow();
            tasks.get(0).cancel();
            sem.release();
            sem.release();
            Async.await(Async.gatherReturningExceptions(tasks));
            return null;
        });
        assertThat(result).containsExactly(2, 3);
    }

    @Test
    @DisplayName("49 test_acquire_fifo_order_4")
    void acquireFifoOrder4() {
        List<Integer> result = new ArrayList<>();
        run(() -> {
            Semaphore sem = new Semaphore(0);
            List<Task<Boolean>> t4 = new ArrayList<>();
            Task<Boolean> t1 = spawn(() -> {
                assertThat(sem.value()).isZero();
                sem.acquire();
                // One successful acquire has woken every waiter the value allows.
                assertThat(sem.value()).isZero();
                t4.add(spawn(() -> result.add(4)));
                result.add(1);
                return true;
            });
            Task<Boolean> t2 = spawn(() -> {
                sem.release();
                sem.release();
                sem.release();
                assertThat(sem.value()).isEqualTo(2);
                assertThat(sem.locked())
                        .as("c1 was woken but has not resumed yet")
                        .isTrue();
                sem.acquire();
                result.add(2);
                return true;
            });
            Task<Boolean> t3 = spawn(() -> {
                sem.acquire();
                assertThat(sem.locked()).isTrue();
                result.add(3);
                return true;
            });
            Async.yieldNow();
            assertThat(sem.value()).isEqualTo(2);
            assertThat(sem.locked()).isTrue();
            Async.await(Async.gather(t1, t2, t3));
            Async.await(t4.get(0));
            return null;
        });
        assertThat(result).containsExactly(1, 2, 3, 4);
    }

    @Test
    @DisplayName("49 test_release_not_acquired")
    void releaseNotAcquired() {
        run(() -> {
            BoundedSemaphore sem = new BoundedSemaphore(1);
            assertThatThrownBy(sem::release)
                    .isExactlyInstanceOf(IllegalStateException.class)
                    .hasMessage("BoundedSemaphore released too many times");
            assertThat(sem.value()).isEqualTo(1);
            try (var _ = sem.acquire()) {
                assertThat(sem.value()).isZero();
            }
            assertThat(sem.value()).isEqualTo(1);
            assertThatThrownBy(sem::release).hasMessage("BoundedSemaphore released too many times");
            return null;
        });
    }

    @Test
    @DisplayName("A10.4 a waiter cancelled after being woken returns its unit, which goes to the next waiter")
    void wokenWaiterCancelledReturnsUnit() {
        run(() -> {
            Semaphore sem = new Semaphore(0);
            Task<Acquired> t1 = spawn(sem::acquire);
            Task<Acquired> t2 = spawn(sem::acquire);
            Async.yieldNow();
            sem.release(); // hands the unit to t1
            assertThat(sem.value()).isZero();
            t1.cancel(); // too late: t1 will give the unit back
            Async.yieldNow();
            assertThat(t1.isCancelled()).isTrue();
            assertThat(sem.value()).as("t1's unit went straight to t2").isZero();
            Async.await(t2);
            assertThat(sem.waiters()).isEmpty();
            sem.release();
            assertThat(sem.value()).isEqualTo(1);

            Task<Acquired> alone = spawn(sem::acquire);
            sem.acquire();
            Async.yieldNow();
            sem.release();
            alone.cancel();
            Async.yieldNow();
            assertThat(alone.isCancelled()).isTrue();
            assertThat(sem.value()).as("no unit leaked").isEqualTo(1);
            assertThat(sem.locked()).isFalse();
            return null;
        });
    }

    @Test
    @DisplayName("A10.4 locked() is true while the value is 0 or a live waiter is queued")
    void lockedRule() {
        run(() -> {
            Semaphore sem = new Semaphore(1);
            assertThat(sem.locked()).isFalse();
            assertThat(sem.tryAcquire()).isTrue();
            assertThat(sem.locked()).isTrue();
            assertThat(sem.tryAcquire()).isFalse();
            Task<Acquired> waiter = spawn(sem::acquire);
            Async.yieldNow();
            sem.release(); // woken waiter holds the unit before it resumes
            assertThat(sem.value()).isZero();
            Async.await(waiter);

            Semaphore two = new Semaphore(2);
            two.acquire();
            two.acquire();
            Task<Acquired> w1 = spawn(two::acquire);
            Async.yieldNow();
            w1.cancel();
            two.release();
            assertThat(two.value()).isEqualTo(1);
            assertThat(two.locked()).as("the only waiter is cancelled").isFalse();
            Async.yieldNow();
            assertThat(w1.isCancelled()).isTrue();
            assertThat(two.value()).isEqualTo(1);
            return null;
        });
    }

    @Test
    @DisplayName("A10.4 a plain Semaphore may be released above its initial value")
    void releaseAboveInitialValue() {
        run(() -> {
            Semaphore sem = new Semaphore(1);
            sem.release();
            sem.release();
            assertThat(sem.value()).isEqualTo(3);
            assertThat(sem.tryAcquire() && sem.tryAcquire() && sem.tryAcquire()).isTrue();
            assertThat(sem.tryAcquire()).isFalse();
            return null;
        });
    }

    @Test
    @DisplayName("A10.4 Semaphore(v < 0) -> IllegalArgumentException")
    void negativeValue() {
        assertThatThrownBy(() -> new Semaphore(loop, -1))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("value")
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> new BoundedSemaphore(-3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("a BoundedSemaphore refuses to exceed its bound even with waiters woken")
    void boundedWithWaiters() {
        run(() -> {
            BoundedSemaphore sem = new BoundedSemaphore(2);
            assertThat(sem.bound()).isEqualTo(2);
            sem.acquire();
            sem.acquire();
            Task<Acquired> waiter = spawn(sem::acquire);
            Async.yieldNow();
            sem.release(); // to the waiter
            sem.release();
            assertThat(sem.value()).isEqualTo(1);
            Async.await(waiter);
            sem.release();
            assertThatThrownBy(sem::release).isInstanceOf(IllegalStateException.class);
            assertThat(sem.value()).isEqualTo(2);
            return null;
        });
    }

    @Test
    @DisplayName("a cancelled acquire holds no unit and leaves no waiter")
    void cancelledAcquire() {
        run(() -> {
            Semaphore sem = new Semaphore(0);
            Task<Acquired> waiter = spawn(sem::acquire);
            Async.yieldNow();
            waiter.cancel();
            assertThatThrownBy(() -> Async.await(waiter)).isInstanceOf(CancelledException.class);
            assertThat(sem.waiters()).isEmpty();
            assertThat(sem.value()).isZero();
            return null;
        });
    }
}
