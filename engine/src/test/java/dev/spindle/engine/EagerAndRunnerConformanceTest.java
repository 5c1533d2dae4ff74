package dev.spindle.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The eager / runner / loop bundle (scenario 60) and rules A15, A16. */
class EagerAndRunnerConformanceTest extends LoopTestSupport {

    @Test
    @DisplayName("60 test_cancellation_after_eager_completion")
    void cancellationAfterEagerCompletion() {
        run(() -> {
            Task<String> t = loop.spawnEager("eager", () -> "done at once");
            assertThat(t.isDone()).isTrue();
            assertThat(t.cancel()).isFalse();
            assertThat(t.result()).isEqualTo("done at once");
            List<String> callbacks = new CopyOnWriteArrayList<>();
            t.onDone(done -> callbacks.add("called"));
            assertThat(callbacks)
                    .as("callbacks still go through the ready queue")
                    .isEmpty();
            Async.yieldNow();
            assertThat(callbacks).containsExactly("called");
            return null;
        });
    }

    @Test
    @DisplayName("60 test_cancellation_after_eager_step_blocks")
    void cancellationAfterEagerStepBlocks() {
        run(() -> {
            Task<String> t = loop.spawnEager("eager", () -> {
                Async.sleep(Duration.ofSeconds(10));
                return "never";
            });
            assertThat(t.isDone()).isFalse();
            t.cancel("msg");
            assertThatThrownBy(() -> Async.await(t))
                    .isInstanceOf(CancelledException.class)
                    .satisfies(e ->
                            assertThat(((CancelledException) e).cancelMessage()).isEqualTo("msg"));
            return null;
        });
    }

    @Test
    @DisplayName("60 test_all_tasks_with_eager_completion")
    void allTasksWithEagerCompletion() {
        AtomicReference<List<Task<?>>> duringStep = new AtomicReference<>();
        run(() -> {
            Task<String> t = loop.spawnEager("eager", () -> {
                duringStep.set(loop.allTasks());
                return "done";
            });
            assertThat(duringStep.get()).contains(t);
            assertThat(loop.allTasks()).doesNotContain(t);
            return null;
        });
    }

    @Test
    @DisplayName("A15.1 the eager step runs inside spawnEager, with the task current")
    void eagerStepRunsSynchronously() {
        run(() -> {
            Task<?> parent = Task.current();
            AtomicReference<Task<?>> currentInStep = new AtomicReference<>();
            Task<String> t = loop.spawnEager("eager", () -> {
                currentInStep.set(Task.current());
                Async.yieldNow();
                return "second step";
            });
            assertThat(currentInStep.get()).isSameAs(t);
            assertThat(Task.current()).isSameAs(parent);
            assertThat(Async.await(t)).isEqualTo("second step");
            return null;
        });
    }

    @Test
    @DisplayName("60 test_asyncio_run_reports_hanging_tasks_errors")
    void runReportsHangingTasksErrors() {
        AtomicReference<Task<?>> hanging = new AtomicReference<>();
        String result = engine.runMain(() -> {
            Promise<Void> never = loop.newPromise();
            hanging.set(loop.spawn("hanger", () -> {
                try {
                    Async.await(never);
                } catch (CancelledException e) {
                    throw new IllegalStateException("boom during cancel");
                }
                return null;
            }));
            Async.yieldNow();
            return "main result";
        });
        assertThat(result).isEqualTo("main result");
        assertThat(reports).singleElement().satisfies(r -> {
            assertThat(r.message()).matches("unhandled exception during Engine.run\\(\\) shutdown");
            assertThat(r.error()).hasMessage("boom during cancel");
            assertThat(r.source()).isSameAs(hanging.get());
        });
    }

    @Test
    @DisplayName("A16.3 Engine.run cancels leftovers once and waits for them")
    void runCancelsLeftoversOnce() {
        AtomicReference<Task<String>> leftover = new AtomicReference<>();
        engine.runMain(() -> {
            Promise<String> never = loop.newPromise();
            leftover.set(loop.spawn(() -> {
                Async.await(never);
                return "never";
            }));
            return null;
        });
        assertThat(leftover.get().isCancelled()).isTrue();
        assertThat(leftover.get().cancelling()).isEqualTo(1);
        assertThat(reports).isEmpty();
    }

    @Test
    void runPropagatesTheMainFailureAndRefusesLoopThreads() {
        IllegalArgumentException boom = new IllegalArgumentException("main failed");
        assertThatThrownBy(() -> engine.runMain(() -> {
                    throw boom;
                }))
                .isSameAs(boom);
        Task<Object> nested = loop.submit(() -> engine.runMain(() -> "x"));
        assertThatThrownBy(nested::join)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot be called from a running loop");
    }

    @Test
    void staticRunUsesAFreshEngine() {
        assertThat(Engine.run(() -> {
                    Async.sleep(Duration.ofMillis(1));
                    return Thread.currentThread().getName();
                }))
                .isEqualTo("spindle-loop-0");
    }

    @Test
    void theMainTaskCopiesTheCallersContext() {
        ContextKey<String> key = ContextKey.named("request");
        key.set("from the caller");
        try {
            assertThat(engine.runMain(key::get)).isEqualTo("from the caller");
        } finally {
            key.remove();
        }
    }
}
