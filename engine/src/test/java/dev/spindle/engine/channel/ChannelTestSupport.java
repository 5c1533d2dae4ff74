package dev.spindle.engine.channel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.engine.Async;
import dev.spindle.engine.Awaitable;
import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;

/**
 * An engine of two loops on an auto-advancing virtual clock: timers (time-outs) fire in deadline order
 * without wall-clock waits, and whatever the engine reports is captured and must stay empty.
 */
abstract class ChannelTestSupport {
    /** The longest a test waits on the wall clock before it declares something stuck. */
    static final Duration STUCK = Duration.ofSeconds(10);

    final List<Throwable> reports = new CopyOnWriteArrayList<>();
    final ManualClock clock = ManualClock.autoAdvancing();
    final Engine engine = Engine.builder()
            .loops(2)
            .clock(clock)
            .exceptionHandler((message, error, source) -> reports.add(error))
            .fatalHandler((message, error, source) -> reports.add(error))
            .build();
    final EventLoop loop = engine.loop(0);
    final EventLoop other = engine.loop(1);

    @AfterEach
    void closeEngine() {
        engine.close();
        assertThat(reports).as("exceptions reported by the engine").isEmpty();
    }

    /** Runs {@code main} as a coroutine on loop 0 and returns its value, failing if it takes too long. */
    <T> T run(Callable<T> main) {
        return join(loop.spawn(main));
    }

    /** The value of {@code awaitable}, waited for from a plain thread; fails instead of hanging. */
    static <T> T join(Awaitable<T> awaitable) {
        try {
            return awaitable.get(STUCK);
        } catch (TimeoutException e) {
            throw new AssertionError(awaitable + " is stuck", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Inside a coroutine: lets the loop run {@code passes} rounds of ready work. */
    static void yieldTimes(int passes) {
        for (int i = 0; i < passes; i++) {
            Async.yieldNow();
        }
    }

    /**
     * From a plain thread: waits until {@code condition} holds (a state another thread will reach, never a
     * guess about timing), failing after {@link #STUCK}.
     */
    static void awaitCondition(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + STUCK.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.yield();
        }
    }

    /** Starts a daemon thread named {@code name} running {@code body}. */
    static Thread start(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Joins {@code thread}, failing if it does not end within {@link #STUCK}. */
    static void joinThread(Thread thread) {
        try {
            thread.join(STUCK.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        assertThat(thread.isAlive()).as(thread.getName() + " is stuck").isFalse();
    }
}
