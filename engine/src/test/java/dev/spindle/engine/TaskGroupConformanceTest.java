package dev.spindle.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Scenarios from CPython's test_taskgroups.py (28-40), on a virtual clock. */
class TaskGroupConformanceTest extends LoopTestSupport {

    @Override
    int loops() {
        return 2;
    }

    static final class MyExc extends RuntimeException {
        MyExc() {
            super("MyExc");
        }
    }

    /** asyncio's KeyboardInterrupt: a Java Error. */
    static final class KeyboardInterrupt extends Error {
        KeyboardInterrupt() {
            super("interrupt");
        }
    }

    private static void sleep(double seconds) {
        Async.sleep(Duration.ofNanos((long) (seconds * 1e9)));
    }

    private static List<Class<?>> types(Throwable t) {
        return ((TaskGroupException) t)
                .errors().stream().<Class<?>>map(Object::getClass).distinct().toList();
    }

    @Test
    @DisplayName("28 test_taskgroup_04 / test_cancel_children_on_child_error")
    void cancelChildrenOnChildError() {
        List<String> cancelled = new CopyOnWriteArrayList<>();
        AtomicBoolean after = new AtomicBoolean();
        Throwable t = catchThrowable(() -> run(() -> {
            TaskGroup.run(g -> {
                g.spawn(() -> {
                    sleep(0.1);
                    return 1 / 0;
                });
                g.spawn(() -> {
                    try {
                        sleep(10);
                    } catch (CancelledException e) {
                        cancelled.add("sibling");
                        throw e;
                    }
                    return 0;
                });
                try {
                    sleep(10);
                } catch (CancelledException e) {
                    cancelled.add("body");
                    throw e;
                }
                return null;
            });
            after.set(true);
            return null;
        }));
        assertThat(t).isInstanceOf(TaskGroupException.class).hasMessageContaining("unhandled errors in a TaskGroup");
        assertThat(types(t)).containsExactly(ArithmeticException.class);
        assertThat(cancelled).containsExactlyInAnyOrder("sibling", "body");
        assertThat(after).isFalse();
    }

    @Test
    @DisplayName("29 test_cancellation / test_taskgroup_07")
    void cancellationFromOutside() {
        AtomicInteger childCancels = new AtomicInteger();
        AtomicBoolean bodyCancelled = new AtomicBoolean();
        run(() -> {
            Task<Object> runner = loop.spawn(() -> TaskGroup.run(g -> {
                for (int i = 0; i < 5; i++) {
                    g.spawnOn(engine.loop(i % 2), () -> {
                        try {
                            sleep(10);
                        } catch (CancelledException e) {
                            childCancels.incrementAndGet();
                            throw e;
                        }
                        return null;
                    });
                }
                try {
                    sleep(10);
                } catch (CancelledException e) {
                    bodyCancelled.set(true);
                    throw e;
                }
                return null;
            }));
            sleep(0.1);
            assertThat(runner.isDone()).isFalse();
            runner.cancel();
            assertThatThrownBy(() -> Async.await(runner)).isInstanceOf(CancelledException.class);
            return null;
        });
        assertThat(childCancels).hasValue(5);
        assertThat(bodyCancelled).isTrue();
    }

    @Test
    @DisplayName("31 test_taskgroup_11: nested groups cancelled from outside")
    void nestedGroupsCancelledFromOutside() {
        Throwable t = catchThrowable(() -> run(() -> {
            Task<Object> runner = loop.spawn(() -> TaskGroup.run(g1 -> TaskGroup.run(g2 -> {
                for (int i = 0; i < 5; i++) {
                    g2.spawn(() -> {
                        try {
                            sleep(10);
                        } finally {
                            int zero = 0;
                            int ignored = 1 / zero;
                        }
                        return null;
                    });
                }
                sleep(10);
                return null;
            })));
            sleep(0.1);
            assertThat(runner.isDone()).isFalse();
            runner.cancel();
            return Async.await(runner);
        }));
        assertThat(types(t)).containsExactly(TaskGroupException.class);
        assertThat(types(((TaskGroupException) t).errors().get(0))).containsExactly(ArithmeticException.class);
    }

    private static Object crashAfter(double seconds) {
        sleep(seconds);
        throw new IllegalArgumentException("after " + seconds);
    }

    @Test
    @DisplayName("32 test_taskgroup_13: the outer child fails first")
    void outerChildFailsFirst() {
        Throwable t = catchThrowable(() -> run(() -> TaskGroup.run(g1 -> {
            g1.spawn(() -> crashAfter(0.1));
            return TaskGroup.run(g2 -> g2.spawn(() -> crashAfter(10)));
        })));
        assertThat(t).hasMessageContaining("unhandled errors in a TaskGroup (1 sub-exception)");
        assertThat(types(t)).containsExactly(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("32 test_taskgroup_14: the inner child fails first")
    void innerChildFailsFirst() {
        Throwable t = catchThrowable(() -> run(() -> TaskGroup.run(g1 -> {
            g1.spawn(() -> crashAfter(10));
            return TaskGroup.run(g2 -> g2.spawn(() -> crashAfter(0.1)));
        })));
        assertThat(types(t)).containsExactly(TaskGroupException.class);
        assertThat(types(((TaskGroupException) t).errors().get(0))).containsExactly(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("34 test_taskgroup_19: a child error and a body error are both reported")
    void childAndBodyErrors() {
        Throwable t = catchThrowable(() -> run(() -> TaskGroup.run(g -> {
            g.spawn(() -> {
                sleep(0.1);
                return 1 / 0;
            });
            try {
                sleep(10);
            } finally {
                throw new MyExc();
            }
        })));
        assertThat(types(t)).containsExactlyInAnyOrder(MyExc.class, ArithmeticException.class);
    }

    @Test
    @DisplayName("34 test_taskgroup_20: an Error from the body is rethrown bare")
    void errorFromBodyIsBare() {
        Throwable t = catchThrowable(() -> run(() -> TaskGroup.run(g -> {
            g.spawn(() -> {
                sleep(0.1);
                return 1 / 0;
            });
            try {
                sleep(10);
            } finally {
                throw new KeyboardInterrupt();
            }
        })));
        assertThat(t).isInstanceOf(KeyboardInterrupt.class);
    }

    @Test
    @DisplayName("A8.5 an Error from a child is rethrown bare")
    void errorFromChildIsBare() {
        Throwable t = catchThrowable(() -> run(() -> TaskGroup.run(g -> {
            g.spawn(() -> {
                sleep(0.1);
                throw new KeyboardInterrupt();
            });
            sleep(10);
            return null;
        })));
        assertThat(t).isInstanceOf(KeyboardInterrupt.class);
    }

    @Test
    @DisplayName("35 test_taskgroup_no_create_task_after_failure")
    void noCreateTaskAfterFailure() {
        List<String> refusals = new CopyOnWriteArrayList<>();
        Throwable t = catchThrowable(() -> run(() -> TaskGroup.run(g -> {
            g.spawn(() -> {
                sleep(0.1);
                return 1 / 0;
            });
            g.spawn(() -> {
                try {
                    sleep(10);
                } catch (CancelledException e) {
                    try {
                        g.spawn(() -> "late");
                    } catch (IllegalStateException refused) {
                        refusals.add(refused.getMessage());
                    }
                    throw e;
                }
                return null;
            });
            sleep(10);
            return null;
        })));
        assertThat(t).isInstanceOf(TaskGroupException.class);
        assertThat(refusals).singleElement().asString().contains("is shutting down");
    }

    @Test
    @DisplayName("35 test_taskgroup_finished / _not_entered / _double_enter")
    void misuseMessages() {
        run(() -> {
            TaskGroup finished = TaskGroup.open();
            finished.close();
            assertThatThrownBy(() -> finished.spawn(() -> "x")).hasMessageContaining("is finished");
            TaskGroup fresh = new TaskGroup();
            assertThatThrownBy(() -> fresh.spawn(() -> "x")).hasMessageContaining("has not been entered");
            fresh.enter();
            assertThatThrownBy(fresh::enter).hasMessageContaining("has already been entered");
            fresh.close();
            return null;
        });
        assertThatThrownBy(TaskGroup::open).hasMessageContaining("cannot determine the parent task");
    }

    static final class CustomException extends RuntimeException {
        CustomException() {
            super("custom");
        }
    }

    @Test
    @DisplayName("36 test_taskgroup_context_manager_exit_raises (gh-95289)")
    void contextManagerExitRaises() {
        run(() -> {
            Throwable t = catchThrowable(() -> TaskGroup.run(g -> {
                try {
                    g.spawn(() -> {
                        throw new CustomException();
                    });
                    sleep(1);
                } finally {
                    throw new CustomException();
                }
            }));
            assertThat(t).isInstanceOf(TaskGroupException.class);
            assertThat(((TaskGroupException) t).errors()).hasSize(2).allMatch(e -> e instanceof CustomException);
            assertThat(Task.current().cancelling()).isZero();
            return null;
        });
    }

    @Test
    @DisplayName("37 test_cancelling_level_preserved / test_cancellation_does_not_leak_out_of_tg")
    void cancellingLevelPreserved() {
        run(() -> {
            Throwable t = catchThrowable(() -> TaskGroup.run(g -> {
                g.spawn(() -> 1 / 0);
                sleep(10);
                return null;
            }));
            assertThat(t).isInstanceOf(TaskGroupException.class);
            assertThat(Task.current().cancelling()).isZero();
            Async.yieldNow(); // not cancelled
            return null;
        });
    }

    @Test
    @DisplayName("38 test_nested_groups_both_cancelled")
    void nestedGroupsBothCancelled() {
        run(() -> {
            Throwable outer = catchThrowable(() -> TaskGroup.run(outerGroup -> {
                Throwable inner = catchThrowable(() -> TaskGroup.run(innerGroup -> {
                    innerGroup.spawn(() -> {
                        Async.yieldNow();
                        throw new IllegalStateException("runtime");
                    });
                    outerGroup.spawn(() -> {
                        Async.yieldNow();
                        throw new IllegalArgumentException("value");
                    });
                    return null;
                }));
                assertThat(types(inner)).containsExactly(IllegalStateException.class);
                assertThat(Task.current().cancelling()).isEqualTo(1);
                return null;
            }));
            assertThat(types(outer)).containsExactly(IllegalArgumentException.class);
            assertThat(Task.current().cancelling()).isZero();
            return null;
        });
    }

    @Test
    @DisplayName("40 test_cancels_task_if_created_during_creation (gh-128550)")
    void cancelsTaskIfCreatedDuringCreation() {
        AtomicBoolean ran = new AtomicBoolean();
        Throwable t = catchThrowable(() -> run(() -> TaskGroup.run(g -> {
            g.spawn(() -> {
                g.spawn(() -> {
                    throw new MyExc();
                });
                assertThatThrownBy(() -> {
                            Async.yieldNow();
                            Async.yieldNow();
                        })
                        .isInstanceOf(CancelledException.class);
                ran.set(true);
                return null;
            });
            return null;
        })));
        assertThat(ran).isTrue();
        assertThat(((TaskGroupException) t).errors().get(0)).isInstanceOf(MyExc.class);
    }

    @Test
    @DisplayName("A8.6 TaskGroup.cancel() stops the group without an error")
    void cancelStopsTheGroupQuietly() {
        AtomicInteger childCancels = new AtomicInteger();
        String result = run(() -> {
            TaskGroup.run(g -> {
                for (int i = 0; i < 3; i++) {
                    g.spawn(() -> {
                        try {
                            sleep(10);
                        } catch (CancelledException e) {
                            childCancels.incrementAndGet();
                            throw e;
                        }
                        return null;
                    });
                }
                sleep(0.1);
                g.cancel();
                g.cancel(); // idempotent
                sleep(10); // the body is cancelled too
                return null;
            });
            assertThat(Task.current().cancelling()).isZero();
            return "group stopped quietly";
        });
        assertThat(result).isEqualTo("group stopped quietly");
        assertThat(childCancels).hasValue(3);
    }

    @Test
    void aChildOnAnotherLoopReportsToTheGroup() {
        List<String> threads = new CopyOnWriteArrayList<>();
        run(() -> {
            try (TaskGroup g = TaskGroup.open()) {
                g.spawnOn(engine.loop(1), () -> {
                    sleep(0.1);
                    threads.add(Thread.currentThread().getName());
                    return null;
                });
                g.spawn(() -> threads.add(Thread.currentThread().getName()));
            }
            threads.add("after:" + Thread.currentThread().getName());
            return null;
        });
        assertThat(threads).containsExactly("spindle-loop-0", "spindle-loop-1", "after:spindle-loop-0");
    }
}
