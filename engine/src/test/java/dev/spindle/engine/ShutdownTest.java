package dev.spindle.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Graceful shutdown in asyncio's order (A16.3): cancel once, wait, report who ignored it. */
class ShutdownTest {
    record Report(String message, Object source) {}

    @Test
    void shutdownCancelsLiveTasksOnceAndWaitsForTheirCleanup() throws InterruptedException {
        List<Report> reports = new CopyOnWriteArrayList<>();
        Engine engine = Engine.builder()
                .loops(2)
                .exceptionHandler((message, error, source) -> reports.add(new Report(message, source)))
                .build();
        AtomicInteger cleanups = new AtomicInteger();
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(4);
        for (int i = 0; i < 4; i++) {
            engine.loop(i % 2).spawn(() -> {
                started.countDown();
                try {
                    Async.sleep(Duration.ofHours(1));
                } catch (CancelledException e) {
                    Async.sleep(Duration.ofMillis(1)); // cleanup may still await
                    cleanups.incrementAndGet();
                    throw e;
                }
                return null;
            });
        }
        started.await(); // all four are sleeping: live tasks with a cleanup to run
        assertThat(engine.shutdown(Duration.ofSeconds(30))).isTrue();
        assertThat(cleanups).hasValue(4);
        assertThat(reports).isEmpty();
        assertThat(engine.isTerminated()).isTrue();
    }

    @Test
    void aTaskThatIgnoresTheCancelIsReportedByNameWithWhatItAwaits() {
        List<Report> reports = new CopyOnWriteArrayList<>();
        Engine engine = Engine.builder()
                .loops(1)
                .exceptionHandler((message, error, source) -> reports.add(new Report(message, source)))
                .build();
        EventLoop loop = engine.loop(0);
        Task<Void> stubborn = loop.spawn("stubborn", () -> {
            while (true) {
                try {
                    Async.await(loop.newPromise()); // a fresh promise: the cancel cancels the awaited one
                } catch (CancelledException ignored) {
                    // keeps going: exactly what shutdown must report
                }
            }
        });
        Settle.settle(loop);
        assertThat(engine.shutdown(Duration.ofMillis(100))).isFalse();
        assertThat(reports).singleElement().satisfies(r -> {
            assertThat(r.message())
                    .startsWith("task ignored the shutdown cancel")
                    .contains("it awaits Promise[");
            assertThat(r.source()).isSameAs(stubborn);
        });
        assertThat(stubborn.isCancelled())
                .as("abandoned, so whoever joins it wakes")
                .isTrue();
    }
}
