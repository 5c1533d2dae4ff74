package dev.spindle.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The examples in README.md, kept compiling and true. */
class ReadmeExampleTest {

    static String fetch(String page) {
        Async.sleep(Duration.ofMillis(10));
        return page;
    }

    @Test
    void theTwentyLinesRun() {
        String summary = Engine.run(() -> {
            java.util.List<Task<String>> pages = TaskGroup.run(
                    group -> java.util.List.of(group.spawn(() -> fetch("home")), group.spawn(() -> fetch("about"))));
            String fast = Async.timeout(Duration.ofMillis(200), scope -> fetch("search"));
            byte[] file = Async.offload(() -> java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/etc/hostname")));
            return pages.get(0).result() + ", " + fast + ", " + file.length + " bytes";
        });
        assertThat(summary).matches("home, search, \\d+ bytes");
    }

    @Test
    void theShortExampleRuns() {
        try (Engine engine = Engine.builder().loops(2).build()) {
            EventLoop loop = engine.loop(0);
            Task<Integer> answer = loop.submit("answer", () -> 6 * 7);
            Promise<String> reply = engine.loop(1).newPromise();
            loop.schedule(Duration.ofMillis(5), () -> reply.complete("pong"));
            assertThat(answer.join() + " " + reply.join()).isEqualTo("42 pong");
            Task<String> late = loop.submit(() -> "never");
            boolean requested = late.cancel("changed my mind");
            late.toCompletableFuture().handle((v, e) -> null).join();
            // Counted before the task finished: delivered at its step. Otherwise it had already run.
            assertThat(late.state()).isEqualTo(requested ? TaskState.CANCELLED : TaskState.SUCCEEDED);
        }
    }

    @Test
    void theVirtualClockExampleRunsWithoutWaiting() {
        ManualClock clock = ManualClock.autoAdvancing();
        try (Engine engine = Engine.builder().loops(1).clock(clock).build()) {
            Promise<Long> fired = engine.loop(0).newPromise();
            engine.loop(0)
                    .schedule(
                            Duration.ofHours(1),
                            () -> fired.complete(engine.loop(0).time()));
            assertThat(fired.join()).isEqualTo(Duration.ofHours(1).toNanos());
        }
    }
}
