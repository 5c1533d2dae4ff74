package dev.spindle.engine;

/**
 * What cancelling a task does to the blocking work it {@linkplain Async#offload offloaded}.
 *
 * <p><b>Threads:</b> constants, safe from any thread.
 */
public enum OffloadPolicy {
    /**
     * asyncio's rule and the default: work not yet started never starts; work already running runs to
     * completion, and its result goes to the {@linkplain OffloadOptions#onDiscard discard hook}, if any.
     */
    NO_INTERRUPT,
    /** As NO_INTERRUPT, but a running worker is also interrupted ({@link Thread#interrupt()}). */
    INTERRUPT
}
