package dev.spindle.bench;

import dev.spindle.engine.Async;
import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.Promise;
import dev.spindle.engine.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Spindle's half of {@code ./spindle bench --vs-asyncio} ({@code bench/vs-asyncio.sh}): the two
 * workloads of {@code bench/asyncio_compare.py}, written the same way, on a one-loop engine (asyncio
 * runs one loop on one thread):
 *
 * <ul>
 *   <li>{@code spawn}: a coroutine spawns {@code tasks} trivial coroutine tasks on its loop and awaits
 *       {@code gather} of them; ns per task.
 *   <li>{@code pingpong}: two coroutine tasks on the loop exchange {@code tasks} round trips through
 *       fresh promises (each side completes the other's promise with its own next one); ns per round
 *       trip.
 * </ul>
 *
 * Each repetition is timed inside the driver coroutine, on the loop, as the Python side times inside its
 * coroutine. Prints the medians and writes them as JSON to {@code --out}.
 *
 * <p>Usage: {@code AsyncioCompare [--tasks N] [--warmup W] [--reps R] [--out FILE]}.
 */
public final class AsyncioCompare {
    private static final Callable<Integer> TRIVIAL = () -> 1;

    private AsyncioCompare() {}

    public static void main(String[] args) throws IOException {
        int tasks = 200_000;
        int warmup = 5;
        int reps = 5;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--tasks" -> tasks = Integer.parseInt(require(args[i], value));
                case "--warmup" -> warmup = Integer.parseInt(require(args[i], value));
                case "--reps" -> reps = Integer.parseInt(require(args[i], value));
                case "--out" -> out = Path.of(require(args[i], value));
                default ->
                    throw new IllegalArgumentException("unknown argument '" + args[i]
                            + "'; usage: AsyncioCompare [--tasks N] [--warmup W] [--reps R] [--out FILE]");
            }
            i++;
        }
        if (tasks < 1 || reps < 1 || warmup < 0) {
            throw new IllegalArgumentException("--tasks and --reps must be positive, --warmup not negative");
        }
        double spawn;
        double pingpong;
        try (Engine engine = Engine.builder().loops(1).build()) {
            EventLoop loop = engine.loop(0);
            final int n = tasks;
            spawn = median(loop, () -> spawn(loop, n), warmup, reps) / n;
            pingpong = median(loop, () -> pingPong(loop, n), warmup, reps) / n;
        }
        String json = String.format(
                Locale.ROOT, "{\"spawn_ns\": %.2f, \"pingpong_ns\": %.2f, \"tasks\": %d}%n", spawn, pingpong, tasks);
        System.out.printf(
                Locale.ROOT,
                "spindle: spawn+gather %.1f ns/task, ping-pong %.1f ns/round trip"
                        + " (%d tasks, median of %d after %d warm-up)%n",
                spawn,
                pingpong,
                tasks,
                reps,
                warmup);
        if (out != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, json);
        }
    }

    private static String require(String flag, String value) {
        if (value == null) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return value;
    }

    /** Runs {@code body} as a coroutine task {@code warmup + reps} times; the median of its ns results. */
    private static double median(EventLoop loop, Callable<Long> body, int warmup, int reps) {
        for (int i = 0; i < warmup; i++) {
            loop.spawn(body).join();
        }
        long[] times = new long[reps];
        for (int i = 0; i < reps; i++) {
            times[i] = loop.spawn(body).join();
        }
        Arrays.sort(times);
        return reps % 2 == 1 ? times[reps / 2] : (times[reps / 2 - 1] + times[reps / 2]) / 2.0;
    }

    /** Spawns {@code n} trivial tasks and gathers them; the elapsed ns. */
    private static long spawn(EventLoop loop, int n) {
        long start = System.nanoTime();
        List<Task<Integer>> children = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            children.add(loop.spawn(TRIVIAL));
        }
        List<Integer> values = Async.await(Async.gather(children));
        long elapsed = System.nanoTime() - start;
        if (values.size() != n) {
            throw new IllegalStateException("gathered " + values.size() + " of " + n);
        }
        return elapsed;
    }

    /** {@code n} round trips between this task and a responder on the same loop; the elapsed ns. */
    @SuppressWarnings("unchecked")
    private static long pingPong(EventLoop loop, int n) {
        Promise<Object> first = new Promise<>(loop);
        Task<Void> responder = loop.spawn(() -> {
            Promise<Object> mine = first;
            for (int i = 0; i < n; i++) {
                Promise<Object> replyTo = (Promise<Object>) Async.await(mine);
                mine = new Promise<>(loop);
                replyTo.complete(mine);
            }
            return null;
        });
        long start = System.nanoTime();
        Promise<Object> peer = first;
        for (int i = 0; i < n; i++) {
            Promise<Object> mine = new Promise<>(loop);
            peer.complete(mine);
            peer = (Promise<Object>) Async.await(mine);
        }
        long elapsed = System.nanoTime() - start;
        Async.await(responder);
        return elapsed;
    }
}
