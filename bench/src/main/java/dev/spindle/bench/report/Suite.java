package dev.spindle.bench.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every JMH result of one report run, merged from the JSON files of its JMH invocations, with the
 * look-ups the report needs: rows per benchmark, the cases of a benchmark, a row by case and {@code impl}.
 */
public final class Suite {
    private final List<JmhResult> rows;

    /**
     * A suite of the given rows. Rows for the same benchmark, case and impl come from repeated runs: the
     * suite keeps the one with the median score (the lower middle one of an even count), so one noisy run
     * moves no figure.
     */
    public Suite(List<JmhResult> rows) {
        Map<String, List<JmhResult>> runs = new LinkedHashMap<>();
        for (JmhResult r : rows) {
            runs.computeIfAbsent(r.benchmark() + '.' + r.method() + r.params(), k -> new ArrayList<>())
                    .add(r);
        }
        List<JmhResult> medians = new ArrayList<>();
        for (List<JmhResult> repeats : runs.values()) {
            List<JmhResult> sorted = new ArrayList<>(repeats);
            sorted.sort(Comparator.comparingDouble(JmhResult::score));
            medians.add(sorted.get((sorted.size() - 1) / 2));
        }
        this.rows = List.copyOf(medians);
    }

    /** Every row. */
    public List<JmhResult> rows() {
        return rows;
    }

    /** The benchmark classes present, in the order of their first row. */
    public Set<String> benchmarks() {
        return rows.stream().map(JmhResult::benchmark).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** The rows of one benchmark class, in file order. */
    public List<JmhResult> rows(String benchmark) {
        return rows.stream().filter(r -> r.benchmark().equals(benchmark)).toList();
    }

    /** The implementations measured by one benchmark, Spindle first, then in file order. */
    public List<String> impls(String benchmark) {
        Set<String> impls = new LinkedHashSet<>();
        rows(benchmark).stream()
                .map(JmhResult::impl)
                .filter(BenchmarkCatalog.SPINDLE::equals)
                .forEach(impls::add);
        rows(benchmark).forEach(r -> impls.add(r.impl()));
        return new ArrayList<>(impls);
    }

    /**
     * The cases of one benchmark: one representative row per method and non-{@code impl} parameters, in
     * file order.
     */
    public List<JmhResult> cases(String benchmark) {
        Map<String, JmhResult> cases = new LinkedHashMap<>();
        for (JmhResult r : rows(benchmark)) {
            cases.putIfAbsent(r.method() + r.caseParams(), r);
        }
        return List.copyOf(cases.values());
    }

    /**
     * A case's label: its parameters as {@code name=value}, preceded by the method when the class has
     * several benchmark methods (or has no other parameter).
     */
    public String caseLabel(JmhResult row) {
        boolean severalMethods =
                rows(row.benchmark()).stream().map(JmhResult::method).distinct().count() > 1;
        List<String> parts = new ArrayList<>();
        if (severalMethods || row.caseParams().isEmpty()) {
            parts.add(row.method());
        }
        row.caseParams().forEach((k, v) -> parts.add(k + "=" + v));
        return String.join(", ", parts);
    }

    /** The row of {@code impl} in the same case (benchmark, method, other parameters) as {@code row}. */
    public Optional<JmhResult> sameCase(JmhResult row, String impl) {
        return rows.stream()
                .filter(r -> r.benchmark().equals(row.benchmark())
                        && r.method().equals(row.method())
                        && r.caseParams().equals(row.caseParams())
                        && r.impl().equals(impl))
                .findFirst();
    }

    /**
     * Spindle's speed-up over {@code peer} in a case: the ratio of throughputs, or the inverse ratio of
     * times for the time modes; NaN when either side is missing.
     */
    public double speedup(JmhResult spindle, JmhResult peer) {
        if (spindle == null || peer == null) {
            return Double.NaN;
        }
        return spindle.higherIsBetter() ? spindle.score() / peer.score() : peer.score() / spindle.score();
    }
}
