package dev.spindle.stress;

import dev.spindle.engine.Async;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.Task;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The offloaded job of one stress state, and what happened to it: how many times it ran, whether it saw an
 * interrupt, and who received its value (the task through its await, or the {@code onDiscard} hook). It also
 * marks the points a canceller may wait for, so that a state can aim its cancel at one phase of the job's life.
 * Every field is written by the worker, the loop or the actors and read by the arbiter: all are volatile or
 * atomic.
 */
final class OffloadJobProbe {
    /** Cancel once the task's body is about to offload: races the worker's take (withdrawn or started). */
    static final int AT_OFFLOAD = 0;
    /** Cancel once the job has started: lands while it runs. */
    static final int AT_START = 1;
    /** Cancel once the job is returning its value: races the completion of the task's wait. */
    static final int AT_RETURN = 2;

    private static final int SPINS_BEFORE_YIELD = 128;

    private final int trigger;
    private final int spins;
    private final AtomicInteger runs = new AtomicInteger();
    private final AtomicInteger toTask = new AtomicInteger();
    private final AtomicInteger toHook = new AtomicInteger();
    /** The value the job produced; the hook must receive this very object. */
    private volatile PlainBox produced;

    /** Set by the task's body just before it calls {@code Async.offload}. */
    volatile boolean offloading;

    /**
     * Set by the canceller just BEFORE it calls {@code cancel()}. An interrupt happens-before whoever sees it
     * (JLS 17.4.4), so a job that finds its flag set while this is still false was not interrupted by its own
     * cancel: the interrupt leaked from an earlier job.
     */
    volatile boolean cancelIssued;

    private volatile boolean started;
    private volatile boolean returning;
    private volatile boolean interrupted;
    private volatile boolean leakedIntoJob;
    private volatile boolean foreignDiscard;

    /**
     * @param trigger {@link #AT_OFFLOAD}, {@link #AT_START} or {@link #AT_RETURN}
     * @param spins how long the job runs, in spin-wait rounds
     */
    OffloadJobProbe(int trigger, int spins) {
        this.trigger = trigger;
        this.spins = spins;
    }

    /**
     * The job, on a worker: records the run, whether the worker's interrupt flag was set when it began although
     * its own cancel had not been issued (an interrupt leaked from an earlier job; its own cancel may interrupt
     * it as early as its first line), and whether an interrupt arrived while it ran. On an interrupt it stops
     * early and returns its value with the flag still set, as code that restores the interrupt status does; the
     * pool must clear it before the worker's next job.
     */
    PlainBox job() {
        runs.incrementAndGet();
        // The flag BEFORE cancelIssued: an interrupt seen here by the job's own cancel implies cancelIssued.
        leakedIntoJob = Thread.currentThread().isInterrupted() && !cancelIssued;
        started = true;
        for (int i = 0; i < spins; i++) {
            if (Thread.currentThread().isInterrupted()) {
                interrupted = true;
                break;
            }
            Thread.onSpinWait();
        }
        PlainBox box = new PlainBox(42);
        produced = box;
        returning = true;
        return box;
    }

    /** The task's await returned the value. On the loop. */
    void delivered(PlainBox box) {
        if (box != produced || box.value != 42) {
            foreignDiscard = true;
        }
        toTask.incrementAndGet();
    }

    /** The {@code onDiscard} hook. On the worker (or wherever the engine runs it). */
    void discarded(Object value) {
        if (value != produced) {
            foreignDiscard = true;
        }
        toHook.incrementAndGet();
    }

    /** On the canceller: waits until the job reaches this state's trigger point. */
    void awaitTrigger() {
        int spun = 0;
        while (!reached()) {
            // The loop and the worker need the CPU that this actor would otherwise burn on two cores.
            if (++spun > SPINS_BEFORE_YIELD) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
        }
    }

    private boolean reached() {
        return switch (trigger) {
            case AT_OFFLOAD -> offloading;
            case AT_START -> started;
            default -> returning;
        };
    }

    int runs() {
        return runs.get();
    }

    boolean interrupted() {
        return interrupted;
    }

    /** Whether the job began with an interrupt that its own cancel cannot have sent. */
    boolean leakedIntoJob() {
        return leakedIntoJob;
    }

    /** Who got the value: {@code task}, {@code discard}, {@code none}, {@code both}, or the counts if stranger. */
    String fate() {
        if (foreignDiscard) {
            return "FOREIGN-VALUE";
        }
        int t = toTask.get();
        int h = toHook.get();
        if (t + h > 2 || t > 1 || h > 1) {
            return "task" + t + "+discard" + h;
        }
        if (t == 1) {
            return h == 1 ? "both" : "task";
        }
        return h == 1 ? "discard" : "none";
    }

    /**
     * From a thread outside the engine: runs a marker job through the pool and waits for it. With one worker
     * and the pool's FIFO queue, every job offloaded before has then finished, delivery and discard hook
     * included. Returns whether the marker found the worker's interrupt flag set (an interrupt leaked).
     */
    static boolean drainWorker(EventLoop loop) {
        Task<Boolean> marker =
                loop.spawn(() -> Async.offload(() -> Thread.currentThread().isInterrupted()));
        if (!LoopBarrier.awaitDone(marker)) {
            throw new IllegalStateException("the worker did not run a marker job within " + LoopBarrier.TIMEOUT);
        }
        return marker.result();
    }
}
