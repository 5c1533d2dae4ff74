package dev.spindle.bench.report;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler.LegendLayout;
import org.knowm.xchart.style.Styler.LegendPosition;

/**
 * Draws the report's charts as PNG files with XChart: grouped bars per benchmark (Spindle and each
 * peer), latency percentiles, the asyncio comparison and the headline ratios. Needs no display (run
 * with {@code -Djava.awt.headless=true}).
 */
public final class ChartRenderer {
    /** Chart width in pixels. */
    static final int WIDTH = 900;

    /** Chart height in pixels. */
    static final int HEIGHT = 500;

    /** Above this ratio between the largest and the smallest bar, the value axis is logarithmic. */
    static final double LOG_SCALE_SPREAD = 20;

    private static final Color SPINDLE = new Color(0xD9, 0x5F, 0x0E);
    private static final Color TARGET = new Color(0xB0, 0xB0, 0xB0);
    private static final Color[] PEERS = {
        new Color(0x31, 0x68, 0xA8),
        new Color(0x5B, 0xA8, 0x5B),
        new Color(0x8E, 0x6B, 0xB8),
        new Color(0x4F, 0xB3, 0xBF),
        new Color(0x9C, 0x7A, 0x4D),
    };

    private final Path directory;

    /** A renderer writing into {@code directory}, which it creates if needed. */
    public ChartRenderer(Path directory) throws IOException {
        this.directory = Files.createDirectories(directory);
    }

    /**
     * Throughput of every implementation of one benchmark, grouped by case.
     *
     * @return the file written
     */
    public Path throughput(Suite suite, String benchmark, String title, String file) throws IOException {
        List<JmhResult> cases = suite.cases(benchmark);
        List<String> impls = suite.impls(benchmark);
        String unit = suite.rows(benchmark).getFirst().unit();
        List<String> x = cases.stream().map(suite::caseLabel).toList();
        List<List<Double>> ys = new ArrayList<>();
        for (String impl : impls) {
            ys.add(cases.stream()
                    .map(c -> suite.sameCase(c, impl).map(JmhResult::score).orElse(Double.NaN))
                    .toList());
        }
        CategoryChart chart =
                chart(title + " (higher is better)", "case", axisUnit(unit) + ", mean of iterations", x.size());
        addSeries(chart, impls, x, ys);
        return save(chart, file);
    }

    /**
     * Latency percentiles of every implementation in one case of a {@code SampleTime} benchmark.
     *
     * @return the file written
     */
    public Path latency(Suite suite, JmhResult sameCase, String title, String file) throws IOException {
        double[] ps = {50.0, 90.0, 99.0, 99.9, 100.0};
        List<String> x = List.of("p50", "p90", "p99", "p99.9", "max");
        List<String> impls = suite.impls(sameCase.benchmark());
        List<List<Double>> ys = new ArrayList<>();
        for (String impl : impls) {
            JmhResult row = suite.sameCase(sameCase, impl).orElse(null);
            List<Double> y = new ArrayList<>();
            for (double p : ps) {
                y.add(row == null ? Double.NaN : row.percentile(p));
            }
            ys.add(y);
        }
        CategoryChart chart = chart(
                title + " (lower is better)", "percentile of sampled round trips", axisUnit(sameCase.unit()), x.size());
        addSeries(chart, impls, x, ys);
        return save(chart, file);
    }

    /**
     * The asyncio comparison: ns per op for Spindle, asyncio and uvloop per workload.
     *
     * @return the file written
     */
    public Path asyncio(AsyncioComparison comparison, String file) throws IOException {
        List<String> x = comparison.workloads().stream()
                .map(w -> w.name().equals("spawn") ? "spawn + gather (per task)" : w.name() + " (per round trip)")
                .toList();
        List<List<Double>> ys = List.of(
                comparison.workloads().stream()
                        .map(AsyncioComparison.Workload::spindleNs)
                        .toList(),
                comparison.workloads().stream()
                        .map(AsyncioComparison.Workload::asyncioNs)
                        .toList(),
                comparison.workloads().stream()
                        .map(AsyncioComparison.Workload::uvloopNs)
                        .toList());
        CategoryChart chart =
                chart("Spindle vs Python asyncio and uvloop (lower is better)", "workload", "ns per op", x.size());
        addSeries(chart, List.of(BenchmarkCatalog.SPINDLE, "asyncio", "uvloop"), x, ys);
        return save(chart, file);
    }

    /**
     * The headline: Spindle's measured speed-up over each key peer next to the budget's target, on a
     * logarithmic axis where 1× is parity.
     *
     * @param checks the checks to show, each with its target's headline label
     * @return the file written
     */
    public Path headline(List<Check> checks, String subtitle, String file) throws IOException {
        List<String> x = checks.stream().map(c -> c.target().headline()).toList();
        List<Double> measured = checks.stream().map(Check::measured).toList();
        List<Double> target = checks.stream().map(c -> c.target().threshold()).toList();
        CategoryChart chart = chart(
                "Spindle's speed-up over its peers " + subtitle,
                "",
                "Spindle ÷ peer (× faster, log scale; 1× = parity)",
                x.size());
        CategoryStyler styler = chart.getStyler();
        styler.setXAxisLabelRotation(35);
        styler.setYAxisLogarithmic(true);
        styler.setLegendPosition(LegendPosition.InsideNW);
        List<Double> all = new ArrayList<>(measured);
        all.addAll(target);
        bounds(chart, all);
        styler.setSeriesColors(new Color[] {SPINDLE, TARGET});
        chart.addSeries("measured", x, finiteOrZero(measured));
        chart.addSeries("target", x, target);
        return save(chart, file);
    }

    private CategoryChart chart(String title, String xTitle, String yTitle, int categories) {
        CategoryChart chart = new CategoryChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title(title.replace("`", ""))
                .xAxisTitle(xTitle)
                .yAxisTitle(yTitle)
                .build();
        CategoryStyler styler = chart.getStyler();
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotBorderVisible(false);
        styler.setPlotGridVerticalLinesVisible(false);
        styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
        styler.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        styler.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        styler.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        styler.setLegendPosition(LegendPosition.OutsideS);
        styler.setLegendLayout(LegendLayout.Horizontal);
        styler.setLegendBorderColor(Color.WHITE);
        styler.setAvailableSpaceFill(categories > 3 ? 0.75 : 0.6);
        styler.setXAxisTitleVisible(!xTitle.isEmpty());
        styler.setYAxisDecimalPattern("#,##0.###");
        return chart;
    }

    private static void addSeries(CategoryChart chart, List<String> names, List<String> x, List<List<Double>> ys) {
        CategoryStyler styler = chart.getStyler();
        List<Double> all = ys.stream().flatMap(List::stream).toList();
        double max = all.stream()
                .filter(ChartRenderer::positive)
                .mapToDouble(d -> d)
                .max()
                .orElse(1);
        double min = all.stream()
                .filter(ChartRenderer::positive)
                .mapToDouble(d -> d)
                .min()
                .orElse(1);
        if (max / min > LOG_SCALE_SPREAD) {
            styler.setYAxisLogarithmic(true);
            chart.setYAxisTitle(chart.getYAxisTitle() + " (log scale)");
            bounds(chart, all);
        } else {
            styler.setYAxisMin(0.0);
        }
        Color[] colors = new Color[names.size()];
        int peer = 0;
        for (int i = 0; i < names.size(); i++) {
            colors[i] = names.get(i).equals(BenchmarkCatalog.SPINDLE) ? SPINDLE : PEERS[peer++ % PEERS.length];
        }
        styler.setSeriesColors(colors);
        for (int i = 0; i < names.size(); i++) {
            chart.addSeries(names.get(i), x, finiteOrZero(ys.get(i)));
        }
    }

    /** A logarithmic axis from the power of ten below the smallest value to the one above the largest. */
    private static void bounds(CategoryChart chart, List<Double> values) {
        CategoryStyler styler = chart.getStyler();
        double max = values.stream()
                .filter(ChartRenderer::positive)
                .mapToDouble(d -> d)
                .max()
                .orElse(10);
        double min = values.stream()
                .filter(ChartRenderer::positive)
                .mapToDouble(d -> d)
                .min()
                .orElse(1);
        styler.setYAxisMin(Math.pow(10, Math.floor(Math.log10(min))));
        styler.setYAxisMax(Math.pow(10, Math.ceil(Math.log10(max) + 1e-9)));
        // Decades as plain grouped digits (1,000 rather than 1E3), like the tables.
        styler.setYAxisDecimalPattern("#,##0.####");
    }

    private static boolean positive(Double d) {
        return d != null && !d.isNaN() && d > 0;
    }

    /** XChart cannot draw NaN; a missing value is drawn as no bar. */
    private static List<Double> finiteOrZero(List<Double> values) {
        return values.stream().map(v -> positive(v) ? v : 0.0).toList();
    }

    private static String axisUnit(String jmhUnit) {
        return switch (jmhUnit) {
            case "ops/us" -> "ops per µs";
            case "ops/ms" -> "ops per ms";
            case "ops/s" -> "ops per s";
            case "us/op" -> "µs per op";
            case "ns/op" -> "ns per op";
            case "ms/op" -> "ms per op";
            default -> jmhUnit.toLowerCase(Locale.ROOT);
        };
    }

    private Path save(CategoryChart chart, String file) throws IOException {
        Path out = directory.resolve(file);
        BitmapEncoder.saveBitmap(chart, out.toString(), BitmapFormat.PNG);
        return out;
    }
}
