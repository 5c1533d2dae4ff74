package dev.spindle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.spindle.engine.Engine;
import dev.spindle.engine.Promise;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZI_Result;

/**
 * Promise completion from another thread: once a reader sees the promise done, it sees the whole value.
 *
 * <p>The rule (BaseAwaitable): the outcome is written BEFORE the release store that makes the word
 * terminal and read only AFTER an acquiring load has seen it terminal. The value here is a {@link PlainBox}
 * whose field is plain, not final, so only that ordering makes it visible.
 *
 * <p>Two completers race, {@code complete(new PlainBox(42))} and {@code complete(new PlainBox(7))}; the second then reads
 * the promise as any observer would. The loser learns it lost as soon as the winner has claimed the
 * promise (PENDING to COMPLETING), which may be before the winner has published its value: COMPLETING
 * reads as PENDING, so {@code complete} can return {@code false} while {@code isDone()} is still {@code
 * false}. A caller that lost and needs the value must wait for it ({@code join}, {@code onDone}).
 *
 * <p>Result: {@code r1} = the reader's {@code complete(new PlainBox(7))} won, {@code r2} = the value it read: the
 * box's field, -1 if the promise was not done yet, -2 if done with a null value.
 */
@JCStressTest
@Outcome(id = "true, 7", expect = ACCEPTABLE, desc = "The reader won and reads its own value.")
@Outcome(
        id = "false, 42",
        expect = ACCEPTABLE,
        desc = "The other completer won and published first: the reader sees its value whole.")
@Outcome(
        id = "false, -1",
        expect = ACCEPTABLE_INTERESTING,
        desc = "The other completer had claimed but not yet published: complete() lost while isDone() is false.")
@Outcome(
        id = "false, 0",
        expect = FORBIDDEN,
        desc = "Seen done but the value's field is not visible: the outcome was published without release/acquire.")
@Outcome(id = ".*, -2", expect = FORBIDDEN, desc = "Seen done with a null value: the outcome was not published.")
@Outcome(expect = FORBIDDEN, desc = "Anything else: the winner not done after its complete() returned.")
@State
public class PromisePublicationTest {
    private static final Engine ENGINE = Engine.builder()
            .loops(1)
            .threadNamePrefix("stress-promise-publish-")
            .build();

    private final Promise<PlainBox> promise = ENGINE.loop(0).newPromise();

    @Actor
    public void completer() {
        promise.complete(new PlainBox(42));
    }

    @Actor
    public void completerThenReader(ZI_Result r) {
        r.r1 = promise.complete(new PlainBox(7));
        if (!promise.isDone()) {
            r.r2 = -1;
            return;
        }
        PlainBox box = promise.result();
        r.r2 = box == null ? -2 : box.value;
    }
}
