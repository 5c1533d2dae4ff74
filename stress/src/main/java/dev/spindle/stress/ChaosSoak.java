package dev.spindle.stress;

import dev.spindle.engine.Engine;
import dev.spindle.engine.LoopStats;
import dev.spindle.engine.Task;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The chaos soak: for N seconds, driver threads throw a random mix of coroutine work at a two-loop engine with
 * small queues, then everything is settled, shut down and audited. Where {@link Soak} checks each submitted
 * item of the run-to-completion API, this soak checks the coroutine layer as a whole: cancellation from
 * foreign threads, time-outs ({@code Async.timeout}, {@code Async.waitFor}), failures, shields, task groups
 * with children on both loops, a semaphore per loop, a channel across loops, offloads under both policies
 * (with a worker queue smaller than the pool), and cross-loop awaits. See {@link ChaosScenarios} for the mix
 * and {@link ChaosDriver} for the drivers.
 *
 * <p>Usage: {@code java <spindle JVM flags> -cp stress/target/jcstress.jar dev.spindle.stress.ChaosSoak SECONDS
 * [SEED]}. Prints a progress line every second and a report at the end; exits with 1 and lists the first
 * violations if any check failed, 0 otherwise. The seed fixes the mix of operations, not the interleavings.
 *
 * <p>Checked at the end (and, where a task or value can tell, the moment they break):
 *
 * <ul>
 *   <li>every task accounted for: succeeded + failed + cancelled == spawned, each failure one the soak planned
 *       (its own, a time-out, a full queue, or a group of those), and no task still alive once the drivers
 *       have stopped and the engine has settled; {@code engine.allTasks()} is then empty;
 *   <li>every unit of every semaphore back, and never more holders than units;
 *   <li>every channel item that a send delivered received exactly once (the final drain included), and no
 *       item of a failed send ever received;
 *   <li>every value an offloaded job produced received exactly once, by its task or by the discard hook; no
 *       interrupt leaking into a job; every worker thread alive until the shutdown;
 *   <li>nothing unplanned reached the engine's exception or fatal handler;
 *   <li>a clean shutdown, after which no {@code spindle-*} thread is alive (the JVM-wide {@code
 *       spindle-unretrieved} reporter excepted) and the heap, after a full GC, is below {@link #HEAP_LIMIT_MB}
 *       MB.
 * </ul>
 *
 * <p>{@link ChaosSemaphores} and {@link ChaosChannel} are the only classes here that use {@code
 * dev.spindle.engine.sync} and {@code dev.spindle.engine.channel}.
 */
public final class ChaosSoak {
    private static final int LOOPS = 2;
    private static final int QUEUE_CAPACITY = 256;
    private static final int WORKERS = 3;
    /** Smaller than the pool on purpose: offloads wait for slots, and shutdown must still stop every worker. */
    private static final int WORKER_QUEUE_CAPACITY = 2;

    private static final int DRIVERS = 2;
    private static final Duration SETTLE_LIMIT = Duration.ofSeconds(30);
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(30);
    private static final long HEAP_LIMIT_MB = 256;
    private static final String THREAD_PREFIX = "spindle-";
    private static final String REPORTER_THREAD = "spindle-unretrieved";

    private ChaosSoak() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: ChaosSoak SECONDS [SEED]");
            System.exit(2);
        }
        int seconds = Integer.parseInt(args[0]);
        long seed = args.length > 1 ? Long.parseLong(args[1]) : System.nanoTime();
        System.exit(run(seconds, seed) ? 0 : 1);
    }

    private static boolean run(int seconds, long seed) throws InterruptedException {
        ChaosLedger ledger = new ChaosLedger();
        Engine engine = Engine.builder()
                .loops(LOOPS)
                .queueCapacity(QUEUE_CAPACITY)
                .workers(WORKERS)
                .workerQueueCapacity(WORKER_QUEUE_CAPACITY)
                .threadNamePrefix("spindle-chaos-loop-")
                .exceptionHandler((message, error, source) -> heard(ledger, message, error, source))
                .fatalHandler((message, error, source) ->
                        ledger.violation("fatal handler heard: " + message + ": " + ChaosLedger.describe(error)))
                .build();
        ChaosOffloads offloads = new ChaosOffloads(ledger);
        ChaosChannel channel = new ChaosChannel(ledger);
        ChaosSemaphores semaphores = new ChaosSemaphores(engine, ledger);
        ChaosScenarios scenarios = new ChaosScenarios(engine, ledger, offloads, channel, semaphores);
        List<Thread> workers = engine.workerThreads();
        System.out.printf(
                "ChaosSoak: %d s, %d drivers, %d loops with external queues of %d, %d workers with a queue of %d,"
                        + " seed %d%n",
                seconds, DRIVERS, LOOPS, QUEUE_CAPACITY, WORKERS, WORKER_QUEUE_CAPACITY, seed);

        List<ChaosDriver> drivers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < DRIVERS; i++) {
            ChaosDriver driver = new ChaosDriver(engine, ledger, scenarios, seed + i);
            Thread thread = new Thread(driver, "chaos-driver-" + i);
            drivers.add(driver);
            threads.add(thread);
            thread.start();
        }
        long start = System.nanoTime();
        boolean workerDeathReported = false;
        for (int s = 1; s <= seconds; s++) {
            // Pacing for the progress line only: correctness never depends on this sleep.
            long wait = start + TimeUnit.SECONDS.toNanos(s) - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            int alive = aliveCount(workers);
            if (alive < WORKERS && !workerDeathReported) {
                workerDeathReported = true;
                ledger.violation((WORKERS - alive) + " of " + WORKERS + " worker threads died during the run"
                        + " (after " + offloads.selfInterrupted.sum() + " jobs returned with their interrupt"
                        + " status set)");
            }
            System.out.println(progress(s, ledger, offloads, channel, semaphores, engine, alive));
        }
        for (ChaosDriver driver : drivers) {
            driver.stop();
        }
        for (Thread thread : threads) {
            thread.join();
        }

        long settleStart = System.nanoTime();
        boolean settled = settle(ledger);
        long settleMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - settleStart);
        checkSettled(engine, ledger, settled);
        if (aliveCount(workers) < WORKERS && !workerDeathReported) {
            ledger.violation((WORKERS - aliveCount(workers)) + " of " + WORKERS + " worker threads died");
        }
        semaphores.check();
        int lostItems = channel.drainAndCountLost();
        if (lostItems != 0) {
            ledger.violation(lostItems + " channel items were sent and never received");
        }

        long shutdownStart = System.nanoTime();
        boolean clean = engine.shutdown(SHUTDOWN_GRACE);
        long shutdownMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - shutdownStart);
        if (!clean) {
            ledger.violation(
                    "shutdown was not clean within " + SHUTDOWN_GRACE + " (a loop or a worker did not stop in time)");
        }
        if (offloads.unresolved() != 0) {
            ledger.violation(offloads.unresolved() + " values produced by offloaded jobs reached nobody, neither"
                    + " their task nor the discard hook, e.g. " + offloads.someUnresolved());
        }
        List<String> leaked = liveSpindleThreads();
        if (!leaked.isEmpty()) {
            ledger.violation("threads alive after shutdown: " + leaked);
        }
        long heapMb = heapAfterGcMb();
        if (heapMb >= HEAP_LIMIT_MB) {
            ledger.violation("heap after a full GC is " + heapMb + " MB, above the " + HEAP_LIMIT_MB + " MB bound");
        }
        return report(
                ledger,
                offloads,
                channel,
                semaphores,
                scenarios,
                engine,
                new Closing(settleMillis, clean, shutdownMillis, leaked.size(), heapMb, seed));
    }

    /** The engine's exception handler: what the soak expects to hear is counted, anything else is a violation. */
    private static void heard(ChaosLedger ledger, String message, Throwable error, Object source) {
        if (message.endsWith("exception in shielded future") && ChaosLedger.planned(error)) {
            ledger.shieldReports.increment(); // a shielded task failed after its waiter had gone
            return;
        }
        if (message.startsWith("Promise exception was never retrieved") && ChaosLedger.planned(error)) {
            // An offloaded job failed just as its task was cancelled: nobody reads that failure.
            ledger.unretrievedJobFailures.increment();
            return;
        }
        ledger.violation(
                "exception handler heard: " + message + ": " + ChaosLedger.describe(error) + " from " + source);
    }

    /** Waits, polling the books, until every task is done or the limit passes. */
    private static boolean settle(ChaosLedger ledger) {
        long deadline = System.nanoTime() + SETTLE_LIMIT.toNanos();
        while (ledger.live() != 0) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // polling interval, not synchronisation
        }
        return true;
    }

    private static void checkSettled(Engine engine, ChaosLedger ledger, boolean settled) {
        if (!settled) {
            ledger.violation(ledger.live() + " tasks were still alive " + SETTLE_LIMIT
                    + " after the drivers stopped, although every wait is bounded; the engine's view:\n"
                    + firstLines(engine.dumpTasks(), 12));
        }
        List<Task<?>> registry = engine.allTasks();
        if (settled && !registry.isEmpty()) {
            ledger.violation("every tracked task is done, yet engine.allTasks() lists " + registry.size() + ", e.g. "
                    + registry.subList(0, Math.min(5, registry.size())));
        }
        long spawned = ledger.spawned.sum();
        if (ledger.done() != spawned) {
            ledger.violation(
                    "succeeded + failed + cancelled = " + ledger.done() + ", but " + spawned + " tasks were spawned");
        }
    }

    private static String firstLines(String text, int lines) {
        String[] all = text.split("\n");
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(lines, all.length); i++) {
            out.append("      ").append(all[i]).append('\n');
        }
        return out.toString();
    }

    private static int aliveCount(List<Thread> threads) {
        int alive = 0;
        for (Thread t : threads) {
            if (t.isAlive()) {
                alive++;
            }
        }
        return alive;
    }

    private static List<String> liveSpindleThreads() {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String name = t.getName();
            if (t.isAlive() && name.startsWith(THREAD_PREFIX) && !name.equals(REPORTER_THREAD)) {
                names.add(name + " (" + t.getState() + ")");
            }
        }
        return names;
    }

    /**
     * The heap in use after full GCs. A failed task stays phantom-reachable until the engine's cleaner has run
     * its never-retrieved check, so the first GC after a run leaves millions of them in the heap: collect until
     * the heap stops shrinking (at most ten rounds; the pauses only let the cleaner thread catch up).
     */
    private static long heapAfterGcMb() {
        long least = Long.MAX_VALUE;
        for (int round = 0; round < 10; round++) {
            System.gc();
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (used >= least) {
                break;
            }
            least = used;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        return least >> 20;
    }

    private static long heapMb() {
        Runtime rt = Runtime.getRuntime();
        return (rt.totalMemory() - rt.freeMemory()) >> 20;
    }

    private static String progress(
            int second,
            ChaosLedger l,
            ChaosOffloads o,
            ChaosChannel c,
            ChaosSemaphores s,
            Engine engine,
            int workersAlive) {
        StringBuilder queues = new StringBuilder();
        for (LoopStats stats : engine.stats()) {
            queues.append(' ').append(stats.queueDepth());
        }
        return String.format(
                "[%4ds] tasks %,d spawned %,d done %,d live %,d rejected | cancels %,d/%,d | timeouts %,d | groups %,d"
                        + " | offloads %,d ran %,d delivered %,d discarded | channel %,d/%,d | sem %,d | queues%s"
                        + " | workers %d | heap %d MB | violations %d",
                second,
                l.spawned.sum(),
                l.done(),
                l.live(),
                l.rejected.sum(),
                l.cancelsGranted.sum(),
                l.cancelsRequested.sum(),
                l.timeoutsSeen.sum(),
                l.groups.sum(),
                o.ran.sum(),
                o.delivered.sum(),
                o.discarded.sum(),
                c.received.sum(),
                c.sent.sum(),
                s.acquired.sum(),
                queues,
                workersAlive,
                heapMb(),
                l.violations());
    }

    /** What the end of the run measured, for the report. */
    private record Closing(
            long settleMillis, boolean clean, long shutdownMillis, int threadsLeft, long heapMb, long seed) {}

    private static boolean report(
            ChaosLedger l,
            ChaosOffloads o,
            ChaosChannel c,
            ChaosSemaphores s,
            ChaosScenarios scenarios,
            Engine engine,
            Closing end) {
        System.out.println();
        System.out.println("ChaosSoak report (seed " + end.seed() + ")");
        System.out.printf(
                "  tasks     spawned %,d (rejected %,d more): succeeded %,d, failed %,d (planned %,d, time-outs %,d,"
                        + " full queues %,d, groups %,d), cancelled %,d%n",
                l.spawned.sum(),
                l.rejected.sum(),
                l.succeeded.sum(),
                l.failed.sum(),
                l.failedPlanned.sum(),
                l.failedTimeout.sum(),
                l.failedRejected.sum(),
                l.failedGroup.sum(),
                l.cancelled.sum());
        StringBuilder kinds = new StringBuilder();
        for (ChaosScenarios.Kind kind : ChaosScenarios.Kind.values()) {
            kinds.append(kinds.length() == 0 ? "" : ", ")
                    .append(kind.name().toLowerCase(java.util.Locale.ROOT))
                    .append(' ')
                    .append(String.format("%,d", scenarios.started[kind.ordinal()].sum()));
        }
        System.out.println("  kinds     " + kinds);
        System.out.printf(
                "  cancels   %,d requested by drivers, %,d granted; %,d time-outs seen; %,d groups (%,d failed);"
                        + " %,d shields (%,d late failures reported); %,d cross-loop awaits%n",
                l.cancelsRequested.sum(),
                l.cancelsGranted.sum(),
                l.timeoutsSeen.sum(),
                l.groups.sum(),
                l.groupsFailed.sum(),
                l.shields.sum(),
                l.shieldReports.sum(),
                l.crossAwaits.sum());
        System.out.printf(
                "  promises  %,d awaited: %,d completed and %,d cancelled by drivers%n",
                l.promisesCreated.sum(), l.promisesCompleted.sum(), l.promisesCancelled.sum());
        System.out.printf(
                "  offloads  %,d jobs submitted, %,d ran (%,d interrupted, %,d returned with the flag set), values"
                        + " %,d delivered + %,d discarded, %,d unresolved; %,d tryOffload refusals, %,d failures"
                        + " nobody read%n",
                o.submitted.sum(),
                o.ran.sum(),
                o.interrupted.sum(),
                o.selfInterrupted.sum(),
                o.delivered.sum(),
                o.discarded.sum(),
                o.unresolved(),
                o.tryRefused.sum(),
                l.unretrievedJobFailures.sum());
        System.out.printf(
                "  channel   %,d sends: %,d sent, %,d failed; %,d received%n",
                c.attempts.sum(), c.sent.sum(), c.sendsFailed.sum(), c.received.sum());
        System.out.printf(
                "  semaphore %,d acquisitions of %d units per loop%n", s.acquired.sum(), ChaosSemaphores.PERMITS);
        System.out.printf(
                "  closing   settled in %d ms; shutdown %s in %d ms; %d spindle threads left; heap after GC %d MB%n",
                end.settleMillis(),
                end.clean() ? "clean" : "NOT CLEAN",
                end.shutdownMillis(),
                end.threadsLeft(),
                end.heapMb());
        for (LoopStats stats : engine.stats()) {
            System.out.printf(
                    "  %s  ran %,d items in %,d iterations, %,d parks, %,d wake-ups%n",
                    stats.name(), stats.tasksRun(), stats.iterations(), stats.parks(), stats.wakeups());
        }
        long violations = l.violations();
        if (violations == 0) {
            System.out.println("CHAOS SOAK PASSED: every check held.");
            return true;
        }
        System.out.println("CHAOS SOAK FAILED: " + violations + " violations; the first ones:");
        for (String violation : l.firstViolations()) {
            System.out.println("  - " + violation);
        }
        return false;
    }
}
