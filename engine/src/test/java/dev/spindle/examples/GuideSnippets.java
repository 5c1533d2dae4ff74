package dev.spindle.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that every snippet docs/guide.md quotes is, line for line, the tagged region of the example it
 * names. A guide block starts with a line {@code // from Example.java#tag} right after its opening fence.
 */
final class GuideSnippets {
    private static final Pattern BLOCK =
            Pattern.compile("```java\\n// from (\\w+\\.java)#([\\w-]+)\\n(.*?)```", Pattern.DOTALL);

    private GuideSnippets() {}

    static void check() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        Path guide = (Files.exists(root.resolve("docs/guide.md")) ? root : root.getParent()).resolve("docs/guide.md");
        Path sources = guide.getParent().getParent().resolve("engine/src/test/java/dev/spindle/examples");
        String text = Files.readString(guide);
        Matcher m = BLOCK.matcher(text);
        int blocks = 0;
        List<String> stale = new ArrayList<>();
        while (m.find()) {
            blocks++;
            String quoted = m.group(3).strip();
            String region = region(Files.readString(sources.resolve(m.group(1))), m.group(2))
                    .strip();
            if (!quoted.equals(region)) {
                stale.add(m.group(1) + "#" + m.group(2));
            }
        }
        if (blocks == 0) {
            throw new AssertionError("docs/guide.md quotes no example");
        }
        if (!stale.isEmpty()) {
            throw new AssertionError("docs/guide.md is out of date for " + stale);
        }
    }

    /** The lines between {@code // tag::name[]} and {@code // end::name[]}, de-indented. */
    static String region(String source, String tag) {
        String[] lines = source.split("\n");
        List<String> body = new ArrayList<>();
        boolean inside = false;
        for (String line : lines) {
            if (line.strip().equals("// tag::" + tag + "[]")) {
                inside = true;
            } else if (line.strip().equals("// end::" + tag + "[]")) {
                break;
            } else if (inside) {
                body.add(line);
            }
        }
        int indent = body.stream()
                .filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length())
                .min()
                .orElse(0);
        StringBuilder out = new StringBuilder();
        for (String line : body) {
            out.append(line.length() >= indent ? line.substring(indent) : line.strip())
                    .append('\n');
        }
        return out.toString();
    }
}
