package dev.spindle.engine.channel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.engine.CancelledException;
import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded randomized conservation: producers (coroutines on both loops and plain threads) and consumers
 * (coroutines, and for MPMC plain threads too) run against one small channel while a chaos thread cancels
 * tasks and interrupts threads at random. Afterwards: every item whose send returned normally was received
 * exactly once, no item whose send failed ever appeared, each consumer saw each producer's items in order,
 * and no waiter is left behind.
 *
 * <p>Lost wake-ups are checked before the close, since closing wakes everyone: once the producers are done
 * and the chaos has stopped, the consumers must receive every sent item without any further help.
 *
 * <p>The seed fixes every choice (capacity, how many actors of each kind, how each sends or receives, whom
 * the chaos hits and how often); thread scheduling still varies between runs. Every failure message starts
 * with the variant and the seed.
 */
class ChannelConservationTest {

    private static final Duration STUCK = ChannelTestSupport.STUCK;
    private static final int SEEDS = 8;

    static Stream<Arguments> runs() {
        return Stream.of("mpsc", "mpmc")
                .flatMap(variant ->
                        LongStream.rangeClosed(1, SEEDS).mapToObj(seed -> Arguments.of(variant, 0x5EED_0000L + seed)));
    }

    /** One producer's ledger: which of its sequence numbers were sent successfully. */
    private static final class Producer {
        final int id;
        final boolean[] sent;
        final SplittableRandom random;

        Producer(int id, int items, SplittableRandom random) {
            this.id = id;
            this.sent = new boolean[items];
            this.random = random;
        }
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("runs")
    void everySentItemIsReceivedExactlyOnceInEachProducersOrder(String variant, long seed) throws Exception {
        String tag = variant + " seed " + seed + ": ";
        SplittableRandom random = new SplittableRandom(seed);
        boolean mpsc = variant.equals("mpsc");
        int capacity = 1 + random.nextInt(8);
        Channel<long[]> channel = mpsc ? Channel.mpsc(capacity) : Channel.mpmc(capacity);
        List<Throwable> reports = new CopyOnWriteArrayList<>();

        try (Engine engine = Engine.builder()
                .loops(2)
                .exceptionHandler((message, error, source) -> reports.add(error))
                .fatalHandler((message, error, source) -> reports.add(error))
                .build()) {
            int items = 2_000 + random.nextInt(2_000);
            int coroutineProducers = 2 + random.nextInt(3);
            int threadProducers = 1 + random.nextInt(2);
            List<Producer> producers = new ArrayList<>();
            for (int p = 0; p < coroutineProducers + threadProducers; p++) {
                producers.add(new Producer(p, items, random.split()));
            }

            // Every actor has started before the chaos does: a task cancelled before its first step would
            // never run its body at all, and a run without consumers proves nothing.
            int coroutineConsumers = 1 + random.nextInt(3);
            int threadConsumers = mpsc ? 0 : 1 + random.nextInt(2);
            CountDownLatch started = new CountDownLatch(producers.size() + coroutineConsumers + threadConsumers);

            // Consumers: each keeps what it saw, in order; a shared counter shows progress.
            AtomicInteger received = new AtomicInteger();
            List<List<long[]>> seen = new CopyOnWriteArrayList<>();
            List<Task<Void>> consumerTasks = new ArrayList<>();
            List<Thread> consumerThreads = new ArrayList<>();
            for (int c = 0; c < coroutineConsumers; c++) {
                List<long[]> mine = new ArrayList<>();
                seen.add(mine);
                // MPSC: every consumer task lives on loop 0, whose thread is the one consumer.
                EventLoop home = engine.loop(mpsc ? 0 : c % 2);
                consumerTasks.add(home.spawn("consumer-" + c, () -> {
                    started.countDown();
                    return consumeInTask(channel, mine, received);
                }));
            }
            for (int c = 0; c < threadConsumers; c++) {
                List<long[]> mine = new ArrayList<>();
                seen.add(mine);
                SplittableRandom own = random.split();
                consumerThreads.add(ChannelTestSupport.start("consumer-thread-" + c, () -> {
                    started.countDown();
                    consumeInThread(channel, mine, received, own);
                }));
            }

            // Producers.
            List<Task<Void>> producerTasks = new ArrayList<>();
            List<Thread> producerThreads = new ArrayList<>();
            for (Producer producer : producers) {
                if (producer.id < coroutineProducers) {
                    producerTasks.add(engine.loop(producer.id % 2).spawn("producer-" + producer.id, () -> {
                        started.countDown();
                        return produceInTask(channel, producer);
                    }));
                } else {
                    producerThreads.add(ChannelTestSupport.start("producer-thread-" + producer.id, () -> {
                        started.countDown();
                        produceInThread(channel, producer);
                    }));
                }
            }

            assertThat(started.await(STUCK.toSeconds(), TimeUnit.SECONDS))
                    .as(tag + "actors started")
                    .isTrue();

            // Chaos: cancel tasks and interrupt threads, paced by short parks (pacing, not synchronisation).
            List<Task<Void>> tasks = new ArrayList<>(producerTasks);
            tasks.addAll(consumerTasks);
            List<Thread> threads = new ArrayList<>(producerThreads);
            threads.addAll(consumerThreads);
            SplittableRandom chaosRandom = random.split();
            int pauseMicros = 5 + chaosRandom.nextInt(100);
            AtomicInteger chaosOn = new AtomicInteger(1);
            Thread chaos = ChannelTestSupport.start("chaos", () -> {
                while (chaosOn.get() == 1) {
                    if (chaosRandom.nextInt(4) == 0) {
                        threads.get(chaosRandom.nextInt(threads.size())).interrupt();
                    } else {
                        tasks.get(chaosRandom.nextInt(tasks.size())).cancel("chaos");
                    }
                    LockSupport.parkNanos(1_000L * (1 + chaosRandom.nextInt(pauseMicros)));
                }
            });

            for (Task<Void> task : producerTasks) {
                awaitDone(tag + "producer task " + task.name(), task);
            }
            for (Thread thread : producerThreads) {
                joinThread(tag, thread);
            }
            chaosOn.set(0);
            joinThread(tag, chaos);

            int sent = 0;
            for (Producer producer : producers) {
                for (boolean ok : producer.sent) {
                    sent += ok ? 1 : 0;
                }
            }
            int expected = sent;
            awaitCondition(
                    () -> tag + "consumers stopped at " + received.get() + " of " + expected + " items with " + channel
                            + " and " + channel.waitingReceivers() + " receivers waiting (lost wake-up)",
                    () -> received.get() >= expected);

            channel.close();
            for (Task<Void> task : consumerTasks) {
                awaitDone(tag + "consumer task " + task.name(), task);
            }
            for (Thread thread : consumerThreads) {
                joinThread(tag, thread);
            }

            // Conservation and order.
            int[][] copies = new int[producers.size()][items];
            for (List<long[]> consumer : seen) {
                long[] last = new long[producers.size()];
                Arrays.fill(last, -1);
                for (long[] item : consumer) {
                    int p = (int) item[0];
                    int seq = (int) item[1];
                    assertThat(item[1])
                            .as(tag + "producer %d's items out of order for one consumer", p)
                            .isGreaterThan(last[p]);
                    last[p] = seq;
                    copies[p][seq]++;
                }
            }
            for (Producer producer : producers) {
                for (int seq = 0; seq < items; seq++) {
                    assertThat(copies[producer.id][seq])
                            .as(tag + "copies received of item %d/%d (sent: %s)", producer.id, seq, producer.sent[seq])
                            .isEqualTo(producer.sent[seq] ? 1 : 0);
                }
            }
            assertThat(channel.isDrained()).as(tag + "drained").isTrue();
            assertThat(channel.waitingReceivers())
                    .as(tag + "receivers left waiting")
                    .isZero();
            assertThat(channel.waitingSenders())
                    .as(tag + "senders left waiting")
                    .isZero();
        }
        assertThat(reports).as(tag + "exceptions reported by the engine").isEmpty();
    }

    private static Void produceInTask(Channel<long[]> channel, Producer producer) {
        for (int seq = 0; seq < producer.sent.length; seq++) {
            long[] item = {producer.id, seq};
            try {
                if (producer.random.nextInt(4) == 0 && channel.trySend(item)) {
                    producer.sent[seq] = true;
                    continue;
                }
                channel.send(item);
                producer.sent[seq] = true;
            } catch (CancelledException cancelled) {
                // not sent, and never will be; the request is one-shot, so go on with the next item
            }
        }
        return null;
    }

    private static void produceInThread(Channel<long[]> channel, Producer producer) {
        for (int seq = 0; seq < producer.sent.length; seq++) {
            long[] item = {producer.id, seq};
            try {
                switch (producer.random.nextInt(3)) {
                    case 0 -> producer.sent[seq] = channel.trySend(item) || sendBlocking(channel, item);
                    case 1 ->
                        producer.sent[seq] =
                                channel.sendBlocking(item, Duration.ofNanos(producer.random.nextInt(200_000)));
                    default -> producer.sent[seq] = sendBlocking(channel, item);
                }
            } catch (InterruptedException interrupted) {
                // not sent
            }
        }
    }

    private static boolean sendBlocking(Channel<long[]> channel, long[] item) throws InterruptedException {
        channel.sendBlocking(item);
        return true;
    }

    private static Void consumeInTask(Channel<long[]> channel, List<long[]> mine, AtomicInteger received) {
        for (; ; ) {
            try {
                mine.add(channel.receive());
                received.incrementAndGet();
            } catch (CancelledException cancelled) {
                // nothing was taken; go on
            } catch (ChannelClosedException drained) {
                return null;
            }
        }
    }

    private static void consumeInThread(
            Channel<long[]> channel, List<long[]> mine, AtomicInteger received, SplittableRandom random) {
        for (; ; ) {
            try {
                long[] item = switch (random.nextInt(3)) {
                    case 0 -> channel.tryReceive();
                    case 1 -> channel.receiveBlocking(Duration.ofNanos(random.nextInt(200_000)));
                    default -> channel.receiveBlocking();
                };
                if (item != null) {
                    mine.add(item);
                    received.incrementAndGet();
                } else if (channel.isDrained()) {
                    return;
                } else {
                    Thread.onSpinWait();
                }
            } catch (InterruptedException interrupted) {
                // nothing was taken; go on
            } catch (ChannelClosedException drained) {
                return;
            }
        }
    }

    private static void awaitDone(String what, Task<?> task) {
        try {
            task.get(STUCK);
        } catch (TimeoutException stuck) {
            throw new AssertionError(what + " is stuck: " + task, stuck);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (RuntimeException outcome) {
            if (!task.isCancelled()) {
                throw new AssertionError(what + " failed", outcome);
            }
        }
    }

    private static void joinThread(String tag, Thread thread) throws InterruptedException {
        thread.join(STUCK.toMillis());
        assertThat(thread.isAlive()).as(tag + thread.getName() + " is stuck").isFalse();
    }

    private static void awaitCondition(Supplier<String> what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + STUCK.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(what.get());
            }
            Thread.yield();
        }
    }
}
