package io.github.qemudbus.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.RequiresQemu;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The API against a real QEMU 10 on a private bus, with the tiny test guest on std VGA. */
@RequiresQemu
class RealQemuTest {
    private static QemuFixture qemu;
    /** Width/Height values signalled since before the guest set its video mode. */
    private static final List<Long> SIZES_SIGNALLED = new CopyOnWriteArrayList<>();
    private static int widthBeforeGuest;
    private static QemuDisplay watcher;
    private static AutoCloseable sizeSubscription;
    private static ListenerRegistration watcherListener;

    @BeforeAll
    static void boot() {
        // QEMU up, the guest not yet: the console still shows SeaBIOS (720x400 text or 640x480), so the
        // guest's switch to 1024x768 (video=) is a size change the subscription below must see.
        qemu = QemuFixture.builder().mode(QemuFixture.Mode.BUS).vga(QemuFixture.Vga.STD).name("api-bus")
                .waitForGuest(false).start();
        watcher = connect();
        sizeSubscription = watcher.console(0).onPropertyChange(c -> {
            if (c.name().equals("Width") || c.name().equals("Height")) {
                SIZES_SIGNALLED.add(((Number) c.value()).longValue());
            }
        });
        watcherListener = watcher.console(0).registerListener(new CopyFramebuffer(), Set.of());
        widthBeforeGuest = watcher.console(0).info().width();
        qemu.guest().awaitReady(Duration.ofSeconds(60));
    }

    @AfterAll
    static void shutdown() throws Exception {
        if (watcherListener != null) {
            watcherListener.close();
        }
        if (sizeSubscription != null) {
            sizeSubscription.close();
        }
        if (watcher != null) {
            watcher.close();
        }
        if (qemu != null) {
            qemu.close();
        }
    }

    private static QemuDisplay connect() {
        return QemuDisplay.builder().address(qemu.dbusAddress()).timeout(Duration.ofSeconds(20)).connect();
    }

    static void await(String what, long millis, BooleanSupplier condition) throws InterruptedException {
        await(() -> what, millis, condition);
    }

    static void await(java.util.function.Supplier<String> what, long millis, BooleanSupplier condition)
            throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what.get());
            }
            Thread.sleep(50);
        }
    }

    @Test
    void readsVmAndConsoleProperties() {
        try (QemuDisplay d = connect()) {
            Vm vm = d.vm();
            assertEquals("api-bus", vm.name(), "the -name QEMU was started with: " + vm);
            assertEquals(List.of(0), vm.consoleIds());
            Console.ConsoleInfo info = d.console(0).info();
            assertEquals("Graphic", info.type());
            assertTrue(info.width() > 0 && info.height() > 0, info.toString());
            assertTrue(info.interfaces().contains("org.qemu.Display1.Keyboard"), info.toString());
            assertFalse(d.isPeerToPeer());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.console(7));
            assertTrue(e.getMessage().contains("no console 7"), e.getMessage());
        }
    }

    @Test
    void copiedFrameEqualsQemusScreendump() throws Exception {
        qemu.guest().fill(0x3366cc);
        qemu.guest().stillScreen();
        try (QemuDisplay d = connect()) {
            CopyFramebuffer fb = new CopyFramebuffer();
            try (ListenerRegistration reg = d.console(0).registerListener(fb, EnumSet.noneOf(ListenerFeature.class))) {
                await("a full frame", 20000, () -> fb.updates() > 0);
                Thread.sleep(500); // let pending refreshes land
                BufferedImage ours = fb.image();
                BufferedImage theirs = qemu.screendump();
                assertEquals(theirs.getWidth(), ours.getWidth());
                assertEquals(theirs.getHeight(), ours.getHeight());
                int diff = 0;
                for (int y = 0; y < ours.getHeight(); y++) {
                    for (int x = 0; x < ours.getWidth(); x++) {
                        if ((ours.getRGB(x, y) & 0xffffff) != (theirs.getRGB(x, y) & 0xffffff)) {
                            diff++;
                        }
                    }
                }
                assertEquals(0, diff, "pixels differing from screendump");
                assertEquals(0x3366cc, ours.getRGB(ours.getWidth() / 2, ours.getHeight() / 2) & 0xffffff);
                assertFalse(fb.calls.contains("ScanoutMap"), "copy-only listener got a map");
                assertEquals(0, reg.errorReplies());
            }
        }
    }

    @Test
    void typedTextReachesTheGuestShell() {
        try (QemuDisplay d = connect()) {
            qemu.guest().run("rm -f /tmp/typed-by-sdk");
            d.console(0).keyboard().type("touch /tmp/typed-by-sdk\n");
            long end = System.currentTimeMillis() + 15000;
            while (!qemu.guest().run("test -e /tmp/typed-by-sdk").succeeded()) {
                assertTrue(System.currentTimeMillis() < end, "typed command never ran in the guest");
            }
        }
    }

    @Test
    void badInputIsRefusedBeforeItReachesQemu() {
        try (QemuDisplay d = connect()) {
            Keyboard kb = d.console(0).keyboard();
            assertThrows(IllegalArgumentException.class, () -> kb.press(0x1ff));
            assertThrows(IllegalArgumentException.class, () -> kb.tap("NoSuchKey"));
            assertThrows(IllegalArgumentException.class, () -> kb.type("é"));
            Mouse m = d.console(0).mouse();
            assertFalse(m.isAbsolute()); // no tablet device in this VM
            assertThrows(InvalidException.class, () -> m.moveTo(10, 10));
            m.moveBy(3, 4); // relative works
            assertTrue(qemu.isRunning());
        }
    }

    @Test
    void propertyChangesAreDelivered() throws Exception {
        // subscribed in boot(), before the guest switched from the BIOS screen to its 1024x768 mode
        int w = watcher.console(0).info().width();
        int h = watcher.console(0).info().height();
        assertEquals(1024, w, "the guest's video= mode");
        assertEquals(768, h, "the guest's video= mode");
        assertTrue(widthBeforeGuest != w, "the console was already " + w + " wide before the guest booted; "
                + "nothing left to signal");
        await(() -> "Width " + w + " and Height " + h + " signalled; got " + SIZES_SIGNALLED, 20000,
                () -> SIZES_SIGNALLED.contains((long) w) && SIZES_SIGNALLED.contains((long) h));
    }

    @Test
    void unreachableBusGivesAClearError() {
        QemuDisplayException e = assertThrows(QemuDisplayException.class, () -> QemuDisplay.builder()
                .address("unix:path=/nonexistent/bus").timeout(Duration.ofMillis(300)).connect());
        assertTrue(e.getMessage().contains("/nonexistent/bus"), e.getMessage());
        QemuDisplayException p = assertThrows(QemuDisplayException.class, () -> QemuDisplay.builder()
                .qmp(Path.of("/nonexistent/qmp.sock")).timeout(Duration.ofMillis(300)).connect());
        assertTrue(p.getMessage().contains("qmp.sock"), p.getMessage());
    }
}
