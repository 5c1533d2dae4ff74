package dev.spindle.engine.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.engine.Async;
import dev.spindle.engine.CancelledException;
import dev.spindle.engine.Task;
import dev.spindle.engine.TaskTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Condition: scenario 45 of test_locks.py (conformance/scenarios.md) and the rest of rule A10.3. */
class ConditionTest extends SyncTestSupport {

    /** The state shared by the consumers of scenario 45, guarded by the condition's lock. */
    private int state;

    private Void consumer(Condition condition) {
        try (var _ = condition.acquire()) {
            for (; ; ) {
                condition.waitFor(() -> state != 0);
                if (state < 0) {
                    return null;
                }
                state--;
            }
        }
    }

    /** Waits (with the lock held) for the item to be consumed, for at most 10 ms of virtual time. */
    private void awaitConsumed(Condition condition) {
        try {
            Async.timeout(Duration.ofMillis(10), scope -> condition.waitFor(() -> state == 0));
        } catch (TaskTimeoutException expected) {
            // the consumer does not signal back; only the state matters
        }
        assertThat(condition.locked())
                .as("the lock is held again after a timed-out wait")
                .isTrue();
    }

    @Test
    @DisplayName("45 test_cancelled_wakeup")
    void cancelledWakeup() {
        run(() -> {
            Condition condition = new Condition();
            List<Task<Void>> c = List.of(spawn(() -> consumer(condition)), spawn(() -> consumer(condition)));
            Async.yieldNow();
            try (var _ = condition.acquire()) {
                state++;
                condition.signal(1);
                c.get(0).cancel(); // cancelled while its wake-up is on its way
                awaitConsumed(condition);
                assertThat(state).as("the signal was not lost").isZero();
                state = -1;
                condition.signalAll();
            }
            Async.await(c.get(1));
            assertThat(c.get(0).isCancelled()).isTrue();
            return null;
        });
    }

    @Test
    @DisplayName("45 test_cancelled_wakeup_relock")
    void cancelledWakeupRelock() {
        run(() -> {
            Condition condition = new Condition();
            List<Task<Void>> c = List.of(spawn(() -> consumer(condition)), spawn(() -> consumer(condition)));
            Async.yieldNow();
            try (var _ = condition.acquire()) {
                state++;
                condition.signal(1);
                Async.yieldNow(); // the consumer wakes and queues for the lock
                assertThat(condition.lock().waiters()).hasSize(1);
                c.get(0).cancel(); // cancelled while it re-acquires
                awaitConsumed(condition);
                assertThat(state).as("the signal was not lost").isZero();
                state = -1;
                condition.signalAll();
            }
            Async.await(c.get(1));
            assertThat(c.get(0).isCancelled()).isTrue();
            return null;
        });
    }

    @Test
    @DisplayName("A10.3 await and signal need the lock held")
    void needTheLock() {
        run(() -> {
            Condition condition = new Condition();
            assertThatThrownBy(condition::await)
                    .isExactlyInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("un-acquired lock");
            assertThatThrownBy(() -> condition.waitFor(() -> false)).isExactlyInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> condition.signal(1))
                    .isExactlyInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("un-acquired lock");
            assertThatThrownBy(condition::signal).isExactlyInstanceOf(IllegalStateException.class);
            assertThatThrownBy(condition::signalAll).isExactlyInstanceOf(IllegalStateException.class);
            condition.acquire();
            assertThatThrownBy(() -> condition.signal(-1)).isInstanceOf(IllegalArgumentException.class);
            condition.signal(); // nobody waits: nothing happens
            condition.release();
            return null;
        });
    }

    @Test
    @DisplayName("A10.3 a waiter cancelled while waiting re-acquires the lock before the exception leaves await")
    void cancelledWaiterReacquires() {
        run(() -> {
            Condition condition = new Condition();
            List<String> seen = new ArrayList<>();
            Task<Void> waiter = spawn(() -> {
                condition.acquire();
                try {
                    condition.await();
                } catch (CancelledException e) {
                    seen.add("cancelled, locked=" + condition.locked());
                    throw e;
                } finally {
                    condition.release();
                }
                return null;
            });
            Async.yieldNow();
            assertThat(condition.locked()).as("await released the lock").isFalse();
            condition.acquire();
            waiter.cancel();
            Async.yieldNow();
            Async.yieldNow();
            assertThat(waiter.isDone())
                    .as("it waits for the lock, which main holds")
                    .isFalse();
            assertThat(seen).isEmpty();
            condition.release();
            assertThatThrownBy(() -> Async.await(waiter)).isInstanceOf(CancelledException.class);
            assertThat(seen).containsExactly("cancelled, locked=true");
            assertThat(condition.locked()).isFalse();
            return null;
        });
    }

    @Test
    @DisplayName("A10.3 cancellations while re-acquiring are retried and the last one is re-raised")
    void cancelledWhileReacquiringRaisesLast() {
        run(() -> {
            Condition condition = new Condition();
            List<String> seen = new ArrayList<>();
            Task<Void> waiter = spawn(() -> {
                try (var _ = condition.acquire()) {
                    condition.await();
                } catch (CancelledException e) {
                    seen.add(e.getMessage());
                    throw e;
                }
                return null;
            });
            Async.yieldNow();
            condition.acquire();
            condition.signal();
            Async.yieldNow(); // the waiter resumes and queues for the lock
            waiter.cancel("first");
            Async.yieldNow(); // it retries
            waiter.cancel("second");
            Async.yieldNow(); // and retries again
            assertThat(waiter.isDone()).isFalse();
            condition.release();
            assertThatThrownBy(() -> Async.await(waiter)).isInstanceOf(CancelledException.class);
            assertThat(seen).containsExactly("second");
            assertThat(condition.locked()).isFalse();
            return null;
        });
    }

    @Test
    @DisplayName("A10.3 a waiter cancelled after its signal passes the signal on")
    void signalPassedOnAfterCancel() {
        run(() -> {
            Condition condition = new Condition();
            List<Integer> woken = new ArrayList<>();
            List<Task<Void>> waiters = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                int tag = i;
                waiters.add(spawn(() -> {
                    try (var _ = condition.acquire()) {
                        condition.await();
                        woken.add(tag);
                    }
                    return null;
                }));
            }
            Async.yieldNow();
            try (var _ = condition.acquire()) {
                condition.signal(1);
                waiters.get(0).cancel();
            }
            Async.yieldNow();
            Async.yieldNow();
            Async.yieldNow();
            assertThat(waiters.get(0).isCancelled()).isTrue();
            assertThat(woken).as("the next waiter got the signal").containsExactly(2);
            assertThat(waiters.get(2).isDone()).isFalse();
            try (var _ = condition.acquire()) {
                condition.signalAll();
            }
            Async.await(waiters.get(2));
            assertThat(woken).containsExactly(2, 3);
            return null;
        });
    }

    @Test
    @DisplayName("A10.3 signal(n) wakes the first n waiters in FIFO order; signalAll wakes the rest")
    void signalN() {
        run(() -> {
            Condition condition = new Condition();
            List<Integer> woken = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                int tag = i;
                spawn(() -> {
                    try (var _ = condition.acquire()) {
                        condition.await();
                        woken.add(tag);
                    }
                    return null;
                });
            }
            Async.yieldNow();
            try (var _ = condition.acquire()) {
                condition.signal(2);
                assertThat(woken).as("nobody runs while the lock is held").isEmpty();
            }
            for (int i = 0; i < 4; i++) {
                Async.yieldNow();
            }
            assertThat(woken).containsExactly(1, 2);
            try (var _ = condition.acquire()) {
                condition.signalAll();
            }
            for (int i = 0; i < 4; i++) {
                Async.yieldNow();
            }
            assertThat(woken).containsExactly(1, 2, 3, 4);
            assertThat(condition.waiters()).isEmpty();
            return null;
        });
    }

    @Test
    @DisplayName("A10.3 signal(n) skips waiters already woken or cancelled")
    void signalSkipsDoneWaiters() {
        run(() -> {
            Condition condition = new Condition();
            List<Integer> woken = new ArrayList<>();
            List<Task<Void>> waiters = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                int tag = i;
                waiters.add(spawn(() -> {
                    try (var _ = condition.acquire()) {
                        condition.await();
                        woken.add(tag);
                    }
                    return null;
                }));
            }
            Async.yieldNow();
            try (var _ = condition.acquire()) {
                condition.signal(1); // wakes 1
                condition.signal(1); // skips the woken 1: wakes 2
            }
            for (int i = 0; i < 4; i++) {
                Async.yieldNow();
            }
            assertThat(woken).containsExactly(1, 2);
            waiters.get(2).cancel(); // its waiter is cancelled at once, but it stays queued until it resumes
            try (var _ = condition.acquire()) {
                condition.signal(1); // skips the cancelled 3: wakes 4
            }
            for (int i = 0; i < 4; i++) {
                Async.yieldNow();
            }
            assertThat(waiters.get(2).isCancelled()).isTrue();
            assertThat(woken).containsExactly(1, 2, 4);
            return null;
        });
    }

    @Test
    @DisplayName("A10.3 waitFor checks the predicate under the lock and returns once it holds")
    void waitFor() {
        run(() -> {
            Condition condition = new Condition();
            List<Integer> box = new ArrayList<>();
            Task<Integer> consumer = spawn(() -> {
                try (var _ = condition.acquire()) {
                    assertThat(condition.waitFor(() -> box.size() >= 2)).isTrue();
                    return box.get(0) + box.get(1);
                }
            });
            Async.yieldNow();
            for (int value : new int[] {20, 22}) {
                try (var _ = condition.acquire()) {
                    box.add(value);
                    condition.signal();
                }
                Async.yieldNow();
                Async.yieldNow();
            }
            assertThat(Async.await(consumer)).isEqualTo(42);
            return null;
        });
    }

    @Test
    @DisplayName("conditions may share one lock")
    void sharedLock() {
        run(() -> {
            Lock lock = new Lock();
            Condition notEmpty = new Condition(lock);
            Condition notFull = new Condition(lock);
            assertThat(notEmpty.lock()).isSameAs(notFull.lock());
            try (var _ = notEmpty.acquire()) {
                assertThat(notFull.locked()).isTrue();
                notFull.signal(); // allowed: the shared lock is held
            }
            assertThat(lock.locked()).isFalse();
            return null;
        });
    }
}
