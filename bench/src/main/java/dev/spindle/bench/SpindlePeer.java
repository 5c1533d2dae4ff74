package dev.spindle.bench;

import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import java.time.Duration;

/** Spindle with one loop and the default configuration; submission is {@link EventLoop#tryExecute}. */
final class SpindlePeer implements PeerExecutor {
    final Engine engine;
    final EventLoop loop;

    SpindlePeer() {
        engine = Engine.builder().loops(1).queueCapacity(CAPACITY).build();
        loop = engine.loop(0);
    }

    @Override
    public boolean trySubmit(Runnable task) {
        return loop.tryExecute(task);
    }

    @Override
    public void close() {
        engine.shutdown(Duration.ofSeconds(5));
    }
}
