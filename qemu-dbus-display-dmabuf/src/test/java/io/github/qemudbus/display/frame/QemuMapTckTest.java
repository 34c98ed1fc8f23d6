package io.github.qemudbus.display.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.RequiresQemu;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The conformance suite against real QEMU with {@code -device virtio-vga}: QEMU allocates the
 * surfaces itself and shares them (ScanoutMap/UpdateMap).
 */
@RequiresQemu
class QemuMapTckTest extends FrameSourceTck {
    private static final Logger LOG = LoggerFactory.getLogger(QemuMapTckTest.class);
    static QemuFixture qemu;

    /**
     * QEMU 10.0's VM, for this class only: JUnit also runs this method for a subclass (a static
     * method does not hide it there), whose own {@code @BeforeAll} starts its QEMU's VM.
     */
    @BeforeAll
    static void startQemu(TestInfo info) {
        if (info.getTestClass().orElseThrow() != QemuMapTckTest.class) {
            return;
        }
        qemu = QemuFixture.builder().vga(QemuFixture.Vga.VIRTIO).name("frame-map")
                .extraArgs(QemuHarness.TRACE).start();
    }

    @AfterAll
    static void stopQemu() {
        closeQuietly(qemu);
    }

    @Override
    protected Harness newHarness() {
        return new QemuHarness(qemu, FramePath.MAP, EnumSet.allOf(FramePath.class));
    }

    /** The copy path's cursor (std VGA, QemuCopyTckTest's device, has no hardware cursor). */
    @Test
    void cursorOnTheCopyPath() throws Exception {
        try (QemuHarness copy = new QemuHarness(qemu, FramePath.COPY, EnumSet.of(FramePath.COPY))) {
            assertCursor(copy);
            assertEquals(FramePath.COPY, copy.source.activePath());
        }
    }

    /**
     * The seed's failure on real QEMU: a listener that answers ScanoutMap after QEMU's 1 s timeout
     * ({@code DBUS_DEFAULT_TIMEOUT}, a synchronous call in ui/dbus-listener.c) makes QEMU send
     * copies on that listener for good; the source shows them and says why. A listener that
     * answers in time, on the same VM, gets the map.
     */
    @Test
    void lateScanoutMapReplyMakesQemuCopyForGood() throws Exception {
        AtomicInteger maps = new AtomicInteger();
        // 1.5 s: well past QEMU's 1 s, also when this machine is slow (that only lengthens QEMU's wait)
        QemuHarness late = new QemuHarness(qemu, FramePath.MAP, EnumSet.allOf(FramePath.class),
                r -> LateMapReply.around(r, Duration.ofMillis(1500), maps));
        try (late) {
            FrameSource s = late.open();
            late.firstSurface();
            // firstSurface() can return before the fallback shows: the accepted map already shows the guest's
            // fill, and QEMU's Scanout comes only after this listener's late reply (~1.5 s after ScanoutMap).
            // Seen on QEMU 11.1.3, which still makes the same synchronous 1 s ScanoutMap call and drops the map
            // for good (Qemu111MapTckTest): the switch came ~0.2 s after firstSurface() returned.
            await("QEMU's copies after the late ScanoutMap reply", Duration.ofSeconds(10),
                    () -> s.activePath() == FramePath.COPY);
            List<PathChange> pc = s.pathChanges();
            assertEquals(2, pc.size(), pc.toString());
            assertEquals(FramePath.MAP, pc.get(0).to(), pc.toString());
            FrameSourceUnitTest.assertChange(pc.get(1), FramePath.MAP, FramePath.COPY);
            String why = pc.get(1).reason();
            assertTrue(why.startsWith("ScanoutMap reply too late: QEMU sent "), why);
            assertTrue(why.contains("for good"), why);
            assertEquals(1, maps.get(), "one ScanoutMap");
            LOG.info("late ScanoutMap reply on real QEMU: {}", why);
            // for good: a new surface on the same listener comes as copies too, without a ScanoutMap
            qemu.guest().setMode(1280, 1024, 0x00aa55);
            await("the 1280x1024 mode in copies", Duration.ofSeconds(20),
                    () -> QemuHarness.width(s) == 1280 && QemuHarness.shows(s, 0x00aa55));
            assertEquals(FramePath.COPY, s.activePath());
            assertEquals(1, maps.get(), "QEMU tried no second ScanoutMap on this listener");
        }
        // the same VM, a listener that answers at once: the map
        try (QemuHarness prompt = new QemuHarness(qemu, FramePath.MAP, EnumSet.allOf(FramePath.class))) {
            FrameSource s = prompt.open();
            prompt.firstSurface();
            assertEquals(FramePath.MAP, s.activePath(), s.pathChanges().toString());
        }
    }

    @Test
    void forcedCopyOnVirtioGetsCopies() throws Exception {
        QemuHarness copy = new QemuHarness(qemu, FramePath.COPY, EnumSet.of(FramePath.COPY));
        try (copy) {
            FrameSource s = copy.open();
            copy.firstSurface();
            assertEquals(FramePath.COPY, s.activePath());
            LOG.info("virtio-vga, forced copy: {}", s.pathChanges());
            h = copy;
            assertShows(s, java.time.Duration.ofSeconds(30));
        }
    }
}
