package dev.spindle.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code EventLoop.allTasks()} from outside the loops is a diagnostic: it must answer when the loop's external
 * queue is full (when a dump is most wanted) and once the loop has stopped, instead of being refused.
 */
class AllTasksTest {

    @Test
    void answersWhileTheExternalQueueIsFull() throws Exception {
        try (Engine engine = Engine.builder().loops(1).queueCapacity(4).build()) {
            EventLoop loop = engine.loop(0);
            Promise<String> never = loop.newPromise();
            Task<String> waiting = loop.spawn("waiting", () -> Async.await(never));
            CountDownLatch blocked = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            loop.execute(() -> {
                blocked.countDown();
                awaitQuietly(release); // holds the loop so that the external queue stays full
            });
            assertThat(blocked.await(30, TimeUnit.SECONDS)).isTrue();
            int queued = 0;
            while (loop.tryExecute(() -> {})) {
                queued++;
            }
            assertThat(queued).as("the external queue is full").isPositive();

            CompletableFuture<List<Task<?>>> dump = CompletableFuture.supplyAsync(loop::allTasks);
            release.countDown();
            assertThat(dump.get(30, TimeUnit.SECONDS)).containsExactly(waiting);
            waiting.cancel();
        }
    }

    @Test
    void answersOnceTheLoopHasStopped() throws InterruptedException {
        Engine engine = Engine.builder().loops(1).build();
        EventLoop loop = engine.loop(0);
        CountDownLatch started = new CountDownLatch(1);
        Task<Object> stubborn = loop.spawn("stubborn", () -> {
            started.countDown();
            for (; ; ) {
                try {
                    Async.sleep(Duration.ofDays(1));
                } catch (CancelledException ignored) {
                    // swallows every cancel: the shutdown must force the loop to stop
                }
            }
        });
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(engine.shutdown(Duration.ofMillis(50)))
                .as("a task ignored the cancel")
                .isFalse();
        assertThat(stubborn.isDone())
                .as("the forced stop ended the stubborn task")
                .isTrue();
        assertThat(loop.allTasks())
                .as("the stopped loop's registry, read directly")
                .isEmpty();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
