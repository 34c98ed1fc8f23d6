package io.github.qemudbus.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One VM in BUS mode with std VGA, shared by the tests of this class. */
@RequiresQemu
class BusModeStdVgaTest {
    static QemuFixture qemu;

    @BeforeAll
    static void boot() {
        qemu = QemuFixture.builder().mode(QemuFixture.Mode.BUS).vga(QemuFixture.Vga.STD).start();
    }

    @AfterAll
    static void shutdown() {
        if (qemu != null) {
            qemu.close();
        }
    }

    @Test
    void fillRedShowsRedAcrossTheScreen() {
        qemu.guest().fill(0xff0000);
        BufferedImage img = Screens.await(qemu, i -> Screens.fractionOf(i, 0xff0000) == 1.0, Duration.ofSeconds(10));
        assertEquals(1024, img.getWidth());
        assertEquals(768, img.getHeight());
        assertEquals(1.0, Screens.fractionOf(img, 0xff0000), "whole screen red");
        assertEquals(0xff0000, img.getRGB(0, 0) & 0xffffff);
        assertEquals(0xff0000, img.getRGB(1023, 767) & 0xffffff);
    }

    @Test
    void framebufferGeometry() {
        FramebufferGeometry g = qemu.guest().framebufferGeometry();
        assertEquals(new FramebufferGeometry(1024, 768, 4096, 32, "bochs-drmdrmfb"), g);
    }

    @Test
    void controlChannelReturnsOutputAndExitCode() {
        CommandResult r = qemu.guest().run("echo hello; echo oops >&2; exit 3", Duration.ofSeconds(10));
        assertEquals("hello\noops\n", r.output());
        assertEquals(3, r.exitCode());
        assertFalse(r.succeeded());

        assertEquals("no newline", qemu.guest().run("printf 'no newline'").output());
        assertEquals("", qemu.guest().run("true").output());
        // line breaks, tabs and non-ASCII travel base64-encoded
        CommandResult multi = qemu.guest().run("echo 'grüße\tdu'\necho two");
        assertEquals("grüße\tdu\ntwo\n", multi.output());
        assertEquals(0, multi.exitCode());
        assertEquals("6.1", qemu.guest().runChecked("uname -r").substring(0, 3));
        assertThrows(GuestException.class, () -> qemu.guest().runChecked("false"));
    }

    @Test
    void timedOutCommandDoesNotConfuseTheNextOne() {
        assertThrows(GuestException.class, () -> qemu.guest().run("sleep 1; echo late", Duration.ofMillis(200)));
        assertEquals("next\n", qemu.guest().run("echo next").output());
    }

    @Test
    void noiseChangesTheScreenUntilStopped() throws Exception {
        qemu.guest().fill(0x000000);
        qemu.guest().startNoise();
        try {
            BufferedImage a = qemu.screendump();
            Thread.sleep(400);
            BufferedImage b = qemu.screendump();
            assertFalse(Screens.same(a, b), "noise changes the screen");
        } finally {
            qemu.guest().stopNoise();
        }
        Thread.sleep(300); // the last frame's damage flush
        BufferedImage c = qemu.screendump();
        Thread.sleep(700);
        BufferedImage d = qemu.screendump();
        assertTrue(Screens.same(c, d), "screen is still after fb-noise-stop");
        assertTrue(Screens.fractionOf(d, 0x000000) < 0.2, "the still screen still shows noise");
    }

    @Test
    void printTextDrawsOnTheScreen() {
        qemu.guest().fill(0x000000);
        qemu.guest().clearText();
        Screens.await(qemu, i -> Screens.fractionOf(i, 0) == 1.0, Duration.ofSeconds(10));
        qemu.guest().printText("HELLO 'quoted' $HOME");
        BufferedImage img = Screens.await(qemu, i -> countNonBlack(i) > 50, Duration.ofSeconds(10));
        assertTrue(countNonBlack(img) > 50, "text pixels appear");
    }

    @Test
    void busHasQemuAndPublicQmpWorks() throws Exception {
        assertTrue(qemu.dbusAddress().startsWith("unix:path=/"));
        Process p = new ProcessBuilder("dbus-send", "--bus=" + qemu.dbusAddress(), "--print-reply",
                "--dest=org.qemu", "/org/qemu/Display1/VM", "org.freedesktop.DBus.Properties.Get",
                "string:org.qemu.Display1.VM", "string:Name").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertTrue(out.contains("\"testkit\""), out);

        try (Qmp pub = Qmp.connect(qemu.qmpPath(), Duration.ofSeconds(5))) {
            assertTrue(pub.greeting().path("QMP").has("version"));
            JsonNode status = pub.execute("query-status");
            assertEquals("running", status.path("status").asText());
            QmpException e = assertThrows(QmpException.class, () -> pub.execute("no-such-command"));
            assertEquals("CommandNotFound", e.errorClass());
            QmpException e2 = assertThrows(QmpException.class,
                    () -> pub.execute("screendump", Map.of("filename", "/nonexistent/dir/x.png")));
            assertEquals("GenericError", e2.errorClass());
        }
        assertTrue(qemu.qmp().isOpen(), "the fixture's QMP is separate");
        assertTrue(qemu.serialLog().contains("init: ready"), qemu.serialLog());
    }

    @Test
    void typedKeysReachTheShellOnTheScreen() {
        qemu.guest().run("rm -f /tmp/typed");
        List<Map<String, String>> keys = new ArrayList<>();
        for (String k : List.of("t", "o", "u", "c", "h", "spc", "slash", "t", "m", "p", "slash",
                "t", "y", "p", "e", "d", "ret")) {
            keys.add(Map.of("type", "qcode", "data", k));
        }
        for (Map<String, String> k : keys) {
            qemu.qmp().execute("send-key", Map.of("keys", List.of(k)));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!qemu.guest().run("test -e /tmp/typed").succeeded() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(0, qemu.guest().run("test -e /tmp/typed").exitCode(), "the tty1 shell ran the typed command");
    }

    private static int countNonBlack(BufferedImage img) {
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
}
