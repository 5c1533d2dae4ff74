package dev.spindle.collections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs random sequences of schedule, cancel (live and stale stamps), poll (with limits, handlers that
 * reschedule, cancel, schedule or throw) and nextDeadline against a reference model built on {@link
 * PriorityQueue} ordered by (deadline, sequence). Every delivery is checked in lockstep, inside the
 * handler, against the model's next due entry.
 *
 * <p>Each scenario is generated from one fixed seed by {@link SplittableRandom}, so every run checks the
 * same {@value #SCENARIOS} scenarios, seeds 0 to 4999. The seed picks the wheel shape ({@code seed %
 * 200}: every combination of tick, wheel size, start time and per-operation {@code nextDeadline} check,
 * 25 seeds each) and the random operations. A failure names the seed and the index of the failing
 * operation; {@code -Dspindle.seed=<seed>} runs that scenario alone.
 *
 * <p>Those scenarios use 12 timers on ticks of 1 to 10 ns. {@value #BULK_SCENARIOS} more, seeds from
 * {@value #BULK_FIRST_SEED} on, use {@link Load#BULK}: hundreds of timers, few polls, and ticks of
 * 1,000 ns to 2<sup>20</sup> ns, so that a tick holds many timers of distinct deadlines and the wheel
 * sorts them for real.
 */
class TimerWheelPropertyTest {
    /**
     * The size of a scenario: how many timers it cycles through, the most operations it runs, and the
     * weights of schedule, cancel, advance (poll) and check among its operations.
     */
    record Load(int timers, int maxOperations, int schedule, int cancel, int advance, int check) {
        static final Load SMALL = new Load(12, 150, 6, 2, 3, 1);
        static final Load BULK = new Load(400, 3_000, 36, 8, 1, 1);
    }

    enum DelayKind {
        ZERO,
        NEGATIVE,
        FAR_PAST,
        WITHIN_FEW_TICKS,
        WITHIN_TURN,
        MANY_TURNS,
        OVERFLOWING
    }

    enum AdvanceKind {
        NONE,
        WITHIN_TICK,
        WITHIN_TURN,
        BEYOND_TURN,
        FAR
    }

    enum StartKind {
        ZERO,
        NEGATIVE,
        POSITIVE,
        NEAR_MAX,
        NEAR_MIN
    }

    record Config(long tickNanos, int ticksPerWheel, StartKind start, boolean checkEveryOp, Load load) {}

    sealed interface Op {}

    record Schedule(int timer, DelayKind kind, int random) implements Op {}

    /** {@code stampAge} -1 cancels without a stamp, 0 with the latest stamp, n with the n-th older one. */
    record Cancel(int timer, int stampAge) implements Op {}

    /** A {@code handlerSeed} of 0 makes a quiet handler; any other drives its random side effects. */
    record Advance(AdvanceKind kind, int random, int limit, long handlerSeed) implements Op {}

    record Check() implements Op {}

    private static final int SCENARIOS = 5000;
    private static final int BULK_FIRST_SEED = 1_000_000;
    private static final int BULK_SCENARIOS = 96;

    /** Every wheel shape; scenario {@code seed} runs on shape {@code seed % CONFIGS.size()}. */
    private static final List<Config> CONFIGS = configs();

    private static List<Config> configs() {
        List<Config> configs = new ArrayList<>();
        for (long tick : new long[] {1, 2, 5, 10}) {
            for (int buckets : new int[] {1, 2, 4, 8, 16}) {
                for (StartKind start : StartKind.values()) {
                    configs.add(new Config(tick, buckets, start, true, Load.SMALL));
                    configs.add(new Config(tick, buckets, start, false, Load.SMALL));
                }
            }
        }
        return List.copyOf(configs);
    }

    /** Wide ticks (a power of two among them, so a tick fills all the wheel's sorting slots) for {@link Load#BULK}. */
    private static final List<Config> BULK_CONFIGS = bulkConfigs();

    private static List<Config> bulkConfigs() {
        List<Config> configs = new ArrayList<>();
        for (long tick : new long[] {1_000, 1_024, 999_983, 1 << 20}) {
            for (int buckets : new int[] {4, 64}) {
                for (StartKind start : new StartKind[] {StartKind.ZERO, StartKind.NEGATIVE, StartKind.NEAR_MAX}) {
                    configs.add(new Config(tick, buckets, start, false, Load.BULK));
                }
            }
        }
        return List.copyOf(configs);
    }

    private static boolean isBulk(long seed) {
        return seed >= BULK_FIRST_SEED;
    }

    private static int shapeOf(long seed) {
        return (int) Math.floorMod(seed, CONFIGS.size());
    }

    /** Every shape index with its config; only the replayed seed's shape under {@code -Dspindle.seed}. */
    static Stream<Arguments> shapes() {
        Long replay = SeededScenarios.replaySeed();
        IntStream shapes = replay != null ? IntStream.of(shapeOf(replay)) : IntStream.range(0, CONFIGS.size());
        return shapes.mapToObj(shape -> Arguments.of(shape, CONFIGS.get(shape)));
    }

    /**
     * Runs the 25 seeds of one shape ({@code shape}, {@code shape + 200}, ... below {@value #SCENARIOS}),
     * one scenario each; a failure lists the failing seeds and details the first.
     */
    @ParameterizedTest(name = "shape {0}: {1}")
    @MethodSource("shapes")
    void wheelDeliversExactlyWhatThePriorityQueueModelPops(int shape, Config config) {
        Long replay = SeededScenarios.replaySeed();
        assumeTrue(replay == null || !isBulk(replay), "replaying a bulk seed");
        SeededScenarios.runAll(
                SeededScenarios.seeds(shape, SCENARIOS, CONFIGS.size()),
                seed -> new Run(seed, config).execute(operations(new SplittableRandom(seed), config.load())));
    }

    /**
     * Runs the {@value #BULK_SCENARIOS} bulk seeds, seed {@code s} on bulk shape {@code s %
     * BULK_CONFIGS.size()}; a failure lists the failing seeds and details the first.
     */
    @Test
    void manyTimersOnWideTicksDeliverExactlyWhatThePriorityQueueModelPops() {
        Long replay = SeededScenarios.replaySeed();
        assumeTrue(replay == null || isBulk(replay), "replaying a seed that is not a bulk one");
        SeededScenarios.runAll(SeededScenarios.seeds(BULK_FIRST_SEED, BULK_FIRST_SEED + BULK_SCENARIOS, 1), seed -> {
            Config config = BULK_CONFIGS.get((int) Math.floorMod(seed, BULK_CONFIGS.size()));
            new Run(seed, config).execute(operations(new SplittableRandom(seed), config.load()));
        });
    }

    /**
     * Between 1 and {@code load.maxOperations()} operations, one in ten runs short and one in ten long;
     * schedule, cancel, advance and check in the proportions of {@code load} (6 : 2 : 3 : 1 for {@link
     * Load#SMALL}).
     */
    static List<Op> operations(SplittableRandom random, Load load) {
        int count = switch (random.nextInt(10)) {
            case 0 -> 1 + random.nextInt(12);
            case 1 -> load.maxOperations();
            default -> 1 + random.nextInt(load.maxOperations());
        };
        int timers = load.timers();
        int scheduleUpTo = load.schedule();
        int cancelUpTo = scheduleUpTo + load.cancel();
        int advanceUpTo = cancelUpTo + load.advance();
        List<Op> operations = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int pick = random.nextInt(advanceUpTo + load.check());
            Op op;
            if (pick < scheduleUpTo) {
                op = new Schedule(random.nextInt(timers), pickOf(random, DelayKind.values()), randomInt(random));
            } else if (pick < cancelUpTo) {
                op = new Cancel(random.nextInt(timers), random.nextInt(-1, 4));
            } else if (pick < advanceUpTo) {
                int limit = random.nextInt(5) == 0 ? random.nextInt(4) : Integer.MAX_VALUE;
                long handlerSeed = random.nextInt(4) == 0 ? 0 : random.nextLong();
                op = new Advance(pickOf(random, AdvanceKind.values()), randomInt(random), limit, handlerSeed);
            } else {
                op = new Check();
            }
            operations.add(op);
        }
        return operations;
    }

    private static <E> E pickOf(SplittableRandom random, E[] values) {
        return values[random.nextInt(values.length)];
    }

    /** A value in [0, Integer.MAX_VALUE], one in eight an edge value. */
    private static int randomInt(SplittableRandom random) {
        if (random.nextInt(8) == 0) {
            int[] edges = {0, 1, 2, Integer.MAX_VALUE - 1, Integer.MAX_VALUE};
            return edges[random.nextInt(edges.length)];
        }
        return random.nextInt() & Integer.MAX_VALUE;
    }

    private static long saturatedAdd(long a, long b) {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException overflow) {
            return b < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** Thrown by a handler on purpose; no stack trace, so throwing is cheap. */
    private static final class HandlerFailure extends RuntimeException {
        HandlerFailure() {
            super("handler failure", null, false, false);
        }
    }

    /** One live scheduling in the model. */
    record Entry(int timer, long deadline, long seq, long stamp) {}

    private static final class Run {
        private final long seed;
        private final Config config;
        private final long tick;
        private final long turn;
        private final boolean checkEveryOp;
        private final TimerWheel<TestTimer> wheel;
        private final TestTimer[] timers;
        private final List<List<Long>> stamps = new ArrayList<>();

        private final PriorityQueue<Entry> queue =
                new PriorityQueue<>(Comparator.comparingLong(Entry::deadline).thenComparingLong(Entry::seq));
        private final Entry[] live;
        private long seq;
        private long now;

        Run(long seed, Config config) {
            this.seed = seed;
            this.config = config;
            tick = config.tickNanos();
            turn = tick * config.ticksPerWheel();
            checkEveryOp = config.checkEveryOp();
            now = switch (config.start()) {
                case ZERO -> 0;
                case NEGATIVE -> -7_654_321_987L;
                case POSITIVE -> 123_456_789_012L;
                case NEAR_MAX -> Long.MAX_VALUE - 20 * turn;
                case NEAR_MIN -> Long.MIN_VALUE + 3;
            };
            wheel = new TimerWheel<>(tick, config.ticksPerWheel(), now);
            timers = new TestTimer[config.load().timers()];
            live = new Entry[timers.length];
            for (int i = 0; i < timers.length; i++) {
                timers[i] = new TestTimer(Integer.toString(i));
                stamps.add(new ArrayList<>());
            }
        }

        void execute(List<Op> operations) {
            for (int i = 0; i < operations.size(); i++) {
                Op op = operations.get(i);
                try {
                    switch (op) {
                        case Schedule s -> schedule(s.timer(), delay(s.kind(), s.random()));
                        case Cancel c -> cancel(c.timer(), c.stampAge());
                        case Advance a -> advance(a);
                        case Check c -> assertEquals(modelNextDeadline(), wheel.nextDeadline(), "nextDeadline");
                    }
                    assertEquals(queue.size() + dueLeft(), wheel.size(), "size");
                    if (checkEveryOp) {
                        assertEquals(modelNextDeadline(), wheel.nextDeadline(), "nextDeadline");
                    }
                } catch (RuntimeException | AssertionError failure) {
                    throw replayable(i + " of " + operations.size() + " (" + op + ")", failure);
                }
            }
            try {
                // Every timer, clamped ones included, is delivered by the end of time.
                poll(Long.MAX_VALUE, Integer.MAX_VALUE, 0);
                assertTrue(wheel.isEmpty(), "empty at the end of time");
                assertEquals(Long.MAX_VALUE, wheel.nextDeadline(), "nextDeadline when empty");
            } catch (RuntimeException | AssertionError failure) {
                throw replayable(operations.size() + " (final poll at Long.MAX_VALUE)", failure);
            }
        }

        private AssertionError replayable(String operation, Throwable failure) {
            return new AssertionError(
                    "seed " + seed + ", operation " + operation + ", " + config + ", now " + now + ": " + failure,
                    failure);
        }

        private long delay(DelayKind kind, int random) {
            return switch (kind) {
                case ZERO -> 0;
                case NEGATIVE -> -1 - random % (2 * turn);
                case FAR_PAST -> Long.MIN_VALUE + random;
                case WITHIN_FEW_TICKS -> random % (3 * tick);
                case WITHIN_TURN -> random % (turn + 1);
                case MANY_TURNS -> random % (6 * turn + 1);
                case OVERFLOWING -> Long.MAX_VALUE - random % 3;
            };
        }

        private void schedule(int index, long delay) {
            TestTimer timer = timers[index];
            if (live[index] != null) {
                assertThrows(
                        IllegalStateException.class,
                        () -> wheel.scheduleAfter(timer, delay, now),
                        "scheduling a scheduled timer");
                return;
            }
            long stamp = wheel.scheduleAfter(timer, delay, now);
            assertNotEquals(0, stamp, "stamp");
            assertFalse(stamps.get(index).contains(stamp), () -> "stamp " + stamp + " reused");
            stamps.get(index).add(stamp);
            Entry entry = new Entry(index, saturatedAdd(now, delay), seq++, stamp);
            assertEquals(entry.deadline(), timer.deadline(), "deadline");
            live[index] = entry;
            queue.add(entry);
        }

        private void cancel(int index, int stampAge) {
            Entry entry = live[index];
            boolean expected;
            boolean actual;
            if (stampAge < 0) {
                expected = entry != null;
                actual = wheel.cancel(timers[index]);
            } else {
                List<Long> history = stamps.get(index);
                long stamp = stampAge < history.size() ? history.get(history.size() - 1 - stampAge) : 0;
                expected = entry != null && entry.stamp() == stamp;
                actual = wheel.cancel(timers[index], stamp);
            }
            assertEquals(expected, actual, "cancel result");
            if (expected) {
                live[index] = null;
                queue.remove(entry);
            }
            assertEquals(live[index] != null, timers[index].isScheduled(), "isScheduled after cancel");
        }

        private void advance(Advance advance) {
            long delta = switch (advance.kind()) {
                case NONE -> 0;
                case WITHIN_TICK -> advance.random() % tick;
                case WITHIN_TURN -> advance.random() % turn;
                case BEYOND_TURN -> turn + advance.random() % (3 * turn);
                case FAR -> advance.random() % (100 * turn);
            };
            poll(saturatedAdd(now, delta), advance.limit(), advance.handlerSeed());
        }

        /** Due entries of the poll in progress, in expiry order, and the next one to deliver. */
        private final List<Entry> due = new ArrayList<>();

        private int dueCursor;

        private int dueLeft() {
            int left = 0;
            for (int i = dueCursor; i < due.size(); i++) {
                Entry entry = due.get(i);
                if (live[entry.timer()] == entry) {
                    left++;
                }
            }
            return left;
        }

        private void poll(long pollNow, int limit, long handlerSeed) {
            now = pollNow;
            due.clear();
            dueCursor = 0;
            while (!queue.isEmpty() && queue.peek().deadline() <= now) {
                due.add(queue.poll());
            }
            SplittableRandom random = new SplittableRandom(handlerSeed);
            int throwAt = handlerSeed == 0 || random.nextInt(4) != 0 ? -1 : random.nextInt(4);
            int[] delivered = {0};
            HandlerFailure[] failure = {null};
            int returned;
            boolean threw = false;
            try {
                returned = wheel.poll(
                        now,
                        timer -> {
                            Entry expected = nextLiveDue();
                            assertNotNull(expected, () -> "delivered " + timer + " but nothing is due");
                            assertEquals(Integer.toString(expected.timer()), timer.name, "delivered timer");
                            assertFalse(timer.isScheduled(), "delivered timer still scheduled");
                            assertTrue(timer.deadline() <= now, () -> "delivered early: " + timer.deadline());
                            live[expected.timer()] = null;
                            dueCursor++;
                            if (delivered[0]++ == throwAt) {
                                throw failure[0] = new HandlerFailure();
                            }
                            if (handlerSeed != 0) {
                                actInHandler(random);
                            }
                        },
                        limit);
            } catch (RuntimeException thrown) {
                if (thrown != failure[0]) {
                    throw new AssertionError("unexpected exception out of poll: " + thrown, thrown);
                }
                threw = true;
                returned = delivered[0];
            }
            assertEquals(delivered[0], returned, "poll result");
            assertTrue(returned <= limit, "poll delivered beyond its limit");
            if (returned < limit && !threw) {
                assertNull(nextLiveDue(), "a due timer was left undelivered");
            }
            for (int i = dueCursor; i < due.size(); i++) {
                Entry entry = due.get(i);
                if (live[entry.timer()] == entry) {
                    queue.add(entry);
                }
            }
            due.clear();
            dueCursor = 0;
        }

        private Entry nextLiveDue() {
            while (dueCursor < due.size()) {
                Entry entry = due.get(dueCursor);
                if (live[entry.timer()] == entry) {
                    return entry;
                }
                dueCursor++;
            }
            return null;
        }

        /** Handler side effects; timers it schedules go to the model's queue, never to {@link #due}. */
        private void actInHandler(SplittableRandom random) {
            int action = random.nextInt(6);
            int index = random.nextInt(timers.length);
            DelayKind kind = DelayKind.values()[random.nextInt(DelayKind.values().length)];
            int value = random.nextInt(Integer.MAX_VALUE);
            switch (action) {
                case 0, 1 -> schedule(index, delay(kind, value));
                case 2 -> {
                    Entry entry = live[index];
                    boolean expected = entry != null;
                    assertEquals(expected, wheel.cancel(timers[index]), "cancel result in handler");
                    if (expected) {
                        live[index] = null;
                        queue.remove(entry);
                    }
                }
                case 3 -> assertEquals(modelNextDeadline(), wheel.nextDeadline(), "nextDeadline in handler");
                default -> {}
            }
        }

        private long modelNextDeadline() {
            long least = queue.isEmpty() ? Long.MAX_VALUE : queue.peek().deadline();
            for (int i = dueCursor; i < due.size(); i++) {
                Entry entry = due.get(i);
                if (live[entry.timer()] == entry) {
                    least = Math.min(least, entry.deadline());
                }
            }
            return least;
        }
    }
}
