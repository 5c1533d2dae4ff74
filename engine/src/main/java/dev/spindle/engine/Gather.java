package dev.spindle.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The awaitable returned by {@link Async#gather} (asyncio's {@code _GatheringFuture}).
 *
 * <p>It counts its distinct children down on its own loop (children on other loops report through the
 * loop's internal queue), so the counting needs no atomics. Only {@link #cancel} may come from another
 * thread: it cancels the children, and the outcome is decided on the loop once they have all finished.
 *
 * <h2>The cancel request</h2>
 *
 * {@link #cancelState} decides, by atomic updates, between cancellers and the loop's last count-down. It
 * holds the number of cancels that may still take effect, and the TAKEN bit:
 *
 * <ul>
 *   <li>a cancel adds one BEFORE it cancels the children, so a child that accepts and finishes the gather
 *       at once (on its loop, while the canceller still walks the other children) finds the request;
 *   <li>a cancel that some child accepted keeps its one: the gather will end cancelled;
 *   <li>a cancel that no child accepted takes its one back; if TAKEN was set meanwhile, the loop ended the
 *       gather on its request, so it returns {@code true};
 *   <li>the loop, when the last child is done, sets TAKEN if the count is not zero, and then ends the
 *       gather with {@link CancelledException}.
 * </ul>
 *
 * So a cancel that returns {@code true} always finds the gather ending with {@link CancelledException}, and
 * one that returns {@code false} had no effect.
 */
final class Gather<T> extends BaseAwaitable<List<T>> {
    private static final int TAKEN = 1 << 30;
    private static final VarHandle CANCEL_STATE;

    static {
        try {
            CANCEL_STATE = MethodHandles.lookup().findVarHandle(Gather.class, "cancelState", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final List<BaseAwaitable<? extends T>> children;
    private final boolean returnExceptions;
    /** Loop-confined: distinct children not done yet. */
    private int remaining;

    @SuppressWarnings("unused") // accessed through CANCEL_STATE
    private volatile int cancelState;

    Gather(EventLoop loop, List<BaseAwaitable<? extends T>> children, boolean returnExceptions) {
        super(loop);
        this.children = children;
        this.returnExceptions = returnExceptions;
    }

    private List<BaseAwaitable<? extends T>> distinct() {
        Map<BaseAwaitable<? extends T>, Boolean> seen = new IdentityHashMap<>();
        List<BaseAwaitable<? extends T>> unique = new ArrayList<>();
        for (BaseAwaitable<? extends T> child : children) {
            if (seen.put(child, Boolean.TRUE) == null) {
                unique.add(child);
            }
        }
        return unique;
    }

    /** Registers on every distinct child. Called once, right after construction. */
    void start() {
        List<BaseAwaitable<? extends T>> unique = distinct();
        remaining = unique.size();
        if (remaining == 0) {
            if (claim()) {
                publishClaimed(SUCCEEDED, Collections.emptyList());
            }
            return;
        }
        for (BaseAwaitable<? extends T> child : unique) {
            child.onDoneOn(loop, done -> childDone((BaseAwaitable<?>) done));
        }
    }

    /** On the gather's loop, once per distinct child. */
    private void childDone(BaseAwaitable<?> child) {
        remaining--;
        if (isDone()) {
            child.markRetrieved(); // the outer already reported; nobody will read this one
            return;
        }
        if (!returnExceptions) {
            if (child.isCancelled()) {
                finish(FAILED, new CancelledException(child.finalCancelMessage()));
                return;
            }
            Throwable failure = child.exception();
            if (failure != null) {
                finish(FAILED, failure);
                return;
            }
        }
        if (remaining > 0) {
            return;
        }
        if (takeCancelRequest()) {
            // A cancel reached the children: the gather is cancelled whatever returnExceptions says. The
            // caller asked for it, so it is no unretrieved failure.
            String message = child.isCancelled() ? child.finalCancelMessage() : cancelMessage;
            finish(FAILED, new CancelledException(message));
            markRetrieved();
            return;
        }
        List<Object> results = new ArrayList<>(children.size());
        for (BaseAwaitable<? extends T> c : children) {
            if (c.isCancelled()) {
                results.add(new CancelledException(c.finalCancelMessage()));
            } else if (c.exception() != null) {
                results.add(c.exception());
            } else {
                results.add(c.result());
            }
        }
        finish(SUCCEEDED, Collections.unmodifiableList(results));
    }

    /** On the loop, once the last child is done: whether a cancel is to end the gather. */
    private boolean takeCancelRequest() {
        for (; ; ) {
            int v = (int) CANCEL_STATE.getVolatile(this);
            if ((v & ~TAKEN) == 0) {
                return false;
            }
            if (CANCEL_STATE.compareAndSet(this, v, v | TAKEN)) {
                return true;
            }
        }
    }

    private void finish(int state, Object outcome) {
        if (claim()) {
            publishClaimed(state, outcome);
        }
    }

    /**
     * Cancels every child; returns {@code true} if any child accepted, in which case the gather ends with
     * {@link CancelledException} once all children are done. Returns {@code false} once done. Any thread.
     * Gathers nested in gathers are walked with an explicit stack, so any depth is safe.
     */
    @Override
    public boolean cancel(String message) {
        CancelWalk top = begin(message);
        if (top == null) {
            return false;
        }
        ArrayDeque<CancelWalk> outer = new ArrayDeque<>();
        for (; ; ) {
            if (top.next < top.children.size()) {
                BaseAwaitable<?> child = top.children.get(top.next++);
                CancelWalk nested = child instanceof Gather<?> g ? g.begin(message) : null;
                if (nested != null) {
                    outer.push(top);
                    top = nested;
                } else if (!(child instanceof Gather<?>)) {
                    top.accepted |= child.cancel(message);
                }
                continue;
            }
            boolean cancelled = top.gather.end(top);
            if (outer.isEmpty()) {
                return cancelled;
            }
            top = outer.pop();
            top.accepted |= cancelled;
        }
    }

    /** Requests the cancel and lists the children to cancel; {@code null} if the gather is done. */
    private CancelWalk begin(String message) {
        markRetrieved();
        if (isDone()) {
            return null;
        }
        cancelMessage = message; // written BEFORE the count: the loop that takes the request reads it
        CANCEL_STATE.getAndAdd(this, 1);
        return new CancelWalk(this, distinct());
    }

    /** Whether this gather's cancel took effect, once every child was asked. */
    private boolean end(CancelWalk walk) {
        if (walk.accepted) {
            return true;
        }
        // No child accepted: withdraw the request; the loop may have ended the gather on it already.
        return ((int) CANCEL_STATE.getAndAdd(this, -1) & TAKEN) != 0;
    }

    /** One gather being cancelled: its children, the next to ask, and whether any accepted. */
    private static final class CancelWalk {
        final Gather<?> gather;
        final List<? extends BaseAwaitable<?>> children;
        int next;
        boolean accepted;

        CancelWalk(Gather<?> gather, List<? extends BaseAwaitable<?>> children) {
            this.gather = gather;
            this.children = children;
        }
    }

    @Override
    public String toString() {
        return "Gather[" + children.size() + " children, " + state() + " on " + loop.name() + "]";
    }
}
