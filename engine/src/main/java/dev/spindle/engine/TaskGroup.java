package dev.spindle.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Structured concurrency (asyncio's {@code TaskGroup}): children spawned into a group are awaited
 * before the group's scope ends, and the first failure cancels the others and the body.
 *
 * <pre>{@code
 * List<String> pages = TaskGroup.run(group -> {            // or: try (var group = TaskGroup.open()) {…}
 *     Task<String> a = group.spawn(() -> fetch("a"));
 *     Task<String> b = group.spawnOn(engine.loop(1), () -> fetch("b"));
 *     return List.of(a, b);
 * }).stream().map(Task::result).toList();
 * }</pre>
 *
 * <p>Rules (A8): a child failing with anything but cancellation aborts the group: every other child is
 * cancelled, and so is the body, once. When all children are done the group throws, in this order of
 * precedence: an {@link Error} from a child or the body, bare; a {@link TaskGroupException} holding
 * every failure (the body's too); a {@link CancelledException} if the task running the group was
 * cancelled from outside. Cancel requests the group made itself are withdrawn exactly, so none leaks
 * out of the group. {@link #cancel()} stops the group without an error; a cancel of the task from outside
 * that arrives while the group winds down still propagates as {@link CancelledException}.
 *
 * <p><b>Threads:</b> the group is bound to the loop of the coroutine task that entered it. {@code spawn}
 * and {@link #cancel()} may be called by any task on that loop (a child may spawn its siblings, as with
 * asyncio), and {@code close} by the task that entered it; called on another thread than that loop's, they
 * throw {@link IllegalStateException}. A group may be created anywhere, but only entered from a coroutine
 * task. Its children may run on any loop ({@link #spawnOn}); children on other loops report to the group
 * through its loop's internal queue.
 *
 * <p>{@link #run} sees an exception thrown by the body and follows asyncio exactly. With
 * try-with-resources, {@link #close()} cannot see the body's exception: a body that throws should catch
 * and pass it to {@link #close(Throwable)}, or use {@link #run}.
 */
public final class TaskGroup implements AutoCloseable {
    private enum Phase {
        NEW,
        ENTERED,
        EXITING,
        FINISHED
    }

    private Task<?> parent;
    private EventLoop loop;
    private Phase phase = Phase.NEW;
    private boolean aborting;
    private boolean parentCancelRequested;
    private boolean cancelledBeforeEntry;
    private final Set<Task<?>> children = Collections.newSetFromMap(new IdentityHashMap<>());
    private final List<Throwable> errors = new ArrayList<>();
    private Error baseError;
    private Promise<Void> onCompleted;

    /** A group that is not entered yet: call {@link #enter()} from the coroutine task that will own it. */
    public TaskGroup() {}

    /**
     * Creates and enters a group owned by the calling coroutine task.
     *
     * @return the entered group
     * @throws IllegalStateException if not called from a coroutine task
     */
    public static TaskGroup open() {
        return new TaskGroup().enter();
    }

    /**
     * Runs {@code body} with a new group and returns its value once every child is done, following A8
     * in full, including the body's own exceptions.
     *
     * @param <T> the type of the body's value
     * @param body spawns the children and returns the group's value
     * @return the body's value, once every child is done
     */
    public static <T> T run(GroupBody<T> body) {
        Objects.requireNonNull(body, "body");
        TaskGroup group = open();
        T value;
        try {
            value = body.run(group);
        } catch (Throwable failure) {
            // Throws what the group decides; returns only when the failure was the group's own
            // cancellation of its body, which stays inside the group.
            group.close(failure);
            return null;
        }
        group.close();
        return value;
    }

    /**
     * The body of {@link #run}.
     *
     * <p><b>Threads:</b> called once, inline, by the coroutine task that runs the group, on its loop.
     *
     * @param <T> the type of the body's value
     */
    @FunctionalInterface
    public interface GroupBody<T> {
        /**
         * Spawns children into {@code group} and returns a value.
         *
         * @param group the group to spawn children into, entered by the calling task
         * @return the value {@link TaskGroup#run} returns once every child is done
         * @throws Exception any failure, which the group handles as a body failure
         */
        T run(TaskGroup group) throws Exception;
    }

    /**
     * Enters the group: the calling coroutine task becomes its parent.
     *
     * @return this group
     * @throws IllegalStateException if already entered, or not called from a coroutine task
     */
    public TaskGroup enter() {
        if (phase != Phase.NEW) {
            throw new IllegalStateException("TaskGroup " + this + " has already been entered");
        }
        Task<?> task = Task.current();
        if (task == null || !task.isCoroutine()) {
            throw new IllegalStateException(
                    "TaskGroup cannot determine the parent task: enter it from a coroutine task");
        }
        parent = task;
        loop = task.loop();
        phase = Phase.ENTERED;
        if (cancelledBeforeEntry) {
            cancel();
        }
        return this;
    }

    /**
     * Spawns a child on the parent's loop; see {@link #spawnOn(EventLoop, String, Callable)}.
     *
     * @param <T> the type of the child's value
     * @param body the child's code, run as a coroutine task
     * @return the child task
     */
    public <T> Task<T> spawn(Callable<? extends T> body) {
        return spawnOn(loopOrFail(), null, body);
    }

    /**
     * Spawns a named child on the parent's loop.
     *
     * @param <T> the type of the child's value
     * @param name the child's name
     * @param body the child's code, run as a coroutine task
     * @return the child task
     */
    public <T> Task<T> spawn(String name, Callable<? extends T> body) {
        return spawnOn(loopOrFail(), name, body);
    }

    /**
     * Spawns a child on {@code target}.
     *
     * @param <T> the type of the child's value
     * @param target the loop the child runs on
     * @param body the child's code, run as a coroutine task
     * @return the child task
     */
    public <T> Task<T> spawnOn(EventLoop target, Callable<? extends T> body) {
        return spawnOn(target, null, body);
    }

    /**
     * Spawns a named child coroutine task on {@code target}, which the group will await.
     *
     * @param <T> the type of the child's value
     * @param target the loop the child runs on
     * @param name the child's name, or {@code null} for a default one
     * @param body the child's code, run as a coroutine task
     * @return the child task
     * @throws IllegalStateException if the group has not been entered, is finished, or is shutting down
     *     after a failure, naming the reason; or if called outside the owning task's loop
     */
    public <T> Task<T> spawnOn(EventLoop target, String name, Callable<? extends T> body) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(body, "body");
        checkOwner("spawn");
        if (phase == Phase.NEW) {
            throw new IllegalStateException("TaskGroup " + this + " has not been entered");
        }
        if (phase == Phase.FINISHED || (phase == Phase.EXITING && children.isEmpty())) {
            throw new IllegalStateException("TaskGroup " + this + " is finished");
        }
        if (aborting) {
            throw new IllegalStateException("TaskGroup " + this + " is shutting down");
        }
        Task<T> child = target.spawn(name, body);
        children.add(child);
        child.onDoneOn(loop, done -> childDone(child));
        return child;
    }

    private EventLoop loopOrFail() {
        if (loop == null) {
            throw new IllegalStateException("TaskGroup " + this + " has not been entered");
        }
        return loop;
    }

    private void checkOwner(String operation) {
        if (loop != null && !loop.inLoop()) {
            throw new IllegalStateException("TaskGroup." + operation + "() must be called on " + loop.name()
                    + ", the loop of its task, not on " + Thread.currentThread().getName());
        }
    }

    /** On the group's loop, once per child. */
    private void childDone(Task<?> child) {
        children.remove(child);
        if (phase == Phase.EXITING && children.isEmpty() && onCompleted != null) {
            onCompleted.complete(null);
        }
        if (child.isCancelled()) {
            return;
        }
        Throwable failure = child.exception();
        if (failure == null) {
            return;
        }
        errors.add(failure);
        if (failure instanceof Error error && baseError == null) {
            baseError = error;
        }
        if (!aborting && !parentCancelRequested) {
            abort();
            parentCancelRequested = true;
            parent.cancel();
        }
    }

    private void abort() {
        aborting = true;
        for (Task<?> child : new ArrayList<>(children)) {
            if (!child.isDone()) {
                child.cancel();
            }
        }
    }

    /**
     * Stops the group without an error: cancels every child and the body, and the group then ends
     * without {@link CancelledException} (CPython 3.15's {@code TaskGroup.cancel}). Idempotent; before
     * entry it takes effect on entry; after the group finished it does nothing.
     */
    public void cancel() {
        if (phase == Phase.NEW) {
            cancelledBeforeEntry = true;
            return;
        }
        checkOwner("cancel");
        if (phase == Phase.FINISHED) {
            return;
        }
        if (!aborting) {
            abort();
        }
        if (!parentCancelRequested) {
            parentCancelRequested = true;
            parent.cancel();
        }
    }

    /** Waits for every child, the body having completed normally; see {@link #close(Throwable)}. */
    @Override
    public void close() {
        close(null);
    }

    /**
     * Leaves the group after its body, which threw {@code bodyFailure} (or {@code null} if it completed):
     * aborts on a body failure, waits for every child (through repeated outside cancels), then throws as
     * the class documentation says, or returns normally.
     *
     * @param bodyFailure what the body threw, or {@code null} if it completed normally
     */
    public void close(Throwable bodyFailure) {
        checkOwner("close");
        if (phase != Phase.ENTERED) {
            throw new IllegalStateException(
                    "TaskGroup " + this + (phase == Phase.NEW ? " has not been entered" : " is finished"));
        }
        phase = Phase.EXITING;
        if (bodyFailure instanceof Error error && baseError == null) {
            baseError = error;
        }
        CancelledException propagateCancellation = bodyFailure instanceof CancelledException c ? c : null;
        if (bodyFailure != null && !aborting) {
            abort();
        }
        while (!children.isEmpty()) {
            onCompleted = new Promise<>(loop);
            try {
                Async.await(onCompleted);
            } catch (CancelledException cancelled) {
                // The group's own request or one from outside: which, uncancel() tells below. Kept even
                // while aborting, so an outside cancel landing after cancel() or a child's failure is not
                // swallowed (asyncio gh-155433).
                propagateCancellation = cancelled;
                if (!aborting) {
                    abort(); // the parent is cancelled from outside
                }
            }
            onCompleted = null;
        }
        phase = Phase.FINISHED;
        if (baseError != null) {
            throw baseError;
        }
        if (parentCancelRequested && parent.uncancel() == 0) {
            propagateCancellation = null; // only our own request was pending: it stays inside the group
        }
        if (propagateCancellation != null && errors.isEmpty()) {
            throw propagateCancellation;
        }
        if (bodyFailure != null && !(bodyFailure instanceof CancelledException)) {
            errors.add(bodyFailure);
        }
        if (!errors.isEmpty()) {
            if (parent.cancelling() > 0) {
                // Cancelled from outside as well: keep the count stable and re-arm the request.
                parent.uncancel();
                parent.cancel();
            }
            throw new TaskGroupException("unhandled errors in a TaskGroup", errors);
        }
    }

    @Override
    public String toString() {
        return "TaskGroup[" + phase.name().toLowerCase(java.util.Locale.ROOT)
                + (aborting ? " aborting" : "") + ", " + children.size() + " children"
                + (parent == null ? "" : ", of " + parent.name()) + "]";
    }
}
