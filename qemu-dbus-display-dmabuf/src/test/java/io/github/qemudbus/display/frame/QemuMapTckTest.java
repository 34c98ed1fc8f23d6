package io.github.qemudbus.display.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.RequiresQemu;
import java.util.EnumSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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

    @BeforeAll
    static void startQemu() {
        qemu = QemuFixture.builder().vga(QemuFixture.Vga.VIRTIO).name("frame-map").start();
    }

    @AfterAll
    static void stopQemu() {
        closeQuietly(qemu);
    }

    @Override
    protected Harness newHarness() {
        return new QemuHarness(qemu, FramePath.MAP, EnumSet.allOf(FramePath.class));
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
