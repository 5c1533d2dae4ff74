package dev.spindle.engine;

import dev.spindle.engine.internal.ThreadAffinity;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * The pinned worker pool behind {@link Async#offload}: platform threads that run blocking work so that
 * loops never block.
 *
 * <p>The job queue is bounded. A loop that finds it full waits for a slot on a promise in {@link
 * #slotWaiters}; every job a worker takes releases one such waiter. The waiter protocol cannot lose a
 * wake-up: a producer registers its promise BEFORE re-trying the queue, and a worker takes a job BEFORE
 * waking a waiter, so either the retry finds the slot or the worker finds the waiter.
 *
 * <p>Workers pin themselves to the configured CPUs as their first act; without a CPU set they widen their
 * mask to every CPU, so a pool started from a pinned loop thread never inherits that loop's CPU.
 */
final class WorkerPool {
    private static final OffloadJob<?> POISON = new OffloadJob<>(() -> null, null, OffloadOptions.defaults(), null);

    private final Engine engine;
    private final ArrayBlockingQueue<OffloadJob<?>> jobs;
    private final ConcurrentLinkedQueue<Promise<Void>> slotWaiters = new ConcurrentLinkedQueue<>();
    private final List<Thread> workers = new ArrayList<>();
    private final int[] cpus;
    private volatile boolean shutdown;

    WorkerPool(Engine engine, int size, int[] cpus, int queueCapacity, String namePrefix) {
        this.engine = engine;
        this.jobs = new ArrayBlockingQueue<>(queueCapacity);
        this.cpus = cpus;
        for (int i = 0; i < size; i++) {
            Thread t = new Thread(this::work, namePrefix + i);
            t.setDaemon(true);
            workers.add(t);
        }
        for (Thread t : workers) {
            t.start();
        }
    }

    private void work() {
        pin();
        for (; ; ) {
            OffloadJob<?> job;
            try {
                job = jobs.take();
            } catch (InterruptedException stray) {
                // Workers stop on POISON only: an interrupt left by a job (or sent from outside) must not
                // end the worker, or the pool shrinks for good and offloads wait forever.
                continue;
            }
            if (job == POISON) {
                return;
            }
            releaseOneSlotWaiter();
            Thread.interrupted(); // nothing from an earlier job may leak into this one
            job.run();
            Thread.interrupted(); // a job may return with its flag set (restoring the interrupt status)
        }
    }

    private void pin() {
        BitSet set = new BitSet();
        if (cpus != null) {
            for (int cpu : cpus) {
                set.set(cpu);
            }
        } else {
            set.set(0, Runtime.getRuntime().availableProcessors());
        }
        try {
            ThreadAffinity.pinCurrentThread(set);
        } catch (RuntimeException failed) {
            engine.pinningFailed(Thread.currentThread().getName(), failed);
        }
    }

    private void releaseOneSlotWaiter() {
        Promise<Void> waiter;
        while ((waiter = slotWaiters.poll()) != null) {
            if (waiter.complete(null)) {
                return; // a cancelled waiter is skipped: the slot goes to the next one
            }
        }
    }

    /** Queues {@code job} if there is room. Any thread. */
    boolean tryEnqueue(OffloadJob<?> job) {
        if (shutdown) {
            throw new RejectedTaskException("the worker pool is shut down");
        }
        return jobs.offer(job);
    }

    /**
     * Registers a promise that completes when a slot may have freed. The caller must retry {@link
     * #tryEnqueue} AFTER registering and before waiting.
     */
    Promise<Void> slotWaiter(EventLoop loop) {
        Promise<Void> waiter = new Promise<>(loop);
        slotWaiters.add(waiter);
        return waiter;
    }

    /** A waiter that is no longer needed: if it was already woken, pass the wake-up on. */
    void dropSlotWaiter(Promise<Void> waiter) {
        if (!waiter.cancel()) {
            releaseOneSlotWaiter();
        }
    }

    List<Thread> workers() {
        return workers;
    }

    int queued() {
        return jobs.size();
    }

    /**
     * Refuses new jobs, withdraws the queued ones, lets running jobs finish, and joins the workers until
     * {@code deadline} (System.nanoTime). Returns whether every worker exited.
     */
    boolean shutdown(long deadline) {
        shutdown = true;
        OffloadJob<?> job;
        while ((job = jobs.poll()) != null) {
            job.abandon("the engine shut down before the offloaded work started");
        }
        Promise<Void> waiter;
        while ((waiter = slotWaiters.poll()) != null) {
            waiter.complete(null); // let them retry and see the shutdown
        }
        for (int i = 0; i < workers.size(); i++) {
            // The queue may have fewer slots than there are workers: each worker that takes a POISON frees
            // its slot, so wait for room until the deadline instead of dropping a POISON, which would
            // strand its worker in take() for good.
            try {
                if (!jobs.offer(POISON, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    break; // workers busy past the deadline: the joins below report it
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        boolean all = true;
        for (Thread t : workers) {
            long remaining = deadline - System.nanoTime();
            try {
                if (remaining > 0) {
                    t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            all &= !t.isAlive();
        }
        return all;
    }
}
