package dev.spindle.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;

/**
 * The suspension points of coroutine tasks: {@link #await}, {@link #sleep}, {@link #yieldNow}, and the
 * asyncio helpers built on them ({@link #shield}, {@link #timeout}, {@link #waitFor}).
 *
 * <p><b>Threads:</b> the methods that may suspend must be called from inside a coroutine task ({@link
 * EventLoop#spawn}); elsewhere they throw {@link IllegalStateException} ("not inside a coroutine task"),
 * except {@link #await} of something already done, which just returns its outcome. The task resumes on
 * its own loop, whichever thread completed what it awaited. {@link #shield} and the {@code gather}
 * methods never suspend and are safe from any thread; {@link #tryOffload} needs a loop thread, in a task
 * or a plain callback. A pending cancel request is delivered at the suspension points as a {@link
 * CancelledException}.
 */
public final class Async {
    private Async() {}

    private static Task<?> currentCoroutine(String operation) {
        Task<?> task = Task.current();
        if (task == null || !task.isCoroutine()) {
            throw new IllegalStateException(operation + " is not inside a coroutine task (on "
                    + Thread.currentThread().getName() + "); spawn the code with EventLoop.spawn");
        }
        return task;
    }

    /**
     * Waits for {@code awaitable} and returns its value, or throws its failure (unchecked as is, checked
     * wrapped in {@link CompletionException}; {@link CancelledException} if it was cancelled). Something
     * already done returns at once without suspending. The awaitable may belong to another loop: the task
     * is resumed on its own loop. Allocates one small node when it suspends.
     *
     * @param <T> the type of the value
     * @param awaitable what to wait for, on any loop
     * @return the awaitable's value
     * @throws IllegalStateException if a task awaits itself, or if called outside a coroutine task while
     *     {@code awaitable} is not done
     */
    public static <T> T await(Awaitable<T> awaitable) {
        Objects.requireNonNull(awaitable, "awaitable");
        BaseAwaitable<T> target = (BaseAwaitable<T>) awaitable;
        if (target.isDone()) {
            return target.result();
        }
        return currentCoroutine("await()").await(target);
    }

    /**
     * Suspends the task for {@code delay} on its loop's timer wheel. A zero or negative delay is {@link
     * #yieldNow()}; a delay too long for a {@code long} of nanoseconds sleeps until the task is cancelled.
     *
     * @param delay how long to sleep
     */
    public static void sleep(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        Task<?> task = currentCoroutine("sleep()");
        if (delay.isZero() || delay.isNegative()) {
            task.yieldNow();
            return;
        }
        EventLoop loop = task.loop();
        Promise<Void> wake = new Promise<>(loop);
        TimerHandle timer = loop.schedule(delay, () -> wake.complete(null));
        try {
            task.await(wake);
        } finally {
            timer.cancel();
        }
    }

    /**
     * Lets every other ready task and callback of the loop run, then continues (asyncio's {@code
     * sleep(0)}). Delivers a pending cancel request.
     */
    public static void yieldNow() {
        currentCoroutine("yieldNow()").yieldNow();
    }

    /**
     * Protects {@code inner} from the cancellation of whoever awaits it (asyncio's {@code shield}). If
     * {@code inner} is done it is returned as is; otherwise a new promise mirrors its outcome, and
     * cancelling that promise (or the task awaiting it) leaves {@code inner} running. If {@code inner}
     * then fails, the failure goes to the exception handler, since nobody will read it. Keep a reference
     * to {@code inner} if you need its outcome. Any thread; the promise belongs to the caller's loop, or
     * to {@code inner}'s loop when called outside the engine.
     *
     * @param <T> the type of the value
     * @param inner the awaitable to protect
     * @return {@code inner} itself if it is done, else a promise that mirrors its outcome
     */
    public static <T> Awaitable<T> shield(Awaitable<T> inner) {
        Objects.requireNonNull(inner, "inner");
        if (inner.isDone()) {
            return inner;
        }
        EventLoop here = EventLoop.current();
        Promise<T> outer = new Promise<>(here != null ? here : inner.loop());
        inner.onDone(done -> {
            if (outer.isDone()) {
                if (outer.isCancelled() && !done.isCancelled() && done.exception() != null) {
                    reportShielded((BaseAwaitable<?>) done);
                }
                return;
            }
            if (done.isCancelled()) {
                outer.cancel();
            } else if (done.exception() != null) {
                outer.fail(done.exception());
            } else {
                outer.complete(done.result());
            }
        });
        return outer;
    }

    private static void reportShielded(BaseAwaitable<?> inner) {
        if (inner.claimShieldReport()) {
            Throwable error = inner.exception();
            inner.loop.report(error.getClass().getSimpleName() + " exception in shielded future", error, inner);
        }
    }

    /**
     * The body of a {@link #timeout} scope.
     *
     * <p><b>Threads:</b> called once, inline, by the coroutine task that entered the scope, on its loop.
     *
     * @param <T> the type of the body's value
     */
    @FunctionalInterface
    public interface ScopeBody<T> {
        /**
         * Runs inside the scope, which it may {@linkplain Timeout#reschedule reschedule}.
         *
         * @param scope the running timeout scope, which the body may reschedule or query
         * @return the value {@link Async#timeout} returns
         * @throws Exception any failure, which propagates out of {@link Async#timeout} (see there for one leaving
         *     an expired scope)
         */
        T run(Timeout scope) throws Exception;
    }

    /**
     * Runs {@code body} in a timeout scope (asyncio's {@code async with timeout(delay)}): when {@code
     * delay} passes, the task is cancelled, and the {@link CancelledException} leaving the body becomes a
     * {@link TaskTimeoutException}. The body may reschedule the scope and ask whether it {@linkplain
     * Timeout#expired() expired}. If the body catches the cancellation and returns normally, its value is
     * returned. Another exception leaving an expired body propagates with the timeout added as
     * suppressed. Nested scopes: only the one whose deadline caused the cancellation converts it.
     *
     * <p>A zero or negative {@code delay} is a deadline already passed: the scope expires at the body's
     * first suspension point (a body that never suspends finishes normally). A delay too long for a {@code
     * long} of nanoseconds, such as {@code Duration.ofSeconds(Long.MAX_VALUE)}, is no deadline at all.
     *
     * @param <T> the type of the body's value
     * @param delay the time limit, from now
     * @param body the code to run within the limit
     * @return the body's value
     */
    public static <T> T timeout(Duration delay, ScopeBody<T> body) {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(body, "body");
        Task<?> task = currentCoroutine("timeout()");
        return timeoutAt(EventLoop.saturatedAdd(task.loop().time(), EventLoop.saturatedNanos(delay)), body);
    }

    /**
     * As {@link #timeout}, with an absolute deadline on the loop's clock ({@link Long#MAX_VALUE}: none).
     * A deadline at or before the loop's {@linkplain EventLoop#time() time}, down to {@link
     * Long#MIN_VALUE}, has already passed: the scope expires at the body's first suspension point.
     *
     * @param <T> the type of the body's value
     * @param deadline the absolute deadline on the loop's clock, in nanoseconds
     * @param body the code to run within the limit
     * @return the body's value
     */
    public static <T> T timeoutAt(long deadline, ScopeBody<T> body) {
        Objects.requireNonNull(body, "body");
        Task<?> task = currentCoroutine("timeoutAt()");
        Timeout scope = new Timeout(task, deadline);
        scope.enter();
        T value;
        try {
            value = body.run(scope);
        } catch (Throwable failure) {
            throw sneaky(scope.exit(failure));
        }
        Throwable replaced = scope.exit(null);
        if (replaced != null) {
            throw sneaky(replaced);
        }
        return value;
    }

    /**
     * Waits for {@code awaitable} at most {@code timeout} (asyncio's {@code wait_for}). On time-out the
     * awaitable is cancelled and, once it has really finished, {@link TaskTimeoutException} is thrown,
     * unless it swallowed the cancellation and produced a value, which is then returned. Cancelling the
     * waiting task cancels the awaitable too. A zero or negative timeout cancels a pending awaitable at
     * once and waits for it.
     *
     * @param <T> the type of the value
     * @param awaitable what to wait for
     * @param timeout the longest wait
     * @return the awaitable's value
     */
    public static <T> T waitFor(Awaitable<T> awaitable, Duration timeout) {
        Objects.requireNonNull(awaitable, "awaitable");
        Objects.requireNonNull(timeout, "timeout");
        Task<?> task = currentCoroutine("waitFor()");
        if (timeout.isZero() || timeout.isNegative()) {
            if (awaitable.isDone()) {
                return awaitable.result();
            }
            awaitable.cancel();
            awaitUntilDone(task, (BaseAwaitable<T>) awaitable);
            try {
                return awaitable.result();
            } catch (CancelledException cancelled) {
                throw new TaskTimeoutException("timed out", cancelled);
            }
        }
        return timeout(timeout, scope -> await(awaitable));
    }

    /**
     * Runs {@code body} inline in the calling task with a time limit (asyncio's {@code wait_for} of a
     * coroutine). With a zero or negative timeout the body never starts.
     *
     * @param <T> the type of the body's value
     * @param timeout the time limit for the body
     * @param body the code to run in the calling task
     * @return the body's value
     */
    public static <T> T waitFor(Duration timeout, Callable<T> body) {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(body, "body");
        currentCoroutine("waitFor()");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new TaskTimeoutException("timed out", new CancelledException(null));
        }
        return timeout(timeout, scope -> body.call());
    }

    /** Waits until {@code target} is done without reporting its outcome, delivering cancels to it. */
    private static void awaitUntilDone(Task<?> task, BaseAwaitable<?> target) {
        CancelledException pending = null;
        while (!target.isDone()) {
            try {
                task.await(target);
            } catch (CancelledException e) {
                if (!target.isDone()) {
                    pending = e; // the waiter was cancelled: keep waiting for the target, then rethrow
                }
            } catch (RuntimeException | Error outcome) {
                // The target's own failure: the caller reads it.
            }
        }
        if (pending != null) {
            throw pending;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // gather, wait, asCompleted
    // ---------------------------------------------------------------------------------------------

    /**
     * An awaitable of the values of {@code awaitables}, in argument order (asyncio's {@code gather}). The
     * first failure, or a child's cancellation (as a {@link CancelledException} failure, not as the
     * gather's own cancellation), fails it at once; the other children are not cancelled and keep
     * running. Cancelling the gather cancels every child, and it then ends with {@link
     * CancelledException} once they have all finished. An argument given twice is awaited once and its
     * value repeated. Any thread; the gather belongs to the caller's loop, or to the first child's.
     *
     * @param <T> the type of the values
     * @param awaitables the children, on any loops
     * @return an awaitable of the children's values, in argument order
     */
    @SafeVarargs
    public static <T> Awaitable<List<T>> gather(Awaitable<? extends T>... awaitables) {
        return gather(Arrays.asList(Objects.requireNonNull(awaitables, "awaitables")));
    }

    /**
     * As {@link #gather(Awaitable...)}, over a list.
     *
     * @param <T> the type of the values
     * @param awaitables the children, on any loops
     * @return an awaitable of the children's values, in list order
     */
    public static <T> Awaitable<List<T>> gather(List<? extends Awaitable<? extends T>> awaitables) {
        return startGather(awaitables, false);
    }

    /**
     * As {@link #gather(List)} with asyncio's {@code return_exceptions=True}: the list holds each value,
     * or the exception a child failed with, or a new {@link CancelledException} for a cancelled child.
     * Cancelling the gather still ends it with {@link CancelledException}.
     *
     * @param awaitables the children, on any loops
     * @return an awaitable of each child's value or exception, in list order
     */
    public static Awaitable<List<Object>> gatherReturningExceptions(List<? extends Awaitable<?>> awaitables) {
        return startGather(awaitables, true);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <T> Awaitable<List<T>> startGather(List<? extends Awaitable<?>> awaitables, boolean settle) {
        Objects.requireNonNull(awaitables, "awaitables");
        List<BaseAwaitable<? extends T>> children = new ArrayList<>(awaitables.size());
        for (Awaitable<?> a : awaitables) {
            children.add((BaseAwaitable<? extends T>) Objects.requireNonNull(a, "awaitables: a null element"));
        }
        EventLoop loop = EventLoop.current();
        if (loop == null) {
            if (children.isEmpty()) {
                throw new IllegalArgumentException("awaitables: nothing to gather outside a loop");
            }
            loop = children.get(0).loop;
        }
        Gather gather = new Gather(loop, children, settle);
        gather.start();
        return gather;
    }

    /**
     * Waits until {@code awaitables} satisfy {@code returnWhen} or {@code timeout} passes, and says which
     * are done (asyncio's {@code wait}). Never throws on time-out and never cancels anything. Suspends the
     * calling coroutine; returns at once if the condition already holds. A zero or negative {@code timeout}
     * returns after one turn of the loop with what is done by then; one too long for a {@code long} of
     * nanoseconds is no limit, as is {@code null}.
     *
     * @param timeout the longest wait, or {@code null} for none
     * @param <T> the type of the values
     * @param awaitables what to wait for; not empty
     * @param returnWhen when to return
     * @return the awaitables done and those still pending when the wait returned
     * @throws IllegalArgumentException if {@code awaitables} is empty
     * @throws NullPointerException if {@code awaitables} or {@code returnWhen} is {@code null}, or if {@code
     *     awaitables} holds {@code null}
     */
    public static <T> WaitResult<T> wait(
            Collection<? extends Awaitable<? extends T>> awaitables, ReturnWhen returnWhen, Duration timeout) {
        Objects.requireNonNull(awaitables, "awaitables");
        Objects.requireNonNull(returnWhen, "returnWhen");
        if (awaitables.isEmpty()) {
            throw new IllegalArgumentException("awaitables: wait() needs at least one awaitable");
        }
        requireNoNullElement(awaitables);
        Task<?> task = currentCoroutine("wait()");
        EventLoop loop = task.loop();
        Set<Awaitable<? extends T>> all = new LinkedHashSet<>(awaitables);
        if (!satisfied(all, returnWhen)) {
            Promise<Void> wake = new Promise<>(loop);
            List<Registration> registrations = new ArrayList<>(all.size());
            for (Awaitable<? extends T> a : all) {
                registrations.add(((BaseAwaitable<? extends T>) a).onDoneOn(loop, done -> {
                    if (satisfied(all, returnWhen)) {
                        wake.complete(null);
                    }
                }));
            }
            TimerHandle timer = timeout == null ? null : loop.schedule(timeout, () -> wake.complete(null));
            try {
                task.await(wake);
            } finally {
                if (timer != null) {
                    timer.cancel();
                }
                for (Registration r : registrations) {
                    r.remove();
                }
            }
        }
        Set<Awaitable<? extends T>> done = new LinkedHashSet<>();
        Set<Awaitable<? extends T>> pending = new LinkedHashSet<>();
        for (Awaitable<? extends T> a : all) {
            (a.isDone() ? done : pending).add(a);
        }
        return new WaitResult<>(done, pending);
    }

    private static void requireNoNullElement(Collection<? extends Awaitable<?>> awaitables) {
        for (Awaitable<?> a : awaitables) {
            Objects.requireNonNull(a, "awaitables: a null element");
        }
    }

    private static boolean satisfied(Collection<? extends Awaitable<?>> all, ReturnWhen returnWhen) {
        int done = 0;
        for (Awaitable<?> a : all) {
            if (a.isDone()) {
                done++;
                if (returnWhen == ReturnWhen.FIRST_COMPLETED) {
                    return true;
                }
                if (returnWhen == ReturnWhen.FIRST_EXCEPTION && !a.isCancelled() && failed(a)) {
                    return true;
                }
            }
        }
        return done == all.size();
    }

    private static boolean failed(Awaitable<?> a) {
        return a.state() == TaskState.FAILED;
    }

    /**
     * Iterates over {@code awaitables} in completion order (asyncio's {@code as_completed}); see {@link
     * AsCompleted}. Must be called from a coroutine task, which then iterates. A zero or negative {@code
     * timeout} is a deadline already passed: the first {@link AsCompleted#next()} that would wait throws
     * {@link TaskTimeoutException}; one too long for a {@code long} of nanoseconds is none, as is {@code
     * null}.
     *
     * @param timeout the deadline for the whole iteration, or {@code null} for none
     * @param <T> the type of the values
     * @param awaitables what to iterate over
     * @return an iterator to use from the calling task
     */
    public static <T> AsCompleted<T> asCompleted(List<? extends Awaitable<? extends T>> awaitables, Duration timeout) {
        Objects.requireNonNull(awaitables, "awaitables");
        requireNoNullElement(awaitables);
        Task<?> task = currentCoroutine("asCompleted()");
        EventLoop loop = task.loop();
        long deadline = timeout == null
                ? Long.MAX_VALUE
                : EventLoop.saturatedAdd(loop.time(), EventLoop.saturatedNanos(timeout));
        return new AsCompleted<>(loop, new ArrayList<>(new LinkedHashSet<>(awaitables)), deadline);
    }

    // ---------------------------------------------------------------------------------------------
    // Offloading blocking work
    // ---------------------------------------------------------------------------------------------

    /**
     * Runs blocking {@code work} on the engine's pinned worker pool and suspends the task until it
     * returns (asyncio's {@code run_in_executor}); the task resumes on its own loop with the value or the
     * exception. When the pool's queue is full the task waits for a slot (backpressure). Cancelling the
     * task withdraws work not yet started; running work finishes (see {@link OffloadPolicy}).
     *
     * @param <T> the type of the value
     * @param work the blocking code to run on a worker thread
     * @return the value {@code work} returned
     */
    public static <T> T offload(Callable<? extends T> work) {
        return offload(work, OffloadOptions.defaults());
    }

    /**
     * As {@link #offload(Callable)}, with a cancellation policy, a discard hook and context options.
     *
     * @param <T> the type of the value
     * @param work the blocking code to run on a worker thread
     * @param options how cancellation, discarded values and context are handled
     * @return the value {@code work} returned
     */
    public static <T> T offload(Callable<? extends T> work, OffloadOptions options) {
        Objects.requireNonNull(work, "work");
        Objects.requireNonNull(options, "options");
        Task<?> task = currentCoroutine("offload()");
        EventLoop loop = task.loop();
        WorkerPool pool = loop.engine().workerPool();
        OffloadJob<T> job = newJob(loop, work, options);
        while (!pool.tryEnqueue(job)) {
            Promise<Void> slot = pool.slotWaiter(loop);
            if (pool.tryEnqueue(job)) { // re-check AFTER registering: a slot freed meanwhile is not missed
                pool.dropSlotWaiter(slot);
                break;
            }
            try {
                task.await(slot);
            } catch (CancelledException cancelled) {
                pool.dropSlotWaiter(slot);
                throw cancelled;
            }
        }
        try {
            return task.await(job.result());
        } catch (CancelledException cancelled) {
            if (job.result().isCancelled()) {
                job.cancelled(); // our wait was cancelled: withdraw or interrupt the work
            } else {
                // The value completed our wait, but a cancel request reached the task before it resumed
                // (MUST_CANCEL): the await throws, so nobody will read the value.
                job.discardUnread();
            }
            throw cancelled;
        }
    }

    /**
     * Starts {@code work} on the worker pool if its queue has room and returns an awaitable of its
     * outcome, or {@code null} when the queue is full. Never suspends. Any thread of the engine's loops.
     *
     * @param <T> the type of the value
     * @param work the blocking code to run on a worker thread
     * @return an awaitable of the outcome of {@code work}, owned by the calling loop, or {@code null} if the
     *     worker pool's queue is full
     */
    public static <T> Awaitable<T> tryOffload(Callable<? extends T> work) {
        Objects.requireNonNull(work, "work");
        EventLoop loop = EventLoop.current();
        if (loop == null) {
            throw new IllegalStateException("tryOffload() must be called on a loop thread, not on "
                    + Thread.currentThread().getName());
        }
        OffloadJob<T> job = newJob(loop, work, OffloadOptions.defaults());
        return loop.engine().workerPool().tryEnqueue(job) ? job.result() : null;
    }

    private static <T> OffloadJob<T> newJob(EventLoop loop, Callable<? extends T> work, OffloadOptions options) {
        return new OffloadJob<>(
                work, new Promise<>(loop), options, options.propagatesContext() ? ContextKey.current() : null);
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
        throw (E) t;
    }
}
