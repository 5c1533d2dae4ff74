package dev.spindle.collections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Runs random sequences of schedule, cancel (live and stale stamps), poll (with limits, handlers that
 * reschedule, cancel, schedule or throw) and nextDeadline against a reference model built on {@link
 * PriorityQueue} ordered by (deadline, sequence). Every delivery is checked in lockstep, inside the
 * handler, against the model's next due entry.
 */
class TimerWheelPropertyTest {
    private static final int TIMERS = 12;

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

    record Config(long tickNanos, int ticksPerWheel, StartKind start, boolean checkEveryOp) {}

    sealed interface Op {}

    record Schedule(int timer, DelayKind kind, int random) implements Op {}

    /** {@code stampAge} -1 cancels without a stamp, 0 with the latest stamp, n with the n-th older one. */
    record Cancel(int timer, int stampAge) implements Op {}

    /** A {@code handlerSeed} of 0 makes a quiet handler; any other drives its random side effects. */
    record Advance(AdvanceKind kind, int random, int limit, long handlerSeed) implements Op {}

    record Check() implements Op {}

    @Property(tries = 1500)
    void wheelDeliversExactlyWhatThePriorityQueueModelPops(
            @ForAll("configs") Config config, @ForAll("operations") List<Op> operations) {
        new Run(config).execute(operations);
    }

    @Provide
    Arbitrary<Config> configs() {
        return Combinators.combine(
                        Arbitraries.of(1L, 2L, 5L, 10L),
                        Arbitraries.of(1, 2, 4, 8, 16),
                        Arbitraries.of(StartKind.class),
                        Arbitraries.of(true, false))
                .as(Config::new);
    }

    @Provide
    Arbitrary<List<Op>> operations() {
        Arbitrary<Integer> timer = Arbitraries.integers().between(0, TIMERS - 1);
        Arbitrary<Integer> random = Arbitraries.integers().between(0, Integer.MAX_VALUE);
        Arbitrary<Op> schedule = Combinators.combine(timer, Arbitraries.of(DelayKind.class), random)
                .as(Schedule::new);
        Arbitrary<Op> cancel = Combinators.combine(timer, Arbitraries.integers().between(-1, 3))
                .as(Cancel::new);
        Arbitrary<Integer> limit = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(Integer.MAX_VALUE)),
                Tuple.of(1, Arbitraries.integers().between(0, 3)));
        Arbitrary<Op> advance = Combinators.combine(
                        Arbitraries.of(AdvanceKind.class), random, limit, Arbitraries.longs())
                .as(Advance::new);
        Arbitrary<Op> check = Arbitraries.just(new Check());
        return Arbitraries.frequencyOf(
                        Tuple.of(6, schedule),
                        Tuple.of(2, cancel),
                        Tuple.of(3, advance),
                        Tuple.of(1, check))
                .list()
                .ofMinSize(1)
                .ofMaxSize(150);
    }

    private static long saturatedAdd(long a, long b) {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException overflow) {
            return b < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** One live scheduling in the model. */
    record Entry(int timer, long deadline, long seq, long stamp) {}

    private static final class Run {
        private final long tick;
        private final long turn;
        private final boolean checkEveryOp;
        private final TimerWheel<TestTimer> wheel;
        private final TestTimer[] timers = new TestTimer[TIMERS];
        private final List<List<Long>> stamps = new ArrayList<>();

        private final PriorityQueue<Entry> queue = new PriorityQueue<>(
                Comparator.comparingLong(Entry::deadline).thenComparingLong(Entry::seq));
        private final Entry[] live = new Entry[TIMERS];
        private long seq;
        private long now;

        Run(Config config) {
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
            for (int i = 0; i < TIMERS; i++) {
                timers[i] = new TestTimer(Integer.toString(i));
                stamps.add(new ArrayList<>());
            }
        }

        void execute(List<Op> operations) {
            for (Op op : operations) {
                switch (op) {
                    case Schedule s -> schedule(s.timer(), delay(s.kind(), s.random()));
                    case Cancel c -> cancel(c.timer(), c.stampAge());
                    case Advance a -> advance(a);
                    case Check c -> assertThat(wheel.nextDeadline()).isEqualTo(modelNextDeadline());
                }
                assertThat(wheel.size()).isEqualTo(queue.size() + dueLeft());
                if (checkEveryOp) {
                    assertThat(wheel.nextDeadline()).isEqualTo(modelNextDeadline());
                }
            }
            // Every timer, clamped ones included, is delivered by the end of time.
            poll(Long.MAX_VALUE, Integer.MAX_VALUE, 0);
            assertThat(wheel.isEmpty()).isTrue();
            assertThat(wheel.nextDeadline()).isEqualTo(Long.MAX_VALUE);
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
                assertThatThrownBy(() -> wheel.scheduleAfter(timer, delay, now))
                        .isInstanceOf(IllegalStateException.class);
                return;
            }
            long stamp = wheel.scheduleAfter(timer, delay, now);
            assertThat(stamp).isNotZero().isNotIn(stamps.get(index));
            stamps.get(index).add(stamp);
            Entry entry = new Entry(index, saturatedAdd(now, delay), seq++, stamp);
            assertThat(timer.deadline()).isEqualTo(entry.deadline());
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
            assertThat(actual).isEqualTo(expected);
            if (expected) {
                live[index] = null;
                queue.remove(entry);
            }
            assertThat(timers[index].isScheduled()).isEqualTo(live[index] != null);
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
            RuntimeException failure = new RuntimeException("handler failure");
            int returned;
            boolean threw = false;
            try {
                returned = wheel.poll(now, timer -> {
                    Entry expected = nextLiveDue();
                    assertThat(expected).as("delivered %s but nothing is due", timer).isNotNull();
                    assertThat(timer.name).isEqualTo(Integer.toString(expected.timer()));
                    assertThat(timer.isScheduled()).isFalse();
                    assertThat(timer.deadline()).isLessThanOrEqualTo(now);
                    live[expected.timer()] = null;
                    dueCursor++;
                    if (delivered[0]++ == throwAt) {
                        throw failure;
                    }
                    if (handlerSeed != 0) {
                        actInHandler(random);
                    }
                });
            } catch (RuntimeException thrown) {
                assertThat(thrown).isSameAs(failure);
                threw = true;
                returned = delivered[0];
            }
            assertThat(returned).isEqualTo(delivered[0]);
            assertThat(returned).isLessThanOrEqualTo(limit);
            if (returned < limit && !threw) {
                assertThat(nextLiveDue()).as("a due timer was left undelivered").isNull();
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
            int index = random.nextInt(TIMERS);
            DelayKind kind = DelayKind.values()[random.nextInt(DelayKind.values().length)];
            int value = random.nextInt(Integer.MAX_VALUE);
            switch (action) {
                case 0, 1 -> schedule(index, delay(kind, value));
                case 2 -> {
                    Entry entry = live[index];
                    boolean expected = entry != null;
                    assertThat(wheel.cancel(timers[index])).isEqualTo(expected);
                    if (expected) {
                        live[index] = null;
                        queue.remove(entry);
                    }
                }
                case 3 -> assertThat(wheel.nextDeadline()).isEqualTo(modelNextDeadline());
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
