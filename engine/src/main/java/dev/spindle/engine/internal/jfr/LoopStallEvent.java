package dev.spindle.engine.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/** A loop that had not finished an iteration within the threshold, seen by the stall detector. */
@Name("dev.spindle.LoopStall")
@Label("Loop stall")
@Category({"Spindle"})
@Description("A loop did not finish an iteration within the stall threshold")
public final class LoopStallEvent extends jdk.jfr.Event {
    /** The loop's name. */
    @Label("Loop")
    public String loop;

    /** The task running when the stall was seen, if any. */
    @Label("Task")
    public String task;

    /** How long the iteration had been running. */
    @Label("Stalled for")
    @Timespan(Timespan.NANOSECONDS)
    public long nanos;

    /** The loop thread's stack when the stall was seen. */
    @Label("Stack")
    public String stack;
}
