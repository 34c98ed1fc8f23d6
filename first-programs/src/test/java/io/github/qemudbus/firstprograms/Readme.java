package io.github.qemudbus.firstprograms;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** README.md's marked code blocks: {@code <!-- file: PATH -->} and {@code <!-- readme-test: NAME -->} before a fence. */
final class Readme {
    private static final Pattern MARKED = Pattern.compile(
            "<!-- (file|readme-test): (\\S+) -->\\n```[a-z]*\\n(.*?)```", Pattern.DOTALL);

    final String text;
    /** PATH of a {@code file:} marker to the block's text. */
    final Map<String, String> files = new LinkedHashMap<>();
    /** NAME of a {@code readme-test:} marker to the block's text. */
    final Map<String, String> blocks = new LinkedHashMap<>();

    private Readme(String text) {
        this.text = text;
        Matcher m = MARKED.matcher(text);
        while (m.find()) {
            (m.group(1).equals("file") ? files : blocks).put(m.group(2), m.group(3));
        }
    }

    /** The module's folder (surefire's working directory). */
    static Path moduleDir() {
        return Path.of("").toAbsolutePath();
    }

    static Readme load() throws IOException {
        return new Readme(Files.readString(moduleDir().resolve("../README.md").normalize()));
    }

    /** The block of a {@code readme-test:} marker. */
    String block(String name) {
        String b = blocks.get(name);
        if (b == null) {
            throw new AssertionError("README.md has no block marked <!-- readme-test: " + name + " -->");
        }
        return b;
    }

    /** The first inline command (between backticks) that contains {@code needle}. */
    String inlineCommand(String needle) {
        Matcher m = Pattern.compile("`(mvn [^`]*" + Pattern.quote(needle) + "[^`]*)`").matcher(text);
        if (!m.find()) {
            throw new AssertionError("README.md shows no `mvn ...` command with " + needle);
        }
        return m.group(1);
    }
}
