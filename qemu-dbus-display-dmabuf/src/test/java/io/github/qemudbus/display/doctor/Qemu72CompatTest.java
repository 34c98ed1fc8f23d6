package io.github.qemudbus.display.doctor;

import static io.github.qemudbus.display.doctor.DoctorTestSupport.anyFinding;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.qemudbus.display.Console;
import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.display.Vm;
import io.github.qemudbus.display.doctor.DoctorReport.FdStatus;
import io.github.qemudbus.display.doctor.DoctorReport.Severity;
import io.github.qemudbus.display.frame.FramePath;
import io.github.qemudbus.display.frame.FrameSource;
import io.github.qemudbus.display.frame.PathChange;
import io.github.qemudbus.testkit.Qemu72;
import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.RequiresQemu;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debian 12's own QEMU 7.2 (no Interfaces properties, no Listener.Unix.Map): the SDK must
 * degrade quietly to copies and say why. One unnamed std-VGA VM on a private bus, so the VM
 * reports Name "QEMU 7.2.x".
 */
@RequiresQemu
class Qemu72CompatTest {
    private static final Logger LOG = LoggerFactory.getLogger(Qemu72CompatTest.class);
    private static QemuFixture qemu;

    @BeforeAll
    static void start() {
        qemu = Qemu72.fixture().name(null).start();
    }

    @AfterAll
    static void stop() {
        if (qemu != null) {
            qemu.close();
        }
    }

    private static QemuDisplay connect() {
        return QemuDisplay.builder().address(qemu.dbusAddress()).timeout(Duration.ofSeconds(20)).connect();
    }

    @Test
    void vmAndConsolesReadWithoutInterfacesProperties() {
        try (QemuDisplay d = connect()) {
            Vm vm = assertDoesNotThrow(d::vm);
            assertTrue(vm.name().matches("QEMU 7\\.2\\.\\d+"), "Name: " + vm.name());
            assertEquals(List.of(), vm.interfaces(), "7.2 has no VM.Interfaces property");
            assertEquals(List.of(0), vm.consoleIds());
            List<Console> consoles = assertDoesNotThrow(d::consoles);
            assertEquals(1, consoles.size());
            Console.ConsoleInfo info = assertDoesNotThrow(() -> d.console(0).info());
            assertEquals("VGA", info.label());
            assertEquals("Graphic", info.type());
            assertEquals(List.of(), info.interfaces(), "7.2 has no Console.Interfaces property");
            assertTrue(info.width() > 0 && info.height() > 0);
        }
    }

    @Test
    void typedTextReachesTheGuest() throws Exception {
        try (QemuDisplay d = connect()) {
            qemu.guest().run("rm -f /tmp/typed-on-72");
            d.console(0).keyboard().type("touch /tmp/typed-on-72\n");
            DoctorTestSupport.await("the typed command to run in the guest", Duration.ofSeconds(20),
                    () -> qemu.guest().run("test -e /tmp/typed-on-72").succeeded());
        }
    }

    @Test
    void frameSourceEndsOnCopySaysWhyAndMatchesScreendump() throws Exception {
        try (QemuDisplay d = connect(); FrameSource fs = FrameSource.open(d.console(0))) {
            qemu.guest().fill(0x2468ac);
            assertTrue(fs.awaitFrame(Duration.ofSeconds(30)), "no first frame");
            DoctorTestSupport.await("the frame to show the fill", Duration.ofSeconds(30),
                    () -> DoctorTestSupport.shows(fs, 0x2468ac));
            assertEquals(FramePath.COPY, fs.activePath());
            List<PathChange> changes = fs.pathChanges();
            assertFalse(changes.isEmpty());
            PathChange last = changes.get(changes.size() - 1);
            assertEquals(FramePath.COPY, last.to());
            String reasons = changes.stream().map(PathChange::reason).collect(Collectors.joining(" | "));
            LOG.info("QEMU 7.2 path changes: {}", reasons);
            assertTrue(reasons.contains("Listener.Unix.Map"), reasons);
            assertEquals(0, fs.stats().errorReplies());
            qemu.guest().fill(0x13579b);
            DoctorTestSupport.await("the second fill", Duration.ofSeconds(30),
                    () -> DoctorTestSupport.shows(fs, 0x13579b));
            assertEquals(0, DoctorTestSupport.differingPixels(fs, qemu::screendump), "pixels differing from screendump");
        }
    }

    @Test
    void doctorSaysCopiesBecauseThisQemuHasNoMap() throws Exception {
        DoctorReport r;
        try (QemuDisplay d = connect()) {
            qemu.guest().startNoise();
            try {
                r = Doctor.examine(d, 0, Duration.ofSeconds(3));
            } finally {
                qemu.guest().stopNoise();
            }
        }
        LOG.info("doctor on QEMU 7.2:\n{}", r.toText());
        assertTrue(r.qemu().reachable());
        assertTrue(r.qemu().version().startsWith("7.2."), r.qemu().version());
        assertTrue(r.qemu().versionSource().contains("VM name"));
        assertFalse(r.qemu().interfacesProperties());
        assertEquals(FramePath.COPY, r.frames().path());
        assertEquals(FdStatus.NEGOTIATED, r.fdPassing().status());
        assertEquals(0, r.frames().calls("ScanoutMap"));
        assertTrue(r.frames().calls("Scanout") + r.frames().calls("Update") > 0);
        assertTrue(anyFinding(r, "version", Severity.WARNING, "Listener.Unix.Map", "upgrade"), r.toText());
        assertTrue(anyFinding(r, "frame-path", Severity.WARNING, "no Listener.Unix.Map", "VGA", "virtio-vga"),
                r.toText());
        assertTrue(r.updates().updates() > 0, "noise gave no updates");
        assertNotNull(r.mouse().absolute());
        assertFalse(r.mouse().absolute());
        assertTrue(anyFinding(r, "mouse", Severity.INFO, "usb-tablet"));
        assertNotNull(r.uiInfo());
        JsonNode n = DoctorTestSupport.checkJson(r);
        assertEquals("copy", n.path("frames").path("path").asText());
        assertEquals(r.qemu().version(), n.path("qemu").path("version").asText());
        assertTrue(qemu.isRunning());
    }
}
