package dev.spindle.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Scenario 3 (test_tb_logger_*): a failure nobody read is reported once its promise or task is
 * collected. The test waits for the collector and the cleaner with a bounded number of GC requests, and
 * uses the cleaner's run count to know the cleaner has looked at the dropped object.
 */
class UnretrievedFailureTest extends LoopTestSupport {

    /** Fails a promise, lets {@code reader} look at it, drops it, and waits until it was cleaned. */
    private void failAndDrop(Consumer<Promise<String>> reader) {
        long runsBefore = UnretrievedFailure.RUNS.get();
        WeakReference<Promise<String>> ref = failedPromise(reader);
        for (int i = 0; i < 200 && (ref.get() != null || UnretrievedFailure.RUNS.get() == runsBefore); i++) {
            System.gc();
            Thread.onSpinWait();
            if (ref.get() == null) {
                awaitRunsAbove(runsBefore);
            }
        }
        assertThat(ref.get()).as("the promise was collected").isNull();
        assertThat(UnretrievedFailure.RUNS.get()).as("the cleaner ran").isGreaterThan(runsBefore);
    }

    private static void awaitRunsAbove(long runs) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (UnretrievedFailure.RUNS.get() == runs && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    private WeakReference<Promise<String>> failedPromise(Consumer<Promise<String>> reader) {
        Promise<String> f = loop.newPromise();
        f.fail(new IllegalStateException("nobody reads me"));
        reader.accept(f);
        return new WeakReference<>(f);
    }

    @Test
    @DisplayName("3 test_tb_logger_exception_unretrieved")
    void unretrievedIsReported() {
        failAndDrop(f -> {});
        assertThat(reports).singleElement().satisfies(r -> {
            assertThat(r.message()).isEqualTo("Promise exception was never retrieved");
            assertThat(r.error()).hasMessage("nobody reads me");
        });
    }

    @Test
    @DisplayName("3 test_tb_logger_exception_retrieved")
    void retrievedIsNotReported() {
        failAndDrop(Promise::exception);
        assertThat(reports).isEmpty();
    }

    @Test
    @DisplayName("3 test_tb_logger_exception_result_retrieved")
    void resultRetrievedIsNotReported() {
        failAndDrop(f -> {
            try {
                f.result();
            } catch (IllegalStateException expected) {
                // read
            }
        });
        assertThat(reports).isEmpty();
    }

    @Test
    @DisplayName("3 test_tb_logger_not_called_after_cancel")
    void cancelAfterFailureDisarms() {
        failAndDrop(f -> assertThat(f.cancel()).isFalse());
        assertThat(reports).isEmpty();
    }

    @Test
    void aSuccessIsNeverReported() {
        long runsBefore = UnretrievedFailure.RUNS.get();
        Promise<String> ok = loop.newPromise();
        ok.complete("fine");
        assertThat(UnretrievedFailure.RUNS.get()).isEqualTo(runsBefore);
        assertThat(reports).isEmpty();
    }

    @Test
    void theReporterThreadStartsWithTheEngineNotOnALoop() throws Exception {
        String out = ChildJvm.output(UnretrievedReporterProbe.class);
        assertThat(out).contains("before the engine: false").contains("once built: true");
    }
}
