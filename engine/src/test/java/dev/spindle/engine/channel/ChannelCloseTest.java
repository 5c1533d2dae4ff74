package dev.spindle.engine.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.engine.Async;
import dev.spindle.engine.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** close(): senders fail, receivers drain what was sent before and are then told; every waiter wakes. */
class ChannelCloseTest extends ChannelTestSupport {

    @Test
    void receiversDrainWhatRemainsThenLearnTheChannelIsClosed() {
        Channel<String> channel = Channel.mpsc(4);
        channel.trySend("a");
        channel.trySend("b");
        assertThat(channel.close()).isTrue();
        assertThat(channel.close()).as("idempotent").isFalse();
        assertThat(channel.isClosed()).isTrue();
        assertThat(channel.isDrained()).isFalse();
        List<String> got = run(() -> {
            List<String> drained = new ArrayList<>();
            drained.add(channel.receive());
            drained.add(channel.receive());
            assertThatThrownBy(channel::receive)
                    .isInstanceOf(ChannelClosedException.class)
                    .hasMessageContaining("closed and every item was received");
            return drained;
        });
        assertThat(got).containsExactly("a", "b");
        assertThat(channel.isDrained()).isTrue();
    }

    @Test
    void blockingReceiversDrainThenLearnTheChannelIsClosed() throws InterruptedException {
        Channel<String> channel = Channel.mpmc(4);
        channel.trySend("a");
        channel.close();
        assertThat(channel.receiveBlocking()).isEqualTo("a");
        assertThat(channel.tryReceive()).as("drained: nothing, and never again").isNull();
        assertThatThrownBy(channel::receiveBlocking).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> channel.receiveBlocking(Duration.ofSeconds(1)))
                .isInstanceOf(ChannelClosedException.class);
    }

    @Test
    void everySendFailsOnceClosed() {
        Channel<String> channel = Channel.mpmc(4);
        channel.close();
        assertThatThrownBy(() -> channel.trySend("a"))
                .isInstanceOf(ChannelClosedException.class)
                .hasMessageContaining("cannot send");
        assertThatThrownBy(() -> channel.sendBlocking("a")).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> channel.sendBlocking("a", Duration.ZERO)).isInstanceOf(ChannelClosedException.class);
        run(() -> {
            assertThatThrownBy(() -> channel.send("a")).isInstanceOf(ChannelClosedException.class);
            return null;
        });
        assertThat(channel.isDrained()).isTrue();
    }

    @Test
    void closingWakesEveryWaitingReceiverOnEveryLoopAndThread() {
        Channel<String> channel = Channel.mpmc(4);
        Task<String> here = loop.spawn(channel::receive);
        Task<String> there = other.spawn(channel::receive);
        AtomicReference<Throwable> threadOutcome = new AtomicReference<>();
        Thread thread = start("blocked-receiver", () -> {
            try {
                channel.receiveBlocking();
            } catch (Throwable t) {
                threadOutcome.set(t);
            }
        });
        awaitCondition("three receivers wait", () -> channel.waitingReceivers() == 3);

        assertThat(channel.close()).isTrue();
        assertThatThrownBy(() -> join(here)).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> join(there)).isInstanceOf(ChannelClosedException.class);
        joinThread(thread);
        assertThat(threadOutcome.get()).isInstanceOf(ChannelClosedException.class);
        assertThat(channel.waitingReceivers()).isZero();
    }

    @Test
    void closingWakesEveryWaitingSenderAndTheirItemsAreNotSent() {
        Channel<String> channel = Channel.mpsc(1);
        channel.trySend("before");
        Task<Void> here = loop.spawn(() -> {
            channel.send("here");
            return null;
        });
        Task<Void> there = other.spawn(() -> {
            channel.send("there");
            return null;
        });
        AtomicReference<Throwable> threadOutcome = new AtomicReference<>();
        Thread thread = start("blocked-sender", () -> {
            try {
                channel.sendBlocking("thread");
            } catch (Throwable t) {
                threadOutcome.set(t);
            }
        });
        awaitCondition("three senders wait", () -> channel.waitingSenders() == 3);

        channel.close();
        assertThatThrownBy(() -> join(here)).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> join(there)).isInstanceOf(ChannelClosedException.class);
        joinThread(thread);
        assertThat(threadOutcome.get()).isInstanceOf(ChannelClosedException.class);
        assertThat(run(channel::receive)).isEqualTo("before");
        assertThatThrownBy(() -> run(channel::receive)).isInstanceOf(ChannelClosedException.class);
    }

    @Test
    void receiversWaitingWhenTheLastItemGoesAreToldTheChannelIsDrained() {
        Channel<String> channel = Channel.mpmc(2);
        run(() -> {
            Task<String> first = loop.spawn(channel::receive);
            Task<String> second = loop.spawn(channel::receive);
            Async.yieldNow();
            channel.send("last");
            channel.close(); // wakes both; one takes "last", the other learns it is drained
            List<Object> outcomes = new ArrayList<>();
            for (Task<String> t : List.of(first, second)) {
                try {
                    outcomes.add(Async.await(t));
                } catch (ChannelClosedException e) {
                    outcomes.add("closed");
                }
            }
            assertThat(outcomes).containsExactlyInAnyOrder("last", "closed");
            return null;
        });
    }

    @Test
    void aSendThatTookItsSlotBeforeTheCloseIsStillDrained() {
        // A send racing the close either fails or is received: never accepted and then dropped.
        for (int round = 0; round < 500; round++) {
            Channel<Integer> channel = Channel.mpmc(4);
            AtomicReference<Object> sent = new AtomicReference<>();
            Thread sender = start("racing-sender", () -> {
                try {
                    channel.sendBlocking(1);
                    sent.set(true);
                } catch (Throwable t) {
                    sent.set(t);
                }
            });
            channel.close();
            joinThread(sender);
            List<Integer> drained = new ArrayList<>();
            Integer item;
            while ((item = channel.tryReceive()) != null) {
                drained.add(item);
            }
            if (Boolean.TRUE.equals(sent.get())) {
                assertThat(drained).as("round %d", round).containsExactly(1);
            } else {
                assertThat(sent.get()).isInstanceOf(ChannelClosedException.class);
                assertThat(drained).as("round %d", round).isEmpty();
            }
            assertThat(channel.isDrained()).isTrue();
        }
    }
}
