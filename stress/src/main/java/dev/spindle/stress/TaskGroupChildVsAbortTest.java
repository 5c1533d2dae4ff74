package dev.spindle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.spindle.engine.Async;
import dev.spindle.engine.CancelledException;
import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.Promise;
import dev.spindle.engine.Task;
import dev.spindle.engine.TaskGroup;
import dev.spindle.engine.TaskGroupException;
import dev.spindle.engine.TaskState;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLLL_Result;

/**
 * Task groups across loops: a child on another loop finishing at the moment the group aborts.
 *
 * <p>The rule (TaskGroup: childDone, abort, close; asyncio's {@code TaskGroup}): the group's parent runs on
 * loop 0 and waits in {@code close()}. The remote child runs on loop 1 and reports its end through loop 0's
 * internal queue ({@code BaseAwaitable.onDoneOn}); the abort, on loop 0, cancels it across loops with {@code
 * Task.cancel}, a request counted at once and delivered through loop 1's internal queue. Whichever wins, the
 * child ends with its own outcome (value or failure) or CANCELLED, never both and never neither, and its end
 * reaches the group exactly once. So: the group always finishes; every child is done when {@code close()}
 * returns; the {@link TaskGroupException} holds exactly the failures of the children that ended FAILED, each
 * once; a cancellation the group requested itself is withdrawn ({@code cancelling()} of the parent goes back to
 * 0), while an outside one survives the group (the parent ends CANCELLED, with {@code cancelling() == 1}).
 *
 * <p>How the race is made: each state's constructor spawns the parent, whose body runs {@link TaskGroup#run}
 * with two children, the remote one on loop 1 and a local one on loop 0, each suspended on a promise of its own
 * loop; the constructor waits until all three are suspended. The {@code remoteCompleter} actor completes the
 * remote child's promise from its thread (the child resumes on loop 1 and then succeeds or fails, by variant);
 * the other actor triggers the abort: {@code localCompleter} completes the local child's promise, after which
 * that child fails on loop 0, or {@code canceller} cancels the parent from its thread, whose delivery on loop 0
 * makes {@code close()} abort (in those variants the local child is never released: only the abort ends it).
 * The arbiter waits, bounded, for the parent.
 *
 * <p>Result: {@code r1} = whether the remote child's promise took the value ({@code released}) or had already
 * been cancelled by the abort ({@code refused}), and the remote child's final state; {@code r2} = the same for
 * the local child (its state only, when never released); {@code r3} = how the group ended: {@code TGE(...)}
 * with the failures it holds, R for the remote child's and L for the local child's, sorted ({@code ?} for any
 * other), {@code CANCELLED} for a {@link CancelledException}, {@code RETURNED}, with {@code EARLY} added if a
 * child was not done when the group ended; {@code r4} = the outside {@code cancel()}'s return (cancel variants),
 * the parent's {@code cancelling()} right after the group, and the parent's final state ({@code HUNG} if not
 * done in time).
 */
public class TaskGroupChildVsAbortTest {
    private static final Engine ENGINE =
            Engine.builder().loops(2).threadNamePrefix("stress-group-abort-").build();
    private static final EventLoop GROUP_LOOP = ENGINE.loop(0);
    private static final EventLoop REMOTE_LOOP = ENGINE.loop(1);

    private TaskGroupChildVsAbortTest() {}

    /** Remote child succeeds; the local child's failure aborts the group. */
    @JCStressTest
    @Outcome(
            id = "released SUCCEEDED, released FAILED, TGE(L), 0 SUCCEEDED",
            expect = ACCEPTABLE,
            desc = "The remote child returned before the abort's cancel reached it: refused as done, its value kept.")
    @Outcome(
            id = "refused CANCELLED, released FAILED, TGE(L), 0 SUCCEEDED",
            expect = ACCEPTABLE,
            desc = "The abort's cancel crossed to loop 1 first and cancelled the promise the remote child awaited.")
    @Outcome(
            id = "released CANCELLED, released FAILED, TGE(L), 0 SUCCEEDED",
            expect = ACCEPTABLE_INTERESTING,
            desc = "The remote child had its value but the abort's request was counted before it returned: CANCELLED.")
    @Outcome(id = ".*, .*, .*EARLY.*, .*", expect = FORBIDDEN, desc = "close() returned while a child was not done.")
    @Outcome(
            id = ".*, .*, .*, .* (HUNG|PENDING|RUNNING|SUSPENDED)",
            expect = FORBIDDEN,
            desc = "The group never finished: a child's end or a cancel request was lost between the loops.")
    @Outcome(
            id = ".*, .*, .*, [1-9].*",
            expect = FORBIDDEN,
            desc = "The group's own cancel request leaked out of it: the parent's cancelling() is not back to 0.")
    @Outcome(
            expect = FORBIDDEN,
            desc = "Anything else: the local failure lost or reported twice, a refused remote child that succeeded.")
    @State
    public static class RemoteSucceedsLocalFails {
        private final Scenario scenario = new Scenario(false, true);

        @Actor
        public void remoteCompleter() {
            scenario.releaseRemote();
        }

        @Actor
        public void localCompleter() {
            scenario.releaseLocal();
        }

        @Arbiter
        public void arbiter(LLLL_Result r) {
            scenario.record(r, "");
        }
    }

    /** Both children fail: whichever failure reaches loop 0 first aborts the group and cancels the other. */
    @JCStressTest
    @Outcome(
            id = "released FAILED, released FAILED, TGE(L R), 0 SUCCEEDED",
            expect = ACCEPTABLE,
            desc = "Both failed before the abort's cancel reached the other: both failures are reported, once each.")
    @Outcome(
            id = "refused CANCELLED, released FAILED, TGE(L), 0 SUCCEEDED",
            expect = ACCEPTABLE,
            desc = "The local failure aborted first; its cancel reached loop 1 before the remote child was released.")
    @Outcome(
            id = "released CANCELLED, released FAILED, TGE(L), 0 SUCCEEDED",
            expect = ACCEPTABLE_INTERESTING,
            desc = "The local failure aborted first; the remote child had its value but was cancelled before it"
                    + " could fail.")
    @Outcome(
            id = "released FAILED, refused CANCELLED, TGE(R), 0 SUCCEEDED",
            expect = ACCEPTABLE,
            desc = "The remote failure crossed to loop 0 and aborted first, before the local child was released.")
    @Outcome(
            id = "released FAILED, released CANCELLED, TGE(R), 0 SUCCEEDED",
            expect = ACCEPTABLE_INTERESTING,
            desc = "The remote failure aborted first; the local child had its value but was cancelled before its"
                    + " resumption step.")
    @Outcome(id = ".*, .*, .*EARLY.*, .*", expect = FORBIDDEN, desc = "close() returned while a child was not done.")
    @Outcome(
            id = ".*, .*, .*, .* (HUNG|PENDING|RUNNING|SUSPENDED)",
            expect = FORBIDDEN,
            desc = "The group never finished: a child's end or a cancel request was lost between the loops.")
    @Outcome(
            id = ".*, .*, .*, [1-9].*",
            expect = FORBIDDEN,
            desc = "The group's own cancel request leaked out of it: the parent's cancelling() is not back to 0.")
    @Outcome(
            id = ".* CANCELLED, .* CANCELLED, .*",
            expect = FORBIDDEN,
            desc = "Both children cancelled: the failure that caused the abort was lost.")
    @Outcome(
            expect = FORBIDDEN,
            desc = "Anything else: a failure missing from the TaskGroupException or reported twice, a failure of a"
                    + " child that ended CANCELLED.")
    @State
    public static class RemoteFailsLocalFails {
        private final Scenario scenario = new Scenario(true, true);

        @Actor
        public void remoteCompleter() {
            scenario.releaseRemote();
        }

        @Actor
        public void localCompleter() {
            scenario.releaseLocal();
        }

        @Arbiter
        public void arbiter(LLLL_Result r) {
            scenario.record(r, "");
        }
    }

    /** Remote child succeeds; the parent is cancelled from outside, so close() aborts. */
    @JCStressTest
    @Outcome(
            id = "released SUCCEEDED, CANCELLED, CANCELLED, true 1 CANCELLED",
            expect = ACCEPTABLE,
            desc = "The remote child returned before the abort's cancel reached it; the group ends with the outside"
                    + " cancellation, which stays counted.")
    @Outcome(
            id = "refused CANCELLED, CANCELLED, CANCELLED, true 1 CANCELLED",
            expect = ACCEPTABLE,
            desc = "The abort's cancel reached loop 1 before the remote child was released.")
    @Outcome(
            id = "released CANCELLED, CANCELLED, CANCELLED, true 1 CANCELLED",
            expect = ACCEPTABLE_INTERESTING,
            desc = "The remote child had its value but the abort's request was counted before it returned.")
    @Outcome(id = ".*, .*, .*EARLY.*, .*", expect = FORBIDDEN, desc = "close() returned while a child was not done.")
    @Outcome(
            id = ".*, .*, .*, .* (HUNG|PENDING|RUNNING|SUSPENDED)",
            expect = FORBIDDEN,
            desc = "The group never finished: a child's end or a cancel request was lost between the loops.")
    @Outcome(
            id = ".*, .*, .*, true 0 .*",
            expect = FORBIDDEN,
            desc = "The outside cancel request was withdrawn by the group (cancelling() 0), though the group was"
                    + " still waiting when it came.")
    @Outcome(
            id = ".*, .*, .*, .* [2-9] .*",
            expect = FORBIDDEN,
            desc = "A cancel request the group made itself leaked out of it (cancelling() above 1).")
    @Outcome(
            expect = FORBIDDEN,
            desc = "Anything else: the group ending without the outside CancelledException, the parent not"
                    + " CANCELLED, a refused remote child that succeeded, the never-released local child not"
                    + " CANCELLED.")
    @State
    public static class RemoteSucceedsParentCancelled {
        private final Scenario scenario = new Scenario(false, false);
        private volatile boolean cancelled;

        @Actor
        public void remoteCompleter() {
            scenario.releaseRemote();
        }

        @Actor
        public void canceller() {
            cancelled = scenario.parent.cancel("stress");
        }

        @Arbiter
        public void arbiter(LLLL_Result r) {
            scenario.record(r, cancelled + " ");
        }
    }

    /**
     * Remote child fails; the parent is cancelled from outside. Either may abort the group, and since the
     * remote failure alone can end it, the outside cancel may come after the group, even after the parent.
     */
    @JCStressTest
    @Outcome(
            id = "released FAILED, CANCELLED, TGE(R), true 1 CANCELLED",
            expect = ACCEPTABLE,
            desc = "The failure is reported and the outside request survives the group (re-armed if the group"
                    + " consumed it), so the parent ends CANCELLED.")
    @Outcome(
            id = "released FAILED, CANCELLED, TGE(R), false 0 SUCCEEDED",
            expect = ACCEPTABLE,
            desc = "The remote failure ended the group and the parent returned before the outside cancel: refused.")
    @Outcome(
            id = "released FAILED, CANCELLED, TGE(R), true 0 CANCELLED",
            expect = ACCEPTABLE_INTERESTING,
            desc = "The remote failure ended the group; the outside request was counted after the parent read"
                    + " cancelling(), before it returned.")
    @Outcome(
            id = "refused CANCELLED, CANCELLED, CANCELLED, true 1 CANCELLED",
            expect = ACCEPTABLE,
            desc = "The outside cancel aborted first; the abort's cancel reached loop 1 before the remote child was"
                    + " released.")
    @Outcome(
            id = "released CANCELLED, CANCELLED, CANCELLED, true 1 CANCELLED",
            expect = ACCEPTABLE_INTERESTING,
            desc = "The outside cancel aborted first; the remote child had its value but was cancelled before it"
                    + " could fail.")
    @Outcome(id = ".*, .*, .*EARLY.*, .*", expect = FORBIDDEN, desc = "close() returned while a child was not done.")
    @Outcome(
            id = ".*, .*, .*, .* (HUNG|PENDING|RUNNING|SUSPENDED)",
            expect = FORBIDDEN,
            desc = "The group never finished: a child's end or a cancel request was lost between the loops.")
    @Outcome(
            id = "released FAILED, .*, CANCELLED, .*",
            expect = FORBIDDEN,
            desc = "Lost error: the remote child failed but the group raised only the cancellation.")
    @Outcome(
            id = {".*, .*, .*, true .* SUCCEEDED", ".*, .*, .*, false .* CANCELLED"},
            expect = FORBIDDEN,
            desc = "The outside request was lost inside the group (counted, yet the parent succeeded), or the parent"
                    + " was cancelled by the group's own request, which leaked.")
    @Outcome(
            id = {".*, .*, .*, false [1-9] .*", ".*, .*, .*, .* [2-9] .*"},
            expect = FORBIDDEN,
            desc = "A cancel request the group made itself leaked out of it (cancelling() above the outside count).")
    @Outcome(
            expect = FORBIDDEN,
            desc = "Anything else: the failure reported twice or missing, a refused remote child that failed, the"
                    + " never-released local child not CANCELLED.")
    @State
    public static class RemoteFailsParentCancelled {
        private final Scenario scenario = new Scenario(true, false);
        private volatile boolean cancelled;

        @Actor
        public void remoteCompleter() {
            scenario.releaseRemote();
        }

        @Actor
        public void canceller() {
            cancelled = scenario.parent.cancel("stress");
        }

        @Arbiter
        public void arbiter(LLLL_Result r) {
            scenario.record(r, cancelled + " ");
        }
    }

    /** A failure planned by the test; no stack trace, since only its identity matters. */
    private static final class PlannedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PlannedFailure(String child) {
            super(child + " failed as planned", null, false, false);
        }
    }

    /** The parent, its group and its two children, each child suspended on a promise of its own loop. */
    private static final class Scenario {
        private final boolean remoteFails;
        private final boolean localReleased;
        private final Promise<Integer> remoteRelease = REMOTE_LOOP.newPromise();
        private final Promise<Integer> localRelease = GROUP_LOOP.newPromise();
        private final PlannedFailure remoteFailure = new PlannedFailure("remote");
        private final PlannedFailure localFailure = new PlannedFailure("local");
        private volatile boolean remoteTookValue;
        private volatile boolean localTookValue;
        // Written by the parent's body on loop 0, read by the constructor and the arbiter.
        private volatile Task<Integer> remote;
        private volatile Task<Integer> local;
        private volatile String groupEnded = "NOTHING";
        private volatile int cancellingAfter = -1;
        final Task<Void> parent;

        Scenario(boolean remoteFails, boolean localReleased) {
            this.remoteFails = remoteFails;
            this.localReleased = localReleased;
            parent = GROUP_LOOP.spawn("parent", this::parentBody);
            LoopBarrier.spinUntil(
                    () -> parent.state() == TaskState.SUSPENDED && suspended(remote) && suspended(local), parent);
        }

        private static boolean suspended(Task<?> task) {
            return task != null && task.state() == TaskState.SUSPENDED;
        }

        private Void parentBody() {
            Task<?> self = Task.current();
            if (self.cancelling() != 0) {
                throw new IllegalStateException("the parent starts with a cancel request: " + self);
            }
            CancelledException cancellation = null;
            String ended;
            try {
                TaskGroup.run(group -> {
                    remote = group.spawnOn(REMOTE_LOOP, "remote", this::remoteBody);
                    local = group.spawn("local", this::localBody);
                    return null;
                });
                ended = "RETURNED";
            } catch (TaskGroupException failures) {
                ended = describe(failures.errors());
            } catch (CancelledException cancelled) {
                ended = "CANCELLED";
                cancellation = cancelled;
            }
            if (!remote.isDone() || !local.isDone()) {
                ended += " EARLY";
            }
            groupEnded = ended;
            cancellingAfter = self.cancelling();
            if (cancellation != null) {
                throw cancellation; // the parent ends CANCELLED, as its caller would see it
            }
            return null;
        }

        private Integer remoteBody() {
            Integer value = Async.await(remoteRelease);
            if (remoteFails) {
                throw remoteFailure;
            }
            return value;
        }

        private Integer localBody() {
            Async.await(localRelease);
            throw localFailure;
        }

        /** The failures as R and L, sorted, so that the outcome does not depend on which came first. */
        private String describe(List<Throwable> errors) {
            List<String> names = new ArrayList<>();
            for (Throwable error : errors) {
                names.add(error == remoteFailure ? "R" : error == localFailure ? "L" : "?");
            }
            names.sort(null);
            return "TGE(" + String.join(" ", names) + ")";
        }

        void releaseRemote() {
            remoteTookValue = remoteRelease.complete(1);
        }

        void releaseLocal() {
            localTookValue = localRelease.complete(1);
        }

        void record(LLLL_Result r, String cancelReturned) {
            boolean done = LoopBarrier.awaitDone(parent);
            r.r1 = (remoteTookValue ? "released " : "refused ") + remote.state();
            r.r2 = (localReleased ? (localTookValue ? "released " : "refused ") : "") + local.state();
            r.r3 = groupEnded;
            r.r4 = cancelReturned + cancellingAfter + " " + (done ? parent.state() : "HUNG");
        }
    }
}
