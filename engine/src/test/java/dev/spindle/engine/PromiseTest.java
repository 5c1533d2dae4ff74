package dev.spindle.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PromiseTest {
    private final Engine engine = Engine.builder().loops(1).build();
    private final EventLoop loop = engine.loop(0);

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    @DisplayName("test_callbacks_invoked_on_set_result")
    void callbacksInvokedOnSetResult() {
        List<Integer> bag = new ArrayList<>();
        List<Integer> seenWhenSetResultReturned = new ArrayList<>();
        List<Integer> seenAfterOneTick = new ArrayList<>();
        loop.submit(() -> {
                    Promise<Integer> f = loop.newPromise();
                    f.onDone(done -> bag.add(42));
                    f.onDone(done -> bag.add(17));
                    f.setResult(1);
                    seenWhenSetResultReturned.addAll(bag);
                    // The ready queue is FIFO: this runs after the callbacks scheduled by setResult.
                    loop.execute(() -> seenAfterOneTick.addAll(bag));
                    return null;
                })
                .join();
        awaitOnLoop();
        assertThat(seenWhenSetResultReturned).isEmpty();
        assertThat(seenAfterOneTick).containsExactly(42, 17);
    }

    @Test
    @DisplayName("test_remove_done_callback")
    void removeDoneCallback() {
        List<Integer> bag = new CopyOnWriteArrayList<>();
        Promise<Integer> f = loop.newPromise();
        Consumer<Awaitable<Integer>> cb1 = done -> bag.add(1);
        Consumer<Awaitable<Integer>> cb2 = done -> bag.add(2);
        Consumer<Awaitable<Integer>> cb3 = done -> bag.add(3);
        f.onDone(cb1);
        f.onDone(cb2);
        assertThat(f.removeOnDone(cb2)).isEqualTo(1);
        assertThat(f.removeOnDone(cb3)).isZero();
        f.onDone(cb2);
        for (int i = 0; i < 5; i++) {
            f.onDone(cb1);
        }
        assertThat(f.removeOnDone(cb1)).isEqualTo(6);
        f.setResult(5);
        awaitOnLoop();
        assertThat(bag).containsExactly(2);
    }

    @Test
    void registrationHandleRemovesOnlyItsOwnCallback() {
        List<String> bag = new CopyOnWriteArrayList<>();
        Promise<String> f = loop.newPromise();
        Registration first = f.onDone(done -> bag.add("first"));
        f.onDone(done -> bag.add("second"));
        assertThat(first.remove()).isTrue();
        assertThat(first.remove()).isFalse();
        f.complete("x");
        awaitOnLoop();
        assertThat(bag).containsExactly("second");
    }

    @Test
    void callbackRegisteredAfterCompletionStillRunsOnTheLoop() throws Exception {
        Promise<String> f = loop.newPromise();
        f.complete("v");
        CompletableFuture<String> ranOn = new CompletableFuture<>();
        f.onDone(done -> ranOn.complete(Thread.currentThread().getName() + ":" + done.result()));
        assertThat(ranOn.get(10, TimeUnit.SECONDS)).isEqualTo("spindle-loop-0:v");
    }

    @Test
    void completionFromAnotherThreadIsSeenOnTheLoop() throws Exception {
        Promise<int[]> f = loop.newPromise();
        CompletableFuture<Integer> seen = new CompletableFuture<>();
        f.onDone(done -> seen.complete(done.result()[0]));
        Thread completer = new Thread(() -> f.complete(new int[] {7}));
        completer.start();
        completer.join();
        assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo(7);
    }

    @Test
    void onlyTheFirstCompletionWins() {
        Promise<String> f = loop.newPromise();
        assertThat(f.complete("a")).isTrue();
        assertThat(f.complete("b")).isFalse();
        assertThat(f.fail(new RuntimeException())).isFalse();
        assertThat(f.cancel()).isFalse();
        assertThat(f.result()).isEqualTo("a");
        assertThat(f.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThatThrownBy(() -> f.setResult("c"))
                .isInstanceOf(InvalidStateException.class)
                .hasMessageContaining("already done");
        assertThatThrownBy(() -> f.setException(new RuntimeException())).isInstanceOf(InvalidStateException.class);
    }

    @Test
    void pendingPromiseRefusesToReport() {
        Promise<String> f = loop.newPromise();
        assertThat(f.state()).isEqualTo(TaskState.PENDING);
        assertThatThrownBy(f::result)
                .isInstanceOf(InvalidStateException.class)
                .hasMessageContaining("Result is not ready");
        assertThatThrownBy(f::exception)
                .isInstanceOf(InvalidStateException.class)
                .hasMessageContaining("Exception is not set");
    }

    @Test
    void cancelIsImmediateAndCarriesTheMessage() {
        Promise<String> f = loop.newPromise();
        assertThat(f.cancel("stop")).isTrue();
        assertThat(f.isCancelled()).isTrue();
        assertThat(f.isDone()).isTrue();
        assertThatThrownBy(f::result)
                .isInstanceOf(CancelledException.class)
                .satisfies(e ->
                        assertThat(((CancelledException) e).cancelMessage()).isEqualTo("stop"));
        assertThatThrownBy(f::exception).isInstanceOf(CancelledException.class);
        assertThat(f.cancel("again")).isFalse();
    }

    @Test
    void failuresAreReportedAsTheyWereOrWrappedWhenChecked() {
        Promise<String> unchecked = loop.newPromise();
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        unchecked.fail(boom);
        assertThatThrownBy(unchecked::result).isSameAs(boom);
        assertThat(unchecked.exception()).isSameAs(boom);

        Promise<String> checked = loop.newPromise();
        Exception io = new java.io.IOException("disk");
        checked.fail(io);
        assertThatThrownBy(checked::result)
                .isInstanceOf(java.util.concurrent.CompletionException.class)
                .hasCause(io);
        assertThatThrownBy(() -> checked.fail(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("error");
    }

    @Test
    void joinAndGetBlockOtherThreadsUntilDone() throws Exception {
        Promise<String> f = loop.newPromise();
        assertThatThrownBy(() -> f.get(Duration.ofMillis(1))).isInstanceOf(TimeoutException.class);
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<String> joined = CompletableFuture.supplyAsync(() -> {
            started.countDown();
            return f.join();
        });
        started.await();
        f.complete("done");
        assertThat(joined.get(10, TimeUnit.SECONDS)).isEqualTo("done");
        assertThat(f.get(Duration.ofSeconds(1))).isEqualTo("done");
    }

    @Test
    void joinOnTheLoopThreadOfAnUnfinishedPromiseIsRefused() {
        Promise<String> f = loop.newPromise();
        Task<String> t = loop.submit(f::join);
        assertThatThrownBy(t::join)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("would block the loop")
                .hasMessageContaining("spindle-loop-0");
    }

    @Test
    void toCompletableFutureMirrorsTheOutcome() throws Exception {
        Promise<String> ok = loop.newPromise();
        CompletableFuture<String> okFuture = ok.toCompletableFuture();
        ok.complete("yes");
        assertThat(okFuture.get(10, TimeUnit.SECONDS)).isEqualTo("yes");

        Promise<String> cancelled = loop.newPromise();
        CompletableFuture<String> cancelledFuture = cancelled.toCompletableFuture();
        cancelled.cancel("no");
        assertThat(cancelledFuture).isCompletedExceptionally();
    }

    @Test
    void aThrowingCallbackGoesToTheHandlerAndTheLoopGoesOn() throws Exception {
        List<String> reported = new CopyOnWriteArrayList<>();
        try (Engine withHandler = Engine.builder()
                .loops(1)
                .exceptionHandler((message, error, source) -> reported.add(message + ": " + error.getMessage()))
                .build()) {
            EventLoop l = withHandler.loop(0);
            Promise<String> f = l.newPromise();
            f.onDone(done -> {
                throw new IllegalStateException("callback broke");
            });
            CompletableFuture<String> second = new CompletableFuture<>();
            f.onDone(done -> second.complete("ran"));
            f.complete("x");
            assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("ran");
            assertThat(l.submit(() -> "alive").join()).isEqualTo("alive");
            assertThat(reported).containsExactly("Exception in callback: callback broke");
        }
    }

    private void awaitOnLoop() {
        Settle.settle(loop);
    }
}
