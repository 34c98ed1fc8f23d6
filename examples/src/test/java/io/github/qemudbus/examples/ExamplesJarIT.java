package io.github.qemudbus.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.RequiresQemu;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The examples as a user runs them: {@code java -jar examples/target/qemu-dbus-display-examples.jar ...} as a
 * process of its own, against a real VM. Runs after {@code package} (surefire's {@code jar-tests} execution in
 * the {@code integration-test} phase), so the jar is the one just built.
 */
@RequiresQemu
class ExamplesJarIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path JAR = Path.of("target", "qemu-dbus-display-examples.jar").toAbsolutePath();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    static final Pattern SERVING = Pattern.compile("Serving consoles \\[0] at (http://127\\.0\\.0\\.1:(\\d+)/)(\\S*)");
    private static QemuFixture qemu;

    @BeforeAll
    static void boot() throws IOException {
        assertTrue(Files.isRegularFile(JAR), JAR + " missing: this test runs after mvn package");
        Path main = Path.of("target", "classes", "io", "github", "qemudbus", "examples", "Main.class");
        assertFalse(Files.getLastModifiedTime(JAR).compareTo(Files.getLastModifiedTime(main)) < 0,
                JAR + " is older than the compiled classes: run mvn package (or verify), not test");
        // no -name: the display then reports QEMU's own name and version ("QEMU 10.0.2"), which the doctor reads
        qemu = QemuFixture.builder().mode(QemuFixture.Mode.BUS).vga(QemuFixture.Vga.VIRTIO).name(null).start();
    }

    @AfterAll
    static void shutdown() {
        if (qemu != null) {
            qemu.close();
        }
    }

    record Run(int code, String out, String err) {
    }

    static ProcessBuilder java(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    static Run run(String... args) throws Exception {
        Path out = Files.createTempFile("qd-jar-out", ".txt");
        Path err = Files.createTempFile("qd-jar-err", ".txt");
        try {
            Process p = java(args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "java -jar ... " + String.join(" ", args) + " never ended");
            return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void doctorReportsARealVmAsTextAndJson() throws Exception {
        Run text = run("doctor", "--address", qemu.dbusAddress(), "--observe-ms", "1000");
        assertEquals(0, text.code(), text.out() + text.err());
        assertTrue(text.out().contains("QEMU 10."), "QEMU's name and version: " + text.out());
        assertTrue(text.out().toLowerCase().contains("map"), "the frame path virtio-vga gives: " + text.out());
        assertEquals("", text.err().strip(), "nothing on stderr for a reachable VM");

        Run json = run("doctor", "--address", qemu.dbusAddress(), "--observe-ms", "1000", "--json");
        assertEquals(0, json.code(), json.out() + json.err());
        assertEquals(1, json.out().strip().lines().count(), "one JSON object on one line: " + json.out());
        JsonNode r = JSON.readTree(json.out());
        assertTrue(r.path("qemu").path("reachable").asBoolean(), json.out());
        assertTrue(r.path("qemu").path("name").asText().startsWith("QEMU 10."), json.out());
        assertTrue(r.path("qemu").path("version").asText().startsWith("10."), json.out());
        assertTrue(r.path("qemu").path("versionSource").asText().startsWith("VM name"), json.out());
        assertEquals("map", r.path("frames").path("path").asText(), json.out());
        assertEquals(1024, r.path("consoles").path(0).path("width").asInt(), json.out());
        assertTrue(List.of("ok", "info").contains(r.path("worst").asText()), json.out());
        assertTrue(qemu.isRunning(), "the doctor leaves the VM running");
    }

    @Test
    void doctorExitStatusesForNoVmAndBadUsage() throws Exception {
        Run gone = run("doctor", "--address", "unix:path=/nonexistent/qd-bus", "--json");
        assertEquals(1, gone.code(), gone.out() + gone.err());
        assertFalse(JSON.readTree(gone.out()).path("qemu").path("reachable").asBoolean(), gone.out());
        assertEquals(1, gone.err().strip().lines().count(), "one line on stderr: " + gone.err());
        assertTrue(gone.err().startsWith("doctor: "), gone.err());
        assertTrue(gone.err().contains("/nonexistent/qd-bus"), gone.err());

        Run usage = run("doctor");
        assertEquals(2, usage.code(), usage.out() + usage.err());
        assertEquals("", usage.out());
        assertTrue(usage.err().contains("--address") && usage.err().contains("--qmp"), usage.err());
    }

    /** A started bridge process and the lines it printed. */
    static final class Bridge implements AutoCloseable {
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final StringBuffer all = new StringBuffer();

        Bridge(String... args) throws IOException {
            process = java(args).redirectErrorStream(true).start();
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = r.readLine()) != null) {
                        all.append(l).append('\n');
                        lines.add(l);
                    }
                } catch (IOException e) {
                    all.append("[").append(e).append("]\n");
                }
            }, "bridge-output");
            t.setDaemon(true);
            t.start();
        }

        /** Waits for the "Serving consoles [0] at URL" line (QEMU may have to boot first). */
        Matcher awaitServing(Duration timeout) throws InterruptedException {
            long end = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < end) {
                String l = lines.poll(1, TimeUnit.SECONDS);
                if (l != null) {
                    Matcher m = SERVING.matcher(l);
                    if (m.find()) {
                        return m;
                    }
                }
                assertTrue(process.isAlive() || !lines.isEmpty(), "the bridge exited: " + all);
            }
            throw new AssertionError("the bridge never printed its URL: " + all);
        }

        /** Sends SIGTERM (what Process.destroy does on Linux) and returns the exit status. */
        int terminate() throws InterruptedException {
            process.destroy();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the bridge ignored SIGTERM: " + all);
            return process.exitValue();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    static HttpResponse<String> get(URI uri, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void assertPortReleased(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            throw new AssertionError("something still listens on port " + port);
        } catch (ConnectException expected) {
            // refused: nobody listens
        }
        try (ServerSocket again = new ServerSocket()) {
            again.bind(new InetSocketAddress("127.0.0.1", port)); // fails if the port were still held
        }
    }

    @Test
    void bridgeServesThePageAndApiAndStopsCleanlyOnSigterm() throws Exception {
        String token = "jar-token-" + ProcessHandle.current().pid();
        try (Bridge b = new Bridge("bridge", "--address", qemu.dbusAddress(), "--listen", "127.0.0.1:0",
                "--token", token)) {
            Matcher m = b.awaitServing(Duration.ofSeconds(60));
            URI base = URI.create(m.group(1));
            int port = Integer.parseInt(m.group(2));
            assertEquals("?token=" + token, m.group(3), "the printed URL carries the token");

            HttpResponse<String> page = get(base, null);
            assertEquals(200, page.statusCode());
            assertTrue(page.body().toLowerCase().contains("<html"), page.body());
            HttpResponse<String> api = get(base.resolve("api/consoles"), token);
            assertEquals(200, api.statusCode(), api.body());
            JsonNode consoles = JSON.readTree(api.body());
            assertEquals("running", consoles.path("state").asText(), api.body());
            assertEquals(0, consoles.path("consoles").path(0).path("id").asInt(), api.body());
            assertEquals(401, get(base.resolve("api/consoles"), null).statusCode(), "the token is required");
            assertEquals(401, get(base.resolve("api/consoles"), "wrong").statusCode());

            assertEquals(143, b.terminate(), "the JVM's status for SIGTERM: " + b.all);
            assertPortReleased(port);
            assertTrue(qemu.isRunning(), "a VM the bridge did not start keeps running");
        }
    }

    @Test
    void bridgeWithoutAVmStopsTheDemoVmItStartedOnSigterm() throws Exception {
        try (Bridge b = new Bridge("bridge", "--listen", "127.0.0.1:0")) {
            Matcher m = b.awaitServing(Duration.ofMinutes(4));
            int port = Integer.parseInt(m.group(2));
            List<ProcessHandle> started = b.process.descendants()
                    .filter(h -> h.info().command().map(c -> c.contains("qemu-system") || c.contains("dbus-daemon"))
                            .orElse(false))
                    .toList();
            assertEquals(2, started.size(), "the demo VM's QEMU and dbus-daemon: " + started.stream()
                    .map(h -> h.info().command().orElse("?")).toList());
            HttpResponse<String> api = get(URI.create(m.group(1)).resolve("api/consoles"), null);
            assertEquals(200, api.statusCode(), api.body());
            assertEquals("running", JSON.readTree(api.body()).path("state").asText(), api.body());

            assertEquals(143, b.terminate(), "the JVM's status for SIGTERM: " + b.all);
            for (ProcessHandle h : started) {
                assertTrue(h.onExit().toCompletableFuture().completeOnTimeout(null, 30, TimeUnit.SECONDS)
                        .thenApply(x -> !h.isAlive()).get(), "still running after the bridge stopped: "
                        + h.info().command().orElse("?"));
            }
            assertPortReleased(port);
        }
    }
}
