package dev.spindle.engine.channel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.engine.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Producers and consumers on different loops and plain threads, each side waking the other. */
class ChannelCrossThreadTest extends ChannelTestSupport {

    private static final int ITEMS = 20_000;

    @Test
    void producerOnOneLoopConsumerOnAnother() {
        for (Channel<Integer> channel : List.of(Channel.<Integer>mpsc(4), Channel.<Integer>mpmc(4))) {
            Task<Void> producer = other.spawn(() -> {
                for (int i = 0; i < ITEMS; i++) {
                    channel.send(i);
                }
                return null;
            });
            Task<Integer> consumer = loop.spawn(() -> {
                for (int i = 0; i < ITEMS; i++) {
                    int item = channel.receive();
                    if (item != i) {
                        return i; // the first position out of order
                    }
                }
                return -1;
            });
            assertThat(join(consumer))
                    .as("first item out of order in " + channel)
                    .isEqualTo(-1);
            join(producer);
            assertThat(channel.isEmpty()).isTrue();
        }
    }

    @Test
    void coroutinesOnBothLoopsSendAndReceiveBothWays() {
        Channel<Integer> toOther = Channel.mpmc(2);
        Channel<Integer> back = Channel.mpmc(2);
        Task<Void> echo = other.spawn(() -> {
            for (int i = 0; i < ITEMS; i++) {
                back.send(toOther.receive() + 1);
            }
            return null;
        });
        long sum = run(() -> {
            long total = 0;
            for (int i = 0; i < ITEMS; i++) {
                toOther.send(i);
                total += back.receive();
            }
            return total;
        });
        join(echo);
        assertThat(sum).isEqualTo((long) ITEMS * (ITEMS + 1) / 2);
    }

    @Test
    void plainThreadsBlockAndKeepPerProducerOrder() throws InterruptedException {
        Channel<int[]> channel = Channel.mpsc(8);
        int producers = 3;
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            threads.add(start("producer-" + p, () -> {
                try {
                    for (int seq = 0; seq < ITEMS; seq++) {
                        if (seq % 3 == 0 && channel.trySend(new int[] {id, seq})) {
                            continue;
                        }
                        channel.sendBlocking(new int[] {id, seq});
                    }
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }));
        }
        int[] next = new int[producers];
        for (int i = 0; i < producers * ITEMS; i++) {
            int[] item = channel.receiveBlocking();
            assertThat(item[1]).as("item of producer %d", item[0]).isEqualTo(next[item[0]]++);
        }
        threads.forEach(ChannelTestSupport::joinThread);
        assertThat(next).containsOnly(ITEMS);
        assertThat(channel.tryReceive()).isNull();
    }

    @Test
    void aPlainThreadWakesASuspendedCoroutine() throws InterruptedException {
        Channel<String> channel = Channel.mpsc(1);
        Task<String> receiver = other.spawn(channel::receive);
        awaitCondition("the coroutine waits", () -> channel.waitingReceivers() == 1);
        channel.sendBlocking("from a thread");
        assertThat(join(receiver)).isEqualTo("from a thread");

        channel.sendBlocking("fill");
        Task<Void> sender = other.spawn(() -> {
            channel.send("second");
            return null;
        });
        awaitCondition("the coroutine waits for room", () -> channel.waitingSenders() == 1);
        // The consumer of this MPSC channel is loop 1's thread: receive there.
        assertThat(join(other.spawn(channel::receive))).isEqualTo("fill");
        join(sender);
        assertThat(join(other.spawn(channel::receive))).isEqualTo("second");
    }

    @Test
    void aCoroutineWakesABlockedThread() throws InterruptedException {
        Channel<String> channel = Channel.mpmc(1);
        AtomicReference<String> got = new AtomicReference<>();
        Thread receiver = start("blocked-receiver", () -> {
            try {
                got.set(channel.receiveBlocking());
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        awaitCondition("the thread waits", () -> channel.waitingReceivers() == 1);
        run(() -> {
            channel.send("from a coroutine");
            return null;
        });
        joinThread(receiver);
        assertThat(got.get()).isEqualTo("from a coroutine");

        channel.trySend("fill");
        Thread sender = start("blocked-sender", () -> {
            try {
                channel.sendBlocking("second");
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        awaitCondition("the thread waits for room", () -> channel.waitingSenders() == 1);
        assertThat(run(channel::receive)).isEqualTo("fill");
        joinThread(sender);
        assertThat(channel.receiveBlocking()).isEqualTo("second");
    }

    @Test
    void mixedProducersAndConsumersOnLoopsAndThreads() throws InterruptedException {
        Channel<int[]> channel = Channel.mpmc(4);
        int perProducer = ITEMS / 4;
        List<List<int[]>> seen = new CopyOnWriteArrayList<>();
        // Producers 0 and 1 are coroutines on the two loops, producer 2 is a plain thread.
        List<Task<Void>> producerTasks = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            int id = p;
            producerTasks.add(engine.loop(p).spawn(() -> {
                for (int seq = 0; seq < perProducer; seq++) {
                    channel.send(new int[] {id, seq});
                }
                return null;
            }));
        }
        Thread producerThread = start("producer-2", () -> {
            try {
                for (int seq = 0; seq < perProducer; seq++) {
                    channel.sendBlocking(new int[] {2, seq});
                }
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        // Consumers: a coroutine on each loop and a plain thread, until the channel is closed.
        List<Task<Void>> consumerTasks = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            List<int[]> mine = new ArrayList<>();
            seen.add(mine);
            consumerTasks.add(engine.loop(c).spawn(() -> {
                try {
                    for (; ; ) {
                        mine.add(channel.receive());
                    }
                } catch (ChannelClosedException drained) {
                    return null;
                }
            }));
        }
        List<int[]> threadSeen = new ArrayList<>();
        seen.add(threadSeen);
        Thread consumerThread = start("consumer-thread", () -> {
            try {
                for (; ; ) {
                    threadSeen.add(channel.receiveBlocking());
                }
            } catch (ChannelClosedException drained) {
                // done
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        producerTasks.forEach(ChannelTestSupport::join);
        joinThread(producerThread);
        channel.close();
        consumerTasks.forEach(ChannelTestSupport::join);
        joinThread(consumerThread);

        int[] received = new int[3];
        for (List<int[]> consumer : seen) {
            int[] last = {-1, -1, -1};
            for (int[] item : consumer) {
                assertThat(item[1]).as("producer %d, per consumer", item[0]).isGreaterThan(last[item[0]]);
                last[item[0]] = item[1];
                received[item[0]]++;
            }
        }
        assertThat(received).containsOnly(perProducer);
    }
}
