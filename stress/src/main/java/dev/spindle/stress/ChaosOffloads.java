package dev.spindle.stress;

import dev.spindle.engine.OffloadPolicy;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The chaos soak's offloaded jobs and the values they produce. Each value must reach exactly one reader: the
 * task whose {@code Async.offload} returned it, or the {@code onDiscard} hook (DESIGN.md difference 5). A value
 * is registered when its job returns it and crosses off at its first receipt; a second receipt is a violation,
 * and a value still registered after the engine has shut down (every worker joined) was lost.
 *
 * <p>Jobs sleep a little (an interrupt under {@code OffloadPolicy.INTERRUPT} cuts the sleep short, and the job
 * then restores its interrupt status, as library code does), some fail, and some return with their interrupt
 * status set although nobody interrupted them (code that restored a flag it found set): the pool must clear it
 * before the worker's next job. A job under {@code NO_INTERRUPT} checks that it is never interrupted, at its
 * start (an interrupt leaked from an earlier job) or while it sleeps. A job under {@code INTERRUPT} cannot
 * make the first check: its own task's cancel may interrupt it as early as its first line.
 */
final class ChaosOffloads {
    /** A job that sleeps and returns a tracked value. */
    static final int VALUE = 0;
    /** A job that sleeps and fails with {@link ChaosFailure}. */
    static final int FAIL = 1;
    /** A job that returns a tracked value with its interrupt status set. */
    static final int SELF_INTERRUPT = 2;

    final LongAdder submitted = new LongAdder();
    final LongAdder ran = new LongAdder();
    final LongAdder interrupted = new LongAdder();
    final LongAdder selfInterrupted = new LongAdder();
    final LongAdder delivered = new LongAdder();
    final LongAdder discarded = new LongAdder();
    final LongAdder tryRefused = new LongAdder();

    private final ChaosLedger ledger;
    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentHashMap<Long, Value> unresolved = new ConcurrentHashMap<>();

    ChaosOffloads(ChaosLedger ledger) {
        this.ledger = ledger;
    }

    /** A value produced by a job; counts its receipts. */
    static final class Value {
        final long id;
        final AtomicInteger receipts = new AtomicInteger();

        Value(long id) {
            this.id = id;
        }

        @Override
        public String toString() {
            return "value#" + id;
        }
    }

    /**
     * A job of {@code kind} that sleeps {@code sleep} on its worker, to be offloaded under {@code policy}. Call
     * it where the job is offloaded.
     */
    Callable<Value> job(int kind, Duration sleep, OffloadPolicy policy) {
        submitted.increment();
        boolean mayBeInterrupted = policy == OffloadPolicy.INTERRUPT;
        return () -> {
            ran.increment();
            Thread me = Thread.currentThread();
            if (!mayBeInterrupted && me.isInterrupted()) {
                ledger.violation("an interrupt leaked into a new NO_INTERRUPT job on " + me.getName());
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                interrupted.increment();
                if (!mayBeInterrupted) {
                    ledger.violation("a NO_INTERRUPT job was interrupted on " + me.getName());
                }
                me.interrupt(); // restore the status, as library code does: the pool must clear it
            }
            if (kind == FAIL) {
                throw new ChaosFailure("offloaded job");
            }
            if (kind == SELF_INTERRUPT) {
                selfInterrupted.increment();
                me.interrupt();
            }
            Value value = new Value(ids.incrementAndGet());
            unresolved.put(value.id, value);
            return value;
        };
    }

    /** The task's {@code Async.offload} returned {@code value}. On the task's loop. */
    void delivered(Value value) {
        delivered.increment();
        receipt(value, "its task");
    }

    /** The {@code onDiscard} hook. On a worker, or on the task's loop. */
    void discarded(Object value) {
        discarded.increment();
        if (value instanceof Value v) {
            receipt(v, "the discard hook");
        } else {
            ledger.violation("the discard hook received " + value + ", which no job produced");
        }
    }

    private void receipt(Value value, String who) {
        if (value.receipts.incrementAndGet() == 1) {
            unresolved.remove(value.id);
        } else {
            ledger.violation(value + " reached a reader twice, the second time " + who);
        }
    }

    /** Values produced but never received; exact once every worker has finished. */
    int unresolved() {
        return unresolved.size();
    }

    /** A few unresolved values, for the report. */
    String someUnresolved() {
        return unresolved.keySet().stream().limit(5).toList().toString();
    }
}
