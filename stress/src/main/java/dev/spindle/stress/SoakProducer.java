package dev.spindle.stress;

import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.RejectedTaskException;
import dev.spindle.engine.Task;
import dev.spindle.engine.TimerHandle;
import dev.spindle.stress.SoakProbes.Probe;
import dev.spindle.stress.SoakProbes.PromiseProbe;
import dev.spindle.stress.SoakProbes.TaskKind;
import dev.spindle.stress.SoakProbes.TaskProbe;
import dev.spindle.stress.SoakProbes.TimerProbe;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One producer thread of the soak: a random stream of operations on every loop, from outside the engine.
 *
 * <p>Each operation is one of: submit a task (plain, slow, failing, or cancelling itself; some with a
 * done callback), submit a burst that overflows a loop's bounded queue, cancel a task that any producer
 * submitted, schedule a timer (0-20 ms) and cancel about half of them (at once or a little later), create
 * a promise with callbacks and complete or cancel it (this producer, others, or several at once), or
 * complete or cancel a promise that another producer created. A refused submission is counted as a
 * rejection and dropped; everything accepted gets a probe that this producer keeps until its item has
 * finished and been checked ({@link Probe#settle}).
 *
 * <p>Thread confinement: the probe lists belong to this producer's thread until {@link #run()} returns;
 * the main thread reads them only after joining it. The two rings are shared by all producers.
 */
final class SoakProducer implements Runnable {
    static final int RING_SIZE = 1024;
    private static final long MAX_TIMER_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final int SETTLE_EVERY_OPS = 256;
    /** A promise nobody completed within this many of its owner's operations is completed by its owner. */
    private static final int PROMISE_MAX_AGE_OPS = 4_000;

    private static final int MAX_DEFERRED_CANCEL_OPS = 4_000;
    private static final AtomicLong IDS = new AtomicLong();

    private final Engine engine;
    private final SoakLedger ledger;
    private final AtomicReferenceArray<TaskProbe> cancelRing;
    private final AtomicReferenceArray<PromiseProbe> promiseRing;
    private final SplittableRandom random;
    private volatile boolean stopped;

    private final List<TaskProbe> tasks = new ArrayList<>();
    private final List<TimerProbe> timers = new ArrayList<>();
    private final List<PromiseProbe> promises = new ArrayList<>();
    private final PriorityQueue<TimerProbe> deferredCancels =
            new PriorityQueue<>(Comparator.comparingLong(t -> t.cancelAtOp));
    private long ops;

    SoakProducer(
            Engine engine,
            SoakLedger ledger,
            AtomicReferenceArray<TaskProbe> cancelRing,
            AtomicReferenceArray<PromiseProbe> promiseRing,
            long seed) {
        this.engine = engine;
        this.ledger = ledger;
        this.cancelRing = cancelRing;
        this.promiseRing = promiseRing;
        this.random = new SplittableRandom(seed);
    }

    /** Asks the producer to finish its current operation and return from {@link #run()}. Any thread. */
    void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        while (!stopped) {
            ops++;
            cancelDeferredTimers(false);
            operate();
            if (ops % SETTLE_EVERY_OPS == 0) {
                settleFinished();
            }
        }
        cancelDeferredTimers(true);
        settleFinished();
    }

    private void operate() {
        int dice = random.nextInt(100);
        if (dice < 35) {
            submit(pickLoop(), randomKind());
        } else if (dice < 36) {
            burst();
        } else if (dice < 50) {
            TaskProbe victim = cancelRing.get(random.nextInt(RING_SIZE));
            if (victim != null) {
                victim.cancel();
            }
        } else if (dice < 75) {
            scheduleTimer();
        } else if (dice < 90) {
            newPromise();
        } else {
            PromiseProbe other = promiseRing.get(random.nextInt(RING_SIZE));
            if (other != null) {
                other.attempt(random.nextInt(4) == 0);
            }
        }
    }

    private EventLoop pickLoop() {
        return random.nextBoolean() ? engine.next() : engine.loop(random.nextInt(engine.loopCount()));
    }

    private TaskKind randomKind() {
        int dice = random.nextInt(100);
        if (dice < 70) {
            return TaskKind.NORMAL;
        } else if (dice < 80) {
            return TaskKind.SLOW;
        } else if (dice < 90) {
            return TaskKind.THROWS;
        } else if (dice < 95) {
            return TaskKind.CANCELS_ITSELF;
        }
        return TaskKind.THROWS_CANCELLED;
    }

    /** Submits one task; returns whether the loop accepted it. */
    private boolean submit(EventLoop loop, TaskKind kind) {
        TaskProbe probe = new TaskProbe(IDS.incrementAndGet(), kind, loop, random.nextInt(100) < 30, ledger);
        Task<Long> task;
        try {
            task = loop.submit(probe);
        } catch (RejectedTaskException full) {
            ledger.tasksRejected.increment();
            Thread.yield(); // back off, as a real producer would: lets the loops drain
            return false;
        }
        probe.task = task;
        ledger.tasksAccepted.increment();
        tasks.add(probe);
        if (probe.watched()) {
            task.onDone(probe::onDone); // races the loop completing the task
        }
        cancelRing.set(random.nextInt(RING_SIZE), probe);
        return true;
    }

    /** Submits plain tasks to one loop faster than it runs them, until it refuses a few. */
    private void burst() {
        EventLoop loop = pickLoop();
        int size = 128 + random.nextInt(1_024);
        int refused = 0;
        for (int i = 0; i < size && refused < 16; i++) {
            if (!submit(loop, TaskKind.NORMAL)) {
                refused++;
            }
        }
    }

    private void scheduleTimer() {
        EventLoop loop = pickLoop();
        TimerProbe probe = new TimerProbe(loop, ledger);
        TimerHandle handle;
        try {
            handle = loop.schedule(random.nextLong(MAX_TIMER_DELAY_NANOS + 1), TimeUnit.NANOSECONDS, probe);
        } catch (RejectedTaskException full) {
            ledger.timersRejected.increment();
            Thread.yield();
            return;
        }
        probe.handle = handle;
        ledger.timersScheduled.increment();
        timers.add(probe);
        int dice = random.nextInt(4);
        if (dice == 0) {
            probe.cancel();
        } else if (dice == 1) {
            probe.cancelAtOp = ops + 1 + random.nextInt(MAX_DEFERRED_CANCEL_OPS);
            deferredCancels.add(probe);
        }
    }

    private void cancelDeferredTimers(boolean all) {
        TimerProbe next;
        while ((next = deferredCancels.peek()) != null && (all || next.cancelAtOp <= ops)) {
            deferredCancels.poll().cancel();
        }
    }

    private void newPromise() {
        EventLoop loop = pickLoop();
        PromiseProbe probe =
                new PromiseProbe(IDS.incrementAndGet(), loop.newPromise(), random.nextBoolean(), ops, ledger);
        ledger.promisesCreated.increment();
        promises.add(probe);
        int dice = random.nextInt(10);
        if (dice < 4) {
            probe.register();
            probe.attempt(false); // completed by its creator, off the loop
        } else if (dice < 7) {
            promiseRing.set(random.nextInt(RING_SIZE), probe); // others may complete it before the callbacks
            probe.register();
        } else {
            promiseRing.set(random.nextInt(RING_SIZE), probe);
            probe.register();
            probe.attempt(random.nextInt(3) == 0); // races other producers
        }
    }

    /** Checks and drops the probes whose items have finished; completes promises left too long. */
    private void settleFinished() {
        settle(tasks, false);
        settle(timers, false);
        for (PromiseProbe probe : promises) {
            if (!probe.promise.isDone() && ops - probe.createdAtOp > PROMISE_MAX_AGE_OPS) {
                probe.attempt(false);
            }
        }
        settle(promises, false);
    }

    private static <P extends Probe> void settle(List<P> probes, boolean last) {
        for (int i = probes.size() - 1; i >= 0; i--) {
            if (probes.get(i).settle(last)) {
                int lastIndex = probes.size() - 1;
                probes.set(i, probes.get(lastIndex));
                probes.remove(lastIndex);
            }
        }
    }

    /** After {@link #run()} returned (the caller joined this thread): completes the promises still pending. */
    void completeLeftovers() {
        for (PromiseProbe probe : promises) {
            if (!probe.promise.isDone()) {
                probe.attempt(false);
            }
        }
    }

    /** After shutdown: checks every probe still kept, reporting unfinished items. Returns how many. */
    int settleAll() {
        int n = tasks.size() + timers.size() + promises.size();
        settle(tasks, true);
        settle(timers, true);
        settle(promises, true);
        return n;
    }
}
