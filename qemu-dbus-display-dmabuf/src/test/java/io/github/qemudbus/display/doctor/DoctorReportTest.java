package io.github.qemudbus.display.doctor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.qemudbus.display.doctor.DoctorReport.Finding;
import io.github.qemudbus.display.doctor.DoctorReport.Severity;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The report's rendering and the doctor's pure helpers; no QEMU needed. */
class DoctorReportTest {

    @Test
    void unreachableQemuIsAReportNotAnException() throws Exception {
        DoctorReport r = Doctor.builder().address("unix:path=/nonexistent/qemu-doctor-test-bus")
                .connectTimeout(Duration.ofMillis(300)).examine();
        assertFalse(r.qemu().reachable());
        assertEquals(Severity.ERROR, r.worst());
        assertEquals(1, r.findings("reachability").size());
        assertTrue(r.toText().contains("not reachable"), r.toText());
        JsonNode n = new ObjectMapper().readTree(r.toJson());
        assertFalse(n.path("qemu").path("reachable").asBoolean());
        assertTrue(n.path("frames").isNull());
        assertEquals("error", n.path("findings").get(0).path("severity").asText());
    }

    @Test
    void findingsAreSortedMostSevereFirstAndJsonEscapes() throws Exception {
        DoctorReport r = new DoctorReport(Instant.EPOCH, "t\"a\\rget\n", 0,
                new DoctorReport.Qemu(true, null, "vm \u0001", "u", null, "unknown: x", List.of(0), List.of(), false),
                List.of(), null, null, null, null, null,
                List.of(new Finding(Severity.INFO, "mouse", "i", null), new Finding(Severity.ERROR, "x", "e", "f"),
                        new Finding(Severity.OK, "y", "o", null)));
        assertEquals(List.of(Severity.ERROR, Severity.INFO, Severity.OK),
                r.findings().stream().map(Finding::severity).toList());
        JsonNode n = new ObjectMapper().readTree(r.toJson());
        assertEquals("t\"a\\rget\n", n.path("target").asText());
        assertEquals("vm \u0001", n.path("qemu").path("name").asText());
        assertTrue(n.path("qemu").path("version").isNull());
        assertTrue(r.toText().contains("[ERROR] x: e"));
        assertThrows(UnsupportedOperationException.class, () -> r.findings().add(null));
    }

    @Test
    void versionsParse() throws IOException {
        assertArrayEquals(new int[] {7, 2, 22}, Doctor.parseVersion("QEMU 7.2.22", true));
        assertArrayEquals(new int[] {10, 0, 0}, Doctor.parseVersion("QEMU 10.0", true));
        assertNull(Doctor.parseVersion("my-vm", true));
        assertNull(Doctor.parseVersion("QEMU-guest 1.2", true));
        assertTrue(Doctor.before(new int[] {9, 1, 3}, Doctor.MAP_SINCE));
        assertFalse(Doctor.before(new int[] {9, 2, 0}, Doctor.MAP_SINCE));
        assertFalse(Doctor.before(new int[] {10, 0, 2}, Doctor.MAP_SINCE));
        assertEquals("7.2.22", QmpVersion.parse(
                "{\"return\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, \"package\": \"Debian\"}}"));
        assertEquals("10.0.2", QmpVersion.parse(
                "{\"return\": {\"qemu\": {\"major\": 10, \"minor\": 0, \"micro\": 2}, \"package\": \"\"}}"));
        assertThrows(IOException.class, () -> QmpVersion.parse("{\"return\": {}}"));
    }
}
