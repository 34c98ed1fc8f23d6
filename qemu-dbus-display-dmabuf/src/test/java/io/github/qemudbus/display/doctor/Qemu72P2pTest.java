package io.github.qemudbus.display.doctor;

import static io.github.qemudbus.display.doctor.DoctorTestSupport.anyFinding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.doctor.DoctorReport.Severity;
import io.github.qemudbus.display.frame.FramePath;
import io.github.qemudbus.testkit.Qemu72;
import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.RequiresQemu;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * QEMU 7.2 peer-to-peer with virtio-vga and a named VM: the doctor connects through QMP, takes
 * the version from {@code query-version}, and blames the copies on the missing Unix.Map only
 * (virtio-vga surfaces would be shareable).
 */
@RequiresQemu
class Qemu72P2pTest {
    private static final Logger LOG = LoggerFactory.getLogger(Qemu72P2pTest.class);

    @Test
    void doctorOverQmpOnVirtioVga() throws Exception {
        try (QemuFixture qemu = Qemu72.fixture().mode(QemuFixture.Mode.P2P).vga(QemuFixture.Vga.VIRTIO)
                .name("legacy-vm").start()) {
            DoctorReport r;
            qemu.guest().startNoise();
            try {
                r = Doctor.builder().qmp(qemu.qmpPath()).observe(Duration.ofSeconds(3)).examine();
            } finally {
                qemu.guest().stopNoise();
            }
            LOG.info("doctor on QEMU 7.2 p2p, virtio-vga:\n{}", r.toText());
            assertTrue(r.qemu().reachable(), r.toText());
            assertEquals("legacy-vm", r.qemu().name());
            assertTrue(r.qemu().version().startsWith("7.2."), r.qemu().version());
            assertEquals("QMP query-version", r.qemu().versionSource());
            assertEquals(FramePath.COPY, r.frames().path());
            assertTrue(anyFinding(r, "frame-path", Severity.WARNING, "no Listener.Unix.Map"), r.toText());
            assertFalse(anyFinding(r, "frame-path", Severity.WARNING, "VRAM"), r.toText());
            assertTrue(r.updates().updates() > 0, "noise gave no updates");
            DoctorTestSupport.checkJson(r);
            assertTrue(qemu.isRunning());
        }
    }
}
