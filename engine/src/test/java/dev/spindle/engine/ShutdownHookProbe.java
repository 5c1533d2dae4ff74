package dev.spindle.engine;

import java.time.Duration;

/**
 * Run in a fresh JVM: an engine with a task suspended on every loop and a busy offload is closed from a JVM
 * shutdown hook while the main thread calls {@code System.exit}. Prints what the hook's shutdown returned
 * and whether any engine thread was left. Used by {@link LifecycleFaultTest}.
 */
public final class ShutdownHookProbe {
    private ShutdownHookProbe() {}

    public static void main(String[] args) throws Exception {
        Engine engine = Engine.builder().loops(2).workers(2).daemon(false).build();
        for (EventLoop loop : engine.loops()) {
            loop.spawn(() -> Async.await(loop.newPromise()));
        }
        Task<Object> offloading = engine.loop(0)
                .spawn(() -> Async.offload(() -> {
                    Thread.onSpinWait();
                    return null;
                }));
        offloading.get(Duration.ofSeconds(30));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            boolean clean = engine.shutdown(Duration.ofSeconds(20));
            long left = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.isAlive() && t.getName().startsWith("spindle-"))
                    // the reporter of unretrieved failures is one daemon for the whole JVM, not the engine's
                    .filter(t -> !t.getName().equals(UnretrievedFailure.THREAD_NAME))
                    .count();
            System.out.println(
                    "hook: clean=" + clean + " terminated=" + engine.isTerminated() + " threads-left=" + left);
        }));
        System.out.println("exiting");
        System.exit(0);
    }
}
