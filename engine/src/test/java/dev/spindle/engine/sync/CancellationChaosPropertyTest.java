package dev.spindle.engine.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.engine.Async;
import dev.spindle.engine.CancelledException;
import dev.spindle.engine.Promise;
import dev.spindle.engine.Task;
import dev.spindle.engine.TaskState;
import dev.spindle.engine.TaskTimeoutException;
import dev.spindle.engine.TimerHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Seeded random interleavings with cancellations. Many tasks on one loop put, get, acquire and release,
 * pausing at random (not at all, one tick, or a short virtual sleep), some through timeouts, while a chaos
 * task cancels them at random points, and the workers themselves cancel a random peer right after waking
 * one (the race the primitives must survive: a waiter cancelled after its wake-up, before it resumes).
 * Some tasks stop when cancelled, others swallow it and go on.
 *
 * <p>Checked: safety at the end (no item lost or duplicated, FIFO per producer, every permit back, mutual
 * exclusion, nobody left waiting) and liveness throughout: a {@linkplain Watchdog watchdog} fails the seed
 * if, whenever the loop is idle, a waiter is pending while what it waits for is available, which is what a
 * lost wake-up looks like even when a later wake-up would have masked it.
 *
 * <p>Everything runs on one loop on the virtual clock, so a seed fully determines the interleaving: a
 * failure names its seed, and {@code -Dspindle.chaos.seed=N} replays seed N alone. A deadlock is caught by
 * a one-minute virtual-time limit.
 */
class CancellationChaosPropertyTest extends SyncTestSupport {
    private static final int SEEDS = 200;
    /** Far longer than any round needs; the watchdog wakes every millisecond, so keep it short. */
    private static final Duration HANG_LIMIT = Duration.ofMinutes(1);
    /** Far longer than any pause (3 ms) or timeout (4 ms) of the workers. */
    private static final Duration QUIET_PERIOD = Duration.ofMillis(100);

    private static final Duration WATCH_INTERVAL = Duration.ofMillis(1);

    @Test
    @DisplayName("Queue: every item put is received exactly once, in order per producer, or is still queued")
    void queueConservesItems() {
        forEachSeed(this::queueRound);
    }

    @Test
    @DisplayName("Semaphore: at most `value` holders at once, and every unit is back at the end")
    void semaphoreConservesPermits() {
        forEachSeed(this::semaphoreRound);
    }

    @Test
    @DisplayName("Lock: one holder at a time, and the lock is free with nobody waiting at the end")
    void lockIsNeverStranded() {
        forEachSeed(this::lockRound);
    }

    private void forEachSeed(LongFunction<Void> round) {
        long only = Long.getLong("spindle.chaos.seed", 0); // replays one seed
        for (long seed = only > 0 ? only : 1; seed <= (only > 0 ? only : SEEDS); seed++) {
            long s = seed;
            try {
                run(() -> Async.timeout(HANG_LIMIT, scope -> round.apply(s)));
            } catch (AssertionError | RuntimeException failure) {
                throw new AssertionError("seed " + s + " failed: " + failure, failure);
            }
        }
        assertThat(reports).as("nothing reported to the engine's handlers").isEmpty();
    }

    // ---------------------------------------------------------------------------------------------
    // Queue
    // ---------------------------------------------------------------------------------------------

    private Void queueRound(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int maxSize = rng.nextInt(0, 5); // 0: unbounded
        Queue<Integer> q = new Queue<>(maxSize);
        int producerCount = rng.nextInt(1, 7);
        int consumerCount = rng.nextInt(1, 5);
        int itemsEach = rng.nextInt(1, 25);
        String context = "seed " + seed + ", maxSize " + maxSize;
        Set<Integer> put = new HashSet<>();
        List<Integer> received = new ArrayList<>();
        List<Task<?>> producers = new ArrayList<>();
        List<Task<?>> consumers = new ArrayList<>();

        for (int c = 0; c < consumerCount; c++) {
            boolean stopWhenCancelled = c > 0 && rng.nextBoolean(); // consumer 0 drains to the end
            consumers.add(spawn(() -> {
                for (; ; ) {
                    try {
                        pause(rng);
                        Integer item = switch (rng.nextInt(6)) {
                            case 0 -> q.poll();
                            case 1 -> Async.timeout(shortDelay(rng), scope -> q.get());
                            default -> q.get();
                        };
                        if (item != null) {
                            received.add(item); // in the order of the gets: nothing awaits in between
                            q.taskDone();
                            cancelOneSometimes(rng, producers); // maybe the putter just woken
                        }
                    } catch (CancelledException e) {
                        if (stopWhenCancelled) {
                            throw e;
                        }
                    } catch (TaskTimeoutException e) {
                        // the get timed out and took nothing
                    } catch (QueueShutDownException e) {
                        return null;
                    }
                }
            }));
        }
        // Let the consumers start: a task cancelled before its first step never runs, and consumer 0 must run.
        Async.yieldNow();
        for (int p = 0; p < producerCount; p++) {
            int producer = p;
            boolean stopWhenCancelled = rng.nextBoolean();
            producers.add(spawn(() -> {
                for (int i = 0; i < itemsEach; i++) {
                    Integer item = producer * 1000 + i;
                    try {
                        pause(rng);
                        switch (rng.nextInt(4)) {
                            case 0 -> {
                                if (!q.offer(item)) {
                                    q.put(item);
                                }
                            }
                            case 1 ->
                                Async.timeout(shortDelay(rng), scope -> {
                                    q.put(item);
                                    return null;
                                });
                            default -> q.put(item);
                        }
                        put.add(item); // only a put that returned has enqueued
                        cancelOneSometimes(rng, consumers); // maybe the getter just woken
                    } catch (CancelledException e) {
                        if (stopWhenCancelled) {
                            throw e;
                        }
                    } catch (TaskTimeoutException e) {
                        // the put timed out and did not enqueue
                    }
                }
                return null;
            }));
        }
        List<Task<?>> victims = new ArrayList<>(producers);
        victims.addAll(consumers);
        Watchdog watchdog = new Watchdog(
                context,
                () -> (q.isEmpty() || !anyPending(q.getters())) && (q.isFull() || !anyPending(q.putters())),
                q::toString);
        Task<?> chaos = spawn(() -> chaos(rng, victims));

        awaitAll(producers);
        awaitAll(List.of(chaos));
        Async.sleep(QUIET_PERIOD);
        // Consumer 0 is still running, so an item left now means it missed a wake-up.
        assertThat(q.size())
                .as(context + ": no item left behind while a consumer runs")
                .isZero();
        watchdog.stop();

        boolean immediate = rng.nextBoolean();
        context += ", immediate " + immediate;
        List<Integer> discarded = q.shutdown(immediate);
        awaitAll(consumers);

        assertThat(new HashSet<>(received))
                .as(context + ": no item received twice")
                .hasSize(received.size());
        assertThat(put).as(context + ": nothing received that was not put").containsAll(received);
        Set<Integer> accounted = new HashSet<>(received);
        accounted.addAll(discarded);
        assertThat(accounted)
                .as(context + ": every item put is received or still queued")
                .isEqualTo(put);
        assertThat(accounted)
                .as(context + ": received and still queued are disjoint")
                .hasSize(received.size() + discarded.size());
        for (int p = 0; p < producerCount; p++) {
            int producer = p;
            List<Integer> fromProducer =
                    received.stream().filter(x -> x / 1000 == producer).toList();
            assertThat(fromProducer).as(context + ": FIFO per producer").isSorted();
        }
        assertThat(q.isEmpty()).as(context).isTrue();
        assertThat(q.getters()).as(context + ": no getter left waiting").isEmpty();
        assertThat(q.putters()).as(context + ": no putter left waiting").isEmpty();
        assertThat(q.unfinishedTasks())
                .as(context + ": every item accounted done")
                .isZero();
        return null;
    }

    // ---------------------------------------------------------------------------------------------
    // Semaphore and Lock
    // ---------------------------------------------------------------------------------------------

    private Void semaphoreRound(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int initial = rng.nextInt(1, 4);
        Semaphore sem = rng.nextBoolean() ? new BoundedSemaphore(initial) : new Semaphore(initial);
        String context = "seed " + seed + ", " + sem;
        int[] holders = new int[2]; // now, most ever
        List<Task<?>> workers = new ArrayList<>();
        int workerCount = rng.nextInt(2, 9);
        int iterations = rng.nextInt(1, 15);
        for (int w = 0; w < workerCount; w++) {
            boolean stopWhenCancelled = rng.nextBoolean();
            workers.add(spawn(() -> {
                for (int i = 0; i < iterations; i++) {
                    try {
                        pause(rng);
                        boolean acquired = switch (rng.nextInt(4)) {
                            case 0 -> sem.tryAcquire();
                            case 1 -> acquireWithin(sem::acquire, shortDelay(rng));
                            default -> {
                                sem.acquire();
                                yield true;
                            }
                        };
                        if (acquired) {
                            try {
                                holders[1] = Math.max(holders[1], ++holders[0]);
                                pause(rng);
                            } finally {
                                holders[0]--;
                                sem.release();
                            }
                            cancelOneSometimes(rng, workers); // maybe the waiter just woken
                        }
                    } catch (CancelledException e) {
                        if (stopWhenCancelled) {
                            throw e;
                        }
                    }
                }
                return null;
            }));
        }
        Watchdog watchdog = new Watchdog(context, () -> sem.value() == 0 || !anyPending(sem.waiters()), sem::toString);
        awaitAll(List.of(spawn(() -> chaos(rng, workers))));
        awaitAll(workers);
        watchdog.stop();

        assertThat(holders[1]).as(context + ": never more holders than units").isLessThanOrEqualTo(initial);
        assertThat(holders[0]).as(context).isZero();
        assertThat(sem.value()).as(context + ": every unit is back").isEqualTo(initial);
        assertThat(sem.waiters()).as(context + ": nobody left waiting").isEmpty();
        assertThat(sem.locked()).as(context).isFalse();
        return null;
    }

    private Void lockRound(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Lock lock = new Lock();
        String context = "seed " + seed;
        int[] holders = new int[2]; // now, most ever
        List<Task<?>> workers = new ArrayList<>();
        int workerCount = rng.nextInt(2, 9);
        int iterations = rng.nextInt(1, 15);
        for (int w = 0; w < workerCount; w++) {
            boolean stopWhenCancelled = rng.nextBoolean();
            workers.add(spawn(() -> {
                for (int i = 0; i < iterations; i++) {
                    try {
                        pause(rng);
                        boolean acquired = switch (rng.nextInt(4)) {
                            case 0 -> lock.tryAcquire();
                            case 1 -> acquireWithin(lock::acquire, shortDelay(rng));
                            default -> {
                                lock.acquire();
                                yield true;
                            }
                        };
                        if (acquired) {
                            try {
                                holders[1] = Math.max(holders[1], ++holders[0]);
                                pause(rng);
                            } finally {
                                holders[0]--;
                                lock.release();
                            }
                            cancelOneSometimes(rng, workers); // maybe the waiter just woken
                        }
                    } catch (CancelledException e) {
                        if (stopWhenCancelled) {
                            throw e;
                        }
                    }
                }
                return null;
            }));
        }
        Watchdog watchdog = new Watchdog(context, () -> lock.locked() || !anyPending(lock.waiters()), lock::toString);
        awaitAll(List.of(spawn(() -> chaos(rng, workers))));
        awaitAll(workers);
        watchdog.stop();

        assertThat(holders[1]).as(context + ": mutual exclusion").isEqualTo(1);
        assertThat(lock.locked()).as(context + ": released at the end").isFalse();
        assertThat(lock.waiters()).as(context + ": nobody left waiting").isEmpty();
        return null;
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------

    /**
     * Checks a liveness invariant of a primitive at every idle point of the loop: a waiter must never stay
     * pending while what it waits for is available, which is what a lost wake-up looks like, even one
     * that a later wake-up would have masked.
     *
     * <p>Why at idle points, and how: the watchdog is a plain timer callback, rescheduled every millisecond.
     * The auto-advancing clock moves only when every loop is idle, and an iteration fires its due timers
     * before it runs any ready task, so when the watchdog fires, no task has run since the loop was idle:
     * every woken waiter has resumed, and the invariant must hold exactly. (Timers due at the same time
     * that fire first only complete or cancel promises; they run no task code.)
     */
    private final class Watchdog implements Runnable {
        private final String context;
        private final BooleanSupplier healthy;
        private final Supplier<Object> state;
        private TimerHandle timer;
        private boolean stopped;
        private String violation;

        Watchdog(String context, BooleanSupplier healthy, Supplier<Object> state) {
            this.context = context;
            this.healthy = healthy;
            this.state = state;
            this.timer = loop.schedule(WATCH_INTERVAL, this);
        }

        @Override
        public void run() {
            if (stopped) {
                return;
            }
            if (violation == null && !healthy.getAsBoolean()) {
                violation = "at " + loop.time() + " ns, " + state.get();
            }
            timer = loop.schedule(WATCH_INTERVAL, this);
        }

        /** Stops watching and fails if the invariant was ever broken. */
        void stop() {
            stopped = true;
            timer.cancel();
            assertThat(violation).as(context + ": a waiter missed its wake-up").isNull();
        }
    }

    private static boolean anyPending(Collection<Promise<Void>> waiters) {
        for (Promise<Void> waiter : waiters) {
            if (!waiter.isDone()) {
                return true;
            }
        }
        return false;
    }

    /** Cancels random victims at random points, then stops. */
    private static Void chaos(SplittableRandom rng, List<Task<?>> victims) {
        int cancels = rng.nextInt(0, 30);
        for (int i = 0; i < cancels; i++) {
            pause(rng);
            victims.get(rng.nextInt(victims.size())).cancel("chaos " + i);
        }
        return null;
    }

    /**
     * With probability 1/3, cancels one of the {@code victims} that are suspended, in the same tick: the
     * waiter just woken, if any, is one of them, and this is its window.
     */
    private static void cancelOneSometimes(SplittableRandom rng, List<Task<?>> victims) {
        if (rng.nextInt(3) != 0) {
            return;
        }
        List<Task<?>> suspended = new ArrayList<>();
        for (Task<?> victim : victims) {
            if (victim.state() == TaskState.SUSPENDED) {
                suspended.add(victim);
            }
        }
        if (!suspended.isEmpty()) {
            suspended.get(rng.nextInt(suspended.size())).cancel("racing the wake-up");
        }
    }

    /** Nothing, one tick, or a virtual sleep of up to 3 ms: the interleaving the seed chooses. */
    private static void pause(SplittableRandom rng) {
        int choice = rng.nextInt(6);
        if (choice >= 2 && choice <= 4) {
            Async.yieldNow();
        } else if (choice == 5) {
            Async.sleep(Duration.ofNanos(rng.nextLong(1, 3_000_000)));
        }
    }

    private static Duration shortDelay(SplittableRandom rng) {
        return Duration.ofNanos(rng.nextLong(1, 4_000_000));
    }

    /** Runs {@code acquire} under a timeout; says whether it acquired (a time-out means it did not). */
    private static boolean acquireWithin(Runnable acquire, Duration limit) {
        try {
            Async.timeout(limit, scope -> {
                acquire.run();
                return null;
            });
            return true;
        } catch (TaskTimeoutException e) {
            return false;
        }
    }

    /**
     * Waits for every task to finish, however it finishes: a cancelled task is expected here, a failed one
     * (an assertion inside a worker) is rethrown. A cancellation of the caller itself (the hang limit)
     * propagates.
     */
    private static void awaitAll(List<? extends Task<?>> tasks) {
        for (Task<?> task : tasks) {
            try {
                // Shielded: the hang limit must cancel the caller, not the task, which may swallow it.
                Async.await(Async.shield(task));
            } catch (CancelledException e) {
                if (!task.isCancelled()) {
                    throw e;
                }
            }
        }
    }
}
