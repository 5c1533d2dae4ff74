package dev.spindle.examples;

import dev.spindle.engine.Async;
import dev.spindle.engine.Engine;
import dev.spindle.engine.Task;
import dev.spindle.engine.TaskGroup;
import dev.spindle.engine.TaskGroupException;
import java.time.Duration;
import java.util.List;

/** Guide, part 5: TaskGroup fan-out across loops, failure handling, offloading blocking work. */
public final class GroupsAndOffload {
    private GroupsAndOffload() {}

    static String fetch(String page) {
        Async.sleep(Duration.ofMillis(page.length())); // stands for network I/O
        return page.toUpperCase(java.util.Locale.ROOT);
    }

    public static void main(String[] args) {
        try (Engine engine = Engine.builder().loops(2).workers(2).build()) {
            String report = engine.runMain(() -> {
                // tag::fan-out[]
                List<Task<String>> pages = TaskGroup.run(group -> List.of(
                        group.spawn(() -> fetch("home")),
                        group.spawnOn(engine.loop(1), () -> fetch("about")))); // children on any loop
                String joined =
                        String.join("+", pages.stream().map(Task::result).toList());
                // end::fan-out[]

                // tag::group-failure[]
                try {
                    TaskGroup.run(group -> {
                        group.spawn(() -> fetch("slow page that gets cancelled"));
                        group.spawn(() -> {
                            throw new IllegalStateException("backend down");
                        });
                        return null;
                    });
                } catch (TaskGroupException e) {
                    System.out.println("group failed: " + e.errors().get(0).getMessage() + "; cancelling() is back to "
                            + Task.current().cancelling());
                }
                // end::group-failure[]

                // tag::offload[]
                long checksum = Async.offload(() -> {
                    long sum = 0; // blocking or CPU-heavy work runs on the pinned worker pool
                    for (byte b : java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/self/status"))) {
                        sum += b;
                    }
                    return sum;
                });
                // end::offload[]
                return joined + " checksum>0=" + (checksum > 0);
            });
            System.out.println(report);
        }
    }
}
