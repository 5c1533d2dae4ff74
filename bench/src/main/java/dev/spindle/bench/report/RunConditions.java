package dev.spindle.bench.report;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * The machine and the circumstances of one report run: what the page says before any number.
 *
 * @param cpu the CPU model as {@code /proc/cpuinfo} names it
 * @param cores the processors available to the JVM
 * @param memory total memory, e.g. {@code 23.4 GiB}
 * @param os the operating system and kernel
 * @param quick whether this was the quick, low-confidence run ({@code --report --quick})
 * @param started when the run started (ISO-8601, UTC)
 * @param finished when it finished
 * @param loadStart the load averages (1, 5, 15 min) when it started
 * @param loadEnd the load averages when the benchmarks had finished
 * @param commit the git commit measured, with a note when the work tree had local changes
 * @param elapsedSeconds the wall time of the benchmarks, or 0 when unknown
 * @param runs how many times the JMH suite ran ({@code --runs N}); each case shows its median run
 */
public record RunConditions(
        String cpu,
        int cores,
        String memory,
        String os,
        boolean quick,
        String started,
        String finished,
        String loadStart,
        String loadEnd,
        String commit,
        long elapsedSeconds,
        int runs) {

    private static final String UNKNOWN = "unknown";

    /**
     * Reads the run's metadata written by the launcher ({@code report-meta.properties}: {@code mode},
     * {@code started}, {@code finished}, {@code load.start}, {@code load.end}, {@code commit}, {@code
     * elapsed.seconds}, {@code runs}; null or a missing file gives "unknown", and one run) and this
     * machine's description from {@code /proc} and the JVM.
     */
    public static RunConditions collect(Path meta) throws IOException {
        Properties p = new Properties();
        if (meta != null && Files.exists(meta)) {
            try (Reader in = Files.newBufferedReader(meta, StandardCharsets.UTF_8)) {
                p.load(in);
            }
        }
        return new RunConditions(
                cpuModel(),
                Runtime.getRuntime().availableProcessors(),
                totalMemory(),
                osName(),
                "quick".equals(p.getProperty("mode")),
                p.getProperty("started", UNKNOWN),
                p.getProperty("finished", UNKNOWN),
                p.getProperty("load.start", UNKNOWN),
                p.getProperty("load.end", UNKNOWN),
                p.getProperty("commit", UNKNOWN),
                Long.parseLong(p.getProperty("elapsed.seconds", "0").trim()),
                Integer.parseInt(p.getProperty("runs", "1").trim()));
    }

    private static String cpuModel() {
        for (String line : lines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return System.getProperty("os.arch", UNKNOWN);
    }

    private static String totalMemory() {
        for (String line : lines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
                return String.format(Locale.ROOT, "%.1f GiB", kib / (1024.0 * 1024.0));
            }
        }
        return UNKNOWN;
    }

    private static String osName() {
        String name = System.getProperty("os.name", UNKNOWN);
        for (String line : lines(Path.of("/etc/os-release"))) {
            if (line.startsWith("PRETTY_NAME=")) {
                name = line.substring("PRETTY_NAME=".length()).replace("\"", "");
            }
        }
        return name + ", kernel " + System.getProperty("os.version", UNKNOWN) + " ("
                + System.getProperty("os.arch", UNKNOWN) + ")";
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException unreadable) {
            return List.of();
        }
    }
}
