package dev.spindle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.spindle.engine.internal.LoopWakeup;
import org.jctools.queues.varhandle.MpscVarHandleArrayQueue;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZ_Result;

/**
 * Loop wake-up: no lost wake-up between a loop deciding to park and a producer enqueueing.
 *
 * <p>The actors replay the two halves of the protocol exactly as {@code EventLoop} runs them, on the
 * real {@link LoopWakeup} and the real external queue type, without parking: {@code loop} announces
 * "parked until T" ({@link LoopWakeup#prepareToPark}) and then checks the queue, as {@code
 * EventLoop.idle()} does; it would park iff the queue looked empty. {@code producer} offers an item and
 * then calls {@link LoopWakeup#wakeUp()}, as {@code EventLoop.enqueue} does; it would unpark the loop iff
 * that returned {@code true}. Both sides store then load across two locations with sequentially
 * consistent accesses (the queue's producer index is CASed, the word is a volatile store), so at least
 * one side sees the other.
 *
 * <p>Result: {@code r1} = the loop saw the item (it stays awake), {@code r2} = the producer claimed the
 * unpark.
 */
@JCStressTest
@Outcome(
        id = "true, false",
        expect = ACCEPTABLE,
        desc = "The producer ran first: it saw AWAKE and did nothing, and the loop's check saw the item.")
@Outcome(
        id = "false, true",
        expect = ACCEPTABLE,
        desc = "The loop checked first and would park; the producer saw the announcement and unparks it.")
@Outcome(
        id = "true, true",
        expect = ACCEPTABLE_INTERESTING,
        desc = "Both saw each other: the loop stays awake and the producer's unpark leaves a harmless permit.")
@Outcome(
        id = "false, false",
        expect = FORBIDDEN,
        desc = "Lost wake-up: the loop parks with an item queued and no producer will unpark it.")
@State
public class LoopWakeupTest {
    private static final long DEADLINE = 1_000;

    private final LoopWakeup wakeup = new LoopWakeup();
    private final MpscVarHandleArrayQueue<Object> queue = new MpscVarHandleArrayQueue<>(4);

    /** The loop's side of {@code EventLoop.idle()}: announce, then check, then (not modelled) park. */
    @Actor
    public void loop(ZZ_Result r) {
        wakeup.prepareToPark(DEADLINE);
        r.r1 = !queue.isEmpty();
    }

    /** The producer's side of {@code EventLoop.enqueue}: offer, then claim the unpark. */
    @Actor
    public void producer(ZZ_Result r) {
        queue.offer(Boolean.TRUE);
        r.r2 = wakeup.wakeUp();
    }
}
