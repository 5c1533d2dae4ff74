package dev.spindle.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.spindle.engine.channel.Channel;
import dev.spindle.engine.channel.ChannelClosedException;
import dev.spindle.engine.sync.BoundedSemaphore;
import dev.spindle.engine.sync.Condition;
import dev.spindle.engine.sync.Event;
import dev.spindle.engine.sync.Lock;
import dev.spindle.engine.sync.Queue;
import dev.spindle.engine.sync.QueueShutDownException;
import dev.spindle.engine.sync.Semaphore;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.ThrowingSupplier;

/**
 * Calls every public method and constructor of the exported packages with bad arguments: {@code null}
 * for each reference parameter, 0, -1, MIN and MAX for each {@code int} and {@code long}, zero, -1 ns and
 * the extreme {@link Duration}s for each {@code Duration}, and a list of already-used objects.
 *
 * <p>Each call must either fail at once, on the calling thread, with an exception whose message starts
 * with the parameter's name ({@code NullPointerException("name")}, {@code
 * IllegalArgumentException("name: …")}), or, where the value has a documented meaning, behave as
 * documented; never fail later on a loop thread, hang, or exhaust memory.
 *
 * <p>The public API is found by reflection, so the sweep stays complete: a new public method whose
 * parameter type has no sample, whose owner has no receiver, or whose numeric or {@code Duration}
 * parameter has no case below fails {@link #everyPublicMemberIsSwept()} until it is handled.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiArgumentSweepTest {
    private static final List<String> PACKAGES =
            List.of("dev.spindle.engine", "dev.spindle.engine.sync", "dev.spindle.engine.channel");

    /** Only a guard against hangs; nothing waits for it to pass. */
    private static final Duration HANG_GUARD = Duration.ofSeconds(30);

    private static final long[] INTS = {0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE};
    private static final long[] LONGS = {0, -1, Long.MIN_VALUE, Long.MAX_VALUE};
    private static final Duration HUGE = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);
    private static final Duration HUGE_NEGATIVE = Duration.ofSeconds(Long.MIN_VALUE);
    private static final List<Duration> DURATIONS = List.of(Duration.ZERO, Duration.ofNanos(-1), HUGE_NEGATIVE, HUGE);

    private final List<Throwable> reported = new CopyOnWriteArrayList<>();
    private final ManualClock clock = ManualClock.autoAdvancing();
    private Engine engine;
    private EventLoop loop;

    @BeforeAll
    void startEngine() {
        engine = Engine.builder()
                .loops(1)
                .workers(1)
                .clock(clock)
                .exceptionHandler((message, error, source) -> reported.add(error))
                .fatalHandler((message, error, source) -> reported.add(error))
                .build();
        loop = engine.loop(0);
    }

    @AfterAll
    void closeEngine() {
        engine.close();
    }

    // ---------------------------------------------------------------------------------------------
    // The public API, by reflection
    // ---------------------------------------------------------------------------------------------

    /** One public method or constructor, as seen on {@code owner} (which may inherit it). */
    record Member(Class<?> owner, Executable executable) {
        String key() {
            StringBuilder b = new StringBuilder();
            if (executable instanceof Constructor<?>) {
                b.append("new ").append(typeName(owner));
            } else {
                b.append(typeName(owner)).append('.').append(executable.getName());
            }
            b.append('(');
            Class<?>[] types = executable.getParameterTypes();
            for (int i = 0; i < types.length; i++) {
                b.append(i == 0 ? "" : ", ").append(types[i].getSimpleName());
            }
            return b.append(')').toString();
        }

        String param(int i) {
            return key() + "#" + executable.getParameters()[i].getName();
        }

        boolean isStatic() {
            return executable instanceof Constructor<?> || Modifier.isStatic(executable.getModifiers());
        }

        Object invoke(Object receiver, Object[] args) throws Exception {
            try {
                if (executable instanceof Constructor<?> c) {
                    return c.newInstance(args);
                }
                Method m = (Method) executable;
                m.setAccessible(true); // inherited from a package-private class
                return m.invoke(receiver, args);
            } catch (InvocationTargetException e) {
                throw sneaky(e.getCause());
            }
        }

        @Override
        public String toString() {
            return key();
        }
    }

    @SuppressWarnings("unchecked")
    static <E extends Throwable> Exception sneaky(Throwable t) throws E {
        throw (E) t;
    }

    static String typeName(Class<?> type) {
        return type.getName().substring(type.getPackageName().length() + 1).replace('$', '.');
    }

    static boolean isPublicApi(Class<?> type) {
        return PACKAGES.contains(type.getPackageName())
                && Modifier.isPublic(type.getModifiers())
                && !type.isSynthetic()
                && !type.isAnonymousClass()
                && (type.getEnclosingClass() == null || isPublicApi(type.getEnclosingClass()));
    }

    /** Every public type of the exported packages, found in the directory the engine's classes came from. */
    static List<Class<?>> publicTypes() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Path.of(
                Engine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(root).as("the engine's classes are read from a directory").isDirectory();
        List<Class<?>> types = new ArrayList<>();
        for (String pkg : PACKAGES) {
            try (Stream<Path> files = Files.list(root.resolve(pkg.replace('.', '/')))) {
                for (Path file : files.sorted().toList()) {
                    String name = file.getFileName().toString();
                    if (!name.endsWith(".class") || name.equals("package-info.class")) {
                        continue;
                    }
                    Class<?> type = Class.forName(
                            pkg + "." + name.substring(0, name.length() - 6),
                            false,
                            ApiArgumentSweepTest.class.getClassLoader());
                    if (isPublicApi(type)) {
                        types.add(type);
                    }
                }
            }
        }
        return types;
    }

    /**
     * The public members of {@code type}: its constructors, and its methods declared by itself or inherited
     * from a non-public class (a method inherited from another public type is swept on that type).
     */
    static List<Member> members(Class<?> type) {
        Map<String, Member> found = new LinkedHashMap<>();
        if (!type.isInterface() && !type.isEnum() && !Modifier.isAbstract(type.getModifiers())) {
            for (Constructor<?> c : type.getConstructors()) {
                Member m = new Member(type, c);
                found.put(m.key(), m);
            }
        }
        Method[] methods = type.getMethods();
        Arrays.sort(methods, Comparator.comparing(Method::toGenericString));
        for (Method method : methods) {
            Class<?> declaring = method.getDeclaringClass();
            if (method.isSynthetic()
                    || method.isBridge()
                    || !PACKAGES.contains(declaring.getPackageName())
                    || (declaring != type && isPublicApi(declaring))) {
                continue;
            }
            Member m = new Member(type, method);
            found.putIfAbsent(m.key(), m);
        }
        return List.copyOf(found.values());
    }

    static List<Member> publicMembers() throws Exception {
        List<Member> all = new ArrayList<>();
        for (Class<?> type : publicTypes()) {
            all.addAll(members(type));
        }
        return all;
    }

    /** Members the sweep leaves out, with the reason; anything else is swept. */
    static String notSwept(Member m) {
        Class<?> owner = m.owner();
        if (owner.isEnum() && m.executable().getName().equals("valueOf")) {
            return "generated by the compiler: Enum.valueOf(null) throws NullPointerException(\"Name is null\")";
        }
        if (owner.isRecord() && m.executable().getName().equals("equals")) {
            return "generated by the compiler: equals(null) is false, asserted by recordEqualsNullIsFalse";
        }
        return CALLBACKS.get(m.key());
    }

    /** Interfaces implemented by users and called by the engine, which passes only non-null arguments. */
    private static final Map<String, String> CALLBACKS = Map.of(
            "Async.ScopeBody.run(Timeout)",
            "implemented by the caller of Async.timeout; the engine passes the scope",
            "TaskGroup.GroupBody.run(TaskGroup)",
            "implemented by the caller of TaskGroup.run; the engine passes the group",
            "ExceptionHandler.handle(String, Throwable, Object)",
            "implemented by users and called by the engine; source is documented as possibly null");

    // ---------------------------------------------------------------------------------------------
    // Outcomes, receivers and samples
    // ---------------------------------------------------------------------------------------------

    /** What one call did: its receiver, and the value it returned or the exception it threw. */
    record Outcome(Object receiver, Object value, Throwable thrown) {}

    @FunctionalInterface
    interface Call {
        Object apply(Object receiver) throws Exception;
    }

    @FunctionalInterface
    interface Site {
        Outcome run(Call call);
    }

    static Outcome capture(Object receiver, Call call) {
        try {
            return new Outcome(receiver, call.apply(receiver), null);
        } catch (Throwable t) {
            return new Outcome(receiver, null, t);
        }
    }

    /** Runs {@code body} on the test thread, with a hang guard. */
    static <T> T here(ThrowingSupplier<T> body) {
        return assertTimeoutPreemptively(HANG_GUARD, body);
    }

    /** Runs {@code body} in a coroutine task on the loop and returns its value; the guard only catches hangs. */
    <T> T inTask(Callable<T> body) {
        Task<T> task = loop.spawn(body);
        return assertTimeoutPreemptively(HANG_GUARD, task::join);
    }

    /** The receiver factory and calling context of each type with public instance methods that take arguments. */
    private Map<Class<?>, Site> sites() {
        Map<Class<?>, Site> sites = new LinkedHashMap<>();
        sites.put(Engine.class, call -> here(() -> capture(engine, call)));
        sites.put(Engine.Builder.class, call -> here(() -> capture(Engine.builder(), call)));
        sites.put(EventLoop.class, call -> here(() -> capture(loop, call)));
        sites.put(Task.class, call -> {
            Task<?> task = pendingTask();
            try {
                return here(() -> capture(task, call));
            } finally {
                task.cancel();
            }
        });
        sites.put(Promise.class, call -> here(() -> capture(new Promise<>(loop), call)));
        // Awaitable's own implementations beyond Task and Promise: the gather.
        sites.put(Awaitable.class, call -> {
            Awaitable<?> gather = Async.gather(new Promise<>(loop));
            try {
                return here(() -> capture(gather, call));
            } finally {
                gather.cancel();
                here(() -> capture(gather, g -> gather.join())); // read, so that nothing reports it unretrieved
            }
        });
        sites.put(
                TaskGroup.class,
                call -> inTask(() -> {
                    TaskGroup group = TaskGroup.open();
                    try {
                        return capture(group, call);
                    } finally {
                        closeIfOpen(group);
                    }
                }));
        sites.put(
                Timeout.class, call -> inTask(() -> Async.timeout(Duration.ofHours(1), scope -> capture(scope, call))));
        sites.put(OffloadOptions.class, call -> here(() -> capture(OffloadOptions.defaults(), call)));
        // On the test thread itself: outside the loops, a key's value lives in the calling thread's context.
        sites.put(ContextKey.class, call -> capture(ContextKey.named("key"), call));
        sites.put(ManualClock.class, call -> here(() -> capture(new ManualClock(), call)));
        sites.put(Channel.class, call -> here(() -> capture(Channel.mpmc(4), call)));
        sites.put(
                Condition.class,
                call -> inTask(() -> {
                    Condition condition = new Condition(loop);
                    condition.acquire();
                    try {
                        return capture(condition, call);
                    } finally {
                        if (condition.locked()) {
                            condition.release();
                        }
                    }
                }));
        sites.put(Queue.class, call -> inTask(() -> capture(new Queue<>(loop, 4), call)));
        return sites;
    }

    /** Static methods of these types must run inside a coroutine task; other statics run on the test thread. */
    private static final Set<Class<?>> STATIC_IN_TASK = Set.of(Async.class, TaskGroup.class);

    private Site siteFor(Member m) {
        if (m.isStatic()) {
            return STATIC_IN_TASK.contains(m.owner()) && m.executable() instanceof Method
                    ? call -> inTask(() -> capture(null, call))
                    : call -> here(() -> capture(null, call));
        }
        return sites().get(m.owner());
    }

    private static void closeIfOpen(TaskGroup group) {
        try {
            group.close();
        } catch (IllegalStateException alreadyClosed) {
            // the call under test closed it
        }
    }

    /** A task that stays pending until cancelled. */
    private Task<?> pendingTask() {
        Promise<Object> never = new Promise<>(loop);
        return loop.spawn(() -> Async.await(never));
    }

    private Promise<Object> donePromise() {
        Promise<Object> done = new Promise<>(loop);
        done.complete("done");
        return done;
    }

    /** A valid value of each parameter type, made fresh for each call. */
    private Object sample(Class<?> type) {
        if (type == int.class) {
            return 1;
        } else if (type == long.class) {
            return 1L;
        } else if (type == boolean.class) {
            return false;
        } else if (type == String.class) {
            return "sample";
        } else if (type == Runnable.class) {
            return (Runnable) () -> {};
        } else if (type == Callable.class) {
            return (Callable<Object>) () -> "value";
        } else if (type == Duration.class) {
            return Duration.ofSeconds(1);
        } else if (type == TimeUnit.class) {
            return TimeUnit.MILLISECONDS;
        } else if (type == EventLoop.class) {
            return loop;
        } else if (type == Object.class) {
            return "item";
        } else if (type == Throwable.class) {
            return new IllegalStateException("sample failure");
        } else if (type == Consumer.class) {
            return (Consumer<Object>) value -> {};
        } else if (type == Supplier.class) {
            return (Supplier<Object>) NoOpIdleStrategy::new;
        } else if (type == ExceptionHandler.class) {
            return (ExceptionHandler) (message, error, source) -> {};
        } else if (type == ThreadFactory.class) {
            return (ThreadFactory) Thread::new;
        } else if (type == Clock.class) {
            return new ManualClock();
        } else if (type == int[].class) {
            return new int[] {0};
        } else if (type == BooleanSupplier.class) {
            return (BooleanSupplier) () -> true;
        } else if (type == Lock.class) {
            return new Lock(loop);
        } else if (type == OffloadPolicy.class) {
            return OffloadPolicy.INTERRUPT;
        } else if (type == ReturnWhen.class) {
            return ReturnWhen.ALL_COMPLETED;
        } else if (type == Awaitable.class) {
            return donePromise();
        } else if (type == Awaitable[].class) {
            return new Awaitable<?>[] {donePromise()};
        } else if (type == List.class || type == Collection.class) {
            return List.of(donePromise());
        } else if (type == Set.class) {
            return Set.of();
        } else if (type == TaskGroup.GroupBody.class) {
            return (TaskGroup.GroupBody<Object>) group -> "value";
        } else if (type == Async.ScopeBody.class) {
            return (Async.ScopeBody<Object>) scope -> "value";
        } else if (type == OffloadOptions.class) {
            return OffloadOptions.defaults();
        } else if (type == Histogram.class) {
            return new Histogram(2);
        }
        return null;
    }

    /** Samples for parameters whose type alone does not say what a valid value is. */
    private Map<String, Supplier<Object>> sampleOverrides() {
        return Map.of(
                "new TaskGroupException(String, List)#errors", () -> List.of(new IllegalStateException("child")),
                "Engine.loop(int)#index", () -> 0);
    }

    private Object[] samples(Member m) {
        Parameter[] params = m.executable().getParameters();
        Map<String, Supplier<Object>> overrides = sampleOverrides();
        Object[] args = new Object[params.length];
        for (int i = 0; i < params.length; i++) {
            Supplier<Object> override = overrides.get(m.param(i));
            args[i] = override != null ? override.get() : sample(params[i].getType());
        }
        return args;
    }

    /** After each case: nothing failed late, on a loop thread, because of what the call accepted. */
    private void assertNoLateFailure(String what) {
        loop.submit(() -> null).join(); // every callback queued by the call has run
        List<Throwable> late = List.copyOf(reported);
        reported.clear();
        assertThat(late)
                .as("%s: failures reported on the loop after the call", what)
                .isEmpty();
    }

    /** The call threw {@code NullPointerException} or {@code IllegalArgumentException} naming {@code name}. */
    static void assertRejected(Outcome o, String what, String name) {
        assertThat(o.thrown())
                .as("%s must be rejected at the call", what)
                .isInstanceOfAny(NullPointerException.class, IllegalArgumentException.class);
        assertThat(o.thrown().getMessage())
                .as("%s: the message must start with the parameter's name", what)
                .startsWith(name);
    }

    /** The call threw {@code IllegalArgumentException("name: … value …")}. */
    static void assertRejected(Outcome o, String what, String name, Object value) {
        assertThat(o.thrown()).as("%s must be rejected at the call", what).isInstanceOf(IllegalArgumentException.class);
        assertThat(o.thrown().getMessage())
                .as("%s: the message must name the parameter and the value", what)
                .startsWith(name)
                .contains(String.valueOf(value));
    }

    static void assertAccepted(Outcome o, String what) {
        assertThat(o.thrown())
                .as("%s: a documented value must be accepted", what)
                .isNull();
    }

    // ---------------------------------------------------------------------------------------------
    // Completeness
    // ---------------------------------------------------------------------------------------------

    @Test
    void everyPublicMemberIsSwept() throws Exception {
        List<String> problems = new ArrayList<>();
        Map<Class<?>, Site> sites = sites();
        Map<String, NumericCase> numeric = numericCases();
        Map<String, DurationCase> durations = durationCases();
        Set<String> seenParams = new TreeSet<>();
        for (Member m : publicMembers()) {
            if (notSwept(m) != null) {
                continue;
            }
            Parameter[] params = m.executable().getParameters();
            if (params.length > 0 && !m.isStatic() && !sites.containsKey(m.owner())) {
                problems.add(m.key() + ": no receiver for " + typeName(m.owner()) + " in sites()");
            }
            for (int i = 0; i < params.length; i++) {
                Parameter p = params[i];
                String id = m.param(i);
                seenParams.add(id);
                if (!p.isNamePresent()) {
                    problems.add(id + ": the parameter's name is not in the class file (compile with -parameters)");
                }
                Class<?> type = p.getType();
                if (type == int.class || type == long.class) {
                    if (!numeric.containsKey(id)) {
                        problems.add(id + ": no case in numericCases()");
                    }
                } else if (type == Duration.class && !durations.containsKey(id)) {
                    problems.add(id + ": no case in durationCases()");
                }
                if (type == int[].class && !numeric.containsKey(id + "[]")) {
                    problems.add(id + "[]: no case in numericCases() for the elements");
                }
                if (!type.isPrimitive()
                        && sample(type) == null
                        && !sampleOverrides().containsKey(id)) {
                    problems.add(id + ": no sample of " + type.getName() + " in sample()");
                }
            }
        }
        for (String id : NULL_ALLOWED.keySet()) {
            if (!seenParams.contains(id)) {
                problems.add(id + ": allowed to be null but no such parameter exists");
            }
        }
        for (String id : numeric.keySet()) {
            if (!seenParams.contains(id.endsWith("[]") ? id.substring(0, id.length() - 2) : id)) {
                problems.add(id + ": has a numeric case but no such parameter exists");
            }
        }
        for (String id : durations.keySet()) {
            if (!seenParams.contains(id)) {
                problems.add(id + ": has a duration case but no such parameter exists");
            }
        }
        assertThat(problems).as("public API the sweep does not cover").isEmpty();
    }

    @Test
    void recordEqualsNullIsFalse() {
        assertThat(new WaitResult<>(Set.of(), Set.of()).equals(null)).isFalse();
    }

    // ---------------------------------------------------------------------------------------------
    // 1. null for every reference parameter
    // ---------------------------------------------------------------------------------------------

    /** What a documented {@code null} does, checked on the call's outcome. */
    record NullAllowed(String reason, Consumer<Outcome> check) {}

    private static NullAllowed allowed(String reason, Consumer<Outcome> check) {
        return new NullAllowed(reason, check);
    }

    private static final Consumer<Outcome> RETURNS = o -> {};

    private static void defaultTaskName(Outcome o) {
        assertThat(((Task<?>) o.value()).name()).startsWith("Task-");
    }

    /** Parameters documented to accept {@code null}, with what it means. */
    private static final Map<String, NullAllowed> NULL_ALLOWED = Map.ofEntries(
            // null name: the default name Task-N
            Map.entry(
                    "EventLoop.submit(String, Callable)#name",
                    allowed("default name", ApiArgumentSweepTest::defaultTaskName)),
            Map.entry(
                    "EventLoop.spawn(String, Callable)#name",
                    allowed("default name", ApiArgumentSweepTest::defaultTaskName)),
            Map.entry(
                    "EventLoop.spawnEager(String, Callable)#name",
                    allowed("default name", ApiArgumentSweepTest::defaultTaskName)),
            Map.entry(
                    "Engine.spawn(String, Callable)#name",
                    allowed("default name", ApiArgumentSweepTest::defaultTaskName)),
            Map.entry(
                    "TaskGroup.spawn(String, Callable)#name",
                    allowed("default name", ApiArgumentSweepTest::defaultTaskName)),
            Map.entry(
                    "TaskGroup.spawnOn(EventLoop, String, Callable)#name",
                    allowed("default name", ApiArgumentSweepTest::defaultTaskName)),
            // null cancel message: cancelled without a message
            Map.entry(
                    "Task.cancel(String)#message",
                    allowed("no cancel message", o -> assertThat(o.value()).isEqualTo(true))),
            Map.entry("Promise.cancel(String)#message", allowed("no cancel message", o -> {
                Promise<?> p = (Promise<?>) o.receiver();
                assertThat(o.value()).isEqualTo(true);
                assertThat(p.isCancelled()).isTrue();
            })),
            Map.entry(
                    "Awaitable.cancel(String)#message",
                    allowed("no cancel message", o -> assertThat(o.value()).isEqualTo(true))),
            // null values: a promise's value and a context variable's value may be null
            Map.entry("Promise.complete(Object)#value", allowed("a null value", o -> {
                assertThat(o.value()).isEqualTo(true);
                assertThat(((Promise<?>) o.receiver()).result()).isNull();
            })),
            Map.entry("Promise.setResult(Object)#value", allowed("a null value", o -> {
                assertThat(((Promise<?>) o.receiver()).isDone()).isTrue();
                assertThat(((Promise<?>) o.receiver()).result()).isNull();
            })),
            Map.entry("ContextKey.withDefault(String, Object)#defaultValue", allowed("a null default", o -> {
                assertThat(((ContextKey<?>) o.value()).get()).isNull();
            })),
            Map.entry("ContextKey.set(Object)#value", allowed("a null value, distinct from unset", o -> {
                ContextKey<?> key = (ContextKey<?>) o.receiver();
                assertThat(key.isSet()).isTrue();
                assertThat(key.get()).isNull();
                key.remove();
            })),
            // null body failure: the body completed normally
            Map.entry("TaskGroup.close(Throwable)#bodyFailure", allowed("the body completed normally", RETURNS)),
            // null timeout: no time limit
            Map.entry("Async.wait(Collection, ReturnWhen, Duration)#timeout", allowed("no time limit", o -> {
                assertThat(((WaitResult<?>) o.value()).pending()).isEmpty();
            })),
            Map.entry("Async.asCompleted(List, Duration)#timeout", allowed("no time limit", o -> {
                assertThat(((AsCompleted<?>) o.value()).hasNext()).isTrue();
            })),
            // exception messages and causes may be null, as for every Throwable
            Map.entry("new CancelledException(String)#message", allowed("no message", o -> {
                assertThat(((CancelledException) o.value()).cancelMessage()).isNull();
            })),
            Map.entry("new InvalidStateException(String)#message", allowed("no message", RETURNS)),
            Map.entry("new RejectedTaskException(String)#message", allowed("no message", RETURNS)),
            Map.entry("new TaskTimeoutException(String, Throwable)#message", allowed("no message", RETURNS)),
            Map.entry("new TaskTimeoutException(String, Throwable)#cause", allowed("no cause", RETURNS)),
            Map.entry("new TaskGroupException(String, List)#message", allowed("no message", RETURNS)),
            Map.entry("new ChannelClosedException(String)#message", allowed("no message", RETURNS)),
            Map.entry("new QueueFullException(String)#message", allowed("no message", RETURNS)),
            Map.entry("new QueueEmptyException(String)#message", allowed("no message", RETURNS)),
            Map.entry("new QueueShutDownException(String)#message", allowed("no message", RETURNS)),
            Map.entry(
                    "new LoopStats(int, String, long, int, int, int, long, long, long, long, Histogram, Histogram)#"
                            + "stepNanos",
                    allowed("outside debug mode", RETURNS)),
            Map.entry(
                    "new LoopStats(int, String, long, int, int, int, long, long, long, long, Histogram, Histogram)#"
                            + "timerLagNanos",
                    allowed("outside debug mode", RETURNS)));

    @TestFactory
    Stream<DynamicTest> nullArguments() throws Exception {
        List<DynamicTest> cases = new ArrayList<>();
        for (Member m : publicMembers()) {
            if (notSwept(m) != null) {
                continue;
            }
            Parameter[] params = m.executable().getParameters();
            for (int i = 0; i < params.length; i++) {
                if (params[i].getType().isPrimitive()) {
                    continue;
                }
                int index = i;
                String id = m.param(i);
                String name = params[i].getName();
                cases.add(DynamicTest.dynamicTest(id, () -> {
                    Object[] args = samples(m);
                    args[index] = null;
                    Outcome o = siteFor(m).run(receiver -> m.invoke(receiver, args));
                    NullAllowed allowed = NULL_ALLOWED.get(id);
                    if (allowed != null) {
                        assertThat(o.thrown())
                                .as("%s: null means %s", id, allowed.reason())
                                .isNull();
                        allowed.check().accept(o);
                    } else {
                        assertRejected(o, id, name);
                    }
                    assertNoLateFailure(id);
                }));
            }
        }
        cases.addAll(nullElements());
        return cases.stream();
    }

    /** Collections and arrays holding {@code null}: rejected at the call, naming the parameter. */
    private List<DynamicTest> nullElements() {
        List<DynamicTest> cases = new ArrayList<>();
        Map<String, Callable<Object>> calls = new LinkedHashMap<>();
        List<Awaitable<Object>> withNull = Arrays.asList(donePromise(), null);
        calls.put("Async.gather(Awaitable[])#awaitables[]", () -> Async.gather(donePromise(), null));
        calls.put("Async.gather(List)#awaitables[]", () -> Async.gather(withNull));
        calls.put(
                "Async.gatherReturningExceptions(List)#awaitables[]", () -> Async.gatherReturningExceptions(withNull));
        calls.put(
                "Async.wait(Collection, ReturnWhen, Duration)#awaitables[]",
                () -> Async.wait(withNull, ReturnWhen.ALL_COMPLETED, null));
        calls.put("Async.asCompleted(List, Duration)#awaitables[]", () -> Async.asCompleted(withNull, null));
        calls.put(
                "new TaskGroupException(String, List)#errors[]",
                () -> new TaskGroupException("failed", Arrays.asList(new IllegalStateException(), null)));
        for (Map.Entry<String, Callable<Object>> e : calls.entrySet()) {
            String id = e.getKey();
            cases.add(DynamicTest.dynamicTest(id, () -> {
                Outcome o = inTask(() -> capture(null, r -> e.getValue().call()));
                assertRejected(o, id, id.substring(id.indexOf('#') + 1, id.length() - 2));
                assertNoLateFailure(id);
            }));
        }
        return cases;
    }

    // ---------------------------------------------------------------------------------------------
    // 2. int and long parameters: 0, -1, MIN, MAX
    // ---------------------------------------------------------------------------------------------

    @FunctionalInterface
    interface NumericCase {
        void check(long value) throws Throwable;
    }

    /** A parameter whose valid values are {@code [min, max]}; outside, IllegalArgumentException naming it. */
    private NumericCase range(long min, long max, String name, NumericCall call) {
        return value -> {
            Outcome o = here(() -> capture(null, r -> call.apply(value)));
            if (value < min || value > max) {
                assertRejected(o, name + "=" + value, name, value);
            } else {
                assertAccepted(o, name + "=" + value);
            }
        };
    }

    @FunctionalInterface
    interface NumericCall {
        Object apply(long value) throws Exception;
    }

    private NumericCase timerFiresNowUnlessMax(NumericCall schedule) {
        return value -> {
            Promise<Object> fired = new Promise<>(loop);
            TimerHandle timer = (TimerHandle) schedule.apply(value);
            if (value == Long.MAX_VALUE) {
                // Never due: a timer at the end of time.
                assertThat(timer.when()).isEqualTo(Long.MAX_VALUE);
                assertThat(timer.cancel()).isTrue();
            } else {
                // Zero or negative: due now.
                assertThat(timer.when()).isLessThanOrEqualTo(loop.time());
                inTask(() -> {
                    while (!timer.hasFired()) {
                        Async.yieldNow();
                    }
                    return fired.complete(null);
                });
                assertThat(timer.hasFired()).isTrue();
            }
        };
    }

    private Map<String, NumericCase> numericCases() {
        Map<String, NumericCase> cases = new LinkedHashMap<>();
        int max = Integer.MAX_VALUE;
        // ManualClock: any reading is a valid start; time moves forward only, saturating at MAX.
        cases.put(
                "new ManualClock(long)#start",
                value -> assertThat(new ManualClock(value).nanoTime()).isEqualTo(value));
        cases.put("ManualClock.advanceNanos(long)#delta", value -> {
            ManualClock c = new ManualClock(5);
            Outcome o = here(() -> capture(c, r -> {
                c.advanceNanos(value);
                return null;
            }));
            if (value < 0) {
                assertRejected(o, "advanceNanos(" + value + ")", "delta", value);
            } else {
                assertAccepted(o, "advanceNanos(" + value + ")");
                assertThat(c.nanoTime()).isEqualTo(value == Long.MAX_VALUE ? Long.MAX_VALUE : 5 + value);
            }
        });
        cases.put("ManualClock.setTime(long)#time", value -> {
            ManualClock c = new ManualClock();
            Outcome o = here(() -> capture(c, r -> {
                c.setTime(value);
                return null;
            }));
            if (value < 0) {
                assertRejected(o, "setTime(" + value + ")", "time", value);
            } else {
                assertAccepted(o, "setTime(" + value + ")");
                assertThat(c.nanoTime()).isEqualTo(value);
            }
        });
        // Channel: 1 to MAX_CAPACITY; never pre-allocates for a huge capacity.
        cases.put("Channel.mpsc(int)#capacity", range(1, Channel.MAX_CAPACITY, "capacity", v -> Channel.mpsc((int) v)));
        cases.put("Channel.mpmc(int)#capacity", range(1, Channel.MAX_CAPACITY, "capacity", v -> Channel.mpmc((int) v)));
        // Timers: a delay or deadline in the past is due now; MAX is never.
        cases.put(
                "EventLoop.schedule(long, TimeUnit, Runnable)#delay",
                timerFiresNowUnlessMax(v -> loop.schedule(v, TimeUnit.NANOSECONDS, () -> {})));
        cases.put(
                "EventLoop.scheduleAt(long, Runnable)#deadline",
                timerFiresNowUnlessMax(v -> loop.scheduleAt(v, () -> {})));
        // Queue: 0 or less is unbounded (asyncio's maxsize); a huge bound allocates nothing up front.
        cases.put("new Queue(int)#maxSize", value -> {
            Queue<Object> q = here(() -> new Queue<>((int) value));
            assertThat(q.maxSize()).isEqualTo((int) value);
            assertThat(q.isFull()).isFalse();
        });
        cases.put("new Queue(EventLoop, int)#maxSize", value -> {
            Queue<Object> q = here(() -> new Queue<>(loop, (int) value));
            assertThat(q.maxSize()).isEqualTo((int) value);
            assertThat(inTask(() -> {
                        q.putNowait("item");
                        return q.isFull();
                    }))
                    .isFalse();
        });
        // Condition.signal: 0 or more waiters.
        cases.put("Condition.signal(int)#n", value -> {
            Outcome o = sites().get(Condition.class).run(c -> {
                ((Condition) c).signal((int) value);
                return null;
            });
            if (value < 0) {
                assertRejected(o, "signal(" + value + ")", "n", value);
            } else {
                assertAccepted(o, "signal(" + value + ")");
            }
        });
        // Semaphores: 0 or more units.
        cases.put("new Semaphore(int)#value", semaphore(v -> new Semaphore((int) v)));
        cases.put("new Semaphore(EventLoop, int)#value", semaphore(v -> new Semaphore(loop, (int) v)));
        cases.put("new BoundedSemaphore(int)#value", semaphore(v -> new BoundedSemaphore((int) v)));
        cases.put("new BoundedSemaphore(EventLoop, int)#value", semaphore(v -> new BoundedSemaphore(loop, (int) v)));
        // Engine.Builder: each setting's valid range; a value that would exhaust the machine at build() is
        // refused at the call.
        cases.put(
                "Engine.Builder.loops(int)#loops",
                range(1, 1 << 16, "loops", v -> Engine.builder().loops((int) v)));
        cases.put(
                "Engine.Builder.idleRoundsBeforePark(int)#rounds",
                range(0, max, "rounds", v -> Engine.builder().idleRoundsBeforePark((int) v)));
        cases.put(
                "Engine.Builder.queueCapacity(int)#capacity",
                range(2, 1 << 30, "capacity", v -> Engine.builder().queueCapacity((int) v)));
        cases.put(
                "Engine.Builder.externalBatch(int)#batch",
                range(1, max, "batch", v -> Engine.builder().externalBatch((int) v)));
        cases.put(
                "Engine.Builder.ticksPerWheel(int)#ticks",
                range(1, 1 << 20, "ticks", v -> Engine.builder().ticksPerWheel((int) v)));
        cases.put(
                "Engine.Builder.workers(int)#workers",
                range(1, 1 << 16, "workers", v -> Engine.builder().workers((int) v)));
        cases.put(
                "Engine.Builder.workerQueueCapacity(int)#capacity",
                range(1, 1 << 24, "capacity", v -> Engine.builder().workerQueueCapacity((int) v)));
        // CPU numbers: not negative; one the machine lacks is a pinning failure at build (logged, or fatal
        // with strictPinning), not an argument error.
        cases.put(
                "Engine.Builder.loopCpus(int[])#cpus[]",
                range(0, max, "cpus", v -> Engine.builder().loopCpus((int) v)));
        cases.put(
                "Engine.Builder.workerCpus(int[])#cpus[]",
                range(0, max, "cpus", v -> Engine.builder().workerCpus((int) v)));
        // Engine.loop: an index, as documented: IndexOutOfBoundsException naming it.
        cases.put("Engine.loop(int)#index", value -> {
            Outcome o = here(() -> capture(engine, r -> engine.loop((int) value)));
            if (value == 0) {
                assertThat(o.value()).isSameAs(loop);
            } else {
                assertThat(o.thrown()).isInstanceOf(IndexOutOfBoundsException.class);
                assertThat(o.thrown().getMessage()).contains(String.valueOf(value));
            }
        });
        // Deadlines of timeout scopes: MAX is none; one already passed expires the scope at once.
        cases.put(
                "Async.timeoutAt(long, ScopeBody)#deadline",
                value -> expiresUnlessMax(value, body -> Async.timeoutAt(value, body)));
        cases.put(
                "Timeout.rescheduleAt(long)#deadline",
                value -> expiresUnlessMax(
                        value,
                        body -> Async.timeout(Duration.ofHours(1), scope -> {
                            scope.rescheduleAt(value);
                            return body.run(scope);
                        })));
        // LoopStats is a snapshot record: it holds whatever numbers it is given.
        for (String component : List.of(
                "loop",
                "tasksRun",
                "queueDepth",
                "readyDepth",
                "timersPending",
                "wakeups",
                "parks",
                "iterations",
                "maxLagNanos")) {
            cases.put(
                    "new LoopStats(int, String, long, int, int, int, long, long, long, long, Histogram, Histogram)#"
                            + component,
                    value -> {});
        }
        return cases;
    }

    private NumericCase semaphore(NumericCall create) {
        return value -> {
            Outcome o = here(() -> capture(null, r -> create.apply(value)));
            if (value < 0) {
                assertRejected(o, "semaphore(" + value + ")", "value", value);
            } else {
                assertAccepted(o, "semaphore(" + value + ")");
                Semaphore s = (Semaphore) o.value();
                assertThat(inTask(s::value)).isEqualTo((int) value);
            }
        };
    }

    @FunctionalInterface
    interface Scope {
        Object enter(Async.ScopeBody<Object> body) throws Exception;
    }

    /**
     * Runs a scope whose body sleeps for an hour of virtual time: it must time out at once for a deadline
     * already passed, and complete for none ({@code Long.MAX_VALUE}).
     */
    private void expiresUnlessMax(long deadline, Scope scope) {
        Outcome o = inTask(() -> capture(
                null,
                r -> scope.enter(s -> {
                    Async.sleep(Duration.ofHours(1));
                    return "slept";
                })));
        if (deadline == Long.MAX_VALUE) {
            assertThat(o.thrown()).isNull();
            assertThat(o.value()).isEqualTo("slept");
        } else {
            assertThat(o.thrown()).isInstanceOf(TaskTimeoutException.class);
        }
    }

    @TestFactory
    Stream<DynamicTest> numericArguments() throws Exception {
        List<DynamicTest> cases = new ArrayList<>();
        Map<String, NumericCase> numeric = numericCases();
        for (Member m : publicMembers()) {
            Parameter[] params = m.executable().getParameters();
            for (int i = 0; i < params.length; i++) {
                Class<?> type = params[i].getType();
                String id = m.param(i) + (type == int[].class ? "[]" : "");
                if (type != int.class && type != long.class && type != int[].class) {
                    continue;
                }
                NumericCase c = numeric.get(id);
                for (long value : type == long.class ? LONGS : INTS) {
                    cases.add(DynamicTest.dynamicTest(id + " = " + value, () -> {
                        assertThat(c).as("%s has a case in numericCases()", id).isNotNull();
                        c.check(value);
                        assertNoLateFailure(id + " = " + value);
                    }));
                }
            }
        }
        return cases.stream();
    }

    // ---------------------------------------------------------------------------------------------
    // 3. Duration parameters: zero, -1 ns, the most negative and the longest
    // ---------------------------------------------------------------------------------------------

    @FunctionalInterface
    interface DurationCase {
        void check(Duration value) throws Throwable;
    }

    @FunctionalInterface
    interface DurationCall {
        Object apply(Duration value) throws Exception;
    }

    private static boolean positive(Duration d) {
        return !d.isZero() && !d.isNegative();
    }

    /** Negative: IllegalArgumentException naming the parameter; zero and positive accepted (if {@code zeroOk}). */
    private DurationCase nonNegative(String name, boolean zeroOk, DurationCall call) {
        return value -> {
            Outcome o = here(() -> capture(null, r -> call.apply(value)));
            if (value.isNegative() || (value.isZero() && !zeroOk)) {
                assertRejected(o, name + "=" + value, name, value);
            } else {
                assertAccepted(o, name + "=" + value);
            }
        };
    }

    /** {@code Awaitable.get} on a pending awaitable: zero or negative times out at once; the longest never does. */
    private DurationCase get(Function<Promise<Object>, Awaitable<Object>> awaitable) {
        return value -> {
            Promise<Object> source = new Promise<>(loop);
            Awaitable<Object> target = awaitable.apply(source);
            if (!positive(value)) {
                Outcome o = here(() -> capture(target, r -> target.get(value)));
                assertThat(o.thrown())
                        .as("get(%s) of a pending awaitable", value)
                        .isInstanceOf(TimeoutException.class);
                source.complete("v");
                return;
            }
            AtomicReference<Outcome> outcome = new AtomicReference<>();
            Thread waiter = new Thread(() -> outcome.set(capture(target, r -> target.get(value))), "sweep-get");
            waiter.start();
            here(() -> {
                while (waiter.getState() != Thread.State.WAITING
                        && waiter.getState() != Thread.State.TIMED_WAITING
                        && waiter.getState() != Thread.State.TERMINATED) {
                    Thread.onSpinWait(); // until it parks in get(), or fails first
                }
                return null;
            });
            source.complete("v");
            here(() -> {
                waiter.join();
                return null;
            });
            assertThat(outcome.get().thrown())
                    .as("get(%s): no time limit", value)
                    .isNull();
            assertThat(target.join()).isIn("v", List.of("v"));
        };
    }

    @FunctionalInterface
    interface Function<A, B> {
        B apply(A a) throws Exception;
    }

    @SuppressWarnings("unchecked")
    private static Awaitable<Object> gatherOf(Promise<Object> source) {
        return (Awaitable<Object>) (Awaitable<?>) Async.gather(source);
    }

    private Map<String, DurationCase> durationCases() {
        Map<String, DurationCase> cases = new LinkedHashMap<>();
        cases.put("ManualClock.advance(Duration)#delta", value -> {
            ManualClock c = new ManualClock();
            Outcome o = here(() -> capture(c, r -> {
                c.advance(value);
                return null;
            }));
            if (value.isNegative()) {
                assertRejected(o, "advance(" + value + ")", "delta", value);
            } else {
                assertAccepted(o, "advance(" + value + ")");
                assertThat(c.nanoTime()).isEqualTo(value.isZero() ? 0 : Long.MAX_VALUE);
            }
        });
        // Blocking channel calls: zero or negative is the try variant; the longest waits without limit.
        cases.put("Channel.sendBlocking(Object, Duration)#timeout", value -> {
            Channel<Object> full = Channel.mpmc(1);
            full.trySend("first");
            if (positive(value)) {
                Channel<Object> open = Channel.mpmc(1);
                assertThat(here(() -> open.sendBlocking("item", value))).isTrue();
            } else {
                assertThat(here(() -> full.sendBlocking("item", value))).isFalse();
            }
        });
        cases.put("Channel.receiveBlocking(Duration)#timeout", value -> {
            Channel<Object> channel = Channel.mpmc(1);
            if (positive(value)) {
                channel.trySend("item");
                assertThat(here(() -> channel.receiveBlocking(value))).isEqualTo("item");
            } else {
                assertThat(here(() -> channel.receiveBlocking(value))).isNull();
            }
        });
        // Timers: zero or negative is due now; the longest is never.
        cases.put(
                "EventLoop.schedule(Duration, Runnable)#delay",
                value -> timerFiresNowUnlessMax(v -> loop.schedule(value, () -> {}))
                        .check(positive(value) ? Long.MAX_VALUE : 0));
        cases.put("Task.get(Duration)#timeout", get(source -> loop.spawn(() -> Async.await(source))));
        cases.put("Promise.get(Duration)#timeout", get(source -> source));
        cases.put("Awaitable.get(Duration)#timeout", get(source -> gatherOf(source)));
        cases.put(
                "Engine.Builder.timerTick(Duration)#tick",
                nonNegative("tick", false, d -> Engine.builder().timerTick(d)));
        cases.put(
                "Engine.Builder.slowStepThreshold(Duration)#threshold",
                nonNegative("threshold", true, d -> Engine.builder().slowStepThreshold(d)));
        cases.put(
                "Engine.Builder.shutdownGrace(Duration)#grace",
                nonNegative("grace", true, d -> Engine.builder().shutdownGrace(d)));
        // Engine.shutdown: zero means no grace; a negative grace is a mistake.
        cases.put("Engine.shutdown(Duration)#grace", value -> {
            Engine fresh = Engine.builder().loops(1).workers(1).build();
            try {
                Outcome o = here(() -> capture(fresh, r -> fresh.shutdown(value)));
                if (value.isNegative()) {
                    assertRejected(o, "shutdown(" + value + ")", "grace", value);
                } else {
                    assertAccepted(o, "shutdown(" + value + ")");
                    assertThat(fresh.isShutdown()).isTrue();
                }
            } finally {
                fresh.close();
            }
        });
        // Suspension points: zero or negative is "now" (a yield, an expired scope, an immediate time-out);
        // the longest is no limit.
        cases.put("Async.sleep(Duration)#delay", value -> {
            if (positive(value)) {
                Outcome o = inTask(() -> {
                    Task<Object> sleeper = loop.spawn(() -> {
                        Async.sleep(value);
                        return "woke";
                    });
                    Async.yieldNow();
                    Async.yieldNow();
                    boolean stillAsleep = !sleeper.isDone();
                    sleeper.cancel();
                    return capture(sleeper, r -> {
                        assertThat(stillAsleep)
                                .as("sleep(%s) is still asleep", value)
                                .isTrue();
                        return Async.await(sleeper);
                    });
                });
                assertThat(o.thrown()).isInstanceOf(CancelledException.class);
            } else {
                Outcome o = inTask(() -> capture(null, r -> {
                    long before = loop.time();
                    Async.sleep(value);
                    return loop.time() - before;
                }));
                assertThat(o.thrown()).isNull();
                assertThat((long) o.value()).as("sleep(%s) is a yield", value).isZero();
            }
        });
        cases.put(
                "Async.timeout(Duration, ScopeBody)#delay",
                value -> expiresUnlessMax(positive(value) ? Long.MAX_VALUE : 0, body -> Async.timeout(value, body)));
        cases.put(
                "Timeout.reschedule(Duration)#delay",
                value -> expiresUnlessMax(
                        positive(value) ? Long.MAX_VALUE : 0,
                        body -> Async.timeout(Duration.ofHours(1), scope -> {
                            scope.reschedule(value);
                            return body.run(scope);
                        })));
        cases.put("Async.waitFor(Awaitable, Duration)#timeout", value -> {
            Promise<Object> later = new Promise<>(loop);
            Outcome o = inTask(() -> {
                // Scheduled from the task, so the auto-advancing clock cannot fire it before the call.
                loop.schedule(Duration.ofSeconds(1), () -> later.complete("v"));
                return capture(later, r -> Async.waitFor(later, value));
            });
            if (positive(value)) {
                assertThat(o.value()).isEqualTo("v");
            } else {
                assertThat(o.thrown()).isInstanceOf(TaskTimeoutException.class);
                assertThat(later.isCancelled()).isTrue();
            }
        });
        cases.put("Async.waitFor(Duration, Callable)#timeout", value -> {
            AtomicBoolean started = new AtomicBoolean();
            Outcome o = inTask(() -> capture(
                    null,
                    r -> Async.waitFor(value, () -> {
                        started.set(true);
                        Async.sleep(Duration.ofSeconds(1));
                        return "v";
                    })));
            if (positive(value)) {
                assertThat(o.value()).isEqualTo("v");
            } else {
                assertThat(o.thrown()).isInstanceOf(TaskTimeoutException.class);
                assertThat(started).as("the body never starts").isFalse();
            }
        });
        cases.put("Async.wait(Collection, ReturnWhen, Duration)#timeout", value -> {
            Promise<Object> later = new Promise<>(loop);
            Outcome o = inTask(() -> {
                // Scheduled from the task, so the auto-advancing clock cannot fire it before the call.
                loop.schedule(Duration.ofSeconds(1), () -> later.complete("v"));
                return capture(later, r -> Async.wait(List.of(later), ReturnWhen.ALL_COMPLETED, value));
            });
            assertThat(o.thrown()).isNull();
            WaitResult<?> result = (WaitResult<?>) o.value();
            assertThat(positive(value) ? result.done() : result.pending()).containsExactly(later);
            later.cancel();
        });
        cases.put("Async.asCompleted(List, Duration)#timeout", value -> {
            Promise<Object> later = new Promise<>(loop);
            Outcome o = inTask(() -> {
                // Scheduled from the task, so the auto-advancing clock cannot fire it before the call.
                loop.schedule(Duration.ofSeconds(1), () -> later.complete("v"));
                return capture(
                        later, r -> Async.asCompleted(List.of(later), value).nextResult());
            });
            if (positive(value)) {
                assertThat(o.value()).isEqualTo("v");
            } else {
                assertThat(o.thrown()).isInstanceOf(TaskTimeoutException.class);
            }
            later.cancel();
        });
        return cases;
    }

    @TestFactory
    Stream<DynamicTest> durationArguments() throws Exception {
        List<DynamicTest> cases = new ArrayList<>();
        Map<String, DurationCase> durations = durationCases();
        for (Member m : publicMembers()) {
            Parameter[] params = m.executable().getParameters();
            for (int i = 0; i < params.length; i++) {
                if (params[i].getType() != Duration.class) {
                    continue;
                }
                String id = m.param(i);
                DurationCase c = durations.get(id);
                for (Duration value : DURATIONS) {
                    cases.add(DynamicTest.dynamicTest(id + " = " + value, () -> {
                        assertThat(c).as("%s has a case in durationCases()", id).isNotNull();
                        c.check(value);
                        assertNoLateFailure(id + " = " + value);
                    }));
                }
            }
        }
        return cases.stream();
    }

    // ---------------------------------------------------------------------------------------------
    // 4. Already-used arguments and receivers
    // ---------------------------------------------------------------------------------------------

    @FunctionalInterface
    interface Scenario {
        void run() throws Throwable;
    }

    /** The message of what {@code call} threw, asserting its type. */
    private static String thrownBy(Class<? extends Throwable> type, ThrowingSupplier<?> call) {
        Outcome o = capture(null, r -> {
            try {
                return call.get();
            } catch (Exception | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
        });
        assertThat(o.thrown()).isInstanceOf(type);
        return o.thrown().getMessage();
    }

    @TestFactory
    Stream<DynamicTest> alreadyUsedArguments() {
        Map<String, Scenario> cases = new LinkedHashMap<>();
        cases.put(
                "TaskGroup.enter() twice: IllegalStateException",
                () -> inTask(() -> {
                    TaskGroup group = TaskGroup.open();
                    assertThat(thrownBy(IllegalStateException.class, group::enter))
                            .contains("already been entered");
                    group.close();
                    return null;
                }));
        cases.put(
                "TaskGroup.close() twice: IllegalStateException",
                () -> inTask(() -> {
                    TaskGroup group = TaskGroup.open();
                    group.close();
                    assertThat(thrownBy(IllegalStateException.class, () -> {
                                group.close();
                                return null;
                            }))
                            .contains("is finished");
                    return null;
                }));
        cases.put(
                "TaskGroup.spawn() after close: IllegalStateException",
                () -> inTask(() -> {
                    TaskGroup group = TaskGroup.open();
                    group.close();
                    assertThat(thrownBy(IllegalStateException.class, () -> group.spawn(() -> "late")))
                            .contains("is finished");
                    return null;
                }));
        cases.put(
                "TaskGroup.spawn() before enter: IllegalStateException",
                () -> inTask(() -> {
                    TaskGroup group = new TaskGroup();
                    assertThat(thrownBy(IllegalStateException.class, () -> group.spawn(() -> "early")))
                            .contains("not been entered");
                    return null;
                }));
        cases.put("Promise completed twice: false, first value kept", () -> {
            Promise<Object> p = new Promise<>(loop);
            assertThat(p.complete("first")).isTrue();
            assertThat(p.complete("second")).isFalse();
            assertThat(p.fail(new IllegalStateException())).isFalse();
            assertThat(p.cancel()).isFalse();
            assertThat(p.result()).isEqualTo("first");
        });
        cases.put("Promise.setResult/setException when done: InvalidStateException", () -> {
            Promise<Object> p = new Promise<>(loop);
            p.cancel("gone");
            assertThat(thrownBy(InvalidStateException.class, () -> {
                        p.setResult("late");
                        return null;
                    }))
                    .contains("already done");
            assertThat(thrownBy(InvalidStateException.class, () -> {
                        p.setException(new IllegalStateException());
                        return null;
                    }))
                    .contains("already done");
        });
        cases.put("Registration removed twice: false", () -> {
            Promise<Object> p = new Promise<>(loop);
            Registration r = p.onDone(done -> {});
            assertThat(r.remove()).isTrue();
            assertThat(r.remove()).isFalse();
            p.cancel();
        });
        cases.put("TimerHandle cancelled twice: false", () -> {
            // In one step on the loop: the auto-advancing clock cannot fire the timer in between.
            List<Boolean> seen = loop.submit(() -> {
                        TimerHandle timer = loop.schedule(Duration.ofHours(1), () -> {});
                        return List.of(timer.cancel(), timer.cancel(), timer.isCancelled());
                    })
                    .get(Duration.ofSeconds(30));
            assertThat(seen).containsExactly(true, false, true);
        });
        cases.put(
                "Task.uncancel() when not cancelled: 0",
                () -> inTask(() -> {
                    assertThat(Task.current().uncancel()).isZero();
                    assertThat(Task.current().cancelling()).isZero();
                    return null;
                }));
        cases.put(
                "Lock released when not held: IllegalStateException",
                () -> inTask(() -> {
                    Lock lock = new Lock(loop);
                    assertThat(thrownBy(IllegalStateException.class, () -> {
                                lock.release();
                                return null;
                            }))
                            .isEqualTo("Lock is not acquired.");
                    return null;
                }));
        cases.put(
                "BoundedSemaphore released above its bound: IllegalStateException",
                () -> inTask(() -> {
                    BoundedSemaphore s = new BoundedSemaphore(loop, 1);
                    assertThat(thrownBy(IllegalStateException.class, () -> {
                                s.release();
                                return null;
                            }))
                            .contains("released too many times");
                    assertThat(s.value()).isEqualTo(1);
                    return null;
                }));
        cases.put(
                "Semaphore released past Integer.MAX_VALUE: IllegalStateException",
                () -> inTask(() -> {
                    Semaphore s = new Semaphore(loop, Integer.MAX_VALUE);
                    assertThat(thrownBy(IllegalStateException.class, () -> {
                                s.release();
                                return null;
                            }))
                            .contains("overflow");
                    return null;
                }));
        cases.put(
                "Condition signalled or awaited without its lock: IllegalStateException",
                () -> inTask(() -> {
                    Condition c = new Condition(loop);
                    assertThat(thrownBy(IllegalStateException.class, () -> {
                                c.signal();
                                return null;
                            }))
                            .contains("un-acquired lock");
                    assertThat(thrownBy(IllegalStateException.class, c::await)).contains("un-acquired lock");
                    return null;
                }));
        cases.put(
                "Event set twice: still set, idempotent",
                () -> inTask(() -> {
                    Event e = new Event(loop);
                    e.set();
                    e.set();
                    assertThat(e.isSet()).isTrue();
                    return null;
                }));
        cases.put(
                "Queue after shutdown: puts throw QueueShutDownException; shutdown again allowed",
                () -> inTask(() -> {
                    Queue<Object> q = new Queue<>(loop, 2);
                    q.shutdown(false);
                    assertThat(q.shutdown(true)).isEmpty();
                    assertThat(thrownBy(QueueShutDownException.class, () -> q.offer("late")))
                            .isNotBlank();
                    assertThat(thrownBy(QueueShutDownException.class, q::poll)).isNotBlank();
                    return null;
                }));
        cases.put(
                "Queue.taskDone() too many times: IllegalStateException",
                () -> inTask(() -> {
                    Queue<Object> q = new Queue<>(loop, 2);
                    assertThat(thrownBy(IllegalStateException.class, () -> {
                                q.taskDone();
                                return null;
                            }))
                            .isEqualTo("taskDone() called too many times");
                    return null;
                }));
        cases.put("Channel closed twice: false; sends fail, receives drain then fail", () -> {
            Channel<Object> c = Channel.mpmc(2);
            c.trySend("kept");
            assertThat(c.close()).isTrue();
            assertThat(c.close()).isFalse();
            assertThat(thrownBy(ChannelClosedException.class, () -> c.trySend("late")))
                    .contains("is closed");
            assertThat(c.tryReceive()).isEqualTo("kept");
            assertThat(c.tryReceive()).isNull();
            assertThat(c.isDrained()).isTrue();
            assertThat(thrownBy(ChannelClosedException.class, () -> c.receiveBlocking(Duration.ZERO)))
                    .contains("every item was received");
            assertThat(thrownBy(ChannelClosedException.class, () -> c.sendBlocking("late", Duration.ZERO)))
                    .contains("is closed");
        });
        cases.put("ContextKey reused: names do not identify keys; set twice keeps the last", () -> {
            ContextKey<Object> a = ContextKey.named("same");
            ContextKey<Object> b = ContextKey.named("same");
            a.set("one");
            a.set("two");
            assertThat(a.get()).isEqualTo("two");
            assertThat(b.isSet()).isFalse();
            a.remove();
            a.remove();
            assertThat(a.isSet()).isFalse();
        });
        cases.put(
                "Timeout rescheduled after its block: IllegalStateException",
                () -> inTask(() -> {
                    Timeout escaped = Async.timeout(Duration.ofHours(1), scope -> scope);
                    assertThat(thrownBy(IllegalStateException.class, () -> {
                                escaped.reschedule(Duration.ofSeconds(1));
                                return null;
                            }))
                            .contains("finished");
                    return null;
                }));
        cases.put(
                "AsCompleted.next() past the end: NoSuchElementException",
                () -> inTask(() -> {
                    AsCompleted<Object> it = Async.asCompleted(List.of(donePromise()), null);
                    it.next();
                    assertThat(thrownBy(NoSuchElementException.class, it::next)).contains("every awaitable");
                    return null;
                }));
        cases.put("ManualClock set backwards: IllegalArgumentException", () -> {
            ManualClock c = new ManualClock(10);
            assertThat(thrownBy(IllegalArgumentException.class, () -> {
                        c.setTime(9);
                        return null;
                    }))
                    .startsWith("time:")
                    .contains("9");
        });
        cases.put("Engine shut down: shutdown and close again return, new work is rejected", () -> {
            Engine fresh = Engine.builder().loops(1).workers(1).build();
            assertThat(here(() -> fresh.shutdown(Duration.ofSeconds(5)))).isTrue();
            assertThat(thrownBy(RejectedTaskException.class, () -> fresh.spawn(() -> "late")))
                    .isNotBlank();
            assertThat(here(() -> fresh.shutdown(Duration.ofSeconds(5)))).isTrue();
            // Documented as idempotent: any number of further shutdowns and closes just return.
            Outcome third = here(() -> capture(fresh, r -> fresh.shutdown(Duration.ofSeconds(5))));
            assertThat(third.thrown()).as("a third shutdown()").isNull();
            Outcome close = here(() -> capture(fresh, r -> {
                fresh.close();
                return null;
            }));
            assertThat(close.thrown()).as("close() after shutdown()").isNull();
        });
        return cases.entrySet().stream()
                .map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
                    e.getValue().run();
                    assertNoLateFailure(e.getKey());
                }));
    }
}
