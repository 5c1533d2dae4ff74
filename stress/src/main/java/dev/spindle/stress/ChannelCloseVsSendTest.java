package dev.spindle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.spindle.engine.channel.Channel;
import dev.spindle.engine.channel.ChannelClosedException;
import java.time.Duration;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;

/**
 * Channel close: {@code close()} racing a plain thread's {@code trySend} or {@code sendBlocking}. A send that
 * returned normally is drained by receivers after the close; a refused send threw {@link
 * ChannelClosedException} (or {@code trySend} returned {@code false} on a full channel) and its item never
 * appears; {@code isDrained()} turns true only once every accepted item has been received.
 *
 * <p>The rule (Channel.reserve, close, release, receiveUntil; package documentation, "The state word"): a
 * send takes its slot by CAS on the state word while the CLOSED bit is clear, and {@code close()} sets the bit
 * with an atomic or on the same word, so exactly one comes first. A slot taken first is counted before the
 * bit is set, and the word equals CLOSED (drained) only once that slot's item has been polled and its slot
 * freed; a send that comes second reads the bit and throws. A receive reports the close only when the word
 * is exactly CLOSED. A sender blocked on a full channel registered its waiter before re-checking the word,
 * and {@code close()} sets the bit before waking every sender: it is woken, or its re-check sees the bit.
 *
 * <p>Variants: {@link TrySend} and {@link SendBlocking} on an empty capacity-1 channel (the send has room, so
 * only the close can refuse it); {@link TrySendFull} on a full one (refused either way: {@code false} if it
 * looked before the close, the exception after); {@link SendBlockingFull} on a full one, where the sender
 * blocks until the close wakes it (bounded by {@link LoopBarrier#TIMEOUT}: a lost wake-up times out).
 *
 * <p>Result: {@code r1} = the send's outcome ({@code SENT}, {@code FULL}, {@code CLOSED}, {@code
 * TIMED_OUT}), {@code r2} = {@code close()} returned and {@code isDrained()} read right after it, {@code r3}
 * = the arbiter's drain with {@code receiveBlocking(Duration.ZERO)}: {@code isDrained()} before, each item
 * received, how the receive ended ({@code CLOSED}: reported the close; {@code EMPTY}: returned null while
 * not drained), {@code isDrained()} after.
 */
public final class ChannelCloseVsSendTest {
    private static final String SENT_BEFORE = "The send took its slot before the CLOSED bit: the closer saw it counted"
            + " (not drained), receivers drained the item, then heard the close.";
    private static final String REFUSED = "The close came first: the send threw ChannelClosedException and its item"
            + " never appeared; nothing was accepted, so the channel was drained at once.";

    private ChannelCloseVsSendTest() {}

    @JCStressTest
    @Outcome(id = "SENT, true pending, pending 2 CLOSED drained", expect = ACCEPTABLE, desc = SENT_BEFORE)
    @Outcome(id = "CLOSED, true drained, drained CLOSED drained", expect = ACCEPTABLE, desc = REFUSED)
    @Outcome(id = "SENT, true drained, .*", expect = FORBIDDEN, desc = "Drained reported while a send was accepted.")
    @Outcome(id = "SENT, .*, .* EMPTY .*", expect = FORBIDDEN, desc = "An accepted item was lost (count leaked).")
    @Outcome(id = "CLOSED, .*, .* 2 .*", expect = FORBIDDEN, desc = "A send refused by the close enqueued its item.")
    @Outcome(id = "FULL, .*", expect = FORBIDDEN, desc = "An empty capacity-1 channel reported full.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else: close() refused, a drain that never ends, a stale state.")
    @State
    public static class TrySend {
        private final Channel<String> channel = Channel.mpmc(1);

        @Actor
        public void sender(LLL_Result r) {
            r.r1 = trySend(channel);
        }

        @Actor
        public void closer(LLL_Result r) {
            r.r2 = close(channel);
        }

        @Arbiter
        public void arbiter(LLL_Result r) {
            r.r3 = drain(channel);
        }
    }

    @JCStressTest
    @Outcome(id = "SENT, true pending, pending 2 CLOSED drained", expect = ACCEPTABLE, desc = SENT_BEFORE)
    @Outcome(id = "CLOSED, true drained, drained CLOSED drained", expect = ACCEPTABLE, desc = REFUSED)
    @Outcome(id = "SENT, true drained, .*", expect = FORBIDDEN, desc = "Drained reported while a send was accepted.")
    @Outcome(id = "SENT, .*, .* EMPTY .*", expect = FORBIDDEN, desc = "An accepted item was lost (count leaked).")
    @Outcome(id = "CLOSED, .*, .* 2 .*", expect = FORBIDDEN, desc = "A send refused by the close enqueued its item.")
    @Outcome(id = "TIMED_OUT, .*", expect = FORBIDDEN, desc = "The sender blocked although the channel had room.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else: close() refused, a drain that never ends, a stale state.")
    @State
    public static class SendBlocking {
        private final Channel<String> channel = Channel.mpmc(1);

        @Actor
        public void sender(LLL_Result r) {
            r.r1 = sendBlocking(channel);
        }

        @Actor
        public void closer(LLL_Result r) {
            r.r2 = close(channel);
        }

        @Arbiter
        public void arbiter(LLL_Result r) {
            r.r3 = drain(channel);
        }
    }

    @JCStressTest
    @Outcome(
            id = "FULL, true pending, pending 1 CLOSED drained",
            expect = ACCEPTABLE,
            desc = "The send looked before the close and found the channel full; item 1 drained, then the close.")
    @Outcome(
            id = "CLOSED, true pending, pending 1 CLOSED drained",
            expect = ACCEPTABLE,
            desc = "The close came first: the send threw (closed wins over full); item 1 drained, then the close.")
    @Outcome(id = "SENT, .*", expect = FORBIDDEN, desc = "Capacity exceeded: a full capacity-1 channel took a send.")
    @Outcome(id = ".*, .* drained, .* 1 .*", expect = FORBIDDEN, desc = "Drained reported while item 1 was queued.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else: item 1 lost, item 2 enqueued, a stale state.")
    @State
    public static class TrySendFull {
        private final Channel<String> channel = Channel.mpmc(1);

        public TrySendFull() {
            channel.trySend("1");
        }

        @Actor
        public void sender(LLL_Result r) {
            r.r1 = trySend(channel);
        }

        @Actor
        public void closer(LLL_Result r) {
            r.r2 = close(channel);
        }

        @Arbiter
        public void arbiter(LLL_Result r) {
            r.r3 = drain(channel);
        }
    }

    @JCStressTest
    @Outcome(
            id = "CLOSED, true pending, pending 1 CLOSED drained",
            expect = ACCEPTABLE,
            desc = "Refused: by its first look if the close came first, else by its re-check after registering,"
                    + " or by the wake-up close() sent to every waiting sender.")
    @Outcome(
            id = "TIMED_OUT, .*",
            expect = FORBIDDEN,
            desc = "Lost wake-up: the sender stayed blocked on a closed channel until its time-out.")
    @Outcome(id = "SENT, .*", expect = FORBIDDEN, desc = "Capacity exceeded: a full capacity-1 channel took a send.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else: item 1 lost, drained reported early, a stale state.")
    @State
    public static class SendBlockingFull {
        private final Channel<String> channel = Channel.mpmc(1);

        public SendBlockingFull() {
            channel.trySend("1");
        }

        @Actor
        public void sender(LLL_Result r) {
            r.r1 = sendBlocking(channel);
        }

        @Actor
        public void closer(LLL_Result r) {
            r.r2 = close(channel);
        }

        @Arbiter
        public void arbiter(LLL_Result r) {
            r.r3 = drain(channel);
        }
    }

    private static String trySend(Channel<String> channel) {
        try {
            return channel.trySend("2") ? "SENT" : "FULL";
        } catch (ChannelClosedException closed) {
            return "CLOSED";
        }
    }

    /** Blocks at most {@link LoopBarrier#TIMEOUT}: a close that fails to wake the sender shows as TIMED_OUT. */
    private static String sendBlocking(Channel<String> channel) {
        try {
            return channel.sendBlocking("2", LoopBarrier.TIMEOUT) ? "SENT" : "TIMED_OUT";
        } catch (ChannelClosedException closed) {
            return "CLOSED";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "INTERRUPTED";
        }
    }

    private static String close(Channel<String> channel) {
        boolean closed = channel.close();
        return closed + (channel.isDrained() ? " drained" : " pending");
    }

    /**
     * Receives until the channel reports the close or comes up empty without being drained (a count that
     * leaked). {@code receiveBlocking(Duration.ZERO)} reports the close exactly when {@code tryReceive} would
     * say the channel is empty and {@code isDrained()} is true.
     */
    private static String drain(Channel<String> channel) {
        StringBuilder out = new StringBuilder(channel.isDrained() ? "drained" : "pending");
        for (int i = 0; i < 4; i++) {
            String item;
            try {
                item = channel.receiveBlocking(Duration.ZERO);
            } catch (ChannelClosedException closed) {
                out.append(" CLOSED");
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                out.append(" INTERRUPTED");
                break;
            }
            out.append(' ').append(item == null ? "EMPTY" : item);
            if (item == null) {
                break;
            }
        }
        return out.append(channel.isDrained() ? " drained" : " pending").toString();
    }
}
