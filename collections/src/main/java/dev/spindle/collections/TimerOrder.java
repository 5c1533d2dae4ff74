package dev.spindle.collections;

/**
 * Expiry order of timers, (deadline, insertion sequence), and the allocation-free sorting of
 * singly linked chains of {@link TimerNode}s in that order. Chains are linked through
 * {@link TimerNode#next} and end in null; {@link TimerNode#prev} is neither read nor written.
 */
final class TimerOrder {
    private TimerOrder() {}

    /**
     * Returns whether {@code a} expires before {@code b}. Sequences are unique within a wheel, so two
     * distinct nodes of one wheel are never equal in this order.
     */
    static boolean precedes(TimerNode a, TimerNode b) {
        return a.deadline < b.deadline || (a.deadline == b.deadline && a.seq < b.seq);
    }

    /**
     * Sorts a chain by bottom-up merge sort: O(n log n) comparisons, O(1) space, no recursion, no
     * allocation. Callers that already know the chain is sorted should skip the call.
     *
     * @param chain the first node, or null
     * @return the first node of the sorted chain
     */
    static TimerNode sort(TimerNode chain) {
        if (chain == null || chain.next == null) {
            return chain;
        }
        // Each pass merges adjacent sorted runs of length `width` into runs of 2 * width.
        for (int width = 1; ; width <<= 1) {
            TimerNode left = chain;
            TimerNode tail = null;
            chain = null;
            int merges = 0;
            while (left != null) {
                merges++;
                TimerNode right = left;
                int leftSize = 0;
                while (leftSize < width && right != null) {
                    leftSize++;
                    right = right.next;
                }
                int rightSize = width;
                while (leftSize > 0 || (rightSize > 0 && right != null)) {
                    TimerNode taken;
                    if (leftSize == 0) {
                        taken = right;
                        right = right.next;
                        rightSize--;
                    } else if (rightSize == 0 || right == null || !precedes(right, left)) {
                        taken = left;
                        left = left.next;
                        leftSize--;
                    } else {
                        taken = right;
                        right = right.next;
                        rightSize--;
                    }
                    if (tail == null) {
                        chain = taken;
                    } else {
                        tail.next = taken;
                    }
                    tail = taken;
                }
                left = right;
            }
            tail.next = null;
            if (merges == 1) {
                return chain;
            }
        }
    }

    /**
     * Merges two sorted, non-empty chains into one: O(a + b), no allocation.
     *
     * @return the first node of the merged chain
     */
    static TimerNode merge(TimerNode a, TimerNode b) {
        TimerNode head;
        if (precedes(b, a)) {
            head = b;
            b = b.next;
        } else {
            head = a;
            a = a.next;
        }
        TimerNode tail = head;
        while (a != null && b != null) {
            if (precedes(b, a)) {
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
