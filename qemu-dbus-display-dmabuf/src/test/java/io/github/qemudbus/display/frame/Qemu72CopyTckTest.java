package io.github.qemudbus.display.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.QemuInstall;
import io.github.qemudbus.testkit.RequiresQemu;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link QemuCopyTckTest} (std VGA: copies) against Debian 12's QEMU 7.2 ({@link
 * QemuInstall#qemu72()}), which has no {@code Listener.Unix.Map} at all: the map TCK has no
 * counterpart on 7.2. The one test whose reason differs is replaced.
 */
@RequiresQemu
class Qemu72CopyTckTest extends QemuCopyTckTest {
    /** Hides {@link QemuCopyTckTest#startQemu()}: the same VM on QEMU 7.2. */
    @BeforeAll
    static void startQemu() {
        qemu = QemuInstall.qemu72().fixture().vga(QemuFixture.Vga.STD).name("frame-copy-72")
                .extraArgs(QemuHarness.TRACE).start();
    }

    /** On 7.2 the reason is the missing interface, whatever the VGA. */
    @Override
    @Test
    void stdVgaNegotiationSaysWhyThereIsNoMap() throws Exception {
        FrameSource s = h.open();
        h.firstSurface();
        PathChange c = s.pathChanges().get(s.pathChanges().size() - 1);
        assertEquals(FramePath.COPY, c.to());
        assertTrue(c.reason().contains("Listener.Unix.Map"), c.reason());
    }
}
