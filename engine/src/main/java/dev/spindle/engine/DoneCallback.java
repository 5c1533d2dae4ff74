package dev.spindle.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * One registered done callback: a node of its awaitable's callback stack, then a ready item on the
 * owning loop. Its {@code state} decides, by CAS, between running and being removed, so a callback
 * removed from another thread runs exactly when {@link #remove()} returned {@code false}.
 */
final class DoneCallback implements Runnable, Registration {
    private static final int ACTIVE = 0;
    private static final int REMOVED = 1;
    private static final int RAN = 2;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(DoneCallback.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final BaseAwaitable<?> source;
    final Consumer<?> callback;
    /** Internal waiters (thread wake-ups, future bridges) run on the completing thread. */
    final boolean inline;

    /** The next older node on the stack; written before the node is published by CAS. */
    DoneCallback next;
    /** The next node to dispatch, in registration order; owned by whoever dispatches. */
    DoneCallback nextReady;
    /** Set when the chain crosses to the loop through its internal queue as one item. */
    boolean relay;

    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;

    DoneCallback(BaseAwaitable<?> source, Consumer<?> callback, boolean inline) {
        this.source = source;
        this.callback = callback;
        this.inline = inline;
    }

    @Override
    public boolean remove() {
        return STATE.compareAndSet(this, ACTIVE, REMOVED);
    }

    /** Runs on the owning loop: either spreads a relayed chain into the ready queue, or the callback. */
    @Override
    public void run() {
        if (relay) {
            relay = false;
            source.loop.enqueueReadyChain(this);
            return;
        }
        runInline();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    void runInline() {
        if (STATE.compareAndSet(this, ACTIVE, RAN)) {
            ((Consumer) callback).accept(source);
        }
    }

    @Override
    public String toString() {
        return "callback " + callback + " of " + source;
    }
}
