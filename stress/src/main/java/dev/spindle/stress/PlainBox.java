package dev.spindle.stress;

/**
 * A value whose only field is plain, neither final nor volatile: another thread sees the value written
 * by the constructor only through a happens-before edge, so the tests that publish one through the engine
 * check that the engine provides that edge.
 */
final class PlainBox {
    int value;

    PlainBox(int value) {
        this.value = value;
    }
}
