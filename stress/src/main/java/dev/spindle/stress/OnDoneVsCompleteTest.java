package dev.spindle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.spindle.engine.Awaitable;
import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.Promise;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Done callbacks: {@code onDone} registration racing {@code complete} from another thread. The callback
 * runs exactly once, on the promise's loop, and sees the value.
 *
 * <p>The rule (BaseAwaitable, "Done callbacks"): the callbacks are a Treiber stack; the completer swaps
 * in CLOSED and dispatches the chain it detached, and a registrant whose CAS meets CLOSED dispatches its
 * own node. Either way the node crosses to the loop through its internal queue and runs there, never
 * inline in {@code onDone} or {@code complete}. The value is written by the completing actor and read on
 * the loop thread, a third thread, through {@code result()}; the {@link PlainBox} field is plain, so only the
 * engine's publication makes it visible.
 *
 * <p>The arbiter settles the loop ({@link LoopBarrier}) until the callback has run, then settles once
 * more so that a duplicate dispatch would have run too.
 *
 * <p>Result: {@code r1} = times the callback ran, {@code r2} = the value it read (-1 if none), {@code
 * r3} = 1 if every run was on the promise's loop thread.
 */
@JCStressTest
@Outcome(
        id = "1, 42, 1",
        expect = ACCEPTABLE,
        desc = "Registered before or after completion, the callback ran once, on the loop, and saw the value.")
@Outcome(
        id = "0, .*",
        expect = FORBIDDEN,
        desc = "Lost callback: neither the completer nor the registrant dispatched it.")
@Outcome(id = "1, 0, .*", expect = FORBIDDEN, desc = "The loop saw the promise done but not the value's field.")
@Outcome(id = ".*, 0", expect = FORBIDDEN, desc = "The callback ran off its loop (inline in onDone or complete).")
@Outcome(expect = FORBIDDEN, desc = "Anything else, such as a callback dispatched twice.")
@State
public class OnDoneVsCompleteTest {
    private static final Engine ENGINE =
            Engine.builder().loops(1).threadNamePrefix("stress-ondone-").build();
    private static final EventLoop LOOP = ENGINE.loop(0);

    private final Promise<PlainBox> promise = LOOP.newPromise();
    private final AtomicInteger runs = new AtomicInteger();
    private volatile int seen = -1;
    private volatile boolean offLoop;

    private void callback(Awaitable<PlainBox> done) {
        runs.incrementAndGet();
        if (!LOOP.inLoop()) {
            offLoop = true;
        }
        PlainBox box = done.result();
        seen = box == null ? -2 : box.value;
    }

    @Actor
    public void registrant() {
        promise.onDone(this::callback);
    }

    @Actor
    public void completer() {
        promise.complete(new PlainBox(42));
    }

    @Arbiter
    public void arbiter(III_Result r) {
        LoopBarrier.settleUntil(LOOP, () -> runs.get() != 0);
        LoopBarrier.settle(LOOP);
        r.r1 = runs.get();
        r.r2 = seen;
        r.r3 = offLoop ? 0 : 1;
    }
}
