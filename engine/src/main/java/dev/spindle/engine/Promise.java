package dev.spindle.engine;

import java.util.Objects;

/**
 * A value that is completed once, from any thread, and observed on its loop (asyncio's {@code Future}).
 *
 * <p><b>Threads:</b> every method is safe from any thread, as for any {@link Awaitable}. {@link
 * #complete}, {@link #fail} and {@link #cancel} race safely: exactly one wins, and the callbacks
 * registered with {@link #onDone} then run once each on the owning loop. Unlike
 * a task, a promise is cancelled at once. Creating one allocates the object only; completing one
 * allocates nothing.
 *
 * @param <T> the type of the value
 */
public final class Promise<T> extends BaseAwaitable<T> {

    /**
     * Creates a pending promise owned by {@code loop}. Safe from any thread.
     *
     * @param loop the loop that runs the promise's callbacks and resumes its awaiters
     */
    public Promise(EventLoop loop) {
        super(loop);
    }

    /**
     * Completes with {@code value} unless already done. Safe from any thread.
     *
     * @return {@code true} if this call completed the promise
     * @param value the value, which may be {@code null}
     */
    public boolean complete(T value) {
        if (!claim()) {
            return false;
        }
        publishClaimed(SUCCEEDED, value);
        return true;
    }

    /**
     * Fails with {@code error} unless already done. Safe from any thread.
     *
     * @return {@code true} if this call completed the promise
     * @param error the failure, not {@code null}
     */
    public boolean fail(Throwable error) {
        Objects.requireNonNull(error, "error");
        if (!claim()) {
            return false;
        }
        publishClaimed(FAILED, error);
        return true;
    }

    /**
     * Completes with {@code value}, like asyncio's {@code set_result}.
     *
     * @param value the value, which may be {@code null}
     * @throws InvalidStateException if already done
     */
    public void setResult(T value) {
        if (!complete(value)) {
            throw new InvalidStateException("invalid state: " + this + " is already done");
        }
    }

    /**
     * Fails with {@code error}, like asyncio's {@code set_exception}.
     *
     * @param error the failure, not {@code null}
     * @throws InvalidStateException if already done
     */
    public void setException(Throwable error) {
        if (!fail(error)) {
            throw new InvalidStateException("invalid state: " + this + " is already done");
        }
    }

    /** Cancels at once unless already done; callbacks then run on the loop. Safe from any thread. */
    @Override
    public boolean cancel(String message) {
        markRetrieved();
        if (!claim()) {
            return false;
        }
        cancelMessage = message;
        publishClaimed(CANCELLED, null);
        return true;
    }

    @Override
    public String toString() {
        return "Promise[" + state() + " on " + loop.name() + "]";
    }
}
