package dev.spindle.bench.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The result of {@code bench/vs-asyncio.sh}: for each workload, nanoseconds per operation for Spindle,
 * Python's asyncio and uvloop (medians of repetitions timed inside each loop).
 *
 * @param workloads the workloads, in file order ({@code spawn}, {@code pingpong})
 * @param python the Python version, or empty when the file does not say
 * @param uvloop the uvloop version, or empty when uvloop was not installed or the file does not say
 * @param tasks tasks or round trips per repetition; 0 when unknown
 * @param reps measured repetitions; 0 when unknown
 */
public record AsyncioComparison(List<Workload> workloads, String python, String uvloop, int tasks, int reps) {

    /**
     * One workload's medians, in ns per task or per round trip; NaN where a side did not run.
     *
     * @param name the workload ({@code spawn} or {@code pingpong})
     * @param spindleNs Spindle
     * @param asyncioNs asyncio's default loop
     * @param uvloopNs uvloop
     */
    public record Workload(String name, double spindleNs, double asyncioNs, double uvloopNs) {

        /** How many times faster Spindle is than the Python loop that took {@code pythonNs}. */
        public double speedup(double pythonNs) {
            return pythonNs / spindleNs;
        }
    }

    /**
     * Reads {@code bench/target/asyncio-compare.json}.
     *
     * @throws IOException when the file cannot be read
     */
    public static AsyncioComparison read(Path file) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            JsonObject root = JsonParser.parseReader(in).getAsJsonObject();
            List<Workload> workloads = new ArrayList<>();
            for (var entry : root.entrySet()) {
                if (entry.getKey().equals("meta") || !entry.getValue().isJsonObject()) {
                    continue;
                }
                JsonObject w = entry.getValue().getAsJsonObject();
                workloads.add(new Workload(
                        entry.getKey(), number(w, "spindle_ns"), number(w, "asyncio_ns"), number(w, "uvloop_ns")));
            }
            JsonObject meta = root.has("meta") ? root.getAsJsonObject("meta") : new JsonObject();
            return new AsyncioComparison(
                    List.copyOf(workloads),
                    text(meta, "python"),
                    text(meta, "uvloop"),
                    (int) orZero(number(meta, "tasks")),
                    (int) orZero(number(meta, "reps")));
        }
    }

    private static double orZero(double v) {
        return Double.isNaN(v) ? 0 : v;
    }

    private static double number(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? Double.NaN : e.getAsDouble();
    }

    private static String text(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? "" : e.getAsString();
    }
}
