package dev.spindle.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** SIGINT and SIGTERM delivered by the kernel to a child JVM running Engine.run (A16.2). */
class SignalTest {

    private static Process start(String mode) throws IOException {
        return ChildJvm.start(List.of("--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED"), SignalProbe.class, mode);
    }

    private static void signal(Process p, String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).start();
        assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    /** Reads lines until one equals {@code expected}; returns everything read. */
    private static List<String> readUntil(BufferedReader out, String expectedPrefix) throws IOException {
        List<String> lines = new ArrayList<>();
        String line;
        while ((line = out.readLine()) != null) {
            lines.add(line);
            if (line.startsWith(expectedPrefix)) {
                return lines;
            }
        }
        throw new AssertionError("the child ended before printing '" + expectedPrefix + "': " + lines);
    }

    @Test
    void theFirstSigintCancelsTheMainTask() throws Exception {
        Process p = start("polite");
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            readUntil(out, "ready");
            signal(p, "INT");
            assertThat(readUntil(out, "interrupted"))
                    .containsSubsequence("main cancelled by SIGINT", "interrupted: INT");
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(130);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aSecondSignalForcesShutdownWhenTheMainTaskIgnoresTheFirst() throws Exception {
        Process p = start("stubborn");
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            readUntil(out, "ready");
            signal(p, "TERM");
            readUntil(out, "ignoring SIGTERM");
            signal(p, "INT");
            assertThat(readUntil(out, "interrupted")).last().isEqualTo("interrupted: TERM");
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(130);
        } finally {
            p.destroyForcibly();
        }
    }
}
