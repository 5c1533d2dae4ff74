package dev.spindle.bench;

import dev.spindle.engine.Async;
import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.Promise;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import jdk.management.VirtualThreadSchedulerMXBean;
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
 * Await/resume ping-pong between two tasks: one op is one round trip (A wakes B, B wakes A), so each op
 * is two suspensions and two resumptions. A batch is {@value #ROUNDS} round trips by two fresh tasks.
 *
 * <ul>
 *   <li>{@code spindle}: two coroutine tasks. Each round, A creates a new promise, completes B's promise
 *       with it and awaits it; B, woken, creates its own next promise and completes A's with it. {@code
 *       sameLoop}: both on the only loop of a one-loop engine; {@code twoLoops}: A on loop 0 and B on
 *       loop 1, so every wake-up crosses threads through the other loop's queue.
 *   <li>{@code vthreads}: two virtual threads handing a volatile turn back and forth with {@code
 *       LockSupport.park}/{@code unpark}. {@code sameLoop}: one carrier thread, the like-for-like peer
 *       of one loop ({@code jdk.virtualThreadScheduler.parallelism=1}, set in the fork before the first
 *       virtual thread exists and checked through {@link VirtualThreadSchedulerMXBean}); {@code
 *       twoLoops}: the default scheduler (one carrier per core), where the two threads may run on
 *       different carriers.
 * </ul>
 *
 * Target: Spindle {@code sameLoop} ≥ 2× virtual threads on one carrier. Both sides park and
 * wake threads only across loops/carriers; run with at least 3 forks.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
@State(Scope.Benchmark)
public class AwaitPingPongBench {
    /** Round trips per batch. */
    static final int ROUNDS = 10_000;

    static final String PARALLELISM = "jdk.virtualThreadScheduler.parallelism";

    @Param({"spindle", "vthreads"})
    String impl;

    @Param({"sameLoop", "twoLoops"})
    String topology;

    Batch batch;

    @Setup(Level.Trial)
    public void start() {
        boolean sameLoop = switch (topology) {
            case "sameLoop" -> true;
            case "twoLoops" -> false;
            default -> throw new IllegalArgumentException("topology: sameLoop or twoLoops, not '" + topology + "'");
        };
        batch = switch (impl) {
            case "spindle" -> new SpindlePingPong(sameLoop);
            case "vthreads" -> new VirtualThreadPingPong(sameLoop);
            default -> throw new IllegalArgumentException("impl: unknown implementation '" + impl + "'");
        };
    }

    @TearDown(Level.Trial)
    public void stop() {
        batch.close();
    }

    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public void roundTrip() {
        batch.runBatch();
    }

    /** One batch of {@link #ROUNDS} round trips. */
    interface Batch extends AutoCloseable {
        void runBatch();

        @Override
        void close();
    }

    /** Two coroutine tasks, on one loop or on two, exchanging promises. */
    static final class SpindlePingPong extends LoopHandoff implements Batch {
        private final Engine engine;
        private final EventLoop loopA;
        private final EventLoop loopB;
        private Promise<Object> first;
        private final Callable<Void> initiator = this::initiate;
        private final Callable<Void> responder = this::respond;

        SpindlePingPong(boolean sameLoop) {
            engine = Engine.builder().loops(sameLoop ? 1 : 2).build();
            loopA = engine.loop(0);
            loopB = engine.loop(sameLoop ? 0 : 1);
        }

        @Override
        public void runBatch() {
            begin();
            loopA.execute(this);
            awaitDone();
        }

        /** On loop A: spawns the responder (on B) and the initiator (on A). */
        @Override
        public void run() {
            first = new Promise<>(loopB);
            loopB.spawn(responder);
            loopA.spawn(initiator);
        }

        @SuppressWarnings("unchecked")
        private Void initiate() {
            Promise<Object> peer = first;
            for (int i = 0; i < ROUNDS; i++) {
                Promise<Object> mine = new Promise<>(loopA);
                peer.complete(mine);
                peer = (Promise<Object>) Async.await(mine);
            }
            finish();
            return null;
        }

        @SuppressWarnings("unchecked")
        private Void respond() {
            Promise<Object> mine = first;
            for (int i = 0; i < ROUNDS; i++) {
                Promise<Object> replyTo = (Promise<Object>) Async.await(mine);
                mine = new Promise<>(loopB);
                replyTo.complete(mine);
            }
            return null;
        }

        @Override
        public void close() {
            engine.shutdown(Duration.ofSeconds(5));
        }
    }

    /** Two virtual threads passing a volatile turn with park/unpark. */
    static final class VirtualThreadPingPong extends LoopHandoff implements Batch {
        private final boolean oneCarrier;
        private volatile boolean bsTurn;
        private Thread a;
        private Thread b;
        private final Runnable respond = this::respond;

        VirtualThreadPingPong(boolean oneCarrier) {
            this.oneCarrier = oneCarrier;
            // The default scheduler reads the property once, when the first virtual thread is created,
            // which in this fresh fork has not happened yet; the bean below confirms it.
            if (oneCarrier) {
                System.setProperty(PARALLELISM, "1");
            }
            int parallelism = scheduler().getParallelism();
            if (oneCarrier && parallelism != 1) {
                throw new IllegalStateException("the virtual thread scheduler already runs with parallelism "
                        + parallelism + "; run this fork with -D" + PARALLELISM + "=1");
            }
        }

        private static VirtualThreadSchedulerMXBean scheduler() {
            return ManagementFactory.getPlatformMXBean(VirtualThreadSchedulerMXBean.class);
        }

        @Override
        public void runBatch() {
            begin();
            bsTurn = false;
            a = Thread.ofVirtual().unstarted(this);
            b = Thread.ofVirtual().unstarted(respond);
            b.start();
            a.start();
            awaitDone();
        }

        /** Thread A: gives the turn to B and waits for it back, {@link #ROUNDS} times. */
        @Override
        public void run() {
            Thread other = b;
            for (int i = 0; i < ROUNDS; i++) {
                bsTurn = true;
                LockSupport.unpark(other);
                while (bsTurn) {
                    LockSupport.park(this);
                }
            }
            finish();
        }

        /** Thread B: waits for its turn and gives it back, {@link #ROUNDS} times. */
        private void respond() {
            Thread other = a;
            for (int i = 0; i < ROUNDS; i++) {
                while (!bsTurn) {
                    LockSupport.park(this);
                }
                bsTurn = false;
                LockSupport.unpark(other);
            }
        }

        @Override
        public void close() {
            VirtualThreadSchedulerMXBean bean = scheduler();
            System.out.println("[vthreads " + (oneCarrier ? "one carrier" : "default scheduler") + ": parallelism "
                    + bean.getParallelism() + ", pool size " + bean.getPoolSize() + "]");
        }
    }
}
