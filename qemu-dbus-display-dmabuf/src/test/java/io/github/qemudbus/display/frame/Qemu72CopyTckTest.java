package io.github.qemudbus.display.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.QemuInstall;
import io.github.qemudbus.testkit.RequiresQemu;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link QemuCopyTckTest} (std VGA: copies) against Debian 12's QEMU 7.2 ({@link
 * QemuInstall#qemu72()}), which has no {@code Listener.Unix.Map} at all: the map TCK has no
 * counterpart on 7.2. The two tests where 7.2 behaves differently are replaced.
 */
@RequiresQemu
class Qemu72CopyTckTest extends QemuCopyTckTest {
    /** Instead of {@link QemuCopyTckTest#startQemu}, which skips subclasses: the same VM on QEMU 7.2. */
    @BeforeAll
    static void startQemu() {
        qemu = QemuInstall.qemu72().fixture().vga(QemuFixture.Vga.STD).name("frame-copy-72")
                .extraArgs(QemuHarness.TRACE).start();
    }

    /** On 7.2 the reason is the missing interface, whatever the VGA. */
    @Override
    String noMapReason() {
        return "Listener.Unix.Map";
    }

    /**
     * On 7.2 a guest that turns its scanout off gets no new surface: QEMU 7.2's {@code vga_draw_blank}
     * (hw/display/vga.c) clears the current surface in place and sends one full-screen update. QEMU
     * 10.0 replaces the surface with a blank one first (the base test), since Gerd Hoffmann's "unshare
     * buffer before clearing" fix of June 2024 (QEMU issue #2067, which 7.2 predates). Seen here: the
     * same 1024x768 surface, one more update, every pixel black, like QMP screendump.
     */
    @Override
    @Test
    void disable() throws Exception {
        FrameSource s = h.open();
        CountDownLatch disabled = onDisabled(s);
        h.firstSurface();
        long surfaces = s.stats().surfaces();
        long updates = s.stats().updates();
        int width = QemuHarness.width(s);
        h.disable();
        await("the blanking update on the same surface", Duration.ofSeconds(10),
                () -> s.stats().updates() > updates && QemuHarness.shows(s, 0x000000));
        assertEquals(surfaces, s.stats().surfaces(), "7.2 keeps the surface");
        assertEquals(width, QemuHarness.width(s));
        BufferedImage dump = qemu.screendump();
        assertEquals(0, dump.getRGB(dump.getWidth() / 2, dump.getHeight() / 2) & 0xffffff, "QEMU shows black too");
        assertShows(s, Duration.ofSeconds(10));
        assertEquals(1, disabled.getCount(), "onDisabled although QEMU sent no Disable");
        h.firstSurface();
        assertShows(s, Duration.ofSeconds(10));
    }
}
