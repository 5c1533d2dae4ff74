package dev.spindle.bench.report;

import java.util.ArrayList;
import java.util.List;

/** Evaluates the budget's {@link Target}s against one run. */
public final class TargetEvaluator {
    private TargetEvaluator() {}

    /**
     * One {@link Check} per target and case it applies to: every Spindle row the target matches, or, for
     * the asyncio comparison, the named workload. A target whose benchmark or peer did not run yields one
     * check with no measurement, so that a missing result shows on the page rather than vanishing.
     *
     * @param asyncio the asyncio comparison, or null when it did not run
     */
    public static List<Check> evaluate(Suite suite, AsyncioComparison asyncio, List<Target> targets) {
        List<Check> checks = new ArrayList<>();
        for (Target t : targets) {
            if (t.benchmark().equals(Target.ASYNCIO)) {
                checks.add(asyncioCheck(asyncio, t));
                continue;
            }
            List<JmhResult> spindleRows = suite.rows(t.benchmark()).stream()
                    .filter(r -> r.impl().equals(BenchmarkCatalog.SPINDLE) && t.appliesTo(r))
                    .toList();
            if (spindleRows.isEmpty()) {
                checks.add(new Check(t, "", Double.NaN));
            }
            for (JmhResult s : spindleRows) {
                double measured = switch (t.kind()) {
                    case BYTES_AT_MOST -> s.allocBytesPerOp();
                    case SPEEDUP_AT_LEAST ->
                        suite.speedup(s, suite.sameCase(s, t.peer()).orElse(null));
                };
                checks.add(new Check(t, suite.caseLabel(s), measured));
            }
        }
        return checks;
    }

    private static Check asyncioCheck(AsyncioComparison asyncio, Target t) {
        if (asyncio == null) {
            return new Check(t, t.method(), Double.NaN);
        }
        for (AsyncioComparison.Workload w : asyncio.workloads()) {
            if (w.name().equals(t.method())) {
                double python = t.peer().equals("uvloop") ? w.uvloopNs() : w.asyncioNs();
                return new Check(t, w.name(), w.speedup(python));
            }
        }
        return new Check(t, t.method(), Double.NaN);
    }
}
