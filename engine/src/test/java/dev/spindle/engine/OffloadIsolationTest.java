package dev.spindle.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Nothing an offloaded job does to its worker is seen by the next job on that worker: context values,
 * interrupt status, thread name, context class loader, priority, uncaught-exception handler. One worker,
 * so both jobs run on the same thread.
 */
class OffloadIsolationTest {
    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final ContextKey<String> USER = ContextKey.withDefault("user", "nobody");

    private final Engine engine = Engine.builder().loops(1).workers(1).build();
    private final EventLoop loop = engine.loop(0);

    @AfterEach
    void close() {
        engine.close();
    }

    private <T> T offload(Callable<T> work) throws Exception {
        return loop.spawn(() -> Async.offload(work)).get(BOUND);
    }

    private <T> T offloadWithContext(Callable<T> work) throws Exception {
        return loop.spawn(() -> Async.offload(work, OffloadOptions.defaults().withContext()))
                .get(BOUND);
    }

    @Test
    void contextValueSetByOneOffloadedJobIsNotSeenByTheNext() throws Exception {
        offload(() -> {
            USER.set("request-of-user-A");
            return null;
        });
        assertThat(offload(USER::get)).isEqualTo("nobody");
        assertThat(offloadWithContext(USER::get)).isEqualTo("nobody");
    }

    @Test
    void contextValueSetByAJobWithContextIsNotSeenByTheNext() throws Exception {
        offloadWithContext(() -> {
            USER.set("request-of-user-A");
            return null;
        });
        assertThat(offloadWithContext(USER::get)).isEqualTo("nobody");
        assertThat(offload(USER::get)).isEqualTo("nobody");
    }

    @Test
    void aJobSeesItsTaskContextOnlyWhenAskedAndNeverTheWorkers() throws Exception {
        Task<String> task = loop.spawn(() -> {
            USER.set("request-of-user-B");
            return Async.offload(USER::get, OffloadOptions.defaults().withContext()) + "/" + Async.offload(USER::get);
        });
        assertThat(task.get(BOUND)).isEqualTo("request-of-user-B/nobody");
    }

    @Test
    void threadStateChangedByOneJobIsRestoredBeforeTheNext() throws Exception {
        record Identity(String name, ClassLoader loader, int priority, Object handler, boolean interrupted) {}
        Callable<Identity> look = () -> {
            Thread t = Thread.currentThread();
            return new Identity(
                    t.getName(),
                    t.getContextClassLoader(),
                    t.getPriority(),
                    t.getUncaughtExceptionHandler(),
                    t.isInterrupted());
        };
        Identity before = offload(look);
        try (URLClassLoader foreign = new URLClassLoader(new URL[0])) {
            offload(() -> {
                Thread t = Thread.currentThread();
                t.setName("hijacked");
                t.setContextClassLoader(foreign);
                t.setPriority(Thread.MIN_PRIORITY);
                t.setUncaughtExceptionHandler((thread, e) -> {});
                t.interrupt();
                return null;
            });
        }
        Identity after = offload(look);
        assertThat(after).isEqualTo(before);
        assertThat(after.name()).startsWith("spindle-worker-");
        assertThat(after.interrupted()).isFalse();
    }

    @Test
    void threadStateIsRestoredEvenWhenTheJobFails() throws Exception {
        String before = offload(() -> Thread.currentThread().getName());
        Task<Object> failing = loop.spawn(() -> Async.offload(() -> {
            Thread.currentThread().setName("hijacked");
            throw new IllegalStateException("boom");
        }));
        assertThat(failing.toCompletableFuture()).failsWithin(BOUND);
        assertThat(offload(() -> Thread.currentThread().getName())).isEqualTo(before);
    }
}
