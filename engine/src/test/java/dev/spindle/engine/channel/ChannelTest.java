package dev.spindle.engine.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.engine.Async;
import dev.spindle.engine.Task;
import dev.spindle.engine.TaskState;
import dev.spindle.engine.TaskTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Sending and receiving on one loop: FIFO, capacity, suspension, and where each variant may be called. */
class ChannelTest extends ChannelTestSupport {

    @Test
    void rejectsAnOutOfRangeCapacityAndNullItems() {
        assertThatThrownBy(() -> Channel.mpsc(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Channel.mpmc(Channel.MAX_CAPACITY + 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("capacity");
        Channel<String> channel = Channel.mpmc(1);
        assertThatThrownBy(() -> channel.trySend(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> channel.sendBlocking(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void capacityIsExactNotRoundedToAPowerOfTwo() {
        for (Channel<Integer> channel : List.of(Channel.<Integer>mpsc(3), Channel.<Integer>mpmc(3))) {
            assertThat(channel.trySend(1)).isTrue();
            assertThat(channel.trySend(2)).isTrue();
            assertThat(channel.trySend(3)).isTrue();
            assertThat(channel.trySend(4)).as("full at 3").isFalse();
            assertThat(channel.size()).isEqualTo(3);
            assertThat(channel.capacity()).isEqualTo(3);
            assertThat(channel.tryReceive()).isEqualTo(1);
            assertThat(channel.trySend(5)).isTrue();
            assertThat(channel.tryReceive()).isEqualTo(2);
            assertThat(channel.tryReceive()).isEqualTo(3);
            assertThat(channel.tryReceive()).isEqualTo(5);
            assertThat(channel.tryReceive()).isNull();
            assertThat(channel.isEmpty()).isTrue();
        }
    }

    @Test
    void capacityOneHoldsOneItem() {
        Channel<String> channel = Channel.mpsc(1);
        assertThat(channel.trySend("a")).isTrue();
        assertThat(channel.trySend("b")).isFalse();
        assertThat(channel.tryReceive()).isEqualTo("a");
        assertThat(channel.trySend("b")).isTrue();
    }

    @Test
    void senderSuspendsWhenFullAndResumesWhenASlotFrees() {
        Channel<Integer> channel = Channel.mpsc(2);
        List<Integer> got = run(() -> {
            Task<Void> sender = loop.spawn(() -> {
                for (int i = 0; i < 5; i++) {
                    channel.send(i);
                }
                return null;
            });
            Async.yieldNow(); // the sender fills both slots, then suspends on the third item
            assertThat(sender.state()).isEqualTo(TaskState.SUSPENDED);
            assertThat(channel.size()).isEqualTo(2);
            assertThat(channel.waitingSenders()).isEqualTo(1);

            List<Integer> received = new ArrayList<>();
            received.add(channel.receive()); // frees a slot and wakes the sender
            assertThat(channel.size()).isEqualTo(1);
            Async.yieldNow(); // the sender resumes, sends 2, and suspends again on 3
            assertThat(channel.size()).isEqualTo(2);
            assertThat(sender.state()).isEqualTo(TaskState.SUSPENDED);
            while (received.size() < 5) {
                received.add(channel.receive());
            }
            Async.await(sender);
            return received;
        });
        assertThat(got).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void receiverSuspendsWhenEmptyAndResumesWithTheItem() {
        Channel<String> channel = Channel.mpsc(4);
        String got = run(() -> {
            Task<String> receiver = loop.spawn(channel::receive);
            Async.yieldNow();
            assertThat(receiver.state()).isEqualTo(TaskState.SUSPENDED);
            assertThat(channel.waitingReceivers()).isEqualTo(1);
            channel.send("x");
            return Async.await(receiver);
        });
        assertThat(got).isEqualTo("x");
    }

    @Test
    void itemsOfEachProducerArriveInOrderThroughBackpressure() {
        Channel<int[]> channel = Channel.mpsc(4);
        int producers = 3;
        int perProducer = 500;
        List<int[]> got = run(() -> {
            for (int p = 0; p < producers; p++) {
                int id = p;
                loop.spawn(() -> {
                    for (int seq = 0; seq < perProducer; seq++) {
                        channel.send(new int[] {id, seq});
                        if (seq % 7 == id) {
                            Async.yieldNow(); // vary the interleaving
                        }
                    }
                    return null;
                });
            }
            List<int[]> received = new ArrayList<>();
            for (int i = 0; i < producers * perProducer; i++) {
                received.add(channel.receive());
            }
            return received;
        });
        int[] next = new int[producers];
        for (int[] item : got) {
            assertThat(item[1]).as("item of producer %d", item[0]).isEqualTo(next[item[0]]++);
        }
        assertThat(next).containsOnly(perProducer);
    }

    @Test
    void sendAndReceiveWorkOutsideACoroutineWhenTheyNeedNotWait() {
        Channel<String> channel = Channel.mpmc(1);
        channel.send("a"); // the test thread: room, so no suspension is needed
        assertThat(channel.receive()).isEqualTo("a");

        assertThatThrownBy(channel::receive)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("receive() must wait")
                .hasMessageContaining("tryReceive or receiveBlocking");
        channel.send("b");
        assertThatThrownBy(() -> channel.send("c"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("send() must wait");
        assertThat(channel.waitingSenders()).isZero();
        assertThat(channel.waitingReceivers()).isZero();
        assertThat(channel.tryReceive()).as("the refused send enqueued nothing").isEqualTo("b");
        assertThat(channel.tryReceive()).isNull();
    }

    @Test
    void aRunToCompletionTaskMayNotWaitEither() {
        Channel<String> channel = Channel.mpmc(1);
        Task<String> task = loop.submit(channel::receive);
        assertThatThrownBy(() -> join(task))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not inside a coroutine task");
    }

    @Test
    void blockingVariantsRefuseToBlockInsideATask() {
        Channel<String> channel = Channel.mpmc(1);
        run(() -> {
            assertThatThrownBy(channel::receiveBlocking)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("would block the loop thread");
            channel.sendBlocking("a"); // room: no need to block
            assertThatThrownBy(() -> channel.sendBlocking("b", Duration.ofSeconds(1)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("would block the loop thread");
            assertThat(channel.receiveBlocking()).isEqualTo("a"); // an item: no need to block
            return null;
        });
        assertThat(channel.isEmpty()).isTrue();
    }

    @Test
    void timedBlockingCallsGiveUpAndLeaveNothingBehind() throws InterruptedException {
        Channel<String> channel = Channel.mpmc(1);
        assertThat(channel.receiveBlocking(Duration.ofMillis(5))).isNull();
        assertThat(channel.receiveBlocking(Duration.ZERO)).isNull();
        assertThat(channel.sendBlocking("a", Duration.ZERO)).isTrue();
        assertThat(channel.sendBlocking("b", Duration.ofMillis(5))).isFalse();
        assertThat(channel.sendBlocking("b", Duration.ofSeconds(-1))).isFalse();
        assertThat(channel.waitingSenders()).isZero();
        assertThat(channel.waitingReceivers()).isZero();
        assertThat(channel.receiveBlocking(Duration.ofDays(365_000))).isEqualTo("a");
        assertThat(channel.tryReceive())
                .as("the timed-out send enqueued nothing")
                .isNull();
    }

    @Test
    void aTimeoutAroundReceiveLeavesNoWaiterAndLosesNoLaterItem() {
        Channel<String> channel = Channel.mpsc(2);
        run(() -> {
            assertThatThrownBy(() -> Async.timeout(Duration.ofSeconds(1), scope -> channel.receive()))
                    .isInstanceOf(TaskTimeoutException.class);
            assertThat(channel.waitingReceivers()).isZero();
            channel.send("late");
            assertThat(channel.receive()).isEqualTo("late");
            return null;
        });
    }

    @Test
    void aTimeoutAroundSendDoesNotSendTheItem() {
        Channel<String> channel = Channel.mpsc(1);
        run(() -> {
            channel.send("a");
            assertThatThrownBy(() -> Async.timeout(Duration.ofSeconds(1), scope -> {
                        channel.send("b");
                        return null;
                    }))
                    .isInstanceOf(TaskTimeoutException.class);
            assertThat(channel.waitingSenders()).isZero();
            assertThat(channel.receive()).isEqualTo("a");
            assertThat(channel.tryReceive()).isNull();
            return null;
        });
    }

    @Test
    void mpscRejectsASecondConsumerThread() {
        Channel<String> channel = Channel.mpsc(4);
        channel.trySend("a");
        channel.trySend("b");
        // The tasks of loop 0 share its thread: two of them may both receive.
        run(() -> {
            Task<String> first = loop.spawn(channel::receive);
            Task<String> second = loop.spawn(channel::receive);
            assertThat(List.of(Async.await(first), Async.await(second))).containsExactlyInAnyOrder("a", "b");
            return null;
        });
        assertThat(channel.isSingleConsumer()).isTrue();
        assertThatThrownBy(channel::tryReceive)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("single consumer, " + loop.name())
                .hasMessageContaining("Channel.mpmc");
        Task<String> elsewhere = other.spawn(channel::receive);
        assertThatThrownBy(() -> join(elsewhere)).isInstanceOf(IllegalStateException.class);
        channel.trySend("c");
        assertThat(run(channel::receive)).as("the consumer still works").isEqualTo("c");
    }

    @Test
    void mpmcAcceptsConsumersOnEveryThread() throws InterruptedException {
        Channel<String> channel = Channel.mpmc(4);
        channel.trySend("a");
        channel.trySend("b");
        channel.trySend("c");
        assertThat(run(channel::receive)).isEqualTo("a");
        assertThat(join(other.spawn(channel::receive))).isEqualTo("b");
        assertThat(channel.receiveBlocking()).isEqualTo("c");
        assertThat(channel.isSingleConsumer()).isFalse();
    }

    @Test
    void toStringShowsVariantFillAndState() {
        Channel<String> channel = Channel.mpsc(2);
        channel.trySend("a");
        assertThat(channel).hasToString("Channel[mpsc 1/2]");
        channel.close();
        assertThat(channel).hasToString("Channel[mpsc 1/2 closed]");
        channel.tryReceive();
        assertThat(channel).hasToString("Channel[mpsc 0/2 drained]");
    }
}
