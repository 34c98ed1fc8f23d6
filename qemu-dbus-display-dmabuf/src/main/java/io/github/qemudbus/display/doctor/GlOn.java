package io.github.qemudbus.display.doctor;

import io.github.qemudbus.display.doctor.DoctorReport.Frames;
import io.github.qemudbus.display.frame.FrameSource;
import io.github.qemudbus.display.frame.PathChange;
import java.time.Duration;
import java.util.Locale;

/**
 * What the doctor says about QEMU with {@code gl=on}: DMA-BUF scanouts only, no shared map, and
 * the frame source's no-CPU-frames state when the buffer cannot be read by the CPU.
 */
final class GlOn {
    /** gl=on, what it means for the SDK's consumers. */
    static final String TRADE_OFF = "QEMU runs with gl=on: every surface (even VGA text mode) is a GPU texture "
            + "exported as a DMA-BUF (ScanoutDMABUF, ScanoutDMABUF2 since QEMU 10.1); no shared map and no "
            + "Scanout/Update copies on Linux, and each UpdateDMABUF blocks the console's GL until the listener "
            + "answers. CPU consumers (screenshot, WebRTC, recording) can read only linear buffers";
    /** The fix for CPU consumers, and when gl=on is right. */
    static final String FIX = "for CPU consumers run QEMU with gl=off and -device virtio-vga (shared memory, no "
            + "copy, no GPU needed); keep gl=on for a GPU consumer (FrameSource.Builder.gpuConsumer: EGL/Vulkan/"
            + "VA-API import of the DMA-BUF) or a local GL display";

    private GlOn() {
    }

    /**
     * Waits for a first CPU frame, or for the source's no-CPU-frames state (then no frame will
     * come: waiting the whole timeout would only delay the answer).
     *
     * @return true once a frame arrived
     */
    static boolean awaitFrameOrGpuOnly(FrameSource fs, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            if (fs.awaitFrame(Duration.ofNanos(Math.min(left, 100_000_000L)))) {
                return true;
            }
            if (fs.cpuFramesUnavailable().isPresent() || fs.isClosed()) {
                return false;
            }
        }
    }

    /**
     * The finding for a source left without CPU frames by an unreadable DMA-BUF, or null when
     * that is not the case at the end of the examination.
     *
     * @param f what the frame source saw
     * @return the summary, or null
     */
    static String unreadable(Frames f) {
        PathChange last = null;
        for (PathChange c : f.changes()) {
            if (c.reason().startsWith("no CPU frames:")) {
                last = c;
            } else if (c.reason().startsWith("CPU frames again")) {
                last = null;
            }
        }
        if (last == null) {
            return null;
        }
        String why = last.reason();
        int fix = why.indexOf("; fix: ");
        if (fix > 0) {
            why = why.substring(0, fix);
        }
        String buffer = f.dmabufModifier() == null ? ""
                : String.format(Locale.ROOT, " (fourcc %s, modifier 0x%016x)", f.dmabufFourcc(), f.dmabufModifier());
        return TRADE_OFF + "; this one is not: " + why + buffer + ". The SDK keeps the link and answers every "
                + "UpdateDMABUF at once, but has no pixels to show";
    }
}
