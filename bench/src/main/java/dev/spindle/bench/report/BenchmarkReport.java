package dev.spindle.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Regenerates {@code docs/benchmarks.md} and its charts from one run's JSON results. Run by {@code
 * ./spindle bench --report} after the benchmarks:
 *
 * <pre>{@code
 * java -Djava.awt.headless=true -cp bench/target/benchmarks.jar dev.spindle.bench.report.BenchmarkReport \
 *     --jmh bench/target/jmh-report-a.json --jmh bench/target/jmh-report-b.json \
 *     --asyncio bench/target/asyncio-compare.json --meta bench/target/report-meta.properties --docs docs
 * }</pre>
 *
 * Charts a previous generation wrote that this one did not (a case or benchmark that is gone) are
 * deleted, so the directory holds only what the page shows. Exits with status 1 when an input is missing or
 * unreadable, or when a benchmark of the catalog has no result, after writing what it could.
 */
public final class BenchmarkReport {
    private static final String HEADLINE_CHART = "headline.png";
    private static final String ASYNCIO_CHART = "asyncio.png";

    private BenchmarkReport() {}

    /**
     * The files one generation wrote, and the benchmarks of the catalog that had no result.
     *
     * @param page the markdown page
     * @param charts the PNG files
     * @param removed stale charts of an earlier generation, now deleted
     * @param missing catalogued benchmarks absent from the JMH results
     */
    public record Output(Path page, List<Path> charts, List<Path> removed, List<String> missing) {}

    /** Command-line entry point; see the class documentation for the arguments. */
    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        List<Path> jmh = new ArrayList<>();
        Path asyncio = null;
        Path meta = null;
        Path docs = Path.of("docs");
        try {
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--jmh" -> jmh.add(Path.of(required(args[i], value)));
                    case "--asyncio" -> asyncio = Path.of(required(args[i], value));
                    case "--meta" -> meta = Path.of(required(args[i], value));
                    case "--docs" -> docs = Path.of(required(args[i], value));
                    default ->
                        throw new IllegalArgumentException(
                                "unknown argument '" + args[i]
                                        + "'; usage: BenchmarkReport --jmh FILE... [--asyncio FILE] [--meta FILE] [--docs DIR]");
                }
                i++;
            }
            if (jmh.isEmpty()) {
                throw new IllegalArgumentException("no --jmh result file given");
            }
            Output out = generate(jmh, asyncio, meta, docs);
            System.out.println("wrote " + out.page() + " and " + out.charts().size() + " charts in "
                    + out.page().resolveSibling("images")
                    + (out.removed().isEmpty() ? "" : "; removed stale " + out.removed()));
            if (!out.missing().isEmpty()) {
                System.err.println("benchmark report: no results for " + String.join(", ", out.missing()));
                System.exit(1);
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("benchmark report: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * Reads the results and writes {@code docs/benchmarks.md} and {@code docs/images/*.png}.
     *
     * @param jmh JMH JSON files; equal rows of several files (repeated runs) give their median
     * @param asyncio the asyncio comparison's JSON, or null to leave it out
     * @param meta the launcher's run metadata, or null
     * @param docs the directory of the page
     */
    public static Output generate(List<Path> jmh, Path asyncio, Path meta, Path docs) throws IOException {
        List<JmhResult> rows = new ArrayList<>();
        for (Path file : jmh) {
            rows.addAll(JmhResult.read(file));
        }
        Suite suite = new Suite(rows);
        AsyncioComparison comparison = asyncio == null ? null : AsyncioComparison.read(asyncio);
        RunConditions run = RunConditions.collect(meta);
        List<Check> checks = TargetEvaluator.evaluate(suite, comparison, BenchmarkCatalog.targets());

        ChartRenderer renderer = new ChartRenderer(docs.resolve("images"));
        Map<String, List<String>> charts = new LinkedHashMap<>();
        List<Path> written = new ArrayList<>();
        for (String benchmark : suite.benchmarks()) {
            String title = BenchmarkCatalog.entry(benchmark)
                    .map(BenchmarkCatalog.Entry::title)
                    .orElse(benchmark);
            String base = slug(benchmark);
            List<String> files = new ArrayList<>();
            boolean sampled = suite.rows(benchmark).stream().anyMatch(r -> !r.higherIsBetter());
            if (sampled) {
                for (JmhResult c : suite.cases(benchmark)) {
                    String file = base + "-" + slug(suite.caseLabel(c)) + ".png";
                    written.add(renderer.latency(suite, c, title + ", " + suite.caseLabel(c), file));
                    files.add("images/" + file);
                }
            } else {
                written.add(renderer.throughput(suite, benchmark, title, base + ".png"));
                files.add("images/" + base + ".png");
            }
            charts.put(benchmark, files);
        }
        if (comparison != null) {
            written.add(renderer.asyncio(comparison, ASYNCIO_CHART));
            charts.put(Target.ASYNCIO, List.of("images/" + ASYNCIO_CHART));
        }
        List<Check> headline = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (Check c : checks) {
            // One bar per headline target: its first case, the one JMH ran first.
            if (c.target().headline() != null
                    && c.available()
                    && !labels.contains(c.target().headline())) {
                headline.add(c);
                labels.add(c.target().headline());
            }
        }
        if (!headline.isEmpty()) {
            written.add(renderer.headline(headline, run.quick() ? "(quick run, low confidence)" : "", HEADLINE_CHART));
            charts.put("headline", List.of("images/" + HEADLINE_CHART));
        }

        String markdown = new ReportPage(suite, comparison, run, checks, charts).render();
        Path page = docs.resolve("benchmarks.md");
        Files.writeString(page, markdown, StandardCharsets.UTF_8);

        List<String> missing = BenchmarkCatalog.entries().stream()
                .map(BenchmarkCatalog.Entry::name)
                .filter(n -> !suite.benchmarks().contains(n))
                .toList();
        List<Path> removed = pruneStaleCharts(docs.resolve("images"), suite.benchmarks(), written);
        return new Output(page, List.copyOf(written), removed, missing);
    }

    /**
     * Deletes the charts in {@code images} that a generation could have written but this one did not. A
     * file counts as a chart of the report when its name is that of the headline or asyncio chart, or
     * starts with the slug of a catalogued or measured benchmark; any other file is left alone.
     */
    private static List<Path> pruneStaleCharts(Path images, Collection<String> benchmarks, List<Path> written)
            throws IOException {
        List<String> slugs = new ArrayList<>();
        BenchmarkCatalog.entries().forEach(e -> slugs.add(slug(e.name())));
        benchmarks.forEach(b -> slugs.add(slug(b)));
        List<Path> removed = new ArrayList<>();
        try (var files = Files.list(images)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                boolean ours = name.equals(HEADLINE_CHART)
                        || name.equals(ASYNCIO_CHART)
                        || (name.endsWith(".png")
                                && slugs.stream().anyMatch(s -> name.equals(s + ".png") || name.startsWith(s + "-")));
                if (ours && !written.contains(file)) {
                    Files.delete(file);
                    removed.add(file);
                }
            }
        }
        return List.copyOf(removed);
    }

    /** A file-name fragment: {@code CrossThreadSubmitBench} → {@code cross-thread-submit}. */
    static String slug(String name) {
        String s = name.replaceAll("Bench$", "")
                .replaceAll("([a-z0-9])([A-Z])", "$1-$2")
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-");
        return s.replaceAll("^-|-$", "");
    }

    private static String required(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }
}
