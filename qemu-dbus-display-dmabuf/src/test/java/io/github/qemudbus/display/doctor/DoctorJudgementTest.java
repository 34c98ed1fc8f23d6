package io.github.qemudbus.display.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.Console;
import io.github.qemudbus.display.doctor.DoctorReport.Finding;
import io.github.qemudbus.display.doctor.DoctorReport.Frames;
import io.github.qemudbus.display.doctor.DoctorReport.Severity;
import io.github.qemudbus.display.frame.FramePath;
import io.github.qemudbus.display.frame.PathChange;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The frame-path judgements on facts real QEMU cannot produce here (no GPU for gl=on, no
 * refused or late map): fed synthetic {@link Frames}.
 */
class DoctorJudgementTest {
    private static final Console.ConsoleInfo VIRTIO = new Console.ConsoleInfo(0, "virtio-vga", "Graphic", 1024, 768, 0,
            "pci/0000/02.0", List.of("org.qemu.Display1.Keyboard", "org.qemu.Display1.Mouse"));
    private static final Console.ConsoleInfo VGA = new Console.ConsoleInfo(0, "VGA", "Graphic", 1024, 768, 0,
            "pci/0000/02.0", List.of("org.qemu.Display1.Keyboard", "org.qemu.Display1.Mouse"));

    private static Doctor.Run run(int... version) {
        Doctor.Run r = new Doctor.Run(Doctor.builder(), null, "test", Instant.EPOCH);
        r.version = version.length == 0 ? null : version;
        r.consoles.add(VIRTIO);
        return r;
    }

    private static Frames frames(FramePath path, List<PathChange> changes, Map<String, Long> calls, long slowest,
            String slowestCall, Long modifier, Boolean linear) {
        return new Frames(path, List.of("org.qemu.Display1.Listener.Unix.Map"), 1, changes, calls, List.of(), slowest,
                slowestCall, modifier == null ? null : "XR24 (0x34325258)", modifier, linear, null);
    }

    private static PathChange change(FramePath from, FramePath to, String reason) {
        return new PathChange(from, to, reason, Instant.EPOCH);
    }

    private static String text(List<Finding> f) {
        return f.stream().map(x -> x.severity() + " " + x.summary() + " / " + x.fix()).collect(Collectors.joining("\n"));
    }

    @Test
    void tiledDmabufUnderGlOnIsExplainedWithItsModifierAndTheTradeOff() {
        // issue 16: the SDK keeps the link (one registration, path dmabuf) and records "no CPU frames"
        Doctor.Run r = run(10, 1, 0);
        r.judgeFrames(false, frames(FramePath.DMABUF, List.of(
                change(null, FramePath.DMABUF, "negotiated: QEMU chose dmabuf (ScanoutDMABUF)"),
                change(FramePath.DMABUF, FramePath.DMABUF, "no CPU frames: QEMU runs with gl=on and its DMA-BUF is "
                        + "not CPU-readable (modifier 0x0100000000000001 is not linear: the CPU cannot read tiled or "
                        + "compressed buffers); fix: run QEMU with gl=off ...")),
                Map.of("ScanoutDMABUF", 1L, "UpdateDMABUF", 40L), 3, "UpdateDMABUF", 0x0100000000000001L, false),
                VIRTIO, null);
        String t = text(r.findings);
        assertEquals(1, r.findings.size(), t);
        assertEquals(Severity.ERROR, r.findings.get(0).severity());
        assertTrue(t.contains("QEMU runs with gl=on: every surface"), t);
        assertTrue(t.contains("no shared map and no Scanout/Update copies on Linux"), t);
        assertTrue(t.contains("0x0100000000000001"), t);
        assertTrue(t.contains("answers every UpdateDMABUF at once"), t);
        assertTrue(r.findings.get(0).fix().contains("gl=off and -device virtio-vga")
                && r.findings.get(0).fix().contains("gpuConsumer"), t);
        assertTrue(!t.contains("no frame arrived"), "not the generic no-frame error: " + t);
    }

    @Test
    void readableAgainEndsTheGlOnError() {
        Doctor.Run r = run(10, 1, 0);
        r.judgeFrames(true, frames(FramePath.DMABUF, List.of(change(null, FramePath.DMABUF, "negotiated"),
                change(FramePath.DMABUF, FramePath.DMABUF, "no CPU frames: ... (modifier 0x1 ...)"),
                change(FramePath.DMABUF, FramePath.DMABUF, "CPU frames again: QEMU sent a CPU-readable ScanoutDMABUF")),
                Map.of("ScanoutDMABUF", 2L), 1, "ScanoutDMABUF", 0L, true), VIRTIO, null);
        assertEquals(Severity.OK, r.findings.get(0).severity(), text(r.findings));
    }

    @Test
    void linearDmabufIsFineAndTheTradeOffIsExplained() {
        Doctor.Run r = run(10, 1, 0);
        r.judgeFrames(true, frames(FramePath.DMABUF, List.of(change(null, FramePath.DMABUF, "negotiated")),
                Map.of("ScanoutDMABUF", 1L), 1, "ScanoutDMABUF", 0L, true), VIRTIO, null);
        assertEquals(2, r.findings.size(), text(r.findings));
        assertEquals(Severity.OK, r.findings.get(0).severity());
        assertTrue(r.findings.get(0).summary().contains("linear"));
        assertEquals(Severity.INFO, r.findings.get(1).severity());
        assertTrue(r.findings.get(1).summary().contains("gl=on") && r.findings.get(1).fix().contains("gl=off"),
                text(r.findings));
    }

    @Test
    void refusedMapQuotesTheSdksReason() {
        Doctor.Run r = run(10, 0, 2);
        r.judgeFrames(true, frames(FramePath.COPY, List.of(change(null, FramePath.MAP, "negotiated"),
                change(FramePath.MAP, FramePath.COPY, "ScanoutMap refused: memfd holds 4096 bytes, frame needs 3145728")),
                Map.of("ScanoutMap", 1L, "Scanout", 1L), 3, "Scanout", null, null), VIRTIO, null);
        String t = text(r.findings);
        assertTrue(t.contains("refused QEMU's shared map") && t.contains("memfd holds 4096 bytes"), t);
    }

    @Test
    void lateMapReplyIsBlamed() {
        Doctor.Run r = run(10, 0, 2);
        r.judgeFrames(true, frames(FramePath.COPY, List.of(change(null, FramePath.MAP, "negotiated"),
                change(FramePath.MAP, FramePath.COPY, "QEMU stopped using the shared map")),
                Map.of("ScanoutMap", 1L, "Scanout", 1L), 1500, "ScanoutMap", null, null), VIRTIO, null);
        String t = text(r.findings);
        assertTrue(t.contains("ScanoutMap reply took 1500 ms"), t);
    }

    @Test
    void copiesOnANewQemuWithStdVgaBlameTheDeviceOnly() {
        Doctor.Run r = run(10, 0, 2);
        r.judgeFrames(true, frames(FramePath.COPY, List.of(change(null, FramePath.COPY, "negotiated")),
                Map.of("Scanout", 1L), 1, "Scanout", null, null), VGA, null);
        String t = text(r.findings);
        assertTrue(t.contains("VRAM") && t.contains("virtio-vga") && !t.contains("no Listener.Unix.Map"), t);
    }

    @Test
    void noFrameIsAnError() {
        Doctor.Run r = run();
        r.judgeFrames(false, frames(null, List.of(), Map.of(), 0, null, null, null), VIRTIO, null);
        assertEquals(Severity.ERROR, r.findings.get(0).severity());
        assertTrue(r.findings.get(0).summary().contains("no listener call at all"), text(r.findings));
    }
}
