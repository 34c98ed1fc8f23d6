package io.github.qemudbus.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The module descriptor as the JDK reads it from the built classes: exactly the API packages
 * are exported, the wire and libc bindings only to the SDK's own modules; then a program on the
 * module path uses the SDK (a listener link against a peer it plays itself, so the wire and
 * libc work as a named module), and one that reaches for the wire does not compile.
 */
class ModuleDescriptorTest {
    private static final String MODULE = "io.github.qemudbus.display";
    private static final Set<String> API = Set.of("io.github.qemudbus.display", "io.github.qemudbus.display.dbus",
            "org.qemu.Display1.Error");
    /**
     * The libraries the module requires (and theirs), picked from the test class path: jars, or the
     * classes folder of a sibling module built in the same reactor.
     */
    private static final List<String> RUNTIME = List.of("/dbus-java-core-", "/dbus-java-transport-junixsocket-",
            "/junixsocket-", "/jnr-", "/jffi-", "/asm", "/slf4j-api-", "/jackson-", "/qemu-dbus-display-qmp");

    private static Path classes() throws Exception {
        return Path.of(QemuDisplay.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static ModuleDescriptor descriptor() throws Exception {
        return ModuleFinder.of(classes()).find(MODULE).orElseThrow().descriptor();
    }

    @Test
    void exportsExactlyTheApiPackages() throws Exception {
        ModuleDescriptor d = descriptor();
        assertFalse(d.isAutomatic(), "a real module-info, not a manifest name");
        Set<String> unqualified = d.exports().stream().filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(API), unqualified);
        Map<String, Set<String>> qualified = new TreeMap<>();
        d.exports().stream().filter(ModuleDescriptor.Exports::isQualified)
                .forEach(e -> qualified.put(e.source(), new TreeSet<>(e.targets())));
        assertEquals(Map.of("io.github.qemudbus.display.internal", Set.of("io.github.qemudbus.display.frame"),
                "io.github.qemudbus.display.internal.wire", Set.of("io.github.qemudbus.bench")), qualified);
        assertTrue(d.packages().contains("io.github.qemudbus.display.internal.wire"), d.packages().toString());
        // dbus-java reflects on proxies, exported objects and error types; nobody else may
        d.opens().forEach(o -> assertEquals(Set.of("org.freedesktop.dbus"), o.targets(), o.source()));
    }

    @Test
    void aProgramOnTheModulePathUsesTheSdkButCannotReachTheWire() throws Exception {
        Path src = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("src/test/modulepath");
        Path out = Files.createTempDirectory("qemu-dbus-modulepath");
        try {
            String modulePath = modulePath();
            String consumerErrors = compile(modulePath, src.resolve("consumer"), out.resolve("consumer"));
            assertEquals("", consumerErrors);
            String intruderErrors = compile(modulePath, src.resolve("intruder"), out.resolve("intruder"));
            assertTrue(intruderErrors.contains("package io.github.qemudbus.display.internal.wire is not visible"),
                    intruderErrors);

            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--module-path", modulePath + File.pathSeparator + out.resolve("consumer"),
                    "-m", "io.github.qemudbus.consumer/io.github.qemudbus.consumer.Main")
                    .redirectErrorStream(true).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the program did not finish");
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), output);
            assertTrue(output.contains("listener saw: mouse 5,6 true; replies: 2 3; connected: true"), output);
        } finally {
            try (Stream<Path> files = Files.walk(out)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** The built classes and the jars of the libraries the module requires. */
    private static String modulePath() throws Exception {
        List<String> entries = new ArrayList<>();
        entries.add(classes().toString());
        String cp = System.getProperty("java.class.path");
        for (String e : cp.split(File.pathSeparator)) {
            if (RUNTIME.stream().anyMatch(e::contains) && !e.contains("test-classes")) {
                entries.add(e);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /** Compiles one module's sources; returns the compiler's error output (empty on success). */
    private static String compile(String modulePath, Path sources, Path out) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> args = new ArrayList<>(List.of("-d", out.toString(), "--module-path", modulePath));
        try (Stream<Path> files = Files.walk(sources)) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(f -> args.add(f.toString()));
        }
        StringWriter err = new StringWriter();
        int rc = javac.run(null, null, new java.io.PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                err.write(b);
            }
        }, true, StandardCharsets.UTF_8), args.toArray(String[]::new));
        return rc == 0 ? "" : err.toString();
    }
}
