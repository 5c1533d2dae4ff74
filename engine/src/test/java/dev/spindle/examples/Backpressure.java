package dev.spindle.examples;

import dev.spindle.engine.Async;
import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.Task;
import dev.spindle.engine.TaskGroup;
import dev.spindle.engine.channel.Channel;
import dev.spindle.engine.channel.ChannelClosedException;
import dev.spindle.engine.sync.Acquired;
import dev.spindle.engine.sync.Queue;
import dev.spindle.engine.sync.Semaphore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Guide, part 4: semaphores, bounded queues and channels as scheduling boundaries. */
public final class Backpressure {
    private Backpressure() {}

    public static void main(String[] args) {
        try (Engine engine = Engine.builder().loops(2).build()) {
            engine.runMain(() -> {
                // tag::semaphore[]
                Semaphore connections = new Semaphore(2); // at most two requests in flight
                int[] inFlight = {0, 0};
                TaskGroup.run(group -> {
                    for (int i = 0; i < 6; i++) {
                        group.spawn(() -> {
                            try (Acquired permit = connections.acquire()) { // suspends while both are taken
                                inFlight[1] = Math.max(inFlight[1], ++inFlight[0]);
                                Async.sleep(Duration.ofMillis(5));
                                inFlight[0]--;
                            }
                            return null;
                        });
                    }
                    return null;
                });
                System.out.println("most requests at once: " + inFlight[1] + ", permits back: " + connections.value());
                // end::semaphore[]

                // tag::queue[]
                Queue<String> jobs = new Queue<>(2); // put() suspends while two jobs wait
                Task<List<String>> worker = Task.current().loop().spawn(() -> {
                    List<String> done = new ArrayList<>();
                    for (int i = 0; i < 5; i++) {
                        done.add(jobs.get());
                        jobs.taskDone();
                    }
                    return done;
                });
                for (String job : List.of("a", "b", "c", "d", "e")) {
                    jobs.put(job);
                }
                jobs.join(); // until every job was marked done
                System.out.println("worker did " + Async.await(worker));
                // end::queue[]

                // tag::channel[]
                Channel<Integer> readings = Channel.mpsc(4); // bounded, across loops and threads
                EventLoop other = engine.loop(1);
                Task<Integer> consumer = other.spawn("consumer", () -> {
                    int sum = 0;
                    try {
                        while (true) {
                            sum += readings.receive(); // suspends while empty
                        }
                    } catch (ChannelClosedException drained) {
                        return sum; // closed and every item received
                    }
                });
                for (int i = 1; i <= 100; i++) {
                    readings.send(i); // suspends while full: the producer cannot outrun the consumer
                }
                readings.close();
                System.out.println("consumer on " + other.name() + " summed " + Async.await(consumer));
                // end::channel[]
                return null;
            });
        }
    }
}
