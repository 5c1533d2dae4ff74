package dev.spindle.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.spindle.engine.channel.Channel;
import dev.spindle.engine.sync.Event;
import dev.spindle.engine.sync.Lock;
import dev.spindle.engine.sync.Queue;
import dev.spindle.engine.sync.Semaphore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The public API called after {@link Engine#close()} and while a shutdown is in progress (A16.3): every call
 * either works or throws an exception whose message names the engine or a loop, and nothing handed over is
 * silently dropped. A callback or timer handed over runs, or is refused at the call (a timer may also end
 * cancelled); a returned {@link Task} or {@link Promise} reaches a terminal state, and a cancelled one carries
 * a message saying why.
 *
 * <p>The public instance methods of {@link Engine} and {@link EventLoop} are found by reflection and called
 * with sample arguments, so a new method is swept without editing this class (a parameter type with no
 * sample fails {@link #everyPublicEngineAndLoopMethodHasSampleArguments}). Not driven that way:
 *
 * <ul>
 *   <li>{@link Engine#shutdown} and {@link Engine#close}: they are what is being tested, from every kind of
 *       thread, in the tests at the end;
 *   <li>the static {@link Engine#run} and {@link Engine#builder}, which start an engine of their own;
 *   <li>{@link Task}, {@link Promise}, {@link Async}, {@link TaskGroup}, the sync primitives and {@link
 *       Channel}: they need an awaitable, a coroutine or a loop-bound object to call, so they are probes
 *       listed by hand ({@link #plainThreadProbes} and {@link #inTaskProbes}). The coroutine-only methods
 *       ({@code Async.sleep}, {@code Lock.acquire}, …) are probed from inside a task, where they can run;
 *       from a plain thread they refuse for a reason unrelated to shutdown.
 * </ul>
 */
class ShutdownSweepTest {
    private static final Duration HANG_GUARD = Duration.ofSeconds(10);
    /**
     * How long a verdict waits for a returned awaitable: it is taken once the engine has stopped, when
     * nothing is left in flight, so anything not done by then never will be.
     */
    private static final Duration VERDICT_WAIT = Duration.ofSeconds(1);

    private static final Set<String> DRIVEN_ELSEWHERE = Set.of("shutdown", "close");

    private final List<Engine> engines = new CopyOnWriteArrayList<>();
    private final ExecutorService caller = Executors.newCachedThreadPool();

    @AfterEach
    void closeEverything() {
        caller.shutdownNow();
        for (Engine e : engines) {
            e.shutdown(Duration.ofSeconds(1));
        }
    }

    private Engine newEngine(Engine.Builder builder) {
        Engine engine = builder.build();
        engines.add(engine);
        return engine;
    }

    private Engine newEngine() {
        return newEngine(Engine.builder().loops(2).workers(1));
    }

    // ---------------------------------------------------------------------------------------------
    // What a call handed over, and what became of it
    // ---------------------------------------------------------------------------------------------

    /** A callback or body handed to the engine by one call; records whether it ran. */
    private static final class Work {
        final AtomicBoolean ran = new AtomicBoolean();

        final Runnable runnable = () -> ran.set(true);

        final Callable<Object> callable = () -> {
            ran.set(true);
            return "ran";
        };
    }

    /** One call: its name, what it handed over, and its return value or exception. */
    private record Outcome(String call, Work work, boolean handsOverWork, Object value, Throwable thrown) {}

    private interface Probe {
        Object call(Engine engine, Work work) throws Exception;
    }

    private record NamedProbe(String name, boolean handsOverWork, Probe probe) {}

    private static Outcome attempt(String name, Work work, boolean handsOverWork, Callable<Object> call) {
        try {
            return new Outcome(name, work, handsOverWork, call.call(), null);
        } catch (InvocationTargetException e) {
            return new Outcome(name, work, handsOverWork, null, e.getCause());
        } catch (Throwable e) {
            return new Outcome(name, work, handsOverWork, null, e);
        }
    }

    /**
     * Checks one outcome once the engine is terminated: returns what is wrong with it, or {@code null}.
     */
    private static String violation(Engine engine, Outcome o) {
        if (o.thrown() != null) {
            Throwable t = o.thrown();
            String message = String.valueOf(t.getMessage());
            if (!namesEngineOrLoop(engine, message)) {
                return o.call() + " threw " + t + ", whose message names neither the engine nor a loop";
            }
            if (o.work().ran.get()) {
                return o.call() + " threw " + t + " but its work ran";
            }
            return null;
        }
        Object v = o.value();
        if (o.call().contains("newPromise")) {
            return null; // a new promise is its caller's to complete
        }
        if (v instanceof Awaitable<?> a) {
            try {
                a.get(VERDICT_WAIT);
            } catch (TimeoutException hang) {
                return o.call() + " returned " + a + ", which never reached a terminal state";
            } catch (CancelledException cancelled) {
                if (cancelled.getMessage() == null || cancelled.getMessage().isBlank()) {
                    return o.call() + " returned " + a + ", cancelled without a message saying why";
                }
                if (o.handsOverWork() && o.work().ran.get() && a instanceof Task<?> t && !t.isCoroutine()) {
                    return o.call() + " returned " + a + ", cancelled although its body ran";
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return o.call() + ": interrupted";
            } catch (RuntimeException failure) {
                return o.call() + " returned " + a + ", which failed: " + failure;
            }
            return null;
        }
        if (v instanceof CompletableFuture<?> f) {
            try {
                f.get(VERDICT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException hang) {
                return o.call() + " returned " + f + ", which never completed";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return o.call() + ": interrupted";
            } catch (ExecutionException | RuntimeException outcome) {
                // completed: that is all this checks
            }
            return null;
        }
        if (v instanceof TimerHandle h) {
            if (!h.hasFired() && !h.isCancelled()) {
                return o.call() + " returned " + h + ", neither fired nor cancelled after the engine stopped";
            }
            if (h.hasFired() != o.work().ran.get()) {
                return o.call() + " returned " + h + ": fired " + h.hasFired() + " but ran "
                        + o.work().ran.get();
            }
            return null;
        }
        if (Boolean.FALSE.equals(v) && o.call().contains("try")) {
            return o.work().ran.get() ? o.call() + " returned false but its work ran" : null;
        }
        if (v == null && o.call().contains("try")) {
            return o.work().ran.get() ? o.call() + " returned null but its work ran" : null;
        }
        if (o.handsOverWork() && !o.work().ran.get()) {
            return o.call() + " accepted its callback (returned " + v + ") but it never ran: silently dropped";
        }
        return null;
    }

    private static boolean namesEngineOrLoop(Engine engine, String message) {
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("engine") || lower.contains("worker pool")) {
            return true;
        }
        for (EventLoop loop : engine.loops()) {
            if (message.contains(loop.name())) {
                return true;
            }
        }
        return false;
    }

    private static List<String> violations(Engine engine, List<Outcome> outcomes) {
        List<String> found = new ArrayList<>();
        for (Outcome o : outcomes) {
            String v = violation(engine, o);
            if (v != null) {
                found.add(v);
            }
        }
        return found;
    }

    // ---------------------------------------------------------------------------------------------
    // Reflection over Engine and EventLoop
    // ---------------------------------------------------------------------------------------------

    private static List<Method> sweptMethods(Class<?> type) {
        return Arrays.stream(type.getMethods())
                .filter(m -> m.getDeclaringClass() == type)
                .filter(m -> !Modifier.isStatic(m.getModifiers()))
                .filter(m -> !DRIVEN_ELSEWHERE.contains(m.getName()))
                .sorted(Comparator.comparing(Method::toGenericString))
                .toList();
    }

    /** Sample arguments for {@code m}, or {@code null} if a parameter type has none. */
    private static Object[] sampleArguments(Method m, Work work) {
        Class<?>[] types = m.getParameterTypes();
        Object[] args = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            Class<?> t = types[i];
            if (t == Runnable.class) {
                args[i] = work.runnable;
            } else if (t == Callable.class) {
                args[i] = work.callable;
            } else if (t == String.class) {
                args[i] = "swept";
            } else if (t == int.class) {
                args[i] = 0;
            } else if (t == long.class) {
                args[i] = 1_000_000L;
            } else if (t == TimeUnit.class) {
                args[i] = TimeUnit.NANOSECONDS;
            } else if (t == Duration.class) {
                args[i] = Duration.ofMillis(1);
            } else {
                return null;
            }
        }
        return args;
    }

    private static boolean handsOverWork(Method m) {
        return Arrays.stream(m.getParameterTypes()).anyMatch(t -> t == Runnable.class || t == Callable.class);
    }

    private static String describe(Method m) {
        return m.getDeclaringClass().getSimpleName() + "." + m.getName()
                + Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName).toList();
    }

    @Test
    void everyPublicEngineAndLoopMethodHasSampleArguments() {
        List<String> undriven = new ArrayList<>();
        for (Class<?> type : List.of(Engine.class, EventLoop.class)) {
            for (Method m : sweptMethods(type)) {
                if (sampleArguments(m, new Work()) == null) {
                    undriven.add(describe(m));
                }
            }
        }
        assertThat(undriven)
                .as("methods with a parameter type the sweep has no sample for")
                .isEmpty();
    }

    /** Calls every swept method of the engine and of loop {@code index} from the calling thread. */
    private List<Outcome> callEveryMethod(Engine engine, int index) {
        List<Outcome> outcomes = new ArrayList<>();
        EventLoop loop = engine.loop(index);
        for (Method m : sweptMethods(Engine.class)) {
            outcomes.add(invoke(engine, m, "on the engine"));
        }
        for (Method m : sweptMethods(EventLoop.class)) {
            outcomes.add(invoke(loop, m, "on " + loop.name()));
        }
        return outcomes;
    }

    private static Outcome invoke(Object target, Method m, String where) {
        Work work = new Work();
        Object[] args = sampleArguments(m, work);
        String name =
                describe(m) + " " + where + " from " + Thread.currentThread().getName();
        if (args == null) {
            return new Outcome(name, work, false, null, null);
        }
        return attempt(name, work, handsOverWork(m), () -> m.invoke(target, args));
    }

    /** Runs {@code calls} on a fresh plain thread, bounded by the hang guard. */
    private <T> T onPlainThread(String what, Callable<T> calls) throws Exception {
        Future<T> f = caller.submit(calls);
        try {
            return f.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException hang) {
            f.cancel(true);
            throw new AssertionError(what + " did not return within " + HANG_GUARD + " (a hang)");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The probes listed by hand
    // ---------------------------------------------------------------------------------------------

    /** Calls on a plain thread: each returns what it handed over, for {@link #violation} to check. */
    private static List<NamedProbe> plainThreadProbes(Promise<String> pendingBefore, Task<String> doneBefore) {
        return List.of(
                new NamedProbe("Promise: newPromise, complete, join", false, (e, w) -> {
                    Promise<String> p = e.loop(0).newPromise();
                    p.complete("v");
                    p.join();
                    return p;
                }),
                new NamedProbe("Promise: fail then exception()", false, (e, w) -> {
                    Promise<String> p = e.loop(0).newPromise();
                    p.fail(new IllegalStateException("expected"));
                    return p.exception();
                }),
                new NamedProbe("Promise: cancel a pending one", false, (e, w) -> {
                    Promise<String> p = e.loop(0).newPromise();
                    p.cancel("swept");
                    return p;
                }),
                new NamedProbe("Awaitable.onDone on a promise done before the call", true, (e, w) -> {
                    Promise<String> p = e.loop(0).newPromise();
                    p.complete("v");
                    p.onDone(d -> w.runnable.run());
                    return null;
                }),
                new NamedProbe("Awaitable.onDone on a task done before shutdown", true, (e, w) -> {
                    doneBefore.onDone(d -> w.runnable.run());
                    return null;
                }),
                new NamedProbe("Awaitable.onDone on a pending promise, then complete it", true, (e, w) -> {
                    Promise<String> p = e.loop(0).newPromise();
                    p.onDone(d -> w.runnable.run());
                    p.complete("v");
                    return null;
                }),
                new NamedProbe("Awaitable.onDone registered before shutdown, completed now", false, (e, w) -> {
                    pendingBefore.complete("v"); // its callback is checked by the test itself
                    return pendingBefore;
                }),
                new NamedProbe("Awaitable.removeOnDone", false, (e, w) -> doneBefore.removeOnDone(d -> {})),
                new NamedProbe(
                        "Awaitable.toCompletableFuture of a pending promise, then complete it", false, (e, w) -> {
                            Promise<String> p = e.loop(0).newPromise();
                            CompletableFuture<String> f = p.toCompletableFuture();
                            p.complete("v");
                            return f;
                        }),
                new NamedProbe("Task: cancel, cancelling, name, setName, state of a done task", false, (e, w) -> {
                    doneBefore.cancel("swept");
                    doneBefore.setName(doneBefore.name());
                    doneBefore.cancelling();
                    return doneBefore;
                }),
                new NamedProbe("Async.await of a done promise", false, (e, w) -> {
                    Promise<String> p = e.loop(0).newPromise();
                    p.complete("v");
                    return Async.await(p);
                }),
                new NamedProbe("Async.gather of done promises", false, (e, w) -> {
                    Promise<String> a = e.loop(0).newPromise();
                    Promise<String> b = e.loop(1).newPromise();
                    a.complete("a");
                    b.complete("b");
                    return Async.gather(a, b);
                }),
                new NamedProbe("Async.gatherReturningExceptions of a promise completed afterwards", false, (e, w) -> {
                    Promise<String> a = e.loop(0).newPromise();
                    Awaitable<List<Object>> g = Async.gatherReturningExceptions(List.of(a));
                    a.complete("a");
                    return g;
                }),
                new NamedProbe("Async.shield of a pending promise, completed afterwards", false, (e, w) -> {
                    Promise<String> inner = e.loop(0).newPromise();
                    Awaitable<String> outer = Async.shield(inner);
                    inner.complete("v");
                    return outer;
                }),
                new NamedProbe("TaskGroup: new, then cancel before entry", false, (e, w) -> {
                    new TaskGroup().cancel();
                    return null;
                }),
                new NamedProbe("Semaphore: new (bound to loop 0), value, locked", false, (e, w) -> {
                    Semaphore s = new Semaphore(e.loop(0), 1);
                    return s.value() + " " + s.locked();
                }),
                new NamedProbe("Queue: new (bound to loop 0)", false, (e, w) -> new Queue<String>(e.loop(0), 1)),
                new NamedProbe("Channel: mpmc, trySend, tryReceive, close", false, (e, w) -> {
                    Channel<String> c = Channel.mpmc(1);
                    c.trySend("x");
                    String item = c.tryReceive();
                    c.close();
                    return item;
                }),
                new NamedProbe("Channel: sendBlocking and receiveBlocking with a time-out", false, (e, w) -> {
                    Channel<String> c = Channel.mpmc(1);
                    c.sendBlocking("x", Duration.ofSeconds(1));
                    return c.receiveBlocking(Duration.ofSeconds(1));
                }));
    }

    private List<Outcome> runProbes(Engine engine, List<NamedProbe> probes, String where) {
        List<Outcome> outcomes = new ArrayList<>();
        for (NamedProbe p : probes) {
            Work work = new Work();
            outcomes.add(attempt(
                    p.name() + " " + where,
                    work,
                    p.handsOverWork(),
                    () -> p.probe().call(engine, work)));
        }
        return outcomes;
    }

    // ---------------------------------------------------------------------------------------------
    // (a) after close()
    // ---------------------------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> afterCloseEveryEngineAndLoopMethodWorksOrRefusesNamingTheLoop() {
        return Stream.concat(sweptMethods(Engine.class).stream(), sweptMethods(EventLoop.class).stream())
                .map(m -> DynamicTest.dynamicTest(describe(m), () -> {
                    Engine engine = newEngine();
                    engine.close();
                    Object target = m.getDeclaringClass() == Engine.class ? engine : engine.loop(0);
                    Outcome o = onPlainThread(describe(m), () -> invoke(target, m, "after close()"));
                    assertThat(violations(engine, List.of(o))).isEmpty();
                }));
    }

    @Test
    void afterCloseTheHandListedApiWorksOrRefusesAndDropsNothing() throws Exception {
        Engine engine = newEngine();
        Promise<String> pendingBefore = engine.loop(0).newPromise();
        Work callbackBefore = new Work();
        pendingBefore.onDone(d -> callbackBefore.runnable.run());
        Task<String> doneBefore = engine.loop(0).submit(() -> "done");
        doneBefore.join();
        engine.close();

        List<Outcome> outcomes = onPlainThread(
                "the probes", () -> runProbes(engine, plainThreadProbes(pendingBefore, doneBefore), "after close()"));
        List<String> found = violations(engine, outcomes);
        if (!callbackBefore.ran.get()) {
            found.add("a callback registered before close() on a promise completed after it never ran");
        }
        assertThat(found).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------
    // (b) and (c) during shutdown
    // ---------------------------------------------------------------------------------------------

    /**
     * An engine whose shutdown is held open: a task on each loop catches the shutdown's cancel, runs {@code
     * inTask} (loop 0 only), then awaits a gate the test completes.
     */
    private final class HeldShutdown {
        final Engine engine = newEngine();
        final Promise<Void> gate = engine.loop(0).newPromise();
        final CountDownLatch cancelSeen = new CountDownLatch(2);
        final AtomicReference<Boolean> clean = new AtomicReference<>();
        final Thread shutdownThread = new Thread(() -> clean.set(engine.shutdown(Duration.ofSeconds(5))), "shutdown");
        final List<Outcome> inTaskOutcomes = new CopyOnWriteArrayList<>();

        HeldShutdown(Callable<List<Outcome>> inTask) {
            for (int i = 0; i < 2; i++) {
                boolean first = i == 0;
                Task<Object> blocker = engine.loop(i).spawn(() -> {
                    try {
                        Async.await(engine.loop(0).newPromise());
                    } catch (CancelledException shutdownCancel) {
                        if (first && inTask != null) {
                            inTaskOutcomes.addAll(inTask.call());
                        }
                        cancelSeen.countDown();
                        Async.await(gate);
                    }
                    return null;
                });
                assertThat(blocker).isNotNull();
            }
            Settle.settle(engine.loop(0));
            Settle.settle(engine.loop(1));
        }

        void begin() throws InterruptedException {
            shutdownThread.start();
            assertThat(cancelSeen.await(HANG_GUARD.toSeconds(), TimeUnit.SECONDS))
                    .as("the shutdown's cancel reached both held tasks")
                    .isTrue();
        }

        void finish() throws InterruptedException {
            gate.complete(null);
            shutdownThread.join(HANG_GUARD.toMillis());
            assertThat(shutdownThread.isAlive())
                    .as("shutdown returned once the gate opened")
                    .isFalse();
        }
    }

    @TestFactory
    Stream<DynamicTest> whileShutdownIsInProgressEveryEngineAndLoopMethodFromAPlainThreadWorksOrRefuses() {
        return Stream.concat(sweptMethods(Engine.class).stream(), sweptMethods(EventLoop.class).stream())
                .map(m -> DynamicTest.dynamicTest(describe(m), () -> {
                    HeldShutdown held = new HeldShutdown(null);
                    held.begin();
                    Object target = m.getDeclaringClass() == Engine.class ? held.engine : held.engine.loop(0);
                    Outcome o = onPlainThread(describe(m), () -> invoke(target, m, "during shutdown"));
                    held.finish();
                    assertThat(violations(held.engine, List.of(o))).isEmpty();
                }));
    }

    @Test
    void whileShutdownIsInProgressTheHandListedApiFromAPlainThreadWorksOrRefuses() throws Exception {
        HeldShutdown held = new HeldShutdown(null);
        Promise<String> pendingBefore = held.engine.loop(0).newPromise();
        Work callbackBefore = new Work();
        pendingBefore.onDone(d -> callbackBefore.runnable.run());
        Task<String> doneBefore = held.engine.loop(0).submit(() -> "done");
        doneBefore.join();
        held.begin();
        List<Outcome> outcomes = onPlainThread(
                "the probes",
                () -> runProbes(held.engine, plainThreadProbes(pendingBefore, doneBefore), "during shutdown"));
        held.finish();
        List<String> found = violations(held.engine, outcomes);
        if (!callbackBefore.ran.get()) {
            found.add("a callback registered before shutdown on a promise completed during it never ran");
        }
        assertThat(found).isEmpty();
    }

    /** Calls run on loop 0 by a coroutine task that the shutdown has just cancelled. */
    private static List<NamedProbe> inTaskProbes() {
        return List.of(
                new NamedProbe("Async.sleep", false, (e, w) -> {
                    Async.sleep(Duration.ofMillis(1));
                    return null;
                }),
                new NamedProbe("Async.yieldNow", false, (e, w) -> {
                    Async.yieldNow();
                    return null;
                }),
                new NamedProbe("Async.offload", false, (e, w) -> Async.offload(() -> "v")),
                new NamedProbe("Async.tryOffload", false, (e, w) -> Async.tryOffload(() -> "v")),
                new NamedProbe("Async.timeout", false, (e, w) -> Async.timeout(Duration.ofSeconds(1), s -> "v")),
                new NamedProbe(
                        "Async.waitFor of a spawned task",
                        false,
                        (e, w) -> Async.waitFor(e.loop(0).spawn(() -> "v"), Duration.ofSeconds(1))),
                new NamedProbe(
                        "Async.gather of a task spawned on loop 0",
                        false,
                        (e, w) -> Async.gather(e.loop(0).spawn(() -> "v"))),
                new NamedProbe("Async.wait of a promise", false, (e, w) -> {
                    Promise<String> p = e.loop(0).newPromise();
                    p.complete("v");
                    return Async.wait(List.of(p), ReturnWhen.ALL_COMPLETED, Duration.ofSeconds(1));
                }),
                new NamedProbe("TaskGroup.run with one child", false, (e, w) -> TaskGroup.run(g -> g.spawn(() -> "v"))),
                new NamedProbe(
                        "Task.current().uncancel()",
                        false,
                        (e, w) -> Task.current().uncancel()),
                new NamedProbe("Lock acquire and release", false, (e, w) -> {
                    Lock lock = new Lock();
                    try (var held = lock.acquire()) {
                        return lock.locked();
                    }
                }),
                new NamedProbe("Semaphore acquire and release", false, (e, w) -> {
                    Semaphore s = new Semaphore(1);
                    try (var held = s.acquire()) {
                        return s.value();
                    }
                }),
                new NamedProbe("Event set and await", false, (e, w) -> {
                    Event event = new Event();
                    event.set();
                    return event.await();
                }),
                new NamedProbe("Queue put and get", false, (e, w) -> {
                    Queue<String> q = new Queue<>(1);
                    q.put("x");
                    return q.get();
                }),
                new NamedProbe("Channel send and receive", false, (e, w) -> {
                    Channel<String> c = Channel.mpsc(1);
                    c.send("x");
                    return c.receive();
                }),
                new NamedProbe(
                        "Engine.shutdown(Duration) from the task", false, (e, w) -> e.shutdown(Duration.ofSeconds(1))),
                new NamedProbe("Engine.close() from the task", false, (e, w) -> {
                    e.close();
                    return null;
                }),
                new NamedProbe("Engine.runMain from the task", true, (e, w) -> e.runMain(w.callable)));
    }

    @Test
    void whileShutdownIsInProgressTheApiFromInsideATaskCancelledByItWorksOrRefuses() throws Exception {
        AtomicReference<Engine> engine = new AtomicReference<>();
        HeldShutdown held = new HeldShutdown(() -> {
            List<Outcome> outcomes = new ArrayList<>(callEveryMethod(engine.get(), 0));
            outcomes.addAll(callEveryMethod(engine.get(), 1));
            for (Outcome o : runInTaskProbes(engine.get())) {
                outcomes.add(o);
            }
            return outcomes;
        });
        engine.set(held.engine);
        held.begin();
        held.finish();
        assertThat(held.inTaskOutcomes).as("calls made inside the task").isNotEmpty();
        assertThat(violations(held.engine, held.inTaskOutcomes)).isEmpty();
    }

    private List<Outcome> runInTaskProbes(Engine engine) {
        return runProbes(engine, inTaskProbes(), "inside a task cancelled by shutdown");
    }

    /**
     * A timer a task schedules on its own loop during shutdown must not hold the loop open for its whole
     * delay: the loop is shutting down, so the timer is refused or cancelled (asyncio's loop.close() drops
     * the scheduled handles), or it fires, but shutdown does not wait the grace period out.
     */
    @Test
    void aTimerScheduledOnTheLoopDuringShutdownDoesNotHoldTheShutdownForItsDelay() throws Exception {
        Engine engine = newEngine();
        AtomicReference<Object> timer = new AtomicReference<>();
        CountDownLatch scheduled = new CountDownLatch(1);
        engine.loop(0).spawn(() -> {
            try {
                Async.await(engine.loop(0).newPromise());
            } catch (CancelledException shutdownCancel) {
                try {
                    timer.set(engine.loop(0).schedule(Duration.ofHours(1), () -> {}));
                } catch (RuntimeException refused) {
                    timer.set(refused);
                }
                scheduled.countDown();
            }
            return null;
        });
        Settle.settle(engine.loop(0));
        boolean clean = assertTimeoutPreemptively(Duration.ofSeconds(3), () -> engine.shutdown(Duration.ofSeconds(2)));
        assertThat(scheduled.await(1, TimeUnit.SECONDS)).isTrue();
        assertThat(clean)
                .as("shutdown finished within its grace period; the timer was " + timer.get())
                .isTrue();
    }

    // ---------------------------------------------------------------------------------------------
    // shutdown() and close() from every kind of thread
    // ---------------------------------------------------------------------------------------------

    @Test
    void closeFromAPlainThreadReturnsPromptlyAndStopsEverything() {
        Engine engine = newEngine();
        boolean clean = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> engine.shutdown(Duration.ofSeconds(5)));
        assertThat(clean).isTrue();
        assertThat(engine.isShutdown()).isTrue();
        assertThat(engine.isTerminated()).isTrue();
        assertThat(engine.workerThreads()).noneMatch(Thread::isAlive);
    }

    @Test
    void closeFromALoopThreadRefusesNamingTheThread() throws Exception {
        Engine engine = newEngine();
        Task<Object> t = engine.loop(0).submit(() -> {
            try {
                engine.close();
                return "returned";
            } catch (IllegalStateException refused) {
                return refused;
            }
        });
        Object outcome = t.get(HANG_GUARD);
        assertThat(outcome).isInstanceOf(IllegalStateException.class);
        assertThat(((Throwable) outcome).getMessage()).contains(engine.loop(0).name());
    }

    /**
     * A worker running offloaded work calls shutdown: it must not wait for itself (its own thread is one of
     * the workers shutdown joins). It returns promptly or refuses at once, naming the worker.
     */
    @Test
    void shutdownFromAnOffloadedJobReturnsPromptlyInsteadOfWaitingForItsOwnWorker() throws Exception {
        Engine engine = newEngine();
        AtomicReference<Object> outcome = new AtomicReference<>();
        AtomicReference<Duration> took = new AtomicReference<>();
        CountDownLatch returned = new CountDownLatch(1);
        engine.loop(0)
                .spawn(() -> Async.offload(() -> {
                    long start = System.nanoTime();
                    try {
                        outcome.set(engine.shutdown(Duration.ofSeconds(4)));
                    } catch (RuntimeException refused) {
                        outcome.set(refused);
                    }
                    took.set(Duration.ofNanos(System.nanoTime() - start));
                    returned.countDown();
                    return null;
                }));
        assertThat(returned.await(HANG_GUARD.toSeconds(), TimeUnit.SECONDS))
                .as("shutdown returned")
                .isTrue();
        assertThat(took.get())
                .as("shutdown(4 s) from a worker returned %s after %s", outcome.get(), took.get())
                .isLessThan(Duration.ofSeconds(2));
        if (outcome.get() instanceof Throwable refused) {
            assertThat(refused.getMessage())
                    .contains(engine.workerThreads().getFirst().getName());
        } else {
            assertThat(outcome.get()).as("shutdown() from a worker").isEqualTo(Boolean.TRUE);
        }
    }

    /** close() from a task the shutdown has cancelled: refused at once, naming the loop thread. */
    @Test
    void closeFromInsideATaskCancelledByShutdownRefusesNamingTheLoop() throws Exception {
        AtomicReference<Engine> engine = new AtomicReference<>();
        HeldShutdown held = new HeldShutdown(() -> List.of(attempt("close()", new Work(), false, () -> {
            engine.get().close();
            return null;
        })));
        engine.set(held.engine);
        held.begin();
        held.finish();
        assertThat(held.inTaskOutcomes).hasSize(1);
        Throwable thrown = held.inTaskOutcomes.getFirst().thrown();
        assertThat(thrown).isInstanceOf(IllegalStateException.class);
        assertThat(thrown.getMessage()).contains(held.engine.loop(0).name());
    }

    /** Engine.builder().workers(4).workerQueueCapacity(1): a second close() right after the first. */
    @Test
    void aSecondCloseRightAfterTheFirstReturnsPromptly() {
        Engine engine = newEngine(Engine.builder().loops(1).workers(4).workerQueueCapacity(1));
        engine.close();
        assertTimeoutPreemptively(Duration.ofSeconds(2), engine::close);
        assertThat(engine.isTerminated()).isTrue();
    }

    @Test
    void concurrentCloseFromTwoThreadsBothReturnPromptly() throws Exception {
        Engine engine = newEngine(Engine.builder().loops(2).workers(2).workerQueueCapacity(1));
        engine.loop(0).spawn(() -> Async.await(engine.loop(0).newPromise())); // cancelled by the shutdown
        Settle.settle(engine.loop(0));
        CyclicBarrier start = new CyclicBarrier(2);
        Callable<Duration> close = () -> {
            start.await(HANG_GUARD.toSeconds(), TimeUnit.SECONDS);
            long t0 = System.nanoTime();
            engine.close();
            return Duration.ofNanos(System.nanoTime() - t0);
        };
        Future<Duration> first = caller.submit(close);
        Future<Duration> second = caller.submit(close);
        Duration a = first.get(HANG_GUARD.toSeconds() * 2, TimeUnit.SECONDS);
        Duration b = second.get(HANG_GUARD.toSeconds() * 2, TimeUnit.SECONDS);
        assertThat(engine.isTerminated()).isTrue();
        assertThat(a).as("the first close()").isLessThan(Duration.ofSeconds(2));
        assertThat(b).as("the second close()").isLessThan(Duration.ofSeconds(2));
    }
}
