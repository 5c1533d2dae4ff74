package dev.spindle.engine.sync;

import dev.spindle.engine.Async;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * A FIFO queue between the tasks of one loop (asyncio's {@code Queue}), optionally bounded, with task
 * accounting ({@link #taskDone()}, {@link #join()}) and {@link #shutdown(boolean) shutdown}.
 *
 * <h2>Operations</h2>
 *
 * <table>
 *   <caption>How each outcome is reported</caption>
 *   <tr><th scope="col">asyncio</th><th scope="col">Spindle</th><th scope="col">full / empty</th>
 *       <th scope="col">shut down</th></tr>
 *   <tr><td>{@code await put(x)}</td><td>{@link #put}</td><td>suspends</td><td>throws</td></tr>
 *   <tr><td>{@code put_nowait(x)}</td><td>{@link #putNowait}</td><td>{@link QueueFullException}</td>
 *       <td>throws</td></tr>
 *   <tr><td></td><td>{@link #offer}</td><td>{@code false}</td><td>throws</td></tr>
 *   <tr><td>{@code await get()}</td><td>{@link #get}</td><td>suspends</td><td>throws once empty</td></tr>
 *   <tr><td>{@code get_nowait()}</td><td>{@link #getNowait}</td><td>{@link QueueEmptyException}</td>
 *       <td>throws once empty</td></tr>
 *   <tr><td></td><td>{@link #poll}</td><td>{@code null}</td><td>throws once empty</td></tr>
 * </table>
 *
 * "Throws" is {@link QueueShutDownException}. {@code offer} and {@code poll} follow {@link
 * java.util.Queue}: a transient condition is an answer, not an exception; shutdown is permanent, so it is
 * always an exception. Items may not be {@code null}, since {@code poll} uses it for "empty".
 *
 * <h2>Cancellation-safe hand-off</h2>
 *
 * A woken getter or putter is not handed an item or a slot: it loops, re-checks and takes the item or slot
 * itself when it resumes. If it is cancelled after being woken, the item stays in the queue (the slot stays
 * free) and the wake-up passes to the next waiter, so no item is lost or delivered twice, and a cancelled
 * {@code put} never enqueues its item. Another task may take the item or slot between the wake-up and the
 * resumption; the woken task then waits again, at the back.
 *
 * <h2>Accounting and shutdown</h2>
 *
 * Every successful put counts one unfinished task; {@link #taskDone()} counts one down, and {@link #join()}
 * waits until none is left. {@link #shutdown(boolean)} makes later puts throw and wakes every waiter;
 * gets go on until the queue is empty, or throw at once after an immediate shutdown, which also discards
 * the items (counting each one done) and returns them to the caller, who can release what they hold.
 *
 * <h2>Threads and cost</h2>
 *
 * <b>Threads:</b> loop-local: bound to the loop given at construction, else to the loop of the task that
 * creates it, else to the first loop that uses it; every method must then be called on that loop's thread
 * (a call from elsewhere throws {@link IllegalStateException} naming both). Until it is bound, the
 * queries ({@link #size()}, {@link #isEmpty()}, {@link #isFull()}, {@link #unfinishedTasks()}, {@link
 * #isShutDown()}) may be read on any thread, while every other method must come from a loop thread.
 * {@link #maxSize()} and the constructors are safe from any thread. No atomics or locks. Items live in
 * an {@link ArrayDeque}; a put or get that does not wait allocates nothing (beyond the deque's growth), one
 * that waits allocates one {@link Promise} per wait and must run in a coroutine task.
 *
 * @param <T> the type of the items
 */
public final class Queue<T> {
    private final LoopBinding binding;
    /** The capacity, or 0 or less for none. */
    private final int maxSize;

    private final ArrayDeque<T> items;
    /** Waiting getters and putters in FIFO order; a waiter is popped when woken, or leaves when cancelled. */
    private final ArrayDeque<Promise<Void>> getters = new ArrayDeque<>();

    private final ArrayDeque<Promise<Void>> putters = new ArrayDeque<>();
    /** Set while no task is unfinished; {@link #join()} waits for it. */
    private final Event finished;

    private long unfinished;
    private boolean shutDown;

    /**
     * Creates an unbounded queue, bound to the calling task's loop, or, when created outside a task, to the
     * first loop that uses it. Any thread.
     */
    public Queue() {
        this(0);
    }

    /**
     * Creates a queue of at most {@code maxSize} items ({@code <= 0}: unbounded), bound to the calling
     * task's loop, or, when created outside a task, to the first loop that uses it. Any thread.
     *
     * @param maxSize the most items the queue holds; 0 or less for no limit
     */
    public Queue(int maxSize) {
        this(LoopBinding.toCaller(), maxSize);
    }

    /**
     * Creates a queue of at most {@code maxSize} items ({@code <= 0}: unbounded) bound to {@code loop}.
     *
     * @param loop the loop the queue is bound to
     * @param maxSize the most items the queue holds; 0 or less for no limit
     */
    public Queue(EventLoop loop, int maxSize) {
        this(LoopBinding.to(loop), maxSize);
    }

    private Queue(LoopBinding binding, int maxSize) {
        this.binding = binding;
        this.maxSize = maxSize;
        this.items = new ArrayDeque<>(maxSize > 0 ? Math.min(maxSize, 1024) : 16);
        this.finished = new Event(binding, true);
    }

    // ---------------------------------------------------------------------------------------------
    // Putting
    // ---------------------------------------------------------------------------------------------

    /**
     * Adds {@code item} at the tail, suspending the calling coroutine while the queue is full (asyncio's
     * {@code put}). Returns at once, without a step boundary, when there is room. If the task is cancelled
     * while waiting, {@link dev.spindle.engine.CancelledException} is thrown and the item is not added.
     *
     * <p>Loop thread only; allocates one {@link Promise} per wait.
     *
     * @param item the item, not {@code null}
     * @throws QueueShutDownException if the queue is shut down, now or while waiting
     * @throws IllegalStateException if called off the queue's loop, or if it must wait outside a coroutine
     *     task
     */
    public void put(T item) {
        Objects.requireNonNull(item, "item");
        EventLoop loop = binding.enter("Queue.put()");
        while (isFullNow()) {
            if (shutDown) {
                throw shutDownForPut();
            }
            Promise<Void> putter = new Promise<>(loop);
            putters.addLast(putter);
            try {
                Async.await(putter);
            } catch (Throwable failure) {
                putter.cancel(); // unless it was woken already
                putters.removeFirstOccurrence(putter);
                if (!isFullNow() && !putter.isCancelled()) {
                    wakeUpNext(putters); // woken for a free slot we will not use: pass it on
                }
                throw failure;
            }
        }
        if (shutDown) {
            throw shutDownForPut();
        }
        enqueue(item);
    }

    /**
     * Adds {@code item} at the tail if there is room (asyncio's {@code put_nowait}). Never suspends. Loop
     * thread only; O(1).
     *
     * @param item the item, not {@code null}
     * @throws QueueFullException if the queue is full
     * @throws QueueShutDownException if the queue is shut down
     */
    public void putNowait(T item) {
        Objects.requireNonNull(item, "item");
        binding.enter("Queue.putNowait()");
        if (shutDown) {
            throw shutDownForPut();
        }
        if (isFullNow()) {
            throw new QueueFullException("Queue is full (maxSize " + maxSize + ")");
        }
        enqueue(item);
    }

    /**
     * Adds {@code item} at the tail if there is room, as {@link java.util.Queue#offer} does. Never
     * suspends. Loop thread only; O(1).
     *
     * @return {@code false} if the queue is full
     * @param item the item, not {@code null}
     * @throws QueueShutDownException if the queue is shut down
     */
    public boolean offer(T item) {
        Objects.requireNonNull(item, "item");
        binding.enter("Queue.offer()");
        if (shutDown) {
            throw shutDownForPut();
        }
        if (isFullNow()) {
            return false;
        }
        enqueue(item);
        return true;
    }

    private void enqueue(T item) {
        items.addLast(item);
        unfinished++;
        finished.clear();
        wakeUpNext(getters);
    }

    // ---------------------------------------------------------------------------------------------
    // Getting
    // ---------------------------------------------------------------------------------------------

    /**
     * Removes and returns the head, suspending the calling coroutine while the queue is empty (asyncio's
     * {@code get}). Returns at once, without a step boundary, when an item is there. If the task is
     * cancelled while waiting, {@link dev.spindle.engine.CancelledException} is thrown and no item is taken.
     *
     * <p>Loop thread only; allocates one {@link Promise} per wait.
     *
     * @return the head
     * @throws QueueShutDownException if the queue is shut down and empty, now or after waiting
     * @throws IllegalStateException if called off the queue's loop, or if it must wait outside a coroutine
     *     task
     */
    public T get() {
        EventLoop loop = binding.enter("Queue.get()");
        while (items.isEmpty()) {
            if (shutDown) {
                throw shutDownForGet();
            }
            Promise<Void> getter = new Promise<>(loop);
            getters.addLast(getter);
            try {
                Async.await(getter);
            } catch (Throwable failure) {
                getter.cancel(); // unless it was woken already
                getters.removeFirstOccurrence(getter);
                if (!items.isEmpty() && !getter.isCancelled()) {
                    wakeUpNext(getters); // woken for an item we will not take: pass it on
                }
                throw failure;
            }
        }
        return dequeue();
    }

    /**
     * Removes and returns the head if there is one (asyncio's {@code get_nowait}). Never suspends. Loop
     * thread only; O(1).
     *
     * @return the head
     * @throws QueueEmptyException if the queue is empty
     * @throws QueueShutDownException if the queue is shut down and empty
     */
    public T getNowait() {
        binding.enter("Queue.getNowait()");
        if (items.isEmpty()) {
            if (shutDown) {
                throw shutDownForGet();
            }
            throw new QueueEmptyException("Queue is empty");
        }
        return dequeue();
    }

    /**
     * Removes and returns the head if there is one, as {@link java.util.Queue#poll} does. Never suspends.
     * Loop thread only; O(1).
     *
     * @return the head, or {@code null} if the queue is empty
     * @throws QueueShutDownException if the queue is shut down and empty
     */
    public T poll() {
        binding.enter("Queue.poll()");
        if (items.isEmpty()) {
            if (shutDown) {
                throw shutDownForGet();
            }
            return null;
        }
        return dequeue();
    }

    private T dequeue() {
        T item = items.pollFirst();
        wakeUpNext(putters);
        return item;
    }

    // ---------------------------------------------------------------------------------------------
    // Accounting
    // ---------------------------------------------------------------------------------------------

    /**
     * Marks one item taken earlier as processed (asyncio's {@code task_done}); when none is left
     * unfinished, {@link #join()} returns. Loop thread only; O(number of joiners) when it releases them,
     * else O(1).
     *
     * @throws IllegalStateException "taskDone() called too many times" if no task is unfinished (asyncio
     *     raises {@code ValueError})
     */
    public void taskDone() {
        binding.enter("Queue.taskDone()");
        if (unfinished <= 0) {
            throw new IllegalStateException("taskDone() called too many times");
        }
        if (--unfinished == 0) {
            finished.set();
        }
    }

    /**
     * Waits until every item put has been marked {@linkplain #taskDone() done} (asyncio's {@code join}):
     * returns at once, without a step boundary, if none is unfinished, else suspends the calling coroutine.
     * Loop thread only; allocates one {@link Promise} when it waits.
     *
     * @throws dev.spindle.engine.CancelledException if the task is cancelled while waiting
     */
    public void join() {
        binding.enter("Queue.join()");
        if (unfinished > 0) {
            finished.await();
        }
    }

    /**
     * Shuts the queue down (asyncio's {@code shutdown}, 3.13): later puts throw {@link
     * QueueShutDownException}, gets throw it once the queue is empty, and every waiting getter and putter
     * is woken to re-check (putters then throw, getters take an item or throw).
     *
     * <p>With {@code immediate}, the items are also removed, each counted {@linkplain #taskDone() done}
     * (which may release {@link #join()}), so gets throw at once. They are returned, in queue order, so the
     * caller can dispose of what nobody will receive.
     *
     * <p>Calling it again is allowed (an immediate call then still drains). Loop thread only; O(waiters +
     * items).
     *
     * @return the items removed by an immediate shutdown, else an empty list
     * @param immediate whether to discard the items too
     */
    public List<T> shutdown(boolean immediate) {
        binding.enter("Queue.shutdown()");
        shutDown = true;
        List<T> removed = List.of();
        if (immediate) {
            removed = new ArrayList<>(items);
            items.clear();
            unfinished = Math.max(0, unfinished - removed.size());
            if (unfinished == 0) {
                finished.set();
            }
        }
        wakeUpAll(getters);
        wakeUpAll(putters);
        return removed;
    }

    // ---------------------------------------------------------------------------------------------
    // Queries
    // ---------------------------------------------------------------------------------------------

    /** {@return the number of items in the queue (asyncio's {@code qsize})} Loop thread only; O(1). */
    public int size() {
        binding.check("Queue.size()");
        return items.size();
    }

    /** {@return whether the queue holds no item} Loop thread only; O(1). */
    public boolean isEmpty() {
        binding.check("Queue.isEmpty()");
        return items.isEmpty();
    }

    /** {@return whether a put would wait: the queue is bounded and holds {@code maxSize} items or more} O(1). */
    public boolean isFull() {
        binding.check("Queue.isFull()");
        return isFullNow();
    }

    /** {@return the capacity given at construction; 0 or less means unbounded} Any thread. */
    public int maxSize() {
        return maxSize;
    }

    /** {@return the number of items put and not yet marked {@linkplain #taskDone() done}} Loop thread only; O(1). */
    public long unfinishedTasks() {
        binding.check("Queue.unfinishedTasks()");
        return unfinished;
    }

    /** {@return whether {@link #shutdown(boolean)} has been called} Loop thread only; O(1). */
    public boolean isShutDown() {
        binding.check("Queue.isShutDown()");
        return shutDown;
    }

    /** The waiting getters; for tests of this package. */
    Deque<Promise<Void>> getters() {
        return getters;
    }

    /** The waiting putters; for tests of this package. */
    Deque<Promise<Void>> putters() {
        return putters;
    }

    private boolean isFullNow() {
        return maxSize > 0 && items.size() >= maxSize;
    }

    /** Wakes the first waiter not already done (cancelled ones are dropped on the way). */
    private static void wakeUpNext(ArrayDeque<Promise<Void>> waiters) {
        Promise<Void> waiter;
        while ((waiter = waiters.pollFirst()) != null) {
            if (waiter.complete(null)) {
                return;
            }
        }
    }

    private static void wakeUpAll(ArrayDeque<Promise<Void>> waiters) {
        Promise<Void> waiter;
        while ((waiter = waiters.pollFirst()) != null) {
            waiter.complete(null);
        }
    }

    private static QueueShutDownException shutDownForPut() {
        return new QueueShutDownException("Queue is shut down: no more puts");
    }

    private static QueueShutDownException shutDownForGet() {
        return new QueueShutDownException("Queue is shut down and empty");
    }

    @Override
    public String toString() {
        return "Queue[size=" + items.size() + (maxSize > 0 ? ", maxSize=" + maxSize : "") + ", getters="
                + getters.size() + ", putters=" + putters.size() + ", unfinished=" + unfinished
                + (shutDown ? ", shut down" : "") + " on " + binding + "]";
    }
}
