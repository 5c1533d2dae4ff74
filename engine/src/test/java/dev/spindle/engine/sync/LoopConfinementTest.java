package dev.spindle.engine.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.engine.Async;
import dev.spindle.engine.Task;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Loop confinement: a primitive belongs to one loop, and any other thread, another loop's included, fails
 * fast with an {@link IllegalStateException} naming the primitive's loop and the calling thread.
 */
class LoopConfinementTest extends SyncTestSupport {

    @Test
    @DisplayName("every operation of every primitive refuses another loop, naming both loops")
    void foreignLoopFailsFast() {
        Map<String, Runnable> operations = run(() -> {
            Lock lock = new Lock();
            Event event = new Event();
            Condition condition = new Condition();
            Semaphore semaphore = new Semaphore(1);
            BoundedSemaphore bounded = new BoundedSemaphore(1);
            Queue<String> queue = new Queue<>(1);
            Map<String, Runnable> ops = new LinkedHashMap<>();
            ops.put("Lock.acquire()", lock::acquire);
            ops.put("Lock.tryAcquire()", lock::tryAcquire);
            ops.put("Lock.release()", lock::release);
            ops.put("Lock.locked()", lock::locked);
            ops.put("Event.set()", event::set);
            ops.put("Event.clear()", event::clear);
            ops.put("Event.isSet()", event::isSet);
            ops.put("Event.await()", event::await);
            ops.put("Condition.await()", condition::await);
            ops.put("Condition.signal()", condition::signal);
            ops.put("Condition.signalAll()", condition::signalAll);
            ops.put("Condition.acquire()", condition::acquire);
            ops.put("Semaphore.acquire()", semaphore::acquire);
            ops.put("Semaphore.tryAcquire()", semaphore::tryAcquire);
            ops.put("Semaphore.release()", semaphore::release);
            ops.put("Semaphore.locked()", semaphore::locked);
            ops.put("Semaphore.value()", semaphore::value);
            ops.put("BoundedSemaphore.release()", bounded::release);
            ops.put("Queue.put()", () -> queue.put("x"));
            ops.put("Queue.putNowait()", () -> queue.putNowait("x"));
            ops.put("Queue.offer()", () -> queue.offer("x"));
            ops.put("Queue.get()", queue::get);
            ops.put("Queue.getNowait()", queue::getNowait);
            ops.put("Queue.poll()", queue::poll);
            ops.put("Queue.taskDone()", queue::taskDone);
            ops.put("Queue.join()", queue::join);
            ops.put("Queue.shutdown()", () -> queue.shutdown(true));
            ops.put("Queue.size()", queue::size);
            ops.put("Queue.isEmpty()", queue::isEmpty);
            ops.put("Queue.isFull()", queue::isFull);
            return ops;
        });
        String home = loop.name();
        String foreign = otherLoop.name();
        runOn(otherLoop, () -> {
            operations.forEach((name, op) -> assertThatThrownBy(op::run)
                    .as(name)
                    .isExactlyInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(name.substring(name.indexOf('.'))) // Condition's lock calls are Lock's
                    .hasMessageContaining(home)
                    .hasMessageContaining(foreign));
            return null;
        });
        String thread = Thread.currentThread().getName();
        operations.forEach((name, op) -> assertThatThrownBy(op::run)
                .as(name + " from a thread outside the engine")
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessageContaining(home)
                .hasMessageContaining(thread));
    }

    @Test
    @DisplayName("a primitive created outside the loops binds to the first loop that uses it")
    void bindsOnFirstUse() {
        Queue<Integer> q = new Queue<>();
        assertThat(q.size())
                .as("queries of an unbound primitive are allowed anywhere")
                .isZero();
        assertThatThrownBy(() -> q.putNowait(1))
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Queue.putNowait()")
                .hasMessageContaining("is not a loop thread")
                .hasMessageContaining(Thread.currentThread().getName());
        runOn(otherLoop, () -> {
            q.putNowait(1);
            return null;
        });
        run(() -> {
            assertThatThrownBy(q::getNowait)
                    .isExactlyInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(otherLoop.name())
                    .hasMessageContaining(loop.name());
            return null;
        });
        assertThat(runOn(otherLoop, q::getNowait)).isEqualTo(1);
    }

    @Test
    @DisplayName("a primitive created with a loop works from that loop's plain callbacks and tasks only")
    void explicitLoop() {
        Semaphore semaphore = new Semaphore(loop, 1);
        Event event = new Event(loop);
        assertThat(loop.submit(semaphore::tryAcquire).join()).isTrue();
        loop.submit(() -> {
                    event.set();
                    return null;
                })
                .join();
        assertThat(run(event::await)).isTrue();
        assertThatThrownBy(() -> runOn(otherLoop, () -> {
                    semaphore.release();
                    return null;
                }))
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessageContaining(loop.name())
                .hasMessageContaining(otherLoop.name());
        assertThatThrownBy(semaphore::release).isExactlyInstanceOf(IllegalStateException.class);
        run(() -> {
            semaphore.release();
            assertThat(semaphore.value()).isEqualTo(1);
            return null;
        });
    }

    @Test
    @DisplayName("a Condition shares the binding of its Lock")
    void conditionSharesLockBinding() {
        Lock lock = new Lock();
        Condition condition = new Condition(lock);
        run(() -> {
            try (var _ = lock.acquire()) {
                condition.signal();
            }
            return null;
        });
        runOn(otherLoop, () -> {
            assertThatThrownBy(condition::acquire).hasMessageContaining(loop.name());
            assertThatThrownBy(condition::signal).hasMessageContaining(loop.name());
            return null;
        });
        Lock foreignLock = runOn(otherLoop, Lock::new);
        Condition created = run(() -> new Condition(foreignLock));
        assertThatThrownBy(() -> run(created::acquire))
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessageContaining(otherLoop.name());
    }

    @Test
    @DisplayName("toString is safe from any thread")
    void toStringAnywhere() {
        Queue<String> q = run(() -> {
            Queue<String> queue = new Queue<>(4);
            queue.put("a");
            Async.yieldNow();
            return queue;
        });
        assertThat(q.toString()).contains("size=1").contains(loop.name());
        Condition c = new Condition(loop);
        assertThat(c.toString()).contains("unlocked");
        Task<String> t = loop.submit(() -> new BoundedSemaphore(2).toString());
        assertThat(t.join()).contains("BoundedSemaphore").contains("value=2");
    }
}
