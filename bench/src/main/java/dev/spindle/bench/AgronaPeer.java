package dev.spindle.bench;

import java.util.function.Consumer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * The closest design to a Spindle loop without its scheduler: an Agrona {@link AgentRunner} whose agent
 * drains a {@link ManyToOneConcurrentArrayQueue} of {@link Runnable}s, at most 1024 per duty cycle (as
 * Spindle's external batch), idling with the same {@link BackoffIdleStrategy} parameters as Spindle's
 * default. It never parks indefinitely, so producers never need to wake it.
 *
 * <p>The queue is built on Agrona's {@code UnsafeApi}: the JVM needs {@code
 * --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED}, which the benchmarks add to their forks.
 */
final class AgronaPeer implements PeerExecutor {
    private static final int BATCH = 1024;
    private static final Consumer<Runnable> RUN = Runnable::run;

    final ManyToOneConcurrentArrayQueue<Runnable> queue = new ManyToOneConcurrentArrayQueue<>(CAPACITY);
    private final AgentRunner runner;

    AgronaPeer() {
        Agent agent = new Agent() {
            @Override
            public int doWork() {
                return queue.drain(RUN, BATCH);
            }

            @Override
            public String roleName() {
                return "agrona-drain";
            }
        };
        runner = new AgentRunner(
                new BackoffIdleStrategy(64, 16, 1_000, 64_000), Throwable::printStackTrace, null, agent);
        AgentRunner.startOnThread(runner);
    }

    @Override
    public boolean trySubmit(Runnable task) {
        return queue.offer(task);
    }

    @Override
    public void close() {
        runner.close();
    }
}
