package dev.spindle.engine;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * SIGINT/SIGTERM for {@link Engine#runMain} (asyncio's runner): the first signal cancels the main task,
 * the second forces the engine down. Handlers run on the JVM's signal thread, never in signal context,
 * and only call thread-safe methods. The previous handlers are restored when the run ends.
 *
 * <p>{@code sun.misc.Signal} (module {@code jdk.unsupported}) is reached through method handles and a
 * proxy, so the build carries no compile-time dependency on it and no warning for it.
 */
final class SignalHandling implements AutoCloseable {
    private static final String[] SIGNALS = {"INT", "TERM"};
    private static final Class<?> SIGNAL;
    private static final Class<?> HANDLER;
    private static final MethodHandle NEW_SIGNAL;
    private static final MethodHandle HANDLE;
    private static final MethodHandle NAME;

    static {
        Class<?> signal = null, handler = null;
        MethodHandle create = null, handle = null, name = null;
        try {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            signal = Class.forName("sun.misc.Signal");
            handler = Class.forName("sun.misc.SignalHandler");
            create = lookup.findConstructor(signal, MethodType.methodType(void.class, String.class));
            handle = lookup.findStatic(signal, "handle", MethodType.methodType(handler, signal, handler));
            name = lookup.findVirtual(signal, "getName", MethodType.methodType(String.class));
        } catch (ReflectiveOperationException | RuntimeException unavailable) {
            signal = null; // this JVM has no jdk.unsupported: runs go without signal handling
        }
        SIGNAL = signal;
        HANDLER = handler;
        NEW_SIGNAL = create;
        HANDLE = handle;
        NAME = name;
    }

    private final Engine engine;
    /** Set right after the main task is spawned; a signal that arrives before it is applied then. */
    private volatile Task<?> main;

    private final AtomicInteger received = new AtomicInteger();
    private final List<Object> installed = new ArrayList<>();
    private final List<Object> previous = new ArrayList<>();
    private volatile String firstSignal;

    /** Installs the handlers: before the main task exists, so that no early signal kills the JVM. */
    SignalHandling(Engine engine) {
        this.engine = engine;
        if (SIGNAL == null) {
            return;
        }
        Object handler =
                Proxy.newProxyInstance(HANDLER.getClassLoader(), new Class<?>[] {HANDLER}, (proxy, method, args) -> {
                    if (method.getName().equals("handle")) {
                        onSignal((String) NAME.invoke(args[0]));
                        return null;
                    }
                    return method.getName().equals("toString") ? "spindle signal handler" : method.invoke(this, args);
                });
        for (String name : SIGNALS) {
            try {
                Object signal = NEW_SIGNAL.invoke(name);
                previous.add(HANDLE.invoke(signal, handler));
                installed.add(signal);
            } catch (IllegalArgumentException reserved) {
                // this platform or JVM reserves the signal: leave it alone
            } catch (Throwable t) {
                throw new IllegalStateException("cannot install a handler for SIG" + name, t);
            }
        }
    }

    /** The main task now exists: a signal that came first is delivered to it now. */
    void attach(Task<?> mainTask) {
        this.main = mainTask;
        String early = firstSignal;
        if (early != null) {
            mainTask.cancel("SIG" + early);
        }
    }

    private void onSignal(String name) {
        if (received.getAndIncrement() == 0) {
            firstSignal = name;
            Task<?> m = main;
            if (m != null) {
                m.cancel("SIG" + name);
            }
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
            try {
                HANDLE.invoke(installed.get(i), previous.get(i));
            } catch (Throwable t) {
                throw new IllegalStateException("cannot restore the previous signal handler", t);
            }
        }
    }
}
