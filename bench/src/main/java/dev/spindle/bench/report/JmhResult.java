package dev.spindle.bench.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One row of JMH's JSON result file: one benchmark method with one combination of {@code @Param}
 * values, its primary score and the {@code gc.alloc.rate.norm} secondary metric.
 *
 * @param benchmark the benchmark class's simple name, e.g. {@code CrossThreadSubmitBench}
 * @param method the benchmark method, e.g. {@code oneProducer}
 * @param mode JMH's mode label: {@code thrpt}, {@code avgt}, {@code sample} or {@code ss}
 * @param params every {@code @Param} of the row, in JMH's order ({@code impl} among them)
 * @param score the primary score (the mean, for {@code sample})
 * @param error JMH's 99.9 % confidence half-interval of the score; NaN when JMH could not compute one
 * @param unit the score's unit, e.g. {@code ops/us}
 * @param percentiles the score percentiles JMH reports, keyed by percentile ({@code 50.0}, {@code 99.9},
 *     …): of samples for {@code sample}, of iteration scores otherwise
 * @param allocBytesPerOp {@code gc.alloc.rate.norm} in B/op; NaN when run without {@code -prof gc}
 * @param settings how the row was measured (forks, iterations, JDK)
 */
public record JmhResult(
        String benchmark,
        String method,
        String mode,
        Map<String, String> params,
        double score,
        double error,
        String unit,
        Map<Double, Double> percentiles,
        double allocBytesPerOp,
        Settings settings) {

    /**
     * How JMH ran one row, as it records it in the JSON.
     *
     * @param forks forks
     * @param warmupIterations warm-up iterations per fork
     * @param warmupTime time of one warm-up iteration, as JMH prints it ({@code 1 s})
     * @param measurementIterations measurement iterations per fork
     * @param measurementTime time of one measurement iteration
     * @param threads benchmark threads
     * @param jdkVersion {@code jdkVersion}
     * @param vmName {@code vmName}
     * @param vmVersion {@code vmVersion}
     * @param jvmArgs the forked JVM's arguments
     */
    public record Settings(
            int forks,
            int warmupIterations,
            String warmupTime,
            int measurementIterations,
            String measurementTime,
            int threads,
            String jdkVersion,
            String vmName,
            String vmVersion,
            List<String> jvmArgs) {}

    /** The {@code impl} parameter, or the empty string when the benchmark has none. */
    public String impl() {
        return params.getOrDefault("impl", "");
    }

    /** Whether a higher score is better: true for throughput, false for the time modes. */
    public boolean higherIsBetter() {
        return mode.equals("thrpt");
    }

    /** The parameters other than {@code impl}, which together with the method name identify a case. */
    public Map<String, String> caseParams() {
        Map<String, String> rest = new LinkedHashMap<>(params);
        rest.remove("impl");
        return rest;
    }

    /** The percentile {@code p} (e.g. 99.0) of the score, or NaN when JMH did not record it. */
    public double percentile(double p) {
        return percentiles.getOrDefault(p, Double.NaN);
    }

    /**
     * Reads every row of one JMH JSON file ({@code -rf json}).
     *
     * @throws IOException when the file cannot be read
     * @throws IllegalArgumentException when it is not JMH's format
     */
    public static List<JmhResult> read(Path file) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            JsonElement root = JsonParser.parseReader(in);
            if (!root.isJsonArray()) {
                throw new IllegalArgumentException(file + ": not a JMH JSON result (expected an array)");
            }
            List<JmhResult> rows = new ArrayList<>();
            for (JsonElement e : root.getAsJsonArray()) {
                rows.add(parse(e.getAsJsonObject()));
            }
            return rows;
        }
    }

    static JmhResult parse(JsonObject o) {
        String fqn = o.get("benchmark").getAsString();
        String[] parts = fqn.split("\\.");
        if (parts.length < 2) {
            throw new IllegalArgumentException("benchmark name without a class: " + fqn);
        }
        Map<String, String> params = new LinkedHashMap<>();
        if (o.has("params")) {
            for (var p : o.getAsJsonObject("params").entrySet()) {
                params.put(p.getKey(), p.getValue().getAsString());
            }
        }
        JsonObject primary = o.getAsJsonObject("primaryMetric");
        Map<Double, Double> percentiles = new TreeMap<>();
        if (primary.has("scorePercentiles")) {
            for (var p : primary.getAsJsonObject("scorePercentiles").entrySet()) {
                percentiles.put(Double.parseDouble(p.getKey()), number(p.getValue()));
            }
        }
        double alloc = Double.NaN;
        if (o.has("secondaryMetrics")) {
            JsonObject secondary = o.getAsJsonObject("secondaryMetrics");
            if (secondary.has("gc.alloc.rate.norm")) {
                alloc = number(secondary.getAsJsonObject("gc.alloc.rate.norm").get("score"));
            }
        }
        List<String> jvmArgs = new ArrayList<>();
        if (o.has("jvmArgs")) {
            JsonArray args = o.getAsJsonArray("jvmArgs");
            args.forEach(a -> jvmArgs.add(a.getAsString()));
        }
        Settings settings = new Settings(
                integer(o, "forks"),
                integer(o, "warmupIterations"),
                text(o, "warmupTime"),
                integer(o, "measurementIterations"),
                text(o, "measurementTime"),
                integer(o, "threads"),
                text(o, "jdkVersion"),
                text(o, "vmName"),
                text(o, "vmVersion"),
                List.copyOf(jvmArgs));
        return new JmhResult(
                parts[parts.length - 2],
                parts[parts.length - 1],
                text(o, "mode"),
                Collections.unmodifiableMap(params),
                number(primary.get("score")),
                primary.has("scoreError") ? number(primary.get("scoreError")) : Double.NaN,
                primary.get("scoreUnit").getAsString(),
                Collections.unmodifiableMap(percentiles),
                alloc,
                settings);
    }

    /** JMH writes NaN and infinities as strings; everything else as numbers. */
    private static double number(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return Double.NaN;
        }
        String s = e.getAsString();
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException notANumber) {
            return Double.NaN;
        }
    }

    private static int integer(JsonObject o, String key) {
        return o.has(key) ? o.get(key).getAsInt() : 0;
    }

    private static String text(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull() ? o.get(key).getAsString() : "";
    }
}
