package dev.spindle.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts a probe's {@code main} in a fresh JVM on this JVM's class path, for what only a new JVM shows. */
final class ChildJvm {
    private ChildJvm() {}

    /** Starts {@code main} with {@code jvmFlags} before the class path; stderr goes to stdout. */
    static Process start(List<String> jvmFlags, Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** Runs {@code main} without JVM flags to its end and returns everything it printed. */
    static String output(Class<?> main) throws IOException, InterruptedException {
        Process p = start(List.of(), main);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
