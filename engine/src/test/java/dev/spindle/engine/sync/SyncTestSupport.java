package dev.spindle.engine.sync;

import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.ManualClock;
import dev.spindle.engine.Task;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;

/**
 * An engine of two loops on an auto-advancing virtual clock, for the tests of the sync primitives: time
 * moves only when every loop is idle, straight to the next timer, so timeouts cost no wall-clock time and
 * the order of events is deterministic. Loop 0 runs the scenarios; loop 1 is the foreign loop of the
 * confinement tests. Every reported exception is captured.
 */
abstract class SyncTestSupport {
    /**
     * A guard against a hung test, never a synchronisation: a scenario that is correct finishes in
     * milliseconds of wall-clock time.
     */
    private static final Duration HANG_GUARD = Duration.ofSeconds(60);

    final List<Throwable> reports = new CopyOnWriteArrayList<>();
    final ManualClock clock = ManualClock.autoAdvancing();
    final Engine engine = Engine.builder()
            .loops(2)
            .clock(clock)
            .exceptionHandler((message, error, source) -> reports.add(error))
            .fatalHandler((message, error, source) -> reports.add(error))
            .build();
    final EventLoop loop = engine.loop(0);
    final EventLoop otherLoop = engine.loop(1);

    @AfterEach
    void closeEngine() {
        // A short grace: after a failure, tasks that swallow cancellation would hold a longer one in full.
        engine.shutdown(Duration.ofSeconds(1));
    }

    /** Runs {@code main} as a coroutine on loop 0 and returns its value (asyncio's run_until_complete). */
    <T> T run(Callable<T> main) {
        return runOn(loop, main);
    }

    /** Runs {@code main} as a coroutine on {@code target} and returns its value. */
    <T> T runOn(EventLoop target, Callable<T> main) {
        Task<T> task = target.spawn(main);
        try {
            return task.get(HANG_GUARD);
        } catch (TimeoutException e) {
            throw new AssertionError("hung: " + task + " did not finish", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Spawns {@code body} as a coroutine on loop 0; call from a task on loop 0 (asyncio's create_task). */
    <T> Task<T> spawn(Callable<T> body) {
        return loop.spawn(body);
    }
}
