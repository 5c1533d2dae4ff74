package dev.spindle.engine;

import java.util.Arrays;

/**
 * An immutable map from {@link ContextKey} to value: the counterpart of a {@code contextvars.Context}.
 * Setting a key makes a new map, so a context handed to a child task can never be changed by anyone
 * else: copying a context is copying a reference. Keys are few, so lookups scan a small array.
 */
final class Context {
    static final Context EMPTY = new Context(new ContextKey<?>[0], new Object[0]);

    private final ContextKey<?>[] keys;
    private final Object[] values;

    private Context(ContextKey<?>[] keys, Object[] values) {
        this.keys = keys;
        this.values = values;
    }

    /** The value of {@code key}, or {@code missing} when it has none. */
    Object get(ContextKey<?> key, Object missing) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] == key) {
                return values[i];
            }
        }
        return missing;
    }

    /** A context equal to this one except that {@code key} maps to {@code value}. O(keys). */
    Context with(ContextKey<?> key, Object value) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] == key) {
                if (values[i] == value) {
                    return this;
                }
                Object[] v = values.clone();
                v[i] = value;
                return new Context(keys, v);
            }
        }
        ContextKey<?>[] k = Arrays.copyOf(keys, keys.length + 1);
        Object[] v = Arrays.copyOf(values, values.length + 1);
        k[keys.length] = key;
        v[values.length] = value;
        return new Context(k, v);
    }

    /** A context without {@code key}. */
    Context without(ContextKey<?> key) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] == key) {
                ContextKey<?>[] k = new ContextKey<?>[keys.length - 1];
                Object[] v = new Object[values.length - 1];
                System.arraycopy(keys, 0, k, 0, i);
                System.arraycopy(values, 0, v, 0, i);
                System.arraycopy(keys, i + 1, k, i, keys.length - i - 1);
                System.arraycopy(values, i + 1, v, i, values.length - i - 1);
                return new Context(k, v);
            }
        }
        return this;
    }
}
