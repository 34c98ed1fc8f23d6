package io.github.qemudbus.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.testkit.InputEvent;
import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.RequiresQemu;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Input end to end: the SDK's Mouse and MultiTouch on a real VM with a virtio tablet and a
 * virtio multitouch screen, checked by what the guest kernel delivers on {@code
 * /dev/input/eventN} (the guest logs every evdev event; see {@code qd-tool events}).
 *
 * <p>The multitouch device comes first on the command line: QEMU hands button events to the
 * input handler activated last that takes buttons, and the multitouch device takes them too
 * (as BTN_LEFT, on the touch screen); the guest activates devices in PCI order, so the tablet,
 * activated last, gets the buttons. (QEMU 10.0 also queues a BTN_TOUCH press, never released, to
 * that button handler for every touch that begins or moves; with this order it lands on the tablet,
 * so this test checks the touch screen's own MT events only.) One VM for the class.
 */
@RequiresQemu
class GuestInputTest {
    // linux/input-event-codes.h
    private static final int ABS_X = 0;
    private static final int ABS_Y = 1;
    private static final int REL_WHEEL = 8;
    private static final int BTN_LEFT = 272;
    private static final int BTN_RIGHT = 273;
    private static final int BTN_MIDDLE = 274;
    private static final int ABS_MT_SLOT = 47;
    private static final int ABS_MT_POSITION_X = 53;
    private static final int ABS_MT_POSITION_Y = 54;
    private static final int ABS_MT_TRACKING_ID = 57;
    /** The virtio input devices' absolute range, 0..0x7fff (QEMU's INPUT_EVENT_ABS_MAX). */
    private static final int ABS_MAX = 0x7fff;

    private static QemuFixture qemu;
    private static QemuDisplay display;
    private static Console console;
    private static int width;
    private static int height;

    @BeforeAll
    static void boot() {
        qemu = QemuFixture.builder().vga(QemuFixture.Vga.STD).name("input")
                .extraArgs("-device", "virtio-multitouch-pci", "-device", "virtio-tablet-pci").start();
        qemu.guest().startInputLog("tablet", "Virtio Tablet");
        qemu.guest().startInputLog("touch", "Virtio MultiTouch");
        display = QemuDisplay.builder().address(qemu.dbusAddress()).timeout(Duration.ofSeconds(20)).connect();
        console = display.console(0);
        Console.ConsoleInfo info = console.info();
        width = info.width();
        height = info.height();
    }

    @AfterAll
    static void shutdown() {
        if (display != null) {
            display.close();
        }
        if (qemu != null) {
            qemu.close();
        }
    }

    @BeforeEach
    void clearLogs() {
        qemu.guest().clearInputLog("tablet");
        qemu.guest().clearInputLog("touch");
    }

    /** Polls the guest's log until {@code done} holds; returns the events. */
    private static List<InputEvent> await(String tag, String what, Predicate<List<InputEvent>> done)
            throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        List<InputEvent> events;
        while (!done.test(events = qemu.guest().inputLog(tag))) {
            if (System.nanoTime() > end) {
                throw new AssertionError("the guest's " + tag + " did not see " + what + "; it saw " + events);
            }
            Thread.sleep(100);
        }
        return events;
    }

    private static boolean has(List<InputEvent> events, int type, int code, int value) {
        return events.contains(new InputEvent(type, code, value));
    }

    /** The last value of an axis, or -1. */
    private static int last(List<InputEvent> events, int type, int code) {
        int v = -1;
        for (InputEvent e : events) {
            if (e.type() == type && e.code() == code) {
                v = e.value();
            }
        }
        return v;
    }

    /** Where the guest's absolute value lands on a console of {@code size} pixels. */
    private static long pixel(int value, int size) {
        return Math.round((double) value * size / ABS_MAX);
    }

    private static void assertLandsOn(List<InputEvent> events, int type, int codeX, int codeY, int x, int y) {
        int vx = last(events, type, codeX);
        int vy = last(events, type, codeY);
        assertTrue(Math.abs(pixel(vx, width) - x) <= 1 && Math.abs(pixel(vy, height) - y) <= 1,
                "sent " + x + "," + y + " on a " + width + "x" + height + " console; the guest got " + vx + "," + vy
                        + " of " + ABS_MAX + " (" + pixel(vx, width) + "," + pixel(vy, height) + "): " + events);
    }

    @Test
    void absoluteMovesLandWhereTheyWereSent() throws Exception {
        Mouse mouse = console.mouse();
        assertTrue(mouse.isAbsolute(), "the tablet makes the mouse absolute");
        int[][] points = {{100, 200}, {width - 1, height - 1}, {0, 0}, {width / 2, height / 3}};
        for (int[] p : points) {
            qemu.guest().clearInputLog("tablet");
            mouse.moveTo(p[0], p[1]);
            // evdev drops a value equal to the last one: every point differs from the one before on both axes
            List<InputEvent> ev = await("tablet", "ABS_X and ABS_Y for " + p[0] + "," + p[1],
                    e -> last(e, InputEvent.EV_ABS, ABS_X) >= 0 && last(e, InputEvent.EV_ABS, ABS_Y) >= 0
                            && has(e, InputEvent.EV_SYN, 0, 0));
            assertLandsOn(ev, InputEvent.EV_ABS, ABS_X, ABS_Y, p[0], p[1]);
        }
        InvalidException outside = org.junit.jupiter.api.Assertions.assertThrows(InvalidException.class,
                () -> mouse.moveTo(width, 0));
        assertTrue(outside.getMessage().contains("SetAbsPosition"), outside.getMessage());
    }

    @Test
    void buttonsPressAndRelease() throws Exception {
        Mouse mouse = console.mouse();
        mouse.moveTo(300, 300);
        int[][] buttons = {{MouseButton.LEFT.ordinal(), BTN_LEFT}, {MouseButton.RIGHT.ordinal(), BTN_RIGHT},
                {MouseButton.MIDDLE.ordinal(), BTN_MIDDLE}};
        for (int[] b : buttons) {
            MouseButton button = MouseButton.values()[b[0]];
            mouse.press(button);
            await("tablet", button + " down", e -> has(e, InputEvent.EV_KEY, b[1], 1));
            mouse.release(button);
            List<InputEvent> ev = await("tablet", button + " up", e -> has(e, InputEvent.EV_KEY, b[1], 0));
            assertTrue(ev.indexOf(new InputEvent(InputEvent.EV_KEY, b[1], 1))
                    < ev.lastIndexOf(new InputEvent(InputEvent.EV_KEY, b[1], 0)), ev.toString());
        }
        mouse.click(MouseButton.LEFT);
        List<InputEvent> ev = await("tablet", "a second LEFT click", e -> e.stream()
                .filter(x -> x.type() == InputEvent.EV_KEY && x.code() == BTN_LEFT).count() == 4);
        assertTrue(qemu.guest().inputLog("touch").stream().noneMatch(x -> x.type() == InputEvent.EV_KEY),
                "no button reached the touch screen: " + ev);
    }

    @Test
    void wheelNotchesScroll() throws Exception {
        Mouse mouse = console.mouse();
        mouse.wheel(2); // down: negative REL_WHEEL in evdev
        List<InputEvent> ev = await("tablet", "two notches down", e -> e.stream()
                .filter(x -> x.type() == InputEvent.EV_REL && x.code() == REL_WHEEL).count() == 2);
        assertTrue(ev.stream().filter(x -> x.type() == InputEvent.EV_REL && x.code() == REL_WHEEL)
                .allMatch(x -> x.value() == -1), ev.toString());
        qemu.guest().clearInputLog("tablet");
        mouse.wheel(-3);
        ev = await("tablet", "three notches up", e -> e.stream()
                .filter(x -> x.type() == InputEvent.EV_REL && x.code() == REL_WHEEL).count() == 3);
        assertTrue(ev.stream().filter(x -> x.type() == InputEvent.EV_REL && x.code() == REL_WHEEL)
                .allMatch(x -> x.value() == 1), ev.toString());
        assertTrue(ev.stream().noneMatch(x -> x.type() == InputEvent.EV_KEY), "a wheel is no button: " + ev);
    }

    @Test
    void fingersTouchMoveAndLift() throws Exception {
        MultiTouch touch = console.multiTouch();
        int slots = touch.maxSlots();
        assertTrue(slots > 1, "slots: " + slots);
        int second = slots - 1; // the last slot reaches the guest too
        touch.send(MultiTouch.Kind.BEGIN, 0, 200, 150);
        touch.send(MultiTouch.Kind.BEGIN, second, 600, 450);
        List<InputEvent> ev = await("touch", "two fingers down", e -> e.stream()
                .filter(x -> x.type() == InputEvent.EV_ABS && x.code() == ABS_MT_TRACKING_ID && x.value() >= 0)
                .count() == 2);
        assertTrue(has(ev, InputEvent.EV_ABS, ABS_MT_SLOT, second), "slot " + second + " in " + ev);
        assertLandsOn(ev, InputEvent.EV_ABS, ABS_MT_POSITION_X, ABS_MT_POSITION_Y, 600, 450);

        qemu.guest().clearInputLog("touch");
        touch.send(MultiTouch.Kind.UPDATE, second, 640, 500);
        ev = await("touch", "the second finger moving", e -> last(e, InputEvent.EV_ABS, ABS_MT_POSITION_X) >= 0
                && last(e, InputEvent.EV_ABS, ABS_MT_POSITION_Y) >= 0);
        assertLandsOn(ev, InputEvent.EV_ABS, ABS_MT_POSITION_X, ABS_MT_POSITION_Y, 640, 500);

        qemu.guest().clearInputLog("touch");
        touch.send(MultiTouch.Kind.END, 0, 200, 150);
        touch.send(MultiTouch.Kind.END, second, 640, 500);
        ev = await("touch", "both fingers lifted", e -> e.stream()
                .filter(x -> x.type() == InputEvent.EV_ABS && x.code() == ABS_MT_TRACKING_ID && x.value() == -1)
                .count() == 2);
        assertEquals(0, ev.stream().filter(x -> x.type() == InputEvent.EV_ABS && x.code() == ABS_MT_TRACKING_ID
                && x.value() >= 0).count(), "no new finger: " + ev);
    }
}
