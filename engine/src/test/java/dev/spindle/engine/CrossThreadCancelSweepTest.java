package dev.spindle.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.spindle.engine.channel.Channel;
import dev.spindle.engine.sync.BoundedSemaphore;
import dev.spindle.engine.sync.Condition;
import dev.spindle.engine.sync.Event;
import dev.spindle.engine.sync.Lock;
import dev.spindle.engine.sync.Queue;
import dev.spindle.engine.sync.Semaphore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A cancel from a plain thread (A5), against a coroutine task suspended on every kind of awaitable, at every
 * point of the task's life. Each kind is one row of {@link #kinds()}; each row runs through every {@link
 * Phase}, so a new kind is swept by adding one row.
 *
 * <p>Every run asserts: the task reaches exactly one terminal state, once, and its done callback runs once;
 * {@code cancel()} returning {@code true} means it ends CANCELLED (no body here catches the exception), and
 * {@code false} means it had already finished with its value; joining never hangs (a bounded {@code get}
 * names the case); what the awaitable guards is conserved (permits, queue and channel items, offloaded
 * values); nothing reaches the exception handler.
 */
class CrossThreadCancelSweepTest {
    /** A hang guard, never a synchronisation: every wait here ends long before it in a passing run. */
    private static final Duration HANG_GUARD = Duration.ofSeconds(10);
    /** Rounds of each race; each round is a fresh scenario on the same engine. */
    private static final int RACES = 20;

    private static final String DONE = "done";

    private final ManualClock clock = new ManualClock();
    private final List<String> reports = new CopyOnWriteArrayList<>();
    private final Engine engine = Engine.builder()
            .loops(2)
            .workers(1)
            .workerQueueCapacity(1)
            .clock(clock)
            .exceptionHandler((message, error, source) -> reports.add(describe(message, error)))
            .build();
    private final EventLoop loop = engine.loop(0);
    private final EventLoop other = engine.loop(1);
    private final ExecutorService completer = Executors.newSingleThreadExecutor();

    @AfterEach
    void closeEngine() {
        completer.shutdownNow();
        engine.shutdown(Duration.ofSeconds(2));
    }

    /** Where the task is in its life when the plain thread cancels it. */
    enum Phase {
        /** Spawned, its first step not yet run (the loop is held on a latch). */
        BEFORE_FIRST_STEP,
        /** Inside its first step, before it reaches the await. */
        RUNNING,
        /** Suspended on the awaitable. */
        SUSPENDED,
        /** Suspended, and a third thread completes the awaitable at the same moment (a barrier). */
        RACING_COMPLETION,
        /** Already finished with its value. */
        AFTER_DONE
    }

    /**
     * One kind of awaitable, set up afresh for each run.
     *
     * <p>{@link #body} runs in the task and suspends on the awaitable, recording what it takes; {@link
     * #complete} runs off the loops and makes the awaitable complete (the harness calls it at most once);
     * {@link #assertConserved} runs once the task is done and {@code complete} has run.
     */
    private interface Scenario {
        Object body() throws Exception;

        void complete() throws Exception;

        /** Returns once the task spawned on loop 0 is suspended on the awaitable. */
        default void awaitSuspended(CrossThreadCancelSweepTest t) throws Exception {
            t.settleAll();
        }

        default void assertConserved(Task<Object> task) throws Exception {}
    }

    /** Builds one run's scenario on the test's engine. */
    @FunctionalInterface
    private interface Factory<R> {
        R make(CrossThreadCancelSweepTest test) throws Exception;
    }

    private record Kind(String name, Factory<Scenario> make) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Kind> kinds() {
        return Stream.of(
                new Kind("Async.sleep", CrossThreadCancelSweepTest::sleep),
                new Kind("Promise", CrossThreadCancelSweepTest::promise),
                new Kind("Task on the same loop", t -> t.task(t.loop)),
                new Kind("Task on another loop", t -> t.task(t.other)),
                new Kind("Async.gather", t -> t.gather(false)),
                new Kind("Async.gatherReturningExceptions", t -> t.gather(true)),
                new Kind("Async.wait", CrossThreadCancelSweepTest::waitFirst),
                new Kind("Async.asCompleted", CrossThreadCancelSweepTest::asCompleted),
                new Kind("Async.shield", CrossThreadCancelSweepTest::shield),
                new Kind("Async.timeout scope", CrossThreadCancelSweepTest::timeoutScope),
                new Kind("Async.waitFor", CrossThreadCancelSweepTest::waitFor),
                new Kind("TaskGroup, body waiting", t -> t.taskGroup(true)),
                new Kind("TaskGroup, waiting in close", t -> t.taskGroup(false)),
                new Kind("Lock.acquire", CrossThreadCancelSweepTest::lock),
                new Kind("Condition.await", CrossThreadCancelSweepTest::condition),
                new Kind("Event.await", CrossThreadCancelSweepTest::event),
                new Kind("Semaphore.acquire", t -> t.semaphore(false)),
                new Kind("BoundedSemaphore.acquire", t -> t.semaphore(true)),
                new Kind("Queue.get (empty)", CrossThreadCancelSweepTest::queueGet),
                new Kind("Queue.put (full)", CrossThreadCancelSweepTest::queuePut),
                new Kind("Channel.send (full)", CrossThreadCancelSweepTest::channelSend),
                new Kind("Channel.receive (empty)", CrossThreadCancelSweepTest::channelReceive),
                new Kind("Async.offload queued, NO_INTERRUPT", t -> t.offloadQueued(OffloadPolicy.NO_INTERRUPT)),
                new Kind("Async.offload queued, INTERRUPT", t -> t.offloadQueued(OffloadPolicy.INTERRUPT)),
                new Kind("Async.offload running, NO_INTERRUPT", t -> t.offloadRunning(OffloadPolicy.NO_INTERRUPT)),
                new Kind("Async.offload running, INTERRUPT", t -> t.offloadRunning(OffloadPolicy.INTERRUPT)));
    }

    static Stream<Arguments> cases() {
        return kinds().flatMap(k -> Stream.of(Phase.values()).map(p -> Arguments.of(k, p)));
    }

    @ParameterizedTest(name = "{0}, cancelled {1}")
    @MethodSource("cases")
    void aCancelFromAPlainThreadEndsTheTaskOnceAndLosesNothing(Kind kind, Phase phase) throws Exception {
        int rounds = phase == Phase.RACING_COMPLETION ? RACES : 1;
        for (int round = 0; round < rounds; round++) {
            runOnce(kind, phase, kind + ", cancelled " + phase + (rounds > 1 ? " (round " + round + ")" : ""));
        }
    }

    private void runOnce(Kind kind, Phase phase, String name) throws Exception {
        Scenario s = kind.make().make(this);
        AtomicBoolean completed = new AtomicBoolean();
        Callable<Void> complete = () -> {
            if (completed.compareAndSet(false, true)) {
                s.complete();
            }
            return null;
        };
        AtomicBoolean bodyStarted = new AtomicBoolean();
        CountDownLatch inFirstStep = new CountDownLatch(1);
        CountDownLatch reachAwait = new CountDownLatch(1);
        Callable<Object> body = () -> {
            bodyStarted.set(true);
            if (phase == Phase.RUNNING) {
                inFirstStep.countDown();
                awaitOrFail(reachAwait, name);
            }
            return s.body();
        };
        AtomicInteger callbacks = new AtomicInteger();
        Task<Object> task;
        boolean cancelled;
        switch (phase) {
            case BEFORE_FIRST_STEP -> {
                CountDownLatch held = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                loop.execute(() -> {
                    held.countDown();
                    awaitOrFail(release, name);
                });
                awaitOrFail(held, name);
                task = loop.spawn(body);
                task.onDone(d -> callbacks.incrementAndGet());
                cancelled = task.cancel("swept");
                release.countDown();
                awaitTerminal(task, name);
                assertThat(bodyStarted)
                        .as(name + ": the body of a task cancelled before its first step")
                        .isFalse();
            }
            case RUNNING -> {
                task = loop.spawn(body);
                task.onDone(d -> callbacks.incrementAndGet());
                awaitOrFail(inFirstStep, name);
                cancelled = task.cancel("swept");
                reachAwait.countDown();
                awaitTerminal(task, name);
            }
            case SUSPENDED -> {
                task = loop.spawn(body);
                task.onDone(d -> callbacks.incrementAndGet());
                s.awaitSuspended(this);
                assertThat(task.state()).as(name + ": set-up").isEqualTo(TaskState.SUSPENDED);
                cancelled = task.cancel("swept");
                awaitTerminal(task, name);
            }
            case RACING_COMPLETION -> {
                task = loop.spawn(body);
                task.onDone(d -> callbacks.incrementAndGet());
                s.awaitSuspended(this);
                assertThat(task.state()).as(name + ": set-up").isEqualTo(TaskState.SUSPENDED);
                CyclicBarrier start = new CyclicBarrier(2);
                Future<Void> completion = completer.submit(() -> {
                    start.await(HANG_GUARD.toSeconds(), TimeUnit.SECONDS);
                    return complete.call();
                });
                start.await(HANG_GUARD.toSeconds(), TimeUnit.SECONDS);
                cancelled = task.cancel("swept");
                completion.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS);
                awaitTerminal(task, name);
            }
            case AFTER_DONE -> {
                task = loop.spawn(body);
                task.onDone(d -> callbacks.incrementAndGet());
                // Completed only once it waits: a sleep's timer must exist before the manual clock moves.
                s.awaitSuspended(this);
                complete.call();
                awaitTerminal(task, name);
                assertThat(task.state()).as(name + ": set-up").isEqualTo(TaskState.SUCCEEDED);
                cancelled = task.cancel("swept");
            }
            default -> throw new AssertionError(phase);
        }

        TaskState end = task.state();
        if (cancelled) {
            assertThat(end)
                    .as(name + ": cancel() returned true, so the task ends CANCELLED")
                    .isEqualTo(TaskState.CANCELLED);
            assertThatThrownBy(task::result).as(name).isInstanceOf(CancelledException.class);
        } else {
            assertThat(phase)
                    .as(name + ": cancel() returned false although the task was not done")
                    .isIn(Phase.RACING_COMPLETION, Phase.AFTER_DONE);
            assertThat(end)
                    .as(name + ": cancel() returned false, so it had finished")
                    .isEqualTo(TaskState.SUCCEEDED);
            assertThat(task.result()).as(name).isEqualTo(DONE);
        }

        complete.call(); // whatever the phase, free what the scenario holds, then check nothing was lost
        s.assertConserved(task);
        settleAll();
        assertThat(task.state()).as(name + ": a terminal state never changes").isEqualTo(end);
        assertThat(callbacks).as(name + ": done callbacks run exactly once").hasValue(1);
        assertThat(reports).as(name + ": reports to the exception handler").isEmpty();
    }

    // ---------------------------------------------------------------------------------------------
    // The kinds
    // ---------------------------------------------------------------------------------------------

    private Scenario sleep() {
        return new Scenario() {
            @Override
            public Object body() {
                Async.sleep(Duration.ofSeconds(1));
                return DONE;
            }

            @Override
            public void complete() {
                clock.advance(Duration.ofSeconds(1));
            }
        };
    }

    private Scenario promise() {
        Promise<String> p = loop.newPromise();
        return new Scenario() {
            @Override
            public Object body() {
                return Async.await(p);
            }

            @Override
            public void complete() {
                p.complete(DONE);
            }

            @Override
            public void assertConserved(Task<Object> task) {
                assertThat(p.isDone()).isTrue();
            }
        };
    }

    private Scenario task(EventLoop innerLoop) {
        Promise<String> p = innerLoop.newPromise();
        Task<String> inner = innerLoop.spawn(() -> Async.await(p));
        return new Scenario() {
            @Override
            public Object body() {
                return Async.await(inner);
            }

            @Override
            public void complete() {
                p.complete(DONE);
            }

            @Override
            public void assertConserved(Task<Object> task) throws Exception {
                awaitTerminal(inner, "the awaited task");
                if (task.isCancelled() && inner.isCancelled()) {
                    // the cancel went down the chain; p itself may have completed first in a race
                    assertThat(p.isDone()).isTrue();
                }
            }
        };
    }

    private Scenario gather(boolean returningExceptions) {
        Promise<String> pending = loop.newPromise();
        List<Awaitable<?>> children = new ArrayList<>();
        children.add(pending);
        for (int i = 0; i < 8; i++) {
            Promise<String> done = loop.newPromise();
            done.complete("ready " + i);
            children.add(done);
        }
        return new Scenario() {
            @Override
            public Object body() {
                if (returningExceptions) {
                    Async.await(Async.gatherReturningExceptions(children));
                } else {
                    @SuppressWarnings({"unchecked", "rawtypes"})
                    List<Awaitable<Object>> typed = (List) children;
                    Async.await(Async.gather(typed));
                }
                return DONE;
            }

            @Override
            public void complete() {
                pending.complete(DONE);
            }

            @Override
            public void assertConserved(Task<Object> task) {
                assertThat(pending.isDone()).isTrue();
            }
        };
    }

    private Scenario waitFirst() {
        Promise<String> first = loop.newPromise();
        Promise<String> second = loop.newPromise();
        return new Scenario() {
            @Override
            public Object body() {
                Async.wait(List.of(first, second), ReturnWhen.FIRST_COMPLETED, null);
                return DONE;
            }

            @Override
            public void complete() {
                first.complete(DONE);
            }

            @Override
            public void assertConserved(Task<Object> task) {
                assertThat(first.state())
                        .as("wait() never cancels what it waits for")
                        .isEqualTo(TaskState.SUCCEEDED);
                assertThat(second.state())
                        .as("wait() never cancels what it waits for")
                        .isEqualTo(TaskState.PENDING);
            }
        };
    }

    private Scenario asCompleted() {
        Promise<String> p = loop.newPromise();
        return new Scenario() {
            @Override
            public Object body() {
                return Async.asCompleted(List.of(p), null).nextResult();
            }

            @Override
            public void complete() {
                p.complete(DONE);
            }

            @Override
            public void assertConserved(Task<Object> task) {
                assertThat(p.state())
                        .as("asCompleted() never cancels what it iterates over")
                        .isEqualTo(TaskState.SUCCEEDED);
            }
        };
    }

    private Scenario shield() {
        Promise<String> inner = loop.newPromise();
        return new Scenario() {
            @Override
            public Object body() {
                return Async.await(Async.shield(inner));
            }

            @Override
            public void complete() {
                inner.complete(DONE);
            }

            @Override
            public void assertConserved(Task<Object> task) {
                assertThat(inner.state())
                        .as("the shielded promise is untouched")
                        .isEqualTo(TaskState.SUCCEEDED);
            }
        };
    }

    private Scenario timeoutScope() {
        Promise<String> p = loop.newPromise();
        return new Scenario() {
            @Override
            public Object body() {
                return Async.timeout(Duration.ofHours(1), scope -> Async.await(p));
            }

            @Override
            public void complete() {
                p.complete(DONE);
            }
        };
    }

    private Scenario waitFor() {
        Promise<String> p = loop.newPromise();
        return new Scenario() {
            @Override
            public Object body() {
                return Async.waitFor(p, Duration.ofHours(1));
            }

            @Override
            public void complete() {
                p.complete(DONE);
            }

            @Override
            public void assertConserved(Task<Object> task) {
                assertThat(p.isDone()).isTrue();
            }
        };
    }

    private Scenario taskGroup(boolean bodyWaits) {
        Promise<String> bodyGate = loop.newPromise();
        Promise<String> childGate = loop.newPromise();
        AtomicReference<Task<String>> child = new AtomicReference<>();
        return new Scenario() {
            @Override
            public Object body() {
                return TaskGroup.run(group -> {
                    child.set(group.spawn(() -> Async.await(childGate)));
                    if (bodyWaits) {
                        Async.await(bodyGate);
                    }
                    return DONE;
                });
            }

            @Override
            public void complete() {
                bodyGate.complete(DONE);
                childGate.complete(DONE);
            }

            @Override
            public void assertConserved(Task<Object> task) {
                if (child.get() != null) {
                    assertThat(child.get().isDone())
                            .as("the group's child finished with the group")
                            .isTrue();
                }
            }
        };
    }

    private Scenario lock() throws Exception {
        Lock lock = new Lock(loop);
        assertThat(loop.submit(lock::tryAcquire).get(HANG_GUARD)).isTrue();
        return new Scenario() {
            @Override
            public Object body() {
                try (var held = lock.acquire()) {
                    return DONE;
                }
            }

            @Override
            public void complete() {
                loop.execute(lock::release);
            }

            @Override
            public void assertConserved(Task<Object> task) throws Exception {
                settleAll();
                assertThat(loop.submit(lock::locked).get(HANG_GUARD))
                        .as("the lock is free")
                        .isFalse();
            }
        };
    }

    private Scenario condition() {
        Condition condition = new Condition(loop);
        boolean[] ready = new boolean[1]; // loop-confined
        return new Scenario() {
            @Override
            public Object body() {
                try (var held = condition.acquire()) {
                    condition.waitFor(() -> ready[0]);
                    return DONE;
                }
            }

            @Override
            public void complete() throws Exception {
                loop.spawn(() -> {
                            try (var held = condition.acquire()) {
                                ready[0] = true;
                                condition.signalAll();
                            }
                            return null;
                        })
                        .get(HANG_GUARD);
            }

            @Override
            public void assertConserved(Task<Object> task) throws Exception {
                assertThat(loop.submit(condition::locked).get(HANG_GUARD))
                        .as("the lock is free")
                        .isFalse();
            }
        };
    }

    private Scenario event() {
        Event event = new Event(loop);
        return new Scenario() {
            @Override
            public Object body() {
                event.await();
                return DONE;
            }

            @Override
            public void complete() {
                loop.execute(event::set);
            }
        };
    }

    private Scenario semaphore(boolean bounded) throws Exception {
        Semaphore semaphore = bounded ? new BoundedSemaphore(loop, 1) : new Semaphore(loop, 1);
        assertThat(loop.submit(semaphore::tryAcquire).get(HANG_GUARD)).isTrue();
        return new Scenario() {
            @Override
            public Object body() {
                try (var held = semaphore.acquire()) {
                    return DONE;
                }
            }

            @Override
            public void complete() {
                loop.execute(semaphore::release);
            }

            @Override
            public void assertConserved(Task<Object> task) throws Exception {
                settleAll();
                assertThat(loop.submit(semaphore::value).get(HANG_GUARD))
                        .as("the permits add back up")
                        .isEqualTo(1);
            }
        };
    }

    private Scenario queueGet() {
        Queue<String> queue = new Queue<>(loop, 1);
        List<String> received = new CopyOnWriteArrayList<>();
        return new Scenario() {
            @Override
            public Object body() {
                received.add(queue.get());
                return DONE;
            }

            @Override
            public void complete() {
                loop.execute(() -> queue.putNowait("item"));
            }

            @Override
            public void assertConserved(Task<Object> task) throws Exception {
                settleAll();
                int left = loop.submit(queue::size).get(HANG_GUARD);
                assertThat(received.size() + left)
                        .as(
                                "the item is received exactly once or still queued (received %s, %d queued)",
                                received, left)
                        .isEqualTo(1);
            }
        };
    }

    private Scenario queuePut() throws Exception {
        Queue<String> queue = new Queue<>(loop, 1);
        loop.submit(() -> {
                    queue.putNowait("first");
                    return null;
                })
                .get(HANG_GUARD);
        AtomicBoolean put = new AtomicBoolean();
        List<String> removed = new CopyOnWriteArrayList<>();
        return new Scenario() {
            @Override
            public Object body() {
                queue.put("second");
                put.set(true);
                return DONE;
            }

            @Override
            public void complete() {
                loop.execute(() -> removed.add(queue.getNowait()));
            }

            @Override
            public void assertConserved(Task<Object> task) throws Exception {
                settleAll();
                List<String> left = loop.submit(() -> {
                            List<String> items = new ArrayList<>();
                            while (!queue.isEmpty()) {
                                items.add(queue.getNowait());
                            }
                            return items;
                        })
                        .get(HANG_GUARD);
                assertThat(removed).containsExactly("first");
                assertThat(left).as("put returned %s", put.get()).isEqualTo(put.get() ? List.of("second") : List.of());
            }
        };
    }

    private Scenario channelSend() {
        Channel<String> channel = Channel.mpmc(1);
        assertThat(channel.trySend("first")).isTrue();
        AtomicBoolean sent = new AtomicBoolean();
        List<String> removed = new CopyOnWriteArrayList<>();
        return new Scenario() {
            @Override
            public Object body() {
                channel.send("second");
                sent.set(true);
                return DONE;
            }

            @Override
            public void complete() {
                removed.add(channel.tryReceive());
            }

            @Override
            public void assertConserved(Task<Object> task) {
                List<String> left = new ArrayList<>();
                for (String item; (item = channel.tryReceive()) != null; ) {
                    left.add(item);
                }
                assertThat(removed).containsExactly("first");
                assertThat(left)
                        .as("send returned %s", sent.get())
                        .isEqualTo(sent.get() ? List.of("second") : List.of());
            }
        };
    }

    private Scenario channelReceive() {
        Channel<String> channel = Channel.mpmc(1);
        List<String> received = new CopyOnWriteArrayList<>();
        return new Scenario() {
            @Override
            public Object body() {
                received.add(channel.receive());
                return DONE;
            }

            @Override
            public void complete() {
                assertThat(channel.trySend("item")).isTrue();
            }

            @Override
            public void assertConserved(Task<Object> task) {
                assertThat(received.size() + channel.size())
                        .as("the item is received exactly once or still in the channel (received %s)", received)
                        .isEqualTo(1);
            }
        };
    }

    /** The single worker is busy with a blocker, so the task's job waits in the worker queue. */
    private Scenario offloadQueued(OffloadPolicy policy) throws Exception {
        CountDownLatch blockerRunning = new CountDownLatch(1);
        CountDownLatch releaseBlocker = new CountDownLatch(1);
        Task<Object> blocker = other.spawn(() -> Async.offload(() -> {
            blockerRunning.countDown();
            releaseBlocker.await();
            return null;
        }));
        awaitOrFail(blockerRunning, "the blocker job");
        return new OffloadScenario(policy, null) {
            @Override
            public void complete() throws Exception {
                releaseBlocker.countDown();
                blocker.get(HANG_GUARD);
            }
        };
    }

    /** The task's job is running on the worker until {@code complete} lets it return. */
    private Scenario offloadRunning(OffloadPolicy policy) {
        CountDownLatch go = new CountDownLatch(1);
        return new OffloadScenario(policy, go) {
            @Override
            public void awaitSuspended(CrossThreadCancelSweepTest t) throws Exception {
                awaitOrFail(started, "the offloaded job");
                t.settleAll();
            }

            @Override
            public void complete() {
                go.countDown();
            }
        };
    }

    /** Counts every value the work produced: each is read by the task or handed to the discard hook. */
    private abstract class OffloadScenario implements Scenario {
        final CountDownLatch started = new CountDownLatch(1);
        final AtomicInteger produced = new AtomicInteger();
        final List<Object> read = new CopyOnWriteArrayList<>();
        final List<Object> discarded = new CopyOnWriteArrayList<>();
        final OffloadOptions options;
        final CountDownLatch go;

        OffloadScenario(OffloadPolicy policy, CountDownLatch go) {
            this.options = OffloadOptions.defaults().withPolicy(policy).withOnDiscard(discarded::add);
            this.go = go;
        }

        @Override
        public Object body() {
            read.add(Async.offload(
                    () -> {
                        started.countDown();
                        if (go != null) {
                            go.await();
                        }
                        produced.incrementAndGet();
                        return "value";
                    },
                    options));
            return DONE;
        }

        @Override
        public void assertConserved(Task<Object> task) throws Exception {
            // One worker: a job offloaded now runs after the task's job, discard hook included, is over.
            loop.spawn(() -> Async.offload(() -> null)).get(HANG_GUARD);
            assertThat(read.size() + discarded.size())
                    .as("each produced value is read or discarded (read %s, discarded %s)", read, discarded)
                    .isEqualTo(produced.get());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Cancelling the awaitable itself from a plain thread
    // ---------------------------------------------------------------------------------------------

    /** An awaitable that a plain thread may cancel, and how a third thread completes it. */
    private record Target(Awaitable<?> awaitable, Callable<Void> complete) {}

    private record TargetKind(String name, Factory<Target> make) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<TargetKind> targets() {
        return Stream.of(
                new TargetKind("Promise", t -> {
                    Promise<String> p = t.loop.newPromise();
                    return new Target(p, () -> {
                        p.complete(DONE);
                        return null;
                    });
                }),
                new TargetKind("Task on the same loop", t -> t.pendingTask(t.loop)),
                new TargetKind("Task on another loop", t -> t.pendingTask(t.other)),
                new TargetKind("Async.gather of a pending task and finished promises", t -> t.gatherTarget(false)),
                new TargetKind(
                        "Async.gatherReturningExceptions of a pending task and finished promises",
                        t -> t.gatherTarget(true)),
                new TargetKind("Async.shield's outer promise", t -> {
                    Promise<String> inner = t.loop.newPromise();
                    return new Target(Async.shield(inner), () -> {
                        inner.complete(DONE);
                        return null;
                    });
                }));
    }

    static Stream<Arguments> targetCases() {
        return targets().flatMap(k -> Stream.of(Arguments.of(k, false), Arguments.of(k, true)));
    }

    private Target pendingTask(EventLoop where) {
        Promise<String> p = where.newPromise();
        Task<String> t = where.spawn(() -> Async.await(p));
        return new Target(t, () -> {
            p.complete(DONE);
            return null;
        });
    }

    /** One pending task, then many finished promises: cancelling visits every child. */
    private Target gatherTarget(boolean returningExceptions) {
        Target child = pendingTask(loop);
        List<Awaitable<?>> children = new ArrayList<>();
        children.add(child.awaitable());
        for (int i = 0; i < 64; i++) {
            Promise<String> done = loop.newPromise();
            done.complete("ready " + i);
            children.add(done);
        }
        @SuppressWarnings({"unchecked", "rawtypes"})
        Awaitable<?> gather =
                returningExceptions ? Async.gatherReturningExceptions(children) : Async.gather((List) children);
        return new Target(gather, child.complete());
    }

    /**
     * A plain thread cancels the awaitable a task is suspended on (alone, or racing a third thread that
     * completes it): if {@code cancel()} returned {@code true} the awaitable ends CANCELLED and so does the
     * task awaiting it; if {@code false}, the awaitable had completed and the task gets its outcome.
     */
    @ParameterizedTest(name = "{0}, racing its completion: {1}")
    @MethodSource("targetCases")
    void cancellingTheAwaitedThingFromAPlainThreadCancelsItAndItsWaiter(TargetKind kind, boolean race)
            throws Exception {
        int rounds = race ? RACES : 50;
        for (int round = 0; round < rounds; round++) {
            String name = kind + (race ? ", racing its completion" : "") + " (round " + round + ")";
            Target target = kind.make().make(this);
            Awaitable<?> awaitable = target.awaitable();
            Task<Object> waiter = loop.spawn(() -> {
                Async.await(awaitable);
                return DONE;
            });
            settleAll();
            assertThat(waiter.state()).as(name + ": set-up").isEqualTo(TaskState.SUSPENDED);
            boolean cancelled;
            if (race) {
                CyclicBarrier start = new CyclicBarrier(2);
                Future<Void> completion = completer.submit(() -> {
                    start.await(HANG_GUARD.toSeconds(), TimeUnit.SECONDS);
                    return target.complete().call();
                });
                start.await(HANG_GUARD.toSeconds(), TimeUnit.SECONDS);
                cancelled = awaitable.cancel("swept");
                completion.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS);
            } else {
                cancelled = awaitable.cancel("swept");
            }
            awaitTerminal(waiter, name + " (its waiter)");
            awaitTerminal(awaitable, name);
            if (cancelled) {
                assertThat(endsWithCancelledException(awaitable))
                        .as(name + ": cancel() returned true, so it ends with CancelledException, but it is "
                                + awaitable.state()
                                + (awaitable.state() == TaskState.SUCCEEDED ? " with " + awaitable.result() : ""))
                        .isTrue();
                assertThat(waiter.state()).as(name + ": its waiter").isEqualTo(TaskState.CANCELLED);
            } else {
                assertThat(awaitable.state())
                        .as(name + ": cancel() returned false")
                        .isEqualTo(TaskState.SUCCEEDED);
                assertThat(waiter.state()).as(name + ": its waiter").isEqualTo(TaskState.SUCCEEDED);
            }
            target.complete().call();
            assertThat(reports).as(name + ": reports to the exception handler").isEmpty();
        }
    }

    /**
     * The reported case on its own: the gather's children are one pending task and many finished promises,
     * so {@code cancel()} spends a while on the finished ones after the task accepted. A gather whose
     * {@code cancel()} returned {@code true} must not then succeed with a list holding the child's
     * CancelledException.
     */
    @Test
    void gatherReturningExceptionsCancelledFromAPlainThreadNeverSucceeds() throws Exception {
        for (int round = 0; round < 50; round++) {
            Awaitable<?> gather = gatherTarget(true).awaitable();
            settleAll();
            boolean cancelled = gather.cancel("from a plain thread");
            awaitTerminal(gather, "the gather (round " + round + ")");
            assertThat(cancelled).isTrue();
            assertThat(endsWithCancelledException(gather))
                    .as("round %d: cancel() returned true, but the gather is %s", round, gather.state())
                    .isTrue();
        }
    }

    /**
     * CANCELLED, or, for a gather, FAILED with a {@link CancelledException}: asyncio's {@code
     * _GatheringFuture} ends a cancelled gather with {@code set_exception(CancelledError)}, which a waiter
     * sees as its own cancellation.
     */
    private static boolean endsWithCancelledException(Awaitable<?> a) {
        return a.isCancelled() || (a.state() == TaskState.FAILED && a.exception() instanceof CancelledException);
    }

    // ---------------------------------------------------------------------------------------------
    // A deep chain
    // ---------------------------------------------------------------------------------------------

    /**
     * 100,000 tasks, each awaiting the next, the innermost awaiting a promise nobody completes: one cancel
     * from a plain thread reaches all of them without exhausting any thread's stack.
     */
    @Test
    void cancellingTheHeadOfAHundredThousandTaskChainFromAPlainThreadCancelsEveryLink() throws Exception {
        int depth = 100_000;
        List<Task<?>> chain = loop.submit(() -> {
                    List<Task<?>> tasks = new ArrayList<>(depth);
                    Promise<Object> never = loop.newPromise();
                    Awaitable<?> next = never;
                    for (int i = 0; i < depth; i++) {
                        Awaitable<?> awaited = next;
                        Task<Object> t = loop.spawn(() -> Async.await(awaited));
                        tasks.add(t);
                        next = t;
                    }
                    return tasks;
                })
                .get(HANG_GUARD);
        Task<?> head = chain.get(depth - 1);
        settleAll();
        assertThat(head.state()).isEqualTo(TaskState.SUSPENDED);

        assertThat(head.cancel("from a plain thread")).isTrue();

        awaitTerminal(head, "the head of the chain");
        long notCancelled = chain.stream().filter(t -> !t.isCancelled()).count();
        assertThat(notCancelled).as("links not CANCELLED").isZero();
        assertThat(reports).as("reports to the exception handler").isEmpty();
    }

    // ---------------------------------------------------------------------------------------------
    // Harness
    // ---------------------------------------------------------------------------------------------

    /** A report as the failure messages show it: the message, the error and its top frames. */
    private static String describe(String message, Throwable error) {
        StringBuilder s = new StringBuilder(message).append(": ").append(error);
        StackTraceElement[] frames = error.getStackTrace();
        for (int i = 0; i < Math.min(4, frames.length); i++) {
            s.append("\n\tat ").append(frames[i]);
        }
        return s.toString();
    }

    private void settleAll() {
        Settle.settle(loop);
        Settle.settle(other);
        Settle.settle(loop);
    }

    private void awaitTerminal(Awaitable<?> a, String name) throws InterruptedException {
        try {
            a.get(HANG_GUARD);
        } catch (TimeoutException hang) {
            fail(name + ": not done within " + HANG_GUARD + " (a hang): " + a
                    + (a instanceof Task<?> t ? ", awaiting " + t.awaiting() : "")
                    + "; reports to the exception handler: " + reports);
        } catch (RuntimeException outcome) {
            // the outcome is asserted by the caller
        }
    }

    private static void awaitOrFail(CountDownLatch latch, String name) {
        try {
            if (!latch.await(HANG_GUARD.toSeconds(), TimeUnit.SECONDS)) {
                fail(name + ": a latch was not released within " + HANG_GUARD);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(name + ": interrupted", e);
        }
    }
}
