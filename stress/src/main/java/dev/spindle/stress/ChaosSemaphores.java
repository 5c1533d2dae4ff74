package dev.spindle.stress;

import dev.spindle.engine.Async;
import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.sync.Semaphore;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * One {@link Semaphore} per loop, with {@link #PERMITS} units, that the chaos soak's tasks hold across awaits
 * while being cancelled and timed out. Each use counts its holders (loop-confined, like the semaphore): more
 * than {@link #PERMITS} at once is a violation, and so is a unit missing or extra once every task is done.
 */
final class ChaosSemaphores {
    static final int PERMITS = 3;

    final LongAdder acquired = new LongAdder();

    private final Engine engine;
    private final ChaosLedger ledger;
    private final Semaphore[] semaphores;
    /** Holders per loop; each element is touched only by its loop's thread. */
    private final int[] holders;

    ChaosSemaphores(Engine engine, ChaosLedger ledger) {
        this.engine = engine;
        this.ledger = ledger;
        this.semaphores = new Semaphore[engine.loopCount()];
        this.holders = new int[engine.loopCount()];
        for (int i = 0; i < semaphores.length; i++) {
            semaphores[i] = new Semaphore(engine.loop(i), PERMITS);
        }
    }

    /** In a coroutine task on {@code loop}: takes a unit of the loop's semaphore, holds it for {@code hold}. */
    void use(EventLoop loop, Duration hold) {
        int i = loop.index();
        Semaphore semaphore = semaphores[i];
        semaphore.acquire();
        try {
            acquired.increment();
            if (++holders[i] > PERMITS) {
                ledger.violation(holders[i] + " tasks hold a unit of " + semaphore + " with " + PERMITS + " units");
            }
            Async.sleep(hold);
        } finally {
            holders[i]--;
            semaphore.release();
        }
    }

    /** After every task is done, from outside the engine: every unit is back and nobody waits. */
    void check() {
        for (int i = 0; i < semaphores.length; i++) {
            Semaphore semaphore = semaphores[i];
            String state = engine.loop(i)
                    .submit(() -> semaphore.value() + " free, locked " + semaphore.locked())
                    .join();
            if (!state.equals(PERMITS + " free, locked false")) {
                ledger.violation("semaphore of loop " + i + " has " + state + " after every task finished; expected "
                        + PERMITS + " free");
            }
        }
    }
}
