package dev.spindle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.spindle.engine.Async;
import dev.spindle.engine.CancelledException;
import dev.spindle.engine.Engine;
import dev.spindle.engine.OffloadOptions;
import dev.spindle.engine.RejectedTaskException;
import dev.spindle.engine.Task;
import java.time.Duration;
import java.util.List;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;

/**
 * Shutdown vs offload: {@code engine.shutdown(grace)} racing a coroutine's {@code Async.offload}. The offload
 * runs or is withdrawn by the shutdown's cancel, the task is done once {@code shutdown} has
 * returned, a value the job produced reaches exactly one reader, and no worker thread outlives the engine.
 *
 * <p>The rule (Engine.shutdown, Engine.workerPool, Async.offload, WorkerPool.shutdown): shutdown sets the
 * engine's flag, makes each loop cancel its live tasks, waits for the loops to finish, and only then shuts the
 * pool: withdraws queued jobs, lets a running one finish, and joins the workers. The pool starts with the
 * engine, so an offload made while the loops still run is always queued (never refused), and the task's
 * cancellation withdraws it or lets it finish, its value going to the discard hook.
 *
 * <p>How the race is made: as in {@link ShutdownVsSubmitTest}, one engine per state, built by the {@code
 * shutter}. The offloading party is the loop thread itself: the shutter spawns a task that spins until the
 * {@code offloader} actor releases it and then offloads at once, and the shutter calls {@code shutdown} as soon
 * as it sees that release. One engine, loop and worker per state is
 * expensive: this test samples far fewer states per second than the others.
 *
 * <p>Result: {@code r1} = what the task's body got from {@code offload} ({@code VALUE}, {@code CANCELLED},
 * {@code REJECTED}) and the task's state after {@code shutdown} returned, {@code r2} = how many times the job
 * ran, {@code r3} = who got its value, {@code clean} or {@code FORCED} shutdown, and {@code WORKER-ALIVE} if a
 * worker thread was still alive afterwards.
 */
@JCStressTest
@Outcome(
        id = "VALUE SUCCEEDED, 1, task clean",
        expect = ACCEPTABLE,
        desc = "The job ran and the task returned its value before the shutdown's cancel reached it.")
@Outcome(
        id = "CANCELLED CANCELLED, 0, none clean",
        expect = ACCEPTABLE,
        desc = "The shutdown's cancel withdrew the queued job before a worker started it.")
@Outcome(
        id = "CANCELLED CANCELLED, 1, discard clean",
        expect = ACCEPTABLE_INTERESTING,
        desc = "The shutdown's cancel reached the task while the job ran: the value went to the discard hook.")
@Outcome(
        id = "CANCELLED CANCELLED, 1, none clean",
        expect = FORBIDDEN,
        desc = "Lost value: the job's value completed the task's wait, then the shutdown's cancel overtook it at"
                + " the await and nobody got it.")
@Outcome(id = ".*WORKER-ALIVE.*", expect = FORBIDDEN, desc = "A worker thread outlived the shutdown.")
@Outcome(
        id = ".* (PENDING|RUNNING|SUSPENDED), .*",
        expect = FORBIDDEN,
        desc = "The task was not done after shutdown returned.")
@Outcome(
        expect = FORBIDDEN,
        desc = "Anything else: a refused offload, a forced shutdown, a job run twice, a value delivered twice.")
@State
public class ShutdownVsOffloadTest {
    private static final Duration GRACE = Duration.ofSeconds(10);
    private static final int JOB_SPINS = 16;

    private final OffloadJobProbe probe = new OffloadJobProbe(OffloadJobProbe.AT_OFFLOAD, JOB_SPINS);
    private final OffloadOptions options = OffloadOptions.defaults().withOnDiscard(probe::discarded);
    private volatile boolean released;
    private volatile boolean bodyStarted;
    private volatile Engine engine;
    private volatile Task<PlainBox> task;
    private volatile String got = "NOTHING";
    private volatile boolean clean;
    private volatile List<Thread> workers = List.of();

    private PlainBox body() {
        bodyStarted = true;
        while (!released) {
            Thread.onSpinWait(); // on the loop thread: the offload below starts as the shutdown does
        }
        PlainBox box;
        try {
            box = Async.offload(probe::job, options);
        } catch (CancelledException cancelled) {
            got = "CANCELLED";
            throw cancelled;
        } catch (RejectedTaskException refused) {
            got = "REJECTED";
            throw refused;
        }
        got = "VALUE";
        probe.delivered(box);
        return box;
    }

    @Actor
    public void shutter() {
        Engine e = Engine.builder()
                .loops(1)
                .workers(1)
                .queueCapacity(16)
                .threadNamePrefix("stress-shutdown-offload-")
                .build();
        workers = e.workerThreads();
        Task<PlainBox> t = e.loop(0).spawn(this::body);
        task = t;
        // The body itself says it runs: a RUNNING state alone is not enough, since a cancel that lands
        // between the step's start and the body's first line is delivered there, and the body never runs.
        while (!bodyStarted) {
            Thread.onSpinWait(); // the body is spinning on the loop thread, waiting to be released
        }
        engine = e;
        while (!released) {
            Thread.onSpinWait();
        }
        clean = e.shutdown(GRACE);
    }

    @Actor
    public void offloader() {
        while (engine == null) {
            Thread.onSpinWait();
        }
        released = true;
    }

    @Arbiter
    public void arbiter(LLL_Result r) {
        boolean workerAlive = false;
        for (Thread w : workers) {
            workerAlive |= w.isAlive();
        }
        Task<PlainBox> t = task;
        if (t.isDone() && !t.isCancelled()) {
            t.exception(); // read the refusal, so that it is not reported as never retrieved
        }
        r.r1 = got + " " + t.state();
        r.r2 = probe.runs();
        r.r3 = probe.fate() + (clean ? " clean" : " FORCED") + (workerAlive ? " WORKER-ALIVE" : "");
    }
}
