/** Spindle's data structures: the hashed timer wheel. They know nothing of tasks or loops. */
module dev.spindle.collections {
    exports dev.spindle.collections;
}
