package dev.spindle.bench;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@link Executors#newSingleThreadExecutor()}, a {@code LinkedBlockingQueue} and one parking worker, or
 * another JDK executor given to the constructor.
 */
final class JdkPeer implements PeerExecutor {
    final ExecutorService executor;

    JdkPeer() {
        this(Executors.newSingleThreadExecutor());
    }

    JdkPeer(ExecutorService executor) {
        this.executor = executor;
    }

    @Override
    public boolean trySubmit(Runnable task) {
        executor.execute(task);
        return true;
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
