package dev.spindle.collections;

/** A named timer for tests. */
final class TestTimer extends TimerNode {
    final String name;

    TestTimer(String name) {
        this.name = name;
    }

    @Override
    public String toString() {
        return name;
    }
}
