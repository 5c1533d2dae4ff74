package dev.spindle.bench.report;

import java.util.Map;

/**
 * One line of the performance budget: a speed-up of Spindle over a peer in one benchmark
 * case, or a bound on Spindle's bytes per op.
 *
 * @param benchmark the benchmark class's simple name, or {@link #ASYNCIO} for the asyncio comparison
 * @param method the benchmark method (or the asyncio workload); null for every method of the class
 * @param params parameters a case must have for the target to apply (empty: every case)
 * @param peer the peer's {@code impl} (or {@code asyncio}/{@code uvloop}); null for a bytes-per-op bound
 * @param kind what is compared
 * @param threshold the speed-up to reach (×), or the bytes per op not to exceed
 * @param text the target as the budget states it, e.g. {@code ≥ 2× Netty}
 * @param source where the target is set, e.g. {@code budget}
 * @param headline the target's short label on the headline chart, or null to leave it off
 */
public record Target(
        String benchmark,
        String method,
        Map<String, String> params,
        String peer,
        Kind kind,
        double threshold,
        String text,
        String source,
        String headline) {

    /** The benchmark name under which the asyncio/uvloop comparison's targets are filed. */
    public static final String ASYNCIO = "asyncio";

    /** What a target compares. */
    public enum Kind {
        /** Spindle's speed over the peer's (throughput ratio, or inverse time ratio) must be ≥ threshold. */
        SPEEDUP_AT_LEAST,
        /** Spindle's {@code gc.alloc.rate.norm} must be ≤ threshold. */
        BYTES_AT_MOST
    }

    /** Whether the target applies to a result row of {@link #benchmark} (method and parameters). */
    public boolean appliesTo(JmhResult row) {
        if (!row.benchmark().equals(benchmark) || (method != null && !method.equals(row.method()))) {
            return false;
        }
        for (var p : params.entrySet()) {
            if (!p.getValue().equals(row.params().get(p.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
