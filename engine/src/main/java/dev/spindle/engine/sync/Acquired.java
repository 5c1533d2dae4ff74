package dev.spindle.engine.sync;

/**
 * What {@link Lock#acquire()}, {@link Condition#acquire()} and {@link Semaphore#acquire()} return, so that
 * try-with-resources releases it (asyncio's {@code async with lock:}):
 *
 * <pre>{@code
 * try (var _ = lock.acquire()) {
 *     // the lock is held here, across any await
 * }
 * }</pre>
 *
 * <p>Each primitive hands out one shared instance, so acquiring allocates nothing. Closing it is exactly
 * the primitive's {@code release()}: it does not check that this particular acquisition is still held, so
 * close it once per acquisition, like {@code release()}.
 *
 * <p><b>Threads:</b> {@link #close()} follows the primitive's {@code release()}: on the primitive's loop thread only,
 * else {@link IllegalStateException}.
 */
public interface Acquired extends AutoCloseable {

    /**
     * Releases what was acquired: {@link Lock#release()} or {@link Semaphore#release()}, with the same
     * threads (the primitive's loop only), cost and exceptions.
     */
    @Override
    void close();
}
