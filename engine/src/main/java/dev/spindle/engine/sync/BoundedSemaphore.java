package dev.spindle.engine.sync;

import dev.spindle.engine.EventLoop;

/**
 * A {@link Semaphore} whose value may never exceed its initial value (asyncio's {@code BoundedSemaphore}):
 * a {@link #release()} that would do so throws, which catches a task releasing what it never acquired.
 *
 * <p>asyncio raises {@code ValueError} there; Spindle throws {@link IllegalStateException}, the Java
 * exception for a call that the object's state forbids (as {@code ReentrantLock.unlock} without the lock
 * throws {@code IllegalMonitorStateException}, one of its subclasses).
 *
 * <p><b>Threads:</b> loop-local, with the same threads and costs as {@link Semaphore}; {@link #bound()} is
 * safe from any thread.
 */
public final class BoundedSemaphore extends Semaphore {
    private final int bound;

    /**
     * Creates a semaphore with {@code value} free units, at most {@code value} ever, bound to the calling
     * task's loop, or, when created outside a task, to the first loop that uses it. Any thread.
     *
     * @param value the initial number of free units, which is also the bound
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public BoundedSemaphore(int value) {
        super(LoopBinding.toCaller(), value);
        this.bound = value;
    }

    /**
     * Creates a semaphore with {@code value} free units, at most {@code value} ever, bound to {@code loop}.
     * Any thread.
     *
     * @param loop the loop the semaphore is bound to
     * @param value the initial number of free units, which is also the bound
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public BoundedSemaphore(EventLoop loop, int value) {
        super(LoopBinding.to(loop), value);
        this.bound = value;
    }

    /** {@return the initial value, which the value may never exceed} Any thread. */
    public int bound() {
        return bound;
    }

    /**
     * As {@link Semaphore#release()}, refusing to raise the value above {@link #bound()}.
     *
     * @throws IllegalStateException "BoundedSemaphore released too many times" if the value is already at
     *     the bound (nothing changes), or if called off the semaphore's loop
     */
    @Override
    public void release() {
        binding.enter("BoundedSemaphore.release()");
        if (value >= bound) {
            throw new IllegalStateException("BoundedSemaphore released too many times");
        }
        releaseUnit();
    }
}
