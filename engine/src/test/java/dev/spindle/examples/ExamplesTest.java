package dev.spindle.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Runs every guide example and checks what it prints, so docs/guide.md can never go stale. */
class ExamplesTest {

    private static String run(Runnable main) {
        PrintStream saved = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            main.run();
        } finally {
            System.setOut(saved);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        saved.print(out);
        return out;
    }

    @Test
    void firstTasks() {
        assertThat(run(() -> FirstTasks.main(new String[0])))
                .isEqualTo("Hello Ada (req-42), visit #3 [lookup-name was SUCCEEDED]\n");
    }

    @Test
    void cancellationAndShield() {
        assertThat(run(() -> CancellationAndShield.main(new String[0])))
                .isEqualTo("worker: cleaning up after 'deploy'\n"
                        + "worker is CANCELLED\n"
                        + "save: saved, request cancelled: true\n"
                        + "timed out; the cause is CancelledException\n"
                        + "waitFor: quick\n");
    }

    @Test
    void groupsAndOffload() {
        assertThat(run(() -> GroupsAndOffload.main(new String[0])))
                .isEqualTo("group failed: backend down; cancelling() is back to 0\n" + "HOME+ABOUT checksum>0=true\n");
    }

    @Test
    void backpressure() {
        assertThat(run(() -> Backpressure.main(new String[0])))
                .isEqualTo("most requests at once: 2, permits back: 2\n"
                        + "worker did [a, b, c, d, e]\n"
                        + "consumer on spindle-loop-1 summed 5050\n");
    }

    @Test
    void diagnostics() {
        String out = run(() -> Diagnostics.main(new String[0]));
        assertThat(out).startsWith("2 live tasks\n");
        assertThat(out)
                .containsPattern(
                        "handler\\s+SUSPENDED\\s+spindle-loop-0\\s+age\\s+[0-9.]+s  awaits fetch  awaits Promise");
        assertThat(out).contains("created at dev.spindle.examples.Diagnostics.main");
        assertThat(out).endsWith("done\n");
    }

    @Test
    void theGuideQuotesTheExamplesVerbatim() throws Exception {
        GuideSnippets.check();
    }
}
