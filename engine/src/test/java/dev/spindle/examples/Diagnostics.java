package dev.spindle.examples;

import dev.spindle.engine.Async;
import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.Promise;
import dev.spindle.engine.Task;
import java.time.Duration;

/** Guide, part 6: debug mode, task dumps. */
public final class Diagnostics {
    private Diagnostics() {}

    public static void main(String[] args) {
        // tag::debug[]
        try (Engine engine = Engine.builder()
                .loops(1)
                .debug(true) // or -Dspindle.debug=true, or SPINDLE_DEBUG=1
                .slowStepThreshold(Duration.ofMillis(20))
                .exceptionHandler((message, error, source) -> System.out.println("reported: " + message))
                .build()) {
            EventLoop loop = engine.loop(0);
            Promise<String> reply = loop.newPromise();
            Task<String> inner = loop.spawn("fetch", () -> Async.await(reply));
            Task<String> outer = loop.spawn("handler", () -> Async.await(inner));
            loop.submit(() -> null).join(); // let both start
            System.out.print(engine.dumpTasks()); // who awaits what, and for how long
            reply.complete("done");
            System.out.println(outer.join());
        }
        // end::debug[]
    }
}
