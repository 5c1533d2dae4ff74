package dev.spindle.examples;

import dev.spindle.engine.Async;
import dev.spindle.engine.ContextKey;
import dev.spindle.engine.Engine;
import dev.spindle.engine.Task;
import java.time.Duration;

/** Guide, part 1: creating, naming and awaiting tasks; context that follows a task. */
public final class FirstTasks {
    private FirstTasks() {}

    // tag::context-key[]
    static final ContextKey<String> REQUEST_ID = ContextKey.withDefault("request-id", "none");
    // end::context-key[]

    public static void main(String[] args) {
        // tag::first-tasks[]
        String greeting = Engine.run(() -> {
            REQUEST_ID.set("req-42"); // the main task's own context

            Task<String> name = Task.current().loop().spawn("lookup-name", () -> {
                Async.sleep(Duration.ofMillis(10)); // suspends this task only; the loop runs others
                return "Ada (" + REQUEST_ID.get() + ")"; // copied from its creator
            });
            Task<Integer> visits = Task.current().loop().spawn("count-visits", () -> 3);

            return "Hello " + Async.await(name) + ", visit #" + Async.await(visits) + " [" + name.name() + " was "
                    + name.state() + "]";
        });
        System.out.println(greeting);
        // end::first-tasks[]
    }
}
