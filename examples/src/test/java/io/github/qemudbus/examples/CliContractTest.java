package io.github.qemudbus.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.RequiresQemu;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The examples' command-line contract, run in-process against real QEMU. */
@RequiresQemu
class CliContractTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Result(int code, String out, String err) {
    }

    static Result run(String... argv) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(argv);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static int differingPixels(BufferedImage a, BufferedImage b) {
        assertEquals(b.getWidth(), a.getWidth(), "width");
        assertEquals(b.getHeight(), a.getHeight(), "height");
        int diff = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                if ((a.getRGB(x, y) & 0xffffff) != (b.getRGB(x, y) & 0xffffff)) {
                    diff++;
                }
            }
        }
        return diff;
    }

    @Test
    void busModeInfoTypeAndCopyScreenshot(@TempDir Path tmp) throws Exception {
        try (QemuFixture qemu = QemuFixture.builder().mode(QemuFixture.Mode.BUS).vga(QemuFixture.Vga.STD)
                .name("cli-bus").start()) {
            String addr = qemu.dbusAddress();
            Result info = run("info", "--address", addr);
            assertEquals(0, info.code(), info.err());
            JsonNode root = JSON.readTree(info.out());
            assertFalse(root.path("vm").path("name").asText().isEmpty(), info.out());
            assertTrue(root.path("vm").has("uuid"));
            JsonNode c0 = root.path("consoles").get(0);
            assertEquals(0, c0.path("id").asInt());
            assertEquals("Graphic", c0.path("type").asText());
            for (String k : new String[] {"label", "width", "height", "deviceAddress", "interfaces"}) {
                assertTrue(c0.has(k), k + " missing in " + info.out());
            }

            qemu.guest().run("rm -f /tmp/cli-typed");
            Result typed = run("type", "--address", addr, "--console", "0", "--text", "touch /tmp/cli-typed",
                    "--key", "Enter");
            assertEquals(0, typed.code(), typed.err());
            long end = System.currentTimeMillis() + 15000;
            while (!qemu.guest().run("test -e /tmp/cli-typed").succeeded()) {
                assertTrue(System.currentTimeMillis() < end, "typed command never ran");
            }

            Result bad = run("type", "--address", addr, "--console", "9", "--key", "Enter");
            assertEquals(1, bad.code());
            assertEquals(1, bad.err().strip().lines().count(), bad.err());
            assertTrue(bad.err().contains("no console 9"), bad.err());

            qemu.guest().fill(0x20c040);
            qemu.guest().stillScreen();
            Thread.sleep(1500);
            Path png = tmp.resolve("copy.png");
            Result shot = run("screenshot", "--address", addr, "--console", "0", "--out", png.toString(),
                    "--path", "copy");
            assertEquals(0, shot.code(), shot.err());
            JsonNode s = JSON.readTree(shot.out());
            assertEquals("copy", s.path("path").asText());
            assertTrue(s.path("fallbacks").isArray());
            assertEquals(0, differingPixels(ImageIO.read(png.toFile()), qemu.screendump()), "PNG vs screendump");

            Result forced = run("screenshot", "--address", addr, "--console", "0", "--out",
                    tmp.resolve("map.png").toString(), "--path", "map", "--timeout-ms", "8000");
            assertEquals(1, forced.code(), forced.out());
            assertTrue(forced.err().contains("map"), forced.err());
            assertFalse(Files.exists(tmp.resolve("map.png")));
        }
    }

    @Test
    void peerToPeerInfoAndMapScreenshot(@TempDir Path tmp) throws Exception {
        try (QemuFixture qemu = QemuFixture.builder().mode(QemuFixture.Mode.P2P).vga(QemuFixture.Vga.VIRTIO)
                .name("cli-p2p").start()) {
            String qmp = qemu.qmpPath().toString();
            Result info = run("info", "--qmp", qmp);
            assertEquals(0, info.code(), info.err());
            assertEquals("virtio-vga", JSON.readTree(info.out()).path("consoles").get(0).path("label").asText());

            qemu.guest().fill(0x884422);
            qemu.guest().stillScreen();
            Thread.sleep(1500);
            Path png = tmp.resolve("auto.png");
            Result shot = run("screenshot", "--qmp", qmp, "--console", "0", "--out", png.toString());
            assertEquals(0, shot.code(), shot.err());
            JsonNode s = JSON.readTree(shot.out());
            assertEquals("map", s.path("path").asText(), shot.out());
            assertEquals(1024, s.path("width").asInt());
            assertEquals(0, differingPixels(ImageIO.read(png.toFile()), qemu.screendump()), "PNG vs screendump");
        }
    }

    @Test
    void errorsAreOneLineAndNonZero() {
        Result noQemu = run("info", "--address", "unix:path=/nonexistent/bus", "--connect-timeout-ms", "300");
        assertEquals(1, noQemu.code());
        assertEquals(1, noQemu.err().strip().lines().count(), noQemu.err());
        assertFalse(noQemu.err().contains("\tat "), "stack trace printed");
        Result usage = run("info");
        assertEquals(2, usage.code());
        Result unknown = run("frobnicate");
        assertEquals(2, unknown.code());
    }
}
