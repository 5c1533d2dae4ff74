package dev.spindle.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkReportTest {
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G'};

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    @Test
    void speedUpsAgainstEachPeerAreSpindleOverPeerThroughput() throws Exception {
        Suite suite = new Suite(JmhResult.read(fixture("jmh-fixture.json")));
        List<Check> checks = TargetEvaluator.evaluate(suite, null, BenchmarkCatalog.targets());

        assertThat(check(checks, "CrossThreadSubmitBench", "netty").measured()).isCloseTo(4.0, within(1e-9));
        assertThat(check(checks, "CrossThreadSubmitBench", "netty").met()).isTrue();
        assertThat(check(checks, "CrossThreadSubmitBench", "jdk").measured()).isCloseTo(4.0, within(1e-9));
        assertThat(check(checks, "CrossThreadSubmitBench", "jdk").met()).isFalse();
        assertThat(check(checks, "CrossThreadSubmitBench", "agrona").measured()).isCloseTo(40.0 / 60.0, within(1e-9));
        assertThat(check(checks, "CrossThreadSubmitBench", "agrona").verdict()).isEqualTo("**missed**");
    }

    @Test
    void repeatedRunsGiveTheMedianRunOfEachCase() throws Exception {
        List<JmhResult> once = JmhResult.read(fixture("jmh-fixture.json"));
        List<JmhResult> threeRuns = new java.util.ArrayList<>();
        for (double factor : new double[] {1.0, 3.0, 0.5}) {
            for (JmhResult r : once) {
                threeRuns.add(new JmhResult(
                        r.benchmark(),
                        r.method(),
                        r.mode(),
                        r.params(),
                        r.score() * factor,
                        r.error(),
                        r.unit(),
                        r.percentiles(),
                        r.allocBytesPerOp(),
                        r.settings()));
            }
        }
        Suite single = new Suite(once);
        Suite median = new Suite(threeRuns);

        assertThat(median.rows()).hasSameSizeAs(single.rows());
        for (int i = 0; i < single.rows().size(); i++) {
            assertThat(median.rows().get(i).score())
                    .as("the median of x1, x3 and x0.5 is the x1 run")
                    .isEqualTo(single.rows().get(i).score());
        }
        Suite twoRuns = new Suite(threeRuns.subList(once.size(), threeRuns.size()));
        assertThat(twoRuns.rows().getFirst().score())
                .as("of two runs, the lower")
                .isEqualTo(once.getFirst().score() * 0.5);
    }

    @Test
    void zeroAllocationTargetReadsGcAllocRateNorm() throws Exception {
        Suite suite = new Suite(JmhResult.read(fixture("jmh-fixture.json")));
        List<Check> checks = TargetEvaluator.evaluate(suite, null, BenchmarkCatalog.targets());

        Check bytes = check(checks, "LoopExecuteBench", null);
        assertThat(bytes.caseLabel()).isEqualTo("burst");
        assertThat(bytes.measured()).isCloseTo(0.003, within(1e-12));
        assertThat(bytes.met()).isTrue();
    }

    @Test
    void latencySpeedUpIsThePeersTimeOverSpindles() throws Exception {
        Suite suite = new Suite(JmhResult.read(fixture("jmh-fixture.json")));
        JmhResult spindle = suite.rows("BurstLatencyBench").getFirst();
        JmhResult netty = suite.sameCase(spindle, "netty").orElseThrow();

        assertThat(spindle.higherIsBetter()).isFalse();
        assertThat(suite.speedup(spindle, netty)).isCloseTo(4.0, within(1e-9));
        assertThat(spindle.percentile(99.9)).isCloseTo(25.0, within(1e-9));
        assertThat(suite.caseLabel(spindle)).isEqualTo("burst=1");
    }

    @Test
    void asyncioTargetsAreThePythonTimeOverSpindles() throws Exception {
        AsyncioComparison asyncio = AsyncioComparison.read(fixture("asyncio-fixture.json"));
        List<Check> checks = TargetEvaluator.evaluate(new Suite(List.of()), asyncio, BenchmarkCatalog.targets());

        List<Check> asyncioChecks = checks.stream()
                .filter(c -> c.target().benchmark().equals(Target.ASYNCIO))
                .toList();
        assertThat(asyncioChecks).extracting(Check::measured).containsExactly(12.0, 10.0, 70.0, 28.0);
        assertThat(asyncioChecks).extracting(Check::met).containsExactly(false, false, true, false);
        assertThat(asyncio.python()).isEqualTo("3.11.2");
    }

    @Test
    void benchmarkWithoutResultIsReportedNotDropped() throws Exception {
        Suite suite = new Suite(JmhResult.read(fixture("jmh-fixture.json")));
        List<Check> checks = TargetEvaluator.evaluate(suite, null, BenchmarkCatalog.targets());

        Check spawn = check(checks, "SpawnBench", "vthreads");
        assertThat(spawn.available()).isFalse();
        assertThat(spawn.verdict()).isEqualTo("no result");
    }

    @Test
    void generateWritesThePageAndEveryChart(@TempDir Path docs) throws Exception {
        BenchmarkReport.Output out = BenchmarkReport.generate(
                List.of(fixture("jmh-fixture.json")),
                fixture("asyncio-fixture.json"),
                fixture("meta-fixture.properties"),
                docs);

        String page = Files.readString(out.page());
        assertThat(out.page()).isEqualTo(docs.resolve("benchmarks.md"));
        assertThat(page)
                .contains("Quick run, low confidence")
                .contains("| `CrossThreadSubmitBench` | oneProducer | netty | ≥ 2× Netty | 4.00× | met |")
                .contains("| `CrossThreadSubmitBench` | oneProducer | agrona | ≥ 0.8× Agrona | 0.667× | **missed** |")
                .contains("| `LoopExecuteBench` | burst | – | 0 B/op (< 0.1 B/op measured) | 0.00 B/op | met |")
                .contains("| spawn | 500 | 6,000 | 5,000 | 12.0× | 10.0× |")
                .contains("abc1234")
                .contains("![Spindle's speed-up over its peers](images/headline.png)")
                .contains("![Cross-thread submit chart](images/cross-thread-submit.png)")
                .contains("(images/burst-latency-burst-1.png)");
        assertThat(out.charts())
                .extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder(
                        "cross-thread-submit.png",
                        "loop-execute.png",
                        "burst-latency-burst-1.png",
                        "asyncio.png",
                        "headline.png");
        for (Path chart : out.charts()) {
            assertThat(chart).startsWith(docs.resolve("images"));
            assertThat(Files.readAllBytes(chart)).startsWith(PNG_MAGIC);
        }
        assertThat(out.missing()).contains("SpawnBench").doesNotContain("CrossThreadSubmitBench");
    }

    @Test
    void generateRemovesChartsItNoLongerWritesAndNothingElse(@TempDir Path docs) throws Exception {
        Path images = Files.createDirectories(docs.resolve("images"));
        Path staleCase = Files.write(images.resolve("burst-latency-burst-1000.png"), PNG_MAGIC);
        Path staleBenchmark = Files.write(images.resolve("spawn.png"), PNG_MAGIC);
        Path foreign = Files.write(images.resolve("architecture.png"), PNG_MAGIC);
        Path notAChart = Files.writeString(images.resolve("spawn-notes.txt"), "kept");

        BenchmarkReport.Output out = BenchmarkReport.generate(
                List.of(fixture("jmh-fixture.json")),
                fixture("asyncio-fixture.json"),
                fixture("meta-fixture.properties"),
                docs);

        assertThat(out.removed()).containsExactlyInAnyOrder(staleCase, staleBenchmark);
        assertThat(staleCase).doesNotExist();
        assertThat(staleBenchmark).doesNotExist();
        assertThat(foreign).exists();
        assertThat(notAChart).exists();
        for (Path chart : out.charts()) {
            assertThat(chart).exists();
        }
    }

    @Test
    void slugTurnsClassNamesIntoFileNames() {
        assertThat(BenchmarkReport.slug("CrossThreadSubmitBench")).isEqualTo("cross-thread-submit");
        assertThat(BenchmarkReport.slug("burst=10")).isEqualTo("burst-10");
    }

    private static Check check(List<Check> checks, String benchmark, String peer) {
        return checks.stream()
                .filter(c -> c.target().benchmark().equals(benchmark)
                        && (peer == null
                                ? c.target().peer() == null
                                : peer.equals(c.target().peer())))
                .findFirst()
                .orElseThrow();
    }

    private static Path fixture(String name) throws IOException, URISyntaxException {
        var url = BenchmarkReportTest.class.getResource(name);
        if (url == null) {
            throw new IOException("missing test resource " + name);
        }
        try (InputStream ignored = url.openStream()) {
            return Path.of(url.toURI());
        }
    }
}
