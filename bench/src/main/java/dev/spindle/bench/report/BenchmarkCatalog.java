package dev.spindle.bench.report;

import dev.spindle.bench.report.Target.Kind;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the report knows about the suite that the JSON does not say: for each benchmark, what it
 * measures and the known reasons a target can be missed, and the performance budget as a list of
 * {@link Target}s mapped onto the benchmarks' {@code impl} names and parameters.
 *
 * <p>The prose here is stable: it describes mechanisms, never a measured number, so it stays true from
 * run to run. Numbers come from the run only.
 */
public final class BenchmarkCatalog {

    /**
     * One benchmark class as the report presents it.
     *
     * @param name the class's simple name
     * @param title a short heading
     * @param measures what one op is and which implementations run it (markdown)
     * @param whenMissed the known costs behind a missed target (markdown list items); shown only when one
     *     of the benchmark's targets is missed
     */
    public record Entry(String name, String title, String measures, List<String> whenMissed) {}

    /** Spindle's {@code impl} name in every benchmark. */
    public static final String SPINDLE = "spindle";

    private static final List<Entry> ENTRIES = List.of(
            new Entry(
                    "CrossThreadSubmitBench",
                    "Cross-thread submit",
                    "One op is one caller-owned `Runnable` submitted from another thread *and run* on a"
                            + " single-threaded executor; `oneProducer` and `twoProducers` submit from one or two"
                            + " threads. The work in flight is capped at the same window for everyone. Peers:"
                            + " `netty`, Netty 4.2's MPSC-based event loop; `jdk`,"
                            + " `Executors.newSingleThreadExecutor()`; `agrona`, an `AgentRunner` draining a"
                            + " `ManyToOneConcurrentArrayQueue`, the closest design to Spindle's loop.",
                    List.of(
                            "Under a sustained, windowed load the JDK executor's queue never empties, so its worker"
                                    + " never parks and the producer and consumer take different locks: the"
                                    + " target against it assumes a consumer that parks and is woken, which"
                                    + " `BurstLatencyBench` measures.",
                            "Against Agrona, Spindle does more per item: its queue drain publishes the consumer"
                                    + " index per element rather than per batch, each item is counted and"
                                    + " type-checked, and producers read the loop's lifecycle and wake-up words on"
                                    + " every submit.",
                            "With two producers and the loop on a 2-core machine, every implementation is bound"
                                    + " by the OS scheduler, so ratios drift towards 1.")),
            new Entry(
                    "LoopExecuteBench",
                    "`execute` on the loop",
                    "One op is one `execute` of a caller-owned `Runnable` from code already running on the"
                            + " loop, plus its run. `burst`: a driver on the loop executes the same task many"
                            + " times in a row (a ready-queue append and a run); `chain`: the task executes"
                            + " itself again, so every op is also one loop iteration. The benchmark thread hands"
                            + " each batch over and waits for it, amortised over the batch. Peers: Netty's loop"
                            + " and a JDK single-thread executor. The budget sets no ratio here, only zero"
                            + " allocation.",
                    List.of("`chain` pays one loop iteration per op: Spindle runs a task made ready during a pass"
                            + " in the next iteration (asyncio's rule), whereas Netty keeps draining its queue in"
                            + " the same pass.")),
            new Entry(
                    "TimerChurnBench",
                    "Timer schedule + cancel churn",
                    "One op is one timer scheduled with a pre-generated delay; most are cancelled a fixed"
                            + " number of timers later and the rest fire a no-op. Spindle, Netty (`schedule`) and"
                            + " the JDK (`ScheduledThreadPoolExecutor`) run on their loop thread and receive each"
                            + " batch through a handoff; `agrona` is a raw `DeadlineTimerWheel` driven by the"
                            + " benchmark thread itself, with no loop and no handoff: the wheel alone.",
                    List.of(
                            "Each timer is one `ScheduledCallback` object on the loop (the B/op column), and the"
                                    + " wheel's per-tick bucket walk chases pointers through linked buckets.",
                            "Spindle, Netty and the JDK pay a handoff to their loop per batch and young-GC pauses"
                                    + " for the timer objects; Agrona's bare wheel pays neither.")),
            new Entry(
                    "BurstLatencyBench",
                    "Burst round-trip latency",
                    "One op is one burst of `burst` tasks submitted from another thread, timed until the last"
                            + " one has run and released the submitter through a volatile flag (the same"
                            + " acknowledgement for everyone). JMH samples every burst (`SampleTime`), so the"
                            + " table gives percentiles next to the mean. Spindle's idle loop spins, yields and"
                            + " then parks; Netty and the JDK executor park at once. The budget sets no ratio"
                            + " here; lower is better.",
                    List.of("A loop in its backoff's yield or short-sleep rounds is a runnable thread waiting for a"
                            + " CPU on a busy 2-core machine, while a parked peer is scheduled as soon as it is"
                            + " woken: Spindle's fast mode shows in p50, the scheduler in the tail.")),
            new Entry(
                    "SpawnBench",
                    "Coroutine spawn + complete",
                    "One op is one trivial task started, run and its result collected, in batches. `spindle`:"
                            + " a driver coroutine spawns the batch on its own loop and awaits `gather` of it;"
                            + " `vthreads`: `Thread.startVirtualThread` and `join` for each; `cf`:"
                            + " `CompletableFuture.supplyAsync` on a single-thread executor and `join` for each.",
                    List.of(
                            "The per-task continuation machinery: the `Task` with its state word, name and"
                                    + " context, its `Continuation` and body, a done callback per gathered child,"
                                    + " the live-registry insert and removal, and a ready-queue pass before the"
                                    + " first step (the B/op column gives its size).",
                            "The peers use both cores: virtual threads run on two carriers while the benchmark"
                                    + " thread starts more, and `cf` is a two-stage pipeline between the"
                                    + " benchmark thread and the executor; Spindle's spawns, steps and gather"
                                    + " all run on one loop thread.")),
            new Entry(
                    "AwaitPingPongBench",
                    "Await/resume ping-pong",
                    "One op is one round trip between two tasks (two suspensions, two resumptions), each side"
                            + " completing the other's promise with a fresh one. `sameLoop`: both Spindle tasks on"
                            + " one loop, against two virtual threads on one carrier"
                            + " (`jdk.virtualThreadScheduler.parallelism=1`), like for like; `twoLoops`: Spindle's"
                            + " tasks on two loops, against virtual threads on the default scheduler.",
                    List.of(
                            "Both sides pay the JDK's freeze and thaw of a continuation per hop; Spindle adds a"
                                    + " `Promise` and a `Resume` node per await and a loop iteration per resume"
                                    + " (the resumed task runs in the next pass).",
                            "`twoLoops` is not like for like: every Spindle hop is a cross-loop wake-up that pays"
                                    + " OS scheduling on 2 cores, while the default virtual-thread scheduler keeps"
                                    + " this ping-pong on one carrier.")),
            new Entry(
                    "FanOutBench",
                    "Structured fan-out across loops",
                    "One op is one child of a fan-out: a parent starts a batch of small children spread over"
                            + " every loop (carrier) and waits for them all. `spindle`: a `TaskGroup` on loop 0"
                            + " spawning round-robin on every loop; `vthreads`: `invokeAll` on a"
                            + " virtual-thread-per-task executor called by the benchmark thread;"
                            + " `vthreadsParent`: the same called from a virtual parent thread, with the same"
                            + " handoff as Spindle's parent.",
                    List.of(
                            "Children on other loops report back through loop 0's queue: cross-loop wake-ups"
                                    + " that pay OS scheduling on 2 cores.",
                            "Each child pays the per-task continuation machinery described under" + " `SpawnBench`.")),
            new Entry(
                    "OffloadBench",
                    "Offload round trip",
                    "One op is one round trip loop → worker → loop of a trivial blocking call, in sequence."
                            + " `spindle`: `Async.offload` from a coroutine; `cf`: a single-thread executor"
                            + " standing for the loop, `supplyAsync` on a fixed pool of the same size as"
                            + " Spindle's workers and `thenApplyAsync` back; `vthreads`: a virtual thread started"
                            + " and joined per call (the nearest idiom, not a like-for-like peer).",
                    List.of("The worker pool queues jobs in a lock-based queue (a lock and a condition signal per"
                            + " offload), the same mechanism as the `cf` peer's fixed thread pool, and the"
                            + " result's way back is a cross-thread wake-up of the loop.")),
            new Entry(
                    "ChannelBench",
                    "Channel between two threads",
                    "One op is one item sent and received between a producer and a consumer on two threads"
                            + " through a bounded queue. `spindle`: `Channel.mpsc` between coroutines on two"
                            + " loops; `abq`: an `ArrayBlockingQueue` between two platform threads; `vthreads`:"
                            + " the same between two virtual threads; `jctools`: a raw SPSC array queue between"
                            + " two spinning threads, the upper bound with no waiting protocol.",
                    List.of(
                            "When one side finds the channel full or empty, Spindle suspends the coroutine (a"
                                    + " `Promise` and a queue node) and the other loop must wake it: a cross-loop"
                                    + " wake-up that pays OS scheduling on 2 cores. Virtual threads sharing"
                                    + " carriers often hand over without waking an OS thread.",
                            "Two spinning threads plus the benchmark thread on 2 cores spend their slices"
                                    + " spinning on a queue whose peer is descheduled: `jctools` is an upper"
                                    + " bound only with dedicated cores.")));

    /** What the asyncio comparison measures (markdown). */
    public static final String ASYNCIO_MEASURES = "The same two workloads written the same way in Java and"
            + " Python, each timed inside its own loop, on one Spindle loop against Python's default asyncio"
            + " loop and uvloop: `spawn`, a coroutine creates a batch of trivial tasks and awaits `gather` of"
            + " them (ns per task); `pingpong`, two tasks on one loop exchange round trips through fresh"
            + " futures (ns per round trip). Each figure is the median of the measured repetitions after"
            + " warm-up.";

    /** The known costs behind a missed asyncio target (markdown list items). */
    public static final List<String> ASYNCIO_WHEN_MISSED = List.of(
            "asyncio's costs are its interpreter's: creating a task, a `gather` callback and a step are each"
                    + " many bytecodes. Spindle's are the engine's: the per-task continuation machinery for"
                    + " `spawn`, and a `Promise` + `Resume` node and a loop iteration per await for `pingpong`.",
            "Every spawned task stays alive until the gather, so a young collection that meets the batch copies"
                    + " all of it; CPython frees its tasks by reference counting and copies nothing.");

    private static final List<Target> TARGETS = List.of(
            bytes("LoopExecuteBench", null, 0.1, "0 B/op (< 0.1 B/op measured)", "budget"),
            speedup("CrossThreadSubmitBench", null, "netty", 2, "≥ 2× Netty", "budget", "submit vs Netty"),
            speedup("CrossThreadSubmitBench", null, "jdk", 5, "≥ 5× JDK executor", "budget", "submit vs JDK"),
            speedup("CrossThreadSubmitBench", null, "agrona", 0.8, "≥ 0.8× Agrona", "budget", "submit vs Agrona"),
            speedup("TimerChurnBench", null, "agrona", 0.7, "≥ 0.7× Agrona wheel", "budget", "timers vs Agrona"),
            speedup("TimerChurnBench", null, "netty", 3, "≥ 3× Netty", "budget", "timers vs Netty"),
            speedup("TimerChurnBench", null, "jdk", 5, "≥ 5× STPE", "budget", null),
            bytes(
                    "TimerChurnBench",
                    null,
                    80,
                    "≤ 1 allocation per timer (B/op ≤ 80: one 64 B `ScheduledCallback` and the profiler's slack)",
                    "budget"),
            speedup("SpawnBench", null, "vthreads", 2, "≥ 2× virtual threads", "budget", "spawn vs vthreads"),
            speedup("SpawnBench", null, "cf", 1, "≥ 1× CompletableFuture", "budget", "spawn vs CF"),
            new Target(
                    "AwaitPingPongBench",
                    null,
                    Map.of("topology", "sameLoop"),
                    "vthreads",
                    Kind.SPEEDUP_AT_LEAST,
                    2,
                    "≥ 2× virtual threads on one carrier",
                    "budget",
                    "ping-pong vs vthreads"),
            speedup("FanOutBench", null, "vthreads", 2, "≥ 2× virtual threads", "FanOutBench", "fan-out vs vthreads"),
            speedup("OffloadBench", null, "cf", 1.5, "≥ 1.5× CompletableFuture", "OffloadBench", "offload vs CF"),
            speedup("ChannelBench", null, "abq", 3, "≥ 3× ArrayBlockingQueue", "ChannelBench", "channel vs ABQ"),
            speedup("ChannelBench", null, "jctools", 0.5, "≥ 0.5× raw JCTools queue", "ChannelBench", null),
            speedup(Target.ASYNCIO, "spawn", "asyncio", 30, "≥ 30× asyncio", "budget", "spawn vs asyncio"),
            speedup(Target.ASYNCIO, "spawn", "uvloop", 30, "≥ 30× uvloop", "budget", null),
            speedup(Target.ASYNCIO, "pingpong", "asyncio", 30, "≥ 30× asyncio", "budget", null),
            speedup(Target.ASYNCIO, "pingpong", "uvloop", 30, "≥ 30× uvloop", "budget", "ping-pong vs uvloop"));

    private BenchmarkCatalog() {}

    /** Every benchmark the report knows, in the order the page presents them. */
    public static List<Entry> entries() {
        return ENTRIES;
    }

    /** The entry of one benchmark class, if the catalog knows it. */
    public static Optional<Entry> entry(String benchmark) {
        return ENTRIES.stream().filter(e -> e.name().equals(benchmark)).findFirst();
    }

    /** Every target of the budget, in budget order. */
    public static List<Target> targets() {
        return TARGETS;
    }

    private static Target speedup(
            String benchmark,
            String method,
            String peer,
            double threshold,
            String text,
            String source,
            String headline) {
        return new Target(benchmark, method, Map.of(), peer, Kind.SPEEDUP_AT_LEAST, threshold, text, source, headline);
    }

    private static Target bytes(String benchmark, String method, double threshold, String text, String source) {
        return new Target(benchmark, method, Map.of(), null, Kind.BYTES_AT_MOST, threshold, text, source, null);
    }
}
