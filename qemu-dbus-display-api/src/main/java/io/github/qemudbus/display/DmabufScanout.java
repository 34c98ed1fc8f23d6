package io.github.qemudbus.display;

import java.util.List;

/**
 * A DMA-BUF scanout as QEMU describes it: {@code ScanoutDMABUF} (one plane, x=y=0, backing
 * size = size) or {@code ScanoutDMABUF2} (up to four planes, a visible rectangle inside a
 * larger backing buffer).
 *
 * @param planes the planes, each with its own descriptor, offset and stride
 * @param x visible rectangle left edge inside the backing buffer
 * @param y visible rectangle top edge
 * @param width visible width
 * @param height visible height
 * @param backingWidth backing buffer width
 * @param backingHeight backing buffer height
 * @param fourcc DRM fourcc, see {@link PixelFormat#fromFourcc(int)}
 * @param modifier DRM format modifier; only 0 (linear) is readable by the CPU
 * @param y0Top true when row 0 is the top row; false means the image is upside down
 */
public record DmabufScanout(List<Plane> planes, int x, int y, int width, int height, int backingWidth,
        int backingHeight, int fourcc, long modifier, boolean y0Top) {

    /** DRM_FORMAT_MOD_LINEAR. */
    public static final long MODIFIER_LINEAR = 0L;
    /** DRM_FORMAT_MOD_INVALID: the producer did not say. */
    public static final long MODIFIER_INVALID = 0x00ffffffffffffffL;

    /**
     * Creates the value; the plane list is copied.
     *
     * @param planes the planes
     * @param x left edge
     * @param y top edge
     * @param width width
     * @param height height
     * @param backingWidth backing width
     * @param backingHeight backing height
     * @param fourcc DRM fourcc
     * @param modifier DRM modifier
     * @param y0Top orientation
     */
    public DmabufScanout {
        planes = List.copyOf(planes);
    }

    /**
     * Whether the CPU can read the pixels in their stored order (linear layout).
     *
     * @return true for the linear modifier (and the "invalid/implicit" one, which QEMU uses
     *     for buffers it allocated linear)
     */
    public boolean isLinear() {
        return modifier == MODIFIER_LINEAR || modifier == MODIFIER_INVALID;
    }

    /**
     * One plane of a DMA-BUF.
     *
     * @param fd the descriptor (owned by the SDK during the callback)
     * @param offset byte offset of the plane
     * @param stride bytes per row
     */
    public record Plane(UnixFd fd, long offset, int stride) {
    }
}
