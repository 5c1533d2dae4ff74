package dev.spindle.engine;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;

/**
 * An engine on an auto-advancing virtual clock for conformance tests: timers fire in deadline order
 * without any wall-clock wait, and every reported exception is captured.
 */
abstract class LoopTestSupport {
    /** One report to the exception handler. */
    record Report(String message, Throwable error, Object source) {}

    final List<Report> reports = new CopyOnWriteArrayList<>();
    final List<Throwable> fatal = new CopyOnWriteArrayList<>();
    final ManualClock clock = ManualClock.autoAdvancing();
    final Engine engine = Engine.builder()
            .loops(loops())
            .clock(clock)
            .exceptionHandler((message, error, source) -> reports.add(new Report(message, error, source)))
            .fatalHandler((message, error, source) -> fatal.add(error))
            .build();
    final EventLoop loop = engine.loop(0);

    int loops() {
        return 1;
    }

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    /** Runs {@code main} as a coroutine on loop 0 and returns its value (asyncio's run_until_complete). */
    <T> T run(Callable<T> main) {
        return loop.spawn(main).join();
    }

    /** The virtual time in seconds, as asyncio tests compare it. */
    double seconds() {
        return clock.nanoTime() / 1e9;
    }
}
