package dev.spindle.bench.report;

/**
 * A target evaluated against one case of a run.
 *
 * @param target the target
 * @param caseLabel the case it was evaluated on, e.g. {@code oneProducer} or {@code burst=10}
 * @param measured the measured speed-up (×) or bytes per op; NaN when a side has no result
 */
public record Check(Target target, String caseLabel, double measured) {

    /** Whether both sides were measured. */
    public boolean available() {
        return !Double.isNaN(measured);
    }

    /** Whether the target is met; false when it could not be measured. */
    public boolean met() {
        return available()
                && switch (target.kind()) {
                    case SPEEDUP_AT_LEAST -> measured >= target.threshold();
                    case BYTES_AT_MOST -> measured <= target.threshold();
                };
    }

    /** The verdict as the report prints it: met, missed, or no result. */
    public String verdict() {
        return !available() ? "no result" : met() ? "met" : "**missed**";
    }
}
