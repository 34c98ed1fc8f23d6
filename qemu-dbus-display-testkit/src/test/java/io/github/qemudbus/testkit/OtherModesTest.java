package io.github.qemudbus.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** P2P mode, virtio-vga, and what close() leaves behind. */
@RequiresQemu
class OtherModesTest {

    @Test
    void p2pModeBoots() {
        try (QemuFixture qemu = QemuFixture.builder().mode(QemuFixture.Mode.P2P).start()) {
            assertThrows(IllegalStateException.class, qemu::dbusAddress);
            assertEquals(-1, qemu.dbusDaemonPid());
            assertTrue(Files.exists(qemu.qmpPath()));
            qemu.guest().fill(0x00ff00);
            BufferedImage img = Screens.await(qemu, i -> Screens.fractionOf(i, 0x00ff00) == 1.0, Duration.ofSeconds(10));
            assertEquals(1.0, Screens.fractionOf(img, 0x00ff00));
            assertTrue(qemu.qemuStderr().isEmpty() || !qemu.qemuStderr().contains("error"), qemu.qemuStderr());
        }
    }

    @Test
    void virtioVgaBootsWithAFramebuffer() {
        try (QemuFixture qemu = QemuFixture.builder().vga(QemuFixture.Vga.VIRTIO).start()) {
            FramebufferGeometry g = qemu.guest().framebufferGeometry();
            assertEquals(new FramebufferGeometry(1024, 768, 4096, 32, "virtio_gpudrmfb"), g);
            qemu.guest().fill(0x0000ff);
            BufferedImage img = Screens.await(qemu, i -> Screens.fractionOf(i, 0x0000ff) == 1.0, Duration.ofSeconds(10));
            assertEquals(1024, img.getWidth());
            assertEquals(768, img.getHeight());
            assertEquals(1.0, Screens.fractionOf(img, 0x0000ff));
        }
    }

    @Test
    void closeLeavesNoProcessesAndNoFolder() {
        QemuFixture qemu = QemuFixture.builder().mode(QemuFixture.Mode.BUS).start();
        long qemuPid = qemu.qemuPid();
        long busPid = qemu.dbusDaemonPid();
        Path dir = qemu.directory();
        assertTrue(ProcessHandle.of(qemuPid).map(ProcessHandle::isAlive).orElse(false));
        assertTrue(ProcessHandle.of(busPid).map(ProcessHandle::isAlive).orElse(false));
        assertTrue(Files.isDirectory(dir));
        long children = ProcessHandle.current().children().count();
        assertTrue(children >= 3, "qemu, dbus-daemon and the watchdog run: " + children);

        qemu.close();
        assertFalse(ProcessHandle.of(qemuPid).map(ProcessHandle::isAlive).orElse(false), "qemu gone");
        assertFalse(ProcessHandle.of(busPid).map(ProcessHandle::isAlive).orElse(false), "dbus-daemon gone");
        assertFalse(Files.exists(dir), "temp folder deleted");
        assertEquals(0, ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count(),
                "no child process left");
        assertFalse(qemu.isRunning());
        assertTrue(qemu.serialLog().contains("init: ready"), "logs are kept after close");
        qemu.close(); // idempotent
        assertThrows(IllegalStateException.class, qemu::guest);
    }
}
