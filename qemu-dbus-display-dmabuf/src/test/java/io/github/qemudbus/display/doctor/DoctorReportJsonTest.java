package io.github.qemudbus.display.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.qemudbus.display.Console;
import io.github.qemudbus.display.doctor.DoctorReport.FdPassing;
import io.github.qemudbus.display.doctor.DoctorReport.FdStatus;
import io.github.qemudbus.display.doctor.DoctorReport.Finding;
import io.github.qemudbus.display.doctor.DoctorReport.Frames;
import io.github.qemudbus.display.doctor.DoctorReport.MouseMode;
import io.github.qemudbus.display.doctor.DoctorReport.Severity;
import io.github.qemudbus.display.doctor.DoctorReport.UiInfo;
import io.github.qemudbus.display.doctor.DoctorReport.UiInfoStatus;
import io.github.qemudbus.display.doctor.DoctorReport.Updates;
import io.github.qemudbus.display.frame.FramePath;
import io.github.qemudbus.display.frame.PathChange;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code doctor --json} is a command-line contract: the exact text (keys, order, number and
 * string formats) is pinned here, as the hand-written writer produced it before Jackson.
 */
class DoctorReportJsonTest {

    static DoctorReport full(double perSecond, double mbps, String odd) {
        Map<String, Long> calls = new LinkedHashMap<>();
        calls.put("ScanoutMap", 1L);
        calls.put("UpdateMap", 42L);
        calls.put("Scanout", 0L);
        return new DoctorReport(Instant.parse("2026-01-02T03:04:05.678Z"), "unix:path=/run/qemu " + odd, 1,
                new DoctorReport.Qemu(true, null, "vm " + odd, "uuid-1", "10.0.2", "QMP query-version", List.of(0, 1),
                        List.of("org.qemu.Display1.Audio", "org.qemu.Display1.Chardev"), true),
                List.of(new Console.ConsoleInfo(0, "VGA", "Graphic", 1024, 768, 0, "pci/0000/02.0",
                        List.of("org.qemu.Display1.Keyboard", "org.qemu.Display1.Mouse")),
                        new Console.ConsoleInfo(1, "serial0", "Text", 0, 0, 0, "", List.of())),
                new FdPassing(FdStatus.USED, "a shared-memory surface arrived"),
                new Frames(FramePath.MAP, List.of("org.qemu.Display1.Listener.Unix.Map"), 2,
                        List.of(new PathChange(null, FramePath.DMABUF, "first", Instant.parse("2026-01-02T03:04:06Z")),
                                new PathChange(FramePath.DMABUF, FramePath.MAP, "fell back: " + odd,
                                        Instant.parse("2026-01-02T03:04:07.001Z"))),
                        calls, List.of("refused \"x\""), 17, "UpdateMap", "XR24", 0x0100000000000002L, false,
                        null),
                new Updates(Duration.ofMillis(2500), 42, perSecond, 1, 3_145_728, mbps, 0),
                new MouseMode(true, null),
                new UiInfo(UiInfoStatus.UNSUPPORTED, "org.qemu.Display1.Error.Unsupported"),
                List.of(new Finding(Severity.INFO, "mouse", "absolute " + odd, null),
                        new Finding(Severity.WARNING, "frame-path", "map", "use virtio")));
    }

    static DoctorReport empty() {
        return new DoctorReport(Instant.EPOCH, null, 0,
                new DoctorReport.Qemu(false, "no bus", null, null, null, "unknown: x", List.of(), List.of(), false),
                List.of(), null, null, null, null, null, List.of());
    }

    @Test
    void fullReportIsByteForByteAsBefore() {
        String odd = "q\"b\\s/t\tn\nr\rb\bf\fc\u0001\u001f ls\u2028ps\u2029 é€😀";
        assertEquals(FULL, full(16.8, 1.2582912, odd).toJson());
    }

    @Test
    void numbersKeepTheirFormat() {
        assertEquals(NUMBERS, full(1.0 / 3, 0.0, "").toJson().replaceAll(".*\"updates\":(\\{[^}]*\\}).*", "$1"));
        assertEquals(NAN, full(Double.NaN, Double.POSITIVE_INFINITY, "").toJson()
                .replaceAll(".*\"updates\":(\\{[^}]*\\}).*", "$1"));
        assertEquals(BIG, full(1234567.8915, 100.0, "").toJson().replaceAll(".*\"updates\":(\\{[^}]*\\}).*", "$1"));
    }

    @Test
    void emptyReportIsByteForByteAsBefore() {
        assertEquals(EMPTY, empty().toJson());
    }

    // Captured from the hand-written writer (Json.java) before it was replaced.
    static final String FULL = "{\"at\":\"2026-01-02T03:04:05.678Z\",\"target\":\"unix:path=/run/qemu q\\\"b\\\\s/t\\tn\\nr\\rb\\bf\\fc\\u0001\\u001f ls\\u2028ps\\u2029 \u00e9\u20ac\ud83d\ude00\",\"console\":1,\"worst\":\"warning\",\"qemu\":{\"reachable\":true,\"error\":null,\"name\":\"vm q\\\"b\\\\s/t\\tn\\nr\\rb\\bf\\fc\\u0001\\u001f ls\\u2028ps\\u2029 \u00e9\u20ac\ud83d\ude00\",\"uuid\":\"uuid-1\",\"version\":\"10.0.2\",\"versionSource\":\"QMP query-version\",\"consoleIds\":[0,1],\"vmInterfaces\":[\"org.qemu.Display1.Audio\",\"org.qemu.Display1.Chardev\"],\"interfacesProperties\":true},\"consoles\":[{\"id\":0,\"label\":\"VGA\",\"type\":\"Graphic\",\"width\":1024,\"height\":768,\"head\":0,\"deviceAddress\":\"pci/0000/02.0\",\"interfaces\":[\"org.qemu.Display1.Keyboard\",\"org.qemu.Display1.Mouse\"]},{\"id\":1,\"label\":\"serial0\",\"type\":\"Text\",\"width\":0,\"height\":0,\"head\":0,\"deviceAddress\":\"\",\"interfaces\":[]}],\"fdPassing\":{\"status\":\"used\",\"detail\":\"a shared-memory surface arrived\"},\"frames\":{\"path\":\"map\",\"advertised\":[\"org.qemu.Display1.Listener.Unix.Map\"],\"registrations\":2,\"changes\":[{\"from\":null,\"to\":\"dmabuf\",\"reason\":\"first\",\"at\":\"2026-01-02T03:04:06Z\"},{\"from\":\"dmabuf\",\"to\":\"map\",\"reason\":\"fell back: q\\\"b\\\\s/t\\tn\\nr\\rb\\bf\\fc\\u0001\\u001f ls\\u2028ps\\u2029 \u00e9\u20ac\ud83d\ude00\",\"at\":\"2026-01-02T03:04:07.001Z\"}],\"calls\":{\"ScanoutMap\":1,\"UpdateMap\":42,\"Scanout\":0},\"refusals\":[\"refused \\\"x\\\"\"],\"slowestReplyMs\":17,\"slowestCall\":\"UpdateMap\",\"dmabufFourcc\":\"XR24\",\"dmabufModifier\":\"0x0100000000000002\",\"dmabufCpuReadable\":false,\"closeReason\":null},\"updates\":{\"windowMs\":2500,\"updates\":42,\"perSecond\":16.8,\"surfaces\":1,\"pixelBytes\":3145728,\"megabytesPerSecond\":1.258,\"errorReplies\":0},\"mouse\":{\"absolute\":true,\"error\":null},\"uiInfo\":{\"status\":\"unsupported\",\"detail\":\"org.qemu.Display1.Error.Unsupported\"},\"findings\":[{\"severity\":\"warning\",\"topic\":\"frame-path\",\"summary\":\"map\",\"fix\":\"use virtio\"},{\"severity\":\"info\",\"topic\":\"mouse\",\"summary\":\"absolute q\\\"b\\\\s/t\\tn\\nr\\rb\\bf\\fc\\u0001\\u001f ls\\u2028ps\\u2029 \u00e9\u20ac\ud83d\ude00\",\"fix\":null}]}";
    static final String NUMBERS = "{\"windowMs\":2500,\"updates\":42,\"perSecond\":0.333,\"surfaces\":1,\"pixelBytes\":3145728,\"megabytesPerSecond\":0.0,\"errorReplies\":0}";
    static final String NAN = "{\"windowMs\":2500,\"updates\":42,\"perSecond\":null,\"surfaces\":1,\"pixelBytes\":3145728,\"megabytesPerSecond\":null,\"errorReplies\":0}";
    static final String BIG = "{\"windowMs\":2500,\"updates\":42,\"perSecond\":1234567.892,\"surfaces\":1,\"pixelBytes\":3145728,\"megabytesPerSecond\":100.0,\"errorReplies\":0}";
    static final String EMPTY = "{\"at\":\"1970-01-01T00:00:00Z\",\"target\":null,\"console\":0,\"worst\":\"ok\",\"qemu\":{\"reachable\":false,\"error\":\"no bus\",\"name\":null,\"uuid\":null,\"version\":null,\"versionSource\":\"unknown: x\",\"consoleIds\":[],\"vmInterfaces\":[],\"interfacesProperties\":false},\"consoles\":[],\"fdPassing\":null,\"frames\":null,\"updates\":null,\"mouse\":null,\"uiInfo\":null,\"findings\":[]}";
}
