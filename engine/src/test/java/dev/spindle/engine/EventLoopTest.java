package dev.spindle.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.engine.internal.ThreadAffinity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EventLoopTest {

    private static CountDownLatch blockLoop(EventLoop loop) throws InterruptedException {
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
    void executeRunsInSubmissionOrderOnTheLoopThread() {
        try (Engine engine = Engine.builder().loops(1).build()) {
            EventLoop loop = engine.loop(0);
            List<String> order = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 100; i++) {
                int n = i;
                loop.execute(() -> order.add(Thread.currentThread().getName() + "#" + n));
            }
            Settle.settle(loop);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                expected.add("spindle-loop-0#" + i);
            }
            assertThat(order).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void workMadeReadyDuringAPassRunsInTheNextIteration() {
        try (Engine engine = Engine.builder().loops(1).build()) {
            EventLoop loop = engine.loop(0);
            List<String> order = new ArrayList<>();
            Task<Void> t = loop.submit(() -> {
                loop.execute(() -> {
                    order.add("a");
                    loop.execute(() -> order.add("c"));
                });
                loop.execute(() -> order.add("b"));
                return null;
            });
            t.join();
            Settle.settle(loop);
            assertThat(order).containsExactly("a", "b", "c");
        }
    }

    @Test
    void aFullExternalQueueRejectsAndNamesTheLoop() throws Exception {
        try (Engine engine = Engine.builder().loops(1).queueCapacity(4).build()) {
            EventLoop loop = engine.loop(0);
            CountDownLatch release = blockLoop(loop);
            AtomicInteger ran = new AtomicInteger();
            int accepted = 0;
            while (loop.tryExecute(ran::incrementAndGet)) {
                accepted++;
            }
            assertThat(accepted).isEqualTo(4);
            assertThat(loop.trySubmit(() -> "x")).isNull();
            assertThatThrownBy(() -> loop.execute(ran::incrementAndGet))
                    .isInstanceOf(RejectedTaskException.class)
                    .hasMessageContaining("spindle-loop-0")
                    .hasMessageContaining("queue is full");
            assertThatThrownBy(() -> loop.submit(() -> "x")).isInstanceOf(RejectedTaskException.class);
            release.countDown();
            Task<Void> after;
            while ((after = loop.trySubmit(() -> null)) == null) {
                Thread.onSpinWait(); // the loop is draining the full queue
            }
            after.join();
            assertThat(ran.get()).as("every accepted task ran, none twice").isEqualTo(4);
        }
    }

    @Test
    void aThrowingTaskGoesToTheHandlerAndTheLoopKeepsRunning() {
        List<String> reported = new CopyOnWriteArrayList<>();
        try (Engine engine = Engine.builder()
                .loops(1)
                .exceptionHandler((message, error, source) -> reported.add(error.getMessage()))
                .build()) {
            EventLoop loop = engine.loop(0);
            loop.execute(() -> {
                throw new IllegalStateException("first");
            });
            loop.execute(() -> {
                throw new IllegalStateException("second");
            });
            assertThat(loop.submit(() -> "still running").join()).isEqualTo("still running");
            assertThat(reported).containsExactly("first", "second");
        }
    }

    @Test
    void workSubmittedAfterShutdownIsRejectedNamingTheLoop() {
        Engine engine = Engine.builder().loops(2).build();
        assertThat(engine.shutdown(Duration.ofSeconds(5))).isTrue();
        assertThat(engine.isShutdown()).isTrue();
        assertThat(engine.isTerminated()).isTrue();
        for (EventLoop loop : engine.loops()) {
            assertThatThrownBy(() -> loop.execute(() -> {}))
                    .isInstanceOf(RejectedTaskException.class)
                    .hasMessageContaining(loop.name())
                    .hasMessageContaining("shutting down");
            assertThat(loop.tryExecute(() -> {})).isFalse();
            assertThatThrownBy(() -> loop.schedule(Duration.ofMillis(1), () -> {}))
                    .isInstanceOf(RejectedTaskException.class);
        }
    }

    @Test
    void shutdownRunsWhatIsQueuedAndCancelsPendingTimers() throws Exception {
        Engine engine = Engine.builder().loops(1).build();
        EventLoop loop = engine.loop(0);
        CountDownLatch release = blockLoop(loop);
        Task<String> queued = loop.submit(() -> "finished");
        TimerHandle timer = loop.schedule(Duration.ofHours(1), () -> {});
        Thread shutter = new Thread(() -> engine.shutdown(Duration.ofSeconds(30)));
        shutter.start();
        release.countDown();
        shutter.join();
        assertThat(queued.join()).isEqualTo("finished");
        assertThat(timer.isCancelled()).isTrue();
        assertThat(engine.isTerminated()).isTrue();
    }

    @Test
    void shutdownPastItsGraceCancelsWhatNeverRan() throws Exception {
        Engine engine = Engine.builder().loops(1).build();
        EventLoop loop = engine.loop(0);
        CountDownLatch release = blockLoop(loop);
        Task<String> queued = loop.submit(() -> "never");
        assertThat(engine.shutdown(Duration.ofMillis(20))).isFalse();
        release.countDown();
        assertThatThrownBy(queued::join).isInstanceOf(CancelledException.class);
        loop.thread().join();
        assertThat(engine.isTerminated()).isTrue();
    }

    @Test
    void shutdownFromALoopThreadIsRefused() {
        try (Engine engine = Engine.builder().loops(1).build()) {
            Task<Boolean> t = engine.loop(0).submit(() -> engine.shutdown(Duration.ZERO));
            assertThatThrownBy(t::join)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("from a loop thread");
        }
    }

    @Test
    void inLoopAndTimeAreConsistent() {
        ManualClock clock = new ManualClock(1_000);
        try (Engine engine = Engine.builder().loops(1).clock(clock).build()) {
            EventLoop loop = engine.loop(0);
            assertThat(loop.inLoop()).isFalse();
            assertThat(loop.submit(loop::inLoop).join()).isTrue();
            assertThat(loop.time()).isEqualTo(1_000);
            clock.advanceNanos(500);
            assertThat(loop.submit(loop::time).join()).isEqualTo(1_500);
        }
    }

    @Test
    void threadsAreNamedAfterTheirLoops() {
        try (Engine engine = Engine.builder().loops(2).build()) {
            assertThat(engine.loop(0)
                            .submit(() -> Thread.currentThread().getName())
                            .join())
                    .isEqualTo("spindle-loop-0");
            assertThat(engine.loop(1).name()).isEqualTo("spindle-loop-1");
        }
        try (Engine engine = Engine.builder().loops(1).threadNamePrefix("io-").build()) {
            assertThat(engine.loop(0)
                            .submit(() -> Thread.currentThread().getName())
                            .join())
                    .isEqualTo("io-0");
        }
    }

    @Test
    void loopsArePinnedToTheirConfiguredCpus() {
        String allowed = ThreadAffinity.allowedCpuList();
        assertThat(allowed).as("/proc/thread-self/status is readable on Linux").isNotNull();
        int cpu = lastCpu(allowed);
        try (Engine engine =
                Engine.builder().loops(1).loopCpus(cpu).strictPinning(true).build()) {
            String seen = engine.loop(0).submit(ThreadAffinity::allowedCpuList).join();
            assertThat(seen).isEqualTo(Integer.toString(cpu));
        }
        assertThat(ThreadAffinity.allowedCpuList())
                .as("the caller's own mask is untouched")
                .isEqualTo(allowed);
    }

    private static int lastCpu(String list) {
        String last = list.substring(list.lastIndexOf(',') + 1);
        return Integer.parseInt(last.substring(last.lastIndexOf('-') + 1).trim());
    }

    @Test
    void statsCountTheWorkOfEachLoop() {
        try (Engine engine = Engine.builder().loops(2).build()) {
            for (int i = 0; i < 10; i++) {
                engine.loop(1).submit(() -> null).join();
            }
            Settle.settle(engine.loop(1));
            List<LoopStats> stats = engine.stats();
            assertThat(stats).hasSize(2);
            assertThat(stats.get(1).name()).isEqualTo("spindle-loop-1");
            assertThat(stats.get(1).tasksRun()).isGreaterThanOrEqualTo(10);
            assertThat(stats.get(1).iterations()).isPositive();
            assertThat(stats.get(1).queueDepth()).isZero();
        }
    }

    @Test
    void roundRobinVisitsEveryLoop() {
        try (Engine engine = Engine.builder().loops(3).build()) {
            List<EventLoop> seen = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                seen.add(engine.next());
            }
            assertThat(seen).containsExactlyInAnyOrderElementsOf(engine.loops());
        }
    }

    @Test
    void builderRejectsBadSettingsNamingThem() {
        assertThatThrownBy(() -> Engine.builder().loops(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("loops");
        assertThatThrownBy(() -> Engine.builder().queueCapacity(1)).hasMessageStartingWith("capacity");
        assertThatThrownBy(() -> Engine.builder().timerTick(Duration.ZERO)).hasMessageStartingWith("tick");
        assertThatThrownBy(() -> Engine.builder().ticksPerWheel(100)).hasMessageStartingWith("ticks");
        assertThatThrownBy(() -> Engine.builder().loopCpus(-1)).hasMessageStartingWith("cpus");
        assertThatThrownBy(() -> Engine.builder().clock(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("clock");
        try (Engine engine = Engine.builder().loops(1).build()) {
            assertThatThrownBy(() -> engine.loop(0).execute(null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("task");
            assertThatThrownBy(() -> engine.loop(1)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }
}
