package dev.spindle.collections;

/**
 * A timer that a {@link TimerWheel} can hold without allocating: the scheduled object is itself the
 * list node. Subclass it (a task, a sleep handle, a timeout) and hand instances to
 * {@link TimerWheel#scheduleAt}.
 *
 * <p>A node is in at most one wheel at a time and may be scheduled again once it has expired or been
 * cancelled. Each scheduling gets a new stamp from {@link TimerWheel#scheduleAt}; stamps of one node
 * never repeat (until 2<sup>64</sup> schedulings), whichever wheels it passes through, so a stale
 * stamp cannot cancel a later scheduling.
 *
 * <p><b>Threads:</b> the node's state belongs to the owner thread of the wheel that holds it; read the
 * accessors from that thread only.
 *
 * <p><b>Cost:</b> three references and two longs of intrusive state per node (links, owner, deadline,
 * stamp): 40 bytes for a subclass without fields of its own, with compressed references. Nothing is
 * allocated per scheduling. Nodes carry no insertion sequence and no bucket index: the wheel keeps
 * timers of equal deadline in insertion order, and unlinks a node through its neighbours alone.
 */
public abstract class TimerNode {
    /**
     * Neighbours in the circular list holding this node (a bucket, the due list or the deferred list
     * of {@link #owner}, each closed by a sentinel node); both null while unscheduled.
     */
    TimerNode prev;

    TimerNode next;

    /** The wheel holding this node, or null while unscheduled; non-null is the definition of scheduled. */
    TimerWheel<?> owner;

    /** Absolute deadline (ns) of the current or last scheduling. */
    long deadline;

    /** Identity of the current or last scheduling: incremented per scheduling, skipping 0; 0 until first. */
    long stamp;

    /** Creates an unscheduled node. */
    protected TimerNode() {}

    /**
     * Returns the absolute deadline, in nanoseconds on the wheel's clock, given by the last scheduling
     * (after clamping, for {@link TimerWheel#scheduleAfter}); 0 if the node was never scheduled.
     * Owner thread only; O(1).
     *
     * @return the deadline of the current or last scheduling
     */
    public final long deadline() {
        return deadline;
    }

    /**
     * Returns whether the node is in a wheel: waiting in a bucket or due but not yet delivered. It
     * turns false just before the node is handed to a {@link TimerHandler}, and on cancel or clear.
     * Owner thread only; O(1).
     *
     * @return true while scheduled
     */
    public final boolean isScheduled() {
        return owner != null;
    }
}
