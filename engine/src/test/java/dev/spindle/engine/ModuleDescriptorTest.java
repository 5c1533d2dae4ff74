package dev.spindle.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The engine's module descriptor, read from the compiled classes: it exports the public packages and
 * nothing under {@code internal}. (The tests themselves run on the class path.)
 */
class ModuleDescriptorTest {

    @Test
    void exportsOnlyThePublicPackages() throws Exception {
        Path classes = Path.of(
                Engine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor engine = ModuleFinder.of(classes)
                .find("dev.spindle.engine")
                .map(ModuleReference::descriptor)
                .orElseThrow(() -> new AssertionError("no module dev.spindle.engine in " + classes));

        assertThat(engine.exports().stream()
                        .map(ModuleDescriptor.Exports::source)
                        .collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(
                        "dev.spindle.engine", "dev.spindle.engine.sync", "dev.spindle.engine.channel");
        assertThat(engine.exports()).allMatch(e -> !e.isQualified());
        assertThat(engine.packages())
                .as("the internal packages exist, but stay encapsulated")
                .contains("dev.spindle.engine.internal", "dev.spindle.engine.internal.jfr");
        assertThat(engine.opens()).isEmpty();
    }
}
