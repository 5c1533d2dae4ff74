package dev.spindle.engine;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reports a failure that nobody read once its task or promise becomes unreachable (asyncio's "Task
 * exception was never retrieved"). Armed only on the failure path, so success costs nothing. The action
 * holds the exception and a description, never the awaitable itself, or it would never be collected.
 */
final class UnretrievedFailure implements Runnable {
    /** The name of the JVM-wide thread that runs the reports. */
    static final String THREAD_NAME = "spindle-unretrieved";

    private static final Cleaner CLEANER = Cleaner.create(runnable -> {
        Thread t = new Thread(runnable, THREAD_NAME);
        t.setDaemon(true);
        return t;
    });

    /** How many actions have run, reported or not; lets tests wait for the cleaner deterministically. */
    static final AtomicLong RUNS = new AtomicLong();

    private final EventLoop loop;
    private final Throwable error;
    private final String description;
    private volatile boolean retrieved;

    private UnretrievedFailure(EventLoop loop, Throwable error, String description) {
        this.loop = loop;
        this.error = error;
        this.description = description;
    }

    /**
     * Starts the JVM-wide reporter thread if it is not running yet. Its start is part of this class's
     * initialisation, which would otherwise happen on a loop thread inside the step of the first task to
     * fail; each engine calls this while it is built, so no loop ever pays for a thread start.
     */
    static void startReporter() {
        // Nothing to do: calling a static method has initialised the class, and with it the cleaner.
    }

    static UnretrievedFailure arm(BaseAwaitable<?> failed, Throwable error, String kind) {
        UnretrievedFailure action = new UnretrievedFailure(failed.loop, error, kind + " " + failed);
        CLEANER.register(failed, action);
        return action;
    }

    void retrieved() {
        retrieved = true;
    }

    @Override
    public void run() {
        try {
            if (!retrieved) {
                loop.report(
                        description.substring(0, description.indexOf(' ')) + " exception was never retrieved",
                        error,
                        description);
            }
        } finally {
            RUNS.incrementAndGet();
        }
    }
}
