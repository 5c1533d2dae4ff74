package dev.spindle.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Life-cycle faults: thread creation or pinning failing while the engine is built, shutdown called from
 * unusual threads and twice, and a runner whose leftover task swallows its cancel. Every engine here is
 * shut down bounded, and no thread it started outlives it.
 */
class LifecycleFaultTest {
    private static final Duration BOUND = Duration.ofSeconds(30);

    /** Records every thread a factory made, failing {@code start()} of the {@code failAt}-th (from 1). */
    private static final class FailingFactory implements ThreadFactory {
        final List<Thread> made = new CopyOnWriteArrayList<>();
        private final AtomicInteger count = new AtomicInteger();
        private final int failAt;

        FailingFactory(int failAt) {
            this.failAt = failAt;
        }

        @Override
        public Thread newThread(Runnable r) {
            int n = count.incrementAndGet();
            Thread t = n == failAt
                    ? new Thread(r) {
                        @Override
                        public synchronized void start() {
                            throw new OutOfMemoryError("unable to create native thread: possibly out of memory");
                        }
                    }
                    : new Thread(r);
            made.add(t);
            return t;
        }

        void assertNoneAlive() throws InterruptedException {
            for (Thread t : made) {
                t.join(BOUND.toMillis());
                assertThat(t.isAlive())
                        .as(t.getName() + " outlived the failed build")
                        .isFalse();
            }
        }
    }

    private static List<Thread> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(prefix))
                .toList();
    }

    @Test
    void halfBuiltEngineStopsTheThreadsItStartedWhenALoopThreadCannotStart() throws Exception {
        FailingFactory loopThreads = new FailingFactory(2);
        FailingFactory workerThreads = new FailingFactory(0);
        assertThatThrownBy(() -> Engine.builder()
                        .loops(2)
                        .threadNamePrefix("half-built-loop-")
                        .threadFactory(loopThreads)
                        .workers(3)
                        .workerThreadFactory(workerThreads)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unable to create native thread")
                .hasMessageContaining("stopped");
        assertThat(loopThreads.made).hasSize(2);
        assertThat(workerThreads.made).hasSize(3);
        loopThreads.assertNoneAlive();
        workerThreads.assertNoneAlive();
    }

    @Test
    void halfBuiltEngineStopsTheThreadsItStartedWhenAWorkerThreadCannotStart() throws Exception {
        FailingFactory loopThreads = new FailingFactory(0);
        FailingFactory workerThreads = new FailingFactory(3);
        assertThatThrownBy(() -> Engine.builder()
                        .loops(2)
                        .threadFactory(loopThreads)
                        .workers(4)
                        .workerThreadFactory(workerThreads)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unable to create native thread");
        workerThreads.assertNoneAlive();
        loopThreads.assertNoneAlive();
    }

    @Test
    void threadFactoryReturningNullIsRefusedByName() {
        assertThatThrownBy(
                        () -> Engine.builder().loops(1).threadFactory(r -> null).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("thread factory returned null for spindle-loop-0");
        assertThatThrownBy(() ->
                        Engine.builder().loops(1).workerThreadFactory(r -> null).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("worker thread factory returned null for spindle-worker-0");
    }

    @Test
    void strictPinningToAMissingCpuFailsTheBuildAndLeavesNoLoopThread() throws Exception {
        FailingFactory loopThreads = new FailingFactory(0);
        assertThatThrownBy(() -> Engine.builder()
                        .loops(1)
                        .threadNamePrefix("strict-pin-loop-")
                        .threadFactory(loopThreads)
                        .loopCpus(4000)
                        .strictPinning(true)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("strict-pin-loop-0")
                .hasMessageContaining("strict pinning");
        loopThreads.assertNoneAlive();
    }

    @Test
    void strictPinningOfWorkersToAMissingCpuFailsTheBuildAndLeavesNoWorker() throws Exception {
        FailingFactory loopThreads = new FailingFactory(0);
        FailingFactory workerThreads = new FailingFactory(0);
        assertThatThrownBy(() -> Engine.builder()
                        .loops(1)
                        .threadFactory(loopThreads)
                        .workers(2)
                        .workerThreadFactory(workerThreads)
                        .workerCpus(4000)
                        .strictPinning(true)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("worker pool could not start")
                .hasMessageContaining("strict pinning");
        workerThreads.assertNoneAlive();
        loopThreads.assertNoneAlive();
    }

    @Test
    void lenientPinningToAMissingCpuRunsUnpinned() throws Exception {
        try (Engine engine = Engine.builder()
                .loops(1)
                .loopCpus(4000)
                .workers(1)
                .workerCpus(4000)
                .build()) {
            Task<Integer> task = engine.loop(0).spawn(() -> Async.offload(() -> 42));
            assertThat(task.get(BOUND)).isEqualTo(42);
        }
    }

    @Test
    void shutdownFromOffloadedWorkReturnsWithoutWaitingForItsOwnWorker() throws Exception {
        Engine engine = Engine.builder().loops(1).workers(2).build();
        Task<Boolean> task = engine.loop(0).spawn(() -> Async.offload(() -> engine.shutdown(Duration.ofSeconds(60))));
        // Before the fix the worker joined itself for the whole grace period and returned false.
        Boolean clean = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            while (!engine.isTerminated()) {
                Thread.onSpinWait();
            }
            return task.isCancelled() ? null : task.get(BOUND);
        });
        assertThat(engine.isShutdown()).isTrue();
        // The awaiting task was cancelled by the shutdown; the work itself returned true.
        assertThat(task.isCancelled() || Boolean.TRUE.equals(clean)).isTrue();
        for (Thread worker : engine.workerThreads()) {
            worker.join(BOUND.toMillis());
            assertThat(worker.isAlive()).isFalse();
        }
    }

    @Test
    void shutdownFromOffloadedWorkReportsCleanOnceTheOtherWorkersExited() throws Exception {
        Engine engine = Engine.builder().loops(1).workers(3).build();
        CountDownLatch returned = new CountDownLatch(1);
        boolean[] result = new boolean[1];
        engine.loop(0)
                .spawn(() -> Async.offload(() -> {
                    result[0] = engine.shutdown(Duration.ofSeconds(60));
                    returned.countDown();
                    return null;
                }));
        assertThat(returned.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(result[0]).isTrue();
    }

    @Test
    void secondCloseReturnsPromptlyWhenTheWorkerQueueIsSmallerThanThePool() {
        Engine engine =
                Engine.builder().loops(1).workers(4).workerQueueCapacity(1).build();
        engine.close();
        // Before the fix it offered one stop marker per worker into a full queue: the whole 10 s grace.
        assertTimeoutPreemptively(Duration.ofSeconds(2), engine::close);
        assertThat(engine.shutdown(Duration.ofSeconds(10))).isTrue();
        assertThat(engine.isTerminated()).isTrue();
    }

    @Test
    void concurrentClosesBothReturnOnceTheEngineIsDown() throws Exception {
        Engine engine = Engine.builder().loops(2).workers(2).build();
        engine.loop(0).spawn(() -> {
            Async.sleep(Duration.ofMillis(1));
            return null;
        });
        boolean[] other = new boolean[1];
        Thread closer = new Thread(() -> other[0] = engine.shutdown(BOUND));
        closer.start();
        boolean mine = engine.shutdown(BOUND);
        closer.join(BOUND.toMillis());
        assertThat(mine).isTrue();
        assertThat(other[0]).isTrue();
        assertThat(engine.isTerminated()).isTrue();
    }

    @Test
    void runMainTeardownIsBoundedAndNamesTheTaskThatSwallowedTheCancel() throws Exception {
        List<String> reports = new CopyOnWriteArrayList<>();
        Engine engine = Engine.builder()
                .loops(1)
                .shutdownGrace(Duration.ofMillis(200))
                .exceptionHandler((message, error, source) -> reports.add(message + " | " + error.getMessage()))
                .build();
        String value = assertTimeoutPreemptively(
                Duration.ofSeconds(20),
                () -> engine.runMain(() -> {
                    engine.loop(0).spawn("stubborn", () -> {
                        for (; ; ) {
                            try {
                                return Async.await(engine.loop(0).<String>newPromise());
                            } catch (CancelledException swallowed) {
                                // ignores every cancel
                            }
                        }
                    });
                    Async.yieldNow();
                    return "main done";
                }));
        assertThat(value).isEqualTo("main done");
        assertThat(reports)
                .anySatisfy(r -> assertThat(r)
                        .contains("ignored the Engine.run() cancel for PT0.2S")
                        .contains("awaits Promise")
                        .contains("stubborn did not finish"));
        // The engine's own shutdown gives it the same bounded grace, then stops the loop.
        boolean clean =
                assertTimeoutPreemptively(Duration.ofSeconds(20), () -> engine.shutdown(Duration.ofMillis(200)));
        assertThat(clean).isFalse();
        assertThat(engine.isTerminated()).isTrue();
        assertThat(threadsNamed("spindle-loop-").stream()
                        .filter(t -> t.getName().equals("spindle-loop-0")
                                && t == engine.loop(0).thread()))
                .isEmpty();
    }

    @Test
    void shutdownFromAJvmShutdownHookStopsEveryThreadWithNonDaemonLoops() throws Exception {
        Process probe = ChildJvm.start(
                List.of("--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED"),
                ShutdownHookProbe.class);
        String out = new String(probe.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(probe.waitFor(60, TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(out).contains("exiting").contains("hook: clean=true terminated=true threads-left=0");
        assertThat(probe.exitValue()).as(out).isZero();
    }

    @Test
    void anExceptionHandlerThatThrowsLosesNoLaterCallbackAndTheFailureStillSurfaces() throws Exception {
        AtomicInteger handled = new AtomicInteger();
        List<Throwable> fatal = new CopyOnWriteArrayList<>();
        try (Engine engine = Engine.builder()
                .loops(1)
                .exceptionHandler((message, error, source) -> {
                    handled.incrementAndGet();
                    throw new IllegalStateException("the handler itself fails");
                })
                .fatalHandler((message, error, source) -> {
                    fatal.add(error);
                    throw new IllegalStateException("the fatal handler fails too");
                })
                .build()) {
            EventLoop loop = engine.loop(0);
            for (int i = 0; i < 3; i++) {
                loop.execute(() -> {
                    throw new IllegalArgumentException("callback fails");
                });
            }
            loop.execute(() -> {
                throw new AssertionError("an Error reaches the fatal handler");
            });
            // Everything after the failures still runs, in order, on the same loop.
            Task<String> after = loop.submit(() -> "still running");
            Task<Integer> coroutine = loop.spawn(() -> {
                Async.yieldNow();
                return 7;
            });
            assertThat(after.get(BOUND)).isEqualTo("still running");
            assertThat(coroutine.get(BOUND)).isEqualTo(7);
            assertThat(handled.get()).isEqualTo(4);
            assertThat(fatal).singleElement().isInstanceOf(AssertionError.class);
        }
    }
}
