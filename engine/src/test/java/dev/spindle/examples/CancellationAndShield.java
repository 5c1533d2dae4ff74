package dev.spindle.examples;

import dev.spindle.engine.Async;
import dev.spindle.engine.Awaitable;
import dev.spindle.engine.CancelledException;
import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.Task;
import dev.spindle.engine.TaskTimeoutException;
import java.time.Duration;

/** Guide, part 3: cancellation with cleanup, shield, timeouts. */
public final class CancellationAndShield {
    private CancellationAndShield() {}

    public static void main(String[] args) {
        Engine.run(() -> {
            EventLoop loop = Task.current().loop();

            // tag::cleanup[]
            Task<Void> worker = loop.spawn("worker", () -> {
                try {
                    Async.sleep(Duration.ofHours(1));
                } catch (CancelledException e) {
                    System.out.println("worker: cleaning up after '" + e.cancelMessage() + "'");
                    throw e; // re-throw: the task ends CANCELLED
                }
                return null;
            });
            Async.yieldNow(); // let the worker start and suspend
            worker.cancel("deploy");
            try {
                Async.await(worker);
            } catch (CancelledException e) {
                System.out.println("worker is " + worker.state());
            }
            // end::cleanup[]

            // tag::shield[]
            Task<String> save = loop.spawn("save", () -> {
                Async.sleep(Duration.ofMillis(20));
                return "saved";
            });
            Task<String> request = loop.spawn("request", () -> Async.await(Async.shield(save)));
            Async.yieldNow();
            request.cancel(); // the request gives up...
            String saved = Async.await(save); // ...the save still finishes
            System.out.println("save: " + saved + ", request cancelled: " + request.isCancelled());
            // end::shield[]

            // tag::timeout[]
            try {
                Async.timeout(Duration.ofMillis(50), scope -> {
                    Async.sleep(Duration.ofSeconds(5));
                    return "too slow";
                });
            } catch (TaskTimeoutException e) {
                System.out.println(
                        "timed out; the cause is " + e.getCause().getClass().getSimpleName());
            }
            Awaitable<String> quick = loop.spawn(() -> "quick");
            System.out.println("waitFor: " + Async.waitFor(quick, Duration.ofSeconds(1)));
            // end::timeout[]
            return null;
        });
    }
}
