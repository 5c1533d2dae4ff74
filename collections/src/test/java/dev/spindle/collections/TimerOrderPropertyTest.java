package dev.spindle.collections;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Checks {@link TimerOrder#sort}, {@link TimerOrder#merge} and the run stack ({@link TimerOrder#push},
 * {@link TimerOrder#collapse}) against {@link List#sort} by deadline, which is stable, so ties must keep
 * their order in the input (the wheel relies on it for insertion order), on {@value #SCENARIOS} chains
 * per test, each generated from one fixed seed by {@link SplittableRandom}. Deadlines are in [-5, 5],
 * one chain in four in [-1, 1], so ties are common. A failure names the seed and the deadlines; {@code
 * -Dspindle.seed=<seed>} runs that seed alone.
 */
class TimerOrderPropertyTest {
    private static final int SCENARIOS = 300;
    private static final int MAX_SORT_SIZE = 70;
    private static final int MAX_MERGE_SIZE = 40;

    private static final int MAX_RUNS = 12;

    private static final Comparator<TimerNode> ORDER = Comparator.comparingLong(TimerNode::deadline);

    private static List<Integer> deadlines(SplittableRandom random, int size) {
        int bound = random.nextInt(4) == 0 ? 1 : 5;
        List<Integer> deadlines = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            deadlines.add(random.nextInt(-bound, bound + 1));
        }
        return deadlines;
    }

    /** A size in [1, max], one in six an edge: 1 or max. */
    private static int mergeSize(SplittableRandom random, int max) {
        if (random.nextInt(6) == 0) {
            return random.nextBoolean() ? 1 : max;
        }
        return 1 + random.nextInt(max);
    }

    private static List<TimerNode> nodes(List<Integer> deadlines) {
        List<TimerNode> nodes = new ArrayList<>();
        for (int i = 0; i < deadlines.size(); i++) {
            TestTimer node = new TestTimer("n" + i);
            node.deadline = deadlines.get(i);
            nodes.add(node);
        }
        return nodes;
    }

    private static TimerNode chain(List<TimerNode> nodes) {
        for (int i = 0; i < nodes.size(); i++) {
            nodes.get(i).next = i + 1 < nodes.size() ? nodes.get(i + 1) : null;
        }
        return nodes.isEmpty() ? null : nodes.get(0);
    }

    private static List<TimerNode> walk(TimerNode head) {
        List<TimerNode> out = new ArrayList<>();
        for (TimerNode node = head; node != null; node = node.next) {
            out.add(node);
        }
        return out;
    }

    /** Seeds 0 to {@value #MAX_SORT_SIZE} sort every size from empty to the largest, once each. */
    @Test
    void sortOrdersAnyChainByDeadlineThenSequence() {
        SeededScenarios.runAll(SeededScenarios.seeds(0, SCENARIOS, 1), this::sortScenario);
    }

    private void sortScenario(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int size = seed >= 0 && seed <= MAX_SORT_SIZE ? (int) seed : random.nextInt(MAX_SORT_SIZE + 1);
        List<Integer> deadlines = deadlines(random, size);
        List<TimerNode> nodes = nodes(deadlines);
        List<TimerNode> expected = new ArrayList<>(nodes);
        expected.sort(ORDER);
        assertThat(walk(TimerOrder.sort(chain(nodes))))
                .as("seed %d, deadlines %s", seed, deadlines)
                .containsExactlyElementsOf(expected);
    }

    /** Sorted runs pushed oldest first and collapsed come out as one stable sort of their concatenation. */
    @Test
    void runStackMergesSortedRunsIntoOneStableOrder() {
        SeededScenarios.runAll(SeededScenarios.seeds(0, SCENARIOS, 1), this::runStackScenario);
    }

    private void runStackScenario(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int runCount = 1 + (int) (seed % MAX_RUNS);
        List<List<Integer>> runDeadlines = new ArrayList<>();
        List<Integer> all = new ArrayList<>();
        for (int r = 0; r < runCount; r++) {
            List<Integer> run = deadlines(random, mergeSize(random, MAX_MERGE_SIZE / 2));
            runDeadlines.add(run);
            all.addAll(run);
        }
        List<TimerNode> nodes = nodes(all);
        List<TimerNode> expected = new ArrayList<>(nodes);
        expected.sort(ORDER);
        TimerNode top = null;
        int from = 0;
        for (int r = 0; r < runCount; r++) {
            List<TimerNode> run = new ArrayList<>(
                    nodes.subList(from, from + runDeadlines.get(r).size()));
            from += run.size();
            run.sort(ORDER);
            top = TimerOrder.push(top, r, chain(run));
        }
        assertThat(walk(TimerOrder.collapse(top)))
                .as("seed %d, runs %s", seed, runDeadlines)
                .containsExactlyElementsOf(expected);
    }

    @Test
    void mergeInterleavesTwoSortedChains() {
        SeededScenarios.runAll(SeededScenarios.seeds(0, SCENARIOS, 1), this::mergeScenario);
    }

    private void mergeScenario(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Integer> left = deadlines(random, mergeSize(random, MAX_MERGE_SIZE));
        List<Integer> right = deadlines(random, mergeSize(random, MAX_MERGE_SIZE));
        List<Integer> all = new ArrayList<>(left);
        all.addAll(right);
        List<TimerNode> nodes = nodes(all);
        List<TimerNode> a = new ArrayList<>(nodes.subList(0, left.size()));
        List<TimerNode> b = new ArrayList<>(nodes.subList(left.size(), nodes.size()));
        a.sort(ORDER);
        b.sort(ORDER);
        List<TimerNode> expected = new ArrayList<>(nodes);
        expected.sort(ORDER);
        assertThat(walk(TimerOrder.merge(chain(a), chain(b))))
                .as("seed %d, left %s, right %s", seed, left, right)
                .containsExactlyElementsOf(expected);
    }
}
