package dev.spindle.engine.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The one place that touches {@code jdk.internal.vm.Continuation}, through method handles so that only
 * the run-time flag {@code --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED} is needed (nothing at
 * compile time).
 *
 * <p>A coroutine is an opaque {@code Object} (the continuation). {@link #resume} mounts it on the calling
 * thread and runs it until it {@linkplain #suspend() suspends} or its body returns. Static final method
 * handles are constants to the JIT, so these calls cost what direct calls would.
 */
public final class Coroutines {
    /**
     * The flag that opens {@code jdk.internal.vm} to Spindle: to {@code ALL-UNNAMED} on the class path, to
     * the engine's module on the module path.
     */
    public static final String REQUIRED_FLAG = "--add-exports=java.base/jdk.internal.vm="
            + (Coroutines.class.getModule().isNamed()
                    ? Coroutines.class.getModule().getName()
                    : "ALL-UNNAMED");

    private static final MethodHandle NEW;
    private static final MethodHandle RUN;
    private static final MethodHandle YIELD;
    private static final MethodHandle IS_DONE;
    private static final Object SCOPE;
    private static final Throwable UNAVAILABLE;

    static {
        MethodHandle create = null, run = null, yield = null, isDone = null;
        Object scope = null;
        Throwable failure = null;
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            Class<?> scopeClass = Class.forName("jdk.internal.vm.ContinuationScope");
            Class<?> contClass = Class.forName("jdk.internal.vm.Continuation");
            scope = lookup.findConstructor(scopeClass, MethodType.methodType(void.class, String.class))
                    .invoke("spindle");
            create = lookup.findConstructor(contClass, MethodType.methodType(void.class, scopeClass, Runnable.class))
                    .bindTo(scope)
                    .asType(MethodType.methodType(Object.class, Runnable.class));
            run = lookup.findVirtual(contClass, "run", MethodType.methodType(void.class))
                    .asType(MethodType.methodType(void.class, Object.class));
            yield = MethodHandles.insertArguments(
                            lookup.findStatic(contClass, "yield", MethodType.methodType(boolean.class, scopeClass)),
                            0,
                            scope)
                    .asType(MethodType.methodType(boolean.class));
            isDone = lookup.findVirtual(contClass, "isDone", MethodType.methodType(boolean.class))
                    .asType(MethodType.methodType(boolean.class, Object.class));
        } catch (Throwable t) {
            failure = t;
        }
        NEW = create;
        RUN = run;
        YIELD = yield;
        IS_DONE = isDone;
        SCOPE = scope;
        UNAVAILABLE = failure;
    }

    private Coroutines() {}

    /** Whether continuations can be used in this JVM. */
    public static boolean isAvailable() {
        return UNAVAILABLE == null;
    }

    /**
     * Throws an {@link UnsupportedOperationException} naming the missing JVM flag if continuations are
     * not available.
     */
    public static void checkAvailable() {
        if (UNAVAILABLE != null) {
            throw new UnsupportedOperationException(
                    "coroutine tasks need the JVM flag " + REQUIRED_FLAG
                            + " (run-to-completion tasks work without it): " + UNAVAILABLE,
                    UNAVAILABLE);
        }
    }

    /** Creates a coroutine that will run {@code body} when first resumed. */
    public static Object create(Runnable body) {
        checkAvailable();
        try {
            return (Object) NEW.invokeExact(body);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Runs {@code coroutine} on the calling thread until it suspends or finishes. */
    public static void resume(Object coroutine) {
        try {
            RUN.invokeExact(coroutine);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Suspends the running coroutine, returning to the thread that resumed it. Returns when it is resumed.
     *
     * @throws IllegalStateException if the coroutine cannot be suspended here (pinned: a native frame or
     *     a critical section is on its stack), or if the caller is not inside a coroutine
     */
    public static void suspend() {
        try {
            boolean ignored = (boolean) YIELD.invokeExact();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Whether the coroutine's body has returned. */
    public static boolean isDone(Object coroutine) {
        try {
            return (boolean) IS_DONE.invokeExact(coroutine);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public String toString() {
        return "Coroutines[" + SCOPE + "]";
    }
}
