package dev.spindle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.spindle.engine.Awaitable;
import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.Promise;
import dev.spindle.engine.Registration;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZI_Result;

/**
 * Done callbacks: {@link Registration#remove()} from one thread racing {@code complete} from another.
 * The callback runs exactly when {@code remove()} returned {@code false}.
 *
 * <p>The rule (DoneCallback): each registration has its own state word, ACTIVE to REMOVED by {@code
 * remove()} or ACTIVE to RAN on the loop just before the callback runs, both by CAS. Completion only
 * dispatches the node; the loop's CAS decides. So a removal that returned {@code true} stops the callback
 * even if the node was already dispatched, and one that returned {@code false} came too late.
 *
 * <p>The arbiter settles the loop ({@link LoopBarrier}) until the callback has run or was removed, then
 * settles once more so that a late run would be seen.
 *
 * <p>Result: {@code r1} = {@code remove()} returned, {@code r2} = times the callback ran.
 */
@JCStressTest
@Outcome(
        id = "true, 0",
        expect = ACCEPTABLE,
        desc = "Removed first (before or after dispatch): the loop skipped the callback.")
@Outcome(id = "false, 1", expect = ACCEPTABLE, desc = "The loop ran the callback first; the removal came too late.")
@Outcome(id = "true, 1", expect = FORBIDDEN, desc = "The callback ran although remove() returned true.")
@Outcome(id = "false, 0", expect = FORBIDDEN, desc = "Lost callback: neither removed nor run.")
@Outcome(expect = FORBIDDEN, desc = "Anything else, such as a callback that ran twice.")
@State
public class RemoveOnDoneVsCompleteTest {
    private static final Engine ENGINE =
            Engine.builder().loops(1).threadNamePrefix("stress-remove-ondone-").build();
    private static final EventLoop LOOP = ENGINE.loop(0);

    private final Promise<Integer> promise = LOOP.newPromise();
    private final AtomicInteger runs = new AtomicInteger();
    private final Registration registration = promise.onDone(this::callback);
    private volatile boolean removed;

    private void callback(Awaitable<Integer> done) {
        runs.incrementAndGet();
    }

    @Actor
    public void remover(ZI_Result r) {
        boolean stopped = registration.remove();
        removed = stopped;
        r.r1 = stopped;
    }

    @Actor
    public void completer() {
        promise.complete(1);
    }

    @Arbiter
    public void arbiter(ZI_Result r) {
        LoopBarrier.settleUntil(LOOP, () -> removed || runs.get() != 0);
        LoopBarrier.settle(LOOP);
        r.r2 = runs.get();
    }
}
