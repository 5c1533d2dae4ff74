package dev.spindle.stress;

import dev.spindle.engine.channel.Channel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The chaos soak's channel: one small MPMC {@link Channel} that tasks on both loops send to and receive from,
 * and the books that prove every item is received exactly once (the channel's "no loss, no duplication" rule
 * under cancellation and time-outs).
 *
 * <p>Each item is a fresh id, registered BEFORE its send starts, so that a receiver, which may take it before
 * {@code send} has returned, always finds its record. The record collects three facts with one atomic add
 * each: SENT ({@code send} returned normally), FAILED ({@code send} threw: it enqueued nothing and never will)
 * and RECEIVED. The second of SENT and RECEIVED to arrive removes the record; a failed send removes it at once.
 * So a receive that finds no record, or a record already RECEIVED or FAILED, is a duplicate or a phantom, and
 * a record left after the final drain is an item that was sent and lost.
 *
 * <p>This and {@link ChaosSemaphores} are the only classes of the soak that use the {@code sync} and {@code
 * channel} packages.
 */
final class ChaosChannel {
    static final int CAPACITY = 8;

    private static final int SENT = 1;
    private static final int FAILED = 1 << 8;
    private static final int RECEIVED = 1 << 16;

    final LongAdder attempts = new LongAdder();
    final LongAdder sent = new LongAdder();
    final LongAdder sendsFailed = new LongAdder();
    final LongAdder received = new LongAdder();

    private final Channel<Long> channel = Channel.mpmc(CAPACITY);
    private final ChaosLedger ledger;
    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentHashMap<Long, AtomicInteger> records = new ConcurrentHashMap<>();

    ChaosChannel(ChaosLedger ledger) {
        this.ledger = ledger;
    }

    /** In a coroutine task: sends one new item, suspending while the channel is full. */
    void send() {
        Long id = ids.incrementAndGet();
        AtomicInteger record = new AtomicInteger();
        records.put(id, record);
        attempts.increment();
        try {
            channel.send(id);
        } catch (Throwable failure) {
            sendsFailed.increment();
            if ((record.getAndAdd(FAILED) & RECEIVED) != 0) {
                ledger.violation("item " + id + " was received although its send threw " + failure);
            }
            records.remove(id);
            throw failure;
        }
        sent.increment();
        if ((record.getAndAdd(SENT) & RECEIVED) != 0) {
            records.remove(id);
        }
    }

    /** In a coroutine task: receives one item, suspending while the channel is empty. */
    void receive() {
        accept(channel.receive());
    }

    private void accept(Long id) {
        received.increment();
        AtomicInteger record = records.get(id);
        if (record == null) {
            ledger.violation("item " + id + " was received twice, or after its send failed");
            return;
        }
        int before = record.getAndAdd(RECEIVED);
        if ((before & RECEIVED) != 0) {
            ledger.violation("item " + id + " was received twice");
        } else if ((before & FAILED) != 0) {
            ledger.violation("item " + id + " was received although its send failed");
        } else if ((before & SENT) != 0) {
            records.remove(id);
        }
    }

    /**
     * After every task is done: receives what is left in the channel on this thread, and returns how many
     * items were sent but never received (0 unless one was lost).
     */
    int drainAndCountLost() {
        Long id;
        while ((id = channel.tryReceive()) != null) {
            accept(id);
        }
        return records.size();
    }

    /** The channel's current size, for the progress line. */
    int size() {
        return channel.size();
    }
}
