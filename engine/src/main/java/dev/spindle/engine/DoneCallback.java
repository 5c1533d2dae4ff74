package dev.spindle.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * One registered done callback: a node of its awaitable's callback stack, then a ready item on the
 * owning loop. Its {@code state} decides, by CAS, between running and being removed, so a callback
 * removed from another thread runs exactly when {@link #remove()} returned {@code false}.
 *
 * <p>A user callback runs on the owning loop, in the context its registrant had at registration. An
 * inline node (a thread wake-up, a future bridge, a cross-loop task resumption) runs on whichever thread
 * completes the awaitable, so it must be short and must not run user code.
 */
class DoneCallback implements Runnable, Registration {
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
    /** The user's callback, or {@code null} for engine-internal nodes that override {@link #invoke}. */
    final Consumer<?> callback;

    final boolean inline;
    /** The registrant's context, restored while a user callback runs; {@code null} for inline nodes. */
    private final Context context;

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
        this.context = inline || callback == null ? null : ContextKey.current();
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
        if (STATE.compareAndSet(this, ACTIVE, RAN)) {
            if (context == null) {
                invoke(); // engine-internal: a task resumption sets its own context
                return;
            }
            EventLoop loop = source.loop;
            Context saved = loop.swapContext(context);
            try {
                invoke();
            } finally {
                loop.swapContext(saved);
            }
        }
    }

    /**
     * Runs this node, or the whole chain it relays, once its loop has stopped and will never run it: on the
     * loop thread itself while it stops, else on the calling thread, in the registrant's context, with a
     * failure reported through the loop's exception handler.
     */
    final void runAfterStop() {
        EventLoop loop = source.loop;
        DoneCallback n = this;
        if (relay) {
            relay = false;
        } else {
            n.nextReady = null; // a single node, not a chain
        }
        for (; n != null; n = n.nextReady) {
            if (loop.inLoop()) {
                try {
                    n.run();
                } catch (Throwable failure) {
                    loop.report("Exception in callback", failure, n);
                }
            } else if (STATE.compareAndSet(n, ACTIVE, RAN)) {
                DoneCallback node = n;
                try {
                    ContextKey.callWith(node.context == null ? Context.EMPTY : node.context, () -> {
                        node.invoke();
                        return null;
                    });
                } catch (Throwable failure) {
                    loop.report("Exception in callback", failure, node);
                }
            }
        }
    }

    /** Runs on the completing thread (inline nodes), or when registered too late to be stacked. */
    final void runInline() {
        if (STATE.compareAndSet(this, ACTIVE, RAN)) {
            invoke();
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    void invoke() {
        ((Consumer) callback).accept(source);
    }

    @Override
    public String toString() {
        return "callback " + callback + " of " + source;
    }
}
