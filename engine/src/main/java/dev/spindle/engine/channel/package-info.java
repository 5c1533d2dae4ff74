/**
 * {@link dev.spindle.engine.channel.Channel}: bounded, closeable channels across loops and threads.
 *
 * <h2>Parts</h2>
 *
 * <ul>
 *   <li>{@code Channel}: the public API and the protocol below. It owns a JCTools array queue of items
 *       ({@code MpscVarHandleArrayQueue} or {@code MpmcVarHandleArrayQueue}), one {@code int} state word,
 *       and two {@code WaiterQueue}s: receivers waiting for an item, senders waiting for a slot.
 *   <li>{@code WaiterQueue}: a lock-free FIFO ({@code ConcurrentLinkedQueue}) of waiters, with wake-one,
 *       wake-all, and amortized unlinking of waiters that gave up.
 *   <li>A waiter is a {@code Promise<Void>} that a coroutine awaits (completed from any thread, it resumes
 *       the coroutine on its own loop), or a {@code ThreadWaiter} that a plain thread parks on. Either one
 *       settles "woken" against "gave up" with one CAS.
 *   <li>{@code ChannelClosedException}: the one failure a closed channel reports.
 * </ul>
 *
 * <h2>The state word</h2>
 *
 * <pre>
 *   bit  31     CLOSED: set once by close(), never cleared
 *   bits 0-30   count: slots taken = items in the queue + sends that have taken a slot and are enqueueing
 * </pre>
 *
 * A send takes a slot by CAS ({@code count < capacity}, CLOSED clear), then offers its item, which the
 * array queue (sized to the next power of two) cannot refuse. A receive polls an item, then frees its slot
 * with an atomic add of -1. Hence {@code count} ≥ the items in the queue at every moment, capacity is
 * exact, and {@code state == CLOSED} (closed, count 0) means: closed, empty, and no send in flight. That
 * is the only state in which a receive reports the close, so a send that raced with {@code close()} and
 * won is always drained: its slot was counted before the bit was set, and the count cannot reach 0 before
 * its item has been polled.
 *
 * <h2>No lost wake-up</h2>
 *
 * Each side publishes, THEN looks at the other side, with sequentially consistent accesses (CAS, atomic
 * add, volatile load), as in Dekker's algorithm and the engine's {@code LoopWakeup}:
 *
 * <pre>
 *   receiver                                   sender
 *   poll() == null                             take a slot (CAS on state)
 *   add a waiter          (CAS, waiter queue)  offer(item)          (CAS, producer index)
 *   poll() again          (reads prod. index)  wake one receiver    (reads waiter queue)
 *   suspend if still empty
 * </pre>
 *
 * At least one side sees the other: either the sender finds the waiter and wakes it, or the receiver's
 * second poll sees the producer index moved (JCTools' {@code poll} then spins until the element is
 * visible) and does not suspend. Senders waiting for room mirror this: add a waiter, then try to take a
 * slot again; a receiver frees a slot (atomic add), then wakes one waiting sender. {@code close()} sets
 * CLOSED (atomic or) before waking every waiter, and every waiter re-checks the state after joining its
 * queue; the receive that takes the last item of a closed channel (the atomic add that leaves exactly
 * CLOSED) wakes every receiver the same way.
 *
 * <h2>No lost or duplicated item under cancellation</h2>
 *
 * Asyncio's Queue rule (scenarios 51 and 52): nothing is reserved for a waiter. A wake-up says "try
 * again"; the woken waiter retries itself, and a newcomer may get there first (the waiter then waits
 * again). So an item only ever moves from a sender's hands into the queue inside that sender's own call,
 * and out of it inside a receiver's own call: a cancelled sender never enqueues later, and a cancelled
 * receiver never takes anything. What remains is to never lose the wake-up itself:
 *
 * <ul>
 *   <li>a waiter that gave up before the wake-up reached it refuses it (its promise is already cancelled,
 *       or its {@code ThreadWaiter} withdrawn), and the waker wakes the next waiter instead;
 *   <li>a woken waiter that retries uses the wake-up: it takes an item (a slot), or, finding none because a
 *       newcomer was faster, registers again at the back;
 *   <li>a waiter that leaves the queue with a wake-up on it but does not retry because of it hands the
 *       wake-up on, to the next waiter of its side, if an item is still there (for receivers) or a slot
 *       still free (for senders). It leaves because it was cancelled after the wake-up (the task's cancel
 *       arrived after the promise completed), timed out or was interrupted, or because its re-check after
 *       registering had already succeeded: the item it took there may be an older one, sent while nobody
 *       waited, and the wake-up then announces a newer one. If nothing is left, someone took it without
 *       waiting, and the next send or receive wakes someone anew.
 * </ul>
 *
 * Why that suffices, for receivers (senders are symmetric, with "full" for "empty"): suppose a receiver
 * {@code W} waits forever while the queue is non-empty from some last moment {@code e} on. Each item
 * offered after {@code e} makes its sender complete a waiter queued ahead of {@code W} ({@code W} itself
 * never is). That waiter, woken after {@code e}, either retries and takes an item (there is one after
 * {@code e}), or leaves and hands the wake-up on (there is one left after {@code e}), and so on. Each offer
 * after {@code e} thus ends in a distinct take after {@code e}, so the queue, empty at {@code e}, is empty
 * again: a contradiction.
 *
 * <h2>Memory-access names</h2>
 *
 * As in JCTools: {@code lv}/{@code sv} volatile load/store, {@code lp}/{@code sp} plain, {@code so}
 * ordered (release) store, {@code cas} compare-and-set. The item queue publishes each element with a
 * release store after claiming its index by CAS; receivers read it with a volatile load, so an item's
 * fields are visible to whoever receives it.
 */
package dev.spindle.engine.channel;
