package io.github.qemudbus.examples;

import io.github.qemudbus.display.frame.CpuFramesUnavailable;
import io.github.qemudbus.display.frame.FrameSource;
import java.time.Duration;
import java.util.Optional;

/**
 * The commands that read pixels (screenshot, record, viewer) and QEMU with {@code gl=on}: when
 * its DMA-BUF cannot be read by the CPU they stop with one line saying why and what to change,
 * instead of waiting for a frame that never comes.
 */
final class CpuFrames {
    private CpuFrames() {
    }

    /**
     * Waits for the first frame.
     *
     * @param source the source
     * @param timeout how long to wait
     * @return true once a frame arrived, false on timeout or close
     * @throws IllegalStateException with {@link CpuFramesUnavailable#describe()} when the source
     *     has no CPU frames (QEMU gl=on with a buffer the CPU cannot read)
     */
    static boolean awaitFrame(FrameSource source, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            check(source);
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            if (source.awaitFrame(Duration.ofNanos(Math.min(left, 50_000_000L)))) {
                return true;
            }
            if (source.isClosed()) {
                return false;
            }
        }
    }

    /**
     * Throws when the source has no CPU frames.
     *
     * @param source the source
     * @throws IllegalStateException with the reason and the fix
     */
    static void check(FrameSource source) {
        Optional<CpuFramesUnavailable> u = source.cpuFramesUnavailable();
        if (u.isPresent()) {
            throw new IllegalStateException(u.get().describe());
        }
    }
}
