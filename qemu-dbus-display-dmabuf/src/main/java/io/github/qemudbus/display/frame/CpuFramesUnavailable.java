package io.github.qemudbus.display.frame;

import java.time.Instant;
import java.util.Objects;

/**
 * Why a source has no CPU-readable frames although QEMU is sending them: QEMU runs with
 * {@code gl=on} and the DMA-BUF it exported cannot be read through mmap (a tiled or compressed
 * modifier, a format the SDK does not read such as YUV or 10-bit RGB, or a DMA-BUF path that is
 * not allowed). QEMU with {@code gl=on} sends nothing else on Linux (no {@code Scanout}/
 * {@code Update} copies, no shared map), so registering again without DMA-BUF would only get
 * silence: the source keeps its link, answers every {@code UpdateDMABUF} at once, hands each
 * buffer to a {@link GpuConsumer} if one is set, and reports this state instead of a black
 * screen. It ends when QEMU sends a readable buffer.
 *
 * @param reason what cannot be read, e.g. "modifier 0x0100000000000001 is not linear: ..."
 * @param fix what to change: {@code gl=off} with virtio-vga for CPU consumers (shared memory,
 *     no copy), or a GPU consumer ({@link FrameSource.Builder#gpuConsumer})
 * @param fourcc the buffer's DRM fourcc
 * @param modifier the buffer's DRM format modifier
 * @param planes the buffer's number of planes
 * @param since when the state began
 */
public record CpuFramesUnavailable(String reason, String fix, int fourcc, long modifier, int planes, Instant since) {

    /** The fix the SDK proposes for every unreadable DMA-BUF. */
    public static final String FIX = "run QEMU with gl=off and -device virtio-vga for CPU consumers (screenshots, "
            + "WebRTC, recording: shared memory, no copy), or give the frame source a GPU consumer "
            + "(FrameSource.Builder.gpuConsumer) that imports the DMA-BUF with EGL/Vulkan/VA-API";

    /**
     * Checks the values.
     *
     * @param reason reason
     * @param fix fix
     * @param fourcc fourcc
     * @param modifier modifier
     * @param planes planes
     * @param since since
     */
    public CpuFramesUnavailable {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(fix, "fix");
        Objects.requireNonNull(since, "since");
    }

    /**
     * One line for people: what, why and the fix.
     *
     * @return e.g. "no CPU frames: QEMU runs with gl=on and its DMA-BUF is not CPU-readable (modifier ...); fix: ..."
     */
    public String describe() {
        return "no CPU frames: QEMU runs with gl=on and its DMA-BUF is not CPU-readable (" + reason + "); fix: " + fix;
    }
}
