package dev.spindle.engine;

import dev.spindle.engine.internal.jfr.LoopStallEvent;
import java.util.Arrays;
import java.util.stream.Collectors;
import jdk.jfr.FlightRecorder;

/**
 * Debug mode's watchdog: a daemon thread that looks at every loop a few times per threshold and reports
 * a loop whose current iteration has run longer than the threshold, once per stalled iteration, with the
 * loop thread's stack.
 */
final class StallDetector implements Runnable {
    private final EventLoop[] loops;
    private final long thresholdNanos;
    private final long[] reportedIteration;
    private volatile boolean stopped;
    private final Thread thread;

    StallDetector(EventLoop[] loops, long thresholdNanos) {
        this.loops = loops;
        this.thresholdNanos = thresholdNanos;
        this.reportedIteration = new long[loops.length];
        Arrays.fill(reportedIteration, -1);
        this.thread = new Thread(this, "spindle-watchdog");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() {
        stopped = true;
        thread.interrupt();
    }

    @Override
    public void run() {
        long period = Math.max(1_000_000L, thresholdNanos / 4);
        while (!stopped) {
            java.util.concurrent.locks.LockSupport.parkNanos(period);
            for (int i = 0; i < loops.length; i++) {
                check(i);
            }
        }
    }

    private void check(int i) {
        EventLoop loop = loops[i];
        long started = loop.iterationStartedNanos();
        long iteration = loop.iterationNumber();
        if (started == 0 || reportedIteration[i] == iteration) {
            return;
        }
        long running = System.nanoTime() - started;
        if (running < thresholdNanos || loop.iterationStartedNanos() != started) {
            return;
        }
        reportedIteration[i] = iteration;
        StackTraceElement[] stack = loop.thread().getStackTrace();
        Task<?> task = loop.currentTask();
        String message = String.format(
                "%s stalled: an iteration has run for %.3f seconds%s",
                loop.name(), running / 1e9, task == null ? "" : " in " + task);
        LoopStallEvent event = FlightRecorder.isInitialized() ? new LoopStallEvent() : null;
        if (event != null && event.isEnabled()) {
            event.loop = loop.name();
            event.task = task == null ? null : task.name();
            event.nanos = running;
            event.stack = Arrays.stream(stack).map(String::valueOf).collect(Collectors.joining("\n"));
            event.commit();
        }
        // Reported after the event is committed, so whoever hears of the stall finds it recorded.
        loop.report(message, new LoopStallException(message, stack), task != null ? task : loop);
    }
}
