package dev.spindle.stress;

import dev.spindle.engine.Engine;
import dev.spindle.engine.LoopStats;
import dev.spindle.stress.SoakProbes.PromiseProbe;
import dev.spindle.stress.SoakProbes.TaskProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The soak: for N seconds, three producer threads throw a random mix of tasks, bursts, cancels, timers
 * and promises at a two-loop engine with small (1024) external queues, then the engine is shut down and
 * every item is checked. See {@link SoakProducer} for the operations and {@link SoakProbes} for the
 * checks.
 *
 * <p>Usage: {@code java <spindle JVM flags> -cp stress/target/jcstress.jar dev.spindle.stress.Soak
 * SECONDS [SEED]}. Prints a progress line every second and a report at the end; exits with 1 and lists
 * the first violations if any invariant broke, 0 otherwise.
 *
 * <p>Invariants checked at the end (and, where the item can tell, the moment they break):
 *
 * <ul>
 *   <li>every accepted task is done, and succeeded + failed + cancelled == accepted; a refused
 *       submission is counted as a rejection, never lost;
 *   <li>a task's body runs at most once, on its loop, inside its own step; its outcome matches its body
 *       (value, planned failure, self-cancel) and the cancels it received (a cancel that returned true
 *       never lets it succeed; nothing cancels a task nobody cancelled);
 *   <li>every timer has fired XOR been cancelled; its runnable ran exactly once, on its loop, iff it
 *       fired; {@code cancel()} returned true iff it is cancelled (timers still pending at shutdown are
 *       discarded);
 *   <li>every promise has exactly one winning completer; its state and value are the winner's; each of
 *       its callbacks ran exactly once, on its loop, in registration order, and saw that outcome;
 *   <li>no exception reached the engine's handlers, and after shutdown every loop reports no queued
 *       work, no ready items and no pending timers.
 * </ul>
 */
public final class Soak {
    private static final int LOOPS = 2;
    private static final int QUEUE_CAPACITY = 1024;
    private static final int PRODUCERS = 3;
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(30);

    private Soak() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: Soak SECONDS [SEED]");
            System.exit(2);
        }
        int seconds = Integer.parseInt(args[0]);
        long seed = args.length > 1 ? Long.parseLong(args[1]) : System.nanoTime();
        System.exit(run(seconds, seed) ? 0 : 1);
    }

    private static boolean run(int seconds, long seed) throws InterruptedException {
        SoakLedger ledger = new SoakLedger();
        Engine engine = Engine.builder()
                .loops(LOOPS)
                .queueCapacity(QUEUE_CAPACITY)
                .threadNamePrefix("soak-loop-")
                .exceptionHandler((message, error, source) ->
                        ledger.violation("exception handler heard: " + message + ": " + error + " from " + source))
                .fatalHandler((message, error, source) ->
                        ledger.violation("fatal handler heard: " + message + ": " + error + " from " + source))
                .build();
        System.out.printf(
                "Soak: %d s, %d producers, %d loops with external queues of %d, seed %d%n",
                seconds, PRODUCERS, LOOPS, QUEUE_CAPACITY, seed);

        AtomicReferenceArray<TaskProbe> cancelRing = new AtomicReferenceArray<>(SoakProducer.RING_SIZE);
        AtomicReferenceArray<PromiseProbe> promiseRing = new AtomicReferenceArray<>(SoakProducer.RING_SIZE);
        List<SoakProducer> producers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < PRODUCERS; i++) {
            SoakProducer producer = new SoakProducer(engine, ledger, cancelRing, promiseRing, seed + i);
            Thread thread = new Thread(producer, "soak-producer-" + i);
            producers.add(producer);
            threads.add(thread);
            thread.start();
        }

        long start = System.nanoTime();
        for (int s = 1; s <= seconds; s++) {
            // Pacing for the progress line only: correctness never depends on this sleep.
            long wait = start + TimeUnit.SECONDS.toNanos(s) - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            System.out.println(progress(s, ledger, engine));
        }

        for (SoakProducer producer : producers) {
            producer.stop();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        for (SoakProducer producer : producers) {
            producer.completeLeftovers();
        }
        long shutdownStart = System.nanoTime();
        boolean clean = engine.shutdown(SHUTDOWN_GRACE);
        long shutdownMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - shutdownStart);
        ledger.shutdownForced = !clean;

        int keptAtEnd = 0;
        for (SoakProducer producer : producers) {
            keptAtEnd += producer.settleAll();
        }
        checkEngine(engine, clean, ledger);
        return report(ledger, engine, keptAtEnd, clean, shutdownMillis, seed);
    }

    private static void checkEngine(Engine engine, boolean clean, SoakLedger ledger) {
        if (!clean) {
            ledger.violation("shutdown needed more than its " + SHUTDOWN_GRACE + " grace period");
        }
        if (!engine.isTerminated()) {
            ledger.violation("a loop thread is still alive after shutdown");
        }
        for (LoopStats stats : engine.stats()) {
            if (stats.queueDepth() != 0 || stats.readyDepth() != 0 || stats.timersPending() != 0) {
                ledger.violation("work left on a loop after shutdown: " + stats);
            }
        }
        long accepted = ledger.tasksAccepted.sum();
        if (ledger.tasksDone() != accepted) {
            ledger.violation("succeeded + failed + cancelled = " + ledger.tasksDone() + ", but " + accepted
                    + " tasks were accepted");
        }
    }

    private static String progress(int second, SoakLedger l, Engine engine) {
        StringBuilder queues = new StringBuilder();
        for (LoopStats stats : engine.stats()) {
            queues.append(' ').append(stats.queueDepth());
        }
        return String.format(
                "[%4ds] tasks %,d accepted %,d rejected %,d done | cancels %,d/%,d granted | timers %,d scheduled"
                        + " %,d rejected | promises %,d, callbacks %,d | queues%s | violations %d",
                second,
                l.tasksAccepted.sum(),
                l.tasksRejected.sum(),
                l.tasksDone(),
                l.cancelsGranted.sum(),
                l.cancelsAttempted.sum(),
                l.timersScheduled.sum(),
                l.timersRejected.sum(),
                l.promisesCreated.sum(),
                l.promiseCallbacksRun.sum() + l.taskCallbacksRun.sum(),
                queues,
                l.violations());
    }

    private static boolean report(
            SoakLedger l, Engine engine, int keptAtEnd, boolean clean, long shutdownMillis, long seed) {
        System.out.println();
        System.out.println("Soak report (seed " + seed + ")");
        System.out.printf(
                "  tasks     accepted %,d, rejected %,d (queue full): succeeded %,d, failed %,d, cancelled %,d;"
                        + " bodies run %,d, done callbacks %,d%n",
                l.tasksAccepted.sum(),
                l.tasksRejected.sum(),
                l.tasksSucceeded.sum(),
                l.tasksFailed.sum(),
                l.tasksCancelled.sum(),
                l.taskBodiesRun.sum(),
                l.taskCallbacksRun.sum());
        System.out.printf(
                "  cancels   %,d requested from other threads, %,d returned true%n",
                l.cancelsAttempted.sum(), l.cancelsGranted.sum());
        System.out.printf(
                "  timers    scheduled %,d, rejected %,d: fired %,d, cancelled %,d (of %,d cancel calls),"
                        + " discarded at shutdown %,d%n",
                l.timersScheduled.sum(),
                l.timersRejected.sum(),
                l.timersFired.sum(),
                l.timersCancelled.sum(),
                l.timerCancelsAttempted.sum(),
                l.timersDiscarded.sum());
        System.out.printf(
                "  promises  created %,d: completed %,d, cancelled %,d, refused attempts %,d; callbacks run %,d%n",
                l.promisesCreated.sum(),
                l.promisesCompleted.sum(),
                l.promisesCancelled.sum(),
                l.promiseCompletionsRefused.sum(),
                l.promiseCallbacksRun.sum());
        System.out.printf(
                "  shutdown  %s in %d ms; %d items were still in flight when the producers stopped%n",
                clean ? "clean" : "FORCED", shutdownMillis, keptAtEnd);
        for (LoopStats stats : engine.stats()) {
            System.out.printf(
                    "  %s  ran %,d items in %,d iterations, %,d parks, %,d wake-ups, max lag %.3f ms;"
                            + " left: queued %d, ready %d, timers %d%n",
                    stats.name(),
                    stats.tasksRun(),
                    stats.iterations(),
                    stats.parks(),
                    stats.wakeups(),
                    stats.maxLagNanos() / 1e6,
                    stats.queueDepth(),
                    stats.readyDepth(),
                    stats.timersPending());
        }
        long violations = l.violations();
        if (violations == 0) {
            System.out.println("SOAK PASSED: every invariant held.");
            return true;
        }
        System.out.println("SOAK FAILED: " + violations + " invariant violations; the first ones:");
        for (String violation : l.firstViolations()) {
            System.out.println("  - " + violation);
        }
        return false;
    }
}
