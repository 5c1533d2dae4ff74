package dev.spindle.engine.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** A task that finished with an exception. */
@Name("dev.spindle.TaskFailed")
@Label("Task failed")
@Category({"Spindle"})
@Description("A task finished with an exception")
public final class TaskFailedEvent extends jdk.jfr.Event {
    /** The task's name. */
    @Label("Task")
    public String task;

    /** The loop's name. */
    @Label("Loop")
    public String loop;

    /** The exception's class. */
    @Label("Exception")
    public String exception;

    /** The exception's message. */
    @Label("Message")
    public String message;
}
