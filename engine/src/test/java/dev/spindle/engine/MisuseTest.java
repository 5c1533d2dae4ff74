package dev.spindle.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * One test per row of docs/misuse.md: every misuse of the public API gets a clear exception that names
 * the problem, and nothing is lost. The display names are the table's row numbers.
 */
class MisuseTest {
    private final Engine engine = Engine.builder().loops(2).build();
    private final EventLoop loop = engine.loop(0);

    @AfterEach
    void close() {
        engine.close();
    }

    /** Runs {@code body} as a coroutine on loop 0 and returns what it threw. */
    private Throwable thrownInCoroutine(Callable<?> body) {
        return loop.spawn(() -> {
                    try {
                        body.call();
                        return null;
                    } catch (Throwable t) {
                        return t;
                    }
                })
                .join();
    }

    @Test
    @DisplayName("M1 null arguments are refused by name")
    void nullArguments() {
        assertThatThrownBy(() -> loop.execute(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("task");
        assertThatThrownBy(() -> loop.submit(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("body");
        assertThatThrownBy(() -> loop.spawn(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("body");
        assertThatThrownBy(() -> loop.schedule(null, () -> {})).hasMessage("delay");
        assertThatThrownBy(() -> loop.schedule(Duration.ZERO, null)).hasMessage("task");
        assertThatThrownBy(() -> loop.newPromise().onDone(null)).hasMessage("callback");
        assertThatThrownBy(() -> loop.newPromise().fail(null)).hasMessage("error");
        assertThatThrownBy(() -> Async.gather(java.util.Arrays.asList((Awaitable<Object>) null)))
                .hasMessageContaining("awaitables");
        assertThatThrownBy(() -> ContextKey.named(null)).hasMessage("name");
        assertThatThrownBy(() -> OffloadOptions.defaults().withPolicy(null)).hasMessage("policy");
    }

    @Test
    @DisplayName("M2 nonsense builder settings are refused by name")
    void nonsenseSettings() {
        Engine.Builder b = Engine.builder();
        assertThatThrownBy(() -> b.loops(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("loops");
        assertThatThrownBy(() -> b.queueCapacity(1)).hasMessageStartingWith("capacity");
        assertThatThrownBy(() -> b.timerTick(Duration.ofNanos(-1))).hasMessageStartingWith("tick");
        assertThatThrownBy(() -> b.ticksPerWheel(3)).hasMessageStartingWith("ticks");
        assertThatThrownBy(() -> b.workers(-2)).hasMessageStartingWith("workers");
        assertThatThrownBy(() -> b.workerQueueCapacity(0)).hasMessageStartingWith("capacity");
        assertThatThrownBy(() -> b.slowStepThreshold(Duration.ofMillis(-1))).hasMessageStartingWith("threshold");
        assertThatThrownBy(() -> b.loopCpus()).hasMessageStartingWith("cpus");
        assertThatThrownBy(() -> b.workerCpus(-1)).hasMessageStartingWith("cpus");
        assertThatThrownBy(() -> b.idleRoundsBeforePark(-1)).hasMessageStartingWith("rounds");
        assertThatThrownBy(() -> b.externalBatch(0)).hasMessageStartingWith("batch");
    }

    @Test
    @DisplayName("M3 awaiting outside a coroutine task")
    void awaitOutsideACoroutine() {
        Promise<String> p = loop.newPromise();
        assertThatThrownBy(() -> Async.await(p)).hasMessageContaining("not inside a coroutine task");
        assertThatThrownBy(() -> Async.sleep(Duration.ofMillis(1))).hasMessageContaining("not inside a coroutine task");
        assertThatThrownBy(Async::yieldNow).hasMessageContaining("not inside a coroutine task");
        assertThatThrownBy(() -> Async.offload(() -> 1)).hasMessageContaining("not inside a coroutine task");
        assertThatThrownBy(() -> loop.submit(() -> Async.await(p)).join())
                .hasMessageContaining("not inside a coroutine task");
    }

    @Test
    @DisplayName("M4 a task awaiting itself")
    void awaitingItself() {
        assertThat(thrownInCoroutine(() -> Async.await(Task.current())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot await on itself");
    }

    @Test
    @DisplayName("M5 blocking a loop thread on an unfinished task")
    void blockingTheLoop() {
        Promise<String> p = loop.newPromise();
        assertThat(thrownInCoroutine(p::join)).hasMessageContaining("would block the loop");
        assertThat(thrownInCoroutine(() -> p.get(Duration.ofSeconds(1)))).hasMessageContaining("would block the loop");
    }

    @Test
    @DisplayName("M6 reading or completing in the wrong state")
    void wrongState() {
        Promise<String> p = loop.newPromise();
        assertThatThrownBy(p::result).isInstanceOf(InvalidStateException.class).hasMessageContaining("not ready");
        p.complete("x");
        assertThatThrownBy(() -> p.setResult("y"))
                .isInstanceOf(InvalidStateException.class)
                .hasMessageContaining("already done");
    }

    @Test
    @DisplayName("M7 loop-only methods called from another thread")
    void loopOnlyFromElsewhere() {
        Task<String> t = loop.spawn(() -> "x");
        assertThatThrownBy(t::uncancel)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("must be called on spindle-loop-0");
        assertThatThrownBy(() -> Async.tryOffload(() -> 1)).hasMessageContaining("must be called on a loop thread");
        assertThat(thrownInCoroutine(() -> engine.shutdown(Duration.ZERO))).hasMessageContaining("from a loop thread");
        assertThat(thrownInCoroutine(engine::allTasks)).hasMessageContaining("would block it");
        assertThat(thrownInCoroutine(() -> engine.runMain(() -> 1)))
                .hasMessageContaining("cannot be called from a running loop");
        Promise<Timeout> handed = loop.newPromise();
        Task<String> timed = loop.spawn(() -> Async.timeout(Duration.ofMinutes(5), scope -> {
            handed.complete(scope);
            Async.sleep(Duration.ofMinutes(5));
            return "never";
        }));
        Timeout scope = handed.join();
        long deadline = scope.when();
        assertThatThrownBy(() -> scope.reschedule(Duration.ofMillis(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("belongs to its task on spindle-loop-0");
        assertThat(scope.when()).as("the refused reschedule moved nothing").isEqualTo(deadline);
        timed.cancel();
        // The static form is refused before it builds an engine, so it leaves no loop or worker running.
        List<Object> refusal = loop.spawn(() -> {
                    long before = spindleThreads();
                    Throwable thrown = null;
                    try {
                        Engine.run(() -> 1);
                    } catch (IllegalStateException e) {
                        thrown = e;
                    }
                    return List.<Object>of(String.valueOf(thrown), spindleThreads() - before);
                })
                .join();
        assertThat((String) refusal.get(0)).contains("cannot be called from a running loop");
        assertThat((Long) refusal.get(1))
                .as("threads started by the refused run")
                .isLessThanOrEqualTo(0L);
    }

    private static long spindleThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("spindle-"))
                .count();
    }

    @Test
    @DisplayName("M8 a TaskGroup used out of order or from another loop")
    void taskGroupMisuse() {
        assertThatThrownBy(TaskGroup::open).hasMessageContaining("cannot determine the parent task");
        assertThat(thrownInCoroutine(() -> new TaskGroup().spawn(() -> 1)))
                .hasMessageContaining("has not been entered");
        assertThat(thrownInCoroutine(() -> {
                    TaskGroup g = TaskGroup.open();
                    g.close();
                    return g.spawn(() -> 1);
                }))
                .hasMessageContaining("is finished");
        assertThat(thrownInCoroutine(() -> {
                    TaskGroup g = TaskGroup.open();
                    try {
                        return Async.await(engine.loop(1).spawn(() -> g.spawn(() -> 1)));
                    } finally {
                        g.close();
                    }
                }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("TaskGroup.spawn() must be called on spindle-loop-0");
    }

    @Test
    @DisplayName("M9 work for a closed engine")
    void closedEngine() {
        Engine closed = Engine.builder().loops(1).build();
        closed.close();
        EventLoop l = closed.loop(0);
        assertThatThrownBy(() -> l.execute(() -> {}))
                .isInstanceOf(RejectedTaskException.class)
                .hasMessageContaining("spindle-loop-0 is shutting down");
        assertThatThrownBy(() -> l.spawn(() -> 1)).isInstanceOf(RejectedTaskException.class);
        assertThatThrownBy(() -> l.submit(() -> 1)).isInstanceOf(RejectedTaskException.class);
        assertThat(closed.workerThreads())
                .as("the worker pool was joined, so no work can reach it")
                .isNotEmpty()
                .noneMatch(Thread::isAlive);
    }

    @Test
    @DisplayName("M10 nonsense durations and collections")
    void nonsenseDurations() {
        assertThatThrownBy(() -> new ManualClock().advance(Duration.ofSeconds(-1)))
                .hasMessageStartingWith("delta");
        assertThat(thrownInCoroutine(() -> Async.wait(List.<Awaitable<Integer>>of(), ReturnWhen.ALL_COMPLETED, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("awaitables");
        assertThat(thrownInCoroutine(() -> Async.timeout(null, s -> 1)))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("delay");
        assertThat(thrownInCoroutine(() -> {
                    Timeout[] kept = new Timeout[1];
                    Async.timeout(Duration.ofSeconds(1), s -> kept[0] = s);
                    kept[0].reschedule(Duration.ofSeconds(1));
                    return null;
                }))
                .hasMessage("Timeout has finished");
        assertThat(thrownInCoroutine(() ->
                        Async.asCompleted(List.<Awaitable<Integer>>of(), null).next()))
                .isInstanceOf(java.util.NoSuchElementException.class);
    }
}
