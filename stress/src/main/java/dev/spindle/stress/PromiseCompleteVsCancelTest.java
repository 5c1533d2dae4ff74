package dev.spindle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.spindle.engine.Engine;
import dev.spindle.engine.Promise;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZL_Result;

/**
 * Promise completion: {@code complete(v)} racing {@code cancel()} from two threads, then a late {@code
 * complete(w)}.
 *
 * <p>The rule (Promise, BaseAwaitable.claim): every completer CASes PENDING to COMPLETING; exactly one
 * wins, publishes its outcome and makes the word terminal, and every later attempt returns {@code
 * false}. The final state and value are the winner's.
 *
 * <p>The arbiter plays a third completer that arrives after both actors: it must lose whoever won.
 * (jcstress schedules no more actors than CPUs and this project's machines have two; the soak races
 * three threads completing and cancelling the same promises.)
 *
 * <p>Result: {@code r1} = {@code complete(1)} won, {@code r2} = {@code cancel()} won, {@code r3} = the
 * outcome read afterwards ("1", "CANCELLED", or a description of what went wrong).
 */
@JCStressTest
@Outcome(
        id = "true, false, 1",
        expect = ACCEPTABLE,
        desc = "complete(1) won: the promise holds 1 and the cancel and the late complete(2) were refused.")
@Outcome(
        id = "false, true, CANCELLED",
        expect = ACCEPTABLE,
        desc = "cancel() won: the promise is cancelled and both completions were refused.")
@Outcome(id = "true, true, .*", expect = FORBIDDEN, desc = "Both won: the claim is not exclusive.")
@Outcome(id = "false, false, .*", expect = FORBIDDEN, desc = "Neither won: a PENDING promise refused both.")
@Outcome(expect = FORBIDDEN, desc = "The state or value does not match the winner, or the late complete(2) succeeded.")
@State
public class PromiseCompleteVsCancelTest {
    private static final Engine ENGINE =
            Engine.builder().loops(1).threadNamePrefix("stress-promise-race-").build();

    private final Promise<Integer> promise = ENGINE.loop(0).newPromise();

    @Actor
    public void completer(ZZL_Result r) {
        r.r1 = promise.complete(1);
    }

    @Actor
    public void canceller(ZZL_Result r) {
        r.r2 = promise.cancel("stress");
    }

    @Arbiter
    public void arbiter(ZZL_Result r) {
        if (promise.complete(2)) {
            r.r3 = "late complete(2) won";
        } else if (!promise.isDone()) {
            r.r3 = "not done: " + promise.state();
        } else if (promise.isCancelled()) {
            r.r3 = "CANCELLED";
        } else {
            r.r3 = String.valueOf(promise.result());
        }
    }
}
