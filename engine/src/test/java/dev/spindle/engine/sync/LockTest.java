package dev.spindle.engine.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.engine.Async;
import dev.spindle.engine.CancelledException;
import dev.spindle.engine.Promise;
import dev.spindle.engine.Task;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Lock: scenarios 41-44 of test_locks.py (conformance/scenarios.md) and the rest of rule A10.1. */
class LockTest extends SyncTestSupport {

    @Test
    @DisplayName("41 test_acquire")
    void acquire() {
        run(() -> {
            Lock lock = new Lock();
            List<Integer> result = new ArrayList<>();
            lock.acquire();
            Task<Boolean> t1 = spawn(() -> acquireThenAdd(lock, result, 1));
            Task<Boolean> t2 = spawn(() -> acquireThenAdd(lock, result, 2));

            Async.yieldNow();
            assertThat(result).isEmpty();

            lock.release();
            Async.yieldNow();
            assertThat(result).containsExactly(1);

            Async.yieldNow();
            assertThat(result).containsExactly(1);

            Task<Boolean> t3 = spawn(() -> acquireThenAdd(lock, result, 3));
            lock.release();
            Async.yieldNow();
            assertThat(result).containsExactly(1, 2);

            lock.release();
            Async.yieldNow();
            assertThat(result).containsExactly(1, 2, 3);

            assertThat(t1.isDone() && t2.isDone() && t3.isDone()).isTrue();
            assertThat(t1.result() && t2.result() && t3.result()).isTrue();
            return null;
        });
    }

    private static boolean acquireThenAdd(Lock lock, List<Integer> result, int tag) {
        lock.acquire();
        result.add(tag);
        return true;
    }

    @Test
    @DisplayName("42 test_cancel_race")
    void cancelRace() {
        run(() -> {
            Lock lock = new Lock();
            Promise<Void> fa = loop.newPromise();
            Task<Void> ta = spawn(() -> lockIt(lock, fa));
            Async.yieldNow();
            assertThat(lock.locked()).isTrue();
            Task<Void> tb = spawn(() -> lockIt(lock, null));
            Async.yieldNow();
            assertThat(lock.waiters()).hasSize(1);
            Task<Void> tc = spawn(() -> lockIt(lock, null));
            Async.yieldNow();
            assertThat(lock.waiters()).hasSize(2);

            // A's blocker resolves and B is cancelled in the same tick.
            fa.complete(null);
            tb.cancel();
            assertThat(lock.waiters().peekFirst().isCancelled()).isTrue();
            Async.yieldNow();
            assertThat(lock.locked()).isFalse();
            assertThat(ta.isDone()).isTrue();
            assertThat(tb.isCancelled()).isTrue();
            Async.await(tc); // C eventually acquires (and releases)
            assertThat(tc.state().isDone() && !tc.isCancelled()).isTrue();
            return null;
        });
    }

    private static Void lockIt(Lock lock, Promise<Void> blocker) {
        lock.acquire();
        try {
            if (blocker != null) {
                Async.await(blocker);
            }
        } finally {
            lock.release();
        }
        return null;
    }

    @Test
    @DisplayName("44 test_finished_waiter_cancelled")
    void finishedWaiterCancelled() {
        run(() -> {
            Lock lock = new Lock();
            Task<Acquired> ta = spawn(lock::acquire);
            Async.yieldNow();
            assertThat(lock.locked()).isTrue();
            Task<Acquired> tb = spawn(lock::acquire);
            Async.yieldNow();
            assertThat(lock.waiters()).hasSize(1);

            // A second waiter about to start; the first is cancelled, then the lock released.
            Task<Acquired> tc = spawn(lock::acquire);
            tb.cancel();
            lock.release();
            Async.yieldNow();
            assertThat(lock.locked()).isTrue();
            assertThat(tb.isCancelled()).isTrue();
            Async.await(tc);
            assertThat(ta.isCancelled()).isFalse();
            return null;
        });
    }

    @Test
    @DisplayName("A10.1 a waiter cancelled after being woken wakes the next one: the lock is never stranded")
    void wokenWaiterCancelledWakesNext() {
        run(() -> {
            Lock lock = new Lock();
            lock.acquire();
            Task<Acquired> tb = spawn(lock::acquire);
            Task<Acquired> tc = spawn(lock::acquire);
            Async.yieldNow();
            lock.release(); // wakes B
            assertThat(lock.waiters().peekFirst().isDone()).isTrue();
            tb.cancel(); // too late for its waiter: B resumes with CancelledException
            Async.yieldNow();
            assertThat(tb.isCancelled()).isTrue();
            Async.yieldNow();
            assertThat(tc.isDone()).isTrue();
            assertThat(tc.isCancelled()).isFalse();
            assertThat(lock.locked()).isTrue();
            assertThat(lock.waiters()).isEmpty();
            return null;
        });
    }

    @Test
    @DisplayName("A10.1 no barging: a newcomer queues behind a woken waiter that has not resumed yet")
    void noBarging() {
        run(() -> {
            Lock lock = new Lock();
            List<String> order = new ArrayList<>();
            lock.acquire();
            Task<Void> first = spawn(() -> {
                try (var _ = lock.acquire()) {
                    order.add("first");
                }
                return null;
            });
            Async.yieldNow();
            lock.release();
            assertThat(lock.locked())
                    .as("the woken waiter has not taken it yet")
                    .isFalse();
            assertThat(lock.tryAcquire()).as("but nobody may barge in").isFalse();
            Task<Void> second = spawn(() -> {
                try (var _ = lock.acquire()) {
                    order.add("second");
                }
                return null;
            });
            Async.await(first);
            Async.await(second);
            assertThat(order).containsExactly("first", "second");
            assertThat(lock.locked()).isFalse();
            return null;
        });
    }

    @Test
    @DisplayName("A10.1 acquire takes the lock at once when every waiter is cancelled")
    void acquireSkipsCancelledWaiters() {
        run(() -> {
            Lock lock = new Lock();
            lock.acquire();
            Task<Acquired> waiter = spawn(lock::acquire);
            Async.yieldNow();
            waiter.cancel();
            lock.release();
            // The cancelled waiter is still queued (it has not resumed), yet does not block anyone.
            assertThat(lock.waiters()).hasSize(1);
            assertThat(lock.tryAcquire()).isTrue();
            Async.yieldNow();
            assertThat(waiter.isCancelled()).isTrue();
            assertThat(lock.waiters()).isEmpty();
            assertThat(lock.locked()).isTrue();
            return null;
        });
    }

    @Test
    @DisplayName("A10.1 release of an unlocked lock -> IllegalStateException(\"Lock is not acquired.\")")
    void releaseUnlocked() {
        run(() -> {
            Lock lock = new Lock();
            assertThatThrownBy(lock::release)
                    .isExactlyInstanceOf(IllegalStateException.class)
                    .hasMessage("Lock is not acquired.");
            lock.acquire();
            lock.release();
            assertThatThrownBy(lock::release).hasMessage("Lock is not acquired.");
            return null;
        });
    }

    @Test
    @DisplayName("try-with-resources releases the lock when the body throws")
    void tryWithResourcesReleases() {
        run(() -> {
            Lock lock = new Lock();
            assertThatThrownBy(() -> {
                        try (var _ = lock.acquire()) {
                            assertThat(lock.locked()).isTrue();
                            Async.yieldNow();
                            throw new IllegalArgumentException("boom");
                        }
                    })
                    .hasMessage("boom");
            assertThat(lock.locked()).isFalse();
            return null;
        });
    }

    @Test
    @DisplayName("a cancelled acquire leaves the lock to the holder and the queue clean")
    void cancelledAcquire() {
        run(() -> {
            Lock lock = new Lock();
            lock.acquire();
            Task<Acquired> waiter = spawn(lock::acquire);
            Async.yieldNow();
            waiter.cancel();
            assertThatThrownBy(() -> Async.await(waiter)).isInstanceOf(CancelledException.class);
            assertThat(lock.waiters()).isEmpty();
            assertThat(lock.locked()).isTrue();
            lock.release();
            assertThat(lock.locked()).isFalse();
            return null;
        });
    }

    @Test
    @DisplayName("a contended acquire outside a coroutine fails and leaves no waiter behind")
    void contendedAcquireOutsideCoroutine() {
        Lock lock = new Lock(loop);
        run(() -> lock.acquire());
        Task<Acquired> plain = loop.submit(lock::acquire);
        assertThatThrownBy(plain::join)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not inside a coroutine task");
        run(() -> {
            assertThat(lock.waiters()).isEmpty();
            assertThat(lock.locked()).isTrue();
            return null;
        });
        assertThat(loop.submit(() -> {
                            lock.release();
                            return lock.tryAcquire();
                        })
                        .join())
                .as("a run-to-completion task may use the lock when it need not wait")
                .isTrue();
    }
}
