package dev.spindle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.spindle.engine.internal.LoopWakeup;
import org.jctools.queues.varhandle.MpscVarHandleArrayQueue;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZZ_Result;

/**
 * Loop wake-up with two producers: exactly one of them unparks a loop that has announced a park.
 *
 * <p>The loop has already announced "parked until T" ({@link LoopWakeup#prepareToPark}, in the
 * constructor) and found its queue empty, so it is parked or about to park. Two producers then race:
 * each offers an item and calls {@link LoopWakeup#wakeUp()}, whose {@code getAndSet(AWAKE)} must hand the
 * unpark to exactly one of them: none would strand both items, both would waste an unpark (harmless for
 * {@code LockSupport}, but the protocol promises one unpark per park). The arbiter is the loop after it
 * wakes: it must see both items.
 *
 * <p>Result: {@code r1} and {@code r2} = producer 1 and 2 claimed the unpark, {@code r3} = the woken loop
 * saw both items. (jcstress schedules no more actors than CPUs, and this project's machines have two, so
 * the loop's own announce-and-check racing the producers is {@link LoopWakeupTest}.)
 */
@JCStressTest
@Outcome(
        id = {"true, false, true", "false, true, true"},
        expect = ACCEPTABLE,
        desc = "Exactly one producer claimed the unpark; the woken loop sees both items.")
@Outcome(
        id = "false, false, .*",
        expect = FORBIDDEN,
        desc = "Lost wake-up: the loop announced a park and neither producer unparks it.")
@Outcome(
        id = "true, true, .*",
        expect = FORBIDDEN,
        desc = "Both producers claimed the unpark of one park: the claim is not exclusive.")
@Outcome(
        id = ".*, false",
        expect = FORBIDDEN,
        desc = "The woken loop does not see an item that was offered before the unpark was claimed.")
@State
public class LoopWakeupTwoProducersTest {
    private static final long DEADLINE = 1_000;

    private final LoopWakeup wakeup = new LoopWakeup();
    private final MpscVarHandleArrayQueue<Object> queue = new MpscVarHandleArrayQueue<>(4);

    /** The loop has announced its park and found nothing queued. */
    public LoopWakeupTwoProducersTest() {
        wakeup.prepareToPark(DEADLINE);
    }

    /** The first producer's side of {@code EventLoop.enqueue}: offer, then claim the unpark. */
    @Actor
    public void producer1(ZZZ_Result r) {
        queue.offer(Boolean.TRUE);
        r.r1 = wakeup.wakeUp();
    }

    /** The second producer's side of {@code EventLoop.enqueue}. */
    @Actor
    public void producer2(ZZZ_Result r) {
        queue.offer(Boolean.FALSE);
        r.r2 = wakeup.wakeUp();
    }

    /** The loop after its unpark: it marks itself awake and drains. */
    @Arbiter
    public void wokenLoop(ZZZ_Result r) {
        wakeup.awake();
        r.r3 = queue.size() == 2 && queue.poll() != null && queue.poll() != null;
    }
}
