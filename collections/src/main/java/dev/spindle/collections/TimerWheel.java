package dev.spindle.collections;

import java.util.Objects;

/**
 * Hashed timer wheel of intrusive {@link TimerNode}s: O(1) schedule and cancel, expiry in (deadline,
 * insertion sequence) order, never early, nothing allocated after construction.
 *
 * <h2>Structure</h2>
 *
 * Time since {@code startTime} is cut into ticks of {@code tickNanos}; the cursor ({@code
 * currentTick}) is the tick of the latest poll. A timer lives in bucket {@code t & (ticksPerWheel -
 * 1)}, where {@code t} is the tick of its deadline, or the cursor tick if that deadline's tick has
 * already passed. A bucket is a doubly linked list in insertion order and mixes timers of every turn
 * of the wheel ("rounds"): a timer stays in its bucket until a poll finds its deadline {@code <= now},
 * so no round counter is kept or decremented.
 *
 * <p>{@link #poll} moves the cursor to the tick of {@code now}, visiting each bucket it passes at most
 * once (all of them, once each, when {@code now} jumps a full turn or more). Due timers are unlinked
 * from the visited buckets into a chain, the chain is sorted by (deadline, sequence) unless already
 * sorted, and merged into the <em>due list</em>, a doubly linked list kept in that order. Delivery then
 * pops from the due list's head. Timers left on it (by a {@code limit}, or a handler that threw) stay
 * scheduled and cancellable, and are merged with the next poll's newly due timers.
 *
 * <h2>Invariants</h2>
 *
 * <ol>
 *   <li>Every timer in a bucket has a bucket tick {@code e = max(tick(deadline), cursor at schedule)}
 *       with {@code e >= currentTick}, sits in bucket {@code e & mask}, and {@code e ==
 *       tick(deadline)} unless {@code e == currentTick}. Hence a timer in the bucket {@code j >= 1}
 *       places after the cursor's has {@code tick(deadline) >= currentTick + j}: exactly what lets
 *       {@link #poll} visit only the buckets up to the tick of {@code now} and {@link #nextDeadline}
 *       stop its scan early.
 *   <li>Within a bucket, timers are in ascending sequence (always appended at the tail).
 *   <li>The due list is sorted by (deadline, sequence); it is filled only by poll before the first
 *       handler call, so a timer scheduled during a poll is in a bucket and never delivered by that
 *       poll.
 *   <li>{@code cachedNextDeadline} is a lower bound of every scheduled deadline ({@code
 *       Long.MAX_VALUE} when empty), and equal to the least one while {@code nextDeadlineValid}.
 * </ol>
 *
 * <p>Tick arithmetic saturates: {@code deadline - startTime} is clamped to the long range before the
 * division, so clamped deadlines ({@code Long.MAX_VALUE}, {@code Long.MIN_VALUE}) and negative clock
 * readings are safe.
 *
 * <h2>Threads</h2>
 *
 * Not thread-safe. One owner thread (the event loop) makes every call, including those from inside a
 * {@link TimerHandler}; timers from other threads must reach the owner through a queue first.
 *
 * @param <T> the timer type
 */
public final class TimerWheel<T extends TimerNode> {
    private final long tickNanos;
    private final long startTime;
    private final int mask;

    /** First and last node of each bucket, null when the bucket is empty. */
    private final TimerNode[] heads;

    private final TimerNode[] tails;

    /** Due timers not yet delivered, sorted by (deadline, seq). */
    private TimerNode dueHead;

    private TimerNode dueTail;

    /** The cursor: tick of the latest poll; never decreases. */
    private long currentTick;

    private long nextSeq;
    private int size;
    private long cachedNextDeadline = Long.MAX_VALUE;
    private boolean nextDeadlineValid = true;

    /** True while a handler runs; poll and clear refuse to re-enter. */
    private boolean delivering;

    /**
     * Creates an empty wheel. Allocates its two bucket arrays, {@code 2 * ticksPerWheel} references;
     * nothing afterwards.
     *
     * @param tickNanos width of a bucket, in nanoseconds; {@code > 0}
     * @param ticksPerWheel number of buckets; a power of two {@code >= 1}
     * @param startTime the clock's current reading, in nanoseconds (may be negative, as {@link
     *     System#nanoTime()} may be)
     * @throws IllegalArgumentException if {@code tickNanos} or {@code ticksPerWheel} is out of range
     */
    public TimerWheel(long tickNanos, int ticksPerWheel, long startTime) {
        if (tickNanos <= 0) {
            throw new IllegalArgumentException("tickNanos must be > 0: " + tickNanos);
        }
        if (ticksPerWheel < 1 || Integer.bitCount(ticksPerWheel) != 1) {
            throw new IllegalArgumentException("ticksPerWheel must be a power of two >= 1: " + ticksPerWheel);
        }
        this.tickNanos = tickNanos;
        this.startTime = startTime;
        this.mask = ticksPerWheel - 1;
        this.heads = new TimerNode[ticksPerWheel];
        this.tails = new TimerNode[ticksPerWheel];
    }

    /**
     * Schedules {@code timer} to expire at the absolute {@code deadline}; a deadline already past is due
     * at the next poll. Owner thread only. O(1), no allocation.
     *
     * @param timer the unscheduled timer
     * @param deadline absolute deadline in nanoseconds on the clock of {@code startTime}
     * @return a stamp identifying this scheduling, never 0, never reused by this node; pass it to
     *     {@link #cancel(TimerNode, long)}
     * @throws NullPointerException if {@code timer} is null
     * @throws IllegalStateException if {@code timer} is already scheduled, in this or another wheel
     */
    public long scheduleAt(T timer, long deadline) {
        Objects.requireNonNull(timer, "timer");
        if (timer.owner != null) {
            throw new IllegalStateException(
                    timer.owner == this
                            ? "timer is already scheduled in this wheel"
                            : "timer is scheduled in another wheel");
        }
        long tick = tickOf(deadline);
        int bucket = (int) (tick > currentTick ? tick : currentTick) & mask;
        long stamp = timer.stamp + 1;
        if (stamp == 0) {
            stamp = 1;
        }
        timer.owner = this;
        timer.deadline = deadline;
        timer.seq = nextSeq++;
        timer.stamp = stamp;
        timer.bucket = bucket;
        TimerNode tail = tails[bucket];
        timer.prev = tail;
        timer.next = null;
        if (tail == null) {
            heads[bucket] = timer;
        } else {
            tail.next = timer;
        }
        tails[bucket] = timer;
        // The cache is a lower bound of every other deadline, so a deadline at or below it is the least.
        if (size++ == 0 || deadline <= cachedNextDeadline) {
            cachedNextDeadline = deadline;
            nextDeadlineValid = true;
        }
        return stamp;
    }

    /**
     * Schedules {@code timer} to expire {@code delayNanos} after {@code now}. The deadline {@code now +
     * delayNanos} saturates at {@code Long.MAX_VALUE} / {@code Long.MIN_VALUE}. A negative delay is due
     * at the next poll and still orders by its deadline: of two timers scheduled with delays -1 and -2
     * at the same {@code now}, the second expires first. Owner thread only. O(1), no allocation.
     *
     * @param timer the unscheduled timer
     * @param delayNanos delay in nanoseconds, any value
     * @param now the clock's current reading
     * @return a stamp identifying this scheduling, as for {@link #scheduleAt}
     * @throws NullPointerException if {@code timer} is null
     * @throws IllegalStateException if {@code timer} is already scheduled, in this or another wheel
     */
    public long scheduleAfter(T timer, long delayNanos, long now) {
        long deadline = now + delayNanos;
        // Overflow iff both operands have the sign the sum lacks.
        if (((now ^ deadline) & (delayNanos ^ deadline)) < 0) {
            deadline = delayNanos < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return scheduleAt(timer, deadline);
    }

    /**
     * Cancels {@code timer} if it is scheduled in this wheel, whether waiting or due but not yet
     * delivered. Owner thread only, including from a handler. O(1), no allocation.
     *
     * @param timer the timer
     * @return true if it was scheduled here and is now cancelled
     * @throws NullPointerException if {@code timer} is null
     */
    public boolean cancel(T timer) {
        Objects.requireNonNull(timer, "timer");
        if (timer.owner != this) {
            return false;
        }
        unlink(timer);
        release(timer);
        return true;
    }

    /**
     * Cancels {@code timer} only if its current scheduling in this wheel is the one that returned
     * {@code stamp}; a stale stamp never cancels a later scheduling of the same node. Owner thread only.
     * O(1), no allocation.
     *
     * @param timer the timer
     * @param stamp the stamp returned by the scheduling to cancel
     * @return true if that scheduling was live and is now cancelled
     * @throws NullPointerException if {@code timer} is null
     */
    public boolean cancel(T timer, long stamp) {
        Objects.requireNonNull(timer, "timer");
        if (timer.owner != this || timer.stamp != stamp) {
            return false;
        }
        unlink(timer);
        release(timer);
        return true;
    }

    /**
     * Expires every timer with deadline {@code <= now} scheduled before this call, handing each to
     * {@code handler} in (deadline, insertion sequence) order; same as {@code poll(now, handler,
     * Integer.MAX_VALUE)}.
     *
     * @param now the clock's current reading; may jump arbitrarily far ahead
     * @param handler receives each expired timer, already unscheduled
     * @return the number of timers delivered
     * @throws NullPointerException if {@code handler} is null
     * @throws IllegalStateException if called from a handler of this wheel
     * @see #poll(long, TimerHandler, int)
     */
    public int poll(long now, TimerHandler<? super T> handler) {
        return poll(now, handler, Integer.MAX_VALUE);
    }

    /**
     * Expires up to {@code limit} timers with deadline {@code <= now} that were scheduled before this
     * call began, handing each to {@code handler} in (deadline, insertion sequence) order. Each timer is
     * unscheduled just before its handler call, so the handler may schedule it again.
     *
     * <ul>
     *   <li>Timers the handler schedules are not delivered by this poll, even if already due; the next
     *       poll delivers them.
     *   <li>A due timer the handler cancels before its turn is not delivered.
     *   <li>Due timers beyond {@code limit}, and all undelivered ones if the handler throws, stay
     *       scheduled and are delivered by later polls, still in order. The exception propagates.
     * </ul>
     *
     * <p>Owner thread only; not from a handler of this wheel. Cost: O(1) when nothing is due (the cached
     * lower bound of {@link #nextDeadline} exceeds {@code now}); otherwise O(b + n + d log d) for b
     * buckets visited ({@code <= ticksPerWheel}), n timers in them and d timers newly due, with O(d) when
     * they are already in order, plus a merge with timers left due by an earlier poll. No allocation.
     *
     * @param now the clock's current reading; may jump arbitrarily far ahead, more than a turn
     * @param handler receives each expired timer, already unscheduled
     * @param limit the most timers to deliver, {@code >= 0}
     * @return the number of timers delivered
     * @throws NullPointerException if {@code handler} is null
     * @throws IllegalArgumentException if {@code limit} is negative
     * @throws IllegalStateException if called from a handler of this wheel
     */
    public int poll(long now, TimerHandler<? super T> handler, int limit) {
        Objects.requireNonNull(handler, "handler");
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0: " + limit);
        }
        enterDelivery();
        try {
            if (cachedNextDeadline > now) {
                // Nothing is due, so every bucket tick is >= tick(now) (invariant 1 stays true).
                long nowTick = tickOf(now);
                if (nowTick > currentTick) {
                    currentTick = nowTick;
                }
                return 0;
            }
            gatherDue(now);
            return deliver(now, handler, limit);
        } finally {
            delivering = false;
        }
    }

    /**
     * Returns the exact earliest deadline among scheduled timers (waiting or due), or {@code
     * Long.MAX_VALUE} if none. Owner thread only. O(1) when cached; the cache survives schedules and
     * removals of any timer but the earliest. After the earliest is removed, one scan from the cursor
     * bucket, O(b + n) for the b buckets and n timers up to the one holding the new earliest deadline
     * (at worst the whole wheel when the rest are more than a turn away). No allocation.
     *
     * @return the earliest deadline, or {@code Long.MAX_VALUE} when empty
     */
    public long nextDeadline() {
        if (!nextDeadlineValid) {
            cachedNextDeadline = scanNextDeadline();
            nextDeadlineValid = true;
        }
        return cachedNextDeadline;
    }

    /**
     * Returns the number of scheduled timers, waiting or due. Owner thread only. O(1).
     *
     * @return the number of scheduled timers
     */
    public int size() {
        return size;
    }

    /**
     * Returns whether no timer is scheduled. Owner thread only. O(1).
     *
     * @return true if {@link #size()} is 0
     */
    public boolean isEmpty() {
        return size == 0;
    }

    /**
     * Returns the width of a bucket. Any thread. O(1).
     *
     * @return the tick, in nanoseconds
     */
    public long tickNanos() {
        return tickNanos;
    }

    /**
     * Returns the number of buckets. Any thread. O(1).
     *
     * @return the number of buckets, a power of two
     */
    public int ticksPerWheel() {
        return mask + 1;
    }

    /**
     * Unschedules every timer and hands each to {@code handler}, in no particular order; meant for
     * shutdown. Timers the handler schedules are not removed by this call. If the handler throws, the
     * exception propagates and the timers not yet handed over stay scheduled. Owner thread only; not
     * from a handler of this wheel. O(ticksPerWheel + size), no allocation.
     *
     * @param handler receives each removed timer, already unscheduled
     * @return the number of timers removed
     * @throws NullPointerException if {@code handler} is null
     * @throws IllegalStateException if called from a handler of this wheel
     */
    public int clear(TimerHandler<? super T> handler) {
        Objects.requireNonNull(handler, "handler");
        enterDelivery();
        try {
            // Timers the handler schedules get seq >= seqLimit and, by invariant 2, sit behind every
            // older timer of their bucket; the due list only receives timers during a poll.
            long seqLimit = nextSeq;
            int cleared = 0;
            TimerNode node;
            while ((node = dueHead) != null) {
                unlink(node);
                release(node);
                cleared++;
                handler.onExpiry(cast(node));
            }
            for (int bucket = 0; bucket <= mask; bucket++) {
                while ((node = heads[bucket]) != null && node.seq < seqLimit) {
                    unlink(node);
                    release(node);
                    cleared++;
                    handler.onExpiry(cast(node));
                }
            }
            return cleared;
        } finally {
            delivering = false;
        }
    }

    private void enterDelivery() {
        if (delivering) {
            throw new IllegalStateException("poll or clear called from a handler of the same wheel");
        }
        delivering = true;
    }

    /**
     * Moves the cursor to the tick of {@code now} and every timer due by {@code now} from the buckets it
     * passes onto the due list, keeping the due list sorted. Calls no handler.
     */
    private void gatherDue(long now) {
        long nowTick = tickOf(now);
        int buckets;
        if (nowTick <= currentTick) {
            // By invariant 1, deadlines before the cursor tick are all in the cursor bucket.
            buckets = 1;
        } else {
            long span = nowTick - currentTick;
            buckets = span >= mask ? mask + 1 : (int) span + 1;
        }
        int first = (int) currentTick & mask;
        TimerNode head = null;
        TimerNode tail = null;
        boolean sorted = true;
        for (int i = 0; i < buckets; i++) {
            int bucket = (first + i) & mask;
            TimerNode node = heads[bucket];
            while (node != null) {
                TimerNode next = node.next;
                if (node.deadline <= now) {
                    unlinkFromBucket(node, bucket);
                    node.bucket = TimerNode.DUE;
                    if (tail == null) {
                        head = node;
                    } else {
                        sorted &= TimerOrder.precedes(tail, node);
                        tail.next = node;
                    }
                    tail = node;
                }
                node = next;
            }
        }
        if (nowTick > currentTick) {
            currentTick = nowTick;
        }
        if (head == null) {
            return;
        }
        tail.next = null;
        if (!sorted) {
            head = TimerOrder.sort(head);
        }
        if (dueHead == null) {
            dueHead = head;
            relinkDue(null, head);
        } else if (TimerOrder.precedes(dueTail, head)) {
            dueTail.next = head;
            relinkDue(dueTail, head);
        } else {
            dueHead = TimerOrder.merge(dueHead, head);
            relinkDue(null, dueHead);
        }
    }

    /** Sets the prev links of the due list from {@code first} on, and its tail. */
    private void relinkDue(TimerNode prev, TimerNode first) {
        for (TimerNode node = first; node != null; node = node.next) {
            node.prev = prev;
            prev = node;
        }
        dueTail = prev;
    }

    private int deliver(long now, TimerHandler<? super T> handler, int limit) {
        int delivered = 0;
        TimerNode node;
        // The head is re-read after every handler call, which may have cancelled it.
        while (delivered < limit && (node = dueHead) != null && node.deadline <= now) {
            TimerNode next = node.next;
            dueHead = next;
            if (next == null) {
                dueTail = null;
            } else {
                next.prev = null;
            }
            release(node);
            delivered++;
            handler.onExpiry(cast(node));
        }
        return delivered;
    }

    /**
     * Finds the least deadline, scanning buckets from the cursor's. Stops after the bucket {@code j}
     * places on once the best deadline's tick is {@code <= currentTick + j}: by invariant 1 every timer
     * further on has a later tick, so a later deadline. Stops at once on reaching the lower bound.
     */
    private long scanNextDeadline() {
        long lowerBound = cachedNextDeadline;
        long best = dueHead != null ? dueHead.deadline : Long.MAX_VALUE;
        long bestOffset = tickOffset(best);
        int first = (int) currentTick & mask;
        for (int j = 0; j <= mask && best != lowerBound; j++) {
            long before = best;
            for (TimerNode node = heads[(first + j) & mask]; node != null; node = node.next) {
                if (node.deadline < best) {
                    best = node.deadline;
                }
            }
            if (best != before) {
                bestOffset = tickOffset(best);
            }
            if (bestOffset <= j) {
                break;
            }
        }
        return best;
    }

    /** Returns how many ticks past the cursor {@code time} falls, 0 if at or before it; never overflows. */
    private long tickOffset(long time) {
        long tick = tickOf(time);
        return tick <= currentTick ? 0 : tick - currentTick;
    }

    /** Returns the tick of {@code time}: floor((time - startTime) / tickNanos), the difference saturated. */
    private long tickOf(long time) {
        long elapsed = time - startTime;
        // Overflow iff the operands' signs differ and the result's sign differs from time's.
        if (((time ^ startTime) & (time ^ elapsed)) < 0) {
            elapsed = time < startTime ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return Math.floorDiv(elapsed, tickNanos);
    }

    private void unlink(TimerNode node) {
        if (node.bucket == TimerNode.DUE) {
            TimerNode prev = node.prev;
            TimerNode next = node.next;
            if (prev == null) {
                dueHead = next;
            } else {
                prev.next = next;
            }
            if (next == null) {
                dueTail = prev;
            } else {
                next.prev = prev;
            }
        } else {
            unlinkFromBucket(node, node.bucket);
        }
    }

    /** Unlinks {@code node} from {@code bucket}; leaves the node's own links as they were. */
    private void unlinkFromBucket(TimerNode node, int bucket) {
        TimerNode prev = node.prev;
        TimerNode next = node.next;
        if (prev == null) {
            heads[bucket] = next;
        } else {
            prev.next = next;
        }
        if (next == null) {
            tails[bucket] = prev;
        } else {
            next.prev = prev;
        }
    }

    /** Marks an unlinked node unscheduled and keeps the size and the deadline cache (invariant 4). */
    private void release(TimerNode node) {
        node.owner = null;
        node.prev = null;
        node.next = null;
        if (--size == 0) {
            cachedNextDeadline = Long.MAX_VALUE;
            nextDeadlineValid = true;
        } else if (node.deadline == cachedNextDeadline) {
            nextDeadlineValid = false;
        }
    }

    /** Every node in this wheel was scheduled through {@link #scheduleAt(TimerNode, long)} as a T. */
    @SuppressWarnings("unchecked")
    private T cast(TimerNode node) {
        return (T) node;
    }
}
