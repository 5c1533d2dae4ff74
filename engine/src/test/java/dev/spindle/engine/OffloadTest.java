package dev.spindle.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.engine.internal.ThreadAffinity;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Offloading blocking work to the pinned worker pool (A12). */
class OffloadTest {
    private final Engine engine =
            Engine.builder().loops(1).workers(1).workerQueueCapacity(1).build();
    private final EventLoop loop = engine.loop(0);

    @AfterEach
    void close() {
        engine.close();
    }

    /** Occupies the single worker until the returned latch is released. */
    private CountDownLatch occupyWorker() throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.spawn(() -> Async.offload(() -> {
            running.countDown();
            release.await();
            return null;
        }));
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
        return release;
    }

    @Test
    void theTaskResumesOnItsLoopWithTheValue() {
        Task<String> t = loop.spawn(() -> {
            String worker = Async.offload(() -> Thread.currentThread().getName());
            return worker + " -> " + Thread.currentThread().getName();
        });
        assertThat(t.join()).isEqualTo("spindle-worker-0 -> spindle-loop-0");
    }

    @Test
    void aFailureComesBackAsItWas() {
        IllegalStateException boom = new IllegalStateException("blocking call failed");
        Task<Object> t = loop.spawn(() -> Async.offload(() -> {
            throw boom;
        }));
        assertThatThrownBy(t::join).isSameAs(boom);
    }

    @Test
    void aFullQueueSuspendsOffloadAndTryOffloadSaysNo() throws Exception {
        CountDownLatch release = occupyWorker();
        Task<String> queued = loop.spawn(() -> Async.offload(() -> "queued"));
        Task<String> waiting = loop.spawn(() -> Async.offload(() -> "waited for a slot"));
        Settle.settle(loop);
        assertThat(loop.submit(() -> Async.tryOffload(() -> "no room")).join()).isNull();
        assertThat(waiting.isDone()).isFalse();
        release.countDown();
        assertThat(queued.join()).isEqualTo("queued");
        assertThat(waiting.join()).isEqualTo("waited for a slot");
    }

    @Test
    void cancellingTheTaskWithdrawsWorkThatHasNotStarted() throws Exception {
        CountDownLatch release = occupyWorker();
        AtomicBoolean ran = new AtomicBoolean();
        Task<String> t = loop.spawn(() -> Async.offload(() -> {
            ran.set(true);
            return "never";
        }));
        Settle.settle(loop);
        t.cancel();
        assertThatThrownBy(t::join).isInstanceOf(CancelledException.class);
        release.countDown();
        loop.spawn(() -> Async.offload(() -> "the worker moved on")).join();
        assertThat(ran).isFalse();
    }

    @Test
    void runningWorkFinishesAndItsValueGoesToTheDiscardHook() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Object> discarded = new CompletableFuture<>();
        Task<String> t = loop.spawn(() -> Async.offload(
                () -> {
                    started.countDown();
                    release.await();
                    return "produced after the cancel";
                },
                OffloadOptions.defaults().withOnDiscard(discarded::complete)));
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        t.cancel();
        assertThatThrownBy(t::join).isInstanceOf(CancelledException.class);
        release.countDown();
        assertThat(discarded.get(30, TimeUnit.SECONDS)).isEqualTo("produced after the cancel");
    }

    @Test
    void theInterruptPolicyInterruptsTheWorker() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<String> outcome = new CompletableFuture<>();
        Task<String> t = loop.spawn(() -> Async.offload(
                () -> {
                    started.countDown();
                    try {
                        new CountDownLatch(1).await();
                        outcome.complete("not interrupted");
                    } catch (InterruptedException e) {
                        outcome.complete("interrupted");
                    }
                    return "x";
                },
                OffloadOptions.defaults().withPolicy(OffloadPolicy.INTERRUPT)));
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        t.cancel();
        assertThat(outcome.get(30, TimeUnit.SECONDS)).isEqualTo("interrupted");
        assertThat(loop.spawn(() -> Async.offload(() -> Thread.currentThread().isInterrupted()))
                        .join())
                .as("the interrupt does not leak into the next job")
                .isFalse();
    }

    @Test
    void contextValuesAreCarriedOnlyWhenAskedFor() {
        ContextKey<String> key = ContextKey.named("user");
        List<String> seen = new CopyOnWriteArrayList<>();
        loop.spawn(() -> {
                    key.set("alice");
                    seen.add(String.valueOf(Async.offload(key::get)));
                    seen.add(Async.offload(key::get, OffloadOptions.defaults().withContext()));
                    return null;
                })
                .join();
        assertThat(seen).containsExactly("null", "alice");
    }

    @Test
    void everyWorkerIsPinnedToTheConfiguredCpus() {
        String allowed = ThreadAffinity.allowedCpuList();
        String last = allowed.substring(Math.max(allowed.lastIndexOf(','), allowed.lastIndexOf('-')) + 1);
        int cpu = Integer.parseInt(last.trim());
        try (Engine pinned =
                Engine.builder().loops(1).workers(3).workerCpus(cpu).build()) {
            List<String> masks = new CopyOnWriteArrayList<>();
            Task<Void> t = pinned.loop(0).spawn(() -> {
                for (int i = 0; i < 3; i++) {
                    masks.add(Async.offload(
                            () -> Thread.currentThread().getName() + "=" + ThreadAffinity.allowedCpuList()));
                }
                return null;
            });
            t.join();
            assertThat(pinned.workerThreads()).hasSize(3);
            assertThat(masks).allSatisfy(m -> assertThat(m).endsWith("=" + cpu));
        }
    }

    @Test
    void offloadOutsideACoroutineIsRefused() {
        assertThatThrownBy(() -> Async.offload(() -> "x"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not inside a coroutine task");
        assertThatThrownBy(() -> Engine.builder().workers(0)).hasMessageStartingWith("workers");
    }

    @Test
    void shutdownWithdrawsQueuedWorkAndJoinsTheWorkers() throws Exception {
        Engine e = Engine.builder().loops(1).workers(1).workerQueueCapacity(4).build();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        e.loop(0)
                .spawn(() -> Async.offload(() -> {
                    started.countDown();
                    release.await(10, TimeUnit.SECONDS);
                    return null;
                }));
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        Thread releaser = new Thread(() -> {
            // Let shutdown start, then free the worker so its bounded join succeeds.
            while (!e.isShutdown()) {
                Thread.onSpinWait();
            }
            release.countDown();
        });
        releaser.start();
        e.shutdown(java.time.Duration.ofSeconds(10));
        releaser.join();
        assertThat(e.workerThreads()).allSatisfy(w -> assertThat(w.isAlive()).isFalse());
    }
}
