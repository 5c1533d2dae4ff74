package dev.spindle.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Structures a user can make arbitrarily deep (tasks awaiting tasks, on one loop or across loops, gathers
 * of gathers, task groups inside task groups) are cancelled and completed iteratively: at depth 100,000,
 * in a fresh JVM with a 256 KiB thread stack, every level reaches its terminal state and nothing reaches
 * the exception handlers. A recursive walk overflows the stack long before that depth.
 */
class DeepChainTest {
    private static final int DEPTH = 100_000;

    @Test
    void cancelAndCompletionReachEveryLevelOfDeepChainsWithASmallStack() throws Exception {
        Process probe = ChildJvm.start(
                List.of(
                        "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
                        "--enable-native-access=ALL-UNNAMED",
                        "-Xss256k",
                        "-Xmx4g"),
                DeepChainProbe.class,
                String.valueOf(DEPTH));
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(probe.waitFor(300, TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(probe.exitValue()).as(out).isZero();

        // A cancel of the outermost task from another thread reaches all 100,000 tasks.
        assertThat(out)
                .as("deep await chain cancelled from another thread")
                .contains("await-chain-cancel accepted=true levels=100000 cancelled=100000 succeeded=0 other=0"
                        + " reports=0");
        // Completing the innermost promise resumes every level in turn.
        assertThat(out)
                .contains("await-chain-complete value=7 levels=100000 cancelled=0 succeeded=100000 other=0 reports=0");
        assertThat(out)
                .contains("cross-loop-chain-cancel accepted=true levels=10000 cancelled=10000 succeeded=0 other=0"
                        + " reports=0");
        // Every nested gather ends with CancelledException, and the cancel reaches the innermost promise.
        assertThat(out)
                .contains("gather-nest-cancel accepted=true innermost=CANCELLED levels=100000 cancelled=100000"
                        + " reports=0");
        assertThat(out)
                .contains("group-nest-cancel accepted=true levels=10000 cancelled=10000 succeeded=0 other=0 reports=0");
        assertThat(out).contains("dump-lines=1");
    }
}
