package dev.spindle.bench;

import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.channel.Channel;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.varhandle.SpscVarHandleArrayQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Channel throughput: one producer and one consumer on two different threads pass {@value #N} items (the
 * same preallocated {@code Integer}s every batch) through a bounded queue of capacity {@value #CAPACITY}.
 * One op is one item sent and received, so the score is items per µs and {@code gc.alloc.rate.norm} is
 * bytes per item.
 *
 * <ul>
 *   <li>{@code spindle}: a {@link Channel#mpsc} on a two-loop engine; a producer coroutine on loop 0 calls
 *       {@link Channel#send} {@value #N} times, a consumer coroutine on loop 1 calls {@link
 *       Channel#receive} {@value #N} times (both suspend while full / empty). The benchmark thread starts
 *       the two coroutines with one cross-thread {@code execute} per batch and spins until the consumer
 *       has received the last item ({@link LoopHandoff}).
 *   <li>{@code abq}: an {@link ArrayBlockingQueue} of the same capacity between two platform threads,
 *       {@code put} / {@code take}.
 *   <li>{@code vthreads}: the same {@code ArrayBlockingQueue} between two virtual threads (default
 *       scheduler).
 *   <li>{@code jctools}: a raw JCTools {@link SpscVarHandleArrayQueue} (the SPSC twin of the MPSC queue
 *       inside the channel) between two platform threads that spin on a full / empty queue ({@code
 *       onSpinWait}, and a {@code Thread.yield} every 1,024 failed attempts, so that a preempted peer gets
 *       the core back on a loaded machine): the upper bound, with no waiting protocol at all.
 * </ul>
 *
 * The thread peers are started once per trial; each batch, the benchmark thread unparks the producer
 * (which parks between batches) and spins until the consumer has taken the last item, the same handoff as
 * Spindle's. Every implementation sums what it received and the batch fails if the sum is wrong.
 *
 * <p>Targets: Spindle ≥ 3× {@code abq} and ≥ 0.5× {@code jctools}. The batch size is a constant (not a
 * {@code @Param}) so that JMH can report per item ({@code @OperationsPerInvocation}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
@State(Scope.Benchmark)
public class ChannelBench {
    /** Items per batch. */
    static final int N = 10_000;

    /** Capacity of every queue. */
    static final int CAPACITY = 1024;

    /** The items, allocated once: sending them allocates nothing. */
    static final Integer[] ITEMS = new Integer[N];

    /** The sum of {@link #ITEMS}. */
    static final long EXPECTED;

    static {
        long sum = 0;
        for (int i = 0; i < N; i++) {
            ITEMS[i] = i; // boxed once, here
            sum += i;
        }
        EXPECTED = sum;
    }

    @Param({"spindle", "abq", "vthreads", "jctools"})
    String impl;

    Batch batch;

    @Setup(Level.Trial)
    public void start() {
        batch = switch (impl) {
            case "spindle" -> new SpindleChannel();
            case "abq" -> new BlockingQueuePair(false);
            case "vthreads" -> new BlockingQueuePair(true);
            case "jctools" -> new SpinningPair();
            default -> throw new IllegalArgumentException("impl: unknown implementation '" + impl + "'");
        };
    }

    @TearDown(Level.Trial)
    public void stop() {
        batch.close();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long sendAndReceive() {
        long sum = batch.runBatch();
        if (sum != EXPECTED) {
            throw new IllegalStateException(impl + ": received sum " + sum + ", expected " + EXPECTED);
        }
        return sum;
    }

    /** One batch of {@link #N} items passed from the producer to the consumer; returns their sum. */
    interface Batch extends AutoCloseable {
        long runBatch();

        @Override
        void close();
    }

    /** A producer coroutine on loop 0 and a consumer coroutine on loop 1 around a {@link Channel#mpsc}. */
    static final class SpindleChannel extends LoopHandoff implements Batch {
        private final Engine engine = Engine.builder().loops(2).build();
        private final EventLoop producerLoop = engine.loop(0);
        private final EventLoop consumerLoop = engine.loop(1);
        private final Channel<Integer> channel = Channel.mpsc(CAPACITY);
        private final Callable<Void> producer = this::produce;
        private final Callable<Void> consumer = this::consume;
        private long sum;

        @Override
        public long runBatch() {
            begin();
            producerLoop.execute(this);
            awaitDone();
            return sum;
        }

        /** On loop 0: starts the consumer (on loop 1) and the producer (on loop 0). */
        @Override
        public void run() {
            consumerLoop.spawn(consumer);
            producerLoop.spawn(producer);
        }

        private Void produce() {
            Channel<Integer> ch = channel;
            for (int i = 0; i < N; i++) {
                ch.send(ITEMS[i]);
            }
            return null;
        }

        private Void consume() {
            Channel<Integer> ch = channel;
            long s = 0;
            for (int i = 0; i < N; i++) {
                s += ch.receive();
            }
            sum = s;
            finish();
            return null;
        }

        @Override
        public void close() {
            channel.close();
            engine.shutdown(Duration.ofSeconds(5));
        }
    }

    /**
     * A producer and a consumer thread, started once; each batch the benchmark thread unparks the
     * producer and waits for the consumer's {@link #finish}.
     */
    abstract static class ThreadPair extends LoopHandoff implements Batch {
        private volatile int requested;
        private volatile boolean stopping;
        private final Thread producer;
        private final Thread consumer;
        long sum;

        ThreadPair(Thread.Builder builder, String name) {
            producer = builder.name(name + "-producer").unstarted(this::producerLoop);
            consumer = builder.name(name + "-consumer").unstarted(this::consumerLoop);
        }

        final void startThreads() {
            producer.setDaemon(true);
            consumer.setDaemon(true);
            producer.start();
            consumer.start();
        }

        @Override
        public final long runBatch() {
            begin();
            requested = requested + 1; // only the benchmark thread writes it
            LockSupport.unpark(producer);
            awaitDone();
            return sum;
        }

        /** Not used: the batches are started by {@link #runBatch}. */
        @Override
        public final void run() {
            throw new UnsupportedOperationException();
        }

        private void producerLoop() {
            int served = 0;
            try {
                for (; ; ) {
                    while (requested == served) {
                        if (stopping) {
                            return;
                        }
                        LockSupport.park(this);
                    }
                    served++;
                    for (int i = 0; i < N; i++) {
                        put(ITEMS[i]);
                    }
                }
            } catch (InterruptedException e) {
                // stopping
            }
        }

        private void consumerLoop() {
            try {
                for (; ; ) {
                    long s = 0;
                    for (int i = 0; i < N; i++) {
                        s += take();
                    }
                    sum = s;
                    finish();
                }
            } catch (InterruptedException e) {
                // stopping
            }
        }

        abstract void put(Integer item) throws InterruptedException;

        abstract Integer take() throws InterruptedException;

        @Override
        public final void close() {
            stopping = true;
            producer.interrupt();
            consumer.interrupt();
            LockSupport.unpark(producer);
            try {
                producer.join(5_000);
                consumer.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** An {@link ArrayBlockingQueue}, {@code put} / {@code take}, on platform or virtual threads. */
    static final class BlockingQueuePair extends ThreadPair {
        private final ArrayBlockingQueue<Integer> queue = new ArrayBlockingQueue<>(CAPACITY);

        BlockingQueuePair(boolean virtual) {
            super(virtual ? Thread.ofVirtual() : Thread.ofPlatform(), virtual ? "abq-vthread" : "abq");
            startThreads();
        }

        @Override
        void put(Integer item) throws InterruptedException {
            queue.put(item);
        }

        @Override
        Integer take() throws InterruptedException {
            return queue.take();
        }
    }

    /** A raw JCTools SPSC array queue between two spinning platform threads: the upper bound. */
    static final class SpinningPair extends ThreadPair {
        private static final int SPINS_BEFORE_YIELD = 1024;
        private final SpscVarHandleArrayQueue<Integer> queue = new SpscVarHandleArrayQueue<>(CAPACITY);

        SpinningPair() {
            super(Thread.ofPlatform(), "jctools");
            startThreads();
        }

        @Override
        void put(Integer item) throws InterruptedException {
            int spins = 0;
            while (!queue.offer(item)) {
                spins = backOff(spins);
            }
        }

        @Override
        Integer take() throws InterruptedException {
            int spins = 0;
            for (; ; ) {
                Integer item = queue.poll();
                if (item != null) {
                    return item;
                }
                spins = backOff(spins);
            }
        }

        private static int backOff(int spins) throws InterruptedException {
            if (++spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
                return spins;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            Thread.yield();
            return 0;
        }
    }
}
