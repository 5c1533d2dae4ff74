/** Loop-local data structures with no knowledge of tasks: the hashed timer wheel and intrusive lists. */
package dev.spindle.collections;
