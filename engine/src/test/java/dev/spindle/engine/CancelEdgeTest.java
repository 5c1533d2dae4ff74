package dev.spindle.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Cancels that used to be lost at the edges: a gather cancelled from afar, an outside cancel of a group. */
class CancelEdgeTest {
    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final int FINISHED_PROMISES = 20_000;

    private final Engine engine = Engine.builder().loops(1).build();
    private final EventLoop loop = engine.loop(0);

    @AfterEach
    void close() {
        engine.close();
    }

    /**
     * One pending task first, then many finished promises: the canceller's walk over the promises is long,
     * and the loop finishes the gather as soon as the task ends. A cancel that returned true must find the
     * gather ending with CancelledException, never SUCCEEDED.
     */
    @RepeatedTest(20)
    void gatherCancelledFromAnotherThreadNeverSucceedsAfterCancelReturnedTrue() throws Exception {
        Promise<Object> never = loop.newPromise();
        Task<Object> pending = loop.spawn(() -> Async.await(never));
        List<Awaitable<?>> children = new ArrayList<>(FINISHED_PROMISES + 1);
        children.add(pending);
        for (int i = 0; i < FINISHED_PROMISES; i++) {
            Promise<Object> done = loop.newPromise();
            done.complete(i);
            children.add(done);
        }
        Awaitable<List<Object>> gather =
                loop.submit(() -> Async.gatherReturningExceptions(children)).get(BOUND);
        while (pending.state() != TaskState.SUSPENDED) {
            Thread.onSpinWait();
        }

        boolean accepted = gather.cancel("stop");

        assertThat(accepted).isTrue();
        assertThatThrownBy(() -> gather.get(BOUND))
                .isInstanceOf(CancelledException.class)
                .hasMessageContaining("stop");
        assertThat(pending.isCancelled()).isTrue();
    }

    @Test
    void gatherCancelReturnsFalseAndChangesNothingWhenEveryChildIsDone() throws Exception {
        Promise<Integer> a = loop.newPromise();
        a.complete(1);
        Awaitable<List<Object>> gather =
                loop.submit(() -> Async.gatherReturningExceptions(List.of(a))).get(BOUND);
        assertThat(gather.get(BOUND)).containsExactly(1);
        assertThat(gather.cancel("late")).isFalse();
        assertThat(gather.get(BOUND)).containsExactly(1);
    }

    /**
     * The body calls group.cancel(); while the group waits for a child's cleanup, the parent task is
     * cancelled from outside. asyncio (gh-155433) propagates the cancel: uncancel() leaves it pending.
     */
    @Test
    void taskGroupExitingAfterCancelPropagatesAnOutsideCancel() throws Exception {
        CountDownLatch inCleanup = new CountDownLatch(1);
        Promise<Void> cleanupDone = loop.newPromise();
        AtomicReference<Throwable> groupOutcome = new AtomicReference<>();
        AtomicReference<String> nextAwait = new AtomicReference<>();
        Task<String> parent = loop.spawn(() -> {
            try {
                TaskGroup.run(group -> {
                    group.spawn(() -> {
                        try {
                            return Async.await(loop.<Void>newPromise());
                        } catch (CancelledException e) {
                            inCleanup.countDown();
                            Async.await(cleanupDone); // cleanup that takes a while
                            throw e;
                        }
                    });
                    Async.yieldNow(); // the child starts and suspends
                    group.cancel();
                    return null;
                });
                groupOutcome.set(null);
            } catch (Throwable t) {
                groupOutcome.set(t);
                throw t;
            }
            try {
                Async.yieldNow();
                nextAwait.set("not cancelled");
            } catch (CancelledException e) {
                nextAwait.set("cancelled");
            }
            return "ran on";
        });
        assertThat(inCleanup.await(30, TimeUnit.SECONDS)).isTrue();
        while (parent.state() != TaskState.SUSPENDED) {
            Thread.onSpinWait();
        }

        assertThat(parent.cancel("outside")).isTrue();
        loop.execute(() -> cleanupDone.complete(null));

        assertThatThrownBy(() -> parent.get(BOUND)).isInstanceOf(CancelledException.class);
        assertThat(parent.isCancelled()).isTrue();
        assertThat(groupOutcome.get()).isInstanceOf(CancelledException.class);
        assertThat(nextAwait.get())
                .as("the task must not run on past the group")
                .isNull();
    }

    /** The group's own cancel stays inside it: with no outside request, the group returns normally. */
    @Test
    void taskGroupCancelAloneEndsTheGroupWithoutCancelledException() throws Exception {
        Task<String> parent = loop.spawn(() -> {
            TaskGroup.run(group -> {
                group.spawn(() -> Async.await(loop.<Void>newPromise()));
                Async.yieldNow();
                group.cancel();
                return null;
            });
            Async.yieldNow();
            return "after " + Task.current().cancelling();
        });
        assertThat(parent.get(BOUND)).isEqualTo("after 0");
    }

    /** A cancel that loses to the task's end returns false and leaves the reported message alone. */
    @Test
    void lateCancelReturnsFalseAndKeepsTheMessageOfTheCancelThatEndedTheTask() throws Exception {
        Task<Object> task = loop.spawn(() -> Async.await(loop.newPromise()));
        while (task.state() != TaskState.SUSPENDED) {
            Thread.onSpinWait();
        }
        assertThat(task.cancel("first")).isTrue();
        assertThatThrownBy(() -> task.get(BOUND)).hasMessageContaining("first");
        assertThat(task.cancel("late")).isFalse();
        assertThatThrownBy(task::result)
                .isInstanceOfSatisfying(
                        CancelledException.class,
                        e -> assertThat(e.cancelMessage()).isEqualTo("first"));
    }
}
