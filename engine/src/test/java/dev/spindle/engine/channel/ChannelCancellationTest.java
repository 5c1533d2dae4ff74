package dev.spindle.engine.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.engine.Async;
import dev.spindle.engine.CancelledException;
import dev.spindle.engine.Task;
import dev.spindle.engine.TaskState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Cancelling a waiter before or after its wake-up never loses, duplicates or late-enqueues an item
 * (asyncio's Queue rule, scenarios 51 and 52; DESIGN.md difference 5). Each test drives one loop step by
 * step, so the interleaving is exact.
 */
class ChannelCancellationTest extends ChannelTestSupport {

    /** Long enough for any hand-off on an idle loop; on the virtual clock it costs no wall time. */
    private static final Duration BOUND = Duration.ofSeconds(30);

    @Test
    void receiverCancelledBeforeItsWakeUpLeavesTheItemToTheNext() {
        Channel<String> channel = Channel.mpmc(2);
        run(() -> {
            Task<String> first = loop.spawn(channel::receive);
            Task<String> second = loop.spawn(channel::receive);
            Async.yieldNow();
            assertThat(channel.waitingReceivers()).isEqualTo(2);

            first.cancel(); // on the loop: its promise is cancelled at once, still linked in the queue
            channel.send("a"); // the wake-up skips the cancelled waiter and goes to the second
            assertThat(Async.waitFor(second, BOUND)).isEqualTo("a");
            assertThatThrownBy(() -> Async.await(first)).isInstanceOf(CancelledException.class);
            assertThat(channel.isEmpty()).isTrue();
            assertThat(channel.waitingReceivers()).isZero();
            return null;
        });
    }

    @Test
    void receiverWokenThenCancelledPassesTheWakeUpOn() {
        Channel<String> channel = Channel.mpmc(2);
        run(() -> {
            Task<String> first = loop.spawn(channel::receive);
            Task<String> second = loop.spawn(channel::receive);
            Async.yieldNow();

            channel.send("a"); // completes the first receiver's promise: its resumption is queued
            assertThat(first.cancel()).isTrue(); // arrives before it runs: the task wakes cancelled
            assertThat(channel.waitingReceivers())
                    .as("only the second still waits")
                    .isEqualTo(1);

            assertThatThrownBy(() -> Async.await(first)).isInstanceOf(CancelledException.class);
            assertThat(first.isCancelled()).isTrue();
            // Without the hand-off the second receiver would sleep forever with "a" in the channel.
            assertThat(Async.waitFor(second, BOUND)).isEqualTo("a");
            assertThat(channel.isEmpty()).isTrue();
            return null;
        });
    }

    @Test
    void receiverWokenThenCancelledWithNobodyElseLeavesTheItemInTheChannel() {
        Channel<String> channel = Channel.mpsc(2);
        run(() -> {
            Task<String> receiver = loop.spawn(channel::receive);
            Async.yieldNow();
            channel.send("a");
            receiver.cancel();
            assertThatThrownBy(() -> Async.await(receiver)).isInstanceOf(CancelledException.class);
            assertThat(channel.size()).isEqualTo(1);
            assertThat(channel.receive()).isEqualTo("a");
            return null;
        });
    }

    @Test
    void receiverThatCatchesItsCancellationCanReceiveAgain() {
        Channel<String> channel = Channel.mpsc(2);
        run(() -> {
            Task<String> receiver = loop.spawn(() -> {
                try {
                    return channel.receive();
                } catch (CancelledException e) {
                    return "after cancel: " + channel.receive();
                }
            });
            Async.yieldNow();
            channel.send("a");
            receiver.cancel(); // woken, then cancelled: the retry after the catch gets the same item
            assertThat(Async.waitFor(receiver, BOUND)).isEqualTo("after cancel: a");
            return null;
        });
    }

    @Test
    void senderCancelledWhileWaitingNeverEnqueuesItsItem() {
        Channel<String> channel = Channel.mpsc(1);
        run(() -> {
            channel.send("a");
            Task<Void> sender = loop.spawn(() -> {
                channel.send("b");
                return null;
            });
            Async.yieldNow();
            assertThat(sender.state()).isEqualTo(TaskState.SUSPENDED);
            sender.cancel();
            assertThatThrownBy(() -> Async.await(sender)).isInstanceOf(CancelledException.class);

            assertThat(channel.receive()).isEqualTo("a");
            yieldTimes(3); // were "b" still pending anywhere, it would be enqueued by now
            assertThat(channel.tryReceive()).isNull();
            assertThat(channel.waitingSenders()).isZero();
            return null;
        });
    }

    @Test
    void senderWokenThenCancelledPassesTheFreeSlotOn() {
        Channel<String> channel = Channel.mpsc(1);
        run(() -> {
            channel.send("a");
            Task<Void> first = loop.spawn(() -> {
                channel.send("b");
                return null;
            });
            Task<Void> second = loop.spawn(() -> {
                channel.send("c");
                return null;
            });
            Async.yieldNow();
            assertThat(channel.waitingSenders()).isEqualTo(2);

            assertThat(channel.receive()).isEqualTo("a"); // frees the slot: wakes the first sender
            first.cancel(); // before it runs: it wakes cancelled and must pass the slot on
            assertThatThrownBy(() -> Async.await(first)).isInstanceOf(CancelledException.class);
            Async.waitFor(second, BOUND);
            assertThat(channel.receive()).isEqualTo("c");
            assertThat(channel.tryReceive())
                    .as("the cancelled sender's item never arrives")
                    .isNull();
            return null;
        });
    }

    @Test
    void senderCancelledBeforeItsWakeUpIsSkipped() {
        Channel<String> channel = Channel.mpmc(1);
        run(() -> {
            channel.send("a");
            Task<Void> first = loop.spawn(() -> {
                channel.send("b");
                return null;
            });
            Task<Void> second = loop.spawn(() -> {
                channel.send("c");
                return null;
            });
            Async.yieldNow();
            first.cancel();
            assertThat(channel.receive()).isEqualTo("a");
            Async.waitFor(second, BOUND);
            assertThat(first.isCancelled()).isTrue();
            assertThat(channel.receive()).isEqualTo("c");
            assertThat(channel.tryReceive()).isNull();
            return null;
        });
    }

    @Test
    void cancellingFromAnotherThreadWhileAnItemArrivesLosesNothing() {
        // Repeated so that the cross-thread cancel and the hand-off race in every order: cancelled before
        // the wake-up, woken then cancelled, or received before the cancel arrives (the task then ends
        // CANCELLED as asyncio's does, but it did take the item, which is recorded as it returns).
        for (int round = 0; round < 200; round++) {
            Channel<Integer> channel = Channel.mpmc(1);
            List<Integer> taken = new CopyOnWriteArrayList<>();
            Callable<Void> receiver = () -> {
                taken.add(channel.receive());
                return null;
            };
            Task<Void> first = other.spawn(receiver);
            Task<Void> second = other.spawn(receiver);
            awaitCondition("both receivers wait", () -> channel.waitingReceivers() == 2);
            int item = round;
            Task<Void> sender = loop.spawn(() -> {
                channel.send(item);
                return null;
            });
            first.cancel();
            join(sender);
            awaitCondition("the first receiver ends", first::isDone);
            if (taken.isEmpty()) {
                join(second); // the wake-up skipped the first receiver, or it passed it on
            } else {
                second.cancel();
                awaitCondition("the second receiver ends", second::isDone);
            }
            assertThat(taken).as("round %d", round).containsExactly(item);
            assertThat(channel.tryReceive()).as("round %d", round).isNull();
        }
    }

    @Test
    void interruptingBlockedThreadsLosesNoItem() throws InterruptedException {
        for (int round = 0; round < 50; round++) {
            Channel<String> channel = Channel.mpmc(1);
            AtomicReference<String> gotA = new AtomicReference<>();
            AtomicReference<String> gotB = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(2);
            Thread a = start("receiver-a", () -> receiveOrInterrupted(channel, gotA, done));
            Thread b = start("receiver-b", () -> receiveOrInterrupted(channel, gotB, done));
            awaitCondition("both threads wait", () -> channel.waitingReceivers() == 2);
            channel.trySend("x");
            a.interrupt();
            b.interrupt();
            assertThat(done.await(STUCK.toSeconds(), TimeUnit.SECONDS)).isTrue();
            String left = channel.tryReceive();
            long copies =
                    Stream.of(gotA.get(), gotB.get(), left).filter("x"::equals).count();
            assertThat(copies)
                    .as("round %d: a=%s b=%s left=%s", round, gotA, gotB, left)
                    .isEqualTo(1);
        }
    }

    private static void receiveOrInterrupted(
            Channel<String> channel, AtomicReference<String> got, CountDownLatch done) {
        try {
            got.set(channel.receiveBlocking());
        } catch (InterruptedException expected) {
            got.set("interrupted");
        } finally {
            done.countDown();
        }
    }

    @Test
    void interruptedBlockedSenderDoesNotEnqueue() throws InterruptedException {
        Channel<String> channel = Channel.mpsc(1);
        channel.trySend("a");
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread sender = start("sender", () -> {
            try {
                channel.sendBlocking("b");
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        awaitCondition("the sender waits", () -> channel.waitingSenders() == 1);
        sender.interrupt();
        joinThread(sender);
        assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
        assertThat(channel.receiveBlocking()).isEqualTo("a");
        assertThat(channel.tryReceive()).isNull();
        assertThat(channel.waitingSenders()).isZero();
    }
}
