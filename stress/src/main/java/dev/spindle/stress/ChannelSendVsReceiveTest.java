package dev.spindle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.spindle.engine.channel.Channel;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZLL_Result;

/**
 * Channel state word and item queue: a plain thread's {@code trySend} racing another's {@code tryReceive} on
 * an MPMC channel. Every item is received exactly once or stays in the channel, in FIFO order, and capacity
 * is exact.
 *
 * <p>The rule (Channel.reserve, publish, tryReceive, release; package documentation, "The state word"): a
 * send takes a slot by CAS on the count while it is below capacity and only then offers its item; a receive
 * polls an item and only then frees its slot with an atomic add of -1. So the count is at least the number
 * of items queued at every moment, a send never finds the queue without room, and an item is taken out only
 * by the one poll that wins it. The three variants:
 *
 * <ul>
 *   <li>{@link Empty}: capacity 1, empty. The send always has room; the receive finds the item or nothing.
 *   <li>{@link Full}: capacity 1, item 1 queued. The receive always takes item 1; the send of item 2 gets
 *       the slot only if the receive freed it first (a poll whose slot is not yet freed still refuses it).
 *   <li>{@link Queued}: capacity 2, item 1 queued. The send of item 2 always has room; the receive always
 *       takes item 1, never item 2 (FIFO), whether or not item 2 is already behind it.
 * </ul>
 *
 * <p>Items are {@link PlainBox}es numbered 1 and 2: the receiver reads the field only through the queue's
 * publication. The arbiter reads {@code size()} and then drains the channel with {@code tryReceive}.
 *
 * <p>Result: {@code r1} = {@code trySend} returned, {@code r2} = the item {@code tryReceive} returned
 * ({@code none}, or {@code TORN} for a box whose field was not visible), {@code r3} = {@code size()} after the
 * actors, then the items the arbiter drained in order.
 */
public final class ChannelSendVsReceiveTest {
    private ChannelSendVsReceiveTest() {}

    @JCStressTest
    @Outcome(
            id = "true, 1, 0 none",
            expect = ACCEPTABLE,
            desc = "The poll came after the offer: the receiver got the item, the channel is empty.")
    @Outcome(
            id = "true, none, 1 1",
            expect = ACCEPTABLE,
            desc = "The poll came before the offer: nothing received, the item waits in the channel.")
    @Outcome(
            id = "false, .*",
            expect = FORBIDDEN,
            desc = "An empty capacity-1 channel refused a send: a receive took a slot or the count leaked.")
    @Outcome(id = "true, none, .* none", expect = FORBIDDEN, desc = "Lost item: sent, never received, not left.")
    @Outcome(id = "true, 1, .* 1", expect = FORBIDDEN, desc = "Duplicated item: received and still in the channel.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else: a torn item, or a count that disagrees with the items.")
    @State
    public static class Empty {
        private final Channel<PlainBox> channel = Channel.mpmc(1);

        @Actor
        public void sender(ZLL_Result r) {
            r.r1 = channel.trySend(new PlainBox(1));
        }

        @Actor
        public void receiver(ZLL_Result r) {
            r.r2 = name(channel.tryReceive());
        }

        @Arbiter
        public void arbiter(ZLL_Result r) {
            r.r3 = drain(channel);
        }
    }

    @JCStressTest
    @Outcome(
            id = "false, 1, 0 none",
            expect = ACCEPTABLE,
            desc = "The send looked before the receive freed the slot: refused as full; item 1 received.")
    @Outcome(
            id = "true, 1, 1 2",
            expect = ACCEPTABLE,
            desc = "The receive freed the slot first: item 1 received, item 2 took the slot and waits.")
    @Outcome(
            id = ".*, 2, .*",
            expect = FORBIDDEN,
            desc = "FIFO broken or capacity exceeded: item 2 was received while item 1 was queued ahead of it.")
    @Outcome(id = "true, .*, .* none", expect = FORBIDDEN, desc = "Lost item: item 2 was accepted but is gone.")
    @Outcome(id = "false, .*, .* 2", expect = FORBIDDEN, desc = "A refused send enqueued its item anyway.")
    @Outcome(
            expect = FORBIDDEN,
            desc = "Anything else: item 1 not received, a torn item, a count that disagrees with the items.")
    @State
    public static class Full {
        private final Channel<PlainBox> channel = Channel.mpmc(1);

        public Full() {
            channel.trySend(new PlainBox(1));
        }

        @Actor
        public void sender(ZLL_Result r) {
            r.r1 = channel.trySend(new PlainBox(2));
        }

        @Actor
        public void receiver(ZLL_Result r) {
            r.r2 = name(channel.tryReceive());
        }

        @Arbiter
        public void arbiter(ZLL_Result r) {
            r.r3 = drain(channel);
        }
    }

    @JCStressTest
    @Outcome(
            id = "true, 1, 1 2",
            expect = ACCEPTABLE,
            desc = "Item 1 received first whether or not item 2 was already queued behind it; item 2 waits.")
    @Outcome(id = "true, 2, .*", expect = FORBIDDEN, desc = "FIFO broken: item 2 overtook item 1.")
    @Outcome(id = "false, .*", expect = FORBIDDEN, desc = "A channel with a free slot refused a send.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else: an item lost, duplicated or torn, a wrong count.")
    @State
    public static class Queued {
        private final Channel<PlainBox> channel = Channel.mpmc(2);

        public Queued() {
            channel.trySend(new PlainBox(1));
        }

        @Actor
        public void sender(ZLL_Result r) {
            r.r1 = channel.trySend(new PlainBox(2));
        }

        @Actor
        public void receiver(ZLL_Result r) {
            r.r2 = name(channel.tryReceive());
        }

        @Arbiter
        public void arbiter(ZLL_Result r) {
            r.r3 = drain(channel);
        }
    }

    /** The box's number, {@code none} for no item, {@code TORN} if its field was not visible. */
    private static String name(PlainBox box) {
        if (box == null) {
            return "none";
        }
        return box.value == 1 || box.value == 2 ? Integer.toString(box.value) : "TORN";
    }

    /** {@code size()}, then every item still in the channel, oldest first ({@code none} if empty). */
    private static String drain(Channel<PlainBox> channel) {
        StringBuilder out = new StringBuilder().append(channel.size()).append(' ');
        int before = out.length();
        PlainBox box;
        while ((box = channel.tryReceive()) != null) {
            out.append(out.length() > before ? " " : "").append(name(box));
        }
        return out.length() > before ? out.toString() : out.append("none").toString();
    }
}
