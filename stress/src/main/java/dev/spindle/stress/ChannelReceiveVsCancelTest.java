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
 * Channel waiters under cancellation: a send from a plain thread racing {@code cancel()} of a coroutine task
 * suspended in {@code receive()}. The item is received by the task or stays in the channel, never lost,
 * never both.
 *
 * <p>The rule (Channel.receive, leaveReceivers, WaiterQueue; package documentation, "No lost or duplicated
 * item under cancellation"): nothing is reserved for a waiter. The send offers the item, then completes the
 * oldest waiter's promise; the cancel, delivered on the loop, cancels that same promise; one CAS decides.
 * If the cancel wins, the send's wake-up skips the waiter. If the wake-up wins but the cancel is counted
 * before the resumption step, the await throws (MUST_CANCEL), the receiver takes nothing, and, finding the
 * wake-up on its waiter, hands it to the next receiver while the item is there. If the cancel is counted
 * after the step resumed, {@code receive()} returns the item to the body, and the task's return becomes
 * CANCELLED (the engine's rule for a cancel that lands while a step runs): the body has the item, the task's
 * value is discarded, so a caller that must not lose it records it in the body.
 *
 * <p>How the race is made: each state's constructor spawns the receiver on the class's loop and waits until
 * it is suspended ({@link LoopBarrier#spinUntil}), which it is only after its waiter is queued. The {@code
 * sender} actor sends one {@link PlainBox} from its thread; the {@code canceller} actor cancels the task from
 * its own. The arbiter waits for the task, settles the loop, and takes what is left with {@code tryReceive}.
 * Variants: {@link TrySend} and {@link SendBlocking} (the blocking path: the channel has room, so it never
 * blocks); {@link PassOn} queues a second receiver behind the first, which must get the item whenever the
 * first does not: a wake-up the cancelled receiver refused or gave up is passed on, never lost.
 *
 * <p>Result: {@code r1} = {@code cancel()} returned, {@code r2} = what the receiving bodies got, {@code r3} =
 * the state of the cancelled task and what the arbiter found in the channel ({@code left} or {@code none}).
 */
public final class ChannelReceiveVsCancelTest {
    private static final Engine ENGINE = Engine.builder()
            .loops(1)
            .threadNamePrefix("stress-channel-receive-")
            .build();
    private static final EventLoop LOOP = ENGINE.loop(0);

    private ChannelReceiveVsCancelTest() {}

    /** A coroutine suspended in {@code receive()}, and what its body got; the body runs on {@link #LOOP}. */
    private static final class Receiver {
        private final Channel<PlainBox> channel;
        private final Task<PlainBox> task;
        /** Written by the body only: ITEM, TORN (field not visible), TWICE (received twice), or NOTHING. */
        private volatile String got = "NOTHING";

        Receiver(Channel<PlainBox> channel) {
            this.channel = channel;
            this.task = LOOP.spawn(this::body);
            LoopBarrier.spinUntil(() -> task.state() == TaskState.SUSPENDED, task);
        }

        private PlainBox body() {
            PlainBox box = channel.receive(); // CancelledException ends the task: it took nothing
            got = !got.equals("NOTHING") ? "TWICE" : box.value == 42 ? "ITEM" : "TORN";
            return box;
        }
    }

    /** The common part of a sample: the channel, the suspended receiver(s), the arbiter's checks. */
    private abstract static class Sample {
        final Channel<PlainBox> channel = Channel.mpmc(1);
        final Receiver first = new Receiver(channel);
        /** Whether the sender's call returned normally; a refusal would be a bug of its own. */
        volatile boolean sent;
        /** PassOn: the second receiver's state once the loop settled. */
        TaskState secondState;

        void cancel(ZLL_Result r) {
            r.r1 = first.task.cancel("stress");
        }

        /** Waits for the cancelled task and for anything its ending handed to the loop, then drains. */
        String settleAndDrain(Receiver second) {
            if (!LoopBarrier.awaitDone(first.task)) {
                return "STUCK " + first.task.state();
            }
            // A wake-up handed on to the second receiver resumes it through the loop: it is done, or the item
            // is gone (the first took it). A lost wake-up leaves the item in the channel and times out here.
            LoopBarrier.settleUntil(LOOP, () -> second == null || second.task.isDone() || channel.size() == 0);
            LoopBarrier.settle(LOOP);
            if (second != null) {
                secondState = second.task.state();
                if (!secondState.isDone()) {
                    // It waits for a next item that never comes (or for a wake-up that was lost): end it.
                    second.task.cancel("stress: end of sample");
                    LoopBarrier.awaitDone(second.task);
                }
            }
            PlainBox left = channel.tryReceive();
            String what = first.task.state() + (left == null ? " none" : left.value == 42 ? " left" : " TORN");
            return sent ? what : what + " REFUSED";
        }
    }

    @JCStressTest
    @Outcome(
            id = "false, ITEM, SUCCEEDED none",
            expect = ACCEPTABLE,
            desc = "The receiver was resumed and finished with the item before the cancel: refused as done.")
    @Outcome(
            id = "true, NOTHING, CANCELLED left",
            expect = ACCEPTABLE,
            desc = "The cancel won (its promise cancelled first, or counted before the resumption step made the"
                    + " await throw): the receiver took nothing, the item stays in the channel.")
    @Outcome(
            id = "true, ITEM, CANCELLED none",
            expect = ACCEPTABLE_INTERESTING,
            desc = "Counted after the step resumed: receive() returned the item to the body, whose return became"
                    + " CANCELLED. Delivered once, to the body; the task's value is discarded.")
    @Outcome(id = ".*, NOTHING, .* none.*", expect = FORBIDDEN, desc = "Lost item: neither received nor left.")
    @Outcome(id = ".*, ITEM, .* left.*", expect = FORBIDDEN, desc = "Duplicated item: received and still left.")
    @Outcome(id = "true, .*, SUCCEEDED.*", expect = FORBIDDEN, desc = "Lost request: cancel() true, task succeeded.")
    @Outcome(
            expect = FORBIDDEN,
            desc = "Anything else: a task stuck, received twice or torn, a refused send, a cancel refused while"
                    + " the task was cancelled.")
    @State
    public static class TrySend extends Sample {
        @Actor
        public void sender() {
            sent = channel.trySend(new PlainBox(42));
        }

        @Actor
        public void canceller(ZLL_Result r) {
            cancel(r);
        }

        @Arbiter
        public void arbiter(ZLL_Result r) {
            r.r3 = settleAndDrain(null);
            r.r2 = first.got;
        }
    }

    @JCStressTest
    @Outcome(
            id = "false, ITEM, SUCCEEDED none",
            expect = ACCEPTABLE,
            desc = "The receiver was resumed and finished with the item before the cancel: refused as done.")
    @Outcome(
            id = "true, NOTHING, CANCELLED left",
            expect = ACCEPTABLE,
            desc = "The cancel won: the receiver took nothing, the item stays in the channel.")
    @Outcome(
            id = "true, ITEM, CANCELLED none",
            expect = ACCEPTABLE_INTERESTING,
            desc = "Counted after the step resumed: the body got the item, its return became CANCELLED.")
    @Outcome(id = ".*, NOTHING, .* none.*", expect = FORBIDDEN, desc = "Lost item: neither received nor left.")
    @Outcome(id = ".*, ITEM, .* left.*", expect = FORBIDDEN, desc = "Duplicated item: received and still left.")
    @Outcome(id = "true, .*, SUCCEEDED.*", expect = FORBIDDEN, desc = "Lost request: cancel() true, task succeeded.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else: a task stuck, received twice or torn, a send that failed.")
    @State
    public static class SendBlocking extends Sample {
        @Actor
        public void sender() {
            try {
                channel.sendBlocking(new PlainBox(42)); // room for it: returns without blocking
                sent = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Actor
        public void canceller(ZLL_Result r) {
            cancel(r);
        }

        @Arbiter
        public void arbiter(ZLL_Result r) {
            r.r3 = settleAndDrain(null);
            r.r2 = first.got;
        }
    }

    /**
     * {@code r2} = which body got the item ({@code FIRST}, {@code SECOND}, {@code NOBODY}, or both), then the
     * second receiver's state once the loop settled: SUSPENDED, or SUCCEEDED if it got the item. The arbiter
     * then cancels the second receiver if it still waits.
     */
    @JCStressTest
    @Outcome(
            id = "false, FIRST SUSPENDED, SUCCEEDED none",
            expect = ACCEPTABLE,
            desc = "The first receiver got the item and finished before the cancel; the second still waits.")
    @Outcome(
            id = "true, SECOND SUCCEEDED, CANCELLED none",
            expect = ACCEPTABLE,
            desc = "The cancel won: the send's wake-up skipped the cancelled waiter, or the cancelled receiver"
                    + " handed it on; either way the second receiver got the item.")
    @Outcome(
            id = "true, FIRST SUSPENDED, CANCELLED none",
            expect = ACCEPTABLE_INTERESTING,
            desc = "Counted after the first receiver's step resumed: its body got the item, its return became"
                    + " CANCELLED; the second still waits.")
    @Outcome(
            id = ".*, NOBODY SUSPENDED, .* left.*",
            expect = FORBIDDEN,
            desc = "Lost wake-up: the item is in the channel while the second receiver waits for it.")
    @Outcome(id = ".*, NOBODY .*", expect = FORBIDDEN, desc = "Lost item, or a receiver stuck.")
    @Outcome(id = ".*, FIRST SECOND .*", expect = FORBIDDEN, desc = "Duplicated item: both receivers got it.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else: a lost request, a torn item, a refused send.")
    @State
    public static class PassOn extends Sample {
        final Receiver second = new Receiver(channel);

        @Actor
        public void sender() {
            sent = channel.trySend(new PlainBox(42));
        }

        @Actor
        public void canceller(ZLL_Result r) {
            cancel(r);
        }

        @Arbiter
        public void arbiter(ZLL_Result r) {
            r.r3 = settleAndDrain(second);
            String who = (first.got.equals("ITEM") ? "FIRST " : "") + (second.got.equals("ITEM") ? "SECOND " : "");
            if (!first.got.equals("ITEM") && !first.got.equals("NOTHING")) {
                who += first.got + " ";
            }
            if (!second.got.equals("ITEM") && !second.got.equals("NOTHING")) {
                who += second.got + " ";
            }
            r.r2 = (who.isEmpty() ? "NOBODY " : who) + secondState;
        }
    }
}
