package dev.spindle.engine;

/**
 * Run in a JVM started without the continuation flag: prints what spawn and submit do there.
 * Used by {@link CoroutineBridgeTest}.
 */
public final class NoContinuationFlagProbe {
    private NoContinuationFlagProbe() {}

    public static void main(String[] args) {
        try (Engine engine = Engine.builder().loops(1).build()) {
            System.out.println("submit: " + engine.loop(0).submit(() -> "works").join());
            try {
                engine.loop(0).spawn(() -> "coroutine");
                System.out.println("spawn: no exception");
            } catch (UnsupportedOperationException e) {
                System.out.println("spawn: " + e.getMessage());
            }
        }
    }
}
