package dev.spindle.collections;

import java.util.Objects;

/**
 * Hashed timer wheel of intrusive {@link TimerNode}s: O(1) schedule and cancel, expiry in (deadline,
 * insertion sequence) order, never early, nothing allocated after construction.
 *
 * <h2>Structure</h2>
 *
 * Time since {@code startTime} is cut into ticks of {@code tickNanos}. The cursor ({@code
 * currentTick}) is the last tick the wheel has <em>entered</em>: entering a tick moves all its timers,
 * due or not, out of their bucket onto the due list. A timer of a later tick {@code t} lives in bucket
 * {@code t & (ticksPerWheel - 1)}; a bucket mixes timers of every turn of the wheel ("rounds"), so no
 * round counter is kept or decremented. A timer scheduled for a tick already entered goes to the
 * <em>overdue list</em>. Every list is circular, doubly linked, closed by a sentinel node and kept in
 * insertion order, except the due list, kept in expiry order; unlinking needs only the node's
 * neighbours, so a node records neither its bucket nor which list holds it.
 *
 * <p>{@link #poll} first moves the overdue timers that are due onto the due list (sorted, then merged
 * in), then delivers from the due list's head, and each time it has nothing left to deliver enters the
 * next tick, up to the tick of {@code now}: so a bucket is walked once per turn, whatever the number of
 * polls in a tick, and delivery starts before later buckets are touched. Entering a tick sorts its
 * timers by deadline (stably, and only if out of order) and appends them: they are all later than any
 * timer already on the due list. When {@code now} jumps more than a full turn, every bucket holds
 * timers of several ticks to enter: each bucket's timers are sorted, and the sorted runs merged, before
 * any delivery. Timers left on the due list (not yet due, or held back by a {@code limit} or a handler
 * that threw) stay scheduled and cancellable, and the next poll starts with them.
 *
 * <p>Timers scheduled from a handler must wait for the next poll. Those that this poll could still
 * deliver (deadline {@code <= now}) wait on the <em>deferred list</em> and move to their bucket or the
 * overdue list when the poll returns; {@link #clear} defers every timer its handler schedules the same
 * way.
 *
 * <h2>Invariants</h2>
 *
 * <ol>
 *   <li>A timer in a bucket has {@code tick(deadline) > currentTick} and sits in bucket {@code
 *       tick(deadline) & mask}. Every other scheduled timer has {@code tick(deadline) <= currentTick}
 *       and is on the due list, the overdue list or the deferred list. Hence the bucket {@code j >= 1}
 *       places after the cursor's holds only ticks {@code >= currentTick + j}, which lets {@link
 *       #nextDeadline} stop its scan early.
 *   <li>Timers of one deadline in buckets share a bucket, and within a bucket or the overdue list
 *       timers of one deadline are in insertion order: nodes are appended at the tail, and deferred
 *       ones, in order, after every node already there. (A handler's timer is deferred iff its
 *       deadline is {@code <= now}, and a timer already there with such a deadline was scheduled before
 *       the poll.) So a stable sort by deadline of timers taken from one list orders them by (deadline,
 *       insertion sequence).
 *   <li>The due list is sorted by (deadline, insertion sequence). A timer on it is older than any
 *       timer of the same deadline on the overdue list: the due overdue timers are all taken at once at
 *       the start of a poll, before any handler runs, so an overdue timer of a deadline already taken
 *       was scheduled afterwards. Hence "by deadline, the due list first on ties" is the (deadline,
 *       insertion sequence) order, and entering a tick only appends to the due list.
 *   <li>The deferred list is empty outside {@link #poll} and {@link #clear}.
 *   <li>{@code cachedNextDeadline} is a lower bound of every scheduled deadline ({@code
 *       Long.MAX_VALUE} when empty), and equal to the least one while {@code nextDeadlineValid}.
 * </ol>
 *
 * <p>Tick arithmetic saturates: {@code deadline - startTime} is clamped to the long range before the
 * division, so clamped deadlines ({@code Long.MAX_VALUE}, {@code Long.MIN_VALUE}) and negative clock
 * readings are safe. The cursor starts at 0 and never decreases.
 *
 * <p><b>Threads:</b> not thread-safe. One owner thread (the event loop) makes every call, including those
 * from inside a {@link TimerHandler}; timers from other threads must reach the owner through a queue first.
 *
 * @param <T> the timer type
 */
public final class TimerWheel<T extends TimerNode> {
    /** Number of parts a tick is cut into to sort its timers when the cursor enters it. */
    private static final int SLOTS = 256;

    private final long tickNanos;
    private final long startTime;
    private final int mask;

    /** The sentinel of each bucket's list; a list is empty when its sentinel links to itself. */
    private final TimerNode[] buckets;

    /** Sentinel of the due list: timers of entered ticks, in (deadline, sequence) order. */
    private final TimerNode due = new Sentinel();

    /** Sentinel of the overdue list: timers scheduled for a tick after the wheel entered it. */
    private final TimerNode overdue = new Sentinel();

    /** Sentinel of the deferred list: timers a handler scheduled that its poll or clear must skip. */
    private final TimerNode deferred = new Sentinel();

    /**
     * Scratch for {@link #enterTick}, empty between calls: the first and last timer of each slot, a
     * {@code 2^slotShift} ns part of the tick being entered.
     */
    private final TimerNode[] slotHeads = new TimerNode[SLOTS];

    private final TimerNode[] slotTails = new TimerNode[SLOTS];
    private final int slotShift;

    /** The cursor: the last tick entered; never decreases. */
    private long currentTick;

    private int size;
    private long cachedNextDeadline = Long.MAX_VALUE;
    private boolean nextDeadlineValid = true;

    /** True while a handler may run; poll and clear refuse to re-enter, and schedules may be deferred. */
    private boolean delivering;

    /** While {@link #delivering}, a timer scheduled with a deadline {@code <=} this is deferred. */
    private long deferUpTo;

    /** The head of a list; never scheduled, never handed to a handler. */
    private static final class Sentinel extends TimerNode {
        Sentinel() {
            prev = this;
            next = this;
        }
    }

    /**
     * Creates an empty wheel. Allocates an array of {@code ticksPerWheel} references, {@code
     * ticksPerWheel + 3} list sentinels (40 bytes each with compressed references) and two arrays of
     * {@value #SLOTS} references; nothing afterwards.
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
        this.buckets = new TimerNode[ticksPerWheel];
        // The least shift that maps every offset within a tick, 0 to tickNanos - 1, below SLOTS.
        this.slotShift =
                Math.max(0, 64 - Long.numberOfLeadingZeros(tickNanos - 1) - Integer.numberOfTrailingZeros(SLOTS));
        for (int i = 0; i < ticksPerWheel; i++) {
            buckets[i] = new Sentinel();
        }
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
        long stamp = timer.stamp + 1;
        if (stamp == 0) {
            stamp = 1;
        }
        timer.owner = this;
        timer.deadline = deadline;
        timer.stamp = stamp;
        // A handler's timer that its poll or clear could still hand over waits off the buckets (invariant 4).
        linkLast(delivering && deadline <= deferUpTo ? deferred : listFor(deadline), timer);
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
     * lower bound of {@link #nextDeadline} exceeds {@code now}). Otherwise O(o + d) for the o timers
     * scheduled for ticks already entered and the d delivered, plus, for each tick entered (at most
     * {@code ticksPerWheel}, each once), O(n + e) for the n timers in its bucket and the e of the tick,
     * which are sorted by spreading them over {@value #SLOTS} parts of the tick (O(e log e) at worst,
     * when they crowd into one part). A jump of {@code now} by more than a full turn enters every tick at
     * once: O(N + E log E) for the N timers of the wheel and the E entered. No allocation.
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
            long nowTick = tickOf(now);
            if (cachedNextDeadline > now) {
                // Nothing is due, so every bucket holds ticks >= tick(now): the cursor may pass the
                // ticks before it without moving anything (invariant 1).
                if (nowTick > currentTick && nowTick - 1 > currentTick) {
                    currentTick = nowTick - 1;
                }
                return 0;
            }
            deferUpTo = now;
            TimerNode chain = takeSorted(overdue, now);
            if (chain != null) {
                addToDue(chain);
            }
            if (nowTick > currentTick && nowTick - currentTick > mask + 1L) {
                enterWholeWheel(nowTick);
            }
            return deliver(now, nowTick, handler, limit);
        } finally {
            flushDeferred();
            delivering = false;
        }
    }

    /**
     * Returns the exact earliest deadline among scheduled timers (waiting or due), or {@code
     * Long.MAX_VALUE} if none. Owner thread only. O(1) when cached; the cache survives schedules and
     * removals of any timer but the earliest. After the earliest is removed, one scan: O(o) for the o
     * timers scheduled for ticks already entered when a timer of an entered tick remains, else also
     * O(b + n) for the b buckets after the cursor's and n timers up to the one holding the new earliest
     * deadline (at worst the whole wheel when the rest are more than a turn away). No allocation.
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
            // Every timer the handler schedules is deferred (invariant 4), so this loop never meets it.
            deferUpTo = Long.MAX_VALUE;
            int cleared = drain(due, handler) + drain(overdue, handler);
            for (int bucket = 0; bucket <= mask; bucket++) {
                cleared += drain(buckets[bucket], handler);
            }
            return cleared;
        } finally {
            flushDeferred();
            delivering = false;
        }
    }

    /** Hands every timer of {@code list} to {@code handler}, unscheduled; returns how many. */
    private int drain(TimerNode list, TimerHandler<? super T> handler) {
        int drained = 0;
        TimerNode node;
        while ((node = list.next) != list) {
            unlink(node);
            release(node);
            drained++;
            handler.onExpiry(cast(node));
        }
        return drained;
    }

    private void enterDelivery() {
        if (delivering) {
            throw new IllegalStateException("poll or clear called from a handler of the same wheel");
        }
        delivering = true;
    }

    /**
     * Hands due timers to {@code handler} from the due list's head, entering the next tick whenever the
     * list has nothing left due, until the cursor reaches {@code nowTick} and nothing is due, or {@code
     * limit} timers were delivered. Before the cursor reaches {@code nowTick}, every timer on the due
     * list has a tick {@code <= currentTick < nowTick}, so is due: the list is empty whenever the loop
     * enters a tick, and its head is always the earliest timer due (invariant 1).
     */
    private int deliver(long now, long nowTick, TimerHandler<? super T> handler, int limit) {
        int delivered = 0;
        while (delivered < limit) {
            // The head is re-read after every handler call, which may have cancelled it.
            TimerNode node = due.next;
            if (node != due && node.deadline <= now) {
                unlink(node);
                release(node);
                delivered++;
                handler.onExpiry(cast(node));
            } else if (currentTick < nowTick) {
                enterTick(++currentTick);
            } else {
                break;
            }
        }
        return delivered;
    }

    /**
     * Enters {@code tick}, the cursor's new tick, moving all its timers from their bucket onto the due
     * list, which is empty (see {@link #deliver}). The timers are spread over {@value #SLOTS} slots by
     * deadline, each slot kept in insertion order, then each slot is sorted (stably; a slot usually
     * holds a few timers) and appended in slot order: O(n + {@value #SLOTS}) for the n timers of the
     * bucket when the timers spread out, O(n + d log d) for d timers of the tick at worst. Calls no
     * handler.
     */
    private void enterTick(long tick) {
        TimerNode bucket = buckets[(int) tick & mask];
        long lastDeadline = lastDeadlineOf(tick);
        if (lastDeadline == Long.MAX_VALUE) {
            // The last tick of the clock may be wider than tickNanos (saturation): no slots.
            TimerNode chain = takeSorted(bucket, lastDeadline);
            if (chain != null) {
                addToDue(chain);
            }
            return;
        }
        // The tick is [firstDeadline, lastDeadline], tickNanos wide, and every timer of the bucket is in
        // it or a later tick (invariant 1), so the slot index is < SLOTS.
        long firstDeadline = lastDeadline - (tickNanos - 1);
        int lowest = SLOTS;
        int highest = -1;
        for (TimerNode node = bucket.next; node != bucket; ) {
            TimerNode next = node.next;
            if (node.deadline <= lastDeadline) {
                unlink(node);
                node.next = null;
                int slot = (int) ((node.deadline - firstDeadline) >>> slotShift);
                TimerNode slotTail = slotTails[slot];
                if (slotTail == null) {
                    slotHeads[slot] = node;
                } else {
                    slotTail.next = node;
                }
                slotTails[slot] = node;
                lowest = Math.min(lowest, slot);
                highest = Math.max(highest, slot);
            }
            node = next;
        }
        for (int slot = lowest; slot <= highest; slot++) {
            TimerNode chain = slotHeads[slot];
            if (chain != null) {
                slotHeads[slot] = null;
                slotTails[slot] = null;
                for (TimerNode node = TimerOrder.sort(chain); node != null; ) {
                    TimerNode next = node.next;
                    linkLast(due, node);
                    node = next;
                }
            }
        }
    }

    /**
     * Enters every tick up to {@code nowTick}, more than a full turn ahead, when each bucket may hold
     * timers of several ticks to enter: each bucket's are sorted on their own, then the sorted runs
     * merged. O(n + Σ dᵢ log dᵢ + d log b) for n timers in the wheel, dᵢ entered from bucket i, d in all
     * and b buckets. Calls no handler.
     */
    private void enterWholeWheel(long nowTick) {
        long lastDeadline = lastDeadlineOf(nowTick);
        TimerNode runs = null;
        long pushed = 0;
        for (TimerNode bucket : buckets) {
            TimerNode chain = takeSorted(bucket, lastDeadline);
            if (chain != null) {
                // No tie spans two buckets (invariant 2), so the order of the runs does not matter.
                runs = TimerOrder.push(runs, pushed++, chain);
            }
        }
        currentTick = nowTick;
        if (runs != null) {
            addToDue(TimerOrder.collapse(runs));
        }
    }

    /**
     * Unlinks every timer of {@code list} with a deadline {@code <= lastDeadline} and returns them as a
     * null-terminated chain sorted by (deadline, sequence), or null if none. Calls no handler. O(n) for
     * the n timers of the list, plus O(d log d) for the d taken if they are out of order.
     */
    private static TimerNode takeSorted(TimerNode list, long lastDeadline) {
        TimerNode chain = null;
        TimerNode tail = null;
        boolean sorted = true;
        for (TimerNode node = list.next; node != list; ) {
            TimerNode next = node.next;
            if (node.deadline <= lastDeadline) {
                unlink(node);
                if (tail == null) {
                    chain = node;
                } else {
                    sorted &= tail.deadline <= node.deadline;
                    tail.next = node;
                }
                tail = node;
            }
            node = next;
        }
        if (chain == null) {
            return null;
        }
        tail.next = null;
        // A stable sort keeps insertion order among equal deadlines (invariant 2).
        return sorted ? chain : TimerOrder.sort(chain);
    }

    /**
     * Adds a null-terminated chain sorted by (deadline, sequence) to the due list, each node after every
     * due timer of an equal or earlier deadline (invariant 3). O(chain) when it goes after the whole
     * list, else O(chain + the due timers it passes).
     */
    private void addToDue(TimerNode chain) {
        TimerNode at = due;
        TimerNode last = due.prev;
        if (last != due && chain.deadline < last.deadline) {
            at = due.next;
        }
        while (chain != null) {
            TimerNode node = chain;
            chain = chain.next;
            while (at != due && at.deadline <= node.deadline) {
                at = at.next;
            }
            TimerNode before = at.prev;
            node.prev = before;
            node.next = at;
            before.next = node;
            at.prev = node;
        }
    }

    /** Moves the deferred timers, in order, to their bucket or the overdue list, now that the cursor has stopped. */
    private void flushDeferred() {
        TimerNode node = deferred.next;
        if (node == deferred) {
            return;
        }
        deferred.prev.next = null;
        deferred.next = deferred;
        deferred.prev = deferred;
        while (node != null) {
            TimerNode next = node.next;
            linkLast(listFor(node.deadline), node);
            node = next;
        }
    }

    /**
     * Finds the least deadline: the due list's head, the overdue and deferred timers, then the buckets
     * from the one after the cursor's. Skips the bucket {@code j} places on, and all after it, once the
     * best deadline's tick is {@code < currentTick + j}: by invariant 1 those hold later ticks only, so
     * later deadlines. Stops at once on reaching the lower bound.
     */
    private long scanNextDeadline() {
        long lowerBound = cachedNextDeadline;
        long best = due.next != due ? due.next.deadline : Long.MAX_VALUE;
        best = leastDeadline(overdue, best);
        best = leastDeadline(deferred, best);
        long bestOffset = tickOffset(best);
        for (int j = 1; j <= mask + 1 && best != lowerBound && bestOffset >= j; j++) {
            long before = best;
            best = leastDeadline(buckets[(int) (currentTick + j) & mask], best);
            if (best != before) {
                bestOffset = tickOffset(best);
            }
        }
        return best;
    }

    /** Returns the least of {@code best} and the deadlines on {@code list}. */
    private static long leastDeadline(TimerNode list, long best) {
        for (TimerNode node = list.next; node != list; node = node.next) {
            if (node.deadline < best) {
                best = node.deadline;
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

    /**
     * Returns the latest deadline whose tick is {@code <= tick}, for {@code tick >= 0}: a deadline is
     * in a tick up to {@code tick} iff it is {@code <=} the result. Saturates at {@code Long.MAX_VALUE}.
     */
    private long lastDeadlineOf(long tick) {
        if (tick >= Long.MAX_VALUE / tickNanos) {
            return Long.MAX_VALUE; // no elapsed time has a later tick
        }
        long deadline = startTime + ((tick + 1) * tickNanos - 1);
        // The addend is >= 0, so the sum overflowed iff it fell below startTime; then every deadline fits.
        return deadline < startTime ? Long.MAX_VALUE : deadline;
    }

    /** Returns the list for a timer of {@code deadline} scheduled now: its bucket, or the overdue list (invariant 1). */
    private TimerNode listFor(long deadline) {
        long tick = tickOf(deadline);
        return tick > currentTick ? buckets[(int) tick & mask] : overdue;
    }

    /** Appends {@code node} to the circular list closed by {@code sentinel}. */
    private static void linkLast(TimerNode sentinel, TimerNode node) {
        TimerNode last = sentinel.prev;
        node.prev = last;
        node.next = sentinel;
        last.next = node;
        sentinel.prev = node;
    }

    /** Unlinks {@code node} from its list, whichever; leaves the node's own links as they were. */
    private static void unlink(TimerNode node) {
        TimerNode prev = node.prev;
        TimerNode next = node.next;
        prev.next = next;
        next.prev = prev;
    }

    /** Marks an unlinked node unscheduled and keeps the size and the deadline cache (invariant 5). */
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
