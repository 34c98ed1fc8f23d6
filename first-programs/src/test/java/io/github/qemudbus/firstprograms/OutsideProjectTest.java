package io.github.qemudbus.firstprograms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.RequiresQemu;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's "project of your own", made from README's text and built with plain {@code mvn}
 * against the installed artifacts, as a user would: the shell block runs as it stands (only
 * {@code ~/hello} and the bus address are replaced), then the first programs are added and
 * run, and README's testkit test runs under JUnit 6 (README's pom) and JUnit 5 (the same pom
 * with {@code junit-jupiter} 5.11.4, as README says to write).
 *
 * <p>The nested Maven gets two options besides README's: the local repository of this build
 * (so it sees the artifacts installed by {@code mvn install}) and {@code -o} when this build is
 * offline (CI: run-tests.sh fetched everything in its online {@code mvn install}; this module's
 * pom fetches JUnit 5 and the exec plugin then). Needs {@code mvn install} first: the installed
 * artifacts are what a user's project sees.
 */
@RequiresQemu
class OutsideProjectTest {
    private static final String README_ADDRESS = "unix:path=/run/vm1/bus";
    private static QemuFixture vm;
    private static Path bin;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void setUp() throws IOException {
        Path repo = Path.of(System.getProperty("readme.repo.local"));
        for (String a : List.of("qemu-dbus-display-bom", "qemu-dbus-display-dmabuf", "qemu-dbus-display-testkit")) {
            Path dir = repo.resolve("io/github/qemudbus/" + a + "/0.1.0-SNAPSHOT");
            assertTrue(Files.isDirectory(dir), a + " is not installed in " + repo + ": run mvn install first");
        }
        bin = Files.createDirectories(tmp.resolve("bin"));
        String realMvn = onPath("mvn");
        boolean offline = System.getProperty("readme.offline", "").endsWith("true");
        Path wrapper = bin.resolve("mvn");
        Files.writeString(wrapper, "#!/bin/sh\nexec " + realMvn + " -B" + (offline ? " -o" : "")
                + " -Dmaven.repo.local=" + repo + " \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        vm = QemuFixture.builder().name("readme").start();
    }

    @AfterAll
    static void tearDown() {
        if (vm != null) {
            vm.close();
        }
    }

    @Test
    void readmeProjectRunsHelloTheFirstProgramsAndItsTestOnJUnit6() throws Exception {
        Path dir = tmp.resolve("hello6");
        String out = runProject(Readme.load(), dir, null);
        assertTrue(out.contains("ConsoleInfo["), "Hello printed the console: " + out);

        // the first programs, run as README says
        String watch = Readme.load().inlineCommand("WatchScreen").replace(README_ADDRESS, vm.dbusAddress())
                .replace(" 30\"", " 4\"");
        String w = run(dir, watch);
        assertTrue(w.contains("change-1.png"), "WatchScreen wrote a PNG on the first surface: " + w);
        assertTrue(Files.size(dir.resolve("change-1.png")) > 0);
        String d = run(dir, "mvn -q exec:java -Dexec.mainClass=DriveInput -Dexec.args=" + vm.dbusAddress());
        assertTrue(d.contains("mouse absolute: false"), "std VGA without a tablet is relative: " + d);

        run(dir, "mvn -q test -Dqemu.tests=true");
        assertOneTestPassed(dir);
        assertTrue(classpath(dir).contains("junit-jupiter-api-6.1.3.jar"), classpath(dir));
    }

    @Test
    void readmeProjectOnJUnit5RunsTheTestkitTest() throws Exception {
        Path dir = tmp.resolve("hello5");
        String junit5 = System.getProperty("readme.junit5.version", "5.11.4");
        runProject(Readme.load(), dir, junit5);
        run(dir, "mvn -q test -Dqemu.tests=true");
        assertOneTestPassed(dir);
        String cp = classpath(dir);
        assertTrue(cp.contains("junit-jupiter-api-" + junit5 + ".jar"), cp);
        assertTrue(!cp.contains("junit-jupiter-api-6."), "the testkit brought no JUnit of its own: " + cp);
    }

    /** Runs README's project block in {@code dir}, then writes README's first programs into it. */
    private static String runProject(Readme readme, Path dir, String junitVersion) throws Exception {
        String script = readme.block("project").replace("~/hello", dir.toString()).replace(README_ADDRESS,
                vm.dbusAddress());
        if (junitVersion != null) {
            Matcher m = Pattern.compile("(<artifactId>junit-jupiter</artifactId><version>)[^<]+(</version>)")
                    .matcher(script);
            assertTrue(m.find(), "README's pom names junit-jupiter's version");
            script = m.replaceFirst("$1" + junitVersion + "$2");
        }
        Path sh = tmp.resolve(dir.getFileName() + ".sh");
        Files.writeString(sh, "set -e\n" + script);
        String out = run(tmp, "bash " + sh); // "mvn" there is the wrapper: PATH
        for (Map.Entry<String, String> f : readme.files.entrySet()) {
            Files.writeString(dir.resolve(f.getKey()), f.getValue());
        }
        return out;
    }

    private static void assertOneTestPassed(Path dir) throws IOException {
        String xml = Files.readString(dir.resolve("target/surefire-reports/TEST-ScreenTest.xml"));
        Matcher m = Pattern.compile("tests=\"(\\d+)\" errors=\"(\\d+)\" skipped=\"(\\d+)\" failures=\"(\\d+)\"")
                .matcher(xml);
        assertTrue(m.find(), xml);
        assertEquals("1 0 0 0", m.group(1) + " " + m.group(2) + " " + m.group(3) + " " + m.group(4),
                "tests errors skipped failures of README's ScreenTest");
    }

    private static String classpath(Path dir) throws Exception {
        run(dir, "mvn -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath"
                + " -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test");
        return Files.readString(dir.resolve("cp.txt"));
    }

    /** Runs a command line with bash in {@code dir}, as a user types it; fails on a non-zero exit. */
    private static String run(Path dir, String commandLine) throws Exception {
        List<String> cmd = List.of("bash", "-c", commandLine);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("PATH", bin + File.pathSeparator + System.getenv("PATH"));
        Path log = Files.createTempFile(tmp, "run", ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        // generous: a cold nested Maven plus a VM boot under TCG on a shared 2-core machine
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + commandLine + "\n" + Files.readString(log));
        }
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), commandLine + " failed:\n" + out);
        return out;
    }

    private static String onPath(String name) {
        for (String d : System.getenv("PATH").split(File.pathSeparator)) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new AssertionError(name + " is not on PATH");
    }
}
