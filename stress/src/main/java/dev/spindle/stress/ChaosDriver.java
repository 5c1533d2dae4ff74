package dev.spindle.stress;

import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.Promise;
import dev.spindle.engine.RejectedTaskException;
import dev.spindle.engine.Task;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One driver thread of the chaos soak, outside the engine: spawns top-level tasks on random loops (one at a
 * time, or in bursts that overflow a loop's small external queue), cancels random tasks that anyone spawned,
 * and completes or cancels random promises that tasks await. A refused spawn is counted, never retried.
 *
 * <p>Pacing only: while more than {@link #MAX_LIVE} tasks are alive, or after a refused spawn, the driver
 * parks briefly, so that the workload stays a churn rather than a growing backlog and the drivers do not take
 * the loops' CPUs spinning on refusals. Correctness never depends on this.
 */
final class ChaosDriver implements Runnable {
    private static final int MAX_LIVE = 3_000;
    private static final int BURST = 48;
    private static final long PACING_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    private final Engine engine;
    private final ChaosLedger ledger;
    private final ChaosScenarios scenarios;
    private final SplittableRandom random;
    private volatile boolean stopped;

    ChaosDriver(Engine engine, ChaosLedger ledger, ChaosScenarios scenarios, long seed) {
        this.engine = engine;
        this.ledger = ledger;
        this.scenarios = scenarios;
        this.random = new SplittableRandom(seed);
    }

    /** Asks the driver to finish its current operation and return from {@link #run()}. Any thread. */
    void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        while (!stopped) {
            if (ledger.live() > MAX_LIVE) {
                LockSupport.parkNanos(PACING_NANOS);
                continue;
            }
            int op = random.nextInt(100);
            if (op < 50) {
                spawn();
            } else if (op < 53) {
                for (int i = 0; i < BURST; i++) {
                    spawn();
                }
            } else if (op < 75) {
                cancelOne();
            } else {
                settleOnePromise();
            }
        }
    }

    private void spawn() {
        EventLoop loop = engine.loop(random.nextInt(engine.loopCount()));
        try {
            ledger.track(loop.spawn(scenarios.body(random.nextLong(), 0)));
        } catch (RejectedTaskException full) {
            ledger.rejected.increment();
            LockSupport.parkNanos(PACING_NANOS); // the loop is behind: let it drain rather than spin on refusals
        }
    }

    private void cancelOne() {
        Task<?> victim = ledger.taskRing.get(random.nextInt(ChaosLedger.RING_SIZE));
        if (victim == null) {
            return;
        }
        ledger.cancelsRequested.increment();
        if (victim.cancel("chaos: cancelled by a driver")) {
            ledger.cancelsGranted.increment();
        }
    }

    private void settleOnePromise() {
        Promise<Long> promise = scenarios.promiseRing.get(random.nextInt(ChaosLedger.RING_SIZE));
        if (promise == null) {
            return;
        }
        if (random.nextInt(4) == 0) {
            if (promise.cancel("chaos: cancelled by a driver")) {
                ledger.promisesCancelled.increment();
            }
        } else if (promise.complete(random.nextLong())) {
            ledger.promisesCompleted.increment();
        }
    }
}
