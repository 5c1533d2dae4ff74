package dev.spindle.engine;

/**
 * Run in a fresh JVM: prints whether the unretrieved-failure reporter thread is alive before any engine
 * exists and once one has been built, before any task ran. Used by {@link UnretrievedFailureTest}.
 */
public final class UnretrievedReporterProbe {
    private UnretrievedReporterProbe() {}

    public static void main(String[] args) {
        System.out.println("before the engine: " + reporterAlive());
        try (Engine engine = Engine.builder().loops(1).build()) {
            System.out.println("once built: " + reporterAlive());
        }
    }

    private static boolean reporterAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().equals(UnretrievedFailure.THREAD_NAME));
    }
}
