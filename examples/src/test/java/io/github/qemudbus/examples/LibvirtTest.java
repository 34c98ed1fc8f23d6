package io.github.qemudbus.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.qemudbus.display.LibvirtException;
import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.display.frame.Frame;
import io.github.qemudbus.display.frame.FrameSource;
import io.github.qemudbus.display.frame.ReconnectingFrameSource;
import io.github.qemudbus.testkit.RequiresQemu;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connecting by libvirt domain name, against the real libvirt daemon at {@code qemu:///system}:
 * two transient domains (bus and p2p) booting the tiny guest, shared by the class. The command
 * lines run in a JVM of their own ({@code java -cp <this module's class path> ...Main}), as a
 * user runs the examples jar.
 */
@RequiresQemu
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class LibvirtTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private LibvirtDomains domains;
    private String bus;
    private String p2p;

    @BeforeAll
    void boot() throws Exception {
        domains = LibvirtDomains.open();
        bus = domains.create("bus", "<graphics type='dbus'/>", false);
        p2p = domains.create("p2p", "<graphics type='dbus' p2p='yes'/>", false);
    }

    @AfterAll
    void destroy() {
        if (domains != null) {
            domains.close();
        }
    }

    record Cli(int code, String out, String err) {
    }

    /** Runs the examples' Main in a JVM of its own. */
    static Cli cli(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        LibvirtDomains.CommandResult r = LibvirtDomains.exec(120, cmd);
        return new Cli(r.code(), r.out(), r.err());
    }

    /** Pixels that are not black: the guest's shell text. */
    static int lit(BufferedImage img) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xffffff) != 0) {
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * Waits until the source shows the guest's shell: the 1024x768 mode the guest's kernel sets
     * (the firmware's text screens are smaller), text on it, and the same picture for 2 s.
     */
    static BufferedImage awaitShell(FrameSource frames, Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        BufferedImage last = null;
        long sameSince = 0;
        while (System.nanoTime() < end) {
            Optional<Frame> f = frames.acquireFrame();
            if (f.isPresent()) {
                BufferedImage img;
                try (Frame frame = f.get()) {
                    img = frame.toImage();
                }
                boolean shell = img.getWidth() == 1024 && lit(img) > 200;
                if (!shell || last == null || CliContractTest.differingPixels(img, last) != 0) {
                    last = shell ? img : null;
                    sameSince = System.nanoTime();
                } else if (System.nanoTime() - sameSince > TimeUnit.SECONDS.toNanos(2)) {
                    return img;
                }
            }
            Thread.sleep(200);
        }
        fail("the guest's shell did not show within " + limit + " (" + frames + ")");
        return null;
    }

    private void awaitShell(String domain) throws InterruptedException {
        try (FrameSource frames = FrameSource.builder(QemuDisplay.builder().libvirt(domain), 0).build()) {
            assertTrue(frames.awaitFrame(Duration.ofSeconds(60)), "no frame from " + domain);
            awaitShell(frames, Duration.ofSeconds(90));
        }
    }

    @Test
    @Order(1)
    void infoByNamePrintsWhatInfoByAddressPrints() throws Exception {
        Cli byName = cli("info", "--libvirt", bus);
        assertEquals(0, byName.code(), byName.err());
        Cli byAddress = cli("info", "--address", domains.busAddress(bus));
        assertEquals(0, byAddress.code(), byAddress.err());
        assertEquals(byAddress.out(), byName.out());
        JsonNode info = JSON.readTree(byName.out());
        assertEquals(bus, info.path("vm").path("name").asText(), "the VM's name is the domain's");
        assertEquals(0, info.path("consoles").path(0).path("id").asInt(-1));
        Cli withUri = cli("info", "--libvirt", bus, "--libvirt-uri", LibvirtDomains.URI);
        assertEquals(byName.out(), withUri.out(), withUri.err());
    }

    @Test
    @Order(2)
    void screenshotByNameIsTheScreenshotByAddress(@TempDir Path tmp) throws Exception {
        awaitShell(bus);
        Path byName = tmp.resolve("name.png");
        Path byAddress = tmp.resolve("address.png");
        Cli a = cli("screenshot", "--libvirt", bus, "--console", "0", "--out", byName.toString());
        assertEquals(0, a.code(), a.err());
        assertEquals(1024, JSON.readTree(a.out()).path("width").asInt(), a.out());
        Cli b = cli("screenshot", "--address", domains.busAddress(bus), "--console", "0", "--out",
                byAddress.toString());
        assertEquals(0, b.code(), b.err());
        BufferedImage one = ImageIO.read(byName.toFile());
        BufferedImage two = ImageIO.read(byAddress.toFile());
        assertTrue(lit(one) > 200, "the screenshot shows the guest's shell");
        assertEquals(0, CliContractTest.differingPixels(one, two), "same screen by name and by address");
    }

    @Test
    @Order(3)
    void aPeerToPeerDomainIsReachedThroughLibvirt(@TempDir Path tmp) throws Exception {
        try (QemuDisplay d = QemuDisplay.builder().libvirt(p2p, LibvirtDomains.URI).connect()) {
            assertTrue(d.isPeerToPeer(), "p2p='yes': a socket handed to QEMU by virDomainOpenGraphics");
            assertEquals(p2p, d.vm().name());
        }
        awaitShell(p2p);
        Cli info = cli("info", "--libvirt", p2p);
        assertEquals(0, info.code(), info.err());
        assertEquals(p2p, JSON.readTree(info.out()).path("vm").path("name").asText());
        Path png = tmp.resolve("p2p.png");
        Cli shot = cli("screenshot", "--libvirt", p2p, "--console", "0", "--out", png.toString());
        assertEquals(0, shot.code(), shot.err());
        assertTrue(lit(ImageIO.read(png.toFile())) > 200, "the p2p screenshot shows the guest's shell");
    }

    @Test
    @Order(4)
    void eachFailureSaysWhy() throws Exception {
        String missing = domains.name("missing");
        assertReason(LibvirtException.Reason.NO_SUCH_DOMAIN, () -> QemuDisplay.builder().libvirt(missing).connect());
        Cli none = cli("info", "--libvirt", missing);
        assertEquals(1, none.code());
        assertTrue(none.err().startsWith("info: no libvirt domain '" + missing + "' at qemu:///system"), none.err());
        assertEquals(1, none.err().lines().count(), "one line on stderr: " + none.err());

        String off = domains.define("off", "<graphics type='dbus'/>");
        assertReason(LibvirtException.Reason.NOT_RUNNING, () -> QemuDisplay.builder().libvirt(off).connect());
        Cli notRunning = cli("screenshot", "--libvirt", off, "--console", "0", "--out", "/nonexistent/x.png");
        assertEquals(1, notRunning.code());
        assertTrue(notRunning.err().contains("is not running"), notRunning.err());

        String plain = domains.create("nodbus", "", true); // paused: only its XML is asked
        assertReason(LibvirtException.Reason.NO_DBUS_GRAPHICS, () -> QemuDisplay.builder().libvirt(plain).connect());
        Cli noDbus = cli("info", "--libvirt", plain);
        assertEquals(1, noDbus.code());
        assertTrue(noDbus.err().contains("has no D-Bus display: add <graphics type='dbus'/>"), noDbus.err());

        String nowhere = "qemu:///system?socket=/nonexistent/libvirt-sock";
        assertReason(LibvirtException.Reason.UNREACHABLE,
                () -> QemuDisplay.builder().libvirt(bus, nowhere).connect());
        Cli unreachable = cli("info", "--libvirt", bus, "--libvirt-uri", nowhere);
        assertEquals(1, unreachable.code());
        assertTrue(unreachable.err().contains("cannot reach libvirt at " + nowhere), unreachable.err());

        Cli usage = cli("info", "--libvirt-uri", LibvirtDomains.URI);
        assertEquals(2, usage.code(), usage.err());
        Cli both = cli("info", "--libvirt", bus, "--address", "unix:path=/x");
        assertEquals(2, both.code(), both.err());
        assertTrue(both.err().contains("give exactly one of --address ADDR, --qmp PATH or --libvirt NAME"), both.err());
    }

    private static void assertReason(LibvirtException.Reason expected, Supplier<QemuDisplay> connect) {
        try (QemuDisplay d = connect.get()) {
            fail("connected to " + d.vm() + "; expected " + expected);
        } catch (LibvirtException e) {
            assertEquals(expected, e.reason(), e.getMessage());
        }
    }

    @Test
    @Order(5)
    void aReattachingSourceFollowsTheDomainAcrossARestart() throws Exception {
        try (ReconnectingFrameSource frames = FrameSource.builder(QemuDisplay.builder().libvirt(bus), 0)
                .reattach().build()) {
            assertTrue(frames.awaitAttached(Duration.ofSeconds(60)), "attached: " + frames.lastFailure());
            awaitShell(frames, Duration.ofSeconds(90));
            String before = domains.busAddress(bus);
            long destroyAt = System.nanoTime();
            domains.destroy(bus);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (frames.detachments() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(1, frames.detachments(), "the source saw the domain go");
            long detachMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - destroyAt);
            domains.recreate(bus);
            long createdAt = System.nanoTime();
            String after = domains.busAddress(bus);
            assertNotEquals(before, after, "libvirt gives the restarted domain a new bus address");
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (frames.attachments() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(2, frames.attachments(), "attached again: " + frames.lastFailure());
            long attachMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - createdAt);
            assertTrue(frames.awaitFrame(Duration.ofSeconds(60)), "frames resume");
            long frameMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - createdAt);
            try (Frame f = frames.acquireFrame().orElseThrow()) {
                assertTrue(f.width() > 0, "a frame of the new attachment");
            }
            assertEquals(2, frames.attachments());
            System.out.printf("libvirt restart: detached %d ms after destroy was called; after create returned: attached"
                    + " in %d ms, first frame in %d ms (%s -> %s)%n", detachMs, attachMs, frameMs, before, after);
        }
    }

    @Test
    @Order(6)
    void theBridgeServesTheDomainByNameAndFollowsItsRestart() throws Exception {
        Process bridge = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "bridge", "--libvirt", bus,
                "--vm", "other=libvirt:" + p2p, "--listen", "127.0.0.1:0").redirectErrorStream(true).start();
        try {
            String base = awaitServing(bridge);
            HttpClient http = HttpClient.newHttpClient();
            Supplier<JsonNode> vms = () -> get(http, base + "api/vms");
            JsonNode consoles = awaitState(vms, "default", "running", Duration.ofSeconds(60));
            awaitState(vms, "other", "running", Duration.ofSeconds(60));
            assertEquals(0, consoles.path("consoles").path(0).path("id").asInt(-1), consoles.toString());
            domains.destroy(bus);
            awaitState(vms, "default", "stopped", Duration.ofSeconds(30));
            domains.recreate(bus);
            long createdAt = System.nanoTime();
            awaitState(vms, "default", "running", Duration.ofSeconds(60));
            System.out.printf("libvirt restart: the bridge served the domain again %d ms after create returned%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - createdAt));
            JsonNode list = get(http, base + "api/consoles");
            assertTrue(list.toString().contains("\"id\":0"), list.toString());
        } finally {
            bridge.destroy();
            if (!bridge.waitFor(20, TimeUnit.SECONDS)) {
                bridge.destroyForcibly();
            }
        }
    }

    /** Reads the bridge's output until it says where it serves; returns that URL (ending in /). */
    private static String awaitServing(Process bridge) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(bridge.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null) {
            seen.append(line).append('\n');
            int at = line.indexOf(" at http://");
            if (line.startsWith("Serving consoles") && at > 0) {
                String url = line.substring(at + 4).strip();
                Thread drain = new Thread(() -> {
                    try {
                        out.lines().forEach(l -> { });
                    } catch (java.io.UncheckedIOException e) {
                        // the bridge was stopped
                    }
                }, "bridge-output");
                drain.setDaemon(true);
                drain.start();
                return url.endsWith("/") ? url : url + "/";
            }
        }
        fail("the bridge ended without serving:\n" + seen);
        return null;
    }

    private static JsonNode get(HttpClient http, String url) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), url + ": " + r.body());
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException(url + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Polls /api/vms until the VM has the state; returns its entry. */
    private static JsonNode awaitState(Supplier<JsonNode> vms, String name, String state, Duration limit)
            throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < end) {
            last = vms.get();
            for (JsonNode vm : last.path("vms")) {
                if (name.equals(vm.path("name").asText()) && state.equals(vm.path("state").asText())) {
                    return vm;
                }
            }
            Thread.sleep(100);
        }
        fail("VM " + name + " not " + state + " within " + limit + ": " + last);
        return null;
    }

}
