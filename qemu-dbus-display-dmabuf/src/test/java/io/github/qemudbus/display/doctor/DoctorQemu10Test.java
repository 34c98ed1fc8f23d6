package io.github.qemudbus.display.doctor;

import static io.github.qemudbus.display.doctor.DoctorTestSupport.anyFinding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.display.doctor.DoctorReport.FdStatus;
import io.github.qemudbus.display.doctor.DoctorReport.Severity;
import io.github.qemudbus.display.doctor.DoctorReport.UiInfoStatus;
import io.github.qemudbus.display.frame.FramePath;
import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.RequiresQemu;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The doctor against the default QEMU (10.0 from bookworm-backports), std VGA and virtio-vga. */
@RequiresQemu
class DoctorQemu10Test {
    private static final Logger LOG = LoggerFactory.getLogger(DoctorQemu10Test.class);

    @Test
    void stdVgaGivesCopiesAndAdvisesVirtioVga() throws Exception {
        try (QemuFixture qemu = QemuFixture.builder().vga(QemuFixture.Vga.STD).name("doctor-std").start()) {
            DoctorReport r;
            try (QemuDisplay d = QemuDisplay.builder().address(qemu.dbusAddress()).connect()) {
                qemu.guest().startNoise();
                try {
                    // the VM has a name: the version comes from QMP
                    r = Doctor.builder().display(d).versionFrom(qemu.qmpPath()).observe(Duration.ofSeconds(3))
                            .examine();
                } finally {
                    qemu.guest().stopNoise();
                }
            }
            LOG.info("doctor on QEMU 10, std VGA:\n{}", r.toText());
            assertEquals("doctor-std", r.qemu().name());
            assertTrue(r.qemu().version().startsWith("10."), r.qemu().version());
            assertEquals("QMP query-version", r.qemu().versionSource());
            assertTrue(r.qemu().interfacesProperties());
            assertTrue(r.consoles().get(0).interfaces().contains("org.qemu.Display1.Keyboard"));
            assertEquals(FramePath.COPY, r.frames().path());
            // QEMU 10 shows its first (640x480, QEMU-allocated) surface through ScanoutMap, then
            // switches to copies when the guest's VRAM mode takes over
            assertTrue(r.fdPassing().status() == FdStatus.USED || r.fdPassing().status() == FdStatus.NEGOTIATED);
            assertEquals(1024, r.consoles().get(0).width());
            assertTrue(anyFinding(r, "frame-path", Severity.WARNING, "VRAM", "virtio-vga"), r.toText());
            assertFalse(anyFinding(r, "frame-path", Severity.WARNING, "no Listener.Unix.Map"), r.toText());
            assertTrue(anyFinding(r, "version", Severity.OK), r.toText());
            assertTrue(r.updates().updates() > 0, "noise gave no updates");
            assertEquals(UiInfoStatus.UNSUPPORTED, r.uiInfo().status());
            assertEquals(Boolean.FALSE, r.mouse().absolute());
            DoctorTestSupport.checkJson(r);
            assertTrue(qemu.isRunning());
        }
    }

    @Test
    void virtioVgaGivesTheSharedMap() throws Exception {
        try (QemuFixture qemu = QemuFixture.builder().vga(QemuFixture.Vga.VIRTIO).name(null).start()) {
            DoctorReport r;
            qemu.guest().startNoise();
            try {
                r = Doctor.builder().address(qemu.dbusAddress()).observe(Duration.ofSeconds(3)).examine();
            } finally {
                qemu.guest().stopNoise();
            }
            LOG.info("doctor on QEMU 10, virtio-vga:\n{}", r.toText());
            assertTrue(r.qemu().name().startsWith("QEMU 10."), r.qemu().name());
            assertTrue(r.qemu().versionSource().startsWith("VM name"));
            assertEquals(FramePath.MAP, r.frames().path());
            assertEquals(FdStatus.USED, r.fdPassing().status());
            assertTrue(r.frames().calls("ScanoutMap") > 0);
            assertTrue(anyFinding(r, "frame-path", Severity.OK, "Listener.Unix.Map"), r.toText());
            assertTrue(r.updates().updates() > 0, "noise gave no updates");
            assertEquals(UiInfoStatus.SUPPORTED, r.uiInfo().status(), r.toText());
            assertEquals(Severity.INFO, r.worst(), r.toText()); // relative mouse only
            DoctorTestSupport.checkJson(r);
            assertTrue(qemu.isRunning());
        }
    }
}
