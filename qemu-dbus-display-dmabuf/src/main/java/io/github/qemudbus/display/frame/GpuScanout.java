package io.github.qemudbus.display.frame;

import io.github.qemudbus.display.UnixFd;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One DMA-BUF scanout handed to a {@link GpuConsumer}: everything an importer needs
 * ({@code EGL_EXT_image_dma_buf_import(_modifiers)}, {@code VK_EXT_image_drm_format_modifier},
 * VA-API's {@code VADRMPRIMESurfaceDescriptor}). The descriptors are duplicates owned by the
 * consumer; {@link #close()} closes them. Not thread-safe beyond that: close once you are done.
 */
public final class GpuScanout implements AutoCloseable {
    private final long serial;
    private final List<Plane> planes;
    private final int x;
    private final int y;
    private final int width;
    private final int height;
    private final int backingWidth;
    private final int backingHeight;
    private final int fourcc;
    private final long modifier;
    private final boolean y0Top;
    private final boolean cpuReadable;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * One plane: its own descriptor (several planes may share one buffer), byte offset, stride.
     *
     * @param fd the descriptor, owned by the scanout
     * @param offset the plane's byte offset in the buffer
     * @param stride bytes per row
     */
    public record Plane(UnixFd fd, long offset, int stride) {
    }

    GpuScanout(long serial, List<Plane> planes, int x, int y, int width, int height, int backingWidth,
            int backingHeight, int fourcc, long modifier, boolean y0Top, boolean cpuReadable) {
        this.serial = serial;
        this.planes = List.copyOf(planes);
        this.x = x;
        this.y = y;
        this.width = width;
        this.height = height;
        this.backingWidth = backingWidth;
        this.backingHeight = backingHeight;
        this.fourcc = fourcc;
        this.modifier = modifier;
        this.y0Top = y0Top;
        this.cpuReadable = cpuReadable;
    }

    /** @return a number that grows with each scanout of the source ({@link GpuUpdate#scanoutSerial()}) */
    public long serial() {
        return serial;
    }

    /** @return the planes (1 to 4), each with its duplicated descriptor */
    public List<Plane> planes() {
        return planes;
    }

    /** @return left edge of the visible rectangle in the backing buffer */
    public int x() {
        return x;
    }

    /** @return top edge of the visible rectangle in the backing buffer */
    public int y() {
        return y;
    }

    /** @return visible width in pixels */
    public int width() {
        return width;
    }

    /** @return visible height in pixels */
    public int height() {
        return height;
    }

    /** @return the backing buffer's width in pixels */
    public int backingWidth() {
        return backingWidth;
    }

    /** @return the backing buffer's height in pixels */
    public int backingHeight() {
        return backingHeight;
    }

    /** @return the DRM fourcc */
    public int fourcc() {
        return fourcc;
    }

    /** @return the DRM format modifier ({@code 0x00ffffffffffffff}, DRM_FORMAT_MOD_INVALID, means implicit) */
    public long modifier() {
        return modifier;
    }

    /** @return true when row 0 is the top row */
    public boolean y0Top() {
        return y0Top;
    }

    /** @return whether the source could also read this buffer with the CPU (linear RGB) */
    public boolean cpuReadable() {
        return cpuReadable;
    }

    /** @return whether {@link #close()} was called */
    public boolean isClosed() {
        return closed.get();
    }

    /** Closes the duplicated descriptors. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            for (Plane p : planes) {
                p.fd().close();
            }
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "GpuScanout[#%d %dx%d at %d,%d of %dx%d, %s, modifier 0x%016x, %d plane(s)%s]",
                serial, width, height, x, y, backingWidth, backingHeight, SharedSurfaces.fourccName(fourcc), modifier,
                planes.size(), closed.get() ? ", closed" : "");
    }
}
