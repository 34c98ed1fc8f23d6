package io.github.qemudbus.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.RequiresQemu;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Input and properties the other real-QEMU tests leave out, checked where QEMU itself sees them: the wheel
 * and multi-touch events in QEMU's input layer (its {@code input_event_*} trace points, logged to a file),
 * the keyboard's {@code Modifiers} following the guest's Caps Lock LED, and a chardev's {@code Echo} set by
 * its front end (QEMU's qtest protocol asks for echo; a serial port does not).
 */
@RequiresQemu
class InputReachesQemuTest {
    static final String QTEST = "org.qemu.qtest";
    static final String SERIAL = "org.qemu.console.serial.0";
    private static Path dir;
    private static Path trace;
    private static QemuFixture qemu;
    private static QemuDisplay display;

    @BeforeAll
    static void boot() throws IOException {
        dir = Files.createTempDirectory("qd-input-trace");
        trace = dir.resolve("trace.log");
        qemu = QemuFixture.builder().mode(QemuFixture.Mode.BUS).vga(QemuFixture.Vga.STD).name("input")
                .extraArgs("-trace", "input_event_*", "-D", trace.toString(),
                        "-chardev", "dbus,id=qt0,name=" + QTEST, "-qtest", "chardev:qt0",
                        "-chardev", "dbus,id=ser0,name=" + SERIAL, "-serial", "chardev:ser0")
                .start();
        display = QemuDisplay.builder().address(qemu.dbusAddress()).timeout(Duration.ofSeconds(20)).connect();
    }

    @AfterAll
    static void shutdown() throws IOException {
        if (display != null) {
            display.close();
        }
        if (qemu != null) {
            qemu.close();
        }
        if (trace != null) {
            Files.deleteIfExists(trace);
            Files.deleteIfExists(dir);
        }
    }

    /** Trace lines logged from now on, once {@code until} holds for them (or fails after 10 s). */
    static final class TraceTail {
        private final long start;

        TraceTail() throws IOException {
            start = Files.exists(trace) ? Files.size(trace) : 0;
        }

        List<String> lines() throws IOException {
            byte[] all = Files.readAllBytes(trace);
            return new String(all, (int) start, all.length - (int) start, StandardCharsets.UTF_8).lines().toList();
        }

        List<String> await(String what, java.util.function.Predicate<List<String>> until) throws Exception {
            long end = System.nanoTime() + 10_000_000_000L;
            List<String> l = lines();
            while (!until.test(l)) {
                assertTrue(System.nanoTime() < end, "QEMU's input layer never saw " + what + "; trace: " + l);
                Thread.sleep(50);
                l = lines();
            }
            return l;
        }
    }

    static long count(List<String> lines, String text) {
        return lines.stream().filter(l -> l.contains(text)).count();
    }

    @Test
    void wheelNotchesReachQemusInputLayer() throws Exception {
        Mouse m = display.console(0).mouse();
        TraceTail down = new TraceTail();
        m.wheel(3);
        List<String> l = down.await("3 notches down", t -> count(t, "button wheel-down, down 0") == 3);
        assertEquals(3, count(l, "button wheel-down, down 1"), l.toString());
        assertEquals(0, count(l, "wheel-up"), l.toString());

        TraceTail up = new TraceTail();
        m.wheel(-2);
        l = up.await("2 notches up", t -> count(t, "button wheel-up, down 0") == 2);
        assertEquals(2, count(l, "button wheel-up, down 1"), l.toString());
        assertEquals(0, count(l, "wheel-down"), l.toString());

        TraceTail none = new TraceTail();
        m.wheel(0);
        m.click(MouseButton.LEFT); // a marker: once it shows, wheel(0) would have shown before it
        l = none.await("the marker click", t -> count(t, "button left, down 0") == 1);
        assertEquals(0, count(l, "wheel"), "wheel(0) sends nothing: " + l);
    }

    @Test
    void touchEventsReachQemusInputLayerScaledToTheConsole() throws Exception {
        Console c = display.console(0);
        MultiTouch touch = c.multiTouch();
        assertEquals(10, touch.maxSlots(), "QEMU's INPUT_EVENT_SLOTS_MAX");
        Console.ConsoleInfo info = c.info();
        int x = info.width() / 4;
        int y = info.height() / 3;
        TraceTail t = new TraceTail();
        touch.send(MultiTouch.Kind.BEGIN, 3, x, y);
        // QEMU scales console pixels to its absolute axis range 0..0x7fff
        String ax = String.format("axis x, value 0x%x", (long) x * 0x7fff / info.width());
        String ay = String.format("axis y, value 0x%x", (long) y * 0x7fff / info.height());
        List<String> l = t.await("a touch at " + x + "," + y, s -> count(s, ay) == 1);
        assertEquals(1, count(l, "button touch, down 1"), l.toString());
        assertEquals(1, count(l, ax), ax + " in " + l);
        touch.send(MultiTouch.Kind.END, 3, x, y);

        QemuDisplayException e = assertThrows(QemuDisplayException.class,
                () -> touch.send(MultiTouch.Kind.BEGIN, touch.maxSlots(), x, y));
        assertTrue(e.getMessage().contains("slot"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> touch.send(MultiTouch.Kind.BEGIN, -1, x, y));
    }

    @Test
    void capsLockShowsInModifiersOnceTheGuestLightsItsLed() throws Exception {
        qemu.guest().awaitReady(Duration.ofSeconds(60));
        Keyboard kb = display.console(0).keyboard();
        assertEquals(0, kb.modifiers() & Keyboard.MODIFIER_CAPS, "Caps Lock is off at boot");
        kb.tap("CapsLock"); // the guest's console keyboard toggles its LED; QEMU reports the LED state
        RealQemuTest.await("the Caps Lock bit in Modifiers", 10_000,
                () -> (kb.modifiers() & Keyboard.MODIFIER_CAPS) != 0);
        kb.tap("CapsLock");
        RealQemuTest.await("the Caps Lock bit cleared again", 10_000,
                () -> (kb.modifiers() & Keyboard.MODIFIER_CAPS) == 0);
    }

    @Test
    void echoIsWhatTheFrontEndAsksFor() {
        Chardev qtest = display.chardev(QTEST).orElseThrow();
        Chardev serial = display.chardev(SERIAL).orElseThrow();
        assertTrue(qtest.echo(), "QEMU's qtest front end turns echo on");
        assertFalse(serial.echo(), "a serial port leaves echo off");
        assertEquals("qt0", qtest.id());
    }
}
