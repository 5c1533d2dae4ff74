package dev.spindle.engine;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * How {@link Async#offload(java.util.concurrent.Callable, OffloadOptions)} treats one piece of blocking
 * work. Immutable; each {@code with…} method returns a new instance.
 *
 * <p><b>Threads:</b> immutable, so safe to share and use from any thread.
 */
public final class OffloadOptions {
    private static final OffloadOptions DEFAULTS = new OffloadOptions(OffloadPolicy.NO_INTERRUPT, null, false);

    private final OffloadPolicy policy;
    private final Consumer<Object> onDiscard;
    private final boolean propagateContext;

    private OffloadOptions(OffloadPolicy policy, Consumer<Object> onDiscard, boolean propagateContext) {
        this.policy = policy;
        this.onDiscard = onDiscard;
        this.propagateContext = propagateContext;
    }

    /**
     * NO_INTERRUPT, no discard hook, no context.
     *
     * @return the default options, a shared instance
     */
    public static OffloadOptions defaults() {
        return DEFAULTS;
    }

    /**
     * The same options with {@code policy}.
     *
     * @param policy what cancelling the awaiting task does to the work
     * @return new options
     */
    public OffloadOptions withPolicy(OffloadPolicy policy) {
        return new OffloadOptions(Objects.requireNonNull(policy, "policy"), onDiscard, propagateContext);
    }

    /**
     * The same options with a hook that receives a value produced after the awaiting task was cancelled,
     * so that a resource nobody will read can be closed. It runs on the worker thread, or on the task's loop
     * when the value completed the task's wait just before a cancel request reached the task (its await then
     * throws {@link CancelledException} instead of returning the value).
     *
     * @param onDiscard receives the value nobody will read
     * @return new options
     */
    @SuppressWarnings("unchecked")
    public OffloadOptions withOnDiscard(Consumer<?> onDiscard) {
        return new OffloadOptions(
                policy, (Consumer<Object>) Objects.requireNonNull(onDiscard, "onDiscard"), propagateContext);
    }

    /**
     * The same options, carrying the task's {@link ContextKey} values into the worker (asyncio's {@code to_thread}).
     *
     * @return new options
     */
    public OffloadOptions withContext() {
        return new OffloadOptions(policy, onDiscard, true);
    }

    /** {@return the cancellation policy} */
    public OffloadPolicy policy() {
        return policy;
    }

    Consumer<Object> onDiscard() {
        return onDiscard;
    }

    /** {@return whether context values are carried into the worker} */
    public boolean propagatesContext() {
        return propagateContext;
    }

    @Override
    public String toString() {
        return "OffloadOptions[" + policy + (onDiscard != null ? ", onDiscard" : "")
                + (propagateContext ? ", context" : "") + "]";
    }
}
