package dev.spindle.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Builds structures {@code depth} levels deep through the public API, cancels or completes them from a
 * thread outside the engine, and prints one line per structure: how many levels reached which terminal
 * state, and how many reports the handlers saw. Run in a fresh JVM with a small thread stack by {@link
 * DeepChainTest}, so the outcome depends neither on the JIT nor on a large stack.
 */
public final class DeepChainProbe {
    private static final Duration BOUND = Duration.ofSeconds(120);

    private DeepChainProbe() {}

    public static void main(String[] args) throws Exception {
        int depth = Integer.parseInt(args[0]);
        List<Throwable> reports = new CopyOnWriteArrayList<>();
        try (Engine engine = Engine.builder()
                .loops(2)
                .exceptionHandler((message, error, source) -> reports.add(error))
                .fatalHandler((message, error, source) -> reports.add(error))
                .build()) {
            EventLoop loop = engine.loop(0);
            say("await-chain-cancel", cancelAwaitChain(loop, depth), reports);
            say("await-chain-complete", completeAwaitChain(loop, depth), reports);
            say("cross-loop-chain-cancel", cancelCrossLoopChain(engine, depth), reports);
            say("gather-nest-cancel", cancelNestedGathers(loop, depth), reports);
            say("group-nest-cancel", cancelNestedGroups(loop, depth), reports);
            String dump = engine.dumpTasks();
            System.out.println("dump-lines=" + dump.lines().count());
        }
    }

    private static void say(String what, String outcome, List<Throwable> reports) {
        System.out.println(what + " " + outcome + " reports=" + reports.size()
                + (reports.isEmpty() ? "" : " first=" + reports.get(0)));
    }

    /** Task i awaits task i+1; the innermost awaits a promise that never completes. */
    private static String cancelAwaitChain(EventLoop loop, int depth) throws Exception {
        Promise<Integer> never = loop.newPromise();
        List<Task<Integer>> chain = buildChain(loop, loop, depth, never);
        awaitSuspended(chain);
        boolean accepted = chain.get(0).cancel("deep");
        return "accepted=" + accepted + " " + tally(chain);
    }

    /** The same chain, ended by completing the innermost promise: the value travels back up. */
    private static String completeAwaitChain(EventLoop loop, int depth) throws Exception {
        Promise<Integer> last = loop.newPromise();
        List<Task<Integer>> chain = buildChain(loop, loop, depth, last);
        awaitSuspended(chain);
        last.complete(7);
        return "value=" + chain.get(0).get(BOUND) + " " + tally(chain);
    }

    /** Tasks alternate between two loops. */
    private static String cancelCrossLoopChain(Engine engine, int depth) throws Exception {
        int n = Math.max(2, depth / 10); // every hop crosses a queue: a tenth of the depth is plenty
        Promise<Integer> never = engine.loop(1).newPromise();
        List<Task<Integer>> chain = buildChain(engine.loop(0), engine.loop(1), n, never);
        awaitSuspended(chain);
        boolean accepted = chain.get(0).cancel("deep");
        return "accepted=" + accepted + " " + tally(chain);
    }

    private static List<Task<Integer>> buildChain(EventLoop even, EventLoop odd, int depth, Awaitable<Integer> last)
            throws Exception {
        // Spawned on a loop (its own ready queue is unbounded), from the innermost out, so each task
        // awaits one that already exists.
        return even.submit(() -> {
                    Task<?>[] chain = new Task<?>[depth];
                    Awaitable<Integer> next = last;
                    for (int i = depth - 1; i >= 0; i--) {
                        Awaitable<Integer> awaited = next;
                        Task<Integer> t = (i % 2 == 0 ? even : odd).spawn("level-" + i, () -> Async.await(awaited));
                        chain[i] = t;
                        next = t;
                    }
                    @SuppressWarnings("unchecked")
                    List<Task<Integer>> list = (List<Task<Integer>>) (List<?>) List.of(chain);
                    return list;
                })
                .get(BOUND);
    }

    /** gather(gather(...gather(never)...)), awaited by one task; the outermost gather is cancelled. */
    private static String cancelNestedGathers(EventLoop loop, int depth) throws Exception {
        Promise<Integer> never = loop.newPromise();
        List<Awaitable<?>> levels = loop.submit(() -> {
                    List<Awaitable<?>> all = new ArrayList<>(depth);
                    Awaitable<?> inner = never;
                    for (int i = 0; i < depth; i++) {
                        inner = Async.gather(inner);
                        all.add(inner);
                    }
                    return all;
                })
                .get(BOUND);
        Awaitable<?> outermost = levels.get(levels.size() - 1);
        boolean accepted = outermost.cancel("deep");
        for (Awaitable<?> level : levels) {
            waitDone(level);
        }
        int cancelled = 0;
        for (Awaitable<?> level : levels) {
            if (level.exception() instanceof CancelledException) {
                cancelled++;
            }
        }
        return "accepted=" + accepted + " innermost=" + never.state() + " levels=" + levels.size() + " cancelled="
                + cancelled;
    }

    /** Each level runs a TaskGroup whose one child runs the next level's group; the innermost never ends. */
    private static String cancelNestedGroups(EventLoop loop, int depth) throws Exception {
        int n = Math.max(1, depth / 10); // each level is a task plus a group: a tenth keeps the heap small
        List<Task<?>> tasks = new CopyOnWriteArrayList<>();
        Promise<Integer> never = loop.newPromise();
        Task<Integer> outer = loop.spawn("group-0", () -> nest(1, n, tasks, never));
        tasks.add(outer);
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (tasks.size() < n || !allSuspended(tasks)) {
            if (System.nanoTime() > deadline) {
                return "did not build: " + tasks.size();
            }
            Thread.onSpinWait();
        }
        boolean accepted = outer.cancel("deep");
        return "accepted=" + accepted + " " + tally(tasks);
    }

    private static Integer nest(int level, int n, List<Task<?>> tasks, Promise<Integer> never) throws Exception {
        if (level == n) {
            return Async.await(never);
        }
        return TaskGroup.run(group -> {
            Task<Integer> child = group.spawn("group-" + level, () -> nest(level + 1, n, tasks, never));
            tasks.add(child);
            return 0;
        });
    }

    private static boolean allSuspended(List<? extends Task<?>> tasks) {
        for (Task<?> t : tasks) {
            if (t.state() != TaskState.SUSPENDED) {
                return false;
            }
        }
        return true;
    }

    private static void awaitSuspended(List<? extends Task<?>> chain) throws Exception {
        long deadline = System.nanoTime() + BOUND.toNanos();
        for (Task<?> t : chain) {
            while (t.state() != TaskState.SUSPENDED) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(t + " never suspended");
                }
                Thread.onSpinWait();
            }
        }
    }

    private static void waitDone(Awaitable<?> a) throws Exception {
        try {
            a.get(BOUND);
        } catch (RuntimeException outcome) {
            // read below
        }
    }

    private static String tally(List<? extends Task<?>> chain) throws Exception {
        int cancelled = 0;
        int succeeded = 0;
        int other = 0;
        for (Task<?> t : chain) {
            waitDone(t);
            switch (t.state()) {
                case CANCELLED -> cancelled++;
                case SUCCEEDED -> succeeded++;
                default -> other++;
            }
        }
        return "levels=" + chain.size() + " cancelled=" + cancelled + " succeeded=" + succeeded + " other=" + other;
    }
}
