package dev.spindle.engine.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.engine.Async;
import dev.spindle.engine.CancelledException;
import dev.spindle.engine.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Queue: scenarios 52-53 of test_queues.py (conformance/scenarios.md) and the rest of rule A11. */
class QueueTest extends SyncTestSupport {

    @Test
    @DisplayName("52 test_put_cancel_drop")
    void putCancelDrop() {
        run(() -> {
            Queue<Integer> q = new Queue<>(1);
            q.putNowait(1);
            // Putting a second item has to wait: the queue is full.
            Task<Void> writer = spawn(() -> {
                q.put(2);
                return null;
            });
            Async.yieldNow();
            assertThat(q.getNowait()).isEqualTo(1); // frees the slot and wakes the writer
            writer.cancel(); // before it resumed: it must not enqueue
            try {
                Async.await(writer);
            } catch (CancelledException e) {
                assertThat(q.size()).as("the cancelled put left nothing behind").isZero();
                writer = spawn(() -> {
                    q.put(2); // try again
                    return null;
                });
                Async.await(writer);
            }
            assertThat(q.getNowait()).isEqualTo(2);
            assertThat(q.size()).isZero();
            return null;
        });
    }

    @Test
    @DisplayName("52 test_put_cancelled_race")
    void putCancelledRace() {
        run(() -> {
            Queue<String> q = new Queue<>(1);
            Task<Void> putA = spawn(() -> put(q, "a"));
            Task<Void> putB = spawn(() -> put(q, "b"));
            Task<Void> putC = spawn(() -> put(q, "X"));
            Async.yieldNow();
            assertThat(putA.isDone()).isTrue();
            assertThat(putB.isDone()).isFalse();

            putC.cancel();
            Async.yieldNow();
            assertThat(putC.isCancelled()).isTrue();
            assertThat(q.getNowait()).isEqualTo("a");
            Async.yieldNow();
            assertThat(q.getNowait()).isEqualTo("b");
            Async.await(putB);
            assertThat(q.isEmpty()).isTrue();
            return null;
        });
    }

    private static Void put(Queue<String> q, String item) {
        q.put(item);
        return null;
    }

    @Test
    @DisplayName("53 test_shutdown_nonempty")
    void shutdownNonempty() {
        run(() -> {
            Queue<String> q = new Queue<>(1);
            q.putNowait("data");
            Task<Void> joinTask = spawn(() -> {
                q.join();
                return null;
            });
            Task<Void> putTask = spawn(() -> put(q, "data2"));
            Async.yieldNow();
            assertThat(putTask.isDone()).isFalse();

            assertThat(q.shutdown(false)).isEmpty(); // unfinished tasks: 1 -> 1
            assertThat(q.size()).isEqualTo(1);
            Async.yieldNow();
            assertThat(putTask.isDone()).isTrue();
            assertThatThrownBy(() -> Async.await(putTask)).isInstanceOf(QueueShutDownException.class);

            assertThat(q.get()).as("the remaining item is still readable").isEqualTo("data");
            Async.yieldNow();
            assertThat(joinTask.isDone()).isFalse();

            assertThatThrownBy(() -> q.put("data")).isInstanceOf(QueueShutDownException.class);
            assertThatThrownBy(() -> q.putNowait("data")).isInstanceOf(QueueShutDownException.class);
            assertThatThrownBy(() -> q.offer("data")).isInstanceOf(QueueShutDownException.class);
            assertThatThrownBy(q::get).isInstanceOf(QueueShutDownException.class);
            assertThatThrownBy(q::getNowait).isInstanceOf(QueueShutDownException.class);
            assertThatThrownBy(q::poll).isInstanceOf(QueueShutDownException.class);

            assertThat(q.unfinishedTasks()).isEqualTo(1);
            q.taskDone();
            Async.yieldNow();
            assertThat(joinTask.isDone()).isTrue();
            assertThat(Async.await(joinTask)).isNull();
            return null;
        });
    }

    @Test
    @DisplayName("53 test_shutdown_immediate")
    void shutdownImmediate() {
        run(() -> {
            Queue<String> q = new Queue<>();
            q.putNowait("data");
            Task<Void> joinTask = spawn(() -> {
                q.join();
                return null;
            });
            assertThat(q.shutdown(true)).containsExactly("data"); // unfinished tasks: 1 -> 0
            assertThat(q.size()).isZero();
            Async.yieldNow();
            assertThat(joinTask.isDone()).isTrue();
            assertThat(Async.await(joinTask)).isNull();

            assertThatThrownBy(() -> q.put("data")).isInstanceOf(QueueShutDownException.class);
            assertThatThrownBy(() -> q.putNowait("data")).isInstanceOf(QueueShutDownException.class);
            assertThatThrownBy(q::get).isInstanceOf(QueueShutDownException.class);
            assertThatThrownBy(q::getNowait).isInstanceOf(QueueShutDownException.class);
            assertThatThrownBy(q::taskDone)
                    .isExactlyInstanceOf(IllegalStateException.class)
                    .hasMessage("taskDone() called too many times");
            return null;
        });
    }

    @Test
    @DisplayName("53 test_shutdown_immediate_with_unfinished")
    void shutdownImmediateWithUnfinished() {
        run(() -> {
            Queue<String> q = new Queue<>();
            q.putNowait("data");
            q.putNowait("data");
            Task<Void> joinTask = spawn(() -> {
                q.join();
                return null;
            });
            assertThat(q.get()).isEqualTo("data");
            assertThat(q.shutdown(true)).containsExactly("data"); // unfinished tasks: 2 -> 1
            assertThat(q.size()).isZero();
            Async.yieldNow();
            assertThat(joinTask.isDone()).isFalse();

            assertThatThrownBy(() -> q.put("data")).isInstanceOf(QueueShutDownException.class);
            assertThatThrownBy(() -> q.putNowait("data")).isInstanceOf(QueueShutDownException.class);
            assertThatThrownBy(q::get).isInstanceOf(QueueShutDownException.class);
            assertThatThrownBy(q::getNowait).isInstanceOf(QueueShutDownException.class);

            q.taskDone();
            assertThatThrownBy(q::taskDone).hasMessage("taskDone() called too many times");
            Async.yieldNow();
            assertThat(joinTask.isDone()).isTrue();
            assertThat(Async.await(joinTask)).isNull();
            return null;
        });
    }

    @Test
    @DisplayName("A11.4 shutdown wakes blocked getters, which drain the queue and then raise")
    void shutdownWakesGetters() {
        run(() -> {
            Queue<Integer> q = new Queue<>();
            List<Task<Integer>> getters = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                getters.add(spawn(q::get));
            }
            Async.yieldNow();
            assertThat(q.getters()).hasSize(3);
            q.putNowait(7); // wakes the first getter only
            q.shutdown(false);
            assertThat(q.getters()).isEmpty();
            Async.yieldNow();
            assertThat(getters.get(0).result()).isEqualTo(7);
            assertThatThrownBy(() -> Async.await(getters.get(1))).isInstanceOf(QueueShutDownException.class);
            assertThatThrownBy(() -> Async.await(getters.get(2))).isInstanceOf(QueueShutDownException.class);
            return null;
        });
    }

    @Test
    @DisplayName("A11.3 a getter cancelled after being woken leaves the item to the next getter")
    void wokenGetterCancelledPassesItemOn() {
        run(() -> {
            Queue<String> q = new Queue<>();
            Task<String> g1 = spawn(q::get);
            Task<String> g2 = spawn(q::get);
            Async.yieldNow();
            q.putNowait("item"); // wakes g1
            g1.cancel(); // before it resumed
            Async.yieldNow();
            assertThat(g1.isCancelled()).isTrue();
            Async.yieldNow();
            assertThat(g2.isDone()).as("the wake-up went to the next getter").isTrue();
            assertThat(g2.result()).isEqualTo("item");
            assertThat(q.isEmpty()).isTrue();
            assertThat(q.getters()).isEmpty();
            return null;
        });
    }

    @Test
    @DisplayName("A11.3 a woken getter is not handed the item: another caller may take it first")
    void bargingBetweenWakeUpAndResume() {
        run(() -> {
            Queue<String> q = new Queue<>();
            Task<String> getter = spawn(q::get);
            Async.yieldNow();
            q.putNowait("first");
            assertThat(q.getNowait()).as("barges in before the getter resumes").isEqualTo("first");
            Async.yieldNow();
            assertThat(getter.isDone())
                    .as("the getter found nothing and waits again")
                    .isFalse();
            assertThat(q.getters()).hasSize(1);
            q.putNowait("second");
            assertThat(Async.await(getter)).isEqualTo("second");
            return null;
        });
    }

    @Test
    @DisplayName("A11.3 a putter cancelled after being woken passes the free slot to the next putter")
    void wokenPutterCancelledPassesSlotOn() {
        run(() -> {
            Queue<String> q = new Queue<>(1);
            q.putNowait("a");
            Task<Void> p1 = spawn(() -> put(q, "b"));
            Task<Void> p2 = spawn(() -> put(q, "c"));
            Async.yieldNow();
            assertThat(q.getNowait()).isEqualTo("a"); // wakes p1
            p1.cancel();
            Async.yieldNow();
            assertThat(p1.isCancelled()).isTrue();
            Async.yieldNow();
            assertThat(p2.isDone()).as("the free slot went to the next putter").isTrue();
            assertThat(q.getNowait()).isEqualTo("c");
            assertThat(q.isEmpty()).isTrue();
            assertThat(q.putters()).isEmpty();
            return null;
        });
    }

    @Test
    @DisplayName("A11.1 maxSize <= 0 is unbounded; the nowait variants raise, offer/poll answer")
    void capacityAndNowait() {
        run(() -> {
            for (int maxSize : new int[] {0, -1}) {
                Queue<Integer> unbounded = new Queue<>(maxSize);
                for (int i = 0; i < 1000; i++) {
                    unbounded.put(i);
                }
                assertThat(unbounded.isFull()).isFalse();
                assertThat(unbounded.size()).isEqualTo(1000);
            }
            Queue<Integer> q = new Queue<>(2);
            assertThat(q.maxSize()).isEqualTo(2);
            assertThat(q.poll()).isNull();
            assertThatThrownBy(q::getNowait)
                    .isInstanceOf(QueueEmptyException.class)
                    .isInstanceOf(NoSuchElementException.class);
            assertThat(q.offer(1)).isTrue();
            q.putNowait(2);
            assertThat(q.isFull()).isTrue();
            assertThat(q.offer(3)).isFalse();
            assertThatThrownBy(() -> q.putNowait(3))
                    .isInstanceOf(QueueFullException.class)
                    .isInstanceOf(IllegalStateException.class);
            assertThat(q.poll()).isEqualTo(1);
            assertThat(q.getNowait()).isEqualTo(2);
            assertThatThrownBy(() -> q.put(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> q.offer(null)).isInstanceOf(NullPointerException.class);
            return null;
        });
    }

    @Test
    @DisplayName("A11.1 put waits while full and getters are served in FIFO order")
    void blockingPutAndFifoGetters() {
        run(() -> {
            Queue<Integer> q = new Queue<>(1);
            List<Integer> got = new ArrayList<>();
            Task<Void> producer = spawn(() -> {
                for (int i = 1; i <= 4; i++) {
                    q.put(i);
                }
                return null;
            });
            List<Task<Void>> consumers = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                consumers.add(spawn(() -> {
                    got.add(q.get());
                    got.add(q.get());
                    return null;
                }));
            }
            Async.await(producer);
            for (Task<Void> c : consumers) {
                Async.await(c);
            }
            assertThat(got).containsExactly(1, 2, 3, 4);
            return null;
        });
    }

    @Test
    @DisplayName("A11.2 join waits until every item is marked done; taskDone too often raises")
    void joinAndTaskDone() {
        run(() -> {
            Queue<String> q = new Queue<>();
            q.join(); // nothing unfinished: returns at once
            assertThatThrownBy(q::taskDone).hasMessage("taskDone() called too many times");
            q.put("a");
            q.put("b");
            List<String> events = new ArrayList<>();
            Task<Void> joiner = spawn(() -> {
                q.join();
                events.add("joined");
                return null;
            });
            Task<Void> worker = spawn(() -> {
                for (int i = 0; i < 2; i++) {
                    String item = q.get();
                    Async.yieldNow();
                    events.add("done " + item);
                    q.taskDone();
                }
                return null;
            });
            Async.await(joiner);
            Async.await(worker);
            assertThat(events).containsExactly("done a", "done b", "joined");
            assertThat(q.unfinishedTasks()).isZero();
            return null;
        });
    }

    @Test
    @DisplayName("a cancelled get takes nothing and leaves no waiter")
    void cancelledGet() {
        run(() -> {
            Queue<String> q = new Queue<>();
            Task<String> getter = spawn(q::get);
            Async.yieldNow();
            getter.cancel();
            assertThatThrownBy(() -> Async.await(getter)).isInstanceOf(CancelledException.class);
            assertThat(q.getters()).isEmpty();
            q.putNowait("kept");
            assertThat(q.getNowait()).isEqualTo("kept");
            return null;
        });
    }
}
