package dev.spindle.engine;

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
 */
final class Gather<T> extends BaseAwaitable<List<T>> {
    private final List<BaseAwaitable<? extends T>> children;
    private final boolean returnExceptions;
    /** Loop-confined: distinct children not done yet. */
    private int remaining;
    /** Set by a cancel that reached at least one child; read on the loop when the last child is done. */
    private volatile boolean cancelRequested;

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
                finish(FAILED, new CancelledException(child.cancelMessage));
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
        if (cancelRequested) {
            // A cancel reached the children: the gather is cancelled whatever returnExceptions says.
            finish(FAILED, new CancelledException(child.cancelMessage));
            return;
        }
        List<Object> results = new ArrayList<>(children.size());
        for (BaseAwaitable<? extends T> c : children) {
            if (c.isCancelled()) {
                results.add(new CancelledException(c.cancelMessage));
            } else if (c.exception() != null) {
                results.add(c.exception());
            } else {
                results.add(c.result());
            }
        }
        finish(SUCCEEDED, Collections.unmodifiableList(results));
    }

    private void finish(int state, Object outcome) {
        if (claim()) {
            publishClaimed(state, outcome);
        }
    }

    /**
     * Cancels every child; returns {@code true} if any child accepted, in which case the gather ends with
     * {@link CancelledException} once all children are done. Returns {@code false} once done. Any thread.
     */
    @Override
    public boolean cancel(String message) {
        markRetrieved();
        if (isDone()) {
            return false;
        }
        boolean any = false;
        for (BaseAwaitable<? extends T> child : distinct()) {
            any |= child.cancel(message);
        }
        if (any) {
            cancelMessage = message;
            cancelRequested = true;
        }
        return any;
    }

    @Override
    public String toString() {
        return "Gather[" + children.size() + " children, " + state() + " on " + loop.name() + "]";
    }
}
