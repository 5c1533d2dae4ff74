/**
 * asyncio's synchronisation primitives for the coroutine tasks of one event loop: {@link
 * dev.spindle.engine.sync.Lock}, {@link dev.spindle.engine.sync.Event}, {@link
 * dev.spindle.engine.sync.Condition}, {@link dev.spindle.engine.sync.Semaphore}, {@link
 * dev.spindle.engine.sync.BoundedSemaphore} and {@link dev.spindle.engine.sync.Queue} (rules A10 and A11
 * of the conformance contract).
 *
 * <h2>Loop-local</h2>
 *
 * Each primitive belongs to one {@link dev.spindle.engine.EventLoop}: the one given to its constructor,
 * else the loop that creates it, else the first loop that uses it. Every call must
 * then come from that loop's thread, from a task or a plain callback; any other thread, including another
 * loop's, gets an {@link java.lang.IllegalStateException} naming the primitive's loop and the calling
 * thread. Since everything happens on one thread, the state is plain fields and {@link
 * java.util.ArrayDeque}s: no atomics, no locks, no volatile reads beyond the binding check (see {@code
 * LoopBinding}). To coordinate tasks on different loops, use a cross-loop channel instead.
 *
 * <h2>Waiting</h2>
 *
 * A task that must wait appends a fresh {@link dev.spindle.engine.Promise} to the primitive's FIFO of
 * waiters and suspends on it with {@link dev.spindle.engine.Async#await}; waking it is completing that
 * promise, so the woken task resumes in a later loop step, never inline. A call that need not wait returns
 * without a step boundary and allocates nothing, as asyncio's do. Waiting needs a coroutine task; a
 * run-to-completion task or a plain callback may use every non-waiting operation.
 *
 * <h2>Cancellation</h2>
 *
 * Cancelling a waiting task cancels its promise, so the primitive sees it as done and skips it. The delicate
 * case is a task cancelled <em>after</em> it was woken but before it resumed: it then gets {@link
 * dev.spindle.engine.CancelledException} without having used its wake-up, so it passes the wake-up on.
 * Each primitive does so as asyncio does: the lock wakes its next waiter, the semaphore returns the unit
 * it was handed, the condition signals another waiter (after re-taking its lock, which {@code await}
 * always does), and the queue leaves the item or slot in place and wakes the next getter or putter. So no
 * wake-up, unit or item is ever lost or handed out twice.
 *
 * <h2>Differences from asyncio</h2>
 *
 * <ul>
 *   <li>Names that would clash with {@link java.lang.Object}'s final methods change: {@code wait} is
 *       {@code await}, {@code notify}/{@code notify_all} are {@code signal}/{@code signalAll}.
 *   <li>{@code acquire()} returns an {@link dev.spindle.engine.sync.Acquired} for try-with-resources
 *       ({@code async with}); {@code tryAcquire()} is added.
 *   <li>{@code RuntimeError} and the {@code ValueError}s of misuse ({@code release} of an unlocked lock,
 *       {@code BoundedSemaphore} released too often, {@code task_done} called too often) are {@link
 *       java.lang.IllegalStateException}; a negative initial semaphore value is {@link
 *       java.lang.IllegalArgumentException}.
 *   <li>{@code Queue} adds {@code offer}/{@code poll} (answers instead of exceptions), rejects {@code null}
 *       items, and an immediate {@code shutdown} returns the items it discards.
 * </ul>
 */
package dev.spindle.engine.sync;
