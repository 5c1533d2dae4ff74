package dev.spindle.engine.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/** A task step or callback that ran longer than the slow-step threshold (debug mode). */
@Name("dev.spindle.SlowStep")
@Label("Slow step")
@Category({"Spindle"})
@Description("A task step or callback ran longer than the engine's slow-step threshold")
public final class SlowStepEvent extends jdk.jfr.Event {
    /** The loop's name. */
    @Label("Loop")
    public String loop;

    /** The task or callback. */
    @Label("Step")
    public String step;

    /** How long it ran. */
    @Label("Duration")
    @Timespan(Timespan.NANOSECONDS)
    public long nanos;
}
