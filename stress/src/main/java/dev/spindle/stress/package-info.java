/**
 * jcstress specifications of the engine's atomic protocols (one race per {@code *Test} class, each
 * {@code @Outcome} stating a rule), the {@link dev.spindle.stress.Soak} run that checks every item of a long
 * random workload, and the {@link dev.spindle.stress.ChaosSoak} run that audits the coroutine layer (cancels,
 * time-outs, groups, shields, sync primitives, channels, offloads) as a whole. See the module's README for how
 * to run them and read their results.
 */
package dev.spindle.stress;
