package dev.spindle.engine.channel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.engine.Promise;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The waiter queue alone: wake-up order, skipping of stale waiters, and their unlinking. */
class WaiterQueueTest extends ChannelTestSupport {

    @Test
    void wakesInArrivalOrderAndSkipsWaitersThatGaveUp() {
        WaiterQueue queue = new WaiterQueue();
        Promise<Void> first = loop.newPromise();
        Promise<Void> second = loop.newPromise();
        ThreadWaiter third = new ThreadWaiter();
        queue.add(first);
        queue.add(second);
        queue.add(third);

        assertThat(queue.withdraw(first)).as("not woken: it gave up").isTrue();
        assertThat(queue.wakeOne()).isTrue();
        assertThat(second.isDone()).as("the wake-up skipped the stale first").isTrue();
        assertThat(queue.withdraw(second)).as("woken before it gave up").isFalse();
        assertThat(queue.wakeOne()).isTrue();
        assertThat(third.isWoken()).isTrue();
        assertThat(queue.wakeOne()).isFalse();
        assertThat(queue.linked()).isZero();
    }

    @Test
    void aWithdrawnThreadWaiterRefusesTheWakeUp() {
        ThreadWaiter waiter = new ThreadWaiter();
        assertThat(waiter.withdraw()).isTrue();
        assertThat(waiter.wake()).isFalse();
        assertThat(waiter.isWoken()).isFalse();
        assertThat(waiter.isWaiting()).isFalse();
    }

    @Test
    void aWokenThreadWaiterReturnsAtOnceAndCannotWithdraw() {
        ThreadWaiter waiter = new ThreadWaiter();
        assertThat(waiter.wake()).isTrue();
        assertThat(waiter.withdraw()).isFalse();
        assertThat(waiter.await(false, 0L)).isEqualTo(ThreadWaiter.AWOKE);
    }

    @Test
    void wakeAllWakesEveryWaiterPresent() {
        WaiterQueue queue = new WaiterQueue();
        List<Promise<Void>> waiters = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Promise<Void> waiter = loop.newPromise();
            waiters.add(waiter);
            queue.add(waiter);
        }
        queue.wakeAll();
        assertThat(waiters).allMatch(Promise::isDone);
        assertThat(queue.linked()).isZero();
    }

    @Test
    void staleWaitersAreUnlinkedInAmortizedSweeps() {
        WaiterQueue queue = new WaiterQueue();
        Promise<Void> patient = loop.newPromise();
        queue.add(patient);
        for (int i = 0; i < 100 * WaiterQueue.MIN_SWEEP; i++) {
            Promise<Void> impatient = loop.newPromise();
            queue.add(impatient);
            assertThat(queue.withdraw(impatient)).isTrue();
            assertThat(queue.linked())
                    .as("stale nodes stay bounded behind a waiter that is never woken")
                    .isLessThanOrEqualTo(1 + WaiterQueue.MIN_SWEEP);
        }
        assertThat(queue.waiting()).isEqualTo(1);
        assertThat(queue.wakeOne()).isTrue();
        assertThat(patient.isDone()).isTrue();
    }
}
