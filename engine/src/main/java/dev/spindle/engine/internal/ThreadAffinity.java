package dev.spindle.engine.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Optional;

/**
 * Pins the calling thread to a set of CPUs with Linux {@code sched_setaffinity(2)}, called through the
 * FFM API (no native library of our own). Needs {@code --enable-native-access=ALL-UNNAMED} to run
 * without a warning.
 */
public final class ThreadAffinity {
    private static final MethodHandle SCHED_SETAFFINITY = lookup();

    private ThreadAffinity() {}

    private static MethodHandle lookup() {
        try {
            Linker linker = Linker.nativeLinker();
            Optional<MemorySegment> symbol = linker.defaultLookup().find("sched_setaffinity");
            return symbol.map(s -> linker.downcallHandle(
                            s,
                            FunctionDescriptor.of(
                                    ValueLayout.JAVA_INT,
                                    ValueLayout.JAVA_INT,
                                    ValueLayout.JAVA_LONG,
                                    ValueLayout.ADDRESS),
                            Linker.Option.captureCallState("errno")))
                    .orElse(null);
        } catch (Throwable unavailable) {
            return null;
        }
    }

    /** Whether pinning is available on this platform. */
    public static boolean isSupported() {
        return SCHED_SETAFFINITY != null;
    }

    /**
     * Restricts the calling thread to {@code cpus}. Returns normally on success.
     *
     * @throws IllegalArgumentException if {@code cpus} is empty
     * @throws UnsupportedOperationException if the platform has no {@code sched_setaffinity}
     * @throws IllegalStateException if the call fails (for example a CPU outside the allowed set)
     */
    public static void pinCurrentThread(BitSet cpus) {
        if (cpus.isEmpty()) {
            throw new IllegalArgumentException("cpus: empty CPU set");
        }
        if (SCHED_SETAFFINITY == null) {
            throw new UnsupportedOperationException("sched_setaffinity is not available on this platform");
        }
        long[] words = cpus.toLongArray();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(ValueLayout.JAVA_LONG, Math.max(16, words.length));
            for (int i = 0; i < words.length; i++) {
                mask.setAtIndex(ValueLayout.JAVA_LONG, i, words[i]);
            }
            MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            int rc = (int) SCHED_SETAFFINITY.invokeExact(state, 0, mask.byteSize(), mask);
            if (rc != 0) {
                int errno = state.get(
                        ValueLayout.JAVA_INT,
                        Linker.Option.captureStateLayout()
                                .byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno")));
                throw new IllegalStateException("sched_setaffinity(" + cpus + ") failed, errno " + errno);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("sched_setaffinity(" + cpus + ") failed", t);
        }
    }

    /**
     * The calling thread's allowed CPUs as Linux reports them ({@code Cpus_allowed_list} in {@code
     * /proc/thread-self/status}), for example {@code "0-1"}, or {@code null} where that file is missing.
     */
    public static String allowedCpuList() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/thread-self/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    return line.substring("Cpus_allowed_list:".length()).trim();
                }
            }
        } catch (java.io.IOException | UnsupportedOperationException missing) {
            return null;
        }
        return null;
    }
}
