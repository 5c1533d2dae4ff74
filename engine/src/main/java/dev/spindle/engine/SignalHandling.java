package dev.spindle.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT/SIGTERM for {@link Engine#runMain} (asyncio's runner): the first signal cancels the main task,
 * the second forces the engine down. Handlers run on the JVM's signal thread, never in signal context,
 * and only call thread-safe methods. The previous handlers are restored when the run ends.
 */
final class SignalHandling implements AutoCloseable {
    private static final String[] SIGNALS = {"INT", "TERM"};

    private final Engine engine;
    private final Task<?> main;
    private final AtomicInteger received = new AtomicInteger();
    private final List<Signal> installed = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();
    private volatile String firstSignal;

    SignalHandling(Engine engine, Task<?> main) {
        this.engine = engine;
        this.main = main;
        for (String name : SIGNALS) {
            try {
                Signal signal = new Signal(name);
                previous.add(Signal.handle(signal, this::onSignal));
                installed.add(signal);
            } catch (IllegalArgumentException unavailable) {
                // this platform or JVM reserves the signal: leave it alone
            }
        }
    }

    private void onSignal(Signal signal) {
        if (received.getAndIncrement() == 0) {
            firstSignal = signal.getName();
            main.cancel("SIG" + signal.getName());
        } else {
            Thread forcing = new Thread(() -> engine.shutdown(Duration.ZERO), "spindle-forced-shutdown");
            forcing.setDaemon(true);
            forcing.start();
        }
    }

    /** The signal that interrupted the run, or {@code null}. */
    String signal() {
        return firstSignal;
    }

    @Override
    public void close() {
        for (int i = 0; i < installed.size(); i++) {
            Signal.handle(installed.get(i), previous.get(i));
        }
    }
}
