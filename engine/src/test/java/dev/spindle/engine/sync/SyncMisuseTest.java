package dev.spindle.engine.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.engine.EventLoop;
import dev.spindle.engine.channel.Channel;
import dev.spindle.engine.channel.ChannelClosedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The rows of docs/misuse.md for the sync primitives and channels (M13 to M18): each misuse gets an
 * exception that names the problem, and the primitive is left exactly as it was, so no permit, item or
 * waiter is lost. The display names are the table's row numbers.
 */
class SyncMisuseTest extends SyncTestSupport {

    /** Runs {@code body} as a coroutine on {@code target} and returns what it threw, or null. */
    private Throwable thrownOn(EventLoop target, Callable<?> body) {
        return runOn(target, () -> {
            try {
                body.call();
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
    }

    private Throwable thrownOnLoop(Callable<?> body) {
        return thrownOn(loop, body);
    }

    @Test
    @DisplayName("M13 a loop-local primitive used from another loop or a plain thread")
    void foreignCallers() {
        Lock lock = new Lock(loop);
        Semaphore semaphore = new Semaphore(loop, 2);
        Event event = new Event(loop);
        Queue<String> queue = new Queue<>(loop, 4);
        Condition condition = new Condition(lock);

        List<Callable<?>> misuses = List.of(
                lock::acquire,
                lock::tryAcquire,
                semaphore::acquire,
                () -> {
                    semaphore.release();
                    return null;
                },
                () -> {
                    event.set();
                    return null;
                },
                () -> {
                    queue.putNowait("x");
                    return null;
                },
                queue::poll,
                condition::acquire);
        for (Callable<?> misuse : misuses) {
            Throwable fromOtherLoop = thrownOn(otherLoop, misuse);
            assertThat(fromOtherLoop)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("bound to loop " + loop.name())
                    .hasMessageContaining(otherLoop.name());
            assertThatThrownBy(misuse::call)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("bound to loop " + loop.name());
        }
        // Nothing was taken, given or queued by the refused calls.
        assertThat(run(() -> List.of(lock.locked(), semaphore.value(), event.isSet(), queue.size())))
                .containsExactly(false, 2, false, 0);

        // An unbound primitive cannot be changed from a plain thread: only a loop can bind it.
        Semaphore unbound = new Semaphore(1);
        assertThatThrownBy(unbound::acquire)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not a loop thread")
                .hasMessageContaining("explicit EventLoop");
        assertThat(unbound.value()).isEqualTo(1);
    }

    @Test
    @DisplayName("M14 releasing or signalling what is not held")
    void releasingWhatIsNotHeld() {
        Throwable unlocked = thrownOnLoop(() -> {
            new Lock().release();
            return null;
        });
        assertThat(unlocked).isInstanceOf(IllegalStateException.class).hasMessage("Lock is not acquired.");

        BoundedSemaphore bounded = new BoundedSemaphore(loop, 1);
        Throwable overReleased = thrownOnLoop(() -> {
            bounded.release();
            return null;
        });
        assertThat(overReleased)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("released too many times");
        assertThat(run(bounded::value))
                .as("the refused release added no permit")
                .isEqualTo(1);

        Condition condition = new Condition(loop);
        assertThat(thrownOnLoop(condition::await))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("un-acquired lock");
        assertThat(thrownOnLoop(() -> {
                    condition.signal();
                    return null;
                }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("un-acquired lock");
        assertThat(thrownOnLoop(() -> {
                    try (Acquired held = condition.acquire()) {
                        condition.signal(-1);
                    }
                    return null;
                }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("n:");
        assertThat(run(condition::locked))
                .as("the lock was released by try-with-resources")
                .isFalse();

        Queue<String> queue = new Queue<>(loop, 0);
        Throwable extraDone = thrownOnLoop(() -> {
            queue.putNowait("a");
            queue.getNowait();
            queue.taskDone();
            queue.taskDone();
            return null;
        });
        assertThat(extraDone).isInstanceOf(IllegalStateException.class).hasMessageContaining("too many times");
        assertThat(run(queue::unfinishedTasks)).isZero();
    }

    @Test
    @DisplayName("M15 nonsense arguments to the sync primitives and channels")
    void nonsenseArguments() {
        assertThatThrownBy(() -> new Semaphore(loop, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("value");
        assertThatThrownBy(() -> new BoundedSemaphore(loop, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Lock(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("loop");
        assertThatThrownBy(() -> new Condition((Lock) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("lock");
        assertThatThrownBy(() -> new Queue<String>(null, 1))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("loop");
        for (int capacity : new int[] {0, -1, Channel.MAX_CAPACITY + 1}) {
            assertThatThrownBy(() -> Channel.mpsc(capacity))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("capacity");
            assertThatThrownBy(() -> Channel.mpmc(capacity))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("capacity");
        }

        Channel<String> channel = Channel.mpmc(2);
        assertThatThrownBy(() -> channel.trySend(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("item");
        assertThatThrownBy(() -> channel.sendBlocking("a", null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("timeout");
        assertThat(channel.size()).as("no refused item entered the channel").isZero();

        Queue<String> queue = new Queue<>(loop, 2);
        assertThat(thrownOnLoop(() -> {
                    queue.putNowait(null);
                    return null;
                }))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("item");
        Condition condition = new Condition(loop);
        assertThat(thrownOnLoop(() -> {
                    try (Acquired held = condition.acquire()) {
                        return condition.waitFor(null);
                    }
                }))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("predicate");
        assertThat(run(queue::size)).isZero();
    }

    @Test
    @DisplayName("M16 a queue used in the wrong state: full, empty or shut down")
    void queueInTheWrongState() {
        Queue<String> queue = new Queue<>(loop, 1);
        List<Object> outcomes = run(() -> {
            List<Object> seen = new ArrayList<>();
            try {
                queue.getNowait();
            } catch (QueueEmptyException e) {
                seen.add(e.getMessage());
            }
            queue.putNowait("kept");
            try {
                queue.putNowait("refused");
            } catch (QueueFullException e) {
                seen.add(e.getMessage());
            }
            seen.add(queue.offer("refused too"));
            queue.shutdown(false);
            try {
                queue.putNowait("after shutdown");
            } catch (QueueShutDownException e) {
                seen.add("put refused");
            }
            seen.add(queue.getNowait()); // items put before the shutdown are still delivered
            try {
                queue.get();
            } catch (QueueShutDownException e) {
                seen.add("get refused");
            }
            return seen;
        });
        assertThat(outcomes)
                .containsExactly(
                        "Queue is empty", "Queue is full (maxSize 1)", false, "put refused", "kept", "get refused");
    }

    @Test
    @DisplayName("M17 a closed channel")
    void closedChannel() throws InterruptedException {
        Channel<String> channel = Channel.mpmc(4);
        channel.trySend("before close");
        assertThat(channel.close()).isTrue();
        assertThat(channel.close()).as("close is idempotent").isFalse();

        assertThatThrownBy(() -> channel.trySend("late"))
                .isInstanceOf(ChannelClosedException.class)
                .hasMessageContaining("cannot send")
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> channel.sendBlocking("late")).isInstanceOf(ChannelClosedException.class);
        assertThat(thrownOnLoop(() -> {
                    channel.send("late");
                    return null;
                }))
                .isInstanceOf(ChannelClosedException.class);

        // The item sent before the close is still received once; then receivers are told it is drained.
        assertThat(channel.receiveBlocking()).isEqualTo("before close");
        assertThatThrownBy(channel::receiveBlocking)
                .isInstanceOf(ChannelClosedException.class)
                .hasMessageContaining("every item was received");
        assertThat(thrownOnLoop(channel::receive)).isInstanceOf(ChannelClosedException.class);
        assertThat(channel.isDrained()).isTrue();
    }

    @Test
    @DisplayName("M18 a channel used from the wrong place")
    void channelFromTheWrongPlace() throws InterruptedException {
        Channel<String> mpsc = Channel.mpsc(2);
        mpsc.trySend("one");
        mpsc.trySend("two");
        assertThat(mpsc.tryReceive()).isEqualTo("one"); // the test thread is now the consumer
        Throwable secondConsumer = thrownOnLoop(mpsc::tryReceive);
        assertThat(secondConsumer)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("single consumer")
                .hasMessageContaining("Channel.mpmc");
        assertThat(mpsc.size()).as("the refused receive took nothing").isEqualTo(1);

        Channel<String> empty = Channel.mpmc(1);
        assertThat(thrownOnLoop(empty::receiveBlocking))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("would block the loop thread");
        empty.trySend("fill");
        assertThat(thrownOnLoop(() -> {
                    empty.sendBlocking("more");
                    return null;
                }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("would block the loop thread");
        assertThatThrownBy(() -> empty.send("outside a task"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not inside a coroutine task")
                .hasMessageContaining("trySend or sendBlocking");
        assertThat(empty.tryReceive()).isEqualTo("fill");
        assertThatThrownBy(empty::receive)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not inside a coroutine task");
        assertThat(empty.isEmpty())
                .as("no refused call left an item or a waiter behind")
                .isTrue();
        assertThat(empty.trySend("after")).isTrue();
        assertThat(empty.receiveBlocking(Duration.ofSeconds(5))).isEqualTo("after");
    }
}
