package dev.spindle.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Callable;

/**
 * One piece of offloaded work: the callable, the promise its task awaits, and a state word that decides,
 * by CAS, between the worker starting it and the task's cancellation withdrawing it.
 *
 * <pre>
 *   QUEUED ──worker──► RUNNING ─────────────────────────────► DONE
 *     │                   └─cancel(INTERRUPT)─► INTERRUPTING ─► INTERRUPTED ─► DONE
 *     └──cancel──► WITHDRAWN (never runs)
 * </pre>
 *
 * The INTERRUPTING hand-shake keeps an interrupt from leaking into the worker's next job: the canceller
 * interrupts only while it holds INTERRUPTING, and the worker, finishing, waits out INTERRUPTING and
 * then clears its interrupt flag.
 */
final class OffloadJob<T> {
    private static final int QUEUED = 0;
    private static final int RUNNING = 1;
    private static final int DONE = 2;
    private static final int WITHDRAWN = 3;
    private static final int INTERRUPTING = 4;
    private static final int INTERRUPTED = 5;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(OffloadJob.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Callable<? extends T> work;
    private final Promise<T> result;
    private final OffloadOptions options;
    /** The context the work runs in: the offloading task's, or an empty one; never the worker's last. */
    private final Context context;

    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;

    /** The worker running the job; written BEFORE the CAS to RUNNING, so a canceller that sees RUNNING sees it. */
    private Thread runner;

    OffloadJob(Callable<? extends T> work, Promise<T> result, OffloadOptions options, Context context) {
        this.work = work;
        this.result = result;
        this.options = options;
        this.context = context == null ? Context.EMPTY : context;
    }

    Promise<T> result() {
        return result;
    }

    /** On a worker: runs the job unless it was withdrawn, and delivers the outcome. */
    void run() {
        runner = Thread.currentThread();
        if (!STATE.compareAndSet(this, QUEUED, RUNNING)) {
            return; // withdrawn by a cancel before it started
        }
        T value;
        try {
            value = ContextKey.callWith(context, work);
        } catch (Throwable failure) {
            finish();
            result.fail(failure);
            return;
        }
        finish();
        if (!result.complete(value)) {
            discard(value); // the wait was cancelled first: the task will never read it
        }
    }

    /**
     * On the task's loop: the value completed the task's wait, but a cancel request reached the task before
     * it resumed, so its await threw instead of returning the value. Exactly one of this and the worker's
     * failed {@code complete} sees a value nobody reads, so the hook gets each value at most once.
     */
    void discardUnread() {
        if (result.state() == TaskState.SUCCEEDED) {
            discard(result.result());
        }
    }

    private void discard(T value) {
        if (options.onDiscard() != null && value != null) {
            try {
                options.onDiscard().accept(value);
            } catch (Throwable hookFailure) {
                result.loop().report("Exception in offload discard hook", hookFailure, this);
            }
        }
    }

    private void finish() {
        for (; ; ) {
            int s = (int) STATE.getVolatile(this);
            if (s == RUNNING && STATE.compareAndSet(this, RUNNING, DONE)) {
                return;
            }
            if (s == INTERRUPTED) {
                STATE.setRelease(this, DONE);
                Thread.interrupted(); // the interrupt was for this job only
                return;
            }
            Thread.onSpinWait(); // INTERRUPTING: the canceller is between its CAS and its release
        }
    }

    /** The awaiting task was cancelled: withdraw the job, or interrupt it if the policy says so. */
    void cancelled() {
        if (STATE.compareAndSet(this, QUEUED, WITHDRAWN)) {
            return;
        }
        if (options.policy() == OffloadPolicy.INTERRUPT && STATE.compareAndSet(this, RUNNING, INTERRUPTING)) {
            runner.interrupt();
            STATE.setRelease(this, INTERRUPTED);
        }
    }

    /** At shutdown: a job that never started is withdrawn and its promise cancelled. */
    void abandon(String reason) {
        if (STATE.compareAndSet(this, QUEUED, WITHDRAWN)) {
            result.cancel(reason);
        }
    }
}
