package dev.spindle.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.junit.jupiter.api.Test;

/** The continuation bridge: pinned yields and a JVM without the flag. */
class CoroutineBridgeTest extends LoopTestSupport {

    private static MethodHandle pinHandle(String name) throws ReflectiveOperationException {
        Class<?> cont = Class.forName("jdk.internal.vm.Continuation");
        return MethodHandles.lookup().findStatic(cont, name, MethodType.methodType(void.class));
    }

    @Test
    void aPinnedYieldFailsOnlyThatTaskWithAClearException() throws Throwable {
        MethodHandle pin = pinHandle("pin");
        MethodHandle unpin = pinHandle("unpin");
        Promise<String> never = loop.newPromise();
        Task<String> pinned = loop.spawn("pinned", () -> {
            try {
                pin.invoke();
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
            try {
                return Async.await(never);
            } finally {
                try {
                    unpin.invoke();
                } catch (Throwable t) {
                    throw new AssertionError(t);
                }
            }
        });
        assertThatThrownBy(pinned::join)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("pinned cannot suspend here")
                .hasMessageContaining("CRITICAL_SECTION");
        assertThat(loop.spawn(() -> {
                            Async.yieldNow();
                            return "the loop lives on";
                        })
                        .join())
                .isEqualTo("the loop lives on");
        never.complete("late");
        Settle.settle(loop);
        assertThat(pinned.state()).isEqualTo(TaskState.FAILED);
    }

    @Test
    void withoutTheFlagSpawnNamesItAndSubmitStillWorks() throws IOException, InterruptedException {
        String out = ChildJvm.output(NoContinuationFlagProbe.class);
        assertThat(out)
                .contains("submit: works")
                .contains(
                        "spawn: coroutine tasks need the JVM flag --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED");
    }

    @Test
    void aTaskMaySuspendWhileHoldingAMonitor() {
        Object lock = new Object();
        Task<String> t = loop.spawn(() -> {
            synchronized (lock) {
                Async.yieldNow();
                return "suspended inside synchronized";
            }
        });
        assertThat(t.join()).isEqualTo("suspended inside synchronized");
    }
}
