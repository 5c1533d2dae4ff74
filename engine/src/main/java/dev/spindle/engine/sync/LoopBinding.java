package dev.spindle.engine.sync;

import dev.spindle.engine.EventLoop;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * The one loop a synchronisation primitive is confined to, and the check that enforces it.
 *
 * <p>A primitive is bound when it is created with an explicit loop, or when it is created inside a task
 * (to that task's loop), or else by the first task that mutates it. From then on every call must come from
 * that loop's thread; any other thread gets an {@link IllegalStateException} naming both. A primitive
 * that is not bound yet can only be mutated from inside a task, since only a task tells us which loop the
 * calling thread runs; its queries may be read anywhere, because nothing has changed its initial state.
 *
 * <p>{@link #loop} is the only field of a primitive that another thread may read, so it alone is
 * published with ordered accesses: it goes from {@code null} to a loop at most once, by {@code
 * compareAndSet}, and is read with {@code getAcquire} (a plain load on x86). The check therefore is exact,
 * not best effort: two loops racing to bind agree on one winner, and the loser fails. Everything else in
 * the primitives is plain loop-local state, touched only after this check passed.
 */
final class LoopBinding {
    private static final VarHandle LOOP;

    static {
        try {
            LOOP = MethodHandles.lookup().findVarHandle(LoopBinding.class, "loop", EventLoop.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through LOOP
    private volatile EventLoop loop;

    private LoopBinding(EventLoop loop) {
        this.loop = loop;
    }

    /** A binding to {@code loop}. */
    static LoopBinding to(EventLoop loop) {
        return new LoopBinding(Objects.requireNonNull(loop, "loop"));
    }

    /** A binding to the calling loop thread's loop, or an unbound one when called outside the loops. */
    static LoopBinding toCaller() {
        return new LoopBinding(EventLoop.current());
    }

    /**
     * Binds to the loop of the calling task if still unbound (a primitive created inside a task around one
     * created elsewhere). Does nothing if already bound or if called outside the loops.
     */
    void bindToCaller() {
        EventLoop caller = EventLoop.current();
        if (caller != null) {
            LOOP.compareAndSet(this, null, caller); // a lost race leaves the first binding, as intended
        }
    }

    /** The bound loop, or {@code null} while unbound. Any thread. */
    EventLoop loop() {
        return (EventLoop) LOOP.getAcquire(this);
    }

    /**
     * Checks that the caller may mutate the primitive, binding it to the caller's loop on first use, and
     * returns the bound loop. O(1); allocates only when it throws.
     *
     * @param operation what is being called, for the message: {@code "Lock.acquire()"}
     * @throws IllegalStateException if called from another thread than the bound loop's, or, while
     *     unbound, from a thread outside the loops
     */
    EventLoop enter(String operation) {
        EventLoop bound = (EventLoop) LOOP.getAcquire(this);
        if (bound != null) {
            if (bound.inLoop()) {
                return bound;
            }
            throw foreign(bound, operation);
        }
        EventLoop mine = EventLoop.current();
        if (mine == null) {
            throw new IllegalStateException(
                    operation + " called on " + Thread.currentThread().getName()
                            + ", which is not a loop thread, before the primitive was bound to a loop: it binds to"
                            + " the loop that first uses it, so use it on a loop first, or create it with an"
                            + " explicit EventLoop");
        }
        // Set once: a CAS, so that two loops binding at the same time agree on one winner.
        EventLoop witness = (EventLoop) LOOP.compareAndExchange(this, null, mine);
        if (witness != null && witness != mine) {
            throw foreign(witness, operation);
        }
        return mine;
    }

    /**
     * Checks that the caller may read the primitive: from the bound loop's thread, or from anywhere while
     * it is unbound (its state is then the one it was created with). O(1).
     *
     * @param operation what is being called, for the message: {@code "Lock.locked()"}
     * @throws IllegalStateException if bound and called from another thread than the bound loop's
     */
    void check(String operation) {
        EventLoop bound = (EventLoop) LOOP.getAcquire(this);
        if (bound != null && !bound.inLoop()) {
            throw foreign(bound, operation);
        }
    }

    private static IllegalStateException foreign(EventLoop bound, String operation) {
        return new IllegalStateException(
                operation + " called on " + Thread.currentThread().getName()
                        + ", but the primitive is bound to loop " + bound.name()
                        + ": a loop-local primitive may only be used from the thread of its loop");
    }

    @Override
    public String toString() {
        EventLoop bound = loop();
        return bound == null ? "unbound" : bound.name();
    }
}
