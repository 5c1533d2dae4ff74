package dev.spindle.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

/** Debug mode (A14): slow steps, stalls, task dumps, histograms and JFR events. */
class DebugModeTest {
    record Report(String message, Throwable error) {}

    private final List<Report> reports = new CopyOnWriteArrayList<>();

    private Engine debugEngine(Duration threshold) {
        return Engine.builder()
                .loops(1)
                .debug(true)
                .slowStepThreshold(threshold)
                .exceptionHandler((message, error, source) -> reports.add(new Report(message, error)))
                .build();
    }

    @Test
    @org.junit.jupiter.api.DisplayName("60 test_log_slow_callbacks")
    void logSlowCallbacks() {
        try (Engine engine = debugEngine(Duration.ZERO)) {
            Task<String> t = engine.loop(0).spawn("slowpoke", () -> "done");
            t.join();
            Settle.settle(engine.loop(0));
        }
        assertThat(reports).anySatisfy(r -> {
            assertThat(r.message()).matches("Executing Task\\[slowpoke .*\\] took \\d+\\.\\d{3} seconds");
            assertThat(r.error()).isInstanceOf(SlowStepException.class);
            assertThat(r.error().getCause()).as("where the task was created").hasMessage("task created here");
        });
    }

    @Test
    void theStallDetectorReportsABlockedLoopWithItsStack() throws Exception {
        CountDownLatch reported = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Engine engine = Engine.builder()
                .loops(1)
                .debug(true)
                .slowStepThreshold(Duration.ofMillis(50))
                .exceptionHandler((message, error, source) -> {
                    reports.add(new Report(message, error));
                    if (error instanceof LoopStallException) {
                        reported.countDown();
                    }
                })
                .build()) {
            Task<Void> blocker = engine.loop(0).spawn("blocker", () -> {
                release.await(); // blocks the loop: exactly what the detector must see
                return null;
            });
            assertThat(reported.await(30, TimeUnit.SECONDS)).isTrue();
            release.countDown();
            blocker.join();
        }
        assertThat(reports)
                .filteredOn(r -> r.error() instanceof LoopStallException)
                .first()
                .satisfies(r -> {
                    assertThat(r.message()).startsWith("spindle-loop-0 stalled").contains("blocker");
                    assertThat(r.error().getStackTrace())
                            .anySatisfy(
                                    frame -> assertThat(frame.getClassName()).contains("CountDownLatch"));
                });
    }

    @Test
    void dumpTasksShowsStatesAgesAndAwaitChains() {
        try (Engine engine = debugEngine(Duration.ofSeconds(10))) {
            EventLoop loop = engine.loop(0);
            Promise<String> gate = loop.newPromise();
            Task<String> inner = loop.spawn("inner", () -> Async.await(gate));
            Task<String> outer = loop.spawn("outer", () -> Async.await(inner));
            Settle.settle(loop);
            String dump = engine.dumpTasks();
            assertThat(dump).startsWith("2 live tasks");
            assertThat(dump)
                    .containsPattern(
                            "outer\\s+SUSPENDED\\s+spindle-loop-0\\s+age\\s+\\d+\\.\\d{3}s  awaits inner  awaits Promise\\[PENDING");
            assertThat(dump).contains("created at dev.spindle.engine.DebugModeTest");
            gate.complete("open");
            assertThat(outer.join()).isEqualTo("open");
            assertThat(engine.dumpTasks()).startsWith("0 live tasks");
        }
    }

    @Test
    void debugStatsCarryStepAndTimerLagHistograms() {
        try (Engine engine = debugEngine(Duration.ofSeconds(10))) {
            EventLoop loop = engine.loop(0);
            Promise<Void> fired = loop.newPromise();
            loop.schedule(Duration.ofMillis(1), () -> fired.complete(null));
            fired.join();
            loop.submit(() -> null).join();
            Settle.settle(loop);
            LoopStats stats = loop.stats();
            assertThat(stats.stepNanos().getTotalCount()).isPositive();
            assertThat(stats.timerLagNanos().getTotalCount()).isEqualTo(1);
        }
        try (Engine plain = Engine.builder().loops(1).debug(false).build()) {
            assertThat(plain.loop(0).stats().stepNanos()).isNull();
        }
    }

    @Test
    void jfrRecordsSlowStepsStallsAndFailures() throws Exception {
        Path file = Files.createTempFile("spindle", ".jfr");
        try (Recording recording = new Recording()) {
            recording.enable("dev.spindle.SlowStep");
            recording.enable("dev.spindle.LoopStall");
            recording.enable("dev.spindle.TaskFailed");
            recording.start();
            CountDownLatch stalled = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            try (Engine engine = Engine.builder()
                    .loops(1)
                    .debug(true)
                    .slowStepThreshold(Duration.ofMillis(50))
                    .exceptionHandler((message, error, source) -> {
                        if (error instanceof LoopStallException) {
                            stalled.countDown();
                        }
                    })
                    .build()) {
                Task<Void> blocker = engine.loop(0).spawn("blocker", () -> {
                    release.await();
                    return null;
                });
                assertThat(stalled.await(30, TimeUnit.SECONDS)).isTrue();
                release.countDown();
                blocker.join();
                Task<Void> failing = engine.loop(0).spawn("failing", () -> {
                    throw new IllegalStateException("recorded");
                });
                failing.toCompletableFuture().handle((v, e) -> null).join();
            }
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        Files.deleteIfExists(file);
        assertThat(events).anySatisfy(e -> {
            assertThat(e.getEventType().getName()).isEqualTo("dev.spindle.SlowStep");
            assertThat(e.getString("step")).contains("blocker");
        });
        assertThat(events).anySatisfy(e -> {
            assertThat(e.getEventType().getName()).isEqualTo("dev.spindle.LoopStall");
            assertThat(e.getString("stack")).contains("CountDownLatch");
        });
        assertThat(events).anySatisfy(e -> {
            assertThat(e.getEventType().getName()).isEqualTo("dev.spindle.TaskFailed");
            assertThat(e.getString("task")).isEqualTo("failing");
            assertThat(e.getString("message")).isEqualTo("recorded");
        });
    }
}
