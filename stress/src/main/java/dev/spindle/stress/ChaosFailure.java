package dev.spindle.stress;

/**
 * A failure the chaos soak plans: a task body, a group child or an offloaded job throws it on purpose. Any
 * other exception ending a task is a violation. Carries no stack trace: the soak throws many.
 */
final class ChaosFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ChaosFailure(String what) {
        super(what, null, false, false);
    }
}
