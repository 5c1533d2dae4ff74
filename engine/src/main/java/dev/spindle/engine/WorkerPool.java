package dev.spindle.engine;

import dev.spindle.engine.internal.ThreadAffinity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
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
    /** Counted down by each worker once it has pinned itself, or failed to. */
    private final CountDownLatch started;
    /** The first worker's failure to start (strict pinning); the engine's build throws it. */
    private volatile Throwable startFailure;

    private volatile boolean shutdown;

    /**
     * Starts {@code size} workers. If a thread cannot be made or started, the workers already started are
     * stopped before the failure is thrown, so a failed build leaves no thread behind.
     */
    WorkerPool(Engine engine, int size, int[] cpus, int queueCapacity, String namePrefix, ThreadFactory factory) {
        this.engine = engine;
        this.jobs = new ArrayBlockingQueue<>(queueCapacity);
        this.cpus = cpus;
        this.started = new CountDownLatch(size);
        try {
            for (int i = 0; i < size; i++) {
                String name = namePrefix + i;
                Thread t = factory.newThread(this::work);
                if (t == null) {
                    throw new IllegalStateException("the worker thread factory returned null for " + name);
                }
                t.setName(name);
                t.setDaemon(true);
                t.start();
                workers.add(t); // only started threads: shutdown sends one POISON to each
            }
        } catch (RuntimeException | Error failure) {
            shutdown(System.nanoTime() + Duration.ofSeconds(1).toNanos());
            throw failure;
        }
    }

    /**
     * Waits until every worker has pinned itself; throws what stopped one (strict pinning), or an {@link
     * IllegalStateException} if one did not start in time.
     */
    void awaitStarted(long deadlineNanos) throws InterruptedException {
        if (!started.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException("the worker threads did not start (check the worker thread factory)");
        }
        Throwable failure = startFailure;
        if (failure != null) {
            throw new IllegalStateException("the worker pool could not start: " + failure.getMessage(), failure);
        }
    }

    /** Whether {@code thread} is one of this pool's workers. */
    boolean isWorker(Thread thread) {
        return workers.contains(thread);
    }

    private void work() {
        try {
            pin();
        } catch (Throwable failed) {
            if (startFailure == null) {
                startFailure = failed;
            }
            return; // strict pinning failed: the build stops the pool and throws
        } finally {
            started.countDown();
        }
        Thread self = Thread.currentThread();
        WorkerIdentity identity = new WorkerIdentity(self);
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
            try {
                job.run();
            } finally {
                Thread.interrupted(); // a job may return with its flag set (restoring the interrupt status)
                identity.restore(self);
            }
        }
    }

    /**
     * What a job may change on its worker and the next job must not see: the name, the context class
     * loader, the priority and the uncaught-exception handler (context values are scoped to each job by
     * {@link OffloadJob}, the interrupt status is cleared around each one).
     */
    private record WorkerIdentity(
            String name, ClassLoader loader, int priority, Thread.UncaughtExceptionHandler handler) {
        WorkerIdentity(Thread t) {
            this(t.getName(), t.getContextClassLoader(), t.getPriority(), t.getUncaughtExceptionHandler());
        }

        void restore(Thread t) {
            if (!t.getName().equals(name)) {
                t.setName(name);
            }
            if (t.getContextClassLoader() != loader) {
                t.setContextClassLoader(loader);
            }
            if (t.getPriority() != priority) {
                t.setPriority(priority);
            }
            if (t.getUncaughtExceptionHandler() != handler) {
                t.setUncaughtExceptionHandler(handler);
            }
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
     * {@code deadline} (System.nanoTime). Returns whether every worker exited. Called on a worker (by a job
     * that shuts the engine down), that worker is not joined: it exits once the job returns, and counts
     * as finished.
     */
    boolean shutdown(long deadline) {
        shutdown = true;
        OffloadJob<?> job;
        while ((job = jobs.poll()) != null) {
            if (job == POISON) {
                continue; // left by an earlier stop for a worker that had already exited
            }
            job.abandon("the engine shut down before the offloaded work started");
        }
        Promise<Void> waiter;
        while ((waiter = slotWaiters.poll()) != null) {
            waiter.complete(null); // let them retry and see the shutdown
        }
        // One POISON per worker still running; any worker may take any POISON, so count them first.
        // Workers exit only by taking one (or, at start, by failing to pin), so none is left without.
        int running = 0;
        for (Thread worker : workers) {
            if (worker.isAlive()) {
                running++;
            }
        }
        boolean interrupted = false;
        for (int i = 0; i < running; i++) {
            // The queue may have fewer slots than there are workers: each worker that takes a POISON frees
            // its slot, so wait for room until the deadline instead of dropping a POISON, which would
            // strand its worker in take() for good. An interrupted caller stops waiting, not stopping.
            try {
                boolean queued = interrupted
                        ? jobs.offer(POISON)
                        : jobs.offer(POISON, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (!queued) {
                    break; // workers busy past the deadline: the joins below report it
                }
            } catch (InterruptedException e) {
                interrupted = true;
                i--; // this POISON is not queued yet
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return awaitWorkers(deadline);
    }

    /** Joins every worker but the calling one until {@code deadline}; returns whether they all exited. */
    boolean awaitWorkers(long deadline) {
        boolean all = true;
        Thread self = Thread.currentThread();
        for (Thread t : workers) {
            if (t == self) {
                continue;
            }
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
