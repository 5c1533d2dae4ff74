package dev.spindle.bench;

/**
 * One single-threaded executor under test: Spindle's loop or one of its peers, behind the same two
 * calls so that a benchmark's code path is identical for every implementation. A JMH fork measures one
 * implementation, so every call site below is monomorphic in the compiled benchmark.
 */
interface PeerExecutor extends AutoCloseable {

    /** The queue capacity given to every implementation whose queue is bounded (Spindle, Agrona). */
    int CAPACITY = 65_536;

    /**
     * Offers {@code task} from a thread other than the executor's; {@code false} when a bounded queue
     * is full (the caller retries). Unbounded peers always return {@code true}.
     */
    boolean trySubmit(Runnable task);

    /** Stops the executor and waits (bounded) for its thread. */
    @Override
    void close();

    /**
     * Creates and starts {@code impl}: {@code spindle}, {@code netty}, {@code jdk} or {@code agrona}. All
     * use their default idle behaviour: Spindle and Agrona back off with the same {@code
     * BackoffIdleStrategy(64, 16, 1 µs, 64 µs)} (Spindle then parks), Netty and the JDK executor park.
     */
    static PeerExecutor create(String impl) {
        return switch (impl) {
            case "spindle" -> new SpindlePeer();
            case "netty" -> new NettyPeer();
            case "jdk" -> new JdkPeer();
            case "agrona" -> new AgronaPeer();
            default -> throw new IllegalArgumentException("impl: unknown implementation '" + impl + "'");
        };
    }
}
