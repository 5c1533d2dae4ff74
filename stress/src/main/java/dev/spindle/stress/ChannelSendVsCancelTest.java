package dev.spindle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.Task;
import dev.spindle.engine.TaskState;
import dev.spindle.engine.channel.Channel;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZLL_Result;

/**
 * Channel waiters under cancellation, the sending side: a receive from a plain thread that frees the slot of
 * a full channel racing {@code cancel()} of a coroutine task suspended in {@code send(x)}. {@code x} is in
 * the channel exactly once iff {@code send} returned normally; a send that threw never enqueues it later.
 *
 * <p>The rule (Channel.send, leaveSenders, release; package documentation, "No lost or duplicated item under
 * cancellation"): no slot is reserved for a waiting sender. The receive polls, frees the slot (atomic add),
 * then completes the oldest waiting sender's promise; the cancel, delivered on the loop, cancels that same
 * promise; one CAS decides. The sender enqueues only inside its own resumed {@code send}, after taking a
 * slot itself. If the cancel wins, or is counted before the resumption step (the await throws), {@code
 * send} throws and {@code x} is never offered; a wake-up found on the waiter is handed to the next sender
 * while a slot is free. If the cancel is counted after the step resumed, {@code send} returns normally with
 * {@code x} enqueued and the task's return becomes CANCELLED (the engine's rule for a cancel that lands
 * while a step runs): the body knows {@code x} was sent; the task's state alone does not say.
 *
 * <p>How the race is made: each state's constructor fills a capacity-1 MPMC channel with item 1, spawns the
 * sender of item 2 on the class's loop and waits until it is suspended ({@link LoopBarrier#spinUntil}),
 * which it is only after its waiter is queued. The {@code receiver} actor takes item 1 with {@code
 * tryReceive}; the {@code canceller} actor cancels the sender. The arbiter waits for the sender, settles the
 * loop, drains the channel, settles again and checks that nothing more arrived. In {@link PassOn} a second
 * sender (item 3) waits behind the first: whenever the first does not use the freed slot, the second must
 * get it; a refused or abandoned wake-up is passed on, never lost.
 *
 * <p>Result: {@code r1} = {@code cancel()} returned, {@code r2} = what the sending bodies saw ({@code SENT}:
 * {@code send} returned; {@code THREW}: it threw) and, in {@link PassOn}, the second sender's state once the
 * loop settled, {@code r3} = the item the receiver got, the first sender's final state, and the items the
 * arbiter drained ({@code none}; {@code LATE} if one arrived after the drain).
 */
public final class ChannelSendVsCancelTest {
    private static final Engine ENGINE =
            Engine.builder().loops(1).threadNamePrefix("stress-channel-send-").build();
    private static final EventLoop LOOP = ENGINE.loop(0);

    private ChannelSendVsCancelTest() {}

    /** A coroutine suspended in {@code send(item)}, and what its body saw; the body runs on {@link #LOOP}. */
    private static final class Sender {
        private final Channel<PlainBox> channel;
        private final int item;
        private final Task<Void> task;
        /** Written by the body only: SENT once send returned, THREW if it threw, or WAITING. */
        private volatile String saw = "WAITING";

        Sender(Channel<PlainBox> channel, int item) {
            this.channel = channel;
            this.item = item;
            this.task = LOOP.spawn(this::body);
            LoopBarrier.spinUntil(() -> task.state() == TaskState.SUSPENDED, task);
        }

        private Void body() {
            try {
                channel.send(new PlainBox(item));
            } catch (RuntimeException cancelled) {
                saw = "THREW";
                throw cancelled;
            }
            saw = "SENT";
            return null;
        }
    }

    /** The common part of a sample: a full channel, the suspended first sender, the arbiter's checks. */
    private abstract static class Sample {
        final Channel<PlainBox> channel = filled();
        final Sender first = new Sender(channel, 2);
        volatile String received = "nothing";
        /** PassOn: the second sender's view and state once the loop settled, before the arbiter drains. */
        String secondView = "";

        private static Channel<PlainBox> filled() {
            Channel<PlainBox> channel = Channel.mpmc(1);
            channel.trySend(new PlainBox(1));
            return channel;
        }

        void receive() {
            PlainBox box = channel.tryReceive();
            received = box == null ? "none" : Integer.toString(box.value);
        }

        void cancel(ZLL_Result r) {
            r.r1 = first.task.cancel("stress");
        }

        /**
         * Waits for the first sender and whatever its ending handed to the loop; records the second sender's
         * view and ends it if it still waits; then drains, settles, and checks that nothing more arrives.
         */
        String settleAndDrain(Sender second) {
            if (!LoopBarrier.awaitDone(first.task)) {
                return received + " STUCK " + first.task.state();
            }
            // A wake-up handed on to the second sender resumes it through the loop: it is done, or the slot is
            // taken again (by the first's item). A lost wake-up leaves the slot free and times out here.
            LoopBarrier.settleUntil(LOOP, () -> second == null || second.task.isDone() || channel.size() == 1);
            LoopBarrier.settle(LOOP);
            if (second != null) {
                // Read before the drain below frees the slot and wakes the second sender.
                secondView = second.saw + " " + second.task.state();
                if (!second.task.isDone()) {
                    // It waits for a slot that never frees (or for a wake-up that was lost): end it.
                    second.task.cancel("stress: end of sample");
                    LoopBarrier.awaitDone(second.task);
                }
            }
            StringBuilder out = new StringBuilder(received).append(' ').append(first.task.state());
            int items = 0;
            PlainBox box;
            while ((box = channel.tryReceive()) != null) {
                out.append(' ').append(box.value);
                items++;
            }
            if (items == 0) {
                out.append(" none");
            }
            // Every sender is done: an item arriving now would be a send that completed after it was reported
            // as failed or abandoned.
            LoopBarrier.settle(LOOP);
            if (channel.tryReceive() != null) {
                out.append(" LATE");
            }
            return out.toString();
        }
    }

    @JCStressTest
    @Outcome(
            id = "false, SENT, 1 SUCCEEDED 2",
            expect = ACCEPTABLE,
            desc = "The freed slot woke the sender, which sent item 2 and finished before the cancel.")
    @Outcome(
            id = "true, THREW, 1 CANCELLED none",
            expect = ACCEPTABLE,
            desc = "The cancel won (its promise cancelled first, or counted before the resumption step made the"
                    + " await throw): send threw, item 2 was never offered.")
    @Outcome(
            id = "true, SENT, 1 CANCELLED 2",
            expect = ACCEPTABLE_INTERESTING,
            desc = "Counted after the step resumed: send returned with item 2 enqueued, the task's return became"
                    + " CANCELLED. Sent exactly once, as the body saw.")
    @Outcome(id = ".*, SENT, .* none.*", expect = FORBIDDEN, desc = "Lost item: send returned, item 2 is gone.")
    @Outcome(id = ".*, THREW, .* 2.*", expect = FORBIDDEN, desc = "A send that threw enqueued its item.")
    @Outcome(id = ".*LATE", expect = FORBIDDEN, desc = "An item arrived after its sender was done.")
    @Outcome(id = "true, .*, .* SUCCEEDED.*", expect = FORBIDDEN, desc = "Lost request: cancel() true, task succeeded.")
    @Outcome(
            expect = FORBIDDEN,
            desc = "Anything else: item 2 received before item 1 (FIFO, capacity), a sender stuck.")
    @State
    public static class Single extends Sample {
        @Actor
        public void receiver() {
            receive();
        }

        @Actor
        public void canceller(ZLL_Result r) {
            cancel(r);
        }

        @Arbiter
        public void arbiter(ZLL_Result r) {
            r.r3 = settleAndDrain(null);
            r.r2 = first.saw;
        }
    }

    @JCStressTest
    @Outcome(
            id = "false, SENT WAITING SUSPENDED, 1 SUCCEEDED 2",
            expect = ACCEPTABLE,
            desc = "The first sender used the freed slot and finished before the cancel; the second still waits.")
    @Outcome(
            id = "true, THREW SENT SUCCEEDED, 1 CANCELLED 3",
            expect = ACCEPTABLE,
            desc = "The cancel won: the receive's wake-up skipped the cancelled waiter, or the cancelled sender"
                    + " handed it on; either way the second sender took the slot.")
    @Outcome(
            id = "true, SENT WAITING SUSPENDED, 1 CANCELLED 2",
            expect = ACCEPTABLE_INTERESTING,
            desc = "Counted after the first sender's step resumed: item 2 sent, its return became CANCELLED; the"
                    + " second still waits.")
    @Outcome(
            id = ".*, THREW WAITING SUSPENDED, .* none",
            expect = FORBIDDEN,
            desc = "Lost wake-up: the slot is free while the second sender waits for it.")
    @Outcome(id = ".*, SENT SENT .*", expect = FORBIDDEN, desc = "Capacity exceeded: both senders got the one slot.")
    @Outcome(id = ".*LATE", expect = FORBIDDEN, desc = "An item arrived after its sender was done.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else: a lost item or request, a sender stuck, FIFO broken.")
    @State
    public static class PassOn extends Sample {
        final Sender second = new Sender(channel, 3);

        @Actor
        public void receiver() {
            receive();
        }

        @Actor
        public void canceller(ZLL_Result r) {
            cancel(r);
        }

        @Arbiter
        public void arbiter(ZLL_Result r) {
            r.r3 = settleAndDrain(second);
            r.r2 = first.saw + " " + secondView;
        }
    }
}
