package dev.spindle.engine.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.engine.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jctools.queues.varhandle.MpmcVarHandleArrayQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The store-then-load protocol, one interleaving at a time. A waiter queue that runs the other side's
 * operation at an exact point of a registration (just before the waiter is linked, or just after) makes
 * each race of the package documentation happen deterministically: the waiter must then neither sleep
 * through an item, a free slot or the close, nor leave itself linked, nor lose a wake-up it received.
 */
class ChannelInterleavingTest extends ChannelTestSupport {

    /** Runs an action once, just before or just after the next waiter is linked. */
    static final class Interposed extends WaiterQueue {
        private Runnable before;
        private Runnable after;

        void beforeNextLink(Runnable action) {
            before = action;
        }

        void afterNextLink(Runnable action) {
            after = action;
        }

        @Override
        void add(Object waiter) {
            Runnable b = before;
            before = null;
            if (b != null) {
                b.run();
            }
            super.add(waiter);
            Runnable a = after;
            after = null;
            if (a != null) {
                a.run();
            }
        }
    }

    /** An MPMC item queue that runs an action once, before the next offer or after the next poll that takes. */
    static final class HookedItems extends MpmcVarHandleArrayQueue<String> {
        private Runnable beforeOffer;
        private Runnable afterTake;

        HookedItems(int capacity) {
            super(capacity);
        }

        void beforeNextOffer(Runnable action) {
            beforeOffer = action;
        }

        void afterNextTake(Runnable action) {
            afterTake = action;
        }

        @Override
        public boolean offer(String item) {
            Runnable action = beforeOffer;
            beforeOffer = null;
            if (action != null) {
                action.run();
            }
            return super.offer(item);
        }

        @Override
        public String poll() {
            String item = super.poll();
            Runnable action = item == null ? null : afterTake;
            if (action != null) {
                afterTake = null;
                action.run();
            }
            return item;
        }
    }

    enum Side {
        THREAD,
        COROUTINE
    }

    private final Interposed receivers = new Interposed();
    private final Interposed senders = new Interposed();

    private Channel<String> channel(String variant, int capacity) {
        boolean mpsc = variant.equals("mpsc");
        return new Channel<>(capacity, mpsc, Channel.newQueue(capacity, mpsc), receivers, senders);
    }

    /** Receives as a plain thread (this test's) or as a coroutine on loop 0. */
    private String receive(Side side, Channel<String> channel) {
        Callable<String> body = () -> side == Side.THREAD ? channel.receiveBlocking(STUCK) : channel.receive();
        return side == Side.THREAD ? call(body) : run(body);
    }

    /** Sends as a plain thread (this test's) or as a coroutine on loop 0. */
    private boolean send(Side side, Channel<String> channel, String item) {
        Callable<Boolean> body = () -> {
            if (side == Side.THREAD) {
                return channel.sendBlocking(item, STUCK);
            }
            channel.send(item);
            return true;
        };
        return side == Side.THREAD ? call(body) : run(body);
    }

    private static <T> T call(Callable<T> body) {
        try {
            return body.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"mpsc, THREAD", "mpsc, COROUTINE", "mpmc, THREAD", "mpmc, COROUTINE"})
    void anItemSentJustBeforeTheReceiverIsLinkedIsFoundByItsRecheck(String variant, Side side) {
        Channel<String> channel = channel(variant, 2);
        // The sender finds no waiter to wake: only the receiver's re-poll can see the item.
        receivers.beforeNextLink(() -> assertThat(channel.trySend("x")).isTrue());
        assertThat(receive(side, channel)).isEqualTo("x");
        assertThat(receivers.linked())
                .as("the withdrawn waiter is unlinked or stale")
                .isLessThanOrEqualTo(1);
        assertThat(receivers.waiting()).isZero();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"mpsc, THREAD", "mpsc, COROUTINE", "mpmc, THREAD", "mpmc, COROUTINE"})
    void anItemSentJustAfterTheReceiverIsLinkedWakesIt(String variant, Side side) {
        Channel<String> channel = channel(variant, 2);
        // The sender wakes the fresh waiter; the receiver's re-poll then uses that wake-up.
        receivers.afterNextLink(() -> assertThat(channel.trySend("x")).isTrue());
        assertThat(receive(side, channel)).isEqualTo("x");
        assertThat(receivers.linked()).isZero();
        assertThat(channel.isEmpty()).isTrue();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"mpsc, THREAD", "mpsc, COROUTINE", "mpmc, THREAD", "mpmc, COROUTINE"})
    void aCloseJustBeforeTheReceiverIsLinkedIsSeenByItsRecheck(String variant, Side side) {
        Channel<String> channel = channel(variant, 2);
        receivers.beforeNextLink(channel::close);
        assertThatThrownBy(() -> receive(side, channel)).isInstanceOf(ChannelClosedException.class);
        assertThat(receivers.waiting()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"THREAD", "COROUTINE"})
    void aSlotFreedJustBeforeTheSenderIsLinkedIsFoundByItsRecheck(Side side) {
        Channel<String> channel = channel("mpmc", 1);
        channel.trySend("a");
        List<String> taken = new ArrayList<>();
        // The receiver finds no sender to wake: only the sender's re-check can see the free slot.
        senders.beforeNextLink(() -> taken.add(channel.tryReceive()));
        assertThat(send(side, channel, "b")).isTrue();
        assertThat(taken).containsExactly("a");
        assertThat(channel.tryReceive()).isEqualTo("b");
        assertThat(senders.waiting()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"THREAD", "COROUTINE"})
    void aSlotFreedJustAfterTheSenderIsLinkedWakesIt(Side side) {
        Channel<String> channel = channel("mpmc", 1);
        channel.trySend("a");
        List<String> taken = new ArrayList<>();
        senders.afterNextLink(() -> taken.add(channel.tryReceive()));
        assertThat(send(side, channel, "b")).isTrue();
        assertThat(taken).containsExactly("a");
        assertThat(channel.tryReceive()).isEqualTo("b");
        assertThat(senders.linked()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"THREAD", "COROUTINE"})
    void aCloseJustBeforeTheSenderIsLinkedIsSeenByItsRecheck(Side side) {
        Channel<String> channel = channel("mpmc", 1);
        channel.trySend("a");
        senders.beforeNextLink(channel::close);
        assertThatThrownBy(() -> send(side, channel, "b")).isInstanceOf(ChannelClosedException.class);
        assertThat(channel.tryReceive()).isEqualTo("a");
        assertThat(channel.tryReceive()).isNull();
        assertThat(channel.isDrained()).isTrue();
    }

    @Test
    void aSendInFlightWhenTheChannelClosesIsDrainedAndOnlyThenReported() {
        // The sender has taken its slot and is about to enqueue when the channel closes: receivers must wait
        // for its item rather than report the close, and the one that takes it must tell the others.
        HookedItems items = new HookedItems(2);
        Channel<String> channel = new Channel<>(2, false, items, receivers, senders);
        List<Task<String>> waiting = new ArrayList<>();
        items.beforeNextOffer(() -> {
            assertThat(channel.close()).isTrue();
            assertThat(channel.isDrained()).as("a slot is still taken").isFalse();
            waiting.add(loop.spawn(channel::receive));
            waiting.add(other.spawn(channel::receive));
            awaitCondition(
                    "both receivers wait (or end)",
                    () -> channel.waitingReceivers()
                                    + waiting.stream().filter(Task::isDone).count()
                            == 2);
            assertThat(waiting).as("nobody was told 'closed' yet").noneMatch(Task::isDone);
        });
        assertThat(channel.trySend("in flight")).isTrue();
        List<String> outcomes = new ArrayList<>();
        for (Task<String> receiver : waiting) {
            try {
                outcomes.add(join(receiver));
            } catch (ChannelClosedException drained) {
                outcomes.add("closed");
            }
        }
        assertThat(outcomes).containsExactlyInAnyOrder("in flight", "closed");
        assertThat(channel.isDrained()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"THREAD", "COROUTINE"})
    void aReceiverWhoseRecheckTookAnOlderItemHandsOnTheWakeUpForANewerOne(Side side) {
        HookedItems items = new HookedItems(2);
        Channel<String> channel = new Channel<>(2, false, items, receivers, senders);
        List<Task<String>> second = new ArrayList<>();
        // "old" arrives while nobody waits, so its sender wakes no one; the receiver then links its waiter
        // and its re-poll takes "old".
        receivers.beforeNextLink(() -> assertThat(channel.trySend("old")).isTrue());
        items.afterNextTake(() -> {
            // Before the receiver leaves the queue: a second receiver waits behind it, and "new" arrives,
            // whose sender wakes the first waiter in line, the receiver that already has "old".
            second.add(other.spawn(channel::receive));
            awaitCondition("the second receiver waits", () -> receivers.waiting() == 2);
            assertThat(channel.trySend("new")).isTrue();
        });
        assertThat(receive(side, channel)).isEqualTo("old");
        // Unless the receiver hands that wake-up on, the second sleeps beside "new" forever.
        assertThat(join(second.get(0))).isEqualTo("new");
        assertThat(channel.isEmpty()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"THREAD", "COROUTINE"})
    void aSenderWhoseRecheckTookAnOlderSlotHandsOnTheWakeUpForANewerOne(Side side) {
        HookedItems items = new HookedItems(2);
        Channel<String> channel = new Channel<>(2, false, items, receivers, senders);
        channel.trySend("a1");
        channel.trySend("a2");
        List<String> taken = new ArrayList<>();
        List<Task<Boolean>> second = new ArrayList<>();
        // A slot frees while nobody waits, so no sender is woken; the sender then links its waiter and its
        // re-check takes that slot.
        senders.beforeNextLink(() -> taken.add(channel.tryReceive()));
        items.beforeNextOffer(() -> {
            // Before the sender leaves the queue: a second sender waits behind it, and another slot frees,
            // which wakes the first waiter in line, the sender that already has a slot.
            second.add(other.spawn(() -> {
                channel.send("c");
                return true;
            }));
            awaitCondition("the second sender waits", () -> senders.waiting() == 2);
            taken.add(channel.tryReceive());
        });
        assertThat(send(side, channel, "b")).isTrue();
        // Unless the sender hands that wake-up on, the second sleeps beside a free slot forever.
        assertThat(join(second.get(0))).isTrue();
        assertThat(taken).containsExactly("a1", "a2");
        assertThat(List.of(channel.tryReceive(), channel.tryReceive())).containsExactly("b", "c");
    }
}
