package dev.spindle.engine.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The wake-up word of one event loop: producers wake a parked loop at most once per park.
 *
 * <pre>
 *   AWAKE (-1)          the loop is running; producers need do nothing after enqueueing
 *   NO_DEADLINE (MAX)   the loop may park with no timer pending
 *   T (0..MAX-1)        the loop may park until its next timer deadline, T
 * </pre>
 *
 * <p>Protocol. The loop stores "parked until T" ({@link #prepareToPark}, a volatile store), THEN checks
 * its queues, and parks only if they are empty; after waking it stores AWAKE ({@link #awake}). A producer
 * enqueues (the queue's producer index is updated with a CAS), THEN calls {@link #wakeUp}: a volatile load
 * of the word and, if it is not AWAKE, a {@code getAndSet(AWAKE)} whose winner must unpark the loop.
 * Both sides store then load across the two locations with sequentially consistent accesses, so at least
 * one sees the other: either the loop sees the item and does not park, or the producer sees the park and
 * unparks. An unpark before the park leaves a permit, so the park returns at once. The getAndSet makes
 * concurrent producers agree on one unpark per park.
 *
 * <p>Method names follow JCTools: {@code lv} volatile load, {@code sv} volatile store, {@code so}
 * ordered (release) store.
 */
public final class LoopWakeup {
    /** The loop is running. */
    public static final long AWAKE = -1L;
    /** The loop may park with no deadline. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    private static final VarHandle WORD;

    static {
        try {
            WORD = MethodHandles.lookup().findVarHandle(LoopWakeup.class, "word", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // Padded: producers on other cores read this word after every enqueue.
    @SuppressWarnings("unused")
    private long p01, p02, p03, p04, p05, p06, p07;

    @SuppressWarnings("unused") // accessed through WORD
    private volatile long word = AWAKE;

    @SuppressWarnings("unused")
    private long p11, p12, p13, p14, p15, p16, p17;

    /**
     * Loop side: announces that the loop may park until {@code deadline} (a clock reading, or {@link
     * #NO_DEADLINE}). The caller must check its queues AFTER this call and park only if they are empty.
     */
    public void prepareToPark(long deadline) {
        WORD.setVolatile(this, deadline < 0 ? 0 : deadline);
    }

    /** Loop side: the loop is running again; producers stop unparking it. */
    public void awake() {
        WORD.setRelease(this, AWAKE);
    }

    /**
     * Producer side, AFTER enqueueing: returns {@code true} if this caller must unpark the loop (it is,
     * or may be about to be, parked and no other producer has claimed the unpark).
     */
    public boolean wakeUp() {
        return (long) WORD.getVolatile(this) != AWAKE && (long) WORD.getAndSet(this, AWAKE) != AWAKE;
    }

    /** The current word, for diagnostics and the virtual clock. */
    public long lvWord() {
        return (long) WORD.getVolatile(this);
    }
}
