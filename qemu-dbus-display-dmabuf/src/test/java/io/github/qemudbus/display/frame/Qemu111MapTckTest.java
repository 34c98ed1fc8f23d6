package io.github.qemudbus.display.frame;

import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.QemuInstall;
import io.github.qemudbus.testkit.RequiresQemu;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link QemuMapTckTest} (virtio-vga: the shared map) against Debian's QEMU 11.1 from its
 * trixie tree ({@link QemuInstall#qemu111()}): every test of the class, on its own VM.
 */
@RequiresQemu
class Qemu111MapTckTest extends QemuMapTckTest {
    /** Instead of {@link QemuMapTckTest#startQemu}, which skips subclasses: the same VM on QEMU 11.1. */
    @BeforeAll
    static void startQemu() {
        qemu = QemuInstall.qemu111().fixture().vga(QemuFixture.Vga.VIRTIO).name("frame-map-111")
                .extraArgs(QemuHarness.TRACE).start();
    }
}
