package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.testkit.QemuTests;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.interactions.Actions;

/**
 * HTTPS from another host: the bridge (over a real VM with a clipboard agent) runs in a network
 * namespace of its own ({@link TlsServerMain}), joined to the test's namespace by a veth pair with
 * private addresses ({@value #SERVER_IP} and {@value #CLIENT_IP}); Chromium, in the test's
 * namespace, trusts a test CA through an NSS database made with certutil in a temporary HOME
 * (certificate errors are not ignored). The page is a secure context there, so its clipboard works
 * both ways and keyboard lock is offered; over plain HTTP on that address neither would be. The
 * namespace and the veth pair are removed afterwards. Runs as root, only with
 * {@code -Dwebrtc.netns=true -Dqemu.tests=true} inside a loopback-only namespace.
 */
class TlsBrowserTest {
    static final String NETNS = "qd-http-tls";
    static final String SERVER_IP = "10.77.21.1";
    static final String CLIENT_IP = "10.77.21.2";
    static final String TOKEN = "tls-browser-token";
    static final Duration WAIT = Duration.ofSeconds(40);
    static Path dir;
    static Process server;
    static PrintWriter toServer;
    static final BlockingQueue<String> fromServer = new ArrayBlockingQueue<>(100);
    static Browser b;
    static URI url;

    @BeforeAll
    static void start() throws Exception {
        QemuTests.assumeAvailable();
        Isolation.assumeLoopbackOnly();
        dir = Files.createTempDirectory("qemu-tls-browser");
        run("ip", "netns", "add", NETNS);
        run("ip", "-n", NETNS, "link", "set", "lo", "up");
        run("ip", "link", "add", "qdh-tls0", "type", "veth", "peer", "name", "qdh-tls1", "netns", NETNS);
        run("ip", "addr", "add", CLIENT_IP + "/30", "dev", "qdh-tls0");
        run("ip", "link", "set", "qdh-tls0", "up");
        run("ip", "-n", NETNS, "addr", "add", SERVER_IP + "/30", "dev", "qdh-tls1");
        run("ip", "-n", NETNS, "link", "set", "qdh-tls1", "up");

        TestPki pki = new TestPki();
        Path[] pem = pki.server(dir, List.of(SERVER_IP));
        Path home = Files.createDirectories(dir.resolve("home"));
        Path nss = Files.createDirectories(home.resolve(".pki/nssdb"));
        run("certutil", "-d", "sql:" + nss, "-N", "--empty-password");
        run("certutil", "-d", "sql:" + nss, "-A", "-t", "C,,", "-n", "test-ca", "-i", pki.caPem(dir).toString());

        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", NETNS,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), TlsServerMain.class.getName(), SERVER_IP, "8443",
                pem[0].toString(), pem[1].toString(), TOKEN));
        server = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        toServer = new PrintWriter(server.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    if (line.startsWith("READY ") || line.startsWith("PASTE ") || line.startsWith("COPIED")
                            || line.startsWith("ERROR ")) {
                        fromServer.offer(line);
                    }
                }
            } catch (IOException e) {
                // the server ended
            }
        }, "tls-server-output");
        reader.setDaemon(true);
        reader.start();
        String ready = fromServer.poll(180, TimeUnit.SECONDS);
        if (ready == null || !ready.startsWith("READY ")) {
            throw new IllegalStateException("the bridge in " + NETNS + " did not start: " + ready);
        }
        url = URI.create(ready.substring(6).trim());
        assertEquals("https://" + SERVER_IP + ":8443/", url.toString());
        b = new Browser(Map.of("HOME", home.toString()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (b != null) {
            b.close();
        }
        if (server != null) {
            if (toServer != null) {
                toServer.println("quit");
            }
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        new ProcessBuilder("ip", "netns", "del", NETNS).inheritIO().start().waitFor(); // takes the veth pair along
        if (dir != null) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    static String ask(String command) throws InterruptedException {
        toServer.println(command);
        String r = fromServer.poll(30, TimeUnit.SECONDS);
        if (r == null || r.startsWith("ERROR")) {
            throw new AssertionError(command + ": " + r);
        }
        return r;
    }

    @Test
    void aTrustedHttpsPageFromAnotherHostPlaysAndHasTheClipboard() throws Exception {
        b.openWithClipboard(URI.create(url + "?token=" + TOKEN));
        BrowserRig.awaitConnected(b, WAIT);
        assertEquals(Boolean.TRUE, b.js("return window.isSecureContext"), "an https page the browser trusts");
        assertEquals(Boolean.TRUE, b.js("return !!(navigator.clipboard && navigator.keyboard && navigator.keyboard.lock)"),
                "clipboard and keyboard lock are there for a secure origin");
        Browser.await("the guest's blue screen", WAIT, () -> {
            List<Number> avg = b.videoAverage();
            return avg != null && avg.get(2).doubleValue() > 150 && avg.get(0).doubleValue() < 80;
        });
        @SuppressWarnings("unchecked")
        List<String> features = (List<String>) b.state().get("features");
        assertTrue(features.contains("clipboard"), "features " + features);

        // browser -> guest: text on the browser's clipboard, Ctrl+V typed on the screen
        Object wrote = b.asyncJs("const done = arguments[arguments.length - 1];"
                + "navigator.clipboard.writeText('over tls from another host').then(() => done(true), (e) => done(String(e)));");
        assertEquals(Boolean.TRUE, wrote);
        b.js("document.getElementById('screen').focus()");
        new Actions(b.driver).keyDown(Keys.CONTROL).sendKeys("v").keyUp(Keys.CONTROL).perform();
        assertEquals("PASTE over tls from another host", ask("paste"));

        // guest -> browser: the guest copies, the page's Copy puts it on the browser's clipboard
        ask("copy copied in the guest, read over tls");
        Browser.await("the guest clipboard in the page", WAIT,
                () -> b.driver.findElement(By.id("guest-clip")).isDisplayed());
        b.driver.findElement(By.id("btn-guest-copy")).click();
        Browser.await("the copy", WAIT, () -> b.state().get("copied") != null);
        Object local = b.asyncJs("const done = arguments[arguments.length - 1];"
                + "navigator.clipboard.readText().then(done, (e) => done('error: ' + e));");
        assertEquals("copied in the guest, read over tls", local);
        Files.write(Shots.file("tls-page.png"), b.screenshot());
    }
}
