package dev.spindle.engine.channel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.engine.EventLoop;
import dev.spindle.engine.Task;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * No lost wake-up, item by item. Each test makes one side register as a waiter at the moment the other
 * side publishes, then waits, outside the channel, for the hand-off to complete. Nothing else can rescue
 * a lost wake-up (no later item, no close), so one shows up as a stall, reported at the deadline with the
 * item number. Seeded spin jitter moves the two sides across each other's race window.
 *
 * <p>A coroutine that waits outside the channel spins on its loop thread; the other side then always
 * lives elsewhere (a thread, or the other loop).
 *
 * <p>The races need the two sides running in parallel: on an oversubscribed machine they are hit far less
 * often. This test guards the protocol in CI; its proof is the store-then-load argument in the package
 * documentation, which a jcstress test in {@code stress/} can check exhaustively.
 */
class ChannelWakeupRaceTest extends ChannelTestSupport {

    private static final int ITEMS = 10_000;
    private static final int JITTER_NANOS = 4_000;

    enum Side {
        THREAD,
        COROUTINE
    }

    /**
     * The receiver registers while the item arrives: the sender publishes item {@code i} as soon as item
     * {@code i - 1} was received, while the receiver, after a jitter, looks for item {@code i}, finds the
     * channel empty (or not) and registers. Capacity 2, so the sender never waits.
     */
    @ParameterizedTest(name = "{0}: sender {1}, receiver {2}")
    @CsvSource({
        "mpsc, THREAD, THREAD",
        "mpmc, THREAD, THREAD",
        "mpsc, THREAD, COROUTINE",
        "mpmc, COROUTINE, THREAD",
        "mpmc, COROUTINE, COROUTINE",
    })
    void aReceiverRegisteringAsTheItemArrivesIsWoken(String variant, Side sender, Side receiver) {
        Channel<Integer> channel = variant.equals("mpsc") ? Channel.mpsc(2) : Channel.mpmc(2);
        AtomicInteger received = new AtomicInteger();
        Runnable sending = start(sender, other, "sender", () -> {
            for (int i = 0; i < ITEMS; i++) {
                awaitCount("item " + (i - 1) + " received from " + channel, received::get, i);
                assertThat(channel.trySend(i)).isTrue();
            }
        });
        Runnable receiving = start(receiver, loop, "receiver", () -> {
            SplittableRandom jitter = new SplittableRandom(29);
            for (int i = 0; i < ITEMS; i++) {
                spin(jitter, JITTER_NANOS);
                int item = receiver == Side.THREAD ? channel.receiveBlocking() : channel.receive();
                assertThat(item).isEqualTo(i);
                received.set(i + 1);
            }
        });
        sending.run();
        receiving.run();
        assertThat(received.get()).isEqualTo(ITEMS);
    }

    /**
     * The sender registers while a slot frees: with item {@code i} filling the channel (capacity 1), the
     * sender, after a jitter, tries item {@code i + 1} while the receiver takes item {@code i} as soon as it
     * was sent; the receiver then waits until item {@code i + 1} is sent.
     */
    @ParameterizedTest(name = "{0}: sender {1}, receiver {2}")
    @CsvSource({
        "mpsc, THREAD, THREAD",
        "mpmc, THREAD, THREAD",
        "mpsc, COROUTINE, THREAD",
        "mpmc, THREAD, COROUTINE",
        "mpsc, COROUTINE, COROUTINE",
    })
    void aSenderRegisteringAsASlotFreesIsWoken(String variant, Side sender, Side receiver) {
        Channel<Integer> channel = variant.equals("mpsc") ? Channel.mpsc(1) : Channel.mpmc(1);
        AtomicInteger sent = new AtomicInteger();
        Runnable sending = start(sender, other, "sender", () -> {
            SplittableRandom jitter = new SplittableRandom(17);
            for (int i = 0; i < ITEMS; i++) {
                spin(jitter, JITTER_NANOS);
                if (sender == Side.THREAD) {
                    channel.sendBlocking(i);
                } else {
                    channel.send(i);
                }
                sent.set(i + 1);
            }
        });
        Runnable receiving = start(receiver, loop, "receiver", () -> {
            for (int i = 0; i < ITEMS; i++) {
                awaitCount("item " + i + " sent to " + channel, sent::get, i + 1);
                assertThat(channel.tryReceive()).isEqualTo(i);
                if (i + 1 < ITEMS) {
                    awaitCount("item " + (i + 1) + " sent after a slot freed in " + channel, sent::get, i + 2);
                }
            }
        });
        sending.run();
        receiving.run();
        assertThat(sent.get()).isEqualTo(ITEMS);
    }

    /** Starts {@code body} as a thread or as a coroutine on {@code loop}; returns an action joining it. */
    private static Runnable start(Side side, EventLoop loop, String name, ThrowingRunnable body) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        if (side == Side.THREAD) {
            Thread thread = ChannelTestSupport.start(name, () -> {
                try {
                    body.run();
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            return () -> {
                joinThread(thread);
                if (failure.get() != null) {
                    throw new AssertionError(name + " failed", failure.get());
                }
            };
        }
        Task<Void> task = loop.spawn(name, () -> {
            body.run();
            return null;
        });
        return () -> join(task);
    }

    /** Spins until {@code count} reaches {@code target}; fails after {@link #STUCK}: a lost wake-up. */
    private static void awaitCount(String what, IntSupplier count, int target) {
        if (count.getAsInt() >= target) {
            return;
        }
        long deadline = System.nanoTime() + STUCK.toNanos();
        while (count.getAsInt() < target) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("stalled waiting for " + what + " (lost wake-up)");
            }
            Thread.onSpinWait();
        }
    }

    /**
     * Busy-waits 0 to {@value #JITTER_NANOS} ns: wider than one side's reaction to the other, so the two
     * sides' channel operations overlap in every order. Shifts the race window, waits for nothing.
     */
    private static void spin(SplittableRandom jitter, int maxNanos) {
        long until = System.nanoTime() + jitter.nextInt(maxNanos);
        while (System.nanoTime() - until < 0) {
            Thread.onSpinWait();
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
