package dev.spindle.engine;

/** {@link System#nanoTime()} as a {@link Clock}. */
enum SystemClock implements Clock {
    INSTANCE;

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }
}
