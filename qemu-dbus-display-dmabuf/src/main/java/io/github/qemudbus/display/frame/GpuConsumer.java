package io.github.qemudbus.display.frame;

/**
 * Code with a GPU (EGL/Vulkan, VA-API, GStreamer) that imports QEMU's DMA-BUF scanouts itself,
 * set with {@link FrameSource.Builder#gpuConsumer}. It receives every DMA-BUF scanout, readable
 * by the CPU or not, and the damage after it. Both calls come on the source's own hand-off
 * thread, in QEMU's order, never on the thread that answers QEMU.
 *
 * <p>QEMU blocks the console's GL output until the listener answers {@code UpdateDMABUF}. The
 * source answers when the consumer calls {@link GpuUpdate#done()} or when the source's bound
 * has passed ({@link FrameSource.Builder#gpuReplyBound}, default 4 ms), whichever comes first:
 * a slow consumer never stalls the guest's display, it only reads a buffer QEMU may be drawing
 * into again. Damage that arrives while the consumer is busy is merged into one update; when it
 * falls more than four scanouts behind, the oldest waiting ones (already superseded by a newer
 * scanout) are closed unseen, so a stuck consumer holds a bounded number of descriptors.
 */
public interface GpuConsumer {

    /**
     * A new DMA-BUF scanout. The consumer owns it: its descriptors are duplicates, and it must
     * close it (at the latest when the next scanout arrives). Scanouts that were still queued
     * when the source closed are closed by the source.
     *
     * @param scanout the buffer
     */
    void onScanout(GpuScanout scanout);

    /**
     * Damage on the latest scanout. Call {@link GpuUpdate#done()} once the GPU has read it.
     *
     * @param update the damage
     */
    void onUpdate(GpuUpdate update);
}
