package dev.spindle.collections;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.stream.LongStream;

/**
 * Runs seeded random scenarios: each scenario is built from one fixed seed, so every run checks the
 * same cases, and {@code -Dspindle.seed=<seed>} replays a single one.
 */
final class SeededScenarios {
    private SeededScenarios() {}

    /** The seed given by {@code -Dspindle.seed} to replay one scenario, or null. */
    static Long replaySeed() {
        String replay = System.getProperty("spindle.seed");
        return replay == null || replay.isBlank() ? null : Long.parseLong(replay.trim());
    }

    /** {@code first}, {@code first + step}, ... below {@code end}; only the replay seed if one is set. */
    static long[] seeds(long first, long end, long step) {
        Long replay = replaySeed();
        if (replay != null) {
            return new long[] {replay};
        }
        return LongStream.iterate(first, seed -> seed < end, seed -> seed + step)
                .toArray();
    }

    /**
     * Runs {@code scenario} on every seed, then fails if any seed failed, listing the failing seeds and
     * carrying the first failure as the cause. Scenarios run in one test rather than one test each, which
     * keeps JUnit's per-test overhead off thousands of tiny scenarios.
     */
    static void runAll(long[] seeds, LongConsumer scenario) {
        List<Long> failedSeeds = new ArrayList<>();
        AssertionError first = null;
        for (long seed : seeds) {
            try {
                scenario.accept(seed);
            } catch (AssertionError failure) {
                failedSeeds.add(seed);
                if (first == null) {
                    first = failure;
                }
            }
        }
        if (first != null) {
            throw new AssertionError(
                    failedSeeds.size() + " of " + seeds.length + " seeds failed " + failedSeeds
                            + "; first, seed " + failedSeeds.get(0) + " (replay: -Dspindle.seed="
                            + failedSeeds.get(0) + "): " + first.getMessage(),
                    first);
        }
    }
}
