import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.display.frame.Frame;
import io.github.qemudbus.display.frame.FrameSource;
import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.RequiresQemu;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@RequiresQemu // skipped unless -Dqemu.tests=true; then a missing QEMU or dbus-daemon fails it
class ScreenTest {
    @Test
    void theGuestPaintsItsScreenRed() throws Exception {
        try (QemuFixture vm = QemuFixture.builder().vga(QemuFixture.Vga.VIRTIO).start();
             QemuDisplay qemu = QemuDisplay.builder().address(vm.dbusAddress()).connect();
             FrameSource frames = FrameSource.open(qemu.console(0))) {
            assertTrue(frames.awaitFrame(Duration.ofSeconds(30)), "no frame");
            vm.guest().fill(0xff0000); // the test guest paints its framebuffer red
            int rgb = 0;
            for (int i = 0; i < 100 && rgb != 0xff0000; i++) {
                Thread.sleep(100);
                try (Frame f = frames.acquireFrame().orElseThrow()) {
                    rgb = f.toImage().getRGB(f.width() / 2, f.height() / 2) & 0xffffff;
                }
            }
            assertEquals(0xff0000, rgb);
        }
    }
}
