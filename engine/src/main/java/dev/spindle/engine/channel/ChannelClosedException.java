package dev.spindle.engine.channel;

/**
 * Thrown by a {@link Channel} operation that can no longer succeed because the channel was {@linkplain
 * Channel#close() closed}: a send after the close, or a receive once the close has happened and every
 * item has been received.
 *
 * <p>Unchecked, like the engine's other exceptions. A consumer loop usually ends on it:
 *
 * <pre>{@code
 * try {
 *     for (;;) {
 *         handle(channel.receive());
 *     }
 * } catch (ChannelClosedException drained) {
 *     // every item sent before the close has been handled
 * }
 * }</pre>
 *
 * <p><b>Threads:</b> thrown on the thread or in the task that called the channel; immutable once thrown, so safe to
 * read on any thread.
 */
public final class ChannelClosedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with {@code message}.
     *
     * @param message what was refused, and why
     */
    public ChannelClosedException(String message) {
        super(message);
    }
}
