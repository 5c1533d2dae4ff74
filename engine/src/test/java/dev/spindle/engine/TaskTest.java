package dev.spindle.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TaskTest {
    private final List<Throwable> fatal = new CopyOnWriteArrayList<>();
    private final Engine engine = Engine.builder()
            .loops(1)
            .fatalHandler((message, error, source) -> fatal.add(error))
            .build();
    private final EventLoop loop = engine.loop(0);

    @AfterEach
    void close() {
        engine.close();
    }

    /** Occupies the loop until the returned latch is released. */
    private CountDownLatch blockLoop() throws InterruptedException {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        entered.await();
        return release;
    }

    @Test
    void submitRunsTheBodyAndReportsItsValue() {
        Task<Integer> t = loop.submit(() -> 6 * 7);
        assertThat(t.join()).isEqualTo(42);
        assertThat(t.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(t.exception()).isNull();
        assertThat(t.cancel()).isFalse();
    }

    @Test
    void aTaskCancelledBeforeItsFirstStepNeverRunsItsBody() throws Exception {
        CountDownLatch release = blockLoop();
        AtomicBoolean ran = new AtomicBoolean();
        Task<String> t = loop.submit(() -> {
            ran.set(true);
            return "ran";
        });
        assertThat(t.cancel("my message")).isTrue();
        assertThat(t.isDone())
                .as("cancel is delivered at the next step, not at once")
                .isFalse();
        assertThat(t.cancelling()).isEqualTo(1);
        release.countDown();
        assertThatThrownBy(t::join)
                .isInstanceOf(CancelledException.class)
                .satisfies(e ->
                        assertThat(((CancelledException) e).cancelMessage()).isEqualTo("my message"));
        assertThat(ran).isFalse();
        assertThat(t.isCancelled()).isTrue();
        assertThat(t.cancel()).isFalse();
    }

    @Test
    void aTaskCancelledWhileRunningEndsCancelledEvenIfItReturns() {
        Task<String> t = loop.submit(() -> {
            Task.current().cancel("self");
            return "value";
        });
        assertThatThrownBy(t::join).isInstanceOf(CancelledException.class).hasMessage("self");
        assertThat(t.state()).isEqualTo(TaskState.CANCELLED);
    }

    @Test
    void repeatedCancelsAreCountedAndUncancelWithdrawsThem() throws Exception {
        CountDownLatch release = blockLoop();
        AtomicReference<Task<String>> target = new AtomicReference<>();
        // Queued before the target, so it runs first and withdraws both requests.
        Task<Integer> withdraw =
                loop.submit(() -> target.get().uncancel() * 10 + target.get().uncancel());
        Task<String> t = loop.submit(() -> "v");
        target.set(t);
        assertThat(t.cancel()).isTrue();
        assertThat(t.cancel()).isTrue();
        assertThat(t.cancelling()).isEqualTo(2);
        assertThat(t.toString()).contains("cancelling=2");
        assertThatThrownBy(t::uncancel)
                .as("uncancel() belongs to the task's loop")
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("must be called on spindle-loop-0");
        release.countDown();
        assertThat(withdraw.join()).isEqualTo(10);
        assertThat(t.join()).as("every request withdrawn: the task runs").isEqualTo("v");
        assertThat(t.cancelling()).isZero();
    }

    @Test
    void aBodyThatThrowsCancelledExceptionEndsCancelled() {
        Task<String> t = loop.submit(() -> {
            throw new CancelledException("inner");
        });
        assertThatThrownBy(t::join).isInstanceOf(CancelledException.class).hasMessage("inner");
        assertThat(t.isCancelled()).isTrue();
    }

    @Test
    void uncheckedFailuresAreRethrownAsTheyAreCheckedOnesWrapped() {
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        Task<String> unchecked = loop.submit(() -> {
            throw boom;
        });
        assertThatThrownBy(unchecked::join).isSameAs(boom);
        assertThat(unchecked.state()).isEqualTo(TaskState.FAILED);

        Task<String> checked = loop.submit(() -> {
            throw new IOException("disk");
        });
        assertThatThrownBy(checked::join)
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(IOException.class);
        assertThat(checked.exception()).isInstanceOf(IOException.class);
    }

    @Test
    void anErrorFailsTheTaskAndReachesTheFatalHandler() {
        Task<String> t = loop.submit(() -> {
            throw new StackOverflowError("deep");
        });
        assertThatThrownBy(t::join).isInstanceOf(StackOverflowError.class);
        Settle.settle(loop);
        assertThat(fatal).hasSize(1).first().isInstanceOf(StackOverflowError.class);
        assertThat(loop.submit(() -> "alive").join()).isEqualTo("alive");
    }

    @Test
    void defaultNamesComeFromOneProcessWideCounter() {
        Task<String> a = loop.submit(() -> "a");
        Task<String> b = engine.submit(() -> "b");
        Task<String> named = loop.submit("fetch", () -> "n");
        long na = Long.parseLong(a.name().substring("Task-".length()));
        long nb = Long.parseLong(b.name().substring("Task-".length()));
        assertThat(a.name()).startsWith("Task-");
        assertThat(nb).isGreaterThan(na);
        assertThat(named.name()).isEqualTo("fetch");
        named.setName("renamed");
        assertThat(named.name()).isEqualTo("renamed");
    }

    @Test
    void currentIsTheRunningTaskOnlyInsideItsStep() {
        AtomicReference<Task<?>> seen = new AtomicReference<>();
        Task<String> t = loop.submit(() -> {
            seen.set(Task.current());
            return "x";
        });
        t.join();
        assertThat(seen.get()).isSameAs(t);
        assertThat(Task.current()).isNull();
    }

    @Test
    void readingAPendingTaskIsAnInvalidState() throws Exception {
        CountDownLatch release = blockLoop();
        Task<String> t = loop.submit(() -> "x");
        assertThat(t.state()).isEqualTo(TaskState.PENDING);
        assertThatThrownBy(t::result).isInstanceOf(InvalidStateException.class);
        assertThatThrownBy(t::exception).isInstanceOf(InvalidStateException.class);
        release.countDown();
        assertThat(t.join()).isEqualTo("x");
    }

    @Test
    void stateIsRunningInsideTheBody() {
        AtomicReference<TaskState> seen = new AtomicReference<>();
        Task<String> t = loop.submit(() -> {
            seen.set(Task.current().state());
            return "x";
        });
        t.join();
        assertThat(seen.get()).isEqualTo(TaskState.RUNNING);
    }
}
