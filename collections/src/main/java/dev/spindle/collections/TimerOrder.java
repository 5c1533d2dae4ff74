package dev.spindle.collections;

/**
 * The allocation-free, stable sorting of singly linked chains of {@link TimerNode}s by deadline, which
 * the wheel turns into its expiry order. Chains are linked through {@link TimerNode#next} and end in
 * null.
 *
 * <p>Nodes carry no insertion sequence: the wheel keeps timers of equal deadline in insertion order
 * (see the invariants of {@link TimerWheel}), so a stable sort by deadline alone yields the (deadline,
 * insertion sequence) order. Every method here is stable: of two nodes with equal deadlines, the one
 * earlier in its chain, or in the left (older) run, stays first.
 *
 * <p>Sorting is a bottom-up merge sort driven by a binary counter (as in the classic linked-list
 * sorts), over short runs sorted by insertion: sorted runs wait on a stack, and whenever the two runs
 * on top hold the same number of pushes they are merged. Runs are merged while still in cache, every
 * node takes part in O(log n) merges, and the stack is linked through the {@link TimerNode#prev} field
 * of each run's head, so nothing is allocated. {@code prev} is scratch: callers relink it afterwards.
 */
final class TimerOrder {
    /** Length of the runs that {@link #sort} builds by insertion before merging. */
    private static final int INSERTION_RUN = 8;

    private TimerOrder() {}

    /**
     * Sorts a chain by deadline, stably: O(n log n) comparisons, O(1) space, no recursion, no
     * allocation. Returns after one pass over a chain already sorted. Runs of {@value #INSERTION_RUN}
     * consecutive nodes are sorted by insertion first, so a chain that short is never merged.
     *
     * @param chain the first node, or null
     * @return the first node of the sorted chain
     */
    static TimerNode sort(TimerNode chain) {
        TimerNode ascending = chain;
        while (ascending != null && ascending.next != null && ascending.deadline <= ascending.next.deadline) {
            ascending = ascending.next;
        }
        if (ascending == null || ascending.next == null) {
            return chain; // already sorted
        }
        TimerNode top = null;
        long runs = 0;
        while (chain != null) {
            TimerNode run = chain;
            TimerNode runTail = chain;
            chain = chain.next;
            for (int length = 1; length < INSERTION_RUN && chain != null; length++) {
                TimerNode node = chain;
                chain = chain.next;
                if (node.deadline >= runTail.deadline) {
                    runTail.next = node;
                    runTail = node;
                } else if (node.deadline < run.deadline) {
                    node.next = run;
                    run = node;
                } else {
                    // After every node of an equal deadline (stable); runTail's deadline bounds the scan.
                    TimerNode at = run;
                    while (at.next.deadline <= node.deadline) {
                        at = at.next;
                    }
                    node.next = at.next;
                    at.next = node;
                }
            }
            runTail.next = null;
            if (top == null && chain == null) {
                return run;
            }
            top = push(top, runs++, run);
        }
        return top == null ? null : collapse(top);
    }

    /**
     * Pushes a sorted run onto a stack of runs and merges as the binary counter of pushes carries:
     * after the push numbered {@code pushed} (0 for the first), the runs of the trailing one-bits of
     * {@code pushed} are merged into the new one. The runs must be pushed oldest first. O(1) amortised
     * merges per push, each O(length of the runs merged); no allocation.
     *
     * @param top the top run of the stack, or null when empty
     * @param pushed how many runs were pushed before this one
     * @param run a non-empty, null-terminated chain sorted by deadline
     * @return the new top of the stack
     */
    static TimerNode push(TimerNode top, long pushed, TimerNode run) {
        for (long carry = pushed; (carry & 1) != 0; carry >>>= 1) {
            TimerNode below = top.prev;
            run = merge(top, run);
            top = below;
        }
        run.prev = top;
        return run;
    }

    /**
     * Merges every run on the stack into one, older runs on the left. O(total length × stack depth)
     * at worst, O(n log n) for a stack built by {@link #push}; no allocation.
     *
     * @param top the top run of a non-empty stack
     * @return the first node of the sorted chain of all the runs
     */
    static TimerNode collapse(TimerNode top) {
        TimerNode merged = top;
        TimerNode below = top.prev;
        while (below != null) {
            TimerNode next = below.prev;
            merged = merge(below, merged);
            below = next;
        }
        return merged;
    }

    /**
     * Merges two sorted, non-empty chains into one, stably ({@code a}'s node first on equal deadlines):
     * O(a + b), no allocation.
     *
     * @return the first node of the merged chain
     */
    static TimerNode merge(TimerNode a, TimerNode b) {
        TimerNode head;
        if (b.deadline < a.deadline) {
            head = b;
            b = b.next;
        } else {
            head = a;
            a = a.next;
        }
        TimerNode tail = head;
        while (a != null && b != null) {
            if (b.deadline < a.deadline) {
                tail.next = b;
                tail = b;
                b = b.next;
            } else {
                tail.next = a;
                tail = a;
                a = a.next;
            }
        }
        tail.next = a != null ? a : b;
        return head;
    }
}
