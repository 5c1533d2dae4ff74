package dev.spindle.engine.channel;

import dev.spindle.engine.Async;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.Promise;
import dev.spindle.engine.Task;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.varhandle.MpmcVarHandleArrayQueue;
import org.jctools.queues.varhandle.MpscVarHandleArrayQueue;

/**
 * A bounded, closeable FIFO channel between coroutine tasks on any loops and plain threads.
 *
 * <p>Two variants: {@link #mpsc(int)} for any number of senders and one consumer thread, and {@link
 * #mpmc(int)} for any number of both. Items are stored in a JCTools array queue; no operation takes a lock.
 *
 * <h2>Operations</h2>
 *
 * <table>
 *   <caption>Who calls what</caption>
 *   <tr><th></th><th>coroutine task</th><th>plain thread</th><th>anywhere, never waits</th></tr>
 *   <tr><td>send</td><td>{@link #send}: suspends while full</td>
 *       <td>{@link #sendBlocking}: blocks while full (optional time-out)</td><td>{@link #trySend}</td></tr>
 *   <tr><td>receive</td><td>{@link #receive}: suspends while empty</td>
 *       <td>{@link #receiveBlocking}: blocks while empty (optional time-out)</td><td>{@link #tryReceive}</td></tr>
 * </table>
 *
 * <p><b>Threads:</b> every method is safe from any thread and any loop, except that an MPSC channel has
 * one consumer thread (see below). A suspended coroutine is resumed on its own loop
 * by whichever thread frees a slot or sends an item (through the promise it awaits). {@link #send} and
 * {@link #receive} need a coroutine only when they must wait, as {@link Async#await} does; the blocking
 * variants refuse to block inside a task, where they would stall the loop.
 *
 * <h2>Guarantees</h2>
 *
 * <ul>
 *   <li><b>Capacity</b> is exact: at most {@link #capacity()} items are queued or being sent.
 *   <li><b>FIFO per producer:</b> the items of one sender (a task or thread that sends one item at a
 *       time) are received in the order it sent them; each receiver sees any one sender's items in that
 *       order. Items of different senders interleave.
 *   <li><b>No loss, no duplication:</b> an item whose send returned normally is received exactly once, or
 *       is still in the channel. A send that threw (closed, cancelled, timed out, interrupted) did not
 *       enqueue its item and never will.
 *   <li><b>Cancellation</b> (asyncio's Queue rule, DESIGN.md difference 5): a waiter holds no reservation.
 *       A wake-up is a hint to retry, the woken waiter retries itself, and a newcomer may take the item
 *       or slot first. A receiver cancelled after being woken leaves the item in the channel and passes
 *       its wake-up to the next waiting receiver; a sender cancelled after being woken passes the free slot
 *       on. Cancelling a task waiting in {@link #send} or {@link #receive} ends it with {@link
 *       dev.spindle.engine.CancelledException CancelledException} at once. Wrap a call in {@link
 *       Async#timeout} for a time limit. A cancel that arrives after {@code receive} or {@code send} has
 *       returned, while the task is still running, follows the task rule: the call's effect stands (the
 *       item was taken, or enqueued) but the task ends CANCELLED if it returns without awaiting again. So
 *       record a received item in the task's body, not only in the task's result.
 *   <li><b>Closing:</b> after {@link #close()}, sends fail with {@link ChannelClosedException}; receivers
 *       first drain what was sent before, then fail with it. Closing wakes every waiter.
 *   <li><b>Fairness:</b> waiters are woken in the order they began to wait. There is no hand-off: a
 *       sender or receiver that finds room or an item takes it even while others wait, and a woken waiter
 *       that finds it gone waits again, at the back (as in asyncio).
 * </ul>
 *
 * <h2>Single consumer</h2>
 *
 * The MPSC variant lets one thread at a time poll its queue. The first thread that calls a receiving
 * method ({@link #receive}, {@link #tryReceive}, {@link #receiveBlocking}) becomes the consumer for good;
 * a coroutine's thread is its loop, so any number of tasks of that one loop may receive. A receiving call
 * from any other thread throws {@link IllegalStateException}: use {@link #mpmc} for consumers on several
 * loops or threads.
 *
 * <h2>Cost</h2>
 *
 * An operation that does not wait allocates nothing: one CAS or atomic add on the channel's state word,
 * the JCTools queue operation, and a read of the other side's waiter queue (no write when nobody waits).
 * Waiting allocates a promise (or a small thread record) and a queue node. The protocol is described in
 * the package documentation.
 *
 * @param <T> the type of the items; {@code null} is not an item
 */
public final class Channel<T> {

    /** The largest capacity: the largest array queue JCTools makes. */
    public static final int MAX_CAPACITY = 1 << 30;

    // The state word: the CLOSED bit and the count of slots taken (items queued or being enqueued).
    private static final int CLOSED = Integer.MIN_VALUE;
    private static final int COUNT_MASK = Integer.MAX_VALUE;

    // The outcomes of reserve().
    private static final int RESERVED = 0;
    private static final int FULL = 1;
    private static final int SHUT = 2;

    /** Durations at least this long mean "no time-out" (about 146 years: deadlines cannot overflow). */
    private static final long FOREVER_NANOS = Long.MAX_VALUE / 2;

    private static final VarHandle STATE;
    private static final VarHandle CONSUMER;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(Channel.class, "state", int.class);
            CONSUMER = lookup.findVarHandle(Channel.class, "consumer", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The items; its capacity is the next power of two, so it never refuses a reserved slot. */
    private final MessagePassingQueue<T> items;

    private final int capacity;
    private final boolean singleConsumer;
    /** Receivers waiting for an item (or for the close). */
    private final WaiterQueue receivers;
    /** Senders waiting for a free slot (or for the close). */
    private final WaiterQueue senders;

    // Not padded: every operation of either side updates this word, so it moves between cores with each
    // operation anyway, and the final fields above travel with it for free; padding would add a second
    // line per operation without saving a transfer.
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;

    /** MPSC only: the consumer thread, bound once by CAS from null. */
    @SuppressWarnings("unused") // accessed through CONSUMER
    private volatile Thread consumer;

    private Channel(int capacity, boolean singleConsumer) {
        this(capacity, singleConsumer, newQueue(capacity, singleConsumer), new WaiterQueue(), new WaiterQueue());
    }

    /**
     * With the given queues: tests pass queues that act at a chosen point of an operation. {@code items}
     * must hold at least {@code capacity} items and allow one consumer thread, or several unless {@code
     * singleConsumer}.
     */
    Channel(
            int capacity,
            boolean singleConsumer,
            MessagePassingQueue<T> items,
            WaiterQueue receivers,
            WaiterQueue senders) {
        checkCapacity(capacity);
        if (items.capacity() < capacity) {
            throw new IllegalArgumentException("items: holds " + items.capacity() + " < capacity " + capacity);
        }
        this.capacity = capacity;
        this.singleConsumer = singleConsumer;
        this.items = items;
        this.receivers = receivers;
        this.senders = senders;
    }

    /** An array queue of the next power of two at least {@code capacity} (and 2, JCTools' smallest MPMC). */
    static <T> MessagePassingQueue<T> newQueue(int capacity, boolean singleConsumer) {
        checkCapacity(capacity);
        int slots = Math.max(2, capacity);
        return singleConsumer ? new MpscVarHandleArrayQueue<>(slots) : new MpmcVarHandleArrayQueue<>(slots);
    }

    private static void checkCapacity(int capacity) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity: " + capacity + " is not in [1, " + MAX_CAPACITY + "]");
        }
    }

    /**
     * A channel for any number of senders and one consumer thread (see the class documentation). Any
     * thread. Allocates an array of the next power of two at least {@code capacity}.
     *
     * @param capacity the most items the channel holds, 1 to {@link #MAX_CAPACITY}
     * @param <T> the type of the items
     * @return a new open, empty channel
     * @throws IllegalArgumentException if {@code capacity} is out of range
     */
    public static <T> Channel<T> mpsc(int capacity) {
        return new Channel<>(capacity, true);
    }

    /**
     * A channel for any number of senders and receivers, on any loops and threads. Any thread. Allocates
     * an array of the next power of two at least {@code capacity}.
     *
     * @param capacity the most items the channel holds, 1 to {@link #MAX_CAPACITY}
     * @param <T> the type of the items
     * @return a new open, empty channel
     * @throws IllegalArgumentException if {@code capacity} is out of range
     */
    public static <T> Channel<T> mpmc(int capacity) {
        return new Channel<>(capacity, false);
    }

    // ---------------------------------------------------------------------------------------------
    // Sending
    // ---------------------------------------------------------------------------------------------

    /**
     * Sends {@code item}, suspending the calling coroutine while the channel is full. Returns once the item
     * is in the channel. Any loop; if there is room it returns at once from any thread, without a
     * suspension point (a pending cancel request is not delivered then). Allocates nothing unless it waits.
     *
     * @param item the item to send, not {@code null}
     * @throws ChannelClosedException if the channel is closed, now or while waiting; the item is not sent
     * @throws dev.spindle.engine.CancelledException if the task is cancelled while waiting; the item is not
     *     sent, and never will be
     * @throws IllegalStateException if it must wait outside a coroutine task (use {@link #trySend} or
     *     {@link #sendBlocking} there)
     * @throws NullPointerException if {@code item} is null
     */
    public void send(T item) {
        Objects.requireNonNull(item, "item");
        Promise<Void> waiter = null;
        for (; ; ) {
            int outcome = reserve();
            if (outcome == RESERVED) {
                publish(item);
                if (waiter != null) {
                    leaveSenders(waiter); // its re-check found room
                }
                return;
            }
            if (outcome == SHUT) {
                if (waiter != null) {
                    leaveSenders(waiter);
                }
                throw closedForSend();
            }
            if (waiter == null) {
                waiter = new Promise<>(coroutineLoop("send()", "trySend or sendBlocking"));
                senders.add(waiter);
                continue; // registered BEFORE the re-check: see the package documentation
            }
            try {
                Async.await(waiter);
            } catch (Throwable cancelledOrPinned) {
                leaveSenders(waiter);
                throw cancelledOrPinned;
            }
            waiter = null; // woken: a slot was freed; retry (another sender may have taken it first)
        }
    }

    /**
     * Sends {@code item} if there is room now; never waits. Any thread or loop. Allocates nothing.
     *
     * @return {@code true} if the item is in the channel, {@code false} if the channel is full
     * @param item the item to send, not {@code null}
     * @throws ChannelClosedException if the channel is closed
     * @throws NullPointerException if {@code item} is null
     */
    public boolean trySend(T item) {
        Objects.requireNonNull(item, "item");
        int outcome = reserve();
        if (outcome == RESERVED) {
            publish(item);
            return true;
        }
        if (outcome == SHUT) {
            throw closedForSend();
        }
        return false;
    }

    /**
     * Sends {@code item}, blocking the calling thread while the channel is full. For plain threads: inside
     * a task it would stall the loop, so it throws there unless there is room. Allocates nothing unless it
     * blocks.
     *
     * @param item the item to send, not {@code null}
     * @throws ChannelClosedException if the channel is closed, now or while blocked
     * @throws InterruptedException if the thread is interrupted while blocked; the item is not sent
     * @throws IllegalStateException if it must block inside a task
     * @throws NullPointerException if {@code item} is null
     */
    public void sendBlocking(T item) throws InterruptedException {
        sendUntil(item, false, 0L);
    }

    /**
     * As {@link #sendBlocking(Object)}, waiting at most {@code timeout}; a zero or negative timeout makes it
     * {@link #trySend}.
     *
     * @return {@code true} if the item was sent, {@code false} if the time ran out (it was not sent)
     * @param item the item to send, not {@code null}
     * @param timeout the longest wait
     * @throws InterruptedException if the thread is interrupted while blocked; the item is not sent
     */
    public boolean sendBlocking(T item, Duration timeout) throws InterruptedException {
        long nanos = nanos(timeout);
        return nanos >= FOREVER_NANOS ? sendUntil(item, false, 0L) : sendUntil(item, true, System.nanoTime() + nanos);
    }

    private boolean sendUntil(T item, boolean timed, long deadline) throws InterruptedException {
        Objects.requireNonNull(item, "item");
        ThreadWaiter waiter = null;
        for (; ; ) {
            int outcome = reserve();
            if (outcome == RESERVED) {
                publish(item);
                if (waiter != null) {
                    leaveSenders(waiter);
                }
                return true;
            }
            if (outcome == SHUT) {
                if (waiter != null) {
                    leaveSenders(waiter);
                }
                throw closedForSend();
            }
            if (waiter == null) {
                if (timed && deadline - System.nanoTime() <= 0) {
                    return false;
                }
                refuseBlockingInTask("sendBlocking()", "send() in a coroutine, or trySend()");
                waiter = new ThreadWaiter();
                senders.add(waiter);
                continue; // registered BEFORE the re-check
            }
            int woke = waiter.await(timed, deadline);
            if (woke != ThreadWaiter.AWOKE) {
                leaveSenders(waiter);
                if (woke == ThreadWaiter.INTERRUPTED) {
                    throw new InterruptedException("interrupted while waiting to send on " + this);
                }
                return false;
            }
            waiter = null;
        }
    }

    /** Takes one slot unless the channel is closed or full: {@link #RESERVED}, {@link #FULL} or {@link #SHUT}. */
    private int reserve() {
        for (; ; ) {
            int s = lvState();
            if (s < 0) {
                return SHUT;
            }
            if (s >= capacity) {
                return FULL;
            }
            // The CAS fails if close() set CLOSED meanwhile: a slot is only ever taken while open, so once
            // close() has set the bit, the count can only fall.
            if (casState(s, s + 1)) {
                return RESERVED;
            }
        }
    }

    /** Enqueues into a slot taken by {@link #reserve()}, then wakes a waiting receiver. */
    private void publish(T item) {
        if (!items.offer(item)) {
            // The queue holds at least `capacity` items and the count of taken slots, which includes every
            // item in it, is at most `capacity`: a refusal means that invariant is broken.
            throw new IllegalStateException("the item queue refused a reserved slot: " + this);
        }
        // The offer's CAS on the producer index comes BEFORE this read of the receivers' queue (both
        // sequentially consistent): a receiver that registered before it is found here; one that registers
        // after it finds the item when it re-polls.
        receivers.wakeOne();
    }

    /**
     * A registered sender leaves the queue without waiting for (more) wake-ups: it sent on its re-check,
     * the channel closed, or it gave up (cancelled, timed out, interrupted, a pinned suspension). If a
     * wake-up landed on it, that wake-up announced a freed slot it may not have used (its re-check may have
     * taken an earlier one), so it is handed to the next sender while there is room. If there is none, a
     * newcomer took the slot, and whoever frees the next one wakes a sender anew.
     */
    private void leaveSenders(Object waiter) {
        if (!senders.withdraw(waiter)) {
            int s = lvState();
            if (s >= 0 && s < capacity) {
                senders.wakeOne();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Receiving
    // ---------------------------------------------------------------------------------------------

    /**
     * Receives the oldest item, suspending the calling coroutine while the channel is empty. Any loop (of
     * the consumer thread, for an MPSC channel); if an item is there it returns at once from any thread,
     * without a suspension point. Allocates nothing unless it waits.
     *
     * @return the oldest item
     * @throws ChannelClosedException once the channel is closed and every item has been received
     * @throws dev.spindle.engine.CancelledException if the task is cancelled while waiting; no item is
     *     taken, and a wake-up meant for it goes to the next receiver
     * @throws IllegalStateException if it must wait outside a coroutine task (use {@link #tryReceive} or
     *     {@link #receiveBlocking} there), or if another thread is this MPSC channel's consumer
     */
    public T receive() {
        checkConsumer();
        Promise<Void> waiter = null;
        for (; ; ) {
            T item = items.poll();
            if (item != null) {
                if (waiter != null) {
                    leaveReceivers(waiter); // its re-poll found an item
                }
                release();
                return item;
            }
            if (lvState() == CLOSED) {
                if (waiter != null) {
                    leaveReceivers(waiter);
                }
                throw drained();
            }
            if (waiter == null) {
                waiter = new Promise<>(coroutineLoop("receive()", "tryReceive or receiveBlocking"));
                receivers.add(waiter);
                continue; // registered BEFORE the re-poll: see the package documentation
            }
            try {
                Async.await(waiter);
            } catch (Throwable cancelledOrPinned) {
                leaveReceivers(waiter);
                throw cancelledOrPinned;
            }
            waiter = null; // woken: an item arrived; retry (another receiver may have taken it first)
        }
    }

    /**
     * Receives the oldest item if there is one now; never waits. Any thread or loop (the consumer thread,
     * for an MPSC channel). Allocates nothing.
     *
     * @return the item, or {@code null} if the channel is empty (use {@link #isDrained()} to tell whether
     *     it ever will have another)
     * @throws IllegalStateException if another thread is this MPSC channel's consumer
     */
    public T tryReceive() {
        checkConsumer();
        T item = items.poll();
        if (item != null) {
            release();
        }
        return item;
    }

    /**
     * Receives the oldest item, blocking the calling thread while the channel is empty. For plain threads:
     * inside a task it would stall the loop, so it throws there unless an item is ready. Allocates nothing
     * unless it blocks.
     *
     * @return the oldest item
     * @throws ChannelClosedException once the channel is closed and every item has been received
     * @throws InterruptedException if the thread is interrupted while blocked; no item is taken
     * @throws IllegalStateException if it must block inside a task, or if another thread is this MPSC
     *     channel's consumer
     */
    public T receiveBlocking() throws InterruptedException {
        return receiveUntil(false, 0L);
    }

    /**
     * As {@link #receiveBlocking()}, waiting at most {@code timeout}; a zero or negative timeout makes it
     * {@link #tryReceive}.
     *
     * @return the item, or {@code null} if the time ran out
     * @param timeout the longest wait
     * @throws InterruptedException if the thread is interrupted while blocked; no item is taken
     */
    public T receiveBlocking(Duration timeout) throws InterruptedException {
        long nanos = nanos(timeout);
        return nanos >= FOREVER_NANOS ? receiveUntil(false, 0L) : receiveUntil(true, System.nanoTime() + nanos);
    }

    private T receiveUntil(boolean timed, long deadline) throws InterruptedException {
        checkConsumer();
        ThreadWaiter waiter = null;
        for (; ; ) {
            T item = items.poll();
            if (item != null) {
                if (waiter != null) {
                    leaveReceivers(waiter);
                }
                release();
                return item;
            }
            if (lvState() == CLOSED) {
                if (waiter != null) {
                    leaveReceivers(waiter);
                }
                throw drained();
            }
            if (waiter == null) {
                if (timed && deadline - System.nanoTime() <= 0) {
                    return null;
                }
                refuseBlockingInTask("receiveBlocking()", "receive() in a coroutine, or tryReceive()");
                waiter = new ThreadWaiter();
                receivers.add(waiter);
                continue; // registered BEFORE the re-poll
            }
            int woke = waiter.await(timed, deadline);
            if (woke != ThreadWaiter.AWOKE) {
                leaveReceivers(waiter);
                if (woke == ThreadWaiter.INTERRUPTED) {
                    throw new InterruptedException("interrupted while waiting to receive from " + this);
                }
                return null;
            }
            waiter = null;
        }
    }

    /** After a successful poll: frees the item's slot, then wakes a sender, or everyone once drained. */
    private void release() {
        int s = (int) STATE.getAndAdd(this, -1) - 1;
        // The atomic add (sequentially consistent) comes BEFORE these reads of the waiter queues: a sender
        // that registered before it is found here; one that registers after it sees the free slot (or the
        // drained state) when it re-checks.
        if (s == CLOSED) {
            receivers.wakeAll(); // closed, and that was the last item: every receiver must now hear it
        } else if (s >= 0) {
            senders.wakeOne(); // open: a slot is free (closed: close() already woke every sender)
        }
    }

    /**
     * A registered receiver leaves the queue without waiting for (more) wake-ups: its re-poll found an
     * item, the channel is drained, or it gave up (cancelled, timed out, interrupted, a pinned suspension).
     * If a wake-up landed on it, that wake-up announced an item it may not have taken (its re-poll may have
     * taken an earlier one), so it is handed to the next receiver while an item is left. If none is, a
     * newcomer took it, and the next send wakes a receiver anew.
     */
    private void leaveReceivers(Object waiter) {
        if (!receivers.withdraw(waiter) && !items.isEmpty()) {
            receivers.wakeOne();
        }
    }

    private void checkConsumer() {
        if (!singleConsumer) {
            return;
        }
        Thread me = Thread.currentThread();
        // A plain load suffices: the consumer reads its own CAS; any other thread either sees null and
        // loses the CAS below, or sees another thread. Either way it is refused.
        Thread bound = (Thread) CONSUMER.get(this);
        if (bound == me || (bound == null && CONSUMER.compareAndSet(this, null, me))) {
            return;
        }
        bound = (Thread) CONSUMER.getVolatile(this);
        throw new IllegalStateException("Channel.mpsc has a single consumer, " + bound.getName()
                + ", so " + me.getName() + " may not receive from it; receive on one thread (the tasks of one"
                + " loop count as one) or use Channel.mpmc");
    }

    // ---------------------------------------------------------------------------------------------
    // Closing and inspection
    // ---------------------------------------------------------------------------------------------

    /**
     * Closes the channel: every later or waiting send fails with {@link ChannelClosedException};
     * receivers drain the items sent before, then fail with it. Wakes every waiting sender and receiver.
     * Idempotent; any thread or loop. O(waiters).
     *
     * @return {@code true} if this call closed the channel, {@code false} if it was already closed
     */
    public boolean close() {
        int s = (int) STATE.getAndBitwiseOr(this, CLOSED);
        if (s < 0) {
            return false;
        }
        // The atomic or (sequentially consistent) comes BEFORE these reads: a waiter that registered before
        // it is woken here; one that registers after it sees CLOSED when it re-checks.
        senders.wakeAll();
        receivers.wakeAll();
        return true;
    }

    /** {@return whether {@link #close()} has been called: sends fail} Any thread; one volatile load. */
    public boolean isClosed() {
        return lvState() < 0;
    }

    /**
     * {@return whether the channel is closed and every item has been received: receives fail} Any thread; one volatile
     * load.
     */
    public boolean isDrained() {
        return lvState() == CLOSED;
    }

    /**
     * {@return the number of items in the channel, counting sends that have taken a slot and are enqueueing; a
     * snapshot, stale as soon as it is read} Any thread; one volatile load.
     */
    public int size() {
        return lvState() & COUNT_MASK;
    }

    /** {@return whether {@link #size()} is 0} Any thread; one volatile load. */
    public boolean isEmpty() {
        return size() == 0;
    }

    /** {@return the most items the channel holds, exactly as given when it was created} */
    public int capacity() {
        return capacity;
    }

    /** {@return whether this is an MPSC channel (one consumer thread)} */
    public boolean isSingleConsumer() {
        return singleConsumer;
    }

    /** Receivers waiting now; for tests and diagnostics. O(waiters). */
    int waitingReceivers() {
        return receivers.waiting();
    }

    /** Senders waiting now; for tests and diagnostics. O(waiters). */
    int waitingSenders() {
        return senders.waiting();
    }

    @Override
    public String toString() {
        int s = lvState();
        return "Channel[" + (singleConsumer ? "mpsc " : "mpmc ") + (s & COUNT_MASK) + "/" + capacity
                + (s == CLOSED ? " drained" : s < 0 ? " closed" : "") + "]";
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------

    private int lvState() {
        return (int) STATE.getVolatile(this);
    }

    private boolean casState(int expected, int next) {
        return STATE.compareAndSet(this, expected, next);
    }

    private ChannelClosedException closedForSend() {
        return new ChannelClosedException("cannot send: " + this + " is closed");
    }

    private ChannelClosedException drained() {
        return new ChannelClosedException("cannot receive: " + this + " is closed and every item was received");
    }

    /** The loop of the calling coroutine task, which is about to suspend. */
    private static EventLoop coroutineLoop(String operation, String alternatives) {
        Task<?> task = Task.current();
        if (task == null || !task.isCoroutine()) {
            throw new IllegalStateException(operation + " must wait, but is not inside a coroutine task (on "
                    + Thread.currentThread().getName() + "); use " + alternatives + " there");
        }
        return task.loop();
    }

    private static void refuseBlockingInTask(String operation, String alternatives) {
        EventLoop loop = EventLoop.current();
        if (loop != null) {
            Task<?> task = Task.current();
            throw new IllegalStateException(operation + " would block the loop thread "
                    + Thread.currentThread().getName() + (task != null ? " inside " + task : "") + "; use "
                    + alternatives);
        }
    }

    private static long nanos(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            return 0L;
        }
        try {
            return timeout.toNanos();
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }
}
