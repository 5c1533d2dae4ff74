/**
 * Spindle's engine: per-core event loops, tasks, promises, timers, structured concurrency, the sync
 * primitives, channels and the worker pool. Only the public packages are exported; {@code
 * dev.spindle.engine.internal} stays encapsulated.
 *
 * <p>On the module path, run with {@code --add-exports=java.base/jdk.internal.vm=dev.spindle.engine} and
 * {@code --enable-native-access=dev.spindle.engine}; on the class path, with {@code ALL-UNNAMED} in their
 * place.
 */
module dev.spindle.engine {
    requires transitive dev.spindle.collections;
    requires transitive org.agrona;
    requires transitive HdrHistogram;
    requires org.jctools.core.jdk11;
    requires jdk.jfr;
    requires static jdk.unsupported;

    exports dev.spindle.engine;
    exports dev.spindle.engine.sync;
    exports dev.spindle.engine.channel;
}
