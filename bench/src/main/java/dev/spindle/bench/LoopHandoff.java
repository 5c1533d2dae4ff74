package dev.spindle.bench;

/**
 * Runs a batch of work on an executor's own thread and lets the benchmark thread wait for it: the
 * benchmark thread calls {@link #runOn}, which submits this object and spins until the batch, started by
 * {@link #run} on the executor's thread, calls {@link #finish} (at once, or from a later task). The
 * handoff costs one cross-thread submission and one cache-line round trip per batch, amortised over the
 * batch's operations. A batch that is started some other way (a coroutine spawned on a loop, a virtual
 * thread) calls {@link #begin}, starts itself, then {@link #awaitDone}.
 */
abstract class LoopHandoff implements Runnable {
    private volatile boolean done;

    /** Marks the batch finished; on the executor's thread. */
    final void finish() {
        done = true;
    }

    /** Submits this batch to {@code executor} and waits until it has finished. Benchmark thread only. */
    final void runOn(PeerExecutor executor) {
        begin();
        while (!executor.trySubmit(this)) {
            Thread.onSpinWait();
        }
        awaitDone();
    }

    /** Marks a new batch as not finished; call it before handing the batch over. Benchmark thread only. */
    final void begin() {
        done = false;
    }

    /** Waits until the batch has called {@link #finish}: spins, then yields. Benchmark thread only. */
    final void awaitDone() {
        long deadline = 0;
        int spins = 0;
        while (!done) {
            if (++spins < 10_000) {
                Thread.onSpinWait();
            } else {
                if (deadline == 0) {
                    deadline = System.nanoTime() + 30_000_000_000L;
                } else if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the executor did not finish a batch within 30 s");
                }
                Thread.yield();
            }
        }
    }
}
