package dev.spindle.collections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntToLongFunction;
import org.junit.jupiter.api.Test;

class TimerWheelTest {
    private static final long TICK = 10;
    private static final int BUCKETS = 8;
    private static final long TURN = TICK * BUCKETS;
    private static final long START = 1_000;

    private final TimerWheel<TestTimer> wheel = new TimerWheel<>(TICK, BUCKETS, START);
    private final List<TestTimer> fired = new ArrayList<>();

    private List<TestTimer> poll(long now) {
        fired.clear();
        int delivered = wheel.poll(now, fired::add);
        assertThat(delivered).isEqualTo(fired.size());
        return List.copyOf(fired);
    }

    private static TestTimer[] timers(int count) {
        TestTimer[] timers = new TestTimer[count];
        for (int i = 0; i < count; i++) {
            timers[i] = new TestTimer("t" + i);
        }
        return timers;
    }

    @Test
    void constructorRejectsNonPositiveTick() {
        assertThatThrownBy(() -> new TimerWheel<TestTimer>(0, 8, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tickNanos");
        assertThatThrownBy(() -> new TimerWheel<TestTimer>(-1, 8, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tickNanos");
    }

    @Test
    void constructorRejectsWheelSizeThatIsNotAPowerOfTwo() {
        for (int bad : new int[] {0, -1, -8, 3, 12, Integer.MIN_VALUE}) {
            assertThatThrownBy(() -> new TimerWheel<TestTimer>(1, bad, 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("ticksPerWheel");
        }
        TimerWheel<TestTimer> single = new TimerWheel<>(7, 1, -5);
        assertThat(single.ticksPerWheel()).isEqualTo(1);
        assertThat(single.tickNanos()).isEqualTo(7);
    }

    @Test
    void nullArgumentsAreRejectedByName() {
        assertThatThrownBy(() -> wheel.scheduleAt(null, 0))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("timer");
        assertThatThrownBy(() -> wheel.scheduleAfter(null, 0, 0))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("timer");
        assertThatThrownBy(() -> wheel.cancel(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("timer");
        assertThatThrownBy(() -> wheel.cancel(null, 1))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("timer");
        assertThatThrownBy(() -> wheel.poll(0, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("handler");
        assertThatThrownBy(() -> wheel.poll(0, null, 1))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("handler");
        assertThatThrownBy(() -> wheel.clear(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("handler");
    }

    @Test
    void negativeLimitIsRejected() {
        assertThatThrownBy(() -> wheel.poll(START, fired::add, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limit");
    }

    @Test
    void schedulingAScheduledTimerThrows() {
        TestTimer a = new TestTimer("a");
        wheel.scheduleAt(a, START + 5);
        assertThatThrownBy(() -> wheel.scheduleAt(a, START + 50)).isInstanceOf(IllegalStateException.class);
        TimerWheel<TestTimer> other = new TimerWheel<>(TICK, BUCKETS, START);
        assertThatThrownBy(() -> other.scheduleAfter(a, 1, START)).isInstanceOf(IllegalStateException.class);
        assertThat(a.deadline()).isEqualTo(START + 5);
        assertThat(wheel.size()).isEqualTo(1);
        assertThat(other.isEmpty()).isTrue();
        assertThat(other.cancel(a)).isFalse();
        assertThat(wheel.isEmpty()).isFalse();
    }

    @Test
    void stampsAreNonZeroAndNeverRepeatForOneNode() {
        TestTimer a = new TestTimer("a");
        TimerWheel<TestTimer> other = new TimerWheel<>(TICK, BUCKETS, START);
        long first = wheel.scheduleAt(a, START);
        wheel.cancel(a);
        long second = other.scheduleAt(a, START);
        other.cancel(a);
        long third = wheel.scheduleAt(a, START);
        assertThat(first).isNotZero();
        assertThat(List.of(first, second, third)).doesNotHaveDuplicates();
    }

    @Test
    void deadlineAndIsScheduledFollowTheLifecycle() {
        TestTimer a = new TestTimer("a");
        assertThat(a.isScheduled()).isFalse();
        wheel.scheduleAfter(a, 25, START);
        assertThat(a.isScheduled()).isTrue();
        assertThat(a.deadline()).isEqualTo(START + 25);
        List<Boolean> scheduledInHandler = new ArrayList<>();
        wheel.poll(START + 25, t -> scheduledInHandler.add(t.isScheduled()));
        assertThat(scheduledInHandler).containsExactly(false);
        assertThat(a.isScheduled()).isFalse();
        assertThat(a.deadline()).isEqualTo(START + 25);
    }

    @Test
    void tiesFireInInsertionOrder() {
        TestTimer[] t = timers(6);
        for (TestTimer timer : t) {
            wheel.scheduleAt(timer, START + 33);
        }
        assertThat(poll(START + 33)).containsExactly(t);
    }

    @Test
    void timersFireInDeadlineOrderWithinAndAcrossBuckets() {
        TestTimer[] t = timers(5);
        wheel.scheduleAt(t[0], START + 19);
        wheel.scheduleAt(t[1], START + 11);
        wheel.scheduleAt(t[2], START + 5);
        wheel.scheduleAt(t[3], START + 15);
        wheel.scheduleAt(t[4], START + 11);
        assertThat(poll(START + 100)).containsExactly(t[2], t[1], t[4], t[3], t[0]);
    }

    @Test
    void negativeDelaysAreDueNowAndKeepDeadlineOrder() {
        TestTimer a = new TestTimer("a");
        TestTimer b = new TestTimer("b");
        long now = START + 500;
        wheel.poll(now, fired::add);
        wheel.scheduleAfter(a, -1, now);
        wheel.scheduleAfter(b, -2, now);
        assertThat(wheel.nextDeadline()).isEqualTo(now - 2);
        assertThat(poll(now)).containsExactly(b, a);
    }

    @Test
    void deadlinesBeforeStartTimeAreDueAtTheFirstPoll() {
        TestTimer a = new TestTimer("a");
        TestTimer b = new TestTimer("b");
        wheel.scheduleAt(a, START - 5);
        wheel.scheduleAt(b, START - 1_000_000);
        assertThat(poll(START)).containsExactly(b, a);
    }

    @Test
    void overflowingDelayIsClampedToMaxValue() {
        TestTimer a = new TestTimer("a");
        TestTimer b = new TestTimer("b");
        wheel.scheduleAfter(a, Long.MAX_VALUE, START);
        wheel.scheduleAt(b, Long.MAX_VALUE);
        assertThat(a.deadline()).isEqualTo(Long.MAX_VALUE);
        assertThat(wheel.nextDeadline()).isEqualTo(Long.MAX_VALUE);
        assertThat(poll(Long.MAX_VALUE - 1)).isEmpty();
        assertThat(poll(Long.MAX_VALUE)).containsExactly(a, b);
        assertThat(wheel.isEmpty()).isTrue();
    }

    @Test
    void underflowingDelayIsClampedToMinValue() {
        TimerWheel<TestTimer> negative = new TimerWheel<>(TICK, BUCKETS, -1_000);
        TestTimer a = new TestTimer("a");
        TestTimer b = new TestTimer("b");
        negative.scheduleAfter(a, Long.MIN_VALUE, -1_000);
        negative.scheduleAfter(b, -1, -1_000);
        assertThat(a.deadline()).isEqualTo(Long.MIN_VALUE);
        assertThat(negative.nextDeadline()).isEqualTo(Long.MIN_VALUE);
        List<TestTimer> out = new ArrayList<>();
        negative.poll(-1_000, out::add);
        assertThat(out).containsExactly(a, b);
    }

    @Test
    void extremeStartTimesSaturateTickArithmetic() {
        for (long start : new long[] {Long.MIN_VALUE, Long.MIN_VALUE + 1, -1, 0, Long.MAX_VALUE - 1}) {
            TimerWheel<TestTimer> extreme = new TimerWheel<>(1, 4, start);
            TestTimer max = new TestTimer("max");
            TestTimer min = new TestTimer("min");
            TestTimer now = new TestTimer("now");
            extreme.scheduleAt(max, Long.MAX_VALUE);
            extreme.scheduleAt(min, Long.MIN_VALUE);
            extreme.scheduleAt(now, start);
            assertThat(extreme.nextDeadline()).isEqualTo(Long.MIN_VALUE);
            List<TestTimer> out = new ArrayList<>();
            extreme.poll(start, out::add);
            assertThat(out).containsExactly(min, now);
            assertThat(extreme.nextDeadline()).isEqualTo(Long.MAX_VALUE);
            extreme.poll(Long.MAX_VALUE, out::add);
            assertThat(out).containsExactly(min, now, max);
        }
    }

    @Test
    void timerNeverFiresEarlyAndFiresAtTheFirstPollReachingItsDeadline() {
        TestTimer a = new TestTimer("a");
        wheel.scheduleAt(a, START + 37);
        for (long now = START; now < START + 37; now++) {
            assertThat(poll(now)).as("now=%d", now).isEmpty();
        }
        assertThat(poll(START + 37)).containsExactly(a);
    }

    @Test
    void cancelRemovesAWaitingTimer() {
        TestTimer a = new TestTimer("a");
        TestTimer b = new TestTimer("b");
        wheel.scheduleAt(a, START + 10);
        wheel.scheduleAt(b, START + 20);
        assertThat(wheel.cancel(a)).isTrue();
        assertThat(wheel.cancel(a)).isFalse();
        assertThat(a.isScheduled()).isFalse();
        assertThat(wheel.size()).isEqualTo(1);
        assertThat(poll(START + 100)).containsExactly(b);
    }

    @Test
    void staleStampCannotCancelANewerScheduling() {
        TestTimer a = new TestTimer("a");
        long first = wheel.scheduleAt(a, START + 10);
        assertThat(poll(START + 10)).containsExactly(a);
        long second = wheel.scheduleAt(a, START + 20);
        assertThat(wheel.cancel(a, first)).isFalse();
        assertThat(wheel.cancel(a, 0)).isFalse();
        assertThat(a.isScheduled()).isTrue();
        assertThat(wheel.cancel(a, second)).isTrue();
        assertThat(wheel.cancel(a, second)).isFalse();
        long third = wheel.scheduleAt(a, START + 30);
        assertThat(wheel.cancel(a, second)).isFalse();
        assertThat(poll(START + 30)).containsExactly(a);
        assertThat(wheel.cancel(a, third)).isFalse();
    }

    @Test
    void stampFromAnotherWheelCannotCancel() {
        TestTimer a = new TestTimer("a");
        TimerWheel<TestTimer> other = new TimerWheel<>(TICK, BUCKETS, START);
        long stamp = other.scheduleAt(a, START + 10);
        assertThat(wheel.cancel(a, stamp)).isFalse();
        assertThat(other.cancel(a, stamp)).isTrue();
    }

    @Test
    void handlerMayRescheduleTheTimerItIsHanded() {
        TestTimer a = new TestTimer("a");
        wheel.scheduleAt(a, START + 10);
        List<Long> seen = new ArrayList<>();
        TimerHandler<TestTimer> periodic = t -> {
            seen.add(t.deadline());
            wheel.scheduleAt(t, t.deadline() + 10);
        };
        assertThat(wheel.poll(START + 10, periodic)).isEqualTo(1);
        assertThat(a.isScheduled()).isTrue();
        assertThat(wheel.nextDeadline()).isEqualTo(START + 20);
        // A jump of three periods delivers one period per poll: the rescheduled timer waits for the next.
        assertThat(wheel.poll(START + 40, periodic)).isEqualTo(1);
        assertThat(wheel.poll(START + 40, periodic)).isEqualTo(1);
        assertThat(wheel.poll(START + 40, periodic)).isEqualTo(1);
        assertThat(wheel.poll(START + 40, periodic)).isZero();
        assertThat(seen).containsExactly(START + 10, START + 20, START + 30, START + 40);
    }

    @Test
    void timersScheduledDuringAPollWaitForTheNextPollEvenIfDue() {
        TestTimer a = new TestTimer("a");
        TestTimer late = new TestTimer("late");
        TestTimer past = new TestTimer("past");
        wheel.scheduleAt(a, START + 10);
        List<TestTimer> out = new ArrayList<>();
        int delivered = wheel.poll(START + 50, t -> {
            out.add(t);
            if (t == a) {
                wheel.scheduleAt(past, START - 100);
                wheel.scheduleAt(late, START + 50);
            }
        });
        assertThat(delivered).isEqualTo(1);
        assertThat(out).containsExactly(a);
        assertThat(wheel.nextDeadline()).isEqualTo(START - 100);
        assertThat(poll(START + 50)).containsExactly(past, late);
    }

    @Test
    void handlerMayCancelADueTimerNotYetDelivered() {
        TestTimer[] t = timers(4);
        for (int i = 0; i < t.length; i++) {
            wheel.scheduleAt(t[i], START + 10 * i);
        }
        List<TestTimer> out = new ArrayList<>();
        int delivered = wheel.poll(START + 100, timer -> {
            out.add(timer);
            if (timer == t[0]) {
                assertThat(wheel.cancel(t[2])).isTrue();
            }
        });
        assertThat(out).containsExactly(t[0], t[1], t[3]);
        assertThat(delivered).isEqualTo(3);
        assertThat(t[2].isScheduled()).isFalse();
        assertThat(wheel.isEmpty()).isTrue();
    }

    @Test
    void handlerThatThrowsLeavesTheRemainingDueTimersForTheNextPollInOrder() {
        TestTimer[] t = timers(5);
        for (int i = 0; i < t.length; i++) {
            wheel.scheduleAt(t[i], START + 5 * (t.length - i));
        }
        List<TestTimer> out = new ArrayList<>();
        RuntimeException boom = new RuntimeException("boom");
        assertThatThrownBy(() -> wheel.poll(START + 100, timer -> {
                    out.add(timer);
                    if (out.size() == 2) {
                        throw boom;
                    }
                }))
                .isSameAs(boom);
        assertThat(out).containsExactly(t[4], t[3]);
        assertThat(wheel.size()).isEqualTo(3);
        assertThat(t[2].isScheduled()).isTrue();
        assertThat(wheel.nextDeadline()).isEqualTo(t[2].deadline());
        TestTimer earlier = new TestTimer("earlier");
        wheel.scheduleAt(earlier, START + 12);
        assertThat(poll(START + 100)).containsExactly(earlier, t[2], t[1], t[0]);
    }

    @Test
    void limitDeliversTheEarliestAndKeepsTheRestInOrder() {
        TestTimer[] t = timers(6);
        for (int i = 0; i < t.length; i++) {
            wheel.scheduleAt(t[i], START + 7 * i);
        }
        assertThat(wheel.poll(START + 100, fired::add, 0)).isZero();
        assertThat(wheel.poll(START + 100, fired::add, 2)).isEqualTo(2);
        assertThat(fired).containsExactly(t[0], t[1]);
        assertThat(wheel.size()).isEqualTo(4);
        assertThat(wheel.nextDeadline()).isEqualTo(START + 14);
        assertThat(wheel.cancel(t[3])).isTrue();
        TestTimer early = new TestTimer("early");
        wheel.scheduleAt(early, START + 15);
        fired.clear();
        assertThat(wheel.poll(START + 100, fired::add, 3)).isEqualTo(3);
        assertThat(fired).containsExactly(t[2], early, t[4]);
        assertThat(poll(START + 100)).containsExactly(t[5]);
    }

    @Test
    void delaysOfManyTurnsFireOnTimeAndNotAtEarlierVisitsOfTheirBucket() {
        TestTimer far = new TestTimer("far");
        TestTimer near = new TestTimer("near");
        wheel.scheduleAfter(far, 5 * TURN + 3, START);
        wheel.scheduleAfter(near, 3, START);
        long farDeadline = START + 5 * TURN + 3;
        List<TestTimer> out = new ArrayList<>();
        for (long now = START; now < farDeadline; now += TICK / 2) {
            wheel.poll(now, out::add);
            assertThat(wheel.nextDeadline()).isEqualTo(now < START + 3 ? START + 3 : farDeadline);
        }
        assertThat(out).containsExactly(near);
        assertThat(poll(farDeadline)).containsExactly(far);
    }

    @Test
    void jumpOfManyTurnsDeliversEverythingDueInOrder() {
        TestTimer[] t = timers(40);
        // Deadlines spread over five turns, scheduled in reverse so that every bucket holds several turns.
        for (int i = t.length - 1; i >= 0; i--) {
            wheel.scheduleAt(t[i], START + i * TICK);
        }
        TestTimer beyond = new TestTimer("beyond");
        wheel.scheduleAt(beyond, START + 1_000 * TURN);
        assertThat(poll(START + 100 * TURN)).containsExactly(t);
        assertThat(wheel.nextDeadline()).isEqualTo(START + 1_000 * TURN);
        assertThat(poll(START + 1_000 * TURN - 1)).isEmpty();
        assertThat(poll(START + 1_000 * TURN)).containsExactly(beyond);
    }

    @Test
    void jumpOfExactlyOneTurnVisitsEveryBucketOnce() {
        TestTimer[] t = timers(BUCKETS + 1);
        for (int i = 0; i < t.length; i++) {
            wheel.scheduleAt(t[i], START + i * TICK + 1);
        }
        assertThat(poll(START + TURN)).containsExactly(Arrays.copyOf(t, BUCKETS));
        assertThat(poll(START + TURN + 1)).containsExactly(t[BUCKETS]);
    }

    /** Schedules {@code count} timers at {@code deadline(i)}, in index order, and returns them. */
    private static List<TestTimer> scheduleAll(TimerWheel<TestTimer> target, int count, IntToLongFunction deadline) {
        List<TestTimer> scheduled = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            TestTimer timer = new TestTimer("t" + i);
            target.scheduleAt(timer, deadline.applyAsLong(i));
            scheduled.add(timer);
        }
        return scheduled;
    }

    /** The expiry order: by deadline, ties in scheduling order (List.sort is stable). */
    private static List<TestTimer> expiryOrder(List<TestTimer> timers) {
        List<TestTimer> expected = new ArrayList<>(timers);
        expected.sort(Comparator.comparingLong(TestTimer::deadline));
        return expected;
    }

    @Test
    void overdueTimersMergeWithTheTimersOfLaterTicksInOrder() {
        TestTimer entered = new TestTimer("entered");
        TestTimer first = new TestTimer("first");
        wheel.scheduleAt(first, START + 20);
        wheel.scheduleAt(entered, START + 28);
        // Enters ticks 1 and 2: `entered` (tick 2, not due) waits on the due list.
        assertThat(poll(START + 25)).containsExactly(first);
        TestTimer later = new TestTimer("later");
        TestTimer latest = new TestTimer("latest");
        TestTimer pastTick = new TestTimer("pastTick");
        TestTimer longAgo = new TestTimer("longAgo");
        TestTimer cursorTick = new TestTimer("cursorTick");
        TestTimer tie = new TestTimer("tie");
        wheel.scheduleAt(latest, START + 47);
        wheel.scheduleAt(later, START + 31);
        // Ticks already entered: these are overdue, and mix with the due list and the later ticks.
        wheel.scheduleAt(cursorTick, START + 22);
        wheel.scheduleAt(pastTick, START + 5);
        wheel.scheduleAt(tie, START + 28);
        wheel.scheduleAt(longAgo, START - 50);
        assertThat(wheel.nextDeadline()).isEqualTo(START - 50);
        assertThat(poll(START + 50)).containsExactly(longAgo, pastTick, cursorTick, entered, tie, later, latest);
        assertThat(wheel.isEmpty()).isTrue();
    }

    @Test
    void manyDueTimersComeOutInDeadlineOrderAcrossTicksAndWithinEach() {
        for (long tick : new long[] {1_000, 1 << 20, 1_000_000}) {
            TimerWheel<TestTimer> wide = new TimerWheel<>(tick, 64, 0);
            SplittableRandom random = new SplittableRandom(tick);
            // 40 ticks, 100 timers per tick in random order, a few ties, and both ends of every tick.
            List<TestTimer> timers = scheduleAll(wide, 4_000, i -> switch (i % 50) {
                case 0 -> (i / 50 % 40) * tick;
                case 1 -> (i / 50 % 40) * tick + tick - 1;
                case 2 -> 7 * tick + 3;
                default -> random.nextLong(40 * tick);
            });
            List<TestTimer> out = new ArrayList<>();
            assertThat(wide.poll(40 * tick, out::add)).isEqualTo(timers.size());
            assertThat(out).as("tick %d", tick).containsExactlyElementsOf(expiryOrder(timers));
        }
    }

    @Test
    void pollsWithinATickDeliverItsTimersInOrderAsTheyFallDue() {
        long tick = 1 << 20;
        TimerWheel<TestTimer> wide = new TimerWheel<>(tick, 16, 0);
        SplittableRandom random = new SplittableRandom(7);
        List<TestTimer> timers = scheduleAll(wide, 2_000, i -> tick + random.nextLong(3 * tick));
        List<TestTimer> expected = expiryOrder(timers);
        List<TestTimer> out = new ArrayList<>();
        for (long now = 0; now <= 4 * tick; now += tick / 7) {
            wide.poll(now, out::add, 97);
            long polledAt = now;
            assertThat(out).allMatch(timer -> timer.deadline() <= polledAt);
        }
        wide.poll(4 * tick, out::add);
        assertThat(out).containsExactlyElementsOf(expected);
    }

    @Test
    void jumpOfMoreThanATurnSortsEveryBucketsTimersTogether() {
        TimerWheel<TestTimer> wide = new TimerWheel<>(1_000, 8, 0);
        SplittableRandom random = new SplittableRandom(11);
        List<TestTimer> timers = scheduleAll(wide, 3_000, i -> random.nextLong(20 * 8 * 1_000));
        TestTimer beyond = new TestTimer("beyond");
        wide.scheduleAt(beyond, 20 * 8 * 1_000);
        List<TestTimer> out = new ArrayList<>();
        assertThat(wide.poll(20 * 8 * 1_000 - 1, out::add)).isEqualTo(timers.size());
        assertThat(out).containsExactlyElementsOf(expiryOrder(timers));
        assertThat(wide.nextDeadline()).isEqualTo(20 * 8 * 1_000);
    }

    @Test
    void limitStopsBetweenTicksAndTheNextPollResumesInOrder() {
        TestTimer[] t = timers(10);
        for (int i = 0; i < t.length; i++) {
            wheel.scheduleAt(t[i], START + TICK + 5 * i); // two per tick, ticks 1 to 5
        }
        assertThat(wheel.poll(START + 100, fired::add, 3)).isEqualTo(3);
        assertThat(fired).containsExactly(t[0], t[1], t[2]);
        // The cursor stopped in tick 2: an earlier deadline now is overdue, and goes first.
        TestTimer early = new TestTimer("early");
        wheel.scheduleAt(early, START + 16);
        assertThat(wheel.nextDeadline()).isEqualTo(START + 16);
        List<TestTimer> expected = new ArrayList<>(List.of(early));
        expected.addAll(Arrays.asList(t).subList(3, t.length));
        assertThat(poll(START + 100)).containsExactlyElementsOf(expected);
    }

    @Test
    void timerScheduledDuringAPollForATickItHasNotEnteredYetWaitsForTheNextPoll() {
        TestTimer first = new TestTimer("first");
        TestTimer last = new TestTimer("last");
        TestTimer added = new TestTimer("added");
        TestTimer future = new TestTimer("future");
        wheel.scheduleAt(first, START + 15);
        wheel.scheduleAt(last, START + 95);
        List<TestTimer> out = new ArrayList<>();
        int delivered = wheel.poll(START + 100, timer -> {
            out.add(timer);
            if (timer == first) {
                // The cursor is in tick 1; tick 6 is still ahead of it in this poll.
                wheel.scheduleAt(added, START + 60);
                wheel.scheduleAt(future, START + 200);
                assertThat(wheel.nextDeadline()).isEqualTo(START + 60);
            }
        });
        assertThat(delivered).isEqualTo(2);
        assertThat(out).containsExactly(first, last);
        assertThat(wheel.nextDeadline()).isEqualTo(START + 60);
        assertThat(poll(START + 100)).containsExactly(added);
        assertThat(poll(START + 200)).containsExactly(future);
    }

    @Test
    void cancellingTimersOfAnEnteredTickThatAreNotDueYetRemovesThem() {
        TestTimer[] t = timers(4);
        for (int i = 0; i < t.length; i++) {
            wheel.scheduleAt(t[i], START + 20 + 2 * i);
        }
        // Entering tick 2 moves all four onto the due list; only t[0] is due.
        assertThat(poll(START + 20)).containsExactly(t[0]);
        assertThat(wheel.cancel(t[1])).isTrue();
        assertThat(wheel.nextDeadline()).isEqualTo(START + 24);
        assertThat(wheel.cancel(t[3])).isTrue();
        assertThat(wheel.size()).isEqualTo(1);
        assertThat(poll(START + 29)).containsExactly(t[2]);
    }

    @Test
    void entersTheLastTickOfTheClockWhenItIsWiderThanATick() {
        // With a negative start, every deadline from Long.MAX_VALUE + start on has the last tick.
        long start = -1_000;
        TimerWheel<TestTimer> edge = new TimerWheel<>(1, 8, start);
        TestTimer step = new TestTimer("step");
        edge.scheduleAt(step, Long.MAX_VALUE - 1_003);
        List<TestTimer> out = new ArrayList<>();
        edge.poll(Long.MAX_VALUE - 1_003, out::add);
        assertThat(out).containsExactly(step);
        // The cursor is three ticks before the last, so the next poll enters them one by one.
        long[] deadlines = {
            Long.MAX_VALUE - 5,
            Long.MAX_VALUE,
            Long.MAX_VALUE - 999,
            Long.MAX_VALUE - 1_001,
            Long.MAX_VALUE - 900,
            Long.MAX_VALUE - 1_002
        };
        List<TestTimer> timers = scheduleAll(edge, deadlines.length, i -> deadlines[i]);
        out.clear();
        edge.poll(Long.MAX_VALUE, out::add);
        assertThat(out).containsExactlyElementsOf(expiryOrder(timers));
        assertThat(edge.isEmpty()).isTrue();
    }

    @Test
    void nowGoingBackwardsDeliversOnlyWhatIsDue() {
        TestTimer a = new TestTimer("a");
        TestTimer b = new TestTimer("b");
        poll(START + 50);
        wheel.scheduleAt(a, START + 20);
        wheel.scheduleAt(b, START + 60);
        assertThat(poll(START + 10)).isEmpty();
        assertThat(poll(START + 20)).containsExactly(a);
        assertThat(poll(START + 60)).containsExactly(b);
    }

    @Test
    void nextDeadlineIsExactAfterEveryKindOfChange() {
        assertThat(wheel.nextDeadline()).isEqualTo(Long.MAX_VALUE);
        TestTimer a = new TestTimer("a");
        TestTimer b = new TestTimer("b");
        TestTimer c = new TestTimer("c");
        TestTimer d = new TestTimer("d");
        wheel.scheduleAt(a, START + 3 * TURN + 7);
        assertThat(wheel.nextDeadline()).isEqualTo(START + 3 * TURN + 7);
        wheel.scheduleAt(b, START + 45);
        wheel.scheduleAt(c, START + 41);
        wheel.scheduleAt(d, START + 41);
        assertThat(wheel.nextDeadline()).isEqualTo(START + 41);
        wheel.cancel(c);
        assertThat(wheel.nextDeadline()).isEqualTo(START + 41);
        wheel.cancel(d);
        assertThat(wheel.nextDeadline()).isEqualTo(START + 45);
        assertThat(poll(START + 45)).containsExactly(b);
        // The only timer left is three turns away, in a bucket the cursor passes first.
        assertThat(wheel.nextDeadline()).isEqualTo(START + 3 * TURN + 7);
        wheel.scheduleAt(b, START + 2 * TURN);
        assertThat(wheel.nextDeadline()).isEqualTo(START + 2 * TURN);
        wheel.cancel(b);
        assertThat(wheel.nextDeadline()).isEqualTo(START + 3 * TURN + 7);
        wheel.cancel(a);
        assertThat(wheel.nextDeadline()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void nextDeadlineSeesTimersLeftDueByALimitedPoll() {
        TestTimer a = new TestTimer("a");
        TestTimer b = new TestTimer("b");
        TestTimer c = new TestTimer("c");
        wheel.scheduleAt(a, START + 1);
        wheel.scheduleAt(b, START + 2);
        wheel.scheduleAt(c, START + 5 * TURN);
        wheel.poll(START + 10, fired::add, 1);
        assertThat(wheel.nextDeadline()).isEqualTo(START + 2);
        wheel.cancel(b);
        assertThat(wheel.nextDeadline()).isEqualTo(START + 5 * TURN);
    }

    @Test
    void singleBucketWheelKeepsOrder() {
        TimerWheel<TestTimer> single = new TimerWheel<>(TICK, 1, START);
        TestTimer[] t = timers(4);
        single.scheduleAt(t[3], START + 300);
        single.scheduleAt(t[1], START + 100);
        single.scheduleAt(t[0], START + 5);
        single.scheduleAt(t[2], START + 100);
        List<TestTimer> out = new ArrayList<>();
        single.poll(START + 100, out::add);
        assertThat(out).containsExactly(t[0], t[1], t[2]);
        assertThat(single.nextDeadline()).isEqualTo(START + 300);
        single.poll(START + 300, out::add);
        assertThat(out).containsExactly(t);
    }

    @Test
    void clearHandsOverEveryTimerAndLeavesTheWheelEmpty() {
        TestTimer[] t = timers(10);
        for (int i = 0; i < t.length; i++) {
            wheel.scheduleAt(t[i], START + i * 17);
        }
        wheel.poll(START + 40, fired::add, 1);
        List<TestTimer> cleared = new ArrayList<>();
        assertThat(wheel.clear(cleared::add)).isEqualTo(9);
        assertThat(cleared).containsExactlyInAnyOrder(t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], t[9]);
        assertThat(cleared).allMatch(timer -> !timer.isScheduled());
        assertThat(wheel.isEmpty()).isTrue();
        assertThat(wheel.nextDeadline()).isEqualTo(Long.MAX_VALUE);
        assertThat(poll(START + 100 * TURN)).isEmpty();
    }

    @Test
    void clearKeepsTimersTheHandlerSchedules() {
        TestTimer a = new TestTimer("a");
        TestTimer b = new TestTimer("b");
        wheel.scheduleAt(a, START + 10);
        int cleared = wheel.clear(t -> wheel.scheduleAt(b, START + 10));
        assertThat(cleared).isEqualTo(1);
        assertThat(b.isScheduled()).isTrue();
        assertThat(poll(START + 10)).containsExactly(b);
    }

    @Test
    void pollAndClearCannotBeCalledFromAHandler() {
        TestTimer a = new TestTimer("a");
        TestTimer b = new TestTimer("b");
        wheel.scheduleAt(a, START);
        wheel.scheduleAt(b, START);
        List<Class<?>> thrown = new ArrayList<>();
        wheel.poll(START, t -> {
            try {
                if (t == a) {
                    wheel.poll(START, fired::add);
                } else {
                    wheel.clear(fired::add);
                }
            } catch (IllegalStateException expected) {
                thrown.add(expected.getClass());
            }
        });
        assertThat(thrown).hasSize(2);
        assertThat(fired).isEmpty();
        // The guard is released after the poll, also when a handler throws.
        wheel.scheduleAt(a, START);
        assertThatThrownBy(() -> wheel.poll(START, t -> {
                    throw new IllegalArgumentException();
                }))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(poll(START)).isEmpty();
    }
}
