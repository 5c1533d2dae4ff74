package dev.spindle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.spindle.engine.Async;
import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.Promise;
import dev.spindle.engine.Task;
import dev.spindle.engine.TaskState;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIL_Result;

/**
 * Await/resume: a promise completed on a thread outside the engine racing a coroutine on loop 1 that
 * registers its await. The coroutine resumes exactly once, on its loop, and sees the value.
 *
 * <p>The rule (Task.await, BaseAwaitable.push and fireCallbacks, Task.Resume): {@code Async.await} returns at
 * once if the promise is done; otherwise it pushes a resume node on the promise's callback stack and
 * suspends. The completer swaps CLOSED onto the stack and dispatches the chain it detached; a registrant whose
 * CAS meets CLOSED dispatches its own node. The node is dispatched exactly once either way, and it resumes the
 * task on its loop: relayed through loop 1's internal queue when the promise is loop 1's own ({@code local}),
 * or, when the promise belongs to loop 0 ({@code cross}), run inline on the completing thread, which sends the
 * task itself to loop 1's internal queue. States alternate between the two.
 *
 * <p>How the race is made: the constructor spawns the task on loop 1 and waits until it is suspended on a
 * gate. The {@code registrant} actor opens the gate, so the task resumes on loop 1 and goes straight to its
 * await, while the {@code completer} actor completes the promise. A duplicate resumption would not be visible
 * once the task is done, so after the await the body waits on a tail promise: the arbiter settles loop 1 until
 * the body is parked there, settles it once more (a duplicate resumption sent before that would have run and
 * woken the tail's await with the tail not done, failing the task), and only then completes the tail.
 *
 * <p>Result: {@code r1} = how many times the body passed its await, {@code r2} = the value it saw (0 if its
 * field was not visible, -1 if none), {@code r3} = the promise's loop, whether the body found it already done
 * ({@code done}) or suspended on it ({@code waited}), and the task's final state.
 */
@JCStressTest
@Outcome(
        id = "1, 42, (local|cross) waited SUCCEEDED",
        expect = ACCEPTABLE,
        desc = "Registered before or during the completion: resumed once through the resume node, saw the value.")
@Outcome(
        id = "1, 42, (local|cross) done SUCCEEDED",
        expect = ACCEPTABLE,
        desc = "Completed before the await: it returned at once without suspending, with the value.")
@Outcome(
        id = "0, .*",
        expect = FORBIDDEN,
        desc = "Lost wake-up: neither the completer nor the registrant dispatched the resume node.")
@Outcome(
        id = "1, 0, .*",
        expect = FORBIDDEN,
        desc = "Resumed without seeing the value's field: the completion did not publish it.")
@Outcome(
        id = ".*, .*, .* FAILED",
        expect = FORBIDDEN,
        desc = "Resumed twice: a duplicate resumption woke the tail's await while the tail was not done.")
@Outcome(expect = FORBIDDEN, desc = "Anything else, such as a task never done or a body that passed its await twice.")
@State
public class PromiseCompleteVsAwaitTest {
    private static final Engine ENGINE =
            Engine.builder().loops(2).threadNamePrefix("stress-await-").build();
    private static final EventLoop OTHER = ENGINE.loop(0);
    private static final EventLoop HOME = ENGINE.loop(1);
    private static final AtomicInteger STATES = new AtomicInteger();

    private final boolean cross = (STATES.getAndIncrement() & 1) == 0;
    private final Promise<PlainBox> promise = (cross ? OTHER : HOME).newPromise();
    private final Promise<Void> gate = HOME.newPromise();
    private final Promise<Void> tail = HOME.newPromise();
    private final AtomicInteger passes = new AtomicInteger();
    private volatile int seen = -1;
    private volatile boolean foundDone;
    private volatile boolean atTail;
    private final Task<Integer> task = HOME.spawn(this::body);

    public PromiseCompleteVsAwaitTest() {
        LoopBarrier.spinUntil(() -> task.state() == TaskState.SUSPENDED, task);
    }

    private Integer body() {
        Async.await(gate);
        foundDone = promise.isDone();
        PlainBox box = Async.await(promise);
        passes.incrementAndGet();
        seen = box.value;
        atTail = true;
        Async.await(tail);
        return seen;
    }

    @Actor
    public void registrant() {
        gate.complete(null);
    }

    @Actor
    public void completer() {
        promise.complete(new PlainBox(42));
    }

    @Arbiter
    public void arbiter(IIL_Result r) {
        LoopBarrier.settleUntil(HOME, () -> atTail || task.isDone());
        LoopBarrier.settle(HOME);
        tail.complete(null);
        LoopBarrier.awaitDone(task);
        r.r1 = passes.get();
        r.r2 = seen;
        r.r3 = (cross ? "cross " : "local ") + (foundDone ? "done " : "waited ") + task.state();
    }
}
