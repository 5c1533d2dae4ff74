package dev.spindle.stress;

import dev.spindle.engine.Async;
import dev.spindle.engine.Awaitable;
import dev.spindle.engine.Engine;
import dev.spindle.engine.EventLoop;
import dev.spindle.engine.OffloadOptions;
import dev.spindle.engine.OffloadPolicy;
import dev.spindle.engine.Promise;
import dev.spindle.engine.Task;
import dev.spindle.engine.TaskGroup;
import dev.spindle.engine.TaskGroupException;
import dev.spindle.engine.TaskTimeoutException;
import dev.spindle.stress.ChaosOffloads.Value;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The coroutine bodies of the chaos soak. Each task picks one {@link Kind} from its own seeded random source
 * and does it; kinds that spawn (group children, cross-loop targets, shielded work) give each child a seed and
 * a depth, and below {@link #MAX_DEPTH} only the leaf kinds are picked, so every tree of tasks is finite.
 *
 * <p>Every wait a body makes is bounded, by a time-out scope or by the bounded work it awaits, so every task
 * finishes on its own within milliseconds once the drivers stop: a task still alive when the soak settles is
 * stuck on a lost wake-up. Every spawned task goes through {@link ChaosLedger#track}.
 */
final class ChaosScenarios {
    /** What one task does. The leaf kinds come first: they spawn nothing. */
    enum Kind {
        /** Sleeps and yields a few times. */
        SLEEP(10),
        /** Fails with {@link ChaosFailure} after a short sleep. */
        FAIL(5),
        /** Cancels itself; its next await must throw. */
        SELF_CANCEL(4),
        /** Holds a unit of its loop's semaphore across a sleep, sometimes under a time-out. */
        SEMAPHORE(8),
        /** Sends 1-3 items to the shared channel under a time-out. */
        SEND(7),
        /** Receives 1-3 items from the shared channel under a time-out. */
        RECEIVE(7),
        /** Offloads a job (either policy, sometimes under a time-out), or tries to. */
        OFFLOAD(10),
        /** Awaits a promise that a driver thread completes or cancels, under a time-out. */
        PROMISE(7),
        /** Sleeps in a time-out scope that may expire or be rescheduled. */
        TIMEOUT(8),
        /** Spawns a task on the other loop and waits for it with {@code Async.waitFor}. */
        WAIT_FOR(7),
        /** Awaits a shielded task on either loop under a time-out; the task goes on if the wait ends. */
        SHIELD(6),
        /** Spawns a task on the other loop and awaits it. */
        CROSS_AWAIT(8),
        /** Runs a task group of 2-5 children on both loops, some failing. */
        GROUP(9);

        final int weight;

        Kind(int weight) {
            this.weight = weight;
        }
    }

    static final int MAX_DEPTH = 3;
    private static final Kind[] KINDS = Kind.values();
    private static final int LEAF_KINDS = Kind.TIMEOUT.ordinal() + 1;
    private static final int[] CUMULATIVE = new int[KINDS.length];

    static {
        int sum = 0;
        for (int i = 0; i < KINDS.length; i++) {
            sum += KINDS[i].weight;
            CUMULATIVE[i] = sum;
        }
    }

    /** How many tasks picked each kind. */
    final LongAdder[] started = new LongAdder[KINDS.length];
    /** Promises that bodies await and drivers complete or cancel. */
    final AtomicReferenceArray<Promise<Long>> promiseRing = new AtomicReferenceArray<>(ChaosLedger.RING_SIZE);

    private final Engine engine;
    private final ChaosLedger ledger;
    private final ChaosOffloads offloads;
    private final ChaosChannel channel;
    private final ChaosSemaphores semaphores;
    private final AtomicLong nextPromiseSlot = new AtomicLong();

    ChaosScenarios(
            Engine engine,
            ChaosLedger ledger,
            ChaosOffloads offloads,
            ChaosChannel channel,
            ChaosSemaphores semaphores) {
        this.engine = engine;
        this.ledger = ledger;
        this.offloads = offloads;
        this.channel = channel;
        this.semaphores = semaphores;
        for (int i = 0; i < started.length; i++) {
            started[i] = new LongAdder();
        }
    }

    /** The body of a task at {@code depth} (0 for the drivers' tasks), with its own random source. */
    Callable<Object> body(long seed, int depth) {
        return () -> run(new SplittableRandom(seed), depth);
    }

    private Object run(SplittableRandom r, int depth) throws Exception {
        EventLoop here = Task.current().loop();
        Kind kind = pick(r, depth >= MAX_DEPTH ? CUMULATIVE[LEAF_KINDS - 1] : CUMULATIVE[KINDS.length - 1]);
        started[kind.ordinal()].increment();
        return switch (kind) {
            case SLEEP -> sleep(r);
            case FAIL -> {
                Async.sleep(micros(r, 1_000));
                throw new ChaosFailure("task body");
            }
            case SELF_CANCEL -> selfCancel();
            case SEMAPHORE -> semaphore(r, here);
            case SEND ->
                bounded(r, 2_000, scope -> {
                    for (int i = 1 + r.nextInt(3); i > 0; i--) {
                        channel.send();
                    }
                    return null;
                });
            case RECEIVE ->
                bounded(r, 2_000, scope -> {
                    for (int i = 1 + r.nextInt(3); i > 0; i--) {
                        channel.receive();
                    }
                    return null;
                });
            case OFFLOAD -> offload(r);
            case PROMISE -> promise(r, here);
            case TIMEOUT ->
                bounded(r, 3_000, scope -> {
                    if (r.nextInt(4) == 0) {
                        scope.reschedule(micros(r, 3_000));
                    }
                    Async.sleep(micros(r, 4_000));
                    return null;
                });
            case WAIT_FOR -> waitFor(r, here, depth);
            case SHIELD -> shield(r, depth);
            case CROSS_AWAIT -> {
                Task<Object> target = spawnChild(other(here), r, depth);
                ledger.crossAwaits.increment();
                yield Async.await(target);
            }
            case GROUP -> group(r, depth);
        };
    }

    private static Kind pick(SplittableRandom r, int bound) {
        int x = r.nextInt(bound);
        for (int i = 0; ; i++) {
            if (x < CUMULATIVE[i]) {
                return KINDS[i];
            }
        }
    }

    private static Duration micros(SplittableRandom r, int max) {
        return Duration.ofNanos(r.nextInt(max) * 1_000L);
    }

    private EventLoop other(EventLoop here) {
        return engine.loop((here.index() + 1) % engine.loopCount());
    }

    private Task<Object> spawnChild(EventLoop target, SplittableRandom r, int depth) {
        // Across loops this goes through the target's bounded queue: a RejectedTaskException fails this task.
        return ledger.track(target.spawn(body(r.nextLong(), depth + 1)));
    }

    /** Runs {@code body} under a time-out of up to {@code maxMicros}; an expiry is mostly absorbed. */
    private Object bounded(SplittableRandom r, int maxMicros, Async.ScopeBody<Object> body) {
        try {
            return Async.timeout(micros(r, maxMicros), body);
        } catch (TaskTimeoutException expired) {
            ledger.timeoutsSeen.increment();
            if (r.nextInt(3) == 0) {
                throw expired;
            }
            return null;
        }
    }

    private static Object sleep(SplittableRandom r) {
        int steps = 1 + r.nextInt(3);
        for (int i = 0; i < steps; i++) {
            if (r.nextBoolean()) {
                Async.yieldNow();
            } else {
                Async.sleep(micros(r, 2_000));
            }
        }
        return steps;
    }

    private Object selfCancel() {
        Task.current().cancel("chaos: the task cancels itself");
        Async.yieldNow(); // must throw CancelledException
        ledger.violation(Task.current() + " cancelled itself and went on past its next await");
        return null;
    }

    private Object semaphore(SplittableRandom r, EventLoop here) {
        Duration hold = micros(r, 1_500);
        if (r.nextBoolean()) {
            semaphores.use(here, hold);
            return null;
        }
        return bounded(r, 2_000, scope -> {
            semaphores.use(here, hold);
            return null;
        });
    }

    private Object offload(SplittableRandom r) {
        Duration sleep = micros(r, 2_000);
        if (r.nextInt(6) == 0) {
            // No discard hook on this path, so its value is not tracked.
            Awaitable<Duration> started = Async.tryOffload(() -> {
                Thread.sleep(sleep);
                return sleep;
            });
            if (started == null) {
                offloads.tryRefused.increment();
                return null;
            }
            return Async.await(started);
        }
        int x = r.nextInt(10);
        int jobKind = x < 7 ? ChaosOffloads.VALUE : x < 9 ? ChaosOffloads.FAIL : ChaosOffloads.SELF_INTERRUPT;
        OffloadPolicy policy = r.nextBoolean() ? OffloadPolicy.INTERRUPT : OffloadPolicy.NO_INTERRUPT;
        OffloadOptions options = OffloadOptions.defaults().withPolicy(policy).withOnDiscard(offloads::discarded);
        Callable<Value> job = offloads.job(jobKind, sleep, policy);
        if (r.nextBoolean()) {
            return bounded(r, 2_500, scope -> {
                Value value = Async.offload(job, options);
                offloads.delivered(value); // no await between the return and this line
                return value;
            });
        }
        Value value = Async.offload(job, options);
        offloads.delivered(value);
        return value;
    }

    private Object promise(SplittableRandom r, EventLoop here) {
        Promise<Long> promise = here.newPromise();
        ledger.promisesCreated.increment();
        promiseRing.set((int) (nextPromiseSlot.getAndIncrement() & (ChaosLedger.RING_SIZE - 1)), promise);
        return bounded(r, 5_000, scope -> Async.await(promise));
    }

    private Object waitFor(SplittableRandom r, EventLoop here, int depth) {
        Task<Object> target = spawnChild(other(here), r, depth);
        try {
            return Async.waitFor(target, micros(r, 4_000));
        } catch (TaskTimeoutException expired) {
            ledger.timeoutsSeen.increment();
            return null;
        }
    }

    private Object shield(SplittableRandom r, int depth) {
        Task<Object> inner = spawnChild(engine.loop(r.nextInt(engine.loopCount())), r, depth);
        ledger.shields.increment();
        return bounded(r, 3_000, scope -> Async.await(Async.shield(inner)));
    }

    private Object group(SplittableRandom r, int depth) {
        ledger.groups.increment();
        int children = 2 + r.nextInt(4);
        try {
            return TaskGroup.run(group -> {
                // No await between the spawns: a child failing meanwhile would make the next spawn refused.
                for (int i = 0; i < children; i++) {
                    EventLoop target = engine.loop(r.nextInt(engine.loopCount()));
                    ledger.track(group.spawnOn(target, body(r.nextLong(), depth + 1)));
                }
                if (r.nextBoolean()) {
                    Async.sleep(micros(r, 1_000));
                }
                if (r.nextInt(8) == 0) {
                    throw new ChaosFailure("group body");
                }
                return children;
            });
        } catch (TaskGroupException failed) {
            ledger.groupsFailed.increment();
            if (r.nextInt(3) == 0) {
                throw failed;
            }
            return null;
        }
    }
}
