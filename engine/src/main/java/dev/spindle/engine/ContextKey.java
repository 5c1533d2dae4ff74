package dev.spindle.engine;

import java.util.Objects;

/**
 * A context variable (asyncio's {@code contextvars.ContextVar}): a value that follows a task.
 *
 * <p>A task copies its creator's context when it is created, sees it on every step, and changes only its
 * own copy: a value it sets survives its awaits but never leaks back to its creator, its siblings or the
 * done callbacks of others. A done callback runs in a copy of the context its registrant had when it
 * registered. Outside any loop, each thread has its own context, which a task spawned from that thread
 * copies (so {@link Engine#run} hands the caller's context to the main task).
 *
 * <p><b>Threads:</b> a key is immutable and may be shared by every thread. {@link #get}, {@link #isSet},
 * {@link #set} and {@link #remove} act on the calling thread's current context: on a loop thread, that of
 * the task or callback running there; elsewhere, the thread's own. So any thread may call them, and none
 * can see or change another task's values.
 *
 * <p>Copying a context costs nothing (contexts are immutable); {@link #set} allocates a new context of
 * the size of the number of keys set.
 *
 * @param <T> the type of the value
 */
public final class ContextKey<T> {
    private static final Object MISSING = new Object();
    private static final ThreadLocal<Context> OUTSIDE_LOOPS = ThreadLocal.withInitial(() -> Context.EMPTY);

    private final String name;
    private final T defaultValue;

    private ContextKey(String name, T defaultValue) {
        this.name = Objects.requireNonNull(name, "name");
        this.defaultValue = defaultValue;
    }

    /**
     * A key with no default: {@link #get()} returns {@code null} where it is unset.
     *
     * @param <T> the type of the value
     * @param name the key's name, for diagnostics; keys are distinct objects whatever their names
     * @return a new key
     */
    public static <T> ContextKey<T> named(String name) {
        return new ContextKey<>(name, null);
    }

    /**
     * A key whose {@link #get()} returns {@code defaultValue} where it is unset.
     *
     * @param <T> the type of the value
     * @param name the key's name, for diagnostics; keys are distinct objects whatever their names
     * @param defaultValue what {@link #get()} returns where the key is unset; may be {@code null}
     * @return a new key
     */
    public static <T> ContextKey<T> withDefault(String name, T defaultValue) {
        return new ContextKey<>(name, defaultValue);
    }

    /** {@return the key's name} */
    public String name() {
        return name;
    }

    /** {@return the value in the current context, or the default} */
    @SuppressWarnings("unchecked")
    public T get() {
        Object v = current().get(this, MISSING);
        return v == MISSING ? defaultValue : (T) v;
    }

    /** {@return whether the current context has a value for this key} */
    public boolean isSet() {
        return current().get(this, MISSING) != MISSING;
    }

    /**
     * Sets the value in the current context only.
     *
     * @param value the new value, which may be {@code null}: the key is then set, and {@link #get()} returns
     *     {@code null} rather than the default
     */
    public void set(T value) {
        update(current().with(this, value));
    }

    /** Removes the value from the current context only. */
    public void remove() {
        update(current().without(this));
    }

    /** Runs {@code work} on a thread outside the loops with {@code context} as its context. */
    static <T> T callWith(Context context, java.util.concurrent.Callable<T> work) throws Exception {
        Context saved = OUTSIDE_LOOPS.get();
        OUTSIDE_LOOPS.set(context);
        try {
            return work.call();
        } finally {
            OUTSIDE_LOOPS.set(saved);
        }
    }

    static Context current() {
        EventLoop loop = EventLoop.current();
        return loop != null ? loop.context() : OUTSIDE_LOOPS.get();
    }

    private static void update(Context context) {
        EventLoop loop = EventLoop.current();
        if (loop != null) {
            loop.setContext(context);
        } else {
            OUTSIDE_LOOPS.set(context);
        }
    }

    @Override
    public String toString() {
        return "ContextKey[" + name + "]";
    }
}
